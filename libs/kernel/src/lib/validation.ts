import { ValidationError } from './errors';

/*
 * Input checks shared by deciders. They guarantee that every event a decider
 * emits is valid against its published JSON schema (events are immutable: a malformed one
 * would stay forever). Each failure is a ValidationError naming the field in `details`.
 */

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const HEX = /^[0-9a-f]+$/;

export function invalid(field: string, message: string, code = 'validation_failed'): ValidationError {
  return new ValidationError(message, { field }, code);
}

/** A non-empty string: ids, ciphertexts. */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, `${field} is required`);
  return value;
}

/** An RFC 3339 timestamp supplied by the caller. */
export function requireTimestamp(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalid(field, `${field} must be an RFC 3339 date-time`);
  }
  return value;
}

/** Lower-case hex, optionally of an exact length. */
export function requireHex(value: unknown, field: string, length?: number): string {
  if (typeof value !== 'string' || !HEX.test(value) || (length !== undefined && value.length !== length)) {
    throw invalid(field, `${field} must be lower-case hex${length === undefined ? '' : ` of ${length} digits`}`);
  }
  return value;
}

/** A string or null (IP address, user agent as the transport saw them). */
export function requireNullableText(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(field, `${field} must be a string or null`);
  return value;
}

export function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, `${field} must be a boolean`);
  return value;
}
