#!/bin/sh
# `make test`: the suite twice at once, on SQLite files and on a throwaway PostgreSQL server
# (scripts/with-postgres.sh), one run a core; what does not depend on the engine (the Chromium
# flows, the rules of print) is done in one of the two (tests/conftest.py). They share nothing:
# each test has its own database and temporary folder, and live servers take free ports. Each
# run writes its own log, shown in full when both have ended; the command fails if either does.
set -u
export BAOXUE_BOTH_ENGINES=1  # conftest: a one_engine test runs in one of the two runs
# The PostgreSQL cluster in memory when there is room (1 GB free in /dev/shm; a run peaks at
# ~125 MB): on ext4 each CREATE DATABASE from the template took 300-550 ms even with fsync off,
# in tmpfs 15-30 ms, and the PostgreSQL run alone 304 -> 152 s. Else (a container's 64 MB) /tmp.
if [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 1000000 ] 2>/dev/null; then
  export BAOXUE_PG_BASE=/dev/shm
fi
python=$1
shift
logs=$(mktemp -d /tmp/baoxue-test.XXXXXX)
echo "The suite on SQLite and on PostgreSQL at once; the logs follow when both have ended."
start=$(date +%s)
{ "$python" -m pytest -p no:cacheprovider "$@" >"$logs/sqlite.log" 2>&1
  echo $? >"$logs/sqlite.rc"; echo $(($(date +%s) - start)) >"$logs/sqlite.s"; } &
sqlite=$!
sh scripts/with-postgres.sh "$python" -m pytest -p no:cacheprovider "$@" >"$logs/postgres.log" 2>&1
postgres=$?
took=$(($(date +%s) - start))
wait "$sqlite"
lite=$(cat "$logs/sqlite.rc")
echo "=== on SQLite (exit $lite, $(cat "$logs/sqlite.s") s)"
cat "$logs/sqlite.log"
echo "=== on PostgreSQL (exit $postgres, $took s with the server's start)"
cat "$logs/postgres.log"
echo "=== both runs: $(($(date +%s) - start)) s"
rm -rf "$logs"
[ "$lite" -eq 0 ] && [ "$postgres" -eq 0 ]
