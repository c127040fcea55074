// The counter engine's shift and cash control (issue 10, "Shift and cash control"; issue 17's
// Z that names who closed it): opening float, paid out / paid in, the no-sale drawer with its
// reason (and its approval when configured), X on demand, the Z with a difference over the
// tolerance and with unsynced items, each needing a supervisor.
#include <limits>

#include "engine_support.hpp"

namespace pos::enginetest {
namespace {

namespace in = app::intent;

const app::CurrencyReportView* usdOf(const app::ReportView& r) {
  for (const auto& c : r.currencies)
    if (c.currency == checkout::Currencies::USD) return &c;
  return nullptr;
}

TEST_F(EngineShop, ShiftFloatPaidOutNoSaleXAndAZOverTheToleranceApproved) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  auto s = c->step(in::OpenShift{{usd(20000)}});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->shift);
  EXPECT_TRUE(s->shift->floatCounted);
  ASSERT_EQ(s->shift->openingFloat.size(), 1u);
  EXPECT_EQ(s->shift->openingFloat[0], usd(20000));
  EXPECT_EQ(s->shift->openedBy.str(), "adv-anna");
  EXPECT_EQ(refusalCode(*c->step(in::OpenShift{{usd(100)}})), "SHIFT_ALREADY_OPEN");
  EXPECT_EQ(refusalCode(*c->step(in::OpenShift{{usd(-100)}})), "SHIFT_ALREADY_OPEN");

  // Paid out, with a reason and a positive amount.
  EXPECT_EQ(refusalCode(*c->step(in::CashMovement{app::CashDirection::PaidOut, usd(2000), ""})),
            "REASON_REQUIRED");
  EXPECT_EQ(refusalCode(*c->step(in::CashMovement{app::CashDirection::PaidOut, usd(2000),
                                                  "card 4111-1111-1111-1111"})),
            "REASON_REQUIRED");
  EXPECT_EQ(refusalCode(*c->step(in::CashMovement{app::CashDirection::PaidOut, usd(0), "x"})),
            "AMOUNT_NOT_POSITIVE");
  s = c->step(in::CashMovement{app::CashDirection::PaidOut, usd(2000), "postage"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);

  // A no-sale opening needs a reason, and is logged.
  EXPECT_EQ(refusalCode(*c->step(in::OpenDrawer{"  "})), "REASON_REQUIRED");
  s = c->step(in::OpenDrawer{"change for the till"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_FALSE(s->approval);  // off by default
  EXPECT_EQ(
      e2e::sqlite(term.database(), "SELECT count(*) FROM drawer_opening WHERE reason='NO_SALE'"),
      "1\n");

  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  s = c->cash("101.36", "120.00");
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(s->queue.depth, 0);  // the command line's drain sent it

  s = c->step(in::XReport{});
  ASSERT_TRUE(s->report) << refusalCode(*s);
  EXPECT_FALSE(s->report->z);
  EXPECT_EQ(s->report->noSaleOpenings, 1);
  const auto* x = usdOf(*s->report);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->paymentCount, 1);
  EXPECT_EQ(x->openingFloat, usd(20000));
  EXPECT_EQ(x->paidOut, usd(2000));
  EXPECT_EQ(x->cashExpected, usd(20000 + 10136 - 2000));

  // The Z: USD 31.36 short, over the USD 5.00 tolerance: a supervisor approves.
  s = c->step(in::CloseShift{{usd(25000)}, true});
  EXPECT_EQ(refusalCode(*s), "CASH_DIFFERENCE_OVER_TOLERANCE");
  ASSERT_TRUE(s->approval);
  ASSERT_TRUE(s->shift);  // not closed yet
  EXPECT_EQ(refusalCode(*c->step(in::SubmitApproval{user("adv-anna"), pin(e2e::kAnnaPin)})),
            "APPROVER_NOT_DISTINCT");
  EXPECT_EQ(refusalCode(*c->step(in::SubmitApproval{user("cash-carl"), pin(e2e::kCarlPin)})),
            "ELEVATION_DENIED");
  EXPECT_EQ(refusalCode(*c->step(in::SubmitApproval{user("sup-sara"), pin("0000")})),
            "ELEVATION_DENIED");
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_FALSE(s->approval);
  EXPECT_FALSE(s->shift);
  ASSERT_TRUE(s->report);
  EXPECT_TRUE(s->report->z);
  ASSERT_TRUE(s->report->closedBy);
  EXPECT_EQ(s->report->closedBy->str(), "adv-anna");
  const auto* z = usdOf(*s->report);
  ASSERT_NE(z, nullptr);
  ASSERT_TRUE(z->cashDifference);
  EXPECT_EQ(*z->cashDifference, usd(25000 - 28136));
  ASSERT_EQ(s->report->approvals.size(), 1u);
  EXPECT_NE(s->report->approvals[0].find("sup-sara"), std::string::npos);
  EXPECT_NE(s->report->text.find("sup-sara"), std::string::npos) << s->report->text;
  EXPECT_NE(s->report->text.find("adv-anna"), std::string::npos) << s->report->text;
  EXPECT_NE(s->report->text.find(e2e::kTerminalId), std::string::npos) << s->report->text;
  EXPECT_EQ(refusalCode(*c->step(in::XReport{})), "SHIFT_NOT_OPEN");
}

TEST_F(EngineShop, AZWithinTheToleranceClosesWithoutASupervisor) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("cash-carl", e2e::kCarlPin)->user);
  ASSERT_FALSE(c->step(in::OpenShift{{usd(10000)}})->refusal);
  auto s = c->step(in::CloseShift{{usd(10400)}, false});  // USD 4.00 over: within USD 5.00
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_FALSE(s->approval);
  ASSERT_TRUE(s->report);
  EXPECT_TRUE(s->report->z);
  EXPECT_TRUE(s->report->approvals.empty());
  EXPECT_NE(s->report->text.find("cash-carl"), std::string::npos);
}

