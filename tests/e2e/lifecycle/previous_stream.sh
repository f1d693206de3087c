#!/bin/bash
# Incremental re-signing reads the previous output as a stream merged with the new zone. A
# previous output edited out of zonekiln's order must never lend a signature to an RRset it does
# not cover: here an RRset's second record is moved to the end of the file and the new zone drops
# that record, so a reader that only looked at the lines in place would see the old RRSIG over
# {one, two} next to {one} and reuse it. The run must notice the order, sign everything anew,
# and publish a zone that validates. Also: the NSEC3 section moved into the names, and a ZONEMD
# whose digest was edited (the zone is then rewritten rather than left alone).
# Needs ZK_BINARY, dnssec-keygen, ldns-verify-zone, python3; exit 77 (skip) when one is missing,
# exit 1 instead under ZK_REQUIRE_TOOLS=1.
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
for tool in dnssec-keygen ldns-verify-zone python3; do
  if ! command -v $tool >/dev/null; then
    echo "SKIP: $tool not installed"
    [ "${ZK_REQUIRE_TOOLS:-0}" = 1 ] && exit 1
    exit 77
  fi
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
O=example.com.
mkdir $T/keys
dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK $O >/dev/null
zone() {  # the bundled zone plus a two-record TXT RRset (or one record with "one")
  cat "$SRC/testdata/zones/example.com.zone"
  echo 'two IN TXT "one"'
  [ "$1" = one ] || echo 'two IN TXT "two"'
}
sign() {  # zone file, now, extra flags...
  local z=$1 now=$2
  shift 2
  "$ZK" sign "$z" --origin $O --keys $T/keys --output $T/out --now "$now" \
    --stats-json $T/stats.json "$@" >$T/log 2>&1
}
stat_of() { python3 -c "import json; print(json.load(open('$T/stats.json'))['$1'])"; }
check_valid() {
  ldns-verify-zone -t 20260103000000 "$@" $T/out >$T/v 2>&1 || { cat $T/v; exit 1; }
  "$ZK" verify $T/out --origin $O --now 20260103000000 >$T/v 2>&1 || { cat $T/v; exit 1; }
}
zone two >$T/zone.two
zone one >$T/zone.one

for mode in "" "--nsec3"; do
  rm -f $T/keys/zonekiln-state.json* $T/out
  sign $T/zone.two 20260101000000 $mode
  cp $T/out $T/out.1
  # The record "two" moved to the end of the file.
  line=$(grep -P '^two\.example\.com\.\t\d+\tIN\tTXT\t"two"$' $T/out)
  { grep -v -F -x "$line" $T/out.1; echo "$line"; } >$T/out
  sign $T/zone.one 20260102000000 $mode
  grep -q "not in zonekiln's order" $T/log || { echo "FAIL $mode: no note about the order"; cat $T/log; exit 1; }
  [ "$(stat_of rrsets_reused)" = 0 ] || { echo "FAIL $mode: reused from an out-of-order file"; exit 1; }
  check_valid
  # Its own output again, in order, with the same change: reuse works again.
  cp $T/out $T/out.2
  sign $T/zone.one 20260102010000 $mode
  [ "$(stat_of unchanged)" = True ] || { echo "FAIL $mode: in-order rerun not unchanged"; exit 1; }
  sign $T/zone.two 20260102020000 $mode
  [ "$(stat_of rrsets_reused)" -gt 20 ] || { echo "FAIL $mode: too little reused"; exit 1; }
  check_valid
done

# NSEC3 records moved in among the names.
rm -f $T/keys/zonekiln-state.json* $T/out
sign $T/zone.two 20260101000000 --nsec3
n3=$(grep -P '\tNSEC3\t' $T/out | head -1)
{ echo "$n3"; grep -v -F -x "$n3" $T/out; } | awk 'NR == 1 { first = $0; next } { print } NR == 3 { print first }' >$T/out.edited
mv $T/out.edited $T/out
sign $T/zone.two 20260102000000 --nsec3
grep -q "not in zonekiln's order" $T/log || { echo "FAIL: NSEC3 among the names not noticed"; cat $T/log; exit 1; }
[ "$(stat_of rrsets_reused)" = 0 ] || { echo "FAIL: reused from an out-of-order file"; exit 1; }
check_valid

# ZONEMD: an unchanged zone is left alone only while the published digest verifies.
for mode in "" "--nsec3"; do
  rm -f $T/keys/zonekiln-state.json* $T/out
  sign $T/zone.two 20260101000000 --zonemd $mode
  touch -d '2025-06-01 00:00:00' $T/out
  before=$(stat -c %Y $T/out)
  sign $T/zone.two 20260101010000 --zonemd $mode
  [ "$(stat_of unchanged)" = True ] || { echo "FAIL $mode: ZONEMD zone not unchanged"; exit 1; }
  [ "$(stat -c %Y $T/out)" = "$before" ] || { echo "FAIL $mode: unchanged output touched"; exit 1; }
  # One digit of the digest changed by hand: the zone is written again, with a good digest.
  python3 - $T/out <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
m = re.search(r'\tZONEMD\t\d+ 1 1 ([0-9A-F])', s)
c = '0' if m.group(1) != '0' else '1'
open(p, 'w').write(s[:m.start(1)] + c + s[m.end(1):])
PY
  sign $T/zone.two 20260101020000 --zonemd $mode
  [ "$(stat_of unchanged)" = False ] || { echo "FAIL $mode: a bad digest was left in place"; exit 1; }
  ldns-verify-zone -ZZ -t 20260103000000 $T/out >$T/v 2>&1 || { cat $T/v; exit 1; }
done
echo "ok"
