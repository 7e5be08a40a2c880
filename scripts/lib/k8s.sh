#!/usr/bin/env bash
# kiwo on Kubernetes: deploy, load, observe, down. Sourced by scripts/demo.sh; every function takes
# an optional `--context NAME` and reads the KIWO_* variables below (all overridable from the env).
set -euo pipefail

KIWO_ROOT="${KIWO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
KIWO_CLUSTER_NAME="${KIWO_CLUSTER_NAME:-kiwo}"
KIWO_NAMESPACE="${KIWO_NAMESPACE:-workload-demo}"
# Empty: infra/k8s/overlays/test-cluster on the test cluster, infra/k8s/overlays/kind elsewhere.
KIWO_OVERLAY="${KIWO_OVERLAY:-}"
# How deploy puts images where the cluster finds them: kind (kind load), containerd (the test cluster's
# containerd, see infra/test-cluster), none (the cluster pulls them). Empty: chosen from the context.
KIWO_IMAGE_LOADER="${KIWO_IMAGE_LOADER:-}"
KIWO_TEST_CLUSTER="${KIWO_TEST_CLUSTER:-$KIWO_ROOT/infra/test-cluster/cluster.sh}"
KIWO_TEST_CLUSTER_CONTEXT=kiwo-test
KIWO_KIND_CONFIG="${KIWO_KIND_CONFIG:-infra/kind/cluster.yaml}"
KIWO_IMAGE_TAG="${KIWO_IMAGE_TAG:-dev}"
KIWO_IMAGES="${KIWO_IMAGES:-api classifier worker-light worker-heavy load-generator kafka}"
KIWO_TIMEOUT="${KIWO_TIMEOUT:-300s}"
KIWO_SETTLE_TIMEOUT="${KIWO_SETTLE_TIMEOUT:-180}"
KIWO_METRICS_SERVER_MANIFEST="${KIWO_METRICS_SERVER_MANIFEST:-https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml}"
KIWO_STATE_DIR="${KIWO_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/kiwo}"
# Sized for one 2-CPU node (infra/k8s/overlays/test-cluster): 3 light jobs/s of about 65 ms of CPU each (about
# 0.2 CPU) stay well under the light pool's minimum (2 x 250m at a 70% target); one heavy job a second (about
# 2.6 s of CPU each) for 30 s is far more than one heavy pod can take. The generator follows jobs.results, so
# its summary says whether every accepted job finished exactly once.
KIWO_LOAD_ARGS="${KIWO_LOAD_ARGS:---warmup 10s --duration 90s --light-rate 3 --heavy-rate 0 --burst-at 20s --burst-for 30s --burst-heavy-rate 1 --bootstrap-servers kafka:9092 --drain-timeout 300s}"
KIWO_OBSERVE_INTERVAL="${KIWO_OBSERVE_INTERVAL:-5}"
KIWO_OBSERVE_ROUNDS="${KIWO_OBSERVE_ROUNDS:-60}"
# The API keys of overlays with components/api-key-auth: key api-keys is the API's keys file (tenant=key lines),
# demo-api-key the demo tenant's key alone, for clients. deploy creates it when missing, never in the repository.
KIWO_API_KEYS_SECRET=kiwo-api-keys

_k8s_step=0
_k8s_ctx=""

_k8s_say() { printf '==> %s\n' "$*"; }
_k8s_step() { _k8s_step=$((_k8s_step + 1)); printf '\n[%d] %s\n' "$_k8s_step" "$*"; }
_k8s_die() { printf 'error: %s\n' "$*" >&2; return 1; }
_k8s_kubectl() { kubectl --context "$_k8s_ctx" "$@"; }
_k8s_seconds() { local t="${1%s}"; printf '%s' "$t"; }
_k8s_is_kind() { [[ "$_k8s_ctx" == "kind-$KIWO_CLUSTER_NAME" ]]; }
_k8s_is_test_cluster() { [[ "$_k8s_ctx" == "$KIWO_TEST_CLUSTER_CONTEXT" ]]; }
_k8s_overlay() {
  if [[ -n "$KIWO_OVERLAY" ]]; then printf '%s' "$KIWO_OVERLAY"
  elif _k8s_is_test_cluster; then printf 'infra/k8s/overlays/test-cluster'
  else printf 'infra/k8s/overlays/kind'; fi
}
_k8s_image_loader() {
  if [[ -n "$KIWO_IMAGE_LOADER" ]]; then printf '%s' "$KIWO_IMAGE_LOADER"
  elif _k8s_is_test_cluster; then printf 'containerd'
  elif [[ "$_k8s_ctx" == kind-* ]]; then printf 'kind'
  else printf 'none'; fi
}
_k8s_marker() { printf '%s/created-kind-cluster-%s' "$KIWO_STATE_DIR" "$KIWO_CLUSTER_NAME"; }

