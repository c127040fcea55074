#!/usr/bin/env bash
# Installs what is needed, builds and runs every test: the debug build (warnings are errors),
# the AddressSanitizer + UndefinedBehaviorSanitizer build, the bounded libFuzzer runs, and the
# package stage (scripts/ci-package.sh: the .deb, lintian, install/upgrade/remove in a
# disposable root, the kiosk session, the arm64 cross build with its quick tests; needs root;
# POS_CI_PACKAGE=0 leaves it out, POS_CI_ARM64=0 leaves out its arm64 half).
# This is the README's test command and exactly what CI (.ci/run) runs. Each phase prints its
# minutes, so a slow one shows in CI's log.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

jobs=$(nproc)
t0=0
took() { printf '=== %s took %d min %02d s\n' "$1" $(((SECONDS - t0) / 60)) $(((SECONDS - t0) % 60)); t0=$SECONDS; }
took setup
# The package stage's slowest preparation (its tools, the arm64 builder root) runs beside the
# builds; the package stage waits for it below.
prepare_pid=""
if [ "${POS_CI_PACKAGE:-1}" = "1" ] && [ "$(id -u)" -eq 0 ]; then
  mkdir -p build
  ./scripts/ci-package.sh --prepare >build/ci-package-prepare.log 2>&1 &
  prepare_pid=$!
fi
for preset in debug asan; do
  echo "=== ${preset}: configure, build, test"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  ctest --preset "${preset}" -j "${jobs}"
  took "${preset}"
done

echo "=== fuzz: libFuzzer targets (clang), corpus replay and bounded fuzzing"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${jobs}" --target pos_fuzzers
ctest --preset fuzz -j "${jobs}"
took fuzz

if [ "${POS_CI_PACKAGE:-1}" = "1" ]; then
  echo "=== package: .deb, lintian, install/upgrade/remove cycle, kiosk session, arm64"
  if [ -n "$prepare_pid" ]; then
    wait "$prepare_pid" || { echo "package: preparation failed (the stage makes its roots itself):"; tail -5 build/ci-package-prepare.log; }
  fi
  if [ "$(id -u)" -eq 0 ]; then
    ./scripts/ci-package.sh
  elif sudo -n true 2>/dev/null; then
    sudo -n --preserve-env=PATH,POS_CI_ARM64,CCACHE_DIR ./scripts/ci-package.sh
  else
    echo "=== package: SKIPPED: it makes chroots and needs root (or passwordless sudo)" >&2
  fi
  took package
fi
