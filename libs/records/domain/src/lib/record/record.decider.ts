import { assertNever, ConflictError, ForbiddenError, IllegalStateError, invalid, NotFoundError, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import { CLOCK_METHODS, type ClockEvidence, type Flag, type RecordEvent, type RecordStatus } from '@custodian/records/contracts';
import { geofenceFlag, inTheFuture, windowFlag } from '../evidence/evidence';
import type { ClockOut, ClockReport, CompleteTask, CorrectRecord, RecordInspection, ReportIssue, SignOff, StartCleaning } from './record.commands';
import type { LocationContext, RecordActor, ShiftContext } from './record.context';

export type RecordCommand = StartCleaning | CompleteTask | ReportIssue | ClockOut | RecordInspection | SignOff | CorrectRecord;

export type StartedRecord = {
  status: RecordStatus;
  tenantId: string;
  recordId: string;
  shiftId: string;
  locationId: string;
  cleanerId: string;
  clockInAt: string;
  /** Event type of each version (index = version − 1): what a correction may name. */
  types: RecordEvent['type'][];
  /** `taskId/areaId` of completed tasks. */
  done: string[];
};
export type RecordState = { status: 'none' } | StartedRecord;

const HEX64 = /^[0-9a-f]{64}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** What each kind of event lets a correction replace, and how a new value is checked. */
const CORRECTABLE: Partial<Record<RecordEvent['type'], Record<string, (v: unknown) => boolean>>> = {
  'records.CleaningStarted': { 'clockIn.at': isTimestamp },
  'records.TaskCompleted': { completedAt: isTimestamp, photoSha256: (v) => v === null || (typeof v === 'string' && HEX64.test(v)) },
  'records.ClockedOut': { 'clockOut.at': isTimestamp },
  'records.InspectionRecorded': { score: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100 },
  'records.IssueReported': { category: (v) => typeof v === 'string' && SLUG.test(v) },
};

/**
 * A cleaning record: one cleaner on one shift, from clock-in to supervisor sign-off.
 * - Only a cleaner assigned to the shift records on it (403 `not_assigned`), once (409
 *   `already_clocked_in`); tasks and clock-out are theirs alone (403 `not_record_cleaner`);
 *   anyone who may write records there (an inspector, a supervisor) may report an issue on it.
 * - Evidence is judged at capture: a scan code must belong to one of the location's areas (400
 *   `unknown_scan_code`); a GPS reading not clearly inside the geofence is flagged, and at a
 *   `refuse` location a clock-in with it is refused (422 `outside_geofence`); a manual clock-in
 *   without a reading is flagged, and refused at a `refuse` location (422 `no_location_evidence`); times outside the shift beyond the tolerance are flagged; times in the future
 *   beyond the clock-skew tolerance are refused (400 `time_in_future`).
 * - A task must be in the pinned checklist version and done in an area of its kind (400
 *   `task_not_in_checklist` / `area_not_in_checklist`), once per area (409).
 * - Nobody inspects or signs off their own record (403).
 * - Nothing is edited: a correction names the event version and field it replaces; once sealed
 *   only `records:manage` may correct (403 `sealed_record_needs_manage`).
 */
export const recordDecider: Decider<RecordState, RecordCommand, RecordEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'StartCleaning':
        return start(command, state);
      case 'CompleteTask':
        return completeTask(command, started(state, command.data.tenantId));
      case 'ReportIssue':
        return reportIssue(command, started(state, command.data.tenantId));
      case 'ClockOut':
        return clockOut(command, started(state, command.data.tenantId));
      case 'RecordInspection':
        return inspect(command, started(state, command.data.tenantId));
      case 'SignOff':
        return signOff(command, started(state, command.data.tenantId));
      case 'CorrectRecord':
        return correct(command, started(state, command.data.tenantId));
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    if (event.type === 'records.CleaningStarted') {
      const d = event.data;
      return { status: 'in_progress', tenantId: d.tenantId, recordId: d.recordId, shiftId: d.shiftId, locationId: d.locationId, cleanerId: d.cleanerId, clockInAt: d.clockIn.at, types: [event.type], done: [] };
    }
    if (state.status === 'none') return state;
    const next = { ...state, types: [...state.types, event.type] };
    switch (event.type) {
      case 'records.TaskCompleted':
        return { ...next, done: [...state.done, `${event.data.taskId}/${event.data.areaId}`] };
      case 'records.ClockedOut':
        return { ...next, status: 'clocked_out' };
      case 'records.RecordSealed':
        return { ...next, status: 'sealed' };
      case 'records.IssueReported':
      case 'records.InspectionRecorded':
      case 'records.RecordCorrected':
        return next;
      default:
        return assertNever(event, 'event');
    }
  },
};

