#!/bin/sh
# OpenSSL's own single-core signing rates for the algorithms bench/sign_bench.cpp measures, so
# the ratio zonekiln/OpenSSL shows. Run both on the same, otherwise idle machine:
#   bench/openssl_speed.sh [seconds]        (default 3 seconds per algorithm)
#   build/bench/sign_bench --benchmark_filter=BM_SignContext --benchmark_min_time=3
# RSASHA256 and RSASHA512 both use the RSA 2048 private-key operation (rsa2048 row).
set -eu
secs=${1:-3}
openssl version
for alg in rsa2048 ecdsap256 ecdsap384 ed25519 ed448; do
  openssl speed -seconds "$secs" "$alg" 2>/dev/null | grep -E '^(rsa|[ ]*[0-9]+ bits ecdsa|[ ]*[0-9]+ bits EdDSA)' || true
done
