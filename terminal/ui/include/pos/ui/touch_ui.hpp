// The touch UI's entry point: `pos-terminal` (no subcommand) and `pos-terminal demo` call
// runTouchUi with the counter engine they built. It returns the process's exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pos::app {
class CounterEngine;
}

namespace pos::ui {

// No display could be opened (no DISPLAY/WAYLAND_DISPLAY, or the server refused us).
inline constexpr int kExitNoDisplay = 5;

enum class WindowMode { Windowed, Fullscreen };

struct UiOptions {
  int width = 1280;
  int height = 800;
  WindowMode mode = WindowMode::Windowed;
  // [screen] px_per_mm: a 10.1" 1280x800 panel is 217 mm wide (TerminalConfig::screen.pxPerMm).
  double pxPerMm = 5.88;
  std::string title = "pos-terminal";
  // POS_UI_TEST_SIGNAL: a file the UI rewrites with "first-frame" and "idle N" (and, next to
  // it, FILE.json with what it drew) so tests wait on the app instead of sleeping.
  std::optional<std::filesystem::path> testSignal;
};

// The options from the environment: POS_UI_TEST_SIGNAL (see above), POS_UI_PX_PER_MM.
UiOptions uiOptionsFromEnvironment(UiOptions base = {});

// Opens the window, runs until the window is closed (or SIGTERM/SIGINT), then returns 0;
// kExitNoDisplay (with the reason and how to run under Xvfb on stderr) when there is no
// display.
int runTouchUi(app::CounterEngine& engine, const UiOptions& options);

}  // namespace pos::ui
