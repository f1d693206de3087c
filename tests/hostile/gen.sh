# Generators of the hostile inputs too large or too repetitive to keep in the repository.
# Sourced by run.sh; each gen_NAME writes its input into the directory $1 (the case's temp
# dir) and is deterministic (no clock, no randomness). A CASES.tsv row names one as gen:NAME.

# The start of every generated zone: apex SOA and NS, so that a zone within the budget compiles.
zone_head() {
  printf '$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 3600\n@ NS ns1\nns1 A 192.0.2.1\n'
}

# Issue 11 item 1: six levels of files, each including the next level ten times (10^6 leaf
# reads, ~1.1 KB in all). zone.zone is the top.
gen_include_fanout() {
  local d=$1 l i
  {
    zone_head
    for i in $(seq 10); do echo '$INCLUDE l1.zone'; done
  } >"$d/zone.zone"
  for l in 1 2 3 4 5; do
    for i in $(seq 10); do echo "\$INCLUDE l$((l + 1)).zone"; done >"$d/l$l.zone"
  done
  printf 'www A 192.0.2.2\nmail A 192.0.2.3\nx TXT "hello world"\n' >"$d/l6.zone"
}

# A chain of 20 nested $INCLUDEs (the default depth limit is 16).
gen_include_deep() {
  local d=$1 i
  { zone_head; echo '$INCLUDE d1.zone'; } >"$d/zone.zone"
  for i in $(seq 1 19); do echo "\$INCLUDE d$((i + 1)).zone" >"$d/d$i.zone"; done
  echo 'deep A 192.0.2.9' >"$d/d20.zone"
}

# One logical record of 1 MiB + 1 byte, continued over lines inside parentheses (the default
# --max-record-length is 1 MiB).
gen_long_record() {
  local d=$1
  {
    zone_head
    printf 'long TXT ( '
    # 1048576 + 1 - len("long TXT ( ") - len(" )") bytes of quoted 62-byte strings and newlines
    awk 'BEGIN { n = 1048577 - 13; s = "\"" sprintf("%060d", 0) "\"\n";
                 while (n >= 63) { printf "%s", s; n -= 63 } while (n-- > 0) printf " " }'
    printf ' )\n'
  } >"$d/zone.zone"
}

# "Many small $INCLUDEs of a big file": an 8 MB zone of ordinary records (300k) included 100 times
# (800 MB to read from 8 MB of input).
gen_include_big_many() {
  local d=$1 i
  awk 'BEGIN { for (i = 0; i < 300000; i++) printf "host%d A 198.51.%d.%d\n", i, (i / 250) % 250, i % 250 }' \
    >"$d/big.zone"
  { zone_head; for i in $(seq 100); do echo '$INCLUDE big.zone'; done; } >"$d/zone.zone"
}

# 10 MB with a directive every other line: a chunk boundary (and a segment) every 20 bytes.
gen_directive_dense() {
  local d=$1
  {
    zone_head
    awk 'BEGIN { for (i = 0; i < 370000; i++) printf "$TTL %d\nh%d A 192.0.2.1\n", 60 + i % 7, i }'
  } >"$d/zone.zone"
}

# 10 MB of about the densest text there is: a record every 7 bytes (" TXT a" + newline).
gen_dense_text() {
  local d=$1
  {
    zone_head
    echo 'n TXT x'
    awk 'BEGIN { for (i = 0; i < 1450000; i++) printf " TXT %c\n", 97 + i % 26 }'
  } >"$d/zone.zone"
}

# The records limit reached from a 10 MB input ($GENERATE padded with comments to 10 MB): as
# 900k records, each with a 255-octet owner (a long $ORIGIN), as close
# to the bytes limit as the default allows.
gen_generate_at_limit() {
  local d=$1 label
  label=$(printf 'a%.0s' $(seq 62))
  {
    zone_head
    echo "; 10 MB of input makes the default record budget 2.5M"
    awk 'BEGIN { for (i = 0; i < 150000; i++) printf ";%063d\n", i }'
    echo "\$ORIGIN $label.$label.$label.$(printf 'b%.0s' $(seq 45)).example.com."
    echo '$GENERATE 0-899999 ${0,6,d} A 192.0.2.1'
  } >"$d/zone.zone"
}

# $INCLUDE of a FIFO in the zone's directory: refused without opening it (a read would block).
gen_include_fifo() {
  local d=$1
  mkfifo "$d/pipe.zone"
  { zone_head; echo '$INCLUDE pipe.zone'; } >"$d/zone.zone"
}

# The fan-out tree of gen_include_fanout beside a key directory with a KSK, for `sign`.
gen_include_fanout_keys() {
  gen_include_fanout "$1"
  "$ZK_BINARY" keygen --origin example.com. --keys "$1/keys" --ksk >/dev/null
}

# A signed NSEC3 zone of 5000 names whose NSEC3PARAM and NSEC3 records ask for 65535 hash
# iterations with a 255-octet salt: verifying its chain would hash every name 65536 times
# (minutes for this, hours for 10 MB). signed.zone is the zone, keys/ its key directory.
gen_nsec3_iterations() {
  local d=$1 salt
  {
    zone_head
    awk 'BEGIN { for (i = 0; i < 5000; i++) printf "h%d A 192.0.2.1\n", i }'
  } >"$d/zone.zone"
  "$ZK_BINARY" keygen --origin example.com. --keys "$d/keys" --ksk >/dev/null
  "$ZK_BINARY" sign "$d/zone.zone" --origin example.com. --keys "$d/keys" --nsec3 \
    --output "$d/nsec3.zone" 2>/dev/null
  salt=$(printf 'ab%.0s' $(seq 255))
  sed -E "s/(NSEC3PARAM[[:space:]]+1 0 )0 -/\\165535 $salt/; s/(NSEC3[[:space:]]+1 [01] )0 - /\\165535 $salt /" \
    "$d/nsec3.zone" >"$d/signed.zone"
}

# 10 MB of input (comments) whose $GENERATE makes 2.4M out-of-zone records: each one is a
# warning; they are counted, and only the first thousand are kept and printed.
gen_out_of_zone_flood() {
  local d=$1
  {
    zone_head
    awk 'BEGIN { for (i = 0; i < 150000; i++) printf ";%063d\n", i }'
    echo '$GENERATE 0-2399999 h$.other. A 192.0.2.1'
  } >"$d/zone.zone"
}
