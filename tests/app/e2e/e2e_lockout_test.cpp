// End to end, slow: a supervisor locked out after five wrong PINs, offline across five restarts
// of the terminal (the lock-out is kept in the ledger) and online (billing-sim's lock-out).
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

#define ASSERT_RUN(run, code) ASSERT_EQ((run).exitCode, (code)) << (run).describe()

struct OnlineLockout : ::testing::Test {
  DemoBackend backend;
  PosTerminal term;
  void SetUp() override {
    term.online(backend);
    auto pulled = term.run({"pull"});
    ASSERT_RUN(pulled, 0);
  }
};

struct OfflineLockout : ::testing::Test {
  PosTerminal term;
  void SetUp() override {
    auto seeded = term.seedDemo();
    ASSERT_RUN(seeded, 0);
  }
};

std::vector<std::string> overrideArgs(const std::string& wo, const std::string& op,
                                      const std::string& amount,
                                      const std::vector<std::string>& approvers,
                                      const std::string& reason = "ACCOUNT_MANAGER_APPROVED") {
  std::vector<std::string> a = {"checkout",   "--work-order", wo,        "--operator",  op,
                                "--override", reason,         "--notes", "PO by Friday"};
  for (const auto& ap : approvers) {
    a.push_back("--approver");
    a.push_back(ap);
  }
  for (const auto& s : {"--tender", "CASH", "--amount"}) a.push_back(s);
  a.push_back(amount);
  return a;
}

// ---------------------------------------------------------------- lockout

// Five wrong approver PINs in five separate runs (each a restart of the terminal), then the
// right PIN in a sixth: refused, the lock-out was kept in the ledger.
TEST_F(OfflineLockout, SupervisorLockedOutAfterFiveWrongPinsAcrossRestarts) {
  for (int i = 0; i < 5; ++i) {
    auto wrong = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sam"}),
                          pins({kAnnaPin, "000" + std::to_string(i)}));
    ASSERT_RUN(wrong, 3);
    const std::string code = wrong.json["errorCode"];
    EXPECT_TRUE(code == "ELEVATION_DENIED" || (i == 4 && code == "APPROVER_LOCKED_OUT"))
        << i << ": " << wrong.out;
  }
  auto locked = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sam"}),
                         pins({kAnnaPin, kSamPin}));
  ASSERT_RUN(locked, 3);
  EXPECT_EQ(locked.json["errorCode"], "APPROVER_LOCKED_OUT") << locked.out;
  // Another supervisor is not affected.
  auto other = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sara"}),
                        pins({kAnnaPin, kSaraPin}));
  ASSERT_RUN(other, 0);
}

TEST_F(OnlineLockout, SupervisorLockedOutOnlineAfterFiveWrongPins) {
  for (int i = 0; i < 5; ++i) {
    auto wrong = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sam"}),
                          pins({kAnnaPin, "000" + std::to_string(i)}));
    ASSERT_RUN(wrong, 3);
  }
  auto locked = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sam"}),
                         pins({kAnnaPin, kSamPin}));
  ASSERT_RUN(locked, 3);
  EXPECT_EQ(locked.json["errorCode"], "APPROVER_LOCKED_OUT") << locked.out;
}

}  // namespace
}  // namespace pos::e2e
