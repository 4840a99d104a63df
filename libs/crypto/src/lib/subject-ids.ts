import { ValidationError } from '@custodian/kernel';

const MAX_ID_LENGTH = 256;

/** Throws a ValidationError unless tenantId and subjectId are non-empty, NUL-free and at most 256 chars. */
export function assertSubjectIds(tenantId: string, subjectId: string): void {
  assertId('tenantId', tenantId);
  assertId('subjectId', subjectId);
}

export function assertId(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH || value.includes('\0')) {
    throw new ValidationError(`${name} must be a non-empty string of at most ${MAX_ID_LENGTH} characters without NUL`, undefined, 'invalid_id');
  }
}
