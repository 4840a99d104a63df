import type { CleaningStarted, ClockedOut, RecordCorrected, RecordsEventType } from '@custodian/records/contracts';
import type { CloudEvent } from './cloud-event';

/*
 * A payroll view of the records context's events. One cleaning record (stream
 * `records-record-<recordId>`) is one cleaner on one shift:
 *
 *   records.CleaningStarted  clock-in (cleanerId, clockIn.at)
 *   records.ClockedOut       clock-out (clockOut.at)
 *   records.RecordSealed     supervisor sign-off
 *   records.RecordCorrected  a correction; for payroll, of `clockIn.at` or `clockOut.at`
 *
 * A completed shift is a record with a clock-in and a clock-out, sealed or not (the summary
 * says how many are sealed: a payroll run that pays signed-off work only would count those).
 * Hours worked = clock-out − clock-in, after corrections: the latest correction of a clock time
 * (by `correctedAt`) replaces it. Corrections of other fields do not matter for payroll.
 */

/** The records event types the payroll needs; the context's other types are read and ignored. */
export const PAYROLL_EVENT_TYPES = ['records.CleaningStarted', 'records.ClockedOut', 'records.RecordSealed', 'records.RecordCorrected'] as const satisfies readonly RecordsEventType[];
export type PayrollEventType = (typeof PAYROLL_EVENT_TYPES)[number];

export function isPayrollEventType(type: string): type is PayrollEventType {
  return (PAYROLL_EVENT_TYPES as readonly string[]).includes(type);
}

export interface CleanerPayroll {
  cleanerId: string;
  /** Completed shifts (clock-in and clock-out). */
  shifts: number;
  /** Hours worked on them, rounded to 2 decimals. */
  hours: number;
  /** Of those shifts, how many a supervisor sealed. */
  sealedShifts: number;
  /** Of those shifts, how many had a clock time corrected. */
  correctedShifts: number;
}

export interface TenantPayroll {
  tenantId: string;
  /** By cleaner id. */
  cleaners: CleanerPayroll[];
  shifts: number;
  hours: number;
  /** Clocked in, not (yet) out. */
  openRecords: number;
  /** Records payroll cannot count as they are: a clock-out without a clock-in seen, or clock times out of order. */
  needsReview: Array<{ recordId: string; reason: string }>;
}

export interface PayrollSummary {
  /** By tenant id. */
  tenants: TenantPayroll[];
}

interface ClockCorrection {
  value: string;
  correctedAt: string;
}

interface RecordState {
  tenantId: string;
  recordId: string;
  cleanerId?: string;
  clockIn?: string;
  clockOut?: string;
  sealed: boolean;
  corrections: { 'clockIn.at'?: ClockCorrection; 'clockOut.at'?: ClockCorrection };
}

const HOUR_MS = 3_600_000;
const round2 = (n: number) => Math.round(n * 100) / 100;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const timestamp = (v: unknown): string | undefined => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : undefined);

/** Folds records events into per-record state; `summary()` computes the payroll from it. Order-insensitive. */
export class Payroll {
  private readonly records = new Map<string, RecordState>();

