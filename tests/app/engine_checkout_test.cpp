// The counter engine in this process against a real billing-sim (issue 10 "Proof", and the
// engine-level items of issues 12, 15, 17): a checkout step by step, walking away and coming
// back, one and two approvers, lock-outs, the operator never approving themself, print failure
// then retry then e-mail, possibly printed, offline then sync.
//
// Sections: a checkout step by step · walking away · approvals · lock-outs · receipts ·
// offline then sync
#include <sqlite3.h>

#include <algorithm>

#include <fake_tcp_printer.hpp>

#include "engine_support.hpp"

namespace pos::enginetest {
namespace {

using app::ReceiptOutcome;
using checkout::CheckoutStage;
namespace in = app::intent;
using FakePrinter = drivers::testing::FakeTcpPrinter;

std::string tcpUri(const FakePrinter& p) {
  return "tcp://127.0.0.1:" + std::to_string(p.port());
}

int countRows(const std::string& db, const std::string& sql) {
  return std::stoi(e2e::sqlite(db, sql));
}

// The calls to /billing/auth/elevate billing-sim has seen (each spends a supervisor's approval).
int elevateCalls(e2e::DemoBackend& backend) {
  const json rq = backend.sim().control("GET", "/_sim/requests?limit=1000");
  EXPECT_FALSE(rq["requests"].empty());  // the roster and invoice calls at least
  int n = 0;
  for (const auto& r : rq["requests"])
    n += r.value("path", "").find("/billing/auth/elevate") != std::string::npos;
  return n;
}

// ---------------------------------------------------------------- a checkout step by step

TEST_F(EngineShop, CashCheckoutStepByStepPrintsAtTheVirtualPrinter) {
  auto c = counter(online());
  auto s = c->signIn("adv-anna", e2e::kAnnaPin);
  ASSERT_TRUE(s->user) << refusalCode(*s);
  EXPECT_EQ(s->user->id.str(), "adv-anna");
  EXPECT_TRUE(s->connectivity.online);

  s = c->step(in::OpenCheckout{"WO-1001"});
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  EXPECT_EQ(s->checkout->invoiceNumber, "INV-1001");
  EXPECT_EQ(s->checkout->stage, CheckoutStage::TakingPayment);
  EXPECT_EQ(s->checkout->balanceDue, usd(10136));
  EXPECT_TRUE(s->checkout->evaluated);
  EXPECT_FALSE(s->checkout->evaluatedOffline);
  EXPECT_TRUE(s->checkout->payments.empty());
  EXPECT_FALSE(s->refusal);

  s = c->cash("101.36", "120.00");
  ASSERT_FALSE(s->refusal) << s->refusal->code << " " << s->refusal->text;
  ASSERT_TRUE(s->checkout);
  EXPECT_EQ(s->checkout->stage, CheckoutStage::PaidInFull);
  EXPECT_EQ(s->checkout->balanceDue, usd(0));
  ASSERT_EQ(s->checkout->payments.size(), 1u);
  const auto& p = s->checkout->payments.front();
  EXPECT_EQ(p.amount, usd(10136));
  ASSERT_TRUE(p.change);
  EXPECT_EQ(*p.change, usd(1864));
  EXPECT_EQ(p.paymentType, checkout::PaymentType::PaidInFull);
  EXPECT_EQ(p.tender, checkout::TenderKind::Cash);
  EXPECT_FALSE(p.capturedOffline);
  EXPECT_TRUE(p.thisCheckout);
  ASSERT_TRUE(s->receipt);
  EXPECT_EQ(s->receipt->outcome, ReceiptOutcome::Sent);
  EXPECT_EQ(s->receipt->channel, "PRINT");
  EXPECT_EQ(s->receipt->paymentType, checkout::PaymentType::PaidInFull);
  EXPECT_EQ(s->receipt->remainingBalance, usd(0));
  EXPECT_EQ(s->receipt->receiptReference, p.receiptReference);
  EXPECT_FALSE(s->receipt->text.empty());
  EXPECT_EQ(s->busy, app::Busy::Idle);
  // The command line's drain ran: the backend has exactly this payment.
  const auto accepted = backend.acceptedOf("payment");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0]["id"], p.billingPaymentId);
  EXPECT_EQ(accepted[0]["body"]["amount"]["amountMinor"], 10136);
  // The virtual printer's spool holds the job.
  EXPECT_FALSE(e2e::filesUnder(term.dataDir() + "/spool").empty());
}