# True when the overlay's API mounts the API keys Secret (components/api-key-auth).
_k8s_overlay_needs_api_keys() {
  local rendered
  rendered="$(kubectl kustomize "$1")" || { _k8s_die "cannot render $1"; return 2; }
  grep -q "secretName: $KIWO_API_KEYS_SECRET\$" <<<"$rendered"
}

# Creates the API keys Secret (tenant demo, 48 random hex digits) unless it exists, before the overlay is
# applied, so that the API's pods never wait for it. The key goes through a pipe, never a command line. Sets
# _k8s_api_keys_created=1 when it created one.
_k8s_ensure_api_keys() {
  _k8s_api_keys_created=0
  if _k8s_kubectl -n "$KIWO_NAMESPACE" get secret "$KIWO_API_KEYS_SECRET" >/dev/null 2>&1; then
    _k8s_say "Secret $KIWO_API_KEYS_SECRET exists: its keys stay (delete it and deploy again for a new one)"
    return 0
  fi
  local key
  key="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  [[ "$key" =~ ^[0-9a-f]{48}$ ]] || { _k8s_die "could not read 24 random bytes from /dev/urandom"; return 1; }
  _k8s_kubectl create namespace "$KIWO_NAMESPACE" --dry-run=client -o yaml | _k8s_kubectl apply -f - >/dev/null
  # Labelled as kiwo's: down's checks find it, and it goes with the namespace.
  _k8s_kubectl -n "$KIWO_NAMESPACE" create secret generic "$KIWO_API_KEYS_SECRET" --dry-run=client -o yaml \
      --from-file=api-keys=<(printf 'demo=%s\n' "$key") --from-file=demo-api-key=<(printf '%s' "$key") \
    | _k8s_kubectl label --local -f - app.kubernetes.io/part-of=kiwo -o yaml \
    | _k8s_kubectl apply -f - >/dev/null
  _k8s_api_keys_created=1
  _k8s_say "created Secret $KIWO_API_KEYS_SECRET: tenant demo, a random key"
}

# Prints the key clients of the cluster's API send: KIWO_API_KEY when set, else the demo tenant's key from the
# API keys Secret. Fails when neither is there.
k8s_api_key() {
  if [[ -n "${KIWO_API_KEY:-}" ]]; then
    printf '%s' "$KIWO_API_KEY"
    return 0
  fi
  local key
  key="$(_k8s_kubectl -n "$KIWO_NAMESPACE" get secret "$KIWO_API_KEYS_SECRET" -o jsonpath='{.data.demo-api-key}' 2>/dev/null \
    | base64 -d)" || key=""
  [[ -n "$key" ]] || { _k8s_die "no API key: Secret $KIWO_API_KEYS_SECRET in $KIWO_NAMESPACE of context $_k8s_ctx has no demo-api-key (bash scripts/demo.sh deploy creates it), and KIWO_API_KEY is not set"; return 1; }
  printf '%s' "$key"
}

