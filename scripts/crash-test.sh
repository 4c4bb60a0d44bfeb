#!/usr/bin/env bash
# Crash test: acknowledged means durable.
#
# Runs the gateway in postgres mode, drives ingest from several clients that record every write
# the gateway acknowledged, kills the gateway with SIGKILL at a random moment, restarts it, and
# checks in PostgreSQL (with psql, not through the gateway) that every acknowledged
# (supplier, sku, version) is in the change log, that no offer went back to an older version,
# and that the change log has no gap. Repeats N times (default 10).
#
#   scripts/crash-test.sh [iterations]
#
# Needs: target/pricewire.jar (mvn package), psql, a PostgreSQL whose user may create databases
# (PRICEWIRE_TEST_PG_URI, default postgresql://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

iterations=${1:-10}
admin_uri=${PRICEWIRE_TEST_PG_URI:-postgresql://postgres@127.0.0.1:5432/postgres}
db=pricewire_crash_$$
db_uri="${admin_uri%/*}/$db"
work=$(mktemp -d)
acked="$work/acked.csv"
http_port=${CRASH_HTTP_PORT:-18080}
ops_port=${CRASH_OPS_PORT:-18081}
jar=target/pricewire.jar
gateway_pid=
writer_pid=

[ -f "$jar" ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 2; }

cleanup() {
  [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
  [ -n "$gateway_pid" ] && kill -9 "$gateway_pid" 2>/dev/null || true
  psql "$admin_uri" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

export PRICEWIRE_STORE=postgres PRICEWIRE_PG_URI="$db_uri" PRICEWIRE_HTTP_PORT=$http_port \
  PRICEWIRE_OPS_PORT=$ops_port PRICEWIRE_HTTP_HOST=127.0.0.1 PRICEWIRE_OPS_HOST=127.0.0.1 \
  PRICEWIRE_ADMIN_TOKEN=crash-test-admin-token-0123456789 \
  PRICEWIRE_JWT_SECRET=crash-test-jwt-secret-0123456789abcdef \
  PRICEWIRE_INGEST_RATE_PER_SUPPLIER=0

psql "$admin_uri" -qc "CREATE DATABASE $db"
touch "$acked"

start_gateway() {
  java -jar "$jar" >>"$work/gateway.log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$ops_port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "the gateway did not become ready; its log:" >&2
  tail -30 "$work/gateway.log" >&2
  exit 1
}

verify() {
  psql "$db_uri" -v ON_ERROR_STOP=1 -qAt <<SQL
CREATE TEMP TABLE acked (supplier text, sku text, version bigint);
\copy acked FROM '$acked' WITH (FORMAT csv)
SELECT 'acked=' || (SELECT count(*) FROM acked)
  || ' missing=' || (SELECT count(*) FROM acked a WHERE NOT EXISTS (
       SELECT 1 FROM changes c WHERE c.supplier = a.supplier AND c.sku = a.sku AND c.version = a.version))
  || ' regressed=' || (SELECT count(*) FROM (SELECT supplier, sku, max(version) v FROM acked GROUP BY 1, 2) m
       JOIN offers o USING (supplier, sku) WHERE o.version < m.v)
  || ' log=' || (SELECT count(*) FROM changes) || ' head=' || (SELECT head_seq FROM ledger)
  || ' gaps=' || (SELECT count(*) FROM (SELECT seq - lag(seq) OVER (ORDER BY seq) AS step FROM changes) s
       WHERE step <> 1)
  || ' first=' || coalesce((SELECT min(seq) FROM changes), 0);
SQL
}

failures=0
for i in $(seq 1 "$iterations"); do
  start_gateway
  java -jar "$jar" bench durability --url "http://127.0.0.1:$http_port" --ops-url "http://127.0.0.1:$ops_port" \
    --admin-token "$PRICEWIRE_ADMIN_TOKEN" --clients 4 --batch 50 --acked "$acked" >>"$work/writer.log" 2>&1 &
  writer_pid=$!
  # Kill at a random moment between 1.5 and 4.5 s into the load.
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1.5 + 3 * r / 32767 }')"
  kill -9 "$gateway_pid"
  wait "$gateway_pid" 2>/dev/null || true
  sleep 0.5
  kill "$writer_pid" 2>/dev/null || true
  wait "$writer_pid" 2>/dev/null || true
  writer_pid=
  start_gateway
  result=$(verify)
  kill "$gateway_pid"
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=
  echo "run $i: $result"
  case "$result" in
    *" missing=0 regressed=0 "*" gaps=0 first=1"|*" missing=0 regressed=0 "*" gaps=0 first=0") ;;
    *) failures=$((failures + 1)) ;;
  esac
  log=$(sed -E 's/.* log=([0-9]+) head=([0-9]+).*/\1 \2/' <<<"$result")
  read -r count head <<<"$log"
  [ "$count" = "$head" ] || { echo "run $i: log rows $count but head $head"; failures=$((failures + 1)); }
done

if [ "$failures" -gt 0 ]; then
  echo "CRASH TEST FAILED: $failures of $iterations runs lost acknowledged writes or left a gap"
  exit 1
fi
echo "crash test passed: $iterations runs, every acknowledged write present, no gap in the change log"