TEST_F(EngineShop, NothingButSignInBeforeSigningIn) {
  auto c = counter(online());
  auto s = c->step(in::OpenCheckout{"WO-1001"});
  EXPECT_EQ(refusalCode(*s), "SIGN_IN_REQUIRED");
  EXPECT_FALSE(s->checkout);
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  EXPECT_EQ(refusalCode(*s), "NO_APPROVAL_PENDING");
  s = c->signIn("nobody-here", "1234");
  EXPECT_EQ(refusalCode(*s), "SIGN_IN_DENIED");
  EXPECT_FALSE(s->user);
}

// Every refusal the counter can reach without a supervisor, each with nothing recorded.
TEST_F(EngineShop, RefusalsAtTheCounter) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  const auto expect = [&](app::Intent i, const std::string& code) {
    auto s = c->step(std::move(i));
    EXPECT_EQ(refusalCode(*s), code);
    return s;
  };
  expect(in::XReport{}, "SHIFT_NOT_OPEN");
  expect(in::CloseShift{{usd(0)}, false}, "SHIFT_NOT_OPEN");
  expect(in::CapturePo{"AB-123456"}, "NO_CHECKOUT");
  expect(in::RetryPrint{}, "NO_RECEIPT");
  expect(in::OpenCheckout{"   "}, "WORK_ORDER_INVALID");
  expect(in::OpenCheckout{"WO-9999"}, "INVOICE_NOT_FOUND");
  // A VOID invoice opens to be seen, and takes nothing.
  {
    auto v = c->step(in::OpenCheckout{"WO-1009"});
    ASSERT_TRUE(v->checkout) << refusalCode(*v);
    EXPECT_EQ(v->checkout->stage, CheckoutStage::NotPayable);
    in::TakePayment p;
    p.amount = "10.00";
    expect(std::move(p), "INVOICE_NOT_PAYABLE");
  }
  expect(in::OpenCheckout{"WO-1010"}, "INVOICE_STATUS_UNKNOWN");
  expect(in::OpenCheckout{"WO-1011"}, "INVOICE_TOTALS_INCONSISTENT");

  // WO-1002: PO required, format AB-123456.
  auto s = c->step(in::OpenCheckout{"WO-1002"});
  ASSERT_TRUE(s->checkout);
  EXPECT_EQ(s->checkout->stage, CheckoutStage::AwaitingPo);
  EXPECT_TRUE(s->checkout->poRequired);
  expect(in::CapturePo{"not a po"}, "PO_FORMAT_INVALID");
  {
    in::TakePayment p;
    p.amount = "10.00";
    expect(std::move(p), "PO_REQUIRED");
  }
  ASSERT_FALSE(c->step(in::CapturePo{"AB-123456"})->refusal);
  expect(in::CapturePo{"AB-654321"}, "PO_ALREADY_CAPTURED");
  {
    in::TakePayment p;
    p.amount = "abc";
    expect(std::move(p), "AMOUNT_NOT_A_NUMBER");
  }
  {
    in::TakePayment p;
    p.amount = "0.00";
    expect(std::move(p), "AMOUNT_NOT_POSITIVE");
  }
  {
    in::TakePayment p;
    p.amount = "9999.00";
    expect(std::move(p), "AMOUNT_EXCEEDS_BALANCE");
  }
  {
    in::TakePayment p;
    p.amount = "10.00";
    p.tendered = "5.00";
    expect(std::move(p), "TENDERED_LESS_THAN_AMOUNT");
  }
  {
    in::TakePayment p;
    p.tender = checkout::TenderKind::Account;
    p.amount = "10.00";
    expect(std::move(p), "CHARGE_ACCOUNT_NOT_ELIGIBLE");
  }
  {
    in::TakePayment p;
    p.tender = checkout::TenderKind::Check;
    p.amount = "10.00";
    p.checkNumber = "4111-1111-1111-1111";
    expect(std::move(p), "CARD_NUMBER_REFUSED");
  }
  {
    in::TakePayment p;
    p.amount = "10.00";
    p.receipt = app::ReceiptChoice::Email;
    p.email = "someone@example.com\r\nBcc: x@example.com";
    expect(std::move(p), "EMAIL_INVALID");
  }
  expect(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "x"}, "PO_ALREADY_SATISFIED");

  // WO-1003: no partial payments.
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1003"})->checkout);
  ASSERT_FALSE(c->step(in::CapturePo{"BL-0001"})->refusal);
  {
    in::TakePayment p;
    p.amount = "10.00";
    expect(std::move(p), "PARTIAL_PAYMENT_NOT_ALLOWED");
  }
  // WO-1004: no rules; the override's own checks come before any approver.
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1004"})->checkout);
  expect(in::RequestOverride{"NO_SUCH_REASON", "x"}, "REASON_CODE_UNKNOWN");
  expect(in::RequestOverride{"PO_TO_FOLLOW", ""}, "NOTES_REQUIRED");
  // Nothing of the above spent an elevation or left a grant.
  EXPECT_EQ(elevateCalls(backend), 0);
  for (const json q = queue(); const auto& item : q["items"])
    EXPECT_NE(item.value("kind", ""), "offline-grant") << item.dump();
  // An approval is pending: nothing else until it is done or cancelled.
  ASSERT_TRUE(c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "x"})->approval);
  expect(in::OpenCheckout{"WO-1001"}, "APPROVAL_PENDING");
  s = c->step(in::CancelApproval{});
  EXPECT_FALSE(s->approval);
  EXPECT_FALSE(s->refusal);
}

