#!/usr/bin/env bash
# kiwo chaos run: local mode under load while processes die, then a count of terminal results.
#
#   bash scripts/chaos.sh
#
# Starts local mode (scripts/demo.sh, in its own run directory, ports 8080-8083, 8180 and 9092-9093), drives
# CHAOS_JOBS jobs through the API with the load generator, and meanwhile kill -9's the classifier and each
# worker pool twice (restarting each at once), restarts the broker once and everything once. Then it waits
# for the pipeline to drain and counts jobs.results (read_committed) and jobs.dlq from the beginning:
#
#   accepted=20000 succeeded=... failed=... dead_lettered=... missing=0 duplicates=0
#
# Exits 0 when every accepted job has exactly one terminal result, 1 otherwise. Stops what it started.
# Settings (environment):
#   CHAOS_JOBS=20000         jobs the load generator sends
#   CHAOS_RATE=100           jobs per second (so the run sends for CHAOS_JOBS / CHAOS_RATE seconds)
#   CHAOS_HEAVY_PERCENT=10   share of heavy jobs
#   CHAOS_SIMULATED=150      extra jobs with a "simulate" field (failing attempts, some for good)
#   CHAOS_COST_SCALE=0.02    workers' cost scale, so the pools keep up on a laptop
#   CHAOS_WORKER_ARGS=       more Spring arguments for both pools (e.g. shorter retry delays)
#   CHAOS_DRAIN_TIMEOUT=300  seconds to wait for the last results
#   CHAOS_RUN_DIR=.run/chaos pids, logs, broker data (wiped at start)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHAOS_JOBS="${CHAOS_JOBS:-20000}"
CHAOS_RATE="${CHAOS_RATE:-100}"
CHAOS_HEAVY_PERCENT="${CHAOS_HEAVY_PERCENT:-10}"
CHAOS_SIMULATED="${CHAOS_SIMULATED:-150}"
CHAOS_COST_SCALE="${CHAOS_COST_SCALE:-0.02}"
CHAOS_WORKER_ARGS="${CHAOS_WORKER_ARGS:-}"
CHAOS_DRAIN_TIMEOUT="${CHAOS_DRAIN_TIMEOUT:-300}"
export KIWO_RUN_DIR="${CHAOS_RUN_DIR:-$ROOT/.run/chaos}"

# The worker pools burn less CPU than in the demo so that the load, not the cost model, is the test.
worker_args="--kiwo.worker.cost.scale=$CHAOS_COST_SCALE --kiwo.worker.cost.max=2s $CHAOS_WORKER_ARGS"
export KIWO_ARGS_WORKER_LIGHT="${KIWO_ARGS_WORKER_LIGHT:-$worker_args}"
export KIWO_ARGS_WORKER_HEAVY="${KIWO_ARGS_WORKER_HEAVY:-$worker_args}"

# shellcheck source=demo.sh
source "$ROOT/scripts/demo.sh"

API="http://localhost:8080"
BOOTSTRAP="localhost:9092"
LOAD_JAR="$(exec_jar load-generator)"
WORK="$RUN_DIR/chaos"
started_pids=()

cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [[ "${CHAOS_KEEP:-0}" != 1 ]]; then
    cmd_stop >/dev/null 2>&1 || true
  fi
}

elapsed() { printf '%4ds' $((SECONDS - t0)); }

# The launcher kills (SIGKILL, no shutdown hooks) and starts again on the same ports, waiting until ready.
kill9_and_restart() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  launcher kill "$name" >/dev/null
  say "    $(elapsed) kill -9 $name (pid $pid)"
  launcher start "$name" >/dev/null
  say "    $(elapsed) $name back (pid $(pid_of "$name"))"
}

restart_broker() {
  say "    $(elapsed) stopping the broker"
  launcher stop kafka >/dev/null
  launcher start kafka >/dev/null
  say "    $(elapsed) broker back (pid $(pid_of kafka))"
}

restart_everything() {
  say "    $(elapsed) stopping everything"
  launcher stop >/dev/null
  launcher start >/dev/null
  say "    $(elapsed) everything back"
}

# POSTs CHAOS_SIMULATED jobs that fail on purpose (1 or 2 attempts, or for good), spread over the run,
# and records the jobIds the API accepted.
send_simulated() {
  local n duration="$1" pause shape code body
  pause="$(awk -v d="$duration" -v n="$CHAOS_SIMULATED" 'BEGIN { printf "%.3f", (n > 0 ? d / n : 1) }')"
  for ((n = 1; n <= CHAOS_SIMULATED; n++)); do
    case $((n % 3)) in
      0) shape='{"permanent":true}' ;;
      1) shape='{"failures":1}' ;;
      *) shape='{"failures":2}' ;;
    esac
    body="$(curl -s -m 5 -w '\n%{http_code}' -XPOST "$API/jobs" -H 'Content-Type: application/json' \
      -d "{\"name\":\"chaos-sim-$n.pdf\",\"fileSizeMb\":1,\"pageCount\":1,\"imageCount\":0,\"simulate\":$shape}" \
      2>/dev/null || true)"
    code="${body##*$'\n'}"
    if [[ "$code" == 202 ]]; then
      sed -n 's/.*"jobId" *: *"\([^"]*\)".*/\1/p' <<<"${body%$'\n'*}" >>"$WORK/simulated.ids"
    fi
    sleep "$pause"
  done
}

