#!/usr/bin/env bash
# The spilled compile (issue 14): with a --memory-limit that forces it, `zonekiln compile` reads
# the zone in waves, spills sorted runs and writes the merge in slices. It must do what the
# in-memory compile does: the same output byte for byte, the same exit code, the same errors
# (and the same warnings whenever all of them are listed), and leave nothing in --temp-dir.
# Cases: a 200k-name zonegen zone with a limit that makes dozens of runs and slices; every zone
# of testdata/ (the test zones, the real zones, BIND's checkzone suite); zones that put the
# slicing on trial (edge_zone.py). Then what a run that dies or fails must not do: SIGKILL in
# the middle of the slices or of the parse (test build's crash points), a spill file that
# cannot be written (ENOSPC): the previous output stays, the temp directory stays empty.
# Needs ZK_BINARY, ZK_TEST_BINARY, python3: exit 77 (skip) when one is missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
ZK_TEST=${ZK_TEST_BINARY:?set ZK_TEST_BINARY to the zonekiln-test binary}
ROOT=$(cd "$HERE/../../.." && pwd)
TD=$ROOT/testdata
need_tools python3 cmp
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/spill"
fails=0
cases=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# compare FILE ORIGIN LIMIT: the in-memory compile against the spilled one.
compare() {
  local file=$1 origin=$2 limit=$3 ra=0 rb=0
  cases=$((cases + 1))
  rm -f "$T/a.out" "$T/b.out"
  "$ZK" compile "$file" --origin "$origin" -o "$T/a.out" --memory-limit 0 \
    >/dev/null 2>"$T/a.err" || ra=$?
  "$ZK" compile "$file" --origin "$origin" -o "$T/b.out" --memory-limit "$limit" \
    --temp-dir "$T/spill" --stats-json "$T/b.json" >/dev/null 2>"$T/b.err" || rb=$?
  local what="$(basename "$file") $origin --memory-limit $limit"
  [ "$ra" = "$rb" ] || fail "$what: exit $rb, in memory $ra"
  if [ "$ra" = 0 ]; then
    cmp -s "$T/a.out" "$T/b.out" || fail "$what: the output differs from the in-memory compile"
    grep -aq "spilled: " "$T/b.err" || fail "$what: did not spill"
  else
    [ ! -e "$T/b.out" ] || fail "$what: a failed run wrote its output"
  fi
  # Errors always; warnings when none went unlisted (which are listed depends on order).
  local pick='error'
  grep -aq "more warning(s) not listed" "$T/a.err" || pick='error|warning'
  diff <(grep -av '^zonekiln: compiled' "$T/a.err" | grep -aE "$pick" | sort) \
    <(grep -av '^zonekiln: compiled' "$T/b.err" | grep -aE "$pick" | sort) >"$T/diag.diff" ||
    { fail "$what: diagnostics differ"; head -20 "$T/diag.diff"; }
  [ -z "$(ls -A "$T/spill")" ] || fail "$what: files left in --temp-dir: $(ls -A "$T/spill")"
}

# 1. 200k names, a 1 MiB limit: many runs and slices (the figures are in the stats).
python3 "$ROOT/bench/zonegen.py" example.com. 200000 7 >"$T/z200k" 2>/dev/null
compare "$T/z200k" example.com. 1M
runs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spill"]["runs"])' "$T/b.json")
slices=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spill"]["slices"])' "$T/b.json")
echo "200k names, --memory-limit 1M: $runs runs, $slices slices"
[ "$runs" -ge 10 ] && [ "$slices" -ge 10 ] || fail "200k names: only $runs runs, $slices slices"

# 2. Every zone of testdata/. A limit of one byte spills the smallest zone, in slices of about
# 512 bytes; 16k makes the larger ones several runs.
for z in "$TD"/zones/*.zone; do
  compare "$z" "$(basename "$z" .zone)." 1
done
compare "$TD/real-zones/ripe.net/ripe.net.zone" ripe.net. 16k
for z in "$TD"/real-zones/root/*.zone; do compare "$z" . 16k; done
while IFS=$'\t' read -r f origin _; do
  [ "$f" = file ] && continue
  compare "$TD/peer-suites/bind9-checkzone/zones/$f" "$origin" 1
done <"$TD/peer-suites/bind9-checkzone/CASES.tsv"

# 3. Zones made to trip the slicing (edge_zone.py), valid and with errors.
for seed in 1 2 3 4; do
  for errors in 0 1; do
    python3 "$HERE/edge_zone.py" "$seed" "$errors" >"$T/edge.zone"
    compare "$T/edge.zone" example.com. 16k
    compare "$T/edge.zone" example.com. 96k
  done
done
echo "$cases comparisons"

# 4. A run that dies or fails leaves the previous output and an empty --temp-dir.
"$ZK" compile "$T/z200k" --origin example.com. -o "$T/pub.zone" >/dev/null 2>&1
cp "$T/pub.zone" "$T/pub.ref"
sed -i 's/^www[[:space:]].*/www A 203.0.113.99/' "$T/z200k"
spilled() {
  "$1" compile "$T/z200k" --origin example.com. -o "$T/pub.zone" --memory-limit 1M \
    --temp-dir "$T/spill" >"$T/log" 2>&1
}
for point in parse slice; do
  rc=0
  ZK_TEST_KILL_AT=$point spilled "$ZK_TEST" || rc=$?
  [ $rc -eq 137 ] || { fail "kill at $point: exit $rc, not SIGKILL"; cat "$T/log"; }
  cmp -s "$T/pub.zone" "$T/pub.ref" || fail "kill at $point: the published zone changed"
  [ -z "$(ls -A "$T/spill")" ] || fail "kill at $point: files left in --temp-dir"
done
rc=0
ZK_TEST_FAIL_AT=write:/spill:ENOSPC:3 spilled "$ZK_TEST" || rc=$?
[ $rc -eq 4 ] || { fail "ENOSPC on a spill file: exit $rc, not 4"; cat "$T/log"; }
grep -q "cannot write a spill file in $T/spill: No space left on device" "$T/log" ||
  { fail "ENOSPC on a spill file: no message naming the directory"; cat "$T/log"; }
cmp -s "$T/pub.zone" "$T/pub.ref" || fail "ENOSPC: the published zone changed"
[ -z "$(ls -A "$T/spill")" ] || fail "ENOSPC: files left in --temp-dir"
# A --temp-dir that does not exist is a usage error before anything is read.
rc=0
"$ZK" compile "$T/z200k" --origin example.com. -o "$T/pub.zone" --memory-limit 1M \
  --temp-dir "$T/nonexistent" >"$T/log" 2>&1 || rc=$?
[ $rc -eq 2 ] || { fail "missing --temp-dir: exit $rc, not 2"; cat "$T/log"; }
# So is a negative or unreadable size.
for bad in -5 abc 1.5x; do
  rc=0
  "$ZK" compile "$T/z200k" --origin example.com. -o "$T/pub.zone" --memory-limit "$bad" \
    >"$T/log" 2>&1 || rc=$?
  [ $rc -eq 2 ] && grep -q -- "--memory-limit" "$T/log" ||
    { fail "--memory-limit $bad: exit $rc, not 2 naming the flag"; cat "$T/log"; }
done
cmp -s "$T/pub.zone" "$T/pub.ref" || fail "a usage error changed the published zone"
# And the run that finally succeeds publishes the change.
spilled "$ZK" || { fail "the spilled run after the failures failed"; cat "$T/log"; }
grep -q '203.0.113.99' "$T/pub.zone" || fail "the spilled run did not publish the change"

if [ $fails -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "OK"
