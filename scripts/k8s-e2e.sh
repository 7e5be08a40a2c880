#!/usr/bin/env bash
# kiwo end-to-end check on a Kubernetes cluster: runs what a user runs (demo.sh deploy, load, observe, down)
# and checks the demo's promise on figures sampled over the whole run, not on one snapshot.
#
#   bash scripts/k8s-e2e.sh --context NAME
#
#   0  prerequisites (names what is missing), the analysis tool (bench module) built if out of date
#   1  demo.sh deploy; every Deployment and StatefulSet Available, no container restarted
#   2  a sampler records autoscalers, ready pods, restarts and OOM kills every KIWO_E2E_SAMPLE_INTERVAL
#      seconds while demo.sh load runs the load Job with KIWO_E2E_LOAD_ARGS
#   3  checks over the series and the load's summary (ClusterCheck in bench): worker-heavy's HPA wants more
#      than its minimum after the burst starts, a new heavy pod becomes Ready and is assigned jobs.heavy
#      partitions, worker-light's HPA stays at its minimum, no restart, no OOM kill, no failed or evicted
#      pod, every request accepted, every accepted job exactly one result, all of them completed
#   4  the classifier logs its routing at the default level
#   5  the job API through the cluster's Service, with the demo tenant's API key (Secret kiwo-api-keys): a POST
#      without the key or with a wrong one answers 401 problem+json, a POST that waits answers SUCCEEDED, a
#      running heavy job is cancelled (demo.sh cancel) and ends CANCELLED, an event stream ends with the terminal
#      event, an NDJSON batch answers line by line, an unknown id answers 404
#   6  demo.sh routing in the classifier's pod (with the pod's Kafka settings): show the live routing
#      configuration, set pageCount=5, a job of 10 pages and 1 MB is routed heavy; pageCount set back, the same
#      job is routed light
#   7  figures: figures.md (printed), figures.json, timeline.png
#   8  demo.sh observe renders both pools from the cluster
#   9  demo.sh down; namespace and every object labelled app.kubernetes.io/part-of=kiwo gone
#
# Exit 0 only when every check held. On a failure: a diagnostic dump (also in diagnostics.txt), exit 1; the
# namespace is left for inspection (bash scripts/demo.sh down --context NAME removes it).
# Output: KIWO_E2E_OUT (target/k8s-e2e): samples.csv, pods.csv, *.log, figures.*, timeline.png, observe.txt,
# lifecycle.txt, routing.txt.
# Knobs: KIWO_E2E_LOAD_ARGS (must keep --bootstrap-servers and --json -), KIWO_E2E_SAMPLE_INTERVAL (5),
# KIWO_E2E_OBSERVE_ROUNDS (1), KIWO_E2E_DEPLOY_TIMEOUT (1800), KIWO_E2E_LOAD_TIMEOUT (900) and
# KIWO_E2E_DOWN_TIMEOUT (600) in seconds;
# everything demo.sh reads (KIWO_OVERLAY, KIWO_TIMEOUT, KIWO_IMAGE_TAG, ...) is passed through.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="0.1.0-SNAPSHOT"
NS="${KIWO_NAMESPACE:-workload-demo}"
OUT="${KIWO_E2E_OUT:-$ROOT/target/k8s-e2e}"
# demo.sh's load (KIWO_LOAD_ARGS in scripts/lib/k8s.sh, sized for one 2-CPU node) plus its JSON summary as the
# log's last line, which the checks read.
LOAD_ARGS="${KIWO_E2E_LOAD_ARGS:---warmup 10s --duration 90s --light-rate 3 --heavy-rate 0 --burst-at 20s --burst-for 30s --burst-heavy-rate 1 --bootstrap-servers kafka:9092 --drain-timeout 300s --json -}"
SAMPLE_INTERVAL="${KIWO_E2E_SAMPLE_INTERVAL:-5}"
DEPLOY_TIMEOUT="${KIWO_E2E_DEPLOY_TIMEOUT:-1800}"
LOAD_TIMEOUT="${KIWO_E2E_LOAD_TIMEOUT:-900}"
DOWN_TIMEOUT="${KIWO_E2E_DOWN_TIMEOUT:-600}"
OBSERVE_TIMEOUT=300
KUBECTL_TIMEOUT=20s
HPA_TARGETS=(worker-heavy worker-light api)
WORKLOADS=(api classifier worker-light worker-heavy kafka)
BENCH_JAR="$ROOT/bench/target/bench-$VERSION.jar"
# The test cluster (infra/test-cluster) keeps its kubeconfig apart from ~/.kube/config, as scripts/lib/k8s.sh knows.
TEST_CLUSTER="${KIWO_TEST_CLUSTER:-$ROOT/infra/test-cluster/cluster.sh}"
TEST_CLUSTER_CONTEXT=kiwo-test

