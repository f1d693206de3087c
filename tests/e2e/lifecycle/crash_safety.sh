#!/usr/bin/env bash
# Crash safety (issue 6): `zonekiln sign` is killed with SIGKILL at several points of a run on a
# zone of some size (the test-only ZK_TEST_KILL_AT hook raises SIGKILL there; no sleeps, no
# races). After each kill the previous output and the key state must be intact, byte for byte,
# and readable; the temp file a killed run leaves is removed by the next run, which succeeds.
# The crash points exist only in the test build (zonekiln-test, ZK_TEST_BINARY); the installed
# zonekiln (ZK_BINARY) must ignore ZK_TEST_KILL_AT.
# Needs ZK_TEST_BINARY, ZK_BINARY, dnssec-keygen, ldns-verify-zone: exit 77 (skip) when a tool
# is missing (a failure under ZK_REQUIRE_TOOLS=1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
ZK=${ZK_TEST_BINARY:?set ZK_TEST_BINARY to the zonekiln-test binary}
ZK_RELEASE=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
need_tools dnssec-keygen ldns-verify-zone awk cmp
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
O=example.test.
mkdir $T/keys
dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK $O >/dev/null
# 20000 names, a few records each: big enough for many output chunks.
awk -v n=20000 'BEGIN {
  print "$ORIGIN example.test.\n$TTL 3600"
  print "@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600\n@ NS ns1\nns1 A 192.0.2.1"
  for (i = 0; i < n; i++) {
    printf "h%d A 198.51.%d.%d\n", i, int(i / 250) % 250, i % 250
    if (i % 3 == 0) printf "h%d TXT \"host %d\"\n", i, i
    if (i % 7 == 0) printf "h%d AAAA 2001:db8::%x\n", i, i
  }
}' > $T/zone

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
sign() {  # sign at time $1 with extra env ($2: the binary, default the test build)
  "${2:-$ZK}" sign $T/zone --origin $O --keys $T/keys --output $T/out --now $1 >$T/log 2>&1
}
temps() { find "$T" -maxdepth 1 -name '*.zktmp.*' | wc -l; }

sign 20260101000000 || { cat $T/log; echo "FAIL: first run"; exit 1; }
# The installed binary has no crash points: the variable changes nothing.
cp $T/out $T/out.first
rc=0
ZK_TEST_KILL_AT=parse sign 20260101000000 "$ZK_RELEASE" || rc=$?
[ $rc -eq 0 ] || { fail "zonekiln (not the test build) obeyed ZK_TEST_KILL_AT: exit $rc"; cat $T/log; }
cmp -s $T/out $T/out.first || fail "zonekiln (release) wrote a different zone at the same time"
cp $T/out $T/out.ref
cp $T/keys/zonekiln-state.json $T/state.ref
# A change, so a completed run would write a different zone.
sed -i 's/^h5 A .*/h5 A 203.0.113.5/' $T/zone

for point in parse sort check keys prepare compare chain write commit; do
  rc=0
  ZK_TEST_KILL_AT=$point sign 20260102000000 || rc=$?
  [ $rc -eq 137 ] || { fail "$point: exit $rc, expected death by SIGKILL (137)"; cat $T/log; }
  cmp -s $T/out $T/out.ref || fail "$point: the previous output changed"
  cmp -s $T/keys/zonekiln-state.json $T/state.ref || fail "$point: the key state changed"
  rc=0
  "$ZK" status --origin $O --keys $T/keys --now 20260102000000 >$T/s 2>&1 || rc=$?
  [ $rc -ne 4 ] || { fail "$point: state unreadable after the kill"; cat $T/s; }
  case $point in
    write|commit) [ "$(temps)" -ge 1 ] || fail "$point: expected a stale temp file" ;;
  esac
done
ldns-verify-zone -t 20260102000000 $T/out >$T/v 2>&1 || { fail "previous output invalid"; cat $T/v; }

# Killed after the key state was written (marked pending) but before the zone was renamed: the
# previous zone stays; the next reader settles the mark by returning to the previous key state.
rc=0
ZK_TEST_KILL_AT=pending sign 20260102000000 || rc=$?
[ $rc -eq 137 ] || fail "pending: exit $rc, not killed"
cmp -s $T/out $T/out.ref || fail "pending: the previous output changed"
grep -q pending_commit $T/keys/zonekiln-state.json || fail "pending: no pending mark in the state"
rc=0
"$ZK" status --origin $O --keys $T/keys --now 20260102000000 >$T/s 2>&1 || rc=$?
[ $rc -ne 4 ] || { fail "pending: state unreadable after the kill"; cat $T/s; }

# Killed after the zone was renamed but before the pending mark was dropped: the new zone is out
# and valid; its key state is already durable and the next run keeps it.
rc=0
ZK_TEST_KILL_AT=state sign 20260102000000 || rc=$?
[ $rc -eq 137 ] || fail "state: exit $rc, not killed"
if cmp -s $T/out $T/out.ref; then fail "state: the output should be the new zone"; fi
grep -q pending_commit $T/keys/zonekiln-state.json || fail "state: no pending mark in the state"
ldns-verify-zone -t 20260102000000 $T/out >$T/v 2>&1 || { fail "state: output invalid"; cat $T/v; }

sign 20260102000000 || { fail "the run after the kills failed"; cat $T/log; }
grep -q "did not finish recording its key state; recorded it now" $T/log ||
  { fail "the next run did not settle the pending mark as published"; cat $T/log; }
if grep -q pending_commit $T/keys/zonekiln-state.json; then fail "a pending mark is left"; fi
[ "$(temps)" -eq 0 ] || { fail "stale temp files left after the next run"; ls -a $T; }
ldns-verify-zone -t 20260102000000 $T/out >$T/v 2>&1 || { fail "final output invalid"; cat $T/v; }
grep -q '203.0.113.5' $T/out || fail "final output lacks the change"
echo "failures: $fails"
[ $fails -eq 0 ]
