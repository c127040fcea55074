// The replicator: sends the outbox to the billing backend and pulls the offline snapshots.
//
// Sections: 1. SnapshotStore (a table of its own, component "sync_replicator")
//           2. PostingErrors (the detail of a refusal, shown only with detail:view)
//           3. ReplicatorConfig, ReplicatorStatus
//           4. Replicator
//
// Outcomes (see HttpClient's OutcomeClass):
//   2xx with the contract's success body for that item (checkAcknowledgement: the right fields,
//   the same id)     -> ACKED, the backend's body kept.
//   2xx with anything else (a captive portal's HTML, `null`, another id's body)
//                    -> NOT acked: QUEUED again after the back-off below, code ACK_MALFORMED or
//                       ACK_ID_MISMATCH, and the status says offline. Retryable rather than a
//                       configuration problem: it is the network path of the moment (a portal
//                       waiting for a login, a misrouted proxy), no setting of the terminal fixes
//                       it, and sending again with the same idempotency key is harmless.
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
// Commits: the replicator thread records the replies that came back (the outbox mark, and for a
// refusal its sync_posting_error row) and claims the next items in ONE transaction. It claims
// ahead (up to inFlightLimit items, at most one per stream) so the workers keep sending while it
// commits, and it lets the replies of several workers' turns gather (up to ackWindow, while the
// workers still have a quarter of that window queued) before one commit: a drain costs one
// fsync per batch, not one per item. An item is marked ACKED only once its reply is in hand; if a commit fails, the whole
// batch is still SENDING and is healed at the next start as above, and the items it claimed are
// not sent. Per-stream order holds because a stream's next item is claimable only once the one
// before is ACKED (committed), and exactly-once in effect because every resend carries the
// item's own idempotency key.
//
// One replicator at a time (SyncLease): a replicator sends only while it holds the lease on its
// database; one that cannot get it reports AnotherProcessSyncing (drain) or keeps waiting for it
// (start). Items left SENDING are requeued only by the holder of the lease.
#pragma once

#include <pos/sync/db.hpp>
#include <pos/sync/http_client.hpp>
#include <pos/sync/outbox.hpp>
#include <pos/sync/sync_lease.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
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

// Checks a snapshot's body before it may replace the cached one: empty when valid, else why
// not (a short reason for logs, never the body).
using SnapshotValidator = std::function<std::string(std::string_view body)>;

struct SnapshotPutResult {
  bool stored = false;
  std::string refusal;  // when not stored: why (the cached snapshot was left as it was)
};

struct SnapshotVerification {
  std::int64_t rows_checked = 0;
  std::vector<std::string> broken_keys;  // rows whose digest does not match
  [[nodiscard]] bool sound() const noexcept { return broken_keys.empty(); }
};

// Integrity: each row carries a SHA-256 over key, presence, etag, body and fetch time (written by
// put/touch). find() and list() refuse a row that does not match it (DbErrorCode::Corrupt: the
// cache is damaged or was edited, pull again); verify() lists every such row.
class SnapshotStore {
 public:
  // Component "sync_replicator": pass these with the outbox's and the ledger's to Database::open.
  [[nodiscard]] static std::span<const Migration> migrations() noexcept;

  explicit SnapshotStore(Database& db) noexcept : db_(&db) {}

