#!/usr/bin/env bash
# --shard K/N under an existing scheduler: a one-node Slurm cluster (munged + slurmctld + slurmd,
# all started here with their own key, socket, state and ports; stopped by PID on exit) runs
# `sbatch --array=0-3` of `zonekiln sign --config F --shard $SLURM_ARRAY_TASK_ID/4`. Every zone
# must be signed by exactly one task and validate with ldns-verify-zone.
set -euo pipefail
ZK=${ZK_BINARY:?set ZK_BINARY to the zonekiln binary}
HERE=$(cd "$(dirname "$0")" && pwd)
EXAMPLE="$HERE/../../../examples/many-zones"
ZONES=40
skip() {
  echo "SKIP: $*"
  if [[ "${ZK_REQUIRE_TOOLS:-0}" == 1 ]]; then exit 1; fi
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  for log in "${T:-/nonexistent}"/*.log; do
    [[ -f "$log" ]] && { echo "--- $log" >&2; tail -20 "$log" >&2; }
  done
  exit 1
}
for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol ldns-verify-zone python3 ss; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (apt-get install slurm-wlm munge)"
done
[[ $(id -u) == 0 ]] || skip "a one-node Slurm cluster needs root"

T=$(mktemp -d)
pids=()
cleanup() {
  # Only the daemons this script started, by PID; the newest first.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
chmod 0755 "$T"

# Bounded waiting for the daemons (they start in the background).
wait_for() {
  local what=$1
  shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  fail "timed out waiting for $what"
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if ! ss -Htan "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  fail "no free port"
}

# --- munge: its own key, socket, pid, seed and log -------------------------------------------
mkdir -m 0700 "$T/munge"
mungekey --create --keyfile="$T/munge/munge.key" --force
chmod 0600 "$T/munge/munge.key"
munged -F -f --socket="$T/munge/munge.socket" --key-file="$T/munge/munge.key" \
  --pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed" \
  --log-file="$T/munged.log" >"$T/munged.out" 2>&1 &
pids+=($!)
wait_for munged test -S "$T/munge/munge.socket"

# --- slurm: one node, this host, its own dirs and ports --------------------------------------
host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$T/state" "$T/spool"
ctld_port=$(free_port)
d_port=$(free_port)
[[ $ctld_port != "$d_port" ]] || d_port=$((ctld_port + 1))
cat >"$T/slurm.conf" <<CONF
ClusterName=zonekiln-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=zk Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$T/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
pids+=($!)
wait_for slurmctld scontrol ping
slurmd -D -f "$SLURM_CONF" -N "$host" >"$T/slurmd.out" 2>&1 &
pids+=($!)
node_ready() { sinfo -h -N -o '%T' | grep -qE '^(idle|mixed|allocated)'; }
wait_for "the node to come up" node_ready

# --- the zones, and the array job ------------------------------------------------------------
mkdir "$T/work"
cd "$T/work"
python3 "$EXAMPLE/gen-zones.py" --zones "$ZONES" --names 10 --out .
"$ZK" keygen --config zonekiln.toml --ksk >/dev/null
job=$(sbatch --parsable --array=0-3 --chdir="$T/work" --output="$T/work/task-%a.out" \
  --wrap "'$ZK' sign --config zonekiln.toml --quiet --shard \$SLURM_ARRAY_TASK_ID/4 \
  --stats-json stats-\$SLURM_ARRAY_TASK_ID.json; echo \$? >rc-\$SLURM_ARRAY_TASK_ID")
job=${job%%;*}
done_all() { [[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && [[ -e rc-0 && -e rc-1 && -e rc-2 && -e rc-3 ]]; }
for _ in $(seq 1 600); do
  done_all && break
  sleep 0.5
done
done_all || fail "array job $job did not finish in 300 s: $(squeue -j "$job" 2>&1)"
for k in 0 1 2 3; do
  [[ $(cat "rc-$k") == 0 ]] || fail "task $k exited $(cat "rc-$k"): $(cat "task-$k.out")"
done
python3 - "$ZONES" stats-0.json stats-1.json stats-2.json stats-3.json <<'PY'
import json, sys
want = int(sys.argv[1])
seen = {}
for path in sys.argv[2:]:
    for z in json.load(open(path))["zones"]:
        seen.setdefault(z["zone"], []).append(path)
        assert z["outcome"] == "signed", z
twice = {k: v for k, v in seen.items() if len(v) != 1}
assert not twice, f"signed more than once: {twice}"
assert len(seen) == want, f"{len(seen)} zones signed, {want} configured"
PY
[[ $(ls signed/*.zone | wc -l) == "$ZONES" ]] || fail "not every zone was written"
for f in signed/*.zone; do
  ldns-verify-zone "$f" >/dev/null 2>&1 || fail "ldns-verify-zone rejects $f"
done
echo "ok: sbatch --array=0-3 signed each of $ZONES zones exactly once"
