// The replicator (see replicator.hpp for the outcome table and the threading).
//
// Sections: 1. schema, SnapshotStore, PostingErrors  2. identity and back-off
//           3. Impl: workers  4. Impl: the loop (claim, mark)  5. Impl: snapshot pulls
//           6. Replicator
#include <pos/sync/billing_client.hpp>
#include <pos/sync/integrity.hpp>
#include <pos/sync/replicator.hpp>

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace pos::sync {

namespace detail {
// Defined in billing_client.cpp: parsePaymentPosted over a reply already parsed.
Parsed<PaymentPosted> parsePaymentPostedJson(const nlohmann::json& reply);
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// 1. schema, SnapshotStore, PostingErrors
// ---------------------------------------------------------------------------------------------

namespace {

DbResult<void> digestExistingSnapshots(Database& db);

constexpr Migration kMigrations[] = {
    {"sync_replicator", 1, "offline snapshots and posting error details",
     R"sql(
CREATE TABLE sync_snapshot (
  key           TEXT    PRIMARY KEY,
  presence      TEXT    NOT NULL CHECK (presence IN ('PRESENT', 'UNCONFIGURED')),
  etag          TEXT    NOT NULL,
  body          TEXT    NOT NULL,
  fetched_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_posting_error (
  outbox_id      INTEGER PRIMARY KEY,
  http_status    INTEGER NOT NULL,
  error_code     TEXT    NOT NULL,
  correlation_id TEXT,
  detail         TEXT    NOT NULL,
  recorded_at_ms INTEGER NOT NULL
) STRICT;
)sql"},
    // Each row carries a SHA-256 over its fields, checked on every read and by verify().
    {"sync_replicator", 2, "snapshot digests", "ALTER TABLE sync_snapshot ADD COLUMN digest BLOB;",
     &digestExistingSnapshots},
};

std::int64_t toMs(Timestamp t) {
  return t.time_since_epoch().count();
}
Timestamp fromMs(std::int64_t ms) {
  return Timestamp{std::chrono::milliseconds{ms}};
}
Timestamp now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

constexpr std::string_view kSnapshotColumns = "key, presence, etag, body, fetched_at_ms, digest";

std::string_view presenceText(SnapshotPresence p) {
  return p == SnapshotPresence::Present ? "PRESENT" : "UNCONFIGURED";
}

Digest snapshotDigest(std::string_view key, std::string_view presence, std::string_view etag,
                      std::string_view body, std::int64_t fetchedAtMs) {
  const std::string at = std::to_string(fetchedAtMs);
  return digest_of({"pos-snapshot-v1", key, presence, etag, body, at});
}

struct StoredSnapshot {
  Snapshot snapshot;
  bool intact = false;
};

StoredSnapshot readSnapshot(const Statement& row) {
  StoredSnapshot out;
  Snapshot& s = out.snapshot;
  s.key = row.text(0);
  const std::string presence = row.text(1);
  s.presence =
      presence == "UNCONFIGURED" ? SnapshotPresence::Unconfigured : SnapshotPresence::Present;
  s.etag = row.text(2);
  s.body = row.text(3);
  const std::int64_t at = row.int64(4);
  s.fetchedAt = fromMs(at);
  const auto stored = row.blob(5);
  const Digest want = snapshotDigest(s.key, presence, s.etag, s.body, at);
  out.intact =
      stored.size() == want.size() && std::equal(stored.begin(), stored.end(), want.begin());
  return out;
}

DbError damaged(const std::string& key) {
  return DbError{DbErrorCode::Corrupt, 0,
                 "the cached snapshot " + key + " does not match its digest (damaged or edited)"};
}

DbResult<void> digestExistingSnapshots(Database& db) {
  struct Row {
    std::string key, presence, etag, body;
    std::int64_t at = 0;
  };
  std::vector<Row> rows;
  auto r = db.statement("SELECT key, presence, etag, body, fetched_at_ms FROM sync_snapshot")
               .for_each([&](const Statement& st) {
                 rows.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4)});
               });
  if (!r.ok()) return std::move(r).error();
  for (const auto& row : rows) {
    const Digest d = snapshotDigest(row.key, row.presence, row.etag, row.body, row.at);
    auto up = db.statement("UPDATE sync_snapshot SET digest = ? WHERE key = ?")
                  .bind(Blob{d}, row.key)
                  .run();
    if (!up.ok()) return up;
  }
  return {};
}

}  // namespace

std::span<const Migration> SnapshotStore::migrations() noexcept {
  return kMigrations;
}

DbResult<std::optional<Snapshot>> SnapshotStore::find(std::string_view key) {
  std::optional<StoredSnapshot> found;
  auto rows = db_->statement("SELECT " + std::string{kSnapshotColumns} +
                             " FROM sync_snapshot WHERE key = ?")
                  .bind(key)
                  .for_each([&](const Statement& row) { found = readSnapshot(row); });
  if (!rows.ok()) return std::move(rows).error();
  if (!found) return std::optional<Snapshot>{};
  if (!found->intact) return damaged(found->snapshot.key);
  return std::optional<Snapshot>{std::move(found->snapshot)};
}

