#!/usr/bin/env bash
# The hostile-input suite: runs rows of tests/hostile/CASES.tsv against the zonekiln binary, each
# under a memory limit (ulimit -v) and a time limit (timeout), so that a regression fails instead
# of exhausting or hanging the machine. Format: tests/hostile/README.md.
#
# usage: run.sh CASE...      run the named rows (ctest runs one row per test)
#        run.sh --all        every row
#        run.sh --list       the row names
#        run.sh --check      check that every row is well-formed (no binary needed)
# environment:
#   ZK_BINARY              the zonekiln binary (required)
#   ZK_HOSTILE_VMEM_KB     default memory limit per run, KiB of address space (default 3145728:
#                          the 2 GiB goal plus room for thread stacks and malloc arenas)
#   ZK_HOSTILE_TIMEOUT     default time limit per run, seconds (default 120: a hang guard on a
#                          busy CI machine, not a timing assertion)
#   ZK_HOSTILE_KEEP=1      keep each case's temp dir and print where it is
# Exit: 0 when every row gives its exit code and stderr fragment, 1 otherwise, 2 on usage errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cases_tsv=$here/CASES.tsv
# shellcheck source=gen.sh
source "$here/gen.sh"

die() {
  echo "hostile: $*" >&2
  exit 2
}

# Prints the rows as NAME<TAB>INPUT<TAB>SETUP<TAB>ARGS<TAB>EXIT<TAB>STDERR<TAB>CHECKS, without
# comments and blank lines; CHECKS is "-" when the row has no seventh column.
rows() {
  awk -F'\t' '/^[[:space:]]*(#|$)/ { next }
    NF < 6 { printf "hostile: CASES.tsv line %d: %d columns, want 6 or 7\n", NR, NF > "/dev/stderr"; exit 2 }
    { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, $5, $6, (NF >= 7 ? $7 : "-") }' \
    "$cases_tsv"
}