  DbResult<std::optional<Snapshot>> find(std::string_view key);
  // Every snapshot whose key starts with `prefix` ("invoice/", "rules/").
  DbResult<std::vector<Snapshot>> list(std::string_view prefix);
  // Unconditional (the demo seed, and callers that validated already).
  DbResult<void> put(const Snapshot& snapshot);
  // Replaces the cached snapshot only when the new body passes: bounded nesting (integrity.hpp)
  // and `validator` (for a Present snapshot). Refused: stored=false with the reason, and the
  // cached one is untouched, so a bad pull (HTML, an out-of-bounds roster) never replaces a good
  // snapshot. The database error only when writing failed.
  DbResult<SnapshotPutResult> put_if_valid(const Snapshot& snapshot,
                                           const SnapshotValidator& validator);
  // A 304 keeps the body and only refreshes the fetch time (of an intact row).
  DbResult<void> touch(std::string_view key, Timestamp fetchedAt);
  // Every row against its digest.
  DbResult<SnapshotVerification> verify();

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

enum class LeaseWait {
  ReportBusy,     // drain(): return AnotherProcessSyncing at once
  UntilDeadline,  // drain(): wait for the other replicator to finish, up to the time-out
};

struct ReplicatorConfig {
  HttpClientConfig http;
  std::size_t concurrency = 4;
  // Items claimed and not yet recorded (sending or queued for a worker); 0: 64 x concurrency.
  std::size_t inFlightLimit = 0;
  // How long replies may gather before their commit while the workers still have work.
  std::chrono::milliseconds ackWindow{5};
  std::filesystem::path leaseFile;  // empty: SyncLease::lock_file_for(the database's path)
  LeaseWait leaseWait = LeaseWait::ReportBusy;
  RetryPolicy retry;
  SnapshotPull pull = SnapshotPull::Periodic;
  std::chrono::seconds pullInterval{300};
  std::chrono::milliseconds idlePoll{250};  // how often an idle replicator looks for new items
  IdentityResolver identity;                // empty: defaultIdentity
  // Called on the replicator thread after each outcome is recorded (metrics, benchmarks).
  std::function<void(const OutboxItem&, const HttpOutcome&)> onOutcome;
};

// How a drain ended, for `pos-terminal sync`'s exit code.
enum class DrainResult {
  Empty,                  // nothing left to send
  NeedsAttention,         // nothing left that can be sent: items the backend refused need a
                          // supervisor (and what is held behind them)
  Unreachable,            // time-out with items left; the backend was not reached (or did not
                          // answer as the contract says: 5xx, a captive portal)
  Unfinished,             // time-out with items left while the backend answered (429, slow)
  ConfigurationProblem,   // sending stopped: token, permissions, TLS (see configurationProblem)
  AnotherProcessSyncing,  // another replicator (another process, or a started one in this
                          // process) holds the lease: nothing was sent
  StorageProblem,         // the database or the lease file could not be used
};
[[nodiscard]] std::string_view toString(DrainResult r) noexcept;

// Whether a 2xx reply acknowledges `item`: its body must be the contract's success body for
// the item's kind (billing-api.md): payment {"billingPaymentId" (the same), "status",
// "invoice": {...}}; po {"checkoutId" (the path's), "poNumber" (the same), "capturedAt"};
// delivery {"deliveryStatus"}; reprint {"reprintNumber", "reprintPolicy"}; receipt, po-override
// and offline-grant a JSON object. Wherever the body carries the id of what was created
// (receiptId, overrideId, offlineGrantId, deliveryId, reprintId) it must be the same id.
struct AckVerdict {
  bool acknowledged = false;
  std::string code;    // when not: "ACK_MALFORMED" or "ACK_ID_MISMATCH"
  std::string detail;  // which field (never values)
};
[[nodiscard]] AckVerdict checkAcknowledgement(const OutboxItem& item, std::string_view body);

struct ReplicatorStatus {
  bool online = false;  // the last exchange reached the backend (any HTTP status but 5xx) and
                        // a 2xx was the contract's body
  std::optional<std::string> configurationProblem;  // code; sending is stopped until resume()
  std::int64_t queueDepth = 0;                      // not ACKED (queued, sending, rejected)
  std::int64_t rejected = 0;
  std::int64_t needsAttention = 0;     // REJECTED, not resolved
  std::int64_t held = 0;               // queued behind an item that needs attention
  bool anotherProcessSyncing = false;  // the lease is held elsewhere (nothing is sent meanwhile)
  std::optional<DrainResult> lastDrain;
  std::vector<std::string> refusedSnapshots;  // keys a pull refused to store (last pull)
  std::optional<std::chrono::milliseconds> oldestUnsentAge;
  std::optional<std::string> lastError;  // sanitized code
  std::optional<Timestamp> lastErrorAt;
  std::optional<Timestamp> lastSuccessAt;
  std::optional<Timestamp> lastPullAt;
  std::int64_t acked = 0;    // counts since start
  std::int64_t commits = 0;  // outbox transactions committed (acks are grouped into few)
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
  // and whatever else the file holds); the replicator uses it from its thread only, and keeps
  // its statement journal in memory (PRAGMA temp_store=MEMORY: see replicator.cpp).
  Replicator(Database db, ReplicatorConfig config);
  ~Replicator();  // stops the thread
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  void start();  // the background thread; requeues items left SENDING by a crash
  void stop();   // waits for the in-flight requests to end (bounded by the HTTP time-outs)
  void wake();   // something was enqueued: look now rather than at the next poll
  void pullNow();
  void resume();  // after fixing a configuration problem

  // Runs the loop in the calling thread until nothing is left that can be sent (items that need
  // attention and the items held behind them do not count) or the deadline. For `pos-terminal
  // sync`. Takes the lease first (see LeaseWait). Not while start()ed: AnotherProcessSyncing.
  DrainResult drain(std::chrono::steady_clock::duration timeout);
  // drain() == Empty or NeedsAttention (kept for existing callers).
  bool runUntilEmpty(std::chrono::steady_clock::duration timeout);

  ReplicatorStatus status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pos::sync
