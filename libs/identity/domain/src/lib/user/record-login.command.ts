import type { Command } from '../command';

/**
 * Record a login attempt whose password the app layer has already checked against the stored
 * hash (`passwordMatched`). `ip` / `userAgent` are null when the transport had none.
 */
export type RecordLogin = Command<
  'RecordLogin',
  { tenantId: string; userId: string; at: string; ip: string | null; userAgent: string | null; passwordMatched: boolean }
>;
