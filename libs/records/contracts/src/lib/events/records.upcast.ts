import { InfrastructureError, type DomainEvent } from '@custodian/kernel';
import { isRecordsEventType, type RecordEvent } from './records.events';
import { RECORDS_EVENT_SCHEMAS } from './records.schemas';

/**
 * Reads a stored records event as its current version. Every version listed in
 * RECORDS_EVENT_SCHEMAS is accepted and upcast; an unknown type or version is rejected with
 * a non-retriable InfrastructureError `unsupported_event_version`, never guessed.
 */
export function upcastRecordsEvent(event: Pick<DomainEvent, 'type' | 'schemaVersion' | 'data'>): RecordEvent {
  if (!isRecordsEventType(event.type)) {
    throw new InfrastructureError(`Unknown records event type ${event.type}`, false, 'unsupported_event_version');
  }
  const versions: Readonly<Record<number, object>> = RECORDS_EVENT_SCHEMAS[event.type];
  if (!Object.prototype.hasOwnProperty.call(versions, event.schemaVersion)) {
    throw new InfrastructureError(`Unsupported schema version ${String(event.schemaVersion)} of ${event.type}`, false, 'unsupported_event_version');
  }
  // Only v1 exists: nothing to transform yet.
  return { type: event.type, schemaVersion: 1, data: event.data } as RecordEvent;
}
