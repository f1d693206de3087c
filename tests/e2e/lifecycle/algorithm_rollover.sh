#!/usr/bin/env bash
# The proof of issue 16's algorithm rollover (RFC 6781 s4.1.4, conservative order): twelve
# simulated nightly `zonekiln sign --now` runs roll sec.zk-test. (algroll-child.zone, with a
# delegation of its own) from RSASHA256 (8) to ECDSAP256SHA256 (13) through the owner's
# commands, one step every night or two:
#
#   night 0  ksk add + activate KSK 8                 DNSKEY 8       sigs 8     parent DS 8
#   night 1  ksk ds-seen KSK 8
#   night 3  ksk add KSK 13 (double-rrset); its ds-seen is refused
#   night 4  ksk activate KSK 13: new RRSIGs         DNSKEY 8       sigs 8+13  (ds-seen and
#            deactivate of KSK 8 refused)
#   night 5  new DNSKEY (max TTL + propagation later) DNSKEY 8+13    CDS 8 only (ds-seen refused)
#   night 6  CDS 8+13; the parent adds DS 13, ksk ds-seen KSK 13             parent DS 8+13
#   night 7  CDS 13; the parent drops DS 8; deactivate refused with the old DS set, then done
#   night 8  DNSKEY removal                          DNSKEY 13      sigs 8+13  parent DS 13
#   night 9  RRSIGs removal                                         sigs 13; ksk remove KSK 8
#   nights 10, 11: steady.
#
# After every night the child's output must pass ldns-verify-zone (-t the night),
# kzonecheck (-t the night) and dnssec-verify (which has no time option: it checks at the wall
# clock, so the nights are the twelve days before today and signatures last 30 days), carry the
# DNSKEY, RRSIG and CDS/CDNSKEY algorithms of that step (algroll_check.py: CDS/CDNSKEY never name
# a key outside the DNSKEY RRset), and resolve through unbound (val-override-date = the night)
# from NSD serving the child and the parent zk-test. with the DS set the parent has that night;
# on the nights the parent's DS set changes, also with the DS set of the night before (what a
# resolver may still cache). The parent is signed by zonekiln too (its own ECDSA keys), its DS
# is unbound's trust anchor.
#
# Needs ZK_BINARY, nsd, unbound, dig, ldns-verify-zone, ldns-key2ds, ldns-read-zone,
# dnssec-verify, kzonecheck, python3: exit 77 (skip) when one is missing, 1 under
# ZK_REQUIRE_TOOLS=1. Daemons: tests/e2e/lib/dns_daemons.sh (own ports, pids and files).
# ZK_E2E_KEEP=1 keeps the temp dir.
# shellcheck disable=SC2317  # cleanup runs from the EXIT trap
# shellcheck disable=SC2034  # served_zones, unbound_extra: read by ../lib/dns_daemons.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
resolver_dir=$(cd "$here/../resolver" && pwd)
# shellcheck source=../lib/tools.sh
source "$here/../lib/tools.sh"
# shellcheck source=../lib/dns_daemons.sh
source "$here/../lib/dns_daemons.sh"

PATH=$PATH:/usr/sbin:/sbin  # nsd and unbound live there
need_tools nsd unbound dig ldns-verify-zone ldns-key2ds ldns-read-zone dnssec-verify kzonecheck \
  python3 timeout
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
[[ -x $ZK ]] || {
  echo "FAIL: ZK_BINARY ($ZK) is not executable"
  exit 1
}

