#!/bin/bash
# Full sign vs incremental re-sign after a 1% change, on a 1M-name bench/zonegen.py zone
# (ECDSA P-256).
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
dnssec-keygen -q -K keys -a ECDSAP256SHA256 -P 20200101000000 -A 20200101000000 -f KSK example.test. >/dev/null
python3 "$here/bench/zonegen.py" example.test. "$N" 1 > zone 2>/dev/null
# Change every 100th A record (about 1% of them).
awk '/ A [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ { n++; if (n % 100 == 0) sub(/\.[0-9]+$/, ".254") } {print}' zone > changed
run() {
  /usr/bin/time -f "$1 %e s wall, %M KB" -o time.txt "$Z" sign "$2" --origin example.test. \
    --keys keys --output out --threads "$THREADS" --now "$3" ${4:+"$4"} >/dev/null 2>&1
  cat time.txt
}
run full zone 20260101000000
run resign-1pct changed 20260101010000
run rerun-unchanged changed 20260101020000
run full-again changed 20260101030000 --full
