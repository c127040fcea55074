// The replicator against billing-sim (a real process) and a real SQLite outbox in a temp dir.
#include <pos/sync/replicator.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "outbox_fixture.hpp"
#include "sim_process.hpp"
#include "sim_seed.hpp"

namespace pos::sync {
namespace {

using nlohmann::json;
using pos::testing::SimOptions;
using pos::testing::SimProcess;
using pos::testing::TempDir;

ReplicatorConfig replicatorConfig(int port, std::string token = pos::testing::kSimToken) {
  ReplicatorConfig c;
  c.http.baseUrl = "http://127.0.0.1:" + std::to_string(port);
  c.http.token = SecretToken(std::move(token));
  c.http.terminalId = "T-01";
  c.http.connectTimeout = std::chrono::milliseconds(1000);
  c.http.totalTimeout = std::chrono::milliseconds(3000);
  c.concurrency = 4;
  c.retry = {std::chrono::milliseconds(20), std::chrono::milliseconds(200)};
  c.pull = SnapshotPull::Off;
  c.idlePoll = std::chrono::milliseconds(20);
  return c;
}

class ReplicatorTest : public ::testing::Test {
 protected:
  void startSim(const json& seed, std::vector<std::string> args = {}) {
    pos::testing::writeFile(dir_.file("seed.json"), seed.dump());
    sim_.emplace(SimOptions{dir_.file("seed.json"), dir_.file("sim.jsonl"), std::move(args), 0});
  }
  std::string dbPath() const { return dir_.file("terminal.db"); }
  std::vector<OutboxItem> all() {
    auto db = pos::testing::openDatabase(dbPath());
    Outbox outbox(db);
    auto list = outbox.list(OutboxListing::All, 100000);
    std::vector<OutboxItem> items;
    for (const auto& e : list.value()) items.push_back(*outbox.find(e.id).value());
    return items;
  }
  TempDir dir_;
  std::optional<SimProcess> sim_;
};

TEST(Backoff, FullJitterCappedAndNeverBeforeRetryAfter) {
  const RetryPolicy p{std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
  EXPECT_EQ(backoffDelay(p, 1, std::nullopt, 0.0).count(), 0);
  EXPECT_EQ(backoffDelay(p, 1, std::nullopt, 0.999).count(), 99);
  EXPECT_EQ(backoffDelay(p, 3, std::nullopt, 0.5).count(), 200);     // ceiling 400
  EXPECT_EQ(backoffDelay(p, 30, std::nullopt, 0.999).count(), 999);  // capped
  EXPECT_EQ(backoffDelay(p, 1, std::chrono::seconds(7), 0.5).count(), 7000);
}

TEST_F(ReplicatorTest, DrainsInStreamOrderAndKeepsTheRepliesThatSaySomething) {
  startSim(pos::testing::soakSeed(10));
  {
    auto db = pos::testing::openDatabase(dbPath());
    auto tx = db.begin();
    // Per stream: payment, receipt, delivery. Out of order, the backend would refuse the
    // receipt (unknown payment) and the delivery (unknown receipt).
    for (int s = 0; s < 6; ++s) {
      auto p = pos::testing::soakPayment("T-01", s * 3, 10);
      p.checkoutId = "co-" + std::to_string(s);
      pos::testing::enqueue(db, tx.value(), p.checkoutId, OutboxKind::Payment, "/billing/payments",
                            p.billingPaymentId, toJson(p).dump());
      ReceiptRequest r{p.receiptId,
                       "RCP-N-" + p.invoiceId + "-20261121T100000Z-00" + std::to_string(s),
                       p.billingPaymentId,
                       p.invoiceId,
                       PaymentType::PartialPayment,
                       {"USD", 100},
                       false,
                       "2026-11-21T10:00:00.000Z",
                       "thermal",
                       "1",
                       "text"};
      pos::testing::enqueue(db, tx.value(), p.checkoutId, OutboxKind::Receipt, "/billing/receipts",
                            r.receiptId, toJson(r).dump());
      DeliveryRequest d{"dl-" + std::to_string(s), DeliveryChannel::Print, std::nullopt,
                        std::string("SENT")};
      pos::testing::enqueue(db, tx.value(), p.checkoutId, OutboxKind::Delivery,
                            "/billing/receipts/" + r.receiptId + "/deliver", d.deliveryId,
                            toJson(d).dump());
    }
    ASSERT_TRUE(tx.value().commit().ok());
  }
  Replicator rep(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port()));
  ASSERT_TRUE(rep.runUntilEmpty(std::chrono::seconds(30)));
  const auto items = all();
  ASSERT_EQ(items.size(), 18u);
  for (const auto& item : items) {
    EXPECT_EQ(item.state, OutboxState::Acked)
        << item.idempotency_key << " " << item.last_error_code.value_or("");
    EXPECT_EQ(item.http_status, 201);
    // A delivery keeps the backend's reply (its status); a payment's and a receipt's, an echo of
    // their ids checked before the ACK, are not kept.
    if (item.kind == OutboxKind::Payment || item.kind == OutboxKind::Receipt) {
      EXPECT_FALSE(item.response_body) << item.idempotency_key;
    } else {
      ASSERT_TRUE(item.response_body);
      EXPECT_NE(item.response_body->find("deliveryStatus"), std::string::npos);
    }
  }
  const auto accepted = sim_->accepted();
  std::map<std::string, std::vector<std::string>> kindsByStream;
  for (const auto& a : accepted) {
    if (a["kind"] == "payment") kindsByStream[a["body"]["checkoutId"]].push_back("payment");
  }
  EXPECT_EQ(kindsByStream.size(), 6u);
  EXPECT_EQ(accepted.size(), 18u);
  EXPECT_EQ(rep.status().queueDepth, 0);
  EXPECT_TRUE(rep.status().online);
}

TEST_F(ReplicatorTest, BusinessRefusalIsRejectedWithSanitizedCodeAndDetailOnlyWithPermission) {
  startSim(pos::testing::contractSeed());
  std::int64_t refusedId = 0, heldId = 0;
  {
    auto db = pos::testing::openDatabase(dbPath());
    auto tx = db.begin();
    PaymentRequest p;
    p.billingPaymentId = "pay-void";
    p.invoiceId = "INV-VOID";
    p.checkoutId = "co-void";
    p.terminalId = "T-01";
    p.amount = {"USD", 100};
    p.capturedAt = "2026-11-21T10:00:00.000Z";
    p.capturedByUserId = "u-adv";
    p.receiptId = "rc-void";
    refusedId = pos::testing::enqueue(db, tx.value(), "co-void", OutboxKind::Payment,
                                      "/billing/payments", p.billingPaymentId, toJson(p).dump());
    p.billingPaymentId = "pay-void-2";
    heldId = pos::testing::enqueue(db, tx.value(), "co-void", OutboxKind::Payment,
                                   "/billing/payments", p.billingPaymentId, toJson(p).dump());
    ASSERT_TRUE(tx.value().commit().ok());
  }
  Replicator rep(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port()));
  // Nothing left that can be sent: the first needs attention, the second is held behind it.
  EXPECT_EQ(rep.drain(std::chrono::milliseconds(5000)), DrainResult::NeedsAttention);
  EXPECT_EQ(rep.status().needsAttention, 1);
  EXPECT_EQ(rep.status().held, 1);
  auto db = pos::testing::openDatabase(dbPath());
  Outbox outbox(db);
  auto refused = outbox.find(refusedId).value();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->state, OutboxState::Rejected);
  EXPECT_EQ(refused->last_error_code, "INVOICE_NOT_PAYABLE");
  EXPECT_EQ(refused->correlation_id, "co-void");
  EXPECT_EQ(refused->http_status, 409);
  EXPECT_EQ(refused->attempts, 1);  // never silently retried
  auto held = outbox.find(heldId).value();
  EXPECT_EQ(held->state, OutboxState::Queued);
  EXPECT_EQ(held->attempts, 0);
  PostingErrors errors(db);
  auto plain = errors.find(refusedId, PostingErrorAccess::Sanitized).value();
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->errorCode, "INVOICE_NOT_PAYABLE");
  EXPECT_FALSE(plain->detail);
  auto detailed = errors.find(refusedId, PostingErrorAccess::WithDetail).value();
  ASSERT_TRUE(detailed && detailed->detail);
  EXPECT_FALSE(detailed->detail->message.empty());
  EXPECT_EQ(detailed->detail->reasonCode, "NOT_ISSUED");
  EXPECT_EQ(rep.status().rejected, 1);
  EXPECT_EQ(rep.status().lastError, "INVOICE_NOT_PAYABLE");
  EXPECT_TRUE(sim_->accepted().empty());
}

