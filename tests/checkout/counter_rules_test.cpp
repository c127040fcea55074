// Rules added for the counter engine: checks that run before a supervisor is asked
// (check_override_request, check_reprint_request), per-currency payment limits, card numbers
// written with separators, and e-mail addresses typed at the counter.
#include <gtest/gtest.h>

#include "counter_fixture.hpp"

namespace pos::checkout {
namespace {

using namespace testing;

OverridePo override_request(std::string reason, std::string notes,
                            std::string_view op = "advisor") {
  return OverridePo{user(op), std::move(reason), std::move(notes), {}, nullptr};
}

const ReasonCodes& reasons() {
  static const ReasonCodes codes{std::vector<ReasonCode>{
      {"PO_TO_FOLLOW", "PO to follow", true}, {"FLEET_AGREEMENT", "Fleet agreement", false}}};
  return codes;
}

TEST(OverrideRequest, EveryCheckThatNeedsNoApproverRunsFirst) {
  Counter counter;
  Checkout checkout = counter.start();
  struct Row {
    std::string_view op;
    std::string reason, notes;
    std::optional<RefusalCode> refusal;
  };
  for (const Row& row : {
           Row{"advisor", "PO_TO_FOLLOW", "mailed Monday", std::nullopt},
           Row{"advisor", "FLEET_AGREEMENT", "", std::nullopt},
           Row{"cashier", "PO_TO_FOLLOW", "mailed Monday", RefusalCode::PermissionMissing},
           Row{"ghost", "PO_TO_FOLLOW", "mailed Monday", RefusalCode::OperatorUnknown},
           Row{"advisor", "NO_SUCH_CODE", "x", RefusalCode::ReasonCodeUnknown},
           Row{"advisor", "", "x", RefusalCode::ReasonCodeRequired},
           Row{"advisor", "PO_TO_FOLLOW", "  ", RefusalCode::NotesRequired},
           Row{"advisor", "PO_TO_FOLLOW", "card 4111-1111-1111-1111",
               RefusalCode::CardNumberRefused},
       }) {
    SCOPED_TRACE(std::string(row.op) + " " + row.reason);
    OverridePo request = override_request(row.reason, row.notes, row.op);
    request.reason_codes = &reasons();
    const auto refusal = checkout.check_override_request(request, counter.roster);
    if (row.refusal) {
      ASSERT_TRUE(refusal.has_value());
      EXPECT_EQ(refusal->code, *row.refusal) << refusal->code_text();
    } else {
      EXPECT_FALSE(refusal.has_value()) << refusal->code_text();
    }
  }
  EXPECT_EQ(checkout.override_approvers_needed(), 1u);
}

TEST(OverrideRequest, AnAccountWhoseOverrideIsNotAllowedIsRefusedBeforeAnyApprover) {
  Counter counter;
  BillingRuleEvaluation no_override = strict_evaluation();
  no_override.override_allowed = false;
  no_override.override_requires_second_approver = true;
  Checkout checkout = counter.start(invoice_json(), no_override);
  OverridePo request = override_request("FLEET_AGREEMENT", "");
  const auto refusal = checkout.check_override_request(request, counter.roster);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, RefusalCode::OverrideNotAllowed);
  EXPECT_EQ(checkout.override_approvers_needed(), 2u);
}

TEST(ReprintRequest, CountWindowAndReasonAreCheckedBeforeAnyApprover) {
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(1000);
  ASSERT_TRUE(checkout.take_payment(pay, ctx).accepted());
  const ReceiptId receipt = checkout.receipts().back().receipt_id;
  const ReasonCodes reprint_reasons{std::vector<ReasonCode>{{"CUSTOMER_COPY", "Copy", false}}};
  const auto request = [&](ReprintPolicy policy, std::string reason, std::string_view op) {
    return ReprintReceipt{user(op), receipt, policy, t0(), std::move(reason), &reprint_reasons, {}};
  };
  const ReprintPolicy open{2, t0() + 24h, true, true};
  EXPECT_FALSE(checkout.check_reprint_request(request(open, "CUSTOMER_COPY", "advisor"),
                                              counter.roster, ctx.now));
  EXPECT_EQ(
      checkout
          .check_reprint_request(request(open, "CUSTOMER_COPY", "cashier"), counter.roster, ctx.now)
          ->code,
      RefusalCode::PermissionMissing);
  EXPECT_EQ(
      checkout.check_reprint_request(request(open, "BAD", "advisor"), counter.roster, ctx.now)
          ->code,
      RefusalCode::ReasonCodeUnknown);
  EXPECT_EQ(
      checkout.check_reprint_request(request(open, "", "advisor"), counter.roster, ctx.now)->code,
      RefusalCode::ReasonCodeRequired);
  EXPECT_EQ(
      checkout
          .check_reprint_request(request({0, std::nullopt, true, true}, "CUSTOMER_COPY", "advisor"),
                                 counter.roster, ctx.now)
          ->code,
      RefusalCode::ReprintNotAllowed);
  EXPECT_EQ(
      checkout
          .check_reprint_request(request({2, t0() - 1h, true, true}, "CUSTOMER_COPY", "advisor"),
                                 counter.roster, ctx.now)
          ->code,
      RefusalCode::ReprintWindowClosed);
}

TEST(PaymentLimits, PerCurrencyLimitsApplyInTheirCurrencyAndAnUnnamedOneNeedsASupervisor) {
  Counter counter;
  const Staff* eve = counter.roster.find(user("cashier-eu"));
  ASSERT_NE(eve, nullptr);
  EXPECT_EQ(eve->limit_in(Currencies::USD), Money(Currencies::USD, 5000));
  EXPECT_EQ(eve->limit_in(Currencies::EUR), Money(Currencies::EUR, 8000));
  EXPECT_EQ(eve->limit_in(Currencies::JPY), Money::zero(Currencies::JPY));
  const Staff* ada = counter.roster.find(user("advisor"));
  EXPECT_FALSE(ada->limit_in(Currencies::JPY).has_value());
  const Staff* cal = counter.roster.find(user("cashier"));
  EXPECT_EQ(cal->limit_in(Currencies::EUR), Money::zero(Currencies::EUR));

  Checkout eur = counter.start(invoice_json("EUR", 10000), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment within = cash(7000, "cashier-eu");
  within.amount = Money{Currencies::EUR, 7000};
  EXPECT_TRUE(eur.take_payment(within, ctx).accepted());
  TakePayment over = cash(9000, "cashier-eu");
  over.amount = Money{Currencies::EUR, 9000};
  const Decision refused = eur.take_payment(over, ctx);
  ASSERT_FALSE(refused.accepted());
  EXPECT_EQ(refused.refusal->code, RefusalCode::PaymentOverLimit);
}

TEST(PaymentLimits, TheRosterReadsPaymentLimitsAndRefusesTwoForOneCurrency) {
  SodiumRandomSource random;
  const auto verifier = to_json(make_pin_verifier(SecretText{"1111"}, random, 1, 8192));
  const auto roster_with = [&](nlohmann::json limits) {
    return nlohmann::json{{"issuedAt", "2026-11-21T08:00:00Z"},
                          {"maxOfflineAgeSeconds", 86400},
                          {"staff",
                           {{{"userId", "eve"},
                             {"displayName", "Eve"},
                             {"permissions", nlohmann::json::array()},
                             {"pinVerifier", verifier},
                             {"paymentLimits", limits}}}}};
  };
  auto good = parse_roster(roster_with({money_json("USD", 5000), money_json("EUR", 8000)}));
  ASSERT_TRUE(good.ok()) << good.error().detail;
  EXPECT_EQ(good.value().staff().front().payment_limits.size(), 2u);
  EXPECT_FALSE(parse_roster(roster_with({money_json("USD", 5000), money_json("USD", 10)})).ok());
  EXPECT_FALSE(parse_roster(roster_with({{{"currency", "USD"}, {"amountMinor", 1.5}}})).ok());
  EXPECT_FALSE(parse_roster(roster_with("USD 50")).ok());
}

// Issue 15: with 2,000.00 of 2,500.00 used, an offline charge of 500.00 fits and then one of
// 10.00 does not: every unsynced charge to the account counts against the credit.
TEST(AccountCharges, EveryUnsyncedChargeCountsAgainstTheCredit) {
  Counter counter;
  BillingRuleEvaluation charge = relaxed_evaluation();
  charge.charge_account_eligible = true;
  charge.credit_available = Money{Currencies::USD, 50000};
  Checkout checkout = counter.start(invoice_json("USD", 100000), charge);
  auto ctx = counter.context();
  TakePayment first = cash(50000);
  first.tender = TenderEntry::account();
  first.unsynced_account_charges = Money::zero(Currencies::USD);
  EXPECT_FALSE(checkout.check_payment_entry(first, counter.roster, ctx.now).has_value());
  TakePayment second = cash(1000);
  second.tender = TenderEntry::account();
  second.unsynced_account_charges = Money{Currencies::USD, 50000};
  const auto refused = checkout.check_payment_entry(second, counter.roster, ctx.now);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, RefusalCode::CreditLimitExceeded);
  second.unsynced_account_charges = Money{Currencies::USD, 49000};
  EXPECT_FALSE(checkout.check_payment_entry(second, counter.roster, ctx.now).has_value());
}

TEST(CardNumbers, DigitRunsAcrossSpacesDashesAndDotsAreCardNumbers) {
  for (std::string_view text : {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
                                "4111.1111.1111.1111", "PO 4242-4242-4242-4242 ok"}) {
    EXPECT_TRUE(looks_like_card_number(text)) << text;
  }
  for (std::string_view text : {"AB-123456", "INV-1001-2026", "12-34", "123456789012"}) {
    EXPECT_FALSE(looks_like_card_number(text)) << text;
  }
  TenderEntry cheque = TenderEntry::check("4111-1111-1111-1111");
  Counter counter;
  Checkout checkout = counter.start(invoice_json(), relaxed_evaluation());
  auto ctx = counter.context();
  TakePayment pay = cash(1000);
  pay.tender = cheque;
  const Decision d = checkout.take_payment(pay, ctx);
  ASSERT_FALSE(d.accepted());
  EXPECT_EQ(d.refusal->code, RefusalCode::CardNumberRefused);
}

TEST(EmailAddress, OnlyPlainAddressesAreAccepted) {
  for (std::string_view good :
       {"a@b.co", "jordan.rivera+receipts@example.com", "x_y@mail.ex-ample.org"})
    EXPECT_FALSE(check_email_address(good).has_value()) << good;
  const std::string long_address = std::string(250, 'a') + "@b.co";
  for (std::string_view bad :
       {std::string_view(""), std::string_view("plain"), std::string_view("a@b"),
        std::string_view("a@@b.co"), std::string_view("a@b.co\r\nBcc: x@y.z"),
        std::string_view("a\x1b[2J@b.co"), std::string_view("a b@c.co"),
        std::string_view(".a@b.co"), std::string_view("a..b@c.co"), std::string_view("a@-b.co"),
        std::string_view("a@b..co"), std::string_view("jörg@b.co"), std::string_view(long_address),
        std::string_view("a@b.co\0x", 8)}) {
    const auto refusal = check_email_address(bad);
    ASSERT_TRUE(refusal.has_value()) << bad;
    EXPECT_EQ(refusal->code, RefusalCode::EmailInvalid);
  }
  const auto card = check_email_address("4111111111111111@example.com");
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->code, RefusalCode::CardNumberRefused);
}

}  // namespace
}  // namespace pos::checkout
