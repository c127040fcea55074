#!/bin/sh
# Regenerates docs/screenshots/*.png: the touch UI's main screens on the demo shop, drawn
# headless (SDL's dummy video driver, the software renderer) from the snapshots the screen tests
# check (tests/ui/demo_snapshots.cpp). Usage: scripts/screenshots.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$here/build/debug"}
if [ ! -d "$build" ]; then
  cmake --preset debug -S "$here"
fi
cmake --build "$build" --target pos-ui-screenshots
SDL_VIDEODRIVER=dummy "$build/tests/ui/pos-ui-screenshots" "$here/docs/screenshots"
