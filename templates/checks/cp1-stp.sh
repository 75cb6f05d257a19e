#!/usr/bin/env bash
# Checkpoint 1, STP: the expected root bridge, exactly the expected blocked ports, the client reaches
# every address on its LAN, and after an inter-switch cable on the tree goes down (one with another
# path, so STP can repair its loss) the tree reconverges and reachability returns (then the cable
# is restored). CUT=<cable> picks the cable to cut.
set -uo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

title "$(say cp1Title lab="$LAB" runner="${RUNNER:-emulation}")"
require_ready 1

for row in "${STP_ROOTS[@]}"; do
  read -r vm br want _ rvm rbr <<<"$row"
  expect "$(say rootSeen bridge="$vm/$br" root="$rvm/$rbr")" "$want" "$(on "$vm" cat "/sys/class/net/$br/bridge/root_id" 2>/dev/null)"
done

want_blocked='' saw_blocked=''
for vm in $(printf '%s\n' "${STP_BRIDGES[@]}" | awk '{ print $1 }' | sort -u); do
  saw_blocked+=" $(stp_states_of "$vm" | awk -v vm="$vm" '$3 == 4 { printf "%s/%s/%s ", vm, $1, $2 }')"
done
for row in "${STP_PORTS[@]}"; do read -r vm br p state _ <<<"$row"; [ "$state" = 4 ] && want_blocked+=" $vm/$br/$p"; done
if [ "$BRIDGE_IDS_AS_MODEL" = 1 ]; then
  expect "$(say blockedPorts)" "$(sorted_words "$want_blocked")" "$(sorted_words "$saw_blocked")"
else
  # Other bridge ids may break ties between equal paths elsewhere; a tree over the same cables
  # still blocks one port per redundant cable.
  note "$(say idsDiffer)"
  expect "$(say blockedCount seen="$(sorted_words "$saw_blocked")")" "$(wc -w <<<"$want_blocked")" "$(wc -w <<<"$saw_blocked")"
fi

for a in "${EXT_ADDRS[@]}"; do
  if client_reaches "$a" || wait_until "$REACH_SETTLE" client_reaches "$a"; then pass "$(say reaches from="$CLIENT" to="$a")" "$(say aReply)" "$(say aReply)"; else fail "$(say reaches from="$CLIENT" to="$a")" "$(say aReply)" "$(say noReply)"; fi
done

cut=''
for row in "${INTER_SWITCH_CABLES[@]}"; do
  read -r cable vm_a nic_a vm_b nic_b on_tree redundant <<<"$row"
  if [ -n "${CUT:-}" ]; then [ "$cable" = "$CUT" ] && cut=$row; elif [ "$on_tree" = 1 ] && [ "$redundant" = 1 ]; then cut=$row; break; fi
done
if [ -z "$cut" ]; then
  note "$(say noCut named="${CUT:+ ($CUT)}")"
else
  read -r cable vm_a nic_a vm_b nic_b _ <<<"$cut"
  note "$(say cableDown cable="$cable" a="$vm_a/$nic_a" b="$vm_b/$nic_b")"
  on "$vm_a" ip link set "$nic_a" down
  on "$vm_b" ip link set "$nic_b" down
  if wait_until "$REACH_SETTLE" eval 'stp_settled && client_reaches_all'; then
    pass "$(say treeReconverged cable="$cable" client="$CLIENT" n="${#EXT_ADDRS[@]}" secs="$WAITED")"
  else
    fail "$(say withoutCable cable="$cable" client="$CLIENT" n="${#EXT_ADDRS[@]}" secs="$REACH_SETTLE")" "$(say settled)" "$(say notSettled survey="$(stp_survey; echo "$STP_TRANSIENT listening/learning")")"
  fi
  note "$(say cableRestored cable="$cable")"
  on "$vm_a" ip link set "$nic_a" up
  on "$vm_b" ip link set "$nic_b" up
  tree_back() { if [ "$BRIDGE_IDS_AS_MODEL" = 1 ]; then stp_survey; [ "$STP_DONE" = "$STP_TOTAL" ]; else stp_settled; fi; }
  if wait_until "$REACH_SETTLE" eval 'tree_back && client_reaches_all'; then
    pass "$(say treeBackAfter secs="$WAITED")"
  else
    stp_survey
    fail "$(say treeBack cable="$cable" n="$STP_TOTAL")" "$STP_TOTAL" "$STP_DONE${STP_WRONG:+ (!$STP_WRONG)}"
  fi
fi
finish
