import type { Command } from '@custodian/kernel';
import type { ActorRef, AddableIncidentEntryKind, IncidentKind, IncidentSeverity, IncidentStatus } from '@custodian/audit/contracts';

/** Who acts on which incident, and when. Free text arrives already encrypted under the incident's key. */
type Base = { tenantId: string; incidentId: string; by: ActorRef; at: string };

export type OpenIncident = Command<
  'OpenIncident',
  Base & { kind: IncidentKind; severity: IncidentSeverity; titleEncrypted: string; descriptionEncrypted: string | null; detectedAt: string }
>;
export type AddIncidentEntry = Command<'AddIncidentEntry', Base & { entryId: string; kind: AddableIncidentEntryKind; textEncrypted: string }>;
export type ChangeIncidentStatus = Command<'ChangeIncidentStatus', Base & { to: IncidentStatus }>;
export type ChangeIncidentSeverity = Command<'ChangeIncidentSeverity', Base & { to: IncidentSeverity }>;
/** Sent by the platform's deadline sweep: raise the breach deadline alert due at `at`, if any. */
export type AlertBreachDeadline = Command<'AlertBreachDeadline', { tenantId: string; incidentId: string; at: string }>;
