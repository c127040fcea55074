// Benchmark (not a test): the replicator loop's own outbox work for a drain, without HTTP. A
// backlog of payments (streams of three, as sync_drain_bench) is drained in turns the way the
// loop does it: each turn acknowledges the oldest replies in flight and claims up to the window,
// in one transaction, synchronous=FULL. Prints the CPU per item, the figure the drain's loop
// thread pays on a shared machine.
//
//   sync_outbox_turn_bench [PAYMENTS=10000] [WINDOW=512] [ACKS_PER_TURN=100] [ROUNDS=3]
#include <pos/sync/outbox.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <stdexcept>

#include "outbox_fixture.hpp"
#include "sim_process.hpp"

namespace {

double threadCpu() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A reply of the size billing-sim gives for a payment.
std::string replyFor(const pos::sync::OutboxItem& item) {
  return R"({"billingPaymentId":")" + item.idempotency_key +
         R"(","status":"POSTED","invoice":{"invoiceId":"SOAK-1","status":"PARTIALLY_PAID",)"
         R"("balanceDue":{"currency":"USD","amountMinor":123456}}})";
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::size_t window = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 512;
  const std::size_t acksPerTurn = argc > 3 ? static_cast<std::size_t>(std::atoi(argv[3])) : 100;
  const int rounds = std::max(1, argc > 4 ? std::atoi(argv[4]) : 3);
  pos::testing::TempDir dir;
  for (int r = 0; r < rounds; ++r) {
    const std::string path = dir.file("turns-" + std::to_string(r) + ".db");
    auto db = pos::testing::openDatabase(path);
    pos::testing::enqueuePayments(db, "T-TURN" + std::to_string(r), count, 200);
    // As the Replicator sets it on its connection; POS_TURN_BENCH_PRAGMA="PRAGMA
    // temp_store=DEFAULT" shows what it saves.
    (void)db.exec("PRAGMA temp_store=MEMORY;");
    if (const char* e = std::getenv("POS_TURN_BENCH_PRAGMA")) (void)db.exec(e);
    pos::sync::Outbox outbox(db);
    std::deque<pos::sync::OutboxItem> inFlight;
    // The streams in flight, as the replicator passes them (POS_TURN_BENCH_NO_HINT: without).
    pos::sync::Outbox::StreamSet busy;
    const bool hint = std::getenv("POS_TURN_BENCH_NO_HINT") == nullptr;
    std::int64_t acked = 0, commits = 0, claims = 0;
    const double cpu0 = threadCpu();
    for (;;) {
      auto tx = db.begin();
      if (!tx.ok()) throw std::runtime_error(tx.error().message);
      const auto t = pos::testing::nowMs();
      for (std::size_t i = 0; i < acksPerTurn && !inFlight.empty(); ++i) {
        const auto& item = inFlight.front();
        auto m = outbox.mark_acked(tx.value(), item.id, 201, replyFor(item), t);
        if (!m.ok()) throw std::runtime_error(m.error().message);
        busy.erase(item.stream);
        inFlight.pop_front();
        ++acked;
      }
      const std::size_t want = window - inFlight.size();
      if (want > 0) {
        auto got = outbox.claim(tx.value(), want, t, hint ? &busy : nullptr);
        if (!got.ok()) throw std::runtime_error(got.error().message);
        ++claims;
        for (auto& item : got.value()) {
          busy.insert(item.stream);
          inFlight.push_back(std::move(item));
        }
      }
      if (auto c = tx.value().commit(); !c.ok()) throw std::runtime_error(c.error().message);
      ++commits;
      if (inFlight.empty()) break;
    }
    const double cpu = threadCpu() - cpu0;
    std::printf(
        "round %d: %lld acked, %lld commits, %lld claims, loop cpu %.3f s = %.1f us per item\n",
        r + 1, static_cast<long long>(acked), static_cast<long long>(commits),
        static_cast<long long>(claims), cpu, 1e6 * cpu / static_cast<double>(acked));
    if (acked != count) {
      std::printf("FAILED: %lld of %d acked\n", static_cast<long long>(acked), count);
      return 1;
    }
  }
  return 0;
}
