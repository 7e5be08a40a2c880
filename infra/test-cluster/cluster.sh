#!/usr/bin/env bash
# A one-node Kubernetes cluster for machines without Docker or a registry, built from pinned sources and run
# on Debian's containerd, runc and CNI plugins: real containers, real cgroup limits, the real HPA controller.
#
#   cluster.sh up            build once (cached), start, wait until node, DNS and the Metrics API work
#   cluster.sh down          stop what up started and remove its pods, mounts, bridge and iptables chains
#   cluster.sh status        what runs
#   cluster.sh kubeconfig    print the kubeconfig's path (context kiwo-test); --merge adds it to ~/.kube/config
#   cluster.sh env           print exports for a shell: KUBECONFIG, and PATH with the matching kubectl first
#   cluster.sh load-images TAR...   import image archives into the cluster's containerd
#   cluster.sh base-image    make (once) the JRE base image archive for Jib, from Debian packages; prints its path
#   cluster.sh build         only build the binaries
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSIONS_FILE=$HERE/versions.env
# shellcheck source=versions.env
. "$VERSIONS_FILE"
CACHE=${KIWO_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kiwo-test-cluster}
BIN=$CACHE/bin/$(sha256sum "$VERSIONS_FILE" | cut -c1-12)
STATE=${KIWO_CLUSTER_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/kiwo-test-cluster}
CONTEXT=kiwo-test
NODE=kiwo-test-node
# Pod and service ranges: checked against the machine's routes before anything starts.
POD_CIDR=${KIWO_POD_CIDR:-10.244.0.0/24}
SERVICE_CIDR=${KIWO_SERVICE_CIDR:-10.96.0.0/16}
SERVICE_IP=10.96.0.1
DNS_IP=10.96.0.10
BRIDGE=kiwo0
ETCD_PORT=12379
READY_TIMEOUT=${KIWO_CLUSTER_TIMEOUT:-180}
# Kernel settings the kubelet and the pod network change; up records them, down puts them back.
SYSCTLS="kernel.panic kernel.panic_on_oops vm.overcommit_memory net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables"
# Paths the kubelet writes outside its root dir whatever it is told.
KUBELET_FIXED_PATHS="/var/log/pods /var/log/containers /var/lib/kubelet"

die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "   $*"; }
_step=0
step() { _step=$((_step + 1)); _step_start=$SECONDS; printf '[%d] %s\n' "$_step" "$*"; }
done_step() { say "done in $((SECONDS - _step_start)) s"; }
timed() { # label command...: runs it and prints how long it took
  local label=$1 start=$SECONDS; shift
  "$@"
  echo "$label: $((SECONDS - start)) s"
}

. "$HERE/lib/build.sh"
. "$HERE/lib/vpa.sh"
. "$HERE/lib/images.sh"

kc() { "$BIN/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"; }
node_ip() { ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1; }
pid_of() { cat "$STATE/pids/$1" 2>/dev/null || true; }
# Alive and ours: after a reboot a remembered PID may belong to another program. Every process up starts names
# the state dir or the binaries' dir in its command line.
alive() {
  local p cmdline
  p=$(pid_of "$1")
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"$STATE"* || "$cmdline" == *"$BIN"* ]]
}
ctr_() { ctr --address "$STATE/containerd/containerd.sock" -n k8s.io "$@"; }

# wait_for WHAT SECONDS COMMAND...: polls once a second, bounded.
wait_for() {
  local what=$1 limit=$2 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${limit} s (logs: $STATE/logs)"
    sleep 1
  done
}

# start NAME COMMAND...: runs it in the background with its own log, remembers its PID.
start() {
  local name=$1; shift
  nohup "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name"
  sleep 0.5
  kill -0 "$!" 2>/dev/null || die "$name exited at once: $(tail -n 5 "$STATE/logs/$name.log")"
}

