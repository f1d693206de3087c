#!/bin/sh
# OpenSSL's own single-core signing rates for the algorithms bench/sign_bench.cpp measures, so
# the ratio zonekiln/OpenSSL shows. Both use CPU time (openssl speed's default, Google
# Benchmark's rate counters). Run on the same, otherwise idle machine:
#
#   bench/openssl_speed.sh [seconds] [path/to/sign_bench]
#
# seconds: per algorithm (default 3). With the sign_bench path, the script also runs
# BM_SignContext for as long and prints a ratio table. RSASHA256 and RSASHA512 both compare
# with the rsa2048 private-key rate (the hash is a negligible part of an RSA signature).
set -eu
secs=${1:-3}
bench=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl version
for alg in rsa2048 ecdsap256 ecdsap384 ed25519 ed448; do
  openssl speed -seconds "$secs" "$alg" 2>/dev/null |
    grep -E '^(rsa|[ ]*[0-9]+ bits ecdsa|[ ]*[0-9]+ bits EdDSA)' | tee -a "$tmp/speed"
done
[ -n "$bench" ] || exit 0

"$bench" --benchmark_filter='BM_SignContext/' --benchmark_min_time="$secs" \
  --benchmark_format=csv 2>/dev/null >"$tmp/bench"
# openssl speed rows: "rsa 2048 bits ... sign/s verify/s", " 256 bits ecdsa (nistp256) ...".
awk -F, -v speed="$tmp/speed" '
  BEGIN {
    while ((getline line < speed) > 0) {
      n = split(line, f, " ")
      if (line ~ /^rsa 2048/) { r["RSASHA256"] = f[n-1]; r["RSASHA512"] = f[n-1] }
      if (line ~ /nistp256/) r["ECDSAP256SHA256"] = f[n-1]
      if (line ~ /nistp384/) r["ECDSAP384SHA384"] = f[n-1]
      if (line ~ /Ed25519/) r["ED25519"] = f[n-1]
      if (line ~ /Ed448/) r["ED448"] = f[n-1]
    }
    printf "\n%-16s %14s %14s %7s\n", "algorithm", "zonekiln sig/s", "openssl sig/s", "ratio"
  }
  NR > 1 && $1 ~ /BM_SignContext/ {
    alg = $8; gsub(/"/, "", alg)
    if (alg in r) printf "%-16s %14.0f %14.0f %6.1f%%\n", alg, $7, r[alg], 100 * $7 / r[alg]
  }' "$tmp/bench"
