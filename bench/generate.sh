#!/usr/bin/env bash
# Generate the 1M-customer benchmark database and record time and size.
#   bench/generate.sh sqlite    → GUANXI_DATA_DIR=/tmp/gx-bench-sqlite
#   bench/generate.sh postgres  → also GUANXI_DATABASE_URL=…/guanxi_bench (created here)
# Output: bench/out/generate-<backend>.log
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
customers=${CUSTOMERS:-1000000}
export GUANXI_DATA_DIR=/tmp/gx-bench-$backend
mkdir -p bench/out "$GUANXI_DATA_DIR"
if [ "$backend" = postgres ]; then
  export GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench
  dropdb -h 127.0.0.1 -U postgres --if-exists guanxi_bench
  createdb -h 127.0.0.1 -U postgres guanxi_bench
else
  rm -f "$GUANXI_DATA_DIR"/guanxi.sqlite3*
fi
log=bench/out/generate-$backend.log
{
  echo "# $(date -Is) $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# command: GUANXI_DATA_DIR=$GUANXI_DATA_DIR ${GUANXI_DATABASE_URL:+GUANXI_DATABASE_URL=$GUANXI_DATABASE_URL }guanxi demo-data --industry energy --customers $customers --seed 1"
  start=$(date +%s.%N)
  /usr/bin/time -f "# cpu: user %U s, system %S s, max rss %M KB" .venv/bin/guanxi demo-data --industry energy --customers "$customers" --seed 1
  end=$(date +%s.%N)
  echo "# wall seconds (incl. migrate and ANALYZE): $(echo "$end - $start" | bc)"
  if [ "$backend" = postgres ]; then
    psql -h 127.0.0.1 -U postgres -d guanxi_bench -Atc "select 'database size: ' || pg_size_pretty(pg_database_size('guanxi_bench')) || ' (' || pg_database_size('guanxi_bench') || ' bytes)'"
  else
    .venv/bin/guanxi manage shell -c "from django.db import connection; c=connection.cursor(); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')"
    echo "database size: $(du -b "$GUANXI_DATA_DIR"/guanxi.sqlite3 | cut -f1) bytes ($(du -h "$GUANXI_DATA_DIR"/guanxi.sqlite3 | cut -f1))"
  fi
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$log" 2>&1
