import { InfrastructureError, type DomainEvent } from '@custodian/kernel';
import { isAuditEventType, type AuditEvent } from './audit.events';
import { AUDIT_EVENT_SCHEMAS } from './audit.schemas';

/**
 * Reads a stored audit event as its current version. Every version listed in
 * AUDIT_EVENT_SCHEMAS is accepted and upcast; an unknown type or version is rejected with
 * a non-retriable InfrastructureError `unsupported_event_version`, never guessed.
 */
export function upcastAuditEvent(event: Pick<DomainEvent, 'type' | 'schemaVersion' | 'data'>): AuditEvent {
  if (!isAuditEventType(event.type)) {
    throw new InfrastructureError(`Unknown audit event type ${event.type}`, false, 'unsupported_event_version');
  }
  const versions: Readonly<Record<number, object>> = AUDIT_EVENT_SCHEMAS[event.type];
  if (!Object.prototype.hasOwnProperty.call(versions, event.schemaVersion)) {
    throw new InfrastructureError(`Unsupported schema version ${String(event.schemaVersion)} of ${event.type}`, false, 'unsupported_event_version');
  }
  // Only v1 exists: nothing to transform yet.
  return { type: event.type, schemaVersion: 1, data: event.data } as AuditEvent;
}
