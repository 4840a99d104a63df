import { InfrastructureError } from '@custodian/kernel';
import type { ProjectionRunner } from './projection-runner';

/**
 * Waits until the read model reflects the log up to `position` (read-your-writes). A read
 * model still behind after `timeoutMs` is a retriable 503 `read_model_lagging`, never a stale
 * answer presented as current.
 */
export async function readModelAt(projection: ProjectionRunner, position: number, timeoutMs = 5_000): Promise<void> {
  try {
    await projection.caughtUpTo(position, timeoutMs);
  } catch (error) {
    throw new InfrastructureError(`The read model is behind the event log: ${error instanceof Error ? error.message : String(error)}`, true, 'read_model_lagging', error);
  }
}
