# shellcheck shell=bash disable=SC2034
# Runner for the booted Vagrant lab: a VM is reached the way `vagrant ssh` reaches it (the same
# host, port, user and key, read once from `vagrant ssh-config`), over one multiplexed SSH
# connection per VM where the local ssh can share connections (one plain connection per command
# where it cannot: Windows); a container through `lxc exec` on its host VM. Run the checks from
# this lab folder, on the machine that runs Vagrant, with RUNNER=vagrant. Sourced by the checks;
# never run.
CHECKS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EMULATE_DIR=$(dirname "$CHECKS_DIR")
LAB_DIR=$(dirname "$EMULATE_DIR")
# shellcheck source=../lab.sh
. "$EMULATE_DIR/lab.sh"

SSH_CONFIG="$LAB_DIR/.vagrant/gen-lab/ssh-config"
SSH_CONTROL_DIR="/tmp/gen-lab-ssh-$(id -u)-$LAB"
SSH_BASE_OPTS=(-o LogLevel=ERROR -o ConnectTimeout=20)
SSH_MUX_OPTS=(-o ControlMaster=auto -o "ControlPath=$SSH_CONTROL_DIR/%h-%p" -o ControlPersist=600)

ssh_control_dir() { mkdir -p "$SSH_CONTROL_DIR" && chmod 700 "$SSH_CONTROL_DIR"; }

# `vagrant ssh-config` costs seconds (Vagrant starts); its answer is kept until a VM stops answering.
refresh_ssh_config() {
  mkdir -p "$(dirname "$SSH_CONFIG")"
  ssh_control_dir
  # From the first Host line: Vagrant prints its experimental-feature banner on stdout too. Vagrant
  # on Windows ends its lines with CR LF, which ssh would read as part of each value; its
  # IdentityFile paths (C:/Users/...) ssh takes as they are.
  (cd "$LAB_DIR" && vagrant ssh-config 2>/dev/null) | tr -d '\r' | sed -n '/^Host /,$p' >"$SSH_CONFIG.tmp" && mv "$SSH_CONFIG.tmp" "$SSH_CONFIG"
}

# --- Connection sharing (ControlMaster), decided once: SSH_MUX is 1 (share), 0 (one plain
# connection per command) or auto (not known yet: the first multiplexed command tells). Windows'
# own OpenSSH has no ControlMaster (PowerShell/Win32-OpenSSH#405) and Git for Windows' ssh cannot
# rely on Unix sockets, so there it is 0 at once. GEN_LAB_SSH_MUX=1 or 0 forces either. A decision
# taken from ssh's own answer is kept in SSH_CONTROL_DIR for this ssh (its path and version), so
# that later commands (often in $(...) subshells, which cannot set the caller's variables) and the
# next checkpoints do not ask again.
# What ssh says when it cannot share: OpenSSH's own words ("ControlPath too long", "path ... too long
# for Unix domain socket", "... disabling multiplexing"), Windows' OpenSSH ("getsockname failed: Not
# a socket", "muxclient socket(): Unknown error"), a port without it ("ControlMaster not supported").
SSH_MUX_REFUSAL='ControlMaster|ControlPath|ControlPersist|ControlSocket|mux(client|server|_)|multiplex|not supported|getsockname|Unix domain socket'

# ssh_mux_off REASON: one line, once per decision, on the stderr the checks were started with (fd 9,
# kept here): the command that finds out may well have its own stderr sent to /dev/null.
exec 9>&2
ssh_mux_off() {
  SSH_MUX=0
  printf 'runner-vagrant: %s; grading goes on without SSH connection sharing (one SSH connection per command: slower)\n' "$1" >&9
}

# ssh_mux_recall: takes a decision kept by an earlier command (or checkpoint) for this ssh.
ssh_mux_recall() {
  local kept=''
  [ -f "$SSH_MUX_FILE" ] && read -r kept <"$SSH_MUX_FILE"
  case $kept in 0 | 1) SSH_MUX=$kept ;; *) return 1 ;; esac
}

# ssh_mux_keep 0|1: keeps the decision; fails if another command kept one first (it said so).
ssh_mux_keep() {
  local noclobber=0 rc
  [[ $- == *C* ]] && noclobber=1
  ssh_control_dir 2>/dev/null
  set -C
  { printf '%s\n' "$1" >"$SSH_MUX_FILE"; } 2>/dev/null
  rc=$?
  [ "$noclobber" = 1 ] || set +C
  return "$rc"
}

