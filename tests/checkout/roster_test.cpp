// Roster parsing, Argon2id PIN verifiers, secrets, permissions, the refusal table, traceparent.
#include <gtest/gtest.h>

#include <pos/checkout/trace_context.hpp>

#include <set>

#include "counter_fixture.hpp"

namespace pos::checkout {
namespace {

using nlohmann::json;
using testing::t0;
using testing::user;

json roster_json(RandomSource& random) {
  const PinVerifier v = make_pin_verifier(SecretText{"2468"}, random, 1, 8192);
  return json{
      {"staff",
       json::array({{{"userId", "sup1"},
                     {"displayName", "Sam"},
                     {"permissions",
                      {"billing:auth:elevate", "billing:checkout:po:override", "billing:made-up"}},
                     {"pinVerifier", to_json(v)},
                     {"paymentLimit", nullptr}},
                    {{"userId", "cashier"},
                     {"displayName", "Cal"},
                     {"permissions", {"billing:receipt:view"}},
                     {"pinVerifier", to_json(v)},
                     {"paymentLimit", testing::money_json("USD", 5000)}}})},
      {"issuedAt", "2026-11-21T08:00:00Z"},
      {"maxOfflineAgeSeconds", 86400}};
}

TEST(Roster, ParsesStaffPermissionsVerifiersAndLimits) {
  SodiumRandomSource random;
  const auto roster = parse_roster(roster_json(random));
  ASSERT_TRUE(roster.ok()) << roster.error().detail;
  const Staff* sup = roster->find(user("sup1"));
  ASSERT_NE(sup, nullptr);
  EXPECT_TRUE(sup->permissions.has(Permission::AuthElevate));
  EXPECT_TRUE(sup->permissions.has(Permission::PoOverride));
  EXPECT_FALSE(sup->permissions.has(Permission::PoCapture));
  EXPECT_FALSE(sup->payment_limit.has_value());
  EXPECT_EQ(roster->find(user("cashier"))->payment_limit, (Money{Currencies::USD, 5000}));
  EXPECT_EQ(roster->find(user("nobody")), nullptr);
  EXPECT_TRUE(pin_matches(sup->pin_verifier, SecretText{"2468"}));
  EXPECT_FALSE(pin_matches(sup->pin_verifier, SecretText{"2469"}));
  EXPECT_FALSE(pin_matches(sup->pin_verifier, SecretText{""}));
}

TEST(Roster, FreshOnlyWithinMaxOfflineAge) {
  SodiumRandomSource random;
  const auto roster = parse_roster(roster_json(random)).value();
  const Timestamp issued = *parse_rfc3339("2026-11-21T08:00:00Z");
  EXPECT_TRUE(roster.fresh_at(issued));
  EXPECT_TRUE(roster.fresh_at(issued + std::chrono::seconds{86400}));
  EXPECT_FALSE(roster.fresh_at(issued + std::chrono::seconds{86401}));
  EXPECT_FALSE(roster.fresh_at(issued - std::chrono::seconds{86401}));
}

TEST(Roster, RefusesMalformedEntriesNamingTheField) {
  SodiumRandomSource random;
  const auto refused_at = [&random](auto mutate, std::string_view field) {
    json j = roster_json(random);
    mutate(j);
    const auto roster = parse_roster(j);
    if (roster.ok()) return ::testing::AssertionFailure() << "accepted";
    if (roster.error().code != RefusalCode::RosterMalformed)
      return ::testing::AssertionFailure() << "code";
    if (roster.error().detail.find(field) == std::string::npos) {
      return ::testing::AssertionFailure() << roster.error().detail;
    }
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(refused_at([](json& j) { j.erase("issuedAt"); }, "issuedAt"));
  EXPECT_TRUE(refused_at([](json& j) { j["maxOfflineAgeSeconds"] = -1; }, "maxOfflineAgeSeconds"));
  EXPECT_TRUE(
      refused_at([](json& j) { j["staff"][0].erase("pinVerifier"); }, "staff[0].pinVerifier"));
  EXPECT_TRUE(refused_at([](json& j) { j["staff"][0]["pinVerifier"]["alg"] = "bcrypt"; }, "alg"));
  EXPECT_TRUE(
      refused_at([](json& j) { j["staff"][0]["pinVerifier"]["salt"] = "c2hvcnQ="; }, "salt"));
  EXPECT_TRUE(refused_at([](json& j) { j["staff"][1]["pinVerifier"]["hash"] = "!!"; },
                         "staff[1].pinVerifier.hash"));
  EXPECT_TRUE(
      refused_at([](json& j) { j["staff"][0]["pinVerifier"]["opsLimit"] = 1000; }, "opsLimit"));
  EXPECT_TRUE(refused_at([](json& j) { j["staff"][0]["pinVerifier"]["memLimitBytes"] = 1LL << 40; },
                         "memLimitBytes"));
  EXPECT_TRUE(refused_at([](json& j) { j["staff"][0]["permissions"] = {1, 2}; }, "permissions"));
  EXPECT_TRUE(refused_at([](json& j) { j["staff"][1]["paymentLimit"] = 50; }, "paymentLimit"));
}

TEST(SecretText, IsWipedAndCannotBeCopied) {
  static_assert(!std::is_copy_constructible_v<SecretText>);
  static_assert(!std::is_copy_assignable_v<SecretText>);
  SecretText pin{"2468"};
  EXPECT_EQ(pin.reveal(), "2468");
  SecretText moved = std::move(pin);
  EXPECT_TRUE(pin.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(moved.reveal(), "2468");
  moved.wipe();
  EXPECT_TRUE(moved.empty());
  std::string typed = "9999";
  SecretText taken = SecretText::take(typed);
  EXPECT_TRUE(typed.empty());
  EXPECT_EQ(taken.reveal(), "9999");
}

TEST(Permissions, CanonicalStringsRoundTripAndNothingElseIsAPermission) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < static_cast<std::size_t>(Permission::kCount); ++i) {
    const auto p = static_cast<Permission>(i);
    EXPECT_EQ(permission_from_string(to_string(p)), p);
    EXPECT_TRUE(to_string(p).starts_with("billing:"));
    EXPECT_TRUE(seen.insert(to_string(p)).second);
  }
  EXPECT_EQ(to_string(Permission::PoCapture), "billing:checkout:po:capture");
  EXPECT_EQ(to_string(Permission::PoOverride), "billing:checkout:po:override");
  EXPECT_EQ(to_string(Permission::AuthElevate), "billing:auth:elevate");
  EXPECT_EQ(to_string(Permission::ReceiptReprint), "billing:receipt:reprint");
  EXPECT_FALSE(permission_from_string("BILLING:AUTH:ELEVATE").has_value());
  EXPECT_FALSE(permission_from_string("billing:auth:elevate ").has_value());
  EXPECT_FALSE(permission_from_string("billing:*").has_value());
}

TEST(Refusals, EveryCodeHasAUniqueStableNameAndAMessage) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < static_cast<std::size_t>(RefusalCode::kCount); ++i) {
    const auto code = static_cast<RefusalCode>(i);
    EXPECT_FALSE(message(code).empty());
    EXPECT_TRUE(names.insert(to_string(code)).second) << to_string(code);
    RefusalCode back{};
    ASSERT_TRUE(refusal_code_from_string(to_string(code), back));
    EXPECT_EQ(back, code);
  }
  // The contract's spellings.
  EXPECT_EQ(to_string(RefusalCode::InvoiceTotalsInconsistent), "INVOICE_TOTALS_INCONSISTENT");
  EXPECT_EQ(to_string(RefusalCode::InvoiceStatusUnknown), "INVOICE_STATUS_UNKNOWN");
  EXPECT_EQ(to_string(RefusalCode::BillingRulesMissing), "BILLING_RULES_MISSING");
  EXPECT_EQ(to_string(RefusalCode::SecondApproverRequired), "SECOND_APPROVER_REQUIRED");
  EXPECT_EQ(to_string(RefusalCode::OfflineLimitExceeded), "OFFLINE_LIMIT_EXCEEDED");
  RefusalCode unused{};
  EXPECT_FALSE(refusal_code_from_string("NOT_A_CODE", unused));
}

