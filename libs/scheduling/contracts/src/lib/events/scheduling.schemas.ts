import { CLOCK_IN_POLICIES, SCAN_METHODS, SENSITIVITIES } from '../vocabulary';
import type { SchedulingEventType } from './scheduling.events';

/*
 * JSON Schemas (draft 2020-12) of the published scheduling events, one per type and version.
 * Integrators validate against these; the fixture tests hold every version to its schema.
 * A schema never changes once published: a new shape is a new version with a new schema.
 */

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const id = { type: 'string', minLength: 1 } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const kind = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } as const;
const timezone = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** Wall-clock time at the location, no offset. */
const localTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' } as const;
const scanCode = { type: 'string', pattern: '^[0-9A-F]{32}$' } as const;
const geofence = {
  type: 'object',
  additionalProperties: false,
  required: ['lat', 'lon', 'radiusMeters'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    radiusMeters: { type: 'number', minimum: 1, maximum: 100000 },
  },
} as const;
const tasks = {
  type: 'array',
  minItems: 1,
  maxItems: 500,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['taskId', 'title', 'required'],
    properties: { taskId: id, title: { type: 'string', minLength: 1, maxLength: 300 }, required: { type: 'boolean' } },
  },
} as const;
const pinned = {
  type: 'object',
  additionalProperties: false,
  required: ['checklistId', 'version'],
  properties: { checklistId: id, version: { type: 'integer', minimum: 1 } },
} as const;

export const LocationRegisteredV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.LocationRegistered:v1',
  title: 'scheduling.LocationRegistered v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.LocationRegistered' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'locationId', 'name', 'address', 'timezone', 'sensitivity', 'geofence', 'clockInPolicy', 'registeredAt'],
      properties: {
        tenantId: id,
        locationId: id,
        name: name,
        address: { type: 'string', minLength: 1, maxLength: 500 },
        timezone: timezone,
        sensitivity: { enum: SENSITIVITIES },
        geofence: geofence,
        clockInPolicy: { enum: CLOCK_IN_POLICIES },
        registeredAt: timestamp,
      },
    },
  },
} as const;

export const AreaAddedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.AreaAdded:v1',
  title: 'scheduling.AreaAdded v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.AreaAdded' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'locationId', 'areaId', 'name', 'kind', 'addedAt'],
      properties: {
        tenantId: id,
        locationId: id,
        areaId: id,
        name: name,
        kind: kind,
        addedAt: timestamp,
      },
    },
  },
} as const;

export const ScanPointIssuedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ScanPointIssued:v1',
  title: 'scheduling.ScanPointIssued v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ScanPointIssued' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'locationId', 'areaId', 'scanPointId', 'method', 'code', 'issuedAt'],
      properties: {
        tenantId: id,
        locationId: id,
        areaId: id,
        scanPointId: id,
        method: { enum: SCAN_METHODS },
        code: scanCode,
        issuedAt: timestamp,
      },
    },
  },
} as const;

export const ScanPointRotatedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ScanPointRotated:v1',
  title: 'scheduling.ScanPointRotated v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ScanPointRotated' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'locationId', 'areaId', 'scanPointId', 'code', 'rotatedAt'],
      properties: {
        tenantId: id,
        locationId: id,
        areaId: id,
        scanPointId: id,
        code: scanCode,
        rotatedAt: timestamp,
      },
    },
  },
} as const;

export const ChecklistCreatedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ChecklistCreated:v1',
  title: 'scheduling.ChecklistCreated v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ChecklistCreated' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'checklistId', 'version', 'name', 'areaKind', 'tasks', 'createdAt'],
      properties: {
        tenantId: id,
        checklistId: id,
        version: { const: 1 },
        name: name,
        areaKind: kind,
        tasks: tasks,
        createdAt: timestamp,
      },
    },
  },
} as const;

export const ChecklistRevisedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ChecklistRevised:v1',
  title: 'scheduling.ChecklistRevised v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ChecklistRevised' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'checklistId', 'version', 'name', 'areaKind', 'tasks', 'revisedAt'],
      properties: {
        tenantId: id,
        checklistId: id,
        version: { type: 'integer', minimum: 2 },
        name: name,
        areaKind: kind,
        tasks: tasks,
        revisedAt: timestamp,
      },
    },
  },
} as const;

export const ShiftScheduledV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ShiftScheduled:v1',
  title: 'scheduling.ShiftScheduled v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ShiftScheduled' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'shiftId', 'locationId', 'start', 'end', 'localStart', 'localEnd', 'timezone', 'checklist', 'seriesId', 'scheduledAt'],
      properties: {
        tenantId: id,
        shiftId: id,
        locationId: id,
        start: timestamp,
        end: timestamp,
        localStart: localTime,
        localEnd: localTime,
        timezone: timezone,
        checklist: pinned,
        seriesId: { type: ['string', 'null'], minLength: 1 },
        scheduledAt: timestamp,
      },
    },
  },
} as const;

