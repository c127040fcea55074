// The hash chain over every ledger row, and verify().
//
// Sections: 1. hashing a link  2. ChainWriter  3. verify
#include <pos/ledger/ledger.hpp>

#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#include "ledger_tables.hpp"

namespace pos::ledger {

// ---------------------------------------------------------------------------------------------
// 1. hashing a link
// ---------------------------------------------------------------------------------------------

namespace {

void put(Sha256& st, std::string_view s) {
  st.update(s.data(), s.size());
}

// Length-prefixed so that no two different rows serialise to the same bytes. The head is made
// on the stack (this runs for every link verify checks).
void put_field(Sha256& st, std::string_view name, char type, std::string_view value) {
  char head[128];
  char* p = head;
  char* const end = head + sizeof head;
  p = std::to_chars(p, end, name.size()).ptr;
  *p++ = ':';
  if (name.size() > static_cast<std::size_t>(end - p) - 24) {
    put(st, std::string_view{head, static_cast<std::size_t>(p - head)});
    put(st, name);
    p = head;
  } else {
    std::memcpy(p, name.data(), name.size());
    p += name.size();
  }
  *p++ = type;
  p = std::to_chars(p, end, value.size()).ptr;
  *p++ = ':';
  put(st, std::string_view{head, static_cast<std::size_t>(p - head)});
  put(st, value);
}

void put_int_field(Sha256& st, std::string_view name, std::int64_t v) {
  char digits[24];
  const auto e = std::to_chars(digits, digits + sizeof digits, v).ptr;
  put_field(st, name, 'i', std::string_view{digits, static_cast<std::size_t>(e - digits)});
}

bool known_table(std::string_view table) {
  return std::find(kChainedTables.begin(), kChainedTables.end(), table) != kChainedTables.end();
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {}
Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
}
void Sha256::start() {
  (void)EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
}
void Sha256::update(const void* data, std::size_t n) {
  (void)EVP_DigestUpdate(ctx_, data, n);
}
ChainHash Sha256::finish() {
  ChainHash out{};
  unsigned int len = 0;
  (void)EVP_DigestFinal_ex(ctx_, out.data(), &len);
  return out;
}

std::string to_hex(const ChainHash& h) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : h) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

sync::DbResult<ChainHash> hash_link(sync::Database& db, const ChainHash& prev,
                                    std::string_view table, std::int64_t seq, bool& row_found) {
  row_found = false;
  if (!known_table(table)) {
    return sync::DbError{sync::DbErrorCode::InvalidArgument, 0, "not a ledger table"};
  }
  Sha256 st;
  st.start();
  st.update(prev.data(), prev.size());
  put(st, table);
  put(st, std::string_view{"\0", 1});
  const std::string sql = "SELECT * FROM " + std::string{table} + " WHERE chain_seq = ?";
  auto r = db.statement(sql).bind(seq).for_each([&](const sync::Statement& row) {
    row_found = true;
    for (int c = 0; c < row.column_count(); ++c) {
      switch (row.column_type(c)) {
        case SQLITE_NULL:
          break;
        case SQLITE_INTEGER:
          put_int_field(st, row.column_name(c), row.int64(c));
          break;
        case SQLITE_BLOB: {
          const auto b = row.blob(c);
          put_field(st, row.column_name(c), 'b',
                    std::string_view{reinterpret_cast<const char*>(b.data()), b.size()});
          break;
        }
        default:
          put_field(st, row.column_name(c), 't', row.text(c));
          break;
      }
    }
  });
  if (!r.ok()) return std::move(r).error();
  return st.finish();
}

ChainHash hash_row(Sha256& st, const ChainHash& prev, std::string_view table, sqlite3_stmt* stmt) {
  st.start();
  st.update(prev.data(), prev.size());
  put(st, table);
  put(st, std::string_view{"\0", 1});
  const int n = sqlite3_column_count(stmt);
  for (int c = 0; c < n; ++c) {
    const std::string_view name = sqlite3_column_name(stmt, c);
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_NULL:
        break;
      case SQLITE_INTEGER:
        put_int_field(st, name, sqlite3_column_int64(stmt, c));
        break;
      case SQLITE_BLOB: {
        const void* b = sqlite3_column_blob(stmt, c);
        const auto len = static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
        put_field(st, name, 'b', std::string_view{static_cast<const char*>(b), b ? len : 0});
        break;
      }
      default: {
        const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        const auto len = static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
        put_field(st, name, 't', std::string_view{t ? t : "", t ? len : 0});
        break;
      }
    }
  }
  return st.finish();
}

