import { ValidationError } from '@custodian/kernel';

export const MAX_PAGE = 200;

/** The page size asked for (default 50), or ValidationError. */
export function pageLimit(limit: unknown): number {
  const n = limit ?? 50;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new ValidationError(`limit must be 1-${MAX_PAGE}`, { field: 'limit' });
  return n;
}

/** Keyset cursor over (time, id): opaque to clients. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && !Number.isNaN(Date.parse(v[0])) && typeof v[1] === 'string' && /^[0-9a-f-]{36}$/.test(v[1])) return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not a cursor this API returned', { field: 'cursor' }, 'invalid_cursor');
}
