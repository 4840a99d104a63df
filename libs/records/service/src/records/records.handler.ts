import { randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import type { PersonalDataCipher } from '@custodian/crypto';
import { commandContextOf, CommandHandler, ForbiddenError, isCustodianError, NotFoundError, ValidationError, type EventStore, type RequestMeta, type ServiceRequest } from '@custodian/kernel';
import { ModuleCaller, uuidOrUndefined } from '@custodian/platform';
import {
  recordStreamId,
  upcastRecordsEvent,
  type ClockInput,
  type ClockOutRequest,
  type CompleteTaskRequest,
  type CorrectRequest,
  type InspectRequest,
  type CleaningStarted,
  type RecordEvent,
  type RecordRef,
  type RecordView,
  type ReportIssueRequest,
  type StartRecordRequest,
} from '@custodian/records/contracts';
import { recordDecider, type ClockReport, type LocationContext, type RecordActor, type RecordCommand, type ShiftContext } from '@custodian/records/domain';
import { CONTEXT_SENSITIVE_CODES, type JudgingContext } from '../infra/judging-context';
import { recordSubject, recordViewOf } from './record-view';

const RECORD_IDS = '9c2e4b71-6d3a-4f58-b0e9-2a7c1d5f3e86';

/**
 * Cleaning-record commands (module `records`; the record's location must be in the caller's
 * scope, else 404). One record per cleaner per shift: its id derives from (tenant, shift,
 * cleaner), so a second clock-in meets the first record's stream (409 `already_clocked_in`).
 * Evidence is judged by the decider against the shift and site as scheduling published them.
 */
export class RecordsHandler {
  private readonly records: CommandHandler<ReturnType<typeof recordDecider.initialState>, RecordCommand, RecordEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly context: JudgingContext,
    private readonly cipher: PersonalDataCipher,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.records = new CommandHandler(store, recordDecider);
  }

  async start({ meta, body }: ServiceRequest<StartRecordRequest>): Promise<RecordView> {
    const caller = callerOf(meta);
    const shiftId = uuidOrUndefined(body.shiftId);
    if (!shiftId) throw new NotFoundError('Shift not found', 'shift_not_found');
    const recordId = uuidV5(`${caller.tenantId}\u0000${shiftId}\u0000${caller.userId}`, RECORD_IDS);
    return this.withContext(caller, shiftId, ({ shift, location }) => {
      caller.requireAt(shift.locationId, 'write', () => new NotFoundError('Shift not found', 'shift_not_found'));
      return this.run(meta, caller, recordId, (now) => ({ type: 'StartCleaning', data: { tenantId: caller.tenantId, recordId, actor: actorOf(caller), now, shift, location, clockIn: clockReport(body.clockIn) } }));
    });
  }

  async completeTask({ meta, body }: ServiceRequest<CompleteTaskRequest>): Promise<RecordView> {
    const { caller, record } = await this.inScope(meta, body.recordId, 'write');
    if (body.notes !== undefined && (typeof body.notes !== 'string' || body.notes.length > 2000)) throw new ValidationError('notes must be at most 2000 characters', { field: 'notes' });
    const notesEncrypted = body.notes ? await this.cipher.encrypt(caller.tenantId, recordSubject(record.recordId), body.notes) : null;
    return this.withContext(caller, record.shiftId, ({ shift, location }) =>
      this.run(meta, caller, record.recordId, (now) => ({
        type: 'CompleteTask',
        data: { tenantId: caller.tenantId, recordId: record.recordId, actor: actorOf(caller), now, shift, location, taskId: body.taskId, areaId: body.areaId, completedAt: body.completedAt, notesEncrypted, photoSha256: body.photoSha256 ?? null },
      })),
    );
  }

  async reportIssue({ meta, body }: ServiceRequest<ReportIssueRequest>): Promise<RecordView> {
    const { caller, record } = await this.inScope(meta, body.recordId, 'write');
    if (typeof body.description !== 'string' || body.description.trim().length === 0 || body.description.length > 2000) throw new ValidationError('description must be 1-2000 characters', { field: 'description' });
    const descriptionEncrypted = await this.cipher.encrypt(caller.tenantId, recordSubject(record.recordId), body.description.trim());
    return this.withContext(caller, record.shiftId, ({ location }) =>
      this.run(meta, caller, record.recordId, (now) => ({
        type: 'ReportIssue',
        data: { tenantId: caller.tenantId, recordId: record.recordId, actor: actorOf(caller), now, location, issueId: randomUUID(), areaId: body.areaId ?? null, category: body.category, descriptionEncrypted, reportedAt: body.reportedAt },
      })),
    );
  }

  async clockOut({ meta, body }: ServiceRequest<ClockOutRequest>): Promise<RecordView> {
    const { caller, record } = await this.inScope(meta, body.recordId, 'write');
    return this.withContext(caller, record.shiftId, ({ shift, location }) =>
      this.run(meta, caller, record.recordId, (now) => ({ type: 'ClockOut', data: { tenantId: caller.tenantId, recordId: record.recordId, actor: actorOf(caller), now, shift, location, clockOut: clockReport(body.clockOut) } })),
    );
  }

  async inspect({ meta, body }: ServiceRequest<InspectRequest>): Promise<RecordView> {
    const { caller, record } = await this.inScope(meta, body.recordId, 'write');
    return this.run(meta, caller, record.recordId, (now) => ({
      type: 'RecordInspection',
      data: { tenantId: caller.tenantId, recordId: record.recordId, actor: actorOf(caller), now, score: body.score, method: body.method, items: body.items ?? [], inspectedAt: body.inspectedAt ?? now },
    }));
  }

  async signOff({ meta, body }: ServiceRequest<RecordRef>): Promise<RecordView> {
    const { caller, record } = await this.inScope(meta, body.recordId, 'write');
    return this.run(meta, caller, record.recordId, (now) => ({ type: 'SignOff', data: { tenantId: caller.tenantId, recordId: record.recordId, actor: actorOf(caller), now } }));
  }

  async correct({ meta, body }: ServiceRequest<CorrectRequest>): Promise<RecordView> {
    const { caller, record } = await this.inScope(meta, body.recordId, 'write');
    if (typeof body.reason !== 'string' || body.reason.trim().length === 0 || body.reason.length > 1000) throw new ValidationError('reason must be 1-1000 characters', { field: 'reason' });
    const reasonEncrypted = await this.cipher.encrypt(caller.tenantId, recordSubject(record.recordId), body.reason.trim());
    return this.run(meta, caller, record.recordId, (now) => ({
      type: 'CorrectRecord',
      data: { tenantId: caller.tenantId, recordId: record.recordId, actor: actorOf(caller), now, correctionId: randomUUID(), target: body.target, value: body.value, reasonEncrypted },
    }));
  }

  /**
   * A record of the caller's tenant at a location in scope at `level`; 404 otherwise. Reads only
   * the first event (who, where, which shift: never changed); the command handler reads the rest.
   */
  private async inScope(meta: RequestMeta, rawRecordId: string, level: 'read' | 'write'): Promise<{ caller: ModuleCaller; record: CleaningStarted['data'] }> {
    const caller = callerOf(meta);
    const notFound = () => new NotFoundError('Record not found', 'record_not_found');
    const recordId = uuidOrUndefined(rawRecordId);
    if (!recordId) throw notFound();
    const [first] = await this.store.readStream(recordStreamId(recordId), { limit: 1 });
    if (!first || first.tenantId !== caller.tenantId || first.type !== 'records.CleaningStarted') throw notFound();
    const record = upcastRecordsEvent(first) as CleaningStarted;
    caller.requireAt(record.data.locationId, level, notFound);
    return { caller, record: record.data };
  }

  /** Runs `work` on the judging context as it is; once more on a surely current one if refused for a reason staleness could explain. */
  private async withContext<T>(caller: ModuleCaller, shiftId: string, work: (ctx: { shift: ShiftContext; location: LocationContext }) => Promise<T>): Promise<T> {
    try {
      return await work(await this.context.of(caller.tenantId, shiftId, { current: false }));
    } catch (error) {
      if (!isCustodianError(error) || !CONTEXT_SENSITIVE_CODES.has(error.code)) throw error;
      return work(await this.context.of(caller.tenantId, shiftId, { current: true }));
    }
  }

  /** Decides and appends; the answer is folded from the stream the decision read plus what it appended. */
  private async run(meta: RequestMeta, caller: ModuleCaller, recordId: string, command: (now: string) => RecordCommand): Promise<RecordView> {
    const now = this.clock();
    const outcome = await this.records.handle(recordStreamId(recordId), command(now.toISOString()), commandContextOf(meta, caller.tenantId, now, caller.actorId));
    const events = outcome.replayed ? await this.store.readStream(recordStreamId(recordId)) : [...outcome.history, ...outcome.events];
    const view = await recordViewOf(events, this.cipher, null);
    if (!view) throw new NotFoundError('Record not found', 'record_not_found');
    return view;
  }
}

export function callerOf(meta: RequestMeta): ModuleCaller {
  const caller = ModuleCaller.of(meta, 'records');
  if (caller.userId.startsWith('apikey:')) throw new ForbiddenError('Cleaning records are made by people, not API keys', 'users_only');
  return caller;
}

function actorOf(caller: ModuleCaller): RecordActor {
  return { id: caller.actorId, userId: caller.userId, canManage: caller.holds('manage') };
}

function clockReport(input: ClockInput | undefined): ClockReport {
  if (!input || typeof input !== 'object') throw new ValidationError('clock evidence is required');
  return { at: input.at, method: input.method, scanCode: input.scanCode ?? null, geo: input.geo ?? null };
}

