// The crash test's child: captures payments in a loop and reports on stdout, one line each,
//   "R"     when the database is open,
//   "B n"   before capture n starts (its ids are fixed by n: crash_ids.hpp),
//   "C n"   after the capture's commit returned.
// Usage: ledger_crash_child DB FIRST_N [RETRY_N]. RETRY_N (an in-flight capture of a killed
// predecessor, outcome unknown) is captured again first, with the same ids. Runs until killed.
#include <pos/ledger/ledger.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crash_ids.hpp"

namespace {

using namespace pos;
using checkout::Currencies;
using checkout::Money;

void say(const std::string& line) {
  const std::string out = line + "\n";
  // One write(2) of a short line into a pipe is atomic: the parent never sees half a line.
  if (::write(1, out.data(), out.size()) != static_cast<ssize_t>(out.size())) std::_Exit(9);
}

checkout::Timestamp now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

checkout::UserId advisor() {
  return *checkout::UserId::parse("advisor-1");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const std::string path = argv[1];
  const auto first = std::strtoull(argv[2], nullptr, 10);
  const long long retry = argc > 3 ? std::strtoll(argv[3], nullptr, 10) : -1;

  sync::DatabaseOptions options;
  options.path = path;
  const auto migrations = ledger::Ledger::all_migrations();
  auto opened = sync::Database::open(options, migrations);
  if (!opened.ok()) {
    std::fprintf(stderr, "child: %s\n", opened.error().message.c_str());
    return 3;
  }
  sync::Database db = std::move(opened).value();
  ledger::Ledger ledger(db);
  const auto shift = test::crash_id<ledger::ShiftId>(test::kCrashShift, 0);
  auto current = ledger.current_shift();
  if (!current.ok()) return 4;
  if (!current.value()) {
    auto s = ledger.open_shift({shift, "T-1", advisor(), now(), {Money{Currencies::USD, 10000}}});
    if (!s.ok()) return 4;
  }
  say("R");

  auto capture = [&](std::uint64_t n) {
    const auto co = test::crash_id<checkout::CheckoutId>(test::kCrashCheckout, n);
    const auto invoice = test::crash_id<checkout::InvoiceId>(test::kCrashInvoice, n);
    auto c = ledger.record_checkout(
        {co, shift, invoice, "INV-" + std::to_string(n), "WO-" + std::to_string(n), "ACC-1",
         Currencies::USD, test::crash_id<checkout::CorrelationId>(test::kCrashCorrelation, n),
         advisor(), now()});
    if (!c.ok() && c.error().code != ledger::LedgerErrorCode::AlreadyRecorded) std::_Exit(5);
    say("B " + std::to_string(n));
    const auto pid = test::crash_id<checkout::BillingPaymentId>(test::kCrashPayment, n);
    const auto rid = test::crash_id<checkout::ReceiptId>(test::kCrashReceipt, n);
    const auto tender = static_cast<ledger::Tender>(n % 4);
    const Money amount{Currencies::USD, static_cast<std::int64_t>(100 + n % 1000)};
    std::optional<Money> tendered, change;
    std::optional<ledger::DrawerOpening> drawer;
    if (tender == ledger::Tender::Cash) {
      tendered = Money{Currencies::USD, amount.minor_units() + static_cast<std::int64_t>(n % 7)};
      change = Money{Currencies::USD, static_cast<std::int64_t>(n % 7)};
      drawer = ledger::DrawerOpening{test::crash_id<ledger::DrawerOpeningId>(test::kCrashDrawer, n),
                                     shift,
                                     advisor(),
                                     ledger::DrawerReason::Sale,
                                     pid,
                                     "",
                                     now()};
    }
    const auto t = now();
    const auto stream = co.to_string();
    ledger::PaymentCapture cap{
        {pid, co, invoice, shift, amount, tender, std::nullopt, std::nullopt, tendered, change,
         ledger::PaymentType::PaidInFull, advisor(), t, ledger::CaptureMode::Offline, rid},
        {rid, "RCP-INV-" + std::to_string(n) + "-" + checkout::format_compact_utc(t) + "-001", pid,
         co, invoice, ledger::PaymentType::PaidInFull, Money{Currencies::USD, 0},
         ledger::ReceiptDeliveryChoice::Deliver, "default", "1", "PAID\n", t},
        {test::crash_id<checkout::EventId>(test::kCrashEvent, n), co, "PAYMENT_CAPTURED",
         "advisor-1", "{}", t},
        drawer,
        {{stream,
          sync::OutboxKind::Payment,
          "POST",
          "/billing/payments",
          pid.to_string(),
          R"({"billingPaymentId":")" + pid.to_string() + R"("})",
          t},
         {stream,
          sync::OutboxKind::Receipt,
          "POST",
          "/billing/receipts",
          rid.to_string(),
          R"({"receiptId":")" + rid.to_string() + R"("})",
          t}},
        {}};
    auto r = ledger.record_capture(cap);
    if (!r.ok()) {
      std::fprintf(stderr, "child: capture %llu: %s\n", static_cast<unsigned long long>(n),
                   r.error().message.c_str());
      std::_Exit(6);
    }
    say("C " + std::to_string(n));
  };

  if (retry >= 0) capture(static_cast<std::uint64_t>(retry));
  for (std::uint64_t n = first;; ++n) capture(n);
}
