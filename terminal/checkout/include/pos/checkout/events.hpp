// Checkout events: what happened at the counter, as plain data the ledger stores and from which
// a checkout is rebuilt (Checkout::replay).
//
// Sections: vocabulary (actions, tenders, approvals) · the events · CheckoutEvent · JSON
//
// Every event is a value with no behaviour and no secrets: no PIN, no elevation token, no card
// number, no e-mail address ever appears in one. The JSON form (to_json / event_from_json) is
// stable: the ledger may store it as is; fields are only ever added.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <pos/checkout/billing_rules.hpp>
#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/result.hpp>
#include <pos/vocabulary/vocabulary.hpp>

namespace pos::checkout {

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

// The contract's names are pos::vocabulary's (one definition for checkout, ledger and sync);
// the domain's older names are aliases of them, so there is nothing to map.
using vocabulary::CaptureMode;  // capturedOffline in the contract
using vocabulary::CardDetails;  // only brand, last four and approval code: never a card number
using vocabulary::DeliveryChannel;
using vocabulary::ElevationAction;  // what a supervisor's elevation is for
using vocabulary::PaymentType;
using vocabulary::to_string;  // "PO_OVERRIDE", "CASH", "PAID_IN_FULL", "PRINT", ...
using TenderKind = vocabulary::Tender;
// One delivery attempt's outcome: SENT, FAILED or POSSIBLY_PRINTED (PENDING and BOUNCED are
// never an attempt's outcome; event_from_json refuses them).
using DeliveryOutcome = vocabulary::DeliveryStatus;
[[nodiscard]] constexpr bool is_attempt_outcome(DeliveryOutcome outcome) noexcept {
  return outcome == DeliveryOutcome::Sent || outcome == DeliveryOutcome::Failed ||
         outcome == DeliveryOutcome::PossiblyPrinted;
}

using vocabulary::ApprovalMethod;

// One supervisor's approval as recorded (never the token itself). For the backend's Approval
// body: online -> {approverUserId, elevationToken (held by the app)}, offline ->
// {approverUserId, offlineGrantId, grantedAt}.
struct ApprovalRecord {
  UserId approver;
  ApprovalMethod method;
  std::optional<OfflineGrantId> offline_grant_id;  // offline only
  Timestamp granted_at;
  friend bool operator==(const ApprovalRecord&, const ApprovalRecord&) = default;
};

struct TenderDetails {
  TenderKind kind;
  std::optional<std::string> tender_reference;  // cheque number, card terminal reference
  std::optional<CardDetails> card;              // CARD_EXTERNAL only
  std::optional<Money> amount_tendered;         // CASH only
  std::optional<Money> change_given;            // CASH only
  friend bool operator==(const TenderDetails&, const TenderDetails&) = default;
};

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

// The invoice as received (backend body or offline cache), so replay reads the same figures.
struct CheckoutStarted {
  CheckoutId checkout_id;
  CorrelationId correlation_id;
  std::string trace_id;  // 32 hex: one W3C trace per checkout
  UserId operator_id;
  TerminalId terminal_id;
  std::string invoice_json;
  Timestamp at;
  friend bool operator==(const CheckoutStarted&, const CheckoutStarted&) = default;
};

struct RulesEvaluated {
  BillingRuleEvaluation evaluation;
  Timestamp at;
  friend bool operator==(const RulesEvaluated&, const RulesEvaluated&) = default;
};

// Write-once: the checkout refuses a second one (PO_ALREADY_CAPTURED).
struct PoCaptured {
  std::string po_number;
  UserId captured_by;
  Timestamp at;
  friend bool operator==(const PoCaptured&, const PoCaptured&) = default;
};

struct PoOverridden {
  OverrideId override_id;
  std::string reason_code;  // empty when the rules do not require one
  std::string notes;
  UserId requested_by;
  std::vector<ApprovalRecord> approvals;
  Timestamp at;
  friend bool operator==(const PoOverridden&, const PoOverridden&) = default;
};

// An elevation granted offline after a PIN check; synced later (POST /billing/auth/offline-grants).
struct OfflineGrantIssued {
  OfflineGrantId grant_id;
  UserId approver;
  CheckoutId checkout_id;
  ElevationAction action;
  TerminalId terminal_id;
  Timestamp granted_at;
  friend bool operator==(const OfflineGrantIssued&, const OfflineGrantIssued&) = default;
};

// An online elevation token was accepted and spent (audit; the token itself is not recorded).
struct OnlineElevationUsed {
  UserId approver;
  ElevationAction action;
  Timestamp expires_at;
  Timestamp at;
  friend bool operator==(const OnlineElevationUsed&, const OnlineElevationUsed&) = default;
};

// A wrong PIN (or a PIN for someone not on the roster). Counted by ApproverLockouts.
struct PinAttemptFailed {
  UserId approver;
  ElevationAction action;
  Timestamp at;
  friend bool operator==(const PinAttemptFailed&, const PinAttemptFailed&) = default;
};

// The fifth wrong PIN in a row: no offline approvals from this supervisor until `until`.
// An event, so the lockout survives a restart once the ledger has it.
struct ApproverLockedOut {
  UserId approver;
  Timestamp at;
  Timestamp until;
  friend bool operator==(const ApproverLockedOut&, const ApproverLockedOut&) = default;
};

struct PaymentCaptured {
  BillingPaymentId billing_payment_id;
  InvoiceId invoice_id;
  CheckoutId checkout_id;
  TerminalId terminal_id;
  Money amount;
  TenderDetails tender;
  PaymentType payment_type;
  Money balance_after;  // the invoice's balance due after this payment
  UserId captured_by;
  CaptureMode capture_mode;
  ReceiptId receipt_id;
  std::optional<ApprovalRecord> over_limit_approval;
  Timestamp at;
  friend bool operator==(const PaymentCaptured&, const PaymentCaptured&) = default;
};

// One per capture (BILL-DEC-011): exists even when "No Receipt" suppressed the delivery.
struct ReceiptIssued {
  ReceiptId receipt_id;
  std::string receipt_reference;  // RCP-{invoiceNumber}-{yyyymmddThhmmssZ}-{seq:03}
  BillingPaymentId billing_payment_id;
  InvoiceId invoice_id;
  PaymentType payment_type;
  Money remaining_balance;
  bool delivery_suppressed;
  Timestamp at;
  friend bool operator==(const ReceiptIssued&, const ReceiptIssued&) = default;
};

// A reprint allowed by the receipt's reprint policy (BILL-DEC-012), marked "REPRINT n".
struct ReceiptReprinted {
  ReprintId reprint_id;
  ReceiptId receipt_id;
  int reprint_number;
  std::string reason_code;
  UserId requested_by;
  std::vector<ApprovalRecord> approvals;
  Timestamp at;
  friend bool operator==(const ReceiptReprinted&, const ReceiptReprinted&) = default;
};

// One attempt to deliver a receipt (or a reprint of it). Never holds the e-mail address: it goes
// to the backend in the delivery request only (contract, receipts).
struct ReceiptDeliveryRecorded {
  DeliveryId delivery_id;
  ReceiptId receipt_id;
  std::optional<ReprintId> reprint_id;  // set when a reprint was delivered
  DeliveryChannel channel;
  DeliveryOutcome outcome;
  std::string failure_reason;  // e.g. "PAPER_OUT": the printer's state, never personal data
  UserId delivered_by;
  Timestamp at;
  friend bool operator==(const ReceiptDeliveryRecorded&, const ReceiptDeliveryRecorded&) = default;
};

using CheckoutEvent =
    std::variant<CheckoutStarted, RulesEvaluated, PoCaptured, PoOverridden, OfflineGrantIssued,
                 OnlineElevationUsed, PinAttemptFailed, ApproverLockedOut, PaymentCaptured,
                 ReceiptIssued, ReceiptReprinted, ReceiptDeliveryRecorded>;

// "CheckoutStarted", "PoCaptured", ...: the `kind` field of the JSON form.
[[nodiscard]] std::string_view event_kind(const CheckoutEvent& event) noexcept;

// {"kind": "...", ...fields in the contract's camelCase...}
[[nodiscard]] nlohmann::json to_json(const CheckoutEvent& event);
// EVENT_MALFORMED with the missing fields named when the JSON is not an event this build knows.
[[nodiscard]] Result<CheckoutEvent, Refusal> event_from_json(const nlohmann::json& json);

}  // namespace pos::checkout
