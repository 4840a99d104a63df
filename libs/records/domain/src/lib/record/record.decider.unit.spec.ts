import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@custodian/kernel';
import type {
  ClockedOut,
  ClockEvidence,
  CleaningStarted,
  GeoReading,
  InspectionRecorded,
  IssueReported,
  RecordCorrected,
  RecordSealed,
  TaskCompleted,
} from '@custodian/records/contracts';
import { deciderSpec } from '@custodian/testing';
import type { ClockOut, ClockReport, CompleteTask, CorrectRecord, RecordInspection, ReportIssue, SignOff, StartCleaning } from './record.commands';
import type { LocationContext, RecordActor, ShiftContext } from './record.context';
import { recordDecider, type StartedRecord } from './record.decider';

const spec = deciderSpec(recordDecider);
const tenantId = 'tenant-1';
const otherTenant = 'tenant-2';
const recordId = 'record-1';
const shiftId = 'shift-1';
const locationId = 'location-1';
const cipher = 'v1.k-1.nonce.ciphertext.tag';
const photo = '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

// ---- who acts ----
const actor = (userId: string, canManage = false): RecordActor => ({ id: `actor-${userId}`, userId, canManage });
const cleaner = actor('cleaner-a');
const colleague = actor('cleaner-b');
const supervisor = actor('supervisor-1', true);
const inspector = actor('inspector-1');
const stranger = actor('cleaner-z');

// ---- what the app layer read from scheduling: a 22:00–06:00 shift at a restroom-cleaning site ----
const shift: ShiftContext = {
  shiftId,
  tenantId,
  locationId,
  start: '2027-03-21T22:00:00.000Z',
  end: '2027-03-22T06:00:00.000Z',
  status: 'scheduled',
  cleanerIds: ['cleaner-a', 'cleaner-b'],
  checklist: { checklistId: 'checklist-1', version: 2, areaKind: 'restroom', taskIds: ['task-mop', 'task-bins'] },
};
const QR_WC1 = '9F86D081884C7D659A2FEAA0C55AD015';
const NFC_KITCHEN = 'A665A45920422F9D417E4867EFDC4F00';
const location: LocationContext = {
  geofence: { lat: 51.5, lon: -0.1, radiusMeters: 150 },
  clockInPolicy: 'flag',
  areas: [
    { areaId: 'area-wc1', kind: 'restroom' },
    { areaId: 'area-wc2', kind: 'restroom' },
    { areaId: 'area-kitchen', kind: 'kitchen' },
  ],
  scanCodes: { [QR_WC1]: 'area-wc1', [NFC_KITCHEN]: 'area-kitchen' },
};
const refusing: LocationContext = { ...location, clockInPolicy: 'refuse' };

/** One degree of latitude in metres: readings are placed due north of the site centre. */
const DEGREE = (2 * Math.PI * 6_371_008.8) / 360;
const reading = (metresNorth: number, accuracyMeters: number): GeoReading => ({ lat: 51.5 + metresNorth / DEGREE, lon: -0.1, accuracyMeters });
const inside = reading(20, 10);
const straddling = reading(140, 30);
const outside = reading(400, 20);

// ---- instants ----
const clockInAt = '2027-03-21T21:52:00.000Z';
const startNow = '2027-03-21T21:55:00.000Z';
const completedAt = '2027-03-21T22:40:00.000Z';
const reportedAt = '2027-03-21T23:05:00.000Z';
const clockOutAt = '2027-03-22T06:02:00.000Z';
const inspectedAt = '2027-03-22T07:15:00.000Z';
const sealedAt = '2027-03-22T08:00:00.000Z';
const correctedAt = '2027-03-22T09:30:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const FIVE_MINUTES = 5 * 60_000;

// ---- commands ----
const qrScan = (over: Partial<ClockReport> = {}): ClockReport => ({ at: clockInAt, method: 'qr', scanCode: QR_WC1, geo: inside, ...over });
const start = (over: Partial<StartCleaning['data']> = {}): StartCleaning => ({
  type: 'StartCleaning',
  data: { tenantId, recordId, actor: cleaner, now: startNow, shift, location, clockIn: qrScan(), ...over },
});
const complete = (over: Partial<CompleteTask['data']> = {}): CompleteTask => ({
  type: 'CompleteTask',
  data: { tenantId, recordId, actor: cleaner, now: plus(completedAt, 60_000), shift, location, taskId: 'task-mop', areaId: 'area-wc1', completedAt, notesEncrypted: cipher, photoSha256: photo, ...over },
});
const report = (over: Partial<ReportIssue['data']> = {}): ReportIssue => ({
  type: 'ReportIssue',
  data: { tenantId, recordId, actor: cleaner, now: plus(reportedAt, 60_000), location, issueId: 'issue-1', areaId: 'area-wc2', category: 'leak', descriptionEncrypted: cipher, reportedAt, ...over },
});
const gpsOut = (over: Partial<ClockReport> = {}): ClockReport => ({ at: clockOutAt, method: 'gps', scanCode: null, geo: inside, ...over });
const clockOut = (over: Partial<ClockOut['data']> = {}): ClockOut => ({
  type: 'ClockOut',
  data: { tenantId, recordId, actor: cleaner, now: plus(clockOutAt, 60_000), shift, location, clockOut: gpsOut(), ...over },
});
const method = { name: 'custodian-area-audit', version: '2' };
const items = [
  { label: 'Floors', score: 90 },
  { label: 'Washbasins', score: 85 },
];
const inspect = (over: Partial<RecordInspection['data']> = {}): RecordInspection => ({
  type: 'RecordInspection',
  data: { tenantId, recordId, actor: inspector, now: plus(inspectedAt, 60_000), score: 87.5, method, items, inspectedAt, ...over },
});
const signOff = (over: Partial<SignOff['data']> = {}): SignOff => ({ type: 'SignOff', data: { tenantId, recordId, actor: supervisor, now: sealedAt, ...over } });
const correct = (over: Partial<CorrectRecord['data']> = {}): CorrectRecord => ({
  type: 'CorrectRecord',
  data: { tenantId, recordId, actor: supervisor, now: correctedAt, correctionId: 'correction-1', target: { version: 1, field: 'clockIn.at' }, value: '2027-03-21T21:58:00.000Z', reasonEncrypted: cipher, ...over },
});