CTX=""
STEP=-1
STEP_NAME=""
STEP_START=$SECONDS
STEP_TIMES=()
SAMPLER_PID=""
MAIN_PID=$$
FAILED_CHECK=""

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
say() { printf '    %s\n' "$*"; }

finish_step() {
  if ((STEP >= 0)); then
    STEP_TIMES+=("$(printf '[%d/9] %-16s %5d s' "$STEP" "${STEP_NAME%%:*}" $((SECONDS - STEP_START)))")
    say "(step $STEP took $((SECONDS - STEP_START)) s)"
  fi
}

step() {
  finish_step
  STEP=$((STEP + 1))
  STEP_NAME="$1"
  STEP_START=$SECONDS
  printf '\n[%d/9] %s\n' "$STEP" "$STEP_NAME"
}

fail() {
  FAILED_CHECK="$*"
  printf '\nFAILED in step %d (%s): %s\n' "$STEP" "$STEP_NAME" "$*" >&2
  exit 1
}

k() { kubectl --context "$CTX" --request-timeout="$KUBECTL_TIMEOUT" "$@"; }
kn() { k -n "$NS" "$@"; }

# Runs a demo.sh command bounded in time, its output on the terminal and in $OUT/<log>.
demo() {
  local log="$1" limit="$2"
  shift 2
  timeout -k 30 "$limit" bash "$ROOT/scripts/demo.sh" "$@" --context "$CTX" </dev/null 2>&1 | tee "$OUT/$log"
}

# ---------------------------------------------------------------------------------------------------------------
# Sampler: one row per round in samples.csv, one row per pod per round in pods.csv.

sample_header() {
  local t cols="epoch_ms,time"
  for t in "${HPA_TARGETS[@]}"; do
    t="${t//-/_}"
    cols+=",${t}_hpa_min,${t}_hpa_max,${t}_hpa_current,${t}_hpa_desired,${t}_hpa_cpu"
  done
  for t in "${WORKLOADS[@]}"; do cols+=",${t//-/_}_ready"; done
  printf '%s,restarts,oomkilled\n' "$cols" >"$OUT/samples.csv"
  printf 'epoch_ms,pod,app,created,phase,ready,ready_since,restarts,oomkilled\n' >"$OUT/pods.csv"
}

sample_once() {
  local now epoch hpas ready pods name min max cur des cpu row t restarts=0 oom="" pod_restarts pod_oom
  local pod app created phase is_ready since containers c cname crestarts clast cstate
  local -A hpa_row=() ready_of=()
  now="${EPOCHREALTIME//[.,]/}"
  epoch=$((now / 1000))
  hpas="$(kn get hpa -o jsonpath='{range .items[*]}{.spec.scaleTargetRef.name}|{.spec.minReplicas}|{.spec.maxReplicas}|{.status.currentReplicas}|{.status.desiredReplicas}|{.status.currentMetrics[?(@.resource.name=="cpu")].resource.current.averageUtilization}{"\n"}{end}' 2>/dev/null)" || hpas=""
  ready="$(kn get deployments,statefulsets -o jsonpath='{range .items[*]}{.metadata.name}|{.status.readyReplicas}{"\n"}{end}' 2>/dev/null)" || ready=""
  pods="$(kn get pods -o jsonpath='{range .items[*]}{.metadata.name}|{.metadata.labels.app\.kubernetes\.io/name}|{.metadata.creationTimestamp}|{.status.phase}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].lastTransitionTime}|{range .status.initContainerStatuses[*]}{.name}={.restartCount}={.lastState.terminated.reason}={.state.terminated.reason} {end}{range .status.containerStatuses[*]}{.name}={.restartCount}={.lastState.terminated.reason}={.state.terminated.reason} {end}{"\n"}{end}' 2>/dev/null)" || pods=""

  while IFS='|' read -r name min max cur des cpu; do
    [[ -n "$name" ]] && hpa_row["$name"]="$min,$max,$cur,$des,$cpu"
  done <<<"$hpas"
  while IFS='|' read -r name cur; do
    [[ -n "$name" ]] && ready_of["$name"]="${cur:-0}"
  done <<<"$ready"

  while IFS='|' read -r pod app created phase is_ready since containers; do
    [[ -n "$pod" ]] || continue
    pod_restarts=0 pod_oom=""
    for c in $containers; do
      IFS='=' read -r cname crestarts clast cstate <<<"$c"
      pod_restarts=$((pod_restarts + ${crestarts:-0}))
      if [[ "$clast" == OOMKilled || "$cstate" == OOMKilled ]]; then
        pod_oom+="${pod_oom:+;}$pod/$cname"
      fi
    done
    restarts=$((restarts + pod_restarts))
    [[ -n "$pod_oom" ]] && oom+="${oom:+;}$pod_oom"
    [[ "$is_ready" == True ]] || since=""
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$epoch" "$pod" "$app" "$created" "$phase" "${is_ready:-False}" \
      "$since" "$pod_restarts" "$pod_oom" >>"$OUT/pods.csv"
  done <<<"$pods"

  row="$epoch,$(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T' $((epoch / 1000)))"
  for t in "${HPA_TARGETS[@]}"; do row+=",${hpa_row[$t]:-,,,,}"; done
  for t in "${WORKLOADS[@]}"; do row+=",${ready_of[$t]:-}"; done
  # Without a pod listing, restarts are unknown rather than 0.
  if [[ -z "$pods" ]]; then restarts=""; fi
  printf '%s,%s,%s\n' "$row" "$restarts" "$oom" >>"$OUT/samples.csv"
}

