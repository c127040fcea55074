// Xvfb, UiApp and xdotool for the end-to-end tests (xvfb_support.hpp).
#include "xvfb_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifdef POS_UI_HAVE_XTEST
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#endif

extern char** environ;

namespace pos::ui::e2e {

namespace {

std::vector<std::string> environmentWith(const std::map<std::string, std::string>& extra,
                                         const std::vector<std::string>& drop = {}) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const auto name = kv.substr(0, kv.find('='));
    if (extra.count(name)) continue;
    bool skip = false;
    for (const auto& d : drop) skip = skip || d == name;
    if (!skip) out.push_back(kv);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& outPath) {
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, a[0], &fa, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int waitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string runProgram(const std::vector<std::string>& argv, int* exitCode,
                       const std::map<std::string, std::string>& env) {
  char tmpl[] = "/tmp/pos-ui-run-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp");
  close(fd);
  const pid_t pid = spawn(argv, environmentWith(env), tmpl);
  const int code = waitExit(pid);
  if (exitCode) *exitCode = code;
  std::string out = slurp(tmpl);
  unlink(tmpl);
  return out;
}

// ---------------------------------------------------------------- Xvfb

Xvfb::Xvfb(int width, int height) {
  // A free display number: no lock file and no socket (tests run in parallel).
  for (int n = 80 + static_cast<int>(getpid() % 400);; ++n) {
    const std::string lock = "/tmp/.X" + std::to_string(n) + "-lock";
    const std::string sock = "/tmp/.X11-unix/X" + std::to_string(n);
    if (std::filesystem::exists(lock) || std::filesystem::exists(sock)) continue;
    display_ = ":" + std::to_string(n);
    // -noreset: the server must not reset when its last client leaves (a client connecting
    // during the reset fails, and SDL quietly falls back to its offscreen driver).
    const std::string screen = std::to_string(width) + "x" + std::to_string(height) + "x24";
    pid_ =
        spawn({"/usr/bin/Xvfb", display_, "-screen", "0", screen, "-noreset", "-nolisten", "tcp"},
              environmentWith({}), "/dev/null");
    for (int i = 0; i < 500 && !std::filesystem::exists(sock); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (std::filesystem::exists(sock)) return;
    kill(pid_, SIGKILL);
    waitExit(pid_);
    if (n > 1000) throw std::runtime_error("Xvfb did not start");
  }
}

Xvfb::~Xvfb() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitExit(pid_);
  }
}

// ---------------------------------------------------------------- Drawn

const json* Drawn::find(const std::string& id) const {
  if (!model.contains("items")) return nullptr;
  for (const auto& item : model["items"]) {
    if (item.value("id", "") == id) return &item;
  }
  return nullptr;
}

