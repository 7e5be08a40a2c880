# Builds the cluster's binaries from their Go modules, once per versions.env; sourced by cluster.sh.
# Kubernetes' own go.mod points its 31 staging modules at ./staging paths, so `go install k8s.io/kubernetes/...@v`
# is refused; a wrapper module requires it and replaces each staging module with its published v0.x twin.

build_kubernetes() {
  local out=$1 work=$CACHE/src/kubernetes
  local minor=${KUBERNETES_VERSION#v1.}; minor=${minor%%.*}
  local staging=v0.${KUBERNETES_VERSION#v1.}
  mkdir -p "$work"
  (
    cd "$work"
    [ -f go.mod ] || go mod init kiwo.test/kubernetes >/dev/null 2>&1
    local kmod
    kmod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    {
      echo "module kiwo.test/kubernetes"
      echo "go 1.24"
      echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
      sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#replace \1 => \1 '"$staging"'#p' "$kmod"
    } > go.mod
    cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    go mod tidy -e >/dev/null 2>&1 || true
    local pkg=k8s.io/component-base/version
    CGO_ENABLED=0 go build -tags tools -trimpath -o "$out/" -ldflags "-s -w \
      -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor \
      -X $pkg.gitTreeState=clean" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
      k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
  )
}

build_etcd() {
  local out=$1 work=$CACHE/src/etcd
  mkdir -p "$work"
  (
    cd "$work"
    cat > go.mod <<MOD
module kiwo.test/etcd
go 1.24
require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
    printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
    go mod tidy -e >/dev/null 2>&1 || true
    CGO_ENABLED=0 go build -tags tools -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
  )
}

build_plain() { # out name module/cmd@version
  CGO_ENABLED=0 GOBIN="$1" go install -trimpath -ldflags "-s -w" "$3"
}

# The pod sandbox: it only has to sleep until told to stop, so a few lines of Go stand in for the C original.
build_pause() {
  local out=$1 work=$CACHE/src/pause
  mkdir -p "$work"
  cat > "$work/main.go" <<'GO'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}
GO
  (cd "$work" && { [ -f go.mod ] || go mod init kiwo.test/pause >/dev/null 2>&1; } &&
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/pause" .)
}

# Every binary lands in $BIN; a marker names the versions file it was built from, so a changed pin rebuilds.
build_all() {
  local marker=$BIN/.built
  if [ -f "$marker" ] && cmp -s "$marker" "$VERSIONS_FILE"; then
    echo "   binaries cached in $BIN"
    return 0
  fi
  mkdir -p "$BIN"
  command -v go >/dev/null || die "Go is needed to build the cluster (go 1.24 or newer)"
  echo "   building from the Go module proxy: the first build takes 20-30 minutes on 2 cores"
  timed "   kubernetes $KUBERNETES_VERSION" build_kubernetes "$BIN"
  timed "   etcd $ETCD_VERSION" build_etcd "$BIN"
  timed "   coredns $COREDNS_VERSION" build_plain "$BIN" coredns "github.com/coredns/coredns@$COREDNS_VERSION"
  timed "   metrics-server $METRICS_SERVER_VERSION" build_plain "$BIN" metrics-server \
    "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
  timed "   pause" build_pause "$BIN"
  cp "$VERSIONS_FILE" "$marker"
}
