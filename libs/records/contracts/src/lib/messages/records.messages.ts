import type { ClockEvidence } from '../events/records.events';
import type { ClockMethod, CorrectionTarget, Flag, GeoReading, InspectionItem, RecordStatus, ScoringMethod } from '../vocabulary';

/*
 * The gateway ↔ records message contract (envelope: the kernel's ServiceRequest/Reply). Every
 * request is scoped by the caller's `records` grant in `meta.actor.grants`: a record at a
 * location outside it, or in another tenant, is NotFoundError.
 */
export const RECORDS_PATTERNS = {
  health: 'records.health',
  start: 'records.start',
  completeTask: 'records.tasks.complete',
  reportIssue: 'records.issues.report',
  clockOut: 'records.clock-out',
  inspect: 'records.inspect',
  signOff: 'records.sign-off',
  correct: 'records.correct',
  get: 'records.get',
  history: 'records.history',
  list: 'records.list',
  verify: 'records.verify',
  export: 'records.export',
  complianceReport: 'records.reports.compliance',
} as const;

export type ClockInput = { at: string; method: ClockMethod; scanCode?: string; geo?: GeoReading };
export type StartRecordRequest = { shiftId: string; clockIn: ClockInput };
export type CompleteTaskRequest = { recordId: string; taskId: string; areaId: string; completedAt: string; notes?: string; photoSha256?: string };
export type ReportIssueRequest = { recordId: string; category: string; description: string; areaId?: string; reportedAt: string };
export type ClockOutRequest = { recordId: string; clockOut: ClockInput };
export type InspectRequest = { recordId: string; score: number; method: ScoringMethod; items: InspectionItem[]; inspectedAt?: string };
export type RecordRef = { recordId: string };
export type GetRecordRequest = { recordId: string; asOf?: string };
export type CorrectRequest = { recordId: string; target: CorrectionTarget; value: string | number | null; reason: string };

export type CorrectionView = { correctionId: string; target: CorrectionTarget; value: string | number | boolean | null; reason: string; correctedBy: string; afterSeal: boolean; correctedAt: string };
export type TaskView = { version: number; taskId: string; areaId: string; completedAt: string; notes: string | null; photoSha256: string | null; flags: Flag[] };
export type IssueView = { version: number; issueId: string; areaId: string | null; category: string; description: string; reportedAt: string };
export type InspectionView = { version: number; inspectorId: string; score: number; method: ScoringMethod; items: InspectionItem[]; inspectedAt: string };

/**
 * A record as it stands (or stood, with `asOf`): corrected values applied, every correction
 * listed beside them (the originals stay in `history`), and every flag.
 */
export type RecordView = {
  recordId: string;
  shiftId: string;
  locationId: string;
  cleanerId: string;
  checklist: { checklistId: string; version: number };
  status: RecordStatus;
  clockIn: ClockEvidence & { flags: Flag[] };
  clockOut: (ClockEvidence & { flags: Flag[] }) | null;
  tasks: TaskView[];
  issues: IssueView[];
  inspections: InspectionView[];
  sealed: { by: string; at: string } | null;
  corrections: CorrectionView[];
  /** Every flag on the record, with the version of the event that carries it. */
  flags: Array<Flag & { version: number }>;
  /** Number of events the view folds (the stream version it reflects). */
  version: number;
  asOf: string | null;
};

/** One stored event, for auditors: who, when, from where, and its place in the hash chain. */
export type HistoryEntry = {
  version: number;
  type: string;
  recordedAt: string;
  actorId: string;
  actorIp: string | null;
  data: Record<string, unknown>;
  /** Encrypted fields of `data`, decrypted for the reader (null once erased). */
  decrypted: Record<string, string | null>;
  prevHash: string;
  hash: string;
};
export type HistoryResponse = { recordId: string; streamId: string; events: HistoryEntry[] };

export type ListRecordsRequest = { locationId?: string; from?: string; to?: string; status?: RecordStatus; flagged?: boolean; limit?: number; cursor?: string };
export type RecordSummary = { recordId: string; shiftId: string; locationId: string; cleanerId: string; status: RecordStatus; startedAt: string; clockedOutAt: string | null; sealedAt: string | null; flagCount: number; correctionCount: number };
export type ListRecordsResponse = { items: RecordSummary[]; nextCursor: string | null };

export type VerifyResponse = { ok: true; events: number; headHash: string } | { ok: false; events: number; brokenAtVersion: number; reason: string };

/** A self-contained export: verify it offline with `npx custodian verify record <file>` (docs/verification.md). */
export type RecordExport = {
  format: 'custodian.record-export.v1';
  recordId: string;
  streamId: string;
  exportedAt: string;
  headHash: string;
  events: Array<Record<string, unknown>>;
};

/** Shifts starting in [from, to) at one location (at most 62 days). */
export type ComplianceReportRequest = { locationId: string; from: string; to: string };
export type ComplianceShiftRow = {
  shiftId: string;
  start: string;
  end: string;
  status: 'scheduled' | 'cancelled';
  cleanerIds: string[];
  recordIds: string[];
  checklist: { checklistId: string; version: number };
  /** Every task of the pinned checklist version in every area of its kind at the location. */
  tasksExpected: number;
  tasksDone: number;
  tasksMissed: Array<{ taskId: string; areaId: string }>;
  flags: Array<{ recordId: string; code: string; detail: string }>;
  corrections: number;
  inspectionScores: Array<{ recordId: string; score: number; method: { name: string; version: string } }>;
};
export type ComplianceReport = { locationId: string; from: string; to: string; generatedAt: string; shifts: ComplianceShiftRow[] };

export type RecordsHealthResponse = { status: 'up' | 'down'; checks: Array<{ name: string; status: 'up' | 'down'; detail?: string }> };

export type RecordsMessages = {
  [RECORDS_PATTERNS.health]: { request: Record<string, never>; response: RecordsHealthResponse };
  [RECORDS_PATTERNS.start]: { request: StartRecordRequest; response: RecordView };
  [RECORDS_PATTERNS.completeTask]: { request: CompleteTaskRequest; response: RecordView };
  [RECORDS_PATTERNS.reportIssue]: { request: ReportIssueRequest; response: RecordView };
  [RECORDS_PATTERNS.clockOut]: { request: ClockOutRequest; response: RecordView };
  [RECORDS_PATTERNS.inspect]: { request: InspectRequest; response: RecordView };
  [RECORDS_PATTERNS.signOff]: { request: RecordRef; response: RecordView };
  [RECORDS_PATTERNS.correct]: { request: CorrectRequest; response: RecordView };
  [RECORDS_PATTERNS.get]: { request: GetRecordRequest; response: RecordView };
  [RECORDS_PATTERNS.history]: { request: RecordRef; response: HistoryResponse };
  [RECORDS_PATTERNS.list]: { request: ListRecordsRequest; response: ListRecordsResponse };
  [RECORDS_PATTERNS.verify]: { request: RecordRef; response: VerifyResponse };
  [RECORDS_PATTERNS.export]: { request: RecordRef; response: RecordExport };
  [RECORDS_PATTERNS.complianceReport]: { request: ComplianceReportRequest; response: ComplianceReport };
};
