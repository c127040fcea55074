// Money: the ISO 4217 table, checked arithmetic, per-currency totals, parsing and formatting.
//
// Sections: ISO 4217 table · Currency · Money · CurrencyTotals · parse_amount · format
#include <pos/checkout/money.hpp>

#include <algorithm>
#include <limits>

namespace pos::checkout {

// ---------------------------------------------------------------------------------------------
// ISO 4217 table
// ---------------------------------------------------------------------------------------------
// The active codes of ISO 4217 (list one) that have a minor unit, sorted by code. Left out:
// funds and units without a minor unit (XAU, XAG, XPD, XPT, XDR, XSU, XUA, XBA..XBD, XTS, XXX)
// and codes withdrawn before 2025 (HRK, SLL, CUC). ANG stays while it is replaced by XCG.
std::span<const Currency> Currencies::iso4217() noexcept {
  static constexpr std::array table{
      Currency{{'A', 'E', 'D'}, 2}, Currency{{'A', 'F', 'N'}, 2}, Currency{{'A', 'L', 'L'}, 2},
      Currency{{'A', 'M', 'D'}, 2}, Currency{{'A', 'N', 'G'}, 2}, Currency{{'A', 'O', 'A'}, 2},
      Currency{{'A', 'R', 'S'}, 2}, Currency{{'A', 'U', 'D'}, 2}, Currency{{'A', 'W', 'G'}, 2},
      Currency{{'A', 'Z', 'N'}, 2}, Currency{{'B', 'A', 'M'}, 2}, Currency{{'B', 'B', 'D'}, 2},
      Currency{{'B', 'D', 'T'}, 2}, Currency{{'B', 'G', 'N'}, 2}, Currency{{'B', 'H', 'D'}, 3},
      Currency{{'B', 'I', 'F'}, 0}, Currency{{'B', 'M', 'D'}, 2}, Currency{{'B', 'N', 'D'}, 2},
      Currency{{'B', 'O', 'B'}, 2}, Currency{{'B', 'O', 'V'}, 2}, Currency{{'B', 'R', 'L'}, 2},
      Currency{{'B', 'S', 'D'}, 2}, Currency{{'B', 'T', 'N'}, 2}, Currency{{'B', 'W', 'P'}, 2},
      Currency{{'B', 'Y', 'N'}, 2}, Currency{{'B', 'Z', 'D'}, 2}, Currency{{'C', 'A', 'D'}, 2},
      Currency{{'C', 'D', 'F'}, 2}, Currency{{'C', 'H', 'E'}, 2}, Currency{{'C', 'H', 'F'}, 2},
      Currency{{'C', 'H', 'W'}, 2}, Currency{{'C', 'L', 'F'}, 4}, Currency{{'C', 'L', 'P'}, 0},
      Currency{{'C', 'N', 'Y'}, 2}, Currency{{'C', 'O', 'P'}, 2}, Currency{{'C', 'O', 'U'}, 2},
      Currency{{'C', 'R', 'C'}, 2}, Currency{{'C', 'U', 'P'}, 2}, Currency{{'C', 'V', 'E'}, 2},
      Currency{{'C', 'Z', 'K'}, 2}, Currency{{'D', 'J', 'F'}, 0}, Currency{{'D', 'K', 'K'}, 2},
      Currency{{'D', 'O', 'P'}, 2}, Currency{{'D', 'Z', 'D'}, 2}, Currency{{'E', 'G', 'P'}, 2},
      Currency{{'E', 'R', 'N'}, 2}, Currency{{'E', 'T', 'B'}, 2}, Currency{{'E', 'U', 'R'}, 2},
      Currency{{'F', 'J', 'D'}, 2}, Currency{{'F', 'K', 'P'}, 2}, Currency{{'G', 'B', 'P'}, 2},
      Currency{{'G', 'E', 'L'}, 2}, Currency{{'G', 'H', 'S'}, 2}, Currency{{'G', 'I', 'P'}, 2},
      Currency{{'G', 'M', 'D'}, 2}, Currency{{'G', 'N', 'F'}, 0}, Currency{{'G', 'T', 'Q'}, 2},
      Currency{{'G', 'Y', 'D'}, 2}, Currency{{'H', 'K', 'D'}, 2}, Currency{{'H', 'N', 'L'}, 2},
      Currency{{'H', 'T', 'G'}, 2}, Currency{{'H', 'U', 'F'}, 2}, Currency{{'I', 'D', 'R'}, 2},
      Currency{{'I', 'L', 'S'}, 2}, Currency{{'I', 'N', 'R'}, 2}, Currency{{'I', 'Q', 'D'}, 3},
      Currency{{'I', 'R', 'R'}, 2}, Currency{{'I', 'S', 'K'}, 0}, Currency{{'J', 'M', 'D'}, 2},
      Currency{{'J', 'O', 'D'}, 3}, Currency{{'J', 'P', 'Y'}, 0}, Currency{{'K', 'E', 'S'}, 2},
      Currency{{'K', 'G', 'S'}, 2}, Currency{{'K', 'H', 'R'}, 2}, Currency{{'K', 'M', 'F'}, 0},
      Currency{{'K', 'P', 'W'}, 2}, Currency{{'K', 'R', 'W'}, 0}, Currency{{'K', 'W', 'D'}, 3},
      Currency{{'K', 'Y', 'D'}, 2}, Currency{{'K', 'Z', 'T'}, 2}, Currency{{'L', 'A', 'K'}, 2},
      Currency{{'L', 'B', 'P'}, 2}, Currency{{'L', 'K', 'R'}, 2}, Currency{{'L', 'R', 'D'}, 2},
      Currency{{'L', 'S', 'L'}, 2}, Currency{{'L', 'Y', 'D'}, 3}, Currency{{'M', 'A', 'D'}, 2},
      Currency{{'M', 'D', 'L'}, 2}, Currency{{'M', 'G', 'A'}, 2}, Currency{{'M', 'K', 'D'}, 2},
      Currency{{'M', 'M', 'K'}, 2}, Currency{{'M', 'N', 'T'}, 2}, Currency{{'M', 'O', 'P'}, 2},
      Currency{{'M', 'R', 'U'}, 2}, Currency{{'M', 'U', 'R'}, 2}, Currency{{'M', 'V', 'R'}, 2},
      Currency{{'M', 'W', 'K'}, 2}, Currency{{'M', 'X', 'N'}, 2}, Currency{{'M', 'X', 'V'}, 2},
      Currency{{'M', 'Y', 'R'}, 2}, Currency{{'M', 'Z', 'N'}, 2}, Currency{{'N', 'A', 'D'}, 2},
      Currency{{'N', 'G', 'N'}, 2}, Currency{{'N', 'I', 'O'}, 2}, Currency{{'N', 'O', 'K'}, 2},
      Currency{{'N', 'P', 'R'}, 2}, Currency{{'N', 'Z', 'D'}, 2}, Currency{{'O', 'M', 'R'}, 3},
      Currency{{'P', 'A', 'B'}, 2}, Currency{{'P', 'E', 'N'}, 2}, Currency{{'P', 'G', 'K'}, 2},
      Currency{{'P', 'H', 'P'}, 2}, Currency{{'P', 'K', 'R'}, 2}, Currency{{'P', 'L', 'N'}, 2},
      Currency{{'P', 'Y', 'G'}, 0}, Currency{{'Q', 'A', 'R'}, 2}, Currency{{'R', 'O', 'N'}, 2},
      Currency{{'R', 'S', 'D'}, 2}, Currency{{'R', 'U', 'B'}, 2}, Currency{{'R', 'W', 'F'}, 0},
      Currency{{'S', 'A', 'R'}, 2}, Currency{{'S', 'B', 'D'}, 2}, Currency{{'S', 'C', 'R'}, 2},
      Currency{{'S', 'D', 'G'}, 2}, Currency{{'S', 'E', 'K'}, 2}, Currency{{'S', 'G', 'D'}, 2},
      Currency{{'S', 'H', 'P'}, 2}, Currency{{'S', 'L', 'E'}, 2}, Currency{{'S', 'O', 'S'}, 2},
      Currency{{'S', 'R', 'D'}, 2}, Currency{{'S', 'S', 'P'}, 2}, Currency{{'S', 'T', 'N'}, 2},
      Currency{{'S', 'V', 'C'}, 2}, Currency{{'S', 'Y', 'P'}, 2}, Currency{{'S', 'Z', 'L'}, 2},
      Currency{{'T', 'H', 'B'}, 2}, Currency{{'T', 'J', 'S'}, 2}, Currency{{'T', 'M', 'T'}, 2},
      Currency{{'T', 'N', 'D'}, 3}, Currency{{'T', 'O', 'P'}, 2}, Currency{{'T', 'R', 'Y'}, 2},
      Currency{{'T', 'T', 'D'}, 2}, Currency{{'T', 'W', 'D'}, 2}, Currency{{'T', 'Z', 'S'}, 2},
      Currency{{'U', 'A', 'H'}, 2}, Currency{{'U', 'G', 'X'}, 0}, Currency{{'U', 'S', 'D'}, 2},
      Currency{{'U', 'S', 'N'}, 2}, Currency{{'U', 'Y', 'I'}, 0}, Currency{{'U', 'Y', 'U'}, 2},
      Currency{{'U', 'Y', 'W'}, 4}, Currency{{'U', 'Z', 'S'}, 2}, Currency{{'V', 'E', 'D'}, 2},
      Currency{{'V', 'E', 'S'}, 2}, Currency{{'V', 'N', 'D'}, 0}, Currency{{'V', 'U', 'V'}, 0},
      Currency{{'W', 'S', 'T'}, 2}, Currency{{'X', 'A', 'F'}, 0}, Currency{{'X', 'C', 'D'}, 2},
      Currency{{'X', 'C', 'G'}, 2}, Currency{{'X', 'O', 'F'}, 0}, Currency{{'X', 'P', 'F'}, 0},
      Currency{{'Y', 'E', 'R'}, 2}, Currency{{'Z', 'A', 'R'}, 2}, Currency{{'Z', 'M', 'W'}, 2},
      Currency{{'Z', 'W', 'G'}, 2}, Currency{{'Z', 'W', 'L'}, 2},
  };
  return table;
}

// ---------------------------------------------------------------------------------------------
// Currency
// ---------------------------------------------------------------------------------------------

std::optional<Currency> Currency::from_code(std::string_view code) noexcept {
  if (code.size() != 3) return std::nullopt;
  const auto table = Currencies::iso4217();
  const auto it =
      std::lower_bound(table.begin(), table.end(), code,
                       [](const Currency& c, std::string_view key) { return c.code() < key; });
  if (it == table.end() || it->code() != code) return std::nullopt;
  return *it;
}

std::span<const Currency> Currency::all() noexcept {
  return Currencies::iso4217();
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

std::string_view to_string(MoneyError error) noexcept {
  switch (error) {
    case MoneyError::CurrencyMismatch:
      return "CURRENCY_MISMATCH";
    case MoneyError::Overflow:
      return "AMOUNT_OVERFLOW";
  }
  return "UNKNOWN";
}

Result<Money, MoneyError> Money::add(Money other) const noexcept {
  if (other.currency_ != currency_) return fail(MoneyError::CurrencyMismatch);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum))
    return fail(MoneyError::Overflow);
  return Money{currency_, sum};
}

