/**
 * Field builders for `defineConfig`. Each parses one environment variable from its raw
 * string. Contracts shared by every builder:
 *  - the loader treats `undefined` and `''` as unset before `parse` is called, so `parse`
 *    only ever sees a non-empty string;
 *  - a field is required unless it has `default` (used when unset) or `optional: true`
 *    (the value is then `T | undefined`); the two are exclusive;
 *  - `default` is a typed value, not a string, and is not re-validated;
 *  - failure reasons quote the raw value, except for `secret` and `url` (URLs may carry
 *    credentials), which never echo it.
 */

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A typed, validated environment variable. `Optional` is true only for `optional: true`. */
export interface ConfigField<T, Optional extends boolean = boolean> {
  readonly kind: string;
  readonly optional: Optional;
  readonly defaultValue: T | undefined;
  /** When true, `parse` reasons never contain the raw value. */
  readonly secret: boolean;
  parse(raw: string): ParseResult<T>;
}

/** Presence options every builder accepts. */
export type Presence<T> =
  | { readonly default?: T; readonly optional?: false }
  | { readonly optional: true; readonly default?: undefined };

type IsOptional<O> = O extends { readonly optional: true } ? true : false;
type NoOptions = Record<never, never>;

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(reason: string): ParseResult<T> => ({ ok: false, reason });

const ECHO_LIMIT = 64;
/** `(got "…")` with the raw value quoted and truncated. Never call this for secret fields. */
function got(raw: string): string {
  const shown = raw.length > ECHO_LIMIT ? `${raw.slice(0, ECHO_LIMIT)}…` : raw;
  return `(got ${JSON.stringify(shown)})`;
}

function field<T, O extends Presence<T>>(
  kind: string,
  options: O | undefined,
  parse: (raw: string) => ParseResult<T>,
  secret = false,
): ConfigField<T, IsOptional<O>> {
  return Object.freeze({
    kind,
    optional: (options?.optional === true) as IsOptional<O>,
    defaultValue: options?.default,
    secret,
    parse,
  });
}

const INTEGER = /^-?\d+$/;

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `an integer ${min}-${max}`;
  if (min !== undefined) return `an integer >= ${min}`;
  if (max !== undefined) return `an integer <= ${max}`;
  return 'an integer';
}

function parseInteger(raw: string, min: number | undefined, max: number | undefined): ParseResult<number> {
  const n = INTEGER.test(raw) ? Number(raw) : Number.NaN;
  const inRange = Number.isSafeInteger(n) && (min === undefined || n >= min) && (max === undefined || n <= max);
  return inRange ? ok(n) : fail(`must be ${rangeText(min, max)} ${got(raw)}`);
}

export type IntOptions = Presence<number> & { readonly min?: number; readonly max?: number };

/** A base-10 safe integer, optionally bounded (inclusive). */
export function int<const O extends IntOptions = NoOptions>(options?: O): ConfigField<number, IsOptional<O>> {
  return field('int', options, (raw) => parseInteger(raw, options?.min, options?.max));
}

/** A TCP port, 1-65535. */
export function port<const O extends Presence<number> = NoOptions>(options?: O): ConfigField<number, IsOptional<O>> {
  return field('port', options, (raw) => parseInteger(raw, 1, 65_535));
}

export type StringOptions = Presence<string> & {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
};

function parseString(raw: string, o: StringOptions | undefined, secret: boolean): ParseResult<string> {
  const echo = secret ? '' : ` ${got(raw)}`;
  if (o?.minLength !== undefined && raw.length < o.minLength) {
    return fail(`must be at least ${o.minLength} characters${echo}`);
  }
  if (o?.maxLength !== undefined && raw.length > o.maxLength) {
    return fail(`must be at most ${o.maxLength} characters${echo}`);
  }
  if (o?.pattern !== undefined) {
    // A fresh RegExp: a /g or /y pattern's lastIndex must not leak between calls.
    const re = new RegExp(o.pattern.source, o.pattern.flags.replace(/[gy]/g, ''));
    if (!re.test(raw)) return fail(`must match ${String(o.pattern)}${echo}`);
  }
  return ok(raw);
}

/** A string, used verbatim (not trimmed). */
export function string<const O extends StringOptions = NoOptions>(options?: O): ConfigField<string, IsOptional<O>> {
  return field('string', options, (raw) => parseString(raw, options, false));
}