function start({ data }: StartCleaning, state: RecordState): RecordEvent[] {
  const { shift, location, actor } = data;
  const now = requireTimestamp(data.now, 'now');
  if (shift.status === 'cancelled') throw new IllegalStateError('The shift is cancelled', 'shift_cancelled');
  if (!shift.cleanerIds.includes(actor.userId)) throw new ForbiddenError('Only a cleaner assigned to the shift can record on it', 'not_assigned');
  if (state.status !== 'none') throw new ConflictError('This cleaner has already clocked in on this shift', 'already_clocked_in');
  const { evidence, flags } = judgeClock(data.clockIn, 'clock-in', shift, location, now);
  if (location.clockInPolicy === 'refuse' && flags.some((f) => f.code === 'outside_geofence' || f.code === 'geofence_uncertain')) {
    throw new IllegalStateError('This location refuses clock-ins that are not clearly inside its geofence', 'outside_geofence', { flags });
  }
  // A refuse location wants proof of presence: a manual clock-in without a reading has none.
  if (location.clockInPolicy === 'refuse' && flags.some((f) => f.code === 'no_location_evidence')) {
    throw new IllegalStateError('This location refuses clock-ins without a scan or a reading', 'no_location_evidence', { flags });
  }
  return [
    {
      type: 'records.CleaningStarted',
      schemaVersion: 1,
      data: {
        tenantId: requireText(data.tenantId, 'tenantId'),
        recordId: requireText(data.recordId, 'recordId'),
        shiftId: shift.shiftId,
        locationId: shift.locationId,
        cleanerId: actor.userId,
        checklist: { checklistId: shift.checklist.checklistId, version: shift.checklist.version },
        clockIn: evidence,
        flags,
      },
    },
  ];
}

function completeTask({ data }: CompleteTask, record: StartedRecord): RecordEvent[] {
  const now = requireTimestamp(data.now, 'now');
  ownRecord(record, data.actor);
  inProgress(record);
  const completedAt = requireTimestamp(data.completedAt, 'completedAt');
  if (inTheFuture(completedAt, now)) throw invalid('completedAt', 'completedAt is in the future', 'time_in_future');
  const area = data.location.areas.find((a) => a.areaId === data.areaId);
  if (!area) throw invalid('areaId', 'The area is not part of this location', 'area_not_in_location');
  if (area.kind !== data.shift.checklist.areaKind) throw invalid('areaId', `The shift's checklist is for ${data.shift.checklist.areaKind} areas, not ${area.kind}`, 'area_not_in_checklist');
  if (!data.shift.checklist.taskIds.includes(data.taskId)) throw invalid('taskId', "The task is not in the shift's checklist version", 'task_not_in_checklist');
  if (data.photoSha256 !== null && !HEX64.test(data.photoSha256)) throw invalid('photoSha256', 'photoSha256 must be 64 lower-case hex digits');
  if (record.done.includes(`${data.taskId}/${data.areaId}`)) throw new ConflictError('The task is already completed in this area', 'task_already_completed');
  const flags = [windowFlag(completedAt, data.shift, 'task completed')].filter((f): f is Flag => f !== undefined);
  return [
    {
      type: 'records.TaskCompleted',
      schemaVersion: 1,
      data: { tenantId: record.tenantId, recordId: record.recordId, taskId: data.taskId, areaId: data.areaId, completedAt, notesEncrypted: data.notesEncrypted, photoSha256: data.photoSha256, flags },
    },
  ];
}

