// Strict parsing of every response the terminal uses, with malformed input: missing fields are
// named, wrong types refused, unknown enum values kept as unknown, unknown extra fields accepted.
#include <pos/sync/billing_client.hpp>
#include <pos/sync/http_trace_context.hpp>

#include <gtest/gtest.h>

namespace pos::sync {
namespace {

TEST(TraceContext, FormatsAndParsesStrictly) {
  const TraceId t = TraceId::generate();
  const std::string span = generateSpanId();
  ASSERT_EQ(span.size(), 16u);
  const std::string header = formatTraceparent(t, span);
  auto parsed = parseTraceparent(header);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->traceId, t.hex());
  EXPECT_EQ(parsed->spanId, span);
  EXPECT_NE(TraceId::generate(), t);
  EXPECT_NE(generateSpanId(), span);
  for (const char* bad : {"", "00-", "01-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
                          "00-00000000000000000000000000000000-0123456789abcdef-01",
                          "00-0123456789abcdef0123456789abcdef-0000000000000000-01",
                          "00-0123456789ABCDEF0123456789abcdef-0123456789abcdef-01",
                          "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01-extra",
                          "00-0123456789abcdef0123456789abcde-0123456789abcdef-01"}) {
    EXPECT_FALSE(parseTraceparent(bad)) << bad;
  }
  EXPECT_FALSE(TraceId::parse("0123"));
  EXPECT_TRUE(TraceId::parse("0123456789abcdef0123456789abcdef"));
}

TEST(ApiErrorBody, ParsesTheContractShapeAndRefusesOthers) {
  auto e = parseApiError(
      R"({"errorCode":"PO_FORMAT_INVALID","message":"m","reasonCode":"r","missingFields":["a"],"blockers":[],"correlationId":"c","extra":1})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->errorCode, "PO_FORMAT_INVALID");
  EXPECT_EQ(e->missingFields, std::vector<std::string>{"a"});
  EXPECT_EQ(e->correlationId, "c");
  for (const char* bad : {"", "null", "[]", "{}", R"({"errorCode": 5})", R"({"errorCode": ""})",
                          "<html>502 Bad Gateway</html>", R"({"errorCode":"X")"}) {
    EXPECT_FALSE(parseApiError(bad)) << bad;
  }
}

TEST(ResponseParsing, RosterNamesTheMissingOrMistypedField) {
  const std::string good = R"({"staff":[{"userId":"u","displayName":"U","permissions":["p"],
    "pinVerifier":{"alg":"argon2id","salt":"c2FsdA==","opsLimit":2,"memLimitBytes":8192,"hash":"aGFzaA=="},
    "paymentLimit":null,"future":"ignored"}],"issuedAt":"2026-11-21T10:00:00Z","maxOfflineAgeSeconds":86400})";
  auto ok = parseRoster(good);
  ASSERT_TRUE(ok.value) << ok.error;
  EXPECT_FALSE(ok.value->staff[0].paymentLimit);
  struct Case {
    std::string body, error;
  };
  const std::vector<Case> cases = {
      {"not json", "body: not JSON"},
      {"[]", "body: not an object"},
      {R"({"issuedAt":"t","maxOfflineAgeSeconds":1})", "staff: missing"},
      {R"({"staff":{},"issuedAt":"t","maxOfflineAgeSeconds":1})", "staff: not an array"},
      {R"({"staff":[{"userId":"u","displayName":"U","permissions":[]}],"issuedAt":"t","maxOfflineAgeSeconds":1})",
       "staff[0].pinVerifier: missing"},
      {R"({"staff":[{"userId":7,"displayName":"U","permissions":[]}],"issuedAt":"t","maxOfflineAgeSeconds":1})",
       "staff[0].userId: not a string"},
      {R"({"staff":[],"issuedAt":"t","maxOfflineAgeSeconds":"1"})",
       "maxOfflineAgeSeconds: not an integer"},
      {R"({"staff":[{"userId":"u","displayName":"U","permissions":[],"paymentLimit":{"currency":"usd","amountMinor":1},
        "pinVerifier":{"alg":"argon2id","salt":"s","opsLimit":2,"memLimitBytes":8192,"hash":"h"}}],"issuedAt":"t","maxOfflineAgeSeconds":1})",
       "staff[0].paymentLimit: currency is not an ISO 4217 code"},
      {R"({"staff":[{"userId":"u","displayName":"U","permissions":[],
        "pinVerifier":{"alg":"argon2id","salt":"s","opsLimit":0,"memLimitBytes":8192,"hash":"h"}}],"issuedAt":"t","maxOfflineAgeSeconds":1})",
       "staff[0].pinVerifier: limits must be positive"},
  };
  for (const auto& k : cases) {
    auto r = parseRoster(k.body);
    EXPECT_FALSE(r.value) << k.body;
    EXPECT_EQ(r.error, k.error) << k.body;
  }
}

