#!/usr/bin/env bash
# sign --config: 300 zones in one process. Every zone validates with ldns-verify-zone; a zone with
# bad data, one without a KSK and one with a corrupt key state fail alone (exit 1, 3, 4) while
# the others are published; the exit code is the worst; --stats-json and one metrics file name
# every zone; every message names its zone; --quiet prints only the failures; the key directory
# lock keeps a second process off a zone; --shard K/N splits the zones disjointly and covers them.
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
HERE=$(cd "$(dirname "$0")" && pwd)
EXAMPLE="$HERE/../../../examples/many-zones"
skip() {
  echo "SKIP: $*"
  if [[ "${ZK_REQUIRE_TOOLS:-0}" == 1 ]]; then exit 1; fi
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for tool in ldns-verify-zone python3 flock; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
python3 "$EXAMPLE/gen-zones.py" --zones 300 --names 10 --out .
"$ZK" check-config zonekiln.toml >check.out
grep -q 'zonekiln.toml: ok: 300 zone(s)' check.out || fail "check-config: $(cat check.out)"
"$ZK" keygen --config zonekiln.toml --ksk >keygen.out
[[ $(grep -c ': created ' keygen.out) == 300 ]] || fail "keygen --config did not make 300 KSKs"
"$ZK" keygen --config zonekiln.toml --ksk z00001.example >keygen2.out
grep -q 'zone z00001.example.: has a KSK' keygen2.out || fail "keygen --config made a second KSK"

# --- all 300 in one run ------------------------------------------------------------------
"$ZK" sign --config zonekiln.toml --stats-json all.json --metrics-file all.prom 2>all.err
[[ $(ls signed | wc -l) == 300 ]] || fail "not every zone was written"
for f in signed/*.zone; do
  ldns-verify-zone "$f" >/dev/null 2>&1 || fail "ldns-verify-zone rejects $f"
done
python3 - all.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_code"] == 0, d["exit_code"]
assert len(d["zones"]) == 300
assert all(z["outcome"] == "signed" and z["stats"]["signatures"] > 0 for z in d["zones"])
PY
# One line per zone plus the total; every line that is about a zone names it.
[[ $(grep -c '^zone z[0-9]*\.example\.: signed: ' all.err) == 300 ]] || fail "summary lines"
if grep -v -E '^zone z[0-9]+\.example\.: |^zonekiln: 300 zone\(s\), 300 ok, 0 failed; exit 0$' all.err; then
  fail "a message does not name its zone"
fi
for metric in zonekiln_internal_failure zonekiln_last_success_timestamp_seconds \
  zonekiln_rrsets_signed zonekiln_run_duration_seconds; do
  [[ $(grep -c "^$metric{zone=\"z[0-9]*\.example\.\"}" all.prom) == 300 ]] ||
    fail "$metric lacks a sample per zone"
done
if grep -v '^#' all.prom | grep -v 'zone="'; then fail "a metric without a zone label"; fi

# --- a second run: nothing changed, nothing rewritten -----------------------------------
before=$(stat -c %Y signed/z00007.example.zone)
"$ZK" sign --config zonekiln.toml --quiet 2>quiet.err
[[ ! -s quiet.err ]] || fail "--quiet printed on a clean run: $(cat quiet.err)"
[[ $(stat -c %Y signed/z00007.example.zone) == "$before" ]] || fail "unchanged zone rewritten"

# --- isolation: bad data, a missing KSK, a corrupt key state ----------------------------
cp signed/z00010.example.zone z10.before
echo 'broken IN A 300.1.2.3' >>zones/z00010.example.zone
for key in keys/z00020.example/K*.key; do  # the owner's KSK goes missing (the ZSK stays)
  if grep -q 'DNSKEY[[:space:]]*257' "$key"; then rm "${key%.key}".*; fi
done
echo '{not json' >keys/z00030.example/zonekiln-state.json
echo 'new IN A 192.0.2.99' >>zones/z00040.example.zone
set +e
"$ZK" sign --config zonekiln.toml --quiet --stats-json bad.json --metrics-file bad.prom 2>bad.err
code=$?
set -e
[[ $code == 4 ]] || fail "exit $code, expected the worst zone's 4"
grep -q -E '^zone z00010.example.: .*z00010.example.zone:[0-9]+:[0-9]+: error' bad.err || fail "no positioned error"
grep -q '^zone z00010.example.: failed (exit 1)$' bad.err || fail "z00010 not reported as exit 1"
grep -q '^zone z00020.example.: .* (exit 3)$' bad.err || fail "z00020 not reported as exit 3"
grep -q '^zone z00030.example.: failed (exit 4)$' bad.err || fail "z00030 not reported as exit 4"
grep -q '^zonekiln: 300 zone(s), 297 ok, 3 failed; exit 4$' bad.err || fail "total line"
cmp -s z10.before signed/z00010.example.zone || fail "the bad zone's previous output changed"
grep -q '192.0.2.99' signed/z00040.example.zone || fail "a good zone was not published"
ldns-verify-zone signed/z00040.example.zone >/dev/null || fail "z00040 does not validate"
grep -q 'zonekiln_ksk_action_needed{zone="z00020.example."} [1-9]' bad.prom ||
  grep -q 'zonekiln_internal_failure{zone="z00030.example."} 1' bad.prom ||
  fail "metrics do not show the failures"
grep -q 'zonekiln_internal_failure{zone="z00030.example."} 1' bad.prom || fail "z00030 metric"
python3 - bad.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
by = {z["zone"]: z for z in d["zones"]}
assert d["exit_code"] == 4
assert by["z00010.example."]["exit_code"] == 1 and by["z00010.example."]["outcome"] == "failed"
assert by["z00020.example."]["exit_code"] == 3
assert by["z00030.example."]["exit_code"] == 4
assert by["z00040.example."]["outcome"] == "signed"
assert sum(1 for z in d["zones"] if z["exit_code"] == 0) == 297
PY

# --- the key directory lock: a second process waits, then gives up on that zone only -------
mkfifo locked
flock keys/z00050.example/.zonekiln.lock sh -c 'echo held >"$0"; exec sleep 120' locked &
holder=$!
read -r _ <locked  # the other process holds the lock from here on
set +e
"$ZK" sign --config zonekiln.toml --quiet --lock-wait 0 --full z00050.example z00051.example \
  2>lock.err
code=$?
set -e
kill "$holder"
wait "$holder" 2>/dev/null || [[ $? == 143 ]]
[[ $code == 4 ]] || fail "a held lock gave exit $code"
grep -q '^zone z00050.example.: error: another zonekiln run holds' lock.err || fail "lock message"
if grep -q '^zone z00051.example.: failed' lock.err; then fail "the lock stopped another zone"; fi

# --- shards: disjoint and covering ----------------------------------------------------------
: >shards.txt
for k in 0 1 2 3; do
  "$ZK" sign --config zonekiln.toml --quiet --shard "$k/4" --full --stats-json "s$k.json" \
    z00001.example z00002.example z00003.example z00004.example z00005.example z00006.example \
    z00007.example z00008.example z00009.example z00011.example z00012.example z00013.example ||
    fail "shard $k"
  python3 -c 'import json,sys; [print(z["zone"]) for z in json.load(open(sys.argv[1]))["zones"]]' \
    "s$k.json" >>shards.txt
done
[[ $(wc -l <shards.txt) == 12 && $(sort -u shards.txt | wc -l) == 12 ]] ||
  fail "shards are not disjoint and covering: $(sort shards.txt | tr '\n' ' ')"
set +e
"$ZK" sign --config zonekiln.toml --shard 4/4 2>shard.err
code=$?
set -e
[[ $code == 2 ]] && grep -q 'expected K/N' shard.err || fail "--shard 4/4 accepted"
echo "ok: 300 zones in one run, failures isolated, lock and shards hold"
