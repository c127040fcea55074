// Receipt reference format, reprint policy parsing, offline limit defaults.
#include <pos/checkout/payments.hpp>
#include <pos/checkout/receipts.hpp>

#include <cstdio>

#include "json_reader.hpp"

namespace pos::checkout {

std::string receipt_reference(std::string_view invoice_number, Timestamp created_at, int seq) {
  char number[16];
  std::snprintf(number, sizeof number, "%03d", seq);
  std::string out = "RCP-";
  out += invoice_number;
  out += '-';
  out += format_compact_utc(created_at);
  out += '-';
  out += number;
  return out;
}

Result<ReprintPolicy, Refusal> parse_reprint_policy(const nlohmann::json& in) {
  detail::JsonReader r;
  auto remaining = r.integer(in, "", "remainingReprints");
  auto window = r.time(in, "", "windowEndsAt", false);
  auto reason = r.boolean(in, "", "requiresReasonCode");
  auto elevation = r.boolean(in, "", "requiresElevation");
  if (remaining && (*remaining < 0 || *remaining > 1000))
    r.note_wrong("remainingReprints", "0 to 1000");
  if (r.failed()) return fail(r.refusal(RefusalCode::RulesMalformed));
  return ReprintPolicy{static_cast<int>(*remaining), window, *reason, *elevation};
}

namespace {

Money default_major(Currency currency, std::int64_t major) {
  std::int64_t minor = major;
  for (int i = 0; i < currency.minor_unit_digits(); ++i) minor *= 10;
  return Money{currency, minor};
}

Money find_or(const std::vector<Money>& limits, Currency currency, Money fallback) {
  for (const Money& m : limits) {
    if (m.currency() == currency) return m;
  }
  return fallback;
}

}  // namespace

Money OfflineLimits::single_payment_limit(Currency currency) const {
  return find_or(max_single_payment, currency, default_major(currency, kDefaultSinglePaymentMajor));
}

Money OfflineLimits::unsynced_total_limit(Currency currency) const {
  return find_or(max_unsynced_total, currency, default_major(currency, kDefaultUnsyncedTotalMajor));
}

}  // namespace pos::checkout
