#!/usr/bin/env bash
# Installs what is needed, builds the terminal and starts the demo shop with the embedded
# default: local SQLite, the virtual printer, demo data, no backend.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target pos-terminal
exec ./build/release/terminal/app/pos-terminal demo "$@"
