#!/usr/bin/env bash
# ./grade [--runner emulation|vagrant] [--json FILE] [--csv FILE] [--only N[,N...]] [--verbose]
# Runs the lab's checkpoints (emulate/checks/cp*.sh) with CHECK_REPORT set, so each records its
# judgements, and reports them in the lab's language: per checkpoint its stage's name, weight,
# result and evidence, then the score (the weights of the checkpoints that passed). --json FILE
# writes the report as JSON (schema/grade-report.schema.json of gen-lab); --csv FILE appends one
# line per lab (a teacher grading a folder of labs). Needs bash only, plus what the runner needs:
# root for the emulation, the booted lab's `vagrant` for vagrant (RUNNER's default: emulation).
# Exit 0 every checkpoint run passed, 1 some failed, 2 bad usage.
set -uo pipefail
if [ "${BASH_VERSINFO[0]}" -lt 4 ]; then
  # bash 3.2 (macOS's own) fails on the lab data's arrays but reads its plain lines: the message.
  . "$(dirname "$0")/emulate/checks/grade-data.sh" 2>/dev/null
  message=${GRADE_OLD_BASH:-"grade: needs bash 4 or later (this is bash {version})"}
  printf '%s\n' "${message//\{version\}/$BASH_VERSION}" >&2
  exit 2
fi
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECKS_DIR=$LAB_DIR/emulate/checks
# shellcheck source=emulate/checks/grade-data.sh
. "$CHECKS_DIR/grade-data.sh"

usage() {
  cat >&2 <<'EOF'
usage: ./grade [--runner emulation|vagrant] [--json FILE] [--csv FILE] [--only N[,N...]] [--verbose]
  --runner   where the checkpoints look: emulation (network namespaces, root) or vagrant
             (the booted lab, through vagrant ssh); default $RUNNER, else emulation
  --json     write the report as JSON to FILE
  --csv      append one line (lab folder, lab, score, checkpoint results) to FILE
  --only     run only these checkpoints (1-4); the others are reported as skipped
  --verbose  show the checkpoints' own output (on stderr) as they run
EOF
  exit 2
}
die() { printf 'grade: %s\n  run ./grade --help for usage\n' "$*" >&2; exit 2; }

runner=${RUNNER:-emulation} json='' csv='' only='' verbose=0
while [ $# -gt 0 ]; do
  case $1 in
    --runner | --json | --csv | --only)
      [ $# -ge 2 ] || die "$1 needs a value"
      declare "${1#--}=$2"; shift 2 ;;
    --runner=* | --json=* | --csv=* | --only=*) opt=${1%%=*}; declare "${opt#--}=${1#*=}"; shift ;;
    --verbose | -v) verbose=1; shift ;;
    -h | --help) usage ;;
    *) die "unknown argument '$1'" ;;
  esac
