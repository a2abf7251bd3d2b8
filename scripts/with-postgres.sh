#!/usr/bin/env bash
# Runs a command with FLOORLINK_TEST_DATABASE_URL pointing at a fresh PostgreSQL database,
# starting (or installing) the local server where it is not running; drops it afterwards.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

name="floorlink_ci_$$"
if psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  url="postgresql://postgres@127.0.0.1:5432/$name"
  createdb -h 127.0.0.1 -U postgres "$name"
  trap 'dropdb -h 127.0.0.1 -U postgres --if-exists "$name" >/dev/null 2>&1 || true' EXIT
else
  # No trust auth: a password role of our own, made through the postgres superuser.
  as_postgres psql -qc "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='floorlink_ci') THEN CREATE ROLE floorlink_ci LOGIN CREATEDB PASSWORD 'floorlink_ci'; END IF; END\$\$;"
  as_postgres createdb -O floorlink_ci "$name"
  url="postgresql://floorlink_ci:floorlink_ci@127.0.0.1:5432/$name"
  trap 'as_postgres dropdb --if-exists "$name" >/dev/null 2>&1 || true' EXIT
fi
echo "PostgreSQL test database: $name"
FLOORLINK_TEST_DATABASE_URL="$url" "$@"