prerequisites() {
  local missing=() tool
  [ "$(id -u)" = 0 ] || die "needs root (containers, mounts, iptables); run it with sudo"
  for tool in containerd runc ctr conntrack socat iptables openssl ip mount python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
      say "installing Debian packages for: ${missing[*]}"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        containerd runc containernetworking-plugins conntrack socat iptables openssl iproute2 python3 >/dev/null \
        || die "could not install containerd, runc, containernetworking-plugins, conntrack, socat, iptables"
    else
      die "missing: ${missing[*]} (Debian packages: containerd runc containernetworking-plugins conntrack socat iptables)"
    fi
  fi
  [ -d /proc/sys/net/bridge ] || die "the kernel has no bridge netfilter (br_netfilter): pods could not reach services"
  grep -q overlay /proc/filesystems || die "the kernel has no overlayfs: containerd cannot unpack images"
  local ip; ip=$(node_ip)
  [ -n "$ip" ] || die "cannot tell this machine's address (no default route)"
  # A pod or service range that overlaps a route of the machine would hijack its traffic.
  local net
  for net in "$POD_CIDR" "$SERVICE_CIDR"; do
    if ip -4 route show to match "${net%/*}" | grep -v '^default' | grep -q . ; then
      die "the range $net overlaps a route of this machine; set KIWO_POD_CIDR / KIWO_SERVICE_CIDR"
    fi
  done
}

# ---- certificates: a throwaway PKI, made once per state dir ----
cert() { # NAME SUBJECT CA [SUBJECT_ALT_NAMES]
  local name=$1 subject=$2 ca=$3 sans=${4:-} dir=$STATE/pki
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -z "$sans" ] || echo "subjectAltName=$sans"
  } >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial \
    -days 365 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

ca() { # NAME CN
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 365 -subj "/CN=$2" \
    -keyout "$STATE/pki/$1.key" -out "$STATE/pki/$1.crt" 2>/dev/null
}

make_pki() {
  local ip=$1 dir=$STATE/pki
  [ -f "$dir/.done-$ip" ] && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  ca ca kiwo-test-ca
  ca front-proxy-ca kiwo-test-front-proxy-ca
  cert apiserver "/CN=kube-apiserver" ca \
    "IP:127.0.0.1,IP:$ip,IP:$SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" ca
  cert admin "/O=system:masters/CN=kiwo-test-admin" ca
  cert controller-manager "/CN=system:kube-controller-manager" ca
  cert scheduler "/CN=system:kube-scheduler" ca
  cert kubelet "/O=system:nodes/CN=system:node:$NODE" ca "IP:$ip,DNS:$NODE"
  cert kube-proxy "/CN=system:kube-proxy" ca
  cert metrics-server "/CN=metrics-server" ca \
    "IP:$ip,DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.cluster.local"
  cert front-proxy-client "/CN=front-proxy-client" front-proxy-ca
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  touch "$dir/.done-$ip"
}

kubeconfig_for() { # FILE USER CERT_NAME SERVER [CONTEXT]
  local file=$1 user=$2 cert=$3 server=$4 context=${5:-default}
  rm -f "$file"
  "$BIN/kubectl" config --kubeconfig "$file" set-cluster "$CONTEXT" --server "$server" \
    --certificate-authority "$STATE/pki/ca.crt" --embed-certs >/dev/null
  "$BIN/kubectl" config --kubeconfig "$file" set-credentials "$user" --embed-certs \
    --client-certificate "$STATE/pki/$cert.crt" --client-key "$STATE/pki/$cert.key" >/dev/null
  "$BIN/kubectl" config --kubeconfig "$file" set-context "$context" --cluster "$CONTEXT" --user "$user" >/dev/null
  "$BIN/kubectl" config --kubeconfig "$file" use-context "$context" >/dev/null
}

# ---- the parts ----
save_sysctls() {
  [ -f "$STATE/sysctls.saved" ] && return 0
  local key
  for key in $SYSCTLS; do echo "$key=$(sysctl -n "$key")"; done >"$STATE/sysctls.saved"
  for key in $KUBELET_FIXED_PATHS; do [ -e "$key" ] && echo "$key"; done >"$STATE/paths.existing" || true
}

