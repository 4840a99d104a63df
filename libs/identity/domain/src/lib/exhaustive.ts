/**
 * Exhaustiveness: compiles only when every case of a union was handled. Reached at run time
 * only by data outside the types (an unknown event type that skipped upcasting) — rejected,
 * never guessed.
 */
export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
