# The VerticalPodAutoscaler CRD, taken from the autoscaler's own Go module at VPA_VERSION (versions.env), so
# the API server validates infra/k8s/components/vpa with the schema the VPA release ships. Sourced (by
# cluster.sh and by infra-tests): functions only. Needs Go and VPA_VERSION set.

# vpa_module_dir: the module's directory in the Go module cache, downloaded first if missing.
vpa_module_dir() {
  local module=k8s.io/autoscaler/vertical-pod-autoscaler json dir
  [ -n "${VPA_VERSION:-}" ] || { echo "vpa.sh: VPA_VERSION is not set: source versions.env first" >&2; return 1; }
  # From / with no workspace or GOFLAGS: inside another module's tree (cluster.sh's build dirs), go would
  # resolve against that module.
  json=$(cd / && GOWORK=off GOFLAGS= go mod download -json "$module@$VPA_VERSION") || {
    echo "vpa.sh: go mod download $module@$VPA_VERSION failed:" >&2
    printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",*$/  \1/p' >&2
    return 1
  }
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "vpa.sh: no Dir for $module@$VPA_VERSION in go mod download's answer" >&2; return 1; }
  printf '%s\n' "$dir"
}

# vpa_crd_file: prints the path of the CRD manifest. It holds two CRDs, VerticalPodAutoscaler and
# VerticalPodAutoscalerCheckpoint (the recommender's history), the same file the release's deploy/ applies.
vpa_crd_file() {
  local dir file
  dir=$(vpa_module_dir) || return 1
  file=$dir/deploy/vpa-v1-crd-gen.yaml
  [ -f "$file" ] || { echo "vpa.sh: $VPA_VERSION has no deploy/vpa-v1-crd-gen.yaml" >&2; return 1; }
  grep -q '^  name: verticalpodautoscalers.autoscaling.k8s.io$' "$file" ||
    { echo "vpa.sh: $file does not define verticalpodautoscalers.autoscaling.k8s.io" >&2; return 1; }
  printf '%s\n' "$file"
}
