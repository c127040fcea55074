// Runs a parsed command line: loads the configuration, opens the terminal, builds the services
// and calls the one the subcommand names. Returns the contract's exit code; prints one JSON
// object with --json, else text for a person.
#pragma once

#include <functional>
#include <iosfwd>

#include <pos/app/command_line.hpp>

namespace pos::app {

class CounterEngine;

// What the touch UI is opened with: `--window WxH`, `--fullscreen` / `[screen] fullscreen` and
// `[screen] px_per_mm`.
struct TouchUiSettings {
  int width = 1280;
  int height = 800;
  bool fullscreen = false;
  double pxPerMm = 5.88;
};

// The touch UI (terminal/ui, linked by the executable; pos::app does not depend on it): runs
// until the window closes and returns the exit code (5 without a display).
using TouchUi = std::function<int(CounterEngine&, const TouchUiSettings&)>;

int runCommandLine(const ParsedCommandLine& parsed, std::istream& in, std::ostream& out,
                   std::ostream& err, const std::filesystem::path& assetsDir,
                   const TouchUi& touchUi = {});

}  // namespace pos::app
