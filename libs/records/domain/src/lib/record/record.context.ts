import type { Geofence } from '@custodian/scheduling/contracts';

/**
 * What a record command is judged against, as the app layer read it (from scheduling's
 * published events) just before deciding. Deciders never fetch it themselves.
 */
export type ShiftContext = {
  shiftId: string;
  tenantId: string;
  locationId: string;
  start: string;
  end: string;
  status: 'scheduled' | 'cancelled';
  cleanerIds: string[];
  checklist: { checklistId: string; version: number; areaKind: string; taskIds: string[] };
};

export type LocationContext = {
  geofence: Geofence;
  clockInPolicy: 'flag' | 'refuse';
  /** Areas of the location with their kind. */
  areas: Array<{ areaId: string; kind: string }>;
  /** Current scan codes of the location → the area each belongs to. */
  scanCodes: Record<string, string>;
};

/** Who acts, and what their `records` grant allows (the gateway checked the module; scope is the app layer's). */
export type RecordActor = { id: string; userId: string; canManage: boolean };
