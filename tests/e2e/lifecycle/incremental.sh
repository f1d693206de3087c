#!/usr/bin/env bash
# Incremental re-signing: an unchanged rerun leaves the output alone (bytes and mtime), a
# one-record change re-signs only the changed RRsets (and the SOA, whose serial moves), and the
# reused RRSIGs are byte-identical to the previous ones; --full signs everything again.
# Needs ZK_BINARY, dnssec-keygen, ldns-verify-zone, python3; exit 77 (skip) when one is missing
# (a failure under ZK_REQUIRE_TOOLS=1).
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
need_tools dnssec-keygen ldns-verify-zone python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
O=example.com.
mkdir $T/keys
dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK $O >/dev/null
cp "$SRC/testdata/zones/example.com.zone" $T/zone
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# --sig-jitter 0 (no spread): every RRSIG expires 14 days after the run that made it, so none falls due in the
# day between the runs here and the counts are exact (renewal_spread.sh tests the spread).
sign() {  # now, extra flags...
  local now=$1; shift
  "$ZK" sign $T/zone --origin $O --keys $T/keys --output $T/out --now $now --sig-jitter 0 \
    --stats-json $T/stats.json "$@" >$T/log 2>&1 || { fail "sign at $now exit $?"; cat $T/log; }
}
stat_of() { python3 -c "import json; print(json.load(open('$T/stats.json'))['$1'])"; }
rrsigs() { grep -P '\tRRSIG\t' "$1" | sort; }

for mode in "" "--nsec3"; do
  rm -f $T/keys/zonekiln-state.json* $T/out
  sign 20260101000000 $mode
  cp $T/out $T/out.1
  # Unchanged, a day later: nothing due, the file is not rewritten.
  touch -d '2025-06-01 00:00:00' $T/out
  before=$(stat -c %Y $T/out)
  sign 20260102000000 $mode
  [ "$(stat_of unchanged)" = True ] || fail "$mode: unchanged rerun not reported as unchanged"
  [ "$(stat -c %Y $T/out)" = "$before" ] || fail "$mode: unchanged rerun touched the output"
  cmp -s $T/out $T/out.1 || fail "$mode: unchanged rerun changed the bytes"
  grep -q 'not rewritten' $T/log || fail "$mode: the log does not say the output was left alone"

  # One record changes: only its RRset and the SOA are signed anew.
  cp $T/zone $T/zone.orig
  sed -i 's/^mail    IN A    192.0.2.25/mail    IN A    192.0.2.26/' $T/zone
  sign 20260102000000 $mode
  [ "$(stat_of rrsets_signed)" = 2 ] || fail "$mode: expected 2 RRsets signed, got $(stat_of rrsets_signed)"
  total=$(stat_of rrsets)
  reused=$(stat_of rrsets_reused)
  [ "$reused" -gt 20 ] || fail "$mode: only $reused RRsets reused of $total"
  ldns-verify-zone -t 20260102000000 $T/out >$T/v 2>&1 || { fail "$mode: verify"; cat $T/v; }
  # Every RRSIG of the first output except those over the SOA and mail's A is kept, unchanged.
  rrsigs $T/out.1 | grep -v -P '^example\.com\.\t\d+\tIN\tRRSIG\tSOA ' |
    grep -v -P '^mail\.example\.com\.\t\d+\tIN\tRRSIG\tA ' > $T/expect
  rrsigs $T/out > $T/now
  missing=$(comm -23 $T/expect $T/now | wc -l)
  [ "$missing" -eq 0 ] || fail "$mode: $missing reused RRSIGs are not byte-identical"
  old_serial=$(awk '$4 == "SOA" {print $7; exit}' $T/out.1)
  new_serial=$(awk '$4 == "SOA" {print $7; exit}' $T/out)
  [ "$new_serial" -gt "$old_serial" ] || fail "$mode: serial did not move ($old_serial -> $new_serial)"

  # --full signs everything again.
  sign 20260102000000 $mode --full
  [ "$(stat_of rrsets_reused)" = 0 ] || fail "$mode: --full reused signatures"
  cp $T/zone.orig $T/zone
done
echo "failures: $fails"
[ $fails -eq 0 ]
