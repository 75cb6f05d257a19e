# shellcheck shell=bash disable=SC2034
# Runner for the booted Vagrant lab: a VM is reached the way `vagrant ssh` reaches it (the same
# host, port, user and key, read once from `vagrant ssh-config`), over one multiplexed SSH
# connection per VM; a container through `lxc exec` on its host VM. Run the checks from this lab
# folder, on the machine that runs Vagrant, with RUNNER=vagrant. Sourced by the checks; never run.
CHECKS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EMULATE_DIR=$(dirname "$CHECKS_DIR")
LAB_DIR=$(dirname "$EMULATE_DIR")
# shellcheck source=../lab.sh
. "$EMULATE_DIR/lab.sh"

SSH_CONFIG="$LAB_DIR/.vagrant/gen-lab/ssh-config"
SSH_CONTROL_DIR="/tmp/gen-lab-ssh-$(id -u)-$LAB"

# `vagrant ssh-config` costs seconds (Vagrant starts); its answer is kept until a VM stops answering.
refresh_ssh_config() {
  mkdir -p "$(dirname "$SSH_CONFIG")" "$SSH_CONTROL_DIR"
  chmod 700 "$SSH_CONTROL_DIR"
  # From the first Host line: Vagrant prints its experimental-feature banner on stdout too.
  (cd "$LAB_DIR" && vagrant ssh-config 2>/dev/null) | sed -n '/^Host /,$p' >"$SSH_CONFIG.tmp" && mv "$SSH_CONFIG.tmp" "$SSH_CONFIG"
}

vm_ssh() {
  local vm=$1; shift
  [ -s "$SSH_CONFIG" ] || refresh_ssh_config
  local opts=(-F "$SSH_CONFIG" -o ControlMaster=auto -o "ControlPath=$SSH_CONTROL_DIR/%h-%p" -o ControlPersist=600 -o LogLevel=ERROR -o ConnectTimeout=20)
  ssh "${opts[@]}" "$vm" "$@"
  local rc=$?
  # 255 is ssh's own failure (the VM rebooted, its address changed): ask Vagrant again, once.
  if [ "$rc" -eq 255 ]; then
    refresh_ssh_config
    ssh "${opts[@]}" "$vm" "$@"
    rc=$?
  fi
  return "$rc"
}

# nodes_booting: prints "VM SECONDS" for a VM that booted less than BOOT_GRACE seconds ago (its
# boot units, LXD's autostarted containers and their daemons may still be starting), else fails.
BOOT_GRACE=${BOOT_GRACE:-300}
nodes_booting() {
  local vm up
  for vm in "${VMS[@]}"; do
    up=$(vm_ssh "$vm" cut -d. -f1 /proc/uptime 2>/dev/null) || continue
    if [ "${up:-$BOOT_GRACE}" -lt "$BOOT_GRACE" ]; then echo "$vm $up"; return 0; fi
  done
  return 1
}

# Quote every word so the remote shell sees exactly the argument vector given here.
quote_words() { local out='' w; for w in "$@"; do out+=$(printf '%q ' "$w"); done; printf '%s' "$out"; }

on() {
  local node=$1; shift
  local host=${CONTAINER_VM[$node]:-}
  if [ -n "$host" ]; then
    vm_ssh "$host" "sudo lxc exec $node -- $(quote_words "$@")"
  else
    vm_ssh "$node" "sudo $(quote_words "$@")"
  fi
}

# Containers of the Alpine family have busybox sh, not bash.
on_sh() { local node=$1 snippet=$2; shift 2; on "$node" sh -c "$snippet" sh "$@"; }

# A daemon of a container, by its init system and its service name in the container's image family.
daemon_ctl() {
  local node=$1 daemon=$2 action=$3 service
  service=${DAEMON_SERVICE[${CONTAINER_FAMILY[$node]}:$daemon]}
  case ${CONTAINER_INIT[$node]} in
    openrc) on "$node" rc-service "$service" "$action" >/dev/null ;;
    systemd) on "$node" systemctl "$action" "$service" >/dev/null ;;
  esac
}
daemon_stop() { daemon_ctl "$1" "$2" stop; }
daemon_start() { daemon_ctl "$1" "$2" start; }

# haproxy's `show stat` CSV from its stats socket; curl (in every image family) speaks raw TCP.
haproxy_stat() {
  local node=$1 addr
  addr=$(haproxy_stats_address "$node") || return 1
  printf 'show stat\n' | on "$node" curl -s --max-time 2 "telnet://$addr"
}
