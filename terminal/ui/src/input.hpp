// The project's own input handling for Dear ImGui 1.86 (instead of imgui_impl_sdl's):
// - mouse and finger events go into a queue; each frame applies every motion up to the next
//   button or key transition, then that one transition, so a down and an up that arrive in
//   the same frame (a quick tap, a scripted click) are both seen, in two frames;
// - positions come from the event (never SDL_GetGlobalMouseState), finger coordinates are
//   scaled by the window size;
// - touch-made mouse events (which == SDL_TOUCH_MOUSEID) and mouse-made finger events
//   (SDL_MOUSE_TOUCHID) are dropped so one tap is one press; repeated transitions too;
// - after a finger lifts, the pointer leaves the window: no hover stays behind;
// - keys are queued the same way, modifiers from the event; typed text never shares a frame
//   with an editing key (BackSpace, Enter, arrows), so the order typed is the order applied.
// It never calls SDL_CaptureMouse.
#pragma once

#include <SDL.h>
#include <imgui.h>

#include <deque>
#include <string>

namespace pos::ui {

class InputQueue {
 public:
  InputQueue();
  void setWindowSize(int width, int height);
  // Returns true when the event was input (queued or deliberately dropped).
  bool push(const SDL_Event& event);
  [[nodiscard]] bool pending() const { return !queue_.empty(); }
  // Applies this frame's share of the queue to `io`. True when anything was applied.
  bool apply(ImGuiIO& io);
  static void mapKeys(ImGuiIO& io);

 private:
  enum class Kind { Move, Down, Up, Wheel, KeyDown, KeyUp, Text };
  struct Event {
    Kind kind = Kind::Move;
    float x = 0, y = 0;
    bool finger = false;
    int scancode = 0;
    Uint16 mods = 0;
    std::string text;
  };
  static Event pointer(Kind kind, float x, float y, bool finger);
  std::deque<Event> queue_;
  int width_ = 1, height_ = 1;
  bool down_ = false;         // as queued (to drop repeated transitions)
  bool hidePointer_ = false;  // a finger lifted last frame
};

}  // namespace pos::ui
