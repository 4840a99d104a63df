import { InfrastructureError, type DomainEvent } from '@custodian/kernel';
import { isSchedulingEventType, type SchedulingEvent } from './scheduling.events';
import { SCHEDULING_EVENT_SCHEMAS } from './scheduling.schemas';

/**
 * Reads a stored scheduling event as its current version. Every version listed in
 * SCHEDULING_EVENT_SCHEMAS is accepted and upcast; an unknown type or version is rejected with
 * a non-retriable InfrastructureError `unsupported_event_version`, never guessed.
 */
export function upcastSchedulingEvent(event: Pick<DomainEvent, 'type' | 'schemaVersion' | 'data'>): SchedulingEvent {
  if (!isSchedulingEventType(event.type)) {
    throw new InfrastructureError(`Unknown scheduling event type ${event.type}`, false, 'unsupported_event_version');
  }
  const versions: Readonly<Record<number, object>> = SCHEDULING_EVENT_SCHEMAS[event.type];
  if (!Object.prototype.hasOwnProperty.call(versions, event.schemaVersion)) {
    throw new InfrastructureError(`Unsupported schema version ${String(event.schemaVersion)} of ${event.type}`, false, 'unsupported_event_version');
  }
  // Only v1 exists: nothing to transform yet.
  return { type: event.type, schemaVersion: 1, data: event.data } as SchedulingEvent;
}