// Issue 17: a retry of a queue item that does not exist is refused, not silently accepted.
TEST_F(EngineShop, RetryingAQueueItemThatDoesNotExistIsRefused) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  auto s = c->step(in::RetrySync{std::int64_t{987654}});
  EXPECT_EQ(refusalCode(*s), "QUEUE_ITEM_NOT_FOUND");
}

// ---------------------------------------------------------------- walking away

TEST_F(EngineShop, WalkingAwayKeepsTheCapturedPoAndShowsThePaymentsTaken) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  auto s = c->step(in::OpenCheckout{"WO-1002"});
  ASSERT_TRUE(s->checkout);
  s = c->step(in::CapturePo{"AB-123456"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->checkout->poNumber);
  const std::string firstCheckout = s->checkout->checkoutId;

  s = c->step(in::CloseCheckout{});
  EXPECT_FALSE(s->checkout);
  s = c->step(in::OpenCheckout{"WO-1002"});
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  ASSERT_TRUE(s->checkout->poNumber);
  EXPECT_EQ(*s->checkout->poNumber, "AB-123456");
  ASSERT_TRUE(s->checkout->poCapturedBy);
  EXPECT_EQ(s->checkout->poCapturedBy->str(), "adv-anna");
  EXPECT_EQ(s->checkout->stage, CheckoutStage::TakingPayment);
  // Read-only: another PO is refused; the same again is no change.
  EXPECT_EQ(refusalCode(*c->step(in::CapturePo{"ZZ-999999"})), "PO_ALREADY_CAPTURED");
  EXPECT_FALSE(c->step(in::CapturePo{"AB-123456"})->refusal);

  // A partial payment, then away and back: it is shown, the balance lowered, the PO kept.
  s = c->cash("100.00");
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_EQ(s->checkout->payments.size(), 1u);
  EXPECT_EQ(s->checkout->payments[0].paymentType, checkout::PaymentType::PartialPayment);
  const std::string paymentId = s->checkout->payments[0].billingPaymentId;
  c->step(in::CloseCheckout{});
  s = c->step(in::OpenCheckout{"WO-1002"});
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  EXPECT_EQ(s->checkout->balanceDue, usd(48914 - 10000));
  ASSERT_EQ(s->checkout->payments.size(), 1u);
  EXPECT_EQ(s->checkout->payments[0].billingPaymentId, paymentId);
  EXPECT_EQ(s->checkout->payments[0].amount, usd(10000));
  ASSERT_TRUE(s->checkout->poNumber) << "the PO captured before the partial payment is gone";
  EXPECT_EQ(*s->checkout->poNumber, "AB-123456");
  EXPECT_EQ(s->checkout->stage, CheckoutStage::TakingPayment);
  (void)firstCheckout;
}

