#!/usr/bin/env bash
# System packages the test suite needs: the real consumers of every generated file (ruby, vagrant,
# cloud-init, shellcheck, haproxy, keepalived, apache2 + mod_php, php, LXD) and the emulation's
# tools (iproute2, curl). Idempotent; needs root on Debian or Ubuntu.
set -euo pipefail
packages=(
  iproute2 iputils-ping util-linux procps psmisc kmod curl ca-certificates
  ruby vagrant genisoimage cloud-init shellcheck
  haproxy keepalived apache2 libapache2-mod-php php-cli
  lxd lxd-client busybox-static nftables dnsmasq-base
)
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
for svc in haproxy keepalived apache2; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
echo "install-deps: ok"
