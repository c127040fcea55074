// Schema steps outbox 5 and 6 and ledger 4 (issue 14: fewer B-trees per capture, the bodies in
// a table of their own) on a database in the layout the previous version made: tables rebuilt
// with foreign keys off, every ledger row and link and every outbox row the same bytes (its body
// now beside it), verify sound, and the keys that stay still refuse what they refused.
#include <pos/ledger/ledger.hpp>
#include <pos/sync/integrity.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../sync_db/temp_dir.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;
using checkout::Money;
using test::Shop;
using test::TempDir;
using test::user;

std::int64_t count(sync::Database& db, const std::string& sql) {
  std::int64_t n = -1;
  auto r = db.statement(sql).for_each([&](const sync::Statement& row) { n = row.int64(0); });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return n;
}

// The schema of the release before these steps. Today's code writes an outbox body into
// outbox_body, so while the old rows are written the body column stands in that table (a shim
// of this test's), and is folded back into outbox_message before the upgrade: the file is then
// in the old layout (the column last, which the rebuild does not mind: it copies by name).
std::vector<sync::Migration> previous_version() {
  auto all = Ledger::all_migrations();
  std::erase_if(all, [](const sync::Migration& m) {
    return (m.component == "ledger" && m.version >= 4) ||
           (m.component == "outbox" && m.version >= 5);
  });
  all.push_back({"test-shim", 1, "the body column in outbox_body while rows are written",
                 R"sql(
CREATE TABLE outbox_body (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;
ALTER TABLE outbox_message DROP COLUMN body;
)sql"});
  return all;
}

constexpr std::string_view kFoldShim = R"sql(
ALTER TABLE outbox_message ADD COLUMN body TEXT NOT NULL DEFAULT '';
UPDATE outbox_message SET body = (SELECT b.body FROM outbox_body AS b WHERE b.id = outbox_message.id);
DROP TABLE outbox_body;
DELETE FROM schema_migration WHERE component = 'test-shim';
)sql";

constexpr int kSqliteBlob = 4;  // SQLITE_BLOB, as Statement::column_type says it

// Every row of `sql`, column by column as name, storage type and value: what a link hashes.
std::string dump(sync::Database& db, const std::string& sql) {
  std::string out;
  auto r = db.statement(sql).for_each([&](const sync::Statement& row) {
    for (int c = 0; c < row.column_count(); ++c) {
      out += std::string{row.column_name(c)} + ":" + std::to_string(row.column_type(c)) + "=";
      if (row.is_null(c)) {
        out += "NULL";
      } else if (row.column_type(c) == kSqliteBlob) {
        for (auto b : row.blob(c)) out += std::to_string(static_cast<int>(b)) + ".";
      } else {
        out += row.text(c);
      }
      out += "|";
    }
    out += "\n";
  });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return out;
}

// Every ledger table (everything but the outbox's and the bookkeeping), in chain order.
std::string ledger_rows(sync::Database& db) {
  std::vector<std::string> tables;
  (void)db
      .statement(
          "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'outbox%' "
          "AND name NOT LIKE 'sqlite%' AND name <> 'schema_migration' ORDER BY name")
      .for_each([&](const sync::Statement& row) { tables.push_back(row.text(0)); });
  EXPECT_GE(tables.size(), 20u);
  std::string out;
  for (const auto& t : tables) {
    const std::string key = t == "ledger_chain" ? "seq" : "chain_seq";
    out += "== " + t + "\n" + dump(db, "SELECT * FROM " + t + " ORDER BY " + key);
  }
  return out;
}

// Every outbox row, every column (a stripped delivery among them), the body where it is kept:
// in the row before the upgrade, beside it after.
constexpr std::string_view kOutboxColumns =
    "id, stream, seq, kind, method, path, idempotency_key, personal_fields, created_at_ms, state,"
    " attempts, next_attempt_at_ms, last_error_code, correlation_id, http_status, response_body,"
    " acked_at_ms, body_digest, link, redacted, redacted_digest, released";
const std::string kOutboxRowsBefore =
    "SELECT " + std::string{kOutboxColumns} + ", body FROM outbox_message ORDER BY id";
const std::string kOutboxRowsAfter =
    "SELECT " + std::string{kOutboxColumns} +
    ", (SELECT b.body FROM outbox_body AS b WHERE b.id = outbox_message.id) AS body"
    " FROM outbox_message ORDER BY id";

std::int64_t unique_keys(sync::Database& db, const std::string& table) {
  return count(db, "SELECT COUNT(*) FROM pragma_index_list('" + table + "') WHERE \"unique\" = 1");
}

TEST(SchemaUpgrade, RebuiltTablesKeepEveryRowAndLinkAndVerifySound) {
  TempDir dir;
  const auto path = dir / "terminal.db";
  std::string rows_before, outbox_before;
  std::optional<ledger::PaymentCapture> first;
  std::optional<CheckoutRecord> open_checkout;
  std::int64_t last_id = 0;
  {
    sync::DatabaseOptions o;
    o.path = path;
    auto old = sync::Database::open(o, previous_version());
    ASSERT_TRUE(old.ok()) << old.error().message;
    sync::Database& db = old.value();
    EXPECT_EQ(unique_keys(db, "payment"), 2);
    EXPECT_EQ(unique_keys(db, "receipt"), 3);
    EXPECT_EQ(unique_keys(db, "audit_event"), 1);
    EXPECT_EQ(unique_keys(db, "drawer_opening"), 1);
    Shop shop(db);
    const auto shift = shop.open_shift();
    for (int c = 0; c < 3; ++c) {
      const auto co = shop.new_checkout(shift);
      for (int i = 0; i < 3; ++i) {
        auto cap =
            shop.capture(co, Money{Currencies::USD, 100 + 10 * c + i},
                         static_cast<Tender>(i % 3));  // cash (a drawer opening), check, card
        ASSERT_TRUE(shop.ledger().record_capture(cap).ok());
        if (!first) first = cap;
      }
      open_checkout = co;
    }
    ASSERT_TRUE(
        shop.ledger()
            .record_drawer_opening({shop.id<DrawerOpeningId>(), shift, user("advisor-1"),
                                    DrawerReason::NoSale, std::nullopt, "change", shop.tick()})
            .ok());
    ASSERT_TRUE(shop.ledger()
                    .record_audit({shop.id<checkout::EventId>(), std::nullopt, "SIGNED_IN",
                                   "advisor-1", "{}", shop.tick()})
                    .ok());
    auto& outbox = shop.ledger().outbox();
    // A delivery with an e-mail address, acked the way the previous version did it: personal
    // fields stripped, the stripped body's own digest, redacted = 1.
    {
      auto tx = db.begin();
      ASSERT_TRUE(tx.ok());
      sync::OutboxMessage m{
          "co-delivery",    sync::OutboxKind::Delivery,
          "POST",           "/billing/receipts/r-1/deliver",
          "dlv-1",          R"({"deliveryId":"dlv-1","emailAddress":"jane@example.org"})",
          {"emailAddress"}, shop.tick()};
      ASSERT_TRUE(outbox.enqueue(tx.value(), m).ok());
      ASSERT_TRUE(tx.value().commit().ok());
    }
    // The previous version's marks: ACKED with the body kept; one REJECTED and resolved RETRY
    // (a resolution row that refers to its item: the foreign key across the rebuild).
    auto claimed = outbox.claim(100, shop.tick()).value();
    ASSERT_EQ(claimed.size(), 4u);  // the first item of each checkout's stream, the delivery
    ASSERT_EQ(claimed.back().kind, sync::OutboxKind::Delivery);
    const auto rejected = claimed.front().id;
    for (std::size_t i = 1; i < claimed.size(); ++i) {
      const auto& item = claimed[i];
      if (item.kind == sync::OutboxKind::Delivery) {
        const std::string stripped = R"({"deliveryId":"dlv-1"})";
        const auto d = sync::digest_of({"pos-outbox-body-v1", stripped});
        ASSERT_TRUE(
            db.statement("UPDATE outbox_message SET state = 'ACKED', http_status = 201,"
                         " response_body = '{\"deliveryStatus\":\"SENT\"}', acked_at_ms = 1,"
                         " personal_fields = NULL, redacted = 1,"
                         " redacted_digest = ? WHERE id = ?")
                .bind(sync::Blob{d}, item.id)
                .run()
                .ok());
        ASSERT_TRUE(db.statement("UPDATE outbox_body SET body = ? WHERE id = ?")
                        .bind(stripped, item.id)
                        .run()
                        .ok());
      } else {
        ASSERT_TRUE(db.statement("UPDATE outbox_message SET state = 'ACKED', http_status = 201,"
                                 " response_body = '{}', acked_at_ms = 1 WHERE id = ?")
                        .bind(item.id)
                        .run()
                        .ok());
      }
    }
    ASSERT_TRUE(
        outbox.mark_rejected(rejected, {"AMOUNT_EXCEEDS_BALANCE", "c-1", 409}, shop.tick()).ok());
    ASSERT_EQ(outbox
                  .resolve(rejected, {sync::OutboxResolutionKind::Retry, "supervisor-1",
                                      shop.tick(), std::nullopt})
                  .value(),
              sync::ResolveOutcome::Resolved);
    ASSERT_TRUE(outbox.verify().value().sound()) << outbox.verify().value().problem;
    ASSERT_TRUE(shop.ledger().verify().value().sound());
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM outbox_message WHERE redacted = 1"), 1);
    EXPECT_GT(count(db, "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'outbox_message'"), 0);
    ASSERT_TRUE(db.exec(kFoldShim).ok());
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM outbox_message WHERE body = ''"), 0);
    rows_before = ledger_rows(db);
    outbox_before = dump(db, kOutboxRowsBefore);
    last_id = count(db, "SELECT MAX(id) FROM outbox_message");
  }

  sync::Database db = test::open_terminal_db(path);
  std::int64_t ledger_v = 0, outbox_v = 0;
  const auto versions = db.schema_versions().value();
  for (const auto& v : versions) {
    if (v.component == "ledger") ledger_v = v.version;
    if (v.component == "outbox") outbox_v = v.version;
  }
  EXPECT_EQ(ledger_v, 4);
  EXPECT_EQ(outbox_v, 6);
  EXPECT_EQ(count(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(db.integrity_check().value(), "ok");

  // The ledger: the same rows, columns, types and links; only the redundant keys are gone.
  EXPECT_EQ(ledger_rows(db), rows_before);
  EXPECT_EQ(unique_keys(db, "payment"), 1);  // payment_id
  EXPECT_EQ(unique_keys(db, "receipt"), 2);  // receipt_id, receipt_reference
  EXPECT_EQ(unique_keys(db, "audit_event"), 0);
  EXPECT_EQ(unique_keys(db, "drawer_opening"), 0);
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name IN "
                  "('payment_by_shift', 'payment_by_invoice', 'drawer_opening_by_shift')"),
            3);
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN "
                  "('payment', 'receipt', 'audit_event', 'drawer_opening')"),
            8);
  EXPECT_FALSE(db.exec("UPDATE payment SET amount_minor = 1").ok());
  EXPECT_FALSE(db.exec("DELETE FROM audit_event").ok());

  // The outbox: every row the same bytes (ids, chain, marks, the stripped delivery; each body,
  // the acked ones' too, now in outbox_body); no AUTOINCREMENT, one pending index.
  EXPECT_EQ(dump(db, kOutboxRowsAfter), outbox_before);
  EXPECT_EQ(
      count(db, "SELECT COUNT(*) FROM pragma_table_info('outbox_message') WHERE name = 'body'"), 0);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM outbox_message WHERE redacted = 1"), 1);
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM sqlite_schema WHERE sql LIKE '%AUTOINCREMENT%' AND"
                  " name = 'outbox_message'"),
            0);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'outbox_message'"), 0);
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND"
                  " tbl_name = 'outbox_message' AND sql IS NOT NULL"),
            1);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM outbox_resolution"), 1);
  EXPECT_FALSE(db.exec("INSERT INTO outbox_resolution (outbox_id, resolution, resolved_by,"
                       " resolved_at_ms) VALUES (999999, 'RETRY', 'x', 0)")
                   .ok());  // the reference holds on the rebuilt table

  Shop shop(db, test::kShopStart + std::chrono::hours(1));
  auto ov = shop.ledger().outbox().verify().value();
  EXPECT_TRUE(ov.sound()) << ov.problem;
  EXPECT_TRUE(shop.ledger().verify().value().sound());

  // Writing goes on: a new capture (ids above the old ones), claims in order, and the keys that
  // stay refuse a reused payment or receipt id with nothing written.
  auto next = shop.capture(*open_checkout, Money{Currencies::USD, 555}, Tender::Cash);
  ASSERT_TRUE(shop.ledger().record_capture(next).ok());
  EXPECT_GT(count(db, "SELECT MIN(id) FROM outbox_message WHERE idempotency_key = '" +
                          next.payment.payment_id.to_string() + "'"),
            last_id);
  auto again = *first;
  again.payment.amount = Money{Currencies::USD, 999};
  EXPECT_EQ(shop.ledger().record_capture(again).error().code, LedgerErrorCode::IdConflict);
  auto reused = shop.capture(*open_checkout, Money{Currencies::USD, 7}, Tender::Check);
  reused.receipt.receipt_id = first->receipt.receipt_id;
  reused.payment.receipt_id = first->receipt.receipt_id;
  reused.messages[1].idempotency_key = first->receipt.receipt_id.to_string();
  EXPECT_EQ(shop.ledger().record_capture(reused).error().code, LedgerErrorCode::IdConflict);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM payment WHERE payment_id = '" +
                          reused.payment.payment_id.to_string() + "'"),
            0);
  auto claimed = shop.ledger().outbox().claim(100, shop.tick()).value();
  ASSERT_FALSE(claimed.empty());
  EXPECT_TRUE(std::is_sorted(claimed.begin(), claimed.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));
  for (const auto& item : claimed) {
    ASSERT_TRUE(shop.ledger().outbox().mark_acked(item.id, 201, "{}", shop.tick()).ok());
  }
  ov = shop.ledger().outbox().verify().value();
  EXPECT_TRUE(ov.sound()) << ov.problem;
  EXPECT_TRUE(shop.ledger().verify().value().sound());
  for (const auto& item : claimed) {  // released with the ACK
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM outbox_body WHERE id = " + std::to_string(item.id)),
              0);
  }
}

}  // namespace
}  // namespace pos::ledger