/** Like `string`, but its value never appears in an error message. */
export function secret<const O extends StringOptions = NoOptions>(options?: O): ConfigField<string, IsOptional<O>> {
  return field('secret', options, (raw) => parseString(raw, options, true), true);
}

export type UrlOptions = Presence<string> & {
  /** Allowed `URL.protocol` values, with the colon: `['postgres:', 'postgresql:']`. Any when omitted. */
  readonly protocols?: readonly string[];
};

/** An absolute URL, returned as the original string. Never echoed: it may carry credentials. */
export function url<const O extends UrlOptions = NoOptions>(options?: O): ConfigField<string, IsOptional<O>> {
  const protocols = options?.protocols;
  const expected =
    protocols && protocols.length > 0
      ? `must be a ${protocols.map((p) => `${p.replace(/:$/, '')}://`).join(' or ')} URL`
      : 'must be an absolute URL';
  return field('url', options, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return fail(expected);
    }
    return protocols && protocols.length > 0 && !protocols.includes(parsed.protocol) ? fail(expected) : ok(raw);
  });
}

/** One of a fixed set of strings, matched exactly (case-sensitive). */
export function oneOf<const V extends readonly [string, ...string[]], const O extends Presence<V[number]> = NoOptions>(
  values: V,
  options?: O,
): ConfigField<V[number], IsOptional<O>> {
  const allowed: readonly string[] = values;
  return field('oneOf', options, (raw) =>
    allowed.includes(raw) ? ok(raw as V[number]) : fail(`must be one of ${values.join(', ')} ${got(raw)}`),
  );
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean: true/1/yes/on or false/0/no/off, case-insensitive. */
export function bool<const O extends Presence<boolean> = NoOptions>(options?: O): ConfigField<boolean, IsOptional<O>> {
  return field('bool', options, (raw) => {
    const v = raw.toLowerCase();
    if (TRUE.has(v)) return ok(true);
    if (FALSE.has(v)) return ok(false);
    return fail(`must be a boolean (true/false, 1/0, yes/no, on/off) ${got(raw)}`);
  });
}

export type ListOptions<T> = Presence<readonly T[]> & {
  /** Parses each item; items are plain strings when omitted. Its presence options are ignored. */
  readonly of?: ConfigField<T, boolean>;
  /** @defaultValue 0 */
  readonly minItems?: number;
};

type ItemOf<O> = O extends { readonly of: ConfigField<infer T, boolean> } ? T : string;

/**
 * A comma-separated list. Items are trimmed and empty items dropped (`a, b,` is `[a, b]`);
 * each is parsed by `of`, and a failure names the item's 1-based position.
 */
export function list<const O extends ListOptions<unknown> = NoOptions>(
  options?: O & ListOptions<ItemOf<O>>,
): ConfigField<readonly ItemOf<O>[], IsOptional<O>> {
  const item = options?.of;
  const minItems = options?.minItems ?? 0;
  return field('list', options as Presence<readonly ItemOf<O>[]> | undefined, (raw) => {
    const parts = raw
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (parts.length < minItems) {
      return fail(`must list at least ${minItems} comma-separated item${minItems === 1 ? '' : 's'}`);
    }
    const values: ItemOf<O>[] = [];
    for (const [i, part] of parts.entries()) {
      if (item === undefined) {
        values.push(part as ItemOf<O>);
        continue;
      }
      const r = item.parse(part);
      if (!r.ok) return fail(`item ${i + 1} ${r.reason}`);
      values.push(r.value as ItemOf<O>);
    }
    return ok(Object.freeze(values));
  }) as ConfigField<readonly ItemOf<O>[], IsOptional<O>>;
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `250ms`, `30s`, `5m`, `2h`, `7d`, as milliseconds. A bare number is rejected. */
export function duration<const O extends Presence<number> = NoOptions>(options?: O): ConfigField<number, IsOptional<O>> {
  return field('duration', options, (raw) => {
    const m = DURATION.exec(raw);
    const ms = m ? Number(m[1]) * UNIT_MS[m[2]] : Number.NaN;
    return Number.isSafeInteger(ms) ? ok(ms) : fail(`must be a duration such as 250ms, 30s, 5m, 2h or 7d ${got(raw)}`);
  });
}