// ---------------------------------------------------------------------------------------------
// 2. ChainWriter
// ---------------------------------------------------------------------------------------------

sync::DbResult<void> ChainWriter::start() {
  next_seq_ = 1;
  prev_.fill(0);
  auto r = db_->statement("SELECT seq, hash FROM ledger_chain ORDER BY seq DESC LIMIT 1")
               .for_each([&](const sync::Statement& row) {
                 next_seq_ = row.int64(0) + 1;
                 const auto h = row.blob(1);
                 if (h.size() == prev_.size()) {
                   std::transform(h.begin(), h.end(), prev_.begin(),
                                  [](std::byte b) { return static_cast<unsigned char>(b); });
                 }
               });
  return r.ok() ? sync::DbResult<void>{} : sync::DbResult<void>{std::move(r).error()};
}

sync::DbResult<void> ChainWriter::link(std::string_view table) {
  bool found = false;
  auto h = hash_link(*db_, prev_, table, next_seq_, found);
  if (!h.ok()) return std::move(h).error();
  if (!found)
    return sync::DbError{sync::DbErrorCode::Other, 0, "chain: the row just written is gone"};
  // The table name must outlive the transaction: keep the constant, not the caller's view.
  const auto known = std::find(kChainedTables.begin(), kChainedTables.end(), table);
  pending_.push_back(Pending{next_seq_, *known, h.value()});
  prev_ = h.value();
  ++next_seq_;
  return {};
}

sync::DbResult<void> ChainWriter::flush() {
  std::size_t i = 0;
  auto blob = [&](std::size_t k) {
    return sync::Blob{std::as_bytes(std::span{pending_[i + k].hash})};
  };
  auto seq = [&](std::size_t k) { return pending_[i + k].seq; };
  auto tab = [&](std::size_t k) { return pending_[i + k].table; };
  while (i < pending_.size()) {
    const auto left = pending_.size() - i;
    sync::DbResult<void> r;
    if (left >= 4) {
      r = db_->statement(
                 "INSERT INTO ledger_chain (seq, table_name, hash) VALUES (?, ?, ?), (?, ?, ?), "
                 "(?, ?, ?), (?, ?, ?)")
              .bind(seq(0), tab(0), blob(0), seq(1), tab(1), blob(1), seq(2), tab(2), blob(2),
                    seq(3), tab(3), blob(3))
              .run();
      i += 4;
    } else if (left == 3) {
      r = db_->statement(
                 "INSERT INTO ledger_chain (seq, table_name, hash) VALUES (?, ?, ?), (?, ?, ?), "
                 "(?, ?, ?)")
              .bind(seq(0), tab(0), blob(0), seq(1), tab(1), blob(1), seq(2), tab(2), blob(2))
              .run();
      i += 3;
    } else if (left == 2) {
      r = db_->statement(
                 "INSERT INTO ledger_chain (seq, table_name, hash) VALUES (?, ?, ?), (?, ?, ?)")
              .bind(seq(0), tab(0), blob(0), seq(1), tab(1), blob(1))
              .run();
      i += 2;
    } else {
      r = db_->statement("INSERT INTO ledger_chain (seq, table_name, hash) VALUES (?, ?, ?)")
              .bind(seq(0), tab(0), blob(0))
              .run();
      i += 1;
    }
    if (!r.ok()) return r;
  }
  pending_.clear();
  return {};
}

