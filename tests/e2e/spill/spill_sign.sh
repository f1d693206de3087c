#!/usr/bin/env bash
# The spilled sign (issue 14): with a --memory-limit that forces it, `zonekiln sign` reads the
# zone in waves, spills sorted runs, checks the merge slice by slice keeping only the apex, then
# merges again and chains, signs, verifies and writes slice by slice. With the same keys and
# time it must do what the in-memory sign does: the same output byte for byte (Ed25519
# signatures are deterministic), the same exit code and errors, the same reuse of the previous
# output's signatures, the same --dry-run plan and --changes, and leave nothing in --temp-dir.
# `zonekiln verify --memory-limit` reads the signed zones from disk the same way: the same report.
# Cases: a 200k-name zonegen zone (full sign, then an incremental re-sign of a changed zone);
# every test zone of testdata/ and the slicing's edge zones (edge_zone.py) at tiny limits; an
# already signed zone as input (what signing strips must not cut the slices differently);
# NSEC3 and ZONEMD, which are signed in memory with a note. Then SIGKILL between slices: the
# published zone and the key state stay, the temp directory stays empty.
# Needs ZK_BINARY, ZK_TEST_BINARY, dnssec-keygen, python3, cmp: exit 77 (skip) when one is missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
ZK_TEST=${ZK_TEST_BINARY:?set ZK_TEST_BINARY to the zonekiln-test binary}
ROOT=$(cd "$HERE/../../.." && pwd)
TD=$ROOT/testdata
need_tools python3 cmp dnssec-keygen
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir "$T/spill"
fails=0
cases=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# keys ORIGIN: $T/keys.a holds a KSK and the ZSK zonekiln made for ORIGIN on a first run, and
# $T/keys.b the same: the two runs compared sign with the same keys.
keys() {
  local origin=$1
  rm -rf "$T/keys.a" "$T/keys.b"
  mkdir "$T/keys.a"
  dnssec-keygen -q -K "$T/keys.a" -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK \
    "$origin" >/dev/null
  printf '%s 3600 IN SOA ns1 host 1 3600 600 86400 300\n%s 3600 IN NS ns1.example.net.\n' \
    "$origin" "$origin" >"$T/prime.zone"
  "$ZK" sign "$T/prime.zone" --origin "$origin" --keys "$T/keys.a" -o "$T/prime.out" \
    --ds-output "$T/prime.ds" --now 20261201000000 >/dev/null 2>&1 ||
    fail "$origin: the first run that makes the ZSK failed"
  cp -r "$T/keys.a" "$T/keys.b"
}

