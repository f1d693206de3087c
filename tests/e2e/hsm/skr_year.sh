#!/usr/bin/env bash
# A year of nightly runs on one signed key response made once, checked by ldns-verify-zone at
# each night's time.
#
#   ZK_BINARY=build/zonekiln bash tests/e2e/hsm/skr_year.sh
#
# The KSK lives in a SoftHSM2 token and signs the response once (`skr-sign --uri`); the request
# plans two ZSK rollovers inside the year (150-day ZSKs, 10-day periods). Each night (03:00 UTC)
# `zonekiln sign --skr` signs a small zone with the period covering that night, and the result
# must pass `ldns-verify-zone -k <token DNSKEY> -t <that night>`. The nights closer than three
# days to the end are skipped: there the run must refuse (checked at the end; select_skr_period
# is tested in skr_test.cpp).
#
# Exit 0 pass, 1 fail, 77 skipped (a tool is missing; a failure under ZK_REQUIRE_TOOLS=1).
# Writes only under its own temp dir.
set -euo pipefail

: "${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}"
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
MODULE=${ZK_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
need_tools softhsm2-util pkcs11-tool ldns-verify-zone "$MODULE" \
  /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zk-e2e-skr.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }

mkdir tokens zsks
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$WORK" >softhsm2.conf
export SOFTHSM2_CONF=$WORK/softhsm2.conf
softhsm2-util --init-token --free --label zk --pin 1234 --so-pin 5678 >/dev/null
pkcs11-tool --module "$MODULE" --token-label zk --login --pin 1234 --keypairgen \
  --key-type EC:prime256v1 --label ksk --id 01 >/dev/null 2>&1
export ZONEKILN_PIN=1234
ORIGIN=example.com.
FROM=20260101000000
START=$(date -u -d '2026-01-01 00:00:00' +%s)

cat >zone.txt <<'EOF'
$ORIGIN example.com.
$TTL 3600
@    IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600
@    IN NS  ns1
ns1  IN A   192.0.2.1
www  IN A   192.0.2.2
EOF

"$ZK_BINARY" ksr --origin $ORIGIN --keys zsks --from $FROM --to +365d --period 10d \
  --zsk-lifetime 150d --output request.ksr >/dev/null || fail "ksr"
"$ZK_BINARY" skr-sign request.ksr --uri 'pkcs11:token=zk;object=ksk' --pkcs11-module "$MODULE" \
  --output response.skr >skr.out || fail "skr-sign"
echo "HSM step (skr-sign, once for the year): $(grep 'key load' skr.out)"
# The first KSK DNSKEY. (Not '| head -1': with pipefail, awk can die of SIGPIPE once head exits.)
awk '$1 == "example.com." && $4 == "DNSKEY" && $5 == 257 && !seen++' response.skr >ta.key
[ -s ta.key ] || fail "no KSK DNSKEY in the response"

END=$(awk '$1 == ";;" && $2 == "period" { e = $4 } END { print e }' response.skr)
END_S=$(date -u -d "${END:0:8} ${END:8:2}:${END:10:2}:${END:12:2}" +%s)
declare -A zsk_seen=()
nights=0
prev_zsk=""
rollovers=0
for night in $(seq 0 364); do
  t=$((START + night * 86400 + 3 * 3600))
  [ $((t + 3 * 86400)) -lt "$END_S" ] || continue
  now=$(date -u -d "@$t" +%Y%m%d%H%M%S)
  awk -v now="$now" '$1 == ";;" && $2 == "period" { on = ($3 <= now && now < $4); next }
       on && $1 == ";;" { on = 0; next } on { print }' response.skr >period.txt
  zsk=$(awk -v now="$now" '$1 == ";;" && $2 == "period" && $3 <= now && now < $4 { print $7 }' \
    response.skr)
  [ -s period.txt ] && [ -n "$zsk" ] || fail "night $night ($now): no period"
  [ -z "$prev_zsk" ] || [ "$zsk" = "$prev_zsk" ] || rollovers=$((rollovers + 1))
  prev_zsk=$zsk
  zsk_seen[$zsk]=1
  # The real nightly job: zonekiln takes the period from the response itself.
  rm -f night.signed
  "$ZK_BINARY" sign zone.txt --origin $ORIGIN --keys zsks --skr response.skr --now "$now" \
    --output night.signed >sign.out 2>&1 || fail "night $night ($now): sign: $(cat sign.out)"
  ldns-verify-zone -k ta.key -t "$now" night.signed >verify.out 2>&1 \
    || fail "night $night ($now): $(cat verify.out)"
  nights=$((nights + 1))
done
# The check is time-sensitive: the last night's zone a month after the response ends is bogus.
if ldns-verify-zone -k ta.key -t "$(date -u -d "@$((END_S + 30 * 86400))" +%Y%m%d%H%M%S)" \
  night.signed >/dev/null 2>&1; then
  fail "ldns-verify-zone accepted expired signatures; the -t checks prove nothing"
fi
[ "$rollovers" -eq 2 ] || fail "expected 2 ZSK rollovers, saw $rollovers"
[ "${#zsk_seen[@]}" -eq 3 ] || fail "expected 3 ZSKs, saw ${#zsk_seen[@]}"
# Near the end the run must refuse (exit 3) rather than publish a response about to run out.
late=$(date -u -d "@$((END_S - 86400))" +%Y%m%d%H%M%S)
rc=0
"$ZK_BINARY" sign zone.txt --origin $ORIGIN --keys zsks --skr response.skr --now "$late" \
  --output late.signed >/dev/null 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "a run 1 day before the SKR ends: exit $rc, expected 3"
[ ! -e late.signed ] || fail "a refused run wrote a zone"
echo "$nights nights signed by zonekiln sign --skr, each verified by ldns-verify-zone -t <night>;" \
  "$rollovers ZSK rollovers"
