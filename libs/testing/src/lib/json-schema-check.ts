/**
 * A checker for the small JSON Schema (2020-12) subset the identity schemas use — enough for
 * fixture tests without a validator package. A keyword outside the subset is reported as an
 * error, so a schema can never pass because the checker skipped what it did not understand.
 * Test support only; not exported from the library.
 */
type Schema = { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = jsonType(value);
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** Returns one message per violation, each prefixed with its JSON path; empty when valid. */
export function checkAgainstSchema(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  for (const [keyword, rule] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case 'type': {
        const allowed = Array.isArray(rule) ? (rule as string[]) : [rule as string];
        if (!allowed.some((t) => typeMatches(t, value))) {
          errors.push(`${path}: expected ${allowed.join('|')}, got ${jsonType(value)}`);
        }
        break;
      }
      case 'const':
        if (value !== rule) errors.push(`${path}: expected ${JSON.stringify(rule)}, got ${JSON.stringify(value)}`);
        break;
      case 'enum':
        if (!(rule as readonly unknown[]).includes(value)) {
          errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(rule)}`);
        }
        break;
      case 'oneOf': {
        const matching = (rule as Schema[]).filter((s) => checkAgainstSchema(s, value, path).length === 0).length;
        if (matching !== 1) errors.push(`${path}: matches ${matching} of oneOf, expected exactly 1`);
        break;
      }
      case 'properties':
        if (jsonType(value) === 'object') {
          const object = value as Record<string, unknown>;
          for (const [key, sub] of Object.entries(rule as Record<string, Schema>)) {
            if (key in object) errors.push(...checkAgainstSchema(sub, object[key], `${path}.${key}`));
          }
        }
        break;
      case 'required':
        if (jsonType(value) === 'object') {
          for (const key of rule as readonly string[]) {
            if (!(key in (value as object))) errors.push(`${path}: missing required ${key}`);
          }
        }
        break;
      case 'additionalProperties':
        if (rule !== false) {
          errors.push(`${path}: only additionalProperties: false is supported`);
        } else if (jsonType(value) === 'object') {
          const known = Object.keys((schema['properties'] ?? {}) as object);
          for (const key of Object.keys(value as object)) {
            if (!known.includes(key)) errors.push(`${path}: unexpected property ${key}`);
          }
        }
        break;
      case 'items':
        if (Array.isArray(value)) {
          value.forEach((item, i) => errors.push(...checkAgainstSchema(rule as Schema, item, `${path}[${i}]`)));
        }
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (rule as number)) errors.push(`${path}: fewer than ${String(rule)} items`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (rule as number)) errors.push(`${path}: more than ${String(rule)} items`);
        break;
      case 'uniqueItems':
        if (rule === true && Array.isArray(value) && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
          errors.push(`${path}: items are not unique`);
        }
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (rule as number)) errors.push(`${path}: less than ${String(rule)}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (rule as number)) errors.push(`${path}: greater than ${String(rule)}`);
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < (rule as number)) errors.push(`${path}: shorter than ${String(rule)}`);
        break;
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > (rule as number)) errors.push(`${path}: longer than ${String(rule)}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(rule as string, 'u').test(value)) {
          errors.push(`${path}: does not match ${String(rule)}`);
        }
        break;
      case 'format':
        if (rule !== 'date-time') {
          errors.push(`${path}: unsupported format ${String(rule)}`);
        } else if (typeof value === 'string' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
          errors.push(`${path}: not an RFC 3339 date-time`);
        }
        break;
      default:
        errors.push(`${path}: unsupported keyword ${keyword}`);
    }
  }
  return errors;
}
