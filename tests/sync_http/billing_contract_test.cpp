// Contract tests: BillingClient against billing-sim on 127.0.0.1, one or more per endpoint the
// terminal calls. The simulator is a real process; each test uses its own checkout ids so the
// tests of one suite can share it.
#include <pos/sync/billing_client.hpp>

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <set>
#include <thread>

#include "sim_process.hpp"
#include "sim_seed.hpp"

namespace pos::sync {
namespace {

using nlohmann::json;
using pos::testing::SimOptions;
using pos::testing::SimProcess;
using pos::testing::TempDir;

HttpClientConfig clientConfig(int port, std::string token = pos::testing::kSimToken) {
  HttpClientConfig c;
  c.baseUrl = "http://127.0.0.1:" + std::to_string(port);
  c.token = SecretToken(std::move(token));
  c.terminalId = "T-01";
  c.connectTimeout = std::chrono::milliseconds(2000);
  c.totalTimeout = std::chrono::milliseconds(10000);
  return c;
}

RequestIdentity who(const std::string& correlation, const std::string& op = "u-adv") {
  return RequestIdentity{op, correlation, TraceId::generate()};
}

class BillingContract : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pos::testing::writeFile(dir_->file("seed.json"), pos::testing::contractSeed().dump());
    sim_ = new SimProcess(SimOptions{dir_->file("seed.json"), dir_->file("state.jsonl"), {}, 0});
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete dir_;
  }
  BillingClient client() { return BillingClient(clientConfig(sim_->port())); }

  // An online elevation token for (checkout, action).
  std::string elevate(BillingClient& c, const std::string& supervisor, const std::string& pin,
                      const std::string& checkout, ElevationAction action) {
    auto r = c.elevate(who(checkout), {supervisor, SecretToken(pin), checkout, action});
    EXPECT_TRUE(r.ok()) << r.outcome.code();
    return r.ok() ? r.value->elevationToken.reveal() : std::string();
  }

  PaymentRequest payment(const std::string& id, const std::string& invoice, std::int64_t minor,
                         PaymentType type = PaymentType::PartialPayment,
                         const std::string& currency = "USD") {
    PaymentRequest p;
    p.billingPaymentId = id;
    p.invoiceId = invoice;
    p.checkoutId = "co-" + id;
    p.terminalId = "T-01";
    p.amount = {currency, minor};
    p.tender = Tender::Cash;
    p.paymentType = type;
    p.capturedAt = "2026-11-21T10:00:00.000Z";
    p.capturedByUserId = "u-adv";
    p.capturedOffline = false;
    p.receiptId = "rc-" + id;
    return p;
  }

  static TempDir* dir_;
  static SimProcess* sim_;
};
TempDir* BillingContract::dir_ = nullptr;
SimProcess* BillingContract::sim_ = nullptr;

// ---- snapshots ------------------------------------------------------------------------------