bool Drawn::shows(const std::string& text) const {
  if (!model.contains("items")) return false;
  for (const auto& item : model["items"]) {
    if (item.value("label", "").find(text) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------- UiApp

UiApp::UiApp(const Xvfb& xvfb, const std::vector<std::string>& globalArgs,
             const std::string& workDir, Start start)
    : xvfb_(xvfb), signal_(workDir + "/ui-signal"), log_(workDir + "/ui.log") {
  std::error_code ec;
  std::filesystem::remove(signal_, ec);
  std::vector<std::string> argv = {POS_TERMINAL_PATH};
  argv.insert(argv.end(), globalArgs.begin(), globalArgs.end());
  argv.push_back("demo");
  pid_ = spawn(argv,
               environmentWith({{"DISPLAY", xvfb.display()},
                                {"POS_UI_TEST_SIGNAL", signal_},
                                {"POS_ASSETS_DIR", POS_ASSETS_DIR}},
                               {"SDL_VIDEODRIVER", "WAYLAND_DISPLAY"}),
               log_);
  if (start == Start::FirstPicture) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      if (std::filesystem::exists(signal_, ec)) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("the app ended before its first frame:\n" + slurp(log_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    throw std::runtime_error("no first frame within 60 s:\n" + slurp(log_));
  }
  waitFor([](const Drawn& d) { return !d.screen.empty(); }, "the first idle frame");
}

UiApp::~UiApp() {
#ifdef POS_UI_HAVE_XTEST
  if (xDisplay_) XCloseDisplay(static_cast<Display*>(xDisplay_));
#endif
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitExit(pid_);
  }
}

int UiApp::exitCode() {
  const int code = waitExit(pid_);
  pid_ = -1;
  return code;
}

Drawn UiApp::read() const {
  Drawn d;
  std::ifstream in(signal_);
  std::string word;
  in >> word;
  if (word != "idle") return d;
  std::string version;
  in >> d.frame >> version >> std::ws;
  std::getline(in, d.screen);
  d.model = json::parse(slurp(signal_ + ".json"), nullptr, false);
  if (d.model.is_discarded()) return {};
  d.screen = d.model.value("screen", "");
  return d;
}

Drawn UiApp::waitFor(const std::function<bool(const Drawn&)>& ok, const std::string& what,
                     std::chrono::seconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  Drawn last;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the app ended while waiting for " + what + ":\n" + slurp(log_));
    }
    last = read();
    if (last.frame > 0 && last.frame >= lastTapFrame_ && ok(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("timed out waiting for " + what + " (last screen " + last.screen +
                           ", model " + last.model.dump().substr(0, 3000) + ")\nlog:\n" +
                           slurp(log_));
}

void UiApp::xdotool(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/xdotool"};
  argv.insert(argv.end(), args.begin(), args.end());
  int code = 0;
  const auto out = runProgram(argv, &code, {{"DISPLAY", xvfb_.display()}});
  if (code != 0) throw std::runtime_error("xdotool failed: " + out);
}

void UiApp::tap(const std::string& id) {
  const Drawn d = waitFor(
      [&](const Drawn& m) {
        const json* item = m.find(id);
        return item && item->value("enabled", false);
      },
      "an enabled " + id);
  const json& item = *d.find(id);
  const int x = static_cast<int>(item["x"].get<double>() + item["w"].get<double>() / 2);
  const int y = static_cast<int>(item["y"].get<double>() + item["h"].get<double>() / 2);
  // The window is at 0,0: the server's screen is the window's size (no window manager).
  xdotool({"mousemove", std::to_string(x), std::to_string(y), "click", "1"});
  // The next model must come from a frame after this click.
  lastTapFrame_ = d.frame + 1;
}

void UiApp::pointAt(const std::string& id) {
  const Drawn d = waitFor(
      [&](const Drawn& m) {
        const json* item = m.find(id);
        return item && item->value("enabled", false);
      },
      "an enabled " + id);
  const json& item = *d.find(id);
  const int x = static_cast<int>(item["x"].get<double>() + item["w"].get<double>() / 2);
  const int y = static_cast<int>(item["y"].get<double>() + item["h"].get<double>() / 2);
  xdotool({"mousemove", std::to_string(x), std::to_string(y)});
  // The move is an input event too: wait until the app has drawn after it.
  lastTapFrame_ = d.frame + 1;
  waitFor([](const Drawn&) { return true; }, "the frame after the pointer moved");
}

const char* UiApp::clickMethod() {
#ifdef POS_UI_HAVE_XTEST
  return "XTest from this process";
#else
  return "xdotool process";
#endif
}

void UiApp::click() {
  lastTapFrame_ = read().frame + 1;
#ifdef POS_UI_HAVE_XTEST
  auto* dpy = static_cast<Display*>(xDisplay_);
  if (!dpy) {
    dpy = XOpenDisplay(xvfb_.display().c_str());
    if (!dpy) throw std::runtime_error("cannot open " + xvfb_.display() + " for XTest");
    xDisplay_ = dpy;
  }
  XTestFakeButtonEvent(dpy, 1, True, CurrentTime);
  XTestFakeButtonEvent(dpy, 1, False, CurrentTime);
  XFlush(dpy);
#else
  clickPid_ = spawn({"/usr/bin/xdotool", "click", "--delay", "0", "1"},
                    environmentWith({{"DISPLAY", xvfb_.display()}}), "/dev/null");
#endif
}

void UiApp::finishClick() {
  if (clickPid_ > 0) waitExit(clickPid_);
  clickPid_ = -1;
}

// The frame number is read before the input is sent: the app may have drawn every frame the
// input causes (and gone idle) before xdotool returns, and a later read would then wait for a
// frame that never comes.
void UiApp::type(const std::string& ascii) {
  const std::uint64_t before = read().frame;
  xdotool({"type", "--delay", "20", ascii});
  lastTapFrame_ = before + 1;
}

void UiApp::key(const std::string& name) {
  const std::uint64_t before = read().frame;
  xdotool({"key", name});
  lastTapFrame_ = before + 1;
}

}  // namespace pos::ui::e2e
