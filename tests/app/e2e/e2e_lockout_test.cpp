// End to end, slow: a supervisor locked out after five wrong PINs, offline across five restarts
// of the terminal (the lock-out is kept in the ledger) and online (billing-sim's lock-out).
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

struct OnlineLockout : OnlineShop {};
struct OfflineLockout : OfflineShop {};

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
