import type { PersonalDataCipher } from '@custodian/crypto';
import { commandContextOf, NotFoundError, ValidationError, type CommandContext, type RequestMeta, type ServiceRequest } from '@custodian/kernel';
import {
  cleanerStreamId,
  shiftStreamId,
  type AssignmentRequest,
  type CancelShiftRequest,
  type RescheduleShiftRequest,
  type ScheduleShiftsRequest,
  type ScheduleShiftsResponse,
  type ShiftTime,
  type ShiftView,
} from '@custodian/scheduling/contracts';
import {
  checklistVersion,
  existing,
  existingShift,
  requireFree,
  shiftDecider,
  shiftTimeOf,
  weeklyOccurrences,
  type ScheduledShift,
  type ShiftCommand,
} from '@custodian/scheduling/domain';
import { Caller, uuidOrUndefined } from '../infra/caller';
import { newId } from '../infra/ids';
import type { SchedulingCommands } from '../infra/scheduling-store';
import type { CleanerEligibility } from './cleaner-eligibility';
import { reasonSubject, shiftViewOf } from './shift-views';

/**
 * Scheduling and changing shifts (scheduling:write at the shift's location; outside it, 404).
 *
 * Order of writes, and what a crash between them leaves:
 * 1. everything is validated first — location, checklist, cleaners, times, and each shift
 *    command dry-run against the decider — so bad input writes nothing;
 * 2. each cleaner is booked on their own stream (the double-booking rule; a conflict found
 *    there undoes this request's bookings and answers 409 `cleaner_double_booked`);
 * 3. the shift stream records the shift and its cleaners.
 * A crash between 2 and 3 leaves bookings without a shift: a retry with the same
 * Idempotency-Key derives the same ids and completes. Unassign and cancel write the shift
 * first and then release bookings, and always release, so a retry repairs a crash there.
 */