DbResult<std::vector<Snapshot>> SnapshotStore::list(std::string_view prefix) {
  std::vector<Snapshot> out;
  std::optional<std::string> broken;
  // substr() rather than LIKE: ids may hold '%' or '_'.
  auto rows = db_->statement("SELECT " + std::string{kSnapshotColumns} +
                             " FROM sync_snapshot WHERE substr(key, 1, ?) = ? ORDER BY key")
                  .bind(static_cast<std::int64_t>(prefix.size()), prefix)
                  .for_each([&](const Statement& row) {
                    auto s = readSnapshot(row);
                    if (!s.intact && !broken) broken = s.snapshot.key;
                    out.push_back(std::move(s.snapshot));
                  });
  if (!rows.ok()) return std::move(rows).error();
  if (broken) return damaged(*broken);
  return out;
}

DbResult<void> SnapshotStore::put(const Snapshot& s) {
  const auto presence = presenceText(s.presence);
  const Digest d = snapshotDigest(s.key, presence, s.etag, s.body, toMs(s.fetchedAt));
  return db_
      ->statement(
          "INSERT INTO sync_snapshot (key, presence, etag, body, fetched_at_ms, digest) "
          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET presence = excluded.presence, "
          "etag = excluded.etag, body = excluded.body, fetched_at_ms = excluded.fetched_at_ms, "
          "digest = excluded.digest")
      .bind(s.key, presence, s.etag, s.body, toMs(s.fetchedAt), Blob{d})
      .run();
}

DbResult<SnapshotPutResult> SnapshotStore::put_if_valid(const Snapshot& s,
                                                        const SnapshotValidator& validator) {
  SnapshotPutResult result;
  if (s.presence == SnapshotPresence::Present) {
    if (!json_nesting_within(s.body, kMaxJsonNesting)) {
      result.refusal = "nested deeper than " + std::to_string(kMaxJsonNesting) + " levels";
    } else if (validator) {
      result.refusal = validator(s.body);
    }
  }
  if (!result.refusal.empty()) return result;  // the cached snapshot stays as it was
  if (auto r = put(s); !r.ok()) return std::move(r).error();
  result.stored = true;
  return result;
}

DbResult<void> SnapshotStore::touch(std::string_view key, Timestamp fetchedAt) {
  // The digest covers the fetch time: recompute it over the row as it is, but only for a row
  // that is intact (a damaged row must not be blessed by a 304).
  auto found = find(key);
  if (!found.ok()) return std::move(found).error();
  if (!found.value()) return {};
  Snapshot s = std::move(*found.value());
  s.fetchedAt = fetchedAt;
  return put(s);
}

DbResult<SnapshotVerification> SnapshotStore::verify() {
  SnapshotVerification v;
  auto rows =
      db_->statement("SELECT " + std::string{kSnapshotColumns} + " FROM sync_snapshot ORDER BY key")
          .for_each([&](const Statement& row) {
            auto s = readSnapshot(row);
            ++v.rows_checked;
            if (!s.intact) v.broken_keys.push_back(s.snapshot.key);
          });
  if (!rows.ok()) return std::move(rows).error();
  return v;
}

DbResult<void> PostingErrors::record(Transaction& tx, std::int64_t outboxId, int httpStatus,
                                     const ApiError& e, Timestamp at) {
  if (&tx.database() != db_ || !tx.active()) {
    return DbError{DbErrorCode::InvalidArgument, 0,
                   "posting error record needs an active transaction on its database"};
  }
  return record(outboxId, httpStatus, e, at);
}

DbResult<void> PostingErrors::record(std::int64_t outboxId, int httpStatus, const ApiError& e,
                                     Timestamp at) {
  const nlohmann::json detail = {{"errorCode", e.errorCode},   {"message", e.message},
                                 {"reasonCode", e.reasonCode}, {"missingFields", e.missingFields},
                                 {"blockers", e.blockers},     {"correlationId", e.correlationId}};
  return db_
      ->statement(
          "INSERT OR REPLACE INTO sync_posting_error (outbox_id, http_status, error_code, "
          "correlation_id, detail, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(outboxId, httpStatus, sanitize_error_code(e.errorCode), e.correlationId, detail.dump(),
            toMs(at))
      .run();
}

DbResult<std::optional<PostingError>> PostingErrors::find(std::int64_t outboxId,
                                                          PostingErrorAccess access) {
  std::optional<PostingError> found;
  auto rows = db_->statement(
                     "SELECT outbox_id, http_status, error_code, correlation_id, detail, "
                     "recorded_at_ms FROM sync_posting_error WHERE outbox_id = ?")
                  .bind(outboxId)
                  .for_each([&](const Statement& row) {
                    PostingError p;
                    p.outboxId = row.int64(0);
                    p.httpStatus = static_cast<int>(row.int64(1));
                    p.errorCode = row.text(2);
                    p.correlationId = row.opt_text(3).value_or("");
                    if (access == PostingErrorAccess::WithDetail) {
                      p.detail = parseApiError(row.text(4));
                    }
                    p.recordedAt = fromMs(row.int64(5));
                    found = std::move(p);
                  });
  if (!rows.ok()) return std::move(rows).error();
  return found;
}

// ---------------------------------------------------------------------------------------------
// 2. identity and back-off
// ---------------------------------------------------------------------------------------------