TEST_F(ReplicatorTest, ConfigurationProblemStopsSendingUntilResumed) {
  startSim(pos::testing::soakSeed(5));
  {
    auto db = pos::testing::openDatabase(dbPath());
    pos::testing::enqueuePayments(db, "T-01", 12, 5);
  }
  {
    Replicator rep(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port(), "revoked"));
    EXPECT_FALSE(rep.runUntilEmpty(std::chrono::milliseconds(800)));
    const auto s = rep.status();
    ASSERT_TRUE(s.configurationProblem);
    EXPECT_NE(s.configurationProblem->find("HTTP_401"), std::string::npos);
    EXPECT_EQ(s.queueDepth, 12);
  }
  int attempts = 0;
  for (const auto& item : all()) {
    EXPECT_EQ(item.state, OutboxState::Queued);
    attempts += item.attempts;
  }
  EXPECT_LE(attempts, 4);  // the first answers stopped it: no hammering with a bad token
  EXPECT_TRUE(sim_->accepted().empty());
  Replicator fixed(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port()));
  EXPECT_TRUE(fixed.runUntilEmpty(std::chrono::seconds(20)));
  EXPECT_EQ(sim_->accepted().size(), 12u);
}

TEST_F(ReplicatorTest, LostAcksAreResentWithTheSameKeyAndAppliedOnce) {
  startSim(pos::testing::soakSeed(5), {"--lost-ack-rate", "1"});
  {
    auto db = pos::testing::openDatabase(dbPath());
    pos::testing::enqueuePayments(db, "T-01", 10, 5);
  }
  Replicator rep(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port()));
  rep.start();
  for (int i = 0; i < 200 && rep.status().ambiguous < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(rep.status().ambiguous, 10);
  EXPECT_EQ(sim_->accepted().size(), 10u);  // all applied, no reply seen
  sim_->setFaults(json::object());
  for (int i = 0; i < 500 && rep.status().acked < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  rep.stop();
  EXPECT_EQ(rep.status().acked, 10);
  EXPECT_EQ(sim_->accepted().size(), 10u);
  for (const auto& item : all()) {
    EXPECT_EQ(item.state, OutboxState::Acked);
    EXPECT_GE(item.attempts, 2);
  }
}

// A crash after the requests went out and before their ACKED marks were committed (the claim's
// SENDING committed, the replies never recorded): the next sync sends them again with their own
// keys, the backend answers a repeated key with its first response, and it holds each payment
// once. Streams of three, so the items after the lost ones go on in order.
TEST_F(ReplicatorTest, SentButNotAckedAtACrashIsSentAgainAndTheBackendKeepsOne) {
  startSim(pos::testing::soakSeed(5));
  {
    auto db = pos::testing::openDatabase(dbPath());
    pos::testing::enqueuePayments(db, "T-01", 9, 5);  // three streams of three
  }
  std::vector<std::int64_t> lost;
  {
    auto db = pos::testing::openDatabase(dbPath());
    Outbox outbox(db);
    auto claimed = outbox.claim(10, pos::testing::nowMs());  // committed: SENDING
    ASSERT_TRUE(claimed.ok());
    ASSERT_EQ(claimed.value().size(), 3u);  // the first item of each stream
    HttpClient client(replicatorConfig(sim_->port()).http);
    for (const auto& item : claimed.value()) {
      HttpRequest req;
      req.method = HttpMethod::Post;
      req.path = item.path;
      req.body = item.body;
      req.idempotencyKey = item.idempotency_key;
      req.identity = defaultIdentity(item);
      const HttpOutcome sent = client.send(req);
      ASSERT_TRUE(sent.ok()) << sent.code();  // the backend has it ...
      lost.push_back(item.id);
    }
    // ... and the process dies here: no mark, no commit.
  }
  EXPECT_EQ(sim_->accepted().size(), 3u);
  Replicator rep(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port()));
  ASSERT_EQ(rep.drain(std::chrono::seconds(30)), DrainResult::Empty);
  std::map<std::string, int> timesAccepted;
  for (const auto& a : sim_->accepted()) ++timesAccepted[a["id"].get<std::string>()];
  EXPECT_EQ(timesAccepted.size(), 9u);
  for (const auto& [id, n] : timesAccepted) EXPECT_EQ(n, 1) << id;
  for (const auto& item : all()) {
    EXPECT_EQ(item.state, OutboxState::Acked) << item.idempotency_key;
    const bool wasLost = std::find(lost.begin(), lost.end(), item.id) != lost.end();
    EXPECT_EQ(item.attempts, wasLost ? 2 : 1) << item.idempotency_key;
    EXPECT_EQ(item.http_status, 201);
    EXPECT_EQ(item.response_body.has_value(), reply_is_kept(item.kind)) << item.idempotency_key;
  }
}