Result<Money, MoneyError> Money::subtract(Money other) const noexcept {
  if (other.currency_ != currency_) return fail(MoneyError::CurrencyMismatch);
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(minor_units_, other.minor_units_, &difference)) {
    return fail(MoneyError::Overflow);
  }
  return Money{currency_, difference};
}

Result<Money, MoneyError> Money::negated() const noexcept {
  return zero(currency_).subtract(*this);
}

std::optional<std::strong_ordering> Money::compare(Money other) const noexcept {
  if (other.currency_ != currency_) return std::nullopt;
  return minor_units_ <=> other.minor_units_;
}

// ---------------------------------------------------------------------------------------------
// CurrencyTotals
// ---------------------------------------------------------------------------------------------

Result<Done, MoneyError> CurrencyTotals::add(Money amount) {
  const auto it = std::lower_bound(
      totals_.begin(), totals_.end(), amount.currency().code(),
      [](const Money& m, std::string_view key) { return m.currency().code() < key; });
  if (it == totals_.end() || it->currency() != amount.currency()) {
    totals_.insert(it, amount);
    return Done{};
  }
  auto sum = it->add(amount);
  if (!sum) return fail(sum.error());
  *it = sum.value();
  return Done{};
}

Result<Done, MoneyError> CurrencyTotals::subtract(Money amount) {
  auto negative = amount.negated();
  if (!negative) return fail(negative.error());
  return add(negative.value());
}