TEST_F(EngineShop, AZWithUnsyncedItemsNeedsASupervisorAndSaysSo) {
  backend.sim().stop();
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_FALSE(c->step(in::OpenShift{{usd(10000)}})->refusal);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  auto s = c->cash("10.00");
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_GT(s->queue.depth, 0);
  s = c->step(in::CloseShift{{usd(11000)}, false});  // counted exactly
  EXPECT_EQ(refusalCode(*s), "SHIFT_HAS_UNSYNCED_ITEMS");
  ASSERT_TRUE(s->approval);
  s = c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->report);
  EXPECT_TRUE(s->report->z);
  EXPECT_EQ(s->report->unsyncedPayments, 1);
  ASSERT_EQ(s->report->approvals.size(), 1u);
  EXPECT_NE(s->report->approvals[0].find("unsynced"), std::string::npos);
  EXPECT_NE(s->report->text.find("sup-sam"), std::string::npos) << s->report->text;
  EXPECT_NE(s->report->text.find("adv-anna"), std::string::npos) << s->report->text;
  EXPECT_NE(s->report->text.find(e2e::kTerminalId), std::string::npos) << s->report->text;
  EXPECT_EQ(e2e::sqlite(term.database(),
                        "SELECT count(*) FROM audit_event WHERE kind='SHIFT_CLOSE_APPROVED'"),
            "1\n");
}

// A payment with no shift open opens one without a counted float; its X says so.
TEST_F(EngineShop, APaymentWithNoShiftOpensOneWithoutAFloat) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  ASSERT_FALSE(c->cash("10.00")->refusal);
  auto s = c->step(in::XReport{});
  ASSERT_TRUE(s->shift);
  EXPECT_FALSE(s->shift->floatCounted);
  ASSERT_TRUE(s->report);
  EXPECT_FALSE(s->report->floatCounted);
}

TEST_F(EngineShop, PaidInIsTakenWithAReason) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_FALSE(c->step(in::OpenShift{{usd(10000)}})->refusal);
  auto s = c->step(in::CashMovement{app::CashDirection::PaidIn, usd(5000), "float top-up"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  s = c->step(in::XReport{});
  ASSERT_TRUE(s->report);
  const auto* x = usdOf(*s->report);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->paidIn, usd(5000));
  EXPECT_EQ(x->cashExpected, usd(15000));
  EXPECT_NE(s->report->text.find("paid in "), std::string::npos) << s->report->text;
  // The ledger row keeps who and why.
  EXPECT_EQ(e2e::sqlite(term.database(), "SELECT paid_by, reason, amount_minor FROM cash_paid_in"),
            "adv-anna|float top-up|5000\n");
}

