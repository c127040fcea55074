// The checkout state machine: one test per rule and refusal code the checkout decides.
//
// Sections: start and invoice status · evaluation and PO · permission matrix · override ·
// online elevation · offline PIN and lockout · payments and tenders · payment limit and
// offline limits · receipts and reprints · events and replay
#include <gtest/gtest.h>

#include "counter_fixture.hpp"

namespace pos::checkout {
namespace {

using namespace testing;
using nlohmann::json;

constexpr Currency USD = Currencies::USD;

#define EXPECT_REFUSED(decision, refusal_code)                                       \
  do {                                                                               \
    const auto& d_ = (decision);                                                     \
    ASSERT_FALSE(d_.accepted()) << "accepted, expected " << to_string(refusal_code); \
    EXPECT_EQ(d_.refusal->code, refusal_code) << "got " << d_.refusal->code_text();  \
  } while (false)

#define EXPECT_ACCEPTED(decision)                                                       \
  do {                                                                                  \
    const auto& d_ = (decision);                                                        \
    ASSERT_TRUE(d_.accepted()) << d_.refusal->code_text() << " " << d_.refusal->detail; \
  } while (false)

OverridePo override_with(std::vector<Approval> approvals,
                         std::string reason = "CUSTOMER_PO_PENDING",
                         std::string notes = "PO by e-mail tomorrow") {
  return OverridePo{user("advisor"), std::move(reason), std::move(notes), std::move(approvals),
                    nullptr};
}

const ReasonCodes& po_reasons() {
  static const ReasonCodes codes{
      std::vector<ReasonCode>{{"CUSTOMER_PO_PENDING", "PO to follow", true},
                              {"FLEET_AGREEMENT", "Fleet agreement", false}}};
  return codes;
}

// ---------------------------------------------------------------------------------------------
// Start and invoice status
// ---------------------------------------------------------------------------------------------

TEST(CheckoutStart, RefusesAnOperatorNotOnTheRoster) {
  Counter counter;
  auto ctx = counter.context();
  const auto started = Checkout::start(
      StartCheckout{user("ghost"), *TerminalId::parse("T-1"), invoice_json().dump()}, ctx);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, RefusalCode::OperatorUnknown);
}

TEST(CheckoutStart, RefusesAnInvoiceThatDoesNotAddUpOrIsIncomplete) {
  Counter counter;
  auto ctx = counter.context();
  auto bad = invoice_json();
  bad["taxTotal"] = money_json("USD", 1);
  auto started =
      Checkout::start(StartCheckout{user("advisor"), *TerminalId::parse("T-1"), bad.dump()}, ctx);
  EXPECT_EQ(started.error().code, RefusalCode::InvoiceTotalsInconsistent);
  bad = invoice_json();
  bad.erase("balanceDue");
  started =
      Checkout::start(StartCheckout{user("advisor"), *TerminalId::parse("T-1"), bad.dump()}, ctx);
  EXPECT_EQ(started.error().code, RefusalCode::InvoiceMalformed);
  EXPECT_EQ(started.error().missing_fields, std::vector<std::string>{"balanceDue"});
}

TEST(CheckoutStart, MakesIdsCorrelationAndTrace) {
  Counter counter;
  auto ctx = counter.context();
  auto started = Checkout::start(
      StartCheckout{user("advisor"), *TerminalId::parse("T-1"), invoice_json().dump()}, ctx);
  ASSERT_TRUE(started.ok());
  ASSERT_EQ(started->events.size(), 1u);
  const auto& e = std::get<CheckoutStarted>(started->events[0]);
  EXPECT_EQ(e.checkout_id.uuid().version(), 7);
  EXPECT_EQ(e.correlation_id.uuid().version(), 7);
  EXPECT_EQ(e.trace_id.size(), 32u);
  EXPECT_EQ(started->checkout.stage(), CheckoutStage::AwaitingEvaluation);
  EXPECT_EQ(started->checkout.po_compliance(), PoCompliance::Blocked);
}

TEST(CheckoutStart, UnknownInvoiceStatusBlocksEveryCommand) {
  Counter counter;
  auto invoice = invoice_json();
  invoice["status"] = "DISPUTED";
  Checkout checkout = counter.start(invoice, std::nullopt);
  auto ctx = counter.context();
  EXPECT_EQ(checkout.stage(), CheckoutStage::InvoiceUnknownStatus);
  EXPECT_EQ(checkout.invoice().status_text, "DISPUTED");
  EXPECT_REFUSED(checkout.evaluate(user("advisor"), relaxed_evaluation(), ctx),
                 RefusalCode::InvoiceStatusUnknown);
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "AB-123456", {}}, ctx),
                 RefusalCode::InvoiceStatusUnknown);
  OverridePo override_cmd = override_with({});
  EXPECT_REFUSED(checkout.override_po(override_cmd, ctx), RefusalCode::InvoiceStatusUnknown);
  TakePayment pay = cash(100);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::InvoiceStatusUnknown);
  VerifyApproverPin pin{user("advisor"), user("sup1"), SecretText{kSupervisorPin},
                        ElevationAction::PoOverride};
  ApproverLockouts lockouts;
  EXPECT_REFUSED(checkout.verify_offline_approver(pin, lockouts, ctx),
                 RefusalCode::InvoiceStatusUnknown);
  EXPECT_TRUE(pin.pin.empty());
}

TEST(CheckoutStart, OnlyIssuedInvoicesWithABalanceTakePayment) {
  for (const char* status : {"DRAFT", "PAID", "VOID"}) {
    Counter counter;
    auto invoice = invoice_json();
    invoice["status"] = status;
    Checkout checkout = counter.start(invoice, relaxed_evaluation());
    auto ctx = counter.context();
    EXPECT_EQ(checkout.stage(), CheckoutStage::NotPayable);
    TakePayment pay = cash(100);
    EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::InvoiceNotPayable);
  }
  Counter counter;
  auto zero = invoice_json();
  zero["payments"] = json::array({{{"billingPaymentId", "01936f3e-8a7b-7c3d-9e4f-000000000001"},
                                   {"amount", money_json("USD", 10000)},
                                   {"tender", "CASH"},
                                   {"capturedAt", "2026-11-20T09:00:00Z"}}});
  zero["balanceDue"] = money_json("USD", 0);
  Checkout checkout = counter.start(zero, relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(100);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::InvoiceNotPayable);
}

// ---------------------------------------------------------------------------------------------
// Evaluation and PO
// ---------------------------------------------------------------------------------------------

TEST(CheckoutPo, NothingHappensBeforeTheRulesAreEvaluated) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), std::nullopt);
  auto ctx = counter.context();
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "AB-123456", {}}, ctx),
                 RefusalCode::CheckoutNotEvaluated);
  TakePayment pay = cash(100);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::CheckoutNotEvaluated);
  OverridePo o = override_with({});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::CheckoutNotEvaluated);
}

TEST(CheckoutPo, PaymentWaitsForARequiredPo) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  EXPECT_EQ(checkout.stage(), CheckoutStage::AwaitingPo);
  TakePayment pay = cash(10000);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::PoRequired);
  EXPECT_ACCEPTED(checkout.capture_po(CapturePo{user("advisor"), " AB-123456 ", {}}, ctx));
  EXPECT_EQ(checkout.po()->po_number, "AB-123456");
  EXPECT_EQ(checkout.po_compliance(), PoCompliance::Compliant);
  EXPECT_EQ(checkout.stage(), CheckoutStage::TakingPayment);
  EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
}

TEST(CheckoutPo, NoPoNeededIsCompliant) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  EXPECT_EQ(checkout.po_compliance(), PoCompliance::Compliant);
  auto ctx = counter.context();
  TakePayment pay = cash(10000);
  EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
}

TEST(CheckoutPo, CaptureIsWriteOnce) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  EXPECT_ACCEPTED(checkout.capture_po(CapturePo{user("advisor"), "AB-123456", {}}, ctx));
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "CD-654321", {}}, ctx),
                 RefusalCode::PoAlreadyCaptured);
  EXPECT_EQ(checkout.po()->po_number, "AB-123456");
  OverridePo o = override_with({});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::PoAlreadySatisfied);
}

