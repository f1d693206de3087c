# Sourced by the shell e2e tests (bash).
#
# need_tools TOOL...: every TOOL (a program in PATH, or a path to a file that must be readable)
# must be there. When one is missing the test stops: exit 77, which ctest reports as skipped
# (SKIP_RETURN_CODE), or exit 1 under ZK_REQUIRE_TOOLS=1 (CI). Never a pass.
need_tools() {
  local tool
  local -a missing=()
  for tool in "$@"; do
    if [[ $tool == */* ]]; then
      [[ -r $tool ]] || missing+=("$tool")
    else
      command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  if [[ ${ZK_REQUIRE_TOOLS:-0} == 1 ]]; then
    echo "FAIL: required tool(s) missing (ZK_REQUIRE_TOOLS=1): ${missing[*]}; run scripts/setup.sh" >&2
    exit 1
  fi
  echo "SKIP: missing tool(s): ${missing[*]} (scripts/setup.sh installs them)"
  exit 77
}
