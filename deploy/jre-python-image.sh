#!/usr/bin/env bash
# Builds a base image for deploy/connect/Dockerfile and deploy/bridge/Dockerfile without any
# registry: Debian bookworm (minbase) with OpenJDK 17 (JRE), python3, python3-venv and CA
# certificates, installed by debootstrap from deb.debian.org and turned into an image by
# `docker import`. The README's registry-less build (which the build's ContainerImagesIT runs):
#   deploy/jre-python-image.sh akb/jre-python:17
#   docker build --network host --build-arg RUNTIME_IMAGE=akb/jre-python:17 \
#     -f deploy/connect/Dockerfile -t akb/connect .
# Needs root and debootstrap (apt-get install debootstrap). Does nothing when the image exists.
# The root file system is kept as a tarball in ${AKB_IMAGE_CACHE:-~/.cache/akb/images}, so a
# machine that lost its images re-imports it instead of downloading again. Options (environment):
# DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

image="${1:?usage: $0 IMAGE[:TAG]}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${AKB_IMAGE_CACHE:-$HOME/.cache/akb/images}"
packages=openjdk-17-jre-headless,python3,python3-venv,ca-certificates
# The tarball's name changes with what it holds, so changing the package list rebuilds it.
tarball="$cache/bookworm-minbase-$(printf '%s' "$packages" | sha256sum | cut -c1-12).tar"

say() { echo "jre-python-image: $*" >&2; }

# One build at a time: ./run-tests starts one in the background while Maven builds, and the
# build's test then waits here for it instead of running debootstrap a second time.
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9
if docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
if [ ! -f "$tarball" ]; then
  command -v debootstrap >/dev/null \
    || { say "debootstrap is missing: apt-get install debootstrap (./run-tests installs it)"; exit 1; }
  rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs" "$tarball.partial"' EXIT
  say "installing $packages from $mirror into $rootfs"
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >&2
  # Downloaded packages, package lists and documentation: not needed to run anything.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/locale
  tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
fi
say "importing $tarball as $image"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  "$tarball" "$image" >/dev/null