# Bounded: at most (load timeout + 10 minutes) / interval rounds, and it ends with this script.
sampler() {
  local rounds=$(((LOAD_TIMEOUT + 600) / SAMPLE_INTERVAL)) i
  for ((i = 0; i < rounds; i++)); do
    kill -0 "$MAIN_PID" 2>/dev/null || return 0
    sample_once || true
    sleep "$SAMPLE_INTERVAL"
  done
}

stop_sampler() {
  if [[ -n "$SAMPLER_PID" ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
  fi
}

# ---------------------------------------------------------------------------------------------------------------

diagnostics() {
  local pod
  printf '\n===== diagnostics (context %s, namespace %s) =====\n' "$CTX" "$NS"
  kubectl config get-contexts "$CTX" >/dev/null 2>&1 || { echo "context $CTX does not exist (any more)"; return 0; }
  kn get all,hpa,pdb,pvc -o wide 2>&1 || true
  echo "--- pods not Ready"
  for pod in $(kn get pods -o jsonpath='{range .items[*]}{.metadata.name}|{.status.phase}|{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null |
    while IFS='|' read -r p phase r; do [[ "$phase" != Succeeded && "$r" != True ]] && printf '%s\n' "$p"; done); do
    kn describe pod "$pod" 2>&1 | tail -n 60 || true
  done
  for pod in $(kn get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null); do
    echo "--- last log lines of $pod"
    kn logs "$pod" --all-containers --tail=25 2>&1 || true
    if [[ "$(kn get pod "$pod" -o jsonpath='{.status.containerStatuses[*].restartCount}' 2>/dev/null)" =~ [1-9] ]]; then
      echo "--- $pod before its last restart"
      kn logs "$pod" --all-containers --previous --tail=40 2>&1 || true
    fi
  done
  echo "--- events, oldest first"
  kn get events --sort-by=.lastTimestamp 2>&1 | tail -n 80 || true
  echo "--- kubectl top pods"
  kn top pods 2>&1 || true
}

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  stop_sampler
  if ((rc != 0)); then
    if ((STEP >= 1)) && [[ -d "$OUT" ]]; then
      diagnostics 2>&1 | tee "$OUT/diagnostics.txt" || true
    fi
    printf '\nkiwo k8s-e2e: FAILED%s (exit %d)\n' "${FAILED_CHECK:+: $FAILED_CHECK}" "$rc" >&2
    if ((STEP >= 1)); then
      printf 'Output and diagnostics: %s\n' "$OUT" >&2
      printf 'The namespace is left as it is; remove it with: bash scripts/demo.sh down --context %s\n' "$CTX" >&2
    fi
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------------------------

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --context) CTX="${2:?--context needs a name}"; shift 2 ;;
      --context=*) CTX="${1#--context=}"; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; printf 'error: unknown argument: %s\n' "$1" >&2; exit 2 ;;
    esac
  done
  [[ -n "$CTX" ]] || { usage >&2; printf 'error: --context NAME is required: this deploys to and deletes from that cluster\n' >&2; exit 2; }
}

