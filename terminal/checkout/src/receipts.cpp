// Receipt reference format, reprint policy parsing, offline limit defaults.
#include <pos/checkout/payments.hpp>
#include <pos/checkout/receipts.hpp>

#include <cstdio>

#include <pos/checkout/po_format.hpp>

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

std::optional<Refusal> check_email_address(std::string_view address) {
  const auto invalid = [](std::string detail) {
    return refuse(RefusalCode::EmailInvalid, std::move(detail));
  };
  if (address.size() < 3 || address.size() > 254) return invalid("3 to 254 characters");
  for (const char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return invalid("letters, digits and . _ % + - only, no spaces");
  }
  const auto at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos)
    return invalid("one @");
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64) return invalid("1 to 64 characters before the @");
  static constexpr std::string_view kLocalSpecials = ".!#$%&'*+/=?^_`{|}~-";
  for (const char c : local) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    kLocalSpecials.find(c) != std::string_view::npos;
    if (!ok) return invalid("letters, digits and . _ % + - before the @");
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return invalid("no leading, trailing or double dot before the @");
  if (looks_like_card_number(address)) return refuse(RefusalCode::CardNumberRefused);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos)
    return invalid("a domain with a dot after the @");
  std::size_t start = 0;
  while (start <= domain.size()) {
    const auto dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return invalid("domain labels of 1 to 63 letters, digits or hyphens");
    for (const char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return invalid("domain labels of letters, digits or hyphens");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return std::nullopt;
}

}  // namespace pos::checkout
