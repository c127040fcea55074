// The replicator: sends the outbox to the billing backend and pulls the offline snapshots.
//
// Sections: 1. SnapshotStore (a table of its own, component "sync_replicator")
//           2. PostingErrors (the detail of a refusal, shown only with detail:view)
//           3. ReplicatorConfig, ReplicatorStatus
//           4. Replicator
//
// Outcomes (see HttpClient's OutcomeClass):
//   2xx              -> ACKED, the backend's body kept.
//   409/422/423/404  -> REJECTED (needs attention): the sanitized code and the correlation id in
//                       the outbox; the whole error body in sync_posting_error, shown only to users
//                       with billing:posting-error:detail:view (BILL-DEC-014).
//   400/401/403, TLS -> the item goes back to QUEUED and sending STOPS: a configuration problem
//                       (token, permissions, certificate) that no retry fixes. resume() restarts.
//   408/429/5xx, transport failures, ambiguous outcomes
//                    -> QUEUED again after a capped exponential back-off with full jitter, never
//                       earlier than Retry-After; always with the item's own idempotency key.
//
// Threads: one replicator thread owns its Database connection (give it a connection of its own;
// SQLite in WAL lets the app write meanwhile) and claims at most one item per stream, so a
// stream's order holds; `concurrency` worker threads, each with its own HttpClient (keep-alive),
// send the claimed items. A crash while SENDING is healed at start by requeue_sending(): the
// item is sent again with the same key and the backend answers with its first response.
//
// Commits: each turn of the replicator thread records every reply that came back (the outbox
// mark, and for a refusal its sync_posting_error row) and claims the next items in ONE
// transaction, so a drain costs one commit (one fsync) per turn, not one per item. An item is
// marked ACKED only once its 2xx reply is in hand; if the turn's commit fails, the whole batch is
// still SENDING and is healed at the next start as above, and the items it claimed are not sent.
#pragma once

#include <pos/sync/db.hpp>
#include <pos/sync/http_client.hpp>
#include <pos/sync/outbox.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. SnapshotStore
// ---------------------------------------------------------------------------------------------

// Keys: "roster", "reason-codes/PO_OVERRIDE", "reason-codes/REPRINT", "rules/<accountId>",
// "invoice/<invoiceId>", and the feed cursor "invoices.next" (body = the time text).
enum class SnapshotPresence {
  Present,       // body holds the backend's JSON
  Unconfigured,  // the backend answered 404 (rules: unconfigured; see the contract)
};

struct Snapshot {
  std::string key;
  SnapshotPresence presence = SnapshotPresence::Present;
  std::string etag;
  std::string body;
  Timestamp fetchedAt{};
};

class SnapshotStore {
 public:
  // Component "sync_replicator": pass these with the outbox's and the ledger's to Database::open.
  [[nodiscard]] static std::span<const Migration> migrations() noexcept;

  explicit SnapshotStore(Database& db) noexcept : db_(&db) {}

  DbResult<std::optional<Snapshot>> find(std::string_view key);
  // Every snapshot whose key starts with `prefix` ("invoice/", "rules/").
  DbResult<std::vector<Snapshot>> list(std::string_view prefix);
  DbResult<void> put(const Snapshot& snapshot);
  // A 304 keeps the body and only refreshes the fetch time.
  DbResult<void> touch(std::string_view key, Timestamp fetchedAt);

 private:
  Database* db_;
};

// ---------------------------------------------------------------------------------------------
// 2. PostingErrors
// ---------------------------------------------------------------------------------------------

enum class PostingErrorAccess {
  Sanitized,   // code, status and correlation id only
  WithDetail,  // the caller has checked billing:posting-error:detail:view
};

struct PostingError {
  std::int64_t outboxId = 0;
  int httpStatus = 0;
  std::string errorCode;
  std::string correlationId;
  std::optional<ApiError> detail;  // only with PostingErrorAccess::WithDetail
  Timestamp recordedAt{};
};

