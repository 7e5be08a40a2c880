#!/usr/bin/env bash
# kiwo observe: one refreshing screen per pool (pods, autoscaler, lag, jobs/s, p95), the classifier's split
# and the API's rate, computed from the services' /actuator/prometheus between two refreshes.
# Sourced by scripts/demo.sh (local mode) and scripts/lib/k8s.sh (Kubernetes). Knobs (env):
#   KIWO_OBSERVE_INTERVAL  seconds between refreshes (5)      KIWO_OBSERVE_ROUNDS  refreshes before it stops (60)
#   KIWO_OBSERVE_API / _CLASSIFIER / _WORKER_LIGHT / _WORKER_HEAVY   local base URLs of their metrics
#     (http://localhost:8180, the API's management port; 8081, 8082, 8083)
set -euo pipefail

KIWO_OBSERVE_INTERVAL="${KIWO_OBSERVE_INTERVAL:-5}"
KIWO_OBSERVE_ROUNDS="${KIWO_OBSERVE_ROUNDS:-60}"
KIWO_OBSERVE_API="${KIWO_OBSERVE_API:-http://localhost:8180}"
KIWO_OBSERVE_CLASSIFIER="${KIWO_OBSERVE_CLASSIFIER:-http://localhost:8081}"
KIWO_OBSERVE_WORKER_LIGHT="${KIWO_OBSERVE_WORKER_LIGHT:-http://localhost:8082}"
KIWO_OBSERVE_WORKER_HEAVY="${KIWO_OBSERVE_WORKER_HEAVY:-http://localhost:8083}"

_OBSERVE_SERVICES=(api classifier worker-light worker-heavy)

