import { randomUUID } from 'node:crypto';
import { commandContextOf, NotFoundError, ValidationError, type ServiceRequest } from '@custodian/kernel';
import { decodeCursor, encodeCursor, pageLimit } from '@custodian/platform';
import { readModelAt, type ProjectionRunner } from '@custodian/projections';
import {
  checklistStreamId,
  type ChecklistRef,
  type ChecklistTask,
  type ChecklistTaskInput,
  type ChecklistView,
  type CreateChecklistRequest,
  type ListChecklistsRequest,
  type Page,
  type ReviseChecklistRequest,
} from '@custodian/scheduling/contracts';
import { checklistVersion, type ChecklistState } from '@custodian/scheduling/domain';
import type { DataSource } from 'typeorm';
import { Caller, uuidOrUndefined } from '../infra/caller';
import { newId } from '../infra/ids';
import type { SchedulingCommands } from '../infra/scheduling-store';

type ChecklistRow = { checklist_id: string; version: number; name: string; area_kind: string; tasks: ChecklistTask[]; version_at: Date; created_at: Date };

/**
 * Checklist templates: tenant-wide, so creating and revising need scheduling:manage on all
 * locations; reading needs scheduling:read. A revision is a whole new version: tasks keep the
 * `taskId` the client sends (to carry a task over) and new tasks get a fresh one.
 */
export class ChecklistsHandler {
  constructor(
    private readonly commands: SchedulingCommands,
    private readonly dataSource: DataSource,
    private readonly projection: ProjectionRunner,
    private readonly committedHead: () => Promise<number>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create({ meta, body }: ServiceRequest<CreateChecklistRequest>): Promise<ChecklistView> {
    const caller = Caller.of(meta);
    caller.requireTenantWide('manage');
    const now = this.clock();
    const checklistId = newId(caller.tenantId, 'checklist', meta.idempotencyKey);
    const outcome = await this.commands.checklists.handle(
      checklistStreamId(checklistId),
      { type: 'CreateChecklist', data: { tenantId: caller.tenantId, checklistId, name: body.name, areaKind: body.areaKind, tasks: withIds(body.tasks, meta.idempotencyKey ? checklistId : undefined), at: now.toISOString() } },
      commandContextOf(meta, caller.tenantId, now, caller.actorId),
    );
    return viewOf(outcome.state, caller.tenantId);
  }

  async revise({ meta, body }: ServiceRequest<ReviseChecklistRequest>): Promise<ChecklistView> {
    const caller = Caller.of(meta);
    caller.requireTenantWide('manage');
    const checklistId = uuidOrUndefined(body.checklistId);
    if (!checklistId) throw new NotFoundError('Checklist not found', 'checklist_not_found');
    const now = this.clock();
    const outcome = await this.commands.checklists.handle(
      checklistStreamId(checklistId),
      { type: 'ReviseChecklist', data: { tenantId: caller.tenantId, checklistId, name: body.name, areaKind: body.areaKind, tasks: withIds(body.tasks), at: now.toISOString() } },
      commandContextOf(meta, caller.tenantId, now, caller.actorId),
    );
    return viewOf(outcome.state, caller.tenantId);
  }

  /** The latest version, or the one asked for; from the stream (the source of truth). */
  async get({ meta, body }: ServiceRequest<ChecklistRef>): Promise<ChecklistView> {
    const caller = Caller.of(meta);
    caller.requireLevel('read');
    const checklistId = uuidOrUndefined(body.checklistId);
    if (!checklistId) throw new NotFoundError('Checklist not found', 'checklist_not_found');
    if (body.version !== undefined && (!Number.isInteger(body.version) || body.version < 1)) throw new ValidationError('version must be a positive integer', { field: 'version' });
    return viewOf(await this.commands.checklist(checklistId), caller.tenantId, body.version);
  }

  /** Latest versions, oldest first. */
  async list({ meta, body }: ServiceRequest<ListChecklistsRequest>): Promise<Page<ChecklistView>> {
    const caller = Caller.of(meta);
    caller.requireLevel('read');
    const limit = pageLimit(body.limit);
    await readModelAt(this.projection, await this.committedHead());
    // Paged by when each checklist was first created (version 1), so revisions do not reorder pages.
    const params: unknown[] = [caller.tenantId];
    const where = ['c.tenant_id = $1', 'c.latest'];
    if (body.areaKind) where.push(`c.area_kind = $${params.push(body.areaKind)}`);
    if (body.cursor) {
      const [at, id] = decodeCursor(body.cursor);
      where.push(`(first.created_at, c.checklist_id) > ($${params.push(at)}::timestamptz, $${params.push(id)}::uuid)`);
    }
    const rows = (await this.dataSource.query(
      `SELECT c.checklist_id, c.version, c.name, c.area_kind, c.tasks, c.created_at AS version_at, first.created_at
         FROM scheduling_rm.checklists c
         JOIN scheduling_rm.checklists first ON first.checklist_id = c.checklist_id AND first.version = 1
        WHERE ${where.join(' AND ')}
        ORDER BY first.created_at, c.checklist_id LIMIT $${params.push(limit + 1)}`,
      params,
    )) as ChecklistRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ checklistId: r.checklist_id, version: r.version, name: r.name, areaKind: r.area_kind, tasks: r.tasks, createdAt: r.version_at.toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.checklist_id) : null,
    };
  }
}

/** Tasks with ids: the client's where given, else new ones (derived from `seed` for idempotent creates). */
function withIds(tasks: ChecklistTaskInput[], seed?: string): ChecklistTask[] {
  if (!Array.isArray(tasks)) throw new ValidationError('tasks must be a list', { field: 'tasks' });
  return tasks.map((t, i) => ({
    taskId: typeof t?.taskId === 'string' && t.taskId.length > 0 ? t.taskId : seed ? `${seed.slice(0, 8)}-t${i + 1}` : randomUUID(),
    title: t?.title,
    required: t?.required ?? true,
  }));
}

function viewOf(state: ChecklistState, tenantId: string, version?: number): ChecklistView {
  const v = checklistVersion(state, tenantId, version);
  return { checklistId: v.checklistId, version: v.version, name: v.name, areaKind: v.areaKind, tasks: v.tasks, createdAt: v.at };
}
