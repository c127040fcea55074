// Money: currencies, checked arithmetic, per-currency totals, parsing what an advisor types,
// and formatting for screen and receipt.
#include <pos/checkout/money.hpp>

#include <gtest/gtest.h>

#include <limits>

namespace pos::checkout {
namespace {

constexpr Currency USD = Currencies::USD;
constexpr Currency EUR = Currencies::EUR;
constexpr Currency JPY = Currencies::JPY;
constexpr Currency KWD = Currencies::KWD;

TEST(Currency, KnowsTheMinorUnitExponentOfActiveCodes) {
  struct Row {
    std::string_view code;
    int digits;
  };
  for (const Row& row : {Row{"USD", 2}, Row{"EUR", 2}, Row{"GBP", 2}, Row{"JPY", 0}, Row{"KRW", 0},
                         Row{"KWD", 3}, Row{"BHD", 3}, Row{"TND", 3}, Row{"CLF", 4}, Row{"CLP", 0},
                         Row{"ISK", 0}, Row{"XOF", 0}, Row{"CHF", 2}}) {
    const auto currency = Currency::from_code(row.code);
    ASSERT_TRUE(currency.has_value()) << row.code;
    EXPECT_EQ(currency->code(), row.code);
    EXPECT_EQ(currency->minor_unit_digits(), row.digits) << row.code;
  }
}

TEST(Currency, RefusesUnknownLowerCaseAndNonMoneyCodes) {
  for (std::string_view code : {"usd", "US", "USDX", "", "ABC", "XAU", "XXX", "XTS", "HRK"}) {
    EXPECT_FALSE(Currency::from_code(code).has_value()) << code;
  }
}

TEST(Currency, TableIsSortedAndLargeEnoughToBeTheWholeList) {
  const auto all = Currency::all();
  EXPECT_GE(all.size(), 150u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].code(), all[i].code());
  for (const Currency& c : all) EXPECT_EQ(Currency::from_code(c.code()), c);
  EXPECT_EQ(Currency::from_code("USD"), USD);
  EXPECT_EQ(Currency::from_code("KWD"), KWD);
}

TEST(Money, AddsAndSubtractsWithinOneCurrency) {
  const Money a{USD, 1250};
  const Money b{USD, 99};
  EXPECT_EQ(a.add(b).value(), (Money(USD, 1349)));
  EXPECT_EQ(a.subtract(b).value(), (Money(USD, 1151)));
  EXPECT_EQ(b.subtract(a).value(), (Money(USD, -1151)));
}

TEST(Money, RefusesToMixCurrencies) {
  const auto sum = Money(USD, 100).add(Money(EUR, 100));
  ASSERT_FALSE(sum.ok());
  EXPECT_EQ(sum.error(), MoneyError::CurrencyMismatch);
  EXPECT_EQ(Money(USD, 100).subtract(Money(EUR, 1)).error(), MoneyError::CurrencyMismatch);
  EXPECT_FALSE(Money(USD, 100).compare(Money(EUR, 100)).has_value());
  EXPECT_NE((Money(USD, 100)), (Money(EUR, 100)));
}

TEST(Money, OverflowIsAnErrorNotAWrap) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(Money(USD, max).add(Money(USD, 1)).error(), MoneyError::Overflow);
  EXPECT_EQ(Money(USD, min).subtract(Money(USD, 1)).error(), MoneyError::Overflow);
  EXPECT_EQ(Money(USD, min).negated().error(), MoneyError::Overflow);
  EXPECT_EQ(Money(USD, max).add(Money(USD, 0)).value().minor_units(), max);
}

TEST(Money, ComparesWithinACurrency) {
  EXPECT_EQ(Money(USD, 1).compare(Money(USD, 2)), std::strong_ordering::less);
  EXPECT_EQ(Money(USD, 2).compare(Money(USD, 2)), std::strong_ordering::equal);
  EXPECT_TRUE(Money::zero(JPY).is_zero());
  EXPECT_TRUE((Money(JPY, -1)).is_negative());
}

TEST(CurrencyTotals, KeepsEachCurrencyApart) {
  CurrencyTotals totals;
  ASSERT_TRUE(totals.add(Money(USD, 1000)).ok());
  ASSERT_TRUE(totals.add(Money(EUR, 500)).ok());
  ASSERT_TRUE(totals.add(Money(USD, 250)).ok());
  ASSERT_TRUE(totals.subtract(Money(EUR, 100)).ok());
  EXPECT_EQ(totals.total(USD), (Money(USD, 1250)));
  EXPECT_EQ(totals.total(EUR), (Money(EUR, 400)));
  EXPECT_EQ(totals.total(JPY), Money::zero(JPY));
  ASSERT_EQ(totals.by_currency().size(), 2u);
  EXPECT_EQ(totals.by_currency()[0].currency(), EUR);  // code order
}

TEST(CurrencyTotals, OverflowLeavesTheTotalUnchanged) {
  CurrencyTotals totals;
  ASSERT_TRUE(totals.add(Money(USD, std::numeric_limits<std::int64_t>::max())).ok());
  EXPECT_EQ(totals.add(Money(USD, 1)).error(), MoneyError::Overflow);
  EXPECT_EQ(totals.total(USD).minor_units(), std::numeric_limits<std::int64_t>::max());
}

struct ParseRow {
  std::string_view text;
  Currency currency;
  std::int64_t minor;
};

