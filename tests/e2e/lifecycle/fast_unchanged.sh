#!/bin/bash
# "Nothing changed and nothing due" without reading the zone: after a successful run the key
# state records a fingerprint of the inputs and when the next refresh or key event is due; a
# run that finds both unchanged ends at once (no parse stage) and leaves the output alone. Every
# change to an input -- the zone file (even with its mtime put back), an $INCLUDEd file, the key
# directory, an option, the output or the DS set -- and the due time itself send the run the long
# way, which then signs what changed. The main cases run without the renewal spread
# (--sig-jitter 0: every signature falls due at the same time); the last two check the due time
# with the spread (the first early renewal) and with a key event. Needs ZK_BINARY, dnssec-keygen, ldns-verify-zone, python3;
# exit 77 (skip) when one is missing, exit 1 instead under ZK_REQUIRE_TOOLS=1.
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
KSK=$(dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK $O)
TAG=$((10#${KSK##*+}))
{ cat "$SRC/testdata/zones/example.com.zone"; echo '$INCLUDE hosts.inc'; } >$T/zone
sign() {  # now, extra flags...
  local now=$1
  shift
  "$ZK" sign $T/zone --origin $O --keys $T/keys --output $T/out --now "$now" \
    --stats-json $T/stats.json ${SPREAD:---sig-jitter 0} "$@" >$T/log 2>&1 || { cat $T/log; exit 1; }
}
stat_of() { python3 -c "import json; print(json.load(open('$T/stats.json'))['$1'])"; }
read_zone() { python3 -c "import json; print('parse' in json.load(open('$T/stats.json'))['seconds'])"; }
due() { python3 -c "import json; print(json.load(open('$T/keys/zonekiln-state.json'))['zones'][0]['fingerprint']['due'])"; }
expect() {  # what, unchanged True/False, zone read True/False
  [ "$(stat_of unchanged)" = "$2" ] || { echo "FAIL $1: unchanged is $(stat_of unchanged)"; cat $T/log; exit 1; }
  [ "$(read_zone)" = "$3" ] || { echo "FAIL $1: zone read is $(read_zone)"; cat $T/log; exit 1; }
}
valid() { ldns-verify-zone -t 20260110000000 $T/out >$T/v 2>&1 || { cat $T/v; exit 1; }; }

for mode in "" "--nsec3 --zonemd"; do
  rm -f $T/keys/zonekiln-state.json* $T/out
  echo 'host1 IN A 192.0.2.201' >$T/hosts.inc
  sign 20260101000000 $mode
  expect "$mode first run" False True
  # A run that leaves the owner something to do (publish the DS) records no fingerprint: the
  # long way repeats the reminder every run.
  if python3 -c "import json,sys; sys.exit('fingerprint' in json.load(open('$T/keys/zonekiln-state.json'))['zones'][0])"; then :; else
    echo "FAIL $mode: a fingerprint recorded while the owner has an action"; exit 1
  fi
  "$ZK" ksk ds-seen --origin $O --keys $T/keys --tag $TAG --now 20260101000000 >$T/log 2>&1 ||
    { cat $T/log; exit 1; }
  sign 20260101000000 $mode
  expect "$mode after ds-seen" True True
  d=$(due)
  [ "$d" -gt 1767225600 ] || { echo "FAIL: due $d not after the run"; exit 1; }
  touch -d '2025-06-01 00:00:00' $T/out
  before=$(stat -c %Y $T/out)
  sign 20260101010000 $mode
  # The output's mtime was set back by hand: that run went the long way (unchanged) and
  # recorded a new fingerprint, so the next one is the fast one.
  expect "$mode rerun" True True
  [ "$(stat -c %Y $T/out)" = "$before" ] || { echo "FAIL: output touched"; exit 1; }
  sign 20260101020000 $mode
  expect "$mode fast" True False
  grep -q 'without reading the zone' $T/log || { echo "FAIL: no note"; cat $T/log; exit 1; }
  [ "$(stat -c %Y $T/out)" = "$before" ] || { echo "FAIL: output touched"; exit 1; }

  # An $INCLUDEd file touched (same bytes): read again, still unchanged; then fast again.
  touch $T/hosts.inc
  sign 20260101030000 $mode
  expect "$mode include touched" True True
  sign 20260101040000 $mode
  expect "$mode after include touched" True False
  # Its content changed: signed.
  echo 'host1 IN A 192.0.2.202' >$T/hosts.inc
  sign 20260101050000 $mode
  expect "$mode include changed" False True
  grep -q '192.0.2.202' $T/out || { echo "FAIL: change not published"; exit 1; }
  valid
  # The zone file changed with its mtime put back: its ctime still tells.
  m=$(stat -c %y $T/zone)
  sed -i 's/192.0.2.25/192.0.2.26/' $T/zone
  touch -d "$m" $T/zone
  sign 20260101060000 $mode
  expect "$mode zone edited, mtime kept" False True
  grep -q '192.0.2.26' $T/out || { echo "FAIL: change not published"; exit 1; }
  sed -i 's/192.0.2.26/192.0.2.25/' $T/zone
  sign 20260101070000 $mode
  valid
  # Another option: the long way.
  sign 20260101080000 $mode --max-ttl 86400
  expect "$mode option changed" False True
  sign 20260101090000 $mode --max-ttl 86400
  expect "$mode option kept" True False
  # --full signs everything anew (the long way) and records: the next run is the fast one.
  sign 20260101091000 $mode --max-ttl 86400 --full
  expect "$mode --full" False True
  sign 20260101092000 $mode --max-ttl 86400
  expect "$mode after --full" True False
  # A new key in the key directory (a ZSK the owner made): the long way, which adopts it.
  dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 $O >/dev/null
  sign 20260101100000 $mode --max-ttl 86400
  [ "$(read_zone)" = True ] || { echo "FAIL $mode: new key not noticed"; exit 1; }
  valid
  # The DS set deleted: the long way writes it again.
  sign 20260101110000 $mode --max-ttl 86400
  rm $T/dsset-example.com.
  sign 20260101120000 $mode --max-ttl 86400
  [ "$(read_zone)" = True ] || { echo "FAIL $mode: deleted DS set not noticed"; exit 1; }
  [ -s $T/dsset-example.com. ] || { echo "FAIL $mode: DS set not written again"; exit 1; }
  # The output edited (a record's data, and a signature dropped): the long way publishes the
  # zone's data again with a full set of signatures.
  sign 20260101123000 $mode --max-ttl 86400
  expect "$mode before output edited" True False
  cp $T/out $T/out.good
  sed -i -e 's/192\.0\.2\.202/192.0.2.99/' -e '0,/\tRRSIG\tA /{/\tRRSIG\tA /d}' $T/out
  ! cmp -s $T/out $T/out.good || { echo "FAIL $mode: the edit did not change the output"; exit 1; }
  sign 20260101124000 $mode --max-ttl 86400
  expect "$mode output edited" False True
  grep -q '192.0.2.202' $T/out || { echo "FAIL $mode: edited record not restored"; exit 1; }
  ! grep -q '192.0.2.99' $T/out || { echo "FAIL $mode: edited record published"; exit 1; }
  valid
  # The output deleted: signed again.
  rm $T/out
  sign 20260101130000 $mode --max-ttl 86400
  expect "$mode output deleted" False True
  valid
  # Due: at the recorded time the run goes the long way and refreshes signatures.
  d=$(due)
  sign "$d" $mode --max-ttl 86400
  expect "$mode due" False True
  [ "$(stat_of rrsets_signed)" -gt 0 ] || { echo "FAIL $mode: nothing refreshed when due"; exit 1; }
done

# With the renewal spread the due time is the first renewal, early or not: just before it the
# run is the fast one; at it the run goes the long way and renews something.
rm -f $T/keys/zonekiln-state.json* $T/out
export SPREAD=" "
sign 20260101000000
"$ZK" ksk ds-seen --origin $O --keys $T/keys --tag $TAG --now 20260101000000 >$T/log 2>&1 ||
  { cat $T/log; exit 1; }
sign 20260101000000
expect "spread: after ds-seen" True True
d=$(due)
sign $((d - 1))
expect "spread: just before the first renewal" True False
sign "$d"
expect "spread: first renewal" False True
[ "$(stat_of rrsets_signed)" -gt 0 ] || { echo "FAIL spread: nothing renewed at $d"; exit 1; }
ldns-verify-zone -t "$(date -u -d @$d +%Y%m%d%H%M%S)" $T/out >$T/v 2>&1 || { cat $T/v; exit 1; }
unset SPREAD

# A key event that falls due before any signature does (a ZSK rollover at the shortest lifetime
# allowed): the recorded due time is the event's, a run just before it is the fast one, and the
# run at that time goes the long way and starts the rollover.
rm -f $T/keys/zonekiln-state.json* $T/out $T/keys/K*+*
KSK=$(dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK $O)
TAG=$((10#${KSK##*+}))
Z="--zsk-lifetime 23d"
sign 20260101000000 $Z
"$ZK" ksk ds-seen --origin $O --keys $T/keys --tag $TAG --now 20260101000000 >$T/log 2>&1 ||
  { cat $T/log; exit 1; }
"$ZK" status --origin $O --keys $T/keys --now 20260101000000 --json $Z >$T/status.json
at=$(python3 -c "import json; print(json.load(open('$T/status.json'))['next_action']['at'])")
# Every signature of Jan 1 needs refreshing by then: the next signature due is after the event.
sign $((at - 3600)) $Z
expect "refresh before the key event" False True
[ "$(due)" = "$at" ] || { echo "FAIL: recorded due $(due), key event at $at"; exit 1; }
sign $((at - 1)) $Z
expect "just before the key event" True False
sign "$at" $Z
expect "key event due" False True
grep -q 'successor' $T/log || { echo "FAIL: the key event did not happen at $at"; cat $T/log; exit 1; }
ldns-verify-zone -t "$(date -u -d @$at +%Y%m%d%H%M%S)" $T/out >$T/v 2>&1 || { cat $T/v; exit 1; }
echo "ok"