# compare FILE ORIGIN LIMIT NOW [flags...]: the in-memory sign (keys.a, a.out) against the
# spilled one (keys.b, b.out). Each output file is its own previous output.
compare() {
  local file=$1 origin=$2 limit=$3 now=$4 ra=0 rb=0
  shift 4
  cases=$((cases + 1))
  rm -f "$T/a.json" "$T/b.json"
  "$ZK" sign "$file" --origin "$origin" --keys "$T/keys.a" -o "$T/a.out" --ds-output "$T/a.ds" \
    --now "$now" --memory-limit 0 --stats-json "$T/a.json" "$@" >"$T/a.log" 2>"$T/a.err" || ra=$?
  "$ZK" sign "$file" --origin "$origin" --keys "$T/keys.b" -o "$T/b.out" --ds-output "$T/b.ds" \
    --now "$now" --memory-limit "$limit" --temp-dir "$T/spill" --stats-json "$T/b.json" "$@" \
    >"$T/b.log" 2>"$T/b.err" || rb=$?
  local what="$(basename "$file") $origin --memory-limit $limit $*"
  [ "$ra" = "$rb" ] || { fail "$what: exit $rb, in memory $ra"; tail -3 "$T/b.err"; }
  if [ "$ra" = 0 ] || [ "$ra" = 3 ]; then
    if [ -e "$T/a.out" ] || [ -e "$T/b.out" ]; then
      cmp -s "$T/a.out" "$T/b.out" || fail "$what: the output differs from the in-memory sign"
      cmp -s "$T/a.ds" "$T/b.ds" || fail "$what: the DS set differs"
    fi
  else
    [ ! -e "$T/b.out" ] || fail "$what: a failed run wrote its output"
  fi
  # The figures of the run (counts, reuse, reasons, serials) agree; the spill's own do not.
  local fig='import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k, None) for k in ("times", "spill", "notes", "seconds")]; print(json.dumps(d, sort_keys=True))'
  if [ -s "$T/a.json" ] && [ -s "$T/b.json" ]; then
    diff <(python3 -c "$fig" "$T/a.json") <(python3 -c "$fig" "$T/b.json") >"$T/fig.diff" ||
      { fail "$what: the run's figures differ"; head -5 "$T/fig.diff"; }
  fi
  local pick='error'
  grep -aq "more warning(s) not listed" "$T/a.err" || pick='error|warning'
  diff <(grep -aE "$pick" "$T/a.err" | sed "s#$T/keys.a#KEYS#g" | sort) \
    <(grep -aE "$pick" "$T/b.err" | sed "s#$T/keys.b#KEYS#g" | sort) >"$T/diag.diff" ||
    { fail "$what: diagnostics differ"; head -20 "$T/diag.diff"; }
  [ -z "$(ls -A "$T/spill")" ] || fail "$what: files left in --temp-dir: $(ls -A "$T/spill")"
}
# verify_both FILE ORIGIN LIMIT NOW: `zonekiln verify` in memory and from disk (--memory-limit)
# give the same exit code and the same report; the spilled one says how it read the zone.
verify_both() {
  local file=$1 origin=$2 limit=$3 now=$4 ra=0 rb=0
  cases=$((cases + 1))
  "$ZK" verify "$file" --origin "$origin" --now "$now" --memory-limit 0 >/dev/null \
    2>"$T/va.err" || ra=$?
  "$ZK" verify "$file" --origin "$origin" --now "$now" --memory-limit "$limit" \
    --temp-dir "$T/spill" >/dev/null 2>"$T/vb.err" || rb=$?
  local what="verify $(basename "$file") --memory-limit $limit"
  [ "$ra" = "$rb" ] || { fail "$what: exit $rb, in memory $ra"; tail -3 "$T/vb.err"; }
  diff <(grep -v '^zonekiln: note: verified' "$T/va.err") \
    <(grep -v '^zonekiln: note: verified' "$T/vb.err") >"$T/vdiff" ||
    { fail "$what: the reports differ"; head -10 "$T/vdiff"; }
  grep -q '^zonekiln: note: verified' "$T/vb.err" || fail "$what: no note on how it was read"
  [ -z "$(ls -A "$T/spill")" ] || fail "$what: files left in --temp-dir: $(ls -A "$T/spill")"
}
spilled_into() { # JSON: did run b spill?
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])).get("spill"); print(s["slices"] if s else 0)' "$T/b.json"
}

# 1. 200k names at a 1 MiB limit: a full sign, then the next day a re-sign of a changed zone
# that reuses most signatures from the previous output (read forward across the slices), with
# its --changes, and that run's --dry-run plan.
python3 "$ROOT/bench/zonegen.py" example.com. 200000 7 >"$T/z200k" 2>/dev/null
keys example.com.
rm -f "$T/a.out" "$T/b.out"
compare "$T/z200k" example.com. 1M 20261208000000
slices=$(spilled_into)
echo "200k names, --memory-limit 1M: $slices slices"
[ "$slices" -ge 10 ] || fail "200k names: only $slices slices"
if command -v ldns-verify-zone >/dev/null; then
  ldns-verify-zone -t 20261208000000 "$T/b.out" >"$T/v" 2>&1 ||
    { fail "ldns-verify-zone rejects the spilled sign"; tail -3 "$T/v"; }
fi
"$ZK" verify "$T/b.out" --origin example.com. --now 20261208000000 >"$T/v" 2>&1 ||
  { fail "zonekiln verify rejects the spilled sign"; tail -3 "$T/v"; }
# The same zone verified from disk, then with a signature, an NSEC and a record broken.
verify_both "$T/b.out" example.com. 1M 20261208000000
grep -q 'verified from disk in' "$T/vb.err" || fail "verify --memory-limit 1M did not spill"
awk -F'\t' 'BEGIN { OFS = "\t" }
  $4 == "RRSIG" && NR > 100 && !sig {
    n = split($5, w, " "); c = substr(w[n], 1, 1); w[n] = (c == "A" ? "B" : "A") substr(w[n], 2)
    $5 = w[1]; for (i = 2; i <= n; i++) $5 = $5 " " w[i]; sig = 1 }
  $4 == "NSEC" && NR > 5000 && !nsec { $5 = "zzzz.example.com. A RRSIG NSEC"; nsec = 1 }
  $4 == "A" && NR > 9000 && !a { $5 = "203.0.113.250"; a = 1 } { print }' "$T/b.out" >"$T/broken"