TEST_F(EngineShop, ANoSaleNeedsASupervisorWhenTheShopSaysSo) {
  auto options = online();
  options.configToml = "[shift]\nno_sale_requires_approval = true\n";
  auto c = counter(options);
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  EXPECT_EQ(refusalCode(*c->step(in::OpenDrawer{""})), "REASON_REQUIRED");
  auto s = c->step(in::OpenDrawer{"customer needs change"});
  ASSERT_TRUE(s->approval) << refusalCode(*s);
  EXPECT_EQ(
      e2e::sqlite(term.database(), "SELECT count(*) FROM drawer_opening WHERE reason='NO_SALE'"),
      "0\n");
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(e2e::sqlite(term.database(), "SELECT note FROM drawer_opening WHERE reason='NO_SALE'"),
            "customer needs change (approved by sup-sara)\n");
}

TEST_F(EngineShop, AFloatCountedByDenominationMustAddUpAndIsRecordedWithTheShift) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  using Count = in::FloatCount;
  // USD 100 + 20 + 3 x 1.00 + 0.25 = 123.25, not the 123.45 stated.
  EXPECT_EQ(refusalCode(*c->step(in::OpenShift{{usd(12345)},
                                               {Count{usd(10000), 1}, Count{usd(2000), 1},
                                                Count{usd(100), 3}, Count{usd(25), 1}}})),
            "FLOAT_COUNT_MISMATCH");
  // A line in a currency the float does not have; a negative count; a zero denomination.
  const auto eur = checkout::Money{checkout::Currencies::EUR, 5000};
  EXPECT_EQ(refusalCode(*c->step(in::OpenShift{{usd(5000)}, {Count{usd(5000), 1}, Count{eur, 1}}})),
            "FLOAT_COUNT_MISMATCH");
  EXPECT_EQ(refusalCode(
                *c->step(in::OpenShift{{usd(5000)}, {Count{usd(10000), -1}, Count{usd(5000), 3}}})),
            "FLOAT_COUNT_MISMATCH");
  EXPECT_EQ(refusalCode(*c->step(in::OpenShift{{usd(0)}, {Count{usd(0), 4}}})),
            "FLOAT_COUNT_MISMATCH");
  // An overflowing line is refused, not wrapped.
  EXPECT_EQ(refusalCode(*c->step(in::OpenShift{
                {usd(5000)}, {Count{usd(std::numeric_limits<std::int64_t>::max() / 2), 3}}})),
            "FLOAT_COUNT_MISMATCH");
  EXPECT_EQ(e2e::sqlite(term.database(), "SELECT count(*) FROM shift_open"), "0\n");

  auto s = c->step(in::OpenShift{{usd(12345)},
                                 {Count{usd(10000), 1}, Count{usd(2000), 1}, Count{usd(100), 3},
                                  Count{usd(25), 1}, Count{usd(10), 2}}});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->shift);
  ASSERT_EQ(s->shift->openingFloat.size(), 1u);
  EXPECT_EQ(s->shift->openingFloat[0], usd(12345));
  EXPECT_EQ(e2e::sqlite(term.database(),
                        "SELECT count(*) FROM audit_event WHERE kind='FLOAT_COUNTED'"
                        " AND actor='adv-anna' AND detail_json LIKE "
                        "'%{\"count\":1,\"currency\":\"USD\",\"denominationMinor\":2000}%'"),
            "1\n");
}

TEST_F(EngineShop, OnlyASupervisorPrintsATestPageWhileEveryoneSeesThePrinters) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  const auto spool = term.dataDir() + "/spool";
  const auto before = e2e::filesUnder(spool).size();
  auto s = c->step(in::PrintTestPage{});
  EXPECT_EQ(refusalCode(*s), "PERMISSION_MISSING");
  EXPECT_EQ(e2e::filesUnder(spool).size(), before) << "nothing reached the printer";
  s = c->step(in::ListPrinters{});
  EXPECT_FALSE(s->refusal) << "listing the printers is for everyone: " << refusalCode(*s);
  EXPECT_FALSE(s->printer.readiness.empty()) << "and the printer's condition is shown";

  ASSERT_FALSE(c->step(in::SignOut{})->user);
  ASSERT_TRUE(c->signIn("sup-sara", e2e::kSaraPin)->user);
  s = c->step(in::PrintTestPage{});
  EXPECT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_GT(e2e::filesUnder(spool).size(), before) << "the test page is at the virtual printer";
}

}  // namespace
}  // namespace pos::enginetest
