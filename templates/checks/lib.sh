# shellcheck shell=bash disable=SC2034
# Shared by the checkpoints and the fault matrix: the runner (RUNNER=emulation, the default, or
# RUNNER=vagrant), the expectations, and helpers that print what was expected and what was seen.
# Sourced, never run.
_checks_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case ${RUNNER:-emulation} in
  emulation | vagrant) ;;
  *) echo "RUNNER must be emulation or vagrant, not '$RUNNER'" >&2; exit 2 ;;
esac
# shellcheck source=runner-emulation.sh
. "$_checks_dir/runner-${RUNNER:-emulation}.sh"
# shellcheck source=state.sh
. "$CHECKS_DIR/state.sh"
# shellcheck source=expect.sh
. "$CHECKS_DIR/expect.sh"
# shellcheck source=words.sh
. "$CHECKS_DIR/words.sh"
# shellcheck source=discover.sh
. "$CHECKS_DIR/discover.sh"

# say KEY [NAME=VALUE...]: the sentence KEY in the lab's language, each {NAME} in it filled in.
say() {
  local text=${SAY[$1]:-$1} pair; shift
  for pair in "$@"; do text=${text//"{${pair%%=*}}"/"${pair#*=}"}; done
  printf '%s' "$text"
}

FAILURES=0
# Seconds since the epoch with a fraction: bash 5's EPOCHREALTIME where there is one (no process;
# right on a Mac too, whose date has no %N), else GNU date. The checks run on the student's host.
now() { if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s\n' "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi; }
T0=${T0:-$(now)}
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
title() { printf '\n== %s\n' "$*"; }

# CHECK_REPORT=FILE (./grade sets it): every judgement is also appended to FILE as one record
# KIND<TAB>WHAT<TAB>EXPECTED<TAB>SEEN (KIND ok, fail or note; EXPECTED and SEEN empty when the
# judgement names none), and finish appends result<TAB>pass or result<TAB>fail. A tab or line break
# inside a field becomes a space, so one line is always one record.
record() {
  [ -n "${CHECK_REPORT:-}" ] || return 0
  local line=$1 field; shift
  for field in "$@"; do line+=$'\t'${field//[$'\t\n\r']/ }; done
  printf '%s\n' "$line" >>"$CHECK_REPORT"
}
# pass WHAT [EXPECTED SEEN], fail WHAT [EXPECTED SEEN]: one judgement; with EXPECTED and SEEN its
# line says both. note WHAT: a fact that judges nothing.
judge() {
  local kind=$1; shift
  if [ $# -eq 3 ]; then JUDGED=$(say expectedSeen what="$1" expected="$2" seen="$3"); record "$kind" "$1" "$2" "$3"
  else JUDGED=$*; record "$kind" "$*" '' ''; fi
}
note() { printf '     %s\n' "$*"; record note "$*" '' ''; }
pass() { judge ok "$@"; printf '  ok   %s\n' "$JUDGED"; }
fail() { judge fail "$@"; printf '  FAIL %s\n' "$JUDGED"; FAILURES=$((FAILURES + 1)); }

# expect WHAT EXPECTED SAW: one line saying both, ok when they are equal.
expect() {
  if [ "$2" = "$3" ]; then pass "$1" "$2" "$3"; else fail "$1" "$2" "$3"; fi
}

finish() {
  if [ "$FAILURES" -eq 0 ]; then record result pass; echo "PASS $(basename "$0")"; exit 0; fi
  record result fail
  echo "FAIL $(basename "$0"): $FAILURES failed"
  exit 1
}

# wait_until SECONDS CMD...: polls CMD until it succeeds; fails after SECONDS. Sets WAITED.
wait_until() {
  local limit=$1 start; shift
  start=$(now)
  while :; do
    if "$@"; then WAITED=$(since "$start"); return 0; fi
    WAITED=$(since "$start")
    awk -v w="$WAITED" -v l="$limit" 'BEGIN { exit !(w > l) }' && return 1
    sleep 0.3
  done
}

# What the lab still waits for: up to the checkpoint's stage once require_ready has set CHECK_SCOPE
# (what a student may have built so far), else the whole lab as up.sh waits for it.
lab_gap() { if [ -n "${CHECK_SCOPE:-}" ]; then scoped_gap "$CHECK_SCOPE"; else readiness_gap; fi; }
lab_ready() { [ -z "$(lab_gap)" ]; }

# require_ready STAGE: every checkpoint judges the lab up to its own stage. What those stages should
# have built is found by what the model fixes (discover); anything missing fails at once, naming it;
# then the lab must converge within the stages' settle bounds, and VRRP hold still for one
# master-down interval (a student's keepalived may have just started). Without STAGE (the fault
# matrix): the whole lab, converged to exactly the model's tree and masters.
require_ready() {
  if [ $# -eq 0 ]; then require_whole_lab; return; fi
  CHECK_SCOPE=$1
  discover_booted "$CHECK_SCOPE"
  if [ ${#GAPS[@]} -gt 0 ]; then
    local g
    for g in "${GAPS[@]}"; do fail "$(say notBuilt stage="$CHECK_SCOPE" gap="$g")"; done
    finish
  fi
  local bound=$STP_SETTLE row mdi=0 m
  [ "$CHECK_SCOPE" -ge 2 ] && bound=$((bound + VRRP_SETTLE))
  [ "$CHECK_SCOPE" -ge 3 ] && bound=$((bound + HAPROXY_SETTLE))
  for row in "${VRRP_TIMING[@]}"; do read -r _ m _ <<<"$row"; awk -v a="$m" -v b="$mdi" 'BEGIN { exit !(a > b) }' && mdi=$m; done
  local start holders
  start=$(now)
  while :; do
    if ! wait_until "$bound" lab_ready; then
      fail "$(say notConverged stage="$CHECK_SCOPE" secs="$bound" gap="$(lab_gap)")"
      finish
    fi
    [ "$CHECK_SCOPE" -ge 2 ] && [ ${#VRRP_GROUPS[@]} -gt 0 ] || break
    holders=$(all_vip_holders)
    sleep "$mdi"
    [ "$holders" = "$(all_vip_holders)" ] && lab_ready && break
  done
  pass "$(say converged stage="$CHECK_SCOPE" secs="$(since "$start")")"
}
require_whole_lab() {
  discover_booted 4
  [ ${#GAPS[@]} -eq 0 ] || { fail "lab not built: ${GAPS[*]}"; finish; }
  if wait_until "$((STP_SETTLE + VRRP_SETTLE + HAPROXY_SETTLE))" lab_ready; then
    pass "lab converged (waited $WAITED s)"
  else
    fail "lab not converged: $(readiness_gap)"
    finish
  fi
}
# discover_booted SCOPE: discover, again every 5 s while something is missing and a VM has just
# booted (after a reboot what the lab starts by itself comes up within seconds to minutes).
discover_booted() {
  local booting
  discover "$1"
  while [ ${#GAPS[@]} -gt 0 ] && booting=$(nodes_booting); do
    printf '     %s\n' "$(say booting vm="${booting%% *}" secs="${booting##* }" missing="${#GAPS[@]}")"
    sleep 5
    discover "$1"
  done
}
all_vip_holders() { local row g; for row in "${VRRP_GROUPS[@]}"; do read -r g _ <<<"$row"; printf '%s=%s ' "$g" "$(vip_holders "$g")"; done; }

sorted_words() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'; }

# No port of any STP bridge in listening or learning.
stp_settled() {
  local vm
  for vm in $(printf '%s\n' "${STP_BRIDGES[@]}" | awk '{ print $1 }' | sort -u); do
    stp_states_of "$vm" | awk '$3 == 1 || $3 == 2 { bad = 1 } END { exit bad }' || return 1
  done
}

client_reaches() { on "$CLIENT" ping -c 1 -W 1 -q "$1" >/dev/null 2>&1; }
client_reaches_all() { local a; for a in "${EXT_ADDRS[@]}"; do client_reaches "$a" || return 1; done; }
# every_url_answers VIP:PORT...: the client gets a page from each; none_answers: from none.
every_url_answers() { local u; for u in "$@"; do fetch_from_client "${u%:*}" "${u##*:}" >/dev/null 2>&1 || return 1; done; }
none_answers() { local u; for u in "$@"; do fetch_from_client "${u%:*}" "${u##*:}" >/dev/null 2>&1 && return 1; done; return 0; }
all_services_answer() { local row s v p; for row in "${SERVICES[@]}"; do read -r s v p _ <<<"$row"; fetch_from_client "$v" "$p" >/dev/null 2>&1 || return 1; done; }

# "server client" named by a page (its probe line says server=NAME client=ADDR).
# A page without that line (a student's, as the handout writes it) is named by the heading the spec
# gives its server (the longest that matches) and the first IPv4 address it shows.
page_identity() {
  local page id s best=''
  page=$(cat)
  id=$(sed -n 's/.*server=\([^ <]*\) client=\([^ <]*\).*/\1 \2/p' <<<"$page" | head -n 1)
  if [ -n "$id" ]; then printf '%s\n' "$id"; return 0; fi
  for s in "${!HEADING[@]}"; do
    [[ "$page" == *"${HEADING[$s]}"* ]] || continue
    [ -n "$best" ] && [ ${#HEADING[$best]} -ge ${#HEADING[$s]} ] && continue
    best=$s
  done
  [ -n "$best" ] || return 0
  printf '%s %s\n' "$best" "$(grep -oE '([0-9]{1,3}\.){3}[0-9]{1,3}' <<<"$page" | head -n 1)"
}

# balancer_view BALANCER SERVICE: that balancer's BALANCER_VIEW row for that service.
balancer_view() {
  local row bal svc
  for row in "${BALANCER_VIEW[@]}"; do read -r bal svc _ <<<"$row"; [ "$bal/$svc" = "$1/$2" ] && { printf '%s\n' "$row"; return 0; }; done
  return 1
}
# Fields of a BALANCER_VIEW row.
view_source() { awk '{ print $3 }' <<<"$1"; }
view_reachable() { sed 's/^[^ ]* [^ ]* [^ ]* //; s/ *|.*//' <<<"$1"; }
view_without_tunnels() { sed 's/.*| *//' <<<"$1"; }

# expect_balance WHAT ALGORITHM REACHABLE SEEN...: the expectation each haproxy algorithm gives
# sequential requests from one client to one path, over the servers the balancer reaches (in
# backend order), judged on the servers that answered, in request order.
expect_balance() {
  local what=$1 algo=$2 reach=$3; shift 3
  local answered=("$@") n i ok distinct
  n=$(wc -w <<<"$reach")
  distinct=$(sorted_words "$(printf '%s\n' "${answered[@]}" | sort -u | tr '\n' ' ')")
  case $algo in
    roundrobin | static-rr)
      # Strict rotation: every n consecutive requests hit n different servers, same order each round.
      ok=yes
      for ((i = 0; i + n < ${#answered[@]}; i++)); do [ "${answered[$i]}" = "${answered[$((i + n))]}" ] || ok=no; done
      expect "$(say balEvery what="$what" algo="$algo")" "$(sorted_words "$reach")" "$distinct"
      expect "$(say balRotation what="$what" algo="$algo" n="$n")" "yes $n" "$ok $(printf '%s\n' "${answered[@]:0:$n}" | sort -u | wc -l)" ;;
    leastconn)
      # Sequential requests leave every server with 0 connections: haproxy rotates among the tied.
      expect "$(say balLeastconn what="$what")" "$(sorted_words "$reach")" "$distinct" ;;
    source | uri)
      # One client (source) or one path (uri) hashes to one server, one of the reachable ones.
      local one=${answered[0]:-}
      [[ " $reach " == *" $one "* ]] || one=$(say notReachable server="$one")
      expect "$(say balHash what="$what" algo="$algo")" "$one" "$distinct" ;;
    first)
      # The first server (backend order) with a free slot takes everything: without maxconn, always it.
      expect "$(say balFirst what="$what")" "${reach%% *}" "$distinct" ;;
    *) fail "$(say balUnknown what="$what" algo="$algo")" ;;
  esac
}

group_of_service_vip() {
  local vip=$1 row g
  for row in "${VRRP_GROUPS[@]}"; do read -r g _ _ vips <<<"$row"; [[ " $vips " == *" $vip "* ]] && { echo "$g"; return 0; }; done
  return 1
}
expected_master() { local row g m; for row in "${VRRP_GROUPS[@]}"; do read -r g m _ <<<"$row"; [ "$g" = "$1" ] && echo "$m"; done; }

# --- Client probes: one request every 100 ms from the client per vip:port, bounded by a count. ---
PROBE_SNIPPET='url=$1; n=$2; max=$3; i=0
while [ "$i" -lt "$n" ]; do
  s=$(date +%s.%N)
  if out=$(curl -sf --connect-timeout 0.5 -m "$max" "$url" 2>/dev/null); then
    printf "%s ok %s\n" "$s" "$(printf "%s" "$out" | sed -n "s/.*server=\([^ <]*\) client=.*/\1/p" | head -n 1)"
  else
    printf "%s fail\n" "$s"
  fi
  sleep "$(awk -v s="$s" -v e="$(date +%s.%N)" "BEGIN { d = 0.1 - (e - s); printf \"%.3f\", (d > 0 ? d : 0) }")"
  i=$((i + 1))
done'

# Every probe has a key (its vip:port); PROBE_FILE and PROBE_PID hold the current one's, the one
# probe_lines, probe_outage and probe_wait_lines read. probe_use KEY switches to another.
declare -A PROBE_FILES=() PROBE_PIDS=()
PROBE_FILE='' PROBE_PID=''
# probe_start URL COUNT [KEY]
probe_start() {
  local key=${3:-$1}
  PROBE_FILE=$(mktemp)
  on_sh "$CLIENT" "$PROBE_SNIPPET" "$1" "$2" "$PROBE_MAX_TIME" >"$PROBE_FILE" 2>/dev/null &
  PROBE_PID=$!
  PROBE_FILES[$key]=$PROBE_FILE
  PROBE_PIDS[$key]=$PROBE_PID
}
probe_use() { PROBE_FILE=${PROBE_FILES[$1]}; PROBE_PID=${PROBE_PIDS[$1]}; }
# The probe runs as a runner function in a background subshell: the loop is a grandchild (and more
# levels down with vagrant ssh), so the whole tree under the subshell is stopped.
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
# probe_stop: stops every probe.
probe_stop() {
  local key
  for key in "${!PROBE_PIDS[@]}"; do
    kill_tree "${PROBE_PIDS[$key]}"
    wait "${PROBE_PIDS[$key]}" 2>/dev/null || true
    rm -f "${PROBE_FILES[$key]}"
  done
  PROBE_FILES=() PROBE_PIDS=()
  PROBE_FILE='' PROBE_PID=''
}
probe_lines() { wc -l <"$PROBE_FILE"; }

# probe_outage FROM TO: failed requests in lines FROM+1..TO, and the outage they span: from the
# first failed request to the first answered one after the last failure.
probe_outage() {
  awk -v from="$1" -v to="$2" 'NR > from && NR <= to {
      n++
      if ($2 == "fail") { f++; if (first == "") first = $1; last = NR; lastok = "" }
      else if (last != "" && lastok == "") lastok = $1
      t = $1
    }
    END {
      out = 0
      if (first != "") out = (lastok != "" ? lastok : t + 0.1) - first
      printf "%d %d %.1f\n", f + 0, n + 0, out
    }' "$PROBE_FILE"
}
probe_wait_lines() {
  local want=$1 i
  for i in $(seq 1 300); do [ "$(probe_lines)" -ge "$want" ] && return 0; sleep 0.1; done
  return 1
}
# mark ARRAY [OFFSET]: ARRAY[key] = the line count of every probe (+ OFFSET).
# probes_outage: "failed total outage slack" over every probe, from the marks in FROM_LINE to TO_LINE
# (a probe without a TO_LINE mark: to its end); the outage is the longest of the probes'. The slack
# is how far that outage may exceed its bound: 0.5 s covers the probe's 100 ms period and curl's
# connect timeout; where requests come further apart (curl starts slowly in a VM under emulation),
# one period of the slowest probe.
declare -A FROM_LINE=() TO_LINE=()
marks_clear() { FROM_LINE=() TO_LINE=(); }
# marks_shift [N]: the next window starts where the last ended and spans N lines (no N: to the end).
marks_shift() {
  local k
  for k in "${!TO_LINE[@]}"; do FROM_LINE[$k]=${TO_LINE[$k]}; if [ -n "${1:-}" ]; then TO_LINE[$k]=$((TO_LINE[$k] + $1)); else unset "TO_LINE[$k]"; fi; done
}
mark() { local k; for k in "${!PROBE_FILES[@]}"; do probe_use "$k"; eval "$1[\$k]=\$((\$(probe_lines) + ${2:-0}))"; done; }
# close_window: TO_LINE ends the current window after the request each probe has in flight now,
# once that request has ended. A probe writes a request's line when it ends: one that haproxy holds
# through its connect retries (up to curl's -m) started in this window and is judged in it.
close_window() {
  local k
  mark TO_LINE 1
  for k in "${!TO_LINE[@]}"; do probe_use "$k"; probe_wait_lines "${TO_LINE[$k]}" || return 1; done
}
# probes_serving_again: every probe answered its last 5 requests, all written after the marks in
# SETTLED_LINE (set when a fault's outcome is reached): the lines before a held request would say
# the client is served while it still waits.
declare -A SETTLED_LINE=()
probes_serving_again() {
  local k
  for k in "${!PROBE_FILES[@]}"; do
    awk -v from="${SETTLED_LINE[$k]}" 'NR > from { n++; if ($2 == "ok") ok++; else ok = 0 } END { exit !(n >= 5 && ok >= 5) }' "${PROBE_FILES[$k]}" || return 1
  done
}
probes_outage() {
  local k f t o p from to F=0 T=0 O=0 S=0.5
  for k in "${!PROBE_FILES[@]}"; do
    probe_use "$k"
    from=${FROM_LINE[$k]} to=${TO_LINE[$k]:-$(probe_lines)}
    read -r f t o <<<"$(probe_outage "$from" "$to")"
    p=$(probe_period "$from" "$to")
    F=$((F + f)) T=$((T + t))
    awk -v a="$o" -v b="$O" 'BEGIN { exit !(a > b) }' && O=$o
    awk -v a="$p" -v b="$S" 'BEGIN { exit !(a > b) }' && S=$p
  done
  echo "$F $T $O $S"
}

# probe_period FROM TO: the median time from the start of an answered request to the start of the
# next one in lines FROM+1..TO: how often the probe asks (a failed request also waits out curl's
# connect timeout, which the 0.5 s slack covers).
probe_period() {
  awk -v from="$1" -v to="$2" 'NR > from && NR <= to { if (ok) printf "%.3f\n", $1 - p; p = $1; ok = ($2 == "ok") }' "$PROBE_FILE" |
    sort -n | awk '{ d[NR] = $1 } END { printf "%.2f\n", NR ? d[int((NR + 1) / 2)] : 0 }'
}
# within BOUND SEEN SLACK: SEEN <= BOUND + SLACK (from probes_outage; a request held until curl's -m is
# part of the bounds of the faults where haproxy holds one).
within() { awk -v b="$1" -v s="$2" -v k="$3" 'BEGIN { exit !(s <= b + k) }'; }
