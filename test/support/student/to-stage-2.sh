#!/usr/bin/env bash
# A student takes the reference lab (practica6) from stage 1 to stage 2 by hand, as section 6 of the
# handout says: containers bal1 (host1) and bal2 (host2), each joined by a veth pair to the bridge
# that carries its host's external address, 172.16.1.250/.251, and keepalived holding the VIP
# 172.16.1.254 (VRID 12, advert 1 s, bal1 priority 150, bal2 100).
#   to-stage-2.sh LABDIR LAB      (root)
# keepalived.conf is the handout's, without its mistakes (FACTS): `vrrp_instance`, not `vrp_instance`,
# and the interface is the student's own veth end. Every instance starts BACKUP: the priorities elect.
. "$(dirname "$0")/lib.sh" "$@"

balancer() {
  local c=$1 vm=$2 host_addr=$3 addr=$4 prio=$5 veth=$6
  say "$vm: lxc launch $c; veth ${veth}_a (on the external bridge) / ${veth}_b (in $c)"
  launch "$c"
  cable "$vm" "${veth}_a" "$(dev_with_addr "$vm" "$host_addr")" "$c" "${veth}_b"
  on "$c" ip addr add "$addr" dev "${veth}_b"
  say "$c: /etc/keepalived/keepalived.conf, priority $prio"
  mkdir -p "$(rootfs "$c")/etc/keepalived" "$(rootfs "$c")/run"
  cat >"$(rootfs "$c")/etc/keepalived/keepalived.conf" <<CONF
vrrp_instance vrrpext {
    state BACKUP
    interface ${veth}_b
    virtual_router_id 12
    priority $prio
    advert_int 1
    virtual_ipaddress {
        172.16.1.254
    }
}
CONF
  say "$c: /etc/init.d/keepalived start"
  local r
  r=$(rootfs "$c")
  start_in "$c" keepalived -f "$r/etc/keepalived/keepalived.conf" -p "$r/run/keepalived.pid" \
    -r "$r/run/keepalived-vrrp.pid" -c "$r/run/keepalived-checkers.pid"
}

balancer bal1 host1 172.16.1.201 172.16.1.250/24 150 vbal1out
balancer bal2 host2 172.16.1.202 172.16.1.251/24 100 vbal2out
say "done (bal1 turns master after 3 adverts of silence, about 3.4 s)"
