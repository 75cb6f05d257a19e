#!/usr/bin/env bash
# A student takes the reference lab (practica6) from stage 3 to stage 4 by hand, as section 8 of the
# handout says: one VXLAN segment (VNI 42, UDP 4789) between the host VMs' external addresses
# 172.16.1.201 and .202, enslaved to each host's inner bridge, so that the inner LAN is one.
#   to-stage-4.sh LABDIR LAB      (root)
# The inner bridge is the one the student finds holding the balancer's inner veth (vswin1 in a
# lab handed out at stage 3, the student's own brin after to-stage-3.sh). VXLAN costs 50 bytes:
# the inner LAN gets MTU 1450 everywhere (FACTS: with 1500 inside, large replies hang silently).
. "$(dirname "$0")/lib.sh" "$@"

# The bridge a container's veth (the end holding $2 in container $1) is a port of, in VM $3.
bridge_of() {
  local c=$1 ip=$2 vm=$3 dev peer
  dev=$(dev_with_addr "$c" "$ip")
  peer=$(on "$c" cat "/sys/class/net/$dev/iflink")
  on "$vm" ip -o link show | awk -v i="$peer" '$1 == i ":" { for (f = 1; f < NF; f++) if ($f == "master") { print $(f + 1); exit } }'
}

inner_mtu() {
  local c=$1 ip=$2
  on "$c" ip link set "$(dev_with_addr "$c" "$ip")" mtu 1450
}

vxlan() {
  local vm=$1 local_ip=$2 remote=$3 inner=$4 under
  under=$(dev_with_addr "$vm" "$local_ip")
  say "$vm: vxlan42 id 42 local $local_ip remote $remote dstport 4789 dev $under, into $inner"
  on "$vm" ip link add vxlan42 type vxlan id 42 local "$local_ip" remote "$remote" dstport 4789 dev "$under"
  on "$vm" ip link set vxlan42 master "$inner"
  local port
  for port in $(on "$vm" ip -o link show master "$inner" | awk '{ sub(/@.*/, "", $2); sub(/:$/, "", $2); print $2 }'); do
    on "$vm" ip link set "$port" mtu 1450
  done
  on "$vm" ip link set vxlan42 up
}

in1=$(bridge_of bal1 10.0.0.250 host1)
in2=$(bridge_of bal2 10.0.0.251 host2)
[ -n "$in1" ] && [ -n "$in2" ] || { echo "no inner bridge found" >&2; exit 1; }
vxlan host1 172.16.1.201 172.16.1.202 "$in1"
vxlan host2 172.16.1.202 172.16.1.201 "$in2"
say "MTU 1450 on the inner NICs of the containers"
inner_mtu bal1 10.0.0.250
inner_mtu bal2 10.0.0.251
inner_mtu serv1 10.0.0.1
inner_mtu serv2 10.0.0.2
inner_mtu serv3 10.0.0.3
say "done (haproxy sees serv3 up, or serv1/serv2 from bal2, after 2 good checks: about 4 s)"