Money CurrencyTotals::total(Currency currency) const noexcept {
  for (const Money& m : totals_) {
    if (m.currency() == currency) return m;
  }
  return Money::zero(currency);
}

// ---------------------------------------------------------------------------------------------
// parse_amount
// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(AmountRefusal::kCount)>
    kAmountCodes{
        "AMOUNT_EMPTY",     "AMOUNT_NEGATIVE",     "AMOUNT_COMMA_SEPARATOR",
        "AMOUNT_EXPONENT",  "AMOUNT_NOT_A_NUMBER", "AMOUNT_TOO_MANY_DECIMALS",
        "AMOUNT_TOO_LARGE",
    };

// One message per refusal; the static_assert on the array size keeps it in step with the enum.
constexpr std::array<std::string_view, static_cast<std::size_t>(AmountRefusal::kCount)>
    kAmountMessages{
        "Enter an amount.",
        "An amount cannot be negative.",
        "Use a point for decimals and no thousands separator, for example 1250.50.",
        "Type the amount in plain digits, for example 1000, not 1e3.",
        "Type digits with at most one decimal point, for example 12.50.",
        "This currency does not have that many digits after the decimal point.",
        "The amount is too large.",
    };
static_assert(kAmountMessages.size() == static_cast<std::size_t>(AmountRefusal::kCount));
static_assert(kAmountCodes.size() == static_cast<std::size_t>(AmountRefusal::kCount));

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view to_string(AmountRefusal refusal) noexcept {
  const auto i = static_cast<std::size_t>(refusal);
  return i < kAmountCodes.size() ? kAmountCodes[i] : "AMOUNT_UNKNOWN";
}

