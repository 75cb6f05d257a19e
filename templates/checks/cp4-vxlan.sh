#!/usr/bin/env bash
# Checkpoint 4, VXLAN: every balancer reaches every server of each of its services across hosts and
# haproxy has exactly those UP in that service's backend; with the tunnels down (every VXLAN device
# of every segment set down on its host) each balancer keeps only its local servers of each
# service, and each VIP serves from its master's local servers, or fails when the master has none;
# then restored.
set -uo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

title "$(say cp4Title lab="$LAB" runner="${RUNNER:-emulation}")"
require_ready 4

declare -A server_addr=() pinged=()
for row in "${SERVERS[@]}"; do read -r s addr _ <<<"$row"; server_addr[$s]=$addr; done

for view in "${BALANCER_VIEW[@]}"; do
  read -r bal svc _ <<<"$view"
  for s in $(view_reachable "$view"); do
    [ -z "${pinged[$bal/$s]:-}" ] || continue
    pinged[$bal/$s]=1
    reach=$(say balReaches balancer="$bal" server="$s" address="${server_addr[$s]}")
    if on "$bal" ping -c 1 -W 1 -q "${server_addr[$s]}" >/dev/null 2>&1; then pass "$reach" "$(say aReply)" "$(say aReply)"; else fail "$reach" "$(say aReply)" "$(say noReply)"; fi
  done
  if haproxy_stats_address "$bal" >/dev/null; then
    expect "$(say haproxyUp balancer="$bal" service="$svc")" "$(sorted_words "$(view_reachable "$view")")" "$(sorted_words "$(haproxy_up_servers "$bal" "$svc")")"
  fi
done
# Across the overlay, each VIP serves from every server its holder reaches, local or remote.
for row in "${SERVICES[@]}"; do
  read -r svc vip port algo g <<<"$row"
  master=$(vip_holders "$g")
  want=$(view_reachable "$(balancer_view "$master" "$svc")")
  answered=() bad=0
  for _ in $(seq 1 $((3 * $(wc -w <<<"$want")))); do
    if id=$(fetch_from_client "$vip" "$port" 2>/dev/null | page_identity) && [ -n "$id" ]; then answered+=("${id%% *}"); else bad=$((bad + 1)); fi
  done
  via=$(say viaWith service="$svc" vip="$vip")
  expect "$(say failed what="$via")" 0 "$bad"
  expect_balance "$via" "$algo" "$want" "${answered[@]}"
done

[ ${#VXLAN_DEVICES[@]} -gt 0 ] || { note "$(say noVxlan)"; finish; }
tunnels() {
  local row m members
  for row in "${VXLAN_DEVICES[@]}"; do
    read -r _ _ members <<<"$row"
    for m in $members; do on "${m%%:*}" ip link set "${m#*:}" "$1"; done
  done
}
note "$(say tunnelsDown)"
tunnels down
# Every balancer serves only its local servers: as haproxy's statistics say, or, where they cannot
# be read (a student's haproxy.cfg), as a few requests through each VIP show.
local_only() {
  local view bal svc row vip port g master want id i
  for view in "${BALANCER_VIEW[@]}"; do
    read -r bal svc _ <<<"$view"
    haproxy_stats_address "$bal" >/dev/null || continue
    [ "$(sorted_words "$(haproxy_up_servers "$bal" "$svc")")" = "$(sorted_words "$(view_without_tunnels "$view")")" ] || return 1
  done
  for row in "${SERVICES[@]}"; do
    read -r svc vip port _ g <<<"$row"
    master=$(vip_holders "$g")
    haproxy_stats_address "$master" >/dev/null && continue
    want=$(view_without_tunnels "$(balancer_view "$master" "$svc")")
    for ((i = 0; i < 2 * $(wc -w <<<"$want") + 1; i++)); do
      id=$(fetch_from_client "$vip" "$port" 2>/dev/null | page_identity)
      if [ -z "$want" ]; then [ -z "$id" ] || return 1; else [[ " $want " == *" ${id%% *} "* ]] || return 1; fi
    done
  done
}
if wait_until "$HAPROXY_SETTLE" local_only; then pass "$(say localOnly secs="$WAITED")"; fi
for view in "${BALANCER_VIEW[@]}"; do
  read -r bal svc _ <<<"$view"
  haproxy_stats_address "$bal" >/dev/null || continue
  expect "$(say haproxyUpWithout balancer="$bal" service="$svc")" "$(sorted_words "$(view_without_tunnels "$view")")" "$(sorted_words "$(haproxy_up_servers "$bal" "$svc")")"
done
for row in "${SERVICES[@]}"; do
  read -r svc vip port algo g <<<"$row"
  master=$(vip_holders "$g")
  want=$(view_without_tunnels "$(balancer_view "$master" "$svc")")
  via=$(say viaWithout service="$svc" vip="$vip")
  n=$(wc -w <<<"$want")
  answered=() bad=0
  for _ in $(seq 1 $((n > 0 ? 3 * n : 3))); do
    if id=$(fetch_from_client "$vip" "$port" 2>/dev/null | page_identity) && [ -n "$id" ]; then answered+=("${id%% *}"); else bad=$((bad + 1)); fi
  done
  if [ "$n" = 0 ]; then
    expect "$(say noLocal what="$via" master="$master")" 0 "${#answered[@]}"
  else
    expect "$(say failed what="$via")" 0 "$bad"
    note "$(say inOrder what="$via" master="$master" reach="$want" order="${answered[*]}")"
    expect_balance "$via" "$algo" "$want" "${answered[@]}"
  fi
done
note "$(say tunnelsUp)"
tunnels up
if wait_until "$HAPROXY_SETTLE" lab_ready; then pass "$(say allUpAgain secs="$WAITED")"; else fail "$(say afterTunnels gap="$(lab_gap)")"; fi
finish