# Picks the context: --context NAME, else KIWO_KUBE_CONTEXT, else kind-$KIWO_CLUSTER_NAME. Without an
# explicit choice the current context must already be the expected one: never the wrong cluster.
_k8s_context() {
  local explicit=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --context) explicit="${2:?--context needs a name}"; shift 2 ;;
      --context=*) explicit="${1#--context=}"; shift ;;
      *) _k8s_die "unknown argument: $1 (only --context NAME is accepted)"; return 1 ;;
    esac
  done
  explicit="${explicit:-${KIWO_KUBE_CONTEXT:-}}"
  _k8s_ctx="${explicit:-kind-$KIWO_CLUSTER_NAME}"
  # The test cluster keeps its kubeconfig apart from ~/.kube/config; use it when kubectl does not know the context.
  if _k8s_is_test_cluster && ! kubectl config get-contexts "$_k8s_ctx" >/dev/null 2>&1; then
    local file
    file="$(bash "$KIWO_TEST_CLUSTER" kubeconfig 2>/dev/null)" \
      || { _k8s_die "context $_k8s_ctx: the test cluster does not run ('bash infra/test-cluster/cluster.sh up')"; return 1; }
    export KUBECONFIG="$file"
  fi
  if [[ -z "$explicit" ]]; then
    local current
    current="$(kubectl config current-context 2>/dev/null || true)"
    if [[ -n "$current" && "$current" != "$_k8s_ctx" ]] && kubectl config get-contexts "$_k8s_ctx" >/dev/null 2>&1; then
      _k8s_die "current kube context is '$current', expected '$_k8s_ctx'. Switch with
  kubectl config use-context $_k8s_ctx
or target another cluster on purpose with --context NAME (or KIWO_KUBE_CONTEXT=NAME)."
      return 1
    fi
  fi
}

_k8s_require() {
  local missing=0 tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      missing=1
      case "$tool" in
        docker) echo "missing: docker   -> https://docs.docker.com/engine/install/ (the daemon must be running)" >&2 ;;
        kind) echo "missing: kind     -> go install sigs.k8s.io/kind@v0.30.0, or https://kind.sigs.k8s.io/docs/user/quick-start/#installation" >&2 ;;
        kubectl) echo "missing: kubectl  -> https://kubernetes.io/docs/tasks/tools/" >&2 ;;
        java) echo "missing: java     -> a JDK 17+ (e.g. Eclipse Temurin 21)" >&2 ;;
        mvn) echo "missing: mvn      -> Apache Maven 3.8 or newer, from your package manager or the Apache Maven site" >&2 ;;
        jq) echo "missing: jq       -> jq 1.6 or newer, from your package manager (builds the load Job's JSON patch)" >&2 ;;
        *) echo "missing: $tool" >&2 ;;
      esac
    fi
  done
  if [[ "$missing" == 1 ]]; then
    _k8s_die "install the tools above and run again"
    return 1
  fi
  if [[ " $* " == *" docker "* ]] && ! docker info >/dev/null 2>&1; then
    _k8s_die "docker is installed but its daemon is not reachable (is Docker running? can this user use it?)"
    return 1
  fi
}