TEST(CheckoutPo, FormatAndUniquenessAreChecked) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "AB123456", {}}, ctx),
                 RefusalCode::PoFormatInvalid);
  const InvoiceId other = *InvoiceId::parse("01936f3e-8a7b-7c3d-9e4f-0000000000ff");
  EXPECT_REFUSED(
      checkout.capture_po(
          CapturePo{user("advisor"), "AB-123456", {KnownPo{"AB-123456", other, true}}}, ctx),
      RefusalCode::PoNotUnique);
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "4242424242424242", {}}, ctx),
                 RefusalCode::CardNumberRefused);
  // A closed order does not clash under PER_ACCOUNT_OPEN_ORDERS.
  EXPECT_ACCEPTED(checkout.capture_po(
      CapturePo{user("advisor"), "AB-123456", {KnownPo{"AB-123456", other, false}}}, ctx));
}

TEST(CheckoutPo, DefaultFormatWhenTheRegexIsNull) {
  Counter counter;
  BillingRuleEvaluation e = strict_evaluation();
  e.po_format_regex.reset();
  Checkout checkout = counter.start(invoice_json(), e);
  auto ctx = counter.context();
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "P1", {}}, ctx),
                 RefusalCode::PoFormatInvalid);
  EXPECT_ACCEPTED(checkout.capture_po(CapturePo{user("advisor"), "po_2026-a", {}}, ctx));
}

TEST(CheckoutPo, AnUnusablePatternBlocksCaptureButNotTheOverride) {
  Counter counter;
  BillingRuleEvaluation e = strict_evaluation();
  e.po_format_regex = "^[A-Z{2}$";
  Checkout checkout = counter.start(invoice_json(), e);
  auto ctx = counter.context();
  const Decision d = checkout.capture_po(CapturePo{user("advisor"), "AB-123456", {}}, ctx);
  EXPECT_REFUSED(d, RefusalCode::PoPatternUnusable);
  EXPECT_NE(d.refusal->detail.find("cannot be used"), std::string::npos);
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(token)});
  EXPECT_ACCEPTED(checkout.override_po(o, ctx));
  EXPECT_EQ(checkout.po_compliance(), PoCompliance::Overridden);
}

TEST(CheckoutPo, MissingRulesBlockABusinessAccountUntilAnOverride) {
  Counter counter;
  const Invoice invoice = parse_invoice(invoice_json()).value();
  Checkout checkout = counter.start(invoice_json(), evaluate_offline(std::nullopt, invoice));
  auto ctx = counter.context();
  EXPECT_TRUE(checkout.evaluation()->evaluated_offline);
  EXPECT_EQ(checkout.po_compliance(), PoCompliance::Blocked);
  TakePayment pay = cash(10000);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::BillingRulesMissing);
  EXPECT_REFUSED(checkout.capture_po(CapturePo{user("advisor"), "ABC-1", {}}, ctx),
                 RefusalCode::BillingRulesMissing);
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(token)}, "FLEET_AGREEMENT", "");
  EXPECT_ACCEPTED(checkout.override_po(o, ctx));
  EXPECT_EQ(checkout.po_compliance(), PoCompliance::Overridden);
  EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
}

TEST(CheckoutPo, AConsumerWithoutRulesNeedsNoPo) {
  Counter counter;
  auto inv = invoice_json();
  inv["accountType"] = "CONSUMER";
  Checkout checkout =
      counter.start(inv, evaluate_offline(std::nullopt, parse_invoice(inv).value()));
  EXPECT_EQ(checkout.po_compliance(), PoCompliance::Compliant);
}

// ---------------------------------------------------------------------------------------------
// Permission matrix
// ---------------------------------------------------------------------------------------------

enum class Command { Evaluate, CapturePo, OverridePo, TakePayment, Reprint };

struct PermissionRow {
  std::string_view operator_id;
  Command command;
  std::optional<RefusalCode> refusal;  // nullopt: allowed
  std::string_view missing;            // the permission named in the refusal
};

TEST(CheckoutPermissions, EveryCommandChecksTheOperatorItself) {
  const std::optional<RefusalCode> ok;
  const auto missing = RefusalCode::PermissionMissing;
  const auto unknown = RefusalCode::OperatorUnknown;
  for (const PermissionRow& row : {
           PermissionRow{"advisor", Command::Evaluate, ok, ""},
           PermissionRow{"viewer", Command::Evaluate, ok, ""},
           PermissionRow{"ghost", Command::Evaluate, unknown, ""},
           PermissionRow{"advisor", Command::CapturePo, ok, ""},
           PermissionRow{"cashier", Command::CapturePo, missing, "billing:checkout:po:capture"},
           PermissionRow{"viewer", Command::CapturePo, missing, "billing:checkout:po:capture"},
           PermissionRow{"ghost", Command::CapturePo, unknown, ""},
           PermissionRow{"advisor", Command::OverridePo, ok, ""},
           PermissionRow{"cashier", Command::OverridePo, missing, "billing:checkout:po:override"},
           PermissionRow{"ghost", Command::OverridePo, unknown, ""},
           PermissionRow{"advisor", Command::TakePayment, ok, ""},
           PermissionRow{"cashier", Command::TakePayment, ok, ""},
           // No canonical permission exists for taking a payment: any roster member may.
           PermissionRow{"viewer", Command::TakePayment, ok, ""},
           PermissionRow{"ghost", Command::TakePayment, unknown, ""},
           PermissionRow{"advisor", Command::Reprint, ok, ""},
           PermissionRow{"cashier", Command::Reprint, missing, "billing:receipt:reprint"},
           PermissionRow{"viewer", Command::Reprint, missing, "billing:receipt:reprint"},
           PermissionRow{"ghost", Command::Reprint, unknown, ""},
       }) {
    Counter counter;
    const bool needs_po = row.command == Command::CapturePo || row.command == Command::OverridePo;
    Checkout checkout =
        counter.start(invoice_json(), needs_po ? strict_evaluation() : relaxed_evaluation());
    auto ctx = counter.context();
    ReceiptId receipt_id = counter.ids.next_id<ReceiptId>();
    if (row.command == Command::Reprint) {
      TakePayment pay = cash(1000);
      EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
      receipt_id = checkout.receipts().back().receipt_id;
    }
    OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
    const UserId op = user(row.operator_id);
    Decision d;
    switch (row.command) {
      case Command::Evaluate:
        d = checkout.evaluate(op, relaxed_evaluation(), ctx);
        break;
      case Command::CapturePo:
        d = checkout.capture_po(CapturePo{op, "AB-123456", {}}, ctx);
        break;
      case Command::OverridePo: {
        OverridePo o = override_with({std::ref(token)});
        o.operator_id = op;
        d = checkout.override_po(o, ctx);
        break;
      }
      case Command::TakePayment: {
        TakePayment pay = cash(1000, row.operator_id);
        d = checkout.take_payment(pay, ctx);
        break;
      }
      case Command::Reprint: {
        ReprintReceipt r{
            op, receipt_id, ReprintPolicy{2, std::nullopt, false, false}, t0(), "", nullptr, {}};
        d = checkout.reprint_receipt(r, ctx);
        break;
      }
    }
    SCOPED_TRACE(std::string(row.operator_id) + " command " +
                 std::to_string(static_cast<int>(row.command)));
    if (row.refusal) {
      EXPECT_REFUSED(d, *row.refusal);
      EXPECT_EQ(d.refusal->detail, row.missing);
      EXPECT_TRUE(d.events.empty());
    } else {
      EXPECT_ACCEPTED(d);
    }
  }
}

