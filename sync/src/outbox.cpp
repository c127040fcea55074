// The durable outbox (see outbox.hpp for the state machine and the ordering rule).
//
// Sections: 1. names  2. schema and the chain  3. enqueue  4. claim and marks  5. queries
//           6. needs attention and resolutions  7. verify
#include <pos/sync/outbox.hpp>

#include <pos/sync/integrity.hpp>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. names
// ---------------------------------------------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 7> kKindNames = {
    "payment", "receipt", "po", "po-override", "offline-grant", "delivery", "reprint"};
static_assert(kKindNames.size() == static_cast<std::size_t>(OutboxKind::kCount));
constexpr std::array<std::string_view, 4> kStateNames = {"QUEUED", "SENDING", "ACKED", "REJECTED"};
static_assert(kStateNames.size() == static_cast<std::size_t>(OutboxState::kCount));

std::int64_t to_ms(Timestamp t) {
  return t.time_since_epoch().count();
}
Timestamp from_ms(std::int64_t ms) {
  return Timestamp{std::chrono::milliseconds{ms}};
}
}  // namespace

std::string_view to_string(OutboxKind kind) noexcept {
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : std::string_view{"unknown"};
}
std::optional<OutboxKind> parse_outbox_kind(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<OutboxKind>(i);
  }
  return std::nullopt;
}
std::string_view to_string(OutboxState state) noexcept {
  const auto i = static_cast<std::size_t>(state);
  return i < kStateNames.size() ? kStateNames[i] : std::string_view{"UNKNOWN"};
}
std::optional<OutboxState> parse_outbox_state(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == text) return static_cast<OutboxState>(i);
  }
  return std::nullopt;
}

std::string sanitize_error_code(std::string_view code) {
  auto allowed = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  };
  if (code.empty() || code.size() > 64) return "UNRECOGNIZED_ERROR";
  for (char c : code) {
    if (!allowed(c)) return "UNRECOGNIZED_ERROR";
  }
  return std::string{code};
}

namespace {
std::optional<std::string> sanitize_correlation_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return std::nullopt;
  for (char c : id) {
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) return std::nullopt;
  }
  return std::string{id};
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// 2. schema
// ---------------------------------------------------------------------------------------------

