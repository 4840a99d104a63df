import type { PersonalDataCipher } from '@custodian/crypto';
import type { EventStore } from '@custodian/kernel';
import { NotFoundError, ValidationError, type ServiceRequest } from '@custodian/kernel';
import { ModuleCaller, uuidOrUndefined } from '@custodian/platform';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import { recordStreamId, type ComplianceReport, type ComplianceReportRequest, type ComplianceShiftRow } from '@custodian/records/contracts';
import type { DataSource } from 'typeorm';
import { recordViewOf } from '../records/record-view';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_DAYS = 62;
const MAX_SHIFTS = 2_000;

type ShiftRow = { shift_id: string; start_at: Date; end_at: Date; status: 'scheduled' | 'cancelled'; checklist_id: string; checklist_version: number; cleaner_ids: string[] };

/**
 * The compliance report of one location (`records:read`, location in scope): per shift that
 * starts in [from, to), the tasks the pinned checklist version expected in every area of its
 * kind, which were done (by any of the shift's records, corrections applied) and which were
 * missed, every flag, the number of corrections, and the inspection scores with their method.
 */
export class ComplianceReportHandler {
  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    /** Every read model the report reads, with the head of the log it follows. */
    private readonly readModels: Array<{ runner: ProjectionRunner; head: () => Promise<number> }>,
    private readonly cipher: PersonalDataCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle({ meta, body }: ServiceRequest<ComplianceReportRequest>): Promise<ComplianceReport> {
    const caller = ModuleCaller.of(meta, 'records');
    const locationId = uuidOrUndefined(body.locationId);
    if (!locationId) throw new NotFoundError('Location not found', 'location_not_found');
    caller.requireAt(locationId, 'read');
    const from = instant(body.from, 'from');
    const to = instant(body.to, 'to');
    if (Date.parse(to) <= Date.parse(from)) throw new ValidationError('to must be after from', { field: 'to' });
    if (Date.parse(to) - Date.parse(from) > MAX_DAYS * 86_400_000) throw new ValidationError(`A report covers at most ${MAX_DAYS} days`, { field: 'to' });
    for (const m of this.readModels) await readModelAt(m.runner, await m.head());
    const known = (await this.dataSource.query('SELECT 1 FROM records_rm.locations WHERE location_id = $1 AND tenant_id = $2', [locationId, caller.tenantId])) as unknown[];
    if (known.length === 0) throw new NotFoundError('Location not found', 'location_not_found');

    const shifts = (await this.dataSource.query(
      `SELECT shift_id, start_at, end_at, status, checklist_id, checklist_version, cleaner_ids FROM records_rm.shifts
        WHERE tenant_id = $1 AND location_id = $2 AND start_at >= $3 AND start_at < $4 ORDER BY start_at, shift_id LIMIT $5`,
      [caller.tenantId, locationId, from, to, MAX_SHIFTS + 1],
    )) as ShiftRow[];
    if (shifts.length > MAX_SHIFTS) throw new ValidationError(`More than ${MAX_SHIFTS} shifts: narrow the period`, { field: 'to' });
    const areas = (await this.dataSource.query('SELECT area_id, kind FROM records_rm.areas WHERE location_id = $1 ORDER BY area_id', [locationId])) as Array<{ area_id: string; kind: string }>;
    const versions = new Map<string, { areaKind: string; taskIds: string[] }>();
    const records = (await this.dataSource.query('SELECT record_id, shift_id FROM records_rm.records WHERE tenant_id = $1 AND shift_id = ANY($2::uuid[]) ORDER BY started_at', [
      caller.tenantId,
      shifts.map((s) => s.shift_id),
    ])) as Array<{ record_id: string; shift_id: string }>;

    const rows: ComplianceShiftRow[] = [];
    for (const s of shifts) {
      const key = `${s.checklist_id}/${s.checklist_version}`;
      if (!versions.has(key)) {
        const [v] = (await this.dataSource.query('SELECT area_kind, task_ids FROM records_rm.checklist_versions WHERE checklist_id = $1 AND version = $2', [s.checklist_id, s.checklist_version])) as Array<{
          area_kind: string;
          task_ids: string[];
        }>;
        versions.set(key, { areaKind: v?.area_kind ?? '', taskIds: v?.task_ids ?? [] });
      }
      const checklist = versions.get(key) as { areaKind: string; taskIds: string[] };
      const expected = areas.filter((a) => a.kind === checklist.areaKind).flatMap((a) => checklist.taskIds.map((taskId) => ({ taskId, areaId: a.area_id })));
      const row: ComplianceShiftRow = {
        shiftId: s.shift_id,
        start: s.start_at.toISOString(),
        end: s.end_at.toISOString(),
        status: s.status,
        cleanerIds: s.cleaner_ids,
        recordIds: [],
        checklist: { checklistId: s.checklist_id, version: s.checklist_version },
        tasksExpected: expected.length,
        tasksDone: 0,
        tasksMissed: [],
        flags: [],
        corrections: 0,
        inspectionScores: [],
      };
      const done = new Set<string>();
      for (const r of records.filter((x) => x.shift_id === s.shift_id)) {
        const view = await recordViewOf(await this.store.readStream(recordStreamId(r.record_id)), this.cipher, null);
        if (!view) continue;
        row.recordIds.push(view.recordId);
        for (const t of view.tasks) done.add(`${t.taskId}/${t.areaId}`);
        row.flags.push(...view.flags.map((f) => ({ recordId: view.recordId, code: f.code, detail: f.detail })));
        row.corrections += view.corrections.length;
        row.inspectionScores.push(...view.inspections.map((i) => ({ recordId: view.recordId, score: i.score, method: i.method })));
      }
      row.tasksMissed = expected.filter((e) => !done.has(`${e.taskId}/${e.areaId}`));
      row.tasksDone = expected.length - row.tasksMissed.length;
      rows.push(row);
    }
    return { locationId, from, to, generatedAt: this.clock().toISOString(), shifts: rows };
  }
}

function instant(value: unknown, field: string): string {
  if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value))) throw new ValidationError(`${field} must be an ISO-8601 instant with an offset or Z`, { field });
  return new Date(value).toISOString();
}
