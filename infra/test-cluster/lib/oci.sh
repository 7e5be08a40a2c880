# Packs a folder as a one-layer image archive (the `docker save` layout) that containerd's `ctr images import`
# and Jib's tar:// base both read: no image builder or registry needed. Sourced by cluster.sh.

# oci_archive OUT_TAR IMAGE_REF ROOTFS_DIR [ENTRYPOINT_ARG...]
oci_archive() {
  local out=$1 image=$2 rootfs=$3; shift 3
  local tmp diff config entry="" arg
  tmp=$(mktemp -d)
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -cf "$tmp/layer.tar" .
  diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
  for arg in "$@"; do entry+="${entry:+,}\"$arg\""; done
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=%s"%s],"Entrypoint":[%s]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${OCI_EXTRA_ENV:-}" "$entry" "$diff" > "$tmp/config.json"
  config=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
  mv "$tmp/config.json" "$tmp/$config.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config" "$image" > "$tmp/manifest.json"
  tar -C "$tmp" -cf "$out" manifest.json "$config.json" layer.tar
  rm -rf "$tmp"
}