// Offline too: a payment taken and not yet synced is shown when the invoice is opened again.
TEST_F(EngineShop, WalkingAwayOfflineShowsTheUnsyncedPayment) {
  backend.sim().stop();
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1006"})->checkout);
  auto s = c->cash("20.00");
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  const auto before = s->checkout->balanceDue;
  c->step(in::CloseCheckout{});
  s = c->step(in::OpenCheckout{"WO-1006"});
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  EXPECT_EQ(s->checkout->balanceDue, before);
  // The two earlier payments of the demo invoice, then this terminal's.
  EXPECT_EQ(s->checkout->payments.size(), 3u);
}

// ---------------------------------------------------------------- approvals

TEST_F(EngineShop, OneApproverOnlineOverridesWo1004) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  auto s = c->step(in::OpenCheckout{"WO-1004"});
  ASSERT_TRUE(s->checkout);
  EXPECT_EQ(s->checkout->stage, CheckoutStage::AwaitingPo);
  s = c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "per phone"});
  ASSERT_TRUE(s->approval) << refusalCode(*s);
  EXPECT_EQ(s->approval->needed, 1);
  EXPECT_TRUE(s->approval->online);
  ASSERT_EQ(s->approval->eligible.size(), 2u);
  for (const auto& a : s->approval->eligible) EXPECT_NE(a.who.id.str(), "adv-anna");
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_FALSE(s->approval);
  EXPECT_EQ(s->checkout->poCompliance, "OVERRIDDEN");
  ASSERT_EQ(s->checkout->overrideApprovers.size(), 1u);
  EXPECT_EQ(s->checkout->overrideApprovers[0].str(), "sup-sara");
  EXPECT_EQ(s->checkout->stage, CheckoutStage::TakingPayment);
  EXPECT_EQ(backend.acceptedOf("override").size(), 1u);
  EXPECT_EQ(elevateCalls(backend), 1);
  s = c->cash("242.48");
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(s->checkout->stage, CheckoutStage::PaidInFull);
}

// Offline, WO-1004's account has no rules (so no offline elevation): WO-1002's PO is overridden.
TEST_F(EngineShop, OneApproverOfflineIssuesOneGrant) {
  backend.sim().stop();
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  EXPECT_EQ(refusalCode(*c->step(in::OpenCheckout{"WO-1004"})), "");
  EXPECT_EQ(refusalCode(*c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "x"})), "");
  EXPECT_EQ(refusalCode(*c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)})),
            "OFFLINE_ELEVATION_NOT_ALLOWED");
  EXPECT_EQ(countRows(term.database(), "SELECT count(*) FROM offline_grant"), 0);
  c->step(in::CancelApproval{});
  auto s = c->step(in::OpenCheckout{"WO-1002"});
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  EXPECT_TRUE(s->checkout->evaluatedOffline);
  s = c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "per phone"});
  ASSERT_TRUE(s->approval) << refusalCode(*s);
  EXPECT_FALSE(s->approval->online);
  s = c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(s->checkout->poCompliance, "OVERRIDDEN");
  int grants = 0, overrides = 0;
  for (const json q = queue(); const auto& item : q["items"]) {
    grants += item.value("kind", "") == "offline-grant";
    overrides += item.value("kind", "") == "po-override";
  }
  EXPECT_EQ(grants, 1) << queue().dump();
  EXPECT_EQ(overrides, 1);
}