namespace {
// defaultIdentity with the item's body already parsed (the workers parse it once per send).
RequestIdentity identityOf(const OutboxItem& item, const nlohmann::json& body) {
  RequestIdentity id;
  id.correlationId = item.correlation_id.value_or(item.stream);
  // One trace per checkout, the same after a restart: derived from the stream.
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest,
                     reinterpret_cast<const unsigned char*>(item.stream.data()), item.stream.size(),
                     nullptr, 0);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex.push_back(kDigits[b >> 4]);
    hex.push_back(kDigits[b & 0x0f]);
  }
  id.trace = TraceId::parse(hex);  // nullopt only for an all-zero digest: a fresh trace then
  if (body.is_object()) {
    for (const char* key : {"capturedByUserId", "requestedByUserId"}) {
      auto it = body.find(key);
      if (it != body.end() && it->is_string()) {
        id.operatorId = it->get<std::string>();
        break;
      }
    }
  }
  return id;
}
}  // namespace

RequestIdentity defaultIdentity(const OutboxItem& item) {
  return identityOf(item, parse_outside_json(item.body));
}

std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempts,
                                       std::optional<std::chrono::seconds> retryAfter,
                                       double unit) {
  const int exponent = std::clamp(attempts - 1, 0, 30);
  const double ceiling = std::min(
      static_cast<double>(policy.cap.count()),
      static_cast<double>(policy.base.count()) * static_cast<double>(std::int64_t{1} << exponent));
  auto delay =
      std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * std::clamp(unit, 0.0, 1.0)));
  if (retryAfter) delay = std::max<std::chrono::milliseconds>(delay, *retryAfter);
  return delay;
}

std::string_view toString(DrainResult r) noexcept {
  switch (r) {
    case DrainResult::Empty:
      return "EMPTY";
    case DrainResult::NeedsAttention:
      return "NEEDS_ATTENTION";
    case DrainResult::Unreachable:
      return "UNREACHABLE";
    case DrainResult::Unfinished:
      return "UNFINISHED";
    case DrainResult::ConfigurationProblem:
      return "CONFIGURATION_PROBLEM";
    case DrainResult::AnotherProcessSyncing:
      return "ANOTHER_PROCESS_SYNCING";
    case DrainResult::StorageProblem:
      return "STORAGE_PROBLEM";
  }
  return "UNKNOWN";
}

namespace {

AckVerdict notAck(std::string code, std::string detail) {
  return AckVerdict{false, std::move(code), std::move(detail)};
}

// The ids a reply may echo. Each one a reply carries must be the request's (checkoutId: the
// one in the path /billing/checkout/{id}/...); a reply naming an id the request does not have
// is about something else.
constexpr const char* kEchoedIds[] = {"billingPaymentId", "receiptId",  "overrideId",
                                      "offlineGrantId",   "deliveryId", "reprintId",
                                      "checkoutId"};

// The {checkoutId} segment of /billing/checkout/{checkoutId}/..., as it is in the path.
std::optional<std::string> checkoutInPath(const std::string& path) {
  constexpr std::string_view prefix = "/billing/checkout/";
  if (path.rfind(prefix, 0) != 0) return std::nullopt;
  const auto end = path.find('/', prefix.size());
  return path.substr(prefix.size(),
                     end == std::string::npos ? std::string::npos : end - prefix.size());
}

std::optional<std::string> stringField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// checkAcknowledgement with the request body already parsed; the reply is parsed once here.
AckVerdict judgeAcknowledgement(const OutboxItem& item, const nlohmann::json& request,
                                std::string_view body) {
  const auto reply = parse_outside_json(body);
  if (!reply.is_object()) return notAck("ACK_MALFORMED", "reply is not a JSON object");
  for (const char* field : kEchoedIds) {
    if (!reply.contains(field)) continue;
    auto got = stringField(reply, field);
    if (!got) return notAck("ACK_MALFORMED", std::string(field) + ": not a string");
    const bool inPath = std::string_view(field) == "checkoutId" && checkoutInPath(item.path);
    const bool same = inPath ? urlEncodeComponent(*got) == *checkoutInPath(item.path)
                             : stringField(request, field) == got;
    if (!same) return notAck("ACK_ID_MISMATCH", std::string(field) + ": not this request's");
  }
  switch (item.kind) {
    case OutboxKind::Payment: {
      auto posted = detail::parsePaymentPostedJson(reply);
      if (!posted.value) return notAck("ACK_MALFORMED", posted.error);
      if (posted.value->billingPaymentId != item.idempotency_key) {
        return notAck("ACK_ID_MISMATCH", "billingPaymentId: not this payment's");
      }
      if (stringField(request, "invoiceId") != posted.value->invoiceId) {
        return notAck("ACK_ID_MISMATCH", "invoice.invoiceId: not this payment's invoice");
      }
      break;
    }
    case OutboxKind::Po: {
      auto checkout = stringField(reply, "checkoutId");
      auto po = stringField(reply, "poNumber");
      if (!checkout || !po || !stringField(reply, "capturedAt")) {
        return notAck("ACK_MALFORMED", "po reply: checkoutId, poNumber, capturedAt");
      }
      if (auto sent = stringField(request, "poNumber"); sent && *sent != *po) {
        return notAck("ACK_ID_MISMATCH", "poNumber: another PO");
      }
      break;
    }
    case OutboxKind::Delivery: {
      auto d = parseDeliveryResult(body);
      if (!d.value) return notAck("ACK_MALFORMED", d.error);
      break;
    }
    case OutboxKind::Reprint: {
      auto r = parseReprintRecorded(body);
      if (!r.value) return notAck("ACK_MALFORMED", r.error);
      break;
    }
    case OutboxKind::Receipt:
    case OutboxKind::PoOverride:
    case OutboxKind::OfflineGrant:
    case OutboxKind::kCount:
      break;  // the contract leaves the body open: an object, with the same id where it echoes one
  }
  return AckVerdict{true, "", ""};
}

}  // namespace

