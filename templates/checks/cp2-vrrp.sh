#!/usr/bin/env bash
# Checkpoint 2, VRRP, for every group: its VIPs are on its expected master; when the master loses
# its external link a backup takes the VIPs over and they answer; when the link returns, the VIPs
# end where the model says (preemption, or the master by silence while its port listens and learns),
# while the client requests every service behind the group's VIPs every 100 ms.
set -uo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
trap probe_stop EXIT

title "$(say cp2Title lab="$LAB" runner="${RUNNER:-emulation}")"
require_ready 2

# group_probes GROUP: sets URLS to the vip:port of every service behind the group's VIPs that
# answers now (services are stage 3: before them, the takeover is judged on the VIPs alone).
group_probes() {
  local row v p g
  URLS=''
  for row in "${SERVICES[@]}"; do
    read -r _ v p _ g <<<"$row"
    [ "$g" = "$1" ] || continue
    if fetch_from_client "$v" "$p" >/dev/null 2>&1; then URLS+=" $v:$p"; else note "$(say notProbed url="http://$v:$p/")"; fi
  done
  URLS=${URLS# }
}
for grow in "${VRRP_GROUPS[@]}"; do
  read -r g master preempt vips <<<"$grow"
  holders=$(vip_holders "$g")
  # Without preemption the VIPs stay with whichever member took them last (an earlier checkpoint's
  # cable cut may have moved them): one member holding them is right, and the failover starts there.
  if [ "$preempt" != true ] && [ -n "$holders" ] && [ "$holders" = "${holders%% *}" ] && [ "$holders" != "$master" ]; then
    note "$(say keptHolder group="$g" holder="$holders" master="$master")"
    master=$holders kept=1
  else
    kept=0
  fi
  expect "$(say vrrpMaster group="$g" vips="$vips")" "$master" "$holders"
  # The failover below is from the group's holder: from an unexpected one it would judge nothing.
  if [ "$holders" != "$master" ]; then note "$(say noFailover group="$g")"; continue; fi
  # As the backup's below: converged a moment ago, the client may still be resolving the VIP.
  for v in $vips; do
    if wait_until 10 client_reaches "$v"; then pass "$(say reaches from="$CLIENT" to="VIP $v")" "$(say aReply)" "$(say aReply)"; else fail "$(say reaches from="$CLIENT" to="VIP $v")" "$(say aReply)" "$(say noReply)"; fi
  done
  link='' bound='' returns=''
  for row in "${VRRP_LINKS[@]}"; do read -r gg m vm hif _ <<<"$row"; [ "$gg/$m" = "$g/$master" ] && link="$vm $hif"; done
  for row in "${VRRP_TIMING[@]}"; do read -r gg b _ r <<<"$row"; [ "$gg" = "$g" ] && bound=$b returns=$r; done
  # A lower member that took the VIPs loses them for good: back, it meets a higher master.
  [ "$kept" = 0 ] || returns=backup
  read -r vm hif <<<"$link"
  group_probes "$g"
  urls=$URLS
  for u in $urls; do probe_start "http://$u/" 3000 "$u"; done

  note "$(say linkDown master="$master" link="$vm/$hif")"
  mark FROM_LINE
  on "$vm" ip link set "$hif" down
  others() { local h; h=$(vip_holders "$g"); [ -n "$h" ] && [ "$h" = "${h%% *}" ] && [ "$h" != "$master" ]; }
  if wait_until "$VRRP_SETTLE" others; then
    pass "$(say vipMoved holder="$(vip_holders "$g")" secs="$WAITED" bound="$bound")"
  else
    fail "$(say backupHolds vips="$vips" secs="$VRRP_SETTLE")" "$(say aBackup)" "$(vip_holders "$g")"
  fi
  for v in $vips; do
    if wait_until 10 client_reaches "$v"; then pass "$(say vipBackup vip="$v")" "$(say aReply)" "$(say aReply)"; else fail "$(say vipBackup vip="$v")" "$(say aReply)" "$(say noReply)"; fi
  done
  if [ -n "$urls" ]; then
    wait_until 20 all_services_answer >/dev/null
    close_window || fail "$(say probeStalled)"
    read -r failed total outage slack <<<"$(probes_outage)"
    if within "$bound" "$outage" "$slack"; then judgement=pass; else judgement=fail; fi
    "$judgement" "$(say takeover failed="$failed" total="$total" urls="$urls")" "$(say atMost bound="$bound" slack="$slack")" "$outage s"
  fi

  note "$(say linkUp master="$master" link="$vm/$hif")"
  mark FROM_LINE
  on "$vm" ip link set "$hif" up
  if [ "$returns" = master ]; then
    why=$(say whyPreempt)
    [ "$preempt" = true ] || why=$(say whySilence)
    if wait_until "$((STP_SETTLE + VRRP_SETTLE))" eval 'lab_ready && [ "$(vip_holders "$g")" = "$master" ]'; then
      pass "$(say linkBack why="$why" vips="$vips")" "$master" "$(vip_holders "$g")"
      note "$(say linkBackAfter secs="$WAITED")"
    else
      fail "$(say linkBack why="$why" vips="$vips")" "$master" "$(vip_holders "$g") ($(lab_gap))"
    fi
  else
    sleep "$VRRP_SETTLE"
    h=$(vip_holders "$g")
    if [ "$h" != "$master" ] && [ "$h" = "${h%% *}" ]; then pass "$(say noPreempt vips="$vips")" "$(say aBackup)" "$h"; else fail "$(say noPreempt vips="$vips")" "$(say aBackup)" "$h"; fi
    wait_until "$((STP_SETTLE + VRRP_SETTLE))" lab_ready || fail "$(say linkBackGap gap="$(lab_gap)")"
  fi
  if [ -n "$urls" ]; then
    # Converged means answering too: a VIP that moved back is reached only once the client hears
    # the new master's gratuitous ARP (sent when the two masters meet, and garp_master_delay
    # after it became master).
    # shellcheck disable=SC2086
    wait_until "$VRRP_SETTLE" every_url_answers $urls >/dev/null
    close_window || fail "$(say probeStalled)"
    read -r failed total outage _ <<<"$(probes_outage)"
    note "$(say linkBackOutage failed="$failed" total="$total" outage="$outage")"
    for k in "${!PROBE_FILES[@]}"; do probe_use "$k"; probe_wait_lines "$((TO_LINE[$k] + 20))"; done
    marks_shift 20
    read -r failed total _ <<<"$(probes_outage)"
    expect "$(say afterReconvergence)" 0 "$failed"
    probe_stop
    marks_clear
  fi
done
finish
