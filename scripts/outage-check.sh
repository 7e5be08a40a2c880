#!/usr/bin/env bash
# kiwo outage check: how calm the services stay while the broker is away, and how fast they come back.
#
#   bash scripts/outage-check.sh
#
#   1  prerequisites; local mode's ports (8080-8083, 8180, 9092, 9093) must be free
#   2  local mode (scripts/demo.sh local) in its own run directory, fresh broker data
#   3  a little load: light and heavy jobs, each followed to its end
#   4  the broker killed (kill -9 of the pid local mode started) and kept away for OUTAGE_SECONDS; meanwhile, per
#      service JVM: CPU used (utime + stime from /proc/<pid>/stat, as % of one core) and lines its log gained
#   5  the broker started again as local mode starts it (same data); per service the seconds until its readiness
#      answers UP and until a job posted after the broker's return has passed it (API: 202, classifier:
#      classifiedAt, pools: finishedAt of a light and of a heavy job)
#   6  every service stopped with SIGTERM, timing each exit; local mode stopped (also on failure or Ctrl-C)
#
# Prints a table and a summary line:
#
#   outage=30s workers_max_cpu=6.5% workers_max_log=0/s max_recovery=2.9s result=pass
#
# Exits 1 when a worker JVM used 10 % of a core or more or logged more than 5 lines/s during the outage, or a
# pool took more than 10 s after the broker's return to finish a job; also 1, with the reason, when it could not
# measure (a service did not start, exited, or a job did not end within 60 s).
# Settings (environment):
#   OUTAGE_SECONDS=30              how long the broker stays away
#   OUTAGE_MAX_CPU=10              % of one core a worker JVM may use during the outage (exclusive)
#   OUTAGE_MAX_LOG_RATE=5          log lines per second a worker JVM may write during the outage
#   OUTAGE_MAX_RECOVERY=10         seconds after the broker's return within which a job must finish
#   OUTAGE_RUN_DIR=.run/outage     pids, logs, broker data (wiped at start), the figures (outage.txt)
#   OUTAGE_BUILD=auto              skip: run the jars as built, even when sources are newer (to compare settings)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUTAGE_SECONDS="${OUTAGE_SECONDS:-30}"
OUTAGE_MAX_CPU="${OUTAGE_MAX_CPU:-10}"
OUTAGE_MAX_LOG_RATE="${OUTAGE_MAX_LOG_RATE:-5}"
OUTAGE_MAX_RECOVERY="${OUTAGE_MAX_RECOVERY:-10}"
export KIWO_RUN_DIR="${OUTAGE_RUN_DIR:-$ROOT/.run/outage}"
# Jobs cost a tenth of the demo's CPU: the load is there to give every client connections and a group, not work.
worker_args="--kiwo.worker.cost.scale=0.1"
export KIWO_ARGS_WORKER_LIGHT="${KIWO_ARGS_WORKER_LIGHT:-$worker_args}"
export KIWO_ARGS_WORKER_HEAVY="${KIWO_ARGS_WORKER_HEAVY:-$worker_args}"

# shellcheck source=demo.sh
source "$ROOT/scripts/demo.sh"
if [[ "${OUTAGE_BUILD:-auto}" == skip ]]; then
  build() { say "    skipped (OUTAGE_BUILD=skip)"; }
fi

API="http://localhost:8080"
NAMES=(api classifier worker-light worker-heavy)
# Where each answers readiness: the API on its management port.
PORTS=(8180 8081 8082 8083)
WORK="$RUN_DIR/outage"
REPORT="$WORK/outage.txt"
started_local=0

cleanup() {
  ((started_local)) && cmd_stop >/dev/null 2>&1
  return 0
}

now_ms() { date +%s%3N; }

# Whether a service's readiness group answers UP (its actuator port); measured here, not waited for.
ready() { curl -fs -o /dev/null "http://localhost:$1/actuator/health/readiness"; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log_file() { printf '%s/logs/%s.log' "$RUN_DIR" "$1"; }

# CPU ticks (utime + stime) a process has used; fields counted after the command name, which may hold spaces.
cpu_ticks() {
  local stat rest
  stat="$(cat "/proc/$1/stat")" || return 1
  rest="${stat##*) }"
  awk '{ print $12 + $13 }' <<<"$rest"
}

log_lines() { wc -l <"$(log_file "$1")"; }

# post_job BODY: prints the jobId once the API accepts the job (retrying 503s and refused connections), bounded.
post_job() {
  local body="$1" deadline=$((SECONDS + 60)) out code
  while ((SECONDS < deadline)); do
    out="$(curl -s -m 5 -w '\n%{http_code}' -XPOST "$API/jobs" -H 'Content-Type: application/json' -d "$body" \
      2>/dev/null || true)"
    code="${out##*$'\n'}"
    if [[ "$code" == 202 ]]; then
      sed -n 's/.*"jobId" *: *"\([^"]*\)".*/\1/p' <<<"${out%$'\n'*}"
      return 0
    fi
    sleep 0.2
  done
  printf 'the API answered HTTP %s: %s\n' "${code:-none}" "${out%$'\n'*}" >&2
  return 1
}

# field JSON NAME: a string field of a job's JSON, empty while absent.
field() { sed -n "s/.*\"$2\" *: *\"\([^\"]*\)\".*/\1/p" <<<"$1"; }

# await_job ID SECONDS: waits for the job to end; prints its JSON; fails when it has not ended in time.
await_job() {
  local id="$1" deadline=$((SECONDS + $2)) json status
  while ((SECONDS < deadline)); do
    json="$(curl -s -m 35 -H 'Prefer: wait=30' "$API/jobs/$id" 2>/dev/null || true)"
    status="$(field "$json" status)"
    case "$status" in
      SUCCEEDED | FAILED | CANCELLED) printf '%s' "$json"; return 0 ;;
    esac
    sleep 0.5
  done
  return 1
}