AckVerdict checkAcknowledgement(const OutboxItem& item, std::string_view body) {
  return judgeAcknowledgement(item, parse_outside_json(item.body), body);
}

// ---------------------------------------------------------------------------------------------
// 3. Impl: workers
// ---------------------------------------------------------------------------------------------

// Items claimed per read of the outbox (see markAndClaim): a chunk of them stays under 64 KiB.
constexpr std::size_t kClaimChunk = 128;

struct Replicator::Impl {
  Database db;
  ReplicatorConfig config;
  Outbox outbox{db};
  SnapshotStore snapshots{db};
  PostingErrors postingErrors{db};
  std::mt19937_64 rng{std::random_device{}()};

  struct Result {
    OutboxItem item;
    HttpOutcome outcome;
    AckVerdict verdict;  // for a 2xx: judged on the worker's thread, off the loop's
  };

  std::mutex mu;
  std::condition_variable workCv;    // workers wait for jobs
  std::condition_variable resultCv;  // the loop waits for results, wake() or stop()
  std::deque<OutboxItem> jobs;
  std::deque<Result> results;
  std::size_t inFlight = 0;  // claimed and not yet marked
  bool stopping = false;
  bool woken = false;
  bool pullRequested = false;
  std::vector<std::thread> workers;
  std::thread loopThread;
  bool started = false;

  mutable std::mutex statusMu;
  ReplicatorStatus status;

  std::optional<SyncLease> lease;
  // The streams of the items claimed and not yet back (the loop's thread only): the claim skips
  // their queued items without reading their earlier rows (see Outbox::claim).
  Outbox::StreamSet busyStreams;
  std::size_t inFlightLimit = 0;
  // Fewer queued jobs than this: the loop commits and claims at once rather than gathering more
  // replies, so the workers are refilled before they run dry (a turn takes a few ms of CPU and,
  // on a busy machine, as long again waiting for one).
  std::size_t lowWater = 0;
  bool defaultIdentityInUse = false;  // the workers then reuse the body they parsed

  std::optional<HttpClient> pullClient;
  std::chrono::steady_clock::time_point nextPull{};
  std::chrono::steady_clock::time_point nextStats{};

  Impl(Database d, ReplicatorConfig c) : db(std::move(d)), config(std::move(c)) {
    if (!config.identity) {
      config.identity = defaultIdentity;
      defaultIdentityInUse = true;
    }
    config.concurrency = std::max<std::size_t>(1, config.concurrency);
    inFlightLimit = config.inFlightLimit > 0 ? std::max(config.inFlightLimit, config.concurrency)
                                             : 64 * config.concurrency;
    lowWater = std::max(config.concurrency, inFlightLimit / 4);
    if (config.leaseFile.empty()) config.leaseFile = SyncLease::lock_file_for(db.path());
    // Inside the loop's transaction, what must be undoable on its own (the claim, under its
    // savepoint; a statement that changes several rows) first copies every page it changes into
    // the statement journal: a temporary FILE by default, written through the kernel. That was
    // 14-28% of the loop's CPU in a drain, the more the busier the machine
    // (sync_outbox_turn_bench: 19.9 -> 17.2 us per item at load 3, 27 -> 19.5 at load 5-7). In
    // memory it is a few hundred KiB per turn, and the copied pages (bodies that may still hold
    // personal fields) never reach a temporary file on disk.
    if (auto r = db.exec("PRAGMA temp_store=MEMORY;"); !r.ok()) {
      spdlog::warn("replicator: temp_store=MEMORY not set: {}", r.error().message);
    }
  }

  enum class LeaseState { Held, Busy, Failed };

  // Takes the lease if this replicator does not hold it yet; on taking it, heals what a crashed
  // holder left SENDING (only the holder may: the items are its to send).
  LeaseState ensureLease() {
    if (lease) return LeaseState::Held;
    auto got = SyncLease::try_acquire(config.leaseFile);
    if (!got.ok()) {
      noteError("SYNC_LOCK_UNAVAILABLE");
      spdlog::error("replicator: {}", got.error().message);
      return LeaseState::Failed;
    }
    if (!got.value()) {
      std::lock_guard lock(statusMu);
      status.anotherProcessSyncing = true;
      return LeaseState::Busy;
    }
    lease = std::move(got).value();
    {
      std::lock_guard lock(statusMu);
      status.anotherProcessSyncing = false;
    }
    requeueAfterCrash();
    return LeaseState::Held;
  }

  void startWorkers() {
    if (!workers.empty()) return;
    for (std::size_t i = 0; i < config.concurrency; ++i) {
      workers.emplace_back([this] { workerMain(); });
    }
  }

