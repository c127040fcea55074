// The rows of the ledger: what happened at this counter, one plain struct per kind of row.
//
// Sections:
//   1. ids and enums        ShiftId, AdjustmentId...; the vocabulary's names; DrawerReason...
//   2. shift and cash       ShiftOpening, ShiftClosing, CashPaidOut, CashPaidIn, DrawerOpening
//   3. checkout and PO      CheckoutRecord, EvaluationRecord, PoCaptureRecord, PoOverrideRecord,
//                           OverrideApproval, OfflineGrantRecord, PinAttempt, ApproverLockout
//   4. money taken          PaymentRecord, PaymentAdjustment, ReceiptRecord
//   5. receipts afterwards  ReceiptDelivery, DeliveryOutcome, ReprintRecord
//   6. audit                AuditEvent
//
// These are the ledger's own records, in the contract's vocabulary, made by the application
// from the checkout domain's events (the domain has no I/O and the ledger does not interpret
// its state machine). Nothing secret is in here: no PIN, token, card number or e-mail address
// (an e-mail address travels only in an outbox body and is removed once acked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/vocabulary/vocabulary.hpp>

namespace pos::ledger {

using checkout::BillingPaymentId;
using checkout::CheckoutId;
using checkout::CorrelationId;
using checkout::Currency;
using checkout::DeliveryId;
using checkout::EventId;
using checkout::InvoiceId;
using checkout::Money;
using checkout::OfflineGrantId;
using checkout::OverrideId;
using checkout::ReceiptId;
using checkout::ReprintId;
using checkout::Timestamp;
using checkout::UserId;

// ---------------------------------------------------------------------------------------------
// 1. ids and enums
// ---------------------------------------------------------------------------------------------

using ShiftId = checkout::Id<struct ShiftIdTag>;
using AdjustmentId = checkout::Id<struct AdjustmentIdTag>;
using DrawerOpeningId = checkout::Id<struct DrawerOpeningIdTag>;
using PaidOutId = checkout::Id<struct PaidOutIdTag>;
using PaidInId = checkout::Id<struct PaidInIdTag>;

// The contract's names (tender, payment type, capture mode, delivery channel and status, card
// details) are pos::vocabulary's, one definition for checkout, ledger and sync; the ledger
// stores their vocabulary texts as they are (its rows are hash-chained: a text never changes).
// DeliveryStatus includes POSSIBLY_PRINTED, the terminal's own status (see the vocabulary).
using vocabulary::CaptureMode;  // the payment's and evaluation's captured_offline column
using vocabulary::CardDetails;
using vocabulary::DeliveryChannel;
using vocabulary::DeliveryStatus;
using vocabulary::PaymentType;
using vocabulary::Tender;
using vocabulary::to_string;
[[nodiscard]] inline std::optional<Tender> parse_tender(std::string_view text) noexcept {
  return vocabulary::parse<Tender>(text);
}
[[nodiscard]] inline std::optional<PaymentType> parse_payment_type(std::string_view text) noexcept {
  return vocabulary::parse<PaymentType>(text);
}
[[nodiscard]] inline std::optional<DeliveryStatus> parse_delivery_status(
    std::string_view text) noexcept {
  return vocabulary::parse<DeliveryStatus>(text);
}

// "No Receipt" still makes the receipt record; it only prints nothing (BILL-DEC-011).
enum class ReceiptDeliveryChoice { Deliver, Suppressed };

// Why the cash drawer opened. NoSale is the one a shift report lists by person.
enum class DrawerReason { Sale, NoSale, PaidOut, CashCount, kCount };
[[nodiscard]] std::string_view to_string(DrawerReason reason) noexcept;
[[nodiscard]] std::optional<DrawerReason> parse_drawer_reason(std::string_view text) noexcept;

// How an approver's consent was given (contract Approval): online, by an elevation token (the
// token itself is never stored), or offline, by a grant. The rows spell it "ELEVATION_TOKEN" |
// "OFFLINE_GRANT" (vocabulary::ledger_text).
using vocabulary::ApprovalMethod;

enum class PinOutcome { Failed, Succeeded };

// ---------------------------------------------------------------------------------------------
// 2. shift and cash
// ---------------------------------------------------------------------------------------------

struct ShiftOpening {
  ShiftId shift_id;
  std::string terminal_id;
  UserId opened_by;
  Timestamp opened_at;
  std::vector<Money> opening_float;  // the cash put in the drawer, per currency
};

struct ShiftClosing {
  ShiftId shift_id;
  UserId closed_by;
  Timestamp closed_at;
  std::vector<Money> counted_cash;  // what was counted in the drawer, per currency
};

// Cash taken out of the drawer for an expense; lowers the cash expected.
struct CashPaidOut {
  PaidOutId paid_out_id;
  ShiftId shift_id;
  Money amount;
  UserId paid_by;
  std::string reason;
  Timestamp paid_at;
};

// Cash put into the drawer (a float top-up, a refund of an expense); raises the cash expected.
struct CashPaidIn {
  PaidInId paid_in_id;
  ShiftId shift_id;
  Money amount;
  UserId paid_by;
  std::string reason;
  Timestamp paid_at;
};

struct DrawerOpening {
  DrawerOpeningId opening_id;
  ShiftId shift_id;
  UserId opened_by;
  DrawerReason reason = DrawerReason::Sale;
  std::optional<BillingPaymentId> payment_id;  // for a sale
  std::string note;                            // why, for a no-sale opening
  Timestamp opened_at;
};

// ---------------------------------------------------------------------------------------------
// 3. checkout and PO
// ---------------------------------------------------------------------------------------------

struct CheckoutRecord {
  CheckoutId checkout_id;
  ShiftId shift_id;
  InvoiceId invoice_id;
  std::string invoice_number;
  std::string work_order_id;
  std::string account_id;
  Currency currency = checkout::Currencies::USD;
  CorrelationId correlation_id;
  UserId operator_id;
  Timestamp started_at;
};

// A BillingRuleEvaluation as the checkout used it, kept whole as JSON.
struct EvaluationRecord {
  EventId evaluation_id;
  CheckoutId checkout_id;
  std::string policy_version;
  CaptureMode mode = CaptureMode::Online;  // Offline = evaluated from cached rules
  std::string evaluation_json;
  Timestamp evaluated_at;
};

// Write-once per checkout: a UNIQUE constraint refuses a second one (PO_ALREADY_CAPTURED).
struct PoCaptureRecord {
  CheckoutId checkout_id;
  std::string po_number;
  UserId captured_by;
  Timestamp captured_at;
};

struct OverrideApproval {
  UserId approver;
  ApprovalMethod method = ApprovalMethod::Online;
  std::optional<OfflineGrantId> offline_grant_id;
  Timestamp approved_at;
};

// One per checkout, with one or two approvals from distinct approvers (the domain checks the
// rules; the ledger's UNIQUE constraints make a duplicate impossible to store).
struct PoOverrideRecord {
  OverrideId override_id;
  CheckoutId checkout_id;
  std::string reason_code;
  std::string notes;
  UserId requested_by;
  Timestamp created_at;
  std::vector<OverrideApproval> approvals;
};

struct OfflineGrantRecord {
  OfflineGrantId grant_id;
  UserId approver;
  std::optional<CheckoutId> checkout_id;
  std::string action;  // "PO_OVERRIDE", "RECEIPT_REPRINT", "PAYMENT_OVER_LIMIT"
  std::string terminal_id;
  Timestamp granted_at;
};

// Offline PIN checks (BILL-DEC-010): enough to rebuild lockouts after a restart.
struct PinAttempt {
  UserId approver;
  std::optional<CheckoutId> checkout_id;
  PinOutcome outcome = PinOutcome::Failed;
  Timestamp attempted_at;
};

struct ApproverLockout {
  UserId approver;
  Timestamp locked_at;
  Timestamp locked_until;
};

// ---------------------------------------------------------------------------------------------
// 4. money taken
// ---------------------------------------------------------------------------------------------

struct PaymentRecord {
  BillingPaymentId payment_id;
  CheckoutId checkout_id;
  InvoiceId invoice_id;
  ShiftId shift_id;
  Money amount = Money::zero(checkout::Currencies::USD);
  Tender tender = Tender::Cash;
  std::optional<std::string> tender_reference;  // cheque number / card terminal reference
  std::optional<CardDetails> card;
  std::optional<Money> amount_tendered;  // cash handed over
  std::optional<Money> change_given;     // cash handed back
  PaymentType payment_type = PaymentType::PaidInFull;
  UserId captured_by;
  Timestamp captured_at;
  CaptureMode mode = CaptureMode::Online;
  ReceiptId receipt_id;
};

// A correction: payment rows are never updated or deleted; an adjustment row says what changed.
struct PaymentAdjustment {
  AdjustmentId adjustment_id;
  BillingPaymentId payment_id;
  Money amount;  // signed: added to the payment's effect in reports
  std::string reason_code;
  UserId made_by;
  Timestamp made_at;
};

struct ReceiptRecord {
  ReceiptId receipt_id;
  std::string receipt_reference;  // RCP-{invoiceNumber}-{yyyymmddThhmmssZ}-{seq:03}
  BillingPaymentId payment_id;
  CheckoutId checkout_id;
  InvoiceId invoice_id;
  PaymentType payment_type = PaymentType::PaidInFull;
  Money remaining_balance = Money::zero(checkout::Currencies::USD);
  ReceiptDeliveryChoice delivery = ReceiptDeliveryChoice::Deliver;
  std::string template_id;
  std::string template_version;  // a reprint renders with this version
  std::string print_text;        // the text as printed (no card number, no e-mail)
  Timestamp created_at;
};

// ---------------------------------------------------------------------------------------------
// 5. receipts afterwards
// ---------------------------------------------------------------------------------------------

// A request to deliver a receipt (print or e-mail). The address of an e-mail delivery is not
// here: it goes only into the outbox message's body, deleted once acked.
struct ReceiptDelivery {
  DeliveryId delivery_id;
  ReceiptId receipt_id;
  DeliveryChannel channel = DeliveryChannel::Print;
  UserId requested_by;
  Timestamp requested_at;
};

// What became of a delivery; appended, the latest one is the delivery's status.
struct DeliveryOutcome {
  DeliveryId delivery_id;
  DeliveryStatus status = DeliveryStatus::Pending;
  std::string reason;  // for FAILED: "PAPER_OUT", "COVER_OPEN", "OFFLINE"...
  Timestamp at;
};

struct ReprintRecord {
  ReprintId reprint_id;
  ReceiptId receipt_id;
  ShiftId shift_id;
  int reprint_number = 1;  // 1, 2, ... per receipt (UNIQUE)
  std::string reason_code;
  UserId requested_by;
  std::optional<UserId> approver;
  Timestamp reprinted_at;
};

// ---------------------------------------------------------------------------------------------
// 6. audit
// ---------------------------------------------------------------------------------------------

struct AuditEvent {
  EventId event_id;
  std::optional<CheckoutId> checkout_id;
  std::string kind;  // "PAYMENT_CAPTURED", "PO_CAPTURED", ...
  std::string actor;
  std::string detail_json = "{}";  // ids and codes only
  Timestamp at;
};

}  // namespace pos::ledger
