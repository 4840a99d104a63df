import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '@custodian/kernel';

/**
 * A read model built from the event log. `apply` runs inside the runner's transaction, with
 * the checkpoint written in the same transaction, so it must do all its writes through
 * `manager` and nothing outside the database.
 */
export interface Projection {
  /** Checkpoint key; stable across releases. Renaming it rebuilds from zero. */
  readonly name: string;
  /** Only events whose type starts with one of these are applied. */
  readonly typePrefixes: string[];
  apply(event: RecordedEvent, manager: EntityManager): Promise<void>;
  /** Removes everything the projection wrote (for a rebuild from zero). */
  reset(manager: EntityManager): Promise<void>;
}
