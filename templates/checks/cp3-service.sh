#!/usr/bin/env bash
# Checkpoint 3, service: for every VIP of every service, consecutive requests from the client are
# spread over the servers the VIP's master reaches as the service's algorithm says (roundrobin and
# static-rr: strict rotation; leastconn: every server answers; source and uri: one server; first:
# the first server), each page showing the master's internal address as the client; the client
# cannot reach any server directly; the balancers do not forward.
set -uo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

title "$(say cp3Title lab="$LAB" runner="${RUNNER:-emulation}")"
require_ready 3

for row in "${SERVICES[@]}"; do
  read -r svc vip port algo g <<<"$row"
  master=$(vip_holders "$g")
  if ! view=$(balancer_view "$master" "$svc"); then fail "$(say notBalancer service="$svc" vip="$vip" group="$g" holder="$master")"; continue; fi
  reach=$(view_reachable "$view")
  src=$(view_source "$view")
  n=$(wc -w <<<"$reach")
  total=$((3 * n))
  answered=() clients='' bad=0
  for _ in $(seq 1 "$total"); do
    id=$(fetch_from_client "$vip" "$port" | page_identity) || true
    [ -n "$id" ] || bad=$((bad + 1))
    answered+=("${id%% *}")
    clients+=" ${id#* }"
  done
  via=$(say via service="$svc" vip="$vip")
  expect "$(say failedRequests service="$svc" algo="$algo" total="$total" url="$vip:$port")" 0 "$bad"
  note "$(say inOrder what="$via" master="$master" reach="$reach" order="${answered[*]}")"
  expect_balance "$via" "$algo" "$reach" "${answered[@]}"
  expect "$(say clientAddress what="$via")" "$src" "$(sorted_words "$(tr ' ' '\n' <<<"$clients" | sort -u | tr '\n' ' ')")"
done

for row in "${SERVERS[@]}"; do
  read -r s addr port <<<"$row"
  direct=$(say direct client="$CLIENT" server="$s" url="$addr:$port")
  if on "$CLIENT" curl -s --connect-timeout 1 -m 2 -o /dev/null "http://$addr:$port/"; then fail "$direct" "$(say noAnswer)" "$(say anAnswer)"; else pass "$direct" "$(say noAnswer)" "$(say noAnswer)"; fi
done

declare -A server_addr=() checked=()
for row in "${SERVERS[@]}"; do read -r s addr _ <<<"$row"; server_addr[$s]=$addr; done
for row in "${VRRP_LINKS[@]}"; do
  read -r _ bal _ _ bal_addr <<<"$row"
  [ -z "${checked[$bal]:-}" ] || continue
  checked[$bal]=1
  expect "$(say ipForward balancer="$bal")" 0 "$(on "$bal" cat /proc/sys/net/ipv4/ip_forward)"
  # A server this balancer reaches (forwarding is a property of the balancer: one is enough),
  # through a route via the balancer on the client: a forwarding balancer would answer through it.
  for view in "${BALANCER_VIEW[@]}"; do
    read -r b _ <<<"$view"
    [ "$b" = "$bal" ] || continue
    for s in $(view_reachable "$view"); do
      [ -z "${checked[$bal/fwd]:-}" ] || continue
      checked[$bal/fwd]=1
      addr=${server_addr[$s]}
      on "$CLIENT" ip route replace "$addr/32" via "$bal_addr"
      forwarding=$(say forwardVia balancer="$bal" client="$CLIENT" server="$s" address="$addr" via="$bal_addr")
      if client_reaches "$addr"; then fail "$forwarding" "$(say noReply)" "$(say aReply)"; else pass "$forwarding" "$(say noReply)" "$(say noReply)"; fi
      on "$CLIENT" ip route del "$addr/32" via "$bal_addr"
    done
  done
done
finish