verify_both "$T/broken" example.com. 1M 20261208000000
grep -q 'bad-nsec-next' "$T/va.err" || fail "the broken zone's NSEC went unseen"
grep -q 'INVALID' "$T/vb.err" || fail "the broken zone verified from disk is not INVALID"
# One address in a hundred changed, one TXT or MX line in 20 gone (the head is the SOA, in
# parentheses).
awk 'NR > 9 && NR % 100 == 0 && $(NF - 1) == "A" { $NF = "198.51.100.7" }
  NR > 9 && NR % 20 == 0 && / (TXT|MX) / { next } { print }' "$T/z200k" >"$T/z200k.2"
printf 'added-1 3600 IN A 192.0.2.1\nzzz-added 3600 IN TXT "new"\n' >>"$T/z200k.2"
cmp -s "$T/z200k" "$T/z200k.2" && fail "the changed zone did not change"
compare "$T/z200k.2" example.com. 1M 20261209000000 --dry-run
grep -v '^zonekiln' "$T/a.log" | sed "s#$T/keys.a#KEYS#g" >"$T/a.plan" || true
grep -v '^zonekiln' "$T/b.log" | sed "s#$T/keys.b#KEYS#g" >"$T/b.plan" || true
[ -s "$T/a.plan" ] || fail "--dry-run printed no plan"
diff "$T/a.plan" "$T/b.plan" >"$T/plan.diff" || { fail "--dry-run: the plans differ"; head "$T/plan.diff"; }
compare "$T/z200k.2" example.com. 1M 20261209000000 --changes "$T/changes.json"
reused=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rrsets_reused"])' "$T/b.json")
[ "$reused" -gt 100000 ] || fail "the spilled re-sign reused only $reused RRsets"
grep -q '"added"' "$T/changes.json" || fail "--changes of the spilled re-sign lists nothing"
# An hour later nothing changed and nothing is due: both leave the output as it is (the
# previous output compared slice by slice; the pending KSK action means no fingerprint).
compare "$T/z200k.2" example.com. 1M 20261209000000
unchanged=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unchanged"])' "$T/b.json")
[ "$unchanged" = True ] || fail "the spilled run did not find the zone unchanged"

# 2. An already signed zone as input: its RRSIGs and NSECs are stripped and made anew.
keys example.com.
rm -f "$T/a.out" "$T/b.out"
python3 "$ROOT/bench/zonegen.py" example.com. 20000 3 >"$T/small" 2>/dev/null
"$ZK" sign "$T/small" --origin example.com. --keys "$T/keys.a" -o "$T/small.signed" \
  --ds-output "$T/small.ds" --now 20261201000000 >/dev/null 2>&1 || fail "signing the small zone"
cp -r "$T/keys.a/." "$T/keys.b/"
compare "$T/small.signed" example.com. 64k 20261202000000 --full
# A previous output edited out of zonekiln's order: nothing is reused from it, in both.
line=$(grep -m1 -P '^[^\t]+\t\d+\tIN\tTXT\t' "$T/a.out")
for f in a b; do { grep -v -F -x "$line" "$T/$f.out"; echo "$line"; } >"$T/edited" &&
  mv "$T/edited" "$T/$f.out"; done
compare "$T/small.signed" example.com. 64k 20261203000000
grep -q "not in zonekiln's order" "$T/b.err" || fail "edited previous: no note about the order"