apex=zk-test.
child=sec.zk-test.
passes=0
failures=0
night=-
pass() {
  passes=$((passes + 1))
  [[ ${ZK_E2E_VERBOSE:-0} == 1 ]] && echo "PASS: night $night: $*"
  return 0
}
fail() {
  echo "FAIL: night $night: $*"
  failures=$((failures + 1))
}
die() {
  fail "$*"
  echo "RESULT: FAIL ($passes passed, $failures failed; stopped early)"
  exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zk-e2e-algroll.XXXXXX") || die "cannot create a temp dir"
cleanup() {
  stop_daemons >/dev/null
  if [[ ${ZK_E2E_KEEP:-0} == 1 ]]; then
    echo "kept: $tmp"
  else
    rm -rf -- "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unbound_copy_out_of_apparmor "$tmp" || die "copy unbound out of AppArmor's way"
served_zones=("$apex parent.signed" "$child child.signed")

ck=$tmp/child-keys
pk=$tmp/parent-keys
mkdir -p "$ck" "$pk" "$tmp/serve"
cp "$here/algroll-child.zone" "$tmp/child.zone"

# Night n is at 00:00 UTC n - 12 days from today (the last night is yesterday).
today=$(($(date -u +%s) / 86400 * 86400))
start=$((today - 12 * 86400))
ts() { date -u -d "@$1" +%Y%m%d%H%M%S; }
sign_opts=(--sig-validity 30d --sig-refresh 16d --sig-inception-offset 1h)

# run LOG EXPECTED_EXIT CMD...: a zonekiln command that must exit EXPECTED_EXIT.
run() {
  local log=$1 want=$2 rc=0
  shift 2
  "$@" >"$log" 2>&1 || rc=$?
  if ((rc == want)); then
    pass "$(basename "$log" .log): exit $rc"
    return 0
  fi
  fail "$(basename "$log" .log): exit $rc, expected $want: ${*:1:3} ..."
  sed 's/^/    | /' "$log" | tail -n 15
  return 1
}
ksk() {  # ksk LOG EXPECTED_EXIT AT VERB ARGS...
  local log=$1 want=$2 at=$3 verb=$4
  shift 4
  run "$log" "$want" "$ZK" ksk "$verb" --origin "$child" --keys "$ck" --now "$(ts "$at")" "$@"
}
# A refusal must exit 2 and say why (RFC 6781 s4.1.4) and what to do.
refused() {  # refused LOG WORDS AT VERB ARGS...
  local log=$1 words=$2
  shift 2
  ksk "$log" 2 "$@" || return 0
  if grep -q "RFC 6781 s4.1.4" "$log" && grep -q -- "$words" "$log"; then
    pass "refusal says why and what to do: $words"
  else
    fail "refusal without the reason or '$words'"
    sed 's/^/    | /' "$log"
  fi
}
added_tag() { sed -n 's/^; added KSK \([0-9]*\) .*/\1/p' "$1"; }

# The child's DS records for the given KSK tags, from its key files (ldns, not zonekiln).
ds_for() {
  local tag f
  for tag in "$@"; do
    f=$(ls "$ck"/K"$child"+0*+"$(printf %05d "$tag")".key)
    ldns-key2ds -n -2 "$f"
  done
}
# The parent zone text with the child's DS set for the given tags.
parent_text() {
  cat "$resolver_dir/zone.in"
  ds_for "$@" | awk '{ $1 = "sec"; $2 = ""; print }'
}
sign_parent() {  # sign_parent OUT AT TAGS...
  local out=$1 at=$2
  shift 2
  parent_text "$@" >"$tmp/parent.zone"
  run "$tmp/sign-parent.log" 0 "$ZK" sign "$tmp/parent.zone" --origin "$apex" --keys "$pk" \
    --output "$out" --now "$(ts "$at")" "${sign_opts[@]}" || die "sign the parent"
}
sign_child() {  # sign_child AT
  run "$tmp/sign-child.log" 0 "$ZK" sign "$tmp/child.zone" --origin "$child" --keys "$ck" \
    --output "$tmp/child.signed" --now "$(ts "$1")" "${sign_opts[@]}" || die "sign the child"
}

# The three validators on the child's output at time AT.
check_validators() {
  local at=$1 log=$tmp/validators.log
  if ldns-verify-zone -t "$(ts "$at")" "$tmp/child.signed" >"$log" 2>&1; then
    pass "ldns-verify-zone"
  else
    fail "ldns-verify-zone -t $(ts "$at")"
    sed 's/^/    | /' "$log" | tail -n 20
  fi
  if kzonecheck -o "$child" -d on -t "$(ts "$at")" "$tmp/child.signed" >"$log" 2>&1; then
    pass "kzonecheck"
  else
    fail "kzonecheck -t $(ts "$at")"
    sed 's/^/    | /' "$log" | tail -n 20
  fi
  if dnssec-verify -o "$child" "$tmp/child.signed" >"$log" 2>&1; then
    pass "dnssec-verify"
  else
    fail "dnssec-verify"
    sed 's/^/    | /' "$log" | tail -n 20
  fi
}

# The DNSSEC records of the child's output must be WANT (algroll_check.py's summary line, with
# the tags written as K8 and K13).
check_records() {
  local want=$1 got rc=0
  want=${want//K8/$k8}
  want=${want//K13/$k13}
  got=$(python3 "$here/algroll_check.py" "$tmp/child.signed" "$child" 2>"$tmp/check.err") || rc=$?
  if ((rc != 0)); then
    fail "algroll_check.py: $(cat "$tmp/check.err")"
  elif [[ $got == "$want" ]]; then
    pass "records: $got"
  else
    fail "records: got  '$got'"
    echo "                   want '$want'"
  fi
  echo "     $got"
}

# Serves the child's output and PARENT (a signed parent file) and resolves through unbound at
# time AT.
serve_night() {
  local at=$1 parent=$2 dir=$tmp/serve
  cp "$tmp/child.signed" "$dir/child.signed"
  cp "$parent" "$dir/parent.signed"
  cp "$tmp/anchor.ds" "$dir/anchor.ds"
  rm -f "$dir"/*.log "$dir"/*.out
  unbound_extra="  val-override-date: \"$(ts "$at")\""
  serve "$dir" >"$tmp/serve.log" 2>&1 || {
    cat "$tmp/serve.log"
    die "start NSD and unbound"
  }
}
check_resolver() {
  local at=$1 parent=$2 label=$3
  serve_night "$at" "$parent"
  check_unbound "$label: child A" "host.$child" A NOERROR ad '192\.0\.2\.53$'
  check_unbound "$label: child TXT" "host.$child" TXT NOERROR ad '"rolled child"'
  check_unbound "$label: child DNSKEY" "$child" DNSKEY NOERROR ad 'DNSKEY'
  check_unbound "$label: child MX" "$child" MX NOERROR ad 'MX[[:space:]]+10 mail'
  check_unbound "$label: child wildcard" "a.w.$child" A NOERROR ad '192\.0\.2\.80$'
  check_unbound "$label: child NXDOMAIN" "nope.$child" A NXDOMAIN ad 0
  check_unbound "$label: child NODATA" "mail.$child" TXT NOERROR ad 0
  check_unbound "$label: child's insecure delegation has no DS" "deleg.$child" DS NOERROR ad 0
  check_unbound "$label: the parent's DS" "$child" DS NOERROR ad 'DS'
  stop_daemons >/dev/null
}

# --------------------------------------------------------------------------------------------
parent_ds_file() {  # the parent's DS set as `dig` shows it, for --parent-ds
  ds_for "$@" | awk '{ $2 = 300; print }' >"$tmp/parent-ds.txt"
}

parent_tags=()
k8=
k13=
prev_parent=
for night in $(seq 0 11); do
  t=$((start + night * 86400))
  eve=$((t - 6 * 3600))   # the owner acts the evening before the night's run
  after=$((t + 3600))     # ... or the hour after it
  echo "== night $night ($(date -u -d "@$t" +%F))"
  prev_tags=("${parent_tags[@]}")
  case $night in
    0)
      # The parent, signed by zonekiln with its own (unrolled) KSK.
      run "$tmp/parent-ksk.log" 0 "$ZK" ksk add --origin "$apex" --keys "$pk" --generate \
        --now "$(ts "$eve")" || die "parent KSK"
      run "$tmp/parent-act.log" 0 "$ZK" ksk activate --origin "$apex" --keys "$pk" \
        --tag "$(added_tag "$tmp/parent-ksk.log")" --now "$(ts "$eve")" || die "parent KSK"
      ksk "$tmp/add8.log" 0 "$eve" add --generate --algorithm RSASHA256 || die "add KSK 8"
      k8=$(added_tag "$tmp/add8.log")
      ksk "$tmp/activate8.log" 0 "$eve" activate --tag "$k8" || die "activate KSK 8"
      ;;
    1) ksk "$tmp/ds-seen8.log" 0 "$eve" ds-seen --tag "$k8" ;;
    3)
      ksk "$tmp/add13.log" 0 "$eve" add --generate --algorithm ECDSAP256SHA256 \
        --method double-rrset || die "add KSK 13"
      k13=$(added_tag "$tmp/add13.log")
      refused "$tmp/ds-seen13-inactive.log" "not published" "$eve" ds-seen --tag "$k13"
      ;;
    4) ksk "$tmp/activate13.log" 0 "$eve" activate --tag "$k13" || die "activate KSK 13" ;;
  esac

  if ((night == 5)); then
    # A dry run says what the real run will do: publish the new algorithm's DNSKEYs.
    run "$tmp/dry-run.log" 0 "$ZK" sign "$tmp/child.zone" --origin "$child" --keys "$ck" \
      --output "$tmp/child.signed" --now "$(ts "$t")" --dry-run "${sign_opts[@]}"
    if grep -q "KSK $k13 .*published (algorithm rollover" "$tmp/dry-run.log"; then
      pass "dry run announces the DNSKEY publication"
    else
      fail "dry run does not announce the DNSKEY publication"
      sed 's/^/    | /' "$tmp/dry-run.log" | tail -n 20
    fi
  fi
  sign_child "$t"
  case $night in
    0) parent_tags=("$k8") ;;
    6) parent_tags=("$k8" "$k13") ;;  # the parent adds the new DS (CDS lists both tonight)
    7) parent_tags=("$k13") ;;        # ... and drops the old one (CDS lists only the new)
  esac
  sign_parent "$tmp/parent.signed" "$t" "${parent_tags[@]}"
  if ((night == 0)); then
    ldns-read-zone "$tmp/parent.signed" |
      awk -v o="$apex" 'tolower($1) == o && $4 == "DNSKEY" && $5 == 257' >"$tmp/parent-ksk.key"
    ldns-key2ds -n -2 "$tmp/parent-ksk.key" >"$tmp/anchor.ds" || die "the parent's DS"
  fi

  # What this night's output must hold, and the owner's steps after the run.
  case $night in
    0 | 1 | 2 | 3) check_records "dnskey=8 ksk=K8/8 dnskey_sig=8 data_sig=8 cds=K8/8 cdnskey=K8/8" ;;
    4)
      # New RRSIGs: every RRset and the DNSKEY RRset signed by both; DNSKEYs of 8 only.
      check_records "dnskey=8 ksk=K8/8 dnskey_sig=8,13 data_sig=8,13 cds=K8/8 cdnskey=K8/8"
      run "$tmp/status.log" 0 "$ZK" status --origin "$child" --keys "$ck" --now "$(ts "$after")"
      if grep -q "KSK $k13 alg 13 signing-unpublished" "$tmp/status.log" &&
        grep -q "ZSK [0-9]* alg 13 signing-unpublished" "$tmp/status.log" &&
        grep -q "next scheduled: publish the DNSKEYs of algorithm 13" "$tmp/status.log"; then
        pass "status shows the phase and the next step"
      else
        fail "status does not show the signing-unpublished phase"
        sed 's/^/    | /' "$tmp/status.log"
      fi
      run "$tmp/report.log" 0 "$ZK" report --origin "$child" --keys "$ck" --now "$(ts "$after")" \
        --output "$tmp/report.html"
      if grep -q 'class="span signing-unpublished' "$tmp/report.html"; then
        pass "report shows the signing-unpublished span"
      else
        fail "report has no signing-unpublished span"
      fi
      refused "$tmp/ds-seen13-early.log" "not published yet" "$after" ds-seen --tag "$k13"
      # What the refusal prevents: a parent serving only the new DS now makes the zone bogus
      # (no DNSKEY matches it). This also shows the resolver checks can fail.
      sign_parent "$tmp/parent-early.signed" "$t" "$k13"
      serve_night "$t" "$tmp/parent-early.signed"
      check_unbound "premature DS {$k13} is bogus" "host.$child" A SERVFAIL noad 0
      stop_daemons >/dev/null
      parent_ds_file "$k8"
      refused "$tmp/deactivate8-early.log" "not published yet" "$after" deactivate --tag "$k8" \
        --parent-ds "$tmp/parent-ds.txt"
      ;;
    5)
      # New DNSKEY: both algorithms published; CDS/CDNSKEY still only the old KSK.
      check_records "dnskey=8,13 ksk=K8/8,K13/13 dnskey_sig=8,13 data_sig=8,13 cds=K8/8 cdnskey=K8/8"
      refused "$tmp/ds-seen13-cache.log" "DNSKEY TTL" "$after" ds-seen --tag "$k13"
      ;;
    6)
      check_records "dnskey=8,13 ksk=K8/8,K13/13 dnskey_sig=8,13 data_sig=8,13 cds=K8/8,K13/13 cdnskey=K8/8,K13/13"
      parent_ds_file "${parent_tags[@]}"
      ksk "$tmp/ds-seen13.log" 0 "$after" ds-seen --tag "$k13" --parent-ds "$tmp/parent-ds.txt"
      ;;
    7)
      check_records "dnskey=8,13 ksk=K8/8,K13/13 dnskey_sig=8,13 data_sig=8,13 cds=K13/13 cdnskey=K13/13"
      parent_ds_file "$k8" "$k13"  # a DS set saved before the parent dropped the old DS
      refused "$tmp/deactivate8-ds.log" "still serves a DS of algorithm 8" "$after" \
        deactivate --tag "$k8" --parent-ds "$tmp/parent-ds.txt"
      parent_ds_file "${parent_tags[@]}"
      ksk "$tmp/deactivate8.log" 0 "$after" deactivate --tag "$k8" --parent-ds "$tmp/parent-ds.txt"
      ;;
    8)
      # DNSKEY removal: only algorithm 13 published; algorithm 8 still signs the data.
      # The DNSKEY RRset is signed by KSK 13 only (RFC 6781 s4.1.4 figure): not by the
      # withdrawn ZSK of algorithm 8 either.
      check_records "dnskey=13 ksk=K13/13 dnskey_sig=13 data_sig=8,13 cds=K13/13 cdnskey=K13/13"
      ;;
    9)
      # RRSIGs removal.
      check_records "dnskey=13 ksk=K13/13 dnskey_sig=13 data_sig=13 cds=K13/13 cdnskey=K13/13"
      ksk "$tmp/remove8.log" 0 "$after" remove --tag "$k8"
      ;;
    *) check_records "dnskey=13 ksk=K13/13 dnskey_sig=13 data_sig=13 cds=K13/13 cdnskey=K13/13" ;;
  esac

  check_validators "$t"
  check_resolver "$t" "$tmp/parent.signed" "parent DS {${parent_tags[*]}}"
  if [[ -n $prev_parent && "${prev_tags[*]}" != "${parent_tags[*]}" ]]; then
    # A resolver may hold yesterday's DS set for one DS TTL.
    sign_parent "$tmp/parent-prev.signed" "$t" "${prev_tags[@]}"
    check_resolver "$t" "$tmp/parent-prev.signed" "cached parent DS {${prev_tags[*]}}"
  fi
  prev_parent=1
done

echo
if ((failures == 0)); then
  echo "RESULT: PASS ($passes checks over 12 nights)"
  exit 0
fi
echo "RESULT: FAIL ($passes passed, $failures failed)"
exit 1
