import type { PersonalDataCipher } from '@custodian/crypto';
import type { ShiftView } from '@custodian/scheduling/contracts';
import type { ScheduledShift } from '@custodian/scheduling/domain';

/** A shift's cancellation reason is encrypted under the shift as subject (it may name people). */
export const reasonSubject = (shiftId: string) => `shift-${shiftId}`;

/** The client's view of a shift from its stream state; the cancellation reason decrypted. */
export async function shiftViewOf(shift: ScheduledShift, cipher: PersonalDataCipher): Promise<ShiftView> {
  const view: ShiftView = {
    shiftId: shift.shiftId,
    locationId: shift.locationId,
    ...shift.time,
    checklist: shift.checklist,
    seriesId: shift.seriesId,
    cleanerIds: [...shift.cleanerIds].sort(),
    status: shift.status,
  };
  if (shift.cancellation) {
    const reason = await cipher.decrypt(shift.tenantId, reasonSubject(shift.shiftId), shift.cancellation.reasonEncrypted);
    view.cancellation = { reason: reason ?? '[erased]', cancelledAt: shift.cancellation.cancelledAt };
  }
  return view;
}
