# shellcheck shell=bash disable=SC2034
# Reads the lab's live state through the runner's `on`; shared by up.sh's wait and the checks.
# Sourced after a runner; never run.

# ADDR:PORT of the stats socket in a balancer's haproxy.cfg (the same file both worlds run).
haproxy_stats_address() {
  local cfg="$LAB_DIR/containers/$1/${DAEMON_CONFIG[haproxy]}" addr
  [ -f "$cfg" ] || return 1
  addr=$(sed -n 's/^[[:space:]]*stats[[:space:]]\{1,\}socket[[:space:]]\{1,\}\(ipv4@\)\{0,1\}\([0-9.]\{7,15\}:[0-9]\{1,5\}\).*/\2/p' "$cfg" | head -n 1)
  [ -n "$addr" ] || return 1
  printf '%s\n' "$addr"
}

# "bridge port state" for every bridge port of a VM, one line each.
stp_states_of() {
  on_sh "$1" 'for f in /sys/class/net/*/brif/*/state; do [ -e "$f" ] || continue; b=${f#/sys/class/net/}; b=${b%%/*}; p=${f%/state}; p=${p##*/}; echo "$b $p $(cat "$f")"; done'
}

# Sets STP_DONE (ports in their expected state), STP_TOTAL, STP_TRANSIENT (listening/learning) and STP_WRONG.
stp_survey() {
  STP_DONE=0; STP_TOTAL=${#STP_PORTS[@]}; STP_TRANSIENT=0; STP_WRONG=''
  local vm row states want got
  declare -A seen=()
  for row in "${STP_PORTS[@]}"; do
    read -r vm _ <<<"$row"
    [ -n "${seen[$vm]:-}" ] && continue
    seen[$vm]=1
    states=$(stp_states_of "$vm" 2>/dev/null || true)
    local r v b p w
    for r in "${STP_PORTS[@]}"; do
      read -r v b p w _ <<<"$r"
      [ "$v" = "$vm" ] || continue
      got=$(awk -v b="$b" -v p="$p" '$1 == b && $2 == p { print $3 }' <<<"$states")
      want=$w
      if [ "$got" = "$want" ]; then STP_DONE=$((STP_DONE + 1));
      elif [ "$got" = 1 ] || [ "$got" = 2 ]; then STP_TRANSIENT=$((STP_TRANSIENT + 1));
      else STP_WRONG+=" $v/$b/$p=$(stp_state_name "$got")"; fi
    done
  done
}

stp_state_name() {
  case $1 in 0) echo disabled ;; 1) echo listening ;; 2) echo learning ;; 3) echo forwarding ;; 4) echo blocking ;; '') echo missing ;; *) echo "state$1" ;; esac
}

# Members of a VRRP group that hold one of its VIPs right now.
vip_holders() {
  local group=$1 row g vips m holders=''
  for row in "${VRRP_GROUPS[@]}"; do read -r g _ _ vips <<<"$row"; [ "$g" = "$group" ] && break; done
  for row in "${VRRP_MEMBERS[@]}"; do
    read -r g m <<<"$row"
    [ "$g" = "$group" ] || continue
    local addrs v
    addrs=$(on "$m" ip -4 -o addr show 2>/dev/null | awk '{ sub(/\/.*/, "", $4); print $4 }')
    for v in $vips; do
      if grep -qxF "$v" <<<"$addrs"; then holders+=" $m"; break; fi
    done
  done
  printf '%s\n' "${holders# }"
}

# haproxy_servers BALANCER SERVICE STATUS: servers the balancer's haproxy lists in the backend of
# that service (haproxy.cfg names each backend after its service; '' for every backend) whose
# status matches the awk regex STATUS ('' for any).
haproxy_servers() {
  haproxy_stat "$1" 2>/dev/null | awk -F, -v be="$2" -v st="$3" '$1 !~ /^#/ && (be == "" || $1 == be) && $2 != "FRONTEND" && $2 != "BACKEND" && $18 ~ st { print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# haproxy_up_servers BALANCER [SERVICE]: those with health checks passing.
haproxy_up_servers() { haproxy_servers "$1" "${2:-}" '^UP'; }
# haproxy_listed_servers BALANCER SERVICE: every server of the backend, whatever its state.
haproxy_listed_servers() { haproxy_servers "$1" "$2" ''; }

# One page through a VIP from the client; prints the body, fails on any HTTP or network error.
fetch_from_client() { on "$CLIENT" curl -sSf --connect-timeout 1 -m 3 "http://$1:$2/"; }

# Prints what the lab still waits for, or nothing when it is ready (every STP port in its expected
# state, one master per VRRP group, haproxy backends up, every VIP serving the client).
readiness_gap() {
  stp_survey
  if [ "$STP_DONE" -lt "$STP_TOTAL" ]; then
    local fd=''
    [ ${#STP_BRIDGES[@]} -gt 0 ] && read -r _ _ fd _ <<<"${STP_BRIDGES[0]}"
    echo "STP: $STP_DONE/$STP_TOTAL ports in their expected state, waiting listening/learning (fd ${fd} s)${STP_WRONG:+; unexpected:$STP_WRONG}"
    return
  fi
  local row g master preempt holders
  for row in "${VRRP_GROUPS[@]}"; do
    read -r g master preempt _ <<<"$row"
    holders=$(vip_holders "$g")
    if [ -z "$holders" ]; then echo "VRRP $g: waiting for a master"; return; fi
    if [ "$holders" != "${holders%% *}" ]; then echo "VRRP $g: waiting for one master (now: $holders)"; return; fi
    if [ "$preempt" = true ] && [ "$holders" != "$master" ]; then echo "VRRP $g: master is $holders, waiting for $master to preempt"; return; fi
  done
  local bal svc servers up s missing
  for row in "${BALANCER_REACH[@]}"; do
    read -r bal svc servers <<<"$row"
    haproxy_stats_address "$bal" >/dev/null || continue
    up=" $(haproxy_up_servers "$bal" "$svc") "
    missing=''
    for s in $servers; do [[ "$up" == *" $s "* ]] || missing+=" $s"; done
    if [ -n "$missing" ]; then echo "haproxy $bal/$svc: waiting for$missing to be UP"; return; fi
  done
  local vip port
  for row in "${SERVICES[@]}"; do
    read -r svc vip port _ <<<"$row"
    fetch_from_client "$vip" "$port" >/dev/null 2>&1 || { echo "service $svc: waiting for http://$vip:$port/ from $CLIENT"; return; }
  done
}
