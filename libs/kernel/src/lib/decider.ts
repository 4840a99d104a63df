import type { DomainEvent, EventMetadata } from './events';

/**
 * A pure decision model (Emmett/Chassaing "decider"): given a command and the current state,
 * return the events that happen; fold events into state with `evolve`.
 * `decide` must not read clocks, random sources or ambient context: time, ids and the actor
 * arrive on the command.
 */
export interface Decider<TState, TCommand, TEvent extends DomainEvent> {
  initialState: () => TState;
  decide: (command: TCommand, state: TState) => TEvent[];
  evolve: (state: TState, event: TEvent) => TState;
}

/** Folds a history into state. */
export function foldEvents<TState, TEvent extends DomainEvent>(
  decider: Pick<Decider<TState, unknown, TEvent>, 'initialState' | 'evolve'>,
  events: readonly TEvent[],
): TState {
  return events.reduce(decider.evolve, decider.initialState());
}

/** Who issues a command, from where, and when — required on every command, never defaulted. */
export interface CommandContext {
  tenantId: string;
  now: string;
  metadata: EventMetadata;
  idempotencyKey?: string;
}