  void workerMain() {
    HttpClient client(config.http);
    for (;;) {
      OutboxItem item;
      {
        std::unique_lock lock(mu);
        workCv.wait(lock, [&] { return stopping || !jobs.empty(); });
        // Stopping: jobs not yet sent stay for drainInFlight() to put back in the queue.
        if (stopping) return;
        item = std::move(jobs.front());
        jobs.pop_front();
      }
      HttpRequest req;
      req.method = item.method == "GET" ? HttpMethod::Get : HttpMethod::Post;
      req.path = item.path;
      req.body = item.body;
      req.idempotencyKey = item.idempotency_key;  // always the item's own key
      // The body is parsed once, for the identity and for judging the reply.
      const nlohmann::json request = parse_outside_json(item.body);
      req.identity = defaultIdentityInUse ? identityOf(item, request) : config.identity(item);
      HttpOutcome outcome = client.send(req);
      AckVerdict verdict;
      if (outcome.ok()) verdict = judgeAcknowledgement(item, request, outcome.body);
      bool wake = false;
      {
        std::lock_guard lock(mu);
        results.push_back({std::move(item), std::move(outcome), std::move(verdict)});
        // Wake the loop only when it can act: the first reply of a batch, a full batch, or the
        // workers running low (see turn()); every other reply would only be a context switch.
        wake = results.size() == 1 || results.size() >= inFlightLimit / 2 ||
               jobs.size() < lowWater || stopping;
      }
      if (wake) resultCv.notify_all();
    }
  }

