#!/usr/bin/env bash
# The example Makefile (examples/many-zones): 300 zones, `make -j2` signs all of them and every
# one validates with ldns-verify-zone; a second `make` runs nothing; a touched but unchanged
# source runs only its zone (the signed file stays untouched, the stamp moves); a zone with a
# syntax error fails only its own target, and `make -k` publishes the rest.
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
HERE=$(cd "$(dirname "$0")" && pwd)
EXAMPLE="$HERE/../../../examples/many-zones"
skip() {
  echo "SKIP: $*"
  if [[ "${ZK_REQUIRE_TOOLS:-0}" == 1 ]]; then exit 1; fi
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for tool in make ldns-verify-zone python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
cp "$EXAMPLE/Makefile" "$EXAMPLE/gen-zones.py" .
python3 gen-zones.py --zones 300 --names 10 --out .
M=(make --no-print-directory "ZONEKILN=$ZK")

"${M[@]}" -j2 >make1.out 2>&1 || fail "make -j2: $(tail -20 make1.out)"
[[ $(ls stamps/*.stamp | wc -l) == 300 ]] || fail "not 300 stamps"
[[ $(ls signed/*.zone | wc -l) == 300 ]] || fail "not 300 signed zones"
for f in signed/*.zone; do
  ldns-verify-zone "$f" >/dev/null 2>&1 || fail "ldns-verify-zone rejects $f"
done

# Up to date: `make -q` says so and a plain make runs no command.
"${M[@]}" -q || fail "make -q: not up to date after a full run"
"${M[@]}" -j2 >make2.out 2>&1
if grep -q 'zonekiln' make2.out; then fail "the second make ran: $(cat make2.out)"; fi

# A touched, unchanged source: only its target runs; zonekiln leaves the output alone.
signed_before=$(stat -c %Y.%y signed/z00005.example.zone)
touch zones/z00005.example.zone
"${M[@]}" -j2 >make3.out 2>&1 || fail "make after touch: $(cat make3.out)"
[[ $(grep -c 'zonekiln sign' make3.out) == 1 ]] && grep -q 'z00005.example$' make3.out ||
  fail "touch ran other targets: $(cat make3.out)"
[[ $(stat -c %Y.%y signed/z00005.example.zone) == "$signed_before" ]] || fail "output rewritten"
[[ stamps/z00005.example.stamp -nt zones/z00005.example.zone ]] || fail "stamp not moved"
"${M[@]}" -q || fail "make -q: not up to date after the touched zone ran"

# A syntax error in one zone, real changes in two others: -k publishes the two.
cp signed/z00100.example.zone z100.before
echo 'oops IN A' >>zones/z00100.example.zone
echo 'added IN A 192.0.2.77' >>zones/z00101.example.zone
echo 'added IN A 192.0.2.78' >>zones/z00250.example.zone
set +e
"${M[@]}" -k -j2 >make4.out 2>&1
code=$?
set -e
[[ $code != 0 ]] || fail "make succeeded with a broken zone"
[[ $(grep -c 'Error' make4.out) == 1 ]] && grep -q 'stamps/z00100.example.stamp.* Error 1' make4.out ||
  fail "not exactly the broken zone's target failed: $(cat make4.out)"
grep -q 'zone z00100.example.: .*z00100.example.zone:[0-9]*:[0-9]*: error' make4.out ||
  fail "the error does not name zone, file and position"
cmp -s z100.before signed/z00100.example.zone || fail "the broken zone's output changed"
[[ ! -e stamps/z00100.example.stamp || stamps/z00100.example.stamp -ot zones/z00100.example.zone ]] ||
  fail "the failed target has a fresh stamp"
for z in z00101 z00250; do
  grep -q 'added' signed/$z.example.zone || fail "$z was not published under make -k"
  ldns-verify-zone signed/$z.example.zone >/dev/null || fail "$z does not validate"
done
echo "ok: make -j2 over 300 zones, idempotent, failures confined to their targets"