# Milliseconds since the epoch of an ISO-8601 instant from the API.
epoch_ms() { date -d "$1" +%s%3N; }

seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

main_outage() {
  local port taken=() i name pid t_kill t_back ids=() id body
  local -A cpu0 cpu1 lines0 lines1 ready_s job_s stop_s

  step 1/6 "Prerequisites and free ports"
  require
  command -v awk >/dev/null || die "awk is missing"
  [[ -r /proc/self/stat ]] || die "this check reads /proc/<pid>/stat: Linux only"
  ((OUTAGE_SECONDS >= 5 && OUTAGE_SECONDS <= 600)) || die "OUTAGE_SECONDS must be between 5 and 600"
  for port in 8080 8081 8082 8083 8180 9092 9093; do port_taken "$port" && taken+=("$port"); done
  if ((${#taken[@]})); then
    die "port(s) ${taken[*]} in use: local mode (demo.sh, chaos.sh, fuzz-api.sh) already runs here; stop it \
('ss -ltnp' shows what listens) and retry"
  fi
  say "    ok; broker away for ${OUTAGE_SECONDS}s, limits: worker CPU < ${OUTAGE_MAX_CPU}% of a core, \
<= ${OUTAGE_MAX_LOG_RATE} log lines/s, recovery <= ${OUTAGE_MAX_RECOVERY}s"

  step 2/6 "Local mode in $KIWO_RUN_DIR (fresh broker data)"
  running kafka && die "an outage check already uses $KIWO_RUN_DIR"
  rm -rf "$KIWO_RUN_DIR"
  mkdir -p "$KIWO_RUN_DIR"
  trap cleanup EXIT
  started_local=1
  (cmd_local) >"$KIWO_RUN_DIR/local.log" 2>&1 || { cat "$KIWO_RUN_DIR/local.log" >&2; die "local mode did not start"; }
  mkdir -p "$WORK"
  for name in kafka "${NAMES[@]}"; do say "    $name pid $(pid_of "$name")"; done

  step 3/6 "Load: 20 light and 4 heavy jobs, each followed to its end"
  for i in $(seq 1 24); do
    if ((i % 6 == 0)); then
      body="{\"name\":\"outage-heavy-$i.pdf\",\"fileSizeMb\":120,\"pageCount\":10,\"imageCount\":3}"
    else
      body="{\"name\":\"outage-light-$i.pdf\",\"fileSizeMb\":2,\"pageCount\":4,\"imageCount\":1}"
    fi
    id="$(post_job "$body")" || die "the API did not accept job $i"
    ids+=("$id")
  done
  for id in "${ids[@]}"; do
    await_job "$id" 90 >/dev/null || die "job $id did not end within 90 s before the outage"
  done
  say "    ${#ids[@]} jobs ended"
  sleep 5

  step 4/6 "Broker away for ${OUTAGE_SECONDS}s"
  pid="$(pid_of kafka)"
  launcher kill kafka >/dev/null
  t_kill=$(now_ms)
  say "    killed the broker (pid $pid)"
  for name in "${NAMES[@]}"; do
    cpu0[$name]="$(cpu_ticks "$(pid_of "$name")")"
    lines0[$name]="$(log_lines "$name")"
  done
  sleep "$OUTAGE_SECONDS"
  local elapsed_ms=$(($(now_ms) - t_kill)) hz
  hz="$(getconf CLK_TCK)"
  for name in "${NAMES[@]}"; do
    cpu1[$name]="$(cpu_ticks "$(pid_of "$name")")" || die "$name exited during the outage"
    lines1[$name]="$(log_lines "$name")"
  done
  for name in "${NAMES[@]}"; do
    say "    $name: $(grep -c 'Rebootstrapping with' "$(log_file "$name")" || true) 'Rebootstrapping' lines in its log"
  done

  step 5/6 "Broker back; recovery"
  launcher start kafka >/dev/null
  t_back=$(now_ms)
  say "    broker accepts connections again (pid $(pid_of kafka))"
  local light_id heavy_id light_json heavy_json t
  light_id="$(post_job '{"name":"outage-after-light.pdf","fileSizeMb":2,"pageCount":4,"imageCount":1}')" \
    || die "the API accepted no job within 60 s of the broker's return"
  job_s[api]="$(seconds_between "$t_back" "$(now_ms)")"
  heavy_id="$(post_job '{"name":"outage-after-heavy.pdf","fileSizeMb":60,"pageCount":1,"imageCount":0}')" \
    || die "the API accepted no heavy job within 60 s of the broker's return"
  # Each round asks every service not yet ready; a service never ready within 60 s shows as "-".
  local ready_count=0
  for ((t = 0; t < 120 && ready_count < ${#NAMES[@]}; t++)); do
    for i in "${!NAMES[@]}"; do
      name="${NAMES[$i]}"
      if [[ -z "${ready_s[$name]:-}" ]] && ready "${PORTS[$i]}"; then
        ready_s[$name]="$(seconds_between "$t_back" "$(now_ms)")"
        ready_count=$((ready_count + 1))
      fi
    done
    sleep 0.5
  done
  light_json="$(await_job "$light_id" 60)" || die "the light job posted after the outage did not end within 60 s"
  heavy_json="$(await_job "$heavy_id" 60)" || die "the heavy job posted after the outage did not end within 60 s"
  job_s[classifier]="$(seconds_between "$t_back" "$(epoch_ms "$(field "$light_json" classifiedAt)")")"
  job_s[worker-light]="$(seconds_between "$t_back" "$(epoch_ms "$(field "$light_json" finishedAt)")")"
  job_s[worker-heavy]="$(seconds_between "$t_back" "$(epoch_ms "$(field "$heavy_json" finishedAt)")")"
  say "    light job $light_id $(field "$light_json" status), heavy job $heavy_id $(field "$heavy_json" status)"

  step 6/6 "Stopping (SIGTERM), timing each exit"
  local line
  for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do
    name="${NAMES[$i]}"
    # The launcher's line gives the time from SIGTERM to the exit: "stopped NAME (pid N, 2.1 s)".
    line="$(launcher stop "$name")"
    say "  $line"
    stop_s[$name]="$(sed -n 's/.*, \([0-9.]*\) s).*/\1/p' <<<"$line")"
  done
  launcher stop kafka >/dev/null
  started_local=0

  local cpu rate fails=() max_cpu=0 max_rate=0 max_rec=0
  {
    printf '\n%-13s %10s %12s %10s %14s %9s\n' SERVICE 'CPU %core' 'log lines/s' 'ready s' 'job passed s' 'stop s'
    for name in "${NAMES[@]}"; do
      cpu="$(awk -v a="${cpu0[$name]}" -v b="${cpu1[$name]}" -v hz="$hz" -v ms="$elapsed_ms" \
        'BEGIN { printf "%.1f", (b - a) / hz * 100000 / ms }')"
      rate="$(awk -v a="${lines0[$name]}" -v b="${lines1[$name]}" -v ms="$elapsed_ms" \
        'BEGIN { printf "%.1f", (b - a) * 1000 / ms }')"
      printf '%-13s %10s %12s %10s %14s %9s\n' "$name" "$cpu" "$rate" "${ready_s[$name]:--}" "${job_s[$name]}" \
        "${stop_s[$name]}"
      if [[ "$name" == worker-* ]]; then
        awk -v c="$cpu" -v m="$OUTAGE_MAX_CPU" 'BEGIN { exit !(c >= m) }' && fails+=("$name CPU ${cpu}%")
        awk -v r="$rate" -v m="$OUTAGE_MAX_LOG_RATE" 'BEGIN { exit !(r > m) }' && fails+=("$name ${rate} lines/s")
        awk -v s="${job_s[$name]}" -v m="$OUTAGE_MAX_RECOVERY" 'BEGIN { exit !(s > m) }' \
          && fails+=("$name recovery ${job_s[$name]}s")
        max_cpu="$(awk -v a="$max_cpu" -v b="$cpu" 'BEGIN { print (b > a ? b : a) }')"
        max_rate="$(awk -v a="$max_rate" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')"
        max_rec="$(awk -v a="$max_rec" -v b="${job_s[$name]}" 'BEGIN { print (b > a ? b : a) }')"
      fi
    done
    printf '\nCPU and log lines over the %s ms the broker was away; ready, job: seconds after the broker accepted\n' \
      "$elapsed_ms"
    printf 'connections again (job: the API accepted, the classifier routed, the pool finished a job posted then);\n'
    printf 'stop: SIGTERM to exit after the run.\n'
    ((${#fails[@]})) && printf 'over the limits: %s\n' "$(IFS=';'; echo "${fails[*]}")"
    printf 'outage=%ss workers_max_cpu=%s%% workers_max_log=%s/s max_recovery=%ss result=%s\n' "$OUTAGE_SECONDS" \
      "$max_cpu" "$max_rate" "$max_rec" "$( ((${#fails[@]})) && echo fail || echo pass)"
  } >"$REPORT"
  cat "$REPORT"
  ((${#fails[@]} == 0))
}

case "${1:-}" in
  -h | --help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) die "outage-check.sh takes no arguments; see --help" ;;
esac
main_outage