TEST_F(EngineShop, TwoApproversForWo1005AndNeverTheSameTwiceNorTheOperator) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1005"})->checkout);
  auto s = c->step(in::RequestOverride{"PO_TO_FOLLOW", "mailed Monday"});
  ASSERT_TRUE(s->approval) << refusalCode(*s);
  EXPECT_EQ(s->approval->needed, 2);
  EXPECT_TRUE(s->approval->approvedBy.empty());
  // The operator as approver: refused before a PIN is checked (no attempt recorded).
  const auto anna = "SELECT count(*) FROM pin_attempt WHERE approver_id='adv-anna'";
  const int annaBefore = countRows(term.database(), anna);
  s = c->step(in::SubmitApproval{user("adv-anna"), pin(e2e::kAnnaPin)});
  EXPECT_EQ(refusalCode(*s), "APPROVER_NOT_DISTINCT");
  EXPECT_EQ(countRows(term.database(), anna), annaBefore);
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->approval);  // approval 1 of 2
  ASSERT_EQ(s->approval->approvedBy.size(), 1u);
  EXPECT_EQ(s->approval->approvedBy[0].str(), "sup-sara");
  for (const auto& a : s->approval->eligible) EXPECT_NE(a.who.id.str(), "sup-sara");
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  EXPECT_EQ(refusalCode(*s), "APPROVER_NOT_DISTINCT");
  ASSERT_TRUE(s->approval);
  EXPECT_EQ(s->approval->approvedBy.size(), 1u);
  s = c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_FALSE(s->approval);
  EXPECT_EQ(s->checkout->poCompliance, "OVERRIDDEN");
  ASSERT_EQ(s->checkout->overrideApprovers.size(), 2u);
  EXPECT_EQ(backend.acceptedOf("override").size(), 1u);
}

// A supervisor signed in as the operator cannot approve their own request: not offered, and
// refused with no PIN checked and no grant left (offline, where a grant would be issued).
TEST_F(EngineShop, AnApprovalIsRefusedForTheOperatorThemself) {
  backend.sim().stop();
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("sup-sara", e2e::kSaraPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1002"})->checkout);
  auto s = c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "per phone"});
  ASSERT_TRUE(s->approval) << refusalCode(*s);
  for (const auto& a : s->approval->eligible) EXPECT_NE(a.who.id.str(), "sup-sara");
  const auto attempts = "SELECT count(*) FROM pin_attempt WHERE approver_id='sup-sara'";
  const int before = countRows(term.database(), attempts);
  s = c->step(in::SubmitApproval{user("sup-sara"), pin(e2e::kSaraPin)});
  EXPECT_EQ(refusalCode(*s), "APPROVER_NOT_DISTINCT");
  ASSERT_TRUE(s->approval);
  EXPECT_TRUE(s->approval->approvedBy.empty());
  EXPECT_EQ(s->checkout->poCompliance, "BLOCKED");
  EXPECT_EQ(countRows(term.database(), attempts), before);
  EXPECT_EQ(countRows(term.database(), "SELECT count(*) FROM offline_grant"), 0);
  for (const json q = queue(); const auto& item : q["items"])
    EXPECT_NE(item.value("kind", ""), "offline-grant") << item.dump();
}

// cash-carl has no billing:checkout:po:override: refused before any PIN is asked, online (no
// elevation spent) and nothing queued.
TEST_F(EngineShop, AnOverrideByCashCarlIsRefusedBeforeAnyPin) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("cash-carl", e2e::kCarlPin)->user);
  auto s = c->step(in::OpenCheckout{"WO-1004"});
  ASSERT_TRUE(s->checkout);
  EXPECT_FALSE(s->checkout->mayOverridePo);
  s = c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "per phone"});
  EXPECT_EQ(refusalCode(*s), "PERMISSION_MISSING");
  EXPECT_FALSE(s->approval);
  EXPECT_EQ(elevateCalls(backend), 0);
  EXPECT_EQ(countRows(term.database(), "SELECT count(*) FROM offline_grant"), 0);
  EXPECT_EQ(backend.acceptedOf("override").size(), 0u);
}

