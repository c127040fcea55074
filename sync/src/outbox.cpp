// The durable outbox (see outbox.hpp for the state machine and the ordering rule).
//
// Sections: 1. names  2. schema  3. enqueue  4. claim and marks  5. queries
#include <pos/sync/outbox.hpp>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

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
};

constexpr std::string_view kItemColumns =
    "id, stream, seq, kind, method, path, idempotency_key, body, created_at_ms, state, attempts, "
    "next_attempt_at_ms, last_error_code, correlation_id, http_status, response_body, acked_at_ms";

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
  if (!nlohmann::json::accept(m.body)) return invalid("outbox message body is not JSON");
  std::optional<std::string> personal;
  if (!m.personal_fields.empty()) personal = nlohmann::json(m.personal_fields).dump();

  std::int64_t seq = 0;
  auto s = db_->statement("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox_message WHERE stream = ?")
               .bind(m.stream)
               .for_each([&](const Statement& row) { seq = row.int64(0); });
  if (!s.ok()) return std::move(s).error();
  std::int64_t id = 0;
  auto ins =
      db_->statement(
             "INSERT INTO outbox_message (stream, seq, kind, method, path, idempotency_key, body, "
             "personal_fields, created_at_ms, next_attempt_at_ms) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
          .bind(m.stream, seq, to_string(m.kind), m.method, m.path, m.idempotency_key, m.body,
                personal, to_ms(m.created_at), to_ms(m.created_at))
          .for_each([&](const Statement& row) { id = row.int64(0); });
  if (!ins.ok()) return std::move(ins).error();
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

DbResult<std::vector<OutboxItem>> Outbox::claim(std::size_t limit, Timestamp now) {
  auto tx = db_->begin();
  if (!tx.ok()) return std::move(tx).error();
  auto items = claim(tx.value(), limit, now);
  if (!items.ok()) return items;
  if (auto c = tx.value().commit(); !c.ok()) return std::move(c).error();
  return items;
}

DbResult<std::vector<OutboxItem>> Outbox::claim(Transaction& tx, std::size_t limit, Timestamp now) {
  if (auto c = check(tx, "claim"); !c.ok()) return std::move(c).error();
  std::vector<std::int64_t> ids;
  // The unary + keeps the planner off outbox_due (all due items, then a sort): it walks
  // outbox_queued_order in id order and stops after `limit` eligible items.
  auto sel = db_->statement(
                    "SELECT m.id FROM outbox_message AS m "
                    "WHERE m.state = 'QUEUED' AND +m.next_attempt_at_ms <= ? AND NOT EXISTS ("
                    "  SELECT 1 FROM outbox_message AS e"
                    "  WHERE e.stream = m.stream AND e.seq < m.seq AND e.state <> 'ACKED') "
                    "ORDER BY m.id LIMIT ?")
                 .bind(to_ms(now), static_cast<std::int64_t>(limit))
                 .for_each([&](const Statement& row) { ids.push_back(row.int64(0)); });
  if (!sel.ok()) return std::move(sel).error();
  std::vector<OutboxItem> items;
  if (ids.empty()) return items;
  items.reserve(ids.size());
  // Several updates in the caller's transaction: a savepoint makes them all-or-nothing, so a
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
  const std::string select_one =
      "SELECT " + std::string{kItemColumns} + " FROM outbox_message WHERE id = ?";
  for (auto id : ids) {
    auto up = db_->statement(
                     "UPDATE outbox_message SET state = 'SENDING', attempts = attempts + 1 "
                     "WHERE id = ?")
                  .bind(id)
                  .run();
    if (!up.ok()) {
      undo();
      return std::move(up).error();
    }
    auto got = db_->statement(select_one).bind(id).for_each([&](const Statement& row) {
      items.push_back(read_item(row));
    });
    if (!got.ok()) {
      undo();
      return std::move(got).error();
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

std::string strip_personal_fields(const std::string& body, const std::string& fields_json) {
  auto fields = nlohmann::json::parse(fields_json, nullptr, false);
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (fields.is_discarded() || !fields.is_array() || doc.is_discarded() || !doc.is_object()) {
    return "{}";  // cannot tell what is personal: keep nothing rather than too much
  }
  for (const auto& f : fields) {
    if (f.is_string()) doc.erase(f.get<std::string>());
  }
  return doc.dump();
}
}  // namespace

// The plain forms: one transaction each; the caller's-transaction forms do the work.
DbResult<void> Outbox::mark_acked(std::int64_t id, int http_status, std::string_view response_body,
                                  Timestamp now) {
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
                                  std::string_view response_body, Timestamp now) {
  if (auto c = check(tx, "mark_acked"); !c.ok()) return c;
  std::optional<OutboxState> state;
  std::string body;
  std::optional<std::string> personal;
  auto r = db_->statement("SELECT state, body, personal_fields FROM outbox_message WHERE id = ?")
               .bind(id)
               .for_each([&](const Statement& row) {
                 state = parse_outbox_state(row.text(0));
                 body = row.text(1);
                 personal = row.opt_text(2);
               });
  if (!r.ok()) return std::move(r).error();
  if (!state) return conflict("outbox item " + std::to_string(id) + " does not exist");
  if (*state == OutboxState::Acked) return {};
  if (*state != OutboxState::Sending) {
    return conflict("outbox item " + std::to_string(id) + " is " + std::string{to_string(*state)} +
                    ", not SENDING");
  }
  if (personal) body = strip_personal_fields(body, *personal);
  auto up = db_->statement(
                   "UPDATE outbox_message SET state = 'ACKED', http_status = ?, response_body = ?,"
                   " acked_at_ms = ?, body = ?, personal_fields = NULL, last_error_code = NULL "
                   "WHERE id = ?")
                .bind(http_status, response_body, to_ms(now), body, id)
                .run();
  return up;
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
      "UPDATE outbox_message SET state = 'QUEUED', next_attempt_at_ms = ? WHERE state = 'SENDING'");
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
      "WHERE state IN ('QUEUED', 'REJECTED')");
  auto r = st.bind(to_ms(now)).run();
  if (!r.ok()) return std::move(r).error();
  return st.changes();
}

// ---------------------------------------------------------------------------------------------
// 5. queries
// ---------------------------------------------------------------------------------------------

DbResult<std::vector<OutboxQueueEntry>> Outbox::list(OutboxListing which, std::size_t limit) {
  std::vector<OutboxQueueEntry> out;
  const char* sql =
      which == OutboxListing::Pending
          ? "SELECT id, kind, stream, seq, state, attempts, created_at_ms, next_attempt_at_ms,"
            " last_error_code, correlation_id, idempotency_key FROM outbox_message"
            " WHERE state <> 'ACKED' ORDER BY id LIMIT ?"
          : "SELECT id, kind, stream, seq, state, attempts, created_at_ms, next_attempt_at_ms,"
            " last_error_code, correlation_id, idempotency_key FROM outbox_message"
            " ORDER BY id LIMIT ?";
  auto r = db_->statement(sql)
               .bind(static_cast<std::int64_t>(limit))
               .for_each([&](const Statement& row) {
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
                 out.push_back(std::move(e));
               });
  if (!r.ok()) return std::move(r).error();
  return out;
}

DbResult<OutboxStats> Outbox::stats() {
  OutboxStats s;
  std::optional<std::int64_t> oldest;
  auto r = db_->statement(
                  "SELECT state, COUNT(*), MIN(created_at_ms) FROM outbox_message "
                  "WHERE state <> 'ACKED' GROUP BY state")
               .for_each([&](const Statement& row) {
                 const auto n = row.int64(1);
                 s.depth += n;
                 const auto state = parse_outbox_state(row.text(0));
                 if (state == OutboxState::Queued) s.queued = n;
                 if (state == OutboxState::Sending) s.sending = n;
                 if (state == OutboxState::Rejected) s.rejected = n;
                 const auto min = row.int64(2);
                 if (!oldest || min < *oldest) oldest = min;
               });
  if (!r.ok()) return std::move(r).error();
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

}  // namespace pos::sync
