// Integrity of rows at rest (issue #12): the outbox's chain (an edited payment is reported and
// never handed out; random byte flips in any chained field are all caught; releasing a body
// (and the personal data in it) at ACK keeps the chain sound; old rows are chained by the
// migration), and the snapshot store's digests (flips caught on read and by verify(); a snapshot
// that fails validation never replaces the cached one).
#include <pos/sync/integrity.hpp>
#include <pos/sync/outbox.hpp>
#include <pos/sync/replicator.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <stdexcept>

#include "temp_dir.hpp"

namespace pos::sync {
namespace {

using nlohmann::json;
using pos::test::TempDir;

const Timestamp kT0{std::chrono::milliseconds{1'763'700'000'000}};

std::vector<Migration> allMigrations() {
  std::vector<Migration> all;
  for (const auto& m : Outbox::migrations()) all.push_back(m);
  for (const auto& m : SnapshotStore::migrations()) all.push_back(m);
  return all;
}

Database openDb(const std::filesystem::path& path, std::span<const Migration> migrations) {
  DatabaseOptions o;
  o.path = path;
  auto db = Database::open(o, migrations);
  if (!db.ok()) throw std::runtime_error(db.error().message);
  return std::move(db).value();
}

std::int64_t add(Database& db, const std::string& stream, const std::string& key, OutboxKind kind,
                 const std::string& body) {
  auto tx = db.begin();
  OutboxMessage m;
  m.stream = stream;
  m.kind = kind;
  m.path = "/billing/payments";
  m.idempotency_key = key;
  m.body = body;
  m.created_at = kT0;
  auto id = Outbox(db).enqueue(tx.value(), m);
  if (!id.ok()) throw std::runtime_error(id.error().message);
  if (!tx.value().commit().ok()) throw std::runtime_error("commit");
  return id.value();
}

std::string paymentBody(std::int64_t minor) {
  return json{{"billingPaymentId", "p"}, {"amount", {{"currency", "USD"}, {"amountMinor", minor}}}}
      .dump();
}

// One stored value of one column of one row, as raw bytes (or an integer).
struct Cell {
  bool integer = false;
  bool blob = false;
  std::int64_t number = 0;
  std::string bytes;
  bool null = false;
};

Cell readCell(Database& db, const std::string& table, const std::string& column,
              const std::string& where) {
  Cell c;
  auto r = db.statement("SELECT typeof(" + column + "), " + column + ", CAST(" + column +
                        " AS BLOB) FROM " + table + " WHERE " + where)
               .for_each([&](const Statement& row) {
                 const auto type = row.text(0);
                 c.null = type == "null";
                 c.integer = type == "integer";
                 c.blob = type == "blob";
                 if (c.integer) c.number = row.int64(1);
                 const auto b = row.blob(2);
                 c.bytes.assign(reinterpret_cast<const char*>(b.data()), b.size());
               });
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return c;
}

// Writes `c` back; false when the schema refused the value (a CHECK or UNIQUE constraint).
bool writeCell(Database& db, const std::string& table, const std::string& column,
               const std::string& where, const Cell& c) {
  auto& st = db.statement("UPDATE " + table + " SET " + column + " = ? WHERE " + where);
  DbResult<void> r;
  if (c.integer) {
    r = st.bind(c.number).run();
  } else if (c.blob) {
    r = st.bind(Blob{std::as_bytes(std::span(c.bytes.data(), c.bytes.size()))}).run();
  } else {
    r = st.bind(std::string_view{c.bytes}).run();
  }
  return r.ok();
}

Cell flipped(Cell c, std::mt19937& rng) {
  if (c.integer) {
    c.number ^= std::int64_t{1} << std::uniform_int_distribution<int>(0, 20)(rng);
    return c;
  }
  if (c.bytes.empty()) return c;
  const auto at = std::uniform_int_distribution<std::size_t>(0, c.bytes.size() - 1)(rng);
  c.bytes[at] = static_cast<char>(static_cast<unsigned char>(c.bytes[at]) ^
                                  (1U << std::uniform_int_distribution<unsigned>(0, 7)(rng)));
  return c;
}

// ---------------------------------------------------------------------------------------------
// the outbox's chain
// ---------------------------------------------------------------------------------------------

TEST(OutboxChain, AnEditedAmountIsReportedAndNeverClaimed) {
  TempDir dir;
  auto db = openDb(dir / "t.db", allMigrations());
  const auto first = add(db, "co-1", "pay-1", OutboxKind::Payment, paymentBody(1000));
  const auto held = add(db, "co-1", "rc-1", OutboxKind::Receipt, R"({"receiptId":"rc-1"})");
  const auto other = add(db, "co-2", "pay-2", OutboxKind::Payment, paymentBody(500));
  Outbox outbox(db);
  EXPECT_TRUE(outbox.verify().value().sound());
  ASSERT_TRUE(db.exec("UPDATE outbox_body SET body = replace(body, '1000', '9') WHERE id = " +
                      std::to_string(first))
                  .ok());
  auto v = outbox.verify().value();
  EXPECT_FALSE(v.sound());
  EXPECT_EQ(v.first_broken_id, first);
  EXPECT_EQ(v.broken_rows, 1);
  EXPECT_EQ(v.problem, "body does not match its digest");
  auto claimed = outbox.claim(10, kT0).value();
  ASSERT_EQ(claimed.size(), 1u);  // only the other stream's payment
  EXPECT_EQ(claimed[0].id, other);
  auto bad = outbox.find(first).value();
  EXPECT_EQ(bad->state, OutboxState::Rejected);
  EXPECT_EQ(bad->last_error_code, std::string{kOutboxTampered});
  EXPECT_EQ(bad->attempts, 0);
  auto attention = outbox.needs_attention().value();
  ASSERT_EQ(attention.size(), 1u);
  ASSERT_EQ(attention[0].held.size(), 1u);
  EXPECT_EQ(attention[0].held[0].id, held);
  // A retry does not launder it: it is refused again at the next claim.
  EXPECT_TRUE(outbox.force_retry(first, kT0).value());
  EXPECT_TRUE(outbox.claim(10, kT0).value().empty());
  EXPECT_EQ(outbox.find(first).value()->state, OutboxState::Rejected);
}

TEST(OutboxChain, EveryRandomByteFlipInAChainedFieldIsCaught) {
  TempDir dir;
  auto db = openDb(dir / "t.db", allMigrations());
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(add(db, "co-" + std::to_string(i % 3), "pay-" + std::to_string(i),
                      OutboxKind::Payment, paymentBody(100 + i)));
  }
  // One ACKED delivery: its body (with the e-mail address) released, only its digest kept.
  const auto delivery = add(db, "co-9", "dl-9", OutboxKind::Delivery,
                            R"({"deliveryId":"dl-9","emailAddress":"a@b.example"})");
  Outbox outbox(db);
  auto claimed = outbox.claim(100, kT0).value();
  for (const auto& c : claimed) {
    if (c.id == delivery) {
      ASSERT_TRUE(outbox.mark_acked(delivery, 201, R"({"deliveryStatus":"SENT"})", kT0).ok());
    }
  }
  ASSERT_EQ(outbox.find(delivery).value()->state, OutboxState::Acked);
  EXPECT_EQ(outbox.find(delivery).value()->body.find("a@b.example"), std::string::npos);
  ids.push_back(delivery);
  ASSERT_TRUE(outbox.verify().value().sound()) << outbox.verify().value().problem;

