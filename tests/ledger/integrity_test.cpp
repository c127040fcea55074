// Issue 12 and 10 on real files: the anchor (a database that went backwards, or was edited, is
// found at start and by verify, and is not written on), the balance guard, a taken receipt
// reference, the capture's state after a full disk, one count of PIN attempts, verify's
// progress and the running sums it checks.
//
// Sections: 1. helpers  2. the anchor  3. money taken twice, receipt numbers  4. full disk
//           5. PIN attempts  6. verify's progress and running sums
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include <pos/checkout/elevation.hpp>

#include "../../terminal/ledger/src/text_deflate.hpp"
#include "../sync_db/temp_dir.hpp"
#include "durability_fixture.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// 1. helpers
// ---------------------------------------------------------------------------------------------

struct Files {
  test::TempDir dir;
  fs::path db = dir / "terminal.db";
  fs::path anchor = dir / "terminal.db.anchor";
};

// A shop on the files that takes `n` payments and closes its connection (SQLite checkpoints
// and removes the -wal on the last close).
void take_payments(const Files& f, int n) {
  sync::Database db = test::open_terminal_db(f.db);
  test::Shop shop(db, test::kShopStart, f.anchor);
  ASSERT_TRUE(shop.ledger().startup_check().value().sound());
  auto current = shop.ledger().current_shift();
  const auto shift = current.value() ? current.value()->shift_id : shop.open_shift();
  const auto co = shop.new_checkout(shift);
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(
        shop.ledger().record_capture(shop.capture(co, Money{Currencies::USD, 100 + i})).ok());
  }
}

std::int64_t links(const fs::path& db_path) {
  sync::Database db = test::open_terminal_db(db_path);
  return test::scalar(db, "SELECT COUNT(*) FROM ledger_chain");
}

// Opens the files as the terminal would at start: startup_check, then a capture, then reads.
struct AtStart {
  StartupCheck start;
  ChainVerification verified;
  std::optional<LedgerErrorCode> capture_error;
  bool reads_work = false;
};
AtStart open_at_start(const Files& f) {
  AtStart out;
  sync::Database db = test::open_terminal_db(f.db);
  test::Shop shop(db, test::kShopStart + std::chrono::hours{1}, f.anchor);
  out.start = shop.ledger().startup_check().value();
  auto current = shop.ledger().current_shift();
  out.reads_work = current.ok();
  std::optional<ShiftId> shift;
  if (current.ok() && current.value()) shift = current.value()->shift_id;
  if (!shift) {
    auto open = shop.ledger().open_shift(
        {shop.id<ShiftId>(), "T-1", test::user("advisor-1"), shop.tick(), {}});
    if (!open.ok()) out.capture_error = open.error().code;
  }
  if (!out.capture_error && shift) {
    auto r = shop.ledger().record_checkout(
        CheckoutRecord{shop.id<checkout::CheckoutId>(), *shift, shop.id<checkout::InvoiceId>(),
                       "INV-9", "WO-9", "ACC-1", Currencies::USD,
                       shop.id<checkout::CorrelationId>(), test::user("advisor-1"), shop.tick()});
    if (!r.ok()) out.capture_error = r.error().code;
  }
  if (shift) out.reads_work = out.reads_work && shop.ledger().x_report(*shift).ok();
  test::Shop again(db, test::kShopStart, f.anchor);
  out.verified = again.ledger().verify().value();
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. the anchor
// ---------------------------------------------------------------------------------------------

TEST(Anchor, AFreshInstallIsSoundAndMakesItsAnchor) {
  Files f;
  sync::Database db = test::open_terminal_db(f.db);
  Ledger ledger(db, f.anchor);
  auto s = ledger.startup_check();
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s.value().sound());
  EXPECT_EQ(s.value().anchor.finding, AnchorFinding::Created);
  EXPECT_EQ(s.value().anchor.db_length, 0);
  EXPECT_TRUE(fs::exists(f.anchor));
  // Next start: the anchor holds.
  Ledger again(db, f.anchor);
  EXPECT_EQ(again.startup_check().value().anchor.finding, AnchorFinding::Matches);
}

TEST(Anchor, FollowsEveryCommitAndHoldsAcrossRestarts) {
  Files f;
  take_payments(f, 3);
  const auto n = links(f.db);
  const auto start = open_at_start(f);
  EXPECT_TRUE(start.start.sound());
  EXPECT_EQ(start.start.anchor.finding, AnchorFinding::Matches);
  EXPECT_EQ(start.start.anchor.anchor_length, n);
  EXPECT_EQ(start.start.anchor.db_length, n);
  EXPECT_FALSE(start.capture_error);
  EXPECT_TRUE(start.verified.sound());
}

TEST(Anchor, ADeletedWalThatLostTheLastCommitsIsFoundAtStartAndByVerify) {
  Files f;
  take_payments(f, 2);
  const auto before = links(f.db);
  // A terminal killed with its last payments only in the -wal (no checkpoint on close).
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sync::Database db = test::open_terminal_db(f.db, sync::Synchronous::Full, {}, 0);
    test::Shop shop(db, test::kShopStart, f.anchor);
    const auto shift = shop.ledger().current_shift().value()->shift_id;
    const auto co = shop.new_checkout(shift);
    for (int i = 0; i < 3; ++i) {
      if (!shop.ledger().record_capture(shop.capture(co, Money{Currencies::USD, 7})).ok()) {
        ::_exit(2);
      }
    }
    ::_exit(0);  // no close, no checkpoint
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(fs::exists(fs::path{f.db.string() + "-wal"}));
  fs::remove(fs::path{f.db.string() + "-wal"});
  fs::remove(fs::path{f.db.string() + "-shm"});

  const auto start = open_at_start(f);
  EXPECT_FALSE(start.start.sound());
  EXPECT_EQ(start.start.anchor.finding, AnchorFinding::ChainBehindAnchor);
  EXPECT_EQ(start.start.anchor.db_length, before);
  EXPECT_GT(start.start.anchor.anchor_length, before);
  EXPECT_EQ(start.capture_error, LedgerErrorCode::LedgerNotSound);
  EXPECT_TRUE(start.reads_work);
  EXPECT_FALSE(start.verified.sound());
  EXPECT_EQ(start.verified.anchor.finding, AnchorFinding::ChainBehindAnchor);
  EXPECT_EQ(links(f.db), before) << "nothing was written on the ledger that went backwards";
}

TEST(Anchor, AZeroByteDatabaseIsNotSoundWhenAnAnchorExists) {
  Files f;
  take_payments(f, 2);
  fs::resize_file(f.db, 0);
  const auto start = open_at_start(f);
  EXPECT_FALSE(start.start.sound());
  EXPECT_EQ(start.start.anchor.finding, AnchorFinding::ChainBehindAnchor);
  EXPECT_EQ(start.start.anchor.db_length, 0);
  EXPECT_FALSE(start.verified.sound());
  EXPECT_EQ(start.verified.links_checked, 0);
  EXPECT_EQ(start.capture_error, LedgerErrorCode::LedgerNotSound);
}