// Over cash-carl's USD 500.00 limit: one supervisor approves the payment itself.
TEST_F(EngineShop, APaymentOverTheCashiersLimitWaitsForASupervisor) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("cash-carl", e2e::kCarlPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1006"})->checkout);
  auto s = c->cash("543.53");
  ASSERT_TRUE(s->approval) << refusalCode(*s);
  EXPECT_EQ(s->approval->action, checkout::ElevationAction::PaymentOverLimit);
  ASSERT_TRUE(s->approval->amount);
  EXPECT_EQ(*s->approval->amount, usd(54353));
  EXPECT_TRUE(s->checkout->payments.size() == 2u);  // only the invoice's earlier ones
  s = c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(s->checkout->stage, CheckoutStage::PaidInFull);
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
}

// ---------------------------------------------------------------- lock-outs

TEST_F(EngineShop, FiveWrongApproverPinsLockOutUntilThirtyMinutesPass) {
  backend.sim().stop();
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1002"})->checkout);
  ASSERT_TRUE(c->step(in::RequestOverride{"ACCOUNT_MANAGER_APPROVED", "per phone"})->approval);
  std::shared_ptr<const app::Snapshot> s;
  for (int k = 1; k <= 5; ++k) {
    s = c->step(in::SubmitApproval{user("sup-sam"), pin("0000")});
    ASSERT_TRUE(s->refusal);
    EXPECT_TRUE(s->refusal->code == "ELEVATION_DENIED" || s->refusal->code == "APPROVER_LOCKED_OUT")
        << k << ": " << s->refusal->code;
    ASSERT_TRUE(s->approval);
    EXPECT_EQ(s->approval->wrongPinCount, static_cast<std::uint64_t>(k));
  }
  const auto samOf = [](const app::Snapshot& snap) {
    for (const auto& a : snap.approval->eligible)
      if (a.who.id.str() == "sup-sam") return a;
    return app::ApproverState{};
  };
  EXPECT_EQ(samOf(*s).triesLeft, 0);
  ASSERT_TRUE(samOf(*s).lockedUntil);
  // The right PIN is refused while locked out; nothing checked, nothing granted.
  s = c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)});
  EXPECT_EQ(refusalCode(*s), "APPROVER_LOCKED_OUT");
  EXPECT_EQ(s->checkout->poCompliance, "BLOCKED");
  EXPECT_EQ(countRows(term.database(), "SELECT count(*) FROM offline_grant"), 0);
  // Thirty minutes later the lock-out is over.
  clock.advance(31min);
  s = c->step(in::SubmitApproval{user("sup-sam"), pin(e2e::kSamPin)});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(s->checkout->poCompliance, "OVERRIDDEN");
}

TEST_F(EngineShop, TheOperatorsOwnSignInLocksOutAndStaysLockedAcrossARestart) {
  {
    auto c = counter(online());
    std::shared_ptr<const app::Snapshot> s;
    for (int k = 1; k <= 5; ++k) {
      s = c->signIn("adv-anna", "9999");
      EXPECT_EQ(refusalCode(*s), "SIGN_IN_DENIED") << k;
      EXPECT_EQ(s->signIn.triesLeft, 5 - k);
      EXPECT_EQ(s->signIn.wrongPinCount, static_cast<std::uint64_t>(k));
    }
    EXPECT_TRUE(s->signIn.lockedUntil);
    s = c->signIn("adv-anna", e2e::kAnnaPin);
    EXPECT_EQ(refusalCode(*s), "SIGN_IN_LOCKED_OUT");
    EXPECT_FALSE(s->user);
    // Another user is not locked out.
    s = c->signIn("cash-carl", e2e::kCarlPin);
    EXPECT_TRUE(s->user) << refusalCode(*s);
  }
  {
    auto c = counter(online());  // a new engine on the same data directory
    auto s = c->signIn("adv-anna", e2e::kAnnaPin);
    EXPECT_EQ(refusalCode(*s), "SIGN_IN_LOCKED_OUT");
    EXPECT_FALSE(s->user);
    clock.advance(31min);
    s = c->signIn("adv-anna", e2e::kAnnaPin);
    EXPECT_TRUE(s->user) << refusalCode(*s);
  }
}

