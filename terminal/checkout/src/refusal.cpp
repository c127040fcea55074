// The refusal table: one row per RefusalCode, checked against the enum's size at compile time.
#include <pos/checkout/refusal.hpp>

#include <array>

namespace pos::checkout {
namespace {

struct Row {
  RefusalCode code;
  std::string_view text;
  std::string_view message;
};

constexpr std::array kRows{
    Row{RefusalCode::InvoiceMalformed, "INVOICE_MALFORMED",
        "The invoice from the billing system is incomplete. Refresh it or ask the office."},
    Row{RefusalCode::InvoiceTotalsInconsistent, "INVOICE_TOTALS_INCONSISTENT",
        "The invoice totals do not add up, so no payment can be taken. Ask the office to correct "
        "it."},
    Row{RefusalCode::InvoiceStatusUnknown, "INVOICE_STATUS_UNKNOWN",
        "The invoice has a status this terminal does not know. Refresh the invoice before "
        "continuing."},
    Row{RefusalCode::InvoiceNotPayable, "INVOICE_NOT_PAYABLE",
        "This invoice cannot take a payment (it is not issued, is void, or is already paid)."},
    Row{RefusalCode::BillingRulesMissing, "BILLING_RULES_MISSING",
        "This business account has no billing rules. A supervisor override is needed to continue."},
    Row{RefusalCode::RulesMalformed, "RULES_MALFORMED",
        "The account's billing rules could not be read. Refresh them or ask the office."},
    Row{RefusalCode::CheckoutNotEvaluated, "CHECKOUT_NOT_EVALUATED",
        "The account's rules have not been checked for this checkout yet."},
    Row{RefusalCode::PoRequired, "PO_REQUIRED",
        "This account requires a PO number before payment."},
    Row{RefusalCode::PoFormatInvalid, "PO_FORMAT_INVALID",
        "PO number does not match the account's format."},
    Row{RefusalCode::PoPatternUnusable, "PO_PATTERN_UNUSABLE",
        "The account's PO format is set up wrongly, so no PO can be taken. Ask a supervisor to "
        "override."},
    Row{RefusalCode::PoNotUnique, "PO_NOT_UNIQUE",
        "This PO number has already been used on this account."},
    Row{RefusalCode::PoAlreadyCaptured, "PO_ALREADY_CAPTURED",
        "A PO number is already recorded for this checkout and cannot be changed."},
    Row{RefusalCode::PoAlreadySatisfied, "PO_ALREADY_SATISFIED",
        "The PO requirement is already satisfied for this checkout."},
    Row{RefusalCode::OverrideNotAllowed, "OVERRIDE_NOT_ALLOWED",
        "This account's policy does not allow the PO requirement to be overridden."},
    Row{RefusalCode::ReasonCodeRequired, "REASON_CODE_REQUIRED", "Choose a reason code."},
    Row{RefusalCode::ReasonCodeUnknown, "REASON_CODE_UNKNOWN",
        "That reason code is not on the current list."},
    Row{RefusalCode::NotesRequired, "NOTES_REQUIRED",
        "This reason code needs a note explaining it."},
    Row{RefusalCode::SecondApproverRequired, "SECOND_APPROVER_REQUIRED",
        "This override needs a second supervisor's approval."},
    Row{RefusalCode::ApproverNotDistinct, "APPROVER_NOT_DISTINCT",
        "An approver must be a different person from the advisor and from the other approver."},
    Row{RefusalCode::ElevationRequired, "ELEVATION_REQUIRED", "A supervisor must approve this."},
    Row{RefusalCode::ElevationInvalid, "ELEVATION_INVALID",
        "The supervisor approval is not valid for this checkout and action. Ask again."},
    Row{RefusalCode::ElevationExpired, "ELEVATION_EXPIRED",
        "The supervisor approval has expired. Ask again."},
    Row{RefusalCode::ElevationReused, "ELEVATION_REUSED",
        "That supervisor approval has already been used. Ask again."},
    Row{RefusalCode::ElevationDenied, "ELEVATION_DENIED",
        "The supervisor approval was not accepted."},
    Row{RefusalCode::ApproverLockedOut, "APPROVER_LOCKED_OUT",
        "Too many wrong PINs: this supervisor is locked out for now. Ask another supervisor."},
    Row{RefusalCode::OfflineElevationNotAllowed, "OFFLINE_ELEVATION_NOT_ALLOWED",
        "Supervisor approval needs the billing system for this account. Try again when online."},
    Row{RefusalCode::RosterStale, "ROSTER_STALE",
        "The staff list on this terminal is too old for offline approval. Reconnect to refresh "
        "it."},
    Row{RefusalCode::RosterMalformed, "ROSTER_MALFORMED",
        "The staff list from the billing system could not be read. Refresh it or ask the office."},
    Row{RefusalCode::OperatorUnknown, "OPERATOR_UNKNOWN",
        "This user is not on the terminal's staff list."},
    Row{RefusalCode::PermissionMissing, "PERMISSION_MISSING",
        "You do not have permission to do this."},
    Row{RefusalCode::AmountNotPositive, "AMOUNT_NOT_POSITIVE",
        "Enter an amount greater than zero."},
    Row{RefusalCode::AmountExceedsBalance, "AMOUNT_EXCEEDS_BALANCE",
        "The amount is more than the balance due."},
    Row{RefusalCode::CurrencyMismatch, "CURRENCY_MISMATCH",
        "The amount is not in the invoice's currency."},
    Row{RefusalCode::PartialPaymentNotAllowed, "PARTIAL_PAYMENT_NOT_ALLOWED",
        "This account must pay the full balance in one payment."},
    Row{RefusalCode::TenderedLessThanAmount, "TENDERED_LESS_THAN_AMOUNT",
        "The cash handed over is less than the amount to pay."},
    Row{RefusalCode::ChangeOnlyForCash, "CHANGE_ONLY_FOR_CASH",
        "Change can only be given for cash."},
    Row{RefusalCode::TenderDetailsInvalid, "TENDER_DETAILS_INVALID",
        "Check the payment details (cheque number, card brand, last 4 digits, approval code)."},
    Row{RefusalCode::CardNumberRefused, "CARD_NUMBER_REFUSED",
        "That looks like a card number. Never type card numbers here; enter only the last 4 "
        "digits."},
    Row{RefusalCode::ChargeAccountNotEligible, "CHARGE_ACCOUNT_NOT_ELIGIBLE",
        "This customer cannot charge to account."},
    Row{RefusalCode::CreditLimitExceeded, "CREDIT_LIMIT_EXCEEDED",
        "This charge would exceed the account's credit limit."},
    Row{RefusalCode::PaymentOverLimit, "PAYMENT_OVER_LIMIT",
        "This payment is over your limit. A supervisor must approve it."},
    Row{RefusalCode::OfflineLimitExceeded, "OFFLINE_LIMIT_EXCEEDED",
        "The terminal is offline and has reached its limit for offline payments. Reconnect, or "
        "take a smaller payment."},
    Row{RefusalCode::EmailInvalid, "EMAIL_INVALID",
        "That e-mail address cannot be used. Check it and type it again."},
    Row{RefusalCode::ReprintNotAllowed, "REPRINT_NOT_ALLOWED",
        "This receipt cannot be reprinted again."},
    Row{RefusalCode::ReprintWindowClosed, "REPRINT_WINDOW_CLOSED",
        "The time for reprinting this receipt has passed."},
    Row{RefusalCode::EventMalformed, "EVENT_MALFORMED",
        "A stored checkout record could not be read back. The terminal's data needs checking."},
};

// One row per code, in enum order: adding a code without its message does not compile.
static_assert(kRows.size() == static_cast<std::size_t>(RefusalCode::kCount));
constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < kRows.size(); ++i) {
    if (static_cast<std::size_t>(kRows[i].code) != i || kRows[i].message.empty()) return false;
  }
  return true;
}
static_assert(rows_in_enum_order());

}  // namespace

std::string_view to_string(RefusalCode code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  return i < kRows.size() ? kRows[i].text : "UNKNOWN";
}

std::string_view message(RefusalCode code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  return i < kRows.size() ? kRows[i].message : "";
}

bool refusal_code_from_string(std::string_view text, RefusalCode& out) noexcept {
  for (const Row& row : kRows) {
    if (row.text == text) {
      out = row.code;
      return true;
    }
  }
  return false;
}

}  // namespace pos::checkout