# 3. Every test zone and the edge zones, at limits that make slices of a few records.
for z in "$TD"/zones/*.zone; do
  origin="$(basename "$z" .zone)."
  keys "$origin"
  rm -f "$T/a.out" "$T/b.out"
  compare "$z" "$origin" 1 20261208000000
done
keys example.com.
for seed in 1 2 3 4; do
  for errors in 0 1; do
    python3 "$HERE/edge_zone.py" "$seed" "$errors" >"$T/edge.zone"
    for limit in 16k 96k; do
      rm -f "$T/a.out" "$T/b.out"
      compare "$T/edge.zone" example.com. $limit 20261208000000
      [ "$errors" = 1 ] || [ "$(spilled_into)" -ge 2 ] || fail "edge $seed $limit: did not spill"
    done
  done
done

# 4. NSEC3, with and without opt-out: the chain's records are made per slice, spilled, merged
# in hash order and written after the names, in batches that read the previous output's NSEC3
# section forward. A full sign, then a re-sign of a changed zone that reuses signatures.
python3 "$HERE/edge_zone.py" 1 0 >"$T/edge.zone"
for flags in "--nsec3" "--nsec3 --nsec3-opt-out"; do
  keys example.com.
  rm -f "$T/a.out" "$T/b.out"
  # shellcheck disable=SC2086
  compare "$T/edge.zone" example.com. 16k 20261208000000 $flags
  [ "$(spilled_into)" -ge 2 ] || fail "edge $flags: did not spill"
  rm -f "$T/a.out" "$T/b.out"
  # shellcheck disable=SC2086
  compare "$T/small" example.com. 64k 20261208000000 $flags
  awk 'NR > 9 && NR % 50 == 0 && $(NF - 1) == "A" { $NF = "198.51.100.9" } { print }' \
    "$T/small" >"$T/small.2"
  # shellcheck disable=SC2086
  compare "$T/small.2" example.com. 64k 20261209000000 $flags
  reused=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rrsets_reused"])' "$T/b.json")
  [ "$reused" -gt 1000 ] || fail "$flags: the spilled re-sign reused only $reused RRsets"
  command -v ldns-verify-zone >/dev/null && { ldns-verify-zone -t 20261209000000 "$T/b.out" \
    >"$T/v" 2>&1 || { fail "$flags: ldns-verify-zone rejects the spilled sign"; tail -3 "$T/v"; }; }
  # NSEC3 is verified in memory above the limit, with the same report and a note saying so.
  verify_both "$T/b.out" example.com. 64k 20261209000000
  grep -q 'verified in memory above --memory-limit' "$T/vb.err" || fail "$flags: no in-memory note"
done

# 5. ZONEMD: an NSEC zone's digest is made across the slices as they are written and patched in
# at the end; an NSEC3 zone with ZONEMD is signed in memory above the limit, and says so.
keys example.com.
rm -f "$T/a.out" "$T/b.out"
compare "$T/edge.zone" example.com. 16k 20261208000000 --zonemd
[ "$(spilled_into)" -ge 2 ] || fail "--zonemd: did not spill"
"$ZK" verify "$T/b.out" --origin example.com. --now 20261208000000 >"$T/v" 2>&1 ||
  { fail "--zonemd: zonekiln verify rejects the spilled sign"; tail -3 "$T/v"; }
grep -q '1 ZONEMD' "$T/v" || grep -qi 'zonemd' "$T/v" || fail "--zonemd: verify saw no ZONEMD"
verify_both "$T/b.out" example.com. 16k 20261208000000
grep -q 'verified in memory above --memory-limit' "$T/vb.err" || fail "ZONEMD verify: no note"
# The next day, reusing signatures: the digest is made again over the reused ones.
compare "$T/edge.zone" example.com. 16k 20261209000000 --zonemd
rm -f "$T/a.out" "$T/b.out"
compare "$T/edge.zone" example.com. 16k 20261208000000 --zonemd --nsec3
[ -s "$T/b.out" ] || fail "--zonemd --nsec3: nothing signed"
grep -q "signed in memory, above --memory-limit" "$T/b.err" ||
  fail "--zonemd --nsec3: no note that the zone was signed in memory"
echo "$cases comparisons"

# 6. SIGKILL between two slices: the published zone and the key state stay as they were, the
# temp directory stays empty, and the next run publishes.
keys example.com.
"$ZK" sign "$T/z200k" --origin example.com. --keys "$T/keys.a" -o "$T/pub.zone" \
  --ds-output "$T/pub.ds" --now 20261208000000 --memory-limit 1M >/dev/null 2>&1 ||
  fail "the first spilled sign of the kill test failed"
cp "$T/pub.zone" "$T/pub.ref"
cp "$T/keys.a/zonekiln-state.json" "$T/state.ref"
rc=0
ZK_TEST_KILL_AT=slice "$ZK_TEST" sign "$T/z200k.2" --origin example.com. --keys "$T/keys.a" \
  -o "$T/pub.zone" --ds-output "$T/pub.ds" --now 20261209000000 --memory-limit 1M \
  --temp-dir "$T/spill" >"$T/log" 2>&1 || rc=$?
[ $rc -eq 137 ] || { fail "kill at slice: exit $rc, not SIGKILL"; tail -3 "$T/log"; }
cmp -s "$T/pub.zone" "$T/pub.ref" || fail "kill at slice: the published zone changed"
cmp -s "$T/keys.a/zonekiln-state.json" "$T/state.ref" || fail "kill at slice: the key state changed"
[ -z "$(ls -A "$T/spill")" ] || fail "kill at slice: files left in --temp-dir"
"$ZK" sign "$T/z200k.2" --origin example.com. --keys "$T/keys.a" -o "$T/pub.zone" \
  --ds-output "$T/pub.ds" --now 20261209000000 --memory-limit 1M --temp-dir "$T/spill" \
  >"$T/log" 2>&1 || { fail "the spilled sign after the kill failed"; tail -3 "$T/log"; }
grep -q 'zzz-added' "$T/pub.zone" || fail "the spilled sign after the kill did not publish"

if [ $fails -ne 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "OK"
