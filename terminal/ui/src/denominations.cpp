// The denomination table and the counted total (denominations.hpp).
#include "denominations.hpp"

#include <algorithm>
#include <array>

namespace pos::ui {

namespace {

using C = checkout::Currencies;

// Notes and coins in circulation (the ones a till holds; no USD 2 note, no JPY 2000 note).
constexpr std::array kUsd{Denomination{10000, true}, Denomination{5000, true},
                          Denomination{2000, true},  Denomination{1000, true},
                          Denomination{500, true},   Denomination{100, true},
                          Denomination{25, false},   Denomination{10, false},
                          Denomination{5, false},    Denomination{1, false}};
constexpr std::array kEur{
    Denomination{50000, true}, Denomination{20000, true}, Denomination{10000, true},
    Denomination{5000, true},  Denomination{2000, true},  Denomination{1000, true},
    Denomination{500, true},   Denomination{200, false},  Denomination{100, false},
    Denomination{50, false},   Denomination{20, false},   Denomination{10, false},
    Denomination{5, false},    Denomination{2, false},    Denomination{1, false}};
constexpr std::array kGbp{
    Denomination{5000, true}, Denomination{2000, true}, Denomination{1000, true},
    Denomination{500, true},  Denomination{200, false}, Denomination{100, false},
    Denomination{50, false},  Denomination{20, false},  Denomination{10, false},
    Denomination{5, false},   Denomination{2, false},   Denomination{1, false}};
constexpr std::array kJpy{
    Denomination{10000, true}, Denomination{5000, true}, Denomination{1000, true},
    Denomination{500, false},  Denomination{100, false}, Denomination{50, false},
    Denomination{10, false},   Denomination{5, false},   Denomination{1, false}};

}  // namespace

std::span<const Denomination> denominationsOf(checkout::Currency currency) noexcept {
  if (currency == C::USD) return kUsd;
  if (currency == C::EUR) return kEur;
  if (currency == C::GBP) return kGbp;
  if (currency == C::JPY) return kJpy;
  return {};
}

std::optional<checkout::Money> countedTotal(checkout::Currency currency,
                                            const std::map<std::int64_t, std::int64_t>& counts) {
  const auto table = denominationsOf(currency);
  checkout::Money total = checkout::Money::zero(currency);
  for (const auto& [minor, count] : counts) {
    if (count < 0) return std::nullopt;
    if (std::none_of(table.begin(), table.end(),
                     [&](const Denomination& d) { return d.minor == minor; }))
      return std::nullopt;
    std::int64_t line = 0;
    if (__builtin_mul_overflow(minor, count, &line)) return std::nullopt;
    auto next = total.add(checkout::Money{currency, line});
    if (!next) return std::nullopt;
    total = next.value();
  }
  return total;
}

}  // namespace pos::ui
