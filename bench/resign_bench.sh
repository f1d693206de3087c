#!/bin/bash
# Full sign vs incremental re-sign after a 1% change, on a 1M-name bench/zonegen.py zone
# (ECDSA P-256); then reruns with nothing changed: one a second later (the fingerprint in the key
# state answers it, nothing being due yet) and one an hour later (with the renewal spread some
# RRsets are due by then: the long way, which renews them).
# Usage: bench/resign_bench.sh [ZONEKILN [NAMES [THREADS]]]   (writes into a temp dir)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
Z=$(realpath "${1:-$here/build/zonekiln}")
N=${2:-1000000}
THREADS=${3:-2}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
mkdir keys
ksk=$(dnssec-keygen -q -K keys -a ECDSAP256SHA256 -P 20200101000000 -A 20200101000000 -f KSK example.test.)
python3 "$here/bench/zonegen.py" example.test. "$N" 1 > zone 2>/dev/null
# Change every 100th A record (about 1% of them).
awk '/ A [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ { n++; if (n % 100 == 0) sub(/\.[0-9]+$/, ".254") } {print}' zone > changed
run() {
  /usr/bin/time -f "$1 %e s wall, %M KB" -o time.txt "$Z" sign "$2" --origin example.test. \
    --keys keys --output out --threads "$THREADS" --now "$3" ${4:+"$4"} ${ZK_BENCH_FLAGS:-} >/dev/null 2>&1
  cat time.txt
}
run full zone 20260101000000
# The parent has the DS: no owner action is left (a run with one repeats its reminder every run,
# so it never takes the fast path).
"$Z" ksk ds-seen --origin example.test. --keys keys --tag $((10#${ksk##*+})) \
  --now 20260101000000 >/dev/null
run resign-1pct changed 20260101010000
run rerun-1s changed 20260101010001
run rerun-1h changed 20260101020000
run full-again changed 20260101030000 --full
