#!/usr/bin/env bash
# Checks the monitoring files against the real thing:
#  1. promtool check config / check rules / test rules over monitoring/;
#  2. a gateway with the demo load and a live feed client, scraped by a real Prometheus that uses
#     monitoring/prometheus/prometheus.yml (pointed at this run's ports): the freshness
#     histograms, ingest and feed metrics have samples, every recording rule yields a value (but
#     those of clustered mode only), and every rule is healthy;
#  3. `promtool check metrics` on a real scrape;
#  4. every metric named in the rules and the dashboard exists in that scrape.
#
# Needs: target/pricewire.jar, prometheus and promtool (Debian package prometheus), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

http_port=${CHECK_HTTP_PORT:-18180}
ops_port=${CHECK_OPS_PORT:-18181}
prom_port=${CHECK_PROMETHEUS_PORT:-19190}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "MONITORING CHECK FAILED: $*" >&2; exit 1; }

echo "-- promtool over monitoring/"
promtool check config monitoring/prometheus/prometheus.yml
promtool check rules monitoring/prometheus/rules/*.yml
promtool test rules monitoring/prometheus/tests/*.yml

echo "-- gateway with demo load"
PRICEWIRE_HTTP_PORT=$http_port PRICEWIRE_OPS_PORT=$ops_port PRICEWIRE_HTTP_HOST=127.0.0.1 \
  PRICEWIRE_OPS_HOST=127.0.0.1 PRICEWIRE_DEMO_INTERVAL_MS=50 \
  java -jar target/pricewire.jar --demo >"$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$ops_port/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$ops_port/health/ready" >/dev/null || { tail -20 "$work/gateway.log"; fail "gateway not ready"; }
# A live feed client, so that freshness and feed metrics have samples.
java -jar target/pricewire.jar watch --url "ws://127.0.0.1:$http_port/v1/feed" >"$work/watch.log" 2>&1 &
pids+=($!)
# Applied and rejected items through the ingest API, with the development key, all along the check.
eval "$(java -jar target/pricewire.jar credentials --port "$http_port")"
curl -sf "http://127.0.0.1:$http_port/v1/suppliers/atlantic-seafood/offers" \
  -H "Authorization: Bearer $PRICEWIRE_KEY_ATLANTIC_SEAFOOD" -H 'Content-Type: application/json' -d '[]' \
  >/dev/null || fail "the ingest API refused the development key"
(
  i=0
  while :; do
    i=$((i + 1))
    curl -s "http://127.0.0.1:$http_port/v1/suppliers/atlantic-seafood/offers" \
      -H "Authorization: Bearer $PRICEWIRE_KEY_ATLANTIC_SEAFOOD" -H 'Content-Type: application/x-ndjson' \
      --data-binary "{\"sku\": \"check-$((i % 5))\", \"price\": \"$((i % 90 + 10)).00 CAD\", \"availability\": \"in_stock\"}
{\"sku\": \"check-bad\", \"price\": \"9,99 CAD\"}" >/dev/null
    sleep 0.5
  done
) &
pids+=($!)

echo "-- Prometheus with monitoring/prometheus/prometheus.yml, pointed at this run"
mkdir -p "$work/prometheus"
cp -r monitoring/prometheus/rules "$work/prometheus/"
sed -e "s/localhost:8081/127.0.0.1:$ops_port/" \
    -e 's/scrape_interval: *15s/scrape_interval: 1s/' -e 's/evaluation_interval: *15s/evaluation_interval: 1s/' \
    monitoring/prometheus/prometheus.yml >"$work/prometheus/prometheus.yml"
grep -q "127.0.0.1:$ops_port" "$work/prometheus/prometheus.yml" || fail "prometheus.yml does not target localhost:8081"
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

query() {
  curl -sf "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(len(r), r[0]["value"][1] if r else "")'
}

expect_samples() {
  local expr=$1 deadline=$((SECONDS + 60)) out
  while :; do
    out=$(query "$expr" 2>/dev/null || echo "0 ")
    if [ "${out%% *}" != "0" ] && [ "${out#* }" != "NaN" ]; then
      echo "   ok  $expr = ${out#* }"
      return 0
    fi
    [ $SECONDS -lt $deadline ] || fail "no value for $expr (last: $out)"
    sleep 1
  done
}

for expr in 'up{job="pricewire"} == 1' \
    'pricewire_feed_commit_to_write_seconds_count > 0' \
    'pricewire_feed_ingest_to_write_seconds_count > 0' \
    'sum(pricewire_ingest_items_total{status="applied"}) > 0' \
    'sum(pricewire_ingest_items_total{status="rejected"}) > 0' \
    'pricewire_feed_updates_sent_total > 0' \
    'pricewire_feed_connections{transport="websocket"} >= 1' \
    'pricewire_ledger_changes_total > 0' \
    'pricewire_store_up == 1'; do
  expect_samples "$expr"
done
# Recording rules over clustered-mode series have no value on this standalone gateway (no peer
# update is ever written); they must still be healthy, which the rules check below covers.
cluster_only=' pricewire:feed_peer_commit_to_write_seconds:p99_5m '
for rule in $(grep -hoE 'record: *[a-z_:0-9]+' monitoring/prometheus/rules/*.yml | sed 's/record: *//'); do
  case "$cluster_only" in
    *" $rule "*) echo "   skip $rule (clustered mode only)"; continue ;;
  esac
  expect_samples "$rule"