// ---------------------------------------------------------------------------------------------
// 3. verify
// ---------------------------------------------------------------------------------------------

std::string_view to_string(ChainBreakKind kind) noexcept {
  switch (kind) {
    case ChainBreakKind::HashMismatch:
      return "HASH_MISMATCH";
    case ChainBreakKind::RowMissing:
      return "ROW_MISSING";
    case ChainBreakKind::SequenceGap:
      return "SEQUENCE_GAP";
    case ChainBreakKind::UnchainedRows:
      return "UNCHAINED_ROWS";
    case ChainBreakKind::TallyMismatch:
      return "TALLY_MISMATCH";
  }
  return "UNKNOWN";
}

std::string_view to_string(AnchorFinding f) noexcept {
  switch (f) {
    case AnchorFinding::NotUsed:
      return "NOT_USED";
    case AnchorFinding::Matches:
      return "MATCHES";
    case AnchorFinding::Created:
      return "CREATED";
    case AnchorFinding::ChainBehindAnchor:
      return "CHAIN_BEHIND_ANCHOR";
    case AnchorFinding::AnchorMismatch:
      return "ANCHOR_MISMATCH";
    case AnchorFinding::AnchorUnreadable:
      return "ANCHOR_UNREADABLE";
  }
  return "UNKNOWN";
}

namespace {

LedgerError storage_error(sync::DbError e) {
  std::string m = e.message;
  return LedgerError{LedgerErrorCode::Storage, std::move(m), std::move(e)};
}

// A read transaction for the life of the object, so a commit meanwhile cannot look like a break.
struct ReadTx {
  sync::Database* db;
  bool began = false;
  explicit ReadTx(sync::Database& d) : db(&d) {
    // Inside a caller's transaction (close_shift) there is nothing to begin.
    began = sqlite3_get_autocommit(d.handle()) != 0 && d.exec("BEGIN").ok();
  }
  ~ReadTx() {
    if (began) (void)db->exec("COMMIT");
  }
};

bool equal_hash(std::span<const std::byte> stored, const ChainHash& h) {
  return stored.size() == h.size() &&
         std::equal(stored.begin(), stored.end(), h.begin(), [](std::byte a, unsigned char b) {
           return static_cast<unsigned char>(a) == b;
         });
}

ChainHash to_hash(std::span<const std::byte> b) {
  ChainHash h{};
  if (b.size() == h.size()) {
    std::transform(b.begin(), b.end(), h.begin(),
                   [](std::byte x) { return static_cast<unsigned char>(x); });
  }
  return h;
}

// The chain's length and the stored hash of its newest link.
sync::DbResult<AnchorRecord> chain_head(sync::Database& db) {
  AnchorRecord r;
  auto q = db.statement("SELECT seq, hash FROM ledger_chain ORDER BY seq DESC LIMIT 1")
               .for_each([&](const sync::Statement& row) {
                 r.length = row.int64(0);
                 r.head = to_hash(row.blob(1));
               });
  if (!q.ok()) return std::move(q).error();
  return r;
}

// A raw statement for verify's walk (the cached Statement copies every value; this does not).
struct RawStmt {
  sqlite3_stmt* stmt = nullptr;
  RawStmt(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) stmt = nullptr;
  }
  ~RawStmt() { sqlite3_finalize(stmt); }
  RawStmt(const RawStmt&) = delete;
  RawStmt& operator=(const RawStmt&) = delete;
};

// One table's rows in chain_seq order, consumed as the chain's links name them.
struct TableCursor {
  std::string_view table;
  std::unique_ptr<RawStmt> rows;
  bool has_row = false;
  std::int64_t seq = 0;
  int rc = SQLITE_OK;
  void step() {
    rc = sqlite3_step(rows->stmt);
    has_row = rc == SQLITE_ROW;
    if (has_row) seq = sqlite3_column_int64(rows->stmt, 0);  // chain_seq is the first column
  }
  [[nodiscard]] bool failed() const { return rc != SQLITE_ROW && rc != SQLITE_DONE; }
};

