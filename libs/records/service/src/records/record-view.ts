import type { PersonalDataCipher } from '@custodian/crypto';
import type { RecordedEvent } from '@custodian/kernel';
import { upcastRecordsEvent, type CorrectionView, type Flag, type RecordView } from '@custodian/records/contracts';

/** Free text of a record is encrypted under the record as subject. */
export const recordSubject = (recordId: string) => `record-${recordId}`;

/**
 * Folds a record's events (all of them, or those up to an instant) into its view: corrected
 * values applied in place, every correction listed, every flag with the version carrying it.
 * Returns undefined for no events.
 */
export async function recordViewOf(events: readonly RecordedEvent[], cipher: PersonalDataCipher, asOf: string | null): Promise<RecordView | undefined> {
  const first = events[0];
  if (!first) return undefined;
  const decrypt = async (ciphertext: string | null) => (ciphertext === null ? null : ((await cipher.decrypt(first.tenantId, recordSubject(String(first.data['recordId'])), ciphertext)) ?? '[erased]'));
  let view: RecordView | undefined;
  for (const recorded of events) {
    const e = upcastRecordsEvent(recorded);
    const version = recorded.version;
    if (e.type === 'records.CleaningStarted') {
      const d = e.data;
      view = {
        recordId: d.recordId,
        shiftId: d.shiftId,
        locationId: d.locationId,
        cleanerId: d.cleanerId,
        checklist: d.checklist,
        status: 'in_progress',
        clockIn: { ...d.clockIn, flags: d.flags },
        clockOut: null,
        tasks: [],
        issues: [],
        inspections: [],
        sealed: null,
        corrections: [],
        flags: d.flags.map((f) => ({ ...f, version })),
        version,
        asOf,
      };
      continue;
    }
    if (!view) continue;
    view.version = version;
    switch (e.type) {
      case 'records.TaskCompleted': {
        const d = e.data;
        view.tasks.push({ version, taskId: d.taskId, areaId: d.areaId, completedAt: d.completedAt, notes: await decrypt(d.notesEncrypted), photoSha256: d.photoSha256, flags: d.flags });
        view.flags.push(...d.flags.map((f: Flag) => ({ ...f, version })));
        break;
      }
      case 'records.IssueReported': {
        const d = e.data;
        view.issues.push({ version, issueId: d.issueId, areaId: d.areaId, category: d.category, description: (await decrypt(d.descriptionEncrypted)) ?? '', reportedAt: d.reportedAt });
        break;
      }
      case 'records.ClockedOut':
        view.status = 'clocked_out';
        view.clockOut = { ...e.data.clockOut, flags: e.data.flags };
        view.flags.push(...e.data.flags.map((f: Flag) => ({ ...f, version })));
        break;
      case 'records.InspectionRecorded': {
        const d = e.data;
        view.inspections.push({ version, inspectorId: d.inspectorId, score: d.score, method: d.method, items: d.items, inspectedAt: d.inspectedAt });
        break;
      }
      case 'records.RecordSealed':
        view.status = 'sealed';
        view.sealed = { by: e.data.sealedBy, at: e.data.sealedAt };
        break;
      case 'records.RecordCorrected': {
        const d = e.data;
        const correction: CorrectionView = { correctionId: d.correctionId, target: d.target, value: d.value, reason: (await decrypt(d.reasonEncrypted)) ?? '', correctedBy: d.correctedBy, afterSeal: d.afterSeal, correctedAt: d.correctedAt };
        view.corrections.push(correction);
        apply(view, correction);
        break;
      }
      default:
        break;
    }
  }
  return view;
}

/** Puts a correction's value where the corrected event's field is shown. */
function apply(view: RecordView, c: CorrectionView): void {
  const { version, field } = c.target;
  if (field === 'clockIn.at' && typeof c.value === 'string') view.clockIn.at = c.value;
  else if (field === 'clockOut.at' && view.clockOut && typeof c.value === 'string') view.clockOut.at = c.value;
  else {
    const task = view.tasks.find((t) => t.version === version);
    if (task && field === 'completedAt' && typeof c.value === 'string') task.completedAt = c.value;
    if (task && field === 'photoSha256') task.photoSha256 = typeof c.value === 'string' ? c.value : null;
    const inspection = view.inspections.find((i) => i.version === version);
    if (inspection && field === 'score' && typeof c.value === 'number') inspection.score = c.value;
    const issue = view.issues.find((i) => i.version === version);
    if (issue && field === 'category' && typeof c.value === 'string') issue.category = c.value;
  }
}
