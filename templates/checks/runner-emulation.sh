# shellcheck shell=bash disable=SC2034
# Runner for the namespace emulation: a node is the network namespace <lab>-<node> on this host.
# Sourced by the checks (RUNNER=emulation, the default) and by up.sh; never run.
CHECKS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EMULATE_DIR=$(dirname "$CHECKS_DIR")
LAB_DIR=$(dirname "$EMULATE_DIR")
# shellcheck source=../lab.sh
. "$EMULATE_DIR/lab.sh"

on() { local node=$1; shift; ip netns exec "$LAB-$node" "$@"; }

# Run a shell snippet on a node (the snippet gets its arguments as $1...).
on_sh() { local node=$1 snippet=$2; shift 2; on "$node" bash -c "$snippet" bash "$@"; }

# Namespaces do not boot: nothing is ever still starting.
nodes_booting() { return 1; }

daemon_stop() { "$EMULATE_DIR/daemons.sh" stop "$1" "$2"; }
daemon_start() { "$EMULATE_DIR/daemons.sh" start "$1" "$2"; }

# haproxy's `show stat` CSV from the stats socket the balancer's haproxy.cfg declares.
haproxy_stat() {
  local node=$1 addr
  addr=$(haproxy_stats_address "$node") || return 1
  on "$node" bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "show stat\n" >&3 && timeout 2 cat <&3' bash "${addr%:*}" "${addr##*:}"
}
