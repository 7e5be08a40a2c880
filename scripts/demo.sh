#!/usr/bin/env bash
# kiwo demo: run the whole pipeline locally (no Docker, no Kubernetes) or on a Kubernetes cluster.
#
#   bash scripts/demo.sh local     build, start a Kafka broker and the four services, wait until healthy
#   bash scripts/demo.sh load      mixed load against the API (local mode if it runs, else the cluster); locally each
#                                  job's end is read back with GET /jobs/{id} (--completion kafka reads jobs.results)
#   bash scripts/demo.sh job ID    one job's status from the API: one line ([--json] adds the JSON, [--wait N] waits
#                                  up to N s, at most 60, for the job to end)
#   bash scripts/demo.sh cancel ID ask the API to cancel a job that has not ended
#   bash scripts/demo.sh status    what local mode runs
#   bash scripts/demo.sh stop      stop everything local mode started
#   bash scripts/demo.sh replay    re-submit dead-lettered jobs under their jobId ([--job-id ID]... [--dry-run])
#   bash scripts/demo.sh routing show | set KEY=VALUE... [--by NAME]   the classifier's live routing configuration
#                                  (jobs.routing); set writes the next version, checked first; local mode's broker
#                                  if it runs, else (or with --context NAME) in the cluster's classifier pod, with
#                                  the pod's Kafka login (see docs/routing.md; routing --help for the options)
#   bash scripts/demo.sh observe   pools, lag, jobs/s, p95 on one refreshing screen (local mode if it runs, else the cluster)
#   bash scripts/demo.sh deploy | down    the Kubernetes side (see docs/kubernetes.md)
# job and cancel talk to KIWO_API_URL (http://localhost:8080: local mode, or a kubectl port-forward to the cluster).
# Local mode's API needs no key; otherwise they send X-API-Key: KIWO_API_KEY when set, else the demo key of the
# cluster's Secret kiwo-api-keys (job and cancel take --context NAME for that, as deploy does).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${KIWO_RUN_DIR:-$ROOT/.run}"
VERSION="0.1.0-SNAPSHOT"
API_URL="${KIWO_API_URL:-http://localhost:8080}"

