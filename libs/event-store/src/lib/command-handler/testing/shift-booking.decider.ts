import { IllegalStateError, ValidationError, type Decider, type DomainEvent } from '@custodian/kernel';

/**
 * A small decider for the command-handler tests: a shift is opened with a capacity and
 * cleaners are booked onto it. The capacity rule is what a lost update would break.
 * Pure: the time arrives on the command.
 */
export type ShiftOpened = DomainEvent<'cmdtest.ShiftOpened', { shiftId: string; capacity: number; openedAt: string }>;
export type CleanerBooked = DomainEvent<'cmdtest.CleanerBooked', { shiftId: string; cleanerId: string; bookedAt: string }>;
export type ShiftEvent = ShiftOpened | CleanerBooked;

export type OpenShift = { type: 'OpenShift'; data: { shiftId: string; capacity: number; at: string } };
/** Books every listed cleaner not yet booked, all or none; cleaners already booked are a no-op. */
export type BookCleaners = { type: 'BookCleaners'; data: { cleanerIds: string[]; at: string } };
export type ShiftCommand = OpenShift | BookCleaners;

export type ShiftState = { status: 'unopened' } | { status: 'open'; shiftId: string; capacity: number; booked: string[] };

export const shiftDecider: Decider<ShiftState, ShiftCommand, ShiftEvent> = {
  initialState: () => ({ status: 'unopened' }),

  decide(command, state) {
    switch (command.type) {
      case 'OpenShift': {
        if (state.status !== 'unopened') throw new IllegalStateError('The shift is already open', 'shift_already_open');
        const { shiftId, capacity, at } = command.data;
        if (!Number.isInteger(capacity) || capacity < 1) throw new ValidationError('capacity must be a positive integer');
        return [{ type: 'cmdtest.ShiftOpened', schemaVersion: 1, data: { shiftId, capacity, openedAt: at } }];
      }
      case 'BookCleaners': {
        if (state.status !== 'open') throw new IllegalStateError('The shift is not open', 'shift_not_open');
        const fresh = [...new Set(command.data.cleanerIds)].filter((id) => !state.booked.includes(id));
        if (state.booked.length + fresh.length > state.capacity) {
          throw new IllegalStateError('The shift is full', 'shift_full', { capacity: state.capacity, booked: state.booked.length });
        }
        return fresh.map((cleanerId) => ({
          type: 'cmdtest.CleanerBooked' as const,
          schemaVersion: 1,
          data: { shiftId: state.shiftId, cleanerId, bookedAt: command.data.at },
        }));
      }
      default: {
        const never: never = command;
        throw new ValidationError(`Unknown command ${JSON.stringify(never)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'cmdtest.ShiftOpened':
        return { status: 'open', shiftId: event.data.shiftId, capacity: event.data.capacity, booked: [] };
      case 'cmdtest.CleanerBooked':
        return state.status === 'open' ? { ...state, booked: [...state.booked, event.data.cleanerId] } : state;
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};
