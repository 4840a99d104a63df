import { CommandHandler, foldEvents, type EventStore } from '@custodian/kernel';
import { checklistStreamId, cleanerStreamId, locationStreamId, shiftStreamId, upcastSchedulingEvent, type ChecklistEvent, type CleanerEvent, type LocationEvent, type ShiftEvent } from '@custodian/scheduling/contracts';
import { checklistDecider, cleanerDecider, locationDecider, shiftDecider, type ChecklistState, type CleanerState, type LocationState, type ShiftState } from '@custodian/scheduling/domain';

/** Scheduling's command handlers, one per decider, and stream reads folded to state. */
export class SchedulingCommands {
  readonly locations;
  readonly checklists;
  readonly shifts;
  readonly cleaners;

  constructor(readonly store: EventStore) {
    this.locations = new CommandHandler(store, locationDecider);
    this.checklists = new CommandHandler(store, checklistDecider);
    this.shifts = new CommandHandler(store, shiftDecider);
    this.cleaners = new CommandHandler(store, cleanerDecider);
  }

  async location(locationId: string): Promise<LocationState> {
    return foldEvents(locationDecider, (await this.store.readStream(locationStreamId(locationId))).map((e) => upcastSchedulingEvent(e) as LocationEvent));
  }

  async checklist(checklistId: string): Promise<ChecklistState> {
    return foldEvents(checklistDecider, (await this.store.readStream(checklistStreamId(checklistId))).map((e) => upcastSchedulingEvent(e) as ChecklistEvent));
  }

  async shift(shiftId: string): Promise<ShiftState> {
    return foldEvents(shiftDecider, (await this.store.readStream(shiftStreamId(shiftId))).map((e) => upcastSchedulingEvent(e) as ShiftEvent));
  }

  async cleaner(tenantId: string, cleanerId: string): Promise<CleanerState> {
    return foldEvents(cleanerDecider, (await this.store.readStream(cleanerStreamId(tenantId, cleanerId))).map((e) => upcastSchedulingEvent(e) as CleanerEvent));
  }
}