// Replies of several workers' turns share one commit; in such a batch only the items whose reply
// was the contract's 2xx become ACKED. Checked right after each commit (onOutcome runs then),
// under 5xx, cut replies and applied-but-lost replies: an item is ACKED exactly when its reply
// was a success, and at the end the backend holds every payment once.
TEST_F(ReplicatorTest, ABatchAcknowledgesOnlyTheItemsWhoseReplyWasASuccess) {
  startSim(pos::testing::soakSeed(20), {"--error-rate", "500=0.2", "--reset-rate", "0.1",
                                        "--lost-ack-rate", "0.1", "--rng-seed", "7"});
  {
    auto db = pos::testing::openDatabase(dbPath());
    pos::testing::enqueuePayments(db, "T-01", 150, 20);
  }
  auto config = replicatorConfig(sim_->port());
  config.retry = {std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
  auto check = pos::testing::openDatabase(dbPath());
  Outbox checkOutbox(check);
  int outcomes = 0, successes = 0, wrong = 0;
  config.onOutcome = [&](const OutboxItem& item, const HttpOutcome& o) {
    ++outcomes;
    if (o.ok()) ++successes;
    const auto found = checkOutbox.find(item.id);
    const bool acked = found.ok() && found.value() && found.value()->state == OutboxState::Acked;
    if (acked != o.ok()) {
      ++wrong;
      ADD_FAILURE() << item.idempotency_key << ": outcome " << o.code() << ", acked " << acked;
    }
  };
  Replicator rep(pos::testing::openDatabase(dbPath()), config);
  ASSERT_EQ(rep.drain(std::chrono::seconds(60)), DrainResult::Empty);
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(successes, 150);
  EXPECT_GT(outcomes, successes);             // the faults were there
  EXPECT_LT(rep.status().commits, outcomes);  // and replies shared commits
  std::map<std::string, int> timesAccepted;
  for (const auto& a : sim_->accepted()) ++timesAccepted[a["id"].get<std::string>()];
  EXPECT_EQ(timesAccepted.size(), 150u);
  for (const auto& [id, n] : timesAccepted) EXPECT_EQ(n, 1) << id;
}

TEST_F(ReplicatorTest, ThrottleIsHonouredThroughRetryAfter) {
  startSim(pos::testing::soakSeed(1), {"--throttle-rate", "1", "--retry-after", "2"});
  {
    auto db = pos::testing::openDatabase(dbPath());
    pos::testing::enqueuePayments(db, "T-01", 1, 1);
  }
  const auto before = pos::testing::nowMs();
  Replicator rep(pos::testing::openDatabase(dbPath()), replicatorConfig(sim_->port()));
  EXPECT_FALSE(rep.runUntilEmpty(std::chrono::milliseconds(600)));
  const auto items = all();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].attempts, 1);  // not retried within the Retry-After
  EXPECT_EQ(items[0].last_error_code, "RATE_LIMITED");
  EXPECT_GE(items[0].next_attempt_at - before, std::chrono::milliseconds(1900));
  EXPECT_TRUE(rep.status().online);  // a 429 is an answer from the backend
}

