#!/usr/bin/env bash
# A student takes the reference lab (practica6) from stage 0 to stage 1 by hand, as section 5 of the
# handout says: four bridges with STP on before anything forwards, swout1 the root, the user at
# 172.16.1.100 and the host VMs' own external addresses on their bridges.
#   to-stage-1.sh LABDIR LAB      (root; LAB is the emulated lab's name, its namespace prefix)
# The bridge names are the student's own (the handout's br0 is the NAT bridge, absent here). The
# NICs are found by cable: the Vagrantfile's internal network and MAC of each adapter. The handout
# gives .250 to vswout1 and later again to bal1 (FACTS): the spec gives the host VMs .201 and .202,
# and so does the student.
# STP timers: the kernel's defaults are the reference spec's (15/2/20 s); a teacher who hands out a
# lab with other timers says so: STP_TIMERS="forward_delay hello max_age" in seconds.
. "$(dirname "$0")/lib.sh" "$@"

stp_bridge() {
  local vm=$1 br=$2 prio=$3; shift 3
  on "$vm" ip link add "$br" type bridge
  # STP on before any port joins: the ring would loop otherwise.
  on "$vm" ip link set "$br" type bridge stp_state 1 priority "$prio"
  if [ -n "${STP_TIMERS:-}" ]; then
    read -r fd hello maxage <<<"$STP_TIMERS"
    on "$vm" ip link set "$br" type bridge forward_delay $((fd * 100)) hello_time $((hello * 100)) max_age $((maxage * 100))
  fi
  local cable
  for cable in "$@"; do on "$vm" ip link set "$(nic_on_cable "$vm" "$cable")" master "$br"; done
}

say "swout1: br0, the root (priority 4096, lower than everyone's 32768)"
stp_bridge swout1 br0 4096 sw1-user sw1-vsw1 sw2-sw1
say "swout2: br0"
stp_bridge swout2 br0 32768 vsw2-sw2 sw2-sw1
say "host1: brout (vswout1 of the handout) with 172.16.1.201/24"
stp_bridge host1 brout 32768 sw1-vsw1 vsw1-vsw2
on host1 ip addr add 172.16.1.201/24 dev brout
say "host2: brout (vswout2 of the handout) with 172.16.1.202/24"
stp_bridge host2 brout 32768 vsw1-vsw2 vsw2-sw2
on host2 ip addr add 172.16.1.202/24 dev brout

say "bridges up"
on swout1 ip link set br0 up
on swout2 ip link set br0 up
on host1 ip link set brout up
on host2 ip link set brout up

say "user: 172.16.1.100/24"
user_nic=$(nic_on_cable user sw1-user)
on user ip addr add 172.16.1.100/24 dev "$user_nic"
on user ip link set "$user_nic" up
say "done (STP needs 2 x forward_delay before the ports forward)"
