// Real processes racing on one database file (fork; each child opens its own connection, as two
// terminal processes on one data directory do), released together by closing a pipe:
//   1. three full payments of one invoice at once, every round: exactly one is recorded, the
//      others are refused AmountExceedsBalance by the check inside the capture's transaction;
//   2. thirty wrong PINs for one person at once: at most kWrongPinsBeforeLockout are let
//      through to the verifier before the lock-out refuses the rest.
// Counts from the environment: POS_RACE_ROUNDS (default 60), POS_RACE_PINS (default 30).
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include <pos/checkout/elevation.hpp>

#include "../sync_db/temp_dir.hpp"
#include "durability_fixture.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;

int env(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// Starts `n` children blocked on a pipe; each runs body(i) and exits with its result. Returns
// the exit codes once all are released and done.
template <class F>
std::vector<int> race(int n, F&& body) {
  int gate[2];
  if (::pipe(gate) != 0) throw std::runtime_error("pipe");
  std::vector<pid_t> children;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
      ::close(gate[1]);
      char c;
      (void)::read(gate[0], &c, 1);  // returns when the parent closes its end
      int code = 99;
      try {
        code = body(i);
      } catch (...) {
        code = 98;
      }
      ::_exit(code);
    }
    children.push_back(pid);
  }
  ::close(gate[0]);
  ::usleep(20'000);  // let them all reach the gate (a head start only, not a correctness need)
  ::close(gate[1]);
  std::vector<int> codes;
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 200);
  }
  return codes;
}

constexpr int kRecorded = 0;
constexpr int kExceeds = 10;

TEST(Race, ThreeFullPaymentsOfOneInvoiceAtOnceRecordOne) {
  const int rounds = env("POS_RACE_ROUNDS", 60);
  test::TempDir dir;
  const auto path = dir / "t.db";
  ShiftId shift{checkout::Uuid{{}}};
  {
    sync::Database db = test::open_terminal_db(path);
    test::Shop shop(db);
    shift = shop.open_shift();
  }
  int recorded = 0, refused = 0, other = 0;
  for (int round = 0; round < rounds; ++round) {
    // The invoice, opened by three checkouts (three processes, three operators).
    std::vector<CheckoutRecord> checkouts;
    {
      sync::Database db = test::open_terminal_db(path);
      test::Shop shop(db, test::kShopStart + std::chrono::hours{round});
      const auto first = shop.new_checkout(shift);
      checkouts.push_back(first);
      for (int i = 1; i < 3; ++i) {
        auto c = first;
        c.checkout_id = shop.id<checkout::CheckoutId>();
        c.correlation_id = shop.id<checkout::CorrelationId>();
        ASSERT_TRUE(shop.ledger().record_checkout(c).ok());
        checkouts.push_back(c);
      }
    }
    const auto codes = race(3, [&](int i) {
      sync::Database db = test::open_terminal_db(path);
      test::Shop shop(db, test::kShopStart + std::chrono::hours{round});
      auto cap = shop.capture(checkouts[static_cast<std::size_t>(i)], Money{Currencies::USD, 54353},
                              Tender::Cash);
      cap.receipt.receipt_reference += "-p" + std::to_string(i);
      cap.payment.payment_type = PaymentType::PaidInFull;
      cap.balance_guard = BalanceGuard{cap.payment.invoice_id, Money{Currencies::USD, 54353}, {}};
      auto r = shop.ledger().record_capture(cap);
      if (r.ok()) return kRecorded;
      return r.error().code == LedgerErrorCode::AmountExceedsBalance ? kExceeds : 1;
    });
    int ok = 0;
    for (int c : codes) {
      if (c == kRecorded) {
        ++ok;
      } else if (c == kExceeds) {
        ++refused;
      } else {
        ++other;
      }
    }
    recorded += ok;
    EXPECT_EQ(ok, 1) << "round " << round;
    sync::Database db = test::open_terminal_db(path);
    EXPECT_EQ(test::scalar(db, "SELECT COUNT(*) FROM payment WHERE invoice_id = '" +
                                   checkouts[0].invoice_id.to_string() + "'"),
              1)
        << "round " << round;
  }
  std::cout << rounds << " rounds of 3 parallel full payments: " << recorded << " recorded, "
            << refused << " refused AMOUNT_EXCEEDS_BALANCE, " << other << " other\n";
  EXPECT_EQ(other, 0);
  sync::Database db = test::open_terminal_db(path);
  EXPECT_TRUE(Ledger(db).verify().value().sound());
}

TEST(Race, ThirtyParallelWrongPinsLetAtMostFiveThrough) {
  const int pins = env("POS_RACE_PINS", 30);
  test::TempDir dir;
  const auto path = dir / "t.db";
  { sync::Database db = test::open_terminal_db(path); }
  for (const char* who : {"sup-1", "cash-carl"}) {
    const auto codes = race(pins, [&](int) {
      sync::Database db = test::open_terminal_db(path);
      Ledger ledger(db);
      const auto now = test::kShopStart;
      auto start = ledger.begin_pin_attempt(test::user(who), "APPROVAL_OFFLINE", now);
      if (!start.ok()) return 2;  // refused closed: not checked
      if (std::holds_alternative<PinLockedOut>(start.value())) return 1;
      // The verifier would run here; the PIN is wrong.
      auto done = ledger.finish_pin_attempt(std::get<PinAttemptTicket>(start.value()),
                                            PinOutcome::Failed, now);
      return done.ok() ? 0 : 3;
    });
    int checked = 0, locked = 0, errors = 0;
    for (int c : codes) {
      if (c == 0 || c == 3) ++checked;
      if (c == 1) ++locked;
      if (c == 2 || c > 3) ++errors;
    }
    std::cout << who << ": " << pins << " parallel wrong PINs: " << checked << " checked, "
              << locked << " refused by the lock-out, " << errors << " refused on an error\n";
    EXPECT_LE(checked, checkout::kWrongPinsBeforeLockout);
    EXPECT_EQ(checked + locked + errors, pins);
    sync::Database db = test::open_terminal_db(path);
    Ledger ledger(db);
    auto state = ledger.approver_pin_state(test::user(who));
    ASSERT_TRUE(state.ok());
    ASSERT_TRUE(state.value().latest_lockout) << "five failures lock the person out";
    auto after = ledger.begin_pin_attempt(test::user(who), "SIGN_IN", test::kShopStart);
    EXPECT_TRUE(std::holds_alternative<PinLockedOut>(after.value()));
  }
}

}  // namespace
}  // namespace pos::ledger
