#!/bin/bash
# Issue 11: nothing an operator types or a file holds breaks a zone, a key or the nightly run.
# Output paths that are inputs, keys or state are refused by inode; times RRSIG fields cannot
# hold are refused; one strict time parser; a missing key directory is a usage error; a file
# size limit is a clean exit 4 with metrics; corrupt state values and a lone .bak are refused;
# a clock going backwards keeps the key timeline. Needs only ZK_BINARY and coreutils.
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
O=example.test.
mkdir keys
"$ZK" keygen --origin $O --keys keys --ksk >ksk.name
# keygen dates a key by the clock; the runs here use fixed times in 2026, so date it 2020.
sed -i -E 's/(Created|Publish|Activate): [0-9]{14}/\1: 20200101000000/' keys/K*.key keys/K*.private
KSK=keys/$(cat ksk.name)
cat >z.zone <<'ZONE'
$ORIGIN example.test.
$TTL 3600
@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600
@ NS ns1
ns1 A 192.0.2.1
$INCLUDE inc.zone
ZONE
echo 'www A 192.0.2.2' >inc.zone
NOW=20260101000000

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect CODE FRAGMENT COMMAND...: the exit code and a fragment of stderr/stdout.
expect() {
  local want=$1 frag=$2 rc=0
  shift 2
  "$@" >out.log 2>&1 || rc=$?
  if [ $rc -ne "$want" ]; then
    fail "exit $rc, expected $want: $*"
    cat out.log
  elif ! grep -qF -- "$frag" out.log; then
    fail "'$frag' missing from the output of: $*"
    cat out.log
  fi
}
sign() { "$ZK" sign z.zone --origin $O --keys keys "$@"; }
same() { cmp -s "$1" "$2" || fail "$1 changed"; }

# --- item 2: outputs never replace inputs, keys or state -------------------------------------
cp "$KSK.private" ksk.copy
cp z.zone zone.copy
cp inc.zone inc.copy
expect 2 "refusing to write --ds-output $KSK.private" sign --now $NOW --ds-output "$KSK.private"
same "$KSK.private" ksk.copy
[ "$(stat -c %a "$KSK.private")" = 600 ] || fail "the KSK private key lost its mode"
expect 2 "it is the zone file z.zone" sign --now $NOW --output z.zone
expect 2 "it is the zone file z.zone" sign --now $NOW --output ./keys/../z.zone
expect 2 "it is the zone file" "$ZK" compile z.zone --origin $O --output z.zone
expect 2 "it is a file the zone \$INCLUDEs" sign --now $NOW --output inc.zone
expect 2 "it is in the key directory keys" sign --now $NOW --stats-json keys/../keys/run.json
expect 2 "the key state" sign --now $NOW --metrics-file elsewhere/zonekiln-state.json
expect 2 "a DNSSEC key file" sign --now $NOW --ds-output Kexample.test.+013+00001.private
expect 2 "also writes" sign --now $NOW --output out.signed --ds-output ./out.signed
ln -s "$KSK.private" key-link
expect 2 "refusing to write --metrics-file key-link" sign --now $NOW --metrics-file key-link
same "$KSK.private" ksk.copy
same z.zone zone.copy
same inc.zone inc.copy
[ ! -e keys/run.json ] || fail "a refused --stats-json was written"
[ ! -e elsewhere ] || fail "a refused --metrics-file was written"
[ ! -e z.zone.signed ] || fail "a refused run wrote the zone"