prerequisites() {
  step "Prerequisites"
  local missing=() tool
  for tool in kubectl java mvn timeout tee paste curl jq; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((BASH_VERSINFO[0] >= 5)) || missing+=("bash 5 or newer (this is $BASH_VERSION)")
  if ((${#missing[@]})); then
    printf 'missing prerequisites:\n' >&2
    for tool in "${missing[@]}"; do
      case "$tool" in
        kubectl) printf '  - kubectl: https://kubernetes.io/docs/tasks/tools/\n' >&2 ;;
        java) printf '  - java: a JDK 17 or newer\n' >&2 ;;
        mvn) printf '  - mvn: Apache Maven 3.8 or newer\n' >&2 ;;
        timeout | tee) printf '  - %s: GNU coreutils\n' "$tool" >&2 ;;
        *) printf '  - %s\n' "$tool" >&2 ;;
      esac
    done
    fail "install the tools above"
  fi
  [[ " $LOAD_ARGS " == *" --json - "* && " $LOAD_ARGS " == *" --bootstrap-servers "* ]] ||
    fail "KIWO_E2E_LOAD_ARGS must keep '--json -' and '--bootstrap-servers HOST:PORT' (the checks read the load's results)"
  [[ "$SAMPLE_INTERVAL" =~ ^[1-9][0-9]*$ ]] || fail "KIWO_E2E_SAMPLE_INTERVAL must be a whole number of seconds"
  local pidfile="${KIWO_RUN_DIR:-$ROOT/.run}/pids/api.pid"
  # A pid file holds the pid, then the process's start time.
  if [[ -f "$pidfile" ]] && kill -0 "$(head -n 1 "$pidfile")" 2>/dev/null; then
    fail "local mode runs on this machine, so demo.sh load and observe would target it: bash scripts/demo.sh stop"
  fi
  if [[ "$CTX" == "$TEST_CLUSTER_CONTEXT" ]] && ! kubectl config get-contexts "$CTX" >/dev/null 2>&1; then
    local kubeconfig
    kubeconfig="$(bash "$TEST_CLUSTER" kubeconfig 2>/dev/null)" ||
      fail "context $CTX: the test cluster does not run (bash infra/test-cluster/cluster.sh up)"
    export KUBECONFIG="$kubeconfig"
    say "context $CTX from the test cluster's kubeconfig"
  fi
  if kubectl config get-contexts "$CTX" >/dev/null 2>&1; then
    k get --raw /readyz >/dev/null 2>&1 || fail "the cluster of context $CTX does not answer (kubectl --context $CTX get --raw /readyz)"
    if [[ -n "$(k get namespace "$NS" --ignore-not-found -o name 2>/dev/null)" ]]; then
      fail "namespace $NS already exists; the checks need a fresh deploy: bash scripts/demo.sh down --context $CTX"
    fi
    say "context $CTX answers; namespace $NS is free"
  elif [[ "$CTX" == "kind-${KIWO_CLUSTER_NAME:-kiwo}" ]]; then
    say "context $CTX does not exist yet: deploy creates the kind cluster"
  else
    fail "no kube context named $CTX (kubectl config get-contexts)"
  fi

  # The analysis and the chart: ClusterCheck in the bench module, rebuilt when its sources changed.
  if [[ ! -f "$BENCH_JAR" || ! -d "$ROOT/bench/target/lib" || -n "$(find "$ROOT/bench" "$ROOT/common-model" \
    "$ROOT/pom.xml" -path '*/target' -prune -o -newer "$BENCH_JAR" -type f -print -quit 2>/dev/null)" ]]; then
    say "building the analysis tool (bench module)"
    (cd "$ROOT" && mvn -B -q -DskipTests package -pl bench -am) || fail "building the bench module failed"
  fi
  say "analysis tool: $BENCH_JAR"

  mkdir -p "$OUT/logs"
  rm -f "$OUT"/{samples.csv,pods.csv,deploy.log,load.log,load-job.log,classifier.log,observe.txt,down.log} \
    "$OUT"/{figures.md,figures.json,timeline.png,diagnostics.txt,routing.txt} "$OUT"/routing-*.log "$OUT"/logs/*.log
  say "output: $OUT"
}

deploy_and_check() {
  step "Deploy: demo.sh deploy --context $CTX${KIWO_OVERLAY:+ (KIWO_OVERLAY=$KIWO_OVERLAY)}"
  demo deploy.log "$DEPLOY_TIMEOUT" deploy || fail "demo.sh deploy failed (or took longer than ${DEPLOY_TIMEOUT}s)"

  local name available ready wanted i workloads="" problems
  for ((i = 0; i < 30; i++)); do
    problems=""
    workloads="$(kn get deployments -o jsonpath='{range .items[*]}{.metadata.name}|{.status.conditions[?(@.type=="Available")].status}|{.status.readyReplicas}|{.spec.replicas}{"\n"}{end}')" || workloads=""
    for name in api classifier worker-light worker-heavy; do
      grep -q "^$name|" <<<"$workloads" || problems+=" deployment/$name missing;"
    done
    while IFS='|' read -r name available ready wanted; do
      [[ -z "$name" || "$available" == True ]] || problems+=" deployment/$name not Available (${ready:-0}/$wanted);"
    done <<<"$workloads"
    while IFS='|' read -r name ready wanted; do
      [[ -z "$name" || "${ready:-0}" == "$wanted" ]] || problems+=" statefulset/$name ${ready:-0}/$wanted ready;"
    done <<<"$(kn get statefulsets -o jsonpath='{range .items[*]}{.metadata.name}|{.status.readyReplicas}|{.spec.replicas}{"\n"}{end}')"
    [[ -z "$problems" ]] && break
    sleep 2
  done
  [[ -z "$problems" ]] || fail "after deploy:$problems"
  say "every Deployment and StatefulSet in $NS is Available: $(kn get deployments,statefulsets -o name | tr '\n' ' ')"
  local pod counts restarted=""
  while IFS='|' read -r pod counts; do
    [[ "$counts" =~ [1-9] ]] && restarted+=" $pod (restarts: $counts)"
  done <<<"$(kn get pods -o jsonpath='{range .items[*]}{.metadata.name}|{.status.initContainerStatuses[*].restartCount} {.status.containerStatuses[*].restartCount}{"\n"}{end}')"
  [[ -z "$restarted" ]] || fail "containers restarted during deploy:$restarted"
  say "no container restarted"
}

load_with_sampler() {
  step "Load: demo.sh load --context $CTX, sampled every ${SAMPLE_INTERVAL} s"
  sample_header
  sampler &
  SAMPLER_PID=$!
  local i job
  for ((i = 0; i < 60; i++)); do
    (($(wc -l <"$OUT/samples.csv") >= 2)) && break
    sleep 1
  done
  (($(wc -l <"$OUT/samples.csv") >= 2)) || fail "the sampler recorded nothing in 60 s"
  say "sampler running (pid $SAMPLER_PID): $OUT/samples.csv, $OUT/pods.csv"
  say "KIWO_LOAD_ARGS=$LOAD_ARGS"
  KIWO_LOAD_ARGS="$LOAD_ARGS" demo load.log "$LOAD_TIMEOUT" load ||
    fail "demo.sh load failed (or took longer than ${LOAD_TIMEOUT}s)"
  # Workers report Ready only after their start-up minute (infra/k8s/base): the load may be over before the
  # burst's new heavy pods are. Keep sampling until every heavy pod is Ready (at most 180 s), then one more round.
  local deadline=$((SECONDS + 180)) ready wanted
  while ((SECONDS < deadline)); do
    IFS='|' read -r ready wanted <<<"$(kn get deployment worker-heavy -o jsonpath='{.status.readyReplicas}|{.spec.replicas}' 2>/dev/null || true)"
    [[ -n "$wanted" && "${ready:-0}" == "$wanted" ]] && break
    sleep "$SAMPLE_INTERVAL"
  done
  sleep "$SAMPLE_INTERVAL"
  stop_sampler
  say "$(($(wc -l <"$OUT/samples.csv") - 1)) samples"

  job="$(grep -o 'load-generator-[0-9]\{14\}' "$OUT/load.log" | head -n 1 || true)"
  if [[ -n "$job" ]] && kn logs "job/$job" >"$OUT/load-job.log" 2>/dev/null && [[ -s "$OUT/load-job.log" ]]; then
    say "the load Job's log: $OUT/load-job.log"
  else
    cp "$OUT/load.log" "$OUT/load-job.log"
    say "the load Job's log could not be read again; using demo.sh load's output"
  fi
  local pod
  for pod in $(kn get pods -l app.kubernetes.io/name=worker-heavy -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'); do
    kn logs "$pod" --all-containers >"$OUT/logs/$pod.log" 2>&1 || true
  done
  say "worker-heavy pod logs: $OUT/logs/"
}

analyse() {
  step "Checks: the sampled series and the load's summary"
  local rc=0
  java -Djava.awt.headless=true -cp "$BENCH_JAR:$ROOT/bench/target/lib/*" dev.kiwo.bench.ClusterCheck \
    --samples "$OUT/samples.csv" --pods "$OUT/pods.csv" --load "$OUT/load-job.log" --pod-logs "$OUT/logs" \
    --out "$OUT" || rc=$?
  case "$rc" in
    0) say "every check held" ;;
    1) fail "a check failed (above; figures in $OUT/figures.md)" ;;
    *) fail "the analysis could not read its input (exit $rc)" ;;
  esac
}

classifier_logs() {
  step "Classifier: routing lines in kubectl logs deploy/classifier"
  kn logs deploy/classifier >"$OUT/classifier.log" 2>&1 || fail "cannot read the classifier's log"
  local routed
  routed="$(grep 'Routed' "$OUT/classifier.log" || true)"
  [[ -n "$routed" ]] || fail "no line with 'Routed' in the classifier's log at the default level"
  grep -qi 'light' <<<"$routed" || fail "no routing line mentions light jobs"
  grep -qi 'heavy' <<<"$routed" || fail "no routing line mentions heavy jobs"
  say "$(grep -c 'Routed' "$OUT/classifier.log") routing lines, for example:"
  grep -i 'Routed' "$OUT/classifier.log" | grep -i 'light' | grep -i 'heavy' | tail -n 1 | cut -c1-240 | sed 's/^/      /' || true
}

# The API's address from this machine: kind maps the NodePort to localhost:8080, other clusters expose it on
# the node's address.
api_url() {
  if [[ "$CTX" == "kind-${KIWO_CLUSTER_NAME:-kiwo}" ]]; then
    printf 'http://localhost:8080'
  else
    printf 'http://%s:30080' "$(k get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')"
  fi
}

# The curl config that sends the demo tenant's key (API_KEY): on curl's standard input, not its command line.
key_config() { printf 'header = "X-API-Key: %s"\n' "$API_KEY"; }

# api METHOD PATH [CURL_ARG...]: the body, then the HTTP status on the last line; logged to lifecycle.txt.
api() {
  local method="$1" path="$2"
  shift 2
  printf '> %s %s\n' "$method" "$path" >>"$OUT/lifecycle.txt"
  key_config | curl -sS -m 75 -K - -X "$method" -w '\n%{http_code}' "$@" "$API_URL$path" | tee -a "$OUT/lifecycle.txt"
  printf '\n' >>"$OUT/lifecycle.txt"
}

# unauthenticated LABEL [CURL_ARG...]: a light job POSTed with CURL_ARGs (no key, or a wrong one) must answer
# 401 application/problem+json.
unauthenticated() {
  local label="$1" answer
  shift
  answer="$(curl -sS -m 20 -o /dev/null -w '%{http_code} %{content_type}' -X POST "$@" \
    -H 'Content-Type: application/json' -d '{"fileSizeMb":1,"pageCount":1,"imageCount":0}' "$API_URL/jobs")" ||
    fail "POST /jobs $label at $API_URL failed"
  printf '> POST /jobs %s: %s\n' "$label" "$answer" >>"$OUT/lifecycle.txt"
  [[ "$answer" == "401 application/problem+json"* ]] ||
    fail "a POST $label answered $answer, not 401 application/problem+json"
}

lifecycle() {
  step "Lifecycle: status, wait, events, cancel and a batch through the API's Service"
  API_URL="$(api_url)"
  local out status body id i stages
  : >"$OUT/lifecycle.txt"

  API_KEY="$(kn get secret kiwo-api-keys -o jsonpath='{.data.demo-api-key}' | base64 -d)" || API_KEY=""
  [[ -n "$API_KEY" ]] || fail "no key demo-api-key in Secret kiwo-api-keys (demo.sh deploy creates it)"
  unauthenticated "without X-API-Key"
  unauthenticated "with a wrong X-API-Key" -H 'X-API-Key: not-the-demo-key-0123456789'
  say "POST without an API key, and with a wrong one: 401 application/problem+json"

  out="$(api POST /jobs -H 'Content-Type: application/json' -H 'Prefer: wait=45' \
    -d '{"fileSizeMb":2,"pageCount":3,"imageCount":0}')" || fail "POST /jobs at $API_URL failed"
  status="${out##*$'\n'}" body="${out%$'\n'*}"
  [[ "$status" == 200 && "$(jq -r .status <<<"$body")" == SUCCEEDED ]] ||
    fail "a light job POSTed with Prefer: wait=45 did not answer 200 SUCCEEDED (HTTP $status: $body)"
  say "POST with Prefer: wait=45: 200 $(jq -r '"\(.status) in \(.processingMs) ms on pool \(.pool)"' <<<"$body")"

  # 1,000 MB is 20 s of CPU: running long enough to be cancelled.
  out="$(api POST /jobs -H 'Content-Type: application/json' -d '{"fileSizeMb":1000,"pageCount":0,"imageCount":0}')" ||
    fail "POST /jobs failed"
  id="$(jq -r .jobId <<<"${out%$'\n'*}")"
  for ((i = 0; i < 120; i++)); do
    out="$(api GET "/jobs/$id")" || true
    status="$(sed -n 1p <<<"$out" | jq -r '.status // empty' 2>/dev/null)" || status=""
    [[ "$status" == RUNNING ]] && break
    sleep 1
  done
  [[ "$status" == RUNNING ]] || fail "heavy job $id not RUNNING within 120 s (last: $status)"
  # demo.sh reads the key from the cluster's Secret itself, as a user's call does.
  KIWO_API_URL="$API_URL" env -u KIWO_API_KEY bash "$ROOT/scripts/demo.sh" cancel "$id" --context "$CTX" >>"$OUT/lifecycle.txt" 2>&1 ||
    fail "demo.sh cancel $id failed (lifecycle.txt)"
  out="$(KIWO_API_URL="$API_URL" env -u KIWO_API_KEY bash "$ROOT/scripts/demo.sh" job "$id" --wait 45 --context "$CTX")" ||
    fail "demo.sh job $id failed"
  printf '%s\n' "$out" >>"$OUT/lifecycle.txt"
  [[ "$out" == *" CANCELLED "* ]] || fail "heavy job $id did not end CANCELLED after demo.sh cancel: $out"
  say "demo.sh cancel on a running heavy job: $(cut -c1-160 <<<"$out")"

  out="$(api POST /jobs -H 'Content-Type: application/json' -d '{"fileSizeMb":1,"pageCount":1,"imageCount":0}')" ||
    fail "POST /jobs failed"
  id="$(jq -r .jobId <<<"${out%$'\n'*}")"
  stages="$(key_config | curl -sS -N -m 60 -K - -H 'Accept: text/event-stream' "$API_URL/jobs/$id/events" |
    sed -n 's/^data://p' | jq -r .status | paste -sd' ')" || fail "the event stream of job $id did not end within 60 s"
  printf 'events of %s: %s\n' "$id" "$stages" >>"$OUT/lifecycle.txt"
  [[ "$stages" == *SUCCEEDED ]] || fail "the event stream of job $id did not end with SUCCEEDED: $stages"
  say "event stream: $stages"

  out="$(api POST /jobs -H 'Content-Type: application/x-ndjson' --data-binary $'{"fileSizeMb":1,"pageCount":1,"imageCount":0}\n{"fileSizeMb":-1,"pageCount":1,"imageCount":0}\n{"fileSizeMb":2,"pageCount":0,"imageCount":0}\n')" ||
    fail "the batch POST failed"
  status="${out##*$'\n'}" body="${out%$'\n'*}"
  [[ "$status" == 200 && "$(jq -r .status <<<"$body" | paste -sd' ')" == "ACCEPTED 400 ACCEPTED" ]] ||
    fail "a batch of two good lines and one bad did not answer ACCEPTED, 400, ACCEPTED (HTTP $status: $body)"
  say "batch of 3 lines (one bad): $(jq -r .status <<<"$body" | paste -sd' ')"

  out="$(api GET /jobs/00000000-0000-4000-8000-000000000000)" || fail "GET of an unknown job id failed"
  status="${out##*$'\n'}"
  [[ "$status" == 404 ]] || fail "an unknown job id answered HTTP $status, not 404"
  say "unknown id: 404; requests and answers in $OUT/lifecycle.txt"
}

# routed_job LABEL: POSTs a job of 10 pages and 1 MB and sets ROUTED_ID and ROUTED_CLASS, the jobClass its status
# shows once the classifier routed it (at most 60 s); ROUTED_CLASS stays empty when it was not routed in time.
ROUTED_ID=""
ROUTED_CLASS=""
routed_job() {
  local out i
  out="$(api POST /jobs -H 'Content-Type: application/json' -d '{"fileSizeMb":1,"pageCount":10,"imageCount":0}')" ||
    fail "POST /jobs ($1) failed"
  [[ "${out##*$'\n'}" == 202 ]] || fail "POST /jobs ($1) answered HTTP ${out##*$'\n'}: ${out%$'\n'*}"
  ROUTED_ID="$(jq -r .jobId <<<"${out%$'\n'*}")"
  ROUTED_CLASS=""
  for ((i = 0; i < 60; i++)); do
    out="$(api GET "/jobs/$ROUTED_ID")" || true
    ROUTED_CLASS="$(sed -n 1p <<<"$out" | jq -r '.jobClass // empty' 2>/dev/null)" || ROUTED_CLASS=""
    [[ -n "$ROUTED_CLASS" ]] && break
    sleep 1
  done
  printf '%s: job %s routed %s\n' "$1" "$ROUTED_ID" "${ROUTED_CLASS:-(not within 60 s)}" >>"$OUT/routing.txt"
}

routing_change() {
  step "Routing: demo.sh routing --context $CTX changes it live, in the classifier's pod"
  local old heavy_id heavy_class
  : >"$OUT/routing.txt"
  demo routing-show.log 180 routing show || fail "demo.sh routing show failed (routing-show.log)"
  old="$(sed -n 's/^pageCount=\([0-9][0-9]*\)$/\1/p' "$OUT/routing-show.log")"
  [[ -n "$old" ]] || fail "demo.sh routing show printed no pageCount=N (routing-show.log)"
  ((old > 10)) || fail "pageCount is $old already: a job of 10 pages would be heavy before any change"
  say "routing show: $(grep -m 1 '^version=' "$OUT/routing-show.log"), pageCount=$old"

  demo routing-set.log 180 routing set pageCount=5 || fail "demo.sh routing set pageCount=5 failed (routing-set.log)"
  say "routing set pageCount=5: $(grep -m 1 '^wrote version' "$OUT/routing-set.log")"
  # A change applies to the next job within seconds (docs/routing.md): give it those seconds.
  sleep 5
  routed_job "pageCount=5"
  heavy_id="$ROUTED_ID" heavy_class="$ROUTED_CLASS"
  # Set back before checking, so that a failed check leaves the routing as it was.
  demo routing-reset.log 180 routing set "pageCount=$old" ||
    fail "demo.sh routing set pageCount=$old failed (routing-reset.log); the routing is left at pageCount=5"
  sleep 5
  routed_job "pageCount=$old"
  cat "$OUT"/routing-{show,set,reset}.log >>"$OUT/routing.txt"

  [[ "$heavy_class" == HEAVY ]] ||
    fail "with pageCount=5, job $heavy_id of 10 pages was routed ${heavy_class:-nowhere within 60 s}, not HEAVY"
  [[ "$ROUTED_CLASS" == LIGHT ]] ||
    fail "with pageCount=$old again, job $ROUTED_ID of 10 pages was routed ${ROUTED_CLASS:-nowhere within 60 s}, not LIGHT"
  say "10 pages, 1 MB: HEAVY with pageCount=5 (job $heavy_id), LIGHT with pageCount=$old again (job $ROUTED_ID)"
  say "commands and jobs: $OUT/routing.txt"
}

figures() {
  step "Figures: table and chart"
  sed -n '/^| Figure/,/^$/p' "$OUT/figures.md"
  say "table: $OUT/figures.md, all figures: $OUT/figures.json, chart: $OUT/timeline.png"
}

observe() {
  step "Observe: demo.sh observe --context $CTX shows both pools"
  KIWO_OBSERVE_ROUNDS="${KIWO_E2E_OBSERVE_ROUNDS:-1}" demo observe.txt "$OBSERVE_TIMEOUT" observe ||
    fail "demo.sh observe failed"
  local pool
  for pool in worker-light worker-heavy; do
    grep -Eq "^$pool +[0-9]+/[0-9]+ " "$OUT/observe.txt" || fail "observe shows no pods of $pool from the cluster"
  done
  say "both pools shown; frame saved to $OUT/observe.txt"
}

down_and_check() {
  step "Down: demo.sh down --context $CTX"
  demo down.log "$DOWN_TIMEOUT" down || fail "demo.sh down failed"
  if ! kubectl config get-contexts "$CTX" >/dev/null 2>&1; then
    say "down deleted the cluster itself (deploy had created it): nothing of kiwo can be left"
    return 0
  fi
  local i left="" types deadline=$((SECONDS + DOWN_TIMEOUT))
  types="$(k api-resources --verbs=list -o name 2>/dev/null | grep -v '^events' | paste -sd, -)" || types=""
  [[ -n "$types" ]] || types="all,configmaps,secrets,serviceaccounts,persistentvolumeclaims,horizontalpodautoscalers,poddisruptionbudgets,networkpolicies,resourcequotas,limitranges,priorityclasses,namespaces"
  for ((i = 0; i < 120 && SECONDS < deadline; i++)); do
    left="$(k get namespace "$NS" --ignore-not-found -o name 2>/dev/null || true)"
    left+="$(k get priorityclass kiwo-interactive kiwo-batch --ignore-not-found -o name 2>/dev/null || true)"
    left+="$(k get "$types" -A -l app.kubernetes.io/part-of=kiwo --ignore-not-found -o name 2>/dev/null || true)"
    [[ -z "$left" ]] && break
    sleep 5
  done
  [[ -z "$left" ]] || fail "still there after down: $(tr '\n' ' ' <<<"$left")"
  say "namespace $NS, the PriorityClasses and every object labelled app.kubernetes.io/part-of=kiwo are gone"
}

main() {
  parse_args "$@"
  trap on_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local started=$SECONDS
  printf 'kiwo end-to-end check on context %s, namespace %s\n' "$CTX" "$NS"
  prerequisites
  deploy_and_check
  load_with_sampler
  analyse
  classifier_logs
  lifecycle
  routing_change
  figures
  observe
  down_and_check
  finish_step
  printf '\nkiwo k8s-e2e: PASSED, every check held (%d s in all)\n' $((SECONDS - started))
  printf '  %s\n' "${STEP_TIMES[@]}"
  printf 'Output: %s\n' "$OUT"
}

main "$@"
