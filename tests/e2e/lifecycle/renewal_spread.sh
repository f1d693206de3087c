#!/bin/bash
# Sixty nights of `zonekiln sign` on a generated zone (NSEC3 opt-out, a week's TTL, Ed25519)
# with 0.1 % of the hosts changed every night, a night skipped (outage) and a ZSK rollover
# (--zsk-lifetime 30d): the work of re-signing must spread evenly over the refresh cycle.
#
# After every signed night: the output passes `ldns-verify-zone -t <that night>`, no RRSIG has
# less than the refresh window left at publication, no RRSIG is by a key outside the DNSKEY
# RRset, and what the night re-signed agrees with the forecast the previous night made. After
# the first cycle no night re-signs more than 1.5/N of the RRsets (N = runs per refresh cycle,
# (validity - refresh) / run interval; the night after the outage does two nights' work and may
# re-sign 2 x 1.5/N). Before the skipped night's successor runs, the output of the night before
# the outage must still verify and keep every RRSIG valid for propagation + max TTL after it.
# The ZSK rollover must keep the same bound: the new key takes over as signatures fall due.
#
# Knobs (bench/renewal_bench.sh uses them): ZK_SIM_NAMES (5000), ZK_SIM_NIGHTS (60),
# ZK_SIM_SPREAD (sign's --sig-jitter, the spread; unset = the default spread; with 0, the behaviour before
# issue 18, the 1.5/N bound is not asserted), ZK_SIM_VERIFY_EVERY (1: ldns-verify-zone every
# night), ZK_SIM_RECORD (append one TSV line per night to this file), ZK_SIM_KEEP (a directory
# to keep the outputs in). Needs ZK_BINARY, ldns-verify-zone, dnssec-keygen, python3; exit 77 (skip) when one
# is missing, unless ZK_REQUIRE_TOOLS=1 (then it fails).
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
need_tools ldns-verify-zone dnssec-keygen python3
# Debian's python3 when there is one: a version manager's shim costs a second per call.
if [[ -x /usr/bin/python3 ]]; then PY=/usr/bin/python3; else PY=$(command -v python3); fi
NAMES=${ZK_SIM_NAMES:-5000}
NIGHTS=${ZK_SIM_NIGHTS:-60}
VERIFY_EVERY=${ZK_SIM_VERIFY_EVERY:-1}
SPREAD=${ZK_SIM_SPREAD-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
SIM="$PY $HERE/renewal_sim.py"
O=sim.example.
SKIP=20          # the machine is off this night
PROPAGATION=3600 # zonekiln's default propagation delay
MAX_TTL=604800   # the zone's largest TTL (renewal_sim.py gen)
mkdir $T/keys
dnssec-keygen -q -K $T/keys -a ED25519 -P 20200101000000 -A 20200101000000 -f KSK $O >/dev/null
$SIM gen $T/zone "$NAMES"
start=$(date -u -d '2026-03-01 03:17:00' +%s)
ts() { date -u -d @"$1" +%Y%m%d%H%M%S; }

fails=0
fail() {
  echo "FAIL night $night: $*"
  fails=$((fails + 1))
}
spread_args=()
bounded=1
if [ -n "$SPREAD" ]; then
  spread_args=(--sig-jitter "$SPREAD")
  bounded=0  # a chosen spread (0: the behaviour before issue 18) is measured, not bounded
fi
changes=0
for night in $(seq 0 $((NIGHTS - 1))); do
  now=$((start + night * 86400))
  if [ "$night" -gt 0 ]; then changes=$($SIM change $T/zone "$night" 0.001); fi
  if [ "$night" -eq $SKIP ]; then
    echo "night $night: skipped (outage)"
    continue
  fi
  if [ "$night" -eq $((SKIP + 1)) ]; then
    # The output published on the night before the outage is still what is served: it must
    # verify now, and every RRSIG must outlast this run's propagation and every cached copy.
    if ! ldns-verify-zone -t "$(ts $now)" $T/out >$T/v 2>&1; then
      fail "the output of night $((SKIP - 1)) does not verify after the outage"
      cat $T/v
    fi
    if ! $SIM outage $T/out "$now" $((PROPAGATION + MAX_TTL)) >$T/o; then
      fail "an RRSIG expires too soon after the outage: $(cat $T/o)"
    fi
  fi
  rc=0
  "$ZK" sign $T/zone --origin $O --keys $T/keys --output $T/out --now "$(ts $now)" \
    --nsec3 --nsec3-opt-out --zsk-lifetime 30d "${spread_args[@]}" \
    --stats-json $T/stats.json --metrics-file $T/metrics >$T/log 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    fail "sign exit $rc"
    cat $T/log
    continue
  fi
  if [ -n "${ZK_SIM_KEEP:-}" ]; then cp $T/out "$ZK_SIM_KEEP/night$night.zone"; fi
  if [ $((night % VERIFY_EVERY)) -eq 0 ] || [ "$night" -eq $((SKIP + 1)) ]; then
    if ! ldns-verify-zone -t "$(ts $now)" $T/out >$T/v 2>&1; then
      fail "ldns-verify-zone"
      cat $T/v
    fi
  fi
  rc=0
  $SIM night $T "$now" "$night" $SKIP "$changes" $bounded ${ZK_SIM_RECORD:-} >$T/n || rc=$?
  cat $T/n
  [ $rc -eq 0 ] || fails=$((fails + $(grep -c '^FAIL' $T/n)))
done

# The rollover happened and finished: two ZSKs in the state, and by the last night only the
# KSK and the new ZSK sign (the old ZSK's RRSIGs were all replaced as they fell due, and the
# key left the DNSKEY RRset after its retire interval).
night=end
if [ "$NIGHTS" -ge 60 ]; then
  zsks=$($PY -c "import json; z=json.load(open('$T/keys/zonekiln-state.json'))['zones'][0]; print(sum(1 for k in z['keys'] if k['role']=='ZSK'))")
  [ "$zsks" -ge 2 ] || fail "no ZSK rollover happened ($zsks ZSK in the state)"
  signers=$(sed -n 's/.*RRSIGs per key \(.*\), [0-9.]*s$/\1/p' $T/n | wc -w)
  [ "$signers" -eq 2 ] || fail "expected RRSIGs by the KSK and one ZSK at the end: $(cat $T/n)"
fi
echo "nights: $NIGHTS, failures: $fails"
[ $fails -eq 0 ]
