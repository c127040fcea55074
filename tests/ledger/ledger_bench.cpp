// Benchmarks of the ledger (a program, not a test; build in Release):
//   1. capture-to-durable latency (record_capture with synchronous=FULL, each call returning
//      only once the WAL is fdatasync'ed) p50/p99, next to a plain write + fdatasync of the
//      same number of bytes, appended to a file in the same directory, in the same run; and
//      the capture as the terminal runs it (default autocheckpoint, anchor file) next to the
//      same bytes written in place + fdatasync; the WAL pages of a capture and the outbox's
//      share of them, and the pages each B-tree took per capture over all the measured ones;
//   2. opening a database holding 100,000 payments, and its bytes per payment (the outbox
//      drained every 10 payments, as after short outages);
//   3. the X/Z report, unsynced figures and verify() over it;
//   4. the bytes per payment of a terminal online throughout (each payment acked at once; at
//      most 20,000 payments).
// Usage: ledger_bench [DIR] (default: a new directory under $TMPDIR). POS_BENCH_CAPTURES
// (default 1000) and POS_BENCH_PAYMENTS (default 100000) change the sizes; POS_BENCH_REUSE=1
// reuses DIR/big.db from an earlier run (once its shift was closed: verify only, as the
// terminal does it and then with the chain walked in one stretch, the reference).
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "shop.hpp"

namespace {

using namespace pos;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Percentiles {
  double p50, p99, mean;
};
Percentiles percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  return {at(0.50), at(0.99), sum / static_cast<double>(v.size())};
}

std::int64_t env(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoll(v, nullptr, 10) : fallback;
}

// Pages written to the WAL by each commit (the WAL hook reports the WAL's size in pages).
struct WalPages {
  int last = 0;
  std::vector<int> per_commit;
};
int on_wal(void* arg, sqlite3*, const char*, int pages) {
  auto* w = static_cast<WalPages*>(arg);
  if (pages > w->last) w->per_commit.push_back(pages - w->last);
  w->last = pages;
  return SQLITE_OK;
}