function reportIssue({ data }: ReportIssue, record: StartedRecord): RecordEvent[] {
  const now = requireTimestamp(data.now, 'now');
  if (record.status === 'sealed') throw new IllegalStateError('The record is sealed', 'record_sealed');
  const reportedAt = requireTimestamp(data.reportedAt, 'reportedAt');
  if (inTheFuture(reportedAt, now)) throw invalid('reportedAt', 'reportedAt is in the future', 'time_in_future');
  if (typeof data.category !== 'string' || !SLUG.test(data.category)) throw invalid('category', 'category must be a lower-case slug');
  if (data.areaId !== null && !data.location.areas.some((a) => a.areaId === data.areaId)) throw invalid('areaId', 'The area is not part of this location', 'area_not_in_location');
  return [
    {
      type: 'records.IssueReported',
      schemaVersion: 1,
      data: { tenantId: record.tenantId, recordId: record.recordId, issueId: requireText(data.issueId, 'issueId'), areaId: data.areaId, category: data.category, descriptionEncrypted: requireText(data.descriptionEncrypted, 'descriptionEncrypted'), reportedAt },
    },
  ];
}

function clockOut({ data }: ClockOut, record: StartedRecord): RecordEvent[] {
  const now = requireTimestamp(data.now, 'now');
  ownRecord(record, data.actor);
  inProgress(record);
  const { evidence, flags } = judgeClock(data.clockOut, 'clock-out', data.shift, data.location, now);
  if (Date.parse(evidence.at) < Date.parse(record.clockInAt)) throw invalid('clockOut.at', 'A clock-out cannot precede the clock-in', 'clock_out_before_clock_in');
  // A doubtful clock-out is flagged, never refused: refusing would keep the cleaner on the clock.
  return [{ type: 'records.ClockedOut', schemaVersion: 1, data: { tenantId: record.tenantId, recordId: record.recordId, clockOut: evidence, flags } }];
}

function inspect({ data }: RecordInspection, record: StartedRecord): RecordEvent[] {
  const now = requireTimestamp(data.now, 'now');
  if (record.status === 'sealed') throw new IllegalStateError('The record is sealed', 'record_sealed');
  if (data.actor.userId === record.cleanerId) throw new ForbiddenError('Nobody inspects their own work', 'cannot_inspect_own_record');
  const inspectedAt = requireTimestamp(data.inspectedAt, 'inspectedAt');
  if (inTheFuture(inspectedAt, now)) throw invalid('inspectedAt', 'inspectedAt is in the future', 'time_in_future');
  if (typeof data.score !== 'number' || !Number.isFinite(data.score) || data.score < 0 || data.score > 100) throw invalid('score', 'score must be 0-100');
  const m = data.method;
  if (!m || typeof m.name !== 'string' || !m.name || m.name.length > 100 || typeof m.version !== 'string' || !m.version || m.version.length > 50) throw invalid('method', 'method needs a name and a version');
  if (!Array.isArray(data.items) || data.items.length > 200 || !data.items.every((i) => i && typeof i.label === 'string' && i.label.length > 0 && i.label.length <= 300 && typeof i.score === 'number' && i.score >= 0 && i.score <= 100)) {
    throw invalid('items', 'items are up to 200 {label, score 0-100}');
  }
  return [
    {
      type: 'records.InspectionRecorded',
      schemaVersion: 1,
      data: { tenantId: record.tenantId, recordId: record.recordId, inspectorId: data.actor.userId, score: data.score, method: { name: m.name, version: m.version }, items: data.items.map((i) => ({ label: i.label, score: i.score })), inspectedAt },
    },
  ];
}

function signOff({ data }: SignOff, record: StartedRecord): RecordEvent[] {
  const now = requireTimestamp(data.now, 'now');
  if (!data.actor.canManage) throw new ForbiddenError('Sign-off needs records:manage', 'records_manage_required');
  if (data.actor.userId === record.cleanerId) throw new ForbiddenError('Nobody signs off their own work', 'cannot_sign_off_own_record');
  if (record.status === 'sealed') return [];
  if (record.status !== 'clocked_out') throw new IllegalStateError('The cleaner has not clocked out', 'not_clocked_out');
  return [{ type: 'records.RecordSealed', schemaVersion: 1, data: { tenantId: record.tenantId, recordId: record.recordId, sealedBy: data.actor.userId, sealedAt: now } }];
}

