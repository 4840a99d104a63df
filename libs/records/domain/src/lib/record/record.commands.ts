import type { Command } from '@custodian/kernel';
import type { ClockMethod, CorrectionTarget, GeoReading, InspectionItem, ScoringMethod } from '@custodian/records/contracts';
import type { LocationContext, RecordActor, ShiftContext } from './record.context';

/** What a device reported for a clock-in or clock-out. */
export type ClockReport = { at: string; method: ClockMethod; scanCode: string | null; geo: GeoReading | null };

type Base = { tenantId: string; recordId: string; actor: RecordActor; now: string };

export type StartCleaning = Command<'StartCleaning', Base & { shift: ShiftContext; location: LocationContext; clockIn: ClockReport }>;
export type CompleteTask = Command<
  'CompleteTask',
  Base & { shift: ShiftContext; location: LocationContext; taskId: string; areaId: string; completedAt: string; notesEncrypted: string | null; photoSha256: string | null }
>;
export type ReportIssue = Command<'ReportIssue', Base & { location: LocationContext; issueId: string; areaId: string | null; category: string; descriptionEncrypted: string; reportedAt: string }>;
export type ClockOut = Command<'ClockOut', Base & { shift: ShiftContext; location: LocationContext; clockOut: ClockReport }>;
export type RecordInspection = Command<'RecordInspection', Base & { score: number; method: ScoringMethod; items: InspectionItem[]; inspectedAt: string }>;
export type SignOff = Command<'SignOff', Base>;
export type CorrectRecord = Command<'CorrectRecord', Base & { correctionId: string; target: CorrectionTarget; value: string | number | null; reasonEncrypted: string }>;
