// UiSession: one SDL window + software renderer + Dear ImGui context + the screens. The app's
// loop (touch_ui.cpp), the headless screen tests, the screenshot program and the benchmark all
// draw through it: feed it SDL events, give it a snapshot, get back what it drew and the
// intents that were tapped (applied by the caller after the frame: STYLE.md, "Screens are
// small classes that collect intents").
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <pos/app/engine.hpp>
#include <pos/ui/drawn.hpp>
#include <pos/ui/touch_ui.hpp>

struct SDL_Window;
struct SDL_Renderer;
typedef union SDL_Event SDL_Event;

namespace pos::ui {

// The screens of issue 11, in the shop's words (screenName()).
enum class Screen {
  SignIn,
  Counter,
  Invoice,
  Override,
  Payment,
  Done,
  Sync,
  Receipts,
  Shift,
  Drawer,
  Printer,
  kCount
};
[[nodiscard]] std::string_view screenName(Screen screen) noexcept;

struct FrameResult {
  std::vector<app::Intent> intents;  // in the order tapped
  DrawnModel drawn;
  // Something animates (a shake, a spinner, a countdown): draw again after this long even with
  // no event.
  std::optional<std::chrono::milliseconds> redrawIn;
  bool activity = false;  // a touch or key arrived (the app posts intent::Activity, throttled)
};

// Shop-local time text ("10:42", with the date "2026-11-21 10:42"); the engine's in the app.
using TimeText = std::function<std::string(checkout::Timestamp, bool withDate)>;

class UiSession {
 public:
  // Creates the window (SDL must be initialised with SDL_INIT_VIDEO by the caller). An error
  // text when no window or renderer could be made.
  static std::variant<std::unique_ptr<UiSession>, std::string> open(const UiOptions& options);
  ~UiSession();
  UiSession(const UiSession&) = delete;
  UiSession& operator=(const UiSession&) = delete;

  // Input goes into a queue; each frame applies at most one button or key transition.
  void feed(const SDL_Event& event);
  [[nodiscard]] bool inputPending() const;

  // Present::No lays the frame out (model, intents) without rasterizing it: the tests' frames
  // in between, and the app's frames with more input queued, where only the last picture
  // matters. Present::Yes rasterizes and presents it unless it is the picture already on the
  // screen (the same draw lists, textures and fills: a settle frame after an event mostly is;
  // SDL's software renderer spends milliseconds on every frame it fills). Present::Always
  // rasterizes even then (the benchmark's frame times).
  enum class Present { Yes, No, Always };
  FrameResult frame(const app::Snapshot& snapshot, checkout::Timestamp now,
                    Present present = Present::Yes);
  // Presents the frame last laid out by frame(..., Present::No) (the app posts the frame's
  // intents first, so the engine starts while the picture is filled). True when it drew.
  bool present(Present present = Present::Yes);
  // The window's picture was lost (exposed, resized): the next present draws.
  void invalidate();

  // The last presented frame as a PNG (SDL_RenderReadPixels + stbi_write_png).
  bool savePng(const std::filesystem::path& path);

  void setTimeText(TimeText timeText);
  // Navigation as a tap on the Counter's entries would do it (screenshots, benchmarks).
  void show(Screen screen);
  [[nodiscard]] Screen current() const;
  [[nodiscard]] SDL_Window* window() const;
  [[nodiscard]] SDL_Renderer* renderer() const;
  // Bytes of the font atlas texture (RGBA32) as uploaded.
  [[nodiscard]] std::size_t fontAtlasBytes() const;

  struct Impl;

 private:
  explicit UiSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pos::ui