  void stopWorkers() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    workCv.notify_all();
    resultCv.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
  }

  // -------------------------------------------------------------------------------------------
  // 4. Impl: the loop
  // -------------------------------------------------------------------------------------------

  void noteError(const std::string& code) {
    std::lock_guard lock(statusMu);
    status.lastError = sanitize_error_code(code);
    status.lastErrorAt = now();
  }

  void noteReached(const HttpOutcome& o) {
    std::lock_guard lock(statusMu);
    // A reply that was cut off or refused unread (too large, nested too deep) did not come from
    // a backend that speaks the contract.
    status.online = o.status > 0 && o.status < 500 && o.transportError.empty();
    if (o.ok()) status.lastSuccessAt = now();
  }

  // Records one reply in `tx` (the turn's batch). Only a 2xx reply makes an item ACKED.
  DbResult<void> mark(Transaction& tx, Result& r) {
    const HttpOutcome& o = r.outcome;
    const Timestamp t = now();
    noteReached(o);
    DbResult<void> marked;
    switch (o.outcome) {
      case OutcomeClass::Success: {
        const AckVerdict& verdict = r.verdict;
        if (verdict.acknowledged) {
          const std::optional<std::string_view> reply =
              reply_is_kept(r.item.kind) ? std::optional<std::string_view>{o.body} : std::nullopt;
          marked = outbox.mark_acked(tx, r.item.id, static_cast<int>(o.status), reply, t);
          std::lock_guard lock(statusMu);
          ++status.acked;
          break;
        }
        // Not the backend's acknowledgement (a portal, a proxy, another id's body): the item is
        // not acked; sent again later with its own key.
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        const auto delay = backoffDelay(config.retry, r.item.attempts, o.retryAfter, unit);
        marked =
            outbox.mark_retry(tx, r.item.id, t + delay, verdict.code, static_cast<int>(o.status));
        spdlog::warn("replicator: {} {}: a {} that is not the contract's acknowledgement ({}: {})",
                     to_string(r.item.kind), r.item.idempotency_key, o.status, verdict.code,
                     verdict.detail);
        std::lock_guard lock(statusMu);
        status.online = false;
        ++status.retried;
        status.lastError = verdict.code;
        status.lastErrorAt = t;
        break;
      }
      case OutcomeClass::BusinessRefusal:
      case OutcomeClass::NotFound: {
        ApiError e = o.error.value_or(ApiError{o.code(), "", "", {}, {}, ""});
        if (e.correlationId.empty()) e.correlationId = config.identity(r.item).correlationId;
        auto recorded = postingErrors.record(tx, r.item.id, static_cast<int>(o.status), e, t);
        if (!recorded.ok())
          spdlog::warn("replicator: posting error not recorded: {}", recorded.error().message);
        marked = outbox.mark_rejected(
            tx, r.item.id,
            OutboxRejection{e.errorCode, e.correlationId, static_cast<int>(o.status)}, t);
        noteError(e.errorCode);
        spdlog::warn("replicator: {} {} refused {} ({}) corr={}", to_string(r.item.kind),
                     r.item.idempotency_key, o.status, sanitize_error_code(e.errorCode),
                     e.correlationId);
        break;
      }
      case OutcomeClass::NotModified:
      case OutcomeClass::ConfigurationProblem: {
        marked = outbox.mark_retry(
            tx, r.item.id, t, o.code(),
            o.status > 0 ? std::optional<int>(static_cast<int>(o.status)) : std::nullopt);
        {
          std::lock_guard lock(statusMu);
          status.configurationProblem =
              o.status > 0 ? "HTTP_" + std::to_string(o.status) + " " + o.code() : o.code();
        }
        noteError(o.code());
        spdlog::error("replicator: configuration problem ({}): sending stopped", o.code());
        break;
      }
      case OutcomeClass::Retryable:
      case OutcomeClass::Ambiguous: {
        const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        const auto delay = backoffDelay(config.retry, r.item.attempts, o.retryAfter, unit);
        marked = outbox.mark_retry(
            tx, r.item.id, t + delay, o.code(),
            o.status > 0 ? std::optional<int>(static_cast<int>(o.status)) : std::nullopt);
        std::lock_guard lock(statusMu);
        ++status.retried;
        if (o.outcome == OutcomeClass::Ambiguous) ++status.ambiguous;
        status.lastError = sanitize_error_code(o.code());
        status.lastErrorAt = t;
        break;
      }
    }
    if (!marked.ok()) {
      // The item stays SENDING; requeue_sending() at the next start sends it again (same key).
      spdlog::error("replicator: outbox update failed: {}", marked.error().message);
    }
    return marked;
  }

  // Marks every reply in `done` and, when claimLimit > 0, claims the next items, all in ONE
  // transaction: one commit (one fsync under synchronous=FULL) per turn rather than one per item.
  // If that commit fails, every item of the batch is still SENDING (requeue_sending() at the next
  // start sends it again with its own key) and the claimed items are not sent. Returns the items
  // to send.
  std::deque<OutboxItem> markAndClaim(std::deque<Result>& done, std::size_t claimLimit) {
    std::deque<OutboxItem> claimed;  // no single large block (see the claim below)
    if (done.empty() && claimLimit == 0) return claimed;
    // These are back (whether or not their marks commit): their streams are no longer busy.
    for (const auto& r : done) busyStreams.erase(r.item.stream);
    auto tx = db.begin();
    if (!tx.ok()) {
      spdlog::error("replicator: outbox transaction not started: {}", tx.error().message);
      noteError("OUTBOX_UNAVAILABLE");
    } else {
      for (auto& r : done) (void)mark(tx.value(), r);
      // After the marks, so the claim sees the items they let through (the next of a stream)
      // and a configuration problem they recorded stops it.
      if (claimLimit > 0 && !configurationStopped() && !isStopping()) {
        // In chunks, all in this transaction: a claim of hundreds of items is a vector of over
        // 64 KiB, and freeing one makes glibc consolidate every small free chunk (the loop's
        // thread spent more time there than in SQLite). Items the first chunks claimed are
        // SENDING, so the next chunk's read starts after them and finds a stream's next item
        // exactly as one read would: not yet (its predecessor is not ACKED).
        const Timestamp at = now();
        while (claimed.size() < claimLimit) {
          const std::size_t want = std::min(kClaimChunk, claimLimit - claimed.size());
          auto got = outbox.claim(tx.value(), want, at, &busyStreams);
          if (!got.ok()) {
            noteError("OUTBOX_UNAVAILABLE");
            break;
          }
          for (auto& item : got.value()) {
            busyStreams.insert(item.stream);
            claimed.push_back(std::move(item));
          }
          if (got.value().size() < want) break;
        }
      }
      if (auto c = tx.value().commit(); !c.ok()) {
        spdlog::error("replicator: outbox batch not committed ({} repl(ies), {} claim(s)): {}",
                      done.size(), claimed.size(), c.error().message);
        noteError("OUTBOX_UNAVAILABLE");
        for (const auto& item : claimed) busyStreams.erase(item.stream);
        claimed.clear();
      } else {
        std::lock_guard lock(statusMu);
        ++status.commits;
      }
    }
    // After the commit: "after each outcome is recorded".
    if (config.onOutcome) {
      for (const auto& r : done) config.onOutcome(r.item, r.outcome);
    }
    return claimed;
  }

  bool configurationStopped() const {
    std::lock_guard lock(statusMu);
    return status.configurationProblem.has_value();
  }

  void refreshStats() {
    auto stats = outbox.stats();
    if (!stats.ok()) return;
    std::lock_guard lock(statusMu);
    status.queueDepth = stats.value().depth;
    status.rejected = stats.value().rejected;
    status.needsAttention = stats.value().needs_attention;
    status.held = stats.value().held;
    if (stats.value().oldest_queued_at) {
      status.oldestUnsentAge = std::chrono::duration_cast<std::chrono::milliseconds>(
          now() - *stats.value().oldest_queued_at);
    } else {
      status.oldestUnsentAge.reset();
    }
  }

  // One turn: mark what came back, claim what is due, pull if it is time. Returns whether
  // anything is still pending (queued or sending).
  bool turn(std::chrono::milliseconds wait) {
    std::deque<Result> done;
    {
      std::unique_lock lock(mu);
      if (results.empty() && !woken) {
        resultCv.wait_for(lock, wait, [&] { return !results.empty() || woken || stopping; });
      }
      // Group the replies of several workers' turns into one commit while the workers still
      // have queued work (so waiting costs them nothing); commit at once when they run low.
      if (!results.empty() && !stopping && config.ackWindow.count() > 0) {
        resultCv.wait_for(lock, config.ackWindow, [&] {
          return stopping || results.size() >= inFlightLimit / 2 || jobs.size() < lowWater;
        });
      }
      woken = false;
      done.swap(results);
    }
    std::size_t free = 0;
    {
      std::lock_guard lock(mu);
      // The replies in `done` are marked below, in the same transaction as the claim.
      free = inFlightLimit - (inFlight - done.size());
    }
    auto claimed = markAndClaim(done, free);
    const bool claimedAny = !claimed.empty();
    {
      std::lock_guard lock(mu);
      inFlight -= done.size();
      inFlight += claimed.size();
      for (auto& item : claimed) jobs.push_back(std::move(item));
    }
    if (claimedAny) workCv.notify_all();
    maybePull();
    // The outbox's counts scan the unacked rows: at most a few times a second, and only when
    // nothing is in flight is the emptiness question asked of the database.
    const auto t = std::chrono::steady_clock::now();
    if (t >= nextStats) {
      refreshStats();
      nextStats = t + std::chrono::milliseconds(200);
    }
    {
      std::lock_guard lock(mu);
      if (inFlight > 0 || claimedAny) return true;
    }
    // Pending: what can still be sent (the held items cannot until a supervisor resolves).
    auto stats = outbox.stats();
    if (!stats.ok()) return true;
    return stats.value().queued - stats.value().held + stats.value().sending > 0;
  }

  bool isStopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  void loopMain() {
    while (!isStopping()) {
      if (ensureLease() != LeaseState::Held) {
        // Another replicator sends: look again at the next poll.
        std::unique_lock lock(mu);
        resultCv.wait_for(lock, config.idlePoll, [&] { return stopping; });
        continue;
      }
      turn(config.idlePoll);
    }
    drainInFlight();
  }

  // After the workers stopped: record the replies they brought back, and put the items they
  // never sent back in the queue (due now), in one transaction.
  void drainInFlight() {
    std::deque<Result> done;
    std::deque<OutboxItem> unsent;
    {
      std::lock_guard lock(mu);
      done.swap(results);
      unsent.swap(jobs);
      inFlight -= done.size() + unsent.size();
    }
    busyStreams.clear();  // nothing is in flight after this
    if (done.empty() && unsent.empty()) return;
    auto tx = db.begin();
    if (!tx.ok()) {
      spdlog::error("replicator: outbox transaction not started: {}", tx.error().message);
      return;  // still SENDING: requeued by the next holder of the lease
    }
    for (auto& r : done) (void)mark(tx.value(), r);
    for (const auto& item : unsent) {
      (void)outbox.mark_retry(tx.value(), item.id, now(), "NOT_SENT", std::nullopt);
    }
    if (auto c = tx.value().commit(); !c.ok()) {
      spdlog::error("replicator: outbox batch not committed: {}", c.error().message);
    }
    if (config.onOutcome) {
      for (const auto& r : done) config.onOutcome(r.item, r.outcome);
    }
  }

  void requeueAfterCrash() {
    auto requeued = outbox.requeue_sending(now());
    if (requeued.ok() && requeued.value() > 0) {
      spdlog::info("replicator: {} item(s) left SENDING by a stop are queued again",
                   requeued.value());
    }
  }

  // -------------------------------------------------------------------------------------------
  // 5. Impl: snapshot pulls
  // -------------------------------------------------------------------------------------------

  void maybePull() {
    bool requested = false;
    {
      std::lock_guard lock(mu);
      requested = pullRequested;
      pullRequested = false;
    }
    const auto t = std::chrono::steady_clock::now();
    const bool due = config.pull == SnapshotPull::Periodic && t >= nextPull;
    if (!requested && !due) return;
    if (configurationStopped()) return;
    nextPull = t + config.pullInterval;
    pull();
  }

  // GET with If-None-Match; stores the answer under `key`. False when the pull should stop.
  bool pullOne(const std::string& path, const std::string& key, bool notFoundIsUnconfigured,
               const SnapshotValidator& validator) {
    if (!pullClient) pullClient.emplace(config.http);
    auto cached = snapshots.find(key);
    HttpRequest req;
    req.method = HttpMethod::Get;
    req.path = path;
    req.identity.correlationId = "pull-" + generateSpanId();
    if (cached.ok() && cached.value() && cached.value()->presence == SnapshotPresence::Present) {
      req.ifNoneMatch = cached.value()->etag;
    }
    HttpOutcome o = pullClient->send(req);
    noteReached(o);
    const Timestamp t = now();
    switch (o.outcome) {
      case OutcomeClass::Success: {
        // Replaces the cached snapshot only when the new one is the contract's shape.
        auto stored =
            snapshots.put_if_valid({key, SnapshotPresence::Present, o.etag, o.body, t}, validator);
        if (stored.ok() && !stored.value().stored) {
          noteError("SNAPSHOT_MALFORMED");
          spdlog::warn("replicator: snapshot {} refused, the cached one kept: {}", key,
                       stored.value().refusal);
          std::lock_guard lock(statusMu);
          status.refusedSnapshots.push_back(key);
        }
        return true;
      }
      case OutcomeClass::NotModified:
        (void)snapshots.touch(key, t);
        return true;
      case OutcomeClass::NotFound:
        if (notFoundIsUnconfigured) {
          (void)snapshots.put({key, SnapshotPresence::Unconfigured, "", "", t});
          return true;
        }
        noteError(o.code());
        return true;
      case OutcomeClass::ConfigurationProblem: {
        std::lock_guard lock(statusMu);
        status.configurationProblem = o.code();
        status.lastError = sanitize_error_code(o.code());
        status.lastErrorAt = t;
        return false;
      }
      default:
        noteError(o.code());
        return false;  // backend unavailable: try at the next pull
    }
  }

  template <class P>
  static SnapshotValidator validating(P parse) {
    return [parse](std::string_view body) {
      auto parsed = parse(body);
      return parsed.value ? std::string{} : parsed.error;
    };
  }

  void pull() {
    {
      std::lock_guard lock(statusMu);
      status.refusedSnapshots.clear();
    }
    if (!pullOne("/billing/terminal/roster", "roster", false, validating(parseRoster))) return;
    if (!pullOne("/billing/meta/reason-codes?category=PO_OVERRIDE", "reason-codes/PO_OVERRIDE",
                 false, validating(parseReasonCodes))) {
      return;
    }
    if (!pullOne("/billing/meta/reason-codes?category=REPRINT", "reason-codes/REPRINT", false,
                 validating(parseReasonCodes))) {
      return;
    }
    pullInvoices();
    // Rules for every account in the invoice cache; 404 = unconfigured (kept as such).
    std::set<std::string> accounts;
    auto cached = snapshots.list("invoice/");
    if (cached.ok()) {
      for (const auto& s : cached.value()) {
        auto inv = parse_outside_json(s.body);
        if (inv.is_object() && inv.contains("customerAccountId") &&
            inv["customerAccountId"].is_string()) {
          accounts.insert(inv["customerAccountId"].get<std::string>());
        }
      }
    }
    for (const auto& account : accounts) {
      if (!pullOne("/billing/rules/" + urlEncode(account), "rules/" + account, true,
                   validating(parseBillingRules))) {
        return;
      }
    }
    std::lock_guard lock(statusMu);
    status.lastPullAt = now();
  }

  void pullInvoices() {
    if (!pullClient) pullClient.emplace(config.http);
    auto cursor = snapshots.find("invoices.next");
    std::string path = "/billing/terminal/invoices";
    if (cursor.ok() && cursor.value()) path += "?updatedSince=" + urlEncode(cursor.value()->body);
    HttpRequest req;
    req.path = path;
    req.identity.correlationId = "pull-" + generateSpanId();
    HttpOutcome o = pullClient->send(req);
    noteReached(o);
    if (!o.ok()) {
      if (o.outcome != OutcomeClass::NotModified) noteError(o.code());
      return;
    }
    auto feed = parse_outside_json(o.body);
    if (!feed.is_object() || !feed.contains("invoices") || !feed["invoices"].is_array() ||
        !feed.contains("next") || !feed["next"].is_string()) {
      noteError("SNAPSHOT_MALFORMED");
      return;
    }
    const Timestamp t = now();
    auto tx = db.begin();
    if (!tx.ok()) return;
    for (const auto& inv : feed["invoices"]) {
      if (!inv.is_object() || !inv.contains("invoiceId") || !inv["invoiceId"].is_string() ||
          inv["invoiceId"].get_ref<const std::string&>().empty()) {
        noteError("SNAPSHOT_MALFORMED");  // no key to keep it under: nothing replaced
        continue;
      }
      (void)snapshots.put({"invoice/" + inv["invoiceId"].get<std::string>(),
                           SnapshotPresence::Present, "", inv.dump(), t});
    }
    (void)snapshots.put(
        {"invoices.next", SnapshotPresence::Present, o.etag, feed["next"].get<std::string>(), t});
    (void)tx.value().commit();
  }

  static std::string urlEncode(std::string_view s) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
      }
    }
    return out;
  }
};

