// Several processes at once on one data directory (issue 10, "Other processes on the same data
// directory"; issue 12, "Money taken twice"), as a shop would: two processes each taking
// kPayments cash payments of WO-1001 in a loop while a third runs `sync`, `queue` and
// `report x` in a loop, all against one billing-sim. Afterwards nothing is lost (every exit-0
// checkout's payment is in the ledger and at the backend exactly once after a final sync),
// nothing is taken twice (never more than the invoice's balance), `verify` is sound and no
// failure reached a person (no STORAGE_FAILED, SQLITE_BUSY or "database is locked").
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "engine_support.hpp"

namespace pos::enginetest {
namespace {

constexpr int kPayments = 10;  // per checkout process
constexpr const char* kAmount = "5.00";
constexpr std::int64_t kAmountMinor = 500;

bool showsStorageFailure(const e2e::RunResult& r) {
  for (const auto* text : {&r.out, &r.err}) {
    if (text->find("STORAGE_FAILED") != std::string::npos ||
        text->find("SQLITE_BUSY") != std::string::npos ||
        text->find("database is locked") != std::string::npos)
      return true;
  }
  return false;
}

TEST_F(EngineShop, TwoCheckoutLoopsAndASyncLoopOnOneDataDirectory) {
  std::mutex mu;
  std::vector<e2e::RunResult> checkouts;
  std::vector<e2e::RunResult> others;
  std::atomic<int> running{2};
  const auto checkoutLoop = [&](const char* who, const char* pinText) {
    for (int k = 0; k < kPayments; ++k) {
      auto r = term.run({"checkout", "--work-order", "WO-1001", "--operator", who, "--tender",
                         "CASH", "--amount", kAmount, "--no-receipt"},
                        e2e::pins({pinText}));
      std::lock_guard lock(mu);
      checkouts.push_back(std::move(r));
    }
    --running;
  };
  std::thread a(checkoutLoop, "adv-anna", e2e::kAnnaPin);
  // sup-sara holds billing:posting-error:detail:view: a refusal shows its detail.
  std::thread b(checkoutLoop, "sup-sara", e2e::kSaraPin);
  std::thread c([&] {
    while (running.load() > 0) {
      for (const std::vector<std::string>& args :
           {std::vector<std::string>{"sync"}, {"queue"}, {"report", "x"}}) {
        auto r = term.run(args);
        std::lock_guard lock(mu);
        others.push_back(std::move(r));
      }
    }
  });
  a.join();
  b.join();
  c.join();

  auto finalSync = term.run({"sync", "--until-empty", "--timeout", "60"});
  EXPECT_EQ(finalSync.exitCode, 0) << finalSync.describe();
  auto verify = term.run({"verify"});
  EXPECT_EQ(verify.exitCode, 0) << verify.describe();

  // Counts for the report.
  int ok = 0, refused = 0, shown = 0;
  std::map<int, int> exitCodes, otherCodes;
  std::set<std::string> taken;
  for (const auto& r : checkouts) {
    ++exitCodes[r.exitCode];
    if (showsStorageFailure(r)) {
      ++shown;
      ADD_FAILURE() << "a checkout showed a storage failure: " << r.describe();
    }
    if (r.exitCode == 0) {
      ++ok;
      ASSERT_TRUE(r.json.is_object()) << r.describe();
      const auto id = r.json.value("billingPaymentId", "");
      EXPECT_FALSE(id.empty()) << r.describe();
      EXPECT_TRUE(taken.insert(id).second) << "the same payment reported twice: " << id;
    } else {
      ++refused;
      ADD_FAILURE() << "a checkout was refused: " << r.describe();
    }
  }
  for (const auto& r : others) {
    ++otherCodes[r.exitCode];
    if (showsStorageFailure(r)) {
      ++shown;
      ADD_FAILURE() << "sync/queue/report showed a storage failure: " << r.describe();
    }
  }
  std::cout << "[ counts ] checkouts " << checkouts.size() << " (exit 0: " << ok
            << ", other: " << refused << "); sync/queue/report runs " << others.size()
            << "; storage failures shown " << shown << "\n";
  for (const auto& [code, n] : exitCodes)
    std::cout << "  checkout exit " << code << ": " << n << "\n";
  for (const auto& [code, n] : otherCodes)
    std::cout << "  other exit " << code << ": " << n << "\n";

  // Nothing lost: every exit-0 payment is in the ledger and at the backend, exactly once.
  std::set<std::string> ledger;
  std::istringstream rows(e2e::sqlite(term.database(), "SELECT payment_id FROM payment"));
  for (std::string line; std::getline(rows, line);)
    if (!line.empty()) ledger.insert(line);
  std::map<std::string, int> atBackend;
  std::int64_t backendTotal = 0;
  for (const auto& p : backend.acceptedOf("payment")) {
    ++atBackend[p["id"].get<std::string>()];
    backendTotal += p["body"]["amount"]["amountMinor"].get<std::int64_t>();
  }
  for (const auto& id : taken) {
    EXPECT_TRUE(ledger.count(id)) << "not in the ledger: " << id;
    EXPECT_EQ(atBackend[id], 1) << "at the backend " << atBackend[id] << " times: " << id;
  }
  for (const auto& [id, n] : atBackend) EXPECT_EQ(n, 1) << id;
  // Nothing taken twice: the ledger holds exactly what was reported, within the balance.
  EXPECT_EQ(ledger.size(), taken.size());
  EXPECT_EQ(atBackend.size(), taken.size());
  const std::int64_t balance = e2e::demoInvoice("WO-1001")["balanceDue"]["amountMinor"];
  EXPECT_LE(static_cast<std::int64_t>(taken.size()) * kAmountMinor, balance);
  EXPECT_LE(backendTotal, balance);
  EXPECT_EQ(backendTotal, static_cast<std::int64_t>(taken.size()) * kAmountMinor);
  std::cout << "[ counts ] ledger payments " << ledger.size() << ", at the backend "
            << atBackend.size() << " (total minor " << backendTotal << ")\n";
}

}  // namespace
}  // namespace pos::enginetest
