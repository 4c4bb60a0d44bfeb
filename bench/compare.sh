#!/usr/bin/env bash
# Runs Pricewire's benchmarks on this machine and the same fan-out workload against a bare Vert.x
# broadcaster, NATS (WebSocket listener) and Socket.IO 4, one after the other, then writes the
# tables of bench/RESULTS.md. The raw results go to bench/results/*.json.
#
# Needs: Java 17 and Maven; nats-server (Debian: nats-server); node and npm (Socket.IO is installed
# from the npm registry into bench/peers/socketio); a PostgreSQL at 127.0.0.1:5432 that user
# postgres may use without a password (the durable runs create and drop database pricewire_bench).
# Takes about 40 minutes with the defaults. Settings, from the environment:
#   PHASES       fanout,live,capacity,latency,ingest,connections,resume,reprice,jmh   (what to run;
#                also cluster, not run by default: clustered mode at 1, 2 and 3 nodes, about 4 minutes)
#   CAPACITY     1000,10000   (capacity phase: subscriber counts)
#   LIVE         100x200,1000x200,1000x500,100x2000   (live phase: subscribers x changes/s)
#   SYSTEMS      pricewire,pricewire-postgres,broadcaster,nats,socketio   (fan-out side by side)
#   SUBSCRIBERS  10000     RATES 5,10,20,30,40,60     WARMUP 3     DURATION 15
#   SMALL_SUBSCRIBERS 1000   SMALL_RATES 500,1000,2000,4000,8000   LATENCY_DURATION 30
#   CONNECTIONS  19000 (idle connections; at most the open-file limit of one process, minus a margin)
#   OUT bench/results   RESULTS bench/RESULTS.md
# Also uses curl, jq and psql.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASES=${PHASES:-fanout,live,capacity,latency,ingest,connections,resume,reprice,jmh}
CAPACITY=${CAPACITY:-1000,10000}
LIVE=${LIVE:-100x200,1000x200,1000x500,100x2000}
SYSTEMS=${SYSTEMS:-pricewire,pricewire-postgres,broadcaster,nats,socketio}
SUBSCRIBERS=${SUBSCRIBERS:-10000}
RATES=${RATES:-5,10,20,30,40,60}
WARMUP=${WARMUP:-3}
DURATION=${DURATION:-15}
SMALL_SUBSCRIBERS=${SMALL_SUBSCRIBERS:-1000}
SMALL_RATES=${SMALL_RATES:-500,1000,2000,4000,8000}
LATENCY_DURATION=${LATENCY_DURATION:-30}
CONNECTIONS=${CONNECTIONS:-19000}
OUT=${OUT:-bench/results}
RESULTS=${RESULTS:-bench/RESULTS.md}
JAR=${JAR:-target/pricewire.jar}
PG_URI=postgresql://postgres@127.0.0.1:5432/pricewire_bench
BENCH=(java -Xmx4g -jar "$JAR" bench)

mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"
has() { [[ ",$1," == *",$2,"* ]]; }
log() { printf '\n== %s\n' "$*"; }

if [[ ! -f $JAR ]]; then
  mvn -q -DskipTests package
fi

SERVER=
stop_server() {
  if [[ -n $SERVER ]] && kill -0 "$SERVER" 2>/dev/null; then
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
  fi
  SERVER=
}
trap stop_server EXIT

wait_for() { # url
  for _ in $(seq 150); do
    if curl -sf -o /dev/null "$1"; then return 0; fi
    sleep 0.2
  done
  echo "nothing answered at $1" >&2
  return 1
}