# Reads the scrapes in $1 (<service>.prom, pods of a service concatenated) and the counters of the previous
# round ($2, "key value" lines), writes this round's counters to $3 and prints one "key value" line per
# figure. Rates and quantiles cover the time since the previous round: counters are differenced, histogram
# buckets too, so p95 is that of the jobs finished in between.
# Why awk: the Prometheus Java client (io.prometheus:prometheus-metrics-*) only writes the text format, Maven
# Central has no reader of it, and the services publish no percentiles. So this reads just the five families
# below, one sample per line (`name{label="value",...} value`, no timestamps, as Micrometer writes them).
# shellcheck disable=SC2016 # an awk program: its $ are awk's
_OBSERVE_AWK='
function label(key) { return match($0, "[{,]" key "=\"[^\"]*\"") ? substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 4) : "" }
function add(key) { if (!(key in cur)) order[++n] = key; cur[key] += $NF }
function delta(key,   d) { d = cur[key] - prev[key]; return d < 0 ? cur[key] : d }
# histogram_quantile as Prometheus computes it: linear interpolation inside the bucket holding the rank.
# Buckets arrive in ascending le order, as every client writes them, and all pods of a pool share them.
function p95(prefix,   i, le, c, rank, lower, below) {
  if ((rank = 0.95 * delta(prefix "|+Inf")) <= 0) return "-"
  for (i = 1; i <= n; i++) if (index(order[i], prefix "|") == 1) {
    le = substr(order[i], length(prefix) + 2); c = delta(order[i])
    if (c >= rank) return sprintf("%.3f", le == "+Inf" ? lower : lower + (le - lower) * (rank - below) / (c - below))
    lower = le; below = c
  }
}
FILENAME == PREV { prev[$1] = $2; next }
/^#/ || $NF == "NaN" { next }
{
  name = $1; sub(/\{.*/, "", name)
  if (name == "kiwo_worker_jobs_total") add("jobs|" label("pool") "|" label("outcome"))
  else if (name == "kiwo_worker_processing_seconds_bucket") add("proc|" label("pool") "|" label("le"))
  else if (name == "kiwo_worker_end_to_end_seconds_bucket") add("e2e|" label("pool") "|" label("le"))
  else if (name == "kiwo_classifier_decisions_total") add("decisions|" tolower(label("class")))
  else if (name == "http_server_requests_seconds_count" && FILENAME ~ /\/api\.prom$/ && label("uri") == "/jobs" && label("method") == "POST") add("post|" label("status"))
  else if (name == "kafka_consumer_fetch_manager_records_lag" && $NF >= 0 && label("topic") ~ /^jobs\./) {
    # Each topic is reported twice (jobs.light, legacy jobs_light): keep the dotted name. A partition may
    # also be reported by two consumers around a rebalance: keep the larger report.
    k = label("topic") "|" label("partition")
    if (!(k in lag) || $NF + 0 > lag[k]) lag[k] = $NF + 0
  }
}
END {
  for (k in lag) { split(k, tp, "|"); topiclag[tp[1]] += lag[k] }
  for (k in cur) {
    print k, cur[k] > STATE
    split(k, f, "|"); d = delta(k)
    if (f[1] == "jobs") { done[f[2]] += d; if (f[3] == "dead_lettered") dead[f[2]] += d }
    if (f[1] == "post") { posts += d; if (d > 0) statuses = statuses (statuses == "" ? "" : ", ") sprintf("%s %.1f/s", f[2], d / ELAPSED) }
  }
  for (p = 1; p <= 2; p++) {
    pool = p == 1 ? "light" : "heavy"
    printf "%s.jobs_per_s %.1f\n%s.dead_per_s %.1f\n", pool, done[pool] / ELAPSED, pool, dead[pool] / ELAPSED
    printf "%s.lag %d\n%s.processing_p95 %s\n", pool, topiclag["jobs." pool], pool, p95("proc|" pool)
    printf "%s.e2e_p95 %s\n", pool, p95("e2e|" pool)
  }
  light = delta("decisions|light"); heavy = delta("decisions|heavy")
  printf "classifier.light_per_s %.1f\nclassifier.heavy_per_s %.1f\n", light / ELAPSED, heavy / ELAPSED
  printf "classifier.light_share %s\n", (light + heavy > 0 ? sprintf("%d%%", 100 * light / (light + heavy) + 0.5) : "-")
  printf "classifier.lag %d\napi.post_per_s %.1f\n", topiclag["jobs.in"], posts / ELAPSED
  printf "api.by_status %s\n", statuses == "" ? "-" : statuses
}'

# Summarises the scrapes in dir $1, diffing against the previous round's state in $1/../state.
_observe_figures() {
  local dir="$1" elapsed="$2" state="$1/../state"
  [[ -f "$state" ]] || : >"$state"
  : >"$state.next"
  awk -v PREV="$state" -v STATE="$state.next" -v ELAPSED="$elapsed" "$_OBSERVE_AWK" \
    "$state" "$dir"/api.prom "$dir"/classifier.prom "$dir"/worker-light.prom "$dir"/worker-heavy.prom
  mv "$state.next" "$state"
}

_observe_get() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$2"; }
# A duration figure with its unit, or "-" when there is none (no job finished in the interval).
_observe_seconds() { local v; v="$(_observe_get "$1" "$2")"; [[ "$v" == - || -z "$v" ]] && printf '%s' "${v:--}" || printf '%ss' "$v"; }

# Prints the screen from the figures in $1; $2: "local" or the Kubernetes context; $3/$4: round/rounds;
# $5: the per-pool autoscaler lines (pool<TAB>pods<TAB>hpa<TAB>cpu) or empty in local mode.
_observe_render() {
  local figures="$1" where="$2" round="$3" rounds="$4" scaling="$5" pool pods hpa cpu
  printf 'kiwo observe  %s  %s  round %d/%d  (rates and p95 over the last %ss; Ctrl-C stops)\n\n' \
    "$(date +%T)" "$where" "$round" "$rounds" "$KIWO_OBSERVE_INTERVAL"
  printf '%-13s %-6s %-14s %-11s %7s %7s %7s %10s %10s\n' POOL PODS 'HPA CUR/DES' 'CPU/TARGET' LAG JOBS/S DEAD/S 'PROC P95' 'E2E P95'
  for pool in light heavy; do
    pods=down hpa=- cpu=-
    [[ -s "$(dirname "$figures")/scrape/worker-$pool.prom" ]] && pods=up
    if [[ -n "$scaling" ]]; then
      IFS=$'\t' read -r _ pods hpa cpu < <(grep "^worker-$pool"$'\t' <<<"$scaling" || printf 'x\t-\t-\t-\n')
    fi
    printf '%-13s %-6s %-14s %-11s %7s %7s %7s %10s %10s\n' "worker-$pool" "$pods" "$hpa" "$cpu" \
      "$(_observe_get "$pool.lag" "$figures")" "$(_observe_get "$pool.jobs_per_s" "$figures")" \
      "$(_observe_get "$pool.dead_per_s" "$figures")" "$(_observe_seconds "$pool.processing_p95" "$figures")" \
      "$(_observe_seconds "$pool.e2e_p95" "$figures")"
  done
  printf '\nclassifier    light %s of jobs (light %s/s, heavy %s/s), jobs.in lag %s\n' \
    "$(_observe_get classifier.light_share "$figures")" "$(_observe_get classifier.light_per_s "$figures")" \
    "$(_observe_get classifier.heavy_per_s "$figures")" "$(_observe_get classifier.lag "$figures")"
  printf 'api           POST /jobs %s/s (%s)\n' "$(_observe_get api.post_per_s "$figures")" \
    "$(_observe_get api.by_status "$figures")"
}

# Runs the refresh loop: $1 scrape function (fills a directory), $2 scaling function (may print nothing),
# $3 where, $4 "once" for a single round without screen clearing. A baseline scrape comes first, so every
# screen's rates and p95 cover the interval before it.
_observe_loop() {
  local scrape="$1" scaling_of="$2" where="$3" once="${4:-}" rounds="$KIWO_OBSERVE_ROUNDS" round stop=0
  local work last now elapsed screen scaling
  work="$(mktemp -d)"
  [[ "$once" == once ]] && rounds=1
  trap 'stop=1' INT
  mkdir -p "$work/scrape"
  "$scrape" "$work/scrape"
  _observe_figures "$work/scrape" 1 >/dev/null
  last="$EPOCHREALTIME"
  printf 'kiwo observe: first figures in %ss (Ctrl-C stops)\n' "$KIWO_OBSERVE_INTERVAL"
  for ((round = 1; round <= rounds && stop == 0; round++)); do
    sleep "$KIWO_OBSERVE_INTERVAL" || true
    ((stop == 0)) || break
    rm -rf "$work/scrape" && mkdir -p "$work/scrape"
    "$scrape" "$work/scrape"
    scaling="$("$scaling_of")"
    now="$EPOCHREALTIME"
    elapsed="$(awk -v a="$last" -v b="$now" 'BEGIN { d = b - a; printf "%.3f", (d > 0 ? d : 1) }')"
    last="$now"
    _observe_figures "$work/scrape" "$elapsed" >"$work/figures"
    screen="$(_observe_render "$work/figures" "$where" "$round" "$rounds" "$scaling")"
    if [[ -t 1 && "$once" != once ]]; then printf '\033[H\033[2J'; fi
    printf '%s\n' "$screen"
  done
  trap - INT
  rm -rf "$work"
}

_observe_scrape_local() {
  local dir="$1" svc var
  for svc in "${_OBSERVE_SERVICES[@]}"; do
    var="KIWO_OBSERVE_$(tr 'a-z-' 'A-Z_' <<<"$svc")"
    curl -fs --max-time 3 "${!var}/actuator/prometheus" >"$dir/$svc.prom" || : >"$dir/$svc.prom"
  done
}

_observe_no_scaling() { :; }

# observe_local [--once]: the screen for local mode (no autoscalers: one JVM per service).
observe_local() {
  local once=""
  case "${1:-}" in
    --once) once=once ;;
    "") ;;
    *) printf 'error: unknown argument: %s (only --once is accepted)\n' "$1" >&2; return 2 ;;
  esac
  command -v curl >/dev/null || { printf 'error: curl is needed\n' >&2; return 1; }
  _observe_loop _observe_scrape_local _observe_no_scaling local "$once"
}