start_control_plane() {
  local ip=$1 pki=$STATE/pki
  start etcd "$BIN/etcd" --name kiwo-test --data-dir "$STATE/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12380 \
    --initial-cluster kiwo-test=http://127.0.0.1:12380 --listen-metrics-urls http://127.0.0.1:12381
  wait_for etcd 60 curl -fs "http://127.0.0.1:12381/health"

  start kube-apiserver "$BIN/kube-apiserver" --advertise-address "$ip" --bind-address "$ip" --secure-port 6443 \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file "$pki/ca.crt" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --authorization-mode Node,RBAC --allow-privileged=true --profiling=false \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-extra-headers-prefix X-Remote-Extra- --requestheader-group-headers X-Remote-Group \
    --requestheader-username-headers X-Remote-User \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --enable-aggregator-routing=true
  wait_for kube-apiserver 90 kc get --raw /readyz

  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --controllers '*' --use-service-account-credentials \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --horizontal-pod-autoscaler-sync-period 15s
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false
}

write_containerd_config() {
  mkdir -p "$STATE/containerd" "$STATE/cni/net.d"
  cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$STATE/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/kiwo-test/pause:1"
  disable_apparmor = true
  # This machine refuses lowering oom_score_adj; the runtime must not try.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
TOML
  cat >"$STATE/cni/net.d/10-kiwo-test.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "kiwo-test",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$STATE/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

# The sandbox (pause) and CoreDNS images, packed from the binaries built above and imported by name.
load_system_images() {
  local dir=$CACHE/images tmp
  mkdir -p "$dir"
  if [ ! -f "$dir/pause.tar" ]; then
    tmp=$(mktemp -d); cp "$BIN/pause" "$tmp/pause"
    oci_archive "$dir/pause.tar" kiwo-test/pause:1 "$tmp" /pause; rm -rf "$tmp"
  fi
  if [ ! -f "$dir/coredns-$COREDNS_VERSION.tar" ]; then
    tmp=$(mktemp -d); cp "$BIN/coredns" "$tmp/coredns"
    oci_archive "$dir/coredns-$COREDNS_VERSION.tar" "kiwo-test/coredns:$COREDNS_VERSION" "$tmp" /coredns; rm -rf "$tmp"
  fi
  CONTAINERD_ADDRESS=$STATE/containerd/containerd.sock \
    images_import "$dir/pause.tar" "$dir/coredns-$COREDNS_VERSION.tar" >/dev/null
}

start_node() {
  local ip=$1 pki=$STATE/pki
  write_containerd_config
  start containerd containerd --config "$STATE/containerd/config.toml"
  wait_for containerd 30 ctr --address "$STATE/containerd/containerd.sock" version
  load_system_images

  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  fence_pod_network
  mkdir -p "$STATE/kubelet" "$STATE/pod-logs"
  cat >"$STATE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
containerRuntimeEndpoint: unix://$STATE/containerd/containerd.sock
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
# No host resolver in pods: the cluster's names are all they need, and nothing leaves the machine.
resolvConf: ""
podLogsDir: $STATE/pod-logs
serializeImagePulls: false
maxPods: 60
YAML
  start kubelet "$BIN/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
    --root-dir "$STATE/kubelet" --hostname-override "$NODE" --node-ip "$ip"

  cat >"$STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE
nodePortAddresses: [primary]
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# Leave the machine's conntrack table and timeouts as they are.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
  start kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml"
}

# Pods talk to pods, and to this machine (the API server through its Service); nothing they send is forwarded
# off the machine. Without this, a connection to a Service that has no ready endpoint is not DNAT'ed and leaves
# by the default route: whatever answers there (an HTTP 400 here) reached the Kafka clients as a 1.2 GB
# message size and killed every JVM with OutOfMemoryError while the broker restarted.
fence_pod_network() {
  iptables -N KIWO-TEST-FORWARD
  iptables -A KIWO-TEST-FORWARD -s "$POD_CIDR" -d "$POD_CIDR" -j ACCEPT
  iptables -A KIWO-TEST-FORWARD -d "$POD_CIDR" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
  iptables -A KIWO-TEST-FORWARD -s "$POD_CIDR" -j REJECT --reject-with icmp-port-unreachable
  iptables -I FORWARD 1 -j KIWO-TEST-FORWARD
}

apply_template() { # FILE: fills the @PLACEHOLDERS@ and applies it
  sed -e "s|@NODE_IP@|$1|g" -e "s|@DNS_IP@|$DNS_IP|g" -e "s|@COREDNS_VERSION@|$COREDNS_VERSION|g" \
    -e "s|@CA_BUNDLE@|$(base64 -w0 "$STATE/pki/ca.crt")|g" "$2" | kc apply -f - >/dev/null
}

# Volumes made in advance for the default StorageClass; a released one is wiped and offered again by
# recycle_volumes, since no provisioner runs here.
make_volumes() {
  local i dir
  for i in 1 2 3 4; do
    dir=$STATE/volumes/pv$i
    mkdir -p "$dir" && chmod 1777 "$dir"
    kc apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: kiwo-test-pv$i
spec:
  capacity: {storage: 20Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: standard
  hostPath: {path: $dir, type: Directory}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$NODE]}]