TEST(Anchor, AnOlderCopyPutBackIsFoundAndAnotherHistoryToo) {
  Files f;
  take_payments(f, 2);
  const auto old_copy = f.dir / "old.db";
  fs::copy_file(f.db, old_copy);
  take_payments(f, 2);
  fs::copy_file(old_copy, f.db, fs::copy_options::overwrite_existing);
  auto start = open_at_start(f);
  EXPECT_EQ(start.start.anchor.finding, AnchorFinding::ChainBehindAnchor);
  EXPECT_FALSE(start.verified.sound());
  EXPECT_EQ(start.capture_error, LedgerErrorCode::LedgerNotSound);

  // A longer database of another terminal's history put in its place.
  Files other;
  take_payments(other, 6);
  fs::copy_file(other.db, f.db, fs::copy_options::overwrite_existing);
  start = open_at_start(f);
  EXPECT_EQ(start.start.anchor.finding, AnchorFinding::AnchorMismatch);
  EXPECT_FALSE(start.verified.sound());
  EXPECT_EQ(start.capture_error, LedgerErrorCode::LedgerNotSound);
}

TEST(Anchor, RowsTamperedBehindTheTriggersAreFoundAtStartAndNotWrittenOn) {
  Files f;
  take_payments(f, 4);
  {
    sync::Database db = test::open_terminal_db(f.db);
    ASSERT_TRUE(db.exec("DROP TRIGGER payment_no_update; UPDATE payment SET amount_minor = 9 "
                        "WHERE chain_seq = (SELECT MAX(chain_seq) FROM payment)")
                    .ok());
  }
  const auto start = open_at_start(f);
  EXPECT_TRUE(start.start.anchor.sound());  // the length holds; a link does not
  ASSERT_TRUE(start.start.first_break);
  EXPECT_EQ(start.start.first_break->kind, ChainBreakKind::HashMismatch);
  EXPECT_EQ(start.start.first_break->table, "payment");
  EXPECT_FALSE(start.start.sound());
  EXPECT_EQ(start.capture_error, LedgerErrorCode::LedgerNotSound);
  EXPECT_TRUE(start.reads_work);
  ASSERT_TRUE(start.verified.first_break);
  EXPECT_EQ(start.verified.first_break->sequence, start.start.first_break->sequence);
}

TEST(Anchor, AnAnchorWithNoWholeCopyIsNotSound) {
  Files f;
  take_payments(f, 1);
  std::ofstream(f.anchor, std::ios::binary | std::ios::trunc) << std::string(128, 'x');
  const auto start = open_at_start(f);
  EXPECT_EQ(start.start.anchor.finding, AnchorFinding::AnchorUnreadable);
  EXPECT_FALSE(start.verified.sound());
  EXPECT_EQ(start.capture_error, LedgerErrorCode::LedgerNotSound);
}

TEST(Anchor, OneTornCopyFallsBackToTheOther) {
  Files f;
  take_payments(f, 1);
  take_payments(f, 1);  // both copies written by now
  {
    std::fstream a(f.anchor, std::ios::binary | std::ios::in | std::ios::out);
    a.seekp(70);
    a.put('\x55');  // inside the second copy
  }
  const auto start = open_at_start(f);
  EXPECT_TRUE(start.start.anchor.sound()) << to_string(start.start.anchor.finding);
  EXPECT_FALSE(start.capture_error);
}

// ---------------------------------------------------------------------------------------------
// 3. money taken twice, receipt numbers
// ---------------------------------------------------------------------------------------------

TEST(BalanceGuard, RefusesWhatThisTerminalsUnlistedPaymentsLeaveNoRoomFor) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto co = shop.new_checkout(shift);
  auto guard = [&](std::int64_t due, std::vector<checkout::BillingPaymentId> listed = {}) {
    return BalanceGuard{co.invoice_id, Money{Currencies::USD, due}, std::move(listed)};
  };
  auto first = shop.capture(co, Money{Currencies::USD, 600}, Tender::Check);
  first.balance_guard = guard(1000);
  ASSERT_TRUE(shop.ledger().record_capture(first).ok());

  auto second = shop.capture(co, Money{Currencies::USD, 600}, Tender::Check);
  second.balance_guard = guard(1000);  // the backend does not know of the first yet
  auto r = shop.ledger().record_capture(second);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, LedgerErrorCode::AmountExceedsBalance);
  EXPECT_EQ(test::capture_rows(db, second), 0);
  EXPECT_EQ(shop.ledger().capture_state(second.payment.payment_id), CaptureState::NotRecorded);

  // The backend lists the first and says 400 is due: 600 is still too much, 400 is not.
  second.balance_guard = guard(400, {first.payment.payment_id});
  EXPECT_EQ(shop.ledger().record_capture(second).error().code,
            LedgerErrorCode::AmountExceedsBalance);
  auto rest = shop.capture(co, Money{Currencies::USD, 400}, Tender::Check);
  rest.balance_guard = guard(400, {first.payment.payment_id});
  ASSERT_TRUE(shop.ledger().record_capture(rest).ok());
  EXPECT_EQ(shop.ledger().capture_state(rest.payment.payment_id), CaptureState::Recorded);
  // Another currency than the invoice's is refused, not compared.
  auto eur = shop.capture(co, Money{Currencies::USD, 1}, Tender::Check);
  eur.balance_guard = BalanceGuard{co.invoice_id, Money{Currencies::EUR, 5000}, {}};
  EXPECT_EQ(shop.ledger().record_capture(eur).error().code, LedgerErrorCode::CurrencyMismatch);
}

TEST(ReceiptReference, ATakenReferenceIsItsOwnErrorAndNothingIsWritten) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto co = shop.new_checkout(shift);
  EXPECT_EQ(shop.ledger().next_receipt_sequence(co.invoice_id).value(), 1);
  auto a = shop.capture(co, Money{Currencies::USD, 100}, Tender::Check);
  ASSERT_TRUE(shop.ledger().record_capture(a).ok());
  EXPECT_EQ(shop.ledger().next_receipt_sequence(co.invoice_id).value(), 2);
  auto b = shop.capture(co, Money{Currencies::USD, 200}, Tender::Check);
  b.receipt.receipt_reference = a.receipt.receipt_reference;  // numbered by another process
  const auto chain = test::scalar(db, "SELECT COUNT(*) FROM ledger_chain");
  auto r = shop.ledger().record_capture(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, LedgerErrorCode::ReceiptReferenceTaken);
  EXPECT_EQ(test::capture_rows(db, b), 0);
  EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM ledger_chain"), chain);
  // Renumbered with the next sequence: recorded.
  b.receipt.receipt_reference +=
      "-" + std::to_string(shop.ledger().next_receipt_sequence(co.invoice_id).value());
  ASSERT_TRUE(shop.ledger().record_capture(b).ok());
}

// ---------------------------------------------------------------------------------------------
// 4. full disk
// ---------------------------------------------------------------------------------------------

