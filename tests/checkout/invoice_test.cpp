// Invoice parsing (BILL-DEC-001): required fields named, totals that add up, unknown status
// kept as unknown, unknown extra fields accepted, malformed input refused without a crash.
#include <gtest/gtest.h>

#include "counter_fixture.hpp"

namespace pos::checkout {
namespace {

using testing::invoice_json;
using testing::money_json;

TEST(Invoice, ParsesTheContractsShape) {
  const auto parsed = parse_invoice(invoice_json());
  ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
  const Invoice& inv = parsed.value();
  EXPECT_EQ(inv.invoice_number, "INV-12345");
  EXPECT_EQ(inv.status, InvoiceStatus::Issued);
  EXPECT_EQ(inv.account_type, AccountType::Commercial);
  EXPECT_EQ(inv.currency, Currencies::USD);
  ASSERT_EQ(inv.lines.size(), 2u);
  EXPECT_EQ(inv.lines[0].quantity, "1.5");
  EXPECT_EQ(inv.grand_total, (Money{Currencies::USD, 10000}));
  EXPECT_EQ(inv.balance_due, (Money{Currencies::USD, 10000}));
  ASSERT_EQ(inv.links.size(), 1u);
  EXPECT_EQ(inv.links[0].target_id, "WO-1001");
  EXPECT_TRUE(inv.takes_payment());
}

TEST(Invoice, AcceptsUnknownExtraFields) {
  auto json = invoice_json();
  json["somethingNew"] = {{"nested", true}};
  json["lines"][0]["colour"] = "red";
  EXPECT_TRUE(parse_invoice(json).ok());
}

TEST(Invoice, EarlierPaymentsMustMatchTheBalance) {
  auto json = invoice_json();
  json["payments"] =
      nlohmann::json::array({{{"billingPaymentId", "01936f3e-8a7b-7c3d-9e4f-000000000001"},
                              {"amount", money_json("USD", 2500)},
                              {"tender", "CASH"},
                              {"capturedAt", "2026-11-20T09:00:00Z"}}});
  json["balanceDue"] = money_json("USD", 7500);
  const auto parsed = parse_invoice(json);
  ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
  EXPECT_EQ(parsed->payments.size(), 1u);
  json["balanceDue"] = money_json("USD", 10000);
  const auto wrong = parse_invoice(json);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, RefusalCode::InvoiceTotalsInconsistent);
}

TEST(Invoice, RefusesTotalsThatDoNotAddUp) {
  for (const char* field :
       {"subtotal", "taxTotal", "feeTotal", "discountTotal", "grandTotal", "balanceDue"}) {
    auto json = invoice_json();
    json[field]["amountMinor"] = json[field]["amountMinor"].get<std::int64_t>() + 1;
    const auto parsed = parse_invoice(json);
    ASSERT_FALSE(parsed.ok()) << field;
    EXPECT_EQ(parsed.error().code, RefusalCode::InvoiceTotalsInconsistent) << field;
  }
}

TEST(Invoice, TotalsThatOverflowAreInconsistentNotACrash) {
  auto json = invoice_json();
  json["subtotal"] = money_json("USD", INT64_MAX);
  EXPECT_EQ(parse_invoice(json).error().code, RefusalCode::InvoiceTotalsInconsistent);
}

TEST(Invoice, UnknownStatusIsKeptAsUnknownNotGuessed) {
  for (const char* status : {"REFUNDED", "issued", "", "PARTIALLY_PAID"}) {
    auto json = invoice_json();
    json["status"] = status;
    const auto parsed = parse_invoice(json);
    ASSERT_TRUE(parsed.ok()) << status;
    EXPECT_EQ(parsed->status, InvoiceStatus::Unknown);
    EXPECT_EQ(parsed->status_text, status);
    EXPECT_FALSE(parsed->takes_payment());
  }
}

TEST(Invoice, KnownStatusesAndWhichTakePayment) {
  struct Row {
    const char* text;
    InvoiceStatus status;
    bool takes_payment;
  };
  for (const Row& row :
       {Row{"DRAFT", InvoiceStatus::Draft, false}, Row{"ISSUED", InvoiceStatus::Issued, true},
        Row{"PAID", InvoiceStatus::Paid, false}, Row{"VOID", InvoiceStatus::Void, false}}) {
    auto json = invoice_json();
    json["status"] = row.text;
    const auto parsed = parse_invoice(json);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->status, row.status);
    EXPECT_EQ(parsed->takes_payment(), row.takes_payment) << row.text;
  }
}

