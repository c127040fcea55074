// The hash chain over every ledger row, and verify().
//
// Sections: 1. hashing a link  2. ChainWriter  3. verify
#include <pos/ledger/ledger.hpp>

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>

#include "ledger_tables.hpp"

namespace pos::ledger {

// ---------------------------------------------------------------------------------------------
// 1. hashing a link
// ---------------------------------------------------------------------------------------------

namespace {

void put(crypto_hash_sha256_state& st, std::string_view s) {
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

// Length-prefixed so that no two different rows serialise to the same bytes.
void put_field(crypto_hash_sha256_state& st, std::string_view name, char type,
               std::string_view value) {
  std::string head;
  head += std::to_string(name.size());
  head += ':';
  head += name;
  head += type;
  head += std::to_string(value.size());
  head += ':';
  put(st, head);
  put(st, value);
}

bool known_table(std::string_view table) {
  return std::find(kChainedTables.begin(), kChainedTables.end(), table) != kChainedTables.end();
}

}  // namespace

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
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, prev.data(), prev.size());
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
          put_field(st, row.column_name(c), 'i', std::to_string(row.int64(c)));
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
  ChainHash out{};
  crypto_hash_sha256_final(&st, out.data());
  return out;
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
  auto r = db_->statement("INSERT INTO ledger_chain (seq, table_name, hash) VALUES (?, ?, ?)")
               .bind(next_seq_, table, sync::Blob{std::as_bytes(std::span{h.value()})})
               .run();
  if (!r.ok()) return r;
  prev_ = h.value();
  ++next_seq_;
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
  }
  return "UNKNOWN";
}

LedgerResult<ChainVerification> Ledger::verify() {
  auto storage = [](sync::DbError e) {
    std::string m = e.message;
    return checkout::fail(LedgerError{LedgerErrorCode::Storage, std::move(m), std::move(e)});
  };
  ChainVerification out;
  auto ic = db_->integrity_check();
  if (!ic.ok()) return storage(std::move(ic).error());
  out.integrity_check = ic.value();

  // One read transaction, so a capture committed meanwhile cannot look like a break.
  if (auto b = db_->exec("BEGIN"); !b.ok()) return storage(std::move(b).error());
  struct EndRead {
    sync::Database* db;
    ~EndRead() { (void)db->exec("COMMIT"); }
  } end_read{db_};

  ChainHash prev{};
  std::int64_t expected_seq = 1;
  std::optional<sync::DbError> failure;
  auto walk =
      db_->statement("SELECT seq, table_name, hash FROM ledger_chain ORDER BY seq")
          .for_each([&](const sync::Statement& row) {
            if (out.first_break || failure) return;
            const auto seq = row.int64(0);
            const auto table = row.text(1);
            const auto stored = row.blob(2);
            ++out.links_checked;
            if (seq != expected_seq) {
              out.first_break = ChainBreak{expected_seq, table, ChainBreakKind::SequenceGap};
              return;
            }
            bool found = false;
            auto h = hash_link(*db_, prev, table, seq, found);
            if (!h.ok()) {
              failure = std::move(h).error();
              return;
            }
            if (!found) {
              out.first_break = ChainBreak{seq, table, ChainBreakKind::RowMissing};
              return;
            }
            const bool same = stored.size() == prev.size() &&
                              std::equal(stored.begin(), stored.end(), h.value().begin(),
                                         [](std::byte a, unsigned char b) {
                                           return static_cast<unsigned char>(a) == b;
                                         });
            if (!same) {
              out.first_break = ChainBreak{seq, table, ChainBreakKind::HashMismatch};
              return;
            }
            // The next link builds on the stored hash, so one changed row is reported
            // once, at its own link.
            std::transform(stored.begin(), stored.end(), prev.begin(),
                           [](std::byte b) { return static_cast<unsigned char>(b); });
            ++expected_seq;
          });
  if (failure) return storage(std::move(*failure));
  if (!walk.ok()) return storage(std::move(walk).error());
  if (out.first_break) return out;

  // Rows that no link names: inserted around the ledger.
  for (auto table : kChainedTables) {
    std::int64_t unchained = 0;
    const std::string sql = "SELECT COUNT(*) FROM " + std::string{table} +
                            " AS t WHERE NOT EXISTS (SELECT 1 FROM ledger_chain AS c"
                            " WHERE c.seq = t.chain_seq AND c.table_name = '" +
                            std::string{table} + "')";
    auto r =
        db_->statement(sql).for_each([&](const sync::Statement& row) { unchained = row.int64(0); });
    if (!r.ok()) return storage(std::move(r).error());
    if (unchained > 0) {
      out.first_break = ChainBreak{expected_seq, std::string{table}, ChainBreakKind::UnchainedRows};
      break;
    }
  }
  return out;
}

}  // namespace pos::ledger
