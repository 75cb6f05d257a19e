# shellcheck shell=bash disable=SC2034
# Shared by up.sh, down.sh, status.sh and daemons.sh; sourced, never run.
EMULATE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_DIR=$(dirname "$EMULATE_DIR")
# shellcheck source=lab.sh
. "$EMULATE_DIR/lab.sh"

T0=${T0:-$(date +%s.%N)}
export T0
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[%6s s] %s\n' "$(elapsed)" "$*"; }
warn() { printf 'emulate: %s\n' "$*" >&2; }

ns_of() { printf '%s-%s' "$LAB" "$1"; }
in_ns() { local node=$1; shift; ip netns exec "$(ns_of "$node")" "$@"; }
ns_exists() { [ -e "/run/netns/$(ns_of "$1")" ]; }
all_nodes() { printf '%s\n' "${VMS[@]}" "${CONTAINERS[@]}"; }

require_root() {
  if [ "$(id -u)" != 0 ]; then warn "needs root (network namespaces, bridges, daemons): run it with sudo"; exit 2; fi
}

# Every tool the emulation runs, with the Debian package that provides it.
require_tools() {
  local missing=() pair tool pkg
  local needed=("ip:iproute2" "awk:mawk" "curl:curl" "ping:iputils-ping" "sysctl:procps" "taskset:util-linux" "setsid:util-linux")
  [ ${#BALANCERS[@]} -gt 0 ] && needed+=("keepalived:keepalived" "haproxy:haproxy")
  [ ${#WEBS[@]} -gt 0 ] && needed+=("apache2:apache2")
  for pair in "${needed[@]}"; do
    tool=${pair%%:*}; pkg=${pair#*:}
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$pkg")
  done
  if [ ${#WEBS[@]} -gt 0 ] && ! compgen -G '/usr/lib/apache2/modules/libphp*.so' >/dev/null; then missing+=("libapache2-mod-php"); fi
  if [ ${#missing[@]} -gt 0 ]; then
    warn "missing tools; install them with: apt-get install ${missing[*]}"
    exit 2
  fi
}

# The generated script a node runs at boot, executed with the interpreter its first line names.
run_script() {
  local node=$1 file=$2; shift 2
  local interp
  interp=$(head -n 1 "$file" | sed -n 's|^#! *\([^ ]*\).*|\1|p')
  [ -n "$interp" ] || interp=/bin/sh
  [ "$interp" = /usr/bin/env ] && interp=$(head -n 1 "$file" | awk '{ print $2 }')
  in_ns "$node" "$interp" "$file" "$@"
}