expect 0 "signed $O" sign --now $NOW --metrics-file m.prom
grep -q '^zonekiln_internal_failure{zone="example.test."} 0' m.prom || fail "metrics after success"
ZSK=$(ls keys/*.private | grep -v "$(cat ksk.name)" | head -n 1)
cp "$ZSK" zsk.copy
expect 2 "refusing to write --output $ZSK" "$ZK" unsign z.zone.signed --origin $O --keys keys \
  --now $NOW --output "$ZSK"
same "$ZSK" zsk.copy
expect 2 "refusing to write --output keys/" "$ZK" ksr --origin $O --keys keys --now $NOW \
  --output keys/q.ksr
expect 2 "refusing to write --metrics-file" "$ZK" status --origin $O --keys keys --now $NOW \
  --metrics-file keys/zonekiln-state.json

# --- item 4: times RRSIG serial-number fields cannot hold; one strict parser -----------------
expect 2 "before 1970" sign --now 0
expect 2 "after 2106" sign --now +36500d
expect 2 "68 years" sign --now $NOW --expiration +25000d
expect 2 "over 68 years" sign --now $NOW --inception 19950101000000 --expiration 20650101000000
expect 2 "no such date" sign --now 20260001000000
expect 2 "no such date" sign --now 20260230000000
expect 2 "no such date" "$ZK" ksk ds-seen --origin $O --keys keys --tag 1 --now 20260001000000
expect 2 "after 2106" "$ZK" status --origin $O --keys keys --now +36500d
expect 2 "no such date" "$ZK" verify z.zone.signed --origin $O --now 20261300000000
expect 2 "--zsk-lifetime" sign --now $NOW --zsk-lifetime 1x
expect 0 "signed $O" sign --now 20260102000000 --zsk-lifetime 1w2d --refresh 3d --jitter 0 \
  --expiration +7d --output lifetime.signed
same z.zone zone.copy

# --- item 6: exit codes that match the metrics ------------------------------------------------
expect 2 "no key directory kesy (create it with \`zonekiln keygen" \
  "$ZK" sign z.zone --origin $O --keys kesy --now $NOW
expect 2 "no key directory kesy" "$ZK" status --origin $O --keys kesy
expect 2 "no key directory kesy" "$ZK" ksk list --origin $O --keys kesy
expect 2 "no key directory kesy" "$ZK" ds --origin $O --keys kesy
[ ! -e kesy ] || fail "a missing key directory was created"
# A file size limit: the write fails with EFBIG (SIGXFSZ ignored) and the run says so, exit 4,
# with its metrics; the previous output stays.
for i in $(seq 1 300); do echo "h$i A 198.51.100.$((i % 250 + 1))"; done >>inc.zone
cp z.zone.signed signed.copy
rc=0
(ulimit -f 8 && exec "$ZK" sign z.zone --origin $O --keys keys --now 20260103000000 \
  --metrics-file big.prom) >out.log 2>&1 || rc=$?
[ $rc -eq 4 ] || { fail "ulimit -f: exit $rc, expected 4"; cat out.log; }
grep -qF "z.zone.signed: File too large (EFBIG)" out.log || { fail "EFBIG not named"; cat out.log; }
grep -q '^zonekiln_internal_failure{zone="example.test."} 1' big.prom || fail "no failure metric"
same z.zone.signed signed.copy
expect 0 "signed $O" sign --now 20260103000000
cp inc.copy inc.zone

# --- item 8: state values are checked; a lone .bak is not silently re-adopted ---------------
cp keys/zonekiln-state.json state.good
sed -i '0,/"tag": [0-9]*/s//"tag": 70000/' keys/zonekiln-state.json
expect 4 ".tag is 70000, outside 0..65535" sign --now 20260104000000
expect 4 ".tag is 70000" "$ZK" ksk list --origin $O --keys keys
cp state.good keys/zonekiln-state.json
sed -i '0,/"created": [0-9]*/s//"created": -5/' keys/zonekiln-state.json
expect 4 "timeline.created is -5" sign --now 20260104000000
cp state.good keys/zonekiln-state.json
rm keys/zonekiln-state.json
[ -e keys/zonekiln-state.json.bak ] || fail "no .bak to test with"
expect 4 "cp -p keys/zonekiln-state.json.bak keys/zonekiln-state.json" sign --now 20260104000000
[ ! -e keys/zonekiln-state.json ] || fail "a state was adopted afresh"
cp -p keys/zonekiln-state.json.bak keys/zonekiln-state.json
expect 0 "signed $O" sign --now 20260104000000

# --- item 4: a clock earlier than the last run keeps the key timeline -------------------------
expect 0 "$O" sign --now 20260110000000
before=$(grep -o '"last_success": [0-9]*' keys/zonekiln-state.json)
grep -o '"\(created\|published\|active\|retired\|removed\)": [0-9]*' keys/zonekiln-state.json \
  | sort >events.before
expect 0 "is earlier than the last event recorded" sign --now 20260105000000
after=$(grep -o '"last_success": [0-9]*' keys/zonekiln-state.json)
[ "$before" = "$after" ] || fail "last_success moved backwards: $before -> $after"
grep -o '"\(created\|published\|active\|retired\|removed\)": [0-9]*' keys/zonekiln-state.json \
  | sort >events.after
comm -23 events.before events.after >events.lost
[ ! -s events.lost ] || { fail "recorded key events changed"; cat events.lost; }
expect 0 "" "$ZK" verify z.zone.signed --origin $O --now 20260105000000

echo "failures: $fails"
[ $fails -eq 0 ]