# Substitutes {tmp}, {in} and {testdata} in one argument.
subst() {
  local a=$1
  a=${a//\{tmp\}/$tmp}
  a=${a//\{in\}/$in}
  a=${a//\{testdata\}/$testdata}
  printf '%s' "$a"
}

run_row() {
  local name=$1 input=$2 setup=$3 args=$4 want_exit=$5 want_err=$6 checks=$7
  local vmem=${ZK_HOSTILE_VMEM_KB:-3145728} secs=${ZK_HOSTILE_TIMEOUT:-120}
  local -a kv=() absent=() unchanged=()
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/zk-hostile-$name.XXXXXX")
  testdata=$(cd "$here/../../testdata" && pwd)
  in=$tmp
  if [[ $input != - ]]; then
    [[ -e $here/cases/$input ]] || die "$name: no input tests/hostile/cases/$input"
    cp -R "$here/cases/$input" "$tmp/"
    in=$tmp/$(basename "$input")
  fi
  if [[ $setup != - ]]; then
    declare -F "gen_$setup" >/dev/null || die "$name: no generator gen_$setup in gen.sh"
    "gen_$setup" "$tmp"
  fi
  local -a argv=() words=()
  read -r -a words <<<"$args"
  for w in "${words[@]}"; do argv+=("$(subst "$w")"); done
  if [[ $checks != - ]]; then
    IFS=, read -r -a kv <<<"$checks"
    for c in "${kv[@]}"; do
      case $c in
        vmem=*) vmem=${c#vmem=} ;;
        time=*) secs=${c#time=} ;;
        absent=*) absent+=("$(subst "${c#absent=}")") ;;
        unchanged=*)
          local f
          f=$(subst "${c#unchanged=}")
          [[ -f $f ]] || die "$name: unchanged=$f: no such file before the run"
          unchanged+=("$f" "$(stat -c %a "$f") $(sha256sum <"$f")")
          ;;
        *) die "$name: unknown check '$c' (vmem=KiB, time=SECONDS, absent=PATH, unchanged=PATH)" ;;
      esac
    done
  fi

  local rc=0
  # The limits apply to zonekiln only (a subshell), not to this script.
  (
    ulimit -v "$vmem"
    exec timeout --kill-after=10 "$secs" "$ZK_BINARY" "${argv[@]}"
  ) </dev/null >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?

  local ok=1 why=
  if ((rc == 124 || rc == 137)); then
    ok=0
    why="no answer within ${secs}s (timeout, exit $rc)"
  elif [[ $rc != "$want_exit" ]]; then
    ok=0
    why="exit $rc, want $want_exit"
  elif [[ $want_err != - ]] && ! grep -qF -- "$want_err" "$tmp/stderr"; then
    ok=0
    why="stderr lacks: $want_err"
  fi
  for f in "${absent[@]}"; do
    if ((ok)) && [[ -e $f ]]; then
      ok=0
      why="$f exists after the run"
    fi
  done
  for ((i = 0; i < ${#unchanged[@]}; i += 2)); do
    f=${unchanged[i]}
    if ((ok)) && [[ ! -f $f || "$(stat -c %a "$f") $(sha256sum <"$f")" != "${unchanged[i + 1]}" ]]; then
      ok=0
      why="$f was changed, replaced or removed"
    fi
  done
  if ((ok)); then
    echo "hostile: $name: OK (exit $rc)"
  else
    echo "hostile: $name: FAILED: $why"
    echo "  command: zonekiln ${argv[*]}   (ulimit -v $vmem, timeout ${secs}s)"
    sed -n '1,20s/^/  stderr: /p' "$tmp/stderr"
  fi
  if [[ ${ZK_HOSTILE_KEEP:-0} == 1 ]]; then
    echo "  kept: $tmp"
  else
    rm -rf "$tmp"
  fi
  ((ok))
}

# Every row well-formed: unique names, an exit code, inputs and generators that exist.
check_rows() {
  local bad=0 name input setup args want_exit want_err checks
  while IFS=$'\t' read -r name input setup args want_exit want_err checks; do
    [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "hostile: bad case name '$name'" >&2; bad=1; }
    [[ $want_exit =~ ^[0-9]+$ ]] || { echo "hostile: $name: exit '$want_exit' is not a number" >&2; bad=1; }
    [[ $input == - || -e $here/cases/$input ]] || { echo "hostile: $name: no cases/$input" >&2; bad=1; }
    [[ $setup == - ]] || declare -F "gen_$setup" >/dev/null ||
      { echo "hostile: $name: no gen_$setup in gen.sh" >&2; bad=1; }
    [[ -n $args && $args != - ]] || { echo "hostile: $name: no command" >&2; bad=1; }
  done < <(rows)
  local dups
  dups=$(rows | cut -f1 | sort | uniq -d)
  [[ -z $dups ]] || { echo "hostile: duplicate case names: $dups" >&2; bad=1; }
  ((bad == 0)) && echo "hostile: $(rows | wc -l) cases well-formed"
  return $bad
}

(($#)) || die "usage: run.sh CASE... | --all | --list | --check"
if [[ $1 == --list ]]; then
  rows | cut -f1
  exit 0
fi
if [[ $1 == --check ]]; then
  check_rows || exit 1
  exit 0
fi
[[ -n ${ZK_BINARY:-} && -x $ZK_BINARY ]] || die "set ZK_BINARY to the zonekiln binary"
all=$(rows)
[[ $1 == --all ]] && set -- $(cut -f1 <<<"$all")
failed=0
for want in "$@"; do
  row=$(awk -F'\t' -v n="$want" '$1 == n' <<<"$all")
  [[ -n $row ]] || die "no case '$want' in CASES.tsv"
  [[ $(wc -l <<<"$row") == 1 ]] || die "case '$want' appears more than once"
  IFS=$'\t' read -r name input setup args want_exit want_err checks <<<"$row"
  run_row "$name" "$input" "$setup" "$args" "$want_exit" "$want_err" "$checks" || failed=1
done
exit $failed