# deploy [--context NAME]: cluster (kind: created if missing), metrics-server, images, manifests, rollouts.
k8s_deploy() {
  _k8s_step=0
  local tools=(kubectl java mvn)
  if [[ -z "${KIWO_KUBE_CONTEXT:-}" && " $* " != *" --context"* ]]; then tools+=(docker kind); fi
  _k8s_step "Checking prerequisites: ${tools[*]}"
  _k8s_require "${tools[@]}" || return 1
  _k8s_context "$@" || return 1
  cd "$KIWO_ROOT"
  local overlay loader
  overlay="$(_k8s_overlay)"
  loader="$(_k8s_image_loader)"

  if _k8s_is_kind; then
    _k8s_require docker kind || return 1
    _k8s_step "kind cluster '$KIWO_CLUSTER_NAME'"
    if kind get clusters 2>/dev/null | grep -qx "$KIWO_CLUSTER_NAME"; then
      _k8s_say "exists, reusing it"
    else
      kind create cluster --name "$KIWO_CLUSTER_NAME" --config "$KIWO_KIND_CONFIG" --wait "$KIWO_TIMEOUT"
      mkdir -p "$KIWO_STATE_DIR" && touch "$(_k8s_marker)"
      _k8s_say "created (down will delete it)"
    fi
  else
    _k8s_say "context $_k8s_ctx, overlay $overlay, images: $loader"
  fi

  _k8s_step "Metrics API for the HPAs"
  if _k8s_kubectl get apiservice v1beta1.metrics.k8s.io >/dev/null 2>&1; then
    _k8s_say "already available"
  else
    # Pinned upstream release. kind's kubelets serve self-signed certificates, hence the insecure flag, which
    # is why this runs only here, where the Metrics API is missing (managed clusters ship their own).
    _k8s_kubectl apply -f "$KIWO_METRICS_SERVER_MANIFEST"
    _k8s_kubectl -n kube-system patch deployment metrics-server --type=json \
      -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'
    _k8s_kubectl -n kube-system rollout status deploy/metrics-server --timeout "$KIWO_TIMEOUT"
  fi

  _k8s_images "$loader" || return 1

  _k8s_step "API keys"
  local restart_api=0 needs_keys=0
  _k8s_overlay_needs_api_keys "$overlay" || needs_keys=$?
  ((needs_keys != 2)) || return 1
  if ((needs_keys == 0)); then
    _k8s_ensure_api_keys || return 1
    # A new Secret under a running API (the old one was deleted to rotate the key): the API reads it at start-up.
    if ((_k8s_api_keys_created)) && _k8s_kubectl -n "$KIWO_NAMESPACE" get deployment api >/dev/null 2>&1; then
      restart_api=1
    fi
  else
    _k8s_say "$overlay does not use API keys"
  fi

  _k8s_step "Applying $overlay"
  _k8s_kubectl apply -k "$overlay"
  if ((restart_api)); then
    _k8s_say "restarting the API for its new key"
    _k8s_kubectl -n "$KIWO_NAMESPACE" rollout restart deployment/api
  fi

  _k8s_step "Waiting for rollouts (each up to $KIWO_TIMEOUT)"
  if _k8s_kubectl -n "$KIWO_NAMESPACE" get statefulset kafka >/dev/null 2>&1; then
    _k8s_kubectl -n "$KIWO_NAMESPACE" rollout status statefulset/kafka --timeout "$KIWO_TIMEOUT"
  fi
  local deployment
  for deployment in classifier worker-light worker-heavy api; do
    _k8s_kubectl -n "$KIWO_NAMESPACE" rollout status "deployment/$deployment" --timeout "$KIWO_TIMEOUT"
  done

  _k8s_step "Waiting for the autoscalers to read CPU and the new JVMs to settle (up to ${KIWO_SETTLE_TIMEOUT}s)"
  _k8s_hpas_at_rest || _k8s_say "not yet at rest: an autoscaler may add pods for the JVMs' start-up work"

  _k8s_step "Ready"
  _k8s_kubectl -n "$KIWO_NAMESPACE" get deploy,statefulset,hpa
  local api_url="http://localhost:8080/jobs   (kind NodePort 30080)" node_ip
  if ! _k8s_is_kind; then
    node_ip="$(_k8s_kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}')"
    api_url="http://$node_ip:30080/jobs   (NodePort 30080)"
  fi
  local key_hint=""
  if ((needs_keys == 0)); then
    key_hint="
API key:   clients send X-API-Key (tenant demo; demo.sh job, cancel and load do it themselves):
           kubectl --context $_k8s_ctx -n $KIWO_NAMESPACE get secret $KIWO_API_KEYS_SECRET -o jsonpath='{.data.demo-api-key}' | base64 -d"
  fi
  cat <<MSG

The API:   $api_url
           or: kubectl --context $_k8s_ctx -n $KIWO_NAMESPACE port-forward svc/api 8080:8080$key_hint
Next:      bash scripts/demo.sh load --context $_k8s_ctx      # heavy burst over steady light traffic, in the cluster
           bash scripts/demo.sh observe --context $_k8s_ctx   # HPAs, pods per pool, CPU
Verify with:
           kubectl --context $_k8s_ctx -n $KIWO_NAMESPACE get hpa
           kubectl --context $_k8s_ctx -n $KIWO_NAMESPACE get pods -w
           kubectl --context $_k8s_ctx -n $KIWO_NAMESPACE logs -f deploy/classifier
MSG
}

