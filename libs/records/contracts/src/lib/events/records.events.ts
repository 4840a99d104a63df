import type { ClockMethod, CorrectionTarget, Flag, GeoReading, InspectionItem, ScoringMethod } from '../vocabulary';

/*
 * Published events of the records context, schema version 1, all on stream
 * `records-record-<recordId>`. Nothing is ever edited: a correction is an event naming the
 * event (version) and field it corrects, who made it and why; the original stays.
 * Evidence is checked at capture and every doubt is a Flag on the event that carries it.
 * Free text (notes, issue descriptions, correction reasons) may name people: it travels only
 * encrypted per subject (the record), fields ending in `Encrypted`.
 */

export type RecordsEventOf<TType extends string, TVersion extends number, TData> = { type: TType; schemaVersion: TVersion; data: TData };

export type ClockEvidence = { at: string; method: ClockMethod; scanCode: string | null; areaId: string | null; geo: GeoReading | null };

export type CleaningStarted = RecordsEventOf<
  'records.CleaningStarted',
  1,
  {
    tenantId: string;
    recordId: string;
    shiftId: string;
    locationId: string;
    cleanerId: string;
    checklist: { checklistId: string; version: number };
    clockIn: ClockEvidence;
    flags: Flag[];
  }
>;

export type TaskCompleted = RecordsEventOf<
  'records.TaskCompleted',
  1,
  { tenantId: string; recordId: string; taskId: string; areaId: string; completedAt: string; notesEncrypted: string | null; photoSha256: string | null; flags: Flag[] }
>;

export type IssueReported = RecordsEventOf<
  'records.IssueReported',
  1,
  { tenantId: string; recordId: string; issueId: string; areaId: string | null; category: string; descriptionEncrypted: string; reportedAt: string }
>;

export type ClockedOut = RecordsEventOf<'records.ClockedOut', 1, { tenantId: string; recordId: string; clockOut: ClockEvidence; flags: Flag[] }>;

export type InspectionRecorded = RecordsEventOf<
  'records.InspectionRecorded',
  1,
  { tenantId: string; recordId: string; inspectorId: string; score: number; method: ScoringMethod; items: InspectionItem[]; inspectedAt: string }
>;

/** Supervisor sign-off: from now on only corrections by records:manage are accepted. */
export type RecordSealed = RecordsEventOf<'records.RecordSealed', 1, { tenantId: string; recordId: string; sealedBy: string; sealedAt: string }>;

export type RecordCorrected = RecordsEventOf<
  'records.RecordCorrected',
  1,
  { tenantId: string; recordId: string; correctionId: string; target: CorrectionTarget; value: string | number | boolean | null; reasonEncrypted: string; correctedBy: string; afterSeal: boolean; correctedAt: string }
>;

export type RecordEvent = CleaningStarted | TaskCompleted | IssueReported | ClockedOut | InspectionRecorded | RecordSealed | RecordCorrected;

export const RECORDS_EVENT_TYPES = [
  'records.CleaningStarted',
  'records.TaskCompleted',
  'records.IssueReported',
  'records.ClockedOut',
  'records.InspectionRecorded',
  'records.RecordSealed',
  'records.RecordCorrected',
] as const satisfies readonly RecordEvent['type'][];

export type RecordsEventType = (typeof RECORDS_EVENT_TYPES)[number];

type _EveryTypeListed = RecordEvent['type'] extends RecordsEventType ? true : never;
const _everyTypeListed: _EveryTypeListed = true;
void _everyTypeListed;

export function isRecordsEventType(type: string): type is RecordsEventType {
  return (RECORDS_EVENT_TYPES as readonly string[]).includes(type);
}
