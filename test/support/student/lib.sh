# shellcheck shell=bash
# What a student at the keyboard of the emulated lab has at hand, shared by to-stage-N.sh (test
# fixtures playing a student who follows the handout). Sourced, never run.
#
# The emulation stands in for the real world: "a terminal in VM host1" is `ip netns exec LAB-host1`,
# "lxc launch bal1" is a new namespace LAB-bal1 joined to its VM by a veth, and a container's own
# filesystem (/etc/keepalived, /var/www/...) is a folder under the lab's run directory, which
# emulate/down.sh removes with the namespaces.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $(basename "$0") LABDIR LAB" >&2; exit 2; }
LABDIR=$1 LAB=$2
[ -d "$LABDIR/emulate" ] || { echo "$LABDIR is not a generated lab folder" >&2; exit 2; }
ROOTS=/run/gen-lab/$LAB

say() { printf '[student %s] %s\n' "$(basename "$0" .sh)" "$*"; }

# A shell in machine (VM or container) $1.
on() { local node=$1; shift; ip netns exec "$LAB-$node" "$@"; }

# The container's own filesystem, as its image would hold it.
rootfs() { printf '%s/%s/rootfs' "$ROOTS" "$1"; }

# The NIC of VM $1 on cable $2, as the student finds it: the Vagrantfile puts the VM's adapter on
# VirtualBox internal network "LAB-CABLE" with a MAC, and `ip -br link` in the VM shows that MAC.
nic_on_cable() {
  local vm=$1 cable=$2 mac
  mac=$(awk -v vm="config.vm.define \"$vm\"" -v net="virtualbox__intnet: \"$LAB-$cable\"," '
    index($0, "config.vm.define ") { inside = index($0, vm) > 0 }
    inside && index($0, net) { sub(/.*mac: "/, ""); sub(/".*/, ""); print tolower($0); exit }' "$LABDIR/Vagrantfile")
  [ -n "$mac" ] || { echo "the Vagrantfile has no NIC of $vm on cable $cable" >&2; return 1; }
  nic_with_mac "$vm" "$(printf '%s' "$mac" | sed 's/../&:/g; s/:$//')"
}

nic_with_mac() {
  local node=$1 mac=$2 dev
  dev=$(on "$node" ip -o link show | awk -v m="$mac" '$0 ~ "link/ether " m " " { sub(/@.*/, "", $2); sub(/:$/, "", $2); print $2; exit }')
  [ -n "$dev" ] || { echo "no NIC with MAC $mac in $node" >&2; return 1; }
  printf '%s\n' "$dev"
}

# What `ip -br addr` shows: the device holding an address (the student knows their own addresses).
dev_with_addr() {
  local node=$1 ip=$2 dev
  dev=$(on "$node" ip -o -4 addr show | awk -v a="$ip" '$4 ~ "^" a "/" { sub(/@.*/, "", $2); print $2; exit }')
  [ -n "$dev" ] || { echo "no device holds $ip in $node" >&2; return 1; }
  printf '%s\n' "$dev"
}

# "lxc launch": an empty machine with loopback up (IPv6 off, as on the emulation's own nodes).
launch() {
  local c=$1
  ip netns add "$LAB-$c"
  on "$c" ip link set lo up
  on "$c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  mkdir -p "$(rootfs "$c")"
  chmod 755 /run/gen-lab "$ROOTS" "$ROOTS/$c" "$(rootfs "$c")"
}

# A veth from VM $1 (host end $2, enslaved to bridge $3) into container $4 (end $5), both up.
cable() {
  local vm=$1 host_end=$2 bridge=$3 c=$4 c_end=$5
  on "$vm" ip link add "$host_end" type veth peer name "$c_end" netns "$LAB-$c"
  on "$vm" ip link set "$host_end" master "$bridge"
  on "$vm" ip link set "$host_end" up
  on "$c" ip link set "$c_end" up
}

# "/etc/init.d/X start" inside container $1: the daemon forks into the container's namespace. The
# container's VM has one CPU (the spec's cpus: 1), so its daemons run on one CPU, as there.
start_in() {
  local c=$1; shift
  mkdir -p "$(rootfs "$c")/var/log"
  taskset -c 0 ip netns exec "$LAB-$c" "$@" </dev/null >>"$(rootfs "$c")/var/log/start.log" 2>&1
}
