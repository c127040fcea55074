// Engine tests' support: a real Terminal, printer service and CounterEngine in this process, on
// a real data directory pulled from a real billing-sim (the demo shop), with a clock the test
// moves (issue 10, "Proof").
//
// Sections: TestClock · Counter (one engine on a data directory) · EngineShop (the fixture)
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <pos/app/config.hpp>
#include <pos/app/engine.hpp>
#include <pos/app/printing.hpp>
#include <pos/app/receipts.hpp>
#include <pos/app/terminal.hpp>
#include <pos/checkout/clock.hpp>

#include "e2e_support.hpp"

namespace pos::enginetest {

using namespace std::chrono_literals;
using checkout::Money;
using checkout::UserId;
using e2e::json;

// ---------------------------------------------------------------- TestClock

// Read from the engine's worker and the spooler's thread: an atomic count of milliseconds.
// Starts at the real time (billing-sim's tokens and the receipts' dates stay plausible).
class TestClock final : public checkout::Clock {
 public:
  TestClock()
      : ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count()) {}
  checkout::Timestamp now() override {
    return checkout::Timestamp(std::chrono::milliseconds(ms_.load()));
  }
  void advance(std::chrono::milliseconds by) { ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> ms_;
};

inline UserId user(const char* id) {
  return *UserId::parse(id);
}
inline checkout::SecretText pin(const char* digits) {
  return checkout::SecretText(digits);
}
inline Money usd(std::int64_t minor) {
  return Money(checkout::Currencies::USD, minor);
}

// ---------------------------------------------------------------- Counter

struct CounterOptions {
  std::string backendUrl = "none";
  std::string tokenFile;
  std::string printerUri;  // empty: the virtual printer in <data>/spool
  app::EngineOptions engine{false, false};
  std::string configToml;  // extra configuration (written to a file), empty: none
};

// One terminal process's parts: Terminal, PrinterService, ReceiptRenderer, CounterEngine.
class Counter {
 public:
  Counter(const std::string& dataDir, TestClock& clock, const CounterOptions& options);
  ~Counter();
  app::CounterEngine& engine() { return *engine_; }
  app::Terminal& terminal() { return *terminal_; }

  // Posts and waits until the engine is idle (the tests' step; the no-wait test does not).
  std::shared_ptr<const app::Snapshot> step(app::Intent intent);
  std::shared_ptr<const app::Snapshot> signIn(const char* who, const char* digits);
  std::shared_ptr<const app::Snapshot> cash(const std::string& amount,
                                            std::optional<std::string> tendered = std::nullopt,
                                            app::ReceiptChoice receipt = app::ReceiptChoice::Print);

 private:
  std::unique_ptr<app::Terminal> terminal_;
  std::unique_ptr<app::PrinterService> printer_;
  std::unique_ptr<app::ReceiptRenderer> renderer_;
  std::unique_ptr<app::CounterEngine> engine_;
  std::unique_ptr<testing::TempDir> configDir_;
};

// ---------------------------------------------------------------- EngineShop

// A billing-sim on the demo shop and a data directory pulled from it (roster, rules, reason
// codes, invoices cached for offline use).
struct EngineShop : ::testing::Test {
  e2e::DemoBackend backend;
  e2e::PosTerminal term;
  TestClock clock;
  void SetUp() override;
  CounterOptions online(std::string printerUri = "") const;
  std::unique_ptr<Counter> counter(const CounterOptions& options) {
    return std::make_unique<Counter>(term.dataDir(), clock, options);
  }
  // `pos-terminal --json queue` on the same data directory (another process).
  json queue() const;
};

// The refusal's code, or "" when the snapshot shows none.
inline std::string refusalCode(const app::Snapshot& s) {
  return s.refusal ? s.refusal->code : "";
}

}  // namespace pos::enginetest