export class ShiftsHandler {
  constructor(
    private readonly commands: SchedulingCommands,
    private readonly eligibility: CleanerEligibility,
    private readonly cipher: PersonalDataCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async schedule({ meta, body }: ServiceRequest<ScheduleShiftsRequest>): Promise<ScheduleShiftsResponse> {
    const caller = Caller.of(meta);
    const locationId = uuidOrUndefined(body.locationId);
    if (!locationId) throw new NotFoundError('Location not found', 'location_not_found');
    caller.requireAt(locationId, 'write');
    const location = existing(await this.commands.location(locationId), caller.tenantId);
    const checklistId = uuidOrUndefined(body.checklistId);
    if (!checklistId) throw new NotFoundError('Checklist not found', 'checklist_not_found');
    const checklist = checklistVersion(await this.commands.checklist(checklistId), caller.tenantId);
    const occurrences = weeklyOccurrences(shiftTimeOf(body.start, body.end, location.timezone), body.repeatWeekly ?? 1);
    const cleanerIds = this.cleanerIdsOf(body.cleanerIds);
    await this.eligibility.require(caller.tenantId, locationId, cleanerIds);

    const now = this.clock();
    const ctx = this.ctx(meta, caller, now);
    const key = meta.idempotencyKey;
    const seriesId = occurrences.length > 1 ? newId(caller.tenantId, `series\u0000${locationId}`, key) : null;
    const planned = occurrences.map((time, i) => {
      const shiftId = newId(caller.tenantId, `shift\u0000${locationId}\u0000${i}`, key);
      const command: ShiftCommand = {
        type: 'ScheduleShift',
        data: { tenantId: caller.tenantId, shiftId, locationId, time, checklist: { checklistId, version: checklist.version }, seriesId, cleanerIds, at: now.toISOString() },
      };
      shiftDecider.decide(command, shiftDecider.initialState()); // dry run: refuses bad input before any write
      return { shiftId, time, command };
    });
    await this.book(caller.tenantId, cleanerIds, planned, ctx);
    const shifts: ShiftView[] = [];
    for (const p of planned) {
      const outcome = await this.commands.shifts.handle(shiftStreamId(p.shiftId), p.command, ctx);
      shifts.push(await shiftViewOf(existingShift(outcome.state, caller.tenantId), this.cipher));
    }
    return { shifts };
  }

  async assign({ meta, body }: ServiceRequest<AssignmentRequest>): Promise<ShiftView> {
    const { caller, shift } = await this.writable(meta, body.shiftId);
    const cleanerId = uuidOrUndefined(body.cleanerId);
    if (!cleanerId) throw new NotFoundError(`Cleaner ${String(body.cleanerId)} not found`, 'cleaner_not_found');
    const now = this.clock();
    const command: ShiftCommand = { type: 'AssignCleaner', data: { tenantId: caller.tenantId, shiftId: shift.shiftId, cleanerId, at: now.toISOString() } };
    if (shiftDecider.decide(command, shift).length === 0) return shiftViewOf(shift, this.cipher);
    await this.eligibility.require(caller.tenantId, shift.locationId, [cleanerId]);
    const ctx = this.ctx(meta, caller, now);
    await this.book(caller.tenantId, [cleanerId], [{ shiftId: shift.shiftId, time: shift.time }], ctx);
    return this.apply(shift, command, ctx);
  }

  async unassign({ meta, body }: ServiceRequest<AssignmentRequest>): Promise<ShiftView> {
    const { caller, shift } = await this.writable(meta, body.shiftId);
    const cleanerId = uuidOrUndefined(body.cleanerId);
    if (!cleanerId) return shiftViewOf(shift, this.cipher);
    const now = this.clock();
    const ctx = this.ctx(meta, caller, now);
    const view = await this.apply(shift, { type: 'UnassignCleaner', data: { tenantId: caller.tenantId, shiftId: shift.shiftId, cleanerId, at: now.toISOString() } }, ctx);
    await this.release(caller.tenantId, [cleanerId], shift.shiftId, ctx);
    return view;
  }

  async reschedule({ meta, body }: ServiceRequest<RescheduleShiftRequest>): Promise<ShiftView> {
    const { caller, shift } = await this.writable(meta, body.shiftId);
    const time = shiftTimeOf(body.start, body.end, shift.time.timezone);
    const now = this.clock();
    const command: ShiftCommand = { type: 'RescheduleShift', data: { tenantId: caller.tenantId, shiftId: shift.shiftId, time, at: now.toISOString() } };
    if (shiftDecider.decide(command, shift).length === 0) return shiftViewOf(shift, this.cipher);
    const ctx = this.ctx(meta, caller, now);
    await this.moveBookings(caller.tenantId, shift, time, ctx);
    return this.apply(shift, command, ctx);
  }

  async cancel({ meta, body }: ServiceRequest<CancelShiftRequest>): Promise<ShiftView> {
    const { caller, shift } = await this.existingInScope(meta, body.shiftId, 'write');
    if (typeof body.reason !== 'string' || body.reason.trim().length === 0 || body.reason.length > 500) throw new ValidationError('reason must be 1-500 characters', { field: 'reason' });
    const now = this.clock();
    const ctx = this.ctx(meta, caller, now);
    if (shift.status === 'scheduled') {
      const reasonEncrypted = await this.cipher.encrypt(caller.tenantId, reasonSubject(shift.shiftId), body.reason.trim());
      const view = await this.apply(shift, { type: 'CancelShift', data: { tenantId: caller.tenantId, shiftId: shift.shiftId, reasonEncrypted, at: now.toISOString() } }, ctx);
      await this.release(caller.tenantId, shift.cleanerIds, shift.shiftId, ctx);
      return view;
    }
    await this.release(caller.tenantId, shift.cleanerIds, shift.shiftId, ctx);
    return shiftViewOf(shift, this.cipher);
  }

  /** Books every cleaner for every shift, or none: a conflict undoes this request's bookings. */
  private async book(tenantId: string, cleanerIds: string[], shifts: Array<{ shiftId: string; time: ShiftTime }>, ctx: CommandContext): Promise<void> {
    for (const cleanerId of cleanerIds) {
      const state = await this.commands.cleaner(tenantId, cleanerId);
      for (const s of shifts) requireFree(state, cleanerId, s.shiftId, s.time);
    }
    const done: Array<{ cleanerId: string; shiftId: string }> = [];
    try {
      for (const cleanerId of cleanerIds) {
        for (const s of shifts) {
          // One request may book one cleaner for several shifts: each booking replays under its own key.
          const perShift = { ...ctx, idempotencyKey: ctx.idempotencyKey ? `${ctx.idempotencyKey}/${s.shiftId}` : undefined };
          await this.commands.cleaners.handle(cleanerStreamId(tenantId, cleanerId), { type: 'BookCleaner', data: { tenantId, cleanerId, shiftId: s.shiftId, start: s.time.start, end: s.time.end, at: ctx.now } }, perShift);
          done.push({ cleanerId, shiftId: s.shiftId });
        }
      }
    } catch (error) {
      const undo = { ...ctx, idempotencyKey: undefined };
      for (const d of done) await this.commands.cleaners.handle(cleanerStreamId(tenantId, d.cleanerId), { type: 'ReleaseBooking', data: { tenantId, ...d, at: ctx.now } }, undo).catch(() => undefined);
      throw error;
    }
  }

  /** Moves the shift's bookings to `time`, all or none (a conflict moves the moved ones back). */
  private async moveBookings(tenantId: string, shift: ScheduledShift, time: ShiftTime, ctx: CommandContext): Promise<void> {
    for (const cleanerId of shift.cleanerIds) requireFree(await this.commands.cleaner(tenantId, cleanerId), cleanerId, shift.shiftId, time);
    const moved: string[] = [];
    const move = (cleanerId: string, t: ShiftTime, c: CommandContext) =>
      this.commands.cleaners.handle(cleanerStreamId(tenantId, cleanerId), { type: 'MoveBooking', data: { tenantId, cleanerId, shiftId: shift.shiftId, start: t.start, end: t.end, at: ctx.now } }, c);
    try {
      for (const cleanerId of shift.cleanerIds) {
        await move(cleanerId, time, ctx);
        moved.push(cleanerId);
      }
    } catch (error) {
      for (const cleanerId of moved) await move(cleanerId, shift.time, { ...ctx, idempotencyKey: undefined }).catch(() => undefined);
      throw error;
    }
  }

  private async release(tenantId: string, cleanerIds: readonly string[], shiftId: string, ctx: CommandContext): Promise<void> {
    for (const cleanerId of cleanerIds) {
      await this.commands.cleaners.handle(cleanerStreamId(tenantId, cleanerId), { type: 'ReleaseBooking', data: { tenantId, cleanerId, shiftId, at: ctx.now } }, ctx);
    }
  }

  private async apply(shift: ScheduledShift, command: ShiftCommand, ctx: CommandContext): Promise<ShiftView> {
    const outcome = await this.commands.shifts.handle(shiftStreamId(shift.shiftId), command, ctx);
    return shiftViewOf(existingShift(outcome.state, shift.tenantId), this.cipher);
  }

  /** A shift of the caller's tenant at a location in scope at `level`; 404 otherwise. */
  private async existingInScope(meta: RequestMeta, rawShiftId: string, level: 'read' | 'write'): Promise<{ caller: Caller; shift: ScheduledShift }> {
    const caller = Caller.of(meta);
    const notFound = () => new NotFoundError('Shift not found', 'shift_not_found');
    const shiftId = uuidOrUndefined(rawShiftId);
    if (!shiftId) throw notFound();
    const state = await this.commands.shift(shiftId);
    if (state.status === 'none' || state.tenantId !== caller.tenantId) throw notFound();
    caller.requireAt(state.locationId, level, notFound);
    return { caller, shift: state };
  }

  private async writable(meta: RequestMeta, rawShiftId: string): Promise<{ caller: Caller; shift: ScheduledShift }> {
    return this.existingInScope(meta, rawShiftId, 'write');
  }

  private cleanerIdsOf(raw: unknown): string[] {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) throw new ValidationError('cleanerIds must be a list of user ids', { field: 'cleanerIds' });
    return [
      ...new Set(
        raw.map((c: unknown) => {
          const id = uuidOrUndefined(c);
          if (!id) throw new NotFoundError(`Cleaner ${String(c)} not found`, 'cleaner_not_found');
          return id;
        }),
      ),
    ];
  }

  private ctx(meta: RequestMeta, caller: Caller, now: Date): CommandContext {
    return commandContextOf(meta, caller.tenantId, now, caller.actorId);
  }
}

