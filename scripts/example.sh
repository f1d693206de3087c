#!/usr/bin/env bash
# The main job on the bundled example zone: make the owner's KSK once (zonekiln makes and manages
# the ZSK itself), sign testdata/zones/example.com.zone, check the result with ldns-verify-zone,
# and print the DS records that go to the parent. Everything is written under out/example/.
set -euo pipefail
cd "$(dirname "$0")/.."
zk=build/zonekiln
out=out/example
mkdir -p "$out/keys"
chmod 700 "$out/keys"

if ! ls "$out"/keys/Kexample.com.+*.key >/dev/null 2>&1 || ! grep -qs ' 257 ' "$out"/keys/Kexample.com.+*.key; then
  echo "== making the owner's KSK (ECDSAP256SHA256) in $out/keys"
  "$zk" keygen --origin example.com. --keys "$out/keys" --ksk
fi

echo "== signing testdata/zones/example.com.zone"
"$zk" sign testdata/zones/example.com.zone --origin example.com. --keys "$out/keys" \
  --output "$out/example.com.signed" --ds-output "$out/dsset-example.com." \
  --stats-json "$out/stats.json"

echo "== checking with ldns-verify-zone"
ldns-verify-zone "$out/example.com.signed"

echo "== signed zone: $out/example.com.signed ($(wc -l < "$out/example.com.signed") records)"
echo "== DS records for the parent ($out/dsset-example.com.):"
cat "$out/dsset-example.com."
