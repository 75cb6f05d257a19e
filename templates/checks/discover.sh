# shellcheck shell=bash disable=SC2034
# Finds what was built by what the model fixes, whatever names the student chose: a bridge by the
# VM NIC it enslaves, a container NIC by its address, its host-side veth by the peer's interface
# index, a VXLAN device by its VNI. `discover SCOPE` renames the judged rows to the names found and
# lists in GAPS what the stages up to SCOPE lack; `scoped_gap SCOPE` says what the lab still waits
# for up to that stage. Sourced by lib.sh; never run.

# nic_master NODE IFNAME: the bridge the interface is a port of (nothing when it is in none).
nic_master() { on "$1" readlink "/sys/class/net/$2/master" 2>/dev/null | sed 's#.*/##'; }

# iface_with_address NODE ADDR: the interface holding ADDR on NODE.
iface_with_address() {
  on "$1" ip -4 -o addr show 2>/dev/null | awk -v a="$2" '{ split($4, p, "/"); if (p[1] == a) { sub(/@.*/, "", $2); print $2; exit } }'
}

# peer_on NODE IFNAME VM: the other end, on VM, of NODE's veth IFNAME.
peer_on() {
  local index
  index=$(on "$1" cat "/sys/class/net/$2/iflink" 2>/dev/null) || return 0
  on "$3" ip -o link show 2>/dev/null | awk -F': ' -v i="$index" '$1 == i { sub(/@.*/, "", $2); print $2; exit }'
}

# vxlan_device VM VNI: the VXLAN device of that VNI on VM.
vxlan_device() {
  on "$1" ip -d -o link show type vxlan 2>/dev/null | awk -v v="$2" '{
      for (i = 2; i < NF; i++) if ($(i - 1) == "vxlan" && $i == "id" && $(i + 1) == v) { n = $2; sub(/:$/, "", n); sub(/@.*/, "", n); print n; exit }
    }'
}

node_exists() { on "$1" true >/dev/null 2>&1; }

# Row fields: the stage and address of a container NIC ("container/nic").
nic_fact() {
  local row c n a s
  for row in "${CONTAINER_NIC_FACTS[@]}"; do read -r c n a s <<<"$row"; [ "$c/$n" = "$1" ] && { echo "$a $s"; return 0; }; done
  return 1
}
nic_with_address() {
  local row c n a
  for row in "${CONTAINER_NIC_FACTS[@]}"; do read -r c n a _ <<<"$row"; [ "$c" = "$1" ] && [ "$a" = "$2" ] && { echo "$c/$n"; return 0; }; done
  return 1
}

GAPS=()
gap() { GAPS+=("$*"); }