// ---------------------------------------------------------------- receipts

// Every print attempt's outcome row and the domain's ReceiptDeliveryRecorded in the checkout's
// event log, as "deliveryId OUTCOME" lines in the order written (issue 10: deliveries go through
// Checkout::record_delivery, so the two never disagree).
struct DeliveryRecords {
  std::string rows;
  std::string events;
};
// The domain's record of each delivery attempt, "deliveryId outcome" a line, as the rows say it.
std::string events(const std::string& database) {
  std::string out;
  for (const auto& e : e2e::ledgerEvents(database, "ReceiptDeliveryRecorded")) {
    out += e["deliveryId"].get<std::string>() + " " + e["outcome"].get<std::string>() + "\n";
  }
  return out;
}
DeliveryRecords deliveryRecords(const std::string& database) {
  return {e2e::sqlite(database,
                      "SELECT delivery_id || ' ' || status FROM delivery_outcome WHERE status <> "
                      "'PENDING' ORDER BY chain_seq"),
          events(database)};
}

TEST_F(EngineShop, APrintThatFailsIsRetriedThenEmailed) {
  FakePrinter printer;
  printer.set_paper_out(true);
  auto c = counter(online(tcpUri(printer)));
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  auto s = c->cash("101.36");
  ASSERT_TRUE(s->checkout);
  ASSERT_EQ(s->checkout->payments.size(), 1u) << refusalCode(*s);  // the money is taken
  ASSERT_TRUE(s->receipt);
  EXPECT_EQ(s->receipt->outcome, ReceiptOutcome::Failed);
  EXPECT_EQ(s->receipt->failureReason, "PAPER_OUT");
  EXPECT_FALSE(s->receipt->printerMessage.empty());
  printer.set_paper_out(false);
  s = c->step(in::RetryPrint{});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->receipt);
  EXPECT_EQ(s->receipt->outcome, ReceiptOutcome::Sent);
  {
    const auto d = deliveryRecords(term.database());
    EXPECT_EQ(std::count(d.rows.begin(), d.rows.end(), '\n'), 2) << d.rows;
    EXPECT_NE(d.rows.find(" FAILED\n"), std::string::npos) << d.rows;
    EXPECT_NE(d.rows.find(" SENT\n"), std::string::npos) << d.rows;
    EXPECT_EQ(d.events, d.rows);
  }
  s = c->step(in::EmailReceipt{std::nullopt, "jordan@example.com"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_EQ(s->receipt->outcome, ReceiptOutcome::Pending);
  EXPECT_EQ(s->receipt->channel, "EMAIL");
  s = c->step(in::EmailReceipt{std::nullopt, "not an address"});
  EXPECT_EQ(refusalCode(*s), "EMAIL_INVALID");
  // The address never reaches the snapshot.
  EXPECT_EQ(s->receipt->text.find("jordan@example.com"), std::string::npos);
}

// A printer that takes part of the job and then drops the link: the receipt may be on the
// paper, so it is POSSIBLY_PRINTED, never FAILED (which would invite a second original).
TEST_F(EngineShop, APrinterThatDropsTheLinkMidJobIsPossiblyPrinted) {
  FakePrinter printer(FakePrinter::Mode::kResetAfter, 64);
  auto c = counter(online(tcpUri(printer)));
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  auto s = c->cash("101.36");
  ASSERT_EQ(s->checkout->payments.size(), 1u) << refusalCode(*s);
  ASSERT_TRUE(s->receipt);
  EXPECT_EQ(s->receipt->outcome, ReceiptOutcome::PossiblyPrinted)
      << app::to_string(s->receipt->outcome) << " " << s->receipt->failureReason;
  // A retry does not print a second original.
  s = c->step(in::RetryPrint{});
  ASSERT_TRUE(s->receipt);
  EXPECT_NE(s->receipt->outcome, ReceiptOutcome::Sent);
  // POSSIBLY_PRINTED is the domain's outcome too, in the event log, never FAILED.
  const auto d = deliveryRecords(term.database());
  EXPECT_NE(d.rows.find(" POSSIBLY_PRINTED\n"), std::string::npos) << d.rows;
  EXPECT_EQ(d.rows.find(" FAILED"), std::string::npos) << d.rows;
  EXPECT_EQ(d.events, d.rows);
}

TEST_F(EngineShop, NoReceiptIsSuppressed) {
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  ASSERT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  auto s = c->cash("10.00", std::nullopt, app::ReceiptChoice::None);
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->receipt);
  EXPECT_EQ(s->receipt->outcome, ReceiptOutcome::Suppressed);
}

