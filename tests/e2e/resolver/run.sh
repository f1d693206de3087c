#!/usr/bin/env bash
# End-to-end "trust nothing" test: sign zone.in (and a securely delegated child), serve the
# result from NSD on 127.0.0.1, and check that two independent validators accept it:
#   - unbound (validating recursive resolver, trust anchor = the zone's DS), queried with dig;
#   - delv (BIND's validator library), talking straight to NSD with the same trust anchor.
# Then flip one byte in the apex A RRSIG, re-serve, and check that both call it bogus.
#
# usage: run.sh SIGNER [DENIAL]
#   SIGNER  zonekiln  ($ZK_BINARY keygen + sign)
#           ldns      (ldns-keygen + ldns-signzone: proves the harness without zonekiln)
#   DENIAL  nsec (default) | nsec3 | nsec3-optout
# environment:
#   ZK_BINARY          path to the zonekiln binary (SIGNER=zonekiln)
#   ZK_KEYGEN_ARGS     extra arguments for every "zonekiln keygen" (e.g. "--algorithm ED25519")
#   ZK_SIGN_ARGS       extra arguments for "zonekiln sign"
#   ZK_E2E_CSK=1       zonekiln: run keygen for a KSK only (no separate ZSK key file)
#   ZK_E2E_KEEP=1      keep the temp dir (configs, zones, logs) and print its path
#
# Writes only under its own temp dir, talks only to 127.0.0.1, bounds every wait. Its NSD and
# unbound run in the foreground as its children with their own configuration, ports, pid and
# log files and no control channel, so a system NSD or unbound (port 53, /run/nsd/nsd.pid,
# /run/unbound.pid, control port or socket) is never touched; it stops exactly the daemons it
# started, by pid, on exit. Prints PASS/FAIL per check; exits 1 if any check failed, 77 when a
# tool is missing (1 under ZK_REQUIRE_TOOLS=1).
# shellcheck disable=SC2317  # cleanup and the sign_* functions are called indirectly
set -euo pipefail

usage() {
  echo "usage: $0 zonekiln|ldns [nsec|nsec3|nsec3-optout]" >&2
  exit 2
}

signer=${1:-}
denial=${2:-nsec}
case "$signer" in zonekiln | ldns) ;; *) usage ;; esac
case "$denial" in nsec | nsec3 | nsec3-optout) ;; *) usage ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/tools.sh
source "$here/../lib/tools.sh"
# shellcheck source=../lib/dns_daemons.sh
source "$here/../lib/dns_daemons.sh"
apex=zk-test.
child_sec=sec.zk-test.
child_insec=insec.zk-test.

passes=0
failures=0
pass() {
  echo "PASS: $*"
  passes=$((passes + 1))
}
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
note() { echo "---- $*"; }
# A setup step that cannot go on: report, and stop (the EXIT trap cleans up).
die() {
  fail "$*"
  echo "RESULT: FAIL ($passes passed, $failures failed; stopped early) [$signer $denial]"
  exit 1
}

PATH=$PATH:/usr/sbin:/sbin  # nsd and unbound live there
need_tools nsd nsd-checkzone unbound dig delv ldns-read-zone ldns-key2ds ldns-verify-zone timeout
if [[ $signer == ldns ]]; then
  need_tools ldns-keygen ldns-signzone
else
  [[ -n ${ZK_BINARY:-} && -x ${ZK_BINARY:-} ]] || die "ZK_BINARY ('${ZK_BINARY:-}') is not an executable zonekiln"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zk-e2e-resolver.XXXXXX") || die "cannot create a temp dir"
unbound_copy_out_of_apparmor "$tmp" || die "copy unbound out of AppArmor's way"
served_zones=("$apex parent.signed" "$child_sec sec.signed" "$child_insec insec.zone")

