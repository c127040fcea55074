// pos-terminal: the touch UI with no subcommand, the headless command line otherwise
// (../shared/contract/cli.md). Everything is built in runCommandLine and passed by reference.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <pos/app/command_line.hpp>
#include <pos/app/commands.hpp>
#ifdef POS_WITH_UI
#include <pos/ui/touch_ui.hpp>
#endif

namespace {

// The assets (printer profiles, templates, demo shop, USB ids): $POS_ASSETS_DIR, else
// <exe dir>/../share/pos-terminal when it exists (the installed layout: /usr/bin/pos-terminal and
// /usr/share/pos-terminal), else the source tree's folder this binary was built from (a build
// tree, for developers).
std::filesystem::path assetsDir() {
  if (const char* env = std::getenv("POS_ASSETS_DIR"); env && *env) return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "pos-terminal";
    if (std::filesystem::is_directory(installed / "printers", ec)) return installed;
  }
  return POS_ASSETS_DIR;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = pos::app::parseCommandLine(argc, argv);
  if (auto* exit = std::get_if<pos::app::ParseExit>(&parsed)) {
    if (exit->json)  // a usage error under --json: the contract's error object
      std::cout << *exit->json << '\n';
    else
      (exit->code == pos::app::ExitCode::Done ? std::cout : std::cerr) << exit->text;
    return static_cast<int>(exit->code);
  }
  try {
    pos::app::TouchUi touchUi;
#ifdef POS_WITH_UI
    touchUi = [](pos::app::CounterEngine& engine, const pos::app::TouchUiSettings& settings) {
      pos::ui::UiOptions base;
      base.width = settings.width;
      base.height = settings.height;
      base.mode =
          settings.fullscreen ? pos::ui::WindowMode::Fullscreen : pos::ui::WindowMode::Windowed;
      base.pxPerMm = settings.pxPerMm;
      return pos::ui::runTouchUi(engine, pos::ui::uiOptionsFromEnvironment(base));
    };
#endif
    return pos::app::runCommandLine(std::get<pos::app::ParsedCommandLine>(parsed), std::cin,
                                    std::cout, std::cerr, assetsDir(), touchUi);
  } catch (const std::exception& e) {
    // Never the exception's text: it could quote data. The event log has the ids.
    std::cerr << "pos-terminal: internal error; nothing further was recorded\n";
    return 6;
  }
}