done
curl -sf "http://127.0.0.1:$prom_port/api/v1/rules" | python3 -c '
import json, sys
groups = json.load(sys.stdin)["data"]["groups"]
rules = [r for g in groups for r in g["rules"]]
bad = [r["name"] for r in rules if r.get("health") != "ok"]
print("   %d rules loaded in %d groups, unhealthy: %s" % (len(rules), len(groups), bad or "none"))
sys.exit(1 if bad or not rules else 0)' || fail "rules are not all healthy"

echo "-- promtool check metrics on a real scrape"
curl -sf "http://127.0.0.1:$ops_port/metrics" >"$work/scrape.txt"
promtool check metrics <"$work/scrape.txt" || fail "promtool check metrics found problems"
echo "   $(grep -c '^# TYPE' "$work/scrape.txt") metric families, $(grep -vc '^#' "$work/scrape.txt") series"

echo "-- every metric in the rules and the dashboard exists in the scrape"
python3 - "$work/scrape.txt" monitoring/prometheus/rules/*.yml monitoring/grafana/dashboards/*.json <<'PY'
import json, re, sys
scrape = open(sys.argv[1]).read()
present = set(re.findall(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{| )', scrape, re.M))
recorded = set()
exprs = []
for path in sys.argv[2:]:
    text = open(path).read()
    if path.endswith('.json'):
        def walk(node):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == 'expr' and isinstance(v, str):
                        exprs.append((path, v))
                    else:
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(json.loads(text))
    else:
        recorded.update(re.findall(r'record:\s*([a-zA-Z_:][a-zA-Z0-9_:]*)', text))
        exprs += [(path, e) for e in re.findall(r'expr:\s*(.+(?:\n\s{6,}.+)*)', text)]
names = set()
for path, e in exprs:
    e = re.sub(r'"[^"]*"', '""', e)            # drop label values
    e = re.sub(r'\{[^}]*\}', '', e)              # drop label matchers
    e = re.sub(r'\[[^\]]*\]', '', e)             # drop ranges
    for token in re.findall(r'[a-zA-Z_:][a-zA-Z0-9_:]*', e):
        if token.startswith(('pricewire', 'vertx_', 'jvm_', 'process_', 'system_')) or token == 'up':
            names.add((path, token))
missing = []
for path, n in sorted(names):
    if n in recorded or n == 'up':
        continue
    if n not in present:
        missing.append('%s: %s' % (path, n))
print('   %d metric names checked' % len({n for _, n in names}))
if missing:
    print('   missing from the scrape:\n     ' + '\n     '.join(missing))
    sys.exit(1)
PY
echo "monitoring check passed"
