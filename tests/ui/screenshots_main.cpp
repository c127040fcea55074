// pos-ui-screenshots OUT_DIR [WIDTH HEIGHT]: the main screens of the demo shop as PNGs, drawn
// headless (SDL's dummy driver) from the same snapshots the screen tests check. Run by
// scripts/screenshots.sh into docs/screenshots.
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include <stb_image.h>
#include <stb_image_write.h>

#include <vector>

#include "ui_harness.hpp"

namespace {

// Half size with a 2x2 box filter: small files for the README, still legible.
bool halve(const std::string& path) {
  int w = 0, h = 0, n = 0;
  unsigned char* in = stbi_load(path.c_str(), &w, &h, &n, 3);
  if (!in) return false;
  const int hw = w / 2, hh = h / 2;
  std::vector<unsigned char> out(static_cast<std::size_t>(hw * hh * 3));
  for (int y = 0; y < hh; ++y) {
    for (int x = 0; x < hw; ++x) {
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int xx, int yy) { return in[(yy * w + xx) * 3 + c]; };
        out[static_cast<std::size_t>((y * hw + x) * 3 + c)] =
            static_cast<unsigned char>((at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) +
                                        at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1) + 2) /
                                       4);
      }
    }
  }
  stbi_image_free(in);
  stbi_write_png_compression_level = 9;
  return stbi_write_png(path.c_str(), hw, hh, 3, out.data(), hw * 3) != 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pos::ui::testing;
  if (argc < 2) {
    std::fprintf(stderr, "usage: pos-ui-screenshots OUT_DIR [WIDTH HEIGHT]\n");
    return 2;
  }
  const std::string out = argv[1];
  const int w = argc > 3 ? std::atoi(argv[2]) : 1280;
  const int h = argc > 3 ? std::atoi(argv[3]) : 800;
  Harness harness(w, h, 5.88);  // the configured default density
  const std::string preview = writePreviewPng(out + "/.preview");
  const std::set<std::string> main{"sign-in",     "sign-in-no-roster",
                                   "counter",     "counter-offline",
                                   "invoice-po",  "approval",
                                   "payment",     "done-printed",
                                   "done-failed", "sync",
                                   "receipts",    "shift",
                                   "printer"};
  int written = 0;
  for (const auto& c : allScreens(preview)) {
    if (!main.count(c.name)) continue;
    const auto snap = c.snapshot();
    harness.run(snap);
    if (c.screen != pos::ui::Screen::SignIn) harness.session().show(c.screen);
    harness.run(snap, 3);
    const std::string path = out + "/" + c.name + ".png";
    if (!harness.session().savePng(path) || !halve(path)) {
      std::fprintf(stderr, "could not write %s\n", path.c_str());
      return 1;
    }
    std::printf("%s\n", path.c_str());
    ++written;
  }
  {
    // Opening a shift with the float counted note by note (taps, as at the counter).
    auto snap = counterIdle();
    snap.shift.reset();
    harness.run(snap);
    harness.session().show(pos::ui::Screen::Shift);
    harness.run(snap);
    for (const char* id : {"shift.open", "shift.float.by-count", "shift.count.2000",
                           "keypad.shift.5", "shift.count.500", "keypad.shift.8", "shift.count.25",
                           "keypad.shift.1", "keypad.shift.2"}) {
      harness.tap(id);
      harness.run(snap);
    }
    harness.run(snap, 3);
    const std::string path = out + "/shift-float-count.png";
    if (!harness.session().savePng(path) || !halve(path)) {
      std::fprintf(stderr, "could not write %s\n", path.c_str());
      return 1;
    }
    std::printf("%s\n", path.c_str());
  }
  std::filesystem::remove_all(out + "/.preview");
  return written > 0 ? 0 : 1;
}
