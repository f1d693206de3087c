#!/bin/bash
# Where the CPU time of a sign run goes (issue 17): `perf record` with DWARF call graphs over
# `zonekiln sign --verify none` (and `zonekiln verify` of its output) on a bench/zonegen.py zone
# (ECDSA P-256, NSEC, one thread unless told otherwise), then the inclusive share of each stage
# and of the work under the signature call, and the CPU time per signature.
#
#   bench/profile_sign.sh [ZONEKILN [NAMES [THREADS]]]     (default build/zonekiln 100000 1)
#
# Needs perf (Debian: linux-perf), dnssec-keygen and python3. The shares are of the process's
# own CPU samples, so a shared machine changes them less than wall time (a busy sibling core's
# cache still does); compare runs from the same machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
Z=$(realpath "${1:-$here/build/zonekiln}")
N=${2:-100000}
THREADS=${3:-1}
for tool in perf dnssec-keygen python3; do
  command -v $tool >/dev/null || { echo "profile_sign.sh: needs $tool" >&2; exit 1; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
mkdir keys
dnssec-keygen -q -K keys -a ECDSAP256SHA256 -P 20200101000000 -A 20200101000000 -f KSK \
  example.test. >/dev/null
python3 "$here/bench/zonegen.py" example.test. "$N" 1 >zone 2>/dev/null
record() {  # NAME CMD...: CPU time to NAME.time, samples to NAME.data
  local name=$1
  shift
  perf record -q -F 1000 --call-graph dwarf,16384 -o "$name.data" -- \
    /usr/bin/time -f "%U %S" -o "$name.time" "$@" >/dev/null 2>&1
}
record sign "$Z" sign zone --origin example.test. --keys keys --output out --threads "$THREADS" \
  --verify none --now 20260101000000 --stats-json sign.json
record verify "$Z" verify out --origin example.test. --threads "$THREADS" --now 20260102000000
sigs=$(python3 -c "import json; print(json.load(open('sign.json'))['signatures'])")
# OpenSSL's own rate on one core in the same run: the limit the per-signature figures compare to.
openssl speed -seconds 5 ecdsap256 2>/dev/null >speed.txt
read -r ossl_sign ossl_verify < <(awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1), $NF}' speed.txt)
echo "openssl speed ecdsap256 (one core): $ossl_sign sign/s, $ossl_verify verify/s:" \
  "$(python3 -c "print(f'{1e6/$ossl_sign:.1f} us per signature, {1e6/$ossl_verify:.1f} us per verification')")"
for run in sign verify; do
  perf report -i $run.data --children --sort sym --stdio -g none --percent-limit 0 2>/dev/null |
    grep -E '^ +[0-9]' >$run.txt
  read -r user sys <$run.time
  python3 - "$run" "$sigs" "$user" "$sys" $run.txt <<'PY'
import re, sys
run, sigs, user, sys_t, path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
incl = {}
for line in open(path):
    m = re.match(r"\s*([0-9.]+)%\s+([0-9.]+)%\s+\[.\]\s+(.*)", line)
    if m:
        incl.setdefault(m.group(3).strip(), float(m.group(1)))
def share(*names):
    return sum(max((v for k, v in incl.items() if n in k), default=0.0) for n in names)
cpu = user + sys_t
us = cpu / sigs * 1e6
print(f"{run}: {cpu:.2f} s of CPU (user {user}, sys {sys_t}) for {sigs} signatures: "
      f"{us:.1f} us per signature")
rows = []
if run == "sign":
    ecdsa = share("sign_ecdsa")
    rand = share("RAND_priv_bytes_ex")
    fetch = share("EVP_MD_fetch")
    sign_all = share("zk::signer::SignContext::sign")
    rows = [
        ("parse (zone file to records)", share("Compilation::parse")),
        ("sort, index, checks", share("Compilation::sort_and_check")),
        ("keys, TTL clamp, key records", share("Compilation::plan_keys", "Compilation::add_key_records")),
        ("NSEC chain", share("Compilation::build_chain")),
        ("sign+write pass, of which:", share("Compilation::sign_verify_write")),
        ("  ECDSA signature in OpenSSL (ECDSA_do_sign)", ecdsa),
        ("    of which its nonce: DRBG (RAND_priv_bytes, getpid)", rand),
        ("    of which its nonce: SHA-512 fetch (EVP_MD_fetch)", fetch),
        ("  signing input: canonical RRset and RRSIG RDATA", sign_all - ecdsa),
        ("  RR text (emit::append_rr, base64)", share("zk::emit::append_rr")),
        ("  NSEC records and bitmaps", share("ChunkWriter::nsec")),
        ("commit (fsync, rename, key state)", share("Compilation::commit")),
    ]
    top = sum(p for n, p in rows if not n.startswith(" "))
    rows.append(("not attributed (process start, key loading, broken call chains)", 100 - top))
else:
    rows = [
        ("read the signed zone (parse, sort)", share("read_sorted_zone")),
        ("verify_zone, of which:", share("zk::pipeline::verify_zone")),
        ("  signature checks (SignContext::verify, OpenSSL inside)",
         share("zk::signer::SignContext::verify")),
    ]
    top = sum(p for n, p in rows if not n.startswith(" "))
    rows.append(("not attributed (process start, broken call chains)", 100 - top))
for name, pct in rows:
    print(f"  {pct:6.2f} %  {us * pct / 100:6.2f} us/sig  {name}")
PY
done
