// Benchmark (not a test): draining 10,000 queued payments against billing-sim on loopback, next
// to a plain libcurl loop posting bodies of the same shape to the same server in the same run.
// The ratio is the figure: what the durable outbox (claim and mark, each a SQLite commit with
// synchronous=FULL) and the replicator cost on top of bare HTTP.
//
//   sync_drain_bench [PAYMENTS=10000] [CONCURRENCY=8] [ROUNDS=3]
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
  std::int64_t commits = 0;   // replicator only: outbox commits for the whole drain
  double cpuSeconds = 0;      // user + system time of this process (the client side) meanwhile
  double loopCpuSeconds = 0;  // replicator only: of that, the loop's thread (claims and commits)
};

double cpuNow(int who = RUSAGE_SELF) {
  rusage u{};
  getrusage(who, &u);
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
  const double loop0 = cpuNow(RUSAGE_THREAD);  // drain() runs the loop on the calling thread
  const auto start = Clock::now();
  const bool empty = replicator.runUntilEmpty(std::chrono::minutes(10));
  f.cpuSeconds = cpuNow() - cpu0;
  f.loopCpuSeconds = cpuNow(RUSAGE_THREAD) - loop0;
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
  const int rounds = std::max(1, argc > 3 ? std::atoi(argv[3]) : 3);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pos::testing::TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::soakSeed(200).dump());
  pos::testing::SimProcess sim(pos::testing::SimOptions{
      dir.file("seed.json"), dir.file("sim.jsonl"), {"--threads", "32"}, 0});
  auto payments = [count](const std::string& terminal) {
    std::vector<pos::sync::PaymentRequest> v;
    for (int i = 0; i < count; ++i) v.push_back(pos::testing::soakPayment(terminal, i, 200));
    return v;
  };
  // Every side posts its own payment ids, at most 9 minor units each over 200 invoices of
  // 10,000: (3 + 2 x rounds) x 10,000 payments stay under the balances.
  const Figures one = plainCurl(sim.baseUrl(), payments("T-CURL1"), 1);
  // The plain loop and the drain take turns, in the order AB BA AB ...: the machine is shared,
  // and its load drifts within seconds, so each side gets the same share of quiet and busy
  // moments; the ratio is of the totals, and every round is printed.
  std::vector<Figures> plain, drained;
  for (int r = 0; r < rounds; ++r) {
    const std::string n = std::to_string(r + 1);
    const auto bodies = payments("T-CURLN" + n);
    auto runPlain = [&] { plain.push_back(plainCurl(sim.baseUrl(), bodies, concurrency)); };
    auto runDrain = [&] {
      drained.push_back(replicatorDrain(sim.baseUrl(), dir.file("terminal-" + n + ".db"), count,
                                        static_cast<std::size_t>(concurrency),
                                        pos::sync::Synchronous::Full, "T-REP" + n));
    };
    if (r % 2 == 0) {
      runPlain();
      runDrain();
    } else {
      runDrain();
      runPlain();
    }
  }
  // Diagnostic only (the product runs FULL): the same drain without an fsync per commit shows
  // how much of the difference is the disk.
  const Figures repNormal = replicatorDrain(sim.baseUrl(), dir.file("terminal-normal.db"), count,
                                            static_cast<std::size_t>(concurrency),
                                            pos::sync::Synchronous::Normal, "T-REPN");
  std::printf("billing-sim on loopback, %d payments each, concurrency %d, %d rounds\n", count,
              concurrency, rounds);
  print("plain libcurl, 1 connection", count, one);
  double plainSeconds = 0, drainSeconds = 0, worst = 1e9;
  int failures = one.failures + repNormal.failures;
  for (int r = 0; r < rounds; ++r) {
    const Figures& p = plain[static_cast<std::size_t>(r)];
    const Figures& d = drained[static_cast<std::size_t>(r)];
    char name[64];
    std::snprintf(name, sizeof name, "round %d plain libcurl, N conns", r + 1);
    print(name, count, p);
    std::snprintf(name, sizeof name, "round %d replicator (drain)", r + 1);
    print(name, count, d);
    const double ratio = p.seconds / d.seconds;
    worst = std::min(worst, ratio);
    std::printf(
        "round %d: ratio %.2f, outbox commits %lld, replicator cpu: loop thread %.2f s, "
        "workers %.2f s\n",
        r + 1, ratio, static_cast<long long>(d.commits), d.loopCpuSeconds,
        d.cpuSeconds - d.loopCpuSeconds);
    plainSeconds += p.seconds;
    drainSeconds += d.seconds;
    failures += p.failures + d.failures;
  }
  print("replicator, synchronous=NORMAL", count, repNormal);
  std::printf("outbox commits (NORMAL): %lld\n", static_cast<long long>(repNormal.commits));
  std::printf(
      "ratio replicator / plain libcurl (N connections), all rounds: %.2f, lowest round %.2f  "
      "(goal >= 0.80)\n",
      plainSeconds / drainSeconds, worst);
  curl_global_cleanup();
  return failures == 0 ? 0 : 1;
}