cleanup() {
  stop_daemons
  if [[ ${ZK_E2E_KEEP:-0} == 1 ]]; then
    echo "kept: $tmp"
  else
    rm -rf -- "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --------------------------------------------------------------------------------------------
# Signing. Each sign_* function signs zone text IN for ORIGIN into OUT with keys in KEYDIR.
sign_times() {
  inception=$(date -u -d '-1 hour' +%Y%m%d%H%M%S)
  expiration=$(date -u -d '+14 days' +%Y%m%d%H%M%S)
}

sign_ldns() {
  local in=$1 origin=$2 out=$3 keydir=$4 ksk zsk
  local -a nsec3=()
  mkdir -p "$keydir"
  ksk=$(cd "$keydir" && timeout 60 ldns-keygen -a ECDSAP256SHA256 -k "$origin") || return 1
  zsk=$(cd "$keydir" && timeout 60 ldns-keygen -a ECDSAP256SHA256 "$origin") || return 1
  case "$denial" in
    nsec3) nsec3=(-n -t 0) ;;
    nsec3-optout) nsec3=(-n -t 0 -p) ;;
  esac
  timeout 120 ldns-signzone "${nsec3[@]}" -i "$inception" -e "$expiration" -o "$origin" \
    -f "$out" "$in" "$keydir/$zsk" "$keydir/$ksk"
}

sign_zonekiln() {
  local in=$1 origin=$2 out=$3 keydir=$4
  local -a nsec3=() keygen_extra=() sign_extra=()
  mkdir -p "$keydir"
  read -r -a keygen_extra <<<"${ZK_KEYGEN_ARGS:-}"
  read -r -a sign_extra <<<"${ZK_SIGN_ARGS:-}"
  timeout 60 "$ZK_BINARY" keygen --origin "$origin" --keys "$keydir" --ksk "${keygen_extra[@]}" || return 1
  if [[ ${ZK_E2E_CSK:-0} != 1 ]]; then
    timeout 60 "$ZK_BINARY" keygen --origin "$origin" --keys "$keydir" "${keygen_extra[@]}" || return 1
  fi
  case "$denial" in
    nsec3) nsec3=(--nsec3) ;;
    nsec3-optout) nsec3=(--nsec3 --nsec3-opt-out) ;;
  esac
  timeout 120 "$ZK_BINARY" sign "$in" --origin "$origin" --keys "$keydir" --output "$out" \
    "${nsec3[@]}" --sig-inception-offset 1h --sig-validity 14d "${sign_extra[@]}"
}

sign_zone() {
  local rc=0
  "sign_$signer" "$@" >"$tmp/sign-$2.log" 2>&1 || rc=$?
  if ((rc != 0)) || [[ ! -s $3 ]]; then
    echo "    signing $2 failed (exit $rc, output file ${3##*/} $([[ -s $3 ]] && echo present || echo missing)); log:"
    sed 's/^/    | /' "$tmp/sign-$2.log" | tail -n 20
    return 1
  fi
}

# The DS RRset (SHA-256) of the KSKs (flags 257) in a signed zone file, computed by ldns from
# the DNSKEYs the signer published: the trust anchor does not come from the signer's own DS.
ds_of() {
  local zone=$1 origin=$2 base=$3
  ldns-read-zone "$zone" 2>/dev/null |
    awk -v o="$origin" 'tolower($1) == o && $4 == "DNSKEY" && $5 == 257' >"$base.dnskey"
  [[ -s $base.dnskey ]] || return 1
  ldns-key2ds -n -2 "$base.dnskey"
}