  /**
   * Applies one checked event of a payroll type. Returns why it could not (the data lacks a
   * field the payroll needs), or undefined.
   */
  apply(event: CloudEvent & { type: PayrollEventType }): string | undefined {
    const recordId = text(event.data['recordId']);
    if (!recordId) return `${event.type}: data.recordId missing`;
    const record = this.record(event.tenantId, recordId);
    switch (event.type) {
      case 'records.CleaningStarted': {
        const data = event.data as Partial<CleaningStarted['data']>;
        const cleanerId = text(data.cleanerId);
        const at = timestamp(data.clockIn?.at);
        if (!cleanerId || !at) return `${event.type}: data.cleanerId or data.clockIn.at missing`;
        record.cleanerId = cleanerId;
        record.clockIn = at;
        return undefined;
      }
      case 'records.ClockedOut': {
        const at = timestamp((event.data as Partial<ClockedOut['data']>).clockOut?.at);
        if (!at) return `${event.type}: data.clockOut.at missing`;
        record.clockOut = at;
        return undefined;
      }
      case 'records.RecordSealed':
        record.sealed = true;
        return undefined;
      case 'records.RecordCorrected': {
        const data = event.data as Partial<RecordCorrected['data']>;
        const field = data.target?.field;
        if (field !== 'clockIn.at' && field !== 'clockOut.at') return undefined; // not a clock time: no payroll effect
        const value = timestamp(data.value);
        const correctedAt = timestamp(data.correctedAt);
        if (!value || !correctedAt) return `${event.type}: data.value or data.correctedAt is not a timestamp`;
        const previous = record.corrections[field];
        if (!previous || Date.parse(correctedAt) >= Date.parse(previous.correctedAt)) record.corrections[field] = { value, correctedAt };
        return undefined;
      }
    }
  }

  summary(): PayrollSummary {
    const tenants = new Map<string, TenantPayroll>();
    const cleanerMs = new Map<string, number>();
    for (const r of this.records.values()) {
      let tenant = tenants.get(r.tenantId);
      if (!tenant) tenants.set(r.tenantId, (tenant = { tenantId: r.tenantId, cleaners: [], shifts: 0, hours: 0, openRecords: 0, needsReview: [] }));
      const clockIn = r.corrections['clockIn.at']?.value ?? r.clockIn;
      const clockOut = r.corrections['clockOut.at']?.value ?? r.clockOut;
      if (!clockOut) {
        if (clockIn) tenant.openRecords++;
        continue; // nothing to pay yet (or only a seal/correction seen)
      }
      if (!clockIn || !r.cleanerId) {
        tenant.needsReview.push({ recordId: r.recordId, reason: 'clock-out without a clock-in seen' });
        continue;
      }
      const ms = Date.parse(clockOut) - Date.parse(clockIn);
      if (ms <= 0) {
        tenant.needsReview.push({ recordId: r.recordId, reason: `clock-out ${clockOut} is not after clock-in ${clockIn}` });
        continue;
      }
      let cleaner = tenant.cleaners.find((c) => c.cleanerId === r.cleanerId);
      if (!cleaner) tenant.cleaners.push((cleaner = { cleanerId: r.cleanerId, shifts: 0, hours: 0, sealedShifts: 0, correctedShifts: 0 }));
      cleaner.shifts++;
      if (r.sealed) cleaner.sealedShifts++;
      if (r.corrections['clockIn.at'] || r.corrections['clockOut.at']) cleaner.correctedShifts++;
      const key = `${r.tenantId}/${r.cleanerId}`;
      cleanerMs.set(key, (cleanerMs.get(key) ?? 0) + ms);
    }
    const byId = <T>(id: (x: T) => string) => (a: T, b: T) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);
    const result = [...tenants.values()].sort(byId((t) => t.tenantId));
    for (const tenant of result) {
      tenant.cleaners.sort(byId((c) => c.cleanerId));
      let tenantMs = 0;
      for (const cleaner of tenant.cleaners) {
        const ms = cleanerMs.get(`${tenant.tenantId}/${cleaner.cleanerId}`) ?? 0;
        cleaner.hours = round2(ms / HOUR_MS);
        tenantMs += ms;
        tenant.shifts += cleaner.shifts;
      }
      tenant.hours = round2(tenantMs / HOUR_MS);
      tenant.needsReview.sort(byId((n) => n.recordId));
    }
    return { tenants: result };
  }

  private record(tenantId: string, recordId: string): RecordState {
    const key = `${tenantId}/${recordId}`;
    let record = this.records.get(key);
    if (!record) this.records.set(key, (record = { tenantId, recordId, sealed: false, corrections: {} }));
    return record;
  }
}
