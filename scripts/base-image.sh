#!/usr/bin/env bash
# The container image's Java base, built from Debian without a container registry or a Docker daemon: a minimal
# bookworm root filesystem (debootstrap --variant=minbase) with openjdk-17-jre-headless and ca-certificates, packed
# as a docker-archive tar (manifest.json, a config JSON, one gzipped layer) that Jib takes as `tar://…` and that
# `docker load` / `podman load` accept as well.
#
# Built once per machine: the tar is cached in ${AIRLOCK_CACHE_DIR:-~/.cache/airlock} under a name keyed by this
# script's hash (editing the script builds a new base), and OUT becomes a symbolic link to it.
# Building needs root (debootstrap) and http://deb.debian.org; using the cached tar needs neither.
# Usage: base-image.sh OUT.tar [BASE]   (BASE: the build's image.base; one not given as tar://OUT needs nothing here)
set -euo pipefail
out=${1:?usage: base-image.sh OUT.tar [BASE]}
if [[ -n "${2:-}" && "$2" != "tar://$out" ]]; then
  echo "base image: $2 (from a registry; nothing to build)"
  exit 0
fi
self=$(readlink -f "$0")
hash=$(sha256sum "$self" | cut -c1-16)
cache=${AIRLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock}
tar="$cache/base-image-$hash.tar"
suite=bookworm
mirror=http://deb.debian.org/debian

if [[ ! -s "$tar" ]]; then
  if [[ $(id -u) != 0 ]]; then
    echo "base-image.sh: $tar is not built yet and building it needs root (debootstrap): run once" >&2
    echo "  sudo AIRLOCK_CACHE_DIR=$cache $self $out" >&2
    exit 1
  fi
  command -v debootstrap >/dev/null || { echo "base-image.sh: install debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  arch=$(dpkg --print-architecture)
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root="$work/rootfs"
  echo "base-image.sh: debootstrap $suite ($arch) into $root (once per machine)"
  debootstrap --variant=minbase --arch="$arch" --include=openjdk-17-jre-headless,ca-certificates \
    "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -40 "$work/debootstrap.log" >&2; exit 1; }
  java_home=$(dirname "$(dirname "$(readlink -f "$root/usr/bin/java")")")
  java_home=${java_home#"$root"}
  [[ -x "$root$java_home/bin/java" ]] || { echo "base-image.sh: no java in the root filesystem" >&2; exit 1; }

  # The unprivileged user the image runs as, and its data directory (the volume).
  echo 'airlock:x:10001:10001:Airlock:/data:/usr/sbin/nologin' >> "$root/etc/passwd"
  echo 'airlock:x:10001:' >> "$root/etc/group"
  echo 'airlock:!:19000::::::' >> "$root/etc/shadow"
  mkdir -p "$root/data"
  chown 10001:10001 "$root/data"
  chmod 0750 "$root/data"

  # Small: no package caches, lists, documentation, manual pages, logs; /dev, /proc, /sys come from the runtime.
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old \
    "$root"/var/lib/dpkg/*-old "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/lintian "$root"/usr/share/locale/* "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/* \
    "$root"/dev/* "$root"/proc/* "$root"/sys/* "$root"/run/*
  : > "$root/etc/machine-id"

  # One layer; its diff id is the digest of the uncompressed tar, the manifest names the gzipped file.
  (cd "$root" && tar --numeric-owner --sort=name --xattrs -cf "$work/layer.tar" -- $(ls -A))
  diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -6 "$work/layer.tar"
  mkdir "$work/image"
  mv "$work/layer.tar.gz" "$work/image/layer.tar.gz"
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  cat > "$work/image/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=$java_home","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"$created","created_by":"scripts/base-image.sh: debootstrap --variant=minbase $suite + openjdk-17-jre-headless"}]}
EOF
  echo "[{\"Config\":\"config.json\",\"RepoTags\":[\"airlock-base:$suite-$hash\"],\"Layers\":[\"layer.tar.gz\"]}]" \
    > "$work/image/manifest.json"
  tar -C "$work/image" -cf "$work/base.tar" manifest.json config.json layer.tar.gz
  rm -f "$cache"/base-image-*.tar # the bases of earlier versions of this script
  mv "$work/base.tar" "$tar"
  echo "base-image.sh: built $tar ($(du -h "$tar" | cut -f1))"
fi
mkdir -p "$(dirname "$out")"
ln -sfn "$tar" "$out"
echo "base image: $out -> $tar"
