// Randomised checkouts: random sequences of payments, most of them partial, many of them refused
// (too much, zero, negative, wrong currency, over an offline limit, not partial where partial is
// not allowed, card numbers in fields). After every step:
//   payments taken + balance due == the balance due the invoice arrived with
//   (== the grand total when nothing was paid before), and the balance due is never negative.
// At the end, the event log rebuilt through JSON gives the same checkout.
//
// Runs: POS_CHECKOUT_RANDOM_RUNS (default 300; each run is up to 40 commands, well under a
// second in total even under ASan). Seed: POS_CHECKOUT_RANDOM_SEED (default: a fresh one, printed
// on failure so the run can be repeated).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "counter_fixture.hpp"

namespace pos::checkout {
namespace {

using namespace testing;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

TEST(RandomCheckouts, PaymentsPlusBalanceAlwaysEqualTheTotalAndTheBalanceNeverGoesNegative) {
  const std::uint64_t runs = env_number("POS_CHECKOUT_RANDOM_RUNS", 300);
  const std::uint64_t seed = env_number("POS_CHECKOUT_RANDOM_SEED", std::random_device{}());
  SCOPED_TRACE("POS_CHECKOUT_RANDOM_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto pick = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };

  int accepted_total = 0;
  int refused_total = 0;
  for (std::uint64_t run = 0; run < runs; ++run) {
    Counter counter;
    // A random invoice: scale 1..5000 (grand total up to 500,000.00), sometimes earlier payments.
    const std::int64_t unit = pick(1, 5000);
    auto invoice = invoice_json("USD", unit);
    const std::int64_t grand = 100 * unit;
    const std::int64_t earlier = pick(0, 1) == 1 ? pick(1, grand - 1) : 0;
    if (earlier > 0) {
      invoice["payments"] =
          nlohmann::json::array({{{"billingPaymentId", "01936f3e-8a7b-7c3d-9e4f-000000000001"},
                                  {"amount", money_json("USD", earlier)},
                                  {"tender", "CHECK"},
                                  {"capturedAt", "2026-11-20T09:00:00Z"}}});
      invoice["balanceDue"] = money_json("USD", grand - earlier);
    }
    BillingRuleEvaluation rules = relaxed_evaluation();
    rules.partial_payments_allowed = pick(0, 4) != 0;
    rules.charge_account_eligible = pick(0, 1) == 1;
    Checkout checkout = counter.start(invoice, rules);
    std::vector<CheckoutEvent> log;

    const int steps = static_cast<int>(pick(1, 40));
    for (int step = 0; step < steps && checkout.balance_due().is_positive(); ++step) {
      const std::int64_t balance = checkout.balance_due().minor_units();
      std::int64_t amount = 0;
      switch (pick(0, 9)) {
        case 0:
          amount = balance;
          break;  // pay it all
        case 1:
          amount = balance + pick(1, 1000);
          break;  // too much
        case 2:
          amount = -pick(0, 1000);
          break;  // zero or negative
        default:
          amount = pick(1, std::max<std::int64_t>(1, balance / 2));
          break;  // partial
      }
      TakePayment pay = cash(amount, pick(0, 5) == 0 ? "cashier" : "advisor");
      switch (pick(0, 5)) {
        case 0:
          pay.tender = TenderEntry::check(pick(0, 9) == 0 ? "" : std::to_string(pick(1, 99999)));
          break;
        case 1:
          pay.tender = TenderEntry::card_external(
              CardDetails{"VISA", pick(0, 9) == 0 ? "4242424242424242" : "4242", "A1B2C3"});
          break;
        case 2:
          pay.tender = TenderEntry::account();
          break;
        case 3:
          pay.tender = TenderEntry::cash(Money{Currencies::USD, amount + pick(-100, 2000)});
          break;
        default:
          break;
      }
      if (pick(0, 19) == 0) pay.amount = Money{Currencies::EUR, amount};
      if (pick(0, 3) == 0) {
        pay.mode = CaptureMode::Offline;
        pay.limits.max_single_payment = {Money{Currencies::USD, pick(1, 200000)}};
      }
      counter.clock.advance(std::chrono::milliseconds{pick(1, 5000)});
      auto ctx = counter.context();
      const Money before = checkout.balance_due();
      const Decision d = checkout.take_payment(pay, ctx);
      if (d.accepted()) {
        ++accepted_total;
        log.insert(log.end(), d.events.begin(), d.events.end());
        // [OnlineElevationUsed,] PaymentCaptured, ReceiptIssued
        const auto& payment = std::get<PaymentCaptured>(d.events[d.events.size() - 2]);
        ASSERT_EQ(before.subtract(payment.amount).value(), checkout.balance_due());
        ASSERT_EQ(payment.payment_type == PaymentType::PaidInFull,
                  checkout.balance_due().is_zero());
      } else {
        ++refused_total;
        ASSERT_TRUE(d.events.empty());
        ASSERT_EQ(before, checkout.balance_due()) << "a refusal changed the balance";
      }

      CurrencyTotals taken;
      for (const PaymentCaptured& p : checkout.payments()) ASSERT_TRUE(taken.add(p.amount).ok());
      const auto sum = taken.total(Currencies::USD).add(checkout.balance_due());
      ASSERT_TRUE(sum.ok());
      ASSERT_EQ(sum->minor_units(), grand - earlier) << "run " << run << " step " << step;
      ASSERT_FALSE(checkout.balance_due().is_negative());
      ASSERT_EQ(checkout.receipts().size(), checkout.payments().size());  // one receipt per capture
    }

    // Rebuild from the events as the ledger would store them.
    auto ctx = counter.context();
    auto started = Checkout::start(
        StartCheckout{user("advisor"), *TerminalId::parse("T-1"), invoice.dump()}, ctx);
    ASSERT_TRUE(started.ok());
    std::vector<CheckoutEvent> full{started->events[0], RulesEvaluated{rules, ctx.now}};
    for (const CheckoutEvent& e : log)
      full.push_back(event_from_json(nlohmann::json::parse(to_json(e).dump())).value());
    const auto replayed = Checkout::replay(full);
    ASSERT_TRUE(replayed.ok());
    EXPECT_EQ(replayed->balance_due(), checkout.balance_due());
    EXPECT_EQ(replayed->payments(), checkout.payments());
  }
  // The generator must exercise both outcomes, or the invariant proves nothing.
  EXPECT_GT(accepted_total, 0);
  EXPECT_GT(refused_total, 0);
}

}  // namespace
}  // namespace pos::checkout
