import type { ChecklistTask } from '@custodian/scheduling/contracts';
import type { Command } from '@custodian/kernel';

/** Tasks arrive with their ids (the app layer keeps ids of tasks carried over and mints new ones). */
export type CreateChecklist = Command<'CreateChecklist', { tenantId: string; checklistId: string; name: string; areaKind: string; tasks: ChecklistTask[]; at: string }>;
export type ReviseChecklist = Command<'ReviseChecklist', { tenantId: string; checklistId: string; name: string; areaKind: string; tasks: ChecklistTask[]; at: string }>;
