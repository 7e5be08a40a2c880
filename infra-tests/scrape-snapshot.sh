#!/usr/bin/env bash
# Refreshes src/test/resources/metrics/<service>.prom: a real /actuator/prometheus scrape of each kiwo
# service after a few light and heavy jobs went through. MetricsCatalogTest checks the Grafana dashboard
# against these files, so refresh them whenever a service adds or renames a metric:
#
#   mvn -B -DskipTests package -pl api-service,classifier-service,worker-light,worker-heavy,local-kafka -am
#   bash infra-tests/scrape-snapshot.sh
#
# Everything runs on loopback ports picked free at start, in a temporary directory removed at the end;
# nothing else on the machine (local mode included) is touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/infra-tests/src/test/resources/metrics"
VERSION="0.1.0-SNAPSHOT"
JOBS="${JOBS:-6}"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { printf '%s' "$port"; return; }
  done
}
ready() { curl -fs -o /dev/null "http://127.0.0.1:$1/actuator/health/readiness"; }
await() {
  local what="$1" deadline=$((SECONDS + ${AWAIT_SECONDS:-180}))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || { echo "error: $what not ready; logs in $WORK" >&2; tail -n 5 "$WORK"/*.log >&2; exit 1; }
    sleep 1
  done
}

KAFKA_PORT="$(free_port)"
CONTROLLER_PORT="$(free_port)"
CP="$ROOT/local-kafka/target/lib/*"
sed -e "s/localhost:9092/127.0.0.1:$KAFKA_PORT/g" -e "s/localhost:9093/127.0.0.1:$CONTROLLER_PORT/g" \
  "$ROOT/local-kafka/config/server.properties" >"$WORK/server.properties"
printf 'log.dirs=%s\n' "$WORK/data" >>"$WORK/server.properties"
LOG4J="-Dlog4j2.configurationFile=$ROOT/local-kafka/config/log4j2.properties"
java "$LOG4J" -cp "$CP" kafka.tools.StorageTool format --standalone \
  -t "$(java -cp "$CP" kafka.tools.StorageTool random-uuid)" -c "$WORK/server.properties" >"$WORK/format.log" 2>&1
java -Xmx512m "$LOG4J" -cp "$CP" kafka.Kafka "$WORK/server.properties" >"$WORK/kafka.log" 2>&1 </dev/null &
PIDS+=($!)
await kafka bash -c "(exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null"

# PORT: HTTP; MPORT: actuator, a port of its own for the API (management.server.port), the same for the others.
declare -A PORT MPORT
for entry in api:api-service classifier:classifier-service worker-light:worker-light worker-heavy:worker-heavy; do
  name="${entry%%:*}" module="${entry#*:}"
  PORT[$name]="$(free_port)"
  MPORT[$name]="${PORT[$name]}"
  [[ "$name" != api ]] || MPORT[$name]="$(free_port)"
  java -Xmx256m -XX:+UseSerialGC -jar "$ROOT/$module/target/$module-$VERSION-exec.jar" \
    --server.port="${PORT[$name]}" --management.server.port="${MPORT[$name]}" \
    --spring.kafka.bootstrap-servers="127.0.0.1:$KAFKA_PORT" \
    --spring.kafka.streams.state-dir="$WORK/state" >"$WORK/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
done
for name in api classifier worker-light worker-heavy; do await "$name" ready "${MPORT[$name]}"; done

# Light and heavy jobs, plus one malformed request for the API's error counters.
for ((i = 0; i < JOBS; i++)); do
  curl -fs -o /dev/null -XPOST "http://127.0.0.1:${PORT[api]}/jobs" -H 'Content-Type: application/json' \
    -d "{\"name\":\"light-$i.pdf\",\"fileSizeMb\":1,\"pageCount\":3,\"imageCount\":0}"
  curl -fs -o /dev/null -XPOST "http://127.0.0.1:${PORT[api]}/jobs" -H 'Content-Type: application/json' \
    -d "{\"name\":\"heavy-$i.pdf\",\"fileSizeMb\":60,\"pageCount\":3,\"imageCount\":0}"
done
curl -s -o /dev/null -XPOST "http://127.0.0.1:${PORT[api]}/jobs" -H 'Content-Type: application/json' -d '{"name":'

# Done when both pools have finished all their jobs (the processing timer counts every job).
processed() {
  curl -fs "http://127.0.0.1:${MPORT[$1]}/actuator/prometheus" \
    | awk '/^kiwo_worker_processing_seconds_count/ {n += $NF} END {exit !(n >= '"$JOBS"')}'
}
await "worker-light to process $JOBS jobs" processed worker-light
await "worker-heavy to process $JOBS jobs" processed worker-heavy
# Micrometer binds the Kafka clients' per-partition metrics (records_lag with topic and partition) on its
# next refresh, up to a minute after the partitions were assigned.
has_partition_lag() {
  local scrape
  scrape="$(curl -fs "http://127.0.0.1:${MPORT[$1]}/actuator/prometheus")" || return 1
  grep -q '^kafka_consumer_fetch_manager_records_lag{' <<<"$scrape"
}
for name in worker-light worker-heavy classifier; do await "$name per-partition lag metrics" has_partition_lag "$name"; done

mkdir -p "$OUT"
for name in api classifier worker-light worker-heavy; do
  # The disk metrics name the directory the service ran in: a path of this machine, not of the contract.
  curl -fs "http://127.0.0.1:${MPORT[$name]}/actuator/prometheus" | sed -E 's#path="[^"]*"#path="."#' >"$OUT/$name.prom"
  echo "wrote $OUT/$name.prom ($(grep -c '^# TYPE' "$OUT/$name.prom") metric families)"
done