// A shop may configure a stricter rule for taking payments: one of the canonical strings. Off by
// default (the permission matrix above: a viewer may take a payment).
TEST(CheckoutPermissions, AShopsStricterPaymentRuleNamesACanonicalPermission) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment viewer = cash(1000, "viewer");
  viewer.required_permission = Permission::ReceiptDeliver;
  const Decision refused = checkout.take_payment(viewer, ctx);
  EXPECT_REFUSED(refused, RefusalCode::PermissionMissing);
  EXPECT_EQ(refused.refusal->detail, "billing:receipt:deliver");
  EXPECT_TRUE(refused.events.empty());
  TakePayment advisor = cash(1000, "advisor");
  advisor.required_permission = Permission::ReceiptDeliver;
  EXPECT_ACCEPTED(checkout.take_payment(advisor, ctx));
}

// ---------------------------------------------------------------------------------------------
// Override
// ---------------------------------------------------------------------------------------------

TEST(CheckoutOverride, NeedsTheRulesToAllowIt) {
  Counter counter;
  BillingRuleEvaluation e = strict_evaluation();
  e.override_allowed = false;
  Checkout checkout = counter.start(invoice_json(), e);
  auto ctx = counter.context();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(token)});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::OverrideNotAllowed);
  EXPECT_FALSE(token.used);
}

TEST(CheckoutOverride, NotNeededWhenNoPoIsRequired) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(token)});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::PoAlreadySatisfied);
}

TEST(CheckoutOverride, ReasonCodeAndNotesAsTheCodeAsks) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(token)}, "", "");
  o.reason_codes = &po_reasons();
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::ReasonCodeRequired);
  o.reason_code = "MADE_UP";
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::ReasonCodeUnknown);
  o.reason_code = "CUSTOMER_PO_PENDING";
  o.notes = "   ";
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::NotesRequired);
  o.notes = "card 4242424242424242";
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::CardNumberRefused);
  EXPECT_FALSE(token.used);
  o.notes = "PO by e-mail tomorrow";
  const Decision d = checkout.override_po(o, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_TRUE(token.used);
  const auto& overridden = std::get<PoOverridden>(d.events.back());
  EXPECT_EQ(overridden.reason_code, "CUSTOMER_PO_PENDING");
  EXPECT_EQ(overridden.requested_by, user("advisor"));
  ASSERT_EQ(overridden.approvals.size(), 1u);
  EXPECT_EQ(overridden.approvals[0].approver, user("sup1"));
  EXPECT_EQ(overridden.approvals[0].method, ApprovalMethod::Online);
}

TEST(CheckoutOverride, ACodeWithoutNotesNeedsNone) {
  Counter counter;
  BillingRuleEvaluation e = strict_evaluation();
  e.override_reason_code_required = false;
  Checkout checkout = counter.start(invoice_json(), e);
  auto ctx = counter.context();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(token)}, "", "");
  EXPECT_ACCEPTED(checkout.override_po(o, ctx));
}

TEST(CheckoutOverride, NeedsAnApprovalAndNeverTheOperatorsOwn) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  OverridePo none = override_with({});
  EXPECT_REFUSED(checkout.override_po(none, ctx), RefusalCode::ElevationRequired);
  // A supervisor asking for their own override cannot approve it.
  OnlineElevation own = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo self = override_with({std::ref(own)});
  self.operator_id = user("sup1");
  EXPECT_REFUSED(checkout.override_po(self, ctx), RefusalCode::ApproverNotDistinct);
}

TEST(CheckoutOverride, TwoDistinctApproversWhenTheEvaluationSaysSo) {
  Counter counter;
  BillingRuleEvaluation e = strict_evaluation();
  e.override_requires_second_approver = true;
  Checkout checkout = counter.start(invoice_json(), e);
  auto ctx = counter.context();
  OnlineElevation first = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OnlineElevation again = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OnlineElevation second = counter.elevation(checkout, "sup2", ElevationAction::PoOverride);
  OverridePo one = override_with({std::ref(first)});
  EXPECT_REFUSED(checkout.override_po(one, ctx), RefusalCode::SecondApproverRequired);
  OverridePo same = override_with({std::ref(first), std::ref(again)});
  EXPECT_REFUSED(checkout.override_po(same, ctx), RefusalCode::ApproverNotDistinct);
  OverridePo twice = override_with({std::ref(first), std::ref(first)});
  EXPECT_REFUSED(checkout.override_po(twice, ctx), RefusalCode::ApproverNotDistinct);
  EXPECT_FALSE(first.used);
  OverridePo two = override_with({std::ref(first), std::ref(second)});
  const Decision d = checkout.override_po(two, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(std::get<PoOverridden>(d.events.back()).approvals.size(), 2u);
  EXPECT_TRUE(first.used && second.used);
}

TEST(CheckoutOverride, OneApproverIsEnoughWhenTheEvaluationSaysSo) {
  Counter counter;
  Checkout checkout = counter.start();  // override_requires_second_approver = false
  auto ctx = counter.context();
  OnlineElevation first = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(first)});
  EXPECT_ACCEPTED(checkout.override_po(o, ctx));
}

// ---------------------------------------------------------------------------------------------
// Online elevation
// ---------------------------------------------------------------------------------------------

TEST(OnlineElevation, RefusedWhenExpiredByTheTerminalsOwnClock) {
  Counter counter;
  Checkout checkout = counter.start();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride, 1min);
  counter.clock.advance(1min);
  auto ctx = counter.context();
  OverridePo o = override_with({std::ref(token)});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::ElevationExpired);
}

TEST(OnlineElevation, NeverLivesLongerThanFiveMinutesWhateverExpiresAtSays) {
  Counter counter;
  Checkout checkout = counter.start();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PoOverride, 1h);
  counter.clock.advance(5min + 1ms);
  auto ctx = counter.context();
  OverridePo o = override_with({std::ref(token)});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::ElevationExpired);
}

TEST(OnlineElevation, BoundToOneCheckoutAndOneAction) {
  Counter counter;
  Checkout checkout = counter.start();
  Checkout other = counter.start();
  auto ctx = counter.context();
  OnlineElevation for_other = counter.elevation(other, "sup1", ElevationAction::PoOverride);
  OverridePo o = override_with({std::ref(for_other)});
  EXPECT_REFUSED(checkout.override_po(o, ctx), RefusalCode::ElevationInvalid);
  OnlineElevation for_reprint =
      counter.elevation(checkout, "sup1", ElevationAction::ReceiptReprint);
  OverridePo o2 = override_with({std::ref(for_reprint)});
  EXPECT_REFUSED(checkout.override_po(o2, ctx), RefusalCode::ElevationInvalid);
}

TEST(OnlineElevation, SingleUseAndNeverRecorded) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json("USD", 1000), relaxed_evaluation());
  auto ctx = counter.context();
  OnlineElevation token = counter.elevation(checkout, "sup1", ElevationAction::PaymentOverLimit);
  TakePayment pay = cash(6000, "cashier");
  pay.over_limit_approval = std::ref(token);
  const Decision d = checkout.take_payment(pay, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_TRUE(token.used);
  for (const CheckoutEvent& e : d.events)
    EXPECT_EQ(to_json(e).dump().find("tok-sup1"), std::string::npos);
  TakePayment again = cash(6000, "cashier");
  again.over_limit_approval = std::ref(token);
  EXPECT_REFUSED(checkout.take_payment(again, ctx), RefusalCode::ElevationReused);
  token.token.wipe();
  EXPECT_TRUE(token.token.empty());
}

// ---------------------------------------------------------------------------------------------
// Offline PIN and lockout
// ---------------------------------------------------------------------------------------------

VerifyApproverPin pin_for(std::string_view approver, std::string_view pin,
                          ElevationAction action = ElevationAction::PoOverride) {
  return VerifyApproverPin{user("advisor"), user(approver), SecretText{pin}, action};
}

