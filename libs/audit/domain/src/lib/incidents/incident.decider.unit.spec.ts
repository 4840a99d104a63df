import { ConflictError, IllegalStateError, NotFoundError, ValidationError } from '@custodian/kernel';
import type {
  ActorRef,
  BreachDeadlineAlerted,
  IncidentEntryAdded,
  IncidentOpened,
  IncidentSeverityChanged,
  IncidentStatus,
  IncidentStatusChanged,
} from '@custodian/audit/contracts';
import { deciderSpec } from '@custodian/testing';
import type { AddIncidentEntry, AlertBreachDeadline, ChangeIncidentSeverity, ChangeIncidentStatus, OpenIncident } from './incident.commands';
import { dueBreachAlert, incidentDecider, type OpenedIncident } from './incident.decider';

const spec = deciderSpec(incidentDecider);
const tenantId = 'tenant-1';
const incidentId = 'incident-1';
const officer: ActorRef = { kind: 'user', id: 'user-security-officer' };
const rule: ActorRef = { kind: 'rule', id: 'bulk-export-burst' };
const cipher = 'v1.k-1.nonce.ciphertext.tag';

// ---- instants: a breach detected at 02:10, opened at 02:15; its notification deadline is 02:10 the next day ----
const detectedAt = '2027-03-22T02:10:00.000Z';
const at = '2027-03-22T02:15:00.000Z';
const deadline = '2027-03-23T02:10:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const later = plus(at, 30 * MINUTE);

// ---- commands ----
const openIncident = (over: Partial<OpenIncident['data']> = {}): OpenIncident => ({
  type: 'OpenIncident',
  data: { tenantId, incidentId, kind: 'breach', severity: 'high', titleEncrypted: cipher, descriptionEncrypted: cipher, detectedAt, by: rule, at, ...over },
});
const addEntry = (over: Partial<AddIncidentEntry['data']> = {}): AddIncidentEntry => ({
  type: 'AddIncidentEntry',
  data: { tenantId, incidentId, entryId: 'entry-1', kind: 'action', textEncrypted: cipher, by: officer, at: later, ...over },
});
const changeStatus = (to: IncidentStatus, over: Partial<ChangeIncidentStatus['data']> = {}): ChangeIncidentStatus => ({
  type: 'ChangeIncidentStatus',
  data: { tenantId, incidentId, to, by: officer, at: later, ...over },
});
const changeSeverity = (over: Partial<ChangeIncidentSeverity['data']> = {}): ChangeIncidentSeverity => ({
  type: 'ChangeIncidentSeverity',
  data: { tenantId, incidentId, to: 'critical', by: officer, at: later, ...over },
});
const alertDeadline = (now: string, over: Partial<AlertBreachDeadline['data']> = {}): AlertBreachDeadline => ({ type: 'AlertBreachDeadline', data: { tenantId, incidentId, at: now, ...over } });

// ---- events ----
const opened = (over: Partial<IncidentOpened['data']> = {}): IncidentOpened => ({
  type: 'audit.IncidentOpened',
  schemaVersion: 1,
  data: { tenantId, incidentId, kind: 'breach', severity: 'high', titleEncrypted: cipher, descriptionEncrypted: cipher, detectedAt, notificationDeadline: deadline, openedBy: rule, at, ...over },
});
const securityOpened = opened({ kind: 'security', notificationDeadline: null });
const entryAdded = (over: Partial<IncidentEntryAdded['data']> = {}): IncidentEntryAdded => ({
  type: 'audit.IncidentEntryAdded',
  schemaVersion: 1,
  data: { tenantId, incidentId, entryId: 'entry-1', kind: 'action', textEncrypted: cipher, by: officer, at: later, ...over },
});
const statusChanged = (from: IncidentStatus, to: IncidentStatus, over: Partial<IncidentStatusChanged['data']> = {}): IncidentStatusChanged => ({
  type: 'audit.IncidentStatusChanged',
  schemaVersion: 1,
  data: { tenantId, incidentId, from, to, by: officer, at: later, ...over },
});
const severityChanged = (over: Partial<IncidentSeverityChanged['data']> = {}): IncidentSeverityChanged => ({
  type: 'audit.IncidentSeverityChanged',
  schemaVersion: 1,
  data: { tenantId, incidentId, from: 'high', to: 'critical', by: officer, at: later, ...over },
});
const alerted = (threshold: BreachDeadlineAlerted['data']['threshold'], now: string): BreachDeadlineAlerted => ({
  type: 'audit.BreachDeadlineAlerted',
  schemaVersion: 1,
  data: { tenantId, incidentId, deadline, threshold, at: now },
});
const notified = entryAdded({ entryId: 'entry-notified', kind: 'notification_sent' });
const resolved = [opened(), statusChanged('open', 'resolved')];

