import { InfrastructureError, type DomainEvent } from '@custodian/kernel';
import { isIdentityEventType, type IdentityEvent } from './identity.events';
import { IDENTITY_EVENT_SCHEMAS } from './identity.schemas';

/**
 * Reads a stored identity event as its current version. Every version listed in
 * IDENTITY_EVENT_SCHEMAS is accepted and upcast; an unknown type or version is rejected with a
 * non-retriable InfrastructureError `unsupported_event_version` (a reader older than the
 * writer), never guessed. The data is not re-validated: it passed the decider when appended.
 */
export function upcastIdentityEvent(event: Pick<DomainEvent, 'type' | 'schemaVersion' | 'data'>): IdentityEvent {
  if (!isIdentityEventType(event.type)) {
    throw new InfrastructureError(`Unknown identity event type ${event.type}`, false, 'unsupported_event_version');
  }
  const versions: Readonly<Record<number, object>> = IDENTITY_EVENT_SCHEMAS[event.type];
  if (!Object.prototype.hasOwnProperty.call(versions, event.schemaVersion)) {
    throw new InfrastructureError(
      `Unsupported schema version ${String(event.schemaVersion)} of ${event.type}`,
      false,
      'unsupported_event_version',
    );
  }
  // Only v1 exists: nothing to transform yet. A v2 adds its upcaster here, keyed by type.
  return { type: event.type, schemaVersion: 1, data: event.data } as IdentityEvent;
}
