#!/bin/bash
# Issue 11: the key state does not depend on the working directory. Adoption and re-signing
# (with a ZSK rollover) from three working directories, with relative and absolute --keys, and
# the migration of a version 1 state whose key paths were relative to the adopting run's
# directory: every run succeeds and the state records key files by name in the key directory.
# Needs only ZK_BINARY and coreutils.
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
O=example.test.
mkdir -p "$T/srv/keys" "$T/home/op" "$T/var/cron"
cat >"$T/srv/z.zone" <<'ZONE'
$ORIGIN example.test.
$TTL 3600
@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.2
ZONE
(cd "$T/srv" && "$ZK" keygen --origin $O --keys keys --ksk >/dev/null)
# keygen dates a key by the clock; the runs here use fixed times in 2026, so date it 2020.
sed -i -E 's/(Created|Publish|Activate): [0-9]{14}/\1: 20200101000000/' "$T"/srv/keys/K*


fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
day=0
ts() { date -u -d "2026-01-01 + $1 days" +%Y%m%d%H%M%S; }
# run_in DIR KEYS ZONE: one nightly sign run from DIR, one day after the previous one.
run_in() {
  day=$((day + 7))
  local rc=0
  (cd "$1" && "$ZK" sign "$3" --origin $O --keys "$2" --output "$T/srv/z.signed" \
    --now "$(ts $day)" --zsk-lifetime 30d >"$T/log" 2>&1) || rc=$?
  [ $rc -eq 0 ] || { fail "sign from $1 with --keys $2 (day $day): exit $rc"; cat "$T/log"; }
  rc=0
  (cd "$1" && "$ZK" status --origin $O --keys "$2" --now "$(ts $day)" >"$T/status" 2>&1) || rc=$?
  [ $rc -eq 0 ] || { fail "status from $1 with --keys $2: exit $rc"; cat "$T/status"; }
  "$ZK" verify "$T/srv/z.signed" --origin $O --now "$(ts $day)" >"$T/v" 2>&1 ||
    { fail "verify after day $day"; cat "$T/v"; }
}
sources_by_name() {
  if grep '"source"' "$T/srv/keys/zonekiln-state.json" | grep -q '/'; then
    fail "a key path with a directory in the state:"
    grep '"source"' "$T/srv/keys/zonekiln-state.json"
  fi
}

# Adopted from the zone's directory with a relative --keys, then cron from elsewhere.
run_in "$T/srv" keys z.zone
sources_by_name
run_in "$T/home/op" ../../srv/keys ../../srv/z.zone
run_in "$T/var/cron" "$T/srv/keys" "$T/srv/z.zone"
# Enough weeks for ZSK rollovers, each run from another directory; new ZSKs are made there.
for i in 1 2 3 4 5 6; do
  run_in "$T/var/cron" "$T/srv/keys/" "$T/srv/z.zone"
  run_in "$T/home/op" ../../srv/keys ../../srv/z.zone
  run_in "$T/srv" ./keys z.zone
done
sources_by_name
zsks=$(grep -c '"role": "ZSK"' "$T/srv/keys/zonekiln-state.json")
[ "$zsks" -ge 3 ] || fail "expected ZSK rollovers, the state has $zsks ZSK(s)"

# A version 1 state: key paths relative to the directory of the run that adopted them.
sed -i -e 's/"version": 2/"version": 1/' -e 's/"source": "K/"source": "keys\/K/' \
  "$T/srv/keys/zonekiln-state.json"
grep -q '"source": "keys/K' "$T/srv/keys/zonekiln-state.json" || fail "no version 1 paths made"
run_in "$T/home/op" "$T/srv/keys" "$T/srv/z.zone"
grep -q '"version": 2' "$T/srv/keys/zonekiln-state.json" || fail "the state was not migrated"
sources_by_name
run_in "$T/var/cron" ../../srv/keys "$T/srv/z.zone"

echo "failures: $fails"
[ $fails -eq 0 ]
