import { RUNTIME_ROLE, type Migration } from '@custodian/platform';

export const projectionMigrations: Migration[] = [
  {
    id: 'projections/001-checkpoints',
    sql: `
CREATE SCHEMA IF NOT EXISTS projections;
CREATE TABLE projections.checkpoints (
  name       text PRIMARY KEY,
  position   bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
GRANT USAGE ON SCHEMA projections TO ${RUNTIME_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON projections.checkpoints TO ${RUNTIME_ROLE};
`,
  },
];