# --------------------------------------------------------------------------------------------
# Checks (check_unbound is in ../lib/dns_daemons.sh).
#
# check_delv LABEL NAME TYPE EXPECT [ANSWER_ERE]
#   EXPECT  validated | negative (negative response, fully validated) | unsigned | failed |
#           notbogus (any of the first three)
check_delv() {
  local label=$1 name=$2 type=$3 expect=$4 want_answer=${5:-} out ok=1 rc=0
  # delv's exit status says whether it resolved; the checks below read what it printed.
  out=$(timeout 30 delv @127.0.0.1 -p "$nsd_port" -a "$tmp/anchor.delv" "+root=$apex" \
    +nocrypto "$name" "$type" 2>&1) || rc=$?
  ((rc != 124)) || ok=0  # timed out
  case "$expect" in
    validated) [[ $out == *"; fully validated"* && $out != *"negative response"* ]] || ok=0 ;;
    negative) [[ $out == *"; negative response, fully validated"* ]] || ok=0 ;;
    unsigned) [[ $out == *"; unsigned answer"* ]] || ok=0 ;;
    failed) [[ $out == *"resolution failed"* ]] || ok=0 ;;
    notbogus)
      [[ $out == *"; fully validated"* || $out == *"; negative response, fully validated"* ||
        $out == *"; unsigned answer"* ]] || ok=0
      ;;
  esac
  if [[ -n $want_answer ]]; then
    local records
    records=$(grep -v '^;' <<<"$out") || records=
    grep -Eq -- "$want_answer" <<<"$records" || ok=0
  fi
  if ((ok)); then
    pass "delv:    $label ($name $type: $expect)"
  else
    fail "delv:    $label ($name $type): want '$expect'${want_answer:+ with /$want_answer/}"
    sed 's/^/    | /' <<<"$out"
  fi
}

check_cmd() {
  local label=$1 log=$2
  shift 2
  if timeout 120 "$@" >"$log" 2>&1; then
    pass "$label"
  else
    fail "$label"
    sed 's/^/    | /' "$log" | tail -n 30
  fi
}

# --------------------------------------------------------------------------------------------
echo "== zonekiln e2e resolver test: signer=$signer denial=$denial (temp dir $tmp)"
sign_times

# 1. The secure child first: the parent needs its DS.
sign_zone "$here/child-sec.in" "$child_sec" "$tmp/sec.signed" "$tmp/keys-sec" ||
  die "sign $child_sec with $signer"
pass "sign $child_sec with $signer"
child_ds=$(ds_of "$tmp/sec.signed" "$child_sec" "$tmp/sec-ksk") || die "no KSK (DNSKEY 257) in signed $child_sec"
# The DS RR goes into the parent as a relative record ("sec IN DS ...").
{
  cat "$here/zone.in"
  echo "; DS of the signed child, added by run.sh"
  awk '{ $1 = "sec"; $2 = ""; print }' <<<"$child_ds"
} >"$tmp/parent.in"

# 2. The parent, and the unsigned insecure child.
sign_zone "$tmp/parent.in" "$apex" "$tmp/parent.signed" "$tmp/keys-parent" ||
  die "sign $apex with $signer"
pass "sign $apex with $signer"
cp "$here/child-insec.in" "$tmp/insec.zone"

anchor_ds=$(ds_of "$tmp/parent.signed" "$apex" "$tmp/parent-ksk") || die "no KSK (DNSKEY 257) in signed $apex"
echo "$anchor_ds" >"$tmp/anchor.ds"
# delv reads named.conf syntax: trust-anchors { NAME initial-ds TAG ALG DIGESTTYPE "HEX"; };
awk 'BEGIN { print "trust-anchors {" }
     { printf "  \"%s\" initial-ds %s %s %s \"%s\";\n", $1, $5, $6, $7, $8 }
     END { print "};" }' "$tmp/anchor.ds" >"$tmp/anchor.delv"
note "trust anchor: $(head -n 1 "$tmp/anchor.ds")"

# 3. Static checks of the signed output with tools that are not the signer.
check_cmd "nsd-checkzone accepts signed $apex" "$tmp/checkzone-parent.log" \
  nsd-checkzone "$apex" "$tmp/parent.signed"
check_cmd "nsd-checkzone accepts signed $child_sec" "$tmp/checkzone-sec.log" \
  nsd-checkzone "$child_sec" "$tmp/sec.signed"
check_cmd "ldns-verify-zone: signed $apex verifies" "$tmp/verify-parent.log" \
  ldns-verify-zone "$tmp/parent.signed"
check_cmd "ldns-verify-zone: signed $child_sec verifies" "$tmp/verify-sec.log" \
  ldns-verify-zone "$tmp/sec.signed"