ssh_mux_init() {
  SSH_MUX=auto
  case ${GEN_LAB_SSH_MUX:-auto} in
    0 | 1) SSH_MUX=$GEN_LAB_SSH_MUX; return ;;
    auto) ;;
    *) echo "GEN_LAB_SSH_MUX must be 0 (no SSH connection sharing) or 1 (always share), not '$GEN_LAB_SSH_MUX'" >&2; exit 2 ;;
  esac
  local system version
  system=$(uname -s 2>/dev/null)
  case "${OSTYPE:-}/$system" in
    msys* | cygwin* | */MINGW* | */MSYS* | */CYGWIN*) ssh_mux_off "Windows (${system:-$OSTYPE}): its ssh cannot share connections"; return ;;
  esac
  version=$(ssh -V 2>&1)
  version=${version//[$'\r\n']/ }
  case $version in
    *OpenSSH_for_Windows*) ssh_mux_off "${version%%,*} has no ControlMaster"; return ;;
  esac
  local id
  id="$(command -v ssh) $version"
  SSH_MUX_FILE="$SSH_CONTROL_DIR/mux-${id//[^A-Za-z0-9._-]/_}"
  SSH_MUX_FILE=${SSH_MUX_FILE:0:240}
  if ssh_mux_recall && [ "$SSH_MUX" = 0 ]; then ssh_mux_off "this ssh refused to share connections before (remembered in $SSH_MUX_FILE)"; fi
}
SSH_MUX_FILE=''
ssh_mux_init

# ssh_probing VM CMD...: the command, multiplexed, while SSH_MUX is auto. ssh's stderr is held back
# until its exit says whether it refused to share (then the command runs again without sharing, and
# ssh's refusal is not shown); a command that ran is followed by `ssh -O check`, which says whether a
# shared connection stays open.
ssh_probing() {
  local vm=$1 err="$SSH_CONTROL_DIR/mux-stderr.$BASHPID" said='' line='' rc; shift
  if ! { [ -d "$SSH_CONTROL_DIR" ] || ssh_control_dir; }; then
    SSH_MUX=0
    ssh_mux_off "no folder $SSH_CONTROL_DIR for shared connections"
    ssh -F "$SSH_CONFIG" "${SSH_BASE_OPTS[@]}" "$vm" "$@"
    return
  fi
  ssh -F "$SSH_CONFIG" "${SSH_MUX_OPTS[@]}" "${SSH_BASE_OPTS[@]}" "$vm" "$@" 2>"$err"
  rc=$?
  IFS= read -r -d '' said <"$err" || true
  rm -f "$err"
  if [ "$rc" -eq 255 ] && [[ $said =~ $SSH_MUX_REFUSAL ]]; then
    while IFS= read -r line; do [[ $line =~ $SSH_MUX_REFUSAL ]] && break; done <<<"$said"
    # Said once: by the command that keeps the decision (or by this one, if none can be kept).
    if ssh_mux_keep 0 || ! ssh_mux_recall; then ssh_mux_off "ssh refused to share connections (${line%$'\r'})"; fi
    SSH_MUX=0
    ssh -F "$SSH_CONFIG" "${SSH_BASE_OPTS[@]}" "$vm" "$@"
    return
  fi
  printf '%s' "$said" >&2
  if [ "$rc" -ne 255 ] && ssh -F "$SSH_CONFIG" -o "ControlPath=$SSH_CONTROL_DIR/%h-%p" -O check "$vm" >/dev/null 2>&1; then
    SSH_MUX=1
    ssh_mux_keep 1
  fi
  return "$rc"
}

# ssh_once VM CMD...: one try, multiplexed or not as decided.
ssh_once() {
  local vm=$1; shift
  [ "$SSH_MUX" = auto ] && ssh_mux_recall
  case $SSH_MUX in
    0) ssh -F "$SSH_CONFIG" "${SSH_BASE_OPTS[@]}" "$vm" "$@" ;;
    1)
      [ -d "$SSH_CONTROL_DIR" ] || ssh_control_dir
      ssh -F "$SSH_CONFIG" "${SSH_MUX_OPTS[@]}" "${SSH_BASE_OPTS[@]}" "$vm" "$@"
      ;;
    *) ssh_probing "$vm" "$@" ;;
  esac
}

vm_ssh() {
  local vm=$1 refreshed=0 rc; shift
  [ -s "$SSH_CONFIG" ] || { refresh_ssh_config; refreshed=1; }
  ssh_once "$vm" "$@"
  rc=$?
  # 255 is ssh's own failure (the VM rebooted, its address changed): ask Vagrant again, once (not
  # when it was just asked). A refused ControlMaster is not one: ssh_once already ran the command
  # again without it.
  if [ "$rc" -eq 255 ] && [ "$refreshed" = 0 ]; then
    refresh_ssh_config
    ssh_once "$vm" "$@"
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
