#!/usr/bin/env bash
# End-to-end: the zone owner's KSK in a PKCS#11 token (SoftHSM2), checked by ldns and BIND.
#
#   ZK_BINARY=build/zonekiln bash tests/e2e/hsm/run.sh
#
# Part 1, offline KSK (needs only ksk/ksr/skr-sign):
#   token + EC P-256 key -> `zonekiln ksk add --uri` -> `zonekiln ksr` -> `zonekiln skr-sign
#   --uri` (the KSK signs inside the token) -> the current period's DNSKEY/CDS/CDNSKEY RRsets and
#   RRSIGs, plus the rest of a small zone signed with that period's ZSK by ldns-signzone, must
#   pass `ldns-verify-zone -k <the token's DNSKEY>` (so the token's signature is what is
#   checked) and `dnssec-verify`.
# Part 2, online: `zonekiln sign` with the key directory holding the token key's descriptor and
#   the PIN in --pin-file or ZONEKILN_PIN; the output must pass ldns-verify-zone and
#   dnssec-verify.
#
# Exit 0 pass, 1 fail, 77 skipped (a tool is missing; a failure under ZK_REQUIRE_TOOLS=1).
# Writes only under its own temp dir.
set -euo pipefail

: "${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}"
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
MODULE=${ZK_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
need_tools softhsm2-util pkcs11-tool ldns-signzone ldns-verify-zone dnssec-verify "$MODULE" \
  /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so

WORK=$(mktemp -d "${TMPDIR:-/tmp}/zk-e2e-hsm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
now_ms() { date +%s%3N; }

# A private token store: never the system's SoftHSM configuration.
mkdir tokens keys zsks
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$WORK" >softhsm2.conf
export SOFTHSM2_CONF=$WORK/softhsm2.conf
softhsm2-util --init-token --free --label zk --pin 1234 --so-pin 5678 >/dev/null
pkcs11-tool --module "$MODULE" --token-label zk --login --pin 1234 --keypairgen \
  --key-type EC:prime256v1 --label ksk --id 01 >/dev/null 2>&1
umask 077
echo 1234 >pin
URI='pkcs11:token=zk;object=ksk;id=%01'
ORIGIN=example.com.

cat >zone.txt <<'EOF'
$ORIGIN example.com.
$TTL 3600
@    IN SOA ns1 hostmaster 2026010101 7200 3600 1209600 3600
@    IN NS  ns1
ns1  IN A   192.0.2.1
www  IN A   192.0.2.2
www  IN AAAA 2001:db8::2
mail IN MX  10 www
EOF

# --- the owner registers the token key -------------------------------------------------------
"$ZK_BINARY" ksk add --origin $ORIGIN --keys keys --uri "$URI" --pin-file pin \
  --pkcs11-module "$MODULE" >add.out || fail "ksk add --uri"
ls keys/K${ORIGIN}+013+*.pkcs11 >/dev/null || fail "no .pkcs11 descriptor written"
if grep -q "pin" keys/*.pkcs11; then fail "the descriptor mentions a PIN"; fi
TAG=$(sed -n 's/.*--tag \([0-9]*\).*/\1/p' add.out)
[ -n "$TAG" ] || fail "ksk add did not report a tag: $(cat add.out)"
grep -h '^DNSKEY:' keys/*.pkcs11 | sed 's/^DNSKEY: //' >trust-anchor.key

# --- part 1: offline KSK ----------------------------------------------------------------------
FROM=$(date -u -d '-1 day' +%Y%m%d000000)
"$ZK_BINARY" ksr --origin $ORIGIN --keys zsks --from "$FROM" --to +60d --period 10d \
  --zsk-lifetime 30d --output request.ksr >/dev/null || fail "ksr"
ZONEKILN_PIN=$(cat pin) "$ZK_BINARY" skr-sign request.ksr --uri "$URI" \
  --pkcs11-module "$MODULE" --output response.skr >skr.out || fail "skr-sign"
echo "HSM step (skr-sign): $(grep 'key load' skr.out)"
set +e
ZONEKILN_PIN=0000 "$ZK_BINARY" skr-sign request.ksr --uri "$URI" --pkcs11-module "$MODULE" \
  --output x.skr 2>err.txt
rc=$?
set -e
[ $rc -eq 3 ] || fail "wrong PIN: exit $rc, expected 3 ($(cat err.txt))"
[ ! -e x.skr ] || fail "wrong PIN still wrote a response"

# The period covering now, and its ZSK.
NOW=$(date -u +%Y%m%d%H%M%S)
awk -v now="$NOW" '$1 == ";;" && $2 == "period" { on = ($3 <= now && now < $4); zsk = $7; next }
     on && $1 == ";;" { on = 0; next }
     on { print } END {}' response.skr >period.txt
ZSK_TAG=$(awk -v now="$NOW" '$1 == ";;" && $2 == "period" && $3 <= now && now < $4 { print $7 }' \
  response.skr)
[ -s period.txt ] && [ -n "$ZSK_TAG" ] || fail "no period covers $NOW"
ZSK=$(printf 'zsks/K%s+013+%05d' $ORIGIN "$ZSK_TAG")
[ -f "$ZSK.private" ] || fail "the period's ZSK $ZSK is not in zsks/"
{ cat zone.txt; grep -v ' RRSIG ' period.txt; } >offline.zone
ldns-signzone -n -d -i "$(date -u -d '-1 hour' +%Y%m%d%H%M%S)" \
  -e "$(date -u -d '+14 days' +%Y%m%d%H%M%S)" -f offline.signed offline.zone "$ZSK" \
  || fail "ldns-signzone"
grep ' RRSIG ' period.txt >>offline.signed
ldns-verify-zone -k trust-anchor.key offline.signed >ldns1.out 2>&1 \
  || fail "ldns-verify-zone (offline KSK): $(cat ldns1.out)"
dnssec-verify -o $ORIGIN offline.signed >bind1.out 2>&1 \
  || fail "dnssec-verify (offline KSK): $(cat bind1.out)"
echo "part 1 (offline KSK in the token): ldns-verify-zone and dnssec-verify pass"

# --- part 2: zonekiln sign with the token KSK ------------------------------------------------
"$ZK_BINARY" ksk activate --origin $ORIGIN --keys keys --tag "$TAG" >activate.out 2>&1 ||
  fail "ksk activate: $(cat activate.out)"
PIN_ARGS=(--pin-file pin --pkcs11-module "$MODULE")
t0=$(now_ms)
ZONEKILN_PIN=$(cat pin) "$ZK_BINARY" sign zone.txt --origin $ORIGIN --keys keys \
  --output online.signed "${PIN_ARGS[@]}" >sign.out 2>&1 || fail "sign: $(cat sign.out)"
t1=$(now_ms)
echo "zonekiln sign with the token KSK: $((t1 - t0)) ms for the whole run"
awk -v tag="$TAG" '$4 == "RRSIG" && $5 == "DNSKEY" && $11 == tag { found = 1 }
     END { exit !found }' online.signed || fail "the DNSKEY RRset is not signed by the token key $TAG"
ldns-verify-zone -k trust-anchor.key online.signed >ldns2.out 2>&1 \
  || fail "ldns-verify-zone (online): $(cat ldns2.out)"
dnssec-verify -o $ORIGIN online.signed >bind2.out 2>&1 \
  || fail "dnssec-verify (online): $(cat bind2.out)"
# The wrong PIN must stop the run with exit 3 and leave no signed zone behind.
set +e
ZONEKILN_PIN=0000 "$ZK_BINARY" sign zone.txt --origin $ORIGIN --keys keys \
  --output wrong.signed >/dev/null 2>&1
rc=$?
set -e
[ $rc -eq 3 ] || fail "sign with a wrong PIN: exit $rc, expected 3"
[ ! -e wrong.signed ] || fail "sign with a wrong PIN wrote a zone"
echo "part 2 (online, zonekiln sign): ldns-verify-zone and dnssec-verify pass"
