import { ACTOR_ID_MAX_LENGTH, ACTOR_KINDS, BLOCK_REASON_MAX_LENGTH, BREACH_ALERT_THRESHOLDS, INCIDENT_ENTRY_EVENT_KINDS, INCIDENT_KINDS, INCIDENT_SEVERITIES, INCIDENT_STATUSES } from '../vocabulary';
import type { AuditEventType } from './audit.events';

/*
 * JSON Schemas (draft 2020-12) of the published audit events, one per type and version.
 * A schema never changes once published: a new shape is a new version with a new schema.
 */

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const id = { type: 'string', minLength: 1 } as const;
const ciphertext = { type: 'string', minLength: 1 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' } as const;
/** A normalised address: a dotted quad, or RFC 5952 IPv6 text (which never holds a dot). */
const ip = { type: 'string', maxLength: 39, pattern: '^(?:(?:[0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9a-f:]{2,39})$' } as const;
const actor = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'id'],
  properties: { kind: { enum: ACTOR_KINDS }, id: { type: 'string', minLength: 1, maxLength: ACTOR_ID_MAX_LENGTH } },
} as const;
const severity = { enum: INCIDENT_SEVERITIES } as const;
const status = { enum: INCIDENT_STATUSES } as const;

export const IpBlockedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.IpBlocked:v1',
  title: 'audit.IpBlocked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.IpBlocked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'ip', 'until', 'reason', 'by', 'at'],
      properties: {
        tenantId: id,
        ip,
        until: nullableTimestamp,
        reason: { type: 'string', minLength: 1, maxLength: BLOCK_REASON_MAX_LENGTH },
        by: actor,
        at: timestamp,
      },
    },
  },
} as const;

export const IpUnblockedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.IpUnblocked:v1',
  title: 'audit.IpUnblocked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.IpUnblocked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'ip', 'by', 'at'],
      properties: { tenantId: id, ip, by: actor, at: timestamp },
    },
  },
} as const;

export const IncidentOpenedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.IncidentOpened:v1',
  title: 'audit.IncidentOpened v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.IncidentOpened' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'incidentId', 'kind', 'severity', 'titleEncrypted', 'descriptionEncrypted', 'detectedAt', 'notificationDeadline', 'openedBy', 'at'],
      properties: {
        tenantId: id,
        incidentId: id,
        kind: { enum: INCIDENT_KINDS },
        severity,
        titleEncrypted: ciphertext,
        descriptionEncrypted: { type: ['string', 'null'], minLength: 1 },
        detectedAt: timestamp,
        notificationDeadline: nullableTimestamp,
        openedBy: actor,
        at: timestamp,
      },
    },
  },
} as const;

export const IncidentEntryAddedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.IncidentEntryAdded:v1',
  title: 'audit.IncidentEntryAdded v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.IncidentEntryAdded' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'incidentId', 'entryId', 'kind', 'textEncrypted', 'by', 'at'],
      properties: {
        tenantId: id,
        incidentId: id,
        entryId: id,
        kind: { enum: INCIDENT_ENTRY_EVENT_KINDS },
        textEncrypted: ciphertext,
        by: actor,
        at: timestamp,
      },
    },
  },
} as const;

export const IncidentStatusChangedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.IncidentStatusChanged:v1',
  title: 'audit.IncidentStatusChanged v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.IncidentStatusChanged' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'incidentId', 'from', 'to', 'by', 'at'],
      properties: { tenantId: id, incidentId: id, from: status, to: status, by: actor, at: timestamp },
    },
  },
} as const;

export const IncidentSeverityChangedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.IncidentSeverityChanged:v1',
  title: 'audit.IncidentSeverityChanged v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.IncidentSeverityChanged' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'incidentId', 'from', 'to', 'by', 'at'],
      properties: { tenantId: id, incidentId: id, from: severity, to: severity, by: actor, at: timestamp },
    },
  },
} as const;

export const BreachDeadlineAlertedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:audit.BreachDeadlineAlerted:v1',
  title: 'audit.BreachDeadlineAlerted v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'audit.BreachDeadlineAlerted' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'incidentId', 'deadline', 'threshold', 'at'],
      properties: { tenantId: id, incidentId: id, deadline: timestamp, threshold: { enum: BREACH_ALERT_THRESHOLDS }, at: timestamp },
    },
  },
} as const;

/** Every published schema by type, then by schema version; any other version is rejected on read. */
export const AUDIT_EVENT_SCHEMAS = {
  'audit.IpBlocked': { 1: IpBlockedV1Schema },
  'audit.IpUnblocked': { 1: IpUnblockedV1Schema },
  'audit.IncidentOpened': { 1: IncidentOpenedV1Schema },
  'audit.IncidentEntryAdded': { 1: IncidentEntryAddedV1Schema },
  'audit.IncidentStatusChanged': { 1: IncidentStatusChangedV1Schema },
  'audit.IncidentSeverityChanged': { 1: IncidentSeverityChangedV1Schema },
  'audit.BreachDeadlineAlerted': { 1: BreachDeadlineAlertedV1Schema },
} as const satisfies Record<AuditEventType, Record<number, object>>;
