#!/bin/bash
# The house rules that a compiler does not check (issue 13), over the source tree:
#  - no file includes another folder's detail/ headers (dns <- parser, signer, emit <- pipeline
#    <- cli; what is shared is a public header), in product code and in the benches;
#  - library code reads no environment: getenv only in cli/ (and the test hooks).
# Usage: house_rules.sh SOURCE_DIR
set -euo pipefail
SRC=${1:?usage: house_rules.sh SOURCE_DIR}
cd "$SRC"
bad=0

for dir in dns parser signer emit pipeline config cli bench; do
  [[ -d $dir ]] || continue
  # An include of "<other>/detail/..." from a file under $dir.
  if hits=$(grep -rnE '#include "[a-z_]+/detail/' "$dir" --include='*.cpp' --include='*.hpp' |
            grep -vE "#include \"$dir/detail/"); then
    echo "FAIL: $dir reaches into another folder's detail/ headers:" >&2
    echo "$hits" >&2
    bad=1
  fi
done

if hits=$(grep -rnE '\bgetenv\b' dns parser signer emit pipeline config \
          --include='*.cpp' --include='*.hpp'); then
  echo "FAIL: library code reads the environment (pass the value in from cli/):" >&2
  echo "$hits" >&2
  bad=1
fi

[[ $bad == 0 ]] && echo "house rules hold"
exit $bad