wait_port() { # port
  for _ in $(seq 150); do
    if (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing listens on port $1" >&2
  return 1
}

fresh_database() {
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS pricewire_bench" -c "CREATE DATABASE pricewire_bench"
}

# Authentication stays on in every run, as users run it: the bench creates its suppliers' keys
# and mints its storefront token through the admin API with this admin token.
ADMIN_TOKEN=$(openssl rand -hex 24)
JWT_SECRET=$(openssl rand -hex 32)
BENCH=(env PRICEWIRE_ADMIN="$ADMIN_TOKEN" "${BENCH[@]}")

# Starts the gateway with the given store (memory or postgres); no per-address or per-supplier
# limits, since one machine plays every client.
start_pricewire() {
  local store=$1
  [[ $store == postgres ]] && fresh_database
  PRICEWIRE_ADMIN_TOKEN=$ADMIN_TOKEN PRICEWIRE_JWT_SECRET=$JWT_SECRET PRICEWIRE_STORE=$store PRICEWIRE_PG_URI=$PG_URI PRICEWIRE_LOG_LEVEL=WARN \
    PRICEWIRE_FEED_MAX_CONNECTIONS_PER_ADDRESS=0 PRICEWIRE_INGEST_RATE_PER_SUPPLIER=0 \
    java -jar "$JAR" >"$OUT/pricewire-$store.log" 2>&1 &
  SERVER=$!
  wait_for http://127.0.0.1:8081/health/ready
}

# Pricewire (memory) and NATS running together, for the phases that compare them in one invocation.
NATS=
start_pair() { # log name
  start_pricewire memory
  nats-server -c bench/peers/nats.conf >"$OUT/nats-$1.log" 2>&1 &
  NATS=$!
  wait_port 9222
}

stop_pair() {
  kill "$NATS"
  wait "$NATS" 2>/dev/null || true
  NATS=
  stop_server
}

start_system() { # one of SYSTEMS
  case $1 in
    pricewire) start_pricewire memory ;;
    pricewire-postgres) start_pricewire postgres ;;
    broadcaster)
      java -jar "$JAR" bench broadcaster >"$OUT/broadcaster.log" 2>&1 &
      SERVER=$!
      wait_port 9100 ;;
    nats)
      nats-server -c bench/peers/nats.conf >"$OUT/nats.log" 2>&1 &
      SERVER=$!
      wait_port 9222 ;;
    socketio)
      (cd bench/peers/socketio && npm ci --no-audit --no-fund --silent)
      node bench/peers/socketio/server.js >"$OUT/socketio.log" 2>&1 &
      SERVER=$!
      wait_port 9300 ;;
    *) echo "unknown system $1" >&2; exit 2 ;;
  esac
}

target_of() { # system -> fanout --target
  case $1 in
    pricewire*) echo pricewire ;;
    *) echo "$1" ;;
  esac
}

machine() {
  local pg nats node sio
  pg=$(psql -h 127.0.0.1 -U postgres -Atc "SHOW server_version" 2>/dev/null || echo "not reachable")
  nats=$(nats-server --version 2>/dev/null | awk '{print $2}' || echo "not installed")
  node=$(node --version 2>/dev/null || echo "not installed")
  sio=$(sed -n 's/.*"socket.io": "\(.*\)".*/\1/p' bench/peers/socketio/package.json)
  jq -n --arg cpu "$(lscpu | sed -n 's/^Model name: *//p' | sed -n 1p)" \
    --arg cores "$(nproc)" \
    --arg memory "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')" \
    --arg kernel "$(uname -r)" \
    --arg os "$(. /etc/os-release && echo "$PRETTY_NAME")" \
    --arg java "$(java -version 2>&1 | sed -n 1p)" \
    --arg pricewire "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
    --arg postgres "$pg" --arg nats "$nats" --arg node "$node" --arg socketio "$sio" \
    --arg open_files "$(ulimit -n)" --arg date "$(date -u +%Y-%m-%dT%H:%MZ)" \
    '{cpu: $cpu, cores: $cores, memory: $memory, kernel: $kernel, os: $os, java: $java, pricewire: $pricewire,
      postgresql: $postgres, "nats-server": $nats, node: $node, "socket.io": $socketio,
      open_files_per_process: $open_files, date: $date}' >"$OUT/machine.json"
}

machine

