#!/usr/bin/env bash
# `cmake --install BUILD --prefix P` into a temp dir, then checks what a user of the installed
# tool relies on: the binary and its --version, one man page per subcommand made from --help
# (readable by man), zonekiln-state(5), the bash completion (loaded the way bash-completion
# loads it, and completing subcommands and flags), the example systemd units (accepted by
# systemd-analyze), and no test-only code in the installed binary.
# usage: install_tree.sh BUILD_DIR     (ZK_VERSION: the project version to expect)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/tools.sh
source "$HERE/../lib/tools.sh"
BUILD=${1:?usage: install_tree.sh BUILD_DIR}
need_tools man help2man openssl systemd-analyze
T=$(mktemp -d "${TMPDIR:-/tmp}/zk-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
P=$T/prefix
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

cmake --install "$BUILD" --prefix "$P" >"$T/install.log" 2>&1 || {
  cat "$T/install.log"
  echo "FAIL: cmake --install"
  exit 1
}
ZK=$P/bin/zonekiln
[[ -x $ZK ]] || fail "no bin/zonekiln"
extra=$(find "$P/bin" -type f ! -name zonekiln)
[[ -z $extra ]] || fail "more than zonekiln in bin/: $extra"
if grep -qa -e ZK_TEST_KILL_AT -e ZK_TEST_FAIL_AT "$ZK"; then fail "the installed binary has the test hooks"; fi

# --version and `version`: the same text, naming zonekiln's version and revision and the
# libraries it runs with.
version=$("$ZK" --version)
[[ $("$ZK" version) == "$version" ]] || fail "'zonekiln version' differs from --version"
echo "$version"
[[ $version =~ ^zonekiln\ ${ZK_VERSION//./\\.}\ \(git\ [0-9a-f]{12}(-dirty)?\)$'\n' ||
  $version =~ ^zonekiln\ ${ZK_VERSION//./\\.}\ \(git\ unknown\)$'\n' ]] ||
  fail "first line of --version: '${version%%$'\n'*}'"
for lib in OpenSSL oneTBB Boost; do
  grep -Eq "^$lib [0-9]+\.[0-9]+" <<<"$version" || fail "--version does not name $lib's version"
done
openssl_run=$(grep '^OpenSSL ' <<<"$version" | awk '{print $2}')
openssl_cli=$(openssl version | awk '{print $2}')
[[ $openssl_run == "$openssl_cli" ]] || fail "OpenSSL at run time $openssl_run, libssl says $openssl_cli"

# Man pages: zonekiln(1), one per subcommand and nested subcommand of --help, zonekiln-state(5).
man1=$P/share/man/man1
subs=$("$ZK" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^[^ ]/ {on = 0}')
[[ -n $subs ]] || fail "no subcommands in --help"
pages=(zonekiln)
for s in $subs; do
  pages+=("zonekiln-$s")
  for n in $("$ZK" "$s" --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
    pages+=("zonekiln-$s-$n")
  done
done
for page in "${pages[@]}"; do
  f=$man1/$page.1.gz
  if [[ ! -f $f ]]; then
    fail "missing man page $page(1)"
    continue
  fi
  if ! text=$(MANWIDTH=100 man -l "$f" 2>"$T/man.err"); then
    fail "$page(1): man failed: $(cat "$T/man.err")"
    continue
  fi
  [[ ! -s $T/man.err ]] || fail "$page(1): man says $(cat "$T/man.err")"
  grep -q "^NAME" <<<"$text" || fail "$page(1) has no NAME section"
  grep -q "$page" <<<"$text" || fail "$page(1) does not name $page"
done
echo "man pages: ${#pages[@]} in man1"
# The sign page carries the --help text of `zonekiln sign`.
sign_page=$(MANWIDTH=200 man -l "$man1/zonekiln-sign.1.gz")
for flag in --origin --keys --nsec3 --metrics-file --zonemd; do
  grep -q -- "$flag" <<<"$sign_page" || fail "zonekiln-sign(1) lacks $flag"
done
state_page=$(MANWIDTH=100 man -l "$P/share/man/man5/zonekiln-state.5.gz")
for word in zonekiln-state.json owner_state timeline .zonekiln.lock; do
  grep -qF -- "$word" <<<"$state_page" || fail "zonekiln-state(5) lacks $word"
done
MANPATH=$P/share/man man -w zonekiln-sign >/dev/null || fail "man -w zonekiln-sign with MANPATH"

# Bash completion, loaded and driven as bash-completion does (COMP_WORDS/COMP_CWORD, then the
# function `complete -p` names).
comp=$P/share/bash-completion/completions/zonekiln
[[ -f $comp ]] || fail "no bash completion file"
complete_words() { # words...: prints the completions of the last word
  bash -c '
    source "$1"; shift
    spec=$(complete -p zonekiln) || exit 1
    fn=${spec##*-F }; fn=${fn%% *}
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    "$fn" zonekiln "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' complete "$comp" "$@"
}
[[ $(complete_words zonekiln si) == sign ]] || fail "completion of 'zonekiln si': $(complete_words zonekiln si)"
[[ $(complete_words zonekiln sign --ori) == --origin ]] || fail "completion of 'zonekiln sign --ori'"
[[ $(complete_words zonekiln ksk a | sort | tr '\n' ' ') == "activate add " ]] ||
  fail "completion of 'zonekiln ksk a': $(complete_words zonekiln ksk a | tr '\n' ' ')"
[[ $(complete_words zonekiln ksk add --ur) == --uri ]] || fail "completion of 'zonekiln ksk add --ur'"
# The value of --origin is not taken for a subcommand: 'sign' after it is still completed as a
# flag of sign.
[[ $(complete_words zonekiln sign --origin sign --nsec3-o) == --nsec3-opt-out ]] ||
  fail "completion after an option value"

# Example systemd units, pointed at the installed binary, must be valid units.
ex=$P/share/doc/zonekiln/examples/systemd
for unit in zonekiln@.service zonekiln@.timer; do
  [[ -f $ex/$unit ]] || fail "no example unit $unit"
done
mkdir "$T/units"
sed "s#/usr/bin/zonekiln#$ZK#" "$ex/zonekiln@.service" >"$T/units/zonekiln@.service"
cp "$ex/zonekiln@.timer" "$T/units/"
(cd "$T/units" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
  ./zonekiln@example.com.service ./zonekiln@example.com.timer) >"$T/verify.log" 2>&1 ||
  fail "systemd-analyze verify: $(cat "$T/verify.log")"
echo "failures: $fails"
[[ $fails -eq 0 ]]