done
case $runner in emulation | vagrant) ;; *) die "--runner must be emulation or vagrant, not '$runner'" ;; esac
COUNT=${#CHECKPOINT_SCRIPTS[@]}
declare -A SELECTED=()
if [ -n "$only" ]; then
  IFS=, read -ra picks <<<"$only"
  for n in "${picks[@]}"; do
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$COUNT" ] || die "--only takes checkpoint numbers 1-$COUNT, not '$n'"
    SELECTED[$n]=1
  done
else
  for ((n = 1; n <= COUNT; n++)); do SELECTED[$n]=1; done
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/grade.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT

# say KEY [TOKEN VALUE]...: the word KEY with each {TOKEN} filled in, in one pass (a value that
# itself holds braces is printed as it is).
say() {
  local text=${WORDS[$1]} out='' key; shift
  local -A value=()
  while [ $# -ge 2 ]; do value[$1]=$2; shift 2; done
  while [[ $text == *"{"* ]]; do
    out+=${text%%"{"*}
    text=${text#*"{"}
    key=${text%%"}"*}
    if [[ $text == *"}"* && $key =~ ^[a-z]+$ && -n ${value[$key]+set} ]]; then
      out+=${value[$key]}
      text=${text#*"}"}
    else
      out+='{'
    fi
  done
  printf '%s\n' "$out$text"
}

# --- Running: RESULT[n] pass, fail or skip; $WORK/cpN.tsv its records. ---
declare -A RESULT=()
run_checkpoint() {
  local n=$1 script=${CHECKPOINT_SCRIPTS[$(($1 - 1))]} records="$WORK/cp$1.tsv" rc verdict
  : >"$records"
  if [ -z "${SELECTED[$n]:-}" ]; then RESULT[$n]=skip; return; fi
  say running n "$n" script "$script" >&2
  if [ "$verbose" = 1 ]; then
    RUNNER=$runner CHECK_REPORT=$records "$CHECKS_DIR/$script" </dev/null >&2 2>&1
  else
    RUNNER=$runner CHECK_REPORT=$records "$CHECKS_DIR/$script" </dev/null >"$WORK/cp$n.log" 2>&1
  fi
  rc=$?
  # What the runner says about the student's own machine (an ssh without connection sharing, say)
  # reaches the student once per ./grade: the first such line of any checkpoint's log.
  if [ ! -e "$WORK/runner-note" ] && [ -f "$WORK/cp$n.log" ] && grep -m 1 '^runner-vagrant: ' "$WORK/cp$n.log" >"$WORK/runner-note"; then
    cat "$WORK/runner-note" >&2
  else
    [ -s "$WORK/runner-note" ] || rm -f "$WORK/runner-note"
  fi
  verdict=$(awk -F '\t' '$1 == "result" { v = $2 } END { print v }' "$records")
  if [ -z "$verdict" ]; then
    # It stopped before finish (bad RUNNER, not root, a crash): a failure, said as one, with the
    # last lines it printed (why, most often).
    printf 'fail\t%s\t\t\n' "$(say stopped script "$script" rc "$rc")" >>"$records"
    [ -f "$WORK/cp$n.log" ] && tail -n 3 "$WORK/cp$n.log" | awk '{ gsub(/[\t\r]/, " "); printf "note\t%s\t\t\n", $0 }' >>"$records"
    verdict=fail
  fi
  [ "$verdict" = pass ] && [ "$rc" = 0 ] && RESULT[$n]=pass || RESULT[$n]=fail
}
for ((n = 1; n <= COUNT; n++)); do run_checkpoint "$n"; done

# awk in the C locale: a decimal comma would make the score unreadable as JSON and CSV.
sum() { LC_ALL=C awk '{ s += $1 } END { print s + 0 }'; }
SCORE=$(for ((n = 1; n <= COUNT; n++)); do [ "${RESULT[$n]}" = pass ] && echo "${CHECKPOINT_WEIGHTS[$((n - 1))]}"; done | sum)
MAX_SCORE=$(printf '%s\n' "${CHECKPOINT_WEIGHTS[@]}" | sum)
RUNNER_WORD=$(say "$runner")

# fields LINE: the four fields of a record (KIND WHAT EXPECTED SEEN) in F; tabs are not IFS-split,
# since `read` would merge the empty fields of two tabs in a row.
fields() {
  local rest=$1 i
  F=()
  for i in 1 2 3; do
    if [[ $rest == *$'\t'* ]]; then F+=("${rest%%$'\t'*}"); rest=${rest#*$'\t'}; else F+=("$rest"); rest=''; fi
  done
  F+=("$rest")
}

# --- The text report: per checkpoint, failed judgements first (with what was expected and seen),
# then notes, then what passed; the score last. ---
evidence_lines() {
  local line kind what expected seen want
  for want in fail note ok; do
    while IFS= read -r line; do
      fields "$line"
      kind=${F[0]} what=${F[1]} expected=${F[2]} seen=${F[3]}
      [ "$kind" = "$want" ] || continue
      case $kind in
        fail) if [ -n "$expected$seen" ]; then say failed what "$what" expected "$expected" seen "$seen"; else say failedBare what "$what"; fi ;;
        note) say note what "$what" ;;
        ok) if [ -n "$seen" ]; then say passedSeen what "$what" seen "$seen"; else say passed what "$what"; fi ;;
      esac
    done <"$1"
  done
}
text_report() {
  local n
  say heading lab "$GRADE_LAB" title "$GRADE_TITLE"
  say runner runner "$RUNNER_WORD"
  say stage stage "$GRADE_STAGE"
  for ((n = 1; n <= COUNT; n++)); do
    echo
    say checkpoint n "$n" name "${CHECKPOINT_NAMES[$((n - 1))]}" weight "${CHECKPOINT_WEIGHTS[$((n - 1))]}" result "$(say "${RESULT[$n]}")"
    evidence_lines "$WORK/cp$n.tsv" | sed 's/^/  /'
  done
  echo
  say score score "$SCORE" max "$MAX_SCORE"
}

# --- JSON: strings escaped here (backslash, quote, every control character). ---
declare -A JSON_CONTROL=()
for ((i = 1; i < 32; i++)); do
  printf -v oct '%03o' "$i"
  printf -v ch "\\$oct"
  printf -v hex '\\u%04x' "$i"
  JSON_CONTROL[$ch]=$hex
done
JSON_CONTROL[$'\b']='\b' JSON_CONTROL[$'\f']='\f' JSON_CONTROL[$'\n']='\n' JSON_CONTROL[$'\r']='\r' JSON_CONTROL[$'\t']='\t'
# json_str TEXT: appends TEXT as a JSON string to JSON. Single-quoted replacements are literal in
# every bash (5.2's patsub_replacement gives & and \ a meaning in unquoted ones).
json_str() {
  local s=$1 ch
  s=${s//'\'/'\\'}
  s=${s//'"'/'\"'}
  if [[ $s == *[[:cntrl:]]* ]]; then
    for ch in "${!JSON_CONTROL[@]}"; do s=${s//"$ch"/"${JSON_CONTROL[$ch]}"}; done
  fi
  JSON+="\"$s\""
}
json_report() {
  local n line kind what expected seen first
  JSON='{"reportVersion":1,"lab":'; json_str "$GRADE_LAB"
  JSON+=',"title":'; json_str "$GRADE_TITLE"
  JSON+=',"language":'; json_str "$GRADE_LANGUAGE"
  JSON+=',"runner":'; json_str "$runner"
  JSON+=",\"stage\":$GRADE_STAGE"
  JSON+=',"generatorVersion":'; json_str "$GRADE_VERSION"
  JSON+=',"checkpoints":['
  for ((n = 1; n <= COUNT; n++)); do
    [ "$n" -gt 1 ] && JSON+=','
    JSON+="{\"number\":$n,\"script\":"; json_str "${CHECKPOINT_SCRIPTS[$((n - 1))]}"
    JSON+=',"name":'; json_str "${CHECKPOINT_NAMES[$((n - 1))]}"
    JSON+=",\"weight\":${CHECKPOINT_WEIGHTS[$((n - 1))]},\"result\":\"${RESULT[$n]}\",\"evidence\":["
    first=1
    while IFS= read -r line; do
      fields "$line"
      kind=${F[0]} what=${F[1]} expected=${F[2]} seen=${F[3]}
      case $kind in ok | fail | note) ;; *) continue ;; esac
      [ "$first" = 1 ] || JSON+=','
      first=0
      JSON+="{\"kind\":\"$kind\",\"what\":"; json_str "$what"
      JSON+=',"expected":'; json_str "$expected"
      JSON+=',"seen":'; json_str "$seen"
      JSON+='}'
    done <"$WORK/cp$n.tsv"
    JSON+=']}'
  done
  JSON+="],\"score\":$SCORE,\"maxScore\":$MAX_SCORE}"
  printf '%s\n' "$JSON"
}

# --- CSV (RFC 4180): a field with a comma, quote or line break is quoted, its quotes doubled. ---
csv_field() { if [[ $1 == *[,\"$'\r\n']* ]]; then local q=${1//\"/\"\"}; printf '"%s"' "$q"; else printf '%s' "$1"; fi; }
csv_line() { local f sep=''; for f in "$@"; do printf '%s' "$sep"; csv_field "$f"; sep=,; done; printf '\r\n'; }
csv_append() {
  local n header=(dir lab score) row=("$LAB_DIR" "$GRADE_LAB" "$SCORE")
  for ((n = 1; n <= COUNT; n++)); do header+=("cp$n"); row+=("${RESULT[$n]}"); done
  [ -s "$1" ] || csv_line "${header[@]}" >>"$1"
  csv_line "${row[@]}" >>"$1"
}

text_report
if [ -n "$json" ]; then json_report >"$json.tmp.$$" && mv "$json.tmp.$$" "$json" || die "cannot write $json"; fi
if [ -n "$csv" ]; then csv_append "$csv" || die "cannot append to $csv"; fi
for ((n = 1; n <= COUNT; n++)); do [ "${RESULT[$n]}" = fail ] && exit 1; done
exit 0