TEST(OfflinePin, ARightPinGrantsAnAuditedApprovalForOneUse) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  ApproverLockouts lockouts;
  VerifyApproverPin pin = pin_for("sup1", kSupervisorPin);
  const Decision granted = checkout.verify_offline_approver(pin, lockouts, ctx);
  EXPECT_ACCEPTED(granted);
  EXPECT_TRUE(pin.pin.empty());  // wiped
  ASSERT_EQ(granted.events.size(), 1u);
  const auto& grant = std::get<OfflineGrantIssued>(granted.events[0]);
  EXPECT_EQ(grant.approver, user("sup1"));
  EXPECT_EQ(grant.checkout_id, checkout.id());
  EXPECT_EQ(grant.action, ElevationAction::PoOverride);
  EXPECT_EQ(grant.terminal_id.str(), "T-1");

  OverridePo o = override_with({grant.grant_id});
  const Decision d = checkout.override_po(o, ctx);
  EXPECT_ACCEPTED(d);
  const auto& approval = std::get<PoOverridden>(d.events.back()).approvals.at(0);
  EXPECT_EQ(approval.method, ApprovalMethod::Offline);
  EXPECT_EQ(approval.offline_grant_id, grant.grant_id);
}

TEST(OfflinePin, AGrantIsForItsActionAndUsedOnce) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  ApproverLockouts lockouts;
  VerifyApproverPin wrong_action = pin_for("sup1", kSupervisorPin, ElevationAction::ReceiptReprint);
  const auto reprint_grant = std::get<OfflineGrantIssued>(
      checkout.verify_offline_approver(wrong_action, lockouts, ctx).events[0]);
  TakePayment pay = cash(6000, "cashier");
  pay.over_limit_approval = reprint_grant.grant_id;
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::ElevationInvalid);
  pay.over_limit_approval = counter.ids.next_id<OfflineGrantId>();  // never issued
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::ElevationInvalid);

  VerifyApproverPin right = pin_for("sup1", kSupervisorPin, ElevationAction::PaymentOverLimit);
  right.operator_id = user("cashier");
  const auto grant = std::get<OfflineGrantIssued>(
      checkout.verify_offline_approver(right, lockouts, ctx).events[0]);
  pay.over_limit_approval = grant.grant_id;
  EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
  TakePayment again = cash(1000, "cashier");
  again.amount = Money{USD, 4000};
  again.over_limit_approval = grant.grant_id;  // under the limit: no approval needed, so it is fine
  EXPECT_ACCEPTED(checkout.take_payment(again, ctx));
}

TEST(OfflinePin, AGrantCannotBeSpentTwice) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json("USD", 1000), relaxed_evaluation());
  auto ctx = counter.context();
  ApproverLockouts lockouts;
  VerifyApproverPin right = pin_for("sup1", kSupervisorPin, ElevationAction::PaymentOverLimit);
  right.operator_id = user("cashier");
  const auto grant = std::get<OfflineGrantIssued>(
      checkout.verify_offline_approver(right, lockouts, ctx).events[0]);
  TakePayment first = cash(6000, "cashier");
  first.over_limit_approval = grant.grant_id;
  EXPECT_ACCEPTED(checkout.take_payment(first, ctx));
  TakePayment second = cash(6000, "cashier");
  second.over_limit_approval = grant.grant_id;
  EXPECT_REFUSED(checkout.take_payment(second, ctx), RefusalCode::ElevationReused);
}

TEST(OfflinePin, OnlyWhileTheRosterIsFreshAndTheRulesAllowIt) {
  Counter counter;
  Checkout checkout = counter.start();
  ApproverLockouts lockouts;
  counter.clock.advance(24h);  // issued 1 h before t0: now 25 h old, max 24 h
  auto ctx = counter.context();
  VerifyApproverPin pin = pin_for("sup1", kSupervisorPin);
  EXPECT_REFUSED(checkout.verify_offline_approver(pin, lockouts, ctx), RefusalCode::RosterStale);
  EXPECT_TRUE(pin.pin.empty());

  Counter counter2;
  BillingRuleEvaluation e = strict_evaluation();
  e.offline_elevation_allowed = false;
  Checkout no_offline = counter2.start(invoice_json(), e);
  auto ctx2 = counter2.context();
  VerifyApproverPin pin2 = pin_for("sup1", kSupervisorPin);
  EXPECT_REFUSED(no_offline.verify_offline_approver(pin2, lockouts, ctx2),
                 RefusalCode::OfflineElevationNotAllowed);
}

TEST(OfflinePin, DeniedWithoutSayingWhy) {
  Counter counter;
  Checkout checkout = counter.start();
  auto ctx = counter.context();
  ApproverLockouts lockouts;
  VerifyApproverPin wrong = pin_for("sup1", "0000");
  const Decision d = checkout.verify_offline_approver(wrong, lockouts, ctx);
  EXPECT_REFUSED(d, RefusalCode::ElevationDenied);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(std::get<PinAttemptFailed>(d.events[0]).approver, user("sup1"));
  EXPECT_EQ(to_json(d.events[0]).dump().find("0000"), std::string::npos);
  VerifyApproverPin nobody = pin_for("nobody", kSupervisorPin);
  EXPECT_REFUSED(checkout.verify_offline_approver(nobody, lockouts, ctx),
                 RefusalCode::ElevationDenied);
  // The cashier's own PIN is right, but a cashier is not a supervisor.
  VerifyApproverPin not_supervisor = pin_for("cashier", "2222");
  const Decision ns = checkout.verify_offline_approver(not_supervisor, lockouts, ctx);
  EXPECT_REFUSED(ns, RefusalCode::ElevationDenied);
  EXPECT_TRUE(ns.events.empty());
  VerifyApproverPin self = pin_for("advisor", "1111");
  EXPECT_REFUSED(checkout.verify_offline_approver(self, lockouts, ctx),
                 RefusalCode::ApproverNotDistinct);
}

TEST(OfflinePin, FiveWrongPinsLockTheSupervisorOutForThirtyMinutesAcrossARestart) {
  Counter counter;
  Checkout checkout = counter.start();
  ApproverLockouts lockouts;
  std::vector<json> stored;  // what the ledger would keep
  for (int i = 1; i <= 5; ++i) {
    auto ctx = counter.context();
    VerifyApproverPin wrong = pin_for("sup1", "999" + std::to_string(i));
    const Decision d = checkout.verify_offline_approver(wrong, lockouts, ctx);
    EXPECT_REFUSED(d, RefusalCode::ElevationDenied);
    for (const auto& e : d.events) {
      lockouts.apply(e);
      stored.push_back(to_json(e));
    }
    EXPECT_EQ(d.events.size(), i == 5 ? 2u : 1u);
    counter.clock.advance(1s);
  }
  EXPECT_TRUE(lockouts.locked_out(user("sup1"), counter.clock.now()));
  EXPECT_FALSE(lockouts.locked_out(user("sup2"), counter.clock.now()));

  // Restart: the lockout comes back from the stored events.
  ApproverLockouts after_restart;
  for (const json& j : stored) after_restart.apply(event_from_json(j).value());
  auto ctx = counter.context();
  VerifyApproverPin right = pin_for("sup1", kSupervisorPin);
  EXPECT_REFUSED(checkout.verify_offline_approver(right, after_restart, ctx),
                 RefusalCode::ApproverLockedOut);
  VerifyApproverPin other = pin_for("sup2", kSecondSupervisorPin);
  EXPECT_ACCEPTED(checkout.verify_offline_approver(other, after_restart, ctx));

  counter.clock.advance(30min);
  auto later = counter.context();
  VerifyApproverPin right_later = pin_for("sup1", kSupervisorPin);
  EXPECT_ACCEPTED(checkout.verify_offline_approver(right_later, after_restart, later));
}

TEST(OfflinePin, ASuccessResetsTheCount) {
  Counter counter;
  Checkout checkout = counter.start();
  ApproverLockouts lockouts;
  auto ctx = counter.context();
  for (int i = 0; i < 4; ++i) {
    VerifyApproverPin wrong = pin_for("sup1", "0000");
    for (const auto& e : checkout.verify_offline_approver(wrong, lockouts, ctx).events)
      lockouts.apply(e);
  }
  EXPECT_EQ(lockouts.wrong_pins_in_a_row(user("sup1")), 4);
  VerifyApproverPin right = pin_for("sup1", kSupervisorPin);
  for (const auto& e : checkout.verify_offline_approver(right, lockouts, ctx).events)
    lockouts.apply(e);
  EXPECT_EQ(lockouts.wrong_pins_in_a_row(user("sup1")), 0);
  VerifyApproverPin wrong = pin_for("sup1", "0000");
  const Decision d = checkout.verify_offline_approver(wrong, lockouts, ctx);
  EXPECT_EQ(d.events.size(), 1u);  // no lockout on the fifth wrong PIN overall
}

