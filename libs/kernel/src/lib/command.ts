import type { EventMetadata } from './events';

/**
 * A command as deciders see it: plain data. Everything `decide` needs — ids, the time, the
 * actor's inputs — is in `data` and required; a decider never reads a clock or a random source.
 * `metadata` (who, from where, which request) rides along for the handler that stores the
 * events; deciders do not read it.
 */
export type Command<TType extends string, TData> = {
  type: TType;
  data: TData;
  metadata?: EventMetadata;
};

/**
 * Exhaustiveness: compiles only when every case of a union was handled. Reached at run time
 * only by data outside the types (an unknown event type that skipped upcasting) — rejected,
 * never guessed.
 */
export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
