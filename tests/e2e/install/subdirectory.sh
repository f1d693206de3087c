#!/usr/bin/env bash
# zonekiln inside another CMake project: a tiny outer project adds the source tree with
# add_subdirectory, links zk_dns and runs. zonekiln's own extras (tests, benches, install
# rules) must be off there, and the outer project's settings must stay its own.
# usage: subdirectory.sh ZONEKILN_SOURCE_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
SRC=${1:?usage: subdirectory.sh ZONEKILN_SOURCE_DIR}
need_tools cmake c++
T=$(mktemp -d "${TMPDIR:-/tmp}/zk-subdir.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

mkdir "$T/outer"
cat >"$T/outer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(outer LANGUAGES CXX)
add_subdirectory("$SRC" zonekiln)
add_executable(outer main.cpp)
target_link_libraries(outer PRIVATE zk_dns)
CMAKE
cat >"$T/outer/main.cpp" <<'CPP'
#include <cstdio>

#include "dns/name.hpp"

int main() {
  zk::Name name;
  if (!zk::name_from_text("www.example.com.", zk::NameView{}, name)) return 1;
  std::printf("%u\n", unsigned{name.size()});
  return name.size() == 17 ? 0 : 1;
}
CPP
launcher=()
[[ -z ${ZK_CXX_LAUNCHER:-} ]] || launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="$ZK_CXX_LAUNCHER")
if ! cmake -S "$T/outer" -B "$T/build" "${launcher[@]}" >"$T/configure.log" 2>&1; then
  cat "$T/configure.log"
  echo "FAIL: configuring the outer project"
  exit 1
fi
if ! cmake --build "$T/build" --target outer -j2 >"$T/build.log" 2>&1; then
  tail -n 40 "$T/build.log"
  echo "FAIL: building the outer project"
  exit 1
fi
"$T/build/outer" >"$T/run.log" || fail "outer did not run: $(cat "$T/run.log")"
[[ $(cat "$T/run.log") == 17 ]] || fail "outer printed $(cat "$T/run.log")"

# What the outer project sees of zonekiln.
cache=$T/build/CMakeCache.txt
# The outer project chose no build type; zonekiln sets Release only as the top-level project.
grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$cache" || fail "zonekiln set the outer project's build type"
for opt in ZK_BUILD_TESTS ZK_BUILD_BENCH ZK_INSTALL; do
  grep -q "^$opt:BOOL=OFF$" "$cache" || fail "$opt is not OFF inside another project"
done
cmake --build "$T/build" --target help >"$T/targets" 2>&1 || fail "listing the targets"
grep -q 'zonekiln' "$T/targets" || fail "the zonekiln target is missing"
for t in zk_tests zonekiln_test parse_bench sign_bench zk_man_pages zk_completion; do
  if grep -Eq "(^|[^a-z_])$t([^a-z_]|$)" "$T/targets"; then fail "target $t exists"; fi
done
if [[ -e $T/build/CPackConfig.cmake ]]; then fail "zonekiln set up CPack for the outer project"; fi
echo "failures: $fails"
[[ $fails -eq 0 ]]