namespace {
DbResult<void> chain_existing_rows(Database& db);

constexpr Migration kMigrations[] = {
    {"outbox", 1, "outbox messages",
     R"sql(
CREATE TABLE outbox_message (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  stream             TEXT    NOT NULL CHECK (length(stream) > 0),
  seq                INTEGER NOT NULL CHECK (seq > 0),
  kind               TEXT    NOT NULL CHECK (kind IN ('payment', 'receipt', 'po', 'po-override',
                                                      'offline-grant', 'delivery', 'reprint')),
  method             TEXT    NOT NULL,
  path               TEXT    NOT NULL,
  idempotency_key    TEXT    NOT NULL UNIQUE,
  body               TEXT    NOT NULL,
  personal_fields    TEXT,
  created_at_ms      INTEGER NOT NULL,
  state              TEXT    NOT NULL DEFAULT 'QUEUED'
                             CHECK (state IN ('QUEUED', 'SENDING', 'ACKED', 'REJECTED')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error_code    TEXT,
  correlation_id     TEXT,
  http_status        INTEGER,
  response_body      TEXT,
  acked_at_ms        INTEGER,
  UNIQUE (stream, seq)
) STRICT;
-- What is not yet acked, per stream in order: the claim's "every earlier item ACKED" test.
CREATE INDEX outbox_unacked ON outbox_message (stream, seq) WHERE state <> 'ACKED';
CREATE INDEX outbox_due ON outbox_message (next_attempt_at_ms) WHERE state = 'QUEUED';
)sql"},
    // stats() (the queue depth the UI and the replicator poll) reads only this index.
    {"outbox", 2, "covering index for the queue counts",
     "CREATE INDEX outbox_pending_state ON outbox_message (state, created_at_ms) "
     "WHERE state <> 'ACKED';"},
    // claim() walks the QUEUED items in id order and stops at its limit, instead of reading every
    // due item (outbox_due) and sorting them all on each of the replicator's turns.
    {"outbox", 3, "queued items in claim order",
     "CREATE INDEX outbox_queued_order ON outbox_message (id) WHERE state = 'QUEUED';"},
    // The chain (see outbox.hpp, "Integrity"), the supervisor's resolutions of items that need
    // attention, and the flag with which an ADJUSTED resolution lets the held items through.
    // Existing rows are chained in id order by chain_existing_rows().
    {"outbox", 4, "chained rows, resolutions of items that need attention",
     R"sql(
ALTER TABLE outbox_message ADD COLUMN body_digest BLOB;
ALTER TABLE outbox_message ADD COLUMN link BLOB;
ALTER TABLE outbox_message ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_message ADD COLUMN redacted_digest BLOB;
ALTER TABLE outbox_message ADD COLUMN released INTEGER NOT NULL DEFAULT 0;
CREATE TABLE outbox_resolution (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id      INTEGER NOT NULL REFERENCES outbox_message (id),
  resolution     TEXT    NOT NULL CHECK (resolution IN ('RETRY', 'ADJUSTED')),
  resolved_by    TEXT    NOT NULL CHECK (length(resolved_by) > 0),
  resolved_at_ms INTEGER NOT NULL,
  adjustment_id  TEXT,
  CHECK (resolution <> 'ADJUSTED' OR length(adjustment_id) > 0)
) STRICT;
CREATE INDEX outbox_resolution_item ON outbox_resolution (outbox_id);
CREATE TRIGGER outbox_resolution_no_update BEFORE UPDATE ON outbox_resolution
BEGIN SELECT RAISE(ABORT, 'outbox resolutions are append-only'); END;
CREATE TRIGGER outbox_resolution_no_delete BEFORE DELETE ON outbox_resolution
BEGIN SELECT RAISE(ABORT, 'outbox resolutions are append-only'); END;
)sql",
     &chain_existing_rows},
    // Issue 14: a capture's two messages wrote 11 WAL pages, one per B-tree they touch. Rebuilt
    // (ids kept, so the chain is the same bytes) without AUTOINCREMENT: rows are never deleted,
    // so a plain INTEGER PRIMARY KEY gives the same growing ids, and sqlite_sequence leaves the
    // commit. The four partial indexes become one, outbox_pending_state (state, id,
    // created_at_ms) WHERE state <> 'ACKED': claim walks its QUEUED part in id order, the queue
    // counts read only it, and the rest find the few items not ACKED through it. "Every earlier
    // item of the stream ACKED" reads the (stream, seq) key: a stream is one checkout, a few
    // items. The two UNIQUE keys stay: enqueue's next seq, find_by_idempotency_key and the
    // exactly-once of a key need them. The bodies of ACKED items stayed (only their personal
    // fields stripped) until step 6 moved them to outbox_body, deleted at the ACK.
    {"outbox", 5, "one pending index, no AUTOINCREMENT",
     R"sql(
CREATE TABLE outbox_message_v5 (
  id                 INTEGER PRIMARY KEY,
  stream             TEXT    NOT NULL CHECK (length(stream) > 0),
  seq                INTEGER NOT NULL CHECK (seq > 0),
  kind               TEXT    NOT NULL CHECK (kind IN ('payment', 'receipt', 'po', 'po-override',
                                                      'offline-grant', 'delivery', 'reprint')),
  method             TEXT    NOT NULL,
  path               TEXT    NOT NULL,
  idempotency_key    TEXT    NOT NULL UNIQUE,
  body               TEXT    NOT NULL,
  personal_fields    TEXT,
  created_at_ms      INTEGER NOT NULL,
  state              TEXT    NOT NULL DEFAULT 'QUEUED'
                             CHECK (state IN ('QUEUED', 'SENDING', 'ACKED', 'REJECTED')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error_code    TEXT,
  correlation_id     TEXT,
  http_status        INTEGER,
  response_body      TEXT,
  acked_at_ms        INTEGER,
  body_digest        BLOB,
  link               BLOB,
  redacted           INTEGER NOT NULL DEFAULT 0,
  redacted_digest    BLOB,
  released           INTEGER NOT NULL DEFAULT 0,
  UNIQUE (stream, seq)
) STRICT;
INSERT INTO outbox_message_v5 (id, stream, seq, kind, method, path, idempotency_key, body,
  personal_fields, created_at_ms, state, attempts, next_attempt_at_ms, last_error_code,
  correlation_id, http_status, response_body, acked_at_ms, body_digest, link, redacted,
  redacted_digest, released)
SELECT id, stream, seq, kind, method, path, idempotency_key, body,
  personal_fields, created_at_ms, state, attempts, next_attempt_at_ms, last_error_code,
  correlation_id, http_status, response_body, acked_at_ms, body_digest, link, redacted,
  redacted_digest, released
FROM outbox_message ORDER BY id;
DROP TABLE outbox_message;
ALTER TABLE outbox_message_v5 RENAME TO outbox_message;
DELETE FROM sqlite_sequence WHERE name = 'outbox_message';
CREATE INDEX outbox_pending_state ON outbox_message (state, id, created_at_ms)
  WHERE state <> 'ACKED';
)sql",
     nullptr, /*foreign_keys_off=*/true},
    // Issue 14: the bodies in a table of their own, one row per item until it is ACKED. Released
    // in the message's own row, a body left a hole no later row filled (rows only grow at the
    // end): with the default receipt, 3.6 KB of every 4 KB page of outbox_message stood empty.
    // A deleted body row frees its space for the next bodies, and the messages pack densely.
    // Every body still held moves (the rows acked before bodies were released too: the chain
    // vouches for them as they are). personal_fields goes: it named the keys to strip at the ACK,
    // and now the whole body goes then.
    {"outbox", 6, "bodies in their own table, deleted once ACKED",
     R"sql(
CREATE TABLE outbox_body (
  id   INTEGER PRIMARY KEY,
  body TEXT NOT NULL
) STRICT;
INSERT INTO outbox_body (id, body) SELECT id, body FROM outbox_message WHERE redacted <> 2
  ORDER BY id;
ALTER TABLE outbox_message DROP COLUMN body;
ALTER TABLE outbox_message DROP COLUMN personal_fields;
)sql",
     nullptr, /*foreign_keys_off=*/false},
};

// An item's body (NULL once released), read beside its row of outbox_message.
constexpr std::string_view kBodyOfRow =
    "(SELECT b.body FROM outbox_body AS b WHERE b.id = outbox_message.id)";

const std::string kItemColumns =
    std::string{"id, stream, seq, kind, method, path, idempotency_key, "} +
    std::string{kBodyOfRow} +
    ", created_at_ms, state, attempts, next_attempt_at_ms, last_error_code, correlation_id,"
    " http_status, response_body, acked_at_ms";

OutboxItem read_item(const Statement& row) {
  OutboxItem item;
  item.id = row.int64(0);
  item.stream = row.text(1);
  item.sequence = row.int64(2);
  item.kind = parse_outbox_kind(row.text(3)).value_or(OutboxKind::Payment);  // CHECKed column
  item.method = row.text(4);
  item.path = row.text(5);
  item.idempotency_key = row.text(6);
  item.body = row.text(7);
  item.created_at = from_ms(row.int64(8));
  item.state = parse_outbox_state(row.text(9)).value_or(OutboxState::Queued);
  item.attempts = static_cast<int>(row.int64(10));
  item.next_attempt_at = from_ms(row.int64(11));
  item.last_error_code = row.opt_text(12);
  item.correlation_id = row.opt_text(13);
  if (auto s = row.opt_int64(14)) item.http_status = static_cast<int>(*s);
  item.response_body = row.opt_text(15);
  if (auto a = row.opt_int64(16)) item.acked_at = from_ms(*a);
  return item;
}

