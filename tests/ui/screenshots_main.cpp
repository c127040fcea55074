// pos-ui-screenshots OUT_DIR [WIDTH HEIGHT]: the main screens of the demo shop as PNGs, drawn
// headless (SDL's dummy driver) from the same snapshots the screen tests check. Run by
// scripts/screenshots.sh into docs/screenshots.
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "ui_harness.hpp"

int main(int argc, char** argv) {
  using namespace pos::ui::testing;
  if (argc < 2) {
    std::fprintf(stderr, "usage: pos-ui-screenshots OUT_DIR [WIDTH HEIGHT]\n");
    return 2;
  }
  const std::string out = argv[1];
  const int w = argc > 3 ? std::atoi(argv[2]) : 1280;
  const int h = argc > 3 ? std::atoi(argv[3]) : 800;
  Harness harness(w, h);
  const std::string preview = writePreviewPng(out + "/.preview");
  const std::set<std::string> main{"sign-in",  "counter",  "counter-offline", "invoice-po",
                                   "approval", "payment",  "done-printed",    "done-failed",
                                   "sync",     "receipts", "shift",           "printer"};
  int written = 0;
  for (const auto& c : allScreens(preview)) {
    if (!main.count(c.name)) continue;
    const auto snap = c.snapshot();
    harness.run(snap);
    if (c.screen != pos::ui::Screen::SignIn) harness.session().show(c.screen);
    harness.run(snap, 3);
    const std::string path = out + "/" + c.name + ".png";
    if (!harness.session().savePng(path)) {
      std::fprintf(stderr, "could not write %s\n", path.c_str());
      return 1;
    }
    std::printf("%s\n", path.c_str());
    ++written;
  }
  std::filesystem::remove_all(out + "/.preview");
  return written > 0 ? 0 : 1;
}
