// Benchmark (not a test): draining 10,000 queued payments against billing-sim on loopback, next
// to a plain libcurl loop posting bodies of the same shape to the same server in the same run.
// The ratio is the figure: what the durable outbox (claim and mark, each a SQLite commit with
// synchronous=FULL) and the replicator cost on top of bare HTTP.
//
//   sync_drain_bench [PAYMENTS=10000] [CONCURRENCY=8]
// Each side posts its own payment ids (a replay would hit the idempotency cache, which is cheaper).
#include <pos/sync/replicator.hpp>

#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "outbox_fixture.hpp"
#include "sim_process.hpp"
#include "sim_seed.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Figures {
  double seconds = 0;
  std::vector<double> latenciesMs;
  int failures = 0;
  std::int64_t commits = 0;  // replicator only: outbox commits for the whole drain
  double cpuSeconds = 0;     // user + system time of this process (the client side) meanwhile
};

double cpuNow() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

size_t discard(char*, size_t size, size_t n, void*) {
  return size * n;
}

// `threads` threads, each one easy handle (keep-alive), posting its share of the bodies.
Figures plainCurl(const std::string& url, const std::vector<pos::sync::PaymentRequest>& payments,
                  int threads) {
  Figures f;
  std::mutex mu;
  const double cpu0 = cpuNow();
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      CURL* curl = curl_easy_init();
      std::vector<double> mine;
      int failed = 0;
      for (std::size_t i = static_cast<std::size_t>(t); i < payments.size();
           i += static_cast<std::size_t>(threads)) {
        const std::string body = pos::sync::toJson(payments[i]).dump();
        curl_slist* h = nullptr;
        h = curl_slist_append(
            h, ("Authorization: Bearer " + std::string(pos::testing::kSimToken)).c_str());
        h = curl_slist_append(h, "X-Terminal-Id: T-CURL");
        h = curl_slist_append(h, "X-Correlation-Id: bench");
        h = curl_slist_append(
            h, "traceparent: 00-0123456789abcdef0123456789abcdef-0123456789abcdef-01");
        h = curl_slist_append(h, "Content-Type: application/json");
        h = curl_slist_append(h, ("Idempotency-Key: " + payments[i].billingPaymentId).c_str());
        h = curl_slist_append(h, "Expect:");
        curl_easy_setopt(curl, CURLOPT_URL, (url + "/billing/payments").c_str());
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
        const auto t0 = Clock::now();
        const CURLcode rc = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (rc != CURLE_OK || status != 201) ++failed;
        curl_slist_free_all(h);
      }
      curl_easy_cleanup(curl);
      std::lock_guard lock(mu);
      f.latenciesMs.insert(f.latenciesMs.end(), mine.begin(), mine.end());
      f.failures += failed;
    });
  }
  for (auto& th : pool) th.join();
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.cpuSeconds = cpuNow() - cpu0;
  return f;
}

pos::sync::Database open(const std::string& path, pos::sync::Synchronous sync) {
  pos::sync::DatabaseOptions options;
  options.path = path;
  options.synchronous = sync;
  auto db = pos::sync::Database::open(options, pos::testing::replicatorMigrations());
  if (!db.ok()) throw std::runtime_error(db.error().message);
  return std::move(db).value();
}

Figures replicatorDrain(const std::string& url, const std::string& dbPath, int count,
                        std::size_t concurrency, pos::sync::Synchronous sync,
                        const std::string& terminal) {
  {
    auto db = open(dbPath, sync);
    pos::testing::enqueuePayments(db, terminal, count, 200);
  }
  Figures f;
  pos::sync::ReplicatorConfig config;
  config.http.baseUrl = url;
  config.http.token = pos::sync::SecretToken(pos::testing::kSimToken);
  config.http.terminalId = terminal;
  config.concurrency = concurrency;
  config.pull = pos::sync::SnapshotPull::Off;
  config.idlePoll = std::chrono::milliseconds(5);
  config.onOutcome = [&](const pos::sync::OutboxItem&, const pos::sync::HttpOutcome& o) {
    f.latenciesMs.push_back(static_cast<double>(o.elapsed.count()) / 1000.0);
    if (!o.ok()) ++f.failures;
  };
  pos::sync::Replicator replicator(open(dbPath, sync), config);
  const double cpu0 = cpuNow();
  const auto start = Clock::now();
  const bool empty = replicator.runUntilEmpty(std::chrono::minutes(10));
  f.cpuSeconds = cpuNow() - cpu0;
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.commits = replicator.status().commits;
  if (!empty) ++f.failures;
  return f;
}

void print(const char* name, int count, const Figures& f) {
  std::printf(
      "%-34s %7d payments %8.2f s %9.0f payments/s  p50 %6.2f ms  p99 %6.2f ms  cpu %5.2f s"
      "  failures %d\n",
      name, count, f.seconds, count / f.seconds, percentile(f.latenciesMs, 0.50),
      percentile(f.latenciesMs, 0.99), f.cpuSeconds, f.failures);
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int concurrency = argc > 2 ? std::atoi(argv[2]) : 8;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pos::testing::TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::soakSeed(200).dump());
  pos::testing::SimProcess sim(pos::testing::SimOptions{
      dir.file("seed.json"), dir.file("sim.jsonl"), {"--threads", "32"}, 0});
  std::vector<pos::sync::PaymentRequest> single, parallel;
  for (int i = 0; i < count; ++i) {
    single.push_back(pos::testing::soakPayment("T-CURL1", i, 200));
    parallel.push_back(pos::testing::soakPayment("T-CURLN", i, 200));
  }
  // 10,000 payments of at most 9 minor units over 200 invoices of 10,000: never over a balance.
  const Figures one = plainCurl(sim.baseUrl(), single, 1);
  const Figures many = plainCurl(sim.baseUrl(), parallel, concurrency);
  const Figures rep =
      replicatorDrain(sim.baseUrl(), dir.file("terminal.db"), count,
                      static_cast<std::size_t>(concurrency), pos::sync::Synchronous::Full, "T-REP");
  // Diagnostic only (the product runs FULL): the same drain without an fsync per commit shows
  // how much of the difference is the disk.
  const Figures repNormal = replicatorDrain(sim.baseUrl(), dir.file("terminal-normal.db"), count,
                                            static_cast<std::size_t>(concurrency),
                                            pos::sync::Synchronous::Normal, "T-REPN");
  std::printf("billing-sim on loopback, %d payments each, concurrency %d\n", count, concurrency);
  print("plain libcurl, 1 connection", count, one);
  print("plain libcurl, N connections", count, many);
  print("replicator (outbox drain)", count, rep);
  print("replicator, synchronous=NORMAL", count, repNormal);
  std::printf("outbox commits: %lld for %d payments (synchronous=FULL), %lld (NORMAL)\n",
              static_cast<long long>(rep.commits), count,
              static_cast<long long>(repNormal.commits));
  std::printf("ratio replicator / plain libcurl (N connections): %.2f  (goal >= 0.80)\n",
              (count / rep.seconds) / (count / many.seconds));
  curl_global_cleanup();
  return (one.failures + many.failures + rep.failures + repNormal.failures) == 0 ? 0 : 1;
}