// ---------------------------------------------------------------------------------------------
// Payments and tenders
// ---------------------------------------------------------------------------------------------

TEST(Payments, CashWithChangePaidInFullWithItsReceipt) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(10000);
  pay.tender = TenderEntry::cash(Money{USD, 12000});
  const Decision d = checkout.take_payment(pay, ctx);
  EXPECT_ACCEPTED(d);
  ASSERT_EQ(d.events.size(), 2u);
  const auto& payment = std::get<PaymentCaptured>(d.events[0]);
  const auto& receipt = std::get<ReceiptIssued>(d.events[1]);
  EXPECT_EQ(payment.tender.amount_tendered, (Money{USD, 12000}));
  EXPECT_EQ(payment.tender.change_given, (Money{USD, 2000}));
  EXPECT_EQ(payment.payment_type, PaymentType::PaidInFull);
  EXPECT_EQ(payment.balance_after, Money::zero(USD));
  EXPECT_EQ(payment.receipt_id, receipt.receipt_id);
  EXPECT_EQ(receipt.billing_payment_id, payment.billing_payment_id);
  EXPECT_EQ(receipt.receipt_reference, "RCP-INV-12345-20261121T101500Z-001");
  EXPECT_EQ(receipt.remaining_balance, Money::zero(USD));
  EXPECT_FALSE(receipt.delivery_suppressed);
  EXPECT_EQ(checkout.stage(), CheckoutStage::PaidInFull);
  TakePayment more = cash(1);
  EXPECT_REFUSED(checkout.take_payment(more, ctx), RefusalCode::InvoiceNotPayable);
}

TEST(Payments, CashTenderedMustCoverTheAmount) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(5000);
  pay.tender = TenderEntry::cash(Money{USD, 4999});
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::TenderedLessThanAmount);
  pay.tender = TenderEntry::cash(Money{Currencies::EUR, 5000});
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::CurrencyMismatch);
}

TEST(Payments, ChangeOnlyForCash) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(5000);
  pay.tender = TenderEntry::check("100234");
  pay.tender.amount_tendered = Money{USD, 6000};
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::ChangeOnlyForCash);
  pay.tender = TenderEntry::card_external(CardDetails{"VISA", "4242", "A1B2C3"});
  pay.tender.amount_tendered = Money{USD, 6000};
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::ChangeOnlyForCash);
}

TEST(Payments, ChequeNeedsItsNumber) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(5000);
  pay.tender = TenderEntry::check("");
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::TenderDetailsInvalid);
  pay.tender = TenderEntry::check("12 34");
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::TenderDetailsInvalid);
  pay.tender = TenderEntry::check("100234");
  const Decision d = checkout.take_payment(pay, ctx);
  EXPECT_ACCEPTED(d);
  const auto& payment = std::get<PaymentCaptured>(d.events[0]);
  EXPECT_EQ(payment.tender.tender_reference, "100234");
  EXPECT_FALSE(payment.tender.change_given.has_value());
  EXPECT_EQ(payment.payment_type, PaymentType::PartialPayment);
}

TEST(Payments, CardKeepsOnlyBrandLastFourAndApprovalCode) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  struct Row {
    CardDetails card;
    std::string reference;
    RefusalCode refusal;
  };
  for (const Row& row : {
           Row{{"VISA", "42", "A1B2C3"}, "", RefusalCode::TenderDetailsInvalid},
           Row{{"VISA", "42a2", "A1B2C3"}, "", RefusalCode::TenderDetailsInvalid},
           Row{{"", "4242", "A1B2C3"}, "", RefusalCode::TenderDetailsInvalid},
           Row{{"VISA", "4242", ""}, "", RefusalCode::TenderDetailsInvalid},
           Row{{"VISA", "4242", "A1 B2"}, "", RefusalCode::TenderDetailsInvalid},
           Row{{"VISA", "4242424242424242", "A1B2C3"}, "", RefusalCode::CardNumberRefused},
           Row{{"VISA 4242424242424242", "4242", "A1B2C3"}, "", RefusalCode::CardNumberRefused},
           Row{{"VISA", "4242", "4111111111111111"}, "", RefusalCode::CardNumberRefused},
           Row{{"VISA", "4242", "A1B2C3"}, "REF4111111111111111", RefusalCode::CardNumberRefused},
       }) {
    TakePayment pay = cash(5000);
    pay.tender = TenderEntry::card_external(row.card, row.reference);
    EXPECT_REFUSED(checkout.take_payment(pay, ctx), row.refusal);
  }
  TakePayment pay = cash(5000);
  pay.tender = TenderEntry::card_external(CardDetails{"VISA", "4242", "A1B2C3"}, "TXN-991");
  const Decision d = checkout.take_payment(pay, ctx);
  EXPECT_ACCEPTED(d);
  const auto& payment = std::get<PaymentCaptured>(d.events[0]);
  EXPECT_EQ(payment.tender.card, (CardDetails{"VISA", "4242", "A1B2C3"}));
  EXPECT_EQ(payment.tender.tender_reference, "TXN-991");
  TakePayment cheque = cash(100);
  cheque.tender = TenderEntry::check("4242424242424242");
  EXPECT_REFUSED(checkout.take_payment(cheque, ctx), RefusalCode::CardNumberRefused);
}

TEST(Payments, ChargeToAccountNeedsEligibilityAndCredit) {
  struct Row {
    bool eligible;
    bool exceeded;
    std::optional<Money> available;
    std::optional<RefusalCode> refusal;
  };
  for (const Row& row : {Row{false, false, std::nullopt, RefusalCode::ChargeAccountNotEligible},
                         Row{true, true, std::nullopt, RefusalCode::CreditLimitExceeded},
                         Row{true, false, Money{USD, 4999}, RefusalCode::CreditLimitExceeded},
                         Row{true, false, Money{USD, 5000}, std::nullopt},
                         Row{true, false, std::nullopt, std::nullopt}}) {
    Counter counter;
    BillingRuleEvaluation e = relaxed_evaluation();
    e.charge_account_eligible = row.eligible;
    e.credit_limit_exceeded = row.exceeded;
    e.credit_available = row.available;
    Checkout checkout = counter.start(invoice_json(), e);
    auto ctx = counter.context();
    TakePayment pay = cash(5000);
    pay.tender = TenderEntry::account();
    const Decision d = checkout.take_payment(pay, ctx);
    if (row.refusal) {
      EXPECT_REFUSED(d, *row.refusal);
      EXPECT_TRUE(d.events.empty());  // nothing of the checkout is recorded
      EXPECT_TRUE(checkout.payments().empty());
    } else {
      EXPECT_ACCEPTED(d);
    }
  }
}

TEST(Payments, AmountWithinTheBalanceInTheInvoicesCurrency) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(10001);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::AmountExceedsBalance);
  pay.amount = Money::zero(USD);
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::AmountNotPositive);
  pay.amount = Money{USD, -5};
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::AmountNotPositive);
  pay.amount = Money{Currencies::EUR, 100};
  EXPECT_REFUSED(checkout.take_payment(pay, ctx), RefusalCode::CurrencyMismatch);
}

TEST(Payments, PartialPaymentsOnlyWhereAllowed) {
  Counter counter;
  BillingRuleEvaluation e = relaxed_evaluation();
  e.partial_payments_allowed = false;
  Checkout checkout = counter.start(invoice_json(), e);
  auto ctx = counter.context();
  TakePayment part = cash(4000);
  EXPECT_REFUSED(checkout.take_payment(part, ctx), RefusalCode::PartialPaymentNotAllowed);
  TakePayment full = cash(10000);
  EXPECT_ACCEPTED(checkout.take_payment(full, ctx));
}