TEST(FullDisk, TheCapturesStateVerifyAndTheReportsStillAnswer) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db, test::kShopStart, dir / "t.db.anchor");
  const auto shift = shop.open_shift();
  const auto co = shop.new_checkout(shift);
  ASSERT_TRUE(db.exec("PRAGMA max_page_count = " +
                      std::to_string(test::scalar(db, "PRAGMA page_count") + 3))
                  .ok());
  int recorded = 0, refused = 0;
  for (int i = 0; i < 200 && refused < 5; ++i) {
    auto cap = shop.capture(co, Money{Currencies::USD, 1 + i});
    auto r = shop.ledger().record_capture(cap);
    const auto state = shop.ledger().capture_state(cap.payment.payment_id);
    const auto rows = test::capture_rows(db, cap);
    if (r.ok()) {
      ++recorded;
      EXPECT_EQ(state, CaptureState::Recorded);
      EXPECT_EQ(rows, 1);
    } else {
      ++refused;
      ASSERT_EQ(r.error().code, LedgerErrorCode::Storage);
      EXPECT_EQ(r.error().cause->code, sync::DbErrorCode::DiskFull);
      EXPECT_EQ(state, CaptureState::NotRecorded) << "a full disk leaves nothing behind";
      EXPECT_EQ(rows, 0);
    }
  }
  ASSERT_GT(refused, 0) << "the disk never filled";
  // Still full: every read path answers.
  auto v = shop.ledger().verify();
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v.value().sound());
  auto x = shop.ledger().x_report(shift);
  ASSERT_TRUE(x.ok()) << x.error().message;
  ASSERT_EQ(x.value().currencies.size(), 1U);
  EXPECT_EQ(x.value().currencies[0].payment_count, recorded);
  EXPECT_TRUE(shop.ledger().unsynced_payments().ok());
  EXPECT_TRUE(shop.ledger().startup_check().value().sound());
}

// ---------------------------------------------------------------------------------------------
// 5. PIN attempts
// ---------------------------------------------------------------------------------------------

TEST(PinAttempts, FiveFailuresLockOutAndASuccessStartsTheCountAgain) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  Ledger& ledger = shop.ledger();
  const auto sup = test::user("sup-1");
  auto now = shop.tick();
  // A success in between resets the count.
  for (int i = 0; i < 4; ++i) {
    auto t = ledger.begin_pin_attempt(sup, "APPROVAL_OFFLINE", now);
    ASSERT_TRUE(std::holds_alternative<PinAttemptTicket>(t.value()));
    ASSERT_FALSE(
        ledger.finish_pin_attempt(std::get<PinAttemptTicket>(t.value()), PinOutcome::Failed, now)
            .value());
  }
  EXPECT_EQ(ledger.approver_pin_state(sup).value().failures_since_last_success_or_lockout, 4);
  auto ok = ledger.begin_pin_attempt(sup, "SIGN_IN", now);
  ASSERT_EQ(std::get<PinAttemptTicket>(ok.value()).failures_before, 4);
  ASSERT_TRUE(
      ledger.finish_pin_attempt(std::get<PinAttemptTicket>(ok.value()), PinOutcome::Succeeded, now)
          .ok());
  EXPECT_EQ(ledger.approver_pin_state(sup).value().failures_since_last_success_or_lockout, 0);
  // Online, offline and sign-in failures are one count.
  const char* purposes[] = {"APPROVAL_ONLINE", "APPROVAL_OFFLINE", "SIGN_IN", "SIGN_IN",
                            "APPROVAL_ONLINE"};
  std::optional<ApproverLockout> lock;
  for (const char* purpose : purposes) {
    auto t = ledger.begin_pin_attempt(sup, purpose, now);
    ASSERT_TRUE(std::holds_alternative<PinAttemptTicket>(t.value()));
    lock = ledger.finish_pin_attempt(std::get<PinAttemptTicket>(t.value()), PinOutcome::Failed, now)
               .value();
  }
  ASSERT_TRUE(lock);
  EXPECT_EQ(lock->locked_until, now + checkout::kApproverLockoutDuration);
  auto refused = ledger.begin_pin_attempt(sup, "SIGN_IN", now + std::chrono::minutes{1});
  ASSERT_TRUE(std::holds_alternative<PinLockedOut>(refused.value()));
  EXPECT_EQ(std::get<PinLockedOut>(refused.value()).until, lock->locked_until);
  // The old reading of the same rows agrees.
  EXPECT_TRUE(ledger.approver_pin_state(sup).value().latest_lockout);
  // After the lock-out: a fresh count.
  auto later = ledger.begin_pin_attempt(sup, "SIGN_IN", lock->locked_until);
  ASSERT_TRUE(std::holds_alternative<PinAttemptTicket>(later.value()));
  EXPECT_EQ(std::get<PinAttemptTicket>(later.value()).failures_before, 0);
  EXPECT_TRUE(ledger.verify().value().sound());
}

TEST(PinAttempts, AnUnreadableStateRefusesTheCheck) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  Ledger ledger(db);
  // Another connection holds the write lock past the busy timeout: no ticket, an error.
  sync::DatabaseOptions o;
  o.path = dir / "t.db";
  o.busy_timeout = std::chrono::milliseconds{50};
  const auto migrations = Ledger::all_migrations();
  auto other = sync::Database::open(o, migrations);
  ASSERT_TRUE(other.ok());
  auto short_wait = sync::Database::open(o, migrations);
  ASSERT_TRUE(short_wait.ok());
  Ledger waiting(short_wait.value());
  auto hold = other.value().begin();
  ASSERT_TRUE(hold.ok());
  auto t = waiting.begin_pin_attempt(test::user("sup-1"), "SIGN_IN", test::kShopStart);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, LedgerErrorCode::Storage);
}

// ---------------------------------------------------------------------------------------------
// 6. verify's progress and running sums
// ---------------------------------------------------------------------------------------------

TEST(Verify, ReportsProgressUpToTheTotal) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto co = shop.new_checkout(shift);
  for (int i = 0; i < 2100; ++i) {
    ASSERT_TRUE(shop.ledger()
                    .record_capture(shop.capture(co, Money{Currencies::USD, 5}, Tender::Check))
                    .ok());
  }
  // One walk, and two stretches at once (the second's count comes in as it goes).
  for (const std::int64_t split_from : {Ledger::kVerifySplitFrom, std::int64_t{1}}) {
    std::vector<std::pair<std::int64_t, std::int64_t>> calls;
    auto v = shop.ledger().verify(
        [&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); },
        split_from);
    ASSERT_TRUE(v.value().sound());
    EXPECT_EQ(v.value().walk_stretches, split_from == 1 ? 2 : 1);
    ASSERT_GE(calls.size(), 2U);
    for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
    EXPECT_EQ(calls.back().first, v.value().links_checked);
    EXPECT_EQ(calls.back().second, v.value().links_checked);
  }
}

