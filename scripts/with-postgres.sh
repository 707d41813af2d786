#!/bin/sh
# Run a command against a throwaway PostgreSQL server: a new cluster in a temporary folder,
# listening only on a Unix socket there (no TCP port), trusted local access, durability off
# (it is thrown away), stopped and removed when the command ends. The command finds the
# server in BAOXUE_TEST_POSTGRES. `make test` runs the suite a second time this way.
# As root the cluster runs as the postgres user (initdb refuses root).
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "PostgreSQL server not installed (apt-get install postgresql)" >&2
  exit 1
fi
dir=$(mktemp -d "${BAOXUE_PG_BASE:-/tmp}/baoxue-pg.XXXXXX")  # test-both.sh may choose /dev/shm
as=""
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as="runuser -u postgres --"
fi
stop() {
  $as "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM
$as "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
$as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-k $dir -c listen_addresses= \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $dir"
BAOXUE_TEST_POSTGRES="postgresql://postgres@/postgres?host=$dir" "$@"