// ---------------------------------------------------------------- offline then sync

TEST_F(EngineShop, OfflineThenSyncSendsThePaymentExactlyOnce) {
  backend.sim().stop();
  auto c = counter(online());
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  auto s = c->step(in::OpenCheckout{"WO-1001"});
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  EXPECT_FALSE(s->connectivity.online);
  EXPECT_TRUE(s->connectivity.offlineSince);
  const auto leftOf = [](const app::Snapshot& snap) {
    for (const auto& m : snap.allowance.totalLeft)
      if (m.currency() == checkout::Currencies::USD) return m.minor_units();
    return std::int64_t{-1};
  };
  const auto before = leftOf(*s);
  ASSERT_GT(before, 5000);
  EXPECT_FALSE(s->allowance.paymentsStopAt);
  s = c->cash("50.00");
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_EQ(s->checkout->payments.size(), 1u);
  EXPECT_TRUE(s->checkout->payments[0].capturedOffline);
  EXPECT_EQ(leftOf(*s), before - 5000);
  EXPECT_TRUE(s->allowance.paymentsStopAt);
  EXPECT_GT(s->queue.depth, 0);
  const std::string paymentId = s->checkout->payments[0].billingPaymentId;
  const auto body =
      json::parse(e2e::sqlite(term.database(),
                              "SELECT b.body FROM outbox_body AS b JOIN outbox_message AS m"
                              " ON m.id = b.id WHERE m.kind='payment' AND m.idempotency_key='" +
                                  paymentId + "'"));

  backend.sim().start();
  s = c->step(in::RetrySync{});
  EXPECT_EQ(s->queue.depth, 0) << refusalCode(*s);
  EXPECT_TRUE(s->connectivity.online);
  EXPECT_EQ(leftOf(*s), before);
  const auto accepted = backend.acceptedOf("payment");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0]["id"], paymentId);
  EXPECT_EQ(accepted[0]["idempotencyKey"], paymentId);
  EXPECT_EQ(accepted[0]["body"], body);
  // A second retry sends nothing again.
  c->step(in::RetrySync{});
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
  EXPECT_EQ(queue()["depth"], 0);
}

}  // namespace
}  // namespace pos::enginetest

namespace pos::enginetest {
namespace {

// Issue 10: a failed read of the lock-out state refuses the PIN check (fail closed). Another
// connection holds the database's write lock, so the engine cannot count the attempt before
// the verifier runs: the right PIN is refused (STORAGE_FAILED), nobody is signed in, and the
// attempt that could not be counted is not counted afterwards either. Waits out the busy
// time-out once (5 s), which is what a person at the counter would see too.
TEST_F(EngineShop, APinIsNotCheckedWhenItsLockOutStateCannotBeRead) {
  auto c = counter(online());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((term.dataDir() + "/terminal.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto s = c->signIn("adv-anna", e2e::kAnnaPin);
  EXPECT_EQ(refusalCode(*s), "STORAGE_FAILED");
  EXPECT_FALSE(s->user);
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);

  s = c->signIn("adv-anna", "0000");  // wrong: the first counted try
  EXPECT_EQ(refusalCode(*s), "SIGN_IN_DENIED");
  EXPECT_EQ(s->signIn.triesLeft, checkout::kWrongPinsBeforeLockout - 1);
  s = c->signIn("adv-anna", e2e::kAnnaPin);
  ASSERT_TRUE(s->user);
  EXPECT_EQ(s->user->id.str(), "adv-anna");
}

}  // namespace
}  // namespace pos::enginetest
