#!/usr/bin/env bash
# daemons.sh start|stop NODE keepalived|haproxy|apache: one daemon of one container, run from the
# container's own generated config with pid files and logs under /run/gen-lab/<lab>/<node>/.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() { echo "usage: daemons.sh start|stop NODE keepalived|haproxy|apache" >&2; exit 2; }
[ $# -eq 3 ] || usage
action=$1 node=$2 daemon=$3
node_run="$RUN_DIR/$node"
conf_dir="$LAB_DIR/containers/$node"
pidfile="$node_run/$daemon.pid"

# The daemons get the CPUs of the container's VM, not the whole host: haproxy starts one thread per
# CPU it may use, and with several threads its round robin no longer alternates strictly.
cpus=${NODE_CPUS[$node]:-1}
host_cpus=$(nproc)
[ "$cpus" -le "$host_cpus" ] || cpus=$host_cpus
pin=(taskset -c "0-$((cpus - 1))")

# Detached from this shell (setsid) so a finished up.sh leaves the daemon running in its namespace.
spawn() { setsid "${pin[@]}" "$@" </dev/null >>"$node_run/$daemon.log" 2>&1 & }

wait_for_pidfile() {
  for _ in $(seq 1 50); do
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  warn "$daemon on $node did not start; its log says:"
  tail -n 20 "$node_run/$daemon.log" "$node_run/apache-error.log" 2>/dev/null >&2 || true
  return 1
}

start() {
  ns_exists "$node" || { warn "namespace $(ns_of "$node") is absent: is lab $LAB up?"; exit 1; }
  mkdir -p "$node_run"
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  case $daemon in
    keepalived)
      spawn ip netns exec "$(ns_of "$node")" keepalived -n -l -G -f "$conf_dir/${DAEMON_CONFIG[keepalived]}" \
        -p "$pidfile" -r "$node_run/keepalived-vrrp.pid" -c "$node_run/keepalived-checkers.pid" ;;
    haproxy)
      spawn ip netns exec "$(ns_of "$node")" haproxy -W -f "$conf_dir/${DAEMON_CONFIG[haproxy]}" -p "$pidfile" ;;
    apache)
      local php
      php=$(compgen -G '/usr/lib/apache2/modules/libphp*.so' | sort | tail -n 1)
      mkdir -p "$node_run/apache" "$node_run/htdocs"
      install -m 644 "$conf_dir/index.php" "$node_run/htdocs/index.php"
      chmod 755 "$node_run" "$node_run/htdocs"
      "${pin[@]}" ip netns exec "$(ns_of "$node")" apache2 -C "Define LAB_DIR \"$LAB_DIR\"" -C "Define NODE_RUN \"$node_run\"" -C "Define PHP_MODULE \"$php\"" \
        -f "$EMULATE_DIR/apache/$node.conf" -k start >>"$node_run/$daemon.log" 2>&1 ||
        { warn "apache on $node did not start:"; tail -n 5 "$node_run/$daemon.log" >&2; return 1; } ;;
    *) usage ;;
  esac
  wait_for_pidfile
}

stop() {
  [ -s "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case $action in start) start ;; stop) stop ;; *) usage ;; esac