// A long chain is walked as two stretches at once, cut at its middle link: the two walks find
// exactly what one walk finds (the same first break, its link, table and kind, and the same
// links checked), whatever is damaged just before, at and just after the cut, at the ends, or
// below and above every link. Each case is a copy of one sound file.
TEST(Verify, TwoStretchesFindWhatOneWalkFinds) {
  test::TempDir dir;
  const fs::path base = dir / "base.db";
  {
    sync::Database db = test::open_terminal_db(base);
    test::Shop shop(db);
    const auto shift = shop.open_shift();
    const auto co = shop.new_checkout(shift);
    for (int i = 0; i < 24; ++i) {
      ASSERT_TRUE(shop.ledger()
                      .record_capture(shop.capture(co, Money{Currencies::USD, 100 + i},
                                                   i % 2 == 0 ? Tender::Check : Tender::Cash))
                      .ok());
    }
  }
  std::int64_t total = 0;
  {
    sync::Database db = test::open_terminal_db(base);
    total = test::scalar(db, "SELECT MAX(seq) FROM ledger_chain");
  }
  ASSERT_GT(total, 40);
  const std::int64_t m = total / 2;  // where verify cuts (split_point)

  auto table_of = [](sync::Database& db, std::int64_t seq) {
    std::string t;
    (void)db.statement("SELECT table_name FROM ledger_chain WHERE seq = ?")
        .bind(seq)
        .for_each([&](const sync::Statement& row) { t = row.text(0); });
    return t;
  };
  auto forged_audit_row = [](std::int64_t seq) {
    return "INSERT INTO audit_event (chain_seq, event_id, kind, actor, detail_json, at_ms)"
           " VALUES (" +
           std::to_string(seq) + ", 'forged-" + std::to_string(seq) + "', 'FORGED', 'x', '{}', 0)";
  };
  // What is done to link `seq` (and its row, in table `t`), or "" when it does not apply there.
  using Damage = std::function<std::string(std::int64_t seq, const std::string& t)>;
  const std::vector<std::pair<std::string, Damage>> damages = {
      {"nothing", [](std::int64_t, const std::string&) { return std::string{"SELECT 1"}; }},
      {"stored hash changed",
       [](std::int64_t seq, const std::string&) {
         return "UPDATE ledger_chain SET hash = zeroblob(32) WHERE seq = " + std::to_string(seq);
       }},
      {"row edited",
       [](std::int64_t seq, const std::string& t) {
         return t != "payment" ? std::string{}
                               : "UPDATE payment SET amount_minor = amount_minor + 1 WHERE "
                                 "chain_seq = " +
                                     std::to_string(seq);
       }},
      {"row moved out of its link",
       [](std::int64_t seq, const std::string& t) {
         return "UPDATE " + t +
                " SET chain_seq = chain_seq + 1000000 WHERE chain_seq = " + std::to_string(seq);
       }},
      {"row deleted",
       [](std::int64_t seq, const std::string& t) {
         return "DELETE FROM " + t + " WHERE chain_seq = " + std::to_string(seq);
       }},
      {"link deleted",
       [](std::int64_t seq, const std::string&) {
         return "DELETE FROM ledger_chain WHERE seq = " + std::to_string(seq);
       }},
      {"link names another table",
       [](std::int64_t seq, const std::string& t) {
         return "UPDATE ledger_chain SET table_name = '" +
                std::string{t == "payment" ? "audit_event" : "payment"} +
                "' WHERE seq = " + std::to_string(seq);
       }},
      {"a row in no link",
       [&](std::int64_t seq, const std::string& t) {
         return t == "audit_event" ? std::string{} : forged_audit_row(seq);
       }},
  };
  std::vector<std::int64_t> where = {1, m - 2, m - 1, m, m + 1, m + 2, total};
  int cases = 0;
  int files = 0;
  for (const auto& [name, damage] : damages) {
    for (const auto seq : where) {
      const fs::path copy = dir / ("case" + std::to_string(files++) + ".db");
      fs::copy_file(base, copy);
      sync::Database db = test::open_terminal_db(copy);
      std::vector<std::string> triggers;
      ASSERT_TRUE(
          db.statement("SELECT name FROM sqlite_master WHERE type = 'trigger'")
              .for_each([&](const sync::Statement& row) { triggers.push_back(row.text(0)); })
              .ok());
      for (const auto& tr : triggers) ASSERT_TRUE(db.exec("DROP TRIGGER " + tr).ok());
      ASSERT_TRUE(db.exec("PRAGMA foreign_keys = OFF").ok());  // damage as an editor would do it
      const std::string sql = damage(seq, table_of(db, seq));
      if (sql.empty()) continue;
      ASSERT_TRUE(db.exec(sql).ok()) << sql;
      ++cases;
      const bool cut_there =
          test::scalar(db, "SELECT COUNT(*) FROM ledger_chain WHERE seq IN (" + std::to_string(m) +
                               ", " + std::to_string(m + 1) + ")") == 2;
      test::Shop shop(db);
      const auto one = shop.ledger().verify({}, std::numeric_limits<std::int64_t>::max()).value();
      const auto two = shop.ledger().verify({}, 1).value();
      const std::string at = name + " at link " + std::to_string(seq) + " of " +
                             std::to_string(total) + ", cut after " + std::to_string(m);
      EXPECT_EQ(one.walk_stretches, 1) << at;
      EXPECT_EQ(two.walk_stretches, cut_there ? 2 : 1) << at;
      EXPECT_EQ(one.first_break.has_value(), name != "nothing") << at;
      EXPECT_EQ(two.links_checked, one.links_checked) << at;
      ASSERT_EQ(two.first_break.has_value(), one.first_break.has_value()) << at;
      if (one.first_break) {
        EXPECT_EQ(two.first_break->sequence, one.first_break->sequence) << at;
        EXPECT_EQ(two.first_break->table, one.first_break->table) << at;
        EXPECT_EQ(two.first_break->kind, one.first_break->kind) << at;
      }
    }
  }
  EXPECT_GE(cases, 40);

  // Rows below and above every link: the first stretch has no lower end, the last no upper one.
  for (const std::int64_t seq : {std::int64_t{-3}, std::int64_t{0}, total + 1, 1'000'000 + total}) {
    const fs::path copy = dir / ("outside" + std::to_string(seq + 10) + ".db");
    fs::copy_file(base, copy);
    sync::Database db = test::open_terminal_db(copy);
    ASSERT_TRUE(db.exec(forged_audit_row(seq)).ok());
    test::Shop shop(db);
    const auto one = shop.ledger().verify({}, std::numeric_limits<std::int64_t>::max()).value();
    const auto two = shop.ledger().verify({}, 1).value();
    EXPECT_EQ(two.walk_stretches, 2);
    ASSERT_TRUE(one.first_break) << seq;
    ASSERT_TRUE(two.first_break) << seq;
    EXPECT_EQ(one.first_break->kind, ChainBreakKind::UnchainedRows) << seq;
    EXPECT_EQ(two.first_break->kind, ChainBreakKind::UnchainedRows) << seq;
    EXPECT_EQ(two.first_break->table, "audit_event") << seq;
    EXPECT_EQ(two.first_break->sequence, one.first_break->sequence) << seq;
    EXPECT_EQ(two.links_checked, one.links_checked) << seq;
  }
}

