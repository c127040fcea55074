// A stand-in for the touch UI in the kiosk session test while the UI is being written: a real
// SDL2 window drawn with the software renderer at the output's size, full screen, that says
// READY=1 after its first frame and pings the watchdog from its loop through SystemdNotifier,
// exactly as pos-terminal --fullscreen will. It draws a known picture (left half teal, right
// half orange, a white square in the middle) so the screenshot can be checked pixel by pixel.
#include <pos/app/systemd_notify.hpp>

#include <SDL.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>

namespace {
volatile std::sig_atomic_t stop = 0;
void onSignal(int) {
  stop = 1;
}
}  // namespace

int main() {
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  auto notifier = pos::app::SystemdNotifier::fromEnvironment();
  if (SDL_Init(SDL_INIT_VIDEO) != 0) {
    std::fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
    return 1;
  }
  SDL_DisplayMode mode{};
  if (SDL_GetDesktopDisplayMode(0, &mode) != 0)
    mode = {SDL_PIXELFORMAT_UNKNOWN, 1280, 720, 60, nullptr};
  SDL_Window* window =
      SDL_CreateWindow("pos-terminal", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, mode.w,
                       mode.h, SDL_WINDOW_FULLSCREEN_DESKTOP);
  SDL_Renderer* renderer = window ? SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE) : nullptr;
  if (!renderer) {
    std::fprintf(stderr, "window: %s\n", SDL_GetError());
    return 1;
  }
  bool readySent = false;
  const auto wait =
      notifier.watchdogEnabled()
          ? std::chrono::duration_cast<std::chrono::milliseconds>(notifier.watchdogInterval() / 2)
          : std::chrono::milliseconds(1000);
  while (!stop) {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer, &w, &h);
    SDL_SetRenderDrawColor(renderer, 0, 128, 128, 255);
    SDL_Rect left{0, 0, w / 2, h};
    SDL_RenderFillRect(renderer, &left);
    SDL_SetRenderDrawColor(renderer, 255, 140, 0, 255);
    SDL_Rect right{w / 2, 0, w - w / 2, h};
    SDL_RenderFillRect(renderer, &right);
    SDL_SetRenderDrawColor(renderer, 255, 255, 255, 255);
    const int side = std::min(w, h) / 4;
    SDL_Rect square{(w - side) / 2, (h - side) / 2, side, side};
    SDL_RenderFillRect(renderer, &square);
    SDL_RenderPresent(renderer);
    if (!readySent) readySent = notifier.ready();
    notifier.watchdogIfDue();
    SDL_Event e;
    if (SDL_WaitEventTimeout(&e, static_cast<int>(std::max<long long>(wait.count(), 10))) &&
        e.type == SDL_QUIT)
      break;
  }
  notifier.stopping();
  SDL_DestroyRenderer(renderer);
  SDL_DestroyWindow(window);
  SDL_Quit();
  return 0;
}
