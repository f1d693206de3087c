#!/usr/bin/env bash
# How time and memory grow with the zone (issue 14): compile at each size in memory and with
# --memory-limit (spilled), and, with --sign, sign the same two ways (NSEC, --verify none: the
# signing pass itself; each sign is a full one, into an output of its own). Wall time and peak RSS from
# /usr/bin/time, the bytes a spilled run wrote to its temp directory from --stats-json.
# Writes bench/results/scale-DATE.tsv and an SVG plot of RSS and time per name beside it.
#
#   bench/scale.sh [--sign] [--peers] [--limit 1G] [SIZE...]  (default sizes: 1M 5M 10M 20M names)
#
# --peers: after zonekiln's jobs at a size, the signers users would pick instead on the same
# zone, for their peak RSS beside zonekiln's: kzonesign (Knot) and dnssec-signzone -P (BIND,
# without its post-sign verification, so that the run takes minutes, not an hour; its memory is
# the zone's database either way). Same algorithm (ECDSAP256SHA256), NSEC.
#
# ZK_SCALE_OUT names the table (default bench/results/scale-DATE.tsv; the SVG goes beside it).
# ZK_SCALE_SIGN_MEMORY_MAX: no in-memory sign above this many names (default: none skipped; the
# in-memory sign of 20M names needs about 9 GiB and 7 minutes).
# Zones come from bench/zonegen.py (seed 1), cached in $ZK_BENCH_DIR (default /tmp/zk-scale):
# 20M names is 2.4 GB of text; give the directory about 4x that. Run on an idle machine; one
# run of each job (the figures are minutes long, the guest's noise is a few percent).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=knot_conf.sh
source "$HERE/knot_conf.sh"
ZK=${ZK_BINARY:-$ROOT/build/zonekiln}
DIR=${ZK_BENCH_DIR:-/tmp/zk-scale}
sign=0
peers=0
limit=1G
sizes=()
while [ $# -gt 0 ]; do
  case $1 in
    --sign) sign=1 ;;
    --peers) peers=1 ;;
    --limit) limit=$2; shift ;;
    *) sizes+=("$1") ;;
  esac
  shift
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 5000000 10000000 20000000)
[ -x "$ZK" ] || { echo "build zonekiln first (cmake --build build)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian: time)" >&2; exit 2; }
mkdir -p "$DIR" "$ROOT/bench/results"
out=${ZK_SCALE_OUT:-$ROOT/bench/results/scale-$(date -u +%Y%m%d).tsv}
echo -e "names\tjob\tseconds\trss_mib\ttemp_mib\tzone_mib" >"$out"

# run NAMES JOB CMD...: one timed run, a row of the table.
run() {
  local names=$1 job=$2
  shift 2
  rm -f "$DIR/stats.json"
  /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" >/dev/null 2>"$DIR/log" ||
    { cat "$DIR/log"; echo "FAILED: $job at $names names" >&2; exit 1; }
  read -r secs kib <"$DIR/time"
  local temp=0
  if [ -s "$DIR/stats.json" ]; then
    temp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spill"]["bytes"])' \
      "$DIR/stats.json")
  fi
  local zone_bytes
  zone_bytes=$(stat -c %s "$DIR/z$names")
  printf "%s\t%s\t%s\t%d\t%d\t%d\n" "$names" "$job" "$secs" $((kib / 1024)) \
    $((temp / 1048576)) $((zone_bytes / 1048576)) | tee -a "$out"
}

for n in "${sizes[@]}"; do
  [ -s "$DIR/z$n" ] || python3 "$HERE/zonegen.py" example.test. "$n" 1 >"$DIR/z$n" 2>/dev/null
  run "$n" compile "$ZK" compile "$DIR/z$n" --origin example.test. -o "$DIR/out" \
    --memory-limit 0 --stats-json "$DIR/stats.json"
  run "$n" "compile --memory-limit $limit" "$ZK" compile "$DIR/z$n" --origin example.test. \
    -o "$DIR/out.spilled" --memory-limit "$limit" --temp-dir "$DIR" --stats-json "$DIR/stats.json"
  cmp -s "$DIR/out" "$DIR/out.spilled" || { echo "FAILED: spilled output differs at $n" >&2; exit 1; }
  if [ $sign = 1 ]; then
    rm -rf "$DIR/keys" && mkdir "$DIR/keys"
    "$ZK" keygen --origin example.test. --keys "$DIR/keys" --ksk >/dev/null
    if [ "$n" -le "${ZK_SCALE_SIGN_MEMORY_MAX:-$n}" ]; then
      run "$n" sign "$ZK" sign "$DIR/z$n" --origin example.test. --keys "$DIR/keys" \
        -o "$DIR/out.signed" --verify none --memory-limit 0 --stats-json "$DIR/stats.json"
    fi
    run "$n" "sign --memory-limit $limit" "$ZK" sign "$DIR/z$n" --origin example.test. \
      --keys "$DIR/keys" -o "$DIR/out.signed.spilled" --verify none --memory-limit "$limit" \
      --temp-dir "$DIR" --stats-json "$DIR/stats.json"
  fi
  rm -f "$DIR/out" "$DIR/out.spilled" "$DIR/out.signed" "$DIR/out.signed.spilled"
  if [ $peers = 1 ]; then
    rm -rf "$DIR/peers" && mkdir -p "$DIR/peers/keys" "$DIR/peers/knot"
    "$ZK" keygen --origin example.test. --keys "$DIR/peers/keys" --ksk >/dev/null
    "$ZK" keygen --origin example.test. --keys "$DIR/peers/keys" >/dev/null
    run "$n" "dnssec-signzone -P" dnssec-signzone -P -n "$(nproc)" -o example.test. \
      -K "$DIR/peers/keys" -d "$DIR/peers" -f "$DIR/peers/bind.signed" -S "$DIR/z$n"
    rm -f "$DIR/peers/bind.signed"
    ln -sf "$DIR/z$n" "$DIR/peers/knot/example.test.zone"
    knot_conf "$DIR/peers/knot" example.test. >"$DIR/peers/knot.conf"
    run "$n" kzonesign kzonesign -c "$DIR/peers/knot.conf" -o "$DIR/peers/knot-out" example.test.
    rm -rf "$DIR/peers"
  fi
done
python3 "$HERE/scale_plot.py" "$out" "${out%.tsv}.svg"
echo "wrote $out and ${out%.tsv}.svg"
