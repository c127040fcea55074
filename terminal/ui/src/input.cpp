// InputQueue (input.hpp): one button or key transition per frame, positions from the events.
#include "input.hpp"

#include <cfloat>

namespace pos::ui {

InputQueue::InputQueue() = default;

void InputQueue::setWindowSize(int width, int height) {
  width_ = width > 0 ? width : 1;
  height_ = height > 0 ? height : 1;
}

void InputQueue::mapKeys(ImGuiIO& io) {
  io.KeyMap[ImGuiKey_Tab] = SDL_SCANCODE_TAB;
  io.KeyMap[ImGuiKey_LeftArrow] = SDL_SCANCODE_LEFT;
  io.KeyMap[ImGuiKey_RightArrow] = SDL_SCANCODE_RIGHT;
  io.KeyMap[ImGuiKey_UpArrow] = SDL_SCANCODE_UP;
  io.KeyMap[ImGuiKey_DownArrow] = SDL_SCANCODE_DOWN;
  io.KeyMap[ImGuiKey_PageUp] = SDL_SCANCODE_PAGEUP;
  io.KeyMap[ImGuiKey_PageDown] = SDL_SCANCODE_PAGEDOWN;
  io.KeyMap[ImGuiKey_Home] = SDL_SCANCODE_HOME;
  io.KeyMap[ImGuiKey_End] = SDL_SCANCODE_END;
  io.KeyMap[ImGuiKey_Insert] = SDL_SCANCODE_INSERT;
  io.KeyMap[ImGuiKey_Delete] = SDL_SCANCODE_DELETE;
  io.KeyMap[ImGuiKey_Backspace] = SDL_SCANCODE_BACKSPACE;
  io.KeyMap[ImGuiKey_Space] = SDL_SCANCODE_SPACE;
  io.KeyMap[ImGuiKey_Enter] = SDL_SCANCODE_RETURN;
  io.KeyMap[ImGuiKey_Escape] = SDL_SCANCODE_ESCAPE;
  io.KeyMap[ImGuiKey_KeyPadEnter] = SDL_SCANCODE_KP_ENTER;
  io.KeyMap[ImGuiKey_A] = SDL_SCANCODE_A;
  io.KeyMap[ImGuiKey_C] = SDL_SCANCODE_C;
  io.KeyMap[ImGuiKey_V] = SDL_SCANCODE_V;
  io.KeyMap[ImGuiKey_X] = SDL_SCANCODE_X;
  io.KeyMap[ImGuiKey_Y] = SDL_SCANCODE_Y;
  io.KeyMap[ImGuiKey_Z] = SDL_SCANCODE_Z;
}

InputQueue::Event InputQueue::pointer(Kind kind, float x, float y, bool finger) {
  Event e;
  e.kind = kind;
  e.x = x;
  e.y = y;
  e.finger = finger;
  return e;
}

bool InputQueue::push(const SDL_Event& e) {
  switch (e.type) {
    case SDL_MOUSEMOTION:
      if (e.motion.which == SDL_TOUCH_MOUSEID) return true;
      queue_.push_back(pointer(Kind::Move, static_cast<float>(e.motion.x),
                               static_cast<float>(e.motion.y), false));
      return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
      if (e.button.which == SDL_TOUCH_MOUSEID || e.button.button != SDL_BUTTON_LEFT) return true;
      const bool down = e.type == SDL_MOUSEBUTTONDOWN;
      if (down == down_) return true;  // a repeated transition
      down_ = down;
      queue_.push_back(pointer(down ? Kind::Down : Kind::Up, static_cast<float>(e.button.x),
                               static_cast<float>(e.button.y), false));
      return true;
    }
    case SDL_MOUSEWHEEL:
      queue_.push_back(pointer(Kind::Wheel, 0.f, static_cast<float>(e.wheel.y), false));
      return true;
    case SDL_FINGERMOTION:
    case SDL_FINGERDOWN:
    case SDL_FINGERUP: {
      if (e.tfinger.touchId == SDL_MOUSE_TOUCHID) return true;
      const float x = e.tfinger.x * static_cast<float>(width_);
      const float y = e.tfinger.y * static_cast<float>(height_);
      if (e.type == SDL_FINGERMOTION) {
        queue_.push_back(pointer(Kind::Move, x, y, true));
        return true;
      }
      const bool down = e.type == SDL_FINGERDOWN;
      if (down == down_) return true;
      down_ = down;
      queue_.push_back(pointer(down ? Kind::Down : Kind::Up, x, y, true));
      return true;
    }
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
      Event k = pointer(e.type == SDL_KEYDOWN ? Kind::KeyDown : Kind::KeyUp, 0, 0, false);
      k.scancode = static_cast<int>(e.key.keysym.scancode);
      k.mods = e.key.keysym.mod;
      queue_.push_back(std::move(k));
      return true;
    }
    case SDL_TEXTINPUT: {
      Event t = pointer(Kind::Text, 0, 0, false);
      t.text = e.text.text;
      queue_.push_back(std::move(t));
      return true;
    }
    default:
      return false;
  }
}

namespace {
bool isEditingKey(int scancode) {
  switch (scancode) {
    case SDL_SCANCODE_BACKSPACE:
    case SDL_SCANCODE_RETURN:
    case SDL_SCANCODE_KP_ENTER:
    case SDL_SCANCODE_ESCAPE:
    case SDL_SCANCODE_TAB:
    case SDL_SCANCODE_DELETE:
    case SDL_SCANCODE_LEFT:
    case SDL_SCANCODE_RIGHT:
    case SDL_SCANCODE_UP:
    case SDL_SCANCODE_DOWN:
    case SDL_SCANCODE_HOME:
    case SDL_SCANCODE_END:
      return true;
    default:
      return false;
  }
}
}  // namespace

bool InputQueue::apply(ImGuiIO& io) {
  bool applied = false;
  if (hidePointer_) {
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    hidePointer_ = false;
    applied = true;
  }
  bool transition = false;  // a button or editing key this frame
  bool typed = false;       // text this frame
  while (!queue_.empty()) {
    Event& e = queue_.front();
    if (e.kind == Kind::Move) {
      if (transition) break;  // after a press, the next motion is the next frame's
      io.MousePos = ImVec2(e.x, e.y);
    } else if (e.kind == Kind::Wheel) {
      io.MouseWheel += e.y;
    } else if (e.kind == Kind::Text) {
      if (transition) break;
      io.AddInputCharactersUTF8(e.text.c_str());
      typed = true;
    } else if (e.kind == Kind::Down || e.kind == Kind::Up) {
      if (transition || typed) break;
      io.MousePos = ImVec2(e.x, e.y);
      io.MouseDown[0] = e.kind == Kind::Down;
      if (e.kind == Kind::Up && e.finger) hidePointer_ = true;
      transition = true;
    } else {  // a key
      // Letters and digits arrive as text too; only editing keys take a frame of their own.
      const bool editing = isEditingKey(e.scancode);
      if (editing && (transition || typed)) break;
      if (e.scancode >= 0 && e.scancode < 512) io.KeysDown[e.scancode] = e.kind == Kind::KeyDown;
      io.KeyCtrl = (e.mods & KMOD_CTRL) != 0;
      io.KeyShift = (e.mods & KMOD_SHIFT) != 0;
      io.KeyAlt = (e.mods & KMOD_ALT) != 0;
      io.KeySuper = (e.mods & KMOD_GUI) != 0;
      transition = transition || editing;
    }
    queue_.pop_front();
    applied = true;
  }
  return applied;
}

}  // namespace pos::ui