// ---- events ----
const qrEvidence: ClockEvidence = { at: clockInAt, method: 'qr', scanCode: QR_WC1, areaId: 'area-wc1', geo: inside };
const started = (over: Partial<CleaningStarted['data']> = {}): CleaningStarted => ({
  type: 'records.CleaningStarted',
  schemaVersion: 1,
  data: { tenantId, recordId, shiftId, locationId, cleanerId: 'cleaner-a', checklist: { checklistId: 'checklist-1', version: 2 }, clockIn: qrEvidence, flags: [], ...over },
});
const taskDone = (over: Partial<TaskCompleted['data']> = {}): TaskCompleted => ({
  type: 'records.TaskCompleted',
  schemaVersion: 1,
  data: { tenantId, recordId, taskId: 'task-mop', areaId: 'area-wc1', completedAt, notesEncrypted: cipher, photoSha256: photo, flags: [], ...over },
});
const issue = (over: Partial<IssueReported['data']> = {}): IssueReported => ({
  type: 'records.IssueReported',
  schemaVersion: 1,
  data: { tenantId, recordId, issueId: 'issue-1', areaId: 'area-wc2', category: 'leak', descriptionEncrypted: cipher, reportedAt, ...over },
});
const gpsEvidence: ClockEvidence = { at: clockOutAt, method: 'gps', scanCode: null, areaId: null, geo: inside };
const clockedOut = (over: Partial<ClockedOut['data']> = {}): ClockedOut => ({
  type: 'records.ClockedOut',
  schemaVersion: 1,
  data: { tenantId, recordId, clockOut: gpsEvidence, flags: [], ...over },
});
const inspected = (over: Partial<InspectionRecorded['data']> = {}): InspectionRecorded => ({
  type: 'records.InspectionRecorded',
  schemaVersion: 1,
  data: { tenantId, recordId, inspectorId: 'inspector-1', score: 87.5, method, items, inspectedAt, ...over },
});
const sealed = (over: Partial<RecordSealed['data']> = {}): RecordSealed => ({
  type: 'records.RecordSealed',
  schemaVersion: 1,
  data: { tenantId, recordId, sealedBy: 'supervisor-1', sealedAt, ...over },
});
const corrected = (over: Partial<RecordCorrected['data']> = {}): RecordCorrected => ({
  type: 'records.RecordCorrected',
  schemaVersion: 1,
  data: {
    tenantId,
    recordId,
    correctionId: 'correction-1',
    target: { version: 1, field: 'clockIn.at' },
    value: '2027-03-21T21:58:00.000Z',
    reasonEncrypted: cipher,
    correctedBy: 'supervisor-1',
    afterSeal: false,
    correctedAt,
    ...over,
  },
});

/** The state of a started record, as evolve builds it. */
const state = (over: Partial<StartedRecord> = {}): StartedRecord => ({
  status: 'in_progress',
  tenantId,
  recordId,
  shiftId,
  locationId,
  cleanerId: 'cleaner-a',
  clockInAt,
  types: ['records.CleaningStarted'],
  done: [],
  ...over,
});

/** A record clocked out (versions 1-4: started, task, issue, clocked out). */
const finished = [started(), taskDone(), issue(), clockedOut()];

