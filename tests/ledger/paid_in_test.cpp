// Cash paid into the drawer (issue 10): a chained append-only row like paid out, in the X and
// the Z, refused after the Z, walked by verify, and added by schema version 3 to a database
// that has version 2's rows.
#include <pos/ledger/ledger.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "../sync_db/temp_dir.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;
using test::Shop;
using test::TempDir;
using test::user;

std::int64_t count(sync::Database& db, const std::string& sql) {
  std::int64_t n = -1;
  auto r = db.statement(sql).for_each([&](const sync::Statement& row) { n = row.int64(0); });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return n;
}

const CurrencySection* section(const ShiftReport& rep, checkout::Currency c) {
  auto it = std::find_if(rep.currencies.begin(), rep.currencies.end(),
                         [&](const CurrencySection& s) { return s.currency == c; });
  return it == rep.currencies.end() ? nullptr : &*it;
}

class PaidInTest : public ::testing::Test {
 protected:
  PaidInTest() : db_(test::open_terminal_db(dir_ / "terminal.db")), shop_(db_) {}
  Ledger& ledger() { return shop_.ledger(); }
  CashPaidIn paid_in(const ShiftId& shift, Money amount, std::string reason = "float top-up") {
    return CashPaidIn{shop_.id<PaidInId>(), shift,       amount, user("advisor-1"),
                      std::move(reason),    shop_.tick()};
  }
  TempDir dir_;
  sync::Database db_;
  Shop shop_;
};

TEST_F(PaidInTest, IsInTheXAndTheZAndRaisesTheCashExpected) {
  const auto shift = shop_.open_shift({Money{Currencies::USD, 10000}});
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 5000})).ok());
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 250})).ok());
  ASSERT_TRUE(ledger()
                  .record_paid_out({shop_.id<PaidOutId>(), shift, Money{Currencies::USD, 2000},
                                    user("advisor-1"), "postage", shop_.tick()})
                  .ok());
  const auto co = shop_.new_checkout(shift);
  ASSERT_TRUE(ledger()
                  .record_capture(shop_.capture(co, Money{Currencies::USD, 1250}, Tender::Cash,
                                                Money{Currencies::USD, 2000}))
                  .ok());
  // A currency with nothing but a paid in still gets its section.
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::EUR, 3000})).ok());

  auto x = ledger().x_report(shift);
  ASSERT_TRUE(x.ok()) << x.error().message;
  const auto* usd = section(x.value(), Currencies::USD);
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->paid_in, (Money{Currencies::USD, 5250}));
  EXPECT_EQ(usd->paid_out, (Money{Currencies::USD, 2000}));
  // 10000 float + 2000 tendered - 750 change + 5250 in - 2000 out.
  EXPECT_EQ(usd->cash_expected, (Money{Currencies::USD, 14500}));
  const auto* eur = section(x.value(), Currencies::EUR);
  ASSERT_NE(eur, nullptr);
  EXPECT_EQ(eur->paid_in, (Money{Currencies::EUR, 3000}));
  EXPECT_EQ(eur->paid_out, (Money{Currencies::EUR, 0}));
  EXPECT_EQ(eur->cash_expected, (Money{Currencies::EUR, 3000}));

  auto z = ledger().close_shift({shift,
                                 user("sup-1"),
                                 shop_.tick(),
                                 {Money{Currencies::USD, 14400}, Money{Currencies::EUR, 3000}}});
  ASSERT_TRUE(z.ok()) << z.error().message;
  usd = section(z.value(), Currencies::USD);
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->paid_in, (Money{Currencies::USD, 5250}));
  EXPECT_EQ(usd->cash_expected, (Money{Currencies::USD, 14500}));
  EXPECT_EQ(usd->cash_difference, (Money{Currencies::USD, -100}));
  eur = section(z.value(), Currencies::EUR);
  ASSERT_NE(eur, nullptr);
  EXPECT_EQ(eur->cash_difference, (Money{Currencies::EUR, 0}));

  // Nothing is paid in after the Z, and nothing is paid in to a shift that never was.
  EXPECT_EQ(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 1})).error().code,
            LedgerErrorCode::ShiftNotOpen);
  EXPECT_FALSE(
      ledger().record_paid_in(paid_in(shop_.id<ShiftId>(), Money{Currencies::USD, 1})).ok());
  EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM cash_paid_in"), 3);
  EXPECT_TRUE(ledger().verify().value().sound());

  // The same figures from the file reopened.
  sync::Database reopened = test::open_terminal_db(dir_ / "terminal.db");
  auto again = Ledger(reopened).x_report(shift);
  ASSERT_TRUE(again.ok());
  usd = section(again.value(), Currencies::USD);
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->paid_in, (Money{Currencies::USD, 5250}));
  EXPECT_EQ(usd->cash_expected, (Money{Currencies::USD, 14500}));
}