# True once every HPA reads a CPU figure at or under its target: metrics arrive about a minute after the pods
# start, and a JVM's first minute (class loading, JIT) reads as load. Bounded by KIWO_SETTLE_TIMEOUT.
_k8s_hpas_at_rest() {
  local deadline=$((SECONDS + KIWO_SETTLE_TIMEOUT)) line busy
  while ((SECONDS < deadline)); do
    busy=0
    while read -r line; do
      set -- $line
      # name current target: current is empty until the metrics pipeline has a figure
      if [[ -z "${3:-}" || "$2" -gt "$3" ]]; then busy=1; fi
    done < <(_k8s_kubectl -n "$KIWO_NAMESPACE" get hpa -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.currentMetrics[0].resource.current.averageUtilization}{" "}{.spec.metrics[0].resource.target.averageUtilization}{"\n"}{end}' 2>/dev/null)
    if ((busy == 0)); then _k8s_say "every autoscaler reads CPU under its target"; return 0; fi
    sleep 5
  done
  return 1
}

# _k8s_images LOADER: builds the images with Jib and puts them where the cluster's runtime finds them.
_k8s_images() {
  local image
  case "$1" in
    kind)
      _k8s_require docker kind || return 1
      _k8s_step "Building images with Jib into the local Docker daemon"
      # Called in a condition, where set -e does not stop a failed command: old images must not be deployed.
      mvn -B -q -DskipTests package jib:dockerBuild || { _k8s_die "building the images failed (output above)"; return 1; }
      _k8s_step "Loading images into kind"
      for image in $KIWO_IMAGES; do
        kind load docker-image --name "$KIWO_CLUSTER_NAME" "kiwo/$image:$KIWO_IMAGE_TAG"
      done
      ;;
    containerd)
      # No registry and no Docker: the JRE base is made from Debian packages, Jib writes image archives,
      # and the test cluster's containerd imports them.
      _k8s_step "JRE base image made from Debian packages (cached after the first time)"
      local base
      base="$(bash "$KIWO_TEST_CLUSTER" base-image)" || { _k8s_die "could not make the JRE base image"; return 1; }
      _k8s_say "$base"
      _k8s_step "Building image archives with Jib"
      mvn -B -q -DskipTests package jib:buildTar -Dkiwo.image.base="tar://$base" ||
        { _k8s_die "building the image archives failed (output above)"; return 1; }
      _k8s_step "Importing images into the test cluster's containerd"
      local tars=()
      for image in */target/jib-image.tar; do tars+=("$image"); done
      bash "$KIWO_TEST_CLUSTER" load-images "${tars[@]}"
      ;;
    none) _k8s_say "images: the cluster pulls them (KIWO_IMAGE_LOADER=none; overlay sets registry and tag)" ;;
    *) _k8s_die "KIWO_IMAGE_LOADER must be kind, containerd or none, not '$1'"; return 1 ;;
  esac
}

# _k8s_load_job_manifest NAME TAG [FLAG...]: prints the load-generator Job of infra/k8s/jobs/load-generator
# as it is applied: renamed NAME, in KIWO_NAMESPACE, image tag TAG, each FLAG appended to its args after
# --target. Needs kubectl and jq only, no cluster (infra-tests runs it to prove script and manifest agree).
_k8s_load_job_manifest() {
  local name="${1:?job name}" tag="${2:?image tag}"
  shift 2
  local patch
  # The JSON patch is built by jq, which quotes every value (flags may hold quotes, backslashes, braces).
  patch="$(jq -cn --arg name "$name" --arg namespace "$KIWO_NAMESPACE" --arg image "kiwo/load-generator:$tag" \
    --arg container /spec/template/spec/containers/0 '
      [{op: "replace", path: "/metadata/name", value: $name},
       {op: "replace", path: "/metadata/namespace", value: $namespace},
       {op: "replace", path: "\($container)/image", value: $image}]
      + [$ARGS.positional[] | {op: "add", path: "\($container)/args/-", value: .}]' --args -- "$@")" || return 1
  kubectl kustomize "$KIWO_ROOT/infra/k8s/jobs/load-generator" \
    | kubectl patch --local -f - --type=json -p "$patch" -o yaml
}