class PostingErrors {
 public:
  explicit PostingErrors(Database& db) noexcept : db_(&db) {}
  DbResult<void> record(std::int64_t outboxId, int httpStatus, const ApiError& error,
                        Timestamp now);
  // The same in the caller's transaction (the replicator's batch): committed or rolled back
  // with the outbox mark that goes with it.
  DbResult<void> record(Transaction& tx, std::int64_t outboxId, int httpStatus,
                        const ApiError& error, Timestamp now);
  DbResult<std::optional<PostingError>> find(std::int64_t outboxId, PostingErrorAccess access);

 private:
  Database* db_;
};

// ---------------------------------------------------------------------------------------------
// 3. ReplicatorConfig, ReplicatorStatus
// ---------------------------------------------------------------------------------------------

enum class SnapshotPull { Periodic, Off };

struct RetryPolicy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{60'000};
};

// What an outbox item is sent with besides its body. The default (RequestIdentity for the
// stream): correlation id = the stream (the checkout id), a trace id derived from the stream (one
// trace per checkout, stable across restarts), operator = the body's capturedByUserId /
// requestedByUserId. The app may supply the checkout's own correlation id and trace instead.
using IdentityResolver = std::function<RequestIdentity(const OutboxItem&)>;
RequestIdentity defaultIdentity(const OutboxItem& item);

struct ReplicatorConfig {
  HttpClientConfig http;
  std::size_t concurrency = 4;
  RetryPolicy retry;
  SnapshotPull pull = SnapshotPull::Periodic;
  std::chrono::seconds pullInterval{300};
  std::chrono::milliseconds idlePoll{250};  // how often an idle replicator looks for new items
  IdentityResolver identity;                // empty: defaultIdentity
  // Called on the replicator thread after each outcome is recorded (metrics, benchmarks).
  std::function<void(const OutboxItem&, const HttpOutcome&)> onOutcome;
};

struct ReplicatorStatus {
  bool online = false;  // the last exchange reached the backend (any HTTP status but 5xx)
  std::optional<std::string> configurationProblem;  // code; sending is stopped until resume()
  std::int64_t queueDepth = 0;                      // not ACKED (queued, sending, rejected)
  std::int64_t rejected = 0;
  std::optional<std::chrono::milliseconds> oldestUnsentAge;
  std::optional<std::string> lastError;  // sanitized code
  std::optional<Timestamp> lastErrorAt;
  std::optional<Timestamp> lastSuccessAt;
  std::optional<Timestamp> lastPullAt;
  std::int64_t acked = 0;  // counts since start
  std::int64_t retried = 0;
  std::int64_t ambiguous = 0;
};

// The delay before attempt `attempts + 1`: uniform in [0, min(cap, base * 2^(attempts-1))]
// (full jitter), and never less than Retry-After. `unit` is a uniform draw in [0, 1).
std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, int attempts,
                                       std::optional<std::chrono::seconds> retryAfter, double unit);

// ---------------------------------------------------------------------------------------------
// 4. Replicator
// ---------------------------------------------------------------------------------------------

class Replicator {
 public:
  // `db` must be a connection of its own (opened with Outbox's and SnapshotStore's migrations
  // and whatever else the file holds); the replicator uses it from its thread only.
  Replicator(Database db, ReplicatorConfig config);
  ~Replicator();  // stops the thread
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  void start();  // the background thread; requeues items left SENDING by a crash
  void stop();   // waits for the in-flight requests to end (bounded by the HTTP time-outs)
  void wake();   // something was enqueued: look now rather than at the next poll
  void pullNow();
  void resume();  // after fixing a configuration problem

  // Runs the loop in the calling thread until nothing is QUEUED or SENDING (REJECTED items do
  // not count) or the deadline; true when empty. For `pos-terminal sync --until-empty`.
  bool runUntilEmpty(std::chrono::steady_clock::duration timeout);

  ReplicatorStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pos::sync
