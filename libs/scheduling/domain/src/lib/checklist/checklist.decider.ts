import { assertNever, ConflictError, invalid, NotFoundError, requireText, requireTimestamp, type Decider } from '@custodian/kernel';
import type { ChecklistEvent, ChecklistTask } from '@custodian/scheduling/contracts';
import type { CreateChecklist, ReviseChecklist } from './checklist.commands';

export type ChecklistCommand = CreateChecklist | ReviseChecklist;

export type ChecklistVersion = { version: number; name: string; areaKind: string; tasks: ChecklistTask[]; at: string };
export type ChecklistState = { status: 'none' } | { status: 'created'; tenantId: string; checklistId: string; versions: ChecklistVersion[] };

const KIND = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_TASKS = 500;

/**
 * A versioned task template for one kind of area. Every revision is a whole new version; old
 * versions stay, so a shift pinned to version n keeps exactly the tasks it was scheduled with.
 * A revision identical to the latest version emits nothing.
 */
export const checklistDecider: Decider<ChecklistState, ChecklistCommand, ChecklistEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'CreateChecklist': {
        const v = validVersion(command.data);
        if (state.status !== 'none') throw new ConflictError('The checklist already exists', 'checklist_exists');
        return [{ type: 'scheduling.ChecklistCreated', schemaVersion: 1, data: { tenantId: requireText(command.data.tenantId, 'tenantId'), checklistId: requireText(command.data.checklistId, 'checklistId'), version: 1, name: v.name, areaKind: v.areaKind, tasks: v.tasks, createdAt: v.at } }];
      }
      case 'ReviseChecklist': {
        const v = validVersion(command.data);
        if (state.status !== 'created' || state.tenantId !== command.data.tenantId) throw new NotFoundError('Checklist not found', 'checklist_not_found');
        const latest = state.versions[state.versions.length - 1];
        if (latest.name === v.name && latest.areaKind === v.areaKind && JSON.stringify(latest.tasks) === JSON.stringify(v.tasks)) return [];
        return [{ type: 'scheduling.ChecklistRevised', schemaVersion: 1, data: { tenantId: state.tenantId, checklistId: state.checklistId, version: latest.version + 1, name: v.name, areaKind: v.areaKind, tasks: v.tasks, revisedAt: v.at } }];
      }
      default:
        return assertNever(command, 'command');
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'scheduling.ChecklistCreated':
        return { status: 'created', tenantId: event.data.tenantId, checklistId: event.data.checklistId, versions: [{ version: 1, name: event.data.name, areaKind: event.data.areaKind, tasks: event.data.tasks, at: event.data.createdAt }] };
      case 'scheduling.ChecklistRevised':
        if (state.status !== 'created') return state;
        return { ...state, versions: [...state.versions, { version: event.data.version, name: event.data.name, areaKind: event.data.areaKind, tasks: event.data.tasks, at: event.data.revisedAt }] };
      default:
        return assertNever(event, 'event');
    }
  },
};

/** The version asked for (latest when absent) of a checklist in `tenantId`, or NotFoundError. */
export function checklistVersion(state: ChecklistState, tenantId: string, version?: number): ChecklistVersion & { checklistId: string } {
  if (state.status !== 'created' || state.tenantId !== tenantId) throw new NotFoundError('Checklist not found', 'checklist_not_found');
  const found = version === undefined ? state.versions[state.versions.length - 1] : state.versions.find((v) => v.version === version);
  if (!found) throw new NotFoundError('Checklist version not found', 'checklist_version_not_found');
  return { ...found, checklistId: state.checklistId };
}

function validVersion(data: CreateChecklist['data']): { name: string; areaKind: string; tasks: ChecklistTask[]; at: string } {
  if (typeof data.name !== 'string' || data.name.trim().length === 0 || data.name.length > 200) throw invalid('name', 'name must be 1-200 characters');
  if (typeof data.areaKind !== 'string' || !KIND.test(data.areaKind)) throw invalid('areaKind', 'areaKind must be a lower-case slug (letters, digits, -), at most 64 characters');
  if (!Array.isArray(data.tasks) || data.tasks.length === 0 || data.tasks.length > MAX_TASKS) throw invalid('tasks', `tasks must list 1-${MAX_TASKS} tasks`);
  const ids = new Set<string>();
  const tasks = data.tasks.map((t, i) => {
    const taskId = requireText(t?.taskId, `tasks[${i}].taskId`);
    if (ids.has(taskId)) throw invalid(`tasks[${i}].taskId`, `Task ${taskId} is listed twice`);
    ids.add(taskId);
    if (typeof t.title !== 'string' || t.title.trim().length === 0 || t.title.length > 300) throw invalid(`tasks[${i}].title`, 'A task title is 1-300 characters');
    if (typeof t.required !== 'boolean') throw invalid(`tasks[${i}].required`, 'required must be a boolean');
    return { taskId, title: t.title.trim(), required: t.required };
  });
  return { name: data.name.trim(), areaKind: data.areaKind, tasks, at: requireTimestamp(data.at, 'at') };
}