TEST_F(PaidInTest, AZeroOrNegativeAmountIsRefusedByTheTable) {
  const auto shift = shop_.open_shift();
  EXPECT_FALSE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 0})).ok());
  EXPECT_FALSE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, -5})).ok());
  EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM cash_paid_in"), 0);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(PaidInTest, RowsAreNeverChangedOrDeleted) {
  const auto shift = shop_.open_shift();
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 5000})).ok());
  for (const char* sql : {"UPDATE cash_paid_in SET amount_minor = 1",
                          "UPDATE cash_paid_in SET reason = 'x'", "DELETE FROM cash_paid_in"}) {
    auto r = db_.statement(sql).run();
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.error().code, sync::DbErrorCode::Constraint) << sql;
    EXPECT_NE(r.error().message.find("cash_paid_in rows are append-only"), std::string::npos)
        << r.error().message;
  }
  EXPECT_EQ(count(db_, "SELECT amount_minor FROM cash_paid_in"), 5000);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(PaidInTest, ARowTamperedBehindTheTriggersBreaksVerify) {
  const auto shift = shop_.open_shift();
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 100})).ok());
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 5000})).ok());
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 300})).ok());
  auto v = ledger().verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v.value().sound());
  EXPECT_EQ(v.value().links_checked, count(db_, "SELECT COUNT(*) FROM ledger_chain"));

  // Someone makes a paid in look bigger in the file, around the ledger.
  const auto seq = count(db_, "SELECT chain_seq FROM cash_paid_in WHERE amount_minor = 5000");
  ASSERT_TRUE(db_.exec("DROP TRIGGER cash_paid_in_no_update; UPDATE cash_paid_in SET "
                       "amount_minor = 50000 WHERE chain_seq = " +
                       std::to_string(seq))
                  .ok());
  v = ledger().verify();
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v.value().first_break);
  EXPECT_EQ(v.value().first_break->sequence, seq);
  EXPECT_EQ(v.value().first_break->table, "cash_paid_in");
  EXPECT_EQ(v.value().first_break->kind, ChainBreakKind::HashMismatch);
  // The start-up check of the newest links finds it too, and then refuses writes.
  Ledger fresh(db_);
  auto start = fresh.startup_check();
  ASSERT_TRUE(start.ok());
  ASSERT_TRUE(start.value().first_break);
  EXPECT_EQ(start.value().first_break->table, "cash_paid_in");
  EXPECT_FALSE(fresh.record_paid_in(paid_in(shift, Money{Currencies::USD, 1})).ok());
}

TEST_F(PaidInTest, ADeletedOrForgedRowBreaksVerify) {
  const auto shift = shop_.open_shift();
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 100})).ok());
  ASSERT_TRUE(ledger().record_paid_in(paid_in(shift, Money{Currencies::USD, 200})).ok());

  TempDir other;
  sync::Database db2 = test::open_terminal_db(other / "t.db");
  Shop shop2(db2);
  const auto s2 = shop2.open_shift();
  ASSERT_TRUE(shop2.ledger()
                  .record_paid_in({shop2.id<PaidInId>(), s2, Money{Currencies::USD, 5},
                                   user("advisor-1"), "coins", shop2.tick()})
                  .ok());
  ASSERT_TRUE(db2.exec("INSERT INTO cash_paid_in (chain_seq, paid_in_id, shift_id, currency,"
                       " amount_minor, paid_by, reason, paid_at_ms) VALUES (100000, 'forged', '" +
                       s2.to_string() + "', 'USD', 90000, 'x', 'x', 0)")
                  .ok());
  auto forged = shop2.ledger().verify().value();
  ASSERT_TRUE(forged.first_break);
  EXPECT_EQ(forged.first_break->kind, ChainBreakKind::UnchainedRows);
  EXPECT_EQ(forged.first_break->table, "cash_paid_in");

  const auto seq = count(db_, "SELECT MIN(chain_seq) FROM cash_paid_in");
  ASSERT_TRUE(
      db_.exec("DROP TRIGGER cash_paid_in_no_delete; DELETE FROM cash_paid_in WHERE chain_seq = " +
               std::to_string(seq))
          .ok());
  auto deleted = ledger().verify().value();
  ASSERT_TRUE(deleted.first_break);
  EXPECT_EQ(deleted.first_break->kind, ChainBreakKind::RowMissing);
  EXPECT_EQ(deleted.first_break->sequence, seq);
  EXPECT_EQ(deleted.first_break->table, "cash_paid_in");
}

TEST(PaidInSchema, Version3AddsTheTableToADatabaseWithVersion2sRows) {
  TempDir dir;
  // The schema as version 2 left it: ledger steps 3 and later taken away.
  auto before = Ledger::all_migrations();
  const auto n = before.size();
  std::erase_if(before,
                [](const sync::Migration& m) { return m.component == "ledger" && m.version >= 3; });
  ASSERT_LT(before.size(), n);
  std::optional<ShiftId> opened;
  {
    sync::DatabaseOptions o;
    o.path = dir / "t.db";
    auto old = sync::Database::open(o, before);
    ASSERT_TRUE(old.ok()) << old.error().message;
    EXPECT_EQ(count(old.value(), "SELECT COUNT(*) FROM sqlite_master WHERE name = 'cash_paid_in'"),
              0);
    Shop shop(old.value());
    opened = shop.open_shift();
    ASSERT_TRUE(shop.ledger()
                    .record_paid_out({shop.id<PaidOutId>(), *opened, Money{Currencies::USD, 700},
                                      user("advisor-1"), "milk", shop.tick()})
                    .ok());
  }
  const ShiftId shift = *opened;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  Shop shop(db, test::kShopStart + std::chrono::hours(1));
  EXPECT_TRUE(shop.ledger().verify().value().sound());
  ASSERT_TRUE(shop.ledger()
                  .record_paid_in({shop.id<PaidInId>(), shift, Money{Currencies::USD, 1500},
                                   user("advisor-1"), "float top-up", shop.tick()})
                  .ok());
  EXPECT_EQ(count(db,
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                  "'cash_paid_in'"),
            2);
  auto x = shop.ledger().x_report(shift);
  ASSERT_TRUE(x.ok());
  const auto* usd = section(x.value(), Currencies::USD);
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->paid_in, (Money{Currencies::USD, 1500}));
  EXPECT_EQ(usd->cash_expected, (Money{Currencies::USD, 20000 + 1500 - 700}));
  EXPECT_TRUE(shop.ledger().verify().value().sound());
}

}  // namespace
}  // namespace pos::ledger