# 4. Serve and validate.
# With NSEC3 opt-out, a proof whose NSEC3 covering the "next closer" name has the opt-out bit
# (NXDOMAIN, wildcard expansion) only shows that no *signed* name exists there: RFC 5155 s9.2
# says the AD bit MUST NOT be set then. Whether a covering NSEC3 has the bit is the signer's
# choice, so those checks accept either flag but still demand the right rcode (never bogus).
ad_optout=ad
delv_wildcard=validated
if [[ $denial == nsec3-optout ]]; then
  ad_optout=any
  delv_wildcard=notbogus
fi

serve "$tmp" || die "start NSD and unbound"

check_unbound "apex A" "$apex" A NOERROR ad 'IN[[:space:]]+A[[:space:]]+192\.0\.2\.1$'
check_unbound "apex MX" "$apex" MX NOERROR ad 'IN[[:space:]]+MX[[:space:]]+10 mail\.zk-test\.$'
check_unbound "apex TXT" "$apex" TXT NOERROR ad '"zonekiln e2e test zone" "second string"'
check_unbound "apex DNSKEY" "$apex" DNSKEY NOERROR ad 'IN[[:space:]]+DNSKEY[[:space:]]+257 '
check_unbound "NXDOMAIN proof" "nope.$apex" A NXDOMAIN "$ad_optout" 0
check_unbound "NXDOMAIN proof, deeper" "x.y.nope.$apex" TXT NXDOMAIN "$ad_optout" 0
check_unbound "NODATA (name exists, type does not)" "mail.$apex" MX NOERROR ad 0
check_unbound "NODATA at apex" "$apex" AAAA NOERROR ad 0
check_unbound "wildcard expansion" "host.w.$apex" A NOERROR "$ad_optout" '^host\.w\.zk-test\..*IN[[:space:]]+A[[:space:]]+192\.0\.2\.80$'
check_unbound "wildcard expansion, two labels" "a.b.w.$apex" TXT NOERROR "$ad_optout" '"wildcard"'
check_unbound "wildcard NODATA" "host.w.$apex" MX NOERROR "$ad_optout" 0
check_unbound "empty non-terminal NODATA" "b.c.$apex" A NOERROR ad 0
check_unbound "name below the empty non-terminal" "a.b.c.$apex" A NOERROR ad '192\.0\.2\.3$'
check_unbound "CNAME and its target" "www.$apex" A NOERROR ad 'CNAME[[:space:]]+mail\.zk-test\.$'
check_unbound "CNAME target in answer" "www.$apex" A NOERROR ad '^mail\.zk-test\..*192\.0\.2\.25$'
check_unbound "secure delegation: DS" "$child_sec" DS NOERROR ad 'IN[[:space:]]+DS[[:space:]]'
check_unbound "secure delegation: name in child" "host.$child_sec" A NOERROR ad '192\.0\.2\.53$'
check_unbound "secure delegation: NXDOMAIN in child" "nope.$child_sec" A NXDOMAIN "$ad_optout" 0
# Under opt-out the signer may leave the insecure delegation out of the NSEC3 chain; its "no DS"
# proof then rests on an opt-out NSEC3 (RFC 5155 s8.6) and is insecure, not secure.
check_unbound "insecure delegation: no DS, proven" "$child_insec" DS NOERROR "$ad_optout" 0
check_unbound "insecure delegation: name in child (insecure, not bogus)" "host.$child_insec" A NOERROR noad '192\.0\.2\.54$'

check_delv "apex A" "$apex" A validated '192\.0\.2\.1$'
check_delv "apex MX" "$apex" MX validated 'MX[[:space:]]+10 mail\.zk-test\.$'
check_delv "NXDOMAIN proof" "nope.$apex" A negative
check_delv "NODATA" "mail.$apex" MX negative
check_delv "wildcard expansion" "host.w.$apex" A "$delv_wildcard" '192\.0\.2\.80$'
check_delv "empty non-terminal NODATA" "b.c.$apex" A negative
check_delv "CNAME" "www.$apex" A validated 'CNAME[[:space:]]+mail\.zk-test\.$'
check_delv "secure delegation: name in child" "host.$child_sec" A validated '192\.0\.2\.53$'
check_delv "insecure delegation: name in child" "host.$child_insec" A unsigned '192\.0\.2\.54$'

stop_daemons

