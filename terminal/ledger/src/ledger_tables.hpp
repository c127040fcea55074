// Internal: the chained tables and the hash chain writer shared by the ledger's sources.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <pos/sync/db.hpp>

struct sqlite3_stmt;
struct evp_md_ctx_st;

namespace pos::ledger {

// Every table whose rows are links of the hash chain (and append-only). SQL is built from these
// names only, never from data. A table a later schema version adds goes at the end: the first
// kChainedTablesV1 are the ones schema version 1 made (and gave their triggers).
inline constexpr std::array<std::string_view, 22> kChainedTables = {
    "shift_open",     "shift_cash",       "shift_close",      "cash_paid_out", "drawer_opening",
    "checkout",       "evaluation",       "po_capture",       "po_override",   "override_approval",
    "offline_grant",  "pin_attempt",      "approver_lockout", "payment",       "payment_adjustment",
    "receipt",        "receipt_delivery", "delivery_outcome", "reprint",       "audit_event",
    "checkout_event",
    "cash_paid_in",  // version 3
};
inline constexpr std::size_t kChainedTablesV1 = 21;

using ChainHash = std::array<unsigned char, 32>;

// SHA-256 (OpenSSL's, which uses the CPU's SHA instructions: verify hashes every row). One
// object is reused for many hashes: start, update..., finish.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void start();
  void update(const void* data, std::size_t n);
  ChainHash finish();

 private:
  ::evp_md_ctx_st* ctx_;
};

// Appends rows as links of the chain, inside the caller's transaction.
class ChainWriter {
 public:
  explicit ChainWriter(sync::Database& db) : db_(&db) {}
  // Reads the newest link. Call once, after BEGIN.
  sync::DbResult<void> start();

  // Inserts a row with `sql` (whose first parameter is chain_seq) and links it.
  template <class... Args>
  sync::DbResult<void> append(std::string_view table, std::string_view sql, const Args&... args) {
    auto r = db_->statement(sql).bind(next_seq_, args...).run();
    if (!r.ok()) return r;
    return link(table);
  }

  // Writes the links appended since the last flush with one INSERT statement per (up to) four
  // links: call before COMMIT, and before reading ledger_chain in the same transaction.
  sync::DbResult<void> flush();

  [[nodiscard]] const ChainHash& head() const noexcept { return prev_; }
  // Links in the chain including those appended here (the anchor's length after commit).
  [[nodiscard]] std::int64_t length() const noexcept { return next_seq_ - 1; }

 private:
  sync::DbResult<void> link(std::string_view table);
  struct Pending {
    std::int64_t seq;
    std::string_view table;  // one of kChainedTables
    ChainHash hash;
  };
  sync::Database* db_;
  std::int64_t next_seq_ = 1;
  ChainHash prev_{};
  std::vector<Pending> pending_;
};

// The hash of one link: SHA-256(prev || table || 0 || canonical row). The canonical row is
// every non-NULL column as name, type and value, so a column added later (NULL in old rows)
// leaves old links valid.
sync::DbResult<ChainHash> hash_link(sync::Database& db, const ChainHash& prev,
                                    std::string_view table, std::int64_t seq, bool& row_found);

std::string to_hex(const ChainHash& h);

// The link hash of the row `stmt` stands on (a `SELECT * FROM table` statement), the same bytes
// as hash_link: verify walks each table once in chain_seq order with it.
ChainHash hash_row(Sha256& hasher, const ChainHash& prev, std::string_view table,
                   sqlite3_stmt* stmt);

// The anchor file (ledger_anchor.cpp). read: the newest whole copy, nullopt when there is no
// file; error when the file exists but no copy is whole. write: keeps the larger length.
struct AnchorRecord {
  std::int64_t length = 0;
  ChainHash head{};
};
enum class AnchorRead { Missing, Unreadable, Found };
AnchorRead read_anchor(const std::filesystem::path& path, AnchorRecord& out) noexcept;
bool write_anchor(const std::filesystem::path& path, const AnchorRecord& record,
                  bool durable) noexcept;

}  // namespace pos::ledger