# Kubernetes: every Running pod of a service is scraped through the API server's pod proxy.
_observe_scrape_k8s() {
  local dir="$1" svc port pod
  for svc in "${_OBSERVE_SERVICES[@]}"; do
    case "$svc" in api) port=8180 ;; classifier) port=8081 ;; worker-light) port=8082 ;; *) port=8083 ;; esac
    : >"$dir/$svc.prom"
    for pod in $(_k8s_kubectl -n "$KIWO_NAMESPACE" get pods -l "app.kubernetes.io/name=$svc" \
      --field-selector=status.phase=Running -o jsonpath='{.items[*].metadata.name}' 2>/dev/null); do
      _k8s_kubectl get --raw "/api/v1/namespaces/$KIWO_NAMESPACE/pods/$pod:$port/proxy/actuator/prometheus" \
        >>"$dir/$svc.prom" 2>/dev/null || true
    done
  done
}

# pool<TAB>ready/replicas<TAB>HPA current/desired (max)<TAB>CPU current/target, for whichever HPA targets
# the pool: the plain one, or KEDA's keda-hpa-<pool>.
_observe_scaling_k8s() {
  local pool ready hpas line
  hpas="$(_k8s_kubectl -n "$KIWO_NAMESPACE" get hpa -o jsonpath='{range .items[*]}{.spec.scaleTargetRef.name}{"\t"}{.status.currentReplicas}/{.status.desiredReplicas} ({.spec.maxReplicas}){"\t"}{.status.currentMetrics[?(@.resource.name=="cpu")].resource.current.averageUtilization}%/{.spec.metrics[?(@.resource.name=="cpu")].resource.target.averageUtilization}%{"\n"}{end}' 2>/dev/null || true)"
  for pool in worker-light worker-heavy; do
    ready="$(_k8s_kubectl -n "$KIWO_NAMESPACE" get deploy "$pool" -o jsonpath='{.status.readyReplicas}/{.status.replicas}' 2>/dev/null || true)"
    line="$(grep "^$pool"$'\t' <<<"$hpas" | head -n 1 || true)"
    [[ -n "$line" ]] || line="$pool"$'\t-\t-'
    printf '%s\t%s\t%s\n' "$pool" "${ready:--}" "${line#*$'\t'}"
  done
}

# observe_k8s: the same screen on Kubernetes, with pods and autoscalers; needs k8s.sh's context helpers.
observe_k8s() {
  # shellcheck disable=SC2154 # set by k8s.sh's _k8s_context
  _observe_loop _observe_scrape_k8s _observe_scaling_k8s "context $_k8s_ctx"
}
