#!/usr/bin/env bash
# faults.sh [KIND[:TARGET]...]: the fault matrix. For each fault (every inter-switch cable with
# another path down, every balancer's VRRP link down, every keepalived stopped, every web server
# stopped, every VXLAN segment's tunnels down) the client requests every service the faulted
# element carries every 100 ms; it checks the expected outcome, judges the client-observed outage
# against its theoretical bound + 0.5 s, repairs the fault, judges the repair's own outage against
# its bound, and checks that no request fails once the lab has reconverged. Arguments filter the
# matrix.
set -uo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
trap probe_stop EXIT

AFTER=20
title "Fault matrix (lab $LAB, runner ${RUNNER:-emulation})"
require_ready

selected() {
  [ $# -le 2 ] && return 0
  local kind=$1 target=$2 f; shift 2
  for f in "$@"; do [ "$f" = "$kind" ] || [ "$f" = "$kind:$target" ] && return 0; done
  return 1
}

holder_is_not() { local h; h=$(vip_holders "$1"); [ -n "$h" ] && [ "$h" = "${h%% *}" ] && [ "$h" != "$2" ]; }
holder_is() { [ "$(vip_holders "$1")" = "$2" ]; }
# A group without preemption keeps the holder an earlier fault moved it to: every fault's
# expectations start from the holders when it starts, not from the model's masters.
declare -A HELD_BY=()
snapshot_holders() {
  local row g
  HELD_BY=()
  for row in "${VRRP_GROUPS[@]}"; do read -r g _ <<<"$row"; HELD_BY[$g]=$(vip_holders "$g"); done
}
# groups_follow MEMBER GROUP,...: each group the member held is held by another member, each
# other group keeps its holder.
groups_follow() {
  local m=$1 g
  for g in ${2//,/ }; do
    if [ "${HELD_BY[$g]}" = "$m" ]; then holder_is_not "$g" "$m" || return 1; else holder_is "$g" "${HELD_BY[$g]}" || return 1; fi
  done
}
# vrrp_bound MEMBER GROUP,...: the longest master-down interval of the groups the member holds
# (the time their VIPs stay without a holder when it fails); 0 when it holds none.
vrrp_bound() {
  local row g mdi b=0
  for row in "${VRRP_TIMING[@]}"; do
    read -r g mdi _ <<<"$row"
    [[ ",$2," == *",$g,"* ]] && [ "${HELD_BY[$g]}" = "$1" ] || continue
    b=$(awk -v a="$b" -v m="$mdi" 'BEGIN { print (m > a ? m : a) }')
  done
  echo "$b"
}
# split_urls KIND TARGET SERVICE,...: PROBES and DOWN for a web server's fault (the services it
# serves: a VIP whose holder reaches no other server fails) or a VXLAN segment's (every service: a
# VIP whose holder has no server without tunnels fails), from the holders when the fault starts.
split_urls() {
  local kind=$1 target=$2 row svc vip port group view servers
  PROBES='' DOWN=''
  for row in "${SERVICES[@]}"; do
    read -r svc vip port _ group _ <<<"$row"
    [ "$kind" = vxlan ] || [[ ",$3," == *",$svc,"* ]] || continue
    view=$(balancer_view "${HELD_BY[$group]}" "$svc") || view=''
    if [ "$kind" = vxlan ]; then servers=$(view_without_tunnels "$view"); else servers=$(view_reachable "$view" | tr ' ' '\n' | grep -vx "$target"); fi
    if [ -z "${servers// /}" ]; then DOWN+="${DOWN:+ }$vip:$port"; else PROBES+="${PROBES:+ }$vip:$port"; fi
  done
}
# tree_is BLOCKED CUT: every STP port forwards except the BLOCKED ones (vm/bridge/port list, '-'
# for none), which block; the CUT ones (vm/port list) are skipped.
tree_is() {
  local blocked=",$1," cut=",$2," vm row v b p states got want
  for vm in $(printf '%s\n' "${STP_PORTS[@]}" | awk '{ print $1 }' | sort -u); do
    states=$(stp_states_of "$vm" 2>/dev/null) || return 1
    for row in "${STP_PORTS[@]}"; do
      read -r v b p _ <<<"$row"
      [ "$v" = "$vm" ] || continue
      [[ "$cut" == *",$v/$p,"* ]] && continue
      want=3
      [[ "$blocked" == *",$v/$b/$p,"* ]] && want=4
      got=$(awk -v b="$b" -v p="$p" '$1 == b && $2 == p { print $3 }' <<<"$states")
      [ "$got" = "$want" ] || return 1
    done
  done
}
server_down_everywhere() {
  local view bal svc
  for view in "${BALANCER_VIEW[@]}"; do
    read -r bal svc _ <<<"$view"
    [[ " $(view_reachable "$view") " == *" $1 "* ]] || continue
    [[ " $(haproxy_up_servers "$bal" "$svc") " == *" $1 "* ]] && return 1
  done
  return 0
}
balancers_local_only() {
  local view bal svc
  for view in "${BALANCER_VIEW[@]}"; do
    read -r bal svc _ <<<"$view"
    [ "$(sorted_words "$(haproxy_up_servers "$bal" "$svc")")" = "$(sorted_words "$(view_without_tunnels "$view")")" ] || return 1
  done
}
# The fault's probes answer and its down list does not.
# shellcheck disable=SC2086
urls_answer() { every_url_answers $PROBES; }
# shellcheck disable=SC2086
urls_fail() { none_answers $DOWN; }

# What a fault's outcome depends on, as seen now: VIP holders, haproxy's UP servers per backend,
# the probed vip:port that do not answer and the expected-down ones that do.
fault_state() {
  local row g view bal svc u out=''
  case $1 in
    ext-link | keepalived) for row in "${VRRP_GROUPS[@]}"; do read -r g _ <<<"$row"; out+="$g held by '$(vip_holders "$g")'; "; done ;;
    cable) stp_survey; out+="STP $STP_DONE/$STP_TOTAL ports as before the fault, $STP_TRANSIENT listening/learning${STP_WRONG:+, other:$STP_WRONG}; " ;;
    *) for view in "${BALANCER_VIEW[@]}"; do read -r bal svc _ <<<"$view"; out+="$bal/$svc UP '$(haproxy_up_servers "$bal" "$svc")'; "; done ;;
  esac
  for u in $PROBES; do fetch_from_client "${u%:*}" "${u##*:}" >/dev/null 2>&1 || out+="$u does not answer; "; done
  for u in $DOWN; do fetch_from_client "${u%:*}" "${u##*:}" >/dev/null 2>&1 && out+="$u answers; "; done
  printf '%s\n' "${out%; }"
}

