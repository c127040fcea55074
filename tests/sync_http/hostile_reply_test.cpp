// Hostile replies against the HTTP and billing clients (issue #12, #15): a 200 kB deeply nested
// body never reaches a parser that recurses (it used to crash `pull` with SIGSEGV), a 100 MB
// reply is an oversized reply that the caller treats as offline (it used to be "refused the
// terminal's credentials"), and every request of every endpoint carries X-Correlation-Id.
#include <pos/sync/billing_client.hpp>
#include <pos/sync/http_client.hpp>
#include <pos/sync/integrity.hpp>

#include <gtest/gtest.h>

#include <set>

#include "hostile_server.hpp"

namespace pos::sync {
namespace {

using pos::testing::HostileServer;
using pos::testing::Hostility;

HttpClientConfig configFor(const HostileServer& server) {
  HttpClientConfig c;
  c.baseUrl = server.baseUrl();
  c.token = SecretToken("hostile-test-token");
  c.terminalId = "T-HOSTILE";
  c.connectTimeout = std::chrono::milliseconds(1000);
  c.totalTimeout = std::chrono::milliseconds(20000);
  return c;
}

TEST(JsonNesting, CountsBracketsOutsideStringsOnly) {
  EXPECT_TRUE(json_nesting_within("{}", 1));
  EXPECT_FALSE(json_nesting_within("[[]]", 1));
  EXPECT_TRUE(json_nesting_within("[[]]", 2));
  EXPECT_TRUE(json_nesting_within(R"({"a":"[[[[[[[[[["})", 1));
  EXPECT_TRUE(json_nesting_within(R"({"a":"\"[[[[[[[[[["})", 1));    // an escaped quote
  EXPECT_FALSE(json_nesting_within(R"({"a":"\\",  "b":[[]]})", 2));  // an escaped backslash
  EXPECT_TRUE(json_nesting_within("", 0));
  EXPECT_TRUE(json_nesting_within("]]]]{", 1));  // not valid JSON: the parser refuses it later
  const std::string deep = HostileServer::deepNesting(200 * 1024);
  EXPECT_FALSE(json_nesting_within(deep, kMaxJsonNesting));
  EXPECT_TRUE(parse_outside_json(deep).is_discarded());
  EXPECT_TRUE(parse_outside_json("<html>").is_discarded());
  EXPECT_EQ(parse_outside_json(R"({"a":[1,2]})")["a"][1], 2);
}

TEST(HostileReplies, DeeplyNestedBodyIsMalformedReplyNotACrash) {
  HostileServer server(Hostility::DeepNesting);
  BillingClient billing(configFor(server));
  auto roster = billing.roster({});
  EXPECT_EQ(roster.outcome.outcome, OutcomeClass::Retryable);
  EXPECT_EQ(roster.outcome.transportError, kReplyMalformed);
  EXPECT_TRUE(roster.outcome.body.empty());
  EXPECT_FALSE(roster.value);
  PaymentRequest p;
  p.billingPaymentId = "pay-deep";
  auto posted = billing.postPayment({}, p);
  EXPECT_EQ(posted.outcome.outcome, OutcomeClass::Ambiguous);  // it was sent: maybe applied
  EXPECT_FALSE(posted.ok());
  // The parsers themselves refuse such text too (for bodies read from elsewhere).
  EXPECT_FALSE(parseRoster(HostileServer::deepNesting(200 * 1024)).value);
  EXPECT_FALSE(parseApiError(HostileServer::deepNesting(200 * 1024)));
}

TEST(HostileReplies, HundredMegabyteReplyIsOversizedNotACredentialsProblem) {
  for (auto mode : {Hostility::HugeWithLength, Hostility::HugeChunked}) {
    HostileServer server(mode);
    BillingClient billing(configFor(server));
    auto roster = billing.roster({});
    EXPECT_EQ(roster.outcome.transportError, kReplyTooLarge);
    EXPECT_EQ(roster.outcome.outcome, OutcomeClass::Retryable);  // the caller goes on offline
    EXPECT_NE(roster.outcome.outcome, OutcomeClass::ConfigurationProblem);
    EXPECT_FALSE(roster.value);
  }
}

TEST(HostileReplies, TwoHundredWithAnotherPaymentsBodyIsNoAcknowledgement) {
  HostileServer server(Hostility::OtherPaymentsAck);
  BillingClient billing(configFor(server));
  PaymentRequest p;
  p.billingPaymentId = "pay-mine";
  auto posted = billing.postPayment({}, p);
  EXPECT_TRUE(posted.outcome.ok());
  EXPECT_FALSE(posted.ok());
  EXPECT_FALSE(posted.parseError.empty());
}

// Every endpoint, with no correlation id from the caller: a fresh UUIDv7-shaped one each; with
// one: exactly it. (The roster and invoice GETs carried none before.)
TEST(CorrelationId, EveryEndpointCarriesOne) {
  HostileServer server(Hostility::EmptyObject);
  BillingClient billing(configFor(server));
  auto callAll = [&](const RequestIdentity& who) {
    (void)billing.roster(who);
    (void)billing.reasonCodes(who, ReasonCategory::PoOverride);
    (void)billing.rules(who, "acct-1");
    (void)billing.invoiceFeed(who, "1970-01-01T00:00:00.000Z");
    (void)billing.invoice(who, "inv-1");
    (void)billing.invoiceByWorkOrder(who, "WO-1");
    (void)billing.evaluate(who, "co-1", {});
    (void)billing.capturePo(who, "co-1", "po-1", {});
    (void)billing.overridePo(who, "co-1", {});
    (void)billing.elevate(who, {});
    (void)billing.recordOfflineGrant(who, {});
    (void)billing.postPayment(who, {});
    (void)billing.payments(who, "T-1", "a", "b");
    (void)billing.createReceipt(who, {});
    (void)billing.receiptsByInvoice(who, "inv-1");
    (void)billing.deliverReceipt(who, "rc-1", {});
    (void)billing.reprintReceipt(who, "rc-1", {});
  };
  constexpr std::size_t kEndpoints = 17;
  callAll({});
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), kEndpoints);
  std::set<std::string> ids;
  for (const auto& r : seen) {
    const auto id = r.header("x-correlation-id");
    EXPECT_TRUE(isUuidV7(id)) << r.method << " " << r.path << ": '" << id << "'";
    EXPECT_FALSE(r.header("traceparent").empty()) << r.path;
    EXPECT_EQ(r.header("x-terminal-id"), "T-HOSTILE") << r.path;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), kEndpoints);  // fresh per request when the caller has no checkout

  RequestIdentity who;
  who.correlationId = "0190a4c2-7f00-7abc-8def-0123456789ab";
  who.operatorId = "u-adv";
  callAll(who);
  seen = server.requests();
  ASSERT_EQ(seen.size(), 2 * kEndpoints);
  for (std::size_t i = kEndpoints; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].header("x-correlation-id"), who.correlationId) << seen[i].path;
    EXPECT_EQ(seen[i].header("x-operator-id"), "u-adv") << seen[i].path;
  }
}

TEST(CorrelationId, GeneratedIdsAreUuidV7) {
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(isUuidV7(generateCorrelationId()));
  EXPECT_FALSE(isUuidV7("0190a4c2-7f00-4abc-8def-0123456789ab"));  // version 4
  EXPECT_FALSE(isUuidV7("not-a-uuid"));
}

}  // namespace
}  // namespace pos::sync