TEST(Invoice, NamesEveryMissingRequiredField) {
  for (const char* field :
       {"invoiceId", "invoiceNumber", "workOrderId", "customerAccountId", "customerName",
        "accountType", "status", "currency", "lines", "subtotal", "taxTotal", "feeTotal",
        "discountTotal", "grandTotal", "balanceDue", "payments", "updatedAt"}) {
    auto json = invoice_json();
    json.erase(field);
    const auto parsed = parse_invoice(json);
    ASSERT_FALSE(parsed.ok()) << field;
    EXPECT_EQ(parsed.error().code, RefusalCode::InvoiceMalformed);
    EXPECT_NE(std::find(parsed.error().missing_fields.begin(), parsed.error().missing_fields.end(),
                        field),
              parsed.error().missing_fields.end())
        << field << ": " << parsed.error().detail;
  }
  auto json = invoice_json();
  json["lines"][1].erase("lineTotal");
  json["grandTotal"] = nullptr;  // null is missing too
  const auto parsed = parse_invoice(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().missing_fields,
            (std::vector<std::string>{"grandTotal", "lines[1].lineTotal"}));
  EXPECT_NE(parsed.error().detail.find("lines[1].lineTotal"), std::string::npos);
}

TEST(Invoice, RefusesIllTypedValues) {
  const auto refused = [](auto mutate) {
    auto json = invoice_json();
    mutate(json);
    const auto parsed = parse_invoice(json);
    return !parsed.ok() && parsed.error().code == RefusalCode::InvoiceMalformed;
  };
  EXPECT_TRUE(refused([](auto& j) { j["subtotal"]["amountMinor"] = 100.5; }));
  EXPECT_TRUE(refused([](auto& j) { j["subtotal"]["amountMinor"] = 10000.0; }));
  EXPECT_TRUE(refused([](auto& j) { j["subtotal"]["amountMinor"] = "10000"; }));
  EXPECT_TRUE(refused([](auto& j) { j["subtotal"]["amountMinor"] = 18446744073709551615ull; }));
  EXPECT_TRUE(refused([](auto& j) { j["subtotal"]["currency"] = "usd"; }));
  EXPECT_TRUE(refused([](auto& j) { j["currency"] = "XYZ"; }));
  EXPECT_TRUE(refused([](auto& j) { j["taxTotal"] = testing::money_json("EUR", 800); }));
  EXPECT_TRUE(refused([](auto& j) { j["invoiceId"] = "not-a-uuid"; }));
  EXPECT_TRUE(refused([](auto& j) { j["invoiceNumber"] = ""; }));
  EXPECT_TRUE(refused([](auto& j) { j["invoiceNumber"] = 12345; }));
  EXPECT_TRUE(refused([](auto& j) { j["lines"] = "none"; }));
  EXPECT_TRUE(refused([](auto& j) { j["lines"][0]["quantity"] = 1.5; }));
  EXPECT_TRUE(refused([](auto& j) { j["lines"][0]["quantity"] = "1,5"; }));
  EXPECT_TRUE(refused([](auto& j) { j["lines"][0]["taxable"] = "yes"; }));
  EXPECT_TRUE(refused([](auto& j) { j["updatedAt"] = "yesterday"; }));
  EXPECT_TRUE(refused([](auto& j) { j["workOrderId"] = "WO 1001"; }));
}

TEST(Invoice, RefusesTextThatIsNotAnInvoice) {
  for (std::string_view text :
       {"", "null", "[]", "{", "{\"invoiceId\": }", "42", "\"invoice\"", "{}"}) {
    const auto parsed = parse_invoice_text(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, RefusalCode::InvoiceMalformed) << text;
  }
}

TEST(Invoice, ReadsEveryCurrencyAtItsOwnScale) {
  const auto jpy = parse_invoice(invoice_json("JPY", 1));
  ASSERT_TRUE(jpy.ok());
  EXPECT_EQ(jpy->grand_total, (Money{Currencies::JPY, 100}));
  const auto kwd = parse_invoice(invoice_json("KWD", 1000));
  ASSERT_TRUE(kwd.ok());
  EXPECT_EQ(format(kwd->grand_total, MoneyFormat::Screen), "KWD 100.000");
}

TEST(MoneyJson, RoundTrips) {
  const Money m{Currencies::KWD, -1234};
  EXPECT_EQ(money_from_json(money_to_json(m)).value(), m);
}

}  // namespace
}  // namespace pos::checkout
