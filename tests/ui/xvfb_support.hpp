// The Xvfb end-to-end tests' hands: a private X server (Xvfb -noreset on a free display), the
// real `pos-terminal demo` in a real X window, and xdotool for real input events. The app tells
// us when it has drawn (POS_UI_TEST_SIGNAL: "first-frame", then "idle N vV SCREEN" with FILE.json
// holding what it drew), so the tests never sleep a fixed time.
#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pos::ui::e2e {

using nlohmann::json;

class Xvfb {
 public:
  Xvfb(int width = 1280, int height = 800);
  ~Xvfb();
  Xvfb(const Xvfb&) = delete;
  Xvfb& operator=(const Xvfb&) = delete;
  const std::string& display() const { return display_; }

 private:
  pid_t pid_ = -1;
  std::string display_;
};

// What the app last reported as drawn.
struct Drawn {
  std::uint64_t frame = 0;
  std::string screen;
  json model;  // {"screen", "overlay", "items": [{id, label, kind, x, y, w, h, enabled}]}
  const json* find(const std::string& id) const;
  bool shows(const std::string& text) const;
};

class UiApp {
 public:
  // pos-terminal <globalArgs...> demo, on `xvfb`'s display. Returns once the first settled
  // frame is reported, or with Start::FirstPicture as soon as the first frame is on the screen
  // (the "first-frame" signal; polled every millisecond, for the start-up figure).
  enum class Start { Settled, FirstPicture };
  UiApp(const Xvfb& xvfb, const std::vector<std::string>& globalArgs, const std::string& workDir,
        Start start = Start::Settled);
  ~UiApp();  // closes the window (SIGTERM), waits
  UiApp(const UiApp&) = delete;
  UiApp& operator=(const UiApp&) = delete;

  // Waits until the app is idle with a model for which `ok` holds (default 30 s).
  Drawn waitFor(const std::function<bool(const Drawn&)>& ok, const std::string& what,
                std::chrono::seconds timeout = std::chrono::seconds(30));
  Drawn waitScreen(const std::string& screen) {
    return waitFor([&](const Drawn& d) { return d.screen == screen; }, "screen " + screen);
  }
  Drawn waitShows(const std::string& text) {
    return waitFor([&](const Drawn& d) { return d.shows(text); }, "text " + text);
  }
  // Waits for an idle model with the item, then clicks its centre with xdotool.
  void tap(const std::string& id);
  // Moves the pointer over the item and waits for the frame after the move; then click()
  // presses and releases button 1 at once and returns (the benchmark times from its call):
  // with XTest from this process when built with libxtst (a request on an open connection),
  // else by starting `xdotool click --delay 0 1` (its own start and X connection included)
  // without waiting for it; finishClick() reaps that process.
  void pointAt(const std::string& id);
  void click();
  void finishClick();
  // How click() injects the click ("XTest from this process" or "xdotool process").
  static const char* clickMethod();
  void type(const std::string& ascii);  // xdotool type
  void key(const std::string& name);    // xdotool key (Return, BackSpace)
  int exitCode();                       // after the app ended by itself
  pid_t pid() const { return pid_; }

 private:
  Drawn read() const;
  void xdotool(const std::vector<std::string>& args);
  const Xvfb& xvfb_;
  std::string signal_;
  std::string log_;
  pid_t pid_ = -1;
  std::uint64_t lastTapFrame_ = 0;
  pid_t clickPid_ = -1;
  void* xDisplay_ = nullptr;  // Display* for XTest (libX11 types stay out of this header)
};

// Runs a program to completion (stdout returned); throws when it cannot start.
std::string runProgram(const std::vector<std::string>& argv, int* exitCode = nullptr,
                       const std::map<std::string, std::string>& env = {});

}  // namespace pos::ui::e2e