export const CleanerAssignedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.CleanerAssigned:v1',
  title: 'scheduling.CleanerAssigned v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.CleanerAssigned' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'shiftId', 'cleanerId', 'assignedAt'],
      properties: {
        tenantId: id,
        shiftId: id,
        cleanerId: id,
        assignedAt: timestamp,
      },
    },
  },
} as const;

export const CleanerUnassignedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.CleanerUnassigned:v1',
  title: 'scheduling.CleanerUnassigned v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.CleanerUnassigned' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'shiftId', 'cleanerId', 'unassignedAt'],
      properties: {
        tenantId: id,
        shiftId: id,
        cleanerId: id,
        unassignedAt: timestamp,
      },
    },
  },
} as const;

export const ShiftRescheduledV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ShiftRescheduled:v1',
  title: 'scheduling.ShiftRescheduled v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ShiftRescheduled' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'shiftId', 'start', 'end', 'localStart', 'localEnd', 'rescheduledAt'],
      properties: {
        tenantId: id,
        shiftId: id,
        start: timestamp,
        end: timestamp,
        localStart: localTime,
        localEnd: localTime,
        rescheduledAt: timestamp,
      },
    },
  },
} as const;

export const ShiftCancelledV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.ShiftCancelled:v1',
  title: 'scheduling.ShiftCancelled v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.ShiftCancelled' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'shiftId', 'reasonEncrypted', 'cancelledAt'],
      properties: {
        tenantId: id,
        shiftId: id,
        reasonEncrypted: { type: 'string', minLength: 1 },
        cancelledAt: timestamp,
      },
    },
  },
} as const;

export const CleanerBookedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.CleanerBooked:v1',
  title: 'scheduling.CleanerBooked v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.CleanerBooked' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'cleanerId', 'shiftId', 'start', 'end', 'bookedAt'],
      properties: {
        tenantId: id,
        cleanerId: id,
        shiftId: id,
        start: timestamp,
        end: timestamp,
        bookedAt: timestamp,
      },
    },
  },
} as const;

export const CleanerBookingMovedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.CleanerBookingMoved:v1',
  title: 'scheduling.CleanerBookingMoved v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.CleanerBookingMoved' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'cleanerId', 'shiftId', 'start', 'end', 'movedAt'],
      properties: {
        tenantId: id,
        cleanerId: id,
        shiftId: id,
        start: timestamp,
        end: timestamp,
        movedAt: timestamp,
      },
    },
  },
} as const;

export const CleanerBookingReleasedV1Schema = {
  $schema: DRAFT,
  $id: 'urn:custodian:event:scheduling.CleanerBookingReleased:v1',
  title: 'scheduling.CleanerBookingReleased v1',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'schemaVersion', 'data'],
  properties: {
    type: { const: 'scheduling.CleanerBookingReleased' },
    schemaVersion: { const: 1 },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'cleanerId', 'shiftId', 'releasedAt'],
      properties: {
        tenantId: id,
        cleanerId: id,
        shiftId: id,
        releasedAt: timestamp,
      },
    },
  },
} as const;

/** Every published schema by type, then by schema version; any other version is rejected on read. */
export const SCHEDULING_EVENT_SCHEMAS = {
  'scheduling.LocationRegistered': { 1: LocationRegisteredV1Schema },
  'scheduling.AreaAdded': { 1: AreaAddedV1Schema },
  'scheduling.ScanPointIssued': { 1: ScanPointIssuedV1Schema },
  'scheduling.ScanPointRotated': { 1: ScanPointRotatedV1Schema },
  'scheduling.ChecklistCreated': { 1: ChecklistCreatedV1Schema },
  'scheduling.ChecklistRevised': { 1: ChecklistRevisedV1Schema },
  'scheduling.ShiftScheduled': { 1: ShiftScheduledV1Schema },
  'scheduling.CleanerAssigned': { 1: CleanerAssignedV1Schema },
  'scheduling.CleanerUnassigned': { 1: CleanerUnassignedV1Schema },
  'scheduling.ShiftRescheduled': { 1: ShiftRescheduledV1Schema },
  'scheduling.ShiftCancelled': { 1: ShiftCancelledV1Schema },
  'scheduling.CleanerBooked': { 1: CleanerBookedV1Schema },
  'scheduling.CleanerBookingMoved': { 1: CleanerBookingMovedV1Schema },
  'scheduling.CleanerBookingReleased': { 1: CleanerBookingReleasedV1Schema },
} as const satisfies Record<SchedulingEventType, Record<number, object>>;