TEST_F(BillingContract, RosterCarriesRealArgon2idVerifiersAndHonoursETags) {
  auto c = client();
  auto r = c.roster(who("corr-roster"));
  ASSERT_TRUE(r.value) << r.outcome.code() << " " << r.parseError;
  ASSERT_FALSE(r.etag.empty());
  ASSERT_EQ(r.value->staff.size(), 4u);
  const Staff* sup = nullptr;
  for (const auto& s : r.value->staff) {
    if (s.userId == "u-sup1") sup = &s;
  }
  ASSERT_NE(sup, nullptr);
  EXPECT_EQ(sup->pinVerifier.alg, "argon2id");
  // Verify the PIN offline exactly as the terminal will: crypto_pwhash Argon2id13, 32 bytes.
  ASSERT_GE(sodium_init(), 0);
  std::vector<unsigned char> salt(crypto_pwhash_SALTBYTES), hash(32), mine(32);
  size_t len = 0;
  ASSERT_EQ(sodium_base642bin(salt.data(), salt.size(), sup->pinVerifier.saltBase64.data(),
                              sup->pinVerifier.saltBase64.size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  ASSERT_EQ(sodium_base642bin(hash.data(), hash.size(), sup->pinVerifier.hashBase64.data(),
                              sup->pinVerifier.hashBase64.size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  for (const std::string& pin : {std::string("1234"), std::string("1235")}) {
    ASSERT_EQ(crypto_pwhash(mine.data(), mine.size(), pin.data(), pin.size(), salt.data(),
                            sup->pinVerifier.opsLimit, sup->pinVerifier.memLimitBytes,
                            crypto_pwhash_ALG_ARGON2ID13),
              0);
    EXPECT_EQ(mine == hash, pin == "1234") << pin;
  }
  auto again = c.roster(who("corr-roster"), r.etag);
  EXPECT_EQ(again.outcome.outcome, OutcomeClass::NotModified);
  EXPECT_EQ(again.outcome.status, 304);
  auto stale = c.roster(who("corr-roster"), "\"not-the-etag\"");
  EXPECT_EQ(stale.outcome.status, 200);
}

TEST_F(BillingContract, ReasonCodesPerCategory) {
  auto c = client();
  auto po = c.reasonCodes(who("corr-rc"), ReasonCategory::PoOverride);
  ASSERT_TRUE(po.value) << po.parseError;
  ASSERT_EQ(po.value->size(), 2u);
  EXPECT_EQ((*po.value)[1].code, "OTHER");
  EXPECT_TRUE((*po.value)[1].requiresNotes);
  auto reprint = c.reasonCodes(who("corr-rc"), ReasonCategory::Reprint);
  ASSERT_TRUE(reprint.value);
  EXPECT_EQ(reprint.value->size(), 1u);
  EXPECT_EQ(c.reasonCodes(who("corr-rc"), ReasonCategory::Reprint, reprint.etag).outcome.status,
            304);
}

TEST_F(BillingContract, RulesPresentOr404MeaningUnconfigured) {
  auto c = client();
  auto com = c.rules(who("corr-rules"), "ACC-COM");
  ASSERT_TRUE(com.value) << com.parseError;
  EXPECT_TRUE(com.value->isPoRequired);
  ASSERT_TRUE(com.value->poFormatRegex);
  EXPECT_EQ(*com.value->poFormatRegex, "^[A-Z]{2}-[0-9]{6}$");
  EXPECT_TRUE(com.value->poUniquenessScope.known);
  EXPECT_EQ(com.value->poUniquenessScope.value, PoUniquenessScope::PerAccountAllTime);
  ASSERT_TRUE(com.value->creditLimit);
  EXPECT_EQ(com.value->creditLimit->amountMinor, 100000);
  auto fleet = c.rules(who("corr-rules"), "ACC-FLEET");
  ASSERT_TRUE(fleet.value);
  EXPECT_FALSE(fleet.value->poFormatRegex);
  EXPECT_FALSE(fleet.value->creditLimit);
  EXPECT_EQ(c.rules(who("corr-rules"), "ACC-COM", com.etag).outcome.status, 304);
  auto none = c.rules(who("corr-rules"), "ACC-NORULES");
  EXPECT_EQ(none.outcome.outcome, OutcomeClass::NotFound);
  EXPECT_FALSE(none.value);
}

TEST_F(BillingContract, InvoicesByIdByWorkOrderAndTheOfflineFeed) {
  auto c = client();
  auto inv = c.invoice(who("corr-inv"), "INV-CONS");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ((*inv.value)["workOrderId"], "WO-CONS");
  auto byWo = c.invoiceByWorkOrder(who("corr-inv"), "WO-FLEET");
  ASSERT_TRUE(byWo.ok());
  EXPECT_EQ((*byWo.value)["invoiceId"], "INV-FLEET");
  auto missing = c.invoiceByWorkOrder(who("corr-inv"), "WO-NOPE");
  EXPECT_EQ(missing.outcome.status, 404);
  ASSERT_TRUE(missing.outcome.error);
  EXPECT_EQ(missing.outcome.error->errorCode, "INVOICE_NOT_FOUND");
  EXPECT_EQ(missing.outcome.error->correlationId, "corr-inv");

  auto feed = c.invoiceFeed(who("corr-feed"), "");
  ASSERT_TRUE(feed.value) << feed.parseError;
  EXPECT_GE((*feed.value)["invoices"].size(), 8u);
  const std::string next = (*feed.value)["next"];
  // Nothing changed since `next`: an empty page; a payment later makes its invoice reappear.
  auto empty = c.invoiceFeed(who("corr-feed"), next);
  ASSERT_TRUE(empty.value);
  EXPECT_TRUE((*empty.value)["invoices"].empty());
  ASSERT_TRUE(c.postPayment(who("corr-feed"), payment("pay-feed-1", "INV-NORULES", 100)).ok());
  auto changed = c.invoiceFeed(who("corr-feed"), next);
  ASSERT_TRUE(changed.value);
  ASSERT_EQ((*changed.value)["invoices"].size(), 1u);
  EXPECT_EQ((*changed.value)["invoices"][0]["invoiceId"], "INV-NORULES");
  EXPECT_EQ(c.invoiceFeed(who("corr-feed"), "yesterday").outcome.status, 400);
}

// ---- evaluate, PO capture, override ---------------------------------------------------------

TEST_F(BillingContract, EvaluateFromRulesAndBlockingWhenBusinessRulesAreMissing) {
  auto c = client();
  auto com = c.evaluate(who("co-eval-1"), "co-eval-1", {"INV-COM", "ACC-COM", std::nullopt});
  ASSERT_TRUE(com.ok()) << com.outcome.code() << com.parseError;
  EXPECT_TRUE(com.value->poRequired);
  EXPECT_TRUE(com.value->overrideRequiresSecondApprover);
  EXPECT_TRUE(com.value->creditLimitExceeded);  // 95000 owed + 12345 > 100000
  EXPECT_EQ(com.value->policyVersion, "com-v7");
  // chargeAmount: the credit is judged for what is charged, not the whole balance.
  auto part =
      c.evaluate(who("co-eval-1"), "co-eval-1", {"INV-COM", "ACC-COM", ContractMoney{"USD", 5000}});
  ASSERT_TRUE(part.ok()) << part.outcome.code() << part.parseError;
  EXPECT_FALSE(part.value->creditLimitExceeded);  // 95000 + 5000 <= 100000

  auto norules =
      c.evaluate(who("co-eval-2"), "co-eval-2", {"INV-NORULES", "ACC-NORULES", std::nullopt});
  ASSERT_TRUE(norules.ok());
  EXPECT_TRUE(norules.value->poRequired);
  ASSERT_FALSE(norules.value->messages.empty());
  EXPECT_EQ(norules.value->messages[0].code, "BILLING_RULES_MISSING");
  EXPECT_EQ(norules.value->messages[0].severity.value, MessageSeverity::Blocking);

  auto consumer = c.evaluate(who("co-eval-3"), "co-eval-3", {"INV-CONS", "ACC-CONS", std::nullopt});
  ASSERT_TRUE(consumer.ok());
  EXPECT_FALSE(consumer.value->poRequired);
  EXPECT_TRUE(consumer.value->messages.empty());

  EXPECT_EQ(c.evaluate(who("co-eval-4"), "co-eval-4", {"INV-NOPE", "ACC-COM", std::nullopt})
                .outcome.status,
            404);
  EXPECT_EQ(c.evaluate(who("co-eval-5"), "co-eval-5", {"INV-COM", "ACC-FLEET", std::nullopt})
                .outcome.status,
            422);
}

TEST_F(BillingContract, PoCaptureIsWriteOnceWithFormatAndUniqueness) {
  auto c = client();
  ASSERT_TRUE(c.evaluate(who("co-po-1"), "co-po-1", {"INV-COM", "ACC-COM", std::nullopt}).ok());
  auto bad = c.capturePo(who("co-po-1"), "co-po-1", "po-key-1a",
                         {"ab-12345", "u-adv", "2026-11-21T10:00:00.000Z"});
  EXPECT_EQ(bad.outcome.status, 422);
  EXPECT_EQ(bad.outcome.code(), "PO_FORMAT_INVALID");
  auto used = c.capturePo(who("co-po-1"), "co-po-1", "po-key-1b",
                          {"AB-000001", "u-adv", "2026-11-21T10:00:00.000Z"});
  EXPECT_EQ(used.outcome.code(), "PO_NOT_UNIQUE");  // PER_ACCOUNT_ALL_TIME
  auto ok = c.capturePo(who("co-po-1"), "co-po-1", "po-key-1c",
                        {"CD-123456", "u-adv", "2026-11-21T10:00:00.000Z"});
  ASSERT_EQ(ok.outcome.status, 201) << ok.outcome.code();
  EXPECT_EQ((*ok.value)["poNumber"], "CD-123456");
  auto again = c.capturePo(who("co-po-1"), "co-po-1", "po-key-1d",
                           {"EF-123456", "u-adv", "2026-11-21T10:00:00.000Z"});
  EXPECT_EQ(again.outcome.status, 409);
  EXPECT_EQ(again.outcome.outcome, OutcomeClass::BusinessRefusal);
  ASSERT_TRUE(again.outcome.error);
  EXPECT_EQ(again.outcome.error->reasonCode, "PO_ALREADY_CAPTURED");
  // The same request again with its own key: the first response, not a 409.
  auto replay = c.capturePo(who("co-po-1"), "co-po-1", "po-key-1c",
                            {"CD-123456", "u-adv", "2026-11-21T10:00:00.000Z"});
  EXPECT_EQ(replay.outcome.status, 201);
  EXPECT_EQ(replay.outcome.body, ok.outcome.body);

  // PER_ACCOUNT_OPEN_ORDERS: an open order's PO is refused, a closed order's PO is fine.
  ASSERT_TRUE(c.evaluate(who("co-po-2"), "co-po-2", {"INV-FLEET", "ACC-FLEET", std::nullopt}).ok());
  EXPECT_EQ(c.capturePo(who("co-po-2"), "co-po-2", "po-key-2a",
                        {"FLEET-OPEN", "u-adv", "2026-11-21T10:00:00.000Z"})
                .outcome.code(),
            "PO_NOT_UNIQUE");
  EXPECT_EQ(c.capturePo(who("co-po-2"), "co-po-2", "po-key-2b",
                        {"fleet-done", "u-adv", "2026-11-21T10:00:00.000Z"})
                .outcome.status,
            201);
  // Malformed: a missing field is a 400 naming it (configuration/bug class, not business).
  HttpRequest raw;
  raw.method = HttpMethod::Post;
  raw.path = "/billing/checkout/co-po-3/po";
  raw.body = R"({"poNumber": "AB-111111"})";
  raw.idempotencyKey = "po-key-3";
  auto malformed = c.http().send(raw);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.outcome, OutcomeClass::ConfigurationProblem);
  ASSERT_TRUE(malformed.error);
  EXPECT_EQ(malformed.error->missingFields,
            (std::vector<std::string>{"capturedByUserId", "capturedAt"}));
}

TEST_F(BillingContract, PoOverrideNeedsPermissionReasonElevationAndDistinctApprovers) {
  auto c = client();
  const std::string co = "co-ovr-1";
  ASSERT_TRUE(c.evaluate(who(co), co, {"INV-COM", "ACC-COM", std::nullopt}).ok());
  PoOverrideRequest req{"ovr-1", "CUSTOMER_FORGOT", std::nullopt, "u-adv", {}};

  PoOverrideRequest noPerm = req;
  noPerm.overrideId = "ovr-1-noperm";
  noPerm.requestedByUserId = "u-adv2";
  auto forbidden = c.overridePo(who(co, "u-adv2"), co, noPerm);
  EXPECT_EQ(forbidden.outcome.status, 403);
  EXPECT_EQ(forbidden.outcome.code(), "billing:checkout:po:override");

  PoOverrideRequest noReason = req;
  noReason.overrideId = "ovr-1-noreason";
  noReason.reasonCode = "MADE_UP";
  EXPECT_EQ(c.overridePo(who(co), co, noReason).outcome.code(), "REASON_CODE_REQUIRED");

  const std::string t1 = elevate(c, "u-sup1", "1234", co, ElevationAction::PoOverride);
  PoOverrideRequest one = req;
  one.overrideId = "ovr-1-one";
  one.approvals = {{"u-sup1", SecretToken(t1), std::nullopt, std::nullopt}};
  EXPECT_EQ(c.overridePo(who(co), co, one).outcome.code(), "SECOND_APPROVER_REQUIRED");

  PoOverrideRequest same = req;
  same.overrideId = "ovr-1-same";
  same.approvals = {{"u-sup1", SecretToken(t1), std::nullopt, std::nullopt},
                    {"u-sup1", SecretToken(t1), std::nullopt, std::nullopt}};
  EXPECT_EQ(c.overridePo(who(co), co, same).outcome.code(), "APPROVER_NOT_DISTINCT");

  PoOverrideRequest self = req;
  self.overrideId = "ovr-1-self";
  self.approvals = {
      {"u-adv", std::nullopt, std::string("g-1"), std::string("2026-11-21T10:00:00Z")},
      {"u-sup1", SecretToken(t1), std::nullopt, std::nullopt}};
  EXPECT_EQ(c.overridePo(who(co), co, self).outcome.code(), "APPROVER_NOT_DISTINCT");

  PoOverrideRequest forged = req;
  forged.overrideId = "ovr-1-forged";
  forged.approvals = {{"u-sup1", SecretToken("not-a-token"), std::nullopt, std::nullopt},
                      {"u-sup2", SecretToken("nor-this"), std::nullopt, std::nullopt}};
  EXPECT_EQ(c.overridePo(who(co), co, forged).outcome.code(), "ELEVATION_INVALID");

  // A token for another action or checkout is not valid here.
  const std::string wrongAction = elevate(c, "u-sup2", "5678", co, ElevationAction::ReceiptReprint);
  PoOverrideRequest mismatch = req;
  mismatch.overrideId = "ovr-1-mismatch";
  mismatch.approvals = {{"u-sup1", SecretToken(t1), std::nullopt, std::nullopt},
                        {"u-sup2", SecretToken(wrongAction), std::nullopt, std::nullopt}};
  EXPECT_EQ(c.overridePo(who(co), co, mismatch).outcome.code(), "ELEVATION_INVALID");

  const std::string t2 = elevate(c, "u-sup2", "5678", co, ElevationAction::PoOverride);
  PoOverrideRequest good = req;
  good.approvals = {{"u-sup1", SecretToken(t1), std::nullopt, std::nullopt},
                    {"u-sup2", SecretToken(t2), std::nullopt, std::nullopt}};
  auto ok = c.overridePo(who(co), co, good);
  EXPECT_EQ(ok.outcome.status, 201) << ok.outcome.code();
  // The tokens are spent: the same approvals on another checkout are refused as reused.
  const std::string co2 = "co-ovr-2";
  ASSERT_TRUE(c.evaluate(who(co2), co2, {"INV-COM2", "ACC-COM", std::nullopt}).ok());
  PoOverrideRequest reuse = good;
  reuse.overrideId = "ovr-2";
  EXPECT_EQ(c.overridePo(who(co2), co2, reuse).outcome.code(), "ELEVATION_REUSED");
  // Offline approvals (grants) are accepted for approvers who may elevate.
  PoOverrideRequest offline = req;
  offline.overrideId = "ovr-2-offline";
  offline.approvals = {
      {"u-sup1", std::nullopt, std::string("grant-a"), std::string("2026-11-21T09:00:00.000Z")},
      {"u-sup2", std::nullopt, std::string("grant-b"), std::string("2026-11-21T09:00:01.000Z")}};
  EXPECT_EQ(c.overridePo(who(co2), co2, offline).outcome.status, 201);
}

// ---- elevation ------------------------------------------------------------------------------

TEST_F(BillingContract, ElevationTokenIsSingleUseUnderConcurrentRedemption) {
  auto c = client();
  const std::string co = "co-race";
  ASSERT_TRUE(c.evaluate(who(co), co, {"INV-FLEET", "ACC-FLEET", std::nullopt}).ok());
  const std::string token = elevate(c, "u-sup1", "1234", co, ElevationAction::PoOverride);
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, reused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      BillingClient mine(clientConfig(sim_->port()));
      PoOverrideRequest r{"race-" + std::to_string(i),
                          "CUSTOMER_FORGOT",
                          std::nullopt,
                          "u-adv",
                          {{"u-sup1", SecretToken(token), std::nullopt, std::nullopt}}};
      auto res = mine.overridePo(who(co), co, r);
      if (res.outcome.status == 201) {
        ++created;
      } else if (res.outcome.code() == "ELEVATION_REUSED" ||
                 res.outcome.code() == "PO_ALREADY_RESOLVED") {
        ++reused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(reused.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(BillingContract, OfflineGrantAuditRecord) {
  auto c = client();
  OfflineGrantRequest g{
      "grant-1", "u-sup1", "co-grant", ElevationAction::PoOverride, "2026-11-21T09:30:00.000Z",
      "T-01"};
  auto ok = c.recordOfflineGrant(who("co-grant"), g);
  EXPECT_EQ(ok.outcome.status, 201) << ok.outcome.code();
  EXPECT_EQ(c.recordOfflineGrant(who("co-grant"), g).outcome.status, 201);  // replay
  OfflineGrantRequest notAllowed{
      "grant-2", "u-adv2", "co-grant", ElevationAction::PoOverride, "2026-11-21T09:30:00.000Z",
      "T-01"};
  EXPECT_EQ(c.recordOfflineGrant(who("co-grant"), notAllowed).outcome.status, 422);
}

// ---- payments -------------------------------------------------------------------------------

TEST_F(BillingContract, PaymentIsIdempotentAndUpdatesTheBalance) {
  auto c = client();
  auto first = c.postPayment(who("co-pay-1"), payment("pay-1", "INV-COM", 2345));
  ASSERT_TRUE(first.ok()) << first.outcome.code() << first.parseError;
  EXPECT_EQ(first.outcome.status, 201);
  EXPECT_EQ(first.value->status.value, PaymentStatus::Posted);
  EXPECT_EQ(first.value->balanceDue.amountMinor, 10000);
  EXPECT_EQ(first.value->invoiceStatus.value, InvoiceStatus::Issued);
  auto replay = c.postPayment(who("co-pay-1"), payment("pay-1", "INV-COM", 2345));
  EXPECT_EQ(replay.outcome.status, 201);
  EXPECT_EQ(replay.outcome.body, first.outcome.body);
  auto reused = c.postPayment(who("co-pay-1"), payment("pay-1", "INV-COM", 2346));
  EXPECT_EQ(reused.outcome.status, 422);
  EXPECT_EQ(reused.outcome.code(), "IDEMPOTENCY_KEY_REUSED");
  auto inv = c.invoice(who("co-pay-1"), "INV-COM");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ((*inv.value)["balanceDue"]["amountMinor"], 10000);
  EXPECT_EQ((*inv.value)["payments"].size(), 1u);
  // Paying the rest in full closes the invoice; it then takes no more payment.
  auto rest =
      c.postPayment(who("co-pay-1"), payment("pay-2", "INV-COM", 10000, PaymentType::PaidInFull));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest.value->invoiceStatus.value, InvoiceStatus::Paid);
  auto closed = c.postPayment(who("co-pay-1"), payment("pay-3", "INV-COM", 1));
  EXPECT_EQ(closed.outcome.status, 409);
  EXPECT_EQ(closed.outcome.code(), "INVOICE_NOT_PAYABLE");
}

TEST_F(BillingContract, PaymentRefusalsByBusinessRule) {
  auto c = client();
  struct Case {
    PaymentRequest request;
    long status;
    const char* code;
  };
  PaymentRequest account = payment("pay-r5", "INV-COM2", 5000, PaymentType::PaidInFull);
  account.tender = Tender::Account;  // 95000 owed + 5000 = 100000: at the limit, allowed
  PaymentRequest overLimit = payment("pay-r6", "INV-CONS", 1);
  overLimit.tender = Tender::Account;  // consumers are not charge-account eligible
  PaymentRequest card = payment("pay-r7", "INV-CONS", 100);
  card.tender = Tender::CardExternal;
  card.card = CardSummary{"VISA", "4242", "A1B2C3"};
  PaymentRequest cardNumber = card;
  cardNumber.billingPaymentId = "pay-r8";
  cardNumber.tenderReference = "4111111111111111";
  const std::vector<Case> cases = {
      {payment("pay-r1", "INV-VOID", 100), 409, "INVOICE_NOT_PAYABLE"},
      {payment("pay-r2", "INV-PAID", 100), 409, "INVOICE_NOT_PAYABLE"},
      {payment("pay-r3", "INV-CONS", 2501), 422, "AMOUNT_EXCEEDS_BALANCE"},
      {payment("pay-r4", "INV-EUR", 100, PaymentType::PartialPayment, "USD"), 422,
       "CURRENCY_MISMATCH"},
      {payment("pay-r4b", "INV-FLEET", 100), 422, "PARTIAL_PAYMENT_NOT_ALLOWED"},
      {overLimit, 422, "CHARGE_ACCOUNT_NOT_ELIGIBLE"},
      {cardNumber, 422, "CARD_NUMBER_REFUSED"},
      {account, 201, ""},
      {card, 201, ""},
  };
  for (const auto& k : cases) {
    auto r = c.postPayment(who("co-refuse"), k.request);
    EXPECT_EQ(r.outcome.status, k.status) << k.request.billingPaymentId << " " << r.outcome.code();
    if (k.status != 201) {
      EXPECT_EQ(r.outcome.code(), k.code) << k.request.billingPaymentId;
      EXPECT_EQ(r.outcome.outcome, OutcomeClass::BusinessRefusal);
      ASSERT_TRUE(r.outcome.error);
      EXPECT_EQ(r.outcome.error->correlationId, "co-refuse");
    }
  }
  // The account is now at its limit: one more minor unit is over it.
  auto rules = c.rules(who("co-refuse"), "ACC-COM");
  ASSERT_TRUE(rules.value);
  EXPECT_EQ(rules.value->accountBalance->amountMinor, 100000);
}

TEST_F(BillingContract, PaymentsListForReconciliation) {
  auto c = client();
  PaymentRequest p = payment("pay-list-1", "INV-CONS", 10);
  p.terminalId = "T-LIST";
  p.capturedAt = "2026-10-01T12:00:00.000Z";
  ASSERT_TRUE(c.postPayment(who("co-list"), p).ok());
  PaymentRequest q = payment("pay-list-2", "INV-CONS", 20);
  q.terminalId = "T-LIST";
  q.capturedAt = "2026-10-02T12:00:00.000Z";
  ASSERT_TRUE(c.postPayment(who("co-list"), q).ok());
  auto all =
      c.payments(who("co-list"), "T-LIST", "2026-10-01T00:00:00.000Z", "2026-10-03T00:00:00.000Z");
  ASSERT_TRUE(all.ok()) << all.parseError;
  ASSERT_EQ(all.value->size(), 2u);
  EXPECT_EQ((*all.value)[0].billingPaymentId, "pay-list-1");
  EXPECT_EQ((*all.value)[0].amount.amountMinor, 10);
  EXPECT_EQ((*all.value)[0].status, "POSTED");
  auto one =
      c.payments(who("co-list"), "T-LIST", "2026-10-02T00:00:00.000Z", "2026-10-03T00:00:00.000Z");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one.value->size(), 1u);
  EXPECT_EQ((*one.value)[0].billingPaymentId, "pay-list-2");
}

// ---- receipts -------------------------------------------------------------------------------

TEST_F(BillingContract, ReceiptCreateListDeliverAndReprintByPolicy) {
  auto c = client();
  ASSERT_TRUE(c.postPayment(who("co-rc"),
                            payment("pay-rc", "INV-EUR", 1000, PaymentType::PartialPayment, "EUR"))
                  .ok());
  ReceiptRequest rr{"rc-1",
                    "RCP-N-INV-EUR-20261121T100000Z-001",
                    "pay-rc",
                    "INV-EUR",
                    PaymentType::PartialPayment,
                    {"EUR", 3000},
                    false,
                    "2099-01-01T00:00:00.000Z",
                    "thermal-80",
                    "3",
                    "RECEIPT TEXT"};
  // The window is measured from createdAt; this receipt was "created" in the future, so it is open.
  auto created = c.createReceipt(who("co-rc"), rr);
  ASSERT_EQ(created.outcome.status, 201) << created.outcome.code();
  ReceiptRequest badRef = rr;
  badRef.receiptId = "rc-2";
  badRef.receiptReference = "RECEIPT-1";
  EXPECT_EQ(c.createReceipt(who("co-rc"), badRef).outcome.code(), "RECEIPT_REFERENCE_INVALID");
  ReceiptRequest sameRef = rr;
  sameRef.receiptId = "rc-3";
  EXPECT_EQ(c.createReceipt(who("co-rc"), sameRef).outcome.status, 409);

  auto list = c.receiptsByInvoice(who("co-rc"), "INV-EUR");
  ASSERT_TRUE(list.ok()) << list.parseError;
  ASSERT_EQ(list.value->size(), 1u);
  const ReceiptRecord& r = (*list.value)[0];
  EXPECT_EQ(r.deliveryStatus.value, DeliveryStatus::Pending);
  EXPECT_EQ(r.reprintPolicy.remainingReprints, 1);
  EXPECT_TRUE(r.reprintPolicy.requiresElevation);
  ASSERT_EQ(r.allowedActions.size(), 3u);
  EXPECT_EQ(r.allowedActions[2].value, ReceiptAction::Reprint);

  auto printed = c.deliverReceipt(
      who("co-rc"), "rc-1", {"dl-1", DeliveryChannel::Print, std::nullopt, std::string("FAILED")});
  ASSERT_TRUE(printed.ok());
  EXPECT_EQ(printed.value->value, DeliveryStatus::Failed);
  auto emailed = c.deliverReceipt(
      who("co-rc"), "rc-1",
      {"dl-2", DeliveryChannel::Email, SecretToken("ada@example.com"), std::nullopt});
  ASSERT_TRUE(emailed.ok());
  EXPECT_EQ(emailed.value->value, DeliveryStatus::Sent);
  EXPECT_EQ(c.deliverReceipt(
                 who("co-rc"), "rc-1",
                 {"dl-3", DeliveryChannel::Email, SecretToken("not-an-address"), std::nullopt})
                .outcome.code(),
            "EMAIL_ADDRESS_INVALID");

  ReprintRequest noElevation{"rp-1", std::string("CUSTOMER_REQUEST"), "u-adv", {}};
  EXPECT_EQ(c.reprintReceipt(who("co-rc"), "rc-1", noElevation).outcome.code(),
            "ELEVATION_REQUIRED");
  ReprintRequest noReason{"rp-2", std::nullopt, "u-adv", {}};
  EXPECT_EQ(c.reprintReceipt(who("co-rc"), "rc-1", noReason).outcome.code(),
            "REASON_CODE_REQUIRED");
  const std::string token =
      elevate(c, "u-sup1", "1234", "co-pay-rc", ElevationAction::ReceiptReprint);
  ReprintRequest good{"rp-3",
                      std::string("CUSTOMER_REQUEST"),
                      "u-adv",
                      {{"u-sup1", SecretToken(token), std::nullopt, std::nullopt}}};
  auto reprinted = c.reprintReceipt(who("co-rc"), "rc-1", good);
  ASSERT_TRUE(reprinted.ok()) << reprinted.outcome.code();
  EXPECT_EQ(reprinted.value->reprintNumber, 1);
  EXPECT_EQ(reprinted.value->reprintPolicy.remainingReprints, 0);
  ReprintRequest more{"rp-4", std::string("CUSTOMER_REQUEST"), "u-adv", {}};
  EXPECT_EQ(c.reprintReceipt(who("co-rc"), "rc-1", more).outcome.code(), "REPRINT_NOT_ALLOWED");
  auto after = c.receiptsByInvoice(who("co-rc"), "INV-EUR");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after.value)[0].reprintCount, 1);
  EXPECT_EQ((*after.value)[0].deliveryStatus.value, DeliveryStatus::Sent);
}

// ---- auth, headers, persistence -------------------------------------------------------------

TEST_F(BillingContract, BadTokenIsAConfigurationProblem) {
  BillingClient c(clientConfig(sim_->port(), "wrong-token"));
  auto r = c.roster(who("corr-auth"));
  EXPECT_EQ(r.outcome.status, 401);
  EXPECT_EQ(r.outcome.outcome, OutcomeClass::ConfigurationProblem);
}

TEST_F(BillingContract, EveryRequestCarriesTheContractHeaders) {
  auto c = client();
  const TraceId trace = TraceId::generate();
  RequestIdentity id{"u-adv", "corr-headers", trace};
  ASSERT_TRUE(c.invoice(id, "INV-CONS").ok());
  ASSERT_TRUE(c.postPayment(id, payment("pay-headers", "INV-CONS", 5)).ok());
  auto seen = sim_->control("GET", "/_sim/requests?limit=2")["requests"];
  ASSERT_EQ(seen.size(), 2u);
  std::set<std::string> spans;
  for (const auto& r : seen) {
    const json& h = r["headers"];
    EXPECT_EQ(h["x-terminal-id"], "T-01");
    EXPECT_EQ(h["x-operator-id"], "u-adv");
    EXPECT_EQ(h["x-correlation-id"], "corr-headers");
    auto tp = parseTraceparent(h["traceparent"].get<std::string>());
    ASSERT_TRUE(tp);
    EXPECT_EQ(tp->traceId, trace.hex());  // one trace per checkout
    spans.insert(tp->spanId);
    EXPECT_EQ(h["content-type"], "application/json");
    EXPECT_FALSE(h.contains("authorization"));  // the simulator never keeps it
  }
  EXPECT_EQ(spans.size(), 2u);  // a new span per request
  EXPECT_FALSE(seen[0]["headers"].contains("idempotency-key"));
  EXPECT_EQ(seen[1]["headers"]["idempotency-key"], "pay-headers");
  EXPECT_EQ(seen[0]["remotePort"], seen[1]["remotePort"]);  // keep-alive: one connection
}

TEST(BillingSimPersistence, StateSurvivesARestartAndAKill) {
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::contractSeed().dump());
  SimProcess sim(SimOptions{dir.file("seed.json"), dir.file("state.jsonl"), {}, 0});
  BillingClient c(clientConfig(sim.port()));
  PaymentRequest p;
  p.billingPaymentId = "pay-persist";
  p.invoiceId = "INV-CONS";
  p.checkoutId = "co-persist";
  p.terminalId = "T-01";
  p.amount = {"USD", 500};
  p.paymentType = PaymentType::PartialPayment;
  p.capturedAt = "2026-11-21T10:00:00.000Z";
  p.capturedByUserId = "u-adv";
  p.receiptId = "rc-persist";
  auto first = c.postPayment(who("co-persist"), p);
  ASSERT_EQ(first.outcome.status, 201);
  sim.kill9();
  sim.start();
  BillingClient c2(clientConfig(sim.port()));
  auto replay = c2.postPayment(who("co-persist"), p);
  EXPECT_EQ(replay.outcome.status, 201);
  EXPECT_EQ(replay.outcome.body, first.outcome.body);
  auto inv = c2.invoice(who("co-persist"), "INV-CONS");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ((*inv.value)["balanceDue"]["amountMinor"], 2000);
  EXPECT_EQ(sim.accepted().size(), 1u);
}

TEST(BillingSimElevation, WrongPinsLockTheApproverOutAndTokensExpire) {
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::contractSeed().dump());
  SimProcess sim(SimOptions{dir.file("seed.json"), "", {}, 0});
  BillingClient c(clientConfig(sim.port()));
  for (int i = 0; i < 5; ++i) {
    auto r = c.elevate(who("co-lock"),
                       {"u-sup1", SecretToken("0000"), "co-lock", ElevationAction::PoOverride});
    EXPECT_EQ(r.outcome.status, 401);
    EXPECT_EQ(r.outcome.code(), "ELEVATION_DENIED");
    EXPECT_EQ(r.outcome.outcome, OutcomeClass::BusinessRefusal);  // not a bad terminal token
  }
  auto locked = c.elevate(who("co-lock"),
                          {"u-sup1", SecretToken("1234"), "co-lock", ElevationAction::PoOverride});
  EXPECT_EQ(locked.outcome.status, 423);
  EXPECT_EQ(locked.outcome.code(), "APPROVER_LOCKED_OUT");
  ASSERT_TRUE(locked.outcome.retryAfter);
  EXPECT_GT(locked.outcome.retryAfter->count(), 0);
  // No hint: an unknown user and a user without the permission get the same answer.
  EXPECT_EQ(c.elevate(who("co-lock"),
                      {"u-nobody", SecretToken("1234"), "co-lock", ElevationAction::PoOverride})
                .outcome.code(),
            "ELEVATION_DENIED");
  EXPECT_EQ(c.elevate(who("co-lock"),
                      {"u-adv", SecretToken("1111"), "co-lock", ElevationAction::PoOverride})
                .outcome.code(),
            "ELEVATION_DENIED");
  // Expiry: a token older than five minutes is refused.
  ASSERT_TRUE(c.evaluate(who("co-exp"), "co-exp", {"INV-FLEET", "ACC-FLEET", std::nullopt}).ok());
  auto grant = c.elevate(who("co-exp"),
                         {"u-sup2", SecretToken("5678"), "co-exp", ElevationAction::PoOverride});
  ASSERT_TRUE(grant.ok());
  sim.control("POST", "/_sim/clock", {{"advanceSeconds", 301}});
  PoOverrideRequest r{"ovr-exp",
                      "CUSTOMER_FORGOT",
                      std::nullopt,
                      "u-adv",
                      {{"u-sup2", grant.value->elevationToken, std::nullopt, std::nullopt}}};
  EXPECT_EQ(c.overridePo(who("co-exp"), "co-exp", r).outcome.code(), "ELEVATION_EXPIRED");
  // ... and the lock-out has passed with the clock.
  EXPECT_EQ(c.elevate(who("co-lock"),
                      {"u-sup1", SecretToken("1234"), "co-lock", ElevationAction::PoOverride})
                .outcome.status,
            201);
}

}  // namespace
}  // namespace pos::sync
