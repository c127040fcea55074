// The outbox: enqueue in the caller's transaction, per-stream order, claims, marks, retries,
// the queue listing, and personal data removed once acked.
#include <pos/sync/outbox.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "temp_dir.hpp"

namespace pos::sync {
namespace {

using namespace std::chrono_literals;
using pos::test::TempDir;

const Timestamp kT0{std::chrono::milliseconds{1'763'700'000'000}};

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() {
    DatabaseOptions o;
    o.path = dir_ / "outbox.db";
    auto db = Database::open(o, Outbox::migrations());
    if (!db.ok()) throw std::runtime_error(db.error().message);
    db_.emplace(std::move(db).value());
    outbox_.emplace(*db_);
  }

  std::int64_t add(const std::string& stream, const std::string& key,
                   OutboxKind kind = OutboxKind::Payment, std::string body = R"({"a":1})") {
    auto tx = db_->begin();
    EXPECT_TRUE(tx.ok());
    OutboxMessage m;
    m.stream = stream;
    m.kind = kind;
    m.path = "/billing/payments";
    m.idempotency_key = key;
    m.body = std::move(body);
    m.created_at = kT0;
    auto id = outbox_->enqueue(tx.value(), m);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error().message);
    EXPECT_TRUE(tx.value().commit().ok());
    return id.ok() ? id.value() : -1;
  }

  std::vector<std::string> claim_keys(std::size_t limit, Timestamp now) {
    auto c = outbox_->claim(limit, now);
    EXPECT_TRUE(c.ok());
    std::vector<std::string> keys;
    if (c.ok()) {
      for (const auto& i : c.value()) keys.push_back(i.idempotency_key);
    }
    return keys;
  }

  TempDir dir_;
  std::optional<Database> db_;
  std::optional<Outbox> outbox_;
};

TEST_F(OutboxTest, EnqueueStoresEverythingTheReplicatorNeeds) {
  const auto id = add("co-1", "pay-1", OutboxKind::Payment, R"({"billingPaymentId":"pay-1"})");
  auto item = outbox_->find(id);
  ASSERT_TRUE(item.ok());
  ASSERT_TRUE(item.value().has_value());
  const auto& i = *item.value();
  EXPECT_EQ(i.stream, "co-1");
  EXPECT_EQ(i.sequence, 1);
  EXPECT_EQ(i.kind, OutboxKind::Payment);
  EXPECT_EQ(i.method, "POST");
  EXPECT_EQ(i.path, "/billing/payments");
  EXPECT_EQ(i.body, R"({"billingPaymentId":"pay-1"})");
  EXPECT_EQ(i.state, OutboxState::Queued);
  EXPECT_EQ(i.attempts, 0);
  EXPECT_EQ(i.created_at, kT0);
  EXPECT_EQ(i.next_attempt_at, kT0);
  const auto second = add("co-1", "rcp-1", OutboxKind::Receipt);
  EXPECT_EQ(outbox_->find(second).value()->sequence, 2);
  EXPECT_EQ(outbox_->find_by_idempotency_key("rcp-1").value()->id, second);
}

TEST_F(OutboxTest, EnqueueRefusesUnusableMessages) {
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  OutboxMessage m;
  m.stream = "co";
  m.path = "/p";
  m.idempotency_key = "k";
  for (const char* bad : {"", "{", "{\"a\":}", "nul", "{\"a\":1} trailing"}) {
    m.body = bad;
    auto r = outbox_->enqueue(tx.value(), m);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, DbErrorCode::InvalidArgument);
  }
  m.body = "{}";
  m.stream.clear();
  EXPECT_FALSE(outbox_->enqueue(tx.value(), m).ok());
  m.stream = "co";
  ASSERT_TRUE(outbox_->enqueue(tx.value(), m).ok());
  auto dup = outbox_->enqueue(tx.value(), m);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, DbErrorCode::Constraint);
}

TEST_F(OutboxTest, EnqueueRollsBackWithTheCallersTransaction) {
  {
    auto tx = db_->begin();
    OutboxMessage m;
    m.stream = "co";
    m.path = "/p";
    m.idempotency_key = "gone";
    m.body = "{}";
    ASSERT_TRUE(outbox_->enqueue(tx.value(), m).ok());
  }  // dropped: rolled back
  EXPECT_FALSE(outbox_->find_by_idempotency_key("gone").value().has_value());
  EXPECT_EQ(outbox_->stats().value().depth, 0);
}