TEST(ResponseParsing, UnknownEnumValuesAreKeptAsUnknown) {
  auto eval = parseEvaluation(R"({"policyVersion":"v","poRequired":true,"poFormatRegex":null,
    "poUniquenessScope":"PER_GALAXY","overrideAllowed":false,"overrideRequiresSecondApprover":false,
    "overrideReasonCodeRequired":true,"chargeAccountEligible":false,"creditLimitExceeded":false,
    "partialPaymentsAllowed":true,"messages":[{"code":"X","severity":"CATASTROPHIC","text":"t"}]})");
  ASSERT_TRUE(eval.value) << eval.error;
  EXPECT_FALSE(eval.value->poUniquenessScope.known);
  EXPECT_EQ(eval.value->poUniquenessScope.raw, "PER_GALAXY");
  EXPECT_FALSE(eval.value->messages[0].severity.known);
  EXPECT_EQ(eval.value->messages[0].severity.raw, "CATASTROPHIC");

  auto paid = parsePaymentPosted(R"({"billingPaymentId":"p","status":"POSTED",
    "invoice":{"invoiceId":"i","status":"DISPUTED","balanceDue":{"currency":"USD","amountMinor":0}}})");
  ASSERT_TRUE(paid.value) << paid.error;
  EXPECT_TRUE(paid.value->status.known);
  EXPECT_FALSE(paid.value->invoiceStatus.known);
  EXPECT_EQ(paid.value->invoiceStatus.raw, "DISPUTED");

  auto receipts = parseReceiptRecords(R"({"receipts":[{"receiptId":"r","billingPaymentId":"p",
    "deliveryStatus":"LOST_IN_SPACE","deliverySuppressed":false,"reprintCount":0,
    "reprintPolicy":{"remainingReprints":1,"windowEndsAt":"t","requiresReasonCode":true,"requiresElevation":false},
    "allowedActions":["PRINT","TELEPORT"]}]})");
  ASSERT_TRUE(receipts.value) << receipts.error;
  EXPECT_FALSE((*receipts.value)[0].deliveryStatus.known);
  EXPECT_TRUE((*receipts.value)[0].allowedActions[0].known);
  EXPECT_FALSE((*receipts.value)[0].allowedActions[1].known);
  EXPECT_EQ((*receipts.value)[0].allowedActions[1].raw, "TELEPORT");
}

TEST(ResponseParsing, MalformedBodiesOfEveryParserAreRefused) {
  for (const char* bad : {"", "{", "null", "[]", "42", R"({"unexpected":true})"}) {
    EXPECT_FALSE(parseReasonCodes(bad).value) << bad;
    EXPECT_FALSE(parseBillingRules(bad).value) << bad;
    EXPECT_FALSE(parseEvaluation(bad).value) << bad;
    EXPECT_FALSE(parseElevationGrant(bad).value) << bad;
    EXPECT_FALSE(parsePaymentPosted(bad).value) << bad;
    EXPECT_FALSE(parseProviderPayments(bad).value) << bad;
    EXPECT_FALSE(parseReceiptRecords(bad).value) << bad;
    EXPECT_FALSE(parseReprintRecorded(bad).value) << bad;
    EXPECT_FALSE(parseDeliveryResult(bad).value) << bad;
  }
  auto money = parseProviderPayments(
      R"({"payments":[{"billingPaymentId":"p","invoiceId":"i","amount":{"currency":"USD","amountMinor":1.5},"tender":"CASH","status":"POSTED","capturedAt":"t"}]})");
  EXPECT_EQ(money.error, "payments[0].amount: not a Money {currency, amountMinor}");
  auto rules = parseBillingRules(R"({"accountId":"a","isPoRequired":"yes"})");
  EXPECT_EQ(rules.error, "isPoRequired: not a boolean");
  auto grant = parseElevationGrant(R"({"elevationToken":"t","expiresAt":"x"})");
  EXPECT_EQ(grant.error, "approverUserId: missing");
}

TEST(RequestBodies, MatchTheContractFieldForField) {
  PaymentRequest p{"pay",
                   "inv",
                   "co",
                   "T",
                   {"USD", 1250},
                   Tender::CardExternal,
                   std::string("ref"),
                   CardSummary{"VISA", "4242", "A1B2C3"},
                   std::nullopt,
                   std::nullopt,
                   PaymentType::PaidInFull,
                   "2026-11-21T10:00:00.000Z",
                   "u",
                   true,
                   "rc"};
  const auto j = toJson(p);
  EXPECT_EQ(j.size(), 15u);
  EXPECT_EQ(j["tender"], "CARD_EXTERNAL");
  EXPECT_EQ(j["card"]["last4"], "4242");
  EXPECT_TRUE(j["amountTendered"].is_null());
  EXPECT_EQ(j["amount"]["amountMinor"], 1250);
  ElevateRequest e{"sup", SecretToken("9999"), "co", ElevationAction::ReceiptReprint};
  EXPECT_EQ(toJson(e)["action"], "RECEIPT_REPRINT");
  EXPECT_EQ(toJson(e)["pin"], "9999");  // the body is the only place the PIN goes
  EXPECT_EQ(urlEncodeComponent("2026-11-21T10:00:00.000Z"), "2026-11-21T10%3A00%3A00.000Z");
}

}  // namespace
}  // namespace pos::sync
