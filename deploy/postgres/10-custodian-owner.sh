#!/bin/bash
# Runs once, when the compose PostgreSQL volume is first initialised (/docker-entrypoint-initdb.d).
# Creates the role the services connect as: LOGIN and CREATEROLE (the first migration creates
# the NOLOGIN role custodian_runtime and grants it to this role) but NOT superuser, and the
# database it owns. The superuser (POSTGRES_USER) is for the DBA, never for the services.
# Changing these variables later has no effect: the volume is already initialised.
set -euo pipefail
: "${CUSTODIAN_DB_USER:?}" "${CUSTODIAN_DB_PASSWORD:?}" "${CUSTODIAN_DB_NAME:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner="$CUSTODIAN_DB_USER" -v password="$CUSTODIAN_DB_PASSWORD" -v db="$CUSTODIAN_DB_NAME" <<'SQL'
CREATE ROLE :"owner" LOGIN CREATEROLE NOSUPERUSER NOCREATEDB NOREPLICATION PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
