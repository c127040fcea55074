// PoFormat on RE2 (whole match, bounded pattern and input), uniqueness, card-number screening.
#include <pos/checkout/po_format.hpp>

#include <re2/re2.h>

#include <algorithm>

namespace pos::checkout {

PoFormat PoFormat::for_pattern(const std::optional<std::string>& pattern) {
  PoFormat format;
  format.pattern_ = pattern ? *pattern : std::string(kDefaultPoPattern);
  if (format.pattern_.size() > kMaxPoPatternLength) {
    format.problem_ =
        "the PO pattern is longer than " + std::to_string(kMaxPoPatternLength) + " characters";
    return format;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  options.set_max_mem(1 << 20);  // 1 MiB of compiled program: plenty for a PO format
  auto regex = std::make_shared<const RE2>(format.pattern_, options);
  if (!regex->ok()) {
    format.problem_ = "the PO pattern cannot be used: " + regex->error();
    return format;
  }
  format.regex_ = std::move(regex);
  return format;
}

Result<Done, Refusal> PoFormat::check(std::string_view po) const {
  if (!regex_) return fail(refuse(RefusalCode::PoPatternUnusable, problem_));
  if (looks_like_card_number(po)) return fail(refuse(RefusalCode::CardNumberRefused));
  if (po.empty() || po.size() > kMaxPoLength) {
    return fail(refuse(RefusalCode::PoFormatInvalid,
                       "a PO has 1 to " + std::to_string(kMaxPoLength) + " characters"));
  }
  // FullMatch anchors at both ends, so "^...$" in the backend's pattern is harmless and a
  // pattern without anchors still has to match the whole PO.
  if (!RE2::FullMatch(re2::StringPiece(po.data(), po.size()), *regex_)) {
    return fail(refuse(RefusalCode::PoFormatInvalid));
  }
  return Done{};
}

std::string normalize_po(std::string_view typed) {
  while (!typed.empty() && (typed.front() == ' ' || typed.front() == '\t')) typed.remove_prefix(1);
  while (!typed.empty() && (typed.back() == ' ' || typed.back() == '\t')) typed.remove_suffix(1);
  return std::string(typed);
}

namespace {

bool same_po(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

}  // namespace

bool po_clashes(std::string_view po, PoUniquenessScope scope, const InvoiceId& this_invoice,
                std::span<const KnownPo> known_on_account) {
  if (scope == PoUniquenessScope::PerOrder) return false;
  return std::any_of(known_on_account.begin(), known_on_account.end(), [&](const KnownPo& known) {
    if (!same_po(known.po_number, po) || known.invoice_id == this_invoice) return false;
    return scope != PoUniquenessScope::PerAccountOpenOrders || known.order_open;
  });
}

bool looks_like_card_number(std::string_view text) noexcept {
  int run = 0;
  bool last_was_digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      ++run;
      last_was_digit = true;
      if (run >= 13) return true;
    } else if ((c == ' ' || c == '-' || c == '.') && last_was_digit) {
      // "4242 4242 4242 4242", "4111-1111-1111-1111" and "4111.1111..." are card numbers too.
      last_was_digit = false;
    } else {
      run = 0;
      last_was_digit = false;
    }
  }
  return false;
}

}  // namespace pos::checkout
