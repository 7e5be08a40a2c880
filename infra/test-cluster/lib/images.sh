# Container images without a registry or a Docker engine; sourced, defines functions only.
#   oci_archive ...       any folder as an image archive (the pause and CoreDNS images of the test cluster too)
#   images_base OUT_TAR   a JRE base image (Debian bookworm + openjdk-17-jre-headless) as a docker-archive tar,
#                         for Jib: mvn ... -Dkiwo.image.base=tar:///abs/path/OUT_TAR
#   images_import TAR...  loads image tars (jib:buildTar's target/jib-image.tar) into containerd's k8s.io
#                         namespace, where the kubelet finds them; CONTAINERD_ADDRESS selects the socket.
# The Debian mirror is the one apt on this machine is configured with, read at run time (KIWO_DEBIAN_MIRROR=URL
# overrides it). images_base needs root: debootstrap and chroot.

# "URI SUITE" for every enabled deb source of this machine's apt: one-line .list files and deb822 .sources files.
_images_apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { sub(/\[[^]]*\][[:space:]]*/, ""); print $2, $3 }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v RS= '
      {
        types = uris = suites = ""; enabled = "yes"
        n = split($0, lines, "\n")
        for (i = 1; i <= n; i++) {
          line = lines[i]
          if (line ~ /^[[:space:]]*#/) continue
          key = tolower(line); sub(/:.*/, "", key)
          value = line; sub(/^[^:]*:[[:space:]]*/, "", value)
          if (key == "types") types = value
          else if (key == "uris") uris = value
          else if (key == "suites") suites = value
          else if (key == "enabled") enabled = tolower(value)
        }
        if (enabled == "no" || (" " types " ") !~ / deb /) next
        nu = split(uris, u, /[[:space:]]+/); ns = split(suites, s, /[[:space:]]+/)
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) if (u[i] != "" && s[j] != "") print u[i], s[j]
      }' "$f"
  done
}