TEST(ParseAmount, AcceptsWhatAdvisorsType) {
  for (const ParseRow& row : {
           ParseRow{"12.5", USD, 1250},
           ParseRow{"12.50", USD, 1250},
           ParseRow{"12", USD, 1200},
           ParseRow{"0", USD, 0},
           ParseRow{"0.01", USD, 1},
           ParseRow{" 7.25 ", USD, 725},
           ParseRow{"007.10", EUR, 710},
           ParseRow{"1500", JPY, 1500},
           ParseRow{"1.250", KWD, 1250},
           ParseRow{"1.25", KWD, 1250},
           ParseRow{"0.001", KWD, 1},
           ParseRow{"92233720368547758.07", USD, std::numeric_limits<std::int64_t>::max()},
       }) {
    const auto parsed = parse_amount(row.text, row.currency);
    ASSERT_TRUE(parsed.ok()) << row.text << ": " << to_string(parsed.error());
    EXPECT_EQ(parsed.value(), (Money{row.currency, row.minor})) << row.text;
  }
}

TEST(ParseAmount, RefusesWithAReasonTheAdvisorCanActOn) {
  struct Row {
    std::string_view text;
    Currency currency;
    AmountRefusal refusal;
  };
  for (const Row& row : {
           Row{"12.345", USD, AmountRefusal::TooManyDecimals},
           Row{"1e3", USD, AmountRefusal::Exponent},
           Row{"1E3", USD, AmountRefusal::Exponent},
           Row{"NaN", USD, AmountRefusal::NotANumber},
           Row{"-1", USD, AmountRefusal::Negative},
           Row{"", USD, AmountRefusal::Empty},
           Row{"   ", USD, AmountRefusal::Empty},
           Row{"12,50", EUR, AmountRefusal::CommaSeparator},
           Row{"1,000.00", USD, AmountRefusal::CommaSeparator},
           Row{"1500.5", JPY, AmountRefusal::TooManyDecimals},
           Row{"1.2345", KWD, AmountRefusal::TooManyDecimals},
           Row{"inf", USD, AmountRefusal::NotANumber},
           Row{"1.2.3", USD, AmountRefusal::NotANumber},
           Row{"+5", USD, AmountRefusal::NotANumber},
           Row{".5", USD, AmountRefusal::NotANumber},
           Row{"5.", USD, AmountRefusal::NotANumber},
           Row{"12 50", USD, AmountRefusal::NotANumber},
           Row{"0x10", USD, AmountRefusal::NotANumber},
           Row{"$12", USD, AmountRefusal::NotANumber},
           Row{"92233720368547758.08", USD, AmountRefusal::TooLarge},
           Row{"99999999999999999999999", JPY, AmountRefusal::TooLarge},
       }) {
    const auto parsed = parse_amount(row.text, row.currency);
    ASSERT_FALSE(parsed.ok()) << '"' << row.text << '"';
    EXPECT_EQ(parsed.error(), row.refusal) << '"' << row.text << '"';
    EXPECT_FALSE(amount_refusal_message(parsed.error()).empty());
  }
}

TEST(ParseAmount, EveryRefusalHasACodeAndAMessage) {
  for (int i = 0; i < static_cast<int>(AmountRefusal::kCount); ++i) {
    const auto refusal = static_cast<AmountRefusal>(i);
    EXPECT_FALSE(amount_refusal_message(refusal).empty());
    EXPECT_TRUE(to_string(refusal).starts_with("AMOUNT_"));
  }
}

TEST(FormatMoney, ScreenReceiptAndPlainAcrossCurrencies) {
  struct Row {
    Money amount;
    std::string_view plain, screen, receipt;
  };
  for (const Row& row : {
           Row{Money(USD, 1250), "12.50", "USD 12.50", "12.50 USD"},
           Row{Money(USD, 123456789), "1234567.89", "USD 1,234,567.89", "1,234,567.89 USD"},
           Row{Money(USD, 5), "0.05", "USD 0.05", "0.05 USD"},
           Row{Money(USD, -1250), "-12.50", "USD -12.50", "-12.50 USD"},
           Row{Money(EUR, 0), "0.00", "EUR 0.00", "0.00 EUR"},
           Row{Money(JPY, 1500), "1500", "JPY 1,500", "1,500 JPY"},
           Row{Money(JPY, 0), "0", "JPY 0", "0 JPY"},
           Row{Money(KWD, 1250), "1.250", "KWD 1.250", "1.250 KWD"},
           Row{Money(KWD, 7), "0.007", "KWD 0.007", "0.007 KWD"},
           Row{Money(USD, std::numeric_limits<std::int64_t>::min()), "-92233720368547758.08",
               "USD -92,233,720,368,547,758.08", "-92,233,720,368,547,758.08 USD"},
       }) {
    EXPECT_EQ(format(row.amount, MoneyFormat::Plain), row.plain);
    EXPECT_EQ(format(row.amount, MoneyFormat::Screen), row.screen);
    EXPECT_EQ(format(row.amount, MoneyFormat::Receipt), row.receipt);
  }
}

TEST(FormatMoney, PlainTextParsesBackToTheSameAmountInEveryCurrency) {
  for (const Currency& c : Currency::all()) {
    for (std::int64_t minor : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999},
                               std::int64_t{123456789}, std::numeric_limits<std::int64_t>::max()}) {
      const Money m{c, minor};
      const auto back = parse_amount(format(m, MoneyFormat::Plain), c);
      ASSERT_TRUE(back.ok()) << c.code() << ' ' << minor;
      EXPECT_EQ(back.value(), m);
    }
  }
}

}  // namespace
}  // namespace pos::checkout
