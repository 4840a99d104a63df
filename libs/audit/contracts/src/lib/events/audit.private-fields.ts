import type { PrivateFields } from '@custodian/kernel';
import type { AuditEvent } from './audit.events';

/** Audit's fields that never leave the platform: the addresses a tenant blocked, and why. */
export const AUDIT_PRIVATE_FIELDS = {
  'audit.IpBlocked': ['ip', 'reason'],
  'audit.IpUnblocked': ['ip'],
} as const satisfies Partial<Record<AuditEvent['type'], readonly string[]>> & PrivateFields;