# Each fault: inject, the outcome to wait for (and its description).
run_fault() {
  local kind=$1 target=$2 bound=$3; shift 3
  local outcome desc
  case $kind in
    cable)
      on "$1" ip link set "$2" down; on "$3" ip link set "$4" down
      if [ "$5" = '?' ]; then outcome=stp_settled desc="tree reconverged around $target";
      else outcome="tree_is $5 $1/$2,$3/$4" desc="tree reconverged around $target as the model predicts (blocked: ${5//,/ })"; fi ;;
    ext-link)
      on "$1" ip link set "$2" down
      outcome="groups_follow $target $3" desc="each group of $target ($3) it holds moves to another member, the others keep their holder" ;;
    keepalived)
      daemon_stop "$target" keepalived
      outcome="groups_follow $target $1" desc="each group of $target ($1) it holds moves to another member, the others keep their holder" ;;
    web)
      daemon_stop "$target" apache
      outcome="server_down_everywhere $target" desc="every balancer marks $target DOWN" ;;
    vxlan)
      local m
      for m in "$@"; do on "${m%%:*}" ip link set "${m#*:}" down; done
      outcome=balancers_local_only desc="each balancer keeps only its local servers of each service" ;;
  esac
  if wait_until "$((STP_SETTLE + VRRP_SETTLE + HAPROXY_SETTLE))" eval "$outcome && urls_answer && urls_fail"; then
    pass "$kind $target: $desc; ${PROBES:-no service} answer${DOWN:+, $DOWN fail} (after $WAITED s)"
  else
    fail "$kind $target: expected that $desc, with ${PROBES:-no service} answering${DOWN:+ and $DOWN failing}; saw: $(fault_state "$kind")"
  fi
  # A settled tree can be the old one (a bridge away from the cut trusts its stored BPDU until max
  # age): without a predicted tree a cable fault lasts at least its bound + 1 s before it is judged.
  # The other outcomes (the predicted tree, a VIP moved, a server DOWN) are the fault's end state.
  if [ "$kind" = cable ] && [ "$5" = '?' ]; then
    sleep "$(awk -v b="$bound" -v w="$WAITED" 'BEGIN { r = b + 1 - w; printf "%.1f", (r > 0 ? r : 0) }')"
  fi
  [ -z "$PROBES" ] && return 0
  mark SETTLED_LINE
  wait_until 30 probes_serving_again || fail "$kind $target: the client did not get 5 pages in a row from every probe while the fault lasted"
}

repair_fault() {
  local kind=$1 target=$2; shift 2
  case $kind in
    cable) on "$1" ip link set "$2" up; on "$3" ip link set "$4" up ;;
    ext-link) on "$1" ip link set "$2" up ;;
    keepalived) daemon_start "$target" keepalived ;;
    web) daemon_start "$target" apache ;;
    vxlan) local m; for m in "$@"; do on "${m%%:*}" ip link set "${m#*:}" up; done ;;
  esac
}

