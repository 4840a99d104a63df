/*
 * Published vocabulary of the audit context. Every list is stored in events and checked by
 * their schemas: a value may be added only with a new schema version, never removed.
 */

/** How bad an incident is. Ordered from least to most severe. */
export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/** Where an incident stands. The allowed moves between them are the incident decider's. */
export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * What an incident is about. Only a `breach` (personal data exposed) carries the
 * notification clock of BREACH_NOTIFICATION_HOURS.
 */
export const INCIDENT_KINDS = ['security', 'breach', 'operational'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/**
 * The kinds of line in an incident's timeline. `status`, `severity` and `deadline_alert`
 * lines come from their own events; the others are written as IncidentEntryAdded.
 */
export const INCIDENT_ENTRY_KINDS = ['detected', 'action', 'note', 'status', 'severity', 'notification_sent', 'deadline_alert'] as const;
export type IncidentEntryKind = (typeof INCIDENT_ENTRY_KINDS)[number];

/** The entry kinds an IncidentEntryAdded event may carry (status and severity have their own events). */
export const INCIDENT_ENTRY_EVENT_KINDS = ['detected', 'action', 'note', 'notification_sent', 'deadline_alert'] as const satisfies readonly IncidentEntryKind[];
export type IncidentEntryEventKind = (typeof INCIDENT_ENTRY_EVENT_KINDS)[number];

/** The entry kinds a person or a rule may add to an incident (deadline alerts are the platform's). */
export const ADDABLE_INCIDENT_ENTRY_KINDS = ['detected', 'action', 'note', 'notification_sent'] as const satisfies readonly IncidentEntryEventKind[];
export type AddableIncidentEntryKind = (typeof ADDABLE_INCIDENT_ENTRY_KINDS)[number];

/** Who acted: a user (a user id, or `apikey:<id>` for an integrator's key) or a monitor rule by name (`failed-logins-per-ip`). */
export const ACTOR_KINDS = ['user', 'rule'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
export type ActorRef = { kind: ActorKind; id: string };
/** Longest actor id stored in an event. */
export const ACTOR_ID_MAX_LENGTH = 200;

/** Hours from a breach's detection to the deadline for notifying those affected. */
export const BREACH_NOTIFICATION_HOURS = 24;

/**
 * Alerts raised as a breach's notification deadline nears: 6 hours left, 1 hour left, passed.
 * Ordered from earliest to latest; each is raised at most once per incident.
 */
export const BREACH_ALERT_THRESHOLDS = ['6h', '1h', 'overdue'] as const;
export type BreachAlertThreshold = (typeof BREACH_ALERT_THRESHOLDS)[number];

/** Longest block reason (a short code like `failed-logins` or a sentence). */
export const BLOCK_REASON_MAX_LENGTH = 200;

/**
 * A fresh ActorRef holding only `kind` and `id` when `value` is a well-formed one (a published
 * kind, an id of 1-ACTOR_ID_MAX_LENGTH characters), else undefined. Extra properties are dropped,
 * so what a decider stores always matches the published schema.
 */
export function parseActorRef(value: unknown): ActorRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, id } = value as Record<string, unknown>;
  if (!(ACTOR_KINDS as readonly unknown[]).includes(kind)) return undefined;
  if (typeof id !== 'string' || id.length === 0 || [...id].length > ACTOR_ID_MAX_LENGTH) return undefined;
  return { kind: kind as ActorKind, id };
}