// The payments whose running shift sums are not the sums of their group's rows up to them.
sync::DbResult<std::optional<std::int64_t>> first_bad_tally(sync::Database& db) {
  std::optional<std::int64_t> bad;
  auto q = db.statement(
                 "SELECT chain_seq FROM (SELECT chain_seq, run_count, run_total_minor,"
                 " run_tendered_minor, run_change_minor, COUNT(*) OVER w AS n,"
                 " SUM(amount_minor) OVER w AS total,"
                 " SUM(COALESCE(amount_tendered_minor, amount_minor)) OVER w AS tendered,"
                 " SUM(COALESCE(change_given_minor, 0)) OVER w AS change"
                 " FROM payment INDEXED BY payment_by_shift"
                 " WINDOW w AS (PARTITION BY shift_id, currency, tender ORDER BY chain_seq"
                 " ROWS UNBOUNDED PRECEDING))"
                 " WHERE run_count IS NOT NULL AND (run_count IS NOT n OR run_total_minor IS NOT"
                 " total OR run_tendered_minor IS NOT tendered OR run_change_minor IS NOT change)"
                 " ORDER BY chain_seq LIMIT 1")
               .for_each([&](const sync::Statement& row) { bad = row.int64(0); });
  if (!q.ok()) return std::move(q).error();
  return bad;
}

}  // namespace

LedgerResult<AnchorCheck> Ledger::check_anchor() {
  AnchorCheck out;
  auto head = chain_head(*db_);
  if (!head.ok()) return checkout::fail(storage_error(std::move(head).error()));
  out.db_length = head.value().length;
  if (anchor_path_.empty()) return out;
  AnchorRecord anchor;
  switch (read_anchor(anchor_path_, anchor)) {
    case AnchorRead::Missing:
      // A fresh install, or the first start of a build with anchors: the chain as it is now
      // becomes the anchor (nothing to compare with; said as Created).
      out.finding = AnchorFinding::Created;
      out.anchor_length = out.db_length;
      (void)write_anchor(anchor_path_, head.value(), true);
      return out;
    case AnchorRead::Unreadable:
      out.finding = AnchorFinding::AnchorUnreadable;
      return out;
    case AnchorRead::Found:
      break;
  }
  out.anchor_length = anchor.length;
  if (anchor.length > out.db_length) {
    out.finding = AnchorFinding::ChainBehindAnchor;
    return out;
  }
  ChainHash at{};
  if (anchor.length > 0) {
    bool found = false;
    auto q = db_->statement("SELECT hash FROM ledger_chain WHERE seq = ?")
                 .bind(anchor.length)
                 .for_each([&](const sync::Statement& row) {
                   found = true;
                   at = to_hash(row.blob(0));
                 });
    if (!q.ok()) return checkout::fail(storage_error(std::move(q).error()));
    if (!found) {
      out.finding = AnchorFinding::ChainBehindAnchor;  // the anchored link itself is gone
      return out;
    }
  }
  if (at != anchor.head) {
    out.finding = AnchorFinding::AnchorMismatch;
    return out;
  }
  out.finding = AnchorFinding::Matches;
  // The anchor may lag (a power cut, another build): bring it up to the chain that holds it,
  // and make it durable (the per-commit updates are not synced: ledger_anchor.cpp says why).
  (void)write_anchor(anchor_path_, head.value(), true);
  return out;
}

void Ledger::advance_anchor(std::int64_t length, const ChainHash& head) noexcept {
  if (anchor_path_.empty() || length <= 0) return;
  (void)write_anchor(anchor_path_, AnchorRecord{length, head}, false);
}