# discover SCOPE: finds the containers' NICs and veths, the bridges and the VXLAN devices of the
# stages up to SCOPE, and rewrites STP_PORTS, STP_ROOTS, STP_BRIDGES, VRRP_LINKS, VXLAN_DEVICES
# and EXT_ADDRS to what that scope judges, under the names found.
discover() {
  local scope=$1 row c n a s vm ifname veth
  GAPS=()
  declare -gA FOUND_VETH=() FOUND_BRIDGE=() FOUND_VXLAN=()
  declare -A missing=() in_scope=()
  for row in "${CONTAINER_NIC_FACTS[@]}"; do
    read -r c n a s <<<"$row"
    [ "$s" -le "$scope" ] || continue
    vm=${CONTAINER_VM[$c]}
    [ -z "${missing[$c]:-}" ] || continue
    if ! node_exists "$c"; then missing[$c]=1; gap "$(say gapContainer container="$c" vm="$vm")"; continue; fi
    [ "$a" != - ] || continue
    ifname=$(iface_with_address "$c" "$a")
    if [ -z "$ifname" ]; then gap "$(say gapAddress container="$c" address="$a")"; continue; fi
    veth=$(peer_on "$c" "$ifname" "$vm")
    if [ -z "$veth" ]; then gap "$(say gapVeth container="$c" ifname="$ifname" address="$a" vm="$vm")"; continue; fi
    FOUND_VETH[$c/$n]=$veth
  done

  local rows=()
  local seg vni members dev all_found=1
  for row in "${VXLAN_DEVICES[@]}"; do
    read -r seg vni members <<<"$row"
    local renamed=''
    for m in $members; do
      dev=$(vxlan_device "${m%%:*}" "$vni")
      if [ -z "$dev" ]; then
        all_found=0
        [ "$scope" -ge 4 ] && gap "$(say gapVxlan vm="${m%%:*}" vni="$vni" segment="$seg")"
      else
        renamed+=" ${m%%:*}:$dev"
        FOUND_VXLAN[${m%%:*}/$seg]=$dev
      fi
    done
    rows+=("$seg $vni$renamed")
  done
  VXLAN_DEVICES=("${rows[@]}")
  # Before the overlay a balancer reaches only the servers on its own side of it.
  [ "$all_found" = 1 ] || without_tunnels

  local br port state kind link found
  rows=()
  for row in "${STP_PORTS[@]}"; do
    read -r vm br port state kind link <<<"$row"
    if [ "$kind" = container ]; then
      read -r a s <<<"$(nic_fact "$link")"
      [ "$s" -le "$scope" ] || continue
      port=${FOUND_VETH[$link]:-}
      [ -n "$port" ] || continue
    elif [ "$kind" = vxlan ]; then
      [ "$scope" -ge 4 ] || continue
      port=${FOUND_VXLAN[$vm/$link]:-}
      [ -n "$port" ] || continue
    fi
    in_scope[$vm/$br]=1
    found=$(nic_master "$vm" "$port")
    if [ -z "$found" ]; then
      gap "$(say gapNoBridge vm="$vm" port="$port" bridge="$br")"
      continue
    fi
    if [ -n "${FOUND_BRIDGE[$vm/$br]:-}" ] && [ "${FOUND_BRIDGE[$vm/$br]}" != "$found" ]; then
      gap "$(say gapSplit vm="$vm" port="$port" found="$found" other="${FOUND_BRIDGE[$vm/$br]}")"
      continue
    fi
    FOUND_BRIDGE[$vm/$br]=$found
    rows+=("$vm $found $port $state $kind $link")
  done
  STP_PORTS=("${rows[@]}")

  local fd ma stp
  rows=()
  for row in "${STP_BRIDGES[@]}"; do
    read -r vm br fd ma <<<"$row"
    [ -n "${in_scope[$vm/$br]:-}" ] || continue
    found=${FOUND_BRIDGE[$vm/$br]:-}
    [ -n "$found" ] || continue
    stp=$(on "$vm" cat "/sys/class/net/$found/bridge/stp_state" 2>/dev/null)
    [ "$stp" = 0 ] && gap "$(say gapStpOff vm="$vm" bridge="$found")"
    rows+=("$vm $found $fd $ma")
  done
  STP_BRIDGES=("${rows[@]}")
  # The root is the bridge the model makes root, found by its ports: the id a student's bridge has
  # (its MAC is the kernel's choice unless set) is what every bridge must see as root.
  local want own rvm rbr id
  rows=()
  BRIDGE_IDS_AS_MODEL=1
  for row in "${STP_ROOTS[@]}"; do
    read -r vm br want own rvm rbr <<<"$row"
    found=${FOUND_BRIDGE[$vm/$br]:-}
    [ -n "$found" ] || continue
    id=$(on "$vm" cat "/sys/class/net/$found/bridge/bridge_id" 2>/dev/null)
    [ "$id" = "$own" ] || BRIDGE_IDS_AS_MODEL=0
    if [ -n "${FOUND_BRIDGE[$rvm/$rbr]:-}" ]; then
      want=$(on "$rvm" cat "/sys/class/net/${FOUND_BRIDGE[$rvm/$rbr]}/bridge/bridge_id" 2>/dev/null)
      rbr=${FOUND_BRIDGE[$rvm/$rbr]}
    fi
    rows+=("$vm $found $want $id $rvm $rbr")
  done
  STP_ROOTS=("${rows[@]}")

  local g m hif
  rows=()
  for row in "${VRRP_LINKS[@]}"; do
    read -r g m vm hif a <<<"$row"
    link=$(nic_with_address "$m" "$a") || continue
    veth=${FOUND_VETH[$link]:-}
    [ -n "$veth" ] && rows+=("$g $m $vm $veth $a")
  done
  VRRP_LINKS=("${rows[@]}")


  rows=()
  for a in "${EXT_ADDRS[@]}"; do [ "${ADDR_STAGE[$a]:-4}" -le "$scope" ] && rows+=("$a"); done
  EXT_ADDRS=("${rows[@]}")
}

