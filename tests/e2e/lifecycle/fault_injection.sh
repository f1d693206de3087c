#!/bin/bash
# Issue 11: the commit order. Every write of a sign run (the temp zone, its fsync and rename,
# the DS set, the key state, the metrics) fails in turn with ENOSPC, EROFS and EFBIG through the
# test build's ZK_TEST_FAIL_AT hook. Each time: the exit code is the documented one, exit 4
# leaves the previous zone in place unless the message says it was published, the published
# zone and the key state agree (every key the state has in the DNSKEY RRset is there, every
# active ZSK signs), and the next run recovers. ZSKs roll over during the test, so a state that
# ran ahead of (or behind) the zone would show. Needs ZK_TEST_BINARY (zonekiln-test), python3.
set -euo pipefail
ZK=${ZK_TEST_BINARY:?set ZK_TEST_BINARY to the zonekiln-test binary}
command -v python3 >/dev/null || {
  echo "SKIP: python3 not installed"
  [ "${ZK_REQUIRE_TOOLS:-0}" = 1 ] && exit 1
  exit 77
}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
O=example.test.
mkdir keys
"$ZK" keygen --origin $O --keys keys --ksk >/dev/null
# keygen dates a key by the clock; the runs here use fixed times in 2026, so date it 2020.
sed -i -E 's/(Created|Publish|Activate): [0-9]{14}/\1: 20200101000000/' keys/K*.key keys/K*.private

fails=0
fail() { echo "FAIL ($case): $*"; fails=$((fails + 1)); }
day=0
ts() { date -u -d "2026-01-01 + $1 days" +%Y%m%d%H%M%S; }
zone() {  # a new zone each run, so that every run writes
  printf '%s\n' '$ORIGIN example.test.' '$TTL 3600' \
    '@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600' '@ NS ns1' 'ns1 A 192.0.2.1' \
    "txt TXT \"run $1\"" >z.zone
}
sign() {
  "$ZK" sign z.zone --origin $O --keys keys --output z.signed --ds-output ds.txt \
    --metrics-file m.prom --now "$(ts $day)" --zsk-lifetime 20d >log 2>&1
}
# The published zone and the key state (as a run would read it: a pending commit settled by the
# inode of the output) agree.
agree() {
  python3 - "$T" <<'PY' || fail "the published zone and the key state disagree"
import base64, json, os, sys
t = sys.argv[1]
def tag(rd):
    acc = sum(b if i & 1 else b << 8 for i, b in enumerate(rd))
    return (acc + ((acc >> 16) & 0xFFFF)) & 0xFFFF
dnskeys, signers = set(), set()
for line in open(os.path.join(t, "z.signed")):
    f = line.split()
    if len(f) > 7 and f[3] == "DNSKEY":
        rd = bytes([int(f[4]) >> 8, int(f[4]) & 255, int(f[5]), int(f[6])]) + base64.b64decode("".join(f[7:]))
        dnskeys.add((tag(rd), int(f[6])))
    elif len(f) > 10 and f[3] == "RRSIG":
        signers.add((int(f[10]), int(f[5])))
zone = json.load(open(os.path.join(t, "keys/zonekiln-state.json")))["zones"][0]
p = zone.get("pending_commit")
if p:
    st = os.stat(p["output"])
    if (st.st_dev, st.st_ino) != (p["dev"], p["ino"]):
        zone = p["previous"]
ok = True
for k in zone["keys"]:
    key, tl = (k["tag"], k["algorithm"]), k["timeline"]
    in_rrset = "published" in tl and "removed" not in tl
    if in_rrset != (key in dnskeys):
        print("key", key, "timeline", tl, "in the DNSKEY RRset:", key in dnskeys); ok = False
    if k["role"] == "ZSK" and "active" in tl and "retired" not in tl and key not in signers:
        print("active ZSK", key, "made no RRSIG"); ok = False
known = {(k["tag"], k["algorithm"]) for k in zone["keys"]}
if not dnskeys <= known:
    print("DNSKEYs the state does not know:", dnskeys - known); ok = False
sys.exit(0 if ok else 1)
PY
}

case=setup
zone 0
sign || { cat log; fail "first run"; }
n=0
for target in .signed ds.txt zonekiln-state.json zonekiln-state.json:2 .prom; do
  for op in create write fsync rename; do
    for err in ENOSPC EROFS EFBIG; do
      n=$((n + 1))
      day=$((day + 2))
      suffix=${target%%:*}
      nth=${target#"$suffix"}
      case="$op $suffix$nth $err"
      zone $n
      cp z.signed z.before
      cp ds.txt ds.before
      cp keys/zonekiln-state.json state.before
      rc=0
      ZK_TEST_FAIL_AT="$op:$suffix:$err$nth" sign || rc=$?
      published=yes
      cmp -s z.signed z.before && published=no
      case "$suffix$nth" in
        .signed | zonekiln-state.json) want=4 want_published=no ;;
        ds.txt) want=4 want_published=$([ $op = rename ] && echo yes || echo no) ;;
        zonekiln-state.json:2) want=0 want_published=yes ;;
        .prom) want=4 want_published=yes ;;
      esac
      [ $rc -eq $want ] || { fail "exit $rc, expected $want"; cat log; }
      [ $published = $want_published ] || { fail "published: $published"; cat log; }
      if [ $rc -eq 4 ]; then
        grep -q "($err)" log || { fail "the message does not name $err"; cat log; }
        if [ $published = yes ]; then
          grep -q "published" log || { fail "exit 4 after publishing, not said"; cat log; }
        fi
      fi
      if [ "$suffix" = zonekiln-state.json ] && [ -z "$nth" ]; then
        cmp -s keys/zonekiln-state.json state.before || fail "the key state changed"
      fi
      if [ $published = no ]; then
        cmp -s ds.txt ds.before || fail "the DS set changed though the zone was not published"
        grep -q "txt.*run $n" z.signed && fail "the new zone is out"
      fi
      agree
      # The next run (same time) recovers: exit 0, the zone valid and agreeing with the state.
      rc=0
      sign || rc=$?
      [ $rc -eq 0 ] || { fail "the run after the failure: exit $rc"; cat log; }
      grep -q "\"run $n\"" z.signed || fail "the recovery run did not publish the zone"
      grep -q pending_commit keys/zonekiln-state.json && fail "a pending commit is left"
      grep -q '^zonekiln_internal_failure{zone="example.test."} 0' m.prom || fail "metrics"
      "$ZK" verify z.signed --origin $O --ds ds.txt --now "$(ts $day)" >v.log 2>&1 ||
        { fail "the recovered zone does not verify"; cat v.log; }
      agree
    done
  done
done
zsks=$(grep -c '"role": "ZSK"' keys/zonekiln-state.json)
case=end
[ "$zsks" -ge 4 ] || fail "expected ZSK rollovers during the test, the state has $zsks ZSK(s)"
echo "$n injected failures; failures: $fails"
[ $fails -eq 0 ]