DbError invalid(std::string message) {
  return DbError{DbErrorCode::InvalidArgument, 0, std::move(message)};
}
DbError conflict(std::string message) {
  return DbError{DbErrorCode::StateConflict, 0, std::move(message)};
}

// The chained (immutable) fields of a row, its digests, and what verification needs besides.
struct ChainRow {
  std::int64_t id = 0;
  std::string kind, method, path, stream;
  std::int64_t seq = 0;
  std::string key;
  std::optional<std::string> body;  // nullopt: no body stored (released)
  std::vector<std::byte> body_digest, link, redacted_digest;
  std::int64_t redacted = 0;  // 0, 1 or 2 (see chain_problem); anything else is damage
  std::string state;
};

// The chained columns as they stood at migration step 4 (the body in the row), and now.
constexpr std::string_view kChainColumnsV4 =
    "id, kind, method, path, stream, seq, idempotency_key, body, body_digest, link, redacted, "
    "redacted_digest, state";
const std::string kChainColumns =
    std::string{"id, kind, method, path, stream, seq, idempotency_key, "} +
    std::string{kBodyOfRow} + ", body_digest, link, redacted, redacted_digest, state";

ChainRow read_chain_row(const Statement& row) {
  ChainRow r;
  r.id = row.int64(0);
  r.kind = row.text(1);
  r.method = row.text(2);
  r.path = row.text(3);
  r.stream = row.text(4);
  r.seq = row.int64(5);
  r.key = row.text(6);
  r.body = row.opt_text(7);
  r.body_digest = row.blob(8);
  r.link = row.blob(9);
  r.redacted = row.is_null(10) ? -1 : row.int64(10);
  r.redacted_digest = row.blob(11);
  r.state = row.text(12);
  return r;
}

std::string_view bytes_text(const std::vector<std::byte>& v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

Digest body_digest_of(std::string_view body) {
  return digest_of({"pos-outbox-body-v1", body});
}

// link(n) = SHA-256(link(n-1), kind, method, path, stream, seq, idempotency key, body digest);
// the first row's previous link is empty.
Digest link_of(std::string_view previous, std::string_view kind, std::string_view method,
               std::string_view path, std::string_view stream, std::int64_t seq,
               std::string_view key, std::string_view body_digest) {
  const std::string seq_text = std::to_string(seq);
  return digest_of(
      {"pos-outbox-link-v1", previous, kind, method, path, stream, seq_text, key, body_digest});
}

// nullopt when the row holds against the previous row's stored link; else what is wrong.
// `stored_body` is the item's body row (claim passes the item's own copy rather than a second
// one), nullopt when there is none. It is one of three: the body as enqueued (redacted = 0,
// against body_digest); personal fields stripped at ACK by terminals before the bodies were
// released (redacted = 1, against redacted_digest); none, released at ACK (redacted = 2, no
// digest of its own). The link always covers body_digest, the digest of the body as enqueued
// and sent.
std::optional<std::string> chain_problem(const ChainRow& r,
                                         std::optional<std::string_view> stored_body,
                                         std::string_view previous_link) {
  if (r.body_digest.size() != 32) return "body digest missing or damaged";
  if (r.link.size() != 32) return "link missing or damaged";
  if (r.redacted < 0 || r.redacted > 2) return "redacted flag damaged";
  // Only an ACKED item lost its body (in whole or in part): such a body is never sent.
  if (r.redacted != 0 && r.state != "ACKED") {
    return r.redacted == 1 ? "personal fields stripped from an item that is not ACKED"
                           : "body released from an item that is not ACKED";
  }
  if (r.redacted == 2) {
    if (stored_body || !r.redacted_digest.empty()) return "a body is stored for a released item";
  } else if (!stored_body) {
    return "body missing";
  } else {
    const Digest body = body_digest_of(*stored_body);
    const auto& want = r.redacted == 1 ? r.redacted_digest : r.body_digest;
    if (bytes_text(want) != as_text(body)) {
      return r.redacted == 1 ? "stored body does not match its digest"
                             : "body does not match its digest";
    }
  }
  const Digest link = link_of(previous_link, r.kind, r.method, r.path, r.stream, r.seq, r.key,
                              bytes_text(r.body_digest));
  if (bytes_text(r.link) != as_text(link)) return "link does not follow from the previous row";
  return std::nullopt;
}

// Migration step 4: chains the rows written before the chain existed, in id order.
DbResult<void> chain_existing_rows(Database& db) {
  std::vector<ChainRow> rows;
  auto r =
      db.statement("SELECT " + std::string{kChainColumnsV4} + " FROM outbox_message ORDER BY id")
          .for_each([&](const Statement& st) { rows.push_back(read_chain_row(st)); });
  if (!r.ok()) return std::move(r).error();
  std::string prev;
  for (const auto& row : rows) {
    const Digest body = body_digest_of(row.body.value_or(""));
    const Digest link =
        link_of(prev, row.kind, row.method, row.path, row.stream, row.seq, row.key, as_text(body));
    auto up = db.statement("UPDATE outbox_message SET body_digest = ?, link = ? WHERE id = ?")
                  .bind(Blob{body}, Blob{link}, row.id)
                  .run();
    if (!up.ok()) return up;
    prev.assign(as_text(link));
  }
  return {};
}
}  // namespace

std::span<const Migration> Outbox::migrations() noexcept {
  return kMigrations;
}

// ---------------------------------------------------------------------------------------------
// 3. enqueue
// ---------------------------------------------------------------------------------------------