  const std::vector<std::string> columns = {
      "kind",        "method", "path",     "stream",         "seq", "idempotency_key", "body",
      "body_digest", "link",   "redacted", "redacted_digest"};
  std::mt19937 rng(20261201);
  int applied = 0, caught = 0, refusedBySchema = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const auto id = ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)];
    const auto& column =
        columns[std::uniform_int_distribution<std::size_t>(0, columns.size() - 1)(rng)];
    const std::string where = "id = " + std::to_string(id);
    const std::string table = column == "body" ? "outbox_body" : "outbox_message";
    const Cell original = readCell(db, table, column, where);
    // redacted_digest of a row that was not redacted; the released body has no row to flip
    if (original.null || (!original.integer && original.bytes.empty())) continue;
    const Cell bad = flipped(original, rng);
    if (!writeCell(db, table, column, where, bad)) {
      ++refusedBySchema;
      continue;
    }
    ++applied;
    if (!outbox.verify().value().sound()) {
      ++caught;
    } else {
      ADD_FAILURE() << "not caught: row " << id << " column " << column;
    }
    ASSERT_TRUE(writeCell(db, table, column, where, original));
    ASSERT_TRUE(outbox.verify().value().sound());
  }
  EXPECT_GT(applied, 200);
  EXPECT_EQ(caught, applied) << "refused by the schema: " << refusedBySchema;
}

