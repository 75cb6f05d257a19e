#!/usr/bin/env bash
# System packages the test suite needs: the real consumers of every generated file (ruby, vagrant,
# cloud-init, shellcheck, haproxy, keepalived, apache2 + mod_php, php, LXD), the emulation's tools
# (iproute2, curl), the boot suite's (libvirt, qemu, vagrant-libvirt, debootstrap, GRUB, a package
# cache), headless Chromium for the guide's figures (test/guide-browser), and the other current
# Node.js LTS lines from the npm registry. Idempotent; needs root on
# Debian or Ubuntu.
set -euo pipefail
packages=(
  iproute2 iputils-ping util-linux procps psmisc kmod curl ca-certificates
  ruby vagrant genisoimage cloud-init shellcheck
  haproxy keepalived apache2 libapache2-mod-php php-cli
  lxd lxd-client busybox-static nftables dnsmasq-base
  vagrant-libvirt libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
  debootstrap grub-pc-bin fdisk e2fsprogs apt-cacher-ng openssh-client libxml2-utils
  libarchive-tools chromium fonts-dejavu-core
)
# The arm64 proof (GEN_LAB_ARM64=1 node test/run-all.js arm64: over an hour of qemu, outside CI)
# builds arm64 systems under qemu-user and boots them under qemu-system-aarch64 with UEFI.
if [ "${GEN_LAB_ARM64:-}" = 1 ]; then
  packages+=(qemu-user-static qemu-system-arm qemu-efi-aarch64 dosfstools mtools)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts these daemons on install where it can; the tests run their own instances.
for svc in haproxy keepalived apache2 apt-cacher-ng libvirtd virtlogd; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
# Node.js 22 and 24 for test/node-lines (the npm registry's `node` package ships the binaries).
node_cache=${GEN_LAB_NODE_CACHE:-/var/cache/gen-lab/node}
for line in 22 24; do
  if ! "$node_cache/$line/node_modules/.bin/node" --version 2>/dev/null | grep -q "^v$line\."; then
    echo "install-deps: Node.js $line from the npm registry"
    mkdir -p "$node_cache/$line"
    npm install --prefix "$node_cache/$line" --no-audit --no-fund --loglevel=error "node@$line" >/dev/null
  fi
done
echo "install-deps: ok"
