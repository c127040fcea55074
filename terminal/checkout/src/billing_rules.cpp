// Billing rules: parsing, offline evaluation, evaluation JSON, reason codes.
#include <pos/checkout/billing_rules.hpp>

#include "json_reader.hpp"

namespace pos::checkout {

using detail::JsonReader;
using nlohmann::json;

std::string_view to_string(PoUniquenessScope scope) noexcept {
  switch (scope) {
    case PoUniquenessScope::PerOrder:
      return "PER_ORDER";
    case PoUniquenessScope::PerAccountOpenOrders:
      return "PER_ACCOUNT_OPEN_ORDERS";
    case PoUniquenessScope::PerAccountAllTime:
      return "PER_ACCOUNT_ALL_TIME";
    case PoUniquenessScope::Unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

namespace {

PoUniquenessScope scope_from(std::string_view text) {
  if (text == "PER_ORDER") return PoUniquenessScope::PerOrder;
  if (text == "PER_ACCOUNT_OPEN_ORDERS") return PoUniquenessScope::PerAccountOpenOrders;
  if (text == "PER_ACCOUNT_ALL_TIME") return PoUniquenessScope::PerAccountAllTime;
  return PoUniquenessScope::Unknown;
}

MessageSeverity severity_from(std::string_view text) {
  if (text == "INFO") return MessageSeverity::Info;
  if (text == "WARNING") return MessageSeverity::Warning;
  if (text == "BLOCKING") return MessageSeverity::Blocking;
  return MessageSeverity::Unknown;
}

std::string_view to_string(MessageSeverity severity) {
  switch (severity) {
    case MessageSeverity::Info:
      return "INFO";
    case MessageSeverity::Warning:
      return "WARNING";
    case MessageSeverity::Blocking:
      return "BLOCKING";
    case MessageSeverity::Unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

// A null regex stays null (the default format); a string is kept as given.
std::optional<std::string> optional_regex(JsonReader& r, const json& in, const char* name) {
  const auto* value = r.field(in, "", name, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    r.note_wrong(name, "a string or null");
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<Money> optional_money(JsonReader& r, const json& in, const char* name) {
  return r.money(in, "", name, false);
}

}  // namespace

Result<BillingRules, Refusal> parse_billing_rules(const json& in) {
  JsonReader r;
  auto account_id = r.id<AccountId>(in, "", "accountId");
  auto po_required = r.boolean(in, "", "isPoRequired");
  auto regex = optional_regex(r, in, "poFormatRegex");
  auto scope = r.string(in, "", "poUniquenessScope");
  auto override_allowed = r.boolean(in, "", "overrideAllowed");
  auto second = r.boolean(in, "", "overrideRequiresSecondApprover");
  auto reason = r.boolean(in, "", "overrideReasonCodeRequired");
  auto partial = r.boolean(in, "", "partialPaymentsAllowed");
  auto charge = r.boolean(in, "", "chargeAccountEligible");
  auto credit_limit = optional_money(r, in, "creditLimit");
  auto balance = optional_money(r, in, "accountBalance");
  auto offline = r.boolean(in, "", "offlineElevationAllowed");
  auto version = r.string(in, "", "policyVersion");
  if (r.failed()) return fail(r.refusal(RefusalCode::RulesMalformed));
  return BillingRules{*account_id,       *po_required, regex,   scope_from(*scope),
                      *override_allowed, *second,      *reason, *partial,
                      *charge,           credit_limit, balance, *offline,
                      *version};
}

BillingRuleEvaluation evaluate_offline(const std::optional<BillingRules>& rules,
                                       const Invoice& invoice) {
  BillingRuleEvaluation e;
  e.evaluated_offline = true;
  if (!rules) {
    e.policy_version = "";
    if (invoice.account_type == AccountType::Consumer) {
      e.po_required = false;
      e.po_uniqueness_scope = PoUniquenessScope::PerOrder;
      e.override_allowed = false;
      e.override_reason_code_required = false;
      e.partial_payments_allowed = true;  // the shop's default for walk-in customers
      return e;
    }
    // A business customer without rules is never waved through: PO required, blocked until an
    // authorised override (with a reason code), no charge account, no partial payments.
    e.po_required = true;
    e.rules_missing = true;
    e.override_allowed = true;
    e.override_reason_code_required = true;
    e.messages.push_back({std::string(to_string(RefusalCode::BillingRulesMissing)),
                          MessageSeverity::Blocking,
                          std::string(message(RefusalCode::BillingRulesMissing))});
    return e;
  }
  e.policy_version = rules->policy_version;
  e.po_required = rules->po_required;
  e.po_format_regex = rules->po_format_regex;
  e.po_uniqueness_scope = rules->po_uniqueness_scope;
  e.override_allowed = rules->override_allowed;
  e.override_requires_second_approver = rules->override_requires_second_approver;
  e.override_reason_code_required = rules->override_reason_code_required;
  e.partial_payments_allowed = rules->partial_payments_allowed;
  e.charge_account_eligible = rules->charge_account_eligible;
  e.offline_elevation_allowed = rules->offline_elevation_allowed;
  if (rules->credit_limit && rules->account_balance) {
    auto available = rules->credit_limit->subtract(*rules->account_balance);
    if (available && available->currency() == invoice.currency) {
      e.credit_available = available.value();
      e.credit_limit_exceeded = available->is_negative();
    } else {
      e.credit_limit_exceeded = true;  // figures in another currency: cannot show headroom
    }
  }
  return e;
}

Result<BillingRuleEvaluation, Refusal> parse_rule_evaluation(const json& in) {
  JsonReader r;
  BillingRuleEvaluation e;
  auto version = r.string(in, "", "policyVersion");
  auto po_required = r.boolean(in, "", "poRequired");
  e.po_format_regex = optional_regex(r, in, "poFormatRegex");
  auto scope = r.string(in, "", "poUniquenessScope");
  auto override_allowed = r.boolean(in, "", "overrideAllowed");
  auto second = r.boolean(in, "", "overrideRequiresSecondApprover");
  auto reason = r.boolean(in, "", "overrideReasonCodeRequired");
  auto charge = r.boolean(in, "", "chargeAccountEligible");
  auto exceeded = r.boolean(in, "", "creditLimitExceeded");
  auto partial = r.boolean(in, "", "partialPaymentsAllowed");
  if (const auto* list = r.array(in, "", "messages", false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = JsonReader::index("", "messages", i);
      auto code = r.string((*list)[i], path, "code");
      auto severity = r.string((*list)[i], path, "severity");
      auto text = r.string((*list)[i], path, "text");
      if (code && severity && text) e.messages.push_back({*code, severity_from(*severity), *text});
    }
  }
  e.evaluated_offline = r.boolean(in, "", "evaluatedOffline", false).value_or(false);
  e.offline_elevation_allowed = r.boolean(in, "", "offlineElevationAllowed", false).value_or(false);
  e.rules_missing = r.boolean(in, "", "rulesMissing", false).value_or(false);
  e.credit_available = r.money(in, "", "creditAvailable", false);
  if (r.failed()) return fail(r.refusal(RefusalCode::RulesMalformed));
  e.policy_version = *version;
  e.po_required = *po_required;
  e.po_uniqueness_scope = scope_from(*scope);
  e.override_allowed = *override_allowed;
  e.override_requires_second_approver = *second;
  e.override_reason_code_required = *reason;
  e.charge_account_eligible = *charge;
  e.credit_limit_exceeded = *exceeded;
  e.partial_payments_allowed = *partial;
  return e;
}

json to_json(const BillingRuleEvaluation& e) {
  json messages = json::array();
  for (const auto& m : e.messages) {
    messages.push_back(
        {{"code", m.code}, {"severity", std::string(to_string(m.severity))}, {"text", m.text}});
  }
  json out{
      {"policyVersion", e.policy_version},
      {"poRequired", e.po_required},
      {"poFormatRegex", e.po_format_regex ? json(*e.po_format_regex) : json(nullptr)},
      {"poUniquenessScope", std::string(to_string(e.po_uniqueness_scope))},
      {"overrideAllowed", e.override_allowed},
      {"overrideRequiresSecondApprover", e.override_requires_second_approver},
      {"overrideReasonCodeRequired", e.override_reason_code_required},
      {"chargeAccountEligible", e.charge_account_eligible},
      {"creditLimitExceeded", e.credit_limit_exceeded},
      {"partialPaymentsAllowed", e.partial_payments_allowed},
      {"messages", messages},
      {"evaluatedOffline", e.evaluated_offline},
      {"offlineElevationAllowed", e.offline_elevation_allowed},
      {"rulesMissing", e.rules_missing},
  };
  if (e.credit_available) out["creditAvailable"] = money_to_json(*e.credit_available);
  return out;
}

const ReasonCode* ReasonCodes::find(std::string_view code) const noexcept {
  for (const ReasonCode& c : codes_) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

Result<ReasonCodes, Refusal> parse_reason_codes(const json& in) {
  JsonReader r;
  std::vector<ReasonCode> codes;
  if (const auto* list = r.array(in, "", "reasonCodes")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = JsonReader::index("", "reasonCodes", i);
      auto code = r.string((*list)[i], path, "code");
      auto label = r.string((*list)[i], path, "label");
      auto notes = r.boolean((*list)[i], path, "requiresNotes");
      if (code && label && notes) codes.push_back({*code, *label, *notes});
    }
  }
  if (r.failed()) return fail(r.refusal(RefusalCode::RulesMalformed));
  return ReasonCodes{std::move(codes)};
}

}  // namespace pos::checkout
