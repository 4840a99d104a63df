import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * Scheduling's read models (`scheduling_rm`, rebuilt from events by its projection). `people`
 * is scheduling's own view of identity's published events: who may be put on a shift where.
 */
export const schedulingMigrations: Migration[] = [
  {
    id: 'scheduling/001-read-models',
    sql: `
CREATE SCHEMA IF NOT EXISTS scheduling_rm;
CREATE TABLE scheduling_rm.locations (
  location_id     uuid PRIMARY KEY,
  tenant_id       uuid NOT NULL,
  name            text NOT NULL,
  address         text NOT NULL,
  timezone        text NOT NULL,
  sensitivity     text NOT NULL,
  geofence        jsonb NOT NULL,
  clock_in_policy text NOT NULL,
  registered_at   timestamptz NOT NULL
);
CREATE INDEX locations_tenant ON scheduling_rm.locations (tenant_id, registered_at, location_id);
CREATE TABLE scheduling_rm.areas (
  area_id     uuid PRIMARY KEY,
  location_id uuid NOT NULL,
  tenant_id   uuid NOT NULL,
  name        text NOT NULL,
  kind        text NOT NULL,
  added_at    timestamptz NOT NULL
);
CREATE INDEX areas_location ON scheduling_rm.areas (location_id);
CREATE TABLE scheduling_rm.scan_points (
  scan_point_id uuid PRIMARY KEY,
  area_id       uuid NOT NULL,
  location_id   uuid NOT NULL,
  tenant_id     uuid NOT NULL,
  method        text NOT NULL,
  code          text NOT NULL UNIQUE,
  issued_at     timestamptz NOT NULL,
  rotated_at    timestamptz
);
CREATE INDEX scan_points_area ON scheduling_rm.scan_points (area_id);
CREATE TABLE scheduling_rm.checklists (
  checklist_id uuid NOT NULL,
  version      int NOT NULL,
  tenant_id    uuid NOT NULL,
  name         text NOT NULL,
  area_kind    text NOT NULL,
  tasks        jsonb NOT NULL,
  created_at   timestamptz NOT NULL,
  latest       boolean NOT NULL,
  PRIMARY KEY (checklist_id, version)
);
CREATE INDEX checklists_tenant ON scheduling_rm.checklists (tenant_id, latest, created_at, checklist_id);
CREATE TABLE scheduling_rm.shifts (
  shift_id           uuid PRIMARY KEY,
  tenant_id          uuid NOT NULL,
  location_id        uuid NOT NULL,
  start_at           timestamptz NOT NULL,
  end_at             timestamptz NOT NULL,
  local_start        text NOT NULL,
  local_end          text NOT NULL,
  timezone           text NOT NULL,
  checklist_id       uuid NOT NULL,
  checklist_version  int NOT NULL,
  series_id          uuid,
  status             text NOT NULL,
  reason_encrypted   text,
  cancelled_at       timestamptz
);
CREATE INDEX shifts_location_time ON scheduling_rm.shifts (tenant_id, location_id, start_at, shift_id);
CREATE INDEX shifts_tenant_time ON scheduling_rm.shifts (tenant_id, start_at, shift_id);
CREATE TABLE scheduling_rm.shift_cleaners (
  shift_id   uuid NOT NULL,
  cleaner_id uuid NOT NULL,
  tenant_id  uuid NOT NULL,
  start_at   timestamptz NOT NULL,
  PRIMARY KEY (shift_id, cleaner_id)
);
CREATE INDEX shift_cleaners_cleaner ON scheduling_rm.shift_cleaners (tenant_id, cleaner_id, start_at);
CREATE TABLE scheduling_rm.people (
  user_id           uuid PRIMARY KEY,
  tenant_id         uuid NOT NULL,
  disabled          boolean NOT NULL,
  records_access    text,
  records_locations jsonb
);
GRANT USAGE ON SCHEMA scheduling_rm TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA scheduling_rm TO ${RUNTIME_ROLE};
`,
  },
];