say()  { printf '%s\n' "$*"; }
step() { printf '\n[%s] %s\n' "$1" "$2"; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# What local mode runs, as the launcher records it in pids/NAME.pid: the pid, then when the process started.
pid_file() { printf '%s/pids/%s.pid' "$RUN_DIR" "$1"; }
pid_of() { head -n 1 "$(pid_file "$1")"; }

# Whether local mode seems to run NAME: a quick look to choose between local mode and a cluster. What is started
# or stopped, the launcher decides (it also checks the start time).
running() {
  [[ -f "$(pid_file "$1")" ]] && kill -0 "$(pid_of "$1")" 2>/dev/null
}

exec_jar() { printf '%s/%s/target/%s-%s-exec.jar' "$ROOT" "$1" "$1" "$VERSION"; }

# launcher COMMAND [ARG...]: the launcher module starts, stops and lists local mode's processes (start, stop, kill,
# status; each with --help). It reads JAVA_OPTS, KAFKA_HEAP, READY_TIMEOUT, STOP_TIMEOUT and KIWO_ARGS_<NAME>.
launcher() {
  local command="$1"
  shift
  java -jar "$(exec_jar launcher)" "$command" --root "$ROOT" --run-dir "$RUN_DIR" "$@"
}

require() {
  local missing=()
  command -v java >/dev/null || missing+=("java: a JDK 17 or newer (e.g. Eclipse Temurin), on PATH")
  command -v mvn >/dev/null || missing+=("mvn: Apache Maven 3.8 or newer, on PATH")
  command -v curl >/dev/null || missing+=("curl: from your system's package manager")
  if ((${#missing[@]})); then
    printf 'missing prerequisites:\n' >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
  fi
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  [[ "${major%%.*}" -ge 17 ]] 2>/dev/null || die "java is version ${major:-unknown}; kiwo needs 17 or newer"
}

BUILT_MODULES=(api-service classifier-service worker-light worker-heavy load-generator launcher)

# Build when a runnable jar is missing or older than its module's sources.
needs_build() {
  local module jar
  for module in "${BUILT_MODULES[@]}"; do
    jar="$(exec_jar "$module")"
    [[ -f "$jar" ]] || return 0
    [[ -n "$(find "$ROOT/$module" "$ROOT/common-model" "$ROOT/worker-core" "$ROOT/pom.xml" \
      -path '*/target' -prune -o -newer "$jar" -type f -print -quit 2>/dev/null)" ]] && return 0
  done
  [[ -d "$ROOT/local-kafka/target/lib" ]] || return 0
  return 1
}

build() {
  local modules
  if needs_build; then
    say "    building with Maven (first run downloads dependencies; later runs take under a minute)..."
    modules="$(IFS=,; printf '%s' "${BUILT_MODULES[*]}")"
    (cd "$ROOT" && mvn -B -q -DskipTests package -pl "$modules,local-kafka" -am) \
      || die "the build failed; run 'mvn -DskipTests package' to see why"
    say "    built"
  else
    say "    up to date"
  fi
}

cmd_local() {
  require
  step 1/2 "Build"
  build
  step 2/2 "Kafka broker (KRaft, one node) on localhost:9092, then the four services, each until ready"
  launcher start || exit 1
  cat <<EOF

kiwo runs locally.
  API          http://localhost:8080/jobs
  health       http://localhost:{8180,8081,8082,8083}/actuator/health   (the API's on its management port 8180)
  metrics      http://localhost:{8180,8081,8082,8083}/actuator/prometheus
  logs         $RUN_DIR/logs/
Try:
  curl -si -XPOST localhost:8080/jobs -H 'Content-Type: application/json' \\
       -d '{"name":"report.pdf","fileSizeMb":120,"pageCount":10,"imageCount":3}'
  bash scripts/demo.sh job ID    # that job's status (ID: the jobId in the answer)
  bash scripts/demo.sh load      # mixed load with progress and a summary
  bash scripts/demo.sh stop      # stop it all
EOF
}

cmd_stop() {
  say "Stopping local mode"
  if [[ ! -f "$(exec_jar launcher)" ]]; then
    compgen -G "$RUN_DIR/pids/*.pid" >/dev/null || { say "nothing runs"; return 0; }
    die "the launcher is not built, and it stops local mode: mvn -q -DskipTests package -pl launcher -am, then again"
  fi
  launcher stop
  say "stopped (data kept in $RUN_DIR/kafka; delete $RUN_DIR for a clean start)"
}

cmd_status() {
  [[ -f "$(exec_jar launcher)" ]] || die "local mode has not been built here; 'bash scripts/demo.sh local' builds and starts it"
  launcher status
}

cmd_load() {
  if running api || [[ "${1:-}" == --local ]]; then
    [[ "${1:-}" == --local ]] && shift
    require
    build
    curl -fs -o /dev/null http://localhost:8180/actuator/health/readiness || die "the local API is not ready; 'bash scripts/demo.sh status' shows what runs"
    # Each job's end is read back from the API; --completion kafka reads jobs.results on the local broker instead.
    local follow=(--completion api) how="each job's end read back with GET /jobs/{id}"
    case " $* " in
      *" --completion kafka "*) follow=(--bootstrap-servers localhost:9092) how="results read from jobs.results" ;;
      *" --bootstrap-servers "*) follow=() how="results read from jobs.results" ;;
      *" --completion none "*) how="POST figures only" ;;
    esac
    say "Load against the local API ($how). Ctrl-C stops it."
    java -jar "$(exec_jar load-generator)" --target http://localhost:8080 \
      ${follow[@]+"${follow[@]}"} --duration 30s --light-rate 10 \
      --burst-at 10s --burst-for 10s --burst-heavy-rate 1 --drain-timeout 120s "$@"
  else
    k8s_or_die
    k8s_load "$@"
  fi
}

cmd_replay() {
  require
  build
  running kafka || die "local mode's broker does not run; 'bash scripts/demo.sh local' first"
  java -cp "$(exec_jar load-generator)" -Dloader.main=dev.kiwo.load.DeadLetterReplay \
    org.springframework.boot.loader.launch.PropertiesLauncher --bootstrap-servers localhost:9092 "$@"
}

# The routing command's class, and the JVM it gets in the classifier's pod: small, beside the service in the same
# memory limit.
ROUTING_MAIN=dev.kiwo.classifier.routing.RoutingCommand
ROUTING_POD_JAVA_OPTS="${KIWO_ROUTING_JAVA_OPTS:--Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData}"

# routing [--context NAME] show | set KEY=VALUE... [--by NAME]: against local mode's broker when it runs and no
# --context is given; else in the cluster's classifier pod (kubectl exec), so the command uses the pod's own Kafka
# settings and login (components/kafka-sasl-ssl) and the operator needs only the right to exec into that pod.
cmd_routing() {
  local args=() context=() by=()
  while (($#)); do
    case "$1" in
      --context)
        [[ -n "${2:-}" ]] || die "--context needs a name"
        context=(--context "$2")
        shift
        ;;
      --context=*) context=(--context "${1#--context=}") ;;
      *) args+=("$1") ;;
    esac
    shift
  done
  if ((${#context[@]} == 0)) && running kafka; then
    require
    build
    java -cp "$(exec_jar classifier-service)" -Dloader.main="$ROUTING_MAIN" \
      org.springframework.boot.loader.launch.PropertiesLauncher --bootstrap-servers localhost:9092 \
      ${args[@]+"${args[@]}"}
    return
  fi
  k8s_or_die
  _k8s_require kubectl || exit 1
  _k8s_context ${context[@]+"${context[@]}"} || exit 1
  # In the pod the JVM's user is the image's uid, not a person: a change records this machine's user instead.
  if [[ "${args[0]:-}" == set && " ${args[*]} " != *" --by "* && " ${args[*]} " != *" --by="* ]]; then
    by=(--by "${USER:-$(id -un)}")
  fi
  # Jib's image: the JRE on PATH, the classpath (classes, resources with application.yaml, libs) in a file.
  # shellcheck disable=SC2086 # ROUTING_POD_JAVA_OPTS is a list of JVM flags
  _k8s_kubectl -n "$KIWO_NAMESPACE" exec deploy/classifier -c classifier -- \
    java $ROUTING_POD_JAVA_OPTS -cp @/app/jib-classpath-file "$ROUTING_MAIN" \
    ${args[@]+"${args[@]}"} ${by[@]+"${by[@]}"}
}

require_api_tools() {
  command -v curl >/dev/null || die "curl is missing; install it from your system's package manager"
  command -v jq >/dev/null || die "jq is missing; install it from your system's package manager"
}

# json_field KEY JSON: the top-level KEY's value in the API's JSON, empty when absent.
json_field() {
  jq -r --arg key "$1" '.[$key] // empty' <<<"$2"
}

# The X-API-Key job and cancel send, empty for none: KIWO_API_KEY when set; nothing for local mode's API (no
# authentication); else the cluster's demo key (scripts/lib/k8s.sh), of the context that [--context NAME] picks.
API_KEY=""
resolve_api_key() {
  if [[ -n "${KIWO_API_KEY:-}" ]]; then
    API_KEY="$KIWO_API_KEY"
  elif ! running api; then
    k8s_or_die
    if ! command -v kubectl >/dev/null || ! _k8s_context "$@" || ! API_KEY="$(k8s_api_key)"; then
      API_KEY=""
      say "no API key from a cluster: sending none (KIWO_API_KEY sets one)" >&2
    fi
  fi
}

# Escapes a value for a double-quoted curl config string.
curl_config_string() {
  local value="${1//\\/\\\\}"
  printf '"%s"' "${value//\"/\\\"}"
}

# api_call METHOD PATH [CURL_ARG...]: sets API_STATUS (the HTTP status) and API_BODY; dies when nothing answers.
# The API key reaches curl on its standard input (a config file), never on a command line.
api_call() {
  local method="$1" path="$2" out config=""
  shift 2
  [[ -z "$API_KEY" ]] || config="header = $(curl_config_string "X-API-Key: $API_KEY")"
  out="$(curl -s -m "${API_CALL_TIMEOUT:-75}" -K - -X "$method" -H 'Accept: application/json' -w '\n%{http_code}' \
    "$@" "$API_URL$path" <<<"$config")" \
    || die "nothing answers at $API_URL; 'bash scripts/demo.sh status' shows what local mode runs (KIWO_API_URL for another API)"
  API_STATUS="${out##*$'\n'}"
  API_BODY="${out%$'\n'*}"
}

# Prints a job's status (a JobView) as one line: its id and status, then each field the API knows, as key=value.
job_line() {
  jq -r '. as $job
    | [.jobId, .status]
      + [("jobClass", "pool", "attempt", "submittedAt", "classifiedAt", "startedAt", "finishedAt", "processingMs",
          "deadlineAt", "cancelRequestedAt") | select($job[.] != null) | "\(.)=\($job[.])"]
      + [.error // empty | "error=" + ([.code, .message] | map(select(. != null)) | join(": "))]
    | join("  ")' <<<"$1"
}

# Dies with what a problem answer (404, 400, 503, ...) of a job request means.
job_problem() {
  local id="$1" detail
  detail="$(json_field detail "$API_BODY")"
  case "$API_STATUS" in
    401) die "the API wants an API key (HTTP 401${detail:+: $detail}): KIWO_API_KEY, or --context NAME of the cluster whose Secret kiwo-api-keys holds it" ;;
    404) die "no job $id: never accepted, or ended longer ago than the status retention" ;;
    400) die "not a job id: $id (a UUID, as POST /jobs answers in jobId)" ;;
    503) die "the API could not answer in time (HTTP 503${detail:+: $detail}); retry in a few seconds" ;;
    *) die "the API answered HTTP $API_STATUS: ${detail:-$API_BODY}" ;;
  esac
}

