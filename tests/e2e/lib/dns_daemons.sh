# shellcheck shell=bash
# Sourced by the shell e2e tests (bash) that serve zones from NSD and resolve them through a
# validating unbound: tests/e2e/resolver/run.sh, tests/e2e/lifecycle/algorithm_rollover.sh.
#
# The caller sets, before calling serve:
#   served_zones  array of "NAME FILE" (FILE relative to the serve directory): what NSD serves;
#                 the first NAME is the one NSD must answer for before it counts as up
#   unbound_bin   the unbound binary to run (unbound_copy_out_of_apparmor sets it)
#   unbound_extra optional extra unbound "server:" lines (e.g. "  val-override-date: ...")
# and defines pass/fail (check_unbound reports with them). DIR/anchor.ds is the trust anchor.
#
# The daemons run in the foreground (-d) as the caller's children with their own configuration,
# ports, pid and log files and no control channel, so a system NSD or unbound (port 53,
# /run/nsd/nsd.pid, /run/unbound.pid, control port or socket) is never touched; stop_daemons
# stops exactly the daemons started here, by pid. Talks only to 127.0.0.1; bounds every wait.
# shellcheck disable=SC2154  # served_zones, unbound_bin, tmp: set by the caller

daemon_pids=()
nsd_port=
ub_port=
unbound_extra=${unbound_extra:-}

# Debian's AppArmor profile for /usr/sbin/unbound lets it read only /etc/unbound and
# /var/lib/unbound, so where AppArmor is on it cannot read a config in a temp dir. A copy of
# the binary is not covered by that profile (profiles attach by path). DIR: where to copy it.
unbound_copy_out_of_apparmor() {
  local dir=$1 apparmor=/sys/module/apparmor/parameters/enabled
  unbound_bin=$(command -v unbound)
  if [[ -r $apparmor && $(<"$apparmor") == Y ]]; then
    cp "$unbound_bin" "$dir/unbound-bin" || return 1
    unbound_bin=$dir/unbound-bin
    echo "---- AppArmor is on: running a copy of unbound from the temp dir"
  fi
}

# Stops the given daemon (our child): TERM, up to 5 s, then KILL; reaps it.
stop_daemon() {
  local pid=$1 i status=0
  if kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid"
    fi
  fi
  wait "$pid" 2>/dev/null || status=$?
  echo "---- stopped pid $pid (exit status $status)"
}
stop_daemons() {
  local pid
  for pid in "${daemon_pids[@]}"; do
    stop_daemon "$pid"
  done
  daemon_pids=()
}

# Ports: pick a random high port that nothing on this machine listens on or talks from.
port_in_use() {
  local hex
  hex=$(printf ':%04X ' "$1")
  grep -q -- "$hex" /proc/net/tcp /proc/net/udp /proc/net/tcp6 /proc/net/udp6 2>/dev/null
}
free_port() {
  local i p
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$p" || {
      echo "$p"
      return 0
    }
  done
  return 1
}

write_nsd_conf() {
  local dir=$1 port=$2 z name file
  cat >"$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  port: $port
  do-ip4: yes
  do-ip6: no
  server-count: 1
  reuseport: no
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  verbosity: 1
  hide-version: yes
  zonefiles-check: yes
remote-control:
  control-enable: no
CONF
  for z in "${served_zones[@]}"; do
    read -r name file <<<"$z"
    printf 'zone:\n  name: "%s"\n  zonefile: "%s/%s"\n' "$name" "$dir" "$file" >>"$dir/nsd.conf"
  done
}

write_unbound_conf() {
  local dir=$1 port=$2 auth=$3 z name file
  cat >"$dir/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@$port
  port: $port
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  # Every outgoing query leaves from 127.0.0.1 and goes to the stubs below (NSD), never outside.
  outgoing-interface: 127.0.0.1
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
  use-syslog: no
  verbosity: 1
  val-log-level: 2
  num-threads: 1
  so-reuseport: no
  outgoing-range: 64
  num-queries-per-thread: 32
  prefetch: no
  target-fetch-policy: "0 0 0 0 0"
  module-config: "validator iterator"
  trust-anchor-file: "$dir/anchor.ds"
  # Plain answers to our checks; never serve stale or expired data.
  serve-expired: no
  minimal-responses: no
$unbound_extra
remote-control:
  control-enable: no
CONF
  for z in "${served_zones[@]}"; do
    read -r name file <<<"$z"
    printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@%s\n' "$name" "$auth" >>"$dir/unbound.conf"
  done
  # Anything else (there should be nothing) also goes to NSD, which refuses it.
  printf 'stub-zone:\n  name: "."\n  stub-addr: 127.0.0.1@%s\n' "$auth" >>"$dir/unbound.conf"
}

