// End-to-end support: the real `pos-terminal` executable run as a child process against a real
// `billing-sim` child process on 127.0.0.1 (issue 7, "Proof").
//
// Sections: the simulator's seed from assets/demo · PosTerminal (one data directory, runs of
// the executable with PINs on stdin) · direct calls to the simulator's billing API · files.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim_process.hpp"

namespace pos::e2e {

using nlohmann::json;

// The demo shop's PINs (README): the simulator's seed takes them in plain text.
inline constexpr const char* kAnnaPin = "1111";
inline constexpr const char* kCarlPin = "2222";
inline constexpr const char* kSaraPin = "4321";
inline constexpr const char* kSamPin = "8765";
inline constexpr const char* kTerminalId = "T-E2E";

// ---------------------------------------------------------------- seed

// assets/demo (roster with plain PINs, reason codes, rules, invoices) as billing-sim's seed,
// with `token` as the bearer token it accepts.
// `pinOverrides` replaces the demo PINs of the users it names (the secrets test uses PINs that
// cannot occur by chance in a file).
json demoSimSeed(const std::string& token,
                 const std::map<std::string, std::string>& pinOverrides = {});
const json& demoInvoice(const std::string& workOrder);  // from assets/demo/invoices.json

// A billing-sim on the demo shop, with its own temp dir (seed, journal).
class DemoBackend {
 public:
  explicit DemoBackend(const std::string& token = "e2e-token-7c1d9a0b",
                       const std::map<std::string, std::string>& pinOverrides = {},
                       const std::function<void(json&)>& editSeed = {});
  std::string url() const { return sim_->baseUrl(); }
  const std::string& token() const { return token_; }
  testing::SimProcess& sim() { return *sim_; }
  json acceptedOf(const std::string& kind) const;  // /_sim/accepted filtered by kind
  // POST /billing/... directly, as another terminal would: returns {status, body}.
  std::pair<int, json> post(const std::string& path, const json& body,
                            const std::string& idempotencyKey) const;

 private:
  std::string token_;
  testing::TempDir dir_;
  std::unique_ptr<testing::SimProcess> sim_;
};

// ---------------------------------------------------------------- the terminal

struct RunResult {
  int exitCode = -1;
  std::string out, err;
  nlohmann::json json;           // stdout parsed (null when it is not one JSON object)
  std::string describe() const;  // for assertion messages
};

class PosTerminal {
 public:
  PosTerminal();
  const std::string& dataDir() const { return dir_.path(); }
  // Global options used by every run from now on.
  void offline() { backend_ = "none"; }
  void online(const DemoBackend& b);
  void setPrinter(const std::string& uri) { printer_ = uri; }
  void setConfig(const std::string& tomlText);  // written to a file passed with --config
  void setTerminalId(const std::string& id) { terminalId_ = id; }
  const std::string& tokenFile() const { return tokenFile_; }

  // pos-terminal --data-dir … --backend … [--token-file] --terminal-id … --json <args…>,
  // with `stdinText` on standard input.
  RunResult run(const std::vector<std::string>& args, const std::string& stdinText = "") const;
  RunResult seedDemo() const { return run({"demo", "--seed-only"}); }

  std::string database() const { return dir_.file("terminal.db"); }

 private:
  testing::TempDir dir_;  // the data directory
  testing::TempDir aux_;  // token file and configuration: outside the data directory
  std::string backend_ = "none";
  std::string tokenFile_;
  std::string printer_;
  std::string configFile_;
  std::string terminalId_ = kTerminalId;
};

// PINs, one per line.
std::string pins(const std::vector<std::string>& list);

// ---------------------------------------------------------------- helpers

// `sqlite3 DB SQL` (the sqlite3 shell), returning its stdout; throws when it fails.
std::string sqlite(const std::string& database, const std::string& sql);
// The domain's events of `kind` (e.g. "ReceiptDeliveryRecorded") in the terminal's ledger as
// their JSON, checkout by checkout in the order they were started: read through the ledger,
// which keeps them deflated (ledger schema step 6), a capture's in its payment row (step 7), on
// a read-only connection.
std::vector<nlohmann::json> ledgerEvents(const std::string& database, std::string_view kind);
// Every regular file under `dir`, recursively.
std::vector<std::string> filesUnder(const std::string& dir);
std::string readAll(const std::string& path);
// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
int closedPort();
// A fresh UUIDv7-shaped id (time-ordered, random tail) for direct calls to the simulator.
std::string newUuid7();
std::string nowRfc3339();

// A run's exit code, with what it printed when it is not the expected one.
#define ASSERT_RUN(run, code) ASSERT_EQ((run).exitCode, (code)) << (run).describe()

// A terminal pulled from a live billing-sim seeded with the demo shop.
struct OnlineShop : ::testing::Test {
  DemoBackend backend;
  PosTerminal term;
  void SetUp() override;
};

// A terminal with the demo shop seeded offline (no backend).
struct OfflineShop : ::testing::Test {
  PosTerminal term;
  void SetUp() override;
};

// `checkout ... --override REASON --notes ... --approver A [--approver B] --tender CASH --amount X`
std::vector<std::string> overrideArgs(const std::string& wo, const std::string& op,
                                      const std::string& amount,
                                      const std::vector<std::string>& approvers,
                                      const std::string& reason = "ACCOUNT_MANAGER_APPROVED");

}  // namespace pos::e2e
