#!/bin/bash
# The nightly cost curve before and after issue 18: sixty simulated nights of `zonekiln sign`
# (tests/e2e/lifecycle/renewal_spread.sh: NSEC3 opt-out, a week's TTL, 0.1 % of the hosts
# changed a night, night 20 skipped, a ZSK rollover at night 30) on a generated zone, once with
# --sig-jitter 0 (no spread: every new RRSIG expires validity after its run, as before) and once with the
# default spread. Writes OUT.tsv (mode, night, RRsets with RRSIGs, re-signed, of them early,
# RRSIGs made, seconds, signing keys) and OUT.svg (bench/renewal_plot.gp, gnuplot).
# Usage: bench/renewal_bench.sh [ZONEKILN [NAMES [OUT [VERIFY_EVERY]]]]
#   defaults: build/zonekiln, 100000 names, bench/renewal_100k, ldns-verify-zone every 10th night
#   (zonekiln verifies its own output every night; the test runs ldns-verify-zone every night).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
ZK=$(realpath "${1:-build/zonekiln}")
NAMES=${2:-100000}
OUT=${3:-$SRC/bench/renewal_100k}
VERIFY_EVERY=${4:-10}
: >"$OUT.tsv.tmp"
for mode in 0 default; do
  T=$(mktemp)
  spread=()
  [ "$mode" = 0 ] && spread=(ZK_SIM_SPREAD=0)
  echo "== $NAMES names, spread $mode" >&2
  env "${spread[@]}" ZK_BINARY="$ZK" ZK_SIM_NAMES="$NAMES" ZK_SIM_VERIFY_EVERY="$VERIFY_EVERY" \
    ZK_SIM_RECORD="$T" bash "$SRC/tests/e2e/lifecycle/renewal_spread.sh" >&2
  sed "s/^/$mode\t/" "$T" >>"$OUT.tsv.tmp"
  rm -f "$T"
done
{
  printf 'mode\tnight\trrsets\tresigned\tearly\trrsigs_made\tseconds\tsigning_keys\n'
  cat "$OUT.tsv.tmp"
} >"$OUT.tsv"
rm -f "$OUT.tsv.tmp"
gnuplot -e "data='$OUT.tsv'; out='$OUT.svg'; names='$NAMES'" "$SRC/bench/renewal_plot.gp"
echo "wrote $OUT.tsv and $OUT.svg" >&2
