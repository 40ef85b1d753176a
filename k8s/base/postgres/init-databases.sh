#!/bin/sh
# Creates one login role and one database per service, owned by that role, and keeps
# each role's password in sync with its Secret (ltm-db-<svc>, key "password", mounted
# at /etc/ltm-db/<svc>/password). Idempotent: the Job can run on every deploy.
# Passwords reach SQL only through psql variables (:'pw' = properly quoted literal).
set -eu
: "${PGHOST:?}" "${PGUSER:?}"
until pg_isready -q; do echo "waiting for postgres at $PGHOST"; sleep 2; done

for svc in auth user routine scheduler notification letter letter-storage emotion-ml emotion-store recommend; do
  name="ltm_$(echo "$svc" | tr '-' '_')"
  pwfile="/etc/ltm-db/$svc/password"
  [ -s "$pwfile" ] || { echo "missing $pwfile (Secret ltm-db-$svc)" >&2; exit 1; }
  psql -v ON_ERROR_STOP=1 -q -d postgres -v name="$name" -v pw="$(cat "$pwfile")" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'name', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'name', :'name', 'UTF8')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
-- Only the owner (and the superuser) may connect; services cannot read each other's data.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name') \gexec
SQL
  echo "ok: role and database $name"
done
