#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) in build-fuzz/ and runs each
# for a bounded time, ZK_FUZZ_JOBS at once (one per core), starting from the checked-in seeds.
#
# usage: scripts/fuzz.sh [SECONDS]      (default: each target's own time, below; SECONDS = the
#                                        same time for every target)
# Targets and default times (about 4 minutes of running on 2 cores, plus the build):
#   parse 90 s     zone files                 verify   90 s   signed zones fed to verify
#   rdata 60 s     RDATA presentation text    keystate 45 s   zonekiln-state.json
#   skr   45 s     KSR/SKR files              bindkey  45 s   BIND .key/.private pairs
#   pemkey 30 s    PEM private keys           config   30 s   zonekiln.toml
# environment:
#   ZK_FUZZ_TARGETS   targets to run (default: all of the above)
#   ZK_FUZZ_JOBS      targets run at once, and build parallelism (default 2)
#   ZK_FUZZ_SERIAL=1  run the targets one after the other (same as ZK_FUZZ_JOBS=1 for running)
#   CXX               compiler for the first configure (default: clang++-14, else clang++)
#   ZK_FUZZ_KNOWN=0   leave testdata/fuzz/crashers/ out of the seeds (to look for new bugs while
#                     a known one is still open)
#   ZK_FUZZ_CMAKE_ARGS extra configure arguments, e.g. "-DZK_FUZZ_ROUNDTRIP=OFF" (default AUTO:
#                     on when emit/ defines rdata_to_text)
#
# Exits 0 when no target found anything; 1 on a crash, sanitizer report, leak, timeout or
# out-of-memory (the reproducer is in build-fuzz/artifacts/<target>/); 2 on build problems.
# Writes only under build-fuzz/; the seed directories testdata/fuzz/* are read, never written.
set -u -o pipefail

declare -A default_seconds=([parse]=90 [verify]=90 [rdata]=60 [keystate]=45 [skr]=45
  [bindkey]=45 [pemkey]=30 [config]=30)
seconds=${1:-}
[[ -z $seconds || ($seconds =~ ^[0-9]+$ && $seconds -gt 0) ]] || {
  echo "usage: $0 [SECONDS]" >&2
  exit 2
}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-fuzz
# Longest first, so that the two job slots finish close together.
targets=${ZK_FUZZ_TARGETS:-parse verify rdata keystate skr bindkey pemkey config}
jobs=${ZK_FUZZ_JOBS:-2}
[[ ${ZK_FUZZ_SERIAL:-0} == 1 ]] && jobs=1

compiler=()
if [[ ! -f $build/CMakeCache.txt && -z ${CXX:-} ]]; then
  for c in clang++-14 clang++; do
    if command -v "$c" >/dev/null 2>&1; then
      compiler=(-DCMAKE_CXX_COMPILER="$(command -v "$c")")
      break
    fi
  done
  ((${#compiler[@]})) || {
    echo "fuzz: no clang++ found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
    exit 2
  }
fi

echo "fuzz: configuring and building in $build" >&2
read -r -a extra_cmake <<<"${ZK_FUZZ_CMAKE_ARGS:-}"
mkdir -p "$build"
cmake -S "$root/tests/fuzz" -B "$build" "${compiler[@]}" "${extra_cmake[@]}" >"$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2
  exit 2
}
grep -h 'round trip' "$build/configure.log" | sed 's/^-- /fuzz: /' >&2
cmake --build "$build" -j"$jobs" || exit 2

# One libFuzzer run. The working corpus (build-fuzz/corpus/T) collects new inputs; the seed
# directories come after it, so libFuzzer reads them but writes nothing there.
run_target() {
  local t=$1 secs=$2 bin=$build/${1}_fuzz seeds=$root/testdata/fuzz/$1
  local corpus=$build/corpus/$t artifacts=$build/artifacts/$t log=$build/$t.log
  local -a dict=() known=()
  mkdir -p "$corpus" "$artifacts"
  touch "$build/$t.start" # artifacts newer than this are this run's findings
  [[ -f $root/testdata/fuzz/$t.dict ]] && dict=(-dict="$root/testdata/fuzz/$t.dict")
  # Inputs that once failed stay in the seed set: a regression shows up in the first second.
  [[ ${ZK_FUZZ_KNOWN:-1} != 0 && -d $root/testdata/fuzz/crashers/$t ]] && known=("$root/testdata/fuzz/crashers/$t")
  # timeout(1) is a backstop in case libFuzzer itself wedges: it should stop on its own after
  # -max_total_time, and any single input is cut off after -timeout seconds.
  timeout --kill-after=30 $((secs + 120)) "$bin" \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" \
    "$corpus" "$seeds" "${known[@]}" >"$log" 2>&1
}

declare -A status=() pid_target=()
running=0
for t in $targets; do
  [[ -x $build/${t}_fuzz ]] || {
    echo "fuzz: $build/${t}_fuzz was not built" >&2
    exit 2
  }
  [[ -d $root/testdata/fuzz/$t ]] || {
    echo "fuzz: no seed directory testdata/fuzz/$t" >&2
    exit 2
  }
done
# A pool of $jobs running targets: start one whenever a slot is free.
reap_one() {
  local pid
  wait -n -p pid
  local rc=$?
  status[${pid_target[$pid]}]=$rc
  running=$((running - 1))
}
for t in $targets; do
  secs=${seconds:-${default_seconds[$t]:-60}}
  ((running >= jobs)) && reap_one
  echo "fuzz: running ${t}_fuzz for ${secs}s (log: $build/$t.log)" >&2
  run_target "$t" "$secs" &
  pid_target[$!]=$t
  running=$((running + 1))
done
while ((running > 0)); do reap_one; done

failed=0
for t in $targets; do
  rc=${status[$t]}
  found=$(find "$build/artifacts/$t" -maxdepth 1 -type f -newer "$build/$t.start" \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null)
  stats=$(grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$build/$t.log" |
    sed 's/^stat:://' | tr '\n' ' ')
  if ((rc == 0)) && [[ -z $found ]]; then
    echo "fuzz: $t: OK ($stats)"
    continue
  fi
  failed=1
  echo "fuzz: $t: FAILED (exit $rc) $stats"
  grep -E -m 5 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error|zk-fuzz: invariant|==[0-9]+== ?ERROR' "$build/$t.log" | sed 's/^/  /'
  [[ -n $found ]] && sed 's/^/  reproducer: /' <<<"$found"
  echo "  rerun one input: $build/${t}_fuzz FILE   (full log: $build/$t.log)"
done
exit $failed