DbResult<std::int64_t> Outbox::enqueue(Transaction& tx, const OutboxMessage& m) {
  if (&tx.database() != db_ || !tx.active()) {
    return invalid("outbox enqueue needs an active transaction on the outbox's database");
  }
  if (m.stream.empty() || m.path.empty() || m.idempotency_key.empty() || m.method.empty()) {
    return invalid("outbox message needs a stream, a method, a path and an idempotency key");
  }
  if (!json_nesting_within(m.body, kMaxJsonNesting) || !nlohmann::json::accept(m.body)) {
    return invalid("outbox message body is not JSON (or nested too deep)");
  }

  // The stream's next seq and the chain's last link in one statement: this row's link covers
  // the last row's link (ids only grow: rows are never deleted, so a new rowid is always above
  // the last).
  std::int64_t seq = 0;
  std::string prev;
  auto s = db_->statement(
                  "SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox_message WHERE stream = ?),"
                  " (SELECT link FROM outbox_message ORDER BY id DESC LIMIT 1)")
               .bind(m.stream)
               .for_each([&](const Statement& row) {
                 seq = row.int64(0);
                 const auto b = row.blob(1);
                 prev.assign(reinterpret_cast<const char*>(b.data()), b.size());
               });
  if (!s.ok()) return std::move(s).error();
  const Digest body_digest = body_digest_of(m.body);
  const Digest link = link_of(prev, to_string(m.kind), m.method, m.path, m.stream, seq,
                              m.idempotency_key, as_text(body_digest));
  std::int64_t id = 0;
  auto ins = db_->statement(
                    "INSERT INTO outbox_message (stream, seq, kind, method, path, idempotency_key, "
                    "created_at_ms, next_attempt_at_ms, body_digest, link) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
                 .bind(m.stream, seq, to_string(m.kind), m.method, m.path, m.idempotency_key,
                       to_ms(m.created_at), to_ms(m.created_at), Blob{body_digest}, Blob{link})
                 .for_each([&](const Statement& row) { id = row.int64(0); });
  if (!ins.ok()) return std::move(ins).error();
  auto body =
      db_->statement("INSERT INTO outbox_body (id, body) VALUES (?, ?)").bind(id, m.body).run();
  if (!body.ok()) return std::move(body).error();
  return id;
}

// ---------------------------------------------------------------------------------------------
// 4. claim and marks
// ---------------------------------------------------------------------------------------------

DbResult<void> Outbox::check(Transaction& tx, std::string_view what) const {
  if (&tx.database() != db_ || !tx.active()) {
    return invalid("outbox " + std::string{what} +
                   " needs an active transaction on the outbox's database");
  }
  // After SQLITE_FULL/IOERR SQLite rolls the whole transaction back by itself: a write now would
  // commit on its own, outside the caller's all-or-nothing batch.
  if (sqlite3_get_autocommit(db_->handle()) != 0) {
    return DbError{DbErrorCode::StateConflict, 0,
                   "outbox " + std::string{what} + ": the caller's transaction was rolled back"};
  }
  return {};
}

namespace {
// The streams a claim may skip (see Outbox::claim with busy_streams): set only for the length of
// one claim on this thread, read by the SQL function outbox_stream_busy(stream). A thread-local
// rather than the function's user data: an Outbox is not the owner of its connection, and a
// function registered with a pointer to one Outbox would outlive it.
thread_local const Outbox::StreamSet* t_busy_streams = nullptr;

void stream_busy_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* busy = t_busy_streams;
  if (busy == nullptr || busy->empty() || sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const auto size = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
  sqlite3_result_int(ctx, busy->contains(std::string_view{text, size}) ? 1 : 0);
}

struct BusyStreamsScope {
  explicit BusyStreamsScope(const Outbox::StreamSet* busy) noexcept { t_busy_streams = busy; }
  ~BusyStreamsScope() { t_busy_streams = nullptr; }
  BusyStreamsScope(const BusyStreamsScope&) = delete;
  BusyStreamsScope& operator=(const BusyStreamsScope&) = delete;
};
}  // namespace

DbResult<void> Outbox::register_functions() {
  // Registering again (another Outbox on the same connection) replaces it with the same.
  const int rc = sqlite3_create_function_v2(db_->handle(), "outbox_stream_busy", 1,
                                            SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr,
                                            &stream_busy_fn, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return DbError{DbErrorCode::Other, rc, "outbox: SQL function not registered"};
  }
  functions_registered_ = true;
  return {};
}

DbResult<std::vector<OutboxItem>> Outbox::claim(std::size_t limit, Timestamp now) {
  auto tx = db_->begin();
  if (!tx.ok()) return std::move(tx).error();
  auto items = claim(tx.value(), limit, now);
  if (!items.ok()) return items;
  if (auto c = tx.value().commit(); !c.ok()) return std::move(c).error();
  return items;
}

DbResult<std::vector<OutboxItem>> Outbox::claim(Transaction& tx, std::size_t limit, Timestamp now) {
  return claim(tx, limit, now, nullptr);
}

DbResult<std::vector<OutboxItem>> Outbox::claim(Transaction& tx, std::size_t limit, Timestamp now,
                                                const StreamSet* busy_streams) {
  if (auto c = check(tx, "claim"); !c.ok()) return std::move(c).error();
  if (limit == 0) return std::vector<OutboxItem>{};
  if (!functions_registered_) {
    if (auto r = register_functions(); !r.ok()) return std::move(r).error();
  }
  const BusyStreamsScope scope(busy_streams);
  // One statement finds the eligible items and marks them SENDING (attempts + 1), and returns
  // them with their digests and the previous row's link (for the chain check). The inner read
  // walks the QUEUED part of outbox_pending_state in id order and stops after `limit` eligible
  // items (state <> 'ACKED' is the index's own condition, which lets the planner use it). The
  // earlier items of a stream are read through its (stream, seq) key: the unary + keeps the
  // planner from scanning every pending item for each candidate instead. A stream the caller
  // has in flight is skipped before that read (outbox_stream_busy): in a drain most QUEUED items
  // near the head wait behind one in flight, and every claim walked past them again, two B-tree
  // reads each (sync_outbox_turn_bench: about 7% of the loop's time with 512 in flight).
  struct Candidate {
    OutboxItem item;
    std::optional<std::string> problem;
  };
  std::vector<Candidate> found;
  found.reserve(std::min<std::size_t>(limit, 128));  // the replicator claims 128 at a time
  // Several statements in the caller's transaction: a savepoint makes them all-or-nothing, so a
  // failure never leaves an item SENDING that the caller was not given (and will not send).
  if (auto sp = db_->statement("SAVEPOINT outbox_claim").run(); !sp.ok()) {
    return std::move(sp).error();
  }
  auto undo = [&] {
    // After SQLITE_FULL/IOERR SQLite has rolled the whole transaction back: these then fail,
    // and there is nothing left to undo.
    (void)db_->statement("ROLLBACK TO outbox_claim").run();
    (void)db_->statement("RELEASE outbox_claim").run();
  };
  auto sel =
      db_->statement(
             "UPDATE outbox_message SET state = 'SENDING', attempts = attempts + 1"
             " WHERE id IN (SELECT m.id FROM outbox_message AS m"
             "  WHERE m.state <> 'ACKED' AND m.state = 'QUEUED' AND"
             "  +m.next_attempt_at_ms <= ? AND NOT outbox_stream_busy(m.stream)"
             "  AND NOT EXISTS ("
             "   SELECT 1 FROM outbox_message AS e"
             "   WHERE e.stream = m.stream AND e.seq < m.seq AND"
             "   +e.state <> 'ACKED' AND e.released = 0)"
             "  ORDER BY m.id LIMIT ?) "
             "RETURNING " +
             std::string{kItemColumns} +
             ", body_digest, link, redacted, redacted_digest,"
             " (SELECT p.link FROM outbox_message AS p"
             "  WHERE p.id < outbox_message.id ORDER BY p.id DESC LIMIT 1)")
          .bind(to_ms(now), static_cast<std::int64_t>(limit))
          .for_each([&](const Statement& row) {
            Candidate c{read_item(row), std::nullopt};
            ChainRow chain;
            chain.id = c.item.id;
            chain.method = c.item.method;
            chain.path = c.item.path;
            chain.stream = c.item.stream;
            chain.seq = c.item.sequence;
            chain.key = c.item.idempotency_key;
            chain.body_digest = row.blob(17);
            chain.link = row.blob(18);
            chain.redacted = row.is_null(19) ? -1 : row.int64(19);
            chain.redacted_digest = row.blob(20);
            chain.state = "QUEUED";  // as it was found
            // The kind as stored: a damaged kind text must not pass as a known one.
            chain.kind = row.text(3);
            const auto prev = row.blob(21);
            c.problem = chain_problem(
                chain, row.is_null(7) ? std::nullopt : std::optional<std::string_view>{c.item.body},
                bytes_text(prev));
            found.push_back(std::move(c));
          });
  if (!sel.ok()) {
    undo();
    return std::move(sel).error();
  }
  // RETURNING gives the rows in no promised order; the caller gets them oldest first.
  std::sort(found.begin(), found.end(),
            [](const Candidate& a, const Candidate& b) { return a.item.id < b.item.id; });
  std::vector<OutboxItem> items;
  items.reserve(found.size());
  for (auto& c : found) {
    if (!c.problem) {
      items.push_back(std::move(c.item));
      continue;
    }
    // Only what the chain vouches for is sent: a row that does not verify needs attention (and
    // was not an attempt).
    auto up = db_->statement(
                     "UPDATE outbox_message SET state = 'REJECTED', last_error_code = ?,"
                     " http_status = NULL, correlation_id = NULL, attempts = attempts - 1"
                     " WHERE id = ?")
                  .bind(std::string_view{kOutboxTampered}, c.item.id)
                  .run();
    if (!up.ok()) {
      undo();
      return std::move(up).error();
    }
  }
  if (auto rel = db_->statement("RELEASE outbox_claim").run(); !rel.ok()) {
    undo();
    return std::move(rel).error();
  }
  return items;
}

namespace {
// Reads an item's state inside a transaction; nullopt when there is no such item.
DbResult<std::optional<OutboxState>> state_of(Database& db, std::int64_t id) {
  std::optional<OutboxState> state;
  auto r = db.statement("SELECT state FROM outbox_message WHERE id = ?")
               .bind(id)
               .for_each([&](const Statement& row) { state = parse_outbox_state(row.text(0)); });
  if (!r.ok()) return std::move(r).error();
  return state;
}

}  // namespace

// The plain forms: one transaction each; the caller's-transaction forms do the work.
DbResult<void> Outbox::mark_acked(std::int64_t id, int http_status,
                                  std::optional<std::string_view> response_body, Timestamp now) {
  auto tx = db_->begin();
  if (!tx.ok()) return std::move(tx).error();
  if (auto r = mark_acked(tx.value(), id, http_status, response_body, now); !r.ok()) return r;
  return tx.value().commit();
}

DbResult<void> Outbox::mark_rejected(std::int64_t id, const OutboxRejection& rejection,
                                     Timestamp now) {
  auto tx = db_->begin();
  if (!tx.ok()) return std::move(tx).error();
  if (auto r = mark_rejected(tx.value(), id, rejection, now); !r.ok()) return r;
  return tx.value().commit();
}

DbResult<void> Outbox::mark_retry(std::int64_t id, Timestamp next_attempt_at,
                                  std::string_view error_code, std::optional<int> http_status) {
  auto tx = db_->begin();
  if (!tx.ok()) return std::move(tx).error();
  if (auto r = mark_retry(tx.value(), id, next_attempt_at, error_code, http_status); !r.ok()) {
    return r;
  }
  return tx.value().commit();
}

DbResult<void> Outbox::mark_acked(Transaction& tx, std::int64_t id, int http_status,
                                  std::optional<std::string_view> response_body, Timestamp now) {
  if (auto c = check(tx, "mark_acked"); !c.ok()) return c;
  // The body is released in the same update: the backend holds it, the ledger holds the facts it
  // was made from, and the chain keeps its digest (body_digest). Personal fields go with it, and
  // secure_delete=ON zeroes the old cell in its page.
  auto& ack = db_->statement(
      "UPDATE outbox_message SET state = 'ACKED', http_status = ?, response_body = ?,"
      " acked_at_ms = ?, last_error_code = NULL,"
      " redacted = 2, redacted_digest = NULL WHERE id = ? AND state = 'SENDING'");
  std::optional<std::string> reply;
  if (response_body) reply.emplace(*response_body);
  if (auto f = ack.bind(http_status, reply, to_ms(now), id).run(); !f.ok()) return f;
  if (ack.changes() == 1) {
    return db_->statement("DELETE FROM outbox_body WHERE id = ?").bind(id).run();
  }
  auto state = state_of(*db_, id);
  if (!state.ok()) return std::move(state).error();
  if (!state.value()) return conflict("outbox item " + std::to_string(id) + " does not exist");
  if (*state.value() == OutboxState::Acked) return {};
  return conflict("outbox item " + std::to_string(id) + " is " +
                  std::string{to_string(*state.value())} + ", not SENDING");
}

DbResult<void> Outbox::mark_rejected(Transaction& tx, std::int64_t id,
                                     const OutboxRejection& rejection, Timestamp now) {
  (void)now;
  if (auto c = check(tx, "mark_rejected"); !c.ok()) return c;
  auto state = state_of(*db_, id);
  if (!state.ok()) return std::move(state).error();
  if (state.value() != OutboxState::Sending) {
    return conflict("outbox item " + std::to_string(id) + " is not SENDING");
  }
  auto up = db_->statement(
                   "UPDATE outbox_message SET state = 'REJECTED', last_error_code = ?,"
                   " correlation_id = ?, http_status = ? WHERE id = ?")
                .bind(sanitize_error_code(rejection.error_code),
                      sanitize_correlation_id(rejection.correlation_id), rejection.http_status, id)
                .run();
  return up;
}

DbResult<void> Outbox::mark_retry(Transaction& tx, std::int64_t id, Timestamp next_attempt_at,
                                  std::string_view error_code, std::optional<int> http_status) {
  if (auto c = check(tx, "mark_retry"); !c.ok()) return c;
  auto state = state_of(*db_, id);
  if (!state.ok()) return std::move(state).error();
  if (state.value() != OutboxState::Sending) {
    return conflict("outbox item " + std::to_string(id) + " is not SENDING");
  }
  auto up = db_->statement(
                   "UPDATE outbox_message SET state = 'QUEUED', next_attempt_at_ms = ?,"
                   " last_error_code = ?, http_status = ? WHERE id = ?")
                .bind(to_ms(next_attempt_at), sanitize_error_code(error_code), http_status, id)
                .run();
  return up;
}

DbResult<std::int64_t> Outbox::requeue_sending(Timestamp now) {
  auto& st = db_->statement(
      "UPDATE outbox_message SET state = 'QUEUED', next_attempt_at_ms = ? "
      "WHERE state <> 'ACKED' AND state = 'SENDING'");
  auto r = st.bind(to_ms(now)).run();
  if (!r.ok()) return std::move(r).error();
  return st.changes();
}

DbResult<bool> Outbox::force_retry(std::int64_t id, Timestamp now) {
  auto& st = db_->statement(
      "UPDATE outbox_message SET state = 'QUEUED', next_attempt_at_ms = ? "
      "WHERE id = ? AND state IN ('QUEUED', 'REJECTED')");
  auto r = st.bind(to_ms(now), id).run();
  if (!r.ok()) return std::move(r).error();
  return st.changes() > 0;
}

DbResult<std::int64_t> Outbox::force_retry_all(Timestamp now) {
  auto& st = db_->statement(
      "UPDATE outbox_message SET state = 'QUEUED', next_attempt_at_ms = ? "
      "WHERE state <> 'ACKED' AND state IN ('QUEUED', 'REJECTED')");
  auto r = st.bind(to_ms(now)).run();
  if (!r.ok()) return std::move(r).error();
  return st.changes();
}

// ---------------------------------------------------------------------------------------------
// 5. queries
// ---------------------------------------------------------------------------------------------

namespace {
// The columns of a queue line; held_behind: the first unresolved REJECTED item earlier in the
// same stream (what this one waits behind), for items not ACKED.
constexpr std::string_view kEntryColumns =
    "m.id, m.kind, m.stream, m.seq, m.state, m.attempts, m.created_at_ms, m.next_attempt_at_ms,"
    " m.last_error_code, m.correlation_id, m.idempotency_key, m.http_status,"
    " CASE WHEN m.state = 'ACKED' THEN NULL ELSE (SELECT e.id FROM outbox_message AS e"
    "  WHERE e.stream = m.stream AND e.seq < m.seq AND e.state = 'REJECTED' AND e.released = 0"
    "  ORDER BY e.seq LIMIT 1) END, m.released";

OutboxQueueEntry read_entry(const Statement& row) {
  OutboxQueueEntry e;
  e.id = row.int64(0);
  e.kind = parse_outbox_kind(row.text(1)).value_or(OutboxKind::Payment);
  e.stream = row.text(2);
  e.sequence = row.int64(3);
  e.state = parse_outbox_state(row.text(4)).value_or(OutboxState::Queued);
  e.attempts = static_cast<int>(row.int64(5));
  e.created_at = from_ms(row.int64(6));
  e.next_attempt_at = from_ms(row.int64(7));
  e.last_error_code = row.opt_text(8);
  e.correlation_id = row.opt_text(9);
  e.idempotency_key = row.text(10);
  if (auto s = row.opt_int64(11)) e.http_status = static_cast<int>(*s);
  e.held_behind = row.opt_int64(12);
  e.resolved = row.int64(13) != 0;
  return e;
}
}  // namespace

DbResult<std::vector<OutboxQueueEntry>> Outbox::list(OutboxListing which, std::size_t limit) {
  std::vector<OutboxQueueEntry> out;
  // Pending: the few items not ACKED through their index, sorted (the planner would otherwise
  // walk the whole table in id order, every item ever sent, to fill the limit).
  const std::string sql =
      "SELECT " + std::string{kEntryColumns} + " FROM outbox_message AS m" +
      (which == OutboxListing::Pending ? " INDEXED BY outbox_pending_state WHERE m.state <> 'ACKED'"
                                       : "") +
      " ORDER BY m.id LIMIT ?";
  auto r = db_->statement(sql)
               .bind(static_cast<std::int64_t>(limit))
               .for_each([&](const Statement& row) { out.push_back(read_entry(row)); });
  if (!r.ok()) return std::move(r).error();
  return out;
}

DbResult<OutboxStats> Outbox::stats() {
  OutboxStats s;
  std::optional<std::int64_t> oldest;
  auto older = [&](std::int64_t t) {
    if (!oldest || t < *oldest) oldest = t;
  };
  // QUEUED and SENDING from the covering index; REJECTED (rare) split by whether a supervisor's
  // ADJUSTED resolution released it (done: not counted in the depth).
  auto r = db_->statement(
                  "SELECT state, COUNT(*), MIN(created_at_ms) FROM outbox_message "
                  "WHERE state <> 'ACKED' AND state <> 'REJECTED' GROUP BY state")
               .for_each([&](const Statement& row) {
                 const auto n = row.int64(1);
                 s.depth += n;
                 const auto state = parse_outbox_state(row.text(0));
                 if (state == OutboxState::Queued) s.queued = n;
                 if (state == OutboxState::Sending) s.sending = n;
                 older(row.int64(2));
               });
  if (!r.ok()) return std::move(r).error();
  auto rej = db_->statement(
                    "SELECT released, COUNT(*), MIN(created_at_ms) FROM outbox_message "
                    "WHERE state <> 'ACKED' AND state = 'REJECTED' GROUP BY released")
                 .for_each([&](const Statement& row) {
                   const auto n = row.int64(1);
                   s.rejected += n;
                   if (row.int64(0) != 0) {
                     s.resolved += n;
                     return;
                   }
                   s.needs_attention += n;
                   s.depth += n;
                   older(row.int64(2));
                 });
  if (!rej.ok()) return std::move(rej).error();
  if (s.needs_attention > 0) {
    auto held = db_->statement(
                       "SELECT COUNT(*) FROM outbox_message AS m WHERE m.state <> 'ACKED' AND "
                       "m.state = 'QUEUED' AND "
                       "EXISTS (SELECT 1 FROM outbox_message AS e WHERE e.stream = m.stream AND "
                       "e.seq < m.seq AND e.state <> 'ACKED' AND e.state = 'REJECTED' AND "
                       "e.released = 0)")
                    .for_each([&](const Statement& row) { s.held = row.int64(0); });
    if (!held.ok()) return std::move(held).error();
  }
  if (oldest) s.oldest_queued_at = from_ms(*oldest);
  return s;
}

DbResult<std::optional<OutboxItem>> Outbox::find(std::int64_t id) {
  std::optional<OutboxItem> item;
  auto r =
      db_->statement("SELECT " + std::string{kItemColumns} + " FROM outbox_message WHERE id = ?")
          .bind(id)
          .for_each([&](const Statement& row) { item = read_item(row); });
  if (!r.ok()) return std::move(r).error();
  return item;
}

DbResult<std::optional<OutboxItem>> Outbox::find_by_idempotency_key(std::string_view key) {
  std::optional<OutboxItem> item;
  auto r = db_->statement("SELECT " + std::string{kItemColumns} +
                          " FROM outbox_message WHERE idempotency_key = ?")
               .bind(key)
               .for_each([&](const Statement& row) { item = read_item(row); });
  if (!r.ok()) return std::move(r).error();
  return item;
}

// ---------------------------------------------------------------------------------------------
// 6. needs attention and resolutions
// ---------------------------------------------------------------------------------------------

std::string_view to_string(OutboxResolutionKind kind) noexcept {
  switch (kind) {
    case OutboxResolutionKind::Retry:
      return "RETRY";
    case OutboxResolutionKind::Adjusted:
      return "ADJUSTED";
    case OutboxResolutionKind::kCount:
      break;
  }
  return "UNKNOWN";
}

DbResult<std::vector<OutboxAttention>> Outbox::needs_attention(std::size_t limit) {
  std::vector<OutboxAttention> out;
  auto r = db_->statement("SELECT " + std::string{kEntryColumns} +
                          " FROM outbox_message AS m WHERE m.state <> 'ACKED' AND"
                          " m.state = 'REJECTED' AND m.released = 0 ORDER BY m.id LIMIT ?")
               .bind(static_cast<std::int64_t>(limit))
               .for_each([&](const Statement& row) {
                 OutboxAttention a;
                 a.item = read_entry(row);
                 out.push_back(std::move(a));
               });
  if (!r.ok()) return std::move(r).error();
  for (auto& a : out) {
    auto held = db_->statement("SELECT " + std::string{kEntryColumns} +
                               " FROM outbox_message AS m WHERE m.stream = ? AND m.seq > ? AND"
                               " m.state <> 'ACKED' ORDER BY m.seq")
                    .bind(a.item.stream, a.item.sequence)
                    .for_each([&](const Statement& row) { a.held.push_back(read_entry(row)); });
    if (!held.ok()) return std::move(held).error();
    auto res = resolutions(a.item.id);
    if (!res.ok()) return std::move(res).error();
    a.resolutions = std::move(res).value();
  }
  return out;
}

DbResult<std::vector<OutboxResolutionRecord>> Outbox::resolutions(std::int64_t id) {
  std::vector<OutboxResolutionRecord> out;
  auto r = db_->statement(
                  "SELECT id, outbox_id, resolution, resolved_by, resolved_at_ms, adjustment_id "
                  "FROM outbox_resolution WHERE outbox_id = ? ORDER BY id")
               .bind(id)
               .for_each([&](const Statement& row) {
                 OutboxResolutionRecord rec;
                 rec.id = row.int64(0);
                 rec.outbox_id = row.int64(1);
                 rec.resolution.kind = row.text(2) == "ADJUSTED" ? OutboxResolutionKind::Adjusted
                                                                 : OutboxResolutionKind::Retry;
                 rec.resolution.resolved_by = row.text(3);
                 rec.resolution.resolved_at = from_ms(row.int64(4));
                 rec.resolution.adjustment_id = row.opt_text(5);
                 out.push_back(std::move(rec));
               });
  if (!r.ok()) return std::move(r).error();
  return out;
}

DbResult<ResolveOutcome> Outbox::resolve(std::int64_t id, const OutboxResolution& resolution) {
  auto tx = db_->begin();
  if (!tx.ok()) return std::move(tx).error();
  auto r = resolve(tx.value(), id, resolution);
  if (!r.ok() || r.value() != ResolveOutcome::Resolved) return r;
  if (auto c = tx.value().commit(); !c.ok()) return std::move(c).error();
  return r;
}

DbResult<ResolveOutcome> Outbox::resolve(Transaction& tx, std::int64_t id,
                                         const OutboxResolution& resolution) {
  if (auto c = check(tx, "resolve"); !c.ok()) return std::move(c).error();
  if (resolution.resolved_by.empty()) return invalid("a resolution names who resolved it");
  if (resolution.kind == OutboxResolutionKind::Adjusted &&
      (!resolution.adjustment_id || resolution.adjustment_id->empty())) {
    return invalid("an ADJUSTED resolution names the adjustment's id");
  }
  if (resolution.kind != OutboxResolutionKind::Retry &&
      resolution.kind != OutboxResolutionKind::Adjusted) {
    return invalid("unknown resolution");
  }
  std::optional<std::string> state;
  bool released = false;
  auto r = db_->statement("SELECT state, released FROM outbox_message WHERE id = ?")
               .bind(id)
               .for_each([&](const Statement& row) {
                 state = row.text(0);
                 released = row.int64(1) != 0;
               });
  if (!r.ok()) return std::move(r).error();
  if (!state) return ResolveOutcome::NoSuchItem;
  if (*state != "REJECTED" || released) return ResolveOutcome::NotNeedingAttention;
  auto ins = db_->statement(
                    "INSERT INTO outbox_resolution (outbox_id, resolution, resolved_by, "
                    "resolved_at_ms, adjustment_id) VALUES (?, ?, ?, ?, ?)")
                 .bind(id, to_string(resolution.kind), resolution.resolved_by,
                       to_ms(resolution.resolved_at), resolution.adjustment_id)
                 .run();
  if (!ins.ok()) return std::move(ins).error();
  // RETRY: the item goes again (the held items stay behind it, in order). ADJUSTED: the item is
  // settled outside the backend (refund as a ledger adjustment) and is never sent again; what
  // waited behind it goes on.
  auto up =
      resolution.kind == OutboxResolutionKind::Retry
          ? db_->statement(
                   "UPDATE outbox_message SET state = 'QUEUED', next_attempt_at_ms = ? "
                   "WHERE id = ?")
                .bind(to_ms(resolution.resolved_at), id)
                .run()
          : db_->statement("UPDATE outbox_message SET released = 1 WHERE id = ?").bind(id).run();
  if (!up.ok()) return std::move(up).error();
  return ResolveOutcome::Resolved;
}

// ---------------------------------------------------------------------------------------------
// 7. verify
// ---------------------------------------------------------------------------------------------

DbResult<OutboxVerification> Outbox::verify() {
  OutboxVerification v;
  std::string prev;
  auto r =
      db_->statement("SELECT " + std::string{kChainColumns} + " FROM outbox_message ORDER BY id")
          .for_each([&](const Statement& st) {
            const ChainRow row = read_chain_row(st);
            ++v.rows_checked;
            if (auto problem = chain_problem(
                    row, row.body ? std::optional<std::string_view>{*row.body} : std::nullopt,
                    prev)) {
              ++v.broken_rows;
              if (!v.first_broken_id) {
                v.first_broken_id = row.id;
                v.problem = *problem;
              }
            }
            prev.assign(bytes_text(row.link));
          });
  if (!r.ok()) return std::move(r).error();
  // A body whose item does not exist was not enqueued here: it is damage too.
  auto orphans = db_->statement(
                        "SELECT COUNT(*), MIN(b.id) FROM outbox_body AS b WHERE NOT EXISTS ("
                        "SELECT 1 FROM outbox_message AS m WHERE m.id = b.id)")
                     .for_each([&](const Statement& st) {
                       const auto n = st.int64(0);
                       if (n == 0) return;
                       v.broken_rows += n;
                       if (!v.first_broken_id) {
                         v.first_broken_id = st.int64(1);
                         v.problem = "a body with no item";
                       }
                     });
  if (!orphans.ok()) return std::move(orphans).error();
  return v;
}

}  // namespace pos::sync