TEST(OutboxChain, AReleasedBodyCannotBeWrittenBackNorAnUnsentOneReleasedOrLost) {
  TempDir dir;
  auto db = openDb(dir / "t.db", allMigrations());
  const auto sent = add(db, "co-1", "pay-1", OutboxKind::Payment, paymentBody(1000));
  const auto queued = add(db, "co-2", "pay-2", OutboxKind::Payment, paymentBody(500));
  Outbox outbox(db);
  auto claimed = outbox.claim(1, kT0).value();
  ASSERT_EQ(claimed.size(), 1u);
  ASSERT_EQ(claimed[0].id, sent);
  ASSERT_TRUE(outbox.mark_acked(sent, 201, "{}", kT0).ok());
  EXPECT_EQ(outbox.find(sent).value()->body, "");
  ASSERT_TRUE(outbox.verify().value().sound()) << outbox.verify().value().problem;

  // Another body written for the released item (even the one that was sent) is caught.
  auto exec = [&](const std::string& sql) { ASSERT_TRUE(db.exec(sql).ok()) << sql; };
  const std::string body = R"('{"amount":{"amountMinor":9,"currency":"USD"}}')";
  exec("INSERT INTO outbox_body (id, body) VALUES (" + std::to_string(sent) + ", " + body + ")");
  auto v = outbox.verify().value();
  EXPECT_FALSE(v.sound());
  EXPECT_EQ(v.first_broken_id, sent);
  EXPECT_EQ(v.problem, "a body is stored for a released item");
  exec("DELETE FROM outbox_body WHERE id = " + std::to_string(sent));
  ASSERT_TRUE(outbox.verify().value().sound());
  // So is a body for an item that does not exist.
  exec("INSERT INTO outbox_body (id, body) VALUES (99, " + body + ")");
  v = outbox.verify().value();
  EXPECT_FALSE(v.sound());
  EXPECT_EQ(v.first_broken_id, 99);
  EXPECT_EQ(v.problem, "a body with no item");
  exec("DELETE FROM outbox_body WHERE id = 99");
  ASSERT_TRUE(outbox.verify().value().sound());

  // A queued item whose body is released by hand is never sent: it was not acknowledged; nor
  // is one whose body is gone.
  exec("UPDATE outbox_message SET redacted = 2 WHERE id = " + std::to_string(queued));
  v = outbox.verify().value();
  EXPECT_FALSE(v.sound());
  EXPECT_EQ(v.first_broken_id, queued);
  EXPECT_EQ(v.problem, "body released from an item that is not ACKED");
  exec("UPDATE outbox_message SET redacted = 0 WHERE id = " + std::to_string(queued));
  exec("DELETE FROM outbox_body WHERE id = " + std::to_string(queued));
  EXPECT_EQ(outbox.verify().value().problem, "body missing");
  EXPECT_TRUE(outbox.claim(10, kT0).value().empty());
  EXPECT_EQ(outbox.find(queued).value()->state, OutboxState::Rejected);
  EXPECT_EQ(outbox.find(queued).value()->last_error_code, std::string{kOutboxTampered});
}

TEST(OutboxChain, RowsWrittenBeforeTheChainAreChainedByTheMigration) {
  TempDir dir;
  const auto path = dir / "t.db";
  {
    // The outbox as it was (versions 1-3), rows written the old way.
    auto migrations = Outbox::migrations();
    auto db = openDb(path, migrations.first(3));
    for (int i = 1; i <= 4; ++i) {
      ASSERT_TRUE(db.exec("INSERT INTO outbox_message (stream, seq, kind, method, path, "
                          "idempotency_key, body, created_at_ms, next_attempt_at_ms) VALUES "
                          "('co-" +
                          std::to_string(i) +
                          "', 1, 'payment', 'POST', '/billing/payments', "
                          "'pay-" +
                          std::to_string(i) + "', '" + paymentBody(i) + "', 0, 0)")
                      .ok());
    }
  }
  auto db = openDb(path, allMigrations());
  Outbox outbox(db);
  auto v = outbox.verify().value();
  EXPECT_TRUE(v.sound()) << v.problem;
  EXPECT_EQ(v.rows_checked, 4);
  const auto next = add(db, "co-5", "pay-5", OutboxKind::Payment, paymentBody(5));
  EXPECT_TRUE(outbox.verify().value().sound());
  EXPECT_EQ(outbox.claim(10, kT0).value().size(), 5u);
  ASSERT_TRUE(db.exec("UPDATE outbox_message SET path = '/elsewhere' WHERE id = 2").ok());
  EXPECT_EQ(outbox.verify().value().first_broken_id, 2);
  (void)next;
}

// ---------------------------------------------------------------------------------------------
// snapshots
// ---------------------------------------------------------------------------------------------

std::string goodRules(const std::string& account) {
  return json{{"accountId", account}, {"isPoRequired", false}}.dump();
}

SnapshotValidator needsAccountId() {
  return [](std::string_view body) -> std::string {
    auto j = parse_outside_json(body);
    return j.is_object() && j.contains("accountId") ? "" : "accountId: missing";
  };
}