cmd_job() {
  local id="${1:-}" json=0 prefer=() context=()
  [[ -n "$id" && "$id" != -* ]] || { say "usage: bash scripts/demo.sh job ID [--json] [--wait N] [--context NAME]" >&2; exit 2; }
  shift
  while (($#)); do
    case "$1" in
      --json) json=1 ;;
      --wait)
        [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--wait needs a number of seconds (the API waits at most 60)"
        prefer=(-H "Prefer: wait=$2")
        shift
        ;;
      --context)
        [[ -n "${2:-}" ]] || die "--context needs a name"
        context=(--context "$2")
        shift
        ;;
      *) die "unknown option $1; usage: bash scripts/demo.sh job ID [--json] [--wait N] [--context NAME]" ;;
    esac
    shift
  done
  require_api_tools
  resolve_api_key ${context[@]+"${context[@]}"}
  api_call GET "/jobs/$id" ${prefer[@]+"${prefer[@]}"}
  [[ "$API_STATUS" == 200 ]] || job_problem "$id"
  job_line "$API_BODY"
  if ((json)); then printf '%s\n' "$API_BODY"; fi
}

cmd_cancel() {
  local id="${1:-}" was context=()
  if [[ $# -eq 3 && "${2:-}" == --context && -n "${3:-}" ]]; then context=(--context "$3"); set -- "$1"; fi
  [[ -n "$id" && "$id" != -* && $# -eq 1 ]] || { say "usage: bash scripts/demo.sh cancel ID [--context NAME]" >&2; exit 2; }
  require_api_tools
  resolve_api_key ${context[@]+"${context[@]}"}
  api_call DELETE "/jobs/$id"
  case "$API_STATUS" in
    202)
      was="$(json_field status "$API_BODY")"
      say "cancellation of $id recorded while it was $was; it ends CANCELLED unless it finishes first"
      job_line "$API_BODY"
      say "follow it: bash scripts/demo.sh job $id --wait 30"
      ;;
    409) die "job $id has already ended ($(json_field jobStatus "$API_BODY")): nothing to cancel" ;;
    503) die "the cancellation could not be stored in time (HTTP 503); retry in a few seconds" ;;
    *) job_problem "$id" ;;
  esac
}

k8s_or_die() {
  [[ -f "$ROOT/scripts/lib/k8s.sh" ]] || die "the Kubernetes commands are not available in this checkout"
  # shellcheck source=lib/k8s.sh
  source "$ROOT/scripts/lib/k8s.sh"
}

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }

main() {
  local command="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$command" in
    local) cmd_local "$@" ;;
    load) cmd_load "$@" ;;
    job) cmd_job "$@" ;;
    cancel) cmd_cancel "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    replay) cmd_replay "$@" ;;
    routing) cmd_routing "$@" ;;
    deploy) k8s_or_die; k8s_deploy "$@" ;;
    observe)
      if running api; then
        # shellcheck source=lib/observe.sh
        source "$ROOT/scripts/lib/observe.sh"
        observe_local "$@"
      else
        k8s_or_die; k8s_observe "$@"
      fi
      ;;
    down) k8s_or_die; k8s_down "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

# Sourcing the script (as scripts/chaos.sh does) defines the functions without running a command.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
