import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

/**
 * Records' read models (`records_rm`, rebuilt from events by its projection): the list of
 * records, and records' own view of scheduling's published events — the shifts, sites, areas,
 * scan codes and checklist versions that evidence is judged against.
 */
export const recordsMigrations: Migration[] = [
  {
    id: 'records/001-read-models',
    sql: `
CREATE SCHEMA IF NOT EXISTS records_rm;
CREATE TABLE records_rm.records (
  record_id        uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  shift_id         uuid NOT NULL,
  location_id      uuid NOT NULL,
  cleaner_id       uuid NOT NULL,
  status           text NOT NULL,
  started_at       timestamptz NOT NULL,
  clocked_out_at   timestamptz,
  sealed_at        timestamptz,
  flag_count       int NOT NULL DEFAULT 0,
  correction_count int NOT NULL DEFAULT 0
);
CREATE INDEX records_location_time ON records_rm.records (tenant_id, location_id, started_at, record_id);
CREATE INDEX records_tenant_time ON records_rm.records (tenant_id, started_at, record_id);
CREATE TABLE records_rm.shifts (
  shift_id          uuid PRIMARY KEY,
  tenant_id         uuid NOT NULL,
  location_id       uuid NOT NULL,
  start_at          timestamptz NOT NULL,
  end_at            timestamptz NOT NULL,
  status            text NOT NULL,
  checklist_id      uuid NOT NULL,
  checklist_version int NOT NULL,
  cleaner_ids       uuid[] NOT NULL DEFAULT '{}'
);
CREATE TABLE records_rm.locations (
  location_id     uuid PRIMARY KEY,
  tenant_id       uuid NOT NULL,
  geofence        jsonb NOT NULL,
  clock_in_policy text NOT NULL
);
CREATE TABLE records_rm.areas (
  area_id     uuid PRIMARY KEY,
  location_id uuid NOT NULL,
  kind        text NOT NULL
);
CREATE INDEX areas_location ON records_rm.areas (location_id);
CREATE TABLE records_rm.scan_points (
  scan_point_id uuid PRIMARY KEY,
  location_id   uuid NOT NULL,
  area_id       uuid NOT NULL,
  code          text NOT NULL
);
CREATE INDEX scan_points_location ON records_rm.scan_points (location_id);
CREATE TABLE records_rm.checklist_versions (
  checklist_id uuid NOT NULL,
  version      int NOT NULL,
  area_kind    text NOT NULL,
  task_ids     text[] NOT NULL,
  PRIMARY KEY (checklist_id, version)
);
GRANT USAGE ON SCHEMA records_rm TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA records_rm TO ${RUNTIME_ROLE};
`,
  },
];
