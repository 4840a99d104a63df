import type { ActorRef, BreachAlertThreshold, IncidentEntryEventKind, IncidentKind, IncidentSeverity, IncidentStatus } from '../vocabulary';

/*
 * Published events of the audit context's security monitor, schema version 1.
 * - Blocklist events are on stream `audit-blocklist-<tenantId>`, incident events on
 *   `audit-incident-<incidentId>` (stream-ids.ts).
 * - Every event carries `tenantId` and `at`, the instant it took effect, chosen by the caller
 *   (never by the decider). IP addresses are stored normalised (`normalizeIp`).
 * - Incident free text (titles, descriptions, entries) may name people: it travels only as
 *   ciphertext under the incident's key, in fields ending in `Encrypted`, like every context's
 *   personal data. Block reasons are short codes or operator text about an address, not people.
 * - `by` says who acted: a user (or API key) or a monitor rule; deadline alerts are the platform's.
 */

export type AuditEventOf<TType extends string, TVersion extends number, TData> = { type: TType; schemaVersion: TVersion; data: TData };

/** The address is refused until `until` (exclusive), or until unblocked when null. A later IpBlocked for the same address replaces it. */
export type IpBlocked = AuditEventOf<'audit.IpBlocked', 1, { tenantId: string; ip: string; until: string | null; reason: string; by: ActorRef; at: string }>;

/** The address is no longer refused. */
export type IpUnblocked = AuditEventOf<'audit.IpUnblocked', 1, { tenantId: string; ip: string; by: ActorRef; at: string }>;

/** An incident starts, `open`. A breach carries its notification deadline: detectedAt + BREACH_NOTIFICATION_HOURS. */
export type IncidentOpened = AuditEventOf<
  'audit.IncidentOpened',
  1,
  {
    tenantId: string;
    incidentId: string;
    kind: IncidentKind;
    severity: IncidentSeverity;
    titleEncrypted: string;
    descriptionEncrypted: string | null;
    detectedAt: string;
    notificationDeadline: string | null;
    openedBy: ActorRef;
    at: string;
  }
>;

/** A line in the incident's timeline: what was detected, done, noted, or whom it was notified to. */
export type IncidentEntryAdded = AuditEventOf<
  'audit.IncidentEntryAdded',
  1,
  { tenantId: string; incidentId: string; entryId: string; kind: IncidentEntryEventKind; textEncrypted: string; by: ActorRef; at: string }
>;

export type IncidentStatusChanged = AuditEventOf<'audit.IncidentStatusChanged', 1, { tenantId: string; incidentId: string; from: IncidentStatus; to: IncidentStatus; by: ActorRef; at: string }>;

export type IncidentSeverityChanged = AuditEventOf<
  'audit.IncidentSeverityChanged',
  1,
  { tenantId: string; incidentId: string; from: IncidentSeverity; to: IncidentSeverity; by: ActorRef; at: string }
>;

/** A breach's notification deadline is near (`6h`, `1h` left) or has passed (`overdue`) with no notification recorded. Raised by the platform, once per threshold. */
export type BreachDeadlineAlerted = AuditEventOf<'audit.BreachDeadlineAlerted', 1, { tenantId: string; incidentId: string; deadline: string; threshold: BreachAlertThreshold; at: string }>;

export type BlocklistEvent = IpBlocked | IpUnblocked;
export type IncidentEvent = IncidentOpened | IncidentEntryAdded | IncidentStatusChanged | IncidentSeverityChanged | BreachDeadlineAlerted;
export type AuditEvent = BlocklistEvent | IncidentEvent;

export const AUDIT_EVENT_TYPES = [
  'audit.IpBlocked',
  'audit.IpUnblocked',
  'audit.IncidentOpened',
  'audit.IncidentEntryAdded',
  'audit.IncidentStatusChanged',
  'audit.IncidentSeverityChanged',
  'audit.BreachDeadlineAlerted',
] as const satisfies readonly AuditEvent['type'][];

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

type _EveryTypeListed = AuditEvent['type'] extends AuditEventType ? true : never;
const _everyTypeListed: _EveryTypeListed = true;
void _everyTypeListed;

export function isAuditEventType(type: string): type is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(type);
}