LedgerResult<StartupCheck> Ledger::startup_check(std::int64_t tail_links) {
  StartupCheck out;
  ReadTx tx(*db_);
  auto anchor = check_anchor();
  if (!anchor.ok()) return checkout::fail(anchor.error());
  out.anchor = anchor.value();
  const auto length = out.anchor.db_length;
  const auto first = std::max<std::int64_t>(1, length - std::max<std::int64_t>(tail_links, 1) + 1);
  ChainHash prev{};
  if (first > 1) {
    bool found = false;
    auto q = db_->statement("SELECT hash FROM ledger_chain WHERE seq = ?")
                 .bind(first - 1)
                 .for_each([&](const sync::Statement& row) {
                   found = true;
                   prev = to_hash(row.blob(0));
                 });
    if (!q.ok()) return checkout::fail(storage_error(std::move(q).error()));
    if (!found) out.first_break = ChainBreak{first - 1, "", ChainBreakKind::SequenceGap};
  }
  std::int64_t expected = first;
  std::optional<sync::DbError> failure;
  if (!out.first_break && length > 0) {
    auto walk = db_->statement(
                       "SELECT seq, table_name, hash FROM ledger_chain WHERE seq >= ?"
                       " ORDER BY seq")
                    .bind(first)
                    .for_each([&](const sync::Statement& row) {
                      if (out.first_break || failure) return;
                      const auto seq = row.int64(0);
                      const auto table = row.text(1);
                      ++out.tail_links_checked;
                      if (seq != expected) {
                        out.first_break = ChainBreak{expected, table, ChainBreakKind::SequenceGap};
                        return;
                      }
                      bool found = false;
                      auto h = hash_link(*db_, prev, table, seq, found);
                      if (!h.ok()) {
                        failure = std::move(h).error();
                        return;
                      }
                      const auto stored = row.blob(2);
                      if (!found) {
                        out.first_break = ChainBreak{seq, table, ChainBreakKind::RowMissing};
                      } else if (!equal_hash(stored, h.value())) {
                        out.first_break = ChainBreak{seq, table, ChainBreakKind::HashMismatch};
                      }
                      prev = to_hash(stored);
                      ++expected;
                    });
    if (failure) return checkout::fail(storage_error(std::move(*failure)));
    if (!walk.ok()) return checkout::fail(storage_error(std::move(walk).error()));
  }
  if (!out.sound()) not_sound_ = true;
  return out;
}

namespace {

// A read-only connection of verify's own on the same file: one thread uses it (no mutex on
// every column read) and reads the file through mmap (no copy per page). nullptr when the
// caller's connection is on a test's VFS (single-threaded) or has no file.
sqlite3* open_side_connection(sync::Database& db) {
  if (!db.on_platform_vfs() || db.path().empty()) return nullptr;
  // A connection opened for reading only (a read-only data directory, maybe immutable) is
  // read on itself: a second read-only open there could not make its -shm file.
  if (sqlite3_db_readonly(db.handle(), "main") == 1) return nullptr;
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(db.path().c_str(), &conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    sqlite3_close(conn);
    return nullptr;
  }
  sqlite3_busy_timeout(conn, 5000);
  (void)sqlite3_exec(conn, "PRAGMA mmap_size = 4294967296", nullptr, nullptr, nullptr);
  return conn;
}

struct SideConnection {
  sqlite3* conn;
  explicit SideConnection(sync::Database& db) : conn(open_side_connection(db)) {}
  ~SideConnection() { sqlite3_close(conn); }
  SideConnection(const SideConnection&) = delete;
  SideConnection& operator=(const SideConnection&) = delete;
};

// PRAGMA integrity_check on a read-only connection of its own, on another thread, while the
// chain is walked (on a big file it takes as long as the walk, and the terminal has two cores).
// Only on the platform's VFS: a test's fault-injecting VFS is single-threaded, so there it runs
// on the caller's connection afterwards.
class ParallelIntegrityCheck {
 public:
  explicit ParallelIntegrityCheck(sync::Database& db) {
    conn_ = open_side_connection(db);
    if (conn_ != nullptr) worker_ = std::thread([this] { run(); });
  }
  ~ParallelIntegrityCheck() {
    if (worker_.joinable()) worker_.join();
    sqlite3_close(conn_);
  }
  ParallelIntegrityCheck(const ParallelIntegrityCheck&) = delete;
  ParallelIntegrityCheck& operator=(const ParallelIntegrityCheck&) = delete;