# Each probe's outage over the current window: which vip:port a too long outage was seen on.
outage_per_probe() {
  local k out=''
  for k in "${!PROBE_FILES[@]}"; do probe_use "$k"; out+="${out:+, }$k $(probe_outage "${FROM_LINE[$k]}" "${TO_LINE[$k]:-$(probe_lines)}" | awk '{ print $3 }') s"; done
  printf '%s\n' "$out"
}
# judge_outage WHAT BOUND FAILED TOTAL OUTAGE SLACK (the last four from probes_outage)
judge_outage() {
  if within "$2" "$5" "$6"; then pass "$1: $3 of $4 requests failed, outage $5 s within bound $2 s + $6 s";
  else fail "$1: $3 of $4 requests failed, outage $5 s, expected at most bound $2 s + $6 s (per probe: $(outage_per_probe))"; fi
}

results=()
t_matrix=$(now)
for row in "${FAULTS[@]}"; do
  read -r kind target bound rbound probes down args <<<"$row"
  selected "$kind" "$target" "$@" || continue
  snapshot_holders
  PROBES=${probes//,/ } DOWN=${down//,/ }
  [ "$PROBES" = - ] && PROBES=''
  [ "$DOWN" = - ] && DOWN=''
  # shellcheck disable=SC2086
  [ "$probes" = held ] && split_urls "$kind" "$target" $args
  # shellcheck disable=SC2086
  [ "$bound" = held ] && bound=$(vrrp_bound "$target" ${args##* })
  held=''
  for g in $(printf '%s\n' "${VRRP_GROUPS[@]}" | awk '{ print $1 }'); do held+="${held:+, }$g by ${HELD_BY[$g]:-nobody}"; done
  title "fault: $kind $target (bound $bound s, repair bound $rbound s; probes: ${PROBES:-none}${DOWN:+; expected down: $DOWN}; VIPs held: $held)"
  # Probes keep running from one fault to the next that probes the same vip:port list.
  if [ "$PROBES" != "${running:-}" ]; then
    probe_stop
    for u in $PROBES; do probe_start "http://$u/" 30000 "$u"; done
    for u in $PROBES; do probe_use "$u"; probe_wait_lines 3; done
    running=$PROBES
  fi
  mark FROM_LINE
  # shellcheck disable=SC2086
  run_fault "$kind" "$target" "$bound" $args
  failed=- total=- outage=- rfailed=- rtotal=- routage=-
  if [ -n "$PROBES" ]; then
    close_window || fail "$kind $target: a probe stalled"
    read -r failed total outage slack <<<"$(probes_outage)"
    judge_outage "$kind $target, client" "$bound" "$failed" "$total" "$outage" "$slack"
  fi
  # shellcheck disable=SC2086
  repair_fault "$kind" "$target" $args
  if wait_until "$((STP_SETTLE + VRRP_SETTLE + HAPROXY_SETTLE))" lab_ready; then
    pass "$kind $target repaired: lab reconverged after $WAITED s"
  else
    fail "$kind $target repaired: expected the lab to reconverge, saw: $(readiness_gap)"
  fi
  if [ -n "$PROBES" ]; then
    marks_shift
    close_window || fail "$kind $target: a probe stalled"
    read -r rfailed rtotal routage rslack <<<"$(probes_outage)"
    judge_outage "$kind $target repair, client" "$rbound" "$rfailed" "$rtotal" "$routage" "$rslack"
    for k in "${!TO_LINE[@]}"; do probe_use "$k"; probe_wait_lines "$((TO_LINE[$k] + AFTER))" || fail "probe $k stalled"; done
    marks_shift "$AFTER"
    read -r after_failed _ _ <<<"$(probes_outage)"
    expect "$kind $target: failed requests among the $AFTER per probe after reconvergence" 0 "$after_failed"
  fi
  marks_clear
  results+=("$(printf '%-11s %-10s %9s %8ss %8ss %12s %8ss %8ss' "$kind" "$target" "$failed/$total" "$outage" "$bound" "$rfailed/$rtotal" "$routage" "$rbound")")
done
probe_stop
title "Fault matrix summary (client requests every 100 ms per probed vip:port; outage = first failure to first answer after the last one, longest over the probes; judged against bound + 0.5 s)"
printf '%-11s %-10s %9s %9s %9s %12s %9s %9s\n' fault target failed outage bound repair-failed r-outage r-bound
printf '%s\n' "${results[@]}"
note "matrix took $(since "$t_matrix") s"
finish
