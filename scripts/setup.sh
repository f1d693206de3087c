#!/usr/bin/env bash
# Installs what zonekiln needs to build, test and package on Debian 12 (run as root). It only
# installs: apt-get runs only when a package is missing, so a set-up machine is not touched, and
# it never stops, disables, restarts or kills a service or process (the tests start their own
# nsd and unbound on their own ports, beside any system ones).
set -euo pipefail

packages=(
  # build (git: the revision in --version; help2man: the man pages)
  build-essential cmake pkg-config git help2man openssl
  libboost1.81-dev libtbb-dev libssl-dev libbenchmark-dev catch2
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev
  # validators and peer tools used by the tests and benches
  ldnsutils bind9-utils bind9-dnsutils knot-dnssecutils knot-dnsutils python3
  # the nightly cost curve plot of bench/renewal_bench.sh
  gnuplot-nox
  # fuzzing (libFuzzer with ASan/UBSan)
  clang libclang-rt-14-dev
  # the house rules test checks .clang-format
  clang-format-14
  # HSM keys through PKCS#11 (tests use SoftHSM2)
  softhsm2 opensc libengine-pkcs11-openssl p11-kit
  # a real authoritative server and validating resolver for the end-to-end test
  nsd unbound
  # a one-node Slurm cluster for the sharded array-job test (tests/e2e/many_zones)
  slurm-wlm munge
  # the installed tree and the .deb: man, bash completion, unit checks, dpkg-shlibdeps
  man-db bash-completion systemd dpkg-dev file
  # a real browser for the report test (headless Chromium renders `zonekiln report`'s page)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Nothing else: set-up never stops, disables or kills a service. The tests that need nsd and
# unbound start their own instances on free high ports and stop them by pid.
echo "setup: all packages present" >&2
