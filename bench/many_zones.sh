#!/usr/bin/env bash
# Many small zones: one `sign --config` run against `make -j$CORES` running one `zonekiln sign`
# process per zone, and against the OpenSSL limit for the same number of signatures
# (`openssl speed ecdsap256`, CPU time per signature). Not a test: it prints figures.
#
#   ZK_BINARY=build/zonekiln bench/many_zones.sh [ZONES=10000] [NAMES=100] [CORES=2]
#
# Both runs sign every zone fully (the outputs are removed before each run; the ZSKs already
# exist from a warm-up run, as on every night after the first) with --verify none, the setting
# the OpenSSL signing limit compares with; a third run shows the default (full verification).
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
ZK=$(readlink -f "$ZK")
ZONES=${1:-10000}
NAMES=${2:-100}
CORES=${3:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
python3 "$HERE/../examples/many-zones/gen-zones.py" --zones "$ZONES" --names "$NAMES" --out .
"$ZK" keygen --config zonekiln.toml --ksk >/dev/null
"$ZK" sign --config zonekiln.toml --quiet --verify none --threads "$CORES"  # ZSKs, state
# One process per zone, the way a per-zone Makefile runs it.
{
  echo 'ZONES := $(patsubst zones/%.zone,%,$(wildcard zones/*.zone))'
  echo 'all: $(ZONES:%=signed/%.zone)'
  echo 'signed/%.zone: zones/%.zone'
  printf '\t@%s sign $< --origin $* --keys keys/$* --output $@ --ds-output ds/dsset-$*. ' "$ZK"
  printf -- '--max-ttl 86400 --verify none --quiet --threads 1\n'
} >per-zone.mk

timed() {  # label, command...: prints wall, user, sys seconds
  local label=$1
  shift
  rm -f signed/*.zone
  /usr/bin/time -f "%e %U %S" -o "time.$label" "$@" >/dev/null
  read -r wall user sys <"time.$label"
  printf '%-28s wall %8.2f s   cpu %8.2f s (user %.2f, sys %.2f)\n' "$label" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$user" "$sys"
}
timed one-run "$ZK" sign --config zonekiln.toml --quiet --verify none --threads "$CORES" \
  --stats-json one.json
timed make-per-zone make -s -j"$CORES" -f per-zone.mk
timed one-run-full-verify "$ZK" sign --config zonekiln.toml --quiet --threads "$CORES"

sigs=$(python3 -c 'import json,sys; print(sum(z["stats"]["signatures"] for z in json.load(open(sys.argv[1]))["zones"]))' one.json)
rate=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1); exit}')
read -r w1 u1 s1 <time.one-run
read -r w2 u2 s2 <time.make-per-zone
python3 - "$ZONES" "$sigs" "$rate" "$CORES" "$w1" "$u1" "$s1" "$w2" "$u2" "$s2" <<'PY'
import sys
zones, sigs = int(sys.argv[1]), int(sys.argv[2])
rate, cores = float(sys.argv[3]), int(sys.argv[4])
w1, u1, s1, w2, u2, s2 = map(float, sys.argv[5:])
limit = sigs / (rate * cores)          # wall seconds if every core only signed
sig_cpu = sigs / rate                  # CPU seconds of the signatures alone
print(f"zones {zones}, {sigs / zones:.0f} signatures/zone, {sigs} signatures; "
      f"openssl speed ecdsap256: {rate:.0f} sign/s per core")
print(f"OpenSSL limit on {cores} cores: {limit:.2f} s; one run: {w1:.2f} s = {w1 / limit:.2f}x the limit")
print(f"one process per zone: {w2:.2f} s = {w2 / w1:.2f}x the one run")
print(f"fixed cost per zone (CPU beyond the signatures): one run {(u1 + s1 - sig_cpu) / zones * 1000:.3f} ms, "
      f"per process {(u2 + s2 - sig_cpu) / zones * 1000:.3f} ms")
print(f"wall time per zone beyond the limit: one run {(w1 - limit) / zones * 1000:.3f} ms")
PY
