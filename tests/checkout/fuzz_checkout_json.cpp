// Fuzz target: the backend's JSON as the checkout reads it (invoice first; the same bytes also go
// to the rules, evaluation, roster, reason-code, reprint-policy and event parsers). Nothing may
// crash or throw; an accepted invoice must add up.
#include <nlohmann/json.hpp>

#include <pos/checkout/billing_rules.hpp>
#include <pos/checkout/events.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/checkout/receipts.hpp>
#include <pos/checkout/roster.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace pos::checkout;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto invoice = parse_invoice_text(text);
  if (invoice.ok()) {
    const Invoice& inv = invoice.value();
    const auto grand =
        inv.subtotal.add(inv.tax_total)->add(inv.fee_total)->subtract(inv.discount_total);
    if (!grand.ok() || grand.value() != inv.grand_total) std::abort();
    auto balance = Result<Money, MoneyError>(inv.grand_total);
    for (const auto& p : inv.payments) balance = balance->subtract(p.amount);
    if (!balance.ok() || balance.value() != inv.balance_due) std::abort();
    (void)evaluate_offline(std::nullopt, inv);
  }
  const auto json = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (json.is_discarded()) return 0;
  if (auto rules = parse_billing_rules(json); rules.ok() && invoice.ok())
    (void)evaluate_offline(rules.value(), invoice.value());
  if (auto evaluation = parse_rule_evaluation(json); evaluation.ok()) {
    // What the terminal writes it must read back the same.
    if (parse_rule_evaluation(to_json(evaluation.value())).value() != evaluation.value())
      std::abort();
  }
  (void)parse_roster(json);
  (void)parse_reason_codes(json);
  (void)parse_reprint_policy(json);
  if (auto event = event_from_json(json); event.ok()) {
    if (event_from_json(to_json(event.value())).value() != event.value()) std::abort();
  }
  return 0;
}
