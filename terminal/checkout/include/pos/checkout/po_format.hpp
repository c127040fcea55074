// PO numbers: the account's format (an RE2 pattern matched against the whole PO), the default
// format, and the uniqueness check against the POs the terminal knows (BILL-DEC-009).
//
// Why RE2 and limits: the pattern comes from the backend and the PO from the counter; RE2 runs
// in linear time with bounded memory, so neither can hang the terminal. A pattern RE2 cannot
// compile (or one that is too long) makes a PoFormat that refuses every PO with
// PO_PATTERN_UNUSABLE and says why: PO capture is blocked, the override path stays open.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <pos/checkout/billing_rules.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/result.hpp>

namespace re2 {
class RE2;
}

namespace pos::checkout {

// Limits on what the backend and the advisor can hand to RE2.
inline constexpr std::size_t kMaxPoPatternLength = 512;
inline constexpr std::size_t kMaxPoLength = 64;
// The contract's default when poFormatRegex is null: 3 to 30 letters, digits, '-' or '_',
// case-insensitive.
inline constexpr std::string_view kDefaultPoPattern = "(?i)[A-Z0-9_-]{3,30}";

class PoFormat {
 public:
  // nullopt means the default format. Never fails: an unusable pattern gives a PoFormat whose
  // check() refuses with PO_PATTERN_UNUSABLE (see problem()).
  [[nodiscard]] static PoFormat for_pattern(const std::optional<std::string>& pattern);

  // Trimmed of surrounding spaces first by the caller (normalize_po). Refusals:
  // PO_FORMAT_INVALID, PO_PATTERN_UNUSABLE, CARD_NUMBER_REFUSED (13+ digits in a row: never
  // accepted into any field, whatever the pattern says).
  [[nodiscard]] Result<Done, Refusal> check(std::string_view po) const;

  [[nodiscard]] bool usable() const noexcept { return regex_ != nullptr; }
  // Why the pattern cannot be used (safe to show: it is the backend's pattern, not a secret).
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
  [[nodiscard]] const std::string& pattern() const noexcept { return pattern_; }

 private:
  std::shared_ptr<const re2::RE2> regex_;
  std::string pattern_;
  std::string problem_;
};

// Surrounding spaces and tabs removed; the PO is otherwise kept exactly as typed.
[[nodiscard]] std::string normalize_po(std::string_view typed);

// A PO this terminal knows to be in use on the account (its own ledger and the invoice cache);
// the backend re-checks on sync.
struct KnownPo {
  std::string po_number;
  InvoiceId invoice_id;
  bool order_open;  // the invoice is not yet paid or void
};

// PER_ORDER: never a clash. PER_ACCOUNT_OPEN_ORDERS: a clash with an open order of the account
// (other than this invoice). PER_ACCOUNT_ALL_TIME and an unknown scope: any use on the account.
// POs are compared without regard to ASCII case ("po-1" is "PO-1").
[[nodiscard]] bool po_clashes(std::string_view po, PoUniquenessScope scope,
                              const InvoiceId& this_invoice,
                              std::span<const KnownPo> known_on_account);

// True when text holds 13 or more digits in a row: a possible card number (PCI), refused in
// every field the advisor types. Digits separated by single spaces count as one run (the way
// card numbers are printed); a dash ends a run, as POs like "AB-123456-7890123" are common.
[[nodiscard]] bool looks_like_card_number(std::string_view text) noexcept;

}  // namespace pos::checkout