TEST(Verify, AnEditedRunningSumIsFound) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto co = shop.new_checkout(shift);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(shop.ledger().record_capture(shop.capture(co, Money{Currencies::USD, 10})).ok());
  }
  // The running sums are chained with their row: an edited sum is a broken link (and a chain
  // re-hashed around it would still fail verify's check of the sums against the rows).
  const auto seq = test::scalar(db, "SELECT MAX(chain_seq) FROM payment");
  ASSERT_TRUE(
      db.exec("DROP TRIGGER payment_no_update; "
              "UPDATE payment SET run_total_minor = run_total_minor + 1 WHERE chain_seq = " +
              std::to_string(seq))
          .ok());
  auto v = shop.ledger().verify();
  ASSERT_TRUE(v.value().first_break);
  EXPECT_EQ(v.value().first_break->sequence, seq);  // the hash catches it first
  EXPECT_EQ(v.value().first_break->kind, ChainBreakKind::HashMismatch);
}

TEST(ReceiptText, KeptDeflatedReadBackWholeAndDamageIsAClearErrorAndABrokenLink) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto co = shop.new_checkout(shop.open_shift());
  const auto cap = shop.capture(co, Money{Currencies::USD, 10});
  ASSERT_TRUE(shop.ledger().record_capture(cap).ok());
  const auto rid = cap.receipt.receipt_id;
  auto found = shop.ledger().find_receipt(rid);
  ASSERT_TRUE(found.ok() && found.value());
  EXPECT_EQ(found.value()->print_text, cap.receipt.print_text);
  const auto stored = test::scalar(db, "SELECT length(print_text_deflated) FROM receipt");
  EXPECT_GT(stored, 0);
  EXPECT_LT(stored, static_cast<std::int64_t>(cap.receipt.print_text.size() / 2));
  EXPECT_EQ(test::scalar(db, "SELECT length(print_text) FROM receipt"), 0);
  ASSERT_TRUE(db.exec("DROP TRIGGER receipt_no_update").ok());
  std::string original;
  (void)db.statement("SELECT hex(print_text_deflated) FROM receipt")
      .for_each([&](const sync::Statement& row) { original = row.text(0); });
  const std::string restore =
      "UPDATE receipt SET print_text = '', print_text_deflated = x'" + original + "'";

  // Each damage: the read refuses the row with what is wrong, and verify finds the link broken.
  const std::vector<std::pair<std::string, std::string>> damages = {
      {"print_text_deflated = CAST(substr(print_text_deflated, 1, 20) AS BLOB)",
       "receipt: deflated print text damaged"},  // cut short
      {"print_text_deflated = CAST(print_text_deflated || x'00' AS BLOB)",
       "receipt: deflated print text damaged"},  // something after the stream
      {"print_text_deflated = x'789c4b4c4a0600024d0128'",
       "receipt: deflated print text damaged"},  // a whole stream, but its Adler-32 is wrong
      {"print_text_deflated = zeroblob(64)", "receipt: deflated print text damaged"},
      {"print_text = 'PAID'", "receipt: print text stored twice"},
  };
  for (const auto& [set, problem] : damages) {
    ASSERT_TRUE(db.exec("UPDATE receipt SET " + set).ok()) << set;
    auto read = shop.ledger().find_receipt(rid);
    ASSERT_FALSE(read.ok()) << set;
    EXPECT_EQ(read.error().code, LedgerErrorCode::Inconsistent) << set;
    EXPECT_EQ(read.error().message, problem) << set;
    auto v = shop.ledger().verify();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v.value().first_break) << set;
    ASSERT_TRUE(db.exec(restore).ok());
    ASSERT_FALSE(shop.ledger().verify().value().first_break);
  }
  EXPECT_EQ(shop.ledger().find_receipt(rid).value()->print_text, cap.receipt.print_text);
}

// Step 6: a receipt stored against an earlier one of its template (zlib's preset dictionary).
std::int64_t dictionary_of(sync::Database& db, const checkout::ReceiptId& rid) {
  return test::scalar(
      db, "SELECT print_dictionary FROM receipt WHERE receipt_id = '" + rid.to_string() + "'");
}
std::int64_t seq_of(sync::Database& db, const checkout::ReceiptId& rid) {
  return test::scalar(db,
                      "SELECT chain_seq FROM receipt WHERE receipt_id = '" + rid.to_string() + "'");
}

TEST(ReceiptText, StoredAgainstTheFirstReceiptOfItsTemplateAndReadBackWhole) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto co = shop.new_checkout(shop.open_shift());
  std::vector<PaymentCapture> caps;
  for (int i = 0; i < 3; ++i) {
    caps.push_back(shop.capture(co, Money{Currencies::USD, 10 + i},
                                i == 1 ? Tender::CardExternal : Tender::Cash));
    ASSERT_TRUE(shop.ledger().record_capture(caps.back()).ok());
  }
  // Another template version: its own dictionary, and the first template keeps its own.
  auto other = shop.capture(co, Money{Currencies::USD, 20});
  other.receipt.template_version = "2";
  ASSERT_TRUE(shop.ledger().record_capture(other).ok());
  // A receipt that repeats the dictionary poorly (the shop's details changed) starts a new one.
  auto changed = shop.capture(co, Money{Currencies::USD, 30});
  std::string unlike = "Harbor Tyres & Brakes Ltd\n";
  std::uint32_t x = 12345;
  for (int i = 0; i < 600; ++i) {
    x = x * 1103515245u + 12345u;
    unlike += static_cast<char>('a' + (x >> 16) % 26);
  }
  changed.receipt.print_text = unlike + "\nPAID 0.30 USD\n";
  ASSERT_TRUE(shop.ledger().record_capture(changed).ok());
  auto after = shop.capture(co, Money{Currencies::USD, 40});
  ASSERT_TRUE(shop.ledger().record_capture(after).ok());

  const auto first = seq_of(db, caps[0].receipt.receipt_id);
  EXPECT_EQ(dictionary_of(db, caps[0].receipt.receipt_id), 0);
  EXPECT_EQ(dictionary_of(db, caps[1].receipt.receipt_id), first);
  EXPECT_EQ(dictionary_of(db, caps[2].receipt.receipt_id), first);
  EXPECT_EQ(dictionary_of(db, other.receipt.receipt_id), 0);
  EXPECT_EQ(dictionary_of(db, changed.receipt.receipt_id), 0);
  // And the shop's usual receipt after it repeats that one poorly: a dictionary again.
  EXPECT_EQ(dictionary_of(db, after.receipt.receipt_id), 0);
  const auto stored = test::scalar(db,
                                   "SELECT length(print_text_deflated) FROM receipt WHERE "
                                   "receipt_id = '" +
                                       caps[2].receipt.receipt_id.to_string() + "'");
  EXPECT_LT(stored, static_cast<std::int64_t>(caps[2].receipt.print_text.size() / 4));

  // Read back whole, by this Ledger and by a new one on another connection (nothing cached).
  sync::Database db2 = test::open_terminal_db(dir / "t.db");
  Ledger fresh(db2);
  for (auto* l : {&shop.ledger(), &fresh}) {
    for (const auto* c : {&caps[0], &caps[1], &caps[2], &other, &changed, &after}) {
      auto found = l->find_receipt(c->receipt.receipt_id);
      ASSERT_TRUE(found.ok() && found.value()) << found.error().message;
      EXPECT_EQ(found.value()->print_text, c->receipt.print_text);
    }
  }
  // The other connection writes against the newest dictionary it finds, as this one does.
  auto next = shop.capture(co, Money{Currencies::USD, 50});
  ASSERT_TRUE(fresh.record_capture(next).ok());
  EXPECT_EQ(dictionary_of(db, next.receipt.receipt_id), seq_of(db, after.receipt.receipt_id));
  EXPECT_TRUE(shop.ledger().verify().value().sound());
}

