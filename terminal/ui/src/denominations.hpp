// The notes and coins of the currencies a float is counted in, in one table (integer minor
// units; never floating point), and the total of a count. A currency without a row is counted
// as an amount only. Internal to terminal/ui.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>

#include <pos/checkout/money.hpp>

namespace pos::ui {

struct Denomination {
  std::int64_t minor = 0;  // USD 20.00 is 2000, JPY 1000 is 1000
  bool note = false;       // a note, else a coin
};

// Largest first; empty for a currency not in the table.
[[nodiscard]] std::span<const Denomination> denominationsOf(checkout::Currency currency) noexcept;

// Pieces per denomination (minor units -> count) as a total in `currency`; nullopt when a count
// is negative, a denomination is not the currency's, or the sum would overflow.
[[nodiscard]] std::optional<checkout::Money> countedTotal(
    checkout::Currency currency, const std::map<std::int64_t, std::int64_t>& counts);

}  // namespace pos::ui