main_chaos() {
  local duration light heavy simulate=0 step_s load_pid sim_pid load_rc=0 audit_rc=0 probe
  ((CHAOS_JOBS > 0 && CHAOS_RATE > 0)) || die "CHAOS_JOBS and CHAOS_RATE must be positive"
  duration=$(((CHAOS_JOBS + CHAOS_RATE - 1) / CHAOS_RATE))
  ((duration >= 40)) || die "CHAOS_JOBS / CHAOS_RATE must give at least 40 s of load for the kills to fit"
  heavy="$(awk -v r="$CHAOS_RATE" -v p="$CHAOS_HEAVY_PERCENT" 'BEGIN { printf "%.2f", r * p / 100 }')"
  light="$(awk -v r="$CHAOS_RATE" -v h="$heavy" 'BEGIN { printf "%.2f", r - h }')"
  t0=$SECONDS

  step 1/6 "Local mode in $KIWO_RUN_DIR (fresh broker data)"
  running kafka && die "a chaos run already uses $KIWO_RUN_DIR; 'KIWO_RUN_DIR=$KIWO_RUN_DIR bash scripts/demo.sh stop' first"
  rm -rf "$KIWO_RUN_DIR"
  trap cleanup EXIT
  cmd_local >"$KIWO_RUN_DIR.local.log" 2>&1 || { cat "$KIWO_RUN_DIR.local.log" >&2; die "local mode did not start"; }
  mkdir -p "$WORK"
  mv "$KIWO_RUN_DIR.local.log" "$WORK/local.log"
  say "    up in $((SECONDS - t0)) s; logs in $RUN_DIR/logs"

  step 2/6 "Does the API take the simulate field?"
  : >"$WORK/simulated.ids"
  probe="$(curl -s -m 10 -o /dev/null -w '%{http_code}' -XPOST "$API/jobs" -H 'Content-Type: application/json' \
    -d '{"name":"chaos-probe.pdf","fileSizeMb":1,"pageCount":1,"imageCount":0,"simulate":{"failures":1}}' || true)"
  if [[ "$probe" == 202 ]]; then
    simulate=1
    say "    yes: $CHAOS_SIMULATED jobs will fail on purpose (1 or 2 attempts, or for good)"
  else
    say "    no (HTTP $probe): skipping the simulated failures"
  fi

  step 3/6 "Load: $CHAOS_JOBS jobs over ${duration}s (light $light/s, heavy $heavy/s)"
  java -jar "$LOAD_JAR" --target "$API" --bootstrap-servers "$BOOTSTRAP" --duration "${duration}s" \
    --light-rate "$light" --heavy-rate "$heavy" --burst-for 0s --progress 15s \
    --drain-timeout "${CHAOS_DRAIN_TIMEOUT}s" --json "$WORK/load.json" >"$WORK/load.log" 2>&1 &
  load_pid=$!
  t0_load=$SECONDS
  started_pids+=("$load_pid")
  if ((simulate)); then
    send_simulated "$duration" &
    sim_pid=$!
    started_pids+=("$sim_pid")
  fi

  step 4/6 "Chaos while the load runs"
  step_s=$((duration / 9))
  local event
  for event in "kill9_and_restart classifier" "kill9_and_restart worker-light" "kill9_and_restart worker-heavy" \
    restart_broker "kill9_and_restart classifier" "kill9_and_restart worker-light" \
    "kill9_and_restart worker-heavy" restart_everything; do
    local next=$((t0_load + step_s * (${#done_events[@]} + 1)))
    while ((SECONDS < next)); do sleep 1; done
    $event
    done_events+=("$event")
  done

  step 5/6 "Draining (load generator follows jobs.results; at most ${CHAOS_DRAIN_TIMEOUT}s)"
  wait "$load_pid" || load_rc=$?
  [[ -n "${sim_pid:-}" ]] && { wait "$sim_pid" || true; }
  grep -E '^(sent|accepted|rejected|errors|missing|duplicates) ' "$WORK/load.log" | sed 's/^/    load: /' || true
  ((load_rc == 0)) || say "    the load generator exited with $load_rc, see $WORK/load.log"
  cmd_status | sed 's/^/    /'

  step 6/6 "Counting jobs.results and jobs.dlq (read_committed, from the beginning)"
  java -cp "$LOAD_JAR" -Dloader.main=dev.kiwo.load.ResultAudit \
    org.springframework.boot.loader.launch.PropertiesLauncher --bootstrap-servers "$BOOTSTRAP" \
    --accepted "$WORK/simulated.ids" --timeout "${CHAOS_DRAIN_TIMEOUT}s" >"$WORK/audit.log" 2>&1 || audit_rc=$?
  grep -v '^accepted=' "$WORK/audit.log" | sed 's/^/    /' || true
  say "    total time $((SECONDS - t0)) s; details in $WORK"
  grep '^accepted=' "$WORK/audit.log" || die "no summary from the audit, see $WORK/audit.log"
  return "$audit_rc"
}

done_events=()
t0=$SECONDS
t0_load=0
case "${1:-}" in
  -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "chaos.sh takes no arguments; see --help" ;;
esac
main_chaos