TEST(ReceiptText, ACaptureRolledBackLeavesNoDictionaryBehind) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto co = shop.new_checkout(shop.open_shift());
  auto a = shop.capture(co, Money{Currencies::USD, 10});
  ASSERT_TRUE(shop.ledger().record_capture(a).ok());
  // Refused after its receipt row is written (its outbox message reuses a key): the new
  // template's dictionary it would have been goes with it.
  auto refused = shop.capture(co, Money{Currencies::USD, 11});
  refused.receipt.template_version = "9";
  refused.messages[1].idempotency_key = a.messages[1].idempotency_key;
  ASSERT_FALSE(shop.ledger().record_capture(refused).ok());
  EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM receipt"), 1);
  auto b = shop.capture(co, Money{Currencies::USD, 12});
  b.receipt.template_version = "9";
  auto c = shop.capture(co, Money{Currencies::USD, 13});
  c.receipt.template_version = "9";
  ASSERT_TRUE(shop.ledger().record_capture(b).ok());
  ASSERT_TRUE(shop.ledger().record_capture(c).ok());
  EXPECT_EQ(dictionary_of(db, b.receipt.receipt_id), 0);
  EXPECT_EQ(dictionary_of(db, c.receipt.receipt_id), seq_of(db, b.receipt.receipt_id));
  for (const auto* cap : {&a, &b, &c}) {
    EXPECT_EQ(shop.ledger().find_receipt(cap->receipt.receipt_id).value()->print_text,
              cap->receipt.print_text);
  }
}

TEST(ReceiptText, ADamagedOrMissingDictionaryIsAClearErrorAndPaymentsGoOn) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto co = shop.new_checkout(shop.open_shift());
  auto dict = shop.capture(co, Money{Currencies::USD, 10});
  auto dependent = shop.capture(co, Money{Currencies::USD, 11});
  auto other = shop.capture(co, Money{Currencies::USD, 12});
  other.receipt.template_version = "2";
  for (const auto* cap : {&dict, &dependent, &other}) {
    ASSERT_TRUE(shop.ledger().record_capture(*cap).ok());
  }
  const auto dict_seq = seq_of(db, dict.receipt.receipt_id);
  ASSERT_EQ(dictionary_of(db, dependent.receipt.receipt_id), dict_seq);
  ASSERT_TRUE(db.exec("DROP TRIGGER receipt_no_update").ok());
  std::string original;
  (void)db
      .statement("SELECT hex(print_text_deflated) FROM receipt WHERE chain_seq = " +
                 std::to_string(dict_seq))
      .for_each([&](const sync::Statement& row) { original = row.text(0); });
  const auto which =
      "receipt: the dictionary of its print text (chain seq " + std::to_string(dict_seq) + ")";
  struct Damage {
    std::string sql;
    const PaymentCapture* victim;  // whose receipt no longer reads
    std::string problem;
  };
  const auto set = [](std::string_view what, std::int64_t seq) {
    return "UPDATE receipt SET " + std::string{what} + " WHERE chain_seq = " + std::to_string(seq);
  };
  const auto dep_seq = seq_of(db, dependent.receipt.receipt_id);
  const auto other_seq = seq_of(db, other.receipt.receipt_id);
  const std::vector<Damage> damages = {
      // The dictionary's own stream damaged, or its row no longer a dictionary.
      {set("print_text_deflated = zeroblob(64)", dict_seq), &dependent, which + " is damaged"},
      {set("print_dictionary = NULL", dict_seq), &dependent, which + " is missing"},
      // Pointed at another dictionary: the stream names its own by Adler-32.
      {set("print_dictionary = " + std::to_string(other_seq), dep_seq), &dependent,
       "receipt: deflated print text damaged"},
      // Said to need none; or a dictionary given to a stream made without one.
      {set("print_dictionary = 0", dep_seq), &dependent, "receipt: deflated print text damaged"},
      {set("print_dictionary = " + std::to_string(dict_seq), other_seq), &other,
       "receipt: deflated print text damaged"},
  };
  const std::string restore =
      set("print_dictionary = 0, print_text_deflated = x'" + original + "'", dict_seq) + "; " +
      set("print_dictionary = " + std::to_string(dict_seq), dep_seq) + "; " +
      set("print_dictionary = 0", other_seq);
  for (const auto& d : damages) {
    ASSERT_TRUE(db.exec(d.sql).ok()) << d.sql;
    auto read = shop.ledger().find_receipt(d.victim->receipt.receipt_id);
    ASSERT_FALSE(read.ok()) << d.sql;
    EXPECT_EQ(read.error().code, LedgerErrorCode::Inconsistent) << d.sql;
    EXPECT_EQ(read.error().message, d.problem) << d.sql;
    EXPECT_TRUE(shop.ledger().verify().value().first_break) << d.sql;
    ASSERT_TRUE(db.exec(restore).ok());
    ASSERT_FALSE(shop.ledger().verify().value().first_break) << d.sql;
    EXPECT_EQ(shop.ledger().find_receipt(d.victim->receipt.receipt_id).value()->print_text,
              d.victim->receipt.print_text);
  }

  // With its dictionary damaged, a Ledger that has not run verify yet (verify above found the
  // damage and refuses writes through that one) stores the next capture as a new dictionary
  // rather than refusing it; it reads back whole.
  ASSERT_TRUE(db.exec(set("print_text_deflated = zeroblob(64)", dict_seq)).ok());
  Ledger unverified(db);
  auto next = shop.capture(co, Money{Currencies::USD, 13});
  auto recorded = unverified.record_capture(next);
  ASSERT_TRUE(recorded.ok()) << recorded.error().message;
  EXPECT_EQ(dictionary_of(db, next.receipt.receipt_id), 0);
  EXPECT_EQ(unverified.find_receipt(next.receipt.receipt_id).value()->print_text,
            next.receipt.print_text);
}

