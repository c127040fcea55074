#!/usr/bin/env bash
# Builds the Debian package of pos-terminal (CPack DEB; see cmake/PosInstall.cmake):
#
#   scripts/package.sh                      # this machine's architecture -> build/package-amd64/deb/
#   scripts/package.sh --arch arm64         # cross build (toolchains/aarch64-linux-gnu.cmake; needs
#                                           # the :arm64 -dev packages, see scripts/ci-package.sh)
#   scripts/package.sh --build-dir DIR -- -DPOS_PACKAGE_VERSION=... (extra CMake options)
#
# Release build with Debian's hardening flags (dpkg-buildflags), no tests, no benchmarks;
# installs to /usr. Prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

arch=$(dpkg --print-architecture)
build=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
build=${build:-build/package-$arch}

cross=()
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  case "$arch" in
    arm64) cross=(-DCMAKE_TOOLCHAIN_FILE="$PWD/toolchains/aarch64-linux-gnu.cmake") ;;
    *) echo "package.sh: no toolchain file for $arch" >&2; exit 2 ;;
  esac
  export DEB_HOST_ARCH=$arch
fi
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths below the source tree hashed relative to it and the build directory left out of the
  # hash (dpkg-buildflags' -ffile-prefix-map already keeps it out of the debug info), so a second
  # build of the same sources in another directory (CI's upgrade-test release) reuses the first.
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
fi

# Debian's hardening (PIE, stack protector, fortify, relro, bindnow); CMake reads
# CFLAGS/CXXFLAGS/LDFLAGS at the first configure, not CPPFLAGS.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS)
CFLAGS="$(dpkg-buildflags --get CFLAGS) $CPPFLAGS"
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $CPPFLAGS"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CFLAGS CXXFLAGS LDFLAGS

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DPOS_BUILD_TESTS=OFF -DPOS_BUILD_BENCHMARKS=OFF -DPOS_WERROR=OFF \
  "${launcher[@]}" "${cross[@]}" "${extra[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)"
rm -f "$build"/deb/*.deb
(cd "$build" && cpack -G DEB >/dev/null)
ls "$build"/deb/*.deb