// ---------------------------------------------------------------------------------------------
// 6. Replicator
// ---------------------------------------------------------------------------------------------

Replicator::Replicator(Database db, ReplicatorConfig config)
    : impl_(std::make_unique<Impl>(std::move(db), std::move(config))) {}

Replicator::~Replicator() {
  stop();
}

void Replicator::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->stopping = false;
  // The lease (and the requeue of what a crash left SENDING) is taken by the loop.
  impl_->startWorkers();
  impl_->loopThread = std::thread([this] { impl_->loopMain(); });
}

void Replicator::stop() {
  if (!impl_->started) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->resultCv.notify_all();
  if (impl_->loopThread.joinable()) impl_->loopThread.join();
  impl_->stopWorkers();
  impl_->drainInFlight();
  impl_->lease.reset();
  impl_->started = false;
}

void Replicator::wake() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->woken = true;
  }
  impl_->resultCv.notify_all();
}

void Replicator::pullNow() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->pullRequested = true;
    impl_->woken = true;
  }
  impl_->resultCv.notify_all();
}

void Replicator::resume() {
  {
    std::lock_guard lock(impl_->statusMu);
    impl_->status.configurationProblem.reset();
  }
  wake();
}

DrainResult Replicator::drain(std::chrono::steady_clock::duration timeout) {
  auto& impl = *impl_;
  const auto finish = [&](DrainResult r) {
    std::lock_guard lock(impl.statusMu);
    impl.status.lastDrain = r;
    return r;
  };
  if (impl.started) return finish(DrainResult::AnotherProcessSyncing);  // the thread sends
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  impl.stopping = false;
  for (;;) {
    const auto state = impl.ensureLease();
    if (state == Impl::LeaseState::Held) break;
    if (state == Impl::LeaseState::Failed) return finish(DrainResult::StorageProblem);
    if (impl.config.leaseWait == LeaseWait::ReportBusy ||
        std::chrono::steady_clock::now() >= deadline) {
      return finish(DrainResult::AnotherProcessSyncing);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  impl.startWorkers();
  bool finished = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!impl.turn(std::chrono::milliseconds(20))) {
      finished = true;
      break;
    }
    if (impl.configurationStopped()) break;
  }
  impl.stopWorkers();
  impl.drainInFlight();
  impl.refreshStats();
  impl.lease.reset();
  const ReplicatorStatus st = status();
  if (st.configurationProblem) return finish(DrainResult::ConfigurationProblem);
  if (finished) {
    return finish(st.needsAttention > 0 ? DrainResult::NeedsAttention : DrainResult::Empty);
  }
  return finish(st.online ? DrainResult::Unfinished : DrainResult::Unreachable);
}

bool Replicator::runUntilEmpty(std::chrono::steady_clock::duration timeout) {
  const DrainResult r = drain(timeout);
  return r == DrainResult::Empty || r == DrainResult::NeedsAttention;
}

ReplicatorStatus Replicator::status() const {
  std::lock_guard lock(impl_->statusMu);
  return impl_->status;
}

}  // namespace pos::sync