TEST_F(OutboxTest, AStreamWaitsUntilEveryEarlierItemIsAcked) {
  const auto po = add("co-A", "po-A", OutboxKind::Po);
  add("co-A", "ovr-A", OutboxKind::PoOverride);
  add("co-A", "pay-A", OutboxKind::Payment);
  const auto b = add("co-B", "pay-B");
  EXPECT_EQ(claim_keys(10, kT0), (std::vector<std::string>{"po-A", "pay-B"}));
  EXPECT_TRUE(claim_keys(10, kT0).empty());  // both streams have an item in flight
  ASSERT_TRUE(outbox_->mark_acked(b, 201, R"({"status":"POSTED"})", kT0 + 1s).ok());
  EXPECT_TRUE(claim_keys(10, kT0).empty());
  ASSERT_TRUE(outbox_->mark_acked(po, 201, "{}", kT0 + 1s).ok());
  EXPECT_EQ(claim_keys(10, kT0), (std::vector<std::string>{"ovr-A"}));
  auto acked = outbox_->find(b).value();
  EXPECT_EQ(acked->state, OutboxState::Acked);
  EXPECT_EQ(acked->response_body, R"({"status":"POSTED"})");
  EXPECT_EQ(acked->http_status, 201);
  EXPECT_EQ(acked->acked_at, kT0 + 1s);
}

TEST_F(OutboxTest, ClaimIsBoundedAndOldestFirst) {
  for (int i = 0; i < 25; ++i) add("co-" + std::to_string(i), "k-" + std::to_string(i));
  auto first = claim_keys(10, kT0);
  ASSERT_EQ(first.size(), 10U);
  EXPECT_EQ(first.front(), "k-0");
  EXPECT_EQ(first.back(), "k-9");
  EXPECT_EQ(claim_keys(100, kT0).size(), 15U);
  auto stats = outbox_->stats().value();
  EXPECT_EQ(stats.sending, 25);
  EXPECT_EQ(stats.depth, 25);
}

TEST_F(OutboxTest, RetryLaterWaitsForItsTimeAndCountsAttempts) {
  const auto id = add("co", "k");
  ASSERT_EQ(claim_keys(1, kT0).size(), 1U);
  ASSERT_TRUE(outbox_->mark_retry(id, kT0 + 30s, "HTTP_503", 503).ok());
  EXPECT_TRUE(claim_keys(1, kT0 + 29s).empty());
  auto again = outbox_->claim(1, kT0 + 30s);
  ASSERT_EQ(again.value().size(), 1U);
  EXPECT_EQ(again.value()[0].attempts, 2);
  EXPECT_EQ(again.value()[0].last_error_code, "HTTP_503");
  EXPECT_EQ(again.value()[0].idempotency_key, "k");  // same key on every attempt
}

TEST_F(OutboxTest, RejectedNeedsAttentionAndHoldsItsStreamUntilForcedRetry) {
  const auto pay = add("co", "pay");
  add("co", "rcp", OutboxKind::Receipt);
  ASSERT_EQ(claim_keys(5, kT0).size(), 1U);
  ASSERT_TRUE(
      outbox_
          ->mark_rejected(
              pay, {"AMOUNT_EXCEEDS_BALANCE", "0190f2a4-1111-7000-8000-00000000abcd", 422}, kT0)
          .ok());
  EXPECT_TRUE(claim_keys(5, kT0 + 1h).empty());
  auto listed = outbox_->list().value();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].state, OutboxState::Rejected);
  EXPECT_EQ(listed[0].last_error_code, "AMOUNT_EXCEEDS_BALANCE");
  EXPECT_EQ(listed[0].correlation_id, "0190f2a4-1111-7000-8000-00000000abcd");
  EXPECT_EQ(outbox_->stats().value().rejected, 1);
  EXPECT_TRUE(outbox_->force_retry(pay, kT0 + 2h).value());
  EXPECT_EQ(claim_keys(5, kT0 + 2h), (std::vector<std::string>{"pay"}));
  EXPECT_FALSE(outbox_->force_retry(pay, kT0 + 2h).value());  // SENDING: nothing to force
}

