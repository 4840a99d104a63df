import { assertNever, ConflictError, IllegalStateError, invalid, NotFoundError, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import {
  ADDABLE_INCIDENT_ENTRY_KINDS,
  BREACH_ALERT_THRESHOLDS,
  BREACH_NOTIFICATION_HOURS,
  INCIDENT_KINDS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  parseActorRef,
  type ActorRef,
  type BreachAlertThreshold,
  type IncidentEvent,
  type IncidentKind,
  type IncidentSeverity,
  type IncidentStatus,
} from '@custodian/audit/contracts';
import type { AddIncidentEntry, AlertBreachDeadline, ChangeIncidentSeverity, ChangeIncidentStatus, OpenIncident } from './incident.commands';

export type IncidentCommand = OpenIncident | AddIncidentEntry | ChangeIncidentStatus | ChangeIncidentSeverity | AlertBreachDeadline;

/** State of stream `audit-incident-<incidentId>` once opened: what an incident view shows. */
export type OpenedIncident = {
  status: IncidentStatus;
  tenantId: string;
  incidentId: string;
  kind: IncidentKind;
  severity: IncidentSeverity;
  detectedAt: string;
  openedAt: string;
  /** Breach only: detectedAt + BREACH_NOTIFICATION_HOURS. */
  notificationDeadline: string | null;
  /** A `notification_sent` entry was added; `notifiedAt` is the first one's time. */
  notified: boolean;
  notifiedAt: string | null;
  /** Deadline alerts raised so far, in the order raised. */
  alertedThresholds: BreachAlertThreshold[];
  /** Ids of the IncidentEntryAdded entries, in order; `entryCount` is their number. */
  entryIds: string[];
  entryCount: number;
};
export type IncidentState = { status: 'none' } | OpenedIncident;

/** How far ahead of `at` a detection time may be before it is refused (clock skew). */
export const DETECTION_FUTURE_TOLERANCE_MINUTES = 5;

const HOUR = 3_600_000;
/** Time left before the deadline at which each alert is due; `overdue` once it has passed. */
const ALERT_DUE_WITHIN: Record<BreachAlertThreshold, number> = { '6h': 6 * HOUR, '1h': HOUR, overdue: 0 };

/** Status moves allowed (besides staying put, which is a no-op). */
const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['investigating', 'resolved'],
  investigating: ['contained', 'resolved'],
  contained: ['resolved'],
  resolved: ['investigating'],
};

/**
 * One security, breach or operational incident, from detection to resolution.
 * - Opened once per id (409 `incident_already_open`); detection may not be more than
 *   DETECTION_FUTURE_TOLERANCE_MINUTES after `at` (400 `time_in_future`). A breach gets its
 *   notification deadline: detectedAt + BREACH_NOTIFICATION_HOURS.
 * - Status goes open → investigating → contained → resolved; any unresolved status may go
 *   straight to resolved, and resolved may be reopened to investigating. Anything else is 422
 *   `invalid_transition`; asking for the current status emits nothing.
 * - A resolved incident takes notes only (422 `incident_resolved`), and no severity change.
 *   Asking for the current severity emits nothing. An entry id is used once (409 `entry_already_added`).
 * - AlertBreachDeadline, for an unresolved breach with no `notification_sent` entry, raises the
 *   latest threshold reached (6 h left, 1 h left, deadline passed; each reached when the time
 *   left is at most its amount), once per threshold and never one earlier than an alert
 *   already raised; otherwise it emits nothing. The sweep may therefore call it as often as it likes.
 * - Commands other than OpenIncident on an incident that does not exist, or belongs to another
 *   tenant, are 404 `incident_not_found`.
 */
export const incidentDecider: Decider<IncidentState, IncidentCommand, IncidentEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'OpenIncident':
        return open(command, state);
      case 'AddIncidentEntry':
        return addEntry(command, opened(state, command.data));
      case 'ChangeIncidentStatus':
        return changeStatus(command, opened(state, command.data));
      case 'ChangeIncidentSeverity':
        return changeSeverity(command, opened(state, command.data));
      case 'AlertBreachDeadline':
        return alertDeadline(command, opened(state, command.data));
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    if (event.type === 'audit.IncidentOpened') {
      const d = event.data;
      return {
        status: 'open',
        tenantId: d.tenantId,
        incidentId: d.incidentId,
        kind: d.kind,
        severity: d.severity,
        detectedAt: d.detectedAt,
        openedAt: d.at,
        notificationDeadline: d.notificationDeadline,
        notified: false,
        notifiedAt: null,
        alertedThresholds: [],
        entryIds: [],
        entryCount: 0,
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'audit.IncidentEntryAdded': {
        const first = event.data.kind === 'notification_sent' && !state.notified;
        return {
          ...state,
          entryIds: [...state.entryIds, event.data.entryId],
          entryCount: state.entryCount + 1,
          ...(first ? { notified: true, notifiedAt: event.data.at } : {}),
        };
      }
      case 'audit.IncidentStatusChanged':
        return { ...state, status: event.data.to };
      case 'audit.IncidentSeverityChanged':
        return { ...state, severity: event.data.to };
      case 'audit.BreachDeadlineAlerted':
        return { ...state, alertedThresholds: [...state.alertedThresholds, event.data.threshold] };
      default:
        return assertNever(event, 'event');
    }
  },
};