TEST(TraceParent, GeneratesOneTracePerCheckoutAndANewSpanPerRequest) {
  SodiumRandomSource random;
  const TraceParent trace = TraceParent::start_trace(random);
  const std::string text = trace.to_string();
  ASSERT_EQ(text.size(), 55u);
  EXPECT_TRUE(text.starts_with("00-"));
  EXPECT_TRUE(text.ends_with("-01"));
  EXPECT_EQ(TraceParent::parse(text), trace);
  const TraceParent next = trace.next_span(random);
  EXPECT_EQ(next.trace_id(), trace.trace_id());
  EXPECT_NE(next.span_id(), trace.span_id());
  EXPECT_TRUE(next.sampled());
}

TEST(TraceParent, ValidatesPerW3C) {
  const std::string good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  ASSERT_TRUE(TraceParent::parse(good).has_value());
  EXPECT_EQ(TraceParent::parse(good)->trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(TraceParent::parse(good)->span_id_hex(), "00f067aa0ba902b7");
  EXPECT_FALSE(
      TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled());
  // A later version may add fields.
  EXPECT_TRUE(TraceParent::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")
                  .has_value());
  for (std::string_view bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero span id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // v00 is exact
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
       }) {
    EXPECT_FALSE(TraceParent::parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace pos::checkout