// Step 6 for the checkout's event log and its rules evaluations: the second of a kind is stored
// against the first, replay reads every event back as written, and damage is named.
TEST(EventText, EventsAndEvaluationsStoredAgainstAnEarlierOneOfTheirKindReadBackWhole) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto first = shop.start_checkout(shift);
  const auto second = shop.start_checkout(shift);
  auto cap = shop.capture(second, Money{Currencies::USD, 10});
  ASSERT_TRUE(shop.ledger().record_capture(cap).ok());
  const auto seq_of_event = [&](const CheckoutId& co, std::string_view kind) {
    return test::scalar(db, "SELECT chain_seq FROM checkout_event WHERE checkout_id = '" +
                                co.to_string() + "' AND kind = '" + std::string{kind} + "'");
  };
  const auto dictionary_of_event = [&](const CheckoutId& co, std::string_view kind) {
    return test::scalar(db, "SELECT event_dictionary FROM checkout_event WHERE checkout_id = '" +
                                co.to_string() + "' AND kind = '" + std::string{kind} + "'");
  };
  for (const auto kind : {"CheckoutStarted", "RulesEvaluated"}) {
    EXPECT_EQ(dictionary_of_event(first.checkout_id, kind), 0) << kind;
    EXPECT_EQ(dictionary_of_event(second.checkout_id, kind), seq_of_event(first.checkout_id, kind))
        << kind;
  }
  // A capture's events are its payment row's (step 7): the first capture's are a dictionary.
  EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM checkout_event WHERE kind = 'PaymentCaptured'"),
            0);
  EXPECT_EQ(test::scalar(db, "SELECT events_dictionary FROM payment"), 0);
  EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM checkout_event WHERE event_json <> ''"), 0);
  // The invoice JSON of the second checkout costs a fraction of the first's.
  EXPECT_LT(
      3 * test::scalar(db,
                       "SELECT length(event_json_deflated) FROM checkout_event WHERE "
                       "chain_seq = " +
                           std::to_string(seq_of_event(second.checkout_id, "CheckoutStarted"))),
      test::scalar(db,
                   "SELECT length(event_json_deflated) FROM checkout_event WHERE "
                   "chain_seq = " +
                       std::to_string(seq_of_event(first.checkout_id, "CheckoutStarted"))));
  EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM evaluation WHERE evaluation_dictionary = 0"), 1);

  // Read back through a Ledger on another connection (nothing cached): replay's events and the
  // evaluation's JSON are what was written.
  sync::Database db2 = test::open_terminal_db(dir / "t.db");
  Ledger fresh(db2);
  auto events = fresh.load_events(second.checkout_id);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events.value().size(), 4u);
  EXPECT_EQ(checkout::event_kind(events.value()[0]), "CheckoutStarted");
  EXPECT_EQ(events.value()[2], cap.events[0]);
  EXPECT_EQ(events.value()[3], cap.events[1]);
  auto history = fresh.load_checkout(second.checkout_id);
  ASSERT_TRUE(history.ok() && history.value()) << history.error().message;
  ASSERT_EQ(history.value()->evaluations.size(), 1u);
  auto evaluation = nlohmann::json::parse(history.value()->evaluations[0].evaluation_json);
  EXPECT_EQ(evaluation["policyVersion"], "2026.11-1");
  EXPECT_EQ(evaluation,
            checkout::to_json(std::get<checkout::RulesEvaluated>(events.value()[1]).evaluation));
  EXPECT_TRUE(shop.ledger().verify().value().sound());

  // The first checkout's CheckoutStarted damaged: the second's replay says so, and so does its
  // evaluation's read once the first evaluation is damaged.
  ASSERT_TRUE(
      db.exec("DROP TRIGGER checkout_event_no_update; DROP TRIGGER evaluation_no_update").ok());
  const auto started_seq = seq_of_event(first.checkout_id, "CheckoutStarted");
  ASSERT_TRUE(db.exec("UPDATE checkout_event SET event_json_deflated = zeroblob(40) WHERE "
                      "chain_seq = " +
                      std::to_string(started_seq))
                  .ok());
  auto damaged = fresh.load_events(second.checkout_id);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code, LedgerErrorCode::Inconsistent);
  EXPECT_EQ(damaged.error().message, "checkout_event: the dictionary of its event (chain seq " +
                                         std::to_string(started_seq) + ") is damaged");
  ASSERT_TRUE(db.exec("UPDATE evaluation SET evaluation_dictionary = NULL WHERE "
                      "evaluation_dictionary = 0")
                  .ok());
  auto no_dictionary = fresh.load_checkout(second.checkout_id);
  ASSERT_FALSE(no_dictionary.ok());
  EXPECT_EQ(no_dictionary.error().code, LedgerErrorCode::Inconsistent);
  EXPECT_NE(no_dictionary.error().message.find("evaluation: the dictionary of its json"),
            std::string::npos)
      << no_dictionary.error().message;
  EXPECT_TRUE(shop.ledger().verify().value().first_break);
}

// Step 7: a capture's events in its payment row, deflated against an earlier capture's in its
// currency; read back in the checkout's log; damage to them is named, and the chain sees it.
TEST(CaptureEvents, KeptInThePaymentRowAgainstAnEarlierCapturesAndDamageIsNamed) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto first = shop.start_checkout(shift);
  const auto second = shop.start_checkout(shift);
  auto one = shop.capture(first, Money{Currencies::USD, 10});
  auto two = shop.capture(second, Money{Currencies::USD, 20});
  auto three = shop.capture(second, Money{Currencies::USD, 30}, Tender::Check);
  for (const auto* cap : {&one, &two, &three}) {
    auto r = shop.ledger().record_capture(*cap);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  const auto column_of = [&](const PaymentCapture& cap, const std::string& column) {
    return test::scalar(db, "SELECT " + column + " FROM payment WHERE payment_id = '" +
                                cap.payment.payment_id.to_string() + "'");
  };
  EXPECT_EQ(column_of(one, "events_dictionary"), 0);
  EXPECT_EQ(column_of(two, "events_dictionary"), column_of(one, "chain_seq"));
  EXPECT_EQ(column_of(three, "events_dictionary"), column_of(one, "chain_seq"));
  EXPECT_LT(2 * column_of(two, "length(events_json_deflated)"),
            column_of(one, "length(events_json_deflated)"));
  // The second checkout's log: CheckoutStarted and RulesEvaluated (rows), then the captures'.
  EXPECT_EQ(column_of(two, "first_event_no"), 3);
  EXPECT_EQ(column_of(three, "first_event_no"), 5);
  EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM checkout_event"), 4);

  sync::Database db2 = test::open_terminal_db(dir / "t.db");
  Ledger fresh(db2);
  auto events = fresh.load_events(second.checkout_id);
  ASSERT_TRUE(events.ok()) << events.error().message;
  ASSERT_EQ(events.value().size(), 6u);
  EXPECT_EQ(checkout::event_kind(events.value()[0]), "CheckoutStarted");
  EXPECT_EQ(checkout::event_kind(events.value()[1]), "RulesEvaluated");
  EXPECT_EQ(std::vector(events.value().begin() + 2, events.value().begin() + 4), two.events);
  EXPECT_EQ(std::vector(events.value().begin() + 4, events.value().end()), three.events);
  EXPECT_TRUE(shop.ledger().verify().value().sound());

  // Each damage is written, read, and undone from a copy of the rows.
  ASSERT_TRUE(db.exec("DROP TRIGGER payment_no_update;"
                      "CREATE TEMP TABLE saved AS SELECT * FROM payment")
                  .ok());
  const auto load_fails_with = [&](const std::string& damage, const std::string& message) {
    ASSERT_TRUE(db.exec(damage).ok()) << damage;
    auto damaged = fresh.load_events(second.checkout_id);
    ASSERT_FALSE(damaged.ok()) << damage;
    EXPECT_EQ(damaged.error().code, LedgerErrorCode::Inconsistent);
    EXPECT_NE(damaged.error().message.find(message), std::string::npos) << damaged.error().message;
    EXPECT_TRUE(shop.ledger().verify().value().first_break) << damage;
    ASSERT_TRUE(db.exec("UPDATE payment SET first_event_no = s.first_event_no, last_event_no = "
                        "s.last_event_no, events_json_deflated = s.events_json_deflated FROM "
                        "temp.saved AS s WHERE s.chain_seq = payment.chain_seq")
                    .ok());
  };
  const auto where = [](const PaymentCapture& cap) {
    return " WHERE payment_id = '" + cap.payment.payment_id.to_string() + "'";
  };
  // The dictionary (the first checkout's capture) damaged: the second checkout's replay says so.
  load_fails_with("UPDATE payment SET events_json_deflated = zeroblob(40)" + where(one),
                  "payment: the dictionary of its events (chain seq " +
                      std::to_string(column_of(one, "chain_seq")) + ") is damaged");
  load_fails_with("UPDATE payment SET last_event_no = 7" + where(three),
                  "payment " + three.payment.payment_id.to_string() +
                      ": its events are not the 3 its row numbers");
  load_fails_with("UPDATE payment SET first_event_no = 4, last_event_no = 5" + where(two),
                  "has two events numbered 5");
  EXPECT_EQ(fresh.load_events(second.checkout_id).value(), events.value());
  EXPECT_TRUE(shop.ledger().verify().value().sound());
}

