#!/usr/bin/env bash
# Makes a base image tarball (the `docker save` layout Jib reads with tar://) without a Docker
# daemon or a container registry.
#
#   image/base-image.sh debian OUT.tar      Debian bookworm (minbase) with OpenJDK 17 JRE, from
#                                           Debian's packages: a runnable base. Needs root and
#                                           debootstrap (apt-get install debootstrap); a few minutes.
#   image/base-image.sh dir ROOTFS OUT.tar  Packs an existing directory as the base's one layer.
#
# Then: mvn -B package jib:buildTar -DskipTests -Drelay.image.base=tar://$PWD/OUT.tar
set -euo pipefail

pack() {
  local rootfs=$1 out=$2 work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  # Reproducible layer: sorted names, numeric owners, fixed times.
  tar --sort=name --numeric-owner --mtime='2000-01-01 00:00Z' -C "$rootfs" -cf "$work/layer.tar" .
  local diff_id
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"]},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created_by":"image/base-image.sh from $(basename "$rootfs")"}]}
JSON
  cat > "$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["relay-base:local"],"Layers":["layer.tar"]}]
JSON
  tar --sort=name --numeric-owner --mtime='2000-01-01 00:00Z' -C "$work" -cf "$out" manifest.json config.json layer.tar
  echo "base image: $out (layer sha256:$diff_id)"
}

case "${1:-}" in
  debian)
    out=$(realpath -m "${2:?OUT.tar}")
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
      bookworm "$rootfs" http://deb.debian.org/debian
    # What a container needs neither at run time nor in its layer.
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
    mkdir -p "$rootfs/tmp" && chmod 1777 "$rootfs/tmp"
    # mktemp made it 0700: as the image's / it would shut out the non-root user.
    chmod 755 "$rootfs"
    pack "$rootfs" "$out"
    rm -rf "$rootfs"
    ;;
  dir)
    pack "$(realpath "${2:?ROOTFS}")" "$(realpath -m "${3:?OUT.tar}")"
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
