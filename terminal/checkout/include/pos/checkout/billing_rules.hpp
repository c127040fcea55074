// Billing rules and their evaluation for one checkout (BILL-DEC-009), and the reason codes.
//
// Sections: BillingRules (the cached per-account snapshot) · BillingRuleEvaluation (what the
// checkout obeys) · evaluate_offline · ReasonCodes · JSON
//
// Online, the backend's evaluation is taken as given. Offline, evaluate_offline() turns the
// cached BillingRules into the same BillingRuleEvaluation type with evaluated_offline = true, and
// the checkout treats both alike: there is one code path after this point. The terminal never
// decides on its own whether a second approver is needed; it reads that from the evaluation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <pos/checkout/ids.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/result.hpp>

namespace pos::checkout {

enum class PoUniquenessScope {
  PerOrder,              // PER_ORDER: a blanket PO may repeat across orders
  PerAccountOpenOrders,  // PER_ACCOUNT_OPEN_ORDERS
  PerAccountAllTime,     // PER_ACCOUNT_ALL_TIME
  Unknown,               // an unknown value: treated as the strictest scope
};
[[nodiscard]] std::string_view to_string(PoUniquenessScope scope) noexcept;

struct BillingRules {
  AccountId account_id;
  bool po_required;
  std::optional<std::string> po_format_regex;  // nullopt: the default format
  PoUniquenessScope po_uniqueness_scope;
  bool override_allowed;
  bool override_requires_second_approver;
  bool override_reason_code_required;
  bool partial_payments_allowed;
  bool charge_account_eligible;
  std::optional<Money> credit_limit;
  std::optional<Money> account_balance;
  bool offline_elevation_allowed;
  std::string policy_version;
};

enum class MessageSeverity { Info, Warning, Blocking, Unknown };

struct EvaluationMessage {
  std::string code;
  MessageSeverity severity;
  std::string text;
  friend bool operator==(const EvaluationMessage&, const EvaluationMessage&) = default;
};

struct BillingRuleEvaluation {
  std::string policy_version;
  bool po_required = true;
  std::optional<std::string> po_format_regex;
  PoUniquenessScope po_uniqueness_scope = PoUniquenessScope::Unknown;
  bool override_allowed = false;
  bool override_requires_second_approver = false;
  bool override_reason_code_required = true;
  bool charge_account_eligible = false;
  bool credit_limit_exceeded = false;
  bool partial_payments_allowed = false;
  std::vector<EvaluationMessage> messages;
  bool evaluated_offline = false;
  // Terminal-side additions, not in the backend's evaluation body:
  // May a supervisor approve offline (from the cached rules; false when unknown)?
  bool offline_elevation_allowed = false;
  // Offline only, when the rules carry both figures: creditLimit - accountBalance.
  std::optional<Money> credit_available;
  // Set when a non-consumer account has no rules (BILLING_RULES_MISSING): the checkout is
  // PO-required and blocked until an authorised override.
  bool rules_missing = false;

  friend bool operator==(const BillingRuleEvaluation&, const BillingRuleEvaluation&) = default;
};

// Offline evaluation of the cached rules for this invoice. `rules` is nullopt when the backend
// has none for the account (404) or none were cached: a CONSUMER account then needs no PO; any
// other account is PO-required, override-only, with a BLOCKING BILLING_RULES_MISSING message
// ("a business customer without rules is never waved through").
[[nodiscard]] BillingRuleEvaluation evaluate_offline(const std::optional<BillingRules>& rules,
                                                     const Invoice& invoice);

// The contract's JSON bodies. Unknown extra fields are ignored; unknown enum values become
// Unknown; missing required fields are named (RULES_MALFORMED).
[[nodiscard]] Result<BillingRules, Refusal> parse_billing_rules(const nlohmann::json& json);
// `evaluatedOffline` and the terminal-side fields are read when present (a stored evaluation),
// defaulting to an online evaluation.
[[nodiscard]] Result<BillingRuleEvaluation, Refusal> parse_rule_evaluation(
    const nlohmann::json& json);
[[nodiscard]] nlohmann::json to_json(const BillingRuleEvaluation& evaluation);

// ---------------------------------------------------------------------------------------------
// Reason codes (GET /billing/meta/reason-codes?category=PO_OVERRIDE|REPRINT)
// ---------------------------------------------------------------------------------------------

struct ReasonCode {
  std::string code;
  std::string label;
  bool requires_notes;
};

class ReasonCodes {
 public:
  ReasonCodes() = default;
  explicit ReasonCodes(std::vector<ReasonCode> codes) : codes_(std::move(codes)) {}
  [[nodiscard]] const ReasonCode* find(std::string_view code) const noexcept;
  [[nodiscard]] const std::vector<ReasonCode>& all() const noexcept { return codes_; }

 private:
  std::vector<ReasonCode> codes_;
};

[[nodiscard]] Result<ReasonCodes, Refusal> parse_reason_codes(const nlohmann::json& json);

}  // namespace pos::checkout