TEST(Payments, PartialPaymentsUntilPaidInFullEachWithAReceipt) {
  Counter counter;
  auto inv = invoice_json();
  inv["payments"] =
      nlohmann::json::array({{{"billingPaymentId", "01936f3e-8a7b-7c3d-9e4f-000000000001"},
                              {"amount", money_json("USD", 2500)},
                              {"tender", "CASH"},
                              {"capturedAt", "2026-11-20T09:00:00Z"}}});
  inv["balanceDue"] = money_json("USD", 7500);
  Checkout checkout = counter.start(inv, relaxed_evaluation());
  for (std::int64_t amount : {3000, 4000, 500}) {
    auto ctx = counter.context();
    TakePayment pay = cash(amount);
    EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
    counter.clock.advance(1s);
  }
  ASSERT_EQ(checkout.receipts().size(), 3u);
  EXPECT_EQ(checkout.receipts()[0].payment_type, PaymentType::PartialPayment);
  EXPECT_EQ(checkout.receipts()[0].remaining_balance, (Money{USD, 4500}));
  EXPECT_EQ(checkout.receipts()[2].payment_type, PaymentType::PaidInFull);
  // The earlier payment on the invoice was receipt 001.
  EXPECT_EQ(checkout.receipts()[0].receipt_reference, "RCP-INV-12345-20261121T101500Z-002");
  EXPECT_EQ(checkout.receipts()[2].receipt_reference, "RCP-INV-12345-20261121T101502Z-004");
  EXPECT_EQ(checkout.balance_due(), Money::zero(USD));
}

TEST(Payments, NoReceiptStillMakesTheReceiptRecord) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(10000);
  pay.receipt = ReceiptDelivery::NoReceipt;
  const Decision d = checkout.take_payment(pay, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_TRUE(std::get<ReceiptIssued>(d.events[1]).delivery_suppressed);
}

// ---------------------------------------------------------------------------------------------
// Payment limit and offline limits
// ---------------------------------------------------------------------------------------------

TEST(PaymentLimit, OverTheOperatorsLimitNeedsAnElevation) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json("USD", 1000), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment at_limit = cash(5000, "cashier");
  EXPECT_ACCEPTED(checkout.take_payment(at_limit, ctx));
  TakePayment over = cash(5001, "cashier");
  EXPECT_REFUSED(checkout.take_payment(over, ctx), RefusalCode::PaymentOverLimit);
  OnlineElevation wrong = counter.elevation(checkout, "sup1", ElevationAction::PoOverride);
  over.over_limit_approval = std::ref(wrong);
  EXPECT_REFUSED(checkout.take_payment(over, ctx), RefusalCode::ElevationInvalid);
  OnlineElevation own = counter.elevation(checkout, "cashier", ElevationAction::PaymentOverLimit);
  over.over_limit_approval = std::ref(own);
  EXPECT_REFUSED(checkout.take_payment(over, ctx), RefusalCode::ApproverNotDistinct);
  OnlineElevation right = counter.elevation(checkout, "sup1", ElevationAction::PaymentOverLimit);
  over.over_limit_approval = std::ref(right);
  EXPECT_ACCEPTED(checkout.take_payment(over, ctx));
  EXPECT_TRUE(right.used);
  EXPECT_FALSE(wrong.used);
  // The advisor has no limit.
  TakePayment advisor = cash(20000, "advisor");
  EXPECT_ACCEPTED(checkout.take_payment(advisor, ctx));
}

TEST(PaymentLimit, ApprovalIsRecordedOnThePayment) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  OnlineElevation right = counter.elevation(checkout, "sup2", ElevationAction::PaymentOverLimit);
  TakePayment over = cash(9000, "cashier");
  over.over_limit_approval = std::ref(right);
  const Decision d = checkout.take_payment(over, ctx);
  EXPECT_ACCEPTED(d);
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(std::get<OnlineElevationUsed>(d.events[0]).action, ElevationAction::PaymentOverLimit);
  EXPECT_EQ(std::get<PaymentCaptured>(d.events[1]).over_limit_approval->approver, user("sup2"));
}

TEST(OfflineLimits, DocumentedDefaultsPerCurrency) {
  const OfflineLimits limits;
  EXPECT_EQ(limits.single_payment_limit(USD), (Money{USD, 100000}));
  EXPECT_EQ(limits.unsynced_total_limit(USD), (Money{USD, 500000}));
  EXPECT_EQ(limits.single_payment_limit(Currencies::JPY), (Money{Currencies::JPY, 1000}));
  EXPECT_EQ(limits.single_payment_limit(Currencies::KWD), (Money{Currencies::KWD, 1000000}));
  EXPECT_EQ(limits.max_unsynced_age, std::chrono::hours{24});
  OfflineLimits configured;
  configured.max_single_payment = {Money{Currencies::JPY, 150000}};
  EXPECT_EQ(configured.single_payment_limit(Currencies::JPY), (Money{Currencies::JPY, 150000}));
}

TEST(OfflineLimits, RefuseOfflinePaymentsBeyondEachLimit) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  const auto offline = [](std::int64_t amount) {
    TakePayment pay = cash(amount);
    pay.mode = CaptureMode::Offline;
    pay.limits.max_single_payment = {Money{USD, 3000}};
    pay.limits.max_unsynced_total = {Money{USD, 10000}};
    pay.limits.max_unsynced_age = std::chrono::hours{2};
    return pay;
  };
  TakePayment big = offline(3001);
  EXPECT_REFUSED(checkout.take_payment(big, ctx), RefusalCode::OfflineLimitExceeded);
  TakePayment total = offline(3000);
  ASSERT_TRUE(total.exposure.unsynced_total.add(Money{USD, 7001}).ok());
  EXPECT_REFUSED(checkout.take_payment(total, ctx), RefusalCode::OfflineLimitExceeded);
  TakePayment old = offline(1000);
  old.exposure.oldest_unsynced_at = ctx.now - std::chrono::hours{2} - 1ms;
  EXPECT_REFUSED(checkout.take_payment(old, ctx), RefusalCode::OfflineLimitExceeded);
  // Online, the same figures do not matter.
  TakePayment online = offline(3001);
  online.mode = CaptureMode::Online;
  EXPECT_ACCEPTED(checkout.take_payment(online, ctx));
  TakePayment fine = offline(3000);
  ASSERT_TRUE(fine.exposure.unsynced_total.add(Money{USD, 7000}).ok());
  fine.exposure.oldest_unsynced_at = ctx.now - std::chrono::hours{2};
  const Decision d = checkout.take_payment(fine, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(std::get<PaymentCaptured>(d.events[0]).capture_mode, CaptureMode::Offline);
}

// ---------------------------------------------------------------------------------------------
// Reprints
// ---------------------------------------------------------------------------------------------

struct Paid {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  ReceiptId receipt_id = [this] {
    auto ctx = counter.context();
    TakePayment pay = cash(10000);
    pay.receipt = ReceiptDelivery::NoReceipt;
    (void)checkout.take_payment(pay, ctx);
    return checkout.receipts().at(0).receipt_id;
  }();
};

ReprintReceipt reprint(const ReceiptId& id, ReprintPolicy policy,
                       std::string reason = "CUSTOMER_ASKED") {
  return ReprintReceipt{user("advisor"), id, policy, t0(), std::move(reason), nullptr, {}};
}

