#!/usr/bin/env bash
# Refreshes src/test/resources/metrics/<service>.prom: a real /actuator/prometheus scrape of each kiwo
# service after a few light and heavy jobs went through. MetricsCatalogTest checks the Grafana dashboard
# against these files, so refresh them whenever a service adds or renames a metric:
#
#   mvn -B -DskipTests package -pl api-service,classifier-service,worker-light,worker-heavy,launcher,local-kafka -am
#   bash infra-tests/scrape-snapshot.sh
#
# The launcher runs local mode on loopback ports picked free at start, in a temporary directory removed at the end;
# nothing else on the machine (local mode included) is touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/infra-tests/src/test/resources/metrics"
VERSION="0.1.0-SNAPSHOT"
JOBS="${JOBS:-6}"
WORK="$(mktemp -d)"

launcher() {
  local command="$1"
  shift
  java -jar "$ROOT/launcher/target/launcher-$VERSION-exec.jar" "$command" --root "$ROOT" --run-dir "$WORK" "$@"
}
cleanup() {
  launcher stop >/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

await() {
  local what="$1" deadline=$((SECONDS + ${AWAIT_SECONDS:-180}))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || { echo "error: no $what; last lines of the logs:" >&2; tail -n 5 "$WORK"/logs/*.log >&2; exit 1; }
    sleep 1
  done
}

launcher start --free-ports
# shellcheck source=/dev/null # written by the launcher: KAFKA_PORT, API_PORT, API_MANAGEMENT_PORT, ...
source "$WORK/ports.env"
declare -A PORT=([api]="$API_PORT") MPORT=([api]="$API_MANAGEMENT_PORT" [classifier]="$CLASSIFIER_MANAGEMENT_PORT"
  [worker-light]="$WORKER_LIGHT_MANAGEMENT_PORT" [worker-heavy]="$WORKER_HEAVY_MANAGEMENT_PORT")

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
