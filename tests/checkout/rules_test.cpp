// Billing rules, their offline evaluation, reason codes, PO formats (RE2) and PO uniqueness.
#include <gtest/gtest.h>

#include "counter_fixture.hpp"

namespace pos::checkout {
namespace {

using nlohmann::json;
using testing::invoice_json;

json rules_json() {
  return json{{"accountId", "ACCT-77"},
              {"isPoRequired", true},
              {"poFormatRegex", "^[A-Z]{2}-[0-9]{6}$"},
              {"poUniquenessScope", "PER_ACCOUNT_ALL_TIME"},
              {"overrideAllowed", true},
              {"overrideRequiresSecondApprover", true},
              {"overrideReasonCodeRequired", true},
              {"partialPaymentsAllowed", false},
              {"chargeAccountEligible", true},
              {"creditLimit", testing::money_json("USD", 500000)},
              {"accountBalance", testing::money_json("USD", 480000)},
              {"offlineElevationAllowed", true},
              {"policyVersion", "2026-11"},
              {"futureField", 1}};
}

Invoice invoice(std::string_view account_type = "COMMERCIAL") {
  auto j = invoice_json();
  j["accountType"] = account_type;
  return parse_invoice(j).value();
}

TEST(BillingRules, ParsesAndEvaluatesOfflineByTheSameType) {
  const auto rules = parse_billing_rules(rules_json());
  ASSERT_TRUE(rules.ok()) << rules.error().detail;
  EXPECT_EQ(rules->po_uniqueness_scope, PoUniquenessScope::PerAccountAllTime);
  const BillingRuleEvaluation e = evaluate_offline(rules.value(), invoice());
  EXPECT_TRUE(e.evaluated_offline);
  EXPECT_TRUE(e.po_required);
  EXPECT_EQ(e.po_format_regex, "^[A-Z]{2}-[0-9]{6}$");
  EXPECT_TRUE(e.override_requires_second_approver);
  EXPECT_FALSE(e.partial_payments_allowed);
  EXPECT_TRUE(e.offline_elevation_allowed);
  EXPECT_EQ(e.credit_available, (Money{Currencies::USD, 20000}));
  EXPECT_FALSE(e.credit_limit_exceeded);
  EXPECT_EQ(e.policy_version, "2026-11");
  EXPECT_FALSE(e.rules_missing);
}

TEST(BillingRules, NullRegexMeansTheDefaultFormatAndUnknownScopeIsKeptUnknown) {
  auto j = rules_json();
  j["poFormatRegex"] = nullptr;
  j["poUniquenessScope"] = "PER_GALAXY";
  const auto rules = parse_billing_rules(j);
  ASSERT_TRUE(rules.ok());
  EXPECT_FALSE(rules->po_format_regex.has_value());
  EXPECT_EQ(rules->po_uniqueness_scope, PoUniquenessScope::Unknown);
}

TEST(BillingRules, NamesMissingFields) {
  auto j = rules_json();
  j.erase("overrideAllowed");
  j.erase("policyVersion");
  const auto rules = parse_billing_rules(j);
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.error().code, RefusalCode::RulesMalformed);
  EXPECT_EQ(rules.error().missing_fields,
            (std::vector<std::string>{"overrideAllowed", "policyVersion"}));
  EXPECT_FALSE(parse_billing_rules(json::array()).ok());
  j = rules_json();
  j["poFormatRegex"] = 5;
  EXPECT_FALSE(parse_billing_rules(j).ok());
}

TEST(OfflineEvaluation, MissingRulesBlockABusinessAccountButNotAConsumer) {
  const BillingRuleEvaluation business = evaluate_offline(std::nullopt, invoice("COMMERCIAL"));
  EXPECT_TRUE(business.evaluated_offline);
  EXPECT_TRUE(business.rules_missing);
  EXPECT_TRUE(business.po_required);
  EXPECT_TRUE(business.override_allowed);
  ASSERT_EQ(business.messages.size(), 1u);
  EXPECT_EQ(business.messages[0].code, "BILLING_RULES_MISSING");
  EXPECT_EQ(business.messages[0].severity, MessageSeverity::Blocking);
  // An account type the terminal does not know is a business account too.
  EXPECT_TRUE(evaluate_offline(std::nullopt, invoice("GOVERNMENT")).rules_missing);

  const BillingRuleEvaluation consumer = evaluate_offline(std::nullopt, invoice("CONSUMER"));
  EXPECT_FALSE(consumer.rules_missing);
  EXPECT_FALSE(consumer.po_required);
  EXPECT_TRUE(consumer.messages.empty());
}

TEST(OfflineEvaluation, CreditLimitExceededWhenTheBalanceIsOverTheLimit) {
  auto j = rules_json();
  j["accountBalance"] = testing::money_json("USD", 500001);
  const auto e = evaluate_offline(parse_billing_rules(j).value(), invoice());
  EXPECT_TRUE(e.credit_limit_exceeded);
}

TEST(RuleEvaluation, ParsesTheBackendsAnswerAndRoundTripsWithTerminalFields) {
  const json online{
      {"policyVersion", "v9"},
      {"poRequired", true},
      {"poFormatRegex", nullptr},
      {"poUniquenessScope", "PER_ORDER"},
      {"overrideAllowed", true},
      {"overrideRequiresSecondApprover", false},
      {"overrideReasonCodeRequired", true},
      {"chargeAccountEligible", false},
      {"creditLimitExceeded", false},
      {"partialPaymentsAllowed", true},
      {"messages",
       json::array({{{"code", "PO_HINT"}, {"severity", "INFO"}, {"text", "Ask for the PO"}},
                    {{"code", "X"}, {"severity", "SHOUTING"}, {"text", "?"}}})}};
  const auto e = parse_rule_evaluation(online);
  ASSERT_TRUE(e.ok()) << e.error().detail;
  EXPECT_FALSE(e->evaluated_offline);
  EXPECT_EQ(e->messages[1].severity, MessageSeverity::Unknown);
  const auto back = parse_rule_evaluation(to_json(e.value()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), e.value());

  const auto offline = evaluate_offline(parse_billing_rules(rules_json()).value(), invoice());
  EXPECT_EQ(parse_rule_evaluation(to_json(offline)).value(), offline);

  json broken = online;
  broken.erase("poRequired");
  EXPECT_EQ(parse_rule_evaluation(broken).error().missing_fields,
            std::vector<std::string>{"poRequired"});
}

TEST(ReasonCodes, ParseAndFind) {
  const auto codes = parse_reason_codes(json{
      {"reasonCodes",
       json::array(
           {{{"code", "CUSTOMER_PO_PENDING"}, {"label", "PO to follow"}, {"requiresNotes", true}},
            {{"code", "FLEET_AGREEMENT"}, {"label", "Fleet"}, {"requiresNotes", false}}})}});
  ASSERT_TRUE(codes.ok());
  ASSERT_NE(codes->find("CUSTOMER_PO_PENDING"), nullptr);
  EXPECT_TRUE(codes->find("CUSTOMER_PO_PENDING")->requires_notes);
  EXPECT_EQ(codes->find("NOPE"), nullptr);
  EXPECT_FALSE(parse_reason_codes(json{{"reasonCodes", json::array({{{"code", "A"}}})}}).ok());
}

struct PoRow {
  std::optional<std::string> pattern;
  std::string po;
  std::optional<RefusalCode> refusal;
};

TEST(PoFormat, TableOfFormats) {
  const std::optional<std::string> kDefault;
  const std::optional<std::string> kAccount = "^[A-Z]{2}-[0-9]{6}$";
  const std::optional<std::string> kUnanchored = "[0-9]{4}";
  for (const PoRow& row : {
           PoRow{kDefault, "ABC", std::nullopt},
           PoRow{kDefault, "po-2026_11", std::nullopt},  // case-insensitive
           PoRow{kDefault, std::string(30, 'A'), std::nullopt},
           PoRow{kDefault, "AB", RefusalCode::PoFormatInvalid},
           PoRow{kDefault, std::string(31, 'A'), RefusalCode::PoFormatInvalid},
           PoRow{kDefault, "PO 123", RefusalCode::PoFormatInvalid},
           PoRow{kDefault, "PO#123", RefusalCode::PoFormatInvalid},
           PoRow{kDefault, "", RefusalCode::PoFormatInvalid},
           PoRow{kDefault, "caf\xC3\xA9-1", RefusalCode::PoFormatInvalid},
           PoRow{kAccount, "AB-123456", std::nullopt},
           PoRow{kAccount, "ab-123456", RefusalCode::PoFormatInvalid},
           PoRow{kAccount, "AB-1234567", RefusalCode::PoFormatInvalid},
           PoRow{kAccount, "XAB-123456", RefusalCode::PoFormatInvalid},
           PoRow{kUnanchored, "1234", std::nullopt},
           PoRow{kUnanchored, "PO-1234", RefusalCode::PoFormatInvalid},  // whole match, not search
           PoRow{kUnanchored, "12345", RefusalCode::PoFormatInvalid},
           PoRow{kDefault, "4242424242424242", RefusalCode::CardNumberRefused},
           PoRow{std::string("[0-9]{16}"), "4242424242424242", RefusalCode::CardNumberRefused},
           PoRow{kDefault, std::string(65, '1').substr(0, 12) + std::string(53, 'A'),
                 RefusalCode::PoFormatInvalid},
       }) {
    const auto format = PoFormat::for_pattern(row.pattern);
    const auto checked = format.check(row.po);
    if (row.refusal) {
      ASSERT_FALSE(checked.ok()) << row.po;
      EXPECT_EQ(checked.error().code, *row.refusal) << row.po;
    } else {
      EXPECT_TRUE(checked.ok()) << row.po << " against " << format.pattern();
    }
  }
}

TEST(PoFormat, AnUncompilablePatternBlocksCaptureWithAClearMessage) {
  for (std::string pattern : {"^[A-Z{2}$", "(unclosed", "a{2,1}", "\\", "(?<name", "x**"}) {
    const auto format = PoFormat::for_pattern(pattern);
    EXPECT_FALSE(format.usable()) << pattern;
    EXPECT_NE(format.problem().find("cannot be used"), std::string::npos) << format.problem();
    const auto checked = format.check("AB-123456");
    ASSERT_FALSE(checked.ok());
    EXPECT_EQ(checked.error().code, RefusalCode::PoPatternUnusable);
    EXPECT_EQ(checked.error().detail, format.problem());
  }
}

TEST(PoFormat, LimitsPatternLengthAndProgramSize) {
  const auto too_long = PoFormat::for_pattern(std::string(kMaxPoPatternLength + 1, 'a'));
  EXPECT_FALSE(too_long.usable());
  EXPECT_EQ(too_long.check("aaa").error().code, RefusalCode::PoPatternUnusable);
  // Short to write, huge to compile: RE2 refuses it under the memory budget.
  EXPECT_FALSE(PoFormat::for_pattern("((((a{100}){100}){100}){100})").usable());
  EXPECT_TRUE(PoFormat::for_pattern(std::string(kMaxPoPatternLength, 'a')).usable());
}

TEST(PoFormat, NormalizeKeepsTheTypedPoButTrimsSpaces) {
  EXPECT_EQ(normalize_po("  AB-123456\t"), "AB-123456");
  EXPECT_EQ(normalize_po("ab 12"), "ab 12");
}

TEST(PoUniqueness, EachScope) {
  const InvoiceId here = *InvoiceId::parse("01936f3e-8a7b-7c3d-9e4f-0123456789ab");
  const InvoiceId other = *InvoiceId::parse("01936f3e-8a7b-7c3d-9e4f-0123456789ac");
  const std::vector<KnownPo> open{{"AB-123456", other, true}};
  const std::vector<KnownPo> closed{{"AB-123456", other, false}};
  const std::vector<KnownPo> same_invoice{{"AB-123456", here, true}};
  EXPECT_FALSE(po_clashes("AB-123456", PoUniquenessScope::PerOrder, here, open));
  EXPECT_TRUE(po_clashes("AB-123456", PoUniquenessScope::PerAccountOpenOrders, here, open));
  EXPECT_TRUE(po_clashes("ab-123456", PoUniquenessScope::PerAccountOpenOrders, here, open));
  EXPECT_FALSE(po_clashes("AB-123456", PoUniquenessScope::PerAccountOpenOrders, here, closed));
  EXPECT_TRUE(po_clashes("AB-123456", PoUniquenessScope::PerAccountAllTime, here, closed));
  EXPECT_TRUE(po_clashes("AB-123456", PoUniquenessScope::Unknown, here, closed));
  EXPECT_FALSE(po_clashes("AB-123456", PoUniquenessScope::PerAccountAllTime, here, same_invoice));
  EXPECT_FALSE(po_clashes("AB-654321", PoUniquenessScope::PerAccountAllTime, here, closed));
}

TEST(CardNumbers, ARunOfThirteenOrMoreDigitsIsACardNumber) {
  for (std::string_view text :
       {"4242424242424242", "x4111111111111y", "1234567890123", "4242 4242 4242 4242",
        "3782 822463 10005", "6011000990139424123",
        // Issue 15: a dash or a dot does not end the run (4111-1111-1111-1111 is a card).
        "1234-5678-9012-3456", "4111.1111.1111.1111"}) {
    EXPECT_TRUE(looks_like_card_number(text)) << text;
  }
  for (std::string_view text :
       {"", "123456789012", "AB-123456", "4242", "12 34", "A1B2C3", "12-34-56"}) {
    EXPECT_FALSE(looks_like_card_number(text)) << text;
  }
}

}  // namespace
}  // namespace pos::checkout