TEST(Reprints, FollowThePolicy) {
  Paid paid;
  auto ctx = paid.counter.context();
  ReprintReceipt none_left = reprint(paid.receipt_id, ReprintPolicy{0, std::nullopt, false, false});
  EXPECT_REFUSED(paid.checkout.reprint_receipt(none_left, ctx), RefusalCode::ReprintNotAllowed);
  ReprintReceipt closed = reprint(paid.receipt_id, ReprintPolicy{3, t0() - 1s, false, false});
  EXPECT_REFUSED(paid.checkout.reprint_receipt(closed, ctx), RefusalCode::ReprintWindowClosed);
  ReprintReceipt no_reason = reprint(paid.receipt_id, ReprintPolicy{3, t0() + 1h, true, false}, "");
  EXPECT_REFUSED(paid.checkout.reprint_receipt(no_reason, ctx), RefusalCode::ReasonCodeRequired);
  ReprintReceipt unknown_receipt =
      reprint(paid.counter.ids.next_id<ReceiptId>(), ReprintPolicy{3, std::nullopt, false, false});
  EXPECT_REFUSED(paid.checkout.reprint_receipt(unknown_receipt, ctx),
                 RefusalCode::ReprintNotAllowed);
  ReprintReceipt needs_elevation =
      reprint(paid.receipt_id, ReprintPolicy{3, std::nullopt, true, true});
  EXPECT_REFUSED(paid.checkout.reprint_receipt(needs_elevation, ctx),
                 RefusalCode::ElevationRequired);
  OnlineElevation token =
      paid.counter.elevation(paid.checkout, "sup1", ElevationAction::ReceiptReprint);
  needs_elevation.approvals = {std::ref(token)};
  const Decision d = paid.checkout.reprint_receipt(needs_elevation, ctx);
  EXPECT_ACCEPTED(d);
  const auto& r = std::get<ReceiptReprinted>(d.events.back());
  EXPECT_EQ(r.reprint_number, 1);
  EXPECT_EQ(r.approvals.at(0).approver, user("sup1"));
}

TEST(Reprints, ReprintsMadeHereCountAgainstTheLastPolicySeen) {
  Paid paid;
  auto ctx = paid.counter.context();
  const ReprintPolicy two_left{2, std::nullopt, false, false};
  ReprintReceipt first = reprint(paid.receipt_id, two_left);
  EXPECT_ACCEPTED(paid.checkout.reprint_receipt(first, ctx));
  ReprintReceipt second = reprint(paid.receipt_id, two_left);
  const Decision d = paid.checkout.reprint_receipt(second, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(std::get<ReceiptReprinted>(d.events.back()).reprint_number, 2);
  ReprintReceipt third = reprint(paid.receipt_id, two_left);
  EXPECT_REFUSED(paid.checkout.reprint_receipt(third, ctx), RefusalCode::ReprintNotAllowed);
  // A fresher policy from the backend (seen after those reprints) decides again.
  ReprintReceipt fresh = reprint(paid.receipt_id, ReprintPolicy{1, std::nullopt, false, false});
  fresh.policy_seen_at = ctx.now + 1ms;
  auto later = paid.counter.context();
  later.now = ctx.now + 2ms;
  EXPECT_ACCEPTED(paid.checkout.reprint_receipt(fresh, later));
}

TEST(Reprints, ParsePolicyFromTheContract) {
  const auto p = parse_reprint_policy(json{{"remainingReprints", 2},
                                           {"windowEndsAt", "2026-11-28T10:15:00Z"},
                                           {"requiresReasonCode", true},
                                           {"requiresElevation", false}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->remaining_reprints, 2);
  EXPECT_EQ(format_rfc3339(*p->window_ends_at), "2026-11-28T10:15:00.000Z");
  EXPECT_FALSE(parse_reprint_policy(json{{"remainingReprints", -1},
                                         {"requiresReasonCode", true},
                                         {"requiresElevation", false}})
                   .ok());
  EXPECT_FALSE(parse_reprint_policy(json{{"remainingReprints", 1}}).ok());
}

TEST(Deliveries, StatusFollowsTheRecordedOutcomes) {
  Paid paid;  // paid with "No Receipt"
  auto ctx = paid.counter.context();
  // "No Receipt" is the receipt's flag, not a delivery status (BILL-DEC-011).
  EXPECT_EQ(paid.checkout.delivery_status(paid.receipt_id), DeliveryStatus::Pending);
  EXPECT_TRUE(paid.checkout.delivery_suppressed(paid.receipt_id));
  RecordDelivery print{
      user("advisor"),         paid.receipt_id, std::nullopt, DeliveryChannel::Print,
      DeliveryOutcome::Failed, "PAPER_OUT",     std::nullopt, false};
  EXPECT_ACCEPTED(paid.checkout.record_delivery(print, ctx));
  EXPECT_EQ(paid.checkout.delivery_status(paid.receipt_id), DeliveryStatus::Failed);
  EXPECT_FALSE(paid.checkout.delivery_suppressed(paid.receipt_id));
  print.outcome = DeliveryOutcome::Sent;
  print.failure_reason.clear();
  const Decision d = paid.checkout.record_delivery(print, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(paid.checkout.delivery_status(paid.receipt_id), DeliveryStatus::Sent);
  EXPECT_EQ(std::get<ReceiptDeliveryRecorded>(d.events[0]).channel, DeliveryChannel::Print);

  RecordDelivery cashier = print;
  cashier.operator_id = user("cashier");
  EXPECT_REFUSED(paid.checkout.record_delivery(cashier, ctx), RefusalCode::PermissionMissing);
  RecordDelivery elsewhere = print;
  elsewhere.receipt_id = paid.counter.ids.next_id<ReceiptId>();
  EXPECT_REFUSED(paid.checkout.record_delivery(elsewhere, ctx), RefusalCode::ReprintNotAllowed);
  RecordDelivery unknown_reprint = print;
  unknown_reprint.reprint_id = paid.counter.ids.next_id<ReprintId>();
  EXPECT_REFUSED(paid.checkout.record_delivery(unknown_reprint, ctx),
                 RefusalCode::ReprintNotAllowed);
  // PENDING and BOUNCED are never one attempt's outcome.
  for (auto not_an_attempt : {DeliveryOutcome::Pending, DeliveryOutcome::Bounced}) {
    RecordDelivery odd = print;
    odd.outcome = not_an_attempt;
    EXPECT_REFUSED(paid.checkout.record_delivery(odd, ctx), RefusalCode::EventMalformed);
  }
}

// The terminal registers a print attempt before it prints (crash safety) and records its
// outcome afterwards under the same id; what needs no outcome is asked before printing.
TEST(Deliveries, AnAttemptRegisteredBeforehandKeepsItsIdAndIsRecordedOnce) {
  Paid paid;
  auto ctx = paid.counter.context();
  const auto attempt = paid.counter.ids.next_id<DeliveryId>();
  RecordDelivery print{user("advisor"),       paid.receipt_id,
                       std::nullopt,          DeliveryChannel::Print,
                       DeliveryOutcome::Sent, "",
                       std::nullopt,          false};
  print.delivery_id = attempt;
  EXPECT_EQ(paid.checkout.check_delivery(print, paid.counter.roster), std::nullopt);
  const Decision d = paid.checkout.record_delivery(print, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(std::get<ReceiptDeliveryRecorded>(d.events[0]).delivery_id, attempt);
  // The same attempt twice is refused, before and at recording.
  EXPECT_NE(paid.checkout.check_delivery(print, paid.counter.roster), std::nullopt);
  EXPECT_REFUSED(paid.checkout.record_delivery(print, ctx), RefusalCode::EventMalformed);
  // Asked before printing: a person without billing:receipt:deliver is refused then.
  RecordDelivery cashier = print;
  cashier.delivery_id = paid.counter.ids.next_id<DeliveryId>();
  cashier.operator_id = user("cashier");
  const auto refused = paid.checkout.check_delivery(cashier, paid.counter.roster);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, RefusalCode::PermissionMissing);
}

// The terminal's own print of the original it issued (IT on the box, no one signed in): no
// staff permission applies, but it is never a reprint, and the receipt must be this checkout's.
TEST(Deliveries, TheTerminalDeliversItsOriginalButNeverAReprint) {
  Paid paid;
  auto ctx = paid.counter.context();
  RecordDelivery print{user("terminal"),      paid.receipt_id,
                       std::nullopt,          DeliveryChannel::Print,
                       DeliveryOutcome::Sent, "",
                       std::nullopt,          false};
  EXPECT_REFUSED(paid.checkout.record_delivery(print, ctx), RefusalCode::OperatorUnknown);
  print.by_terminal = true;
  const Decision d = paid.checkout.record_delivery(print, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(std::get<ReceiptDeliveryRecorded>(d.events[0]).delivered_by, user("terminal"));
  RecordDelivery copy = print;
  copy.reprint_id = paid.counter.ids.next_id<ReprintId>();
  EXPECT_REFUSED(paid.checkout.record_delivery(copy, ctx), RefusalCode::PermissionMissing);
  RecordDelivery elsewhere = print;
  elsewhere.receipt_id = paid.counter.ids.next_id<ReceiptId>();
  EXPECT_REFUSED(paid.checkout.record_delivery(elsewhere, ctx), RefusalCode::ReprintNotAllowed);
}

// A print cut off part-way is its own outcome in the domain too (issue 10): recorded, replayed
// and reported as POSSIBLY_PRINTED, never folded into FAILED.
TEST(Deliveries, PossiblyPrintedIsItsOwnOutcomeThroughTheEventLog) {
  Paid paid;
  auto ctx = paid.counter.context();
  RecordDelivery print{user("advisor"),
                       paid.receipt_id,
                       std::nullopt,
                       DeliveryChannel::Print,
                       DeliveryOutcome::PossiblyPrinted,
                       "TIMED_OUT",
                       std::nullopt,
                       false};
  const Decision d = paid.checkout.record_delivery(print, ctx);
  EXPECT_ACCEPTED(d);
  EXPECT_EQ(paid.checkout.delivery_status(paid.receipt_id), DeliveryStatus::PossiblyPrinted);
  const nlohmann::json stored = to_json(d.events[0]);
  EXPECT_EQ(stored["outcome"], "POSSIBLY_PRINTED");
  EXPECT_EQ(stored["channel"], "PRINT");
  auto back = event_from_json(stored);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), d.events[0]);
  // The event log's readers refuse what no attempt can be, and any other spelling.
  for (const char* bad : {"PENDING", "BOUNCED", "possibly_printed", "SENT ", ""}) {
    nlohmann::json odd = stored;
    odd["outcome"] = bad;
    EXPECT_FALSE(event_from_json(odd).ok()) << bad;
  }
  nlohmann::json odd_channel = stored;
  odd_channel["channel"] = "FAX";
  EXPECT_FALSE(event_from_json(odd_channel).ok());
}

TEST(Deliveries, PendingUntilSomethingIsRecorded) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(100);
  EXPECT_ACCEPTED(checkout.take_payment(pay, ctx));
  EXPECT_EQ(checkout.delivery_status(checkout.receipts()[0].receipt_id), DeliveryStatus::Pending);
  EXPECT_EQ(to_string(DeliveryStatus::Pending), "PENDING");
}

TEST(Receipts, ReferenceFormat) {
  EXPECT_EQ(receipt_reference("INV-12345", *parse_rfc3339("2026-01-05T14:30:22.999Z"), 1),
            "RCP-INV-12345-20260105T143022Z-001");
  EXPECT_EQ(receipt_reference("7", *parse_rfc3339("2026-01-05T14:30:22Z"), 1234),
            "RCP-7-20260105T143022Z-1234");
}

// ---------------------------------------------------------------------------------------------
// Events and replay
// ---------------------------------------------------------------------------------------------

TEST(Replay, RebuildsTheSameCheckoutFromStoredEvents) {
  Counter counter;
  std::vector<CheckoutEvent> log;
  const auto keep = [&log](const Decision& d) {
    EXPECT_ACCEPTED(d);
    log.insert(log.end(), d.events.begin(), d.events.end());
  };
  auto ctx = counter.context();
  auto started = Checkout::start(
      StartCheckout{user("advisor"), *TerminalId::parse("T-1"), invoice_json().dump()}, ctx);
  ASSERT_TRUE(started.ok());
  Checkout checkout = std::move(started).value().checkout;
  log.push_back(started->events.at(0));
  BillingRuleEvaluation e = strict_evaluation();
  e.override_requires_second_approver = true;
  keep(checkout.evaluate(user("advisor"), e, ctx));
  ApproverLockouts lockouts;
  VerifyApproverPin p1 = pin_for("sup1", kSupervisorPin);
  const Decision g1 = checkout.verify_offline_approver(p1, lockouts, ctx);
  keep(g1);
  OnlineElevation second = counter.elevation(checkout, "sup2", ElevationAction::PoOverride);
  OverridePo o =
      override_with({std::get<OfflineGrantIssued>(g1.events[0]).grant_id, std::ref(second)});
  keep(checkout.override_po(o, ctx));
  TakePayment card = cash(4000);
  card.tender = TenderEntry::card_external(CardDetails{"VISA", "4242", "A1B2C3"});
  keep(checkout.take_payment(card, ctx));
  TakePayment rest = cash(6000);
  rest.tender = TenderEntry::cash(Money{USD, 7000});
  keep(checkout.take_payment(rest, ctx));
  ReprintReceipt r =
      reprint(checkout.receipts()[0].receipt_id, ReprintPolicy{1, std::nullopt, false, false});
  keep(checkout.reprint_receipt(r, ctx));

  // Through the ledger's JSON form and back.
  std::vector<CheckoutEvent> restored;
  for (const CheckoutEvent& event : log) {
    const json stored = json::parse(to_json(event).dump());
    auto back = event_from_json(stored);
    ASSERT_TRUE(back.ok()) << event_kind(event) << ": " << back.error().detail;
    EXPECT_EQ(back.value(), event) << event_kind(event);
    restored.push_back(back.value());
  }
  const auto replayed = Checkout::replay(restored);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->id(), checkout.id());
  EXPECT_EQ(replayed->po_compliance(), PoCompliance::Overridden);
  EXPECT_EQ(replayed->balance_due(), Money::zero(USD));
  EXPECT_EQ(replayed->payments(), checkout.payments());
  EXPECT_EQ(replayed->receipts(), checkout.receipts());
  EXPECT_EQ(replayed->reprints(), checkout.reprints());
  EXPECT_EQ(replayed->deliveries(), checkout.deliveries());
  EXPECT_EQ(replayed->evaluation(), checkout.evaluation());
  EXPECT_EQ(replayed->stage(), CheckoutStage::PaidInFull);
  // The replayed checkout still refuses what the original would.
  Checkout again = replayed.value();
  auto ctx2 = counter.context();
  TakePayment more = cash(1);
  EXPECT_REFUSED(again.take_payment(more, ctx2), RefusalCode::InvoiceNotPayable);
}

