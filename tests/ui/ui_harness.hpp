// A headless UiSession (SDL's dummy video driver, software renderer) with finger taps, typing
// and frames until the input queue has drained: the screen tests' hands and eyes.
#pragma once

#include <SDL.h>

#include <memory>
#include <string>
#include <vector>

#include <pos/ui/session.hpp>

#include "demo_snapshots.hpp"

namespace pos::ui::testing {

class Harness {
 public:
  explicit Harness(int width = 1280, int height = 800, double pxPerMm = 5.03);
  ~Harness();

  UiSession& session() { return *session_; }
  // Draws until the input queue is empty, then `settle` more frames; the intents of them all.
  FrameResult run(const app::Snapshot& snap, int settle = 2);
  // A finger tap at the centre of the item with this id in the last frame's model.
  void tap(const std::string& id);
  void fingerDown(float x, float y);
  void fingerMove(float x, float y);
  void fingerUp(float x, float y);
  void type(const std::string& text);  // SDL_TEXTINPUT with key down/up around it
  void key(SDL_Scancode code);         // down and up
  const DrawnModel& drawn() const { return last_.drawn; }
  int width() const { return width_; }
  int height() const { return height_; }
  checkout::Timestamp now = at(10, 45);

 private:
  std::unique_ptr<UiSession> session_;
  FrameResult last_;
  int width_, height_;
};

}  // namespace pos::ui::testing