# Builds the base image once: OUT_TAR is the cache, delete it to rebuild. Runs in a subshell so its traps and
# mounts stay its own; reports on stderr, so a caller's stdout stays its own too.
images_base() (
  set -euo pipefail
  exec >&2
  local out=${1:?usage: images_base OUT_TAR}
  local suite=bookworm jre=openjdk-17-jre-headless tag=kiwo/jre:17-bookworm
  local start=$SECONDS steps=5
  step() { echo "[$1/$steps] $2"; }
  die() { echo "images_base: $*" >&2; exit 1; }

  if [ -s "$out" ]; then
    echo "JRE base image cached: $out (delete it to rebuild)"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot); run it with sudo"
  local tool
  for tool in chroot tar sha256sum mount umount awk; do
    command -v "$tool" >/dev/null || die "$tool is missing"
  done
  if ! command -v debootstrap >/dev/null; then
    echo "installing debootstrap with apt-get"
    { apt-get install -y -qq --no-install-recommends debootstrap ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap; }; } >/dev/null ||
      die "could not install debootstrap with apt-get"
  fi
  local sources mirror
  sources=$(_images_apt_sources | awk -v s="$suite" '$2 == s || index($2, s "-") == 1' | awk '!seen[$0]++')
  mirror=${KIWO_DEBIAN_MIRROR:-$(echo "$sources" | awk -v s="$suite" '$2 == s { print $1; exit }')}
  [ -n "$mirror" ] || die "no Debian $suite mirror in /etc/apt/sources.list(.d); set KIWO_DEBIAN_MIRROR=URL"
  [ -n "$sources" ] || sources="$mirror $suite"

  mkdir -p "$(dirname "$out")"
  # Next to OUT_TAR: the final mv stays on one filesystem, and a failed build leaves no half-written OUT_TAR.
  local work root
  work=$(mktemp -d "$(dirname "$out")/.jre-base.XXXXXX")
  root=$work/rootfs
  trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT

  step 1 "debootstrap --variant=minbase $suite from $mirror (about a minute)"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed; the log is above"; }

  step 2 "apt-get install --no-install-recommends $jre (in the chroot)"
  # The same suites as this machine (updates and security too), main only; no service starts in a chroot.
  echo "$sources" | awk 'NF { print "deb", $1, $2, "main" }' >"$root/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # ca-certificates-java runs java in its postinst, which needs /proc.
  mount -t proc proc "$root/proc"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get update -qq >/dev/null
  chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    apt-get install -y -qq --no-install-recommends "$jre" >"$work/apt.log" 2>&1 ||
    { tail -20 "$work/apt.log" >&2; die "apt-get install $jre failed; the log is above"; }

  step 3 "user 65532 (nonroot), /tmp 1777, caches and docs removed"
  local java_home
  java_home=$(dirname "$(dirname "$(readlink -f "$root/usr/bin/java")")")
  java_home=${java_home#"$root"}
  [ -x "$root$java_home/bin/java" ] || die "no java in the rootfs"
  # The uid Jib's images and the manifests run as; a passwd entry gives java a user name and a home.
  grep -q '^nonroot:' "$root/etc/passwd" || echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin' >>"$root/etc/passwd"
  grep -q '^nonroot:' "$root/etc/group" || echo 'nonroot:x:65532:' >>"$root/etc/group"
  install -d -m 0750 -o 65532 -g 65532 "$root/home/nonroot"
  chmod 1777 "$root/tmp"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/var/log/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/usr/share/lintian "$root/usr/sbin/policy-rc.d" "$root"/tmp/* "$root/root"/.[!.]*
  # The runtime provides DNS (kubelet writes resolv.conf); keep no host's settings in the image.
  : >"$root/etc/resolv.conf"
  chmod 644 "$root/etc/resolv.conf"

  step 4 "java -version as uid 65532"
  chroot --userspec=65532:65532 "$root" "$java_home/bin/java" -XX:-UsePerfData -version 2>&1 | sed 's/^/    /'
  umount "$root/proc"

  step 5 "image archive $tag"
  oci_archive "$work/image.tar" "$tag" "$root" --env "JAVA_HOME=$java_home" --env LANG=C.UTF-8
  mv "$work/image.tar" "$out"
  echo "JRE base image $tag: $out, $(du -m "$out" | cut -f1) MiB, $((SECONDS - start)) s"
)

# oci_archive OUT_TAR IMAGE_REF ROOTFS_DIR [--env NAME=VALUE]... [ENTRYPOINT_ARG...]
# Packs a folder as a one-layer image archive (the `docker save` layout) that containerd's `ctr images import`
# and Jib's tar:// base both read: no image builder or registry is needed. Owners are kept (the base has a home
# owned by uid 65532); device nodes and pseudo-filesystems come from the runtime.
oci_archive() {
  local out=$1 image=$2 rootfs=$3; shift 3
  local env="\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"" entry="" arg tmp diff config
  while [ "${1:-}" = --env ]; do env+=",\"$2\""; shift 2; done
  for arg in "$@"; do entry+="${entry:+,}\"$arg\""; done
  tmp=$(mktemp -d)
  (cd "$rootfs" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort >"$tmp/top")
  tar -C "$rootfs" --numeric-owner --sort=name --exclude='dev/*' --exclude='proc/*' --exclude='sys/*' \
    -cf "$tmp/layer.tar" -T "$tmp/top"
  diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"%s","os":"linux","config":{"Env":[%s],"Entrypoint":[%s]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(dpkg --print-architecture 2>/dev/null || echo amd64)" "$env" "$entry" "$diff" >"$tmp/config.json"
  config=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
  mv "$tmp/config.json" "$tmp/$config.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config" "$image" >"$tmp/manifest.json"
  tar -C "$tmp" -cf "$out" manifest.json "$config.json" layer.tar
  rm -rf "$tmp"
}

# Loads image tars into the k8s.io namespace, where the kubelet's CRI looks (names become docker.io/...).
images_import() {
  local address=${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock} tar
  [ $# -gt 0 ] || { echo "usage: images_import TAR..." >&2; return 1; }
  command -v ctr >/dev/null || { echo "images_import: ctr (containerd's client) is missing" >&2; return 1; }
  [ -S "$address" ] || { echo "images_import: no containerd socket at $address (set CONTAINERD_ADDRESS)" >&2; return 1; }
  for tar in "$@"; do
    [ -f "$tar" ] || { echo "images_import: $tar is missing" >&2; return 1; }
    ctr --address "$address" --namespace k8s.io images import "$tar"
  done
}
