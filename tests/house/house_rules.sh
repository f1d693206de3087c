#!/bin/bash
# The house rules that a compiler does not check (issue 13), over the source tree:
#  - no file includes another folder's detail/ headers (dns <- parser, signer, emit <- pipeline
#    <- cli; what is shared is a public header), in product code and in the benches;
#  - the signer's crypto core includes no header of its key lifecycle (signer/lifecycle/);
#  - each detail/ header carries the #error guard that makes such an include fail to compile;
#  - library code reads no environment: getenv only in cli/ (and the test hooks);
#  - every C++ file is formatted by .clang-format (clang-format-14, Debian's).
# Usage: house_rules.sh SOURCE_DIR
set -euo pipefail
SRC=${1:?usage: house_rules.sh SOURCE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../e2e/lib/tools.sh
source "$HERE/../e2e/lib/tools.sh"
cd "$SRC"
bad=0

# Each library folder; signer/lifecycle/ is a library of its own inside signer/.
libs=(dns parser signer signer/lifecycle emit pipeline config cli bench)
for dir in "${libs[@]}"; do
  [[ -d $dir ]] || continue
  # An include of "<other>/detail/..." from a file under $dir (not under a library inside it).
  if hits=$(find "$dir" \( -name '*.cpp' -o -name '*.hpp' \) ! -path "$dir/lifecycle/*" -print0 |
            xargs -0 -r grep -nHE '#include "([a-z_]+/)+detail/' |
            grep -vE "#include \"$dir/detail/"); then
    echo "FAIL: $dir reaches into another folder's detail/ headers:" >&2
    echo "$hits" >&2
    bad=1
  fi
done

# The signer's crypto core never depends on its key lifecycle (signer <- signer/lifecycle).
if hits=$(grep -rnE '#include "signer/lifecycle/' signer --include='*.cpp' --include='*.hpp' |
          grep -v '^signer/lifecycle/'); then
  echo "FAIL: the crypto core (signer/) includes a lifecycle header (signer/lifecycle/):" >&2
  echo "$hits" >&2
  bad=1
fi

# Each detail/ header stops the compile outside its folder (CMake sets ZK_INSIDE_<FOLDER> for
# the folder's library only; tests set ZK_WHITE_BOX), so a stray include fails to build.
while IFS= read -r h; do
  lib=${h%%/detail/*}  # signer/lifecycle/detail/x.hpp -> ZK_INSIDE_SIGNER_LIFECYCLE
  macro=${lib^^}
  macro=${macro//\//_}
  if ! grep -q "defined(ZK_INSIDE_${macro})" "$h"; then
    echo "FAIL: $h lacks the #error guard of $lib/detail/ (see parser/detail/ttl.hpp)" >&2
    bad=1
  fi
done < <(git ls-files '*/detail/*.hpp' 2>/dev/null || find . -path '*/detail/*.hpp' | sed 's#^./##')
if command -v c++ >/dev/null; then
  if out=$(echo '#include "signer/detail/internal.hpp"' |
           c++ -std=c++20 -fsyntax-only -I. -x c++ - 2>&1); then
    echo "FAIL: another folder's detail/ header compiled without ZK_INSIDE_SIGNER" >&2
    bad=1
  elif ! grep -q "signer/detail/ is private to signer/" <<<"$out"; then
    echo "FAIL: a stray detail/ include failed, but not at its guard:" >&2
    echo "$out" | head -5 >&2
    bad=1
  fi
fi

if hits=$(grep -rnE '\bgetenv\b' dns parser signer emit pipeline config \
          --include='*.cpp' --include='*.hpp'); then
  echo "FAIL: library code reads the environment (pass the value in from cli/):" >&2
  echo "$hits" >&2
  bad=1
fi

need_tools clang-format-14
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null ||
                     find dns parser signer emit pipeline config cli bench tests \
                       \( -name '*.cpp' -o -name '*.hpp' \) -print)
unformatted=()
for f in "${files[@]}"; do
  clang-format-14 --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if ((${#unformatted[@]})); then
  echo "FAIL: ${#unformatted[@]} files differ from .clang-format (clang-format-14 -i FILE):" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  bad=1
fi
[[ $bad == 0 ]] && echo "house rules hold (${#files[@]} C++ files)"
exit $bad
