// pos-ui-bench: the touch UI's figures (issue 11, "Proof"), printed, never asserted. Build it in
// the release preset:
//   cmake --preset release && cmake --build build/release --target pos-ui-bench pos-terminal
//   build/release/tests/ui/pos-ui-bench
// 1. frame time p50/p99 per screen, 1280x800, software renderer (SDL's dummy driver: the CPU
//    cost of a frame without an X server's share);
// 2. the real `pos-terminal demo` under Xvfb: start to first frame, idle CPU over 10 s,
//    anonymous memory, and tap on Take payment (an XTest click via xdotool) to the receipt's
//    first byte at the virtual printer, p50/p99 over partial payments on WO-1006.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ui_harness.hpp"
#include "xvfb_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void frameTimes() {
  using namespace pos::ui::testing;
  Harness h(1280, 800);
  const auto preview = writePreviewPng("/tmp/pos-ui-bench-preview");
  std::printf("frame time, 1280x800, software renderer, dummy driver (300 frames each)\n");
  // Wall time, and this thread's CPU time (the share a loaded machine does not distort).
  std::printf("  %-24s %8s %8s %10s %10s\n", "screen", "p50 ms", "p99 ms", "cpu p50", "cpu p99");
  for (const auto& c : allScreens(preview)) {
    const auto snap = c.snapshot();
    h.run(snap);
    if (c.screen != pos::ui::Screen::SignIn) h.session().show(c.screen);
    h.run(snap, 3);
    std::vector<double> ms, cpu;
    auto threadMs = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    };
    for (int i = 0; i < 300; ++i) {
      h.now += std::chrono::milliseconds(16);
      const auto t0 = Clock::now();
      const double c0 = threadMs();
      (void)h.session().frame(snap, h.now);
      cpu.push_back(threadMs() - c0);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::printf("  %-24s %8.2f %8.2f %10.2f %10.2f\n", c.name.c_str(), percentile(ms, 0.5),
                percentile(ms, 0.99), percentile(cpu, 0.5), percentile(cpu, 0.99));
  }
  std::printf("  font atlas: %.1f MiB (RGBA32)\n",
              static_cast<double>(h.session().fontAtlasBytes()) / (1024.0 * 1024.0));
}

long long cpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  const auto close = s.rfind(')');
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    rest >> field;
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

std::string statusLine(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return line;
  }
  return key + " ?";
}

std::size_t spoolBins(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".bin" &&
        e.path().filename().string().find("RCP-") != std::string::npos)
      ++n;
  }
  return n;
}

void realApp() {
  using namespace pos::ui::e2e;
  char tmpl[] = "/tmp/pos-ui-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string data = dir + "/data";
  Xvfb xvfb;
  const std::vector<std::string> globals = {"--data-dir",    data,     "--backend", "none",
                                            "--terminal-id", "T-BENCH"};
  // Start to first frame (the demo seeded before the clock starts).
  runProgram({POS_TERMINAL_PATH, "--data-dir", data, "--backend", "none", "demo", "--seed-only"});
  const auto t0 = Clock::now();
  UiApp ui(xvfb, globals, dir);
  const double startMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::printf("real app under Xvfb (pos-terminal demo, debug or release as built)\n");
  std::printf("  start to first idle frame: %.0f ms (empty ledger; includes the process start)\n",
              startMs);
  const long hz = sysconf(_SC_CLK_TCK);
  const long long c0 = cpuTicks(ui.pid());
  std::this_thread::sleep_for(std::chrono::seconds(10));
  const long long c1 = cpuTicks(ui.pid());
  std::printf("  idle CPU over 10 s on Sign in: %.2f %% of a core\n",
              100.0 * static_cast<double>(c1 - c0) / static_cast<double>(hz) / 10.0);
  std::printf("  %s\n", statusLine(ui.pid(), "RssAnon").c_str());

  ui.tap("signin.user.adv-anna");
  for (int i = 0; i < 4; ++i) ui.tap("keypad.pin.1");
  ui.tap("signin.submit");
  ui.waitScreen("Counter");
  std::vector<double> tapToByte;
  const std::string spool = data + "/spool";
  for (int n = 0; n < 20; ++n) {
    ui.type("WO-1006");
    ui.key("Return");
    ui.waitScreen("Invoice");
    ui.tap("invoice.pay");
    ui.waitScreen("Payment");
    ui.tap("payment.amount");
    ui.tap("keypad.amount.1");
    ui.waitFor(
        [](const Drawn& d) {
          const json* a = d.find("payment.amount");
          return a && d.find("payment.take") && d.find("payment.take")->value("enabled", false) &&
                 a;
        },
        "an amount of 1");
    const std::size_t before = spoolBins(spool);
    ui.startClick("payment.take");  // the pointer is already over it: only the click is timed
    const auto t = Clock::now();
    while (spoolBins(spool) == before && Clock::now() - t < std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    tapToByte.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    ui.finishClick();
    ui.waitScreen("Done");
    ui.tap("done.new");
    ui.waitScreen("Counter");
  }
  std::printf(
      "  tap on Take payment to the receipt file at the virtual printer (%zu payments,\n"
      "  including xdotool's own start): p50 %.1f ms, p99 %.1f ms\n",
      tapToByte.size(), percentile(tapToByte, 0.5), percentile(tapToByte, 0.99));
  std::printf("  %s after %zu checkouts\n", statusLine(ui.pid(), "RssAnon").c_str(),
              tapToByte.size());
}

}  // namespace

int main() {
  frameTimes();
  realApp();
  return 0;
}