  // The findings, or nullopt when it could not run here (the caller runs it itself).
  std::optional<std::string> result() {
    if (worker_.joinable()) worker_.join();
    return result_;
  }

 private:
  void run() {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(conn_, "PRAGMA integrity_check", -1, &stmt, nullptr) != SQLITE_OK) {
      return;
    }
    std::string text;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!text.empty()) text += "\n";
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      text += t ? t : "";
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE) result_ = std::move(text);
  }
  sqlite3* conn_ = nullptr;
  std::thread worker_;
  std::optional<std::string> result_;
};

// One stretch of the chain: links first..last (last 0: to the end) and the rows of each table
// in the same range of chain_seq (the first stretch has no lower end and the last no upper end,
// so a row below or above every link is found as in no link). `prev` is the stored hash of the
// link before `first`.
struct Stretch {
  std::int64_t first = 1;
  std::int64_t last = 0;
  ChainHash prev{};
};

struct StretchFindings {
  std::int64_t links_checked = 0;
  std::int64_t next_seq = 1;              // the link expected after the last one checked
  std::optional<ChainBreak> first_break;  // a gap, a missing row or a changed one
  std::optional<ChainBreak> unchained;    // rows no link named (its sequence is set later)
  std::optional<sync::DbError> failure;
};

std::string chain_seq_range(std::string_view column, const Stretch& s) {
  std::string where;
  if (s.first > 1) where += " WHERE " + std::string{column} + " >= " + std::to_string(s.first);
  if (s.last > 0) {
    where += where.empty() ? " WHERE " : " AND ";
    where += std::string{column} + " <= " + std::to_string(s.last);
  }
  return where;
}

