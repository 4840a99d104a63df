import { CLOCK_METHODS, FLAG_CODES } from '../vocabulary';
import type { RecordsEventType } from './records.events';

/*
 * JSON Schemas (draft 2020-12) of the published records events, one per type and version.
 * A schema never changes once published: a new shape is a new version with a new schema.
 */

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const id = { type: 'string', minLength: 1 } as const;
const nullableId = { type: ['string', 'null'], minLength: 1 } as const;
const nullableText = { type: ['string', 'null'], minLength: 1 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const pinned = {
  type: 'object',
  additionalProperties: false,
  required: ['checklistId', 'version'],
  properties: { checklistId: id, version: { type: 'integer', minimum: 1 } },
} as const;
const geo = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['lat', 'lon', 'accuracyMeters'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    accuracyMeters: { type: 'number', minimum: 0, maximum: 100000 },
  },
} as const;
const evidence = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'method', 'scanCode', 'areaId', 'geo'],
  properties: { at: timestamp, method: { enum: CLOCK_METHODS }, scanCode: nullableText, areaId: nullableId, geo },
} as const;
const flags = {
  type: 'array',
  maxItems: 10,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['code', 'detail'],
    properties: { code: { enum: FLAG_CODES }, detail: { type: 'string', minLength: 1, maxLength: 500 } },
  },
} as const;
const scoringMethod = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, version: { type: 'string', minLength: 1, maxLength: 50 } },
} as const;
const inspectionItems = {
  type: 'array',
  maxItems: 200,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['label', 'score'],
    properties: { label: { type: 'string', minLength: 1, maxLength: 300 }, score: { type: 'number', minimum: 0, maximum: 100 } },
  },
} as const;
const target = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'field'],
  properties: { version: { type: 'integer', minimum: 1 }, field: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export const CleaningStartedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.CleaningStarted:v1',
  title: 'records.CleaningStarted v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.CleaningStarted' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'shiftId', 'locationId', 'cleanerId', 'checklist', 'clockIn', 'flags'],
      properties: {
        tenantId: id,
        recordId: id,
        shiftId: id,
        locationId: id,
        cleanerId: id,
        checklist: pinned,
        clockIn: evidence,
        flags: flags,
      },
    },
  },
} as const;

export const TaskCompletedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.TaskCompleted:v1',
  title: 'records.TaskCompleted v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.TaskCompleted' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'taskId', 'areaId', 'completedAt', 'notesEncrypted', 'photoSha256', 'flags'],
      properties: {
        tenantId: id,
        recordId: id,
        taskId: id,
        areaId: id,
        completedAt: timestamp,
        notesEncrypted: nullableText,
        photoSha256: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$' },
        flags: flags,
      },
    },
  },
} as const;

export const IssueReportedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.IssueReported:v1',
  title: 'records.IssueReported v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.IssueReported' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'issueId', 'areaId', 'category', 'descriptionEncrypted', 'reportedAt'],
      properties: {
        tenantId: id,
        recordId: id,
        issueId: id,
        areaId: nullableId,
        category: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
        descriptionEncrypted: { type: 'string', minLength: 1 },
        reportedAt: timestamp,
      },
    },
  },
} as const;

export const ClockedOutV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.ClockedOut:v1',
  title: 'records.ClockedOut v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.ClockedOut' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'clockOut', 'flags'],
      properties: {
        tenantId: id,
        recordId: id,
        clockOut: evidence,
        flags: flags,
      },
    },
  },
} as const;

export const InspectionRecordedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.InspectionRecorded:v1',
  title: 'records.InspectionRecorded v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.InspectionRecorded' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'inspectorId', 'score', 'method', 'items', 'inspectedAt'],
      properties: {
        tenantId: id,
        recordId: id,
        inspectorId: id,
        score: { type: 'number', minimum: 0, maximum: 100 },
        method: scoringMethod,
        items: inspectionItems,
        inspectedAt: timestamp,
      },
    },
  },
} as const;

export const RecordSealedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.RecordSealed:v1',
  title: 'records.RecordSealed v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.RecordSealed' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'sealedBy', 'sealedAt'],
      properties: {
        tenantId: id,
        recordId: id,
        sealedBy: id,
        sealedAt: timestamp,
      },
    },
  },
} as const;

export const RecordCorrectedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:records.RecordCorrected:v1',
  title: 'records.RecordCorrected v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'records.RecordCorrected' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'recordId', 'correctionId', 'target', 'value', 'reasonEncrypted', 'correctedBy', 'afterSeal', 'correctedAt'],
      properties: {
        tenantId: id,
        recordId: id,
        correctionId: id,
        target: target,
        value: { type: ['string', 'number', 'boolean', 'null'] },
        reasonEncrypted: { type: 'string', minLength: 1 },
        correctedBy: id,
        afterSeal: { type: 'boolean' },
        correctedAt: timestamp,
      },
    },
  },
} as const;

/** Every published schema by type, then by schema version; any other version is rejected on read. */
export const RECORDS_EVENT_SCHEMAS = {
  'records.CleaningStarted': { 1: CleaningStartedV1Schema },
  'records.TaskCompleted': { 1: TaskCompletedV1Schema },
  'records.IssueReported': { 1: IssueReportedV1Schema },
  'records.ClockedOut': { 1: ClockedOutV1Schema },
  'records.InspectionRecorded': { 1: InspectionRecordedV1Schema },
  'records.RecordSealed': { 1: RecordSealedV1Schema },
  'records.RecordCorrected': { 1: RecordCorrectedV1Schema },
} as const satisfies Record<RecordsEventType, Record<number, object>>;