TEST(Snapshots, ABadPullNeverReplacesTheGoodSnapshot) {
  TempDir dir;
  auto db = openDb(dir / "t.db", allMigrations());
  SnapshotStore store(db);
  auto first = store.put_if_valid({"rules/A", SnapshotPresence::Present, "e1", goodRules("A"), kT0},
                                  needsAccountId());
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.value().stored);
  for (const std::string& bad :
       {std::string("<html>portal</html>"), std::string("null"), std::string(R"({"x":1})"),
        std::string(100 * 1024, '[') + std::string(100 * 1024, ']')}) {
    auto r = store.put_if_valid({"rules/A", SnapshotPresence::Present, "e2", bad, kT0},
                                needsAccountId());
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value().stored);
    EXPECT_FALSE(r.value().refusal.empty());
    auto kept = store.find("rules/A").value();
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->body, goodRules("A"));
    EXPECT_EQ(kept->etag, "e1");
  }
  auto second = store.put_if_valid(
      {"rules/A", SnapshotPresence::Present, "e3", goodRules("A") + " ", kT0}, needsAccountId());
  EXPECT_TRUE(second.value().stored);
  EXPECT_EQ(store.find("rules/A").value()->etag, "e3");
}

TEST(Snapshots, EveryRandomByteFlipIsCaughtOnReadAndByVerify) {
  TempDir dir;
  auto db = openDb(dir / "t.db", allMigrations());
  SnapshotStore store(db);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store
                    .put({"invoice/INV-" + std::to_string(i), SnapshotPresence::Present,
                          "etag-" + std::to_string(i),
                          json{{"invoiceId", "INV-" + std::to_string(i)}, {"n", i}}.dump(), kT0})
                    .ok());
  }
  ASSERT_TRUE(store.put({"rules/U", SnapshotPresence::Unconfigured, "", "", kT0}).ok());
  ASSERT_TRUE(store.touch("invoice/INV-1", kT0 + std::chrono::seconds(5)).ok());
  ASSERT_TRUE(store.verify().value().sound());
  std::vector<std::string> keys = {"invoice/INV-0", "invoice/INV-1", "invoice/INV-2",
                                   "invoice/INV-3", "invoice/INV-4", "rules/U"};
  const std::vector<std::string> columns = {"key",  "presence",      "etag",
                                            "body", "fetched_at_ms", "digest"};
  std::mt19937 rng(7);
  int applied = 0, caughtByVerify = 0, caughtOnRead = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const auto key = keys[std::uniform_int_distribution<std::size_t>(0, keys.size() - 1)(rng)];
    const auto& column =
        columns[std::uniform_int_distribution<std::size_t>(0, columns.size() - 1)(rng)];
    const Cell original = readCell(db, "sync_snapshot", column, "key = '" + key + "'");
    if (original.bytes.empty() && !original.integer) continue;  // an empty etag or body
    const Cell bad = flipped(original, rng);
    if (!writeCell(db, "sync_snapshot", column, "key = '" + key + "'", bad)) continue;
    ++applied;
    const std::string now = column == "key" ? bad.bytes : key;
    if (!store.verify().value().sound()) ++caughtByVerify;
    auto read = store.find(now);
    if (!read.ok() && read.error().code == DbErrorCode::Corrupt) ++caughtOnRead;
    ASSERT_TRUE(writeCell(db, "sync_snapshot", column, "key = '" + now + "'", original));
    ASSERT_TRUE(store.verify().value().sound());
  }
  EXPECT_GT(applied, 100);
  EXPECT_EQ(caughtByVerify, applied);
  EXPECT_EQ(caughtOnRead, applied);
  // A damaged row is not blessed by a 304.
  ASSERT_TRUE(db.exec("UPDATE sync_snapshot SET body = '{}' WHERE key = 'invoice/INV-2'").ok());
  EXPECT_FALSE(store.touch("invoice/INV-2", kT0).ok());
  EXPECT_FALSE(store.list("invoice/").ok());
  EXPECT_EQ(store.verify().value().broken_keys, std::vector<std::string>{"invoice/INV-2"});
}

TEST(Snapshots, RowsWrittenBeforeDigestsGetThemFromTheMigration) {
  TempDir dir;
  const auto path = dir / "t.db";
  {
    std::vector<Migration> old;
    for (const auto& m : Outbox::migrations()) old.push_back(m);
    old.push_back(SnapshotStore::migrations()[0]);
    auto db = openDb(path, old);
    ASSERT_TRUE(db.exec("INSERT INTO sync_snapshot (key, presence, etag, body, fetched_at_ms) "
                        "VALUES ('roster', 'PRESENT', 'e', '{\"staff\":[]}', 5)")
                    .ok());
  }
  auto db = openDb(path, allMigrations());
  SnapshotStore store(db);
  EXPECT_TRUE(store.verify().value().sound());
  auto roster = store.find("roster").value();
  ASSERT_TRUE(roster);
  EXPECT_EQ(roster->body, R"({"staff":[]})");
}

}  // namespace
}  // namespace pos::sync