TEST(Replay, RefusesALogThatDoesNotStartWithTheCheckout) {
  EXPECT_EQ(Checkout::replay({}).error().code, RefusalCode::EventMalformed);
  const std::vector<CheckoutEvent> log{PoCaptured{"AB-123456", user("advisor"), t0()}};
  EXPECT_EQ(Checkout::replay(log).error().code, RefusalCode::EventMalformed);
}

TEST(EventJson, RefusesMalformedEvents) {
  for (const json& bad :
       {json(nullptr), json::array(), json{{"kind", "Nope"}}, json{{"kind", "PoCaptured"}},
        json{{"kind", "PinAttemptFailed"},
             {"approverUserId", "sup1"},
             {"action", "FLY"},
             {"at", "2026-11-21T10:15:00Z"}},
        json{{"kind", "ApproverLockedOut"},
             {"approverUserId", "sup1"},
             {"at", "x"},
             {"until", "2026-11-21T10:15:00Z"}}}) {
    const auto parsed = event_from_json(bad);
    ASSERT_FALSE(parsed.ok()) << bad.dump();
    EXPECT_EQ(parsed.error().code, RefusalCode::EventMalformed);
  }
  const auto missing = event_from_json(json{{"kind", "PoCaptured"}, {"poNumber", "AB-1"}});
  EXPECT_EQ(missing.error().missing_fields, (std::vector<std::string>{"capturedByUserId", "at"}));
}

}  // namespace
}  // namespace pos::checkout