function correct({ data }: CorrectRecord, record: StartedRecord): RecordEvent[] {
  const now = requireTimestamp(data.now, 'now');
  const afterSeal = record.status === 'sealed';
  if (afterSeal && !data.actor.canManage) throw new ForbiddenError('A sealed record accepts corrections by records:manage only', 'sealed_record_needs_manage');
  const target = data.target;
  const version = target?.version;
  const type = Number.isInteger(version) && version >= 1 ? record.types[version - 1] : undefined;
  const fields = type ? CORRECTABLE[type] : undefined;
  const check = fields && Object.prototype.hasOwnProperty.call(fields, target.field) ? fields[target.field] : undefined;
  if (!type || !check) throw invalid('target', `Version ${String(version)} has no correctable field ${String(target?.field)}`, 'uncorrectable_target');
  if (!check(data.value)) throw invalid('value', `Not a valid value for ${target.field}`);
  if (typeof data.value === 'string' && check === isTimestamp && inTheFuture(data.value, now)) throw invalid('value', 'The corrected time is in the future', 'time_in_future');
  return [
    {
      type: 'records.RecordCorrected',
      schemaVersion: 1,
      data: {
        tenantId: record.tenantId,
        recordId: record.recordId,
        correctionId: requireText(data.correctionId, 'correctionId'),
        target: { version, field: target.field },
        value: data.value,
        reasonEncrypted: requireText(data.reasonEncrypted, 'reasonEncrypted'),
        correctedBy: data.actor.userId,
        afterSeal,
        correctedAt: now,
      },
    },
  ];
}

/** Judges one clock report: the evidence to store and its flags (refusal is the caller's decision). */
function judgeClock(report: ClockReport, what: string, shift: ShiftContext, location: LocationContext, now: string): { evidence: ClockEvidence; flags: Flag[] } {
  const at = requireTimestamp(report?.at, 'at');
  if (inTheFuture(at, now)) throw invalid('at', `The ${what} time is in the future`, 'time_in_future');
  if (!(CLOCK_METHODS as readonly string[]).includes(report.method)) throw invalid('method', `method must be one of ${CLOCK_METHODS.join(', ')}`);
  const flags: Flag[] = [];
  let areaId: string | null = null;
  const geo = report.geo ?? null;
  if (geo !== null) {
    const ok = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max;
    if (!ok(geo.lat, -90, 90) || !ok(geo.lon, -180, 180) || !ok(geo.accuracyMeters, 0, 100_000)) throw invalid('geo', 'geo needs lat, lon and accuracyMeters (0-100000)');
  }
  switch (report.method) {
    case 'qr':
    case 'nfc': {
      const code = report.scanCode;
      if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(location.scanCodes, code) || !location.scanCodes[code]) throw invalid('scanCode', "The scan code does not belong to any of this location's areas", 'unknown_scan_code');
      areaId = location.scanCodes[code];
      break;
    }
    case 'gps':
      if (geo === null) throw invalid('geo', 'A gps clock needs a reading', 'missing_geo');
      break;
    case 'manual':
      if (geo === null) flags.push({ code: 'no_location_evidence', detail: `manual ${what} without a scan or a reading` });
      break;
    default:
      return assertNever(report.method, 'method');
  }
  if (geo !== null) {
    const f = geofenceFlag(geo, location.geofence);
    if (f) flags.push(f);
  }
  const w = windowFlag(at, shift, what);
  if (w) flags.push(w);
  return { evidence: { at, method: report.method, scanCode: report.method === 'qr' || report.method === 'nfc' ? (report.scanCode as string) : null, areaId, geo }, flags };
}

function started(state: RecordState, tenantId: string): StartedRecord {
  if (state.status === 'none' || state.tenantId !== tenantId) throw new NotFoundError('Record not found', 'record_not_found');
  return state;
}

function ownRecord(record: StartedRecord, actor: RecordActor): void {
  if (actor.userId !== record.cleanerId) throw new ForbiddenError("Only the record's cleaner records tasks and clock-outs", 'not_record_cleaner');
}

function inProgress(record: StartedRecord): void {
  if (record.status === 'sealed') throw new IllegalStateError('The record is sealed', 'record_sealed');
  if (record.status !== 'in_progress') throw new IllegalStateError('The cleaner has clocked out', 'clocked_out');
}

function isTimestamp(v: unknown): boolean {
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
}