TEST_F(OutboxTest, ForceRetryAllMakesEveryWaitingItemDueNow) {
  const auto a = add("a", "ka");
  const auto b = add("b", "kb");
  add("c", "kc");
  ASSERT_EQ(claim_keys(2, kT0).size(), 2U);
  ASSERT_TRUE(outbox_->mark_retry(a, kT0 + 1h, "TIMEOUT", std::nullopt).ok());
  ASSERT_TRUE(outbox_->mark_rejected(b, {"PO_NOT_UNIQUE", "", 422}, kT0).ok());
  EXPECT_EQ(outbox_->force_retry_all(kT0 + 1s).value(), 3);  // a, b, and c (queued)
  EXPECT_EQ(claim_keys(5, kT0 + 1s).size(), 3U);
}

TEST_F(OutboxTest, ItemsInFlightAtACrashAreQueuedAgainWithTheSameKey) {
  add("co", "k");
  ASSERT_EQ(claim_keys(1, kT0).size(), 1U);
  db_.reset();  // the process dies while sending
  outbox_.reset();
  DatabaseOptions o;
  o.path = dir_ / "outbox.db";
  auto reopened = Database::open(o, Outbox::migrations());
  ASSERT_TRUE(reopened.ok());
  Outbox outbox(reopened.value());
  EXPECT_TRUE(outbox.claim(1, kT0).value().empty());
  EXPECT_EQ(outbox.requeue_sending(kT0 + 5s).value(), 1);
  auto again = outbox.claim(1, kT0 + 5s).value();
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].idempotency_key, "k");
  EXPECT_EQ(again[0].attempts, 2);
}

TEST_F(OutboxTest, MarksOutsideSendingAreStateConflicts) {
  const auto id = add("co", "k");
  auto r = outbox_->mark_acked(id, 201, "{}", kT0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::StateConflict);
  EXPECT_FALSE(outbox_->mark_rejected(id, {"X", "", 409}, kT0).ok());
  EXPECT_FALSE(outbox_->mark_retry(id, kT0, "X", std::nullopt).ok());
  EXPECT_FALSE(outbox_->mark_acked(9999, 201, "{}", kT0).ok());
  ASSERT_EQ(claim_keys(1, kT0).size(), 1U);
  ASSERT_TRUE(outbox_->mark_acked(id, 201, "{}", kT0).ok());
  EXPECT_TRUE(outbox_->mark_acked(id, 201, "{}", kT0).ok());  // a late duplicate ack
}

TEST_F(OutboxTest, ErrorCodesAndCorrelationIdsAreSanitized) {
  const auto id = add("co", "k");
  ASSERT_EQ(claim_keys(1, kT0).size(), 1U);
  ASSERT_TRUE(outbox_->mark_rejected(id, {"bad for jane@example.com", "<script>", 422}, kT0).ok());
  auto item = outbox_->find(id).value();
  EXPECT_EQ(item->last_error_code, "UNRECOGNIZED_ERROR");
  EXPECT_FALSE(item->correlation_id.has_value());
  EXPECT_EQ(sanitize_error_code("HTTP_503"), "HTTP_503");
  EXPECT_EQ(sanitize_error_code(""), "UNRECOGNIZED_ERROR");
  EXPECT_EQ(sanitize_error_code(std::string(65, 'A')), "UNRECOGNIZED_ERROR");
}

