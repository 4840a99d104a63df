import { ConflictError, foldEvents, NotFoundError, ValidationError } from '@custodian/kernel';
import type { ChecklistCreated, ChecklistRevised, ChecklistTask } from '@custodian/scheduling/contracts';
import { deciderSpec } from '@custodian/testing';
import type { CreateChecklist, ReviseChecklist } from './checklist.commands';
import { checklistDecider, checklistVersion } from './checklist.decider';

const spec = deciderSpec(checklistDecider);
const tenantId = 'tenant-1';
const otherTenant = 'tenant-2';
const checklistId = 'checklist-1';
const at = '2027-03-01T10:00:00.000Z';
const later = '2027-03-05T10:00:00.000Z';
const latest = '2027-03-09T10:00:00.000Z';

const mirrors: ChecklistTask = { taskId: 't-mirrors', title: 'Clean mirrors', required: true };
const bins: ChecklistTask = { taskId: 't-bins', title: 'Empty bins', required: false };
const soap: ChecklistTask = { taskId: 't-soap', title: 'Refill soap', required: true };

// ---- commands ----
const create = (overrides: Partial<CreateChecklist['data']> = {}): CreateChecklist => ({
  type: 'CreateChecklist',
  data: { tenantId, checklistId, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins], at, ...overrides },
});
const revise = (overrides: Partial<ReviseChecklist['data']> = {}): ReviseChecklist => ({
  type: 'ReviseChecklist',
  data: { tenantId, checklistId, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins, soap], at: later, ...overrides },
});

// ---- events ----
const created = (overrides: Partial<ChecklistCreated['data']> = {}): ChecklistCreated => ({
  type: 'scheduling.ChecklistCreated',
  schemaVersion: 1,
  data: { tenantId, checklistId, version: 1, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins], createdAt: at, ...overrides },
});
const revised = (overrides: Partial<ChecklistRevised['data']> = {}): ChecklistRevised => ({
  type: 'scheduling.ChecklistRevised',
  schemaVersion: 1,
  data: { tenantId, checklistId, version: 2, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins, soap], revisedAt: later, ...overrides },
});

