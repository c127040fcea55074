// Taking money: the tender an advisor enters, and the limits on payments taken offline.
//
// Sections: TenderEntry (what the advisor typed per tender) · OfflineLimits (documented
// defaults) · OfflineExposure (what is still unsynced, passed in by the caller)
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/events.hpp>
#include <pos/checkout/money.hpp>

namespace pos::checkout {

// What the advisor entered for one tender. Fields that do not belong to the tender must be
// empty: change only for cash (CHANGE_ONLY_FOR_CASH), card details only for CARD_EXTERNAL.
// Every text field is screened for card numbers (13+ digits in a row: CARD_NUMBER_REFUSED).
struct TenderEntry {
  TenderKind kind = TenderKind::Cash;
  std::optional<Money> amount_tendered;  // CASH: the cash handed over (default: the amount)
  std::string check_number;              // CHECK: required, 1 to 20 letters, digits or '-'
  std::optional<CardDetails> card;       // CARD_EXTERNAL: brand, last 4, approval code, required
  std::string terminal_reference;        // CARD_EXTERNAL: the card terminal's reference, optional

  [[nodiscard]] static TenderEntry cash(std::optional<Money> tendered = std::nullopt) {
    return TenderEntry{TenderKind::Cash, tendered, {}, std::nullopt, {}};
  }
  [[nodiscard]] static TenderEntry check(std::string number) {
    return TenderEntry{TenderKind::Check, std::nullopt, std::move(number), std::nullopt, {}};
  }
  [[nodiscard]] static TenderEntry card_external(CardDetails card,
                                                 std::string terminal_reference = {}) {
    return TenderEntry{
        TenderKind::CardExternal, std::nullopt, {}, std::move(card), std::move(terminal_reference)};
  }
  [[nodiscard]] static TenderEntry account() {
    return TenderEntry{TenderKind::Account, std::nullopt, {}, std::nullopt, {}};
  }
};

// How much the terminal may take while it cannot reach the backend (OFFLINE_LIMIT_EXCEEDED).
// Defaults, per currency, in that currency's major units: a single offline payment up to 1,000,
// unsynced offline payments up to 5,000 in total, and no new offline payment once the oldest
// unsynced one is more than 24 hours old. A shop sets its own per currency in the terminal's
// configuration (e.g. JPY 150,000 / 750,000).
struct OfflineLimits {
  std::vector<Money> max_single_payment;  // per currency; missing: the default
  std::vector<Money> max_unsynced_total;  // per currency; missing: the default
  std::chrono::seconds max_unsynced_age{std::chrono::hours{24}};

  static constexpr std::int64_t kDefaultSinglePaymentMajor = 1'000;
  static constexpr std::int64_t kDefaultUnsyncedTotalMajor = 5'000;

  [[nodiscard]] Money single_payment_limit(Currency currency) const;
  [[nodiscard]] Money unsynced_total_limit(Currency currency) const;
};

// What the terminal's ledger holds that the backend has not acknowledged yet (the caller reads
// it from the ledger; the checkout does not keep its own count).
struct OfflineExposure {
  CurrencyTotals unsynced_total;
  std::optional<Timestamp> oldest_unsynced_at;
};

}  // namespace pos::checkout