TEST_F(ReplicatorTest, SnapshotsArePulledWithETagsAndUnconfiguredRulesAreKept) {
  startSim(pos::testing::contractSeed());
  auto config = replicatorConfig(sim_->port());
  config.pull = SnapshotPull::Periodic;
  {
    Replicator rep(pos::testing::openDatabase(dbPath()), config);
    EXPECT_TRUE(rep.runUntilEmpty(std::chrono::seconds(10)));
    EXPECT_TRUE(rep.status().lastPullAt);
  }
  auto db = pos::testing::openDatabase(dbPath());
  SnapshotStore store(db);
  auto roster = store.find("roster").value();
  ASSERT_TRUE(roster);
  EXPECT_FALSE(roster->etag.empty());
  EXPECT_TRUE(parseRoster(roster->body).value);
  ASSERT_TRUE(store.find("reason-codes/PO_OVERRIDE").value());
  ASSERT_TRUE(store.find("reason-codes/REPRINT").value());
  EXPECT_EQ(store.list("invoice/").value().size(), 8u);
  ASSERT_TRUE(store.find("invoices.next").value());
  auto com = store.find("rules/ACC-COM").value();
  ASSERT_TRUE(com);
  EXPECT_EQ(com->presence, SnapshotPresence::Present);
  EXPECT_TRUE(parseBillingRules(com->body).value);
  auto none = store.find("rules/ACC-NORULES").value();
  ASSERT_TRUE(none);
  EXPECT_EQ(none->presence, SnapshotPresence::Unconfigured);
  const auto firstFetch = roster->fetchedAt;

  // The second pull sends If-None-Match and keeps the body on 304.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    Replicator rep(pos::testing::openDatabase(dbPath()), config);
    EXPECT_TRUE(rep.runUntilEmpty(std::chrono::seconds(10)));
  }
  auto again = store.find("roster").value();
  EXPECT_EQ(again->body, roster->body);
  EXPECT_GT(again->fetchedAt, firstFetch);
  bool sawConditional = false;
  const json seen = sim_->control("GET", "/_sim/requests?limit=20")["requests"];
  for (const auto& r : seen) {
    if (r["path"] == "/billing/terminal/roster" && r["headers"].contains("if-none-match")) {
      sawConditional = r["headers"]["if-none-match"] == roster->etag;
    }
  }
  EXPECT_TRUE(sawConditional) << seen.dump() << " etag " << roster->etag;
}

}  // namespace
}  // namespace pos::sync