std::string_view amount_refusal_message(AmountRefusal refusal) noexcept {
  const auto i = static_cast<std::size_t>(refusal);
  return i < kAmountMessages.size() ? kAmountMessages[i] : "";
}

Result<Money, AmountRefusal> parse_amount(std::string_view text, Currency currency) {
  text = trim(text);
  if (text.empty()) return fail(AmountRefusal::Empty);
  // The most specific reason first, so the advisor is told what to change.
  if (text.front() == '-') return fail(AmountRefusal::Negative);
  if (text.find(',') != std::string_view::npos) return fail(AmountRefusal::CommaSeparator);
  const bool all_number_chars = std::all_of(text.begin(), text.end(), [](char c) {
    return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+';
  });
  if (all_number_chars && text.find_first_of("eE") != std::string_view::npos) {
    return fail(AmountRefusal::Exponent);
  }

  const auto point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), is_digit);
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (point != std::string_view::npos && fraction.empty())) {
    return fail(AmountRefusal::NotANumber);
  }
  if (fraction.size() > static_cast<std::size_t>(currency.minor_unit_digits())) {
    return fail(AmountRefusal::TooManyDecimals);
  }

  std::int64_t minor = 0;
  const auto push_digit = [&minor](char c) {
    return !__builtin_mul_overflow(minor, std::int64_t{10}, &minor) &&
           !__builtin_add_overflow(minor, std::int64_t{c - '0'}, &minor);
  };
  for (char c : whole) {
    if (!push_digit(c)) return fail(AmountRefusal::TooLarge);
  }
  for (int i = 0; i < currency.minor_unit_digits(); ++i) {
    const auto index = static_cast<std::size_t>(i);
    if (!push_digit(index < fraction.size() ? fraction[index] : '0'))
      return fail(AmountRefusal::TooLarge);
  }
  return Money{currency, minor};
}

// ---------------------------------------------------------------------------------------------
// format
// ---------------------------------------------------------------------------------------------

std::string format(Money amount, MoneyFormat style) {
  const int digits = amount.currency().minor_unit_digits();
  const bool negative = amount.is_negative();
  // Work on the magnitude as unsigned so INT64_MIN has a representation.
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(amount.minor_units())
                                           : static_cast<std::uint64_t>(amount.minor_units());
  std::string all = std::to_string(magnitude);
  if (all.size() <= static_cast<std::size_t>(digits)) {
    all.insert(0, static_cast<std::size_t>(digits) + 1 - all.size(), '0');
  }
  const std::size_t whole_size = all.size() - static_cast<std::size_t>(digits);
  std::string whole = all.substr(0, whole_size);
  const std::string fraction = all.substr(whole_size);

  if (style != MoneyFormat::Plain) {
    std::string grouped;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
      grouped.push_back(whole[i]);
    }
    whole = std::move(grouped);
  }
  std::string number = negative ? "-" : "";
  number += whole;
  if (digits > 0) {
    number += '.';
    number += fraction;
  }
  switch (style) {
    case MoneyFormat::Plain:
      return number;
    case MoneyFormat::Screen:
      return std::string(amount.currency().code()) + " " + number;
    case MoneyFormat::Receipt:
      return number + " " + std::string(amount.currency().code());
  }
  return number;
}

}  // namespace pos::checkout