TEST_F(OutboxTest, AnEmailAddressIsGoneFromTheFileOnceAcked) {
  const std::string email = "jane.customer@example.org";
  const auto id =
      add("co", "dlv-1", OutboxKind::Delivery,
          R"({"deliveryId":"dlv-1","channel":"EMAIL","emailAddress":")" + email + R"("})");
  ASSERT_EQ(claim_keys(1, kT0).size(), 1U);
  EXPECT_NE(outbox_->find(id).value()->body.find(email), std::string::npos);  // needed to send
  ASSERT_TRUE(outbox_->mark_acked(id, 201, R"({"deliveryStatus":"SENT"})", kT0).ok());
  // The whole body is released with the ACK (the backend's answer is kept), and the chain still
  // verifies: it covers the digest of the body as sent.
  const auto acked = outbox_->find(id).value();
  EXPECT_EQ(acked->body, "");
  EXPECT_EQ(acked->response_body, R"({"deliveryStatus":"SENT"})");
  EXPECT_TRUE(outbox_->verify().value().sound()) << outbox_->verify().value().problem;
  // Not in the database file either, once the WAL is checkpointed (secure_delete zeroes the
  // old cell).
  ASSERT_TRUE(db_->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  std::ifstream in(dir_ / "outbox.db", std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(bytes.find(email), std::string::npos);
}

TEST_F(OutboxTest, QueueListingAndStatsForTheCli) {
  add("co-1", "pay-1");
  add("co-1", "rcp-1", OutboxKind::Receipt);
  const auto x = add("co-2", "grant-1", OutboxKind::OfflineGrant);
  ASSERT_EQ(claim_keys(5, kT0).size(), 2U);
  ASSERT_TRUE(outbox_->mark_acked(x, 201, "{}", kT0).ok());
  auto pending = outbox_->list(OutboxListing::Pending).value();
  ASSERT_EQ(pending.size(), 2U);
  EXPECT_EQ(pending[0].idempotency_key, "pay-1");
  EXPECT_EQ(pending[0].kind, OutboxKind::Payment);
  EXPECT_EQ(pending[0].state, OutboxState::Sending);
  EXPECT_EQ(pending[1].kind, OutboxKind::Receipt);
  EXPECT_EQ(outbox_->list(OutboxListing::All).value().size(), 3U);
  auto s = outbox_->stats().value();
  EXPECT_EQ(s.depth, 2);
  EXPECT_EQ(s.queued, 1);
  EXPECT_EQ(s.sending, 1);
  EXPECT_EQ(s.oldest_queued_at, kT0);
}

TEST_F(OutboxTest, QueueCountsReadOnlyTheirIndex) {
  std::string plan;
  ASSERT_TRUE(db_->statement("EXPLAIN QUERY PLAN SELECT state, COUNT(*), MIN(created_at_ms) FROM "
                             "outbox_message WHERE state <> 'ACKED' GROUP BY state")
                  .for_each([&](const Statement& row) { plan += row.text(3); })
                  .ok());
  EXPECT_NE(plan.find("COVERING INDEX outbox_pending_state"), std::string::npos) << plan;
}

// The queue listing (the CLI, the Shift screen's queue line) reads the few pending items
// through their index, never every item ever sent.
TEST_F(OutboxTest, ThePendingListingReadsOnlyThePendingIndex) {
  std::string plan;
  ASSERT_TRUE(db_->statement("EXPLAIN QUERY PLAN SELECT m.id FROM outbox_message AS m"
                             " INDEXED BY outbox_pending_state WHERE m.state <> 'ACKED'"
                             " ORDER BY m.id LIMIT 50")
                  .for_each([&](const Statement& row) { plan += row.text(3) + "\n"; })
                  .ok());
  EXPECT_NE(plan.find("COVERING INDEX outbox_pending_state"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN m\n"), std::string::npos) << plan;
}

// The replicator claims on every turn: it walks the QUEUED items in id order and stops at its
// limit, rather than reading every due item and sorting them (quadratic over a long drain).
TEST_F(OutboxTest, ClaimWalksTheQueuedItemsInOrderWithoutASort) {
  ASSERT_TRUE(outbox_->claim(1, kT0).ok());  // registers outbox_stream_busy on the connection
  std::string plan;
  // The claim's statement (the same text as in Outbox::claim): marks and returns in one.
  ASSERT_TRUE(db_->statement("EXPLAIN QUERY PLAN UPDATE outbox_message SET state = 'SENDING',"
                             " attempts = attempts + 1 WHERE id IN (SELECT m.id FROM"
                             " outbox_message AS m WHERE m.state <> 'ACKED' AND m.state = 'QUEUED'"
                             " AND +m.next_attempt_at_ms <= ? AND NOT outbox_stream_busy(m.stream)"
                             " AND NOT EXISTS (SELECT 1 FROM outbox_message AS e"
                             "  WHERE e.stream = m.stream AND e.seq < m.seq AND +e.state <> 'ACKED'"
                             "  AND e.released = 0) "
                             "ORDER BY m.id LIMIT ?) RETURNING id, (SELECT p.link FROM"
                             " outbox_message AS p WHERE p.id < outbox_message.id"
                             " ORDER BY p.id DESC LIMIT 1)")
                  .for_each([&](const Statement& row) { plan += row.text(3) + "\n"; })
                  .ok());
  // The rows to mark by their key, not a scan of the table.
  EXPECT_NE(plan.find("SEARCH outbox_message USING INTEGER PRIMARY KEY (rowid=?)"),
            std::string::npos)
      << plan;
  // The QUEUED part of the pending index, in id order; a stream's earlier items by its key.
  EXPECT_NE(plan.find("SEARCH m USING INDEX outbox_pending_state (state=?)"), std::string::npos)
      << plan;
  EXPECT_NE(
      plan.find("SEARCH e USING INDEX sqlite_autoindex_outbox_message_2 (stream=? AND seq<?)"),
      std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  // And items not yet due are stepped over, not a stop: the next one in order is claimed.
  const auto early = add("co-1", "early");
  const auto later = add("co-2", "later");
  ASSERT_EQ(claim_keys(1, kT0), std::vector<std::string>{"early"});
  ASSERT_TRUE(outbox_->mark_retry(early, kT0 + 1h, "HTTP_503", 503).ok());
  EXPECT_EQ(claim_keys(2, kT0), std::vector<std::string>{"later"});
  EXPECT_EQ(outbox_->find(later).value()->state, OutboxState::Sending);
}

// The replicator's turn: every reply of a batch marked, and the next items claimed, with one
// commit. Rolled back (a failed commit), nothing of it happened: the batch is still SENDING and
// the items it would have claimed are still QUEUED.
TEST_F(OutboxTest, ABatchOfMarksAndAClaimInOneTransactionIsAllOrNothing) {
  const auto a1 = add("co-a", "a1");
  const auto a2 = add("co-a", "a2");  // eligible once a1 is ACKED
  const auto b = add("co-b", "b");
  const auto c = add("co-c", "c");
  const auto d = add("co-d", "d");
  ASSERT_EQ(claim_keys(4, kT0), (std::vector<std::string>{"a1", "b", "c", "d"}));

  auto state = [&](std::int64_t id) { return outbox_->find(id).value()->state; };
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(outbox_->mark_acked(tx.value(), a1, 201, R"({"ok":true})", kT0).ok());
    ASSERT_TRUE(outbox_->mark_retry(tx.value(), b, kT0 + 1s, "HTTP_503", 503).ok());
    ASSERT_TRUE(
        outbox_->mark_rejected(tx.value(), c, {"AMOUNT_EXCEEDS_BALANCE", "corr-1", 422}, kT0).ok());
    auto next = outbox_->claim(tx.value(), 4, kT0);
    ASSERT_TRUE(next.ok());
    ASSERT_EQ(next.value().size(), 1U);  // a2, let through by a1's ack in the same transaction
    EXPECT_EQ(next.value()[0].id, a2);
    EXPECT_EQ(state(a1), OutboxState::Acked);  // visible inside the transaction
    // Dropped without commit(): as when the commit fails.
  }
  for (auto id : {a1, b, c, d}) EXPECT_EQ(state(id), OutboxState::Sending) << id;
  EXPECT_EQ(state(a2), OutboxState::Queued);
  EXPECT_EQ(outbox_->find(a1).value()->attempts, 1);
  EXPECT_FALSE(outbox_->find(a1).value()->response_body.has_value());
  EXPECT_EQ(outbox_->find(a2).value()->attempts, 0);

  {  // the same batch committed: all of it
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(outbox_->mark_acked(tx.value(), a1, 201, R"({"ok":true})", kT0).ok());
    ASSERT_TRUE(outbox_->mark_retry(tx.value(), b, kT0 + 1s, "HTTP_503", 503).ok());
    ASSERT_TRUE(
        outbox_->mark_rejected(tx.value(), c, {"AMOUNT_EXCEEDS_BALANCE", "corr-1", 422}, kT0).ok());
    auto next = outbox_->claim(tx.value(), 4, kT0);
    ASSERT_TRUE(next.ok());
    ASSERT_EQ(next.value().size(), 1U);
    ASSERT_TRUE(tx.value().commit().ok());
  }
  EXPECT_EQ(state(a1), OutboxState::Acked);
  EXPECT_EQ(state(a2), OutboxState::Sending);
  EXPECT_EQ(state(b), OutboxState::Queued);
  EXPECT_EQ(state(c), OutboxState::Rejected);
  EXPECT_EQ(state(d), OutboxState::Sending);
}

// The replicator names the streams it has an item in flight of: the claim steps over their
// items without reading their earlier rows. A hint that can only hold items back: an eligible
// item of a named stream waits until the stream is no longer named, and nothing a plain claim
// would not give is ever given.
TEST_F(OutboxTest, AClaimStepsOverTheStreamsTheCallerHasInFlight) {
  const auto a1 = add("co-a", "a1");
  add("co-a", "a2");
  add("co-b", "b1");
  add("co-c", "c1");
  Outbox::StreamSet busy;
  auto claim = [&](std::size_t limit) {
    auto tx = db_->begin();
    EXPECT_TRUE(tx.ok());
    auto got = outbox_->claim(tx.value(), limit, kT0, &busy);
    EXPECT_TRUE(got.ok());
    EXPECT_TRUE(tx.value().commit().ok());
    std::vector<std::string> keys;
    if (got.ok()) {
      for (const auto& i : got.value()) keys.push_back(i.idempotency_key);
    }
    return keys;
  };
  busy.insert("co-c");  // named, though nothing of it is in flight: it only waits
  EXPECT_EQ(claim(10), (std::vector<std::string>{"a1", "b1"}));
  EXPECT_EQ(outbox_->find(a1).value()->state, OutboxState::Sending);
  busy = {"co-a", "co-b"};
  EXPECT_EQ(claim(10), std::vector<std::string>{"c1"});
  // a1 back and ACKED: a2 is eligible, but not while its stream is named.
  ASSERT_TRUE(outbox_->mark_acked(a1, 201, "{}", kT0).ok());
  busy = {"co-a"};
  EXPECT_TRUE(claim(10).empty());
  busy.clear();
  EXPECT_EQ(claim(10), std::vector<std::string>{"a2"});
  // Naming no stream never lets an item through out of its turn.
  add("co-b", "b2");  // behind b1, which is SENDING
  EXPECT_TRUE(claim(10).empty());
}

// One statement marks a claim SENDING; a row in it that fails its chain check is REJECTED
// (OUTBOX_TAMPERED) and is not counted as an attempt, and the others are handed out oldest
// first, SENDING, with one attempt each.
TEST_F(OutboxTest, AClaimWithAnEditedRowHandsOutTheOthersInOrder) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(add("co-" + std::to_string(i), "k-" + std::to_string(i)));
  ASSERT_TRUE(db_->exec("UPDATE outbox_body SET body = '{\"a\":2}' WHERE id = (SELECT id FROM"
                        " outbox_message WHERE idempotency_key = 'k-2')")
                  .ok());
  auto got = outbox_->claim(10, kT0);
  ASSERT_TRUE(got.ok());
  std::vector<std::string> keys;
  for (const auto& item : got.value()) {
    keys.push_back(item.idempotency_key);
    EXPECT_EQ(item.state, OutboxState::Sending);
    EXPECT_EQ(item.attempts, 1);
    EXPECT_EQ(item.body, R"({"a":1})");
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"k-0", "k-1", "k-3", "k-4"}));
  const auto edited = outbox_->find(ids[2]).value();
  EXPECT_EQ(edited->state, OutboxState::Rejected);
  EXPECT_EQ(edited->last_error_code, std::string{kOutboxTampered});
  EXPECT_EQ(edited->attempts, 0);
  for (auto i : {0, 1, 3, 4}) {
    const auto item = outbox_->find(ids[static_cast<std::size_t>(i)]).value();
    EXPECT_EQ(item->state, OutboxState::Sending) << i;
    EXPECT_EQ(item->attempts, 1) << i;
  }
}

TEST_F(OutboxTest, TheTransactionFormsRefuseATransactionOfAnotherDatabase) {
  const auto id = add("co", "k");
  ASSERT_EQ(claim_keys(1, kT0).size(), 1U);
  DatabaseOptions o;
  o.path = dir_ / "other.db";
  auto other = Database::open(o, Outbox::migrations());
  ASSERT_TRUE(other.ok());
  auto tx = other.value().begin();
  ASSERT_TRUE(tx.ok());
  auto r = outbox_->mark_acked(tx.value(), id, 201, "{}", kT0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::InvalidArgument);
  EXPECT_FALSE(outbox_->claim(tx.value(), 1, kT0).ok());
  EXPECT_EQ(outbox_->find(id).value()->state, OutboxState::Sending);
}

TEST(OutboxNames, KindsAndStatesRoundTrip) {
  for (int i = 0; i < static_cast<int>(OutboxKind::kCount); ++i) {
    const auto k = static_cast<OutboxKind>(i);
    EXPECT_EQ(parse_outbox_kind(to_string(k)), k);
  }
  EXPECT_EQ(to_string(OutboxKind::PoOverride), "po-override");
  EXPECT_EQ(to_string(OutboxKind::OfflineGrant), "offline-grant");
  EXPECT_FALSE(parse_outbox_kind("Payment").has_value());
  for (int i = 0; i < static_cast<int>(OutboxState::kCount); ++i) {
    const auto s = static_cast<OutboxState>(i);
    EXPECT_EQ(parse_outbox_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_outbox_state("queued").has_value());
}

}  // namespace
}  // namespace pos::sync