// Step 9: a text stored against its dictionary is made with that text followed by its row's own
// ids, and its stream names that dictionary; a row stored against the text alone (steps 6 to 8)
// still reads; an own id changed is damage named as such.
TEST(OwnIds, ATextIsStoredAgainstItsDictionaryAndItsRowsIdsAndOlderRowsStillRead) {
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto first = shop.start_checkout(shift);
  const auto second = shop.start_checkout(shift);
  auto one = shop.capture(first, Money{Currencies::USD, 10});
  auto two = shop.capture(second, Money{Currencies::USD, 20});
  for (const auto* cap : {&one, &two}) ASSERT_TRUE(shop.ledger().record_capture(*cap).ok());
  const auto blob_of = [&](const std::string& sql) {
    std::vector<std::byte> out;
    (void)db.statement(sql).for_each([&](const sync::Statement& row) { out = row.blob(0); });
    return out;
  };
  const auto hex = [](const std::vector<std::byte>& b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (auto c : b) {
      out += kDigits[std::to_integer<unsigned>(c) >> 4];
      out += kDigits[std::to_integer<unsigned>(c) & 15];
    }
    return out;
  };
  const auto pid = [](const PaymentCapture& c) { return c.payment.payment_id.to_string(); };
  struct Kind {
    std::string name, table, column, where_one, where_two, own;
  };
  const std::vector<Kind> kinds = {
      {"receipt", "receipt", "print_text_deflated", " WHERE payment_id = '" + pid(one) + "'",
       " WHERE payment_id = '" + pid(two) + "'",
       "\n" + pid(two) + "\n" + two.receipt.receipt_reference},
      {"events", "payment", "events_json_deflated", " WHERE payment_id = '" + pid(one) + "'",
       " WHERE payment_id = '" + pid(two) + "'",
       "\n" + second.checkout_id.to_string() + "\n" + two.payment.invoice_id.to_string() + "\n" +
           two.receipt.receipt_id.to_string() + "\n" + pid(two)},
      {"checkout event", "checkout_event", "event_json_deflated",
       " WHERE kind = 'CheckoutStarted' AND checkout_id = '" + first.checkout_id.to_string() + "'",
       " WHERE kind = 'CheckoutStarted' AND checkout_id = '" + second.checkout_id.to_string() +
           "'",
       "\n" + second.checkout_id.to_string()},
  };
  const auto read_all = [&](Ledger& l) {
    auto receipt = l.find_receipt(two.receipt.receipt_id);
    EXPECT_TRUE(receipt.ok() && receipt.value()) << receipt.error().message;
    if (receipt.ok() && receipt.value()) {
      EXPECT_EQ(receipt.value()->print_text, two.receipt.print_text);
    }
    auto events = l.load_events(second.checkout_id);
    EXPECT_TRUE(events.ok()) << events.error().message;
    if (events.ok()) {
      EXPECT_EQ(events.value().size(), 4u);
      EXPECT_EQ(checkout::event_kind(events.value().at(0)), "CheckoutStarted");
      EXPECT_EQ(std::vector(events.value().begin() + 2, events.value().end()), two.events);
    }
  };
  ASSERT_TRUE(db.exec("DROP TRIGGER receipt_no_update; DROP TRIGGER payment_no_update; "
                      "DROP TRIGGER checkout_event_no_update")
                  .ok());
  for (const auto& k : kinds) {
    SCOPED_TRACE(k.name);
    const auto dictionary =
        inflate_text(blob_of("SELECT " + k.column + " FROM " + k.table + k.where_one), 1 << 20);
    ASSERT_TRUE(dictionary);
    const auto stored = blob_of("SELECT " + k.column + " FROM " + k.table + k.where_two);
    // The stream names the dictionary with the row's ids, and reads back whole with it only.
    EXPECT_EQ(stream_dictionary_id(stored), dictionary_id(*dictionary + k.own));
    const auto text = inflate_text(stored, 1 << 20, *dictionary + k.own);
    ASSERT_TRUE(text);
    EXPECT_FALSE(inflate_text(stored, 1 << 20, *dictionary));
    // The ids cost less than against the text alone.
    EXPECT_LT(stored.size(), deflate_text(*text, *dictionary).size());

    // As steps 6 to 8 stored it (against the text alone): it still reads, on a new connection.
    const auto set = [&](const std::vector<std::byte>& b) {
      return "UPDATE " + k.table + " SET " + k.column + " = x'" + hex(b) + "'" + k.where_two;
    };
    ASSERT_TRUE(db.exec(set(deflate_text(*text, *dictionary))).ok());
    {
      sync::Database db2 = test::open_terminal_db(dir / "t.db");
      Ledger fresh(db2);
      read_all(fresh);
    }
    ASSERT_TRUE(db.exec(set(stored)).ok());
  }
  sync::Database db2 = test::open_terminal_db(dir / "t.db");
  Ledger fresh(db2);
  read_all(fresh);
  EXPECT_TRUE(shop.ledger().verify().value().sound());

  // An own id changed: the text no longer reads (the stream names a dictionary its row no longer
  // makes), and the chain sees the change.
  const std::string reference = two.receipt.receipt_reference;
  ASSERT_TRUE(db.exec("UPDATE receipt SET receipt_reference = 'RCP-ELSEWHERE' WHERE payment_id = '" +
                      pid(two) + "'")
                  .ok());
  auto damaged = fresh.find_receipt(two.receipt.receipt_id);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code, LedgerErrorCode::Inconsistent);
  EXPECT_EQ(damaged.error().message, "receipt: deflated print text damaged");
  EXPECT_TRUE(shop.ledger().verify().value().first_break);
  ASSERT_TRUE(db.exec("UPDATE receipt SET receipt_reference = '" + reference +
                      "' WHERE payment_id = '" + pid(two) + "'")
                  .ok());
  EXPECT_EQ(fresh.find_receipt(two.receipt.receipt_id).value()->print_text,
            two.receipt.print_text);
}

}  // namespace
}  // namespace pos::ledger