// Each table is read once in chain_seq order, beside the chain: a link's row is its table's next
// row. A row skipped over is in no link (inserted around the ledger); a link whose table has no
// such row names a row that is gone. `tick` is called every 1024 links with the count so far;
// the walk ends early when `stop` is set.
StretchFindings walk_stretch(sqlite3* conn, const Stretch& s,
                             const std::function<void(std::int64_t)>& tick,
                             const std::atomic<bool>& stop) {
  StretchFindings out;
  out.next_seq = s.first;
  auto fail = [&](int rc) {
    out.failure = sync::db_error_from_sqlite(rc, conn, "verify");
    return out;
  };
  std::vector<TableCursor> cursors;
  cursors.reserve(kChainedTables.size());
  for (auto table : kChainedTables) {
    TableCursor c{table, std::make_unique<RawStmt>(conn, "SELECT * FROM " + std::string{table} +
                                                             chain_seq_range("chain_seq", s) +
                                                             " ORDER BY chain_seq")};
    if (c.rows->stmt == nullptr) return fail(sqlite3_errcode(conn));
    c.step();
    if (c.failed()) return fail(c.rc);
    cursors.push_back(std::move(c));
  }
  auto cursor_of = [&](std::string_view table) -> TableCursor* {
    for (auto& c : cursors) {
      if (c.table == table) return &c;
    }
    return nullptr;
  };
  Sha256 hasher;
  ChainHash prev = s.prev;
  RawStmt links(conn, "SELECT seq, table_name, hash FROM ledger_chain" + chain_seq_range("seq", s) +
                          " ORDER BY seq");
  if (links.stmt == nullptr) return fail(sqlite3_errcode(conn));
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(links.stmt)) == SQLITE_ROW) {
    const auto seq = sqlite3_column_int64(links.stmt, 0);
    const std::string_view table{reinterpret_cast<const char*>(sqlite3_column_text(links.stmt, 1)),
                                 static_cast<std::size_t>(sqlite3_column_bytes(links.stmt, 1))};
    const std::span<const std::byte> stored{
        static_cast<const std::byte*>(sqlite3_column_blob(links.stmt, 2)),
        static_cast<std::size_t>(sqlite3_column_bytes(links.stmt, 2))};
    ++out.links_checked;
    if (out.links_checked % 1024 == 0) {
      if (tick) tick(out.links_checked);
      if (stop.load(std::memory_order_relaxed)) return out;
    }
    if (seq != out.next_seq) {
      out.first_break = ChainBreak{out.next_seq, std::string{table}, ChainBreakKind::SequenceGap};
      return out;
    }
    TableCursor* c = cursor_of(table);
    if (c == nullptr) {
      out.first_break = ChainBreak{seq, std::string{table}, ChainBreakKind::RowMissing};
      return out;
    }
    while (c->has_row && c->seq < seq) {  // rows no link named
      if (!out.unchained)
        out.unchained = ChainBreak{0, std::string{c->table}, ChainBreakKind::UnchainedRows};
      c->step();
    }
    if (c->failed()) return fail(c->rc);
    if (!c->has_row || c->seq != seq) {
      out.first_break = ChainBreak{seq, std::string{table}, ChainBreakKind::RowMissing};
      return out;
    }
    if (!equal_hash(stored, hash_row(hasher, prev, table, c->rows->stmt))) {
      out.first_break = ChainBreak{seq, std::string{table}, ChainBreakKind::HashMismatch};
      return out;
    }
    // The next link builds on the stored hash, so one changed row is reported once.
    prev = to_hash(stored);
    ++out.next_seq;
    c->step();
    if (c->failed()) return fail(c->rc);
  }
  if (rc != SQLITE_DONE) return fail(rc);
  // A stretch with an upper end was chosen where that link exists (see split_point): a shorter
  // one is a gap, even if that link went between the two reads.
  if (s.last > 0 && out.next_seq != s.last + 1) {
    out.first_break = ChainBreak{out.next_seq, "", ChainBreakKind::SequenceGap};
    return out;
  }
  for (auto& c : cursors) {  // rows after the stretch's last link
    if (c.has_row && !out.unchained) {
      out.unchained = ChainBreak{0, std::string{c.table}, ChainBreakKind::UnchainedRows};
    }
  }
  return out;
}

// Where a chain of `total` links is cut in two: the middle link m when links m and m + 1 are
// both there (then the two walks find what one walk finds); 0 when the chain is short or
// has a gap there (one walk).
sync::DbResult<std::int64_t> split_point(sync::Database& db, std::int64_t total,
                                         std::int64_t split_from, ChainHash& hash_at) {
  if (total < std::max<std::int64_t>(split_from, 2)) return std::int64_t{0};
  const std::int64_t m = total / 2;
  int found = 0;
  auto q = db.statement("SELECT seq, hash FROM ledger_chain WHERE seq IN (?, ?)")
               .bind(m, m + 1)
               .for_each([&](const sync::Statement& row) {
                 ++found;
                 if (row.int64(0) == m) hash_at = to_hash(row.blob(1));
               });
  if (!q.ok()) return std::move(q).error();
  return found == 2 ? m : 0;
}

// A side connection's read transaction, ended with it.
struct SideRead {
  sqlite3* conn = nullptr;
  explicit SideRead(sqlite3* c) {
    if (c != nullptr && sqlite3_exec(c, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK) conn = c;
  }
  ~SideRead() {
    if (conn != nullptr) (void)sqlite3_exec(conn, "COMMIT", nullptr, nullptr, nullptr);
  }
  SideRead(const SideRead&) = delete;
  SideRead& operator=(const SideRead&) = delete;
};

}  // namespace

