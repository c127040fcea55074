// Refusals: every reason the checkout can say no, with its stable code and the advisor's message.
//
// Sections: RefusalCode (the one table, checked against the enum at compile time) · Refusal
//
// Codes named in the billing contract keep the contract's spelling (PO_FORMAT_INVALID,
// ELEVATION_EXPIRED, ...); the terminal's own (PO_REQUIRED, OFFLINE_LIMIT_EXCEEDED, ...) follow
// the same style. The code string is what the command line prints as `errorCode` and what the
// ledger stores; never change a spelling, only add.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pos::checkout {

enum class RefusalCode {
  // Invoice (BILL-DEC-001)
  InvoiceMalformed,           // INVOICE_MALFORMED: missing/ill-typed fields (named in the refusal)
  InvoiceTotalsInconsistent,  // INVOICE_TOTALS_INCONSISTENT
  InvoiceStatusUnknown,       // INVOICE_STATUS_UNKNOWN: blocks every action
  InvoiceNotPayable,          // INVOICE_NOT_PAYABLE: not ISSUED, or nothing due
  // Rules and PO (BILL-DEC-009)
  BillingRulesMissing,   // BILLING_RULES_MISSING: non-consumer account without rules
  RulesMalformed,        // RULES_MALFORMED
  CheckoutNotEvaluated,  // CHECKOUT_NOT_EVALUATED: the rules have not been evaluated yet
  PoRequired,            // PO_REQUIRED
  PoFormatInvalid,       // PO_FORMAT_INVALID
  PoPatternUnusable,     // PO_PATTERN_UNUSABLE: the account's regex cannot be compiled
  PoNotUnique,           // PO_NOT_UNIQUE
  PoAlreadyCaptured,     // PO_ALREADY_CAPTURED: write-once
  PoAlreadySatisfied,    // PO_ALREADY_SATISFIED: nothing to override
  // Override and elevation (BILL-DEC-010)
  OverrideNotAllowed,          // OVERRIDE_NOT_ALLOWED
  ReasonCodeRequired,          // REASON_CODE_REQUIRED
  ReasonCodeUnknown,           // REASON_CODE_UNKNOWN
  NotesRequired,               // NOTES_REQUIRED
  SecondApproverRequired,      // SECOND_APPROVER_REQUIRED
  ApproverNotDistinct,         // APPROVER_NOT_DISTINCT: the operator, or the same person twice
  ElevationRequired,           // ELEVATION_REQUIRED
  ElevationInvalid,            // ELEVATION_INVALID: other checkout or action, unknown grant
  ElevationExpired,            // ELEVATION_EXPIRED
  ElevationReused,             // ELEVATION_REUSED
  ElevationDenied,             // ELEVATION_DENIED: wrong PIN, unknown approver, not a supervisor
  ApproverLockedOut,           // APPROVER_LOCKED_OUT
  OfflineElevationNotAllowed,  // OFFLINE_ELEVATION_NOT_ALLOWED
  RosterStale,                 // ROSTER_STALE: older than maxOfflineAgeSeconds
  // Operator and roster
  RosterMalformed,    // ROSTER_MALFORMED
  OperatorUnknown,    // OPERATOR_UNKNOWN: not on the roster
  PermissionMissing,  // PERMISSION_MISSING: the refusal's detail names the permission
  // Payments
  AmountNotPositive,         // AMOUNT_NOT_POSITIVE
  AmountExceedsBalance,      // AMOUNT_EXCEEDS_BALANCE
  CurrencyMismatch,          // CURRENCY_MISMATCH
  PartialPaymentNotAllowed,  // PARTIAL_PAYMENT_NOT_ALLOWED
  TenderedLessThanAmount,    // TENDERED_LESS_THAN_AMOUNT
  ChangeOnlyForCash,         // CHANGE_ONLY_FOR_CASH
  TenderDetailsInvalid,      // TENDER_DETAILS_INVALID: cheque number, last 4, approval code
  CardNumberRefused,         // CARD_NUMBER_REFUSED: 13 to 19 digits in a row
  ChargeAccountNotEligible,  // CHARGE_ACCOUNT_NOT_ELIGIBLE
  CreditLimitExceeded,       // CREDIT_LIMIT_EXCEEDED
  PaymentOverLimit,          // PAYMENT_OVER_LIMIT: over the operator's paymentLimit, no approval
  OfflineLimitExceeded,      // OFFLINE_LIMIT_EXCEEDED
  EmailInvalid,              // EMAIL_INVALID: not an address the backend can send to
  // Receipts (BILL-DEC-011, BILL-DEC-012)
  ReprintNotAllowed,    // REPRINT_NOT_ALLOWED
  ReprintWindowClosed,  // REPRINT_WINDOW_CLOSED
  // Replay
  EventMalformed,  // EVENT_MALFORMED: a stored checkout event cannot be read back
  kCount
};

// The stable code, e.g. "PO_FORMAT_INVALID".
[[nodiscard]] std::string_view to_string(RefusalCode code) noexcept;
// Plain text for the advisor: no ids, no secrets, no stack of internals (BILL-DEC-014).
[[nodiscard]] std::string_view message(RefusalCode code) noexcept;
// The code for a code string ("PO_FORMAT_INVALID"), for the ledger and the command line.
[[nodiscard]] bool refusal_code_from_string(std::string_view text, RefusalCode& out) noexcept;

// A "no" from the checkout: the code, and where useful a detail that is safe to show
// (the permission that is missing, the fields that are missing, the regex problem).
struct Refusal {
  RefusalCode code;
  std::string detail;
  std::vector<std::string> missing_fields;

  [[nodiscard]] std::string_view code_text() const noexcept { return to_string(code); }
  [[nodiscard]] std::string_view text() const noexcept { return message(code); }
  friend bool operator==(const Refusal&, const Refusal&) = default;
};

[[nodiscard]] inline Refusal refuse(RefusalCode code, std::string detail = {}) {
  return Refusal{code, std::move(detail), {}};
}

}  // namespace pos::checkout