/** The state of an opened breach, as evolve builds it. */
const state = (over: Partial<OpenedIncident> = {}): OpenedIncident => ({
  status: 'open',
  tenantId,
  incidentId,
  kind: 'breach',
  severity: 'high',
  detectedAt,
  openedAt: at,
  notificationDeadline: deadline,
  notified: false,
  notifiedAt: null,
  alertedThresholds: [],
  entryIds: [],
  entryCount: 0,
  ...over,
});

describe('incidentDecider', () => {
  describe('OpenIncident', () => {
    it('opens a breach with its notification deadline 24 hours after detection', () => {
      spec.given([]).when(openIncident()).then([opened()]);
      spec.given([]).when(openIncident()).thenState(state());
    });

    it('gives other kinds no deadline', () => {
      spec.given([]).when(openIncident({ kind: 'security' })).then([securityOpened]);
      spec
        .given([])
        .when(openIncident({ kind: 'operational', severity: 'low', descriptionEncrypted: null, by: officer }))
        .then([opened({ kind: 'operational', severity: 'low', descriptionEncrypted: null, notificationDeadline: null, openedBy: officer })]);
    });

    it('counts the deadline from detection, in UTC, whatever offset detection was given in', () => {
      spec
        .given([])
        .when(openIncident({ detectedAt: '2027-03-22T03:10:00+01:00' }))
        .then([opened({ detectedAt: '2027-03-22T03:10:00+01:00', notificationDeadline: deadline })]);
    });

    it('allows 5 minutes of clock skew in the detection time and refuses one further ahead', () => {
      const skewed = plus(at, 5 * MINUTE);
      spec.given([]).when(openIncident({ detectedAt: skewed })).then([opened({ detectedAt: skewed, notificationDeadline: plus(skewed, 24 * HOUR) })]);
      spec
        .given([])
        .when(openIncident({ detectedAt: plus(at, 5 * MINUTE + 1000) }))
        .thenThrows(ValidationError, 'time_in_future');
    });

    it('refuses to open the same incident twice', () => {
      spec.given([opened()]).when(openIncident()).thenThrows(ConflictError, 'incident_already_open');
      spec.given(resolved).when(openIncident({ kind: 'security' })).thenThrows(ConflictError, 'incident_already_open');
    });

    it('refuses an unknown kind or severity, a missing title, a blank description, bad times or actor', () => {
      spec.given([]).when(openIncident({ kind: 'outage' as never })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ severity: 'severe' as never })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ titleEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ descriptionEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ detectedAt: 'last night' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ at: '2027-03-22' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ by: { kind: 'platform', id: 'x' } as unknown as ActorRef })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ incidentId: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(openIncident({ tenantId: '' })).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('AddIncidentEntry', () => {
    it('adds what was detected, done or noted, by a user or a rule', () => {
      spec.given([opened()]).when(addEntry()).then([entryAdded()]);
      spec.given([opened()]).when(addEntry({ kind: 'detected', by: rule })).then([entryAdded({ kind: 'detected', by: rule })]);
      spec.given([opened()]).when(addEntry({ kind: 'note' })).then([entryAdded({ kind: 'note' })]);
      spec
        .given([opened()])
        .when(addEntry())
        .thenState(state({ entryIds: ['entry-1'], entryCount: 1 }));
    });

    it('records a notification, which stops the deadline clock', () => {
      spec.given([opened()]).when(addEntry({ entryId: 'entry-notified', kind: 'notification_sent' })).then([notified]);
      spec
        .given([opened(), entryAdded()])
        .when(addEntry({ entryId: 'entry-notified', kind: 'notification_sent', at: plus(later, HOUR) }))
        .thenState(state({ notified: true, notifiedAt: plus(later, HOUR), entryIds: ['entry-1', 'entry-notified'], entryCount: 2 }));
    });

    it('keeps the first notification time when more notifications follow', () => {
      spec
        .given([opened(), notified])
        .when(addEntry({ entryId: 'entry-2', kind: 'notification_sent', at: plus(later, HOUR) }))
        .thenState(state({ notified: true, notifiedAt: later, entryIds: ['entry-notified', 'entry-2'], entryCount: 2 }));
    });

    it('refuses kinds that have their own events or are the platform’s', () => {
      for (const kind of ['status', 'severity', 'deadline_alert', 'comment']) {
        spec
          .given([opened()])
          .when(addEntry({ kind: kind as never }))
          .thenThrows(ValidationError, 'validation_failed');
      }
    });

    it('takes notes only on a resolved incident', () => {
      spec.given(resolved).when(addEntry({ kind: 'note' })).then([entryAdded({ kind: 'note' })]);
      for (const kind of ['detected', 'action', 'notification_sent'] as const) {
        spec.given(resolved).when(addEntry({ kind })).thenThrows(IllegalStateError, 'incident_resolved');
      }
    });

    it('refuses an entry id used before', () => {
      spec.given([opened(), entryAdded()]).when(addEntry({ kind: 'note' })).thenThrows(ConflictError, 'entry_already_added');
    });

    it('refuses a blank text or entry id', () => {
      spec.given([opened()]).when(addEntry({ textEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([opened()]).when(addEntry({ entryId: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('finds no incident that was never opened, or that is another tenant’s', () => {
      spec.given([]).when(addEntry()).thenThrows(NotFoundError, 'incident_not_found');
      spec.given([opened()]).when(addEntry({ tenantId: 'tenant-2' })).thenThrows(NotFoundError, 'incident_not_found');
      spec.given([opened()]).when(addEntry({ incidentId: 'incident-2' })).thenThrows(NotFoundError, 'incident_not_found');
    });
  });

  describe('ChangeIncidentStatus', () => {
    it('walks open → investigating → contained → resolved', () => {
      spec.given([opened()]).when(changeStatus('investigating')).then([statusChanged('open', 'investigating')]);
      spec.given([opened(), statusChanged('open', 'investigating')]).when(changeStatus('contained')).then([statusChanged('investigating', 'contained')]);
      spec
        .given([opened(), statusChanged('open', 'investigating'), statusChanged('investigating', 'contained')])
        .when(changeStatus('resolved'))
        .then([statusChanged('contained', 'resolved')]);
      spec
        .given([opened(), statusChanged('open', 'investigating')])
        .when(changeStatus('contained'))
        .thenState(state({ status: 'contained' }));
    });

    it('resolves straight from any earlier status', () => {
      spec.given([opened()]).when(changeStatus('resolved')).then([statusChanged('open', 'resolved')]);
      spec.given([opened(), statusChanged('open', 'investigating')]).when(changeStatus('resolved')).then([statusChanged('investigating', 'resolved')]);
    });

    it('reopens a resolved incident to investigating', () => {
      spec.given(resolved).when(changeStatus('investigating')).then([statusChanged('resolved', 'investigating')]);
      spec
        .given([...resolved, statusChanged('resolved', 'investigating')])
        .when(addEntry())
        .then([entryAdded()]);
    });

    it('emits nothing for the current status', () => {
      spec.given([opened()]).when(changeStatus('open')).thenNothing();
      spec.given(resolved).when(changeStatus('resolved')).thenNothing();
    });

    it('refuses to skip a step, go back, or reopen to anything but investigating', () => {
      const refused: Array<[IncidentStatus[], IncidentStatus]> = [
        [['investigating', 'contained'], 'open'],
        [[], 'contained'],
        [['investigating'], 'open'],
        [['investigating', 'contained'], 'investigating'],
        [['resolved'], 'open'],
        [['resolved'], 'contained'],
      ];
      for (const [path, to] of refused) {
        const history = [opened(), ...path.map((s, i) => statusChanged(i === 0 ? 'open' : path[i - 1], s))];
        spec.given(history).when(changeStatus(to)).thenThrows(IllegalStateError, 'invalid_transition');
      }
    });

    it('refuses an unknown status', () => {
      spec.given([opened()]).when(changeStatus('closed' as never)).thenThrows(ValidationError, 'validation_failed');
    });

    it('finds no incident that was never opened', () => {
      spec.given([]).when(changeStatus('resolved')).thenThrows(NotFoundError, 'incident_not_found');
    });
  });

  describe('ChangeIncidentSeverity', () => {
    it('changes the severity, saying from what', () => {
      spec.given([opened()]).when(changeSeverity()).then([severityChanged()]);
      spec.given([opened(), severityChanged()]).when(changeSeverity({ to: 'medium' })).then([severityChanged({ from: 'critical', to: 'medium' })]);
      spec.given([opened()]).when(changeSeverity()).thenState(state({ severity: 'critical' }));
    });

    it('emits nothing for the current severity', () => {
      spec.given([opened()]).when(changeSeverity({ to: 'high' })).thenNothing();
    });

    it('refuses a change on a resolved incident, and an unknown severity', () => {
      spec.given(resolved).when(changeSeverity()).thenThrows(IllegalStateError, 'incident_resolved');
      spec.given([opened()]).when(changeSeverity({ to: 'severe' as never })).thenThrows(ValidationError, 'validation_failed');
    });

    it('finds no incident that was never opened', () => {
      spec.given([]).when(changeSeverity()).thenThrows(NotFoundError, 'incident_not_found');
    });
  });

  describe('AlertBreachDeadline', () => {
    const sixHoursLeft = plus(deadline, -6 * HOUR);
    const oneHourLeft = plus(deadline, -HOUR);

    it('says nothing while more than 6 hours are left', () => {
      spec.given([opened()]).when(alertDeadline(later)).thenNothing();
      spec.given([opened()]).when(alertDeadline(plus(sixHoursLeft, -1000))).thenNothing();
    });

    it('alerts once 6 hours or less are left, then once 1 hour or less, then once overdue', () => {
      spec.given([opened()]).when(alertDeadline(sixHoursLeft)).then([alerted('6h', sixHoursLeft)]);
      spec.given([opened(), alerted('6h', sixHoursLeft)]).when(alertDeadline(oneHourLeft)).then([alerted('1h', oneHourLeft)]);
      spec.given([opened(), alerted('6h', sixHoursLeft), alerted('1h', oneHourLeft)]).when(alertDeadline(deadline)).then([alerted('overdue', deadline)]);
      spec
        .given([opened(), alerted('6h', sixHoursLeft)])
        .when(alertDeadline(oneHourLeft))
        .thenState(state({ alertedThresholds: ['6h', '1h'] }));
    });

    it('raises each threshold at most once, however often the sweep asks', () => {
      spec.given([opened(), alerted('6h', sixHoursLeft)]).when(alertDeadline(plus(sixHoursLeft, 10 * MINUTE))).thenNothing();
      spec.given([opened(), alerted('6h', sixHoursLeft), alerted('1h', oneHourLeft)]).when(alertDeadline(plus(oneHourLeft, 30 * MINUTE))).thenNothing();
      spec.given([opened(), alerted('overdue', deadline)]).when(alertDeadline(plus(deadline, 2 * HOUR))).thenNothing();
    });

    it('raises only the latest threshold reached when the sweep was late, never an earlier one after it', () => {
      spec.given([opened()]).when(alertDeadline(plus(oneHourLeft, 10 * MINUTE))).then([alerted('1h', plus(oneHourLeft, 10 * MINUTE))]);
      spec.given([opened()]).when(alertDeadline(plus(deadline, HOUR))).then([alerted('overdue', plus(deadline, HOUR))]);
      spec.given([opened(), alerted('1h', oneHourLeft)]).when(alertDeadline(sixHoursLeft)).thenNothing();
      spec.given([opened(), alerted('overdue', deadline)]).when(alertDeadline(oneHourLeft)).thenNothing();
    });

    it('keeps alerting while the breach is contained', () => {
      const contained = [opened(), statusChanged('open', 'investigating'), statusChanged('investigating', 'contained')];
      spec.given(contained).when(alertDeadline(oneHourLeft)).then([alerted('1h', oneHourLeft)]);
    });

    it('says nothing once a notification was recorded, or the breach resolved', () => {
      spec.given([opened(), notified]).when(alertDeadline(deadline)).thenNothing();
      spec.given(resolved).when(alertDeadline(deadline)).thenNothing();
    });

    it('resumes with the thresholds not yet raised after a reopening', () => {
      spec
        .given([opened(), alerted('6h', sixHoursLeft), statusChanged('open', 'resolved'), statusChanged('resolved', 'investigating')])
        .when(alertDeadline(oneHourLeft))
        .then([alerted('1h', oneHourLeft)]);
    });

    it('says nothing for incidents other than breaches', () => {
      spec.given([securityOpened]).when(alertDeadline(plus(at, 48 * HOUR))).thenNothing();
      spec.given([opened({ kind: 'operational', notificationDeadline: null })]).when(alertDeadline(plus(at, 48 * HOUR))).thenNothing();
    });

    it('refuses a bad time, and finds no incident that was never opened', () => {
      spec.given([opened()]).when(alertDeadline('tomorrow')).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(alertDeadline(deadline)).thenThrows(NotFoundError, 'incident_not_found');
    });
  });
});

describe('dueBreachAlert', () => {
  it('tells the sweep which alert is due, without deciding', () => {
    expect(dueBreachAlert({ status: 'none' }, deadline)).toBeUndefined();
    expect(dueBreachAlert(state(), at)).toBeUndefined();
    expect(dueBreachAlert(state(), plus(deadline, -6 * HOUR))).toBe('6h');
    expect(dueBreachAlert(state(), plus(deadline, -HOUR))).toBe('1h');
    expect(dueBreachAlert(state(), plus(deadline, -1))).toBe('1h');
    expect(dueBreachAlert(state(), deadline)).toBe('overdue');
    expect(dueBreachAlert(state({ alertedThresholds: ['6h', '1h'] }), deadline)).toBe('overdue');
    expect(dueBreachAlert(state({ alertedThresholds: ['overdue'] }), deadline)).toBeUndefined();
    expect(dueBreachAlert(state({ notified: true, notifiedAt: later }), deadline)).toBeUndefined();
    expect(dueBreachAlert(state({ status: 'resolved' }), deadline)).toBeUndefined();
    expect(dueBreachAlert(state({ kind: 'security', notificationDeadline: null }), deadline)).toBeUndefined();
  });
});