describe('recordDecider', () => {
  describe('StartCleaning', () => {
    it('starts a record from a QR scan inside the geofence, taking the area from the scan code', () => {
      spec.given([]).when(start()).then([started()]);
    });

    it('takes the area from an NFC tag too', () => {
      spec
        .given([])
        .when(start({ clockIn: qrScan({ method: 'nfc', scanCode: NFC_KITCHEN }) }))
        .then([started({ clockIn: { ...qrEvidence, method: 'nfc', scanCode: NFC_KITCHEN, areaId: 'area-kitchen' } })]);
    });

    it('holds the record in progress from its clock-in', () => {
      spec.given([]).when(start()).thenState(state());
    });

    it('records the acting cleaner and the shift, location and pinned checklist from the context', () => {
      spec
        .given([])
        .when(start({ actor: colleague }))
        .then([started({ cleanerId: 'cleaner-b' })]);
    });

    it('refuses a cleaner who is not assigned to the shift, even a manager', () => {
      spec.given([]).when(start({ actor: stranger })).thenThrows(ForbiddenError, 'not_assigned');
      spec.given([]).when(start({ actor: supervisor })).thenThrows(ForbiddenError, 'not_assigned');
    });

    it('refuses a second clock-in on the same record', () => {
      spec.given([started()]).when(start()).thenThrows(ConflictError, 'already_clocked_in');
      spec.given(finished).when(start({ clockIn: qrScan({ at: clockOutAt }), now: clockOutAt })).thenThrows(ConflictError, 'already_clocked_in');
    });

    it('refuses a clock-in on a cancelled shift', () => {
      spec.given([]).when(start({ shift: { ...shift, status: 'cancelled' } })).thenThrows(IllegalStateError, 'shift_cancelled');
    });

    describe('scans', () => {
      it('refuses a scan code that belongs to none of the location’s areas', () => {
        spec.given([]).when(start({ clockIn: qrScan({ scanCode: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' }) })).thenThrows(ValidationError, 'unknown_scan_code');
        spec.given([]).when(start({ clockIn: qrScan({ method: 'nfc', scanCode: null }) })).thenThrows(ValidationError, 'unknown_scan_code');
        spec.given([]).when(start({ clockIn: qrScan({ scanCode: '' }) })).thenThrows(ValidationError, 'unknown_scan_code');
      });

      it('does not take an inherited property for a scan code', () => {
        spec.given([]).when(start({ clockIn: qrScan({ scanCode: 'constructor' }) })).thenThrows(ValidationError, 'unknown_scan_code');
        spec.given([]).when(start({ clockIn: qrScan({ method: 'nfc', scanCode: 'toString' }) })).thenThrows(ValidationError, 'unknown_scan_code');
      });

      it('accepts a scan without a reading', () => {
        spec
          .given([])
          .when(start({ clockIn: qrScan({ geo: null }) }))
          .then([started({ clockIn: { ...qrEvidence, geo: null } })]);
      });
    });

    describe('GPS', () => {
      it('clocks in with a reading clearly inside, storing no scan code or area', () => {
        spec
          .given([])
          .when(start({ clockIn: qrScan({ method: 'gps', scanCode: QR_WC1 }) }))
          .then([started({ clockIn: { at: clockInAt, method: 'gps', scanCode: null, areaId: null, geo: inside } })]);
      });

      it('refuses a GPS clock-in without a reading', () => {
        spec.given([]).when(start({ clockIn: qrScan({ method: 'gps', scanCode: null, geo: null }) })).thenThrows(ValidationError, 'missing_geo');
      });

      it('refuses a reading off the globe or with an absurd accuracy', () => {
        for (const geo of [
          { ...inside, lat: 90.1 },
          { ...inside, lon: -180.1 },
          { ...inside, accuracyMeters: -1 },
          { ...inside, accuracyMeters: 100_001 },
          { ...inside, lat: Number.NaN },
          { lat: 51.5, lon: -0.1 } as GeoReading,
        ]) {
          spec.given([]).when(start({ clockIn: qrScan({ method: 'gps', scanCode: null, geo }) })).thenThrows(ValidationError, 'validation_failed');
        }
      });
    });

    describe('manual', () => {
      it('flags a manual clock-in without a reading as having no location evidence', () => {
        spec
          .given([])
          .when(start({ clockIn: { at: clockInAt, method: 'manual', scanCode: null, geo: null } }))
          .then([
            started({
              clockIn: { at: clockInAt, method: 'manual', scanCode: null, areaId: null, geo: null },
              flags: [{ code: 'no_location_evidence', detail: 'manual clock-in without a scan or a reading' }],
            }),
          ]);
      });

      it('does not flag a manual clock-in that carries a reading clearly inside', () => {
        spec
          .given([])
          .when(start({ clockIn: { at: clockInAt, method: 'manual', scanCode: null, geo: inside } }))
          .then([started({ clockIn: { at: clockInAt, method: 'manual', scanCode: null, areaId: null, geo: inside } })]);
      });

      it('refuses a manual clock-in without a reading at a refuse location (no proof of presence)', () => {
        spec
          .given([])
          .when(start({ location: refusing, clockIn: { at: clockInAt, method: 'manual', scanCode: null, geo: null } }))
          .thenThrows(IllegalStateError, 'no_location_evidence');
      });
    });

    describe('geofence', () => {
      it('flags a reading outside the geofence at a flag location', () => {
        spec
          .given([])
          .when(start({ clockIn: qrScan({ geo: outside }) }))
          .then([started({ clockIn: { ...qrEvidence, geo: outside }, flags: [{ code: 'outside_geofence', detail: '400 m from the site centre, accuracy 20 m, fence 150 m' }] })]);
      });

      it('flags a reading that straddles the edge as uncertain, never as inside', () => {
        spec
          .given([])
          .when(start({ clockIn: qrScan({ geo: straddling }) }))
          .then([
            started({ clockIn: { ...qrEvidence, geo: straddling }, flags: [{ code: 'geofence_uncertain', detail: '140 m from the site centre, accuracy 30 m straddles the 150 m fence' }] }),
          ]);
      });

      it('refuses a reading outside, or straddling the edge, at a refuse location', () => {
        spec.given([]).when(start({ location: refusing, clockIn: qrScan({ geo: outside }) })).thenThrows(IllegalStateError, 'outside_geofence');
        spec.given([]).when(start({ location: refusing, clockIn: qrScan({ geo: straddling }) })).thenThrows(IllegalStateError, 'outside_geofence');
        spec.given([]).when(start({ location: refusing, clockIn: qrScan({ method: 'gps', scanCode: null, geo: outside }) })).thenThrows(IllegalStateError, 'outside_geofence');
      });

      it('accepts a reading clearly inside at a refuse location', () => {
        spec.given([]).when(start({ location: refusing })).then([started()]);
      });

      it('still accepts, flagged, a time outside the shift at a refuse location', () => {
        const early = '2027-03-21T21:30:00.000Z';
        spec
          .given([])
          .when(start({ location: refusing, clockIn: qrScan({ at: early }) }))
          .then([started({ clockIn: { ...qrEvidence, at: early }, flags: [{ code: 'outside_shift_window', detail: 'clock-in 30 min before the shift starts' }] })]);
      });
    });

    describe('time', () => {
      it('flags a clock-in before the shift beyond the tolerance, and not within it', () => {
        const early = '2027-03-21T21:30:00.000Z';
        spec
          .given([])
          .when(start({ clockIn: qrScan({ at: early }) }))
          .then([started({ clockIn: { ...qrEvidence, at: early }, flags: [{ code: 'outside_shift_window', detail: 'clock-in 30 min before the shift starts' }] })]);
        const justInTime = '2027-03-21T21:45:00.000Z';
        spec
          .given([])
          .when(start({ clockIn: qrScan({ at: justInTime }) }))
          .then([started({ clockIn: { ...qrEvidence, at: justInTime } })]);
      });

      it('flags a clock-in after the shift has ended', () => {
        const late = '2027-03-22T06:30:00.000Z';
        spec
          .given([])
          .when(start({ now: late, clockIn: qrScan({ at: late }) }))
          .then([started({ clockIn: { ...qrEvidence, at: late }, flags: [{ code: 'outside_shift_window', detail: 'clock-in 30 min after the shift ends' }] })]);
      });

      it('keeps every flag, in order: location evidence, then geofence, then time', () => {
        const early = '2027-03-21T21:30:00.000Z';
        spec
          .given([])
          .when(start({ clockIn: { at: early, method: 'manual', scanCode: null, geo: null } }))
          .then([
            started({
              clockIn: { at: early, method: 'manual', scanCode: null, areaId: null, geo: null },
              flags: [
                { code: 'no_location_evidence', detail: 'manual clock-in without a scan or a reading' },
                { code: 'outside_shift_window', detail: 'clock-in 30 min before the shift starts' },
              ],
            }),
          ]);
        spec
          .given([])
          .when(start({ clockIn: qrScan({ at: early, geo: outside }) }))
          .then([
            started({
              clockIn: { ...qrEvidence, at: early, geo: outside },
              flags: [
                { code: 'outside_geofence', detail: '400 m from the site centre, accuracy 20 m, fence 150 m' },
                { code: 'outside_shift_window', detail: 'clock-in 30 min before the shift starts' },
              ],
            }),
          ]);
      });

      it(`allows 5 minutes of device clock skew and refuses a time further ahead`, () => {
        const skewed = plus(startNow, FIVE_MINUTES);
        spec
          .given([])
          .when(start({ clockIn: qrScan({ at: skewed }) }))
          .then([started({ clockIn: { ...qrEvidence, at: skewed } })]);
        spec
          .given([])
          .when(start({ clockIn: qrScan({ at: plus(startNow, FIVE_MINUTES + 1000) }) }))
          .thenThrows(ValidationError, 'time_in_future');
      });

      it('refuses a time or a clock that is not RFC 3339, and an unknown method', () => {
        spec.given([]).when(start({ clockIn: qrScan({ at: '21:52' }) })).thenThrows(ValidationError, 'validation_failed');
        spec.given([]).when(start({ now: 'now' })).thenThrows(ValidationError, 'validation_failed');
        spec.given([]).when(start({ clockIn: qrScan({ method: 'bluetooth' as never }) })).thenThrows(ValidationError, 'validation_failed');
        spec.given([]).when(start({ clockIn: undefined as unknown as ClockReport })).thenThrows(ValidationError, 'validation_failed');
      });

      it('refuses a blank tenant or record id', () => {
        spec.given([]).when(start({ recordId: '' })).thenThrows(ValidationError, 'validation_failed');
        spec.given([]).when(start({ tenantId: '' })).thenThrows(ValidationError, 'validation_failed');
      });
    });
  });

  describe('CompleteTask', () => {
    it('completes a checklist task in an area of the checklist’s kind', () => {
      spec.given([started()]).when(complete()).then([taskDone()]);
    });

    it('accepts a task without notes or photo', () => {
      spec
        .given([started()])
        .when(complete({ notesEncrypted: null, photoSha256: null }))
        .then([taskDone({ notesEncrypted: null, photoSha256: null })]);
    });

    it('remembers the task as done in that area', () => {
      spec
        .given([started()])
        .when(complete())
        .thenState(state({ types: ['records.CleaningStarted', 'records.TaskCompleted'], done: ['task-mop/area-wc1'] }));
    });

    it('refuses the same task twice in the same area, but not in another area or another task', () => {
      spec.given([started(), taskDone()]).when(complete()).thenThrows(ConflictError, 'task_already_completed');
      spec.given([started(), taskDone()]).when(complete({ areaId: 'area-wc2' })).then([taskDone({ areaId: 'area-wc2' })]);
      spec.given([started(), taskDone()]).when(complete({ taskId: 'task-bins' })).then([taskDone({ taskId: 'task-bins' })]);
    });

    it('is the record’s cleaner’s alone: not a colleague on the shift, not a manager', () => {
      spec.given([started()]).when(complete({ actor: colleague })).thenThrows(ForbiddenError, 'not_record_cleaner');
      spec.given([started()]).when(complete({ actor: supervisor })).thenThrows(ForbiddenError, 'not_record_cleaner');
    });

    it('refuses after clock-out and after the seal', () => {
      spec.given(finished).when(complete({ taskId: 'task-bins' })).thenThrows(IllegalStateError, 'clocked_out');
      spec.given([...finished, sealed()]).when(complete({ taskId: 'task-bins' })).thenThrows(IllegalStateError, 'record_sealed');
    });

    it('refuses an area that is not part of the location', () => {
      spec.given([started()]).when(complete({ areaId: 'area-elsewhere' })).thenThrows(ValidationError, 'area_not_in_location');
    });

    it('refuses an area of another kind than the checklist’s', () => {
      spec.given([started()]).when(complete({ areaId: 'area-kitchen' })).thenThrows(ValidationError, 'area_not_in_checklist');
    });

    it('refuses a task that is not in the pinned checklist version', () => {
      spec.given([started()]).when(complete({ taskId: 'task-windows' })).thenThrows(ValidationError, 'task_not_in_checklist');
    });

    it('refuses a photo hash that is not 64 lower-case hex digits', () => {
      spec.given([started()]).when(complete({ photoSha256: photo.toUpperCase() })).thenThrows(ValidationError, 'validation_failed');
      spec.given([started()]).when(complete({ photoSha256: photo.slice(1) })).thenThrows(ValidationError, 'validation_failed');
      spec.given([started()]).when(complete({ photoSha256: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('flags a task completed outside the shift beyond the tolerance', () => {
      const late = '2027-03-22T06:20:00.000Z';
      spec
        .given([started()])
        .when(complete({ completedAt: late, now: late }))
        .then([taskDone({ completedAt: late, flags: [{ code: 'outside_shift_window', detail: 'task completed 20 min after the shift ends' }] })]);
    });

    it('refuses a completion time beyond the clock skew, or not RFC 3339', () => {
      const now = plus(completedAt, 60_000);
      spec.given([started()]).when(complete({ now, completedAt: plus(now, FIVE_MINUTES) })).then([taskDone({ completedAt: plus(now, FIVE_MINUTES) })]);
      spec.given([started()]).when(complete({ now, completedAt: plus(now, FIVE_MINUTES + 1) })).thenThrows(ValidationError, 'time_in_future');
      spec.given([started()]).when(complete({ completedAt: 'just now' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before the clock-in, or in another tenant', () => {
      spec.given([]).when(complete()).thenThrows(NotFoundError, 'record_not_found');
      spec.given([started()]).when(complete({ tenantId: otherTenant })).thenThrows(NotFoundError, 'record_not_found');
    });
  });

  describe('ReportIssue', () => {
    it('reports an issue in an area of the location', () => {
      spec.given([started()]).when(report()).then([issue()]);
    });

    it('reports an issue without an area, and after clock-out', () => {
      spec.given([started()]).when(report({ areaId: null })).then([issue({ areaId: null })]);
      spec.given(finished).when(report({ issueId: 'issue-2' })).then([issue({ issueId: 'issue-2' })]);
    });

    it('adds a version to the record and nothing else', () => {
      spec
        .given([started()])
        .when(report())
        .thenState(state({ types: ['records.CleaningStarted', 'records.IssueReported'] }));
    });

    it('refuses once sealed', () => {
      spec.given([...finished, sealed()]).when(report({ issueId: 'issue-2' })).thenThrows(IllegalStateError, 'record_sealed');
    });

    it('holds the category to a lower-case slug', () => {
      for (const category of ['Leak', '', '-leak', 'water leak', 'a'.repeat(65), 7 as unknown as string]) {
        spec.given([started()]).when(report({ category })).thenThrows(ValidationError, 'validation_failed');
      }
      spec.given([started()]).when(report({ category: 'a'.repeat(64) })).then([issue({ category: 'a'.repeat(64) })]);
    });

    it('refuses an area that is not part of the location', () => {
      spec.given([started()]).when(report({ areaId: 'area-elsewhere' })).thenThrows(ValidationError, 'area_not_in_location');
    });

    it('refuses a report time in the future, or a report without a description or id', () => {
      spec
        .given([started()])
        .when(report({ reportedAt: plus(reportedAt, 60_000 + FIVE_MINUTES + 1) }))
        .thenThrows(ValidationError, 'time_in_future');
      spec.given([started()]).when(report({ descriptionEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([started()]).when(report({ issueId: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before the clock-in, or in another tenant', () => {
      spec.given([]).when(report()).thenThrows(NotFoundError, 'record_not_found');
      spec.given([started()]).when(report({ tenantId: otherTenant })).thenThrows(NotFoundError, 'record_not_found');
    });
  });

  describe('ClockOut', () => {
    it('clocks out with a reading inside', () => {
      spec.given([started(), taskDone()]).when(clockOut()).then([clockedOut()]);
    });

    it('moves the record to clocked out', () => {
      spec
        .given([started(), taskDone()])
        .when(clockOut())
        .thenState(state({ status: 'clocked_out', types: ['records.CleaningStarted', 'records.TaskCompleted', 'records.ClockedOut'], done: ['task-mop/area-wc1'] }));
    });

    it('refuses a clock-out before the clock-in, but not at the same instant', () => {
      const before = plus(clockInAt, -1000);
      spec.given([started()]).when(clockOut({ clockOut: gpsOut({ at: before }) })).thenThrows(ValidationError, 'clock_out_before_clock_in');
      spec
        .given([started()])
        .when(clockOut({ clockOut: gpsOut({ at: clockInAt }) }))
        .then([clockedOut({ clockOut: { ...gpsEvidence, at: clockInAt } })]);
    });

    it('flags, and never refuses, a doubtful reading — even at a refuse location', () => {
      spec
        .given([started()])
        .when(clockOut({ location: refusing, clockOut: gpsOut({ geo: outside }) }))
        .then([clockedOut({ clockOut: { ...gpsEvidence, geo: outside }, flags: [{ code: 'outside_geofence', detail: '400 m from the site centre, accuracy 20 m, fence 150 m' }] })]);
      spec
        .given([started()])
        .when(clockOut({ location: refusing, clockOut: gpsOut({ geo: straddling }) }))
        .then([
          clockedOut({
            clockOut: { ...gpsEvidence, geo: straddling },
            flags: [{ code: 'geofence_uncertain', detail: '140 m from the site centre, accuracy 30 m straddles the 150 m fence' }],
          }),
        ]);
    });

    it('flags a manual clock-out and a late one', () => {
      const late = '2027-03-22T07:00:00.000Z';
      spec
        .given([started()])
        .when(clockOut({ now: late, clockOut: { at: late, method: 'manual', scanCode: null, geo: null } }))
        .then([
          clockedOut({
            clockOut: { at: late, method: 'manual', scanCode: null, areaId: null, geo: null },
            flags: [
              { code: 'no_location_evidence', detail: 'manual clock-out without a scan or a reading' },
              { code: 'outside_shift_window', detail: 'clock-out 60 min after the shift ends' },
            ],
          }),
        ]);
    });

    it('judges scans and readings as at clock-in', () => {
      spec
        .given([started()])
        .when(clockOut({ clockOut: { at: clockOutAt, method: 'qr', scanCode: QR_WC1, geo: null } }))
        .then([clockedOut({ clockOut: { at: clockOutAt, method: 'qr', scanCode: QR_WC1, areaId: 'area-wc1', geo: null } })]);
      spec.given([started()]).when(clockOut({ clockOut: gpsOut({ method: 'qr', scanCode: 'nope' }) })).thenThrows(ValidationError, 'unknown_scan_code');
      spec.given([started()]).when(clockOut({ clockOut: gpsOut({ geo: null }) })).thenThrows(ValidationError, 'missing_geo');
      spec
        .given([started()])
        .when(clockOut({ clockOut: gpsOut({ at: plus(clockOutAt, 60_000 + FIVE_MINUTES + 1) }) }))
        .thenThrows(ValidationError, 'time_in_future');
    });

    it('is the record’s cleaner’s alone', () => {
      spec.given([started()]).when(clockOut({ actor: colleague })).thenThrows(ForbiddenError, 'not_record_cleaner');
      spec.given([started()]).when(clockOut({ actor: supervisor })).thenThrows(ForbiddenError, 'not_record_cleaner');
    });

    it('refuses a second clock-out, and one after the seal', () => {
      spec.given(finished).when(clockOut()).thenThrows(IllegalStateError, 'clocked_out');
      spec.given([...finished, sealed()]).when(clockOut()).thenThrows(IllegalStateError, 'record_sealed');
    });

    it('is not found before the clock-in, or in another tenant', () => {
      spec.given([]).when(clockOut()).thenThrows(NotFoundError, 'record_not_found');
      spec.given([started()]).when(clockOut({ tenantId: otherTenant })).thenThrows(NotFoundError, 'record_not_found');
    });
  });

  describe('RecordInspection', () => {
    it('records an inspection with its scoring method', () => {
      spec.given(finished).when(inspect()).then([inspected()]);
    });

    it('stores only the label and score of each item', () => {
      const noisy = [{ label: 'Floors', score: 90, note: 'shiny' }] as unknown as typeof items;
      spec
        .given(finished)
        .when(inspect({ items: noisy, method: { ...method, extra: true } as typeof method }))
        .then([inspected({ items: [{ label: 'Floors', score: 90 }] })]);
    });

    it('adds a version to the record and leaves its status', () => {
      spec
        .given(finished)
        .when(inspect())
        .thenState(
          state({
            status: 'clocked_out',
            types: ['records.CleaningStarted', 'records.TaskCompleted', 'records.IssueReported', 'records.ClockedOut', 'records.InspectionRecorded'],
            done: ['task-mop/area-wc1'],
          }),
        );
    });

    it('refuses the cleaner inspecting their own record, even with records:manage', () => {
      spec.given(finished).when(inspect({ actor: cleaner })).thenThrows(ForbiddenError, 'cannot_inspect_own_record');
      spec.given(finished).when(inspect({ actor: actor('cleaner-a', true) })).thenThrows(ForbiddenError, 'cannot_inspect_own_record');
    });

    it('holds the score to 0-100', () => {
      spec.given(finished).when(inspect({ score: 0 })).then([inspected({ score: 0 })]);
      spec.given(finished).when(inspect({ score: 100 })).then([inspected({ score: 100 })]);
      for (const score of [-0.1, 100.1, Number.NaN, Number.POSITIVE_INFINITY, '90' as unknown as number]) {
        spec.given(finished).when(inspect({ score })).thenThrows(ValidationError, 'validation_failed');
      }
    });

    it('requires a scoring method with a name and a version', () => {
      for (const m of [
        undefined,
        { name: '', version: '2' },
        { name: 'audit', version: '' },
        { name: 'audit' },
        { name: 'a'.repeat(101), version: '2' },
        { name: 'audit', version: 'v'.repeat(51) },
      ]) {
        spec.given(finished).when(inspect({ method: m as typeof method })).thenThrows(ValidationError, 'validation_failed');
      }
    });

    it('holds items to up to 200 labelled scores of 0-100', () => {
      const item = { label: 'Floors', score: 90 };
      spec.given(finished).when(inspect({ items: [] })).then([inspected({ items: [] })]);
      spec.given(finished).when(inspect({ items: Array.from({ length: 201 }, () => item) })).thenThrows(ValidationError, 'validation_failed');
      spec.given(finished).when(inspect({ items: [{ ...item, score: 101 }] })).thenThrows(ValidationError, 'validation_failed');
      spec.given(finished).when(inspect({ items: [{ ...item, label: '' }] })).thenThrows(ValidationError, 'validation_failed');
      spec.given(finished).when(inspect({ items: undefined as unknown as typeof items })).thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses once sealed, and an inspection time in the future', () => {
      spec.given([...finished, sealed()]).when(inspect()).thenThrows(IllegalStateError, 'record_sealed');
      spec
        .given(finished)
        .when(inspect({ inspectedAt: plus(inspectedAt, 60_000 + FIVE_MINUTES + 1) }))
        .thenThrows(ValidationError, 'time_in_future');
    });

    it('is not found before the clock-in, or in another tenant', () => {
      spec.given([]).when(inspect()).thenThrows(NotFoundError, 'record_not_found');
      spec.given(finished).when(inspect({ tenantId: otherTenant })).thenThrows(NotFoundError, 'record_not_found');
    });
  });

  describe('SignOff', () => {
    it('seals a clocked-out record', () => {
      spec.given(finished).when(signOff()).then([sealed()]);
    });

    it('moves the record to sealed', () => {
      spec
        .given([started(), clockedOut()])
        .when(signOff())
        .thenState(state({ status: 'sealed', types: ['records.CleaningStarted', 'records.ClockedOut', 'records.RecordSealed'] }));
    });

    it('needs records:manage', () => {
      spec.given(finished).when(signOff({ actor: inspector })).thenThrows(ForbiddenError, 'records_manage_required');
      spec.given(finished).when(signOff({ actor: actor('cleaner-a', true) })).thenThrows(ForbiddenError, 'cannot_sign_off_own_record');
    });

    it('refuses before the cleaner has clocked out', () => {
      spec.given([started(), taskDone()]).when(signOff()).thenThrows(IllegalStateError, 'not_clocked_out');
    });

    it('emits nothing when signed off twice', () => {
      spec.given([...finished, sealed()]).when(signOff()).thenNothing();
      spec.given([...finished, sealed()]).when(signOff({ actor: actor('supervisor-2', true) })).thenNothing();
    });

    it('is not found before the clock-in, or in another tenant', () => {
      spec.given([]).when(signOff()).thenThrows(NotFoundError, 'record_not_found');
      spec.given(finished).when(signOff({ tenantId: otherTenant })).thenThrows(NotFoundError, 'record_not_found');
    });
  });

  describe('CorrectRecord', () => {
    it('corrects the clock-in time, naming the version and field', () => {
      spec.given(finished).when(correct()).then([corrected()]);
    });

    it('adds a version to the record and leaves its status and clock-in', () => {
      spec
        .given(finished)
        .when(correct())
        .thenState(
          state({
            status: 'clocked_out',
            types: ['records.CleaningStarted', 'records.TaskCompleted', 'records.IssueReported', 'records.ClockedOut', 'records.RecordCorrected'],
            done: ['task-mop/area-wc1'],
          }),
        );
    });

    it('corrects every correctable field of every correctable event', () => {
      const cases: Array<[number, string, string | number | null]> = [
        [2, 'completedAt', '2027-03-21T22:35:00.000Z'],
        [2, 'photoSha256', null],
        [2, 'photoSha256', 'a'.repeat(64)],
        [3, 'category', 'blocked-drain'],
        [4, 'clockOut.at', '2027-03-22T05:58:00+00:00'],
        [5, 'score', 0],
        [5, 'score', 100],
      ];
      for (const [version, field, value] of cases) {
        spec
          .given([...finished, inspected()])
          .when(correct({ target: { version, field }, value }))
          .then([corrected({ target: { version, field }, value })]);
      }
    });

    it('lets anyone acting on the record correct it before the seal, and records who did', () => {
      spec
        .given(finished)
        .when(correct({ actor: cleaner }))
        .then([corrected({ correctedBy: 'cleaner-a' })]);
    });

    it('refuses a target that names no correctable field of an existing version', () => {
      const targets = [
        { version: 0, field: 'clockIn.at' },
        { version: -1, field: 'clockIn.at' },
        { version: 1.5, field: 'clockIn.at' },
        { version: 6, field: 'clockIn.at' },
        { version: 1, field: 'cleanerId' },
        { version: 1, field: 'completedAt' },
        { version: 2, field: 'clockIn.at' },
        { version: 2, field: 'taskId' },
        { version: 3, field: 'descriptionEncrypted' },
        { version: 4, field: 'flags' },
        { version: '1' as unknown as number, field: 'clockIn.at' },
      ];
      for (const target of targets) {
        spec.given([...finished, inspected()]).when(correct({ target })).thenThrows(ValidationError, 'uncorrectable_target');
      }
      spec.given(finished).when(correct({ target: undefined as never })).thenThrows(ValidationError, 'uncorrectable_target');
    });

    it('refuses a correction of a correction, or of the seal', () => {
      spec.given([...finished, corrected({ target: { version: 4, field: 'clockOut.at' } })]).when(correct({ target: { version: 5, field: 'value' } })).thenThrows(ValidationError, 'uncorrectable_target');
      spec.given([...finished, sealed()]).when(correct({ target: { version: 5, field: 'sealedAt' } })).thenThrows(ValidationError, 'uncorrectable_target');
    });

    it('does not take an inherited property for a field', () => {
      for (const field of ['constructor', 'toString', 'valueOf', '__proto__']) {
        spec.given(finished).when(correct({ target: { version: 1, field } })).thenThrows(ValidationError, 'uncorrectable_target');
      }
    });

    it('refuses a value the field cannot hold', () => {
      const cases: Array<[number, string, string | number | null]> = [
        [1, 'clockIn.at', 'yesterday'],
        [1, 'clockIn.at', '2027-03-21 21:58'],
        [1, 'clockIn.at', null],
        [2, 'completedAt', 1_774_130_000_000],
        [2, 'photoSha256', 'A'.repeat(64)],
        [2, 'photoSha256', ''],
        [3, 'category', 'Blocked drain'],
        [3, 'category', null],
        [4, 'clockOut.at', ''],
        [5, 'score', 100.5],
        [5, 'score', -1],
        [5, 'score', '90'],
        [5, 'score', Number.NaN],
      ];
      for (const [version, field, value] of cases) {
        spec
          .given([...finished, inspected()])
          .when(correct({ target: { version, field }, value }))
          .thenThrows(ValidationError, 'validation_failed');
      }
    });

    it('refuses a corrected time beyond the clock skew, whatever the field', () => {
      const ahead = plus(correctedAt, FIVE_MINUTES + 1000);
      spec.given(finished).when(correct({ value: ahead })).thenThrows(ValidationError, 'time_in_future');
      spec.given(finished).when(correct({ target: { version: 4, field: 'clockOut.at' }, value: ahead })).thenThrows(ValidationError, 'time_in_future');
      spec.given(finished).when(correct({ target: { version: 2, field: 'completedAt' }, value: ahead })).thenThrows(ValidationError, 'time_in_future');
      const skewed = plus(correctedAt, FIVE_MINUTES);
      spec.given(finished).when(correct({ value: skewed })).then([corrected({ value: skewed })]);
    });

    it('refuses a correction after the seal without records:manage', () => {
      spec.given([...finished, sealed()]).when(correct({ actor: inspector })).thenThrows(ForbiddenError, 'sealed_record_needs_manage');
      spec.given([...finished, sealed()]).when(correct({ actor: cleaner })).thenThrows(ForbiddenError, 'sealed_record_needs_manage');
    });

    it('accepts a correction after the seal by records:manage, marked as after the seal', () => {
      spec
        .given([...finished, sealed()])
        .when(correct())
        .then([corrected({ afterSeal: true })]);
      spec
        .given([...finished, sealed()])
        .when(correct())
        .thenState(
          state({
            status: 'sealed',
            types: ['records.CleaningStarted', 'records.TaskCompleted', 'records.IssueReported', 'records.ClockedOut', 'records.RecordSealed', 'records.RecordCorrected'],
            done: ['task-mop/area-wc1'],
          }),
        );
    });

    it('requires a correction id and an encrypted reason', () => {
      spec.given(finished).when(correct({ correctionId: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given(finished).when(correct({ reasonEncrypted: '' })).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before the clock-in, or in another tenant', () => {
      spec.given([]).when(correct()).thenThrows(NotFoundError, 'record_not_found');
      spec.given(finished).when(correct({ tenantId: otherTenant })).thenThrows(NotFoundError, 'record_not_found');
    });
  });

  describe('evolve', () => {
    it('folds a whole record: versions by type, tasks done and status', () => {
      spec
        .given([started(), taskDone(), taskDone({ taskId: 'task-bins' }), issue(), clockedOut(), inspected()])
        .when(signOff())
        .thenState(
          state({
            status: 'sealed',
            types: [
              'records.CleaningStarted',
              'records.TaskCompleted',
              'records.TaskCompleted',
              'records.IssueReported',
              'records.ClockedOut',
              'records.InspectionRecorded',
              'records.RecordSealed',
            ],
            done: ['task-mop/area-wc1', 'task-bins/area-wc1'],
          }),
        );
    });

    it('ignores events before the clock-in', () => {
      expect(recordDecider.evolve(recordDecider.initialState(), taskDone())).toEqual({ status: 'none' });
    });

    it('leaves the clock-in time as first recorded: a correction is an event beside it', () => {
      spec
        .given([started(), corrected({ value: '2027-03-21T21:40:00.000Z' })])
        .when(clockOut({ clockOut: gpsOut({ at: '2027-03-21T21:50:00.000Z' }), now: startNow }))
        .thenThrows(ValidationError, 'clock_out_before_clock_in');
    });
  });
});