# The balancers' views without the overlay: what a lab not yet at its VXLAN stage reaches.
without_tunnels() {
  local row bal svc src rest local_servers rows=() reach_rows=()
  for row in "${BALANCER_VIEW[@]}"; do
    read -r bal svc src rest <<<"$row"
    local_servers=$(view_without_tunnels "$row")
    rows+=("$bal $svc $src $local_servers | $local_servers")
    reach_rows+=("$bal $svc $local_servers")
  done
  BALANCER_VIEW=("${rows[@]}")
  BALANCER_REACH=("${reach_rows[@]}")
}

# vrrp_gap: a VRRP group without exactly one holder of its VIPs.
vrrp_gap() {
  local row g holders
  for row in "${VRRP_GROUPS[@]}"; do
    read -r g _ <<<"$row"
    holders=$(vip_holders "$g")
    if [ -z "$holders" ]; then say vrrpNone group="$g"; return; fi
    if [ "$holders" != "${holders%% *}" ]; then say vrrpMany group="$g" holders="$holders"; return; fi
  done
}

# scoped_gap SCOPE: what the lab up to that stage still waits for (nothing: converged). STP settled
# (no port listening or learning), one holder per VRRP group, haproxy backends up where their
# statistics can be read, every service answering whose VIP holder reaches a server.
scoped_gap() {
  local scope=$1 row vm br port state
  for row in "${STP_PORTS[@]}"; do
    read -r vm br port _ <<<"$row"
    state=$(on "$vm" cat "/sys/class/net/$br/brif/$port/state" 2>/dev/null)
    case $state in
      1 | 2) say waitStp port="$vm/$br/$port" state="$(stp_state_name "$state")"; return ;;
      '') say goneStp port="$vm/$br/$port"; return ;;
    esac
  done
  [ "$scope" -ge 2 ] || return 0
  local gap_line
  gap_line=$(vrrp_gap)
  [ -z "$gap_line" ] || { echo "$gap_line"; return; }
  [ "$scope" -ge 3 ] || return 0
  # A server absent from a backend is a configuration the checkpoint judges, not one to wait for.
  local bal svc servers up listed s missing_up
  for row in "${BALANCER_REACH[@]}"; do
    read -r bal svc servers <<<"$row"
    haproxy_stats_address "$bal" >/dev/null || continue
    up=" $(haproxy_up_servers "$bal" "$svc") "
    listed=" $(haproxy_listed_servers "$bal" "$svc") "
    missing_up=''
    for s in $servers; do [[ "$up" == *" $s "* ]] || [[ "$listed" != *" $s "* ]] || missing_up+=" $s"; done
    [ -z "$missing_up" ] || { say waitUp balancer="$bal" service="$svc" servers="${missing_up# }"; return; }
  done
  local vip port g holder
  for row in "${SERVICES[@]}"; do
    read -r svc vip port _ g <<<"$row"
    holder=$(vip_holders "$g")
    servers=$(view_reachable "$(balancer_view "$holder" "$svc")")
    [ -n "$servers" ] || continue
    fetch_from_client "$vip" "$port" >/dev/null 2>&1 || { say serviceSilent service="$svc" url="http://$vip:$port/" client="$CLIENT"; return; }
  done
}