function open({ data }: OpenIncident, state: IncidentState): IncidentEvent[] {
  const tenantId = requireText(data.tenantId, 'tenantId');
  const incidentId = requireText(data.incidentId, 'incidentId');
  const at = requireTimestamp(data.at, 'at');
  const openedBy = actor(data.by);
  if (state.status !== 'none') throw new ConflictError('The incident is already open', 'incident_already_open');
  const kind = oneOf(INCIDENT_KINDS, data.kind, 'kind');
  const severity = oneOf(INCIDENT_SEVERITIES, data.severity, 'severity');
  const titleEncrypted = requireText(data.titleEncrypted, 'titleEncrypted');
  const descriptionEncrypted = data.descriptionEncrypted === null ? null : requireText(data.descriptionEncrypted, 'descriptionEncrypted');
  const detectedAt = requireTimestamp(data.detectedAt, 'detectedAt');
  if (Date.parse(detectedAt) > Date.parse(at) + DETECTION_FUTURE_TOLERANCE_MINUTES * 60_000) throw invalid('detectedAt', 'detectedAt is in the future', 'time_in_future');
  const notificationDeadline = kind === 'breach' ? new Date(Date.parse(detectedAt) + BREACH_NOTIFICATION_HOURS * HOUR).toISOString() : null;
  return [
    {
      type: 'audit.IncidentOpened',
      schemaVersion: 1,
      data: { tenantId, incidentId, kind, severity, titleEncrypted, descriptionEncrypted, detectedAt, notificationDeadline, openedBy, at },
    },
  ];
}

function addEntry({ data }: AddIncidentEntry, incident: OpenedIncident): IncidentEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const by = actor(data.by);
  const kind = oneOf(ADDABLE_INCIDENT_ENTRY_KINDS, data.kind, 'kind');
  const entryId = requireText(data.entryId, 'entryId');
  const textEncrypted = requireText(data.textEncrypted, 'textEncrypted');
  if (incident.status === 'resolved' && kind !== 'note') throw new IllegalStateError('A resolved incident takes notes only; reopen it first', 'incident_resolved');
  if (incident.entryIds.includes(entryId)) throw new ConflictError('The entry id is already used in this incident', 'entry_already_added');
  return [{ type: 'audit.IncidentEntryAdded', schemaVersion: 1, data: { tenantId: incident.tenantId, incidentId: incident.incidentId, entryId, kind, textEncrypted, by, at } }];
}

function changeStatus({ data }: ChangeIncidentStatus, incident: OpenedIncident): IncidentEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const by = actor(data.by);
  const to = oneOf(INCIDENT_STATUSES, data.to, 'to');
  const from = incident.status;
  if (to === from) return [];
  if (!TRANSITIONS[from].includes(to)) throw new IllegalStateError(`An incident cannot go from ${from} to ${to}`, 'invalid_transition', { from, to });
  return [{ type: 'audit.IncidentStatusChanged', schemaVersion: 1, data: { tenantId: incident.tenantId, incidentId: incident.incidentId, from, to, by, at } }];
}

function changeSeverity({ data }: ChangeIncidentSeverity, incident: OpenedIncident): IncidentEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const by = actor(data.by);
  const to = oneOf(INCIDENT_SEVERITIES, data.to, 'to');
  if (incident.status === 'resolved') throw new IllegalStateError('A resolved incident keeps its severity; reopen it first', 'incident_resolved');
  const from = incident.severity;
  if (to === from) return [];
  return [{ type: 'audit.IncidentSeverityChanged', schemaVersion: 1, data: { tenantId: incident.tenantId, incidentId: incident.incidentId, from, to, by, at } }];
}

function alertDeadline({ data }: AlertBreachDeadline, incident: OpenedIncident): IncidentEvent[] {
  const at = requireTimestamp(data.at, 'at');
  const threshold = dueBreachAlert(incident, at);
  if (threshold === undefined || incident.notificationDeadline === null) return [];
  return [{ type: 'audit.BreachDeadlineAlerted', schemaVersion: 1, data: { tenantId: incident.tenantId, incidentId: incident.incidentId, deadline: incident.notificationDeadline, threshold, at } }];
}

/**
 * The breach deadline alert due at `now`, if any: for an unresolved breach not yet notified,
 * the latest threshold reached, unless it or a later one was already raised.
 */
export function dueBreachAlert(state: IncidentState, now: string): BreachAlertThreshold | undefined {
  if (state.status === 'none' || state.status === 'resolved' || state.kind !== 'breach' || state.notified || state.notificationDeadline === null) return undefined;
  const left = Date.parse(state.notificationDeadline) - Date.parse(now);
  const reached = [...BREACH_ALERT_THRESHOLDS].reverse().find((t) => left <= ALERT_DUE_WITHIN[t]);
  if (reached === undefined) return undefined;
  const latestRaised = Math.max(-1, ...state.alertedThresholds.map((t) => BREACH_ALERT_THRESHOLDS.indexOf(t)));
  return BREACH_ALERT_THRESHOLDS.indexOf(reached) > latestRaised ? reached : undefined;
}

function opened(state: IncidentState, command: { tenantId: string; incidentId: string }): OpenedIncident {
  if (state.status === 'none' || state.tenantId !== command.tenantId || state.incidentId !== command.incidentId) {
    throw new NotFoundError('Incident not found', 'incident_not_found');
  }
  return state;
}

function actor(value: unknown): ActorRef {
  const by = parseActorRef(value);
  if (!by) throw invalid('by', 'by must name a user or a rule');
  return by;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, field: string): T {
  if (!(allowed as readonly unknown[]).includes(value)) throw invalid(field, `${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}