describe('checklistDecider', () => {
  describe('CreateChecklist', () => {
    it('creates version 1', () => {
      spec.given([]).when(create()).then([created()]);
    });

    it('trims the name and task titles', () => {
      spec
        .given([])
        .when(create({ name: ' Restroom nightly  ', tasks: [{ ...mirrors, title: '  Clean mirrors ' }, bins] }))
        .then([created()]);
    });

    it('keeps only id, title and required of a task', () => {
      const noisy = { ...mirrors, note: 'x' } as ChecklistTask;
      spec.given([]).when(create({ tasks: [noisy, bins] })).then([created()]);
    });

    it('refuses to create the same checklist twice', () => {
      spec.given([created()]).when(create()).thenThrows(ConflictError, 'checklist_exists');
    });

    it('refuses an empty task list, or more than 500 tasks', () => {
      spec.given([]).when(create({ tasks: [] })).thenThrows(ValidationError, 'validation_failed');
      const many = Array.from({ length: 501 }, (_, i): ChecklistTask => ({ taskId: `t-${i}`, title: `Task ${i}`, required: false }));
      spec.given([]).when(create({ tasks: many })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(create({ tasks: many.slice(0, 500) })).then([created({ tasks: many.slice(0, 500) })]);
    });

    it('refuses a task id listed twice', () => {
      spec
        .given([])
        .when(create({ tasks: [mirrors, { ...bins, taskId: mirrors.taskId }] }))
        .thenThrows(ValidationError, 'validation_failed');
    });

    it.each([
      ['no task id', { ...mirrors, taskId: '' }],
      ['a blank title', { ...mirrors, title: '  ' }],
      ['a title over 300 characters', { ...mirrors, title: 'x'.repeat(301) }],
      ['required that is not a boolean', { ...mirrors, required: 'yes' }],
      ['no object at all', null],
    ])('refuses a task with %s', (_case, task) => {
      spec
        .given([])
        .when(create({ tasks: [task as unknown as ChecklistTask] }))
        .thenThrows(ValidationError, 'validation_failed');
    });

    it('refuses a bad name, area kind or timestamp', () => {
      spec.given([]).when(create({ name: '' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(create({ name: 'x'.repeat(201) })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(create({ areaKind: 'Restroom' })).thenThrows(ValidationError, 'validation_failed');
      spec.given([]).when(create({ at: '1 March' })).thenThrows(ValidationError, 'validation_failed');
    });
  });

  describe('ReviseChecklist', () => {
    it('makes version 2 with the whole new task list', () => {
      spec.given([created()]).when(revise()).then([revised()]);
    });

    it('numbers each revision after the latest', () => {
      spec
        .given([created(), revised()])
        .when(revise({ tasks: [soap], at: latest }))
        .then([revised({ version: 3, tasks: [soap], revisedAt: latest })]);
    });

    it('keeps every earlier version whole', () => {
      spec
        .given([created(), revised()])
        .when(revise({ tasks: [soap], at: latest }))
        .thenState({
          status: 'created',
          tenantId,
          checklistId,
          versions: [
            { version: 1, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins], at },
            { version: 2, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins, soap], at: later },
            { version: 3, name: 'Restroom nightly', areaKind: 'restroom', tasks: [soap], at: latest },
          ],
        });
    });

    it('emits nothing for a revision identical to the latest version', () => {
      spec.given([created()]).when(revise({ tasks: [mirrors, bins] })).thenNothing();
      spec.given([created(), revised()]).when(revise({ at: latest })).thenNothing();
      spec.given([created()]).when(revise({ name: ' Restroom nightly ', tasks: [{ ...mirrors, title: ' Clean mirrors ' }, bins] })).thenNothing();
    });

    it('revises when only the name, area kind, order or a required flag changes', () => {
      spec.given([created()]).when(revise({ name: 'Restroom nightly (v2)', tasks: [mirrors, bins] })).then([revised({ name: 'Restroom nightly (v2)', tasks: [mirrors, bins] })]);
      spec.given([created()]).when(revise({ areaKind: 'washroom', tasks: [mirrors, bins] })).then([revised({ areaKind: 'washroom', tasks: [mirrors, bins] })]);
      spec.given([created()]).when(revise({ tasks: [bins, mirrors] })).then([revised({ tasks: [bins, mirrors] })]);
      const binsRequired = { ...bins, required: true };
      spec.given([created()]).when(revise({ tasks: [mirrors, binsRequired] })).then([revised({ tasks: [mirrors, binsRequired] })]);
    });

    it('compares with the latest version, not the first', () => {
      spec.given([created(), revised()]).when(revise({ tasks: [mirrors, bins], at: latest })).then([revised({ version: 3, tasks: [mirrors, bins], revisedAt: latest })]);
    });

    it('refuses duplicate task ids and an empty task list', () => {
      spec.given([created()]).when(revise({ tasks: [mirrors, mirrors] })).thenThrows(ValidationError, 'validation_failed');
      spec.given([created()]).when(revise({ tasks: [] })).thenThrows(ValidationError, 'validation_failed');
    });

    it('is not found before it is created', () => {
      spec.given([]).when(revise()).thenThrows(NotFoundError, 'checklist_not_found');
    });

    it("treats another tenant's checklist as none", () => {
      spec.given([created()]).when(revise({ tenantId: otherTenant })).thenThrows(NotFoundError, 'checklist_not_found');
    });
  });
});

describe('checklistVersion', () => {
  const state = foldEvents(checklistDecider, [created(), revised()]);

  it('returns the latest version when none is asked for', () => {
    expect(checklistVersion(state, tenantId)).toEqual({ checklistId, version: 2, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins, soap], at: later });
  });

  it('returns the version asked for, as it was', () => {
    expect(checklistVersion(state, tenantId, 1)).toEqual({ checklistId, version: 1, name: 'Restroom nightly', areaKind: 'restroom', tasks: [mirrors, bins], at });
  });

  it('is NotFoundError for a missing version', () => {
    expect(() => checklistVersion(state, tenantId, 3)).toThrow(expect.objectContaining({ code: 'checklist_version_not_found' }));
    expect(() => checklistVersion(state, tenantId, 0)).toThrow(NotFoundError);
  });

  it("is NotFoundError for another tenant's checklist or none", () => {
    expect(() => checklistVersion(state, otherTenant)).toThrow(expect.objectContaining({ code: 'checklist_not_found' }));
    expect(() => checklistVersion(state, otherTenant, 1)).toThrow(expect.objectContaining({ code: 'checklist_not_found' }));
    expect(() => checklistVersion({ status: 'none' }, tenantId)).toThrow(NotFoundError);
  });
});