# load [--context NAME]: runs the load generator as a Job next to the API, streams it, prints its summary.
# The Job is infra/k8s/jobs/load-generator (see _k8s_load_job_manifest); KIWO_LOAD_ARGS holds the
# generator's flags, split on whitespace; --target is always the in-cluster API Service.
k8s_load() {
  _k8s_step=0
  _k8s_require kubectl jq || return 1
  _k8s_context "$@" || return 1
  local job
  job="load-generator-$(date +%Y%m%d%H%M%S)"
  local deadline
  deadline="$(_k8s_seconds "$KIWO_TIMEOUT")"
  local -a flags=()
  # -d '': every line of the variable, not only the first; read then ends at the input's end with status 1.
  read -r -d '' -a flags <<<"$KIWO_LOAD_ARGS" || true

  _k8s_step "Starting Job $job: $KIWO_LOAD_ARGS"
  local manifest
  # Rendered before anything is applied: a failed render leaves the cluster untouched.
  manifest="$(_k8s_load_job_manifest "$job" "$KIWO_IMAGE_TAG" ${flags[@]+"${flags[@]}"})" \
    || { _k8s_die "cannot render the load-generator Job"; return 1; }
  _k8s_kubectl -n "$KIWO_NAMESPACE" apply -f - <<<"$manifest"

  _k8s_step "Waiting for its pod to start (up to ${deadline}s)"
  local phase="" waited=0
  while (( waited < deadline )); do
    phase="$(_k8s_kubectl -n "$KIWO_NAMESPACE" get pods -l "job-name=$job" -o jsonpath='{.items[0].status.phase}' 2>/dev/null || true)"
    [[ "$phase" == Running || "$phase" == Succeeded || "$phase" == Failed ]] && break
    sleep 2; waited=$((waited + 2))
  done
  [[ -n "$phase" && "$phase" != Pending ]] || { _k8s_kubectl -n "$KIWO_NAMESPACE" describe job "$job"; _k8s_die "the load generator did not start"; return 1; }

  _k8s_step "Progress"
  _k8s_kubectl -n "$KIWO_NAMESPACE" logs -f "job/$job" || true

  _k8s_step "Result"
  local succeeded=""
  waited=0
  while (( waited < deadline )); do
    succeeded="$(_k8s_kubectl -n "$KIWO_NAMESPACE" get job "$job" -o jsonpath='{.status.succeeded}{"/"}{.status.failed}')"
    [[ "$succeeded" != "/" ]] && break
    sleep 2; waited=$((waited + 2))
  done
  echo "Summary (kubectl -n $KIWO_NAMESPACE logs job/$job):"
  _k8s_kubectl -n "$KIWO_NAMESPACE" logs "job/$job" | awk '/^== kiwo load summary ==/ { p = 1 } p && !/^\{/'
  if [[ "$succeeded" != 1/* ]]; then
    _k8s_die "load generator Job $job did not succeed (succeeded/failed = $succeeded)"
    return 1
  fi
  echo
  echo "Next: bash scripts/demo.sh observe   # watch worker-heavy scale out while worker-light stays put"
}

# observe [--context NAME]: per pool HPA, pods, CPU, lag, jobs/s and p95 (scripts/lib/observe.sh),
# refreshed KIWO_OBSERVE_ROUNDS times.
k8s_observe() {
  _k8s_require kubectl || return 1
  _k8s_context "$@" || return 1
  # shellcheck source=observe.sh
  source "$KIWO_ROOT/scripts/lib/observe.sh"
  observe_k8s
}

# down [--context NAME]: removes kiwo's objects, and the kind cluster if deploy created it.
k8s_down() {
  _k8s_step=0
  _k8s_require kubectl || return 1
  _k8s_context "$@" || return 1
  cd "$KIWO_ROOT"
  local overlay
  overlay="$(_k8s_overlay)"
  _k8s_step "Deleting $overlay from $_k8s_ctx"
  _k8s_kubectl delete -k "$overlay" --ignore-not-found --wait --timeout "$KIWO_TIMEOUT" || true
  _k8s_kubectl delete namespace "$KIWO_NAMESPACE" --ignore-not-found --wait --timeout "$KIWO_TIMEOUT" || true
  if _k8s_is_kind && [[ -f "$(_k8s_marker)" ]]; then
    _k8s_step "Deleting kind cluster '$KIWO_CLUSTER_NAME' (created by deploy)"
    kind delete cluster --name "$KIWO_CLUSTER_NAME"
    rm -f "$(_k8s_marker)"
  else
    _k8s_say "cluster kept (deploy did not create it)"
  fi
}
