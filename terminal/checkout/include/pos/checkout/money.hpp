// Money at the counter: an ISO 4217 currency and a whole number of its minor units.
//
// Sections:
//   Currency         the active ISO 4217 codes with their minor-unit exponent (USD 2, JPY 0, KWD 3)
//   Money            currency + int64 minor units; checked add/subtract; no floating point anywhere
//   CurrencyTotals   sums kept apart per currency (amounts in two currencies are never added)
//   AmountEntry      parsing the decimal text an advisor types ("12.50"), with refusal reasons
//   MoneyFormat      text for the screen, the receipt, and plain text that parses back
//
// Why no operators: `a + b` cannot report an overflow or a currency mismatch without throwing,
// and an exception is the wrong tool for an expected failure. `a.add(b)` returns a Result the
// caller must look at. There is no constructor from double or float (a deleted overload makes
// `Money(usd, 12.5)` a compile error); tests/compile_fail shows it.
#pragma once

#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pos/checkout/result.hpp>

namespace pos::checkout {

// ---------------------------------------------------------------------------------------------
// Currency
// ---------------------------------------------------------------------------------------------

// An active ISO 4217 currency. Only codes on the list can be made, so every Currency value has
// a known minor-unit exponent; an unknown code in backend data is refused where it is parsed.
class Currency {
 public:
  // "USD" -> USD; lower case, unknown, fund and precious-metal codes (no minor unit) -> nullopt.
  [[nodiscard]] static std::optional<Currency> from_code(std::string_view code) noexcept;

  // Every currency the terminal knows, in code order (for tests and pickers).
  [[nodiscard]] static std::span<const Currency> all() noexcept;

  [[nodiscard]] std::string_view code() const noexcept { return {code_.data(), code_.size()}; }
  // Digits after the decimal point: USD 2, JPY 0, KWD 3, CLF 4.
  [[nodiscard]] int minor_unit_digits() const noexcept { return exponent_; }

  friend bool operator==(const Currency&, const Currency&) = default;

 private:
  friend struct Currencies;
  constexpr Currency(std::array<char, 3> code, std::uint8_t exponent) noexcept
      : code_(code), exponent_(exponent) {}

  std::array<char, 3> code_;
  std::uint8_t exponent_;
};

// The currencies the examples and tests name most; equal to what from_code() returns. Also the
// only place besides the ISO table that may construct a Currency.
struct Currencies {
  static constexpr Currency USD{{'U', 'S', 'D'}, 2};
  static constexpr Currency EUR{{'E', 'U', 'R'}, 2};
  static constexpr Currency GBP{{'G', 'B', 'P'}, 2};
  static constexpr Currency JPY{{'J', 'P', 'Y'}, 0};
  static constexpr Currency KWD{{'K', 'W', 'D'}, 3};
  // The whole ISO 4217 table (money.cpp).
  static std::span<const Currency> iso4217() noexcept;
};

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

// Why a sum could not be made.
enum class MoneyError {
  CurrencyMismatch,  // two currencies: never added, never compared (DESIGN.md, money rule)
  Overflow,          // beyond int64 minor units
};
[[nodiscard]] std::string_view to_string(MoneyError error) noexcept;

class Money {
 public:
  // Money(usd, 1250) is USD 12.50. Any integer type that fits int64 is accepted.
  template <std::integral Minor>
  requires(!std::same_as<Minor, bool> &&
           (std::signed_integral<Minor> ||
            sizeof(Minor) < sizeof(std::int64_t))) constexpr Money(Currency currency,
                                                                   Minor minor_units) noexcept
      : currency_(currency), minor_units_(static_cast<std::int64_t>(minor_units)) {}

  // Floating point never becomes money: 0.1 has no exact binary value.
  template <std::floating_point F>
  Money(Currency, F) = delete;

  [[nodiscard]] static constexpr Money zero(Currency currency) noexcept { return {currency, 0}; }

