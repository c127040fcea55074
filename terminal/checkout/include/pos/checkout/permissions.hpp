// Permissions: the canonical strings of BILL-DEC-008, as a set the checkout checks on every
// command.
//
// The list is closed: a real backend grants nothing else, so the terminal never requires a
// string of its own invention. The domain has none for taking a counter payment (or opening the
// drawer): any signed-in roster member may take a payment within their payment limit, and a
// shop that wants a stricter rule names one of these strings in its configuration
// (`[counter] payment_permission`, off by default; TakePayment::required_permission).
//
// The UI hides what a user may not do, but that is not security: each command of Checkout
// checks the operator's PermissionSet itself (permission_for() says which one).
#pragma once

#include <array>
#include <bitset>
#include <optional>
#include <string_view>

namespace pos::checkout {

enum class Permission {
  PoCapture,               // billing:checkout:po:capture
  PoOverride,              // billing:checkout:po:override
  AuthElevate,             // billing:auth:elevate: may approve as a supervisor
  ReceiptView,             // billing:receipt:view
  ReceiptDeliver,          // billing:receipt:deliver
  ReceiptReprint,          // billing:receipt:reprint
  PostingErrorDetailView,  // billing:posting-error:detail:view (BILL-DEC-014)
  kCount
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Permission::kCount)>
    kPermissionNames{
        "billing:checkout:po:capture",
        "billing:checkout:po:override",
        "billing:auth:elevate",
        "billing:receipt:view",
        "billing:receipt:deliver",
        "billing:receipt:reprint",
        "billing:posting-error:detail:view",
    };
static_assert(kPermissionNames.size() == static_cast<std::size_t>(Permission::kCount));

[[nodiscard]] constexpr std::string_view to_string(Permission p) noexcept {
  return kPermissionNames[static_cast<std::size_t>(p)];
}

// Exact, case-sensitive match of the canonical string; anything else is not a permission.
[[nodiscard]] constexpr std::optional<Permission> permission_from_string(
    std::string_view text) noexcept {
  for (std::size_t i = 0; i < kPermissionNames.size(); ++i) {
    if (kPermissionNames[i] == text) return static_cast<Permission>(i);
  }
  return std::nullopt;
}

class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> permissions) {
    for (Permission p : permissions) grant(p);
  }
  void grant(Permission p) { bits_.set(static_cast<std::size_t>(p)); }
  [[nodiscard]] bool has(Permission p) const { return bits_.test(static_cast<std::size_t>(p)); }
  friend bool operator==(const PermissionSet&, const PermissionSet&) = default;

 private:
  std::bitset<static_cast<std::size_t>(Permission::kCount)> bits_;
};

}  // namespace pos::checkout
