// Randomised: for random shift histories, every figure of the X and Z reports equals the sum
// the test keeps itself over what it recorded (an independent model), per currency and tender.
#include <pos/ledger/ledger.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "../sync_db/temp_dir.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;
using checkout::Currency;
using test::Shop;
using test::user;

struct Expected {
  std::map<std::pair<std::string, Tender>, std::pair<std::int64_t, std::int64_t>> tenders;
  std::map<std::string, std::int64_t> float_, taken, change, paid_in, paid_out, adjustments,
      adj_count, unsynced_total, unsynced_count;
  std::map<std::string, std::int64_t> overrides_by, reprints_by;
  std::int64_t reprints = 0;
  std::vector<std::string> no_sales;  // opening ids in order
};

void run_history(std::uint32_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  test::TempDir dir;
  sync::Database db = test::open_terminal_db(dir / "t.db");
  Shop shop(db);
  Ledger& ledger = shop.ledger();
  const Currency currencies[] = {Currencies::USD, Currencies::EUR, Currencies::JPY};
  const char* supervisors[] = {"sup-1", "sup-2", "sup-3"};
  Expected x;

  std::vector<Money> opening;
  for (const auto& c : currencies) {
    if (pick(2) == 0) {
      opening.push_back(Money{c, 1000 + pick(50000)});
      x.float_[std::string{c.code()}] = opening.back().minor_units();
    }
  }
  const auto shift = shop.open_shift(opening);
  std::vector<CheckoutRecord> checkouts;
  std::vector<PaymentCapture> captured;
  const int steps = 60 + pick(60);
  for (int step = 0; step < steps; ++step) {
    const int what = pick(10);
    if (what <= 4 || checkouts.empty()) {  // a payment
      if (checkouts.empty() || pick(3) == 0) {
        checkouts.push_back(shop.new_checkout(shift, currencies[pick(3)]));
      }
      const auto& co =
          checkouts[static_cast<std::size_t>(pick(static_cast<int>(checkouts.size())))];
      const auto tender = static_cast<Tender>(pick(4));
      const Money amount{co.currency, 1 + pick(100000)};
      std::optional<Money> tendered;
      if (tender == Tender::Cash) tendered = Money{co.currency, amount.minor_units() + pick(5000)};
      auto cap = shop.capture(co, amount, tender, tendered);
      ASSERT_TRUE(ledger.record_capture(cap).ok());
      if (pick(4) == 0) {
        ASSERT_EQ(ledger.record_capture(cap).value(), CaptureOutcome::AlreadyRecorded);
      }
      const std::string code{co.currency.code()};
      auto& t = x.tenders[{code, tender}];
      t.first += 1;
      t.second += amount.minor_units();
      if (tender == Tender::Cash) {
        x.taken[code] += tendered->minor_units();
        x.change[code] += tendered->minor_units() - amount.minor_units();
      }
      x.unsynced_total[code] += amount.minor_units();
      x.unsynced_count[code] += 1;
      captured.push_back(std::move(cap));
    } else if (what == 5) {  // paid out or paid in
      const Money amount{currencies[pick(3)], 1 + pick(3000)};
      if (pick(2) == 0) {
        ASSERT_TRUE(ledger
                        .record_paid_out({shop.id<PaidOutId>(), shift, amount, user("advisor-1"),
                                          "milk", shop.tick()})
                        .ok());
        x.paid_out[std::string{amount.currency().code()}] += amount.minor_units();
      } else {
        ASSERT_TRUE(ledger
                        .record_paid_in({shop.id<PaidInId>(), shift, amount, user("advisor-2"),
                                         "float top-up", shop.tick()})
                        .ok());
        x.paid_in[std::string{amount.currency().code()}] += amount.minor_units();
      }
    } else if (what == 6) {  // a no-sale drawer opening
      const auto oid = shop.id<DrawerOpeningId>();
      ASSERT_TRUE(ledger
                      .record_drawer_opening({oid, shift, user("advisor-2"), DrawerReason::NoSale,
                                              std::nullopt, "change for a note", shop.tick()})
                      .ok());
      x.no_sales.push_back(oid.to_string());
    } else if (what == 7 && !captured.empty()) {  // reprint, maybe approved
      auto& cap = captured[static_cast<std::size_t>(pick(static_cast<int>(captured.size())))];
      const auto n = ledger.reprint_count(cap.receipt.receipt_id).value();
      std::optional<UserId> approver;
      if (pick(2) == 0) {
        approver = user(supervisors[pick(3)]);
        x.reprints_by[approver->str()] += 1;
      }
      ASSERT_TRUE(ledger
                      .record_reprint({shop.id<ReprintId>(), cap.receipt.receipt_id, shift,
                                       static_cast<int>(n + 1), "COPY", user("advisor-1"), approver,
                                       shop.tick()},
                                      {})
                      .ok());
      x.reprints += 1;
    } else if (what == 8) {  // an override on a new checkout, one or two approvers
      const auto co = shop.new_checkout(shift, currencies[pick(3)]);
      checkouts.push_back(co);
      const int first = pick(3);
      PoOverrideRecord o{
          shop.id<OverrideId>(),
          co.checkout_id,
          "PO_PENDING",
          "",
          user("advisor-1"),
          shop.tick(),
          {{user(supervisors[first]), ApprovalMethod::Online, std::nullopt, shop.tick()}}};
      x.overrides_by[supervisors[first]] += 1;
      if (pick(2) == 0) {
        const int second = (first + 1 + pick(2)) % 3;
        o.approvals.push_back(
            {user(supervisors[second]), ApprovalMethod::Online, std::nullopt, shop.tick()});
        x.overrides_by[supervisors[second]] += 1;
      }
      ASSERT_TRUE(ledger.record_po_override(o, {}).ok());
    } else if (!captured.empty()) {  // an adjustment, or the backend acks a payment
      auto& cap = captured[static_cast<std::size_t>(pick(static_cast<int>(captured.size())))];
      const std::string code{cap.payment.amount.currency().code()};
      if (pick(2) == 0) {
        const Money adj{cap.payment.amount.currency(), pick(2001) - 1000};
        ASSERT_TRUE(ledger
                        .record_adjustment({shop.id<AdjustmentId>(), cap.payment.payment_id, adj,
                                            "CORRECTION", user("sup-1"), shop.tick()})
                        .ok());
        x.adjustments[code] += adj.minor_units();
        x.adj_count[code] += 1;
      } else {
        // Ack whatever the outbox offers (streams allow one at a time); track payment acks.
        auto claimed = ledger.outbox().claim(100, shop.tick() + std::chrono::hours(1));
        ASSERT_TRUE(claimed.ok());
        for (const auto& item : claimed.value()) {
          ASSERT_TRUE(ledger.outbox().mark_acked(item.id, 201, "{}", shop.tick()).ok());
          if (item.kind != sync::OutboxKind::Payment) continue;
          for (const auto& c : captured) {
            if (c.payment.payment_id.to_string() == item.idempotency_key) {
              const std::string cc{c.payment.amount.currency().code()};
              x.unsynced_total[cc] -= c.payment.amount.minor_units();
              x.unsynced_count[cc] -= 1;
            }
          }
        }
      }
    }
  }

  auto check = [&](const ShiftReport& rep, const std::map<std::string, std::int64_t>& counted) {
    std::set<std::string> codes;
    for (const auto& [k, v] : x.tenders) codes.insert(k.first);
    for (const auto* m : {&x.float_, &x.paid_in, &x.paid_out, &x.adjustments}) {
      for (const auto& [k, v] : *m) codes.insert(k);
    }
    ASSERT_EQ(rep.currencies.size(), codes.size());
    for (const auto& s : rep.currencies) {
      const std::string code{s.currency.code()};
      std::int64_t count = 0, total = 0;
      std::size_t tenders = 0;
      for (const auto& [k, v] : x.tenders) {
        if (k.first != code) continue;
        ++tenders;
        count += v.first;
        total += v.second;
        auto it = std::find_if(s.tenders.begin(), s.tenders.end(),
                               [&](const TenderTotal& t) { return t.tender == k.second; });
        ASSERT_NE(it, s.tenders.end());
        EXPECT_EQ(it->count, v.first);
        EXPECT_EQ(it->total.minor_units(), v.second);
      }
      EXPECT_EQ(s.tenders.size(), tenders);
      EXPECT_EQ(s.payment_count, count);
      EXPECT_EQ(s.payments_total.minor_units(), total);
      EXPECT_EQ(s.adjustments_total.minor_units(), x.adjustments[code]);
      EXPECT_EQ(s.adjustment_count, x.adj_count[code]);
      EXPECT_EQ(s.opening_float.minor_units(), x.float_[code]);
      EXPECT_EQ(s.cash_taken.minor_units(), x.taken[code]);
      EXPECT_EQ(s.change_given.minor_units(), x.change[code]);
      EXPECT_EQ(s.paid_in.minor_units(), x.paid_in[code]);
      EXPECT_EQ(s.paid_out.minor_units(), x.paid_out[code]);
      const auto expected =
          x.float_[code] + x.taken[code] - x.change[code] + x.paid_in[code] - x.paid_out[code];
      EXPECT_EQ(s.cash_expected.minor_units(), expected);
      if (counted.count(code) != 0) {
        ASSERT_TRUE(s.cash_counted);
        EXPECT_EQ(s.cash_counted->minor_units(), counted.at(code));
        EXPECT_EQ(s.cash_difference->minor_units(), counted.at(code) - expected);
      } else {
        EXPECT_FALSE(s.cash_counted);
      }
    }
    EXPECT_EQ(rep.reprint_count, x.reprints);
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> approvers;
    for (const auto& [k, v] : x.overrides_by) approvers[k].first = v;
    for (const auto& [k, v] : x.reprints_by) approvers[k].second = v;
    ASSERT_EQ(rep.approvers.size(), approvers.size());
    for (const auto& a : rep.approvers) {
      EXPECT_EQ(a.overrides_approved, approvers[a.approver.str()].first) << a.approver.str();
      EXPECT_EQ(a.reprints_approved, approvers[a.approver.str()].second) << a.approver.str();
    }
    ASSERT_EQ(rep.no_sale_openings.size(), x.no_sales.size());
    for (std::size_t i = 0; i < x.no_sales.size(); ++i) {
      EXPECT_EQ(rep.no_sale_openings[i].opening_id.to_string(), x.no_sales[i]);
    }
    std::int64_t unsynced = 0;
    for (const auto& u : rep.unsynced.by_currency) {
      const std::string code{u.currency.code()};
      EXPECT_EQ(u.count, x.unsynced_count[code]);
      EXPECT_EQ(u.total.minor_units(), x.unsynced_total[code]);
      unsynced += u.count;
    }
    std::int64_t expected_unsynced = 0;
    for (const auto& [k, v] : x.unsynced_count) expected_unsynced += v;
    EXPECT_EQ(rep.unsynced.count, expected_unsynced);
    EXPECT_EQ(unsynced, expected_unsynced);
    EXPECT_EQ(rep.chain_head.size(), 64U);
  };

  auto xr = ledger.x_report(shift);
  ASSERT_TRUE(xr.ok()) << xr.error().message;
  EXPECT_EQ(xr.value().kind, ReportKind::X);
  check(xr.value(), {});

  std::map<std::string, std::int64_t> counted;
  std::vector<Money> counts;
  for (const auto& c : currencies) {
    if (pick(3) != 0) {
      counts.push_back(Money{c, pick(200000)});
      counted[std::string{c.code()}] = counts.back().minor_units();
    }
  }
  auto z = ledger.close_shift({shift, user("sup-1"), shop.tick(), counts});
  ASSERT_TRUE(z.ok()) << z.error().message;
  EXPECT_EQ(z.value().kind, ReportKind::Z);
  EXPECT_TRUE(z.value().closed_at.has_value());
  for (const auto& [code, v] : counted) {  // a counted currency with no activity gets a section
    if (x.float_.count(code) == 0 &&
        std::none_of(x.tenders.begin(), x.tenders.end(),
                     [&](const auto& t) { return t.first.first == code; }) &&
        x.paid_in.count(code) == 0 && x.paid_out.count(code) == 0 &&
        x.adjustments.count(code) == 0) {
      x.float_[code] = 0;
    }
  }
  check(z.value(), counted);
  // The same figures from a reopened file (nothing kept in memory).
  sync::Database reopened = test::open_terminal_db(dir / "t.db");
  auto again = Ledger(reopened).x_report(shift);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().kind, ReportKind::Z);
  check(again.value(), counted);
  EXPECT_TRUE(ledger.verify().value().sound());
}

TEST(ReportsRandomised, EveryFigureMatchesTheSumsOverRandomHistories) {
  const char* env = std::getenv("POS_REPORT_SEEDS");
  const int seeds = env ? std::atoi(env) : 8;  // POS_REPORT_SEEDS=200 for a long run
  for (int s = 1; s <= seeds; ++s) {
    run_history(static_cast<std::uint32_t>(s) * 7919U);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace pos::ledger