  [[nodiscard]] constexpr Currency currency() const noexcept { return currency_; }
  [[nodiscard]] constexpr std::int64_t minor_units() const noexcept { return minor_units_; }

  [[nodiscard]] constexpr bool is_zero() const noexcept { return minor_units_ == 0; }
  [[nodiscard]] constexpr bool is_positive() const noexcept { return minor_units_ > 0; }
  [[nodiscard]] constexpr bool is_negative() const noexcept { return minor_units_ < 0; }

  // Checked arithmetic: a different currency or an int64 overflow is an error value.
  [[nodiscard]] Result<Money, MoneyError> add(Money other) const noexcept;
  [[nodiscard]] Result<Money, MoneyError> subtract(Money other) const noexcept;
  [[nodiscard]] Result<Money, MoneyError> negated() const noexcept;

  // Ordering only within one currency: nullopt when the currencies differ.
  [[nodiscard]] std::optional<std::strong_ordering> compare(Money other) const noexcept;

  // Same currency and same amount.
  friend constexpr bool operator==(const Money&, const Money&) = default;

 private:
  Currency currency_;
  std::int64_t minor_units_;
};

// ---------------------------------------------------------------------------------------------
// CurrencyTotals
// ---------------------------------------------------------------------------------------------

// Sums kept per currency, for shift reports and "payments so far": USD and EUR never mix.
class CurrencyTotals {
 public:
  // Adds to the total of amount's currency; Overflow leaves the totals unchanged.
  [[nodiscard]] Result<Done, MoneyError> add(Money amount);
  [[nodiscard]] Result<Done, MoneyError> subtract(Money amount);

  // The total of one currency; zero when nothing in that currency was added.
  [[nodiscard]] Money total(Currency currency) const noexcept;
  // Every currency that has been added to, in code order.
  [[nodiscard]] const std::vector<Money>& by_currency() const noexcept { return totals_; }
  [[nodiscard]] bool empty() const noexcept { return totals_.empty(); }

  friend bool operator==(const CurrencyTotals&, const CurrencyTotals&) = default;

 private:
  std::vector<Money> totals_;  // sorted by currency code, one entry per currency
};

// ---------------------------------------------------------------------------------------------
// AmountEntry: what an advisor types
// ---------------------------------------------------------------------------------------------

// Why typed text is not an amount. Each has an advisor-facing message (amount_refusal_message).
enum class AmountRefusal {
  Empty,            // ""
  Negative,         // "-1": refunds are not taken at the counter
  CommaSeparator,   // "12,50" or "1,000.00": ambiguous between locales, so refused
  Exponent,         // "1e3"
  NotANumber,       // "NaN", "abc", "1.2.3", "+5", ".5", "5."
  TooManyDecimals,  // "12.345" in USD, "1500.5" in JPY
  TooLarge,         // beyond int64 minor units
  kCount
};
[[nodiscard]] std::string_view to_string(AmountRefusal refusal) noexcept;
// Plain text to show the advisor next to the amount field.
[[nodiscard]] std::string_view amount_refusal_message(AmountRefusal refusal) noexcept;

// "12.5" and "12.50" are USD 12.50; "1500" is JPY 1500. Leading and trailing spaces are ignored.
// At most minor_unit_digits() digits after the point; digits only, one optional point.
[[nodiscard]] Result<Money, AmountRefusal> parse_amount(std::string_view text, Currency currency);

// ---------------------------------------------------------------------------------------------
// MoneyFormat
// ---------------------------------------------------------------------------------------------

enum class MoneyFormat {
  Plain,    // "1234.50": no grouping, no code; parse_amount() reads it back exactly
  Screen,   // "USD 1,234.50": the code first, as the touch screen shows totals
  Receipt,  // "1,234.50 USD": ASCII only (every printer code page has it), decimals align
};

// Always exactly minor_unit_digits() decimals: JPY "1,500", KWD "1.250", negative "-12.50".
[[nodiscard]] std::string format(Money amount, MoneyFormat style);

}  // namespace pos::checkout