// The q-quantile of a sorted, non-empty list (nearest rank below).
int quantile(const std::vector<int>& sorted, double q) {
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

void capture_latency(const std::filesystem::path& dir, std::int64_t n) {
  for (const char* f : {"plain-inplace.bin", "latency.db", "latency.db-wal", "latency.db-shm",
                        "nosync.db", "nosync.db-wal", "nosync.db-shm", "anchored.db",
                        "anchored.db-wal", "anchored.db-shm", "anchored.db.anchor"}) {
    std::filesystem::remove(dir / f);
  }
  sync::Database db = test::open_terminal_db(dir / "latency.db");
  test::Shop shop(db);
  const auto shift = shop.open_shift();
  const auto co = shop.new_checkout(shift);
  // The same work without any fsync (synchronous=OFF): what the capture costs besides the disk.
  sync::Database nosync_db = test::open_terminal_db(dir / "nosync.db", sync::Synchronous::Normal);
  (void)nosync_db.exec("PRAGMA synchronous=OFF");
  test::Shop nosync_shop(nosync_db);
  const auto nosync_co = nosync_shop.new_checkout(nosync_shop.open_shift());
  // The same capture on a ledger with its anchor file (what the application runs).
  sync::Database anchored_db = test::open_terminal_db(dir / "anchored.db");
  test::Shop anchored_shop(anchored_db, test::kShopStart, dir / "anchored.db.anchor");
  if (!anchored_shop.ledger().startup_check().ok()) std::exit(1);
  const auto anchored_co = anchored_shop.new_checkout(anchored_shop.open_shift());
  std::vector<double> anchored;
  std::vector<double> cpu;
  WalPages wal;
  sqlite3_wal_autocheckpoint(db.handle(), 0);  // measure commits alone; checkpoint separately
  sqlite3_wal_hook(db.handle(), on_wal, &wal);
  // The floor: append as many bytes as a commit writes to the WAL, and fdatasync, to a file in
  // the same directory. Interleaved with the captures so both see the same disk at the same
  // moments (other work on the machine moves both alike). The size is the median WAL growth
  // per commit of a first batch of captures.
  std::vector<double> lat;
  std::vector<double> base;
  const auto plain = dir / "plain.bin";
  const int fd = ::open(plain.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::vector<char> buf;
  std::int64_t page_size = 0;
  (void)db.statement("PRAGMA page_size").for_each([&](const sync::Statement& r) {
    page_size = r.int64(0);
  });
  int pages = 0;
  std::size_t bytes = 0;
  // The same floor written in place: the WAL of a terminal running with SQLite's default
  // autocheckpoint (1000 pages) is rewritten from its start after each checkpoint, so its
  // commits overwrite blocks that exist (no file size to sync). The anchored ledger below runs
  // that way; it is compared with this.
  const auto inplace_path = dir / "plain-inplace.bin";
  const int inplace = ::open(inplace_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const auto region = static_cast<std::size_t>(1000 * (page_size + 24));
  {
    std::vector<char> fill(region, 'y');
    if (::write(inplace, fill.data(), fill.size()) != static_cast<ssize_t>(fill.size()) ||
        ::fsync(inplace) != 0) {
      std::exit(1);
    }
  }
  std::size_t inplace_at = 0;
  std::vector<double> base_inplace;
  const std::int64_t warmup = 50;
  std::size_t first_measured_commit = 0;  // the WAL hook's entries of the measured captures
  // Which pages each measured capture wrote: the page number of each frame it appended (the
  // first 4 bytes of the frame's header, big-endian), read after the clock stopped. Nothing is
  // deleted in this loop, so a page keeps its B-tree and dbstat names them all at the end.
  std::map<std::int64_t, int> written;
  const int wal_fd = ::open((dir / "latency.db-wal").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  for (std::int64_t i = 0; i < n + warmup; ++i) {
    auto cap = shop.capture(co, checkout::Money{checkout::Currencies::USD, 100 + i},
                            ledger::Tender::Cash);  // ids and bodies made before the clock
    const int frames_before = wal.last;
    auto t0 = Clock::now();
    auto r = shop.ledger().record_capture(cap);
    const double capture_us = ms_since(t0) * 1000.0;
    if (!r.ok()) {
      std::fprintf(stderr, "capture failed: %s\n", r.error().message.c_str());
      std::exit(1);
    }
    for (int f = frames_before; i >= warmup && f < wal.last; ++f) {
      unsigned char h[4];
      const auto at = 32 + static_cast<off_t>(f) * static_cast<off_t>(page_size + 24);
      if (::pread(wal_fd, h, sizeof h, at) != static_cast<ssize_t>(sizeof h)) std::exit(1);
      ++written[(std::int64_t{h[0]} << 24) | (h[1] << 16) | (h[2] << 8) | h[3]];
    }
    if (i == warmup - 1) {
      std::vector<int> sorted = wal.per_commit;
      std::sort(sorted.begin(), sorted.end());
      pages = sorted.empty() ? 1 : quantile(sorted, 0.5);
      bytes = static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size + 24);
      buf.assign(bytes, 'x');
      first_measured_commit = wal.per_commit.size();
    }
    if (i % 200 == 199) {
      (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      wal.last = 0;
      if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) std::exit(1);
    }
    if (i < warmup) continue;
    lat.push_back(capture_us);
    auto other = nosync_shop.capture(nosync_co, checkout::Money{checkout::Currencies::USD, 100 + i},
                                     ledger::Tender::Cash);
    t0 = Clock::now();
    if (!nosync_shop.ledger().record_capture(other).ok()) std::exit(1);
    cpu.push_back(ms_since(t0) * 1000.0);
    auto with_anchor = anchored_shop.capture(
        anchored_co, checkout::Money{checkout::Currencies::USD, 100 + i}, ledger::Tender::Cash);
    t0 = Clock::now();
    if (!anchored_shop.ledger().record_capture(with_anchor).ok()) std::exit(1);
    anchored.push_back(ms_since(t0) * 1000.0);
    t0 = Clock::now();
    if (::write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) std::exit(1);
    if (::fdatasync(fd) != 0) std::exit(1);
    base.push_back(ms_since(t0) * 1000.0);
    if (inplace_at + buf.size() > region) inplace_at = 0;
    t0 = Clock::now();
    if (::pwrite(inplace, buf.data(), buf.size(), static_cast<off_t>(inplace_at)) !=
        static_cast<ssize_t>(buf.size())) {
      std::exit(1);
    }
    if (::fdatasync(inplace) != 0) std::exit(1);
    base_inplace.push_back(ms_since(t0) * 1000.0);
    inplace_at += buf.size();
  }
  ::close(fd);
  ::close(inplace);
  ::close(wal_fd);
  std::map<std::string, int> written_by_tree;
  {
    std::map<std::int64_t, std::string> owner;
    (void)db.statement("SELECT pageno, name FROM dbstat").for_each([&](const sync::Statement& r) {
      owner[r.int64(0)] = r.text(1);
    });
    for (const auto& [pageno, count] : written) {
      const auto o = owner.find(pageno);
      written_by_tree[o == owner.end() ? "?" : o->second] += count;
    }
  }
  // Every measured capture's pages (the file growing to n captures more), not only the warm-up's.
  std::vector<int> measured(
      wal.per_commit.begin() +
          static_cast<std::ptrdiff_t>(std::min(first_measured_commit, wal.per_commit.size())),
      wal.per_commit.end());
  std::sort(measured.begin(), measured.end());
  auto pages_at = [&](double q) { return measured.empty() ? 0 : quantile(measured, q); };
  // The outbox's share of a capture's commit: the same two messages enqueued alone, in one
  // transaction of their own (sync's Outbox, not the ledger's tables).
  std::vector<int> outbox_pages;
  for (int i = 0; i < 20; ++i) {
    auto cap =
        shop.capture(co, checkout::Money{checkout::Currencies::USD, 7}, ledger::Tender::Cash);
    (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    wal.last = 0;
    wal.per_commit.clear();
    auto tx = db.begin();
    if (!tx.ok()) std::exit(1);
    for (const auto& m : cap.messages) {
      if (!shop.ledger().outbox().enqueue(tx.value(), m).ok()) std::exit(1);
    }
    if (!tx.value().commit().ok()) std::exit(1);
    if (!wal.per_commit.empty()) outbox_pages.push_back(wal.per_commit.back());
  }
  std::sort(outbox_pages.begin(), outbox_pages.end());
  const int outbox = outbox_pages.empty() ? 0 : outbox_pages[outbox_pages.size() / 2];
  const auto c = percentiles(lat);
  const auto b = percentiles(base);
  const auto u = percentiles(cpu);
  const auto an = percentiles(anchored);
  const auto bi = percentiles(base_inplace);
  std::printf("capture-to-durable, %lld captures (WAL: %d pages = %zu bytes per commit)\n",
              static_cast<long long>(n), pages, bytes);
  std::printf("  record_capture         p50 %8.0f us   p99 %8.0f us   mean %8.0f us\n", c.p50,
              c.p99, c.mean);
  std::printf("  write+fdatasync        p50 %8.0f us   p99 %8.0f us   mean %8.0f us\n", b.p50,
              b.p99, b.mean);
  std::printf("  record_capture, no sync p50 %8.0f us   p99 %8.0f us   mean %8.0f us\n", u.p50,
              u.p99, u.mean);
  std::printf(
      "  record_capture, anchor p50 %8.0f us   p99 %8.0f us   mean %8.0f us   (default "
      "autocheckpoint: the WAL rewritten in place, the anchor file updated)\n",
      an.p50, an.p99, an.mean);
  std::printf("  write+fdatasync, in place p50 %5.0f us   p99 %8.0f us   mean %8.0f us\n", bi.p50,
              bi.p99, bi.mean);
  std::printf("  ratio (WAL truncated every 200, growing) p50 %5.2f   p99 %5.2f\n", c.p50 / b.p50,
              c.p99 / b.p99);
  std::printf(
      "  ratio, anchored capture / in-place write+fdatasync  p50 %5.2f   p99 %5.2f   (goal "
      "p50 <= 1.30)\n",
      an.p50 / bi.p50, an.p99 / bi.p99);
  std::printf(
      "  WAL pages per capture  %d (goal <= 16): the outbox's 2 messages alone %d, so the "
      "ledger's about %d\n",
      pages_at(0.5), outbox, pages_at(0.5) - outbox + 1);
  std::printf(
      "  WAL pages per capture over the %zu measured: p10 %d, median %d, p90 %d, max %d (the "
      "warm-up's median %d sized the write+fdatasync above)\n",
      measured.size(), pages_at(0.1), pages_at(0.5), pages_at(0.9), pages_at(1.0), pages);
  std::printf("  pages by B-tree, mean over the %lld measured captures:",
              static_cast<long long>(n));
  for (const auto& [name, count] : written_by_tree) {
    std::printf(" %s %.2f,", name.c_str(), static_cast<double>(count) / static_cast<double>(n));
  }
  std::printf("\n");
}

// The backend's 201 body for a payment or a receipt, as the contract and billing-sim give it
// (the replicator keeps it in the acked row).
std::string reply_to(const sync::OutboxItem& it) {
  const auto body = nlohmann::json::parse(it.body);
  if (it.kind == sync::OutboxKind::Receipt) {
    return nlohmann::json{{"receiptId", it.idempotency_key},
                          {"receiptReference", body["receiptReference"]}}
        .dump();
  }
  return nlohmann::json{
      {"billingPaymentId", it.idempotency_key},
      {"status", "POSTED"},
      {"invoice",
       {{"invoiceId", body["invoiceId"]},
        {"status", "PARTIALLY_PAID"},
        {"balanceDue", {{"currency", body["amount"]["currency"]}, {"amountMinor", 1}}}}}}
      .dump();
}

// Fills a new ledger with `payments` payments (4 to a checkout, USD and EUR), the outbox drained
// after every `drain_every` payments as the replicator would; returns the shift. Filled with
// synchronous=OFF: durability of the filling is not what is measured.
ledger::ShiftId fill(const std::filesystem::path& path, std::int64_t payments,
                     std::int64_t drain_every) {
  sync::Database db = test::open_terminal_db(path, sync::Synchronous::Normal);
  (void)db.exec("PRAGMA synchronous=OFF");
  test::Shop shop(db);
  const auto shift = shop.open_shift({checkout::Money{checkout::Currencies::USD, 50000},
                                      checkout::Money{checkout::Currencies::EUR, 20000}});
  std::optional<ledger::CheckoutRecord> co;
  for (std::int64_t i = 0; i < payments; ++i) {
    if (i % 4 == 0) {
      co = shop.start_checkout(shift,
                               i % 8 == 0 ? checkout::Currencies::EUR : checkout::Currencies::USD);
    }
    auto cap = shop.capture(*co, checkout::Money{co->currency, 100 + i % 5000},
                            static_cast<ledger::Tender>(i % 4));
    if (!shop.ledger().record_capture(cap).ok()) std::exit(1);
    // A cash sale's drawer opening, recorded once the drawer opened (as the application does).
    if (cap.payment.tender == ledger::Tender::Cash &&
        !shop.ledger().record_drawer_opening(shop.drawer_opening_of(cap)).ok()) {
      std::exit(1);
    }
    if (i % drain_every == 0) {
      auto items = shop.ledger().outbox().claim(1000, shop.tick());
      for (const auto& it : items.value()) {
        // What the replicator keeps of the reply (sync::reply_is_kept: none for these two).
        const std::string reply = reply_to(it);
        (void)shop.ledger().outbox().mark_acked(
            it.id, 201,
            sync::reply_is_kept(it.kind) ? std::optional<std::string_view>{reply} : std::nullopt,
            shop.tick());
      }
    }
  }
  return shift;
}

// Bytes per payment of a terminal that was online throughout: each payment's messages
// acknowledged before the next payment (the big ledger's are drained every 10, as after a short
// outage).
void bytes_online(const std::filesystem::path& dir, std::int64_t payments) {
  const auto path = dir / "online.db";
  std::filesystem::remove(path);
  (void)fill(path, payments, 1);
  std::printf(
      "online throughout (acked at once): %.0f bytes per payment (goal <= 1200)\n",
      static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(payments));
}

void big_ledger(const std::filesystem::path& dir, std::int64_t payments) {
  const auto path = dir / "big.db";
  const bool reuse = env("POS_BENCH_REUSE", 0) != 0 && std::filesystem::exists(path);
  if (!reuse) std::filesystem::remove(path);
  ledger::ShiftId shift{checkout::Uuid{{}}};
  if (reuse) {
    sync::Database db = test::open_terminal_db(path);
    ledger::Ledger l(db);
    auto cur = l.current_shift();
    if (!cur.ok() || !cur.value()) {  // closed by an earlier run: verify only
      // As the terminal does it, then with the chain walked in one stretch (the reference).
      for (const auto split_from :
           {ledger::Ledger::kVerifySplitFrom, std::numeric_limits<std::int64_t>::max()}) {
        const auto t0 = Clock::now();
        auto v = l.verify({}, split_from);
        std::printf("verify (reused file, %lld links, walked in %d)  %8.2f ms  %s\n",
                    static_cast<long long>(v.ok() ? v.value().links_checked : -1),
                    v.ok() ? v.value().walk_stretches : 0, ms_since(t0),
                    v.ok() && v.value().sound() ? "sound" : "BROKEN");
      }
      return;
    }
    shift = cur.value()->shift_id;
  } else {
    const auto t0 = Clock::now();
    shift = fill(path, payments, 10);
    std::printf("filled %lld payments in %.1f s (synchronous=OFF)\n",
                static_cast<long long>(payments), ms_since(t0) / 1000.0);
  }
  const auto file_bytes = static_cast<double>(std::filesystem::file_size(path));
  std::printf("database file: %.1f MB, %.0f bytes per payment (goal <= 1200)\n", file_bytes / 1e6,
              file_bytes / static_cast<double>(payments));
  auto t0 = Clock::now();
  sync::Database db = test::open_terminal_db(path);
  std::printf("open (pragmas, schema check)       %8.2f ms\n", ms_since(t0));
  {
    // Whose bytes: the ledger's tables and indexes, the outbox's, the rest (dbstat).
    double ledger_bytes = 0, outbox_bytes = 0, other = 0;
    auto r = db.statement(
                   "SELECT s.name, SUM(s.pgsize), m.tbl_name FROM dbstat AS s"
                   " LEFT JOIN sqlite_schema AS m ON m.name = s.name GROUP BY s.name")
                 .for_each([&](const sync::Statement& row) {
                   const auto table = row.opt_text(2).value_or(row.text(0));
                   const auto b = static_cast<double>(row.int64(1));
                   if (table.rfind("outbox", 0) == 0) {
                     outbox_bytes += b;
                   } else if (table == "sqlite_schema" || table == "sqlite_sequence" ||
                              table == "schema_migration") {
                     other += b;
                   } else {
                     ledger_bytes += b;
                   }
                 });
    if (r.ok()) {
      const auto n = static_cast<double>(payments);
      std::printf("  per payment: ledger %.0f bytes, outbox %.0f bytes, other %.0f bytes\n",
                  ledger_bytes / n, outbox_bytes / n, other / n);
    } else {
      std::printf("  (dbstat not available: %s)\n", r.error().message.c_str());
    }
  }
  ledger::Ledger ledger(db);
  // The reference: the same figures summed over every payment row of the shift (the way the
  // report was made before the running sums), in the same run.
  t0 = Clock::now();
  std::int64_t plain_count = 0;
  (void)db
      .statement(
          "SELECT currency, tender, COUNT(*), SUM(amount_minor),"
          " SUM(COALESCE(amount_tendered_minor, amount_minor)),"
          " SUM(COALESCE(change_given_minor, 0)) FROM payment NOT INDEXED"
          " WHERE shift_id = ? GROUP BY currency, tender")
      .bind(shift.to_string())
      .for_each([&](const sync::Statement& r) { plain_count += r.int64(2); });
  const double plain_ms = ms_since(t0);
  std::printf("plain SUM over the shift's rows    %8.2f ms (%lld payments; the reference)\n",
              plain_ms, static_cast<long long>(plain_count));
  t0 = Clock::now();
  auto x = ledger.x_report(shift);
  const double x_ms = ms_since(t0);
  std::printf(
      "X report over %lld payments      %8.2f ms   goal 20 ms: %.2fx of it; %.3fx of "
      "the plain SUM\n",
      static_cast<long long>(payments), x_ms, x_ms / 20.0, x_ms / plain_ms);
  if (!x.ok()) std::exit(1);
  t0 = Clock::now();
  auto u = ledger.unsynced_payments();
  std::printf("unsynced payments (%lld of them)   %8.2f ms\n",
              static_cast<long long>(u.value().count), ms_since(t0));
  t0 = Clock::now();
  if (reuse) {  // keep the shift open for the next reuse: the Z's figures without its close
    auto again = ledger.x_report(shift);
    std::printf("Z report (not closed: reused file) %8.2f ms\n", ms_since(t0));
    if (!again.ok()) std::exit(1);
  } else {
    auto z = ledger.close_shift({shift,
                                 test::user("sup-1"),
                                 x.value().opened_at,
                                 {checkout::Money{checkout::Currencies::USD, 1}}});
    const double z_ms = ms_since(t0);
    std::printf(
        "Z report (closes the shift)        %8.2f ms   goal 30 ms: %.2fx of it; %.3fx of "
        "the plain SUM\n",
        z_ms, z_ms / 30.0, z_ms / plain_ms);
    if (!z.ok()) std::exit(1);
  }
  {
    // What every start pays: the anchor and the newest 256 links (no anchor file here: made).
    const auto anchor = dir / "big.db.anchor";
    std::filesystem::remove(anchor);
    ledger::Ledger anchored(db, anchor);
    (void)anchored.startup_check();
    t0 = Clock::now();
    auto s = anchored.startup_check();
    std::printf("startup_check (anchor + 256 links)  %8.2f ms  %s\n", ms_since(t0),
                s.ok() && s.value().sound() ? "sound" : "NOT SOUND");
  }
  t0 = Clock::now();
  auto ic = db.integrity_check();
  const double ic_ms = ms_since(t0);
  t0 = Clock::now();
  std::int64_t progress_calls = 0;
  auto v = ledger.verify([&](std::int64_t, std::int64_t) { ++progress_calls; });
  const double v_ms = ms_since(t0);
  if (!v.ok() || !ic.ok()) std::exit(1);
  std::printf(
      "verify (integrity + %lld links)  %8.2f ms  %s   goal 1500 ms: %.2fx of it; "
      "%.2f us per link; %lld progress calls\n",
      static_cast<long long>(v.value().links_checked), v_ms, v.value().sound() ? "sound" : "BROKEN",
      v_ms / 1500.0,
      v_ms * 1000.0 / static_cast<double>(std::max<std::int64_t>(1, v.value().links_checked)),
      static_cast<long long>(progress_calls));
  std::printf("  (integrity_check alone           %8.2f ms)\n", ic_ms);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir;
  bool own_dir = false;
  if (argc > 1) {
    dir = argv[1];
    std::filesystem::create_directories(dir);
  } else {
    own_dir = true;
    std::string pattern = (std::filesystem::temp_directory_path() / "ledger-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
  }
  std::printf("directory: %s\n", dir.c_str());
  capture_latency(dir, env("POS_BENCH_CAPTURES", 1000));
  big_ledger(dir, env("POS_BENCH_PAYMENTS", 100000));
  bytes_online(dir, std::min<std::int64_t>(env("POS_BENCH_PAYMENTS", 100000), 20000));
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
