#!/usr/bin/env bash
# Installs every Debian 12 package the terminal needs to build, run and test.
# Quick when everything is already there: it only calls apt-get when a package is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev ccache
  # libraries (all found by find_package / pkg-config)
  libimgui-dev libsdl2-dev libusb-1.0-0-dev libsqlite3-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libtomlplusplus-dev libqrencode-dev libsodium-dev libre2-dev libstb-dev
  libkainjow-mustache-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  # tests: USB emulation, a real X server, fonts, TLS certificates, sqlite shell
  umockdev libumockdev-dev xvfb xauth xdotool libxtst-dev fonts-dejavu-core openssl sqlite3 ca-certificates
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
