#!/bin/bash
# Verification bench: zonekiln verify against ldns-verify-zone, dnssec-verify and kzonecheck on a
# bench/zonegen.py zone signed by zonekiln (ECDSAP256SHA256, NSEC), the cost of sign --verify modes,
# and OpenSSL's own verification rate (`openssl speed -multi CORES ecdsap256`).
#
#   bench/verify_bench.sh [NAMES]       (default 100000)
#   env: ZK=build/zonekiln CORES=2 WORK=<dir, default a new temp dir> SKIP="ldns bind knot"
#
# Each run prints wall and CPU (user) seconds: on a shared machine wall time mostly measures the
# other load, so compare signatures per CPU-second with OpenSSL's single-core row as well.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZK=${ZK:-$here/build/zonekiln}
CORES=${CORES:-2}
SKIP=${SKIP:-}
ZONEGEN=$here/bench/zonegen.py
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/zkverify.XXXXXX")}
NAMES=${1:-100000}
ORIGIN=example.test.
skip() { [[ " $SKIP " == *" $1 "* ]]; }
measure() {  # measure NAME CMD...
  local name=$1; shift
  local rc=0
  /usr/bin/time -f "%e %U %M" -o "$WORK/time" "$@" >"$WORK/log.$name" 2>&1 || rc=$?
  read -r wall user kb < <(tail -n 1 "$WORK/time")
  printf '%-26s wall %8.2f s  user %8.2f s  %7.1f MiB  rc=%d\n' "$name" "$wall" "$user" \
    "$(echo "$kb/1024" | bc -l)" "$rc"
}
cd "$WORK"
[ -f zone ] || python3 "$ZONEGEN" $ORIGIN "$NAMES" 1 >zone 2>/dev/null
mkdir -p keys
ls keys/*.private >/dev/null 2>&1 || {
  "$ZK" keygen --origin $ORIGIN --keys keys --ksk >/dev/null
  "$ZK" keygen --origin $ORIGIN --keys keys >/dev/null
}
echo "zone: $NAMES names in $WORK, $CORES threads"
for mode in "--verify none" "--verify structure" "--verify full"; do
  measure "sign ${mode#--}" "$ZK" sign zone --origin $ORIGIN --keys keys -o signed.zone \
    --ds-output ds --threads "$CORES" $mode
done
sigs=$(grep -c $'\tRRSIG\t' signed.zone || true)
echo "signatures in the zone: $sigs"
measure "zonekiln verify" "$ZK" verify signed.zone --origin $ORIGIN --ds ds --now +1d --threads "$CORES"
measure "zonekiln verify 1 thread" "$ZK" verify signed.zone --origin $ORIGIN --ds ds --now +1d --threads 1
measure "zonekiln verify structure" "$ZK" verify signed.zone --origin $ORIGIN --now +1d --structure-only --threads "$CORES"
skip ldns || measure "ldns-verify-zone" ldns-verify-zone signed.zone
skip bind || measure "dnssec-verify" dnssec-verify -o $ORIGIN signed.zone
skip knot || measure "kzonecheck -d on" kzonecheck -d on -o $ORIGIN signed.zone
echo "openssl speed -multi $CORES ecdsap256 (verify/s in the last column):"
openssl speed -multi "$CORES" -seconds 3 ecdsap256 2>/dev/null | tail -1
echo "openssl speed ecdsap256 (one core):"
openssl speed -seconds 3 ecdsap256 2>/dev/null | tail -1
