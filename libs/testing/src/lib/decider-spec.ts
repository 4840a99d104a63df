import { CustodianError, foldEvents, type Decider, type DomainEvent } from '@custodian/kernel';

type ErrorClass = abstract new (...args: never[]) => CustodianError;

/**
 * Given/when/then for deciders (after Emmett's DeciderSpecification):
 *
 *   const spec = deciderSpec(userDecider);
 *   spec.given([registered]).when(disable).then([disabled]);
 *   spec.given([]).when(disable).thenThrows(NotFoundError, 'user_not_found');
 *
 * `given` events are folded with the decider's own `evolve`, so these tests cover it too.
 * Test support only: not exported from the library (it uses Jest's `expect`).
 */
export function deciderSpec<TState, TCommand, TEvent extends DomainEvent>(decider: Decider<TState, TCommand, TEvent>) {
  return {
    given(history: TEvent[]) {
      return {
        when(command: TCommand) {
          const decide = () => decider.decide(command, foldEvents(decider, history));
          return {
            /** The command emits exactly these events, in this order. */
            then(expected: TEvent[]): void {
              expect(decide()).toEqual(expected);
            },
            /** The command is accepted and changes nothing (idempotent repeat). */
            thenNothing(): void {
              expect(decide()).toEqual([]);
            },
            /** The command is refused with this error class and stable code. */
            thenThrows(errorClass: ErrorClass, code: string): void {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(errorClass);
              expect((thrown as CustodianError).code).toBe(code);
            },
            /** The state after the history and the emitted events. */
            thenState(expected: TState): void {
              expect(foldEvents(decider, [...history, ...decide()])).toEqual(expected);
            },
          };
        },
      };
    },
  };
}