# 5. Tamper, re-serve, and expect bogus where (and only where) the tampered data is needed:
#   - flip one base64 character in the signature of each RRSIG covering the apex A RRset
#     (there is normally exactly one): the apex A answer must be bogus;
#   - drop every NSEC/NSEC3 RR and its RRSIGs: an NXDOMAIN without its proof must be bogus too,
#     which shows the NXDOMAIN checks above really rest on the signer's denial records.
tdir=$tmp/tampered
mkdir -p "$tdir"
cp "$tmp/sec.signed" "$tmp/insec.zone" "$tmp/anchor.ds" "$tmp/anchor.delv" "$tdir/"
ldns-read-zone "$tmp/parent.signed" >"$tdir/parent.flat" 2>"$tdir/flatten.log" ||
  die "ldns-read-zone cannot read signed $apex"
awk -v o="$apex" '
  BEGIN { from = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" }
  tolower($1) == o && $4 == "RRSIG" && $5 == "A" {
    # Fields 1-12 are owner, TTL, class, "RRSIG" and the 8 RDATA fields before the signature
    # (RFC 4034 s3.2); the signature is the rest. Flip its 10th character to the next base64
    # letter: that changes one byte well inside the signature value.
    sig = ""
    for (i = 13; i <= NF; i++) sig = sig $i
    c = substr(sig, 10, 1)
    k = index(from, c)
    n = substr(from, (k % 64) + 1, 1)
    sig = substr(sig, 1, 9) n substr(sig, 11)
    line = $1
    for (i = 2; i <= 12; i++) line = line "\t" $i
    print line "\t" sig
    flipped++
    next
  }
  $4 == "NSEC" || $4 == "NSEC3" || ($4 == "RRSIG" && ($5 == "NSEC" || $5 == "NSEC3")) {
    dropped++
    next
  }
  { print }
  END { print flipped + 0, dropped + 0 > "/dev/stderr" }' "$tdir/parent.flat" \
  >"$tdir/parent.signed" 2>"$tdir/counts" || die "tamper with the signed zone"
read -r flipped dropped <"$tdir/counts"
if [[ $flipped -ge 1 ]]; then
  pass "tampered: flipped one signature byte in $flipped apex A RRSIG(s)"
else
  die "tampered: found no RRSIG covering the apex A RRset"
fi
if [[ $dropped -ge 2 ]]; then
  pass "tampered: dropped $dropped NSEC/NSEC3 RRs and their RRSIGs"
else
  die "tampered: found no NSEC/NSEC3 records to drop"
fi
check_cmd "nsd-checkzone still loads the tampered zone" "$tdir/checkzone.log" \
  nsd-checkzone "$apex" "$tdir/parent.signed"

serve "$tdir" || die "restart NSD and unbound on the tampered zone"
check_unbound "tampered apex A is bogus" "$apex" A SERVFAIL noad 0
check_delv "tampered apex A is bogus" "$apex" A failed
check_unbound "NXDOMAIN without its denial records is bogus" "nope.$apex" A SERVFAIL noad 0
check_delv "NXDOMAIN without its denial records is bogus" "nope.$apex" A failed
# The rest of the zone is untouched and must still validate: the failure is the tamper's.
check_unbound "untampered apex MX still validates" "$apex" MX NOERROR ad 'MX[[:space:]]+10 mail'
check_delv "untampered apex MX still validates" "$apex" MX validated
# ... and unbound must say why: the signature, not the chain of trust (a wrong anchor also
# gives SERVFAIL, with "DS hash mismatches key").
why="validation failure <$apex A IN>: signature crypto failed"
if grep -q "$why" "$tdir/unbound.log" 2>/dev/null; then
  pass "unbound logged: $(grep -m1 "$why" "$tdir/unbound.log" | sed 's/^.*info: //')"
else
  fail "unbound log has no '$why' line"
  show_logs "$tdir/unbound.log" | sed 's/^/    | /'
fi
stop_daemons

echo
if ((failures == 0)); then
  echo "RESULT: PASS ($passes checks) [$signer $denial]"
  exit 0
fi
echo "RESULT: FAIL ($passes passed, $failures failed) [$signer $denial]"
exit 1
