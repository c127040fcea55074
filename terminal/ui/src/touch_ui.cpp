// runTouchUi (touch_ui.hpp): the app's loop around a UiSession and the counter engine.
//
// Redraw only when something changed (ui-and-build.md, "Redraw and idle"): the loop sleeps in
// SDL_WaitEventTimeout and draws on input, on an engine wake-up (an SDL user event pushed from
// the engine's thread), while something animates (a shake, a spinner, a countdown once a
// second), and for a few settle frames after each of these so a tap's effect is on screen.
//
// Sections: display check · test signal · the loop (with the systemd notifications)
#include <pos/ui/touch_ui.hpp>

#include <SDL.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <pos/app/engine.hpp>
#include <pos/app/systemd_notify.hpp>
#include <pos/ui/session.hpp>

namespace pos::ui {

namespace {

constexpr int kSettleFrames = 3;

// ---------------------------------------------------------------- display check

int noDisplay(const std::string& why) {
  std::cerr << "pos-terminal: no display to open the touch UI (" << why
            << ").\n"
               "  On a kiosk it runs under a compositor (cage); on a desktop set DISPLAY.\n"
               "  Without a screen, run it under Xvfb:\n"
               "    xvfb-run -s '-screen 0 1280x800x24' pos-terminal demo\n"
               "  The headless commands need no display: pos-terminal --help\n";
  return kExitNoDisplay;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// ---------------------------------------------------------------- test signal

// Rewritten atomically (a reader never sees half a line).
void writeSignal(const std::filesystem::path& path, const std::string& line,
                 const std::string* modelJson) {
  if (modelJson) {
    const auto json = path.string() + ".json";
    {
      std::ofstream out(json + ".tmp", std::ios::trunc);
      out << *modelJson;
    }
    std::filesystem::rename(json + ".tmp", json);
  }
  {
    std::ofstream out(path.string() + ".tmp", std::ios::trunc);
    out << line << "\n";
  }
  std::error_code ec;
  std::filesystem::rename(path.string() + ".tmp", path, ec);
}

// ---------------------------------------------------------------- systemd call sites

checkout::Timestamp nowMs() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace

UiOptions uiOptionsFromEnvironment(UiOptions base) {
  if (const char* s = env("POS_UI_TEST_SIGNAL")) base.testSignal = std::filesystem::path(s);
  if (const char* p = env("POS_UI_PX_PER_MM")) {
    char* end = nullptr;
    const double v = std::strtod(p, &end);
    if (end && *end == 0 && v >= 1.0 && v <= 40.0) base.pxPerMm = v;
  }
  return base;
}

// ---------------------------------------------------------------- the loop

int runTouchUi(app::CounterEngine& engine, const UiOptions& options) {
  const char* driver = env("SDL_VIDEODRIVER");
  if (!driver && !env("DISPLAY") && !env("WAYLAND_DISPLAY")) {
    return noDisplay("neither DISPLAY nor WAYLAND_DISPLAY is set");
  }
  // Never grab the pointer (a touch screen has none to grab; notes: a held grab blocks
  // other clients).
  SDL_SetHint(SDL_HINT_MOUSE_AUTO_CAPTURE, "0");
  SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
  // XShm instead of llvmpipe for the window framebuffer under X11 (kiosk.md).
  if (!env("WAYLAND_DISPLAY")) SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) return noDisplay(SDL_GetError());
  // SDL falls back to its offscreen driver when the X server refuses us: that is no display.
  const std::string current = SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "";
  if (!driver && (current == "offscreen" || current == "dummy")) {
    SDL_Quit();
    return noDisplay("the display server could not be reached");
  }
  auto opened = UiSession::open(options);
  if (auto* error = std::get_if<std::string>(&opened)) {
    SDL_Quit();
    return noDisplay(*error);
  }
  auto& session = *std::get<std::unique_ptr<UiSession>>(opened);
  session.setTimeText([&engine](checkout::Timestamp at, bool withDate) {
    return engine.localTimeText(at, withDate);
  });

  // The engine's wake-up: a user event (thread-safe). SDL_PushEvent fails when the queue is
  // full; the flag makes the loop look at the snapshot anyway at its next timeout.
  const Uint32 wakeType = SDL_RegisterEvents(1);
  std::atomic<bool> missedWake{false};
  engine.setWakeup([wakeType, &missedWake] {
    SDL_Event e{};
    e.type = wakeType;
    if (wakeType == static_cast<Uint32>(-1) || SDL_PushEvent(&e) <= 0) missedWake = true;
  });

  // THE systemd call site of the touch UI (kiosk.md): READY=1 once the first frame is
  // presented, WATCHDOG=1 from this loop, which wakes at least every watchdog interval.
  // Outside systemd every call is a no-op.
  auto notifier = app::SystemdNotifier::fromEnvironment();
  const auto watchdogEvery =
      std::chrono::duration_cast<std::chrono::milliseconds>(notifier.watchdogInterval()) / 2;

  std::uint64_t drawnVersion = 0;
  bool drawnOnce = false;
  bool shownOnce = false;  // the first picture is on the screen (READY=1, "first-frame")
  int settle = kSettleFrames;
  std::uint64_t frames = 0;
  std::optional<std::chrono::steady_clock::time_point> redrawAt;
  auto lastActivity = std::chrono::steady_clock::time_point{};
  bool running = true;
  while (running) {
    // How long to sleep: not at all while there is work, else until the next animation step
    // (at most a second, to look again at a wake-up that could not be pushed).
    int timeout = 1000;
    const auto steadyNow = std::chrono::steady_clock::now();
    if (settle > 0 || session.inputPending() || !drawnOnce) {
      timeout = 0;
    } else if (redrawAt) {
      timeout = static_cast<int>(std::clamp<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(*redrawAt - steadyNow).count(), 0,
          1000));
    }
    if (watchdogEvery.count() > 0)
      timeout = std::min<int>(timeout, static_cast<int>(watchdogEvery.count()));
    bool draw = false;
    bool input = false;
    SDL_Event e;
    auto handle = [&](const SDL_Event& ev) {
      if (ev.type == SDL_QUIT) {
        running = false;
      } else if (ev.type == wakeType) {
        // Looked at below (the snapshot's version).
      } else if (ev.type == SDL_WINDOWEVENT) {
        draw = true;
        settle = kSettleFrames;
        session.invalidate();  // exposed or resized: the picture must be filled again
      } else {
        session.feed(ev);
        input = true;
      }
    };
    if (SDL_WaitEventTimeout(&e, timeout)) {
      handle(e);
      while (SDL_PollEvent(&e)) handle(e);
    }
    if (!running) break;
    notifier.watchdogIfDue();
    const auto snap = engine.snapshot();
    if (missedWake.exchange(false)) draw = true;
    if (!drawnOnce || snap->version != drawnVersion) {
      draw = true;
      settle = kSettleFrames;
    }
    if (input) settle = kSettleFrames;
    if (session.inputPending() || settle > 0) draw = true;
    if (redrawAt && std::chrono::steady_clock::now() >= *redrawAt) draw = true;
    if (!draw) continue;
    // Laid out first; the intents go to the engine before the picture is filled, so the
    // worker starts while this thread rasterizes. A frame with more input queued is not
    // filled at all (the next one replaces it), and neither is one that looks exactly like
    // the picture on the screen (UiSession::present).
    FrameResult r = session.frame(*snap, nowMs(), UiSession::Present::No);
    ++frames;
    drawnVersion = snap->version;
    drawnOnce = true;
    const bool more = session.inputPending();
    if (!more && settle > 0) --settle;
    if (!r.intents.empty()) settle = kSettleFrames;
    for (auto& intent : r.intents) engine.post(std::move(intent));
    const bool firstPicture = !more && session.present() && !shownOnce;
    if (firstPicture) shownOnce = true;
    const auto after = std::chrono::steady_clock::now();
    if (r.activity && after - lastActivity >= std::chrono::seconds(1)) {
      engine.post(app::intent::Activity{});
      lastActivity = after;
    }
    redrawAt.reset();
    if (r.redrawIn) redrawAt = after + *r.redrawIn;
    if (firstPicture) {
      notifier.ready();
      if (options.testSignal) writeSignal(*options.testSignal, "first-frame", nullptr);
    }
    // Settled: the input queue is empty and the settle frames are drawn, so what is on screen
    // is what the model says (the engine may still be busy: the model then shows "busy").
    if (options.testSignal && settle == 0 && !session.inputPending()) {
      const std::string json = r.drawn.toJson();
      // POS_UI_TEST_PNG=FILE: the settled frame as a PNG too (tests' artifacts, debugging).
      if (const char* png = env("POS_UI_TEST_PNG")) session.savePng(png);
      writeSignal(*options.testSignal,
                  "idle " + std::to_string(frames) + " v" + std::to_string(snap->version) +
                      (snap->busy == app::Busy::Idle ? " " : " busy ") + r.drawn.screen,
                  &json);
    }
  }
  notifier.stopping();
  engine.setWakeup({});
  std::get<std::unique_ptr<UiSession>>(opened).reset();
  SDL_Quit();
  return 0;
}

}  // namespace pos::ui
