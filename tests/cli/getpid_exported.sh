#!/usr/bin/env bash
# The zonekiln executables export their getpid() (cli/pid_cache.cpp), so libcrypto's per-signature
# fork check uses it instead of a system call. Usage: getpid_exported.sh BINARY...
set -euo pipefail
command -v nm >/dev/null || { echo "zk-skipped: nm (binutils) is not installed"; exit 77; }
for bin in "$@"; do
  if ! nm -D --defined-only "$bin" | grep -Eq ' T getpid$'; then
    echo "FAIL: $bin does not export getpid" >&2
    exit 1
  fi
  echo "ok: $bin exports getpid"
done
