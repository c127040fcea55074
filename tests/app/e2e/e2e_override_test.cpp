// End to end: PO overrides with one and two approvers (online elevation against billing-sim and
// offline PIN grants), the approver rules, and a supervisor locked out after five wrong PINs.
//
// Sections: online overrides · offline overrides and their sync
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

struct OnlineOverride : OnlineShop {};
struct OfflineOverride : OfflineShop {};

// ---------------------------------------------------------------- online

TEST_F(OnlineOverride, OneApproverOverridesTheMissingPo) {
  auto r = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sara"}),
                    pins({kAnnaPin, kSaraPin}));
  ASSERT_RUN(r, 0);
  EXPECT_EQ(r.json["poCompliance"], "OVERRIDDEN");
  EXPECT_EQ(r.json["capturedOffline"], false);
  auto overrides = backend.acceptedOf("override");
  ASSERT_EQ(overrides.size(), 1u) << backend.sim().accepted().dump();
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
}

TEST_F(OnlineOverride, SecondApproverRequiredThenGiven) {
  // ACC-CITY-WORKS: the evaluation says two approvers.
  auto one = term.run(overrideArgs("WO-1005", "adv-anna", "652.00", {"sup-sara"}, "PO_TO_FOLLOW"),
                      pins({kAnnaPin, kSaraPin}));
  ASSERT_RUN(one, 3);
  EXPECT_EQ(one.json["errorCode"], "SECOND_APPROVER_REQUIRED");
  auto two = term.run(
      overrideArgs("WO-1005", "adv-anna", "652.00", {"sup-sara", "sup-sam"}, "PO_TO_FOLLOW"),
      pins({kAnnaPin, kSaraPin, kSamPin}));
  ASSERT_RUN(two, 0);
  EXPECT_EQ(two.json["poCompliance"], "OVERRIDDEN");
  EXPECT_EQ(backend.acceptedOf("override").size(), 1u);
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
}

TEST_F(OnlineOverride, ApproverMustNotBeTheOperatorNorTwiceTheSamePerson) {
  auto self = term.run(overrideArgs("WO-1002", "sup-sara", "489.14", {"sup-sara"}),
                       pins({kSaraPin, kSaraPin}));
  ASSERT_RUN(self, 3);
  EXPECT_EQ(self.json["errorCode"], "APPROVER_NOT_DISTINCT") << self.out;
  auto same = term.run(
      overrideArgs("WO-1005", "adv-anna", "652.00", {"sup-sam", "sup-sam"}, "PO_TO_FOLLOW"),
      pins({kAnnaPin, kSamPin, kSamPin}));
  ASSERT_RUN(same, 3);
  EXPECT_EQ(same.json["errorCode"], "APPROVER_NOT_DISTINCT") << same.out;
  auto wrongPin = term.run(overrideArgs("WO-1002", "adv-anna", "489.14", {"sup-sara"}),
                           pins({kAnnaPin, "0000"}));
  ASSERT_RUN(wrongPin, 3);
  EXPECT_EQ(wrongPin.json["errorCode"], "ELEVATION_DENIED");
  EXPECT_TRUE(backend.acceptedOf("override").empty());
  EXPECT_TRUE(backend.acceptedOf("payment").empty());
}

TEST_F(OnlineOverride, AdvisorWithoutOverridePermissionIsRefused) {
  auto r = term.run(overrideArgs("WO-1002", "cash-carl", "489.14", {"sup-sara"}),
                    pins({kCarlPin, kSaraPin}));
  ASSERT_RUN(r, 3);
  EXPECT_TRUE(backend.acceptedOf("override").empty());
}

// ---------------------------------------------------------------- offline

TEST_F(OnlineOverride, RulesMissingBlocksUntilOverride) {
  // ACC-NORULES-42: a business customer without rules is never waved through.
  auto blocked = term.run({"checkout", "--work-order", "WO-1004", "--operator", "adv-anna",
                           "--tender", "CASH", "--amount", "242.48"},
                          pins({kAnnaPin}));
  ASSERT_RUN(blocked, 3);
  EXPECT_EQ(blocked.json["errorCode"], "BILLING_RULES_MISSING") << blocked.out;
  // Typing some PO does not wave it through either.
  auto withPo = term.run({"checkout", "--work-order", "WO-1004", "--operator", "adv-anna", "--po",
                          "ANY-PO-1", "--tender", "CASH", "--amount", "242.48"},
                         pins({kAnnaPin}));
  ASSERT_RUN(withPo, 3);
  EXPECT_EQ(withPo.json["errorCode"], "BILLING_RULES_MISSING") << withPo.out;
  EXPECT_TRUE(backend.acceptedOf("payment").empty());
  auto r = term.run(overrideArgs("WO-1004", "adv-anna", "242.48", {"sup-sam"}),
                    pins({kAnnaPin, kSamPin}));
  ASSERT_RUN(r, 0);
  EXPECT_EQ(r.json["poCompliance"], "OVERRIDDEN");
  EXPECT_EQ(backend.acceptedOf("override").size(), 1u);
}

// Offline, without rules there is no offline elevation either: the override waits for the
// backend.
TEST_F(OfflineOverride, RulesMissingCannotBeOverriddenOffline) {
  auto blocked = term.run({"checkout", "--work-order", "WO-1004", "--operator", "adv-anna",
                           "--tender", "CASH", "--amount", "242.48"},
                          pins({kAnnaPin}));
  ASSERT_RUN(blocked, 3);
  EXPECT_EQ(blocked.json["errorCode"], "BILLING_RULES_MISSING") << blocked.out;
  auto r = term.run(overrideArgs("WO-1004", "adv-anna", "242.48", {"sup-sam"}),
                    pins({kAnnaPin, kSamPin}));
  ASSERT_RUN(r, 3);
  EXPECT_EQ(r.json["errorCode"], "OFFLINE_ELEVATION_NOT_ALLOWED") << r.out;
}

TEST(OfflineOverrideSync, TwoOfflineGrantsAndTheOverrideReachTheBackend) {
  DemoBackend backend;
  PosTerminal term;
  ASSERT_RUN(term.seedDemo(), 0);
  auto r = term.run(
      overrideArgs("WO-1005", "adv-anna", "652.00", {"sup-sara", "sup-sam"}, "PO_TO_FOLLOW"),
      pins({kAnnaPin, kSaraPin, kSamPin}));
  ASSERT_RUN(r, 0);
  EXPECT_EQ(r.json["poCompliance"], "OVERRIDDEN");
  EXPECT_EQ(r.json["capturedOffline"], true);
  auto same = term.run(
      overrideArgs("WO-1005", "adv-anna", "652.00", {"sup-sara", "sup-sara"}, "PO_TO_FOLLOW"),
      pins({kAnnaPin, kSaraPin, kSaraPin}));
  ASSERT_RUN(same, 3);
  EXPECT_EQ(same.json["errorCode"], "APPROVER_NOT_DISTINCT") << same.out;
  auto self =
      term.run(overrideArgs("WO-1002", "sup-sam", "489.14", {"sup-sam"}), pins({kSamPin, kSamPin}));
  ASSERT_RUN(self, 3);
  EXPECT_EQ(self.json["errorCode"], "APPROVER_NOT_DISTINCT") << self.out;

  term.online(backend);
  auto s = term.run({"sync", "--until-empty", "--timeout", "30"});
  ASSERT_RUN(s, 0);
  EXPECT_EQ(backend.acceptedOf("grant").size(), 2u) << backend.sim().accepted().dump();
  EXPECT_EQ(backend.acceptedOf("override").size(), 1u);
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
}

}  // namespace
}  // namespace pos::e2e