YAML
  done
}

recycle_volumes() { # runs in the background while the cluster runs; bounded by the cluster's life
  local pv dir
  while alive kube-apiserver; do
    for pv in $(kc get pv -o jsonpath='{range .items[?(@.status.phase=="Released")]}{.metadata.name}{" "}{end}' 2>/dev/null); do
      dir=$(kc get pv "$pv" -o jsonpath='{.spec.hostPath.path}')
      case "$dir" in "$STATE"/volumes/*) find "$dir" -mindepth 1 -delete ;; *) continue ;; esac
      kc patch pv "$pv" --type json -p '[{"op":"remove","path":"/spec/claimRef"}]' >/dev/null
    done
    sleep 10
  done
}

start_addons() {
  local ip=$1
  kc apply -f "$HERE/addons/storage.yaml" >/dev/null
  make_volumes
  # The VPA's CRD only (no recommender): the API server then validates components/vpa as a real cluster would.
  kc apply --server-side -f "$(vpa_crd_file)" >/dev/null
  apply_template "$ip" "$HERE/addons/coredns.yaml"
  # Endpoints, not an EndpointSlice: the aggregator resolves the APIService's Service through them.
  apply_template "$ip" "$HERE/addons/metrics-server.yaml" 2> >(grep -v 'v1 Endpoints is deprecated' >&2)
  start metrics-server "$BIN/metrics-server" --secure-port 4443 --bind-address "$ip" \
    --tls-cert-file "$STATE/pki/metrics-server.crt" --tls-private-key-file "$STATE/pki/metrics-server.key" \
    --kubeconfig "$STATE/metrics-server.kubeconfig" \
    --authentication-kubeconfig "$STATE/metrics-server.kubeconfig" \
    --authorization-kubeconfig "$STATE/metrics-server.kubeconfig" \
    --kubelet-use-node-status-port --kubelet-insecure-tls --kubelet-preferred-address-types InternalIP \
    --metric-resolution 15s
  nohup bash -c "$(declare -f kc alive pid_of recycle_volumes); BIN='$BIN' STATE='$STATE'; recycle_volumes" \
    >"$STATE/logs/volume-recycler.log" 2>&1 </dev/null &
  echo $! >"$STATE/pids/volume-recycler"
}

# A real lookup through the kube-dns Service (kube-proxy's rules included), not only a Ready pod.
dns_answers() {
  python3 - "$DNS_IP" <<'PY'
import socket, struct, sys
name = b"".join(bytes([len(p)]) + p.encode() for p in "kubernetes.default.svc.cluster.local".split(".")) + b"\0"
query = struct.pack(">HHHHHH", 0x6b69, 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(query, (sys.argv[1], 53))
reply = s.recv(512)
sys.exit(0 if struct.unpack(">H", reply[6:8])[0] > 0 and reply[3] & 0x0f == 0 else 1)
PY
}

# ---- commands ----
cmd_up() {
  local start_all=$SECONDS ip
  if alive kube-apiserver; then
    echo "the test cluster already runs (context $CONTEXT, kubeconfig $STATE/kubeconfig)"; return 0
  fi
  # A run that ended without down (a killed session, a reboot) leaves mounts, chains and a bridge behind.
  if [ -d "$STATE" ]; then
    echo "leftovers of an earlier run in $STATE: taking them down first"
    cmd_down
    _step=0
  fi
  step "Prerequisites"
  prerequisites
  ip=$(node_ip)
  mkdir -p "$STATE/pids" "$STATE/logs"
  done_step
  step "Binaries (Kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, CoreDNS $COREDNS_VERSION, metrics-server $METRICS_SERVER_VERSION)"
  build_all
  done_step
  step "Certificates and kubeconfigs (node address $ip)"
  make_pki "$ip"
  kubeconfig_for "$STATE/kubeconfig" kiwo-test-admin admin "https://$ip:6443" "$CONTEXT"
  kubeconfig_for "$STATE/controller-manager.kubeconfig" system:kube-controller-manager controller-manager "https://$ip:6443"
  kubeconfig_for "$STATE/scheduler.kubeconfig" system:kube-scheduler scheduler "https://$ip:6443"
  kubeconfig_for "$STATE/kubelet.kubeconfig" "system:node:$NODE" kubelet "https://$ip:6443"
  kubeconfig_for "$STATE/kube-proxy.kubeconfig" system:kube-proxy kube-proxy "https://$ip:6443"
  kubeconfig_for "$STATE/metrics-server.kubeconfig" metrics-server metrics-server "https://$ip:6443"
  save_sysctls
  done_step
  step "Control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler"
  start_control_plane "$ip"
  done_step
  step "Node $NODE: containerd, kubelet, kube-proxy"
  start_node "$ip"
  wait_for "node registration" 60 kc get node "$NODE"
  kc wait --for=condition=Ready "node/$NODE" --timeout "${READY_TIMEOUT}s" >/dev/null
  done_step
  step "Add-ons: default StorageClass, VPA CRD, CoreDNS, metrics-server"
  start_addons "$ip"
  kc -n kube-system rollout status deploy/coredns --timeout "${READY_TIMEOUT}s" >/dev/null
  wait_for "DNS through the kube-dns Service" 60 dns_answers
  wait_for "the Metrics API (kubectl top node)" "$READY_TIMEOUT" kc top node
  done_step
  echo
  kc get nodes -o wide
  cat <<MSG

The test cluster runs (up in $((SECONDS - start_all)) s). Point kubectl at it:
  eval "\$(bash infra/test-cluster/cluster.sh env)"     # KUBECONFIG (context $CONTEXT) and a matching kubectl
Deploy kiwo:   bash scripts/demo.sh deploy --context $CONTEXT
Stop it:       bash infra/test-cluster/cluster.sh down
MSG
}

stop_pid() { # NAME: TERM, then KILL after a bounded wait
  local name=$1 pid i
  pid=$(pid_of "$name")
  alive "$name" || { rm -f "$STATE/pids/$name"; return 0; }
  rm -f "$STATE/pids/$name"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  say "stopped $name (pid $pid)"
}

cmd_down() {
  local start_all=$SECONDS name
  [ -d "$STATE" ] || { echo "no test cluster state in $STATE: nothing to do"; return 0; }
  step "Stopping the node agents and add-ons"
  for name in volume-recycler metrics-server kube-proxy kubelet; do stop_pid "$name"; done
  done_step
  step "Removing pods and containers"
  if alive containerd; then
    local c
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s KILL "$c" >/dev/null 2>&1 || true; done
    sleep 1
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$c" >/dev/null 2>&1 || true; done
    for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$c" >/dev/null 2>&1 || true; done
  fi
  stop_pid containerd
  # containerd's shims outlive it; only those of this state dir.
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $STATE/containerd/containerd.sock" 2>/dev/null || true
  kill_pods_left
  done_step
  step "Stopping the control plane"
  for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$name"; done
  done_step
  step "Unmounting, removing the pod network and iptables chains"
  local m
  for m in $(findmnt -rn -o TARGET | grep -E "^($STATE|/run/netns/cni-|/var/run/netns/cni-)" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  for m in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do ip netns delete "$m" 2>/dev/null || true; done
  ip link delete "$BRIDGE" 2>/dev/null || true
  [ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  remove_chains
  conntrack -D -s "$POD_CIDR" >/dev/null 2>&1 || true
  done_step
  step "Restoring kernel settings and the kubelet's fixed paths"
  if [ -f "$STATE/sysctls.saved" ]; then
    while IFS= read -r kv; do sysctl -qw "$kv" 2>/dev/null || true; done <"$STATE/sysctls.saved"
  fi
  for m in $KUBELET_FIXED_PATHS; do
    grep -qx "$m" "$STATE/paths.existing" 2>/dev/null || rm -rf "$m"
  done
  # Everything but the PKI-free caches goes: a later up starts clean.
  rm -rf "$STATE"
  done_step
  echo "test cluster down in $((SECONDS - start_all)) s"
}

# Containers whose containerd was killed outright (no down) keep running: they are the processes left in the
# kubelet's cgroup tree (cgroupfs driver, cgroup v1: /sys/fs/cgroup/<controller>/kubepods). The empty cgroups go too.
kill_pods_left() {
  local tree=/sys/fs/cgroup/pids/kubepods pid dir
  [ -d "$tree" ] || return 0
  for pid in $(find "$tree" -name cgroup.procs -exec cat {} + 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  sleep 1
  for dir in /sys/fs/cgroup/*/kubepods; do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

# The chains and rules the kubelet, kube-proxy, the CNI plugins and up made (KUBE-*, CNI-*, KIWO-TEST-*), in every table of
# both families: each table is saved, stripped of them and restored, so other rules stay as they were.
remove_chains() {
  local family table
  for family in iptables ip6tables; do
    command -v "$family-save" >/dev/null || continue
    for table in filter nat mangle; do
      "$family-save" -t "$table" 2>/dev/null | grep -q -E 'KUBE-|CNI-|KIWO-TEST-' || continue
      "$family-save" -t "$table" | grep -v -E 'KUBE-|CNI-|KIWO-TEST-' | "$family-restore" -T "$table" || true
    done
  done
}

cmd_status() {
  local name
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy metrics-server volume-recycler; do
    if alive "$name"; then printf '%-24s running (pid %s)\n' "$name" "$(pid_of "$name")"
    else printf '%-24s stopped\n' "$name"; fi
  done
  if alive kube-apiserver; then echo; kc get nodes; echo "kubeconfig: $STATE/kubeconfig (context $CONTEXT)"; fi
}

cmd_kubeconfig() {
  [ -f "$STATE/kubeconfig" ] || die "no test cluster: 'cluster.sh up' first"
  if [ "${1:-}" = --merge ]; then
    mkdir -p "$HOME/.kube"
    KUBECONFIG="$HOME/.kube/config:$STATE/kubeconfig" "$BIN/kubectl" config view --flatten >"$STATE/merged"
    mv "$STATE/merged" "$HOME/.kube/config"
    echo "context $CONTEXT added to $HOME/.kube/config"
  else
    echo "$STATE/kubeconfig"
  fi
}

cmd_env() {
  [ -f "$STATE/kubeconfig" ] || die "no test cluster: 'cluster.sh up' first"
  printf 'export KUBECONFIG=%q\nexport PATH=%q:"$PATH"\n' "$STATE/kubeconfig" "$BIN"
}

cmd_load_images() {
  alive containerd || die "the test cluster does not run: 'cluster.sh up' first"
  CONTAINERD_ADDRESS=$STATE/containerd/containerd.sock images_import "$@" | sed 's/^/   /'
}

# Progress on stderr, the path on stdout: callers capture the path.
cmd_base_image() {
  local tar=$CACHE/images/jre-base.tar
  images_base "$tar" >&2
  echo "$tar"
}

case "${1:-}" in
  build) build_all ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  kubeconfig) shift; cmd_kubeconfig "$@" ;;
  env) cmd_env ;;
  load-images) shift; cmd_load_images "$@" ;;
  base-image) cmd_base_image ;;
  *) sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
