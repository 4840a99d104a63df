import type { Command } from '../command';

/** Let a disabled user log in again. */
export type EnableUser = Command<'EnableUser', { tenantId: string; userId: string; at: string }>;