if has "$PHASES" fanout; then
  for system in ${SYSTEMS//,/ }; do
    log "fan-out: $system, $SUBSCRIBERS subscribers, rates $RATES"
    start_system "$system"
    "${BENCH[@]}" fanout --target "$(target_of "$system")" --subscribers "$SUBSCRIBERS" --rate "$RATES" \
      --warmup "$WARMUP" --duration "$DURATION" --server-pid "$SERVER" --out "$OUT/fanout-$system.json"
    stop_server
  done
fi

if has "$PHASES" live; then
  # The live workloads: small supplier requests at a set rate, Pricewire and NATS in one
  # invocation each, with and without permessage-deflate offered by the subscribers.
  log "live: Pricewire (memory) and NATS side by side, $LIVE"
  start_pair live
  for workload in ${LIVE//,/ }; do
    subscribers=${workload%x*}
    rate=${workload#*x}
    for mode in deflate plain; do
      "${BENCH[@]}" fanout --target pricewire,nats --subscribers "$subscribers" --rate "$rate" \
        $([[ $mode == deflate ]] && echo --compress) --warmup "$WARMUP" --duration "$DURATION" \
        --server-pid "$SERVER" --out "$OUT/live-${subscribers}x${rate}-$mode.json"
    done
  done
  stop_pair
fi

if has "$PHASES" capacity; then
  # Capacity: the highest change rate with p99 <= 100 ms and every subscriber at the final state,
  # Pricewire and NATS in one invocation per subscriber count.
  log "capacity: Pricewire (memory) and NATS, $CAPACITY subscribers"
  start_pair capacity
  for subscribers in ${CAPACITY//,/ }; do
    "${BENCH[@]}" fanout --target pricewire,nats --subscribers "$subscribers" --capacity \
      --rate $(( subscribers >= 10000 ? 5 : 100 )) --warmup "$WARMUP" --duration 10 --server-pid "$SERVER" \
      --out "$OUT/capacity-$subscribers.json"
  done
  stop_pair
fi

if has "$PHASES" latency; then
  # Half of Pricewire's maximum sustained rate, at the same subscriber count, measured for longer.
  best=$(jq -r '.max_sustained.rate // empty' "$OUT/fanout-pricewire.json" 2>/dev/null || true)
  if [[ -n $best ]]; then
    half=$(( best / 2 > 0 ? best / 2 : 1 ))
    log "latency: $SUBSCRIBERS subscribers at $half changes/s (half of $best)"
    start_pricewire memory
    "${BENCH[@]}" fanout --subscribers "$SUBSCRIBERS" --rate "$half" --warmup 5 --duration "$LATENCY_DURATION" \
      --server-pid "$SERVER" --out "$OUT/latency-$SUBSCRIBERS.json"
    stop_server
  fi
  # A storefront-sized fan-out: fewer subscribers, each following a tenth of the offers.
  log "latency: $SMALL_SUBSCRIBERS subscribers following 100 offers each, finding the maximum first"
  start_pricewire memory
  "${BENCH[@]}" fanout --subscribers "$SMALL_SUBSCRIBERS" --interest 100 --rate "$SMALL_RATES" --warmup "$WARMUP" \
    --duration "$DURATION" --server-pid "$SERVER" --out "$OUT/sweep-$SMALL_SUBSCRIBERS.json"
  best=$(jq -r '.max_sustained.rate // empty' "$OUT/sweep-$SMALL_SUBSCRIBERS.json")
  if [[ -n $best ]]; then
    "${BENCH[@]}" fanout --subscribers "$SMALL_SUBSCRIBERS" --interest 100 --rate $(( best / 2 )) --warmup 5 \
      --duration "$LATENCY_DURATION" --server-pid "$SERVER" --out "$OUT/latency-$SMALL_SUBSCRIBERS.json"
  fi
  stop_server
fi

if has "$PHASES" ingest; then
  log "ingest: PostgreSQL"
  start_pricewire postgres
  "${BENCH[@]}" ingest --suppliers 16 --batch 100 --format json --warmup 10 --duration 30 --server-pid "$SERVER" \
    --out "$OUT/ingest-16x100-json.json"
  stop_server
  # The ratio to the limit on a fresh gateway and database, so that neither run inherits the
  # other's rows. The direct writes come last: behind the gateway's back, they leave it to catch up.
  start_pricewire postgres
  "${BENCH[@]}" ingest --suppliers 8 --batch 500 --warmup 10 --duration 30 --server-pid "$SERVER" --direct --pg-uri "$PG_URI" \
    --out "$OUT/ingest-8x500-ndjson.json"
  stop_server
fi

if has "$PHASES" connections; then
  log "connections: $CONNECTIONS idle WebSocket connections"
  start_pricewire memory
  "${BENCH[@]}" connections --count "$CONNECTIONS" --sources 4 --server-pid "$SERVER" --out "$OUT/connections.json"
  stop_server
fi

if has "$PHASES" resume; then
  log "resume: 2,000 clients after 5,000 changes (PostgreSQL)"
  start_pricewire postgres
  "${BENCH[@]}" resume --clients 2000 --offers 1000 --changes 5000 --out "$OUT/resume.json"
  stop_server
fi

if has "$PHASES" reprice; then
  # A new CAD/CNY rate re-prices 100,000 offers for 1,000 subscribers of cn-cbec (each follows one
  # of 100 suppliers): time until every one holds every offer at the new rate, on both stores.
  for store in memory postgres; do
    log "reprice: 100,000 offers x 1,000 subscribers ($store)"
    start_pricewire "$store"
    "${BENCH[@]}" reprice --suppliers 100 --offers 1000 --subscribers 1000 --server-pid "$SERVER" \
      --out "$OUT/reprice-$store.json"
    stop_server
  done
fi

if has "$PHASES" cluster; then
  # Clustered mode: the bench starts its own nodes and databases (clusters of 1, 2 and 3 nodes,
  # then the repair phase with two) and writes its own JSON; bench/RESULTS.md quotes it by hand.
  log "cluster: fan-out at 1, 2 and 3 nodes, then a node's catch-up after a stop"
  "${BENCH[@]}" cluster --nodes 1,2,3 --pg-admin-uri postgresql://postgres@127.0.0.1:5432/postgres \
    --out "$OUT/cluster-$(date -u +%F).json"
fi

if has "$PHASES" jmh; then
  log "microbenchmarks (JMH)"
  mvn -q test-compile exec:exec@jmh
  cp target/jmh-results.json "$OUT/jmh.json"
fi

java -jar "$JAR" bench report --dir "$OUT" --out "$RESULTS"
