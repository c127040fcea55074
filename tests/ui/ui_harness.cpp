// Harness (ui_harness.hpp).
#include "ui_harness.hpp"

#include <stdexcept>

namespace pos::ui::testing {

Harness::Harness(int width, int height, double pxPerMm) : width_(width), height_(height) {
  setenv("SDL_VIDEODRIVER", "dummy", 1);
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) throw std::runtime_error(SDL_GetError());
  UiOptions options;
  options.width = width;
  options.height = height;
  options.pxPerMm = pxPerMm;
  auto opened = UiSession::open(options);
  if (auto* e = std::get_if<std::string>(&opened)) throw std::runtime_error(*e);
  session_ = std::move(std::get<std::unique_ptr<UiSession>>(opened));
}

Harness::~Harness() {
  session_.reset();
  SDL_Quit();
}

FrameResult Harness::run(const app::Snapshot& snap, int settle) {
  FrameResult all;
  SDL_Event e;
  while (SDL_PollEvent(&e)) session_->feed(e);
  int extra = settle;
  for (int guard = 0; guard < 400; ++guard) {
    now += std::chrono::milliseconds(16);
    const bool last = !session_->inputPending() && extra <= 0;
    FrameResult r =
        session_->frame(snap, now, last ? UiSession::Present::Yes : UiSession::Present::No);
    for (auto& i : r.intents) all.intents.push_back(std::move(i));
    all.activity = all.activity || r.activity;
    all.redrawIn = r.redrawIn;
    all.drawn = std::move(r.drawn);
    if (!session_->inputPending() && extra-- <= 0) break;
  }
  last_.drawn = all.drawn;
  return all;
}

void Harness::fingerDown(float x, float y) {
  SDL_Event e{};
  e.type = SDL_FINGERDOWN;
  e.tfinger.touchId = 1;
  e.tfinger.fingerId = 1;
  e.tfinger.x = x / static_cast<float>(width_);
  e.tfinger.y = y / static_cast<float>(height_);
  SDL_PushEvent(&e);
}

void Harness::fingerMove(float x, float y) {
  SDL_Event e{};
  e.type = SDL_FINGERMOTION;
  e.tfinger.touchId = 1;
  e.tfinger.fingerId = 1;
  e.tfinger.x = x / static_cast<float>(width_);
  e.tfinger.y = y / static_cast<float>(height_);
  SDL_PushEvent(&e);
}

void Harness::fingerUp(float x, float y) {
  SDL_Event e{};
  e.type = SDL_FINGERUP;
  e.tfinger.touchId = 1;
  e.tfinger.fingerId = 1;
  e.tfinger.x = x / static_cast<float>(width_);
  e.tfinger.y = y / static_cast<float>(height_);
  SDL_PushEvent(&e);
}

void Harness::tap(const std::string& id) {
  const DrawnItem* item = last_.drawn.find(id);
  if (!item) throw std::runtime_error("nothing drawn with id " + id + " on " + last_.drawn.screen);
  fingerDown(item->rect.cx(), item->rect.cy());
  fingerUp(item->rect.cx(), item->rect.cy());
}

void Harness::type(const std::string& text) {
  for (char c : text) {
    // As a keyboard (or xdotool) sends it: key down, the text, key up.
    SDL_Event d{};
    d.type = SDL_KEYDOWN;
    d.key.keysym.scancode = SDL_SCANCODE_A;
    SDL_PushEvent(&d);
    SDL_Event t{};
    t.type = SDL_TEXTINPUT;
    t.text.text[0] = c;
    t.text.text[1] = 0;
    SDL_PushEvent(&t);
    d.type = SDL_KEYUP;
    SDL_PushEvent(&d);
  }
}

void Harness::key(SDL_Scancode code) {
  SDL_Event d{};
  d.type = SDL_KEYDOWN;
  d.key.keysym.scancode = code;
  SDL_PushEvent(&d);
  SDL_Event u = d;
  u.type = SDL_KEYUP;
  SDL_PushEvent(&u);
}

}  // namespace pos::ui::testing