LedgerResult<ChainVerification> Ledger::verify(const VerifyProgress& progress,
                                               std::int64_t split_from) {
  auto storage = [](sync::DbError e) { return checkout::fail(storage_error(std::move(e))); };
  ChainVerification out;
  ParallelIntegrityCheck parallel(*db_);
  auto finish_integrity = [&]() -> std::optional<sync::DbError> {
    if (auto r = parallel.result()) {
      out.integrity_check = *r;
      return std::nullopt;
    }
    auto ic = db_->integrity_check();
    if (!ic.ok()) return std::move(ic).error();
    out.integrity_check = ic.value();
    return std::nullopt;
  };

  ReadTx tx(*db_);
  auto head = chain_head(*db_);
  if (!head.ok()) return storage(std::move(head).error());
  const auto total = head.value().length;

  // The walk reads through connections of its own when it can (see open_side_connection), each
  // in one read transaction. A long chain is walked as two stretches at once, the second on
  // another thread; the first stretch's findings come first, as one walk would meet them.
  SideConnection side(*db_);
  sqlite3* raw = side.conn != nullptr ? side.conn : db_->handle();
  SideRead side_read(side.conn);
  ChainHash hash_at_split{};
  std::int64_t split = 0;
  if (side.conn != nullptr) {
    auto sp = split_point(*db_, total, split_from, hash_at_split);
    if (!sp.ok()) return storage(std::move(sp).error());
    split = sp.value();
  }
  std::unique_ptr<SideConnection> side2;
  if (split > 0) {
    side2 = std::make_unique<SideConnection>(*db_);
    if (side2->conn == nullptr) split = 0;
  }

  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> second_done{0};
  std::int64_t reported = 0;
  auto report = [&](std::int64_t done) {
    reported = done;
    progress(done, total);
  };
  std::function<void(std::int64_t)> tick;
  if (progress) tick = [&](std::int64_t own) { report(own + second_done.load()); };

  StretchFindings second;
  std::thread second_walk;
  if (split > 0) {
    out.walk_stretches = 2;
    second_walk = std::thread([&] {
      SideRead read(side2->conn);
      second = walk_stretch(
          side2->conn, Stretch{split + 1, 0, hash_at_split},
          [&](std::int64_t n) { second_done.store(n); }, stop);
    });
  }
  StretchFindings first = walk_stretch(raw, Stretch{1, split, ChainHash{}}, tick, stop);
  if (first.first_break || first.failure) stop.store(true);
  if (second_walk.joinable()) second_walk.join();

  // One walk's findings from the two: the first stretch's break, else its failure, else the
  // second's; rows in no link are said only when no link is broken.
  StretchFindings all = std::move(first);
  if (split > 0 && !all.first_break && !all.failure) {
    all.links_checked += second.links_checked;
    all.next_seq = second.next_seq;
    all.first_break = std::move(second.first_break);
    all.failure = std::move(second.failure);
    if (!all.unchained) all.unchained = std::move(second.unchained);
  }
  if (all.failure && !all.first_break) return storage(std::move(*all.failure));
  out.links_checked = all.links_checked;
  out.first_break = std::move(all.first_break);
  if (progress && out.links_checked >= reported) report(out.links_checked);
  if (!out.first_break && all.unchained) {
    all.unchained->sequence = all.next_seq;
    out.first_break = std::move(all.unchained);
  }
  if (!out.first_break) {
    auto tally = first_bad_tally(*db_);
    if (!tally.ok()) return storage(std::move(tally).error());
    if (tally.value()) {
      out.first_break = ChainBreak{*tally.value(), "payment", ChainBreakKind::TallyMismatch};
    }
  }
  auto anchor = check_anchor();
  if (!anchor.ok()) return checkout::fail(anchor.error());
  out.anchor = anchor.value();
  if (auto e = finish_integrity()) return storage(std::move(*e));
  if (!out.sound()) not_sound_ = true;
  return out;
}

}  // namespace pos::ledger