# Polls until dig gets an answer with the given status, the process is gone, or ~10 s passed.
wait_ready() {
  local pid=$1 port=$2 name=$3 type=$4 class=$5 i out
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    # dig fails while nothing listens yet: that is what the loop waits out.
    out=$(dig @127.0.0.1 -p "$port" +time=1 +tries=1 +norecurse -c "$class" -t "$type" -q "$name" 2>/dev/null) || out=
    if [[ $out == *"status: NOERROR"* ]]; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

start_nsd() {
  local dir=$1 _ first
  read -r first _ <<<"${served_zones[0]}"
  for _ in 1 2 3; do
    nsd_port=$(free_port) || return 1
    write_nsd_conf "$dir" "$nsd_port"
    nsd -d -c "$dir/nsd.conf" >>"$dir/nsd.out" 2>&1 &
    local pid=$!
    daemon_pids+=("$pid")
    if wait_ready "$pid" "$nsd_port" "$first" SOA IN; then
      return 0
    fi
    stop_daemon "$pid"
    unset 'daemon_pids[-1]'
  done
  return 1
}

start_unbound() {
  local dir=$1 _
  for _ in 1 2 3; do
    ub_port=$(free_port) || return 1
    write_unbound_conf "$dir" "$ub_port" "$nsd_port"
    "$unbound_bin" -d -c "$dir/unbound.conf" >>"$dir/unbound.out" 2>&1 &
    local pid=$!
    daemon_pids+=("$pid")
    if wait_ready "$pid" "$ub_port" version.server TXT CH; then
      return 0
    fi
    stop_daemon "$pid"
    unset 'daemon_pids[-1]'
  done
  return 1
}

show_logs() {
  local f
  for f in "$@"; do
    if [[ -f $f ]]; then
      tail -n 20 "$f"
    fi
  done
}

# serve DIR: NSD serving served_zones from DIR, then unbound validating from DIR/anchor.ds.
serve() {
  local dir=$1
  start_nsd "$dir" || {
    show_logs "$dir/nsd.out" "$dir/nsd.log"
    return 1
  }
  start_unbound "$dir" || {
    show_logs "$dir/unbound.out" "$dir/unbound.log"
    return 1
  }
  echo "---- NSD on 127.0.0.1@$nsd_port, unbound on 127.0.0.1@$ub_port"
}

# check_unbound LABEL NAME TYPE STATUS AD ANSWER
#   STATUS  expected rcode (NOERROR, NXDOMAIN, SERVFAIL)
#   AD      ad = AD flag must be set (validated secure); noad = must be clear; any = either
#   ANSWER  - (not checked) | 0 (answer section empty) | an ERE one answer line must match
check_unbound() {
  local label=$1 name=$2 type=$3 want_status=$4 want_ad=$5 want_answer=$6
  local out status flags ad answers section problems=() rc=0
  out=$(timeout 20 dig @127.0.0.1 -p "$ub_port" +dnssec +time=5 +tries=1 "$name" "$type" 2>&1) || rc=$?
  ((rc == 0)) || problems+=("dig exit status $rc")
  status=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" | awk 'NR == 1')
  flags=$(sed -n 's/^;; flags: \([^;]*\);.*/\1/p' <<<"$out" | awk 'NR == 1')
  ad=noad
  if [[ " $flags " == *" ad "* ]]; then
    ad=ad
  fi
  answers=$(sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p' <<<"$out" | awk 'NR == 1')
  section=$(awk '/^;; ANSWER SECTION:/ {on = 1; next} on && /^$/ {exit} on' <<<"$out")

  [[ $status == "$want_status" ]] || problems+=("status ${status:-none}, want $want_status")
  [[ $want_ad == any || $ad == "$want_ad" ]] || problems+=("flags '$flags', want $want_ad")
  case "$want_answer" in
    -) ;;
    0) [[ ${answers:-x} == 0 ]] || problems+=("${answers:-no} answer records, want none") ;;
    *) grep -Eq -- "$want_answer" <<<"$section" || problems+=("no answer matching /$want_answer/") ;;
  esac
  if ((${#problems[@]} == 0)); then
    pass "unbound: $label ($name $type: $status, $ad)"
  else
    fail "unbound: $label ($name $type): $(
      IFS=';'
      echo "${problems[*]}"
    )"
    sed 's/^/    | /' <<<"$out"
  fi
}
