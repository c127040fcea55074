// The durable outbox: messages to the billing backend, written in the same transaction as the
// ledger rows they report, sent later by the replicator, each exactly once in effect.
//
// Sections:
//   1. kinds and states       OutboxKind (the CLI's `queue` names), OutboxState
//   2. OutboxMessage          what a writer enqueues
//   3. OutboxItem, entries    what the replicator claims and the CLI lists
//   4. needs attention         OutboxAttention, OutboxResolution (a supervisor's decision)
//   5. integrity               OutboxVerification
//   6. Outbox                 enqueue / claim / mark / retry / list / stats / resolve / verify
//
// Order: a stream is one checkout. Item n+1 of a stream is eligible only once every earlier
// item of that stream is ACKED, so the backend sees the PO capture before the override and the
// payment that follow it. A REJECTED item holds its stream until someone forces a retry: later
// items of that checkout would only be refused in turn (needs attention).
//
// Needs attention (the billing domain's policy for a payment the backend refuses: the money was
// taken at the counter, so the item is never deleted and never silently retried): a REJECTED
// item keeps its sanitized code, HTTP status and correlation id; the items after it in its stream
// are *held* (OutboxQueueEntry::held_behind names the item they wait behind); other streams flow.
// A supervisor resolves it: RETRY (once the backend is fixed: sent again, the held items after
// it) or ADJUSTED (the refund was recorded as a ledger adjustment, whose id is kept here: the
// item is never sent again and the held items go on). Each resolution is an append-only row.
//
// Integrity (a chain over the rows): each row stores body_digest = SHA-256 of the body as
// enqueued and link = SHA-256(previous row's link, kind, method, path, stream, seq, idempotency
// key, body_digest). claim() checks a row's link and body against its digests before it hands
// the row out: a row that does not verify is never sent; it becomes REJECTED with the code
// OUTBOX_TAMPERED (needs attention). verify() walks the whole chain. When an item is ACKED its
// body is released (its row of outbox_body deleted): the backend holds it, the ledger holds the
// facts it was made from, and the chain keeps the body's digest, so the row still verifies and
// nothing can be slipped in its place. (Rows acked before bodies were released keep their body,
// with personal fields stripped and a digest of its own, valid only on an ACKED row.) Unkeyed
// digests: they catch damage and edits made without recomputing them (see integrity.hpp for
// what they cannot catch).
//
// States: QUEUED -claim-> SENDING -> ACKED | REJECTED | QUEUED (retry later, attempts counted);
// QUEUED -claim-> REJECTED (OUTBOX_TAMPERED) for a row whose chain link does not verify.
// A crash while SENDING leaves the item SENDING: requeue_sending() at the replicator's start
// puts it back, and it is sent again with the same idempotency key (the backend answers a
// repeated key with its first response), never with a new one.
//
// Transactions: claim and the marks come in two forms. The plain one is its own transaction
// (one commit, so one fsync under synchronous=FULL). The one taking a Transaction& writes in the
// caller's transaction, so a caller can mark a whole batch of replies and claim the next items
// with one commit: if that commit fails, every item of the batch is still SENDING (healed by
// requeue_sending() as above), and nothing is half marked.
//
// Personal data: a body may hold some (a receipt delivery's emailAddress). It is never listed,
// shown or logged, and it is deleted with the ACK; the connection runs with secure_delete=ON, so
// the deleted cell is zeroed in its page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <pos/sync/db.hpp>

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. kinds and states
// ---------------------------------------------------------------------------------------------

enum class OutboxKind {
  Payment,       // "payment"        POST /billing/payments
  Receipt,       // "receipt"        POST /billing/receipts
  Po,            // "po"             POST /billing/checkout/{id}/po
  PoOverride,    // "po-override"    POST /billing/checkout/{id}/po-override
  OfflineGrant,  // "offline-grant"  POST /billing/auth/offline-grants
  Delivery,      // "delivery"       POST /billing/receipts/{id}/deliver
  Reprint,       // "reprint"        POST /billing/receipts/{id}/reprint
  kCount
};
[[nodiscard]] std::string_view to_string(OutboxKind kind) noexcept;
[[nodiscard]] std::optional<OutboxKind> parse_outbox_kind(std::string_view text) noexcept;
// Whether an acked item keeps the backend's 2xx reply. A payment's and a receipt's reply echo
// the item's ids (the replicator's acknowledgement check reads them before the ACK) and nothing
// reads them afterwards: 0.3 KB a payment, and the row's growth at the ACK split its page. The
// other kinds' replies say something kept (a delivery's status, BOUNCED included; a reprint's
// number).
[[nodiscard]] constexpr bool reply_is_kept(OutboxKind kind) noexcept {
  return kind != OutboxKind::Payment && kind != OutboxKind::Receipt;
}

enum class OutboxState {
  Queued,    // "QUEUED": waiting for its turn or its next attempt time
  Sending,   // "SENDING": claimed by the replicator
  Acked,     // "ACKED": the backend has it (2xx); response kept
  Rejected,  // "REJECTED": refused by a business rule (409/422): needs attention
  kCount
};
[[nodiscard]] std::string_view to_string(OutboxState state) noexcept;
[[nodiscard]] std::optional<OutboxState> parse_outbox_state(std::string_view text) noexcept;

// ---------------------------------------------------------------------------------------------
// 2. OutboxMessage
// ---------------------------------------------------------------------------------------------

struct OutboxMessage {
  std::string stream;  // the checkout id: one ordered stream per checkout
  OutboxKind kind = OutboxKind::Payment;
  std::string method = "POST";
  std::string path;             // "/billing/payments"
  std::string idempotency_key;  // the id of the thing created (a UUIDv7); unique in the outbox
  std::string body;             // JSON text, sent as is
  Timestamp created_at{};
};

// ---------------------------------------------------------------------------------------------
// 3. OutboxItem, OutboxQueueEntry, OutboxStats
// ---------------------------------------------------------------------------------------------

// A whole stored message, as the replicator sends it.
struct OutboxItem {
  std::int64_t id = 0;
  std::string stream;
  std::int64_t sequence = 0;  // 1, 2, 3... within the stream
  OutboxKind kind = OutboxKind::Payment;
  std::string method;
  std::string path;
  std::string idempotency_key;
  std::string body;  // empty once ACKED (released; the chain keeps its digest)
  Timestamp created_at{};
  OutboxState state = OutboxState::Queued;
  int attempts = 0;  // claims so far
  Timestamp next_attempt_at{};
  std::optional<std::string> last_error_code;  // sanitized: [A-Z0-9_.-], at most 64 chars
  std::optional<std::string> correlation_id;
  std::optional<int> http_status;            // of the last response
  std::optional<std::string> response_body;  // the backend's 2xx body once ACKED, if kept
  std::optional<Timestamp> acked_at;
};

// One line of the CLI's `queue` listing: no body (it may hold personal data until acked).
struct OutboxQueueEntry {
  std::int64_t id = 0;
  OutboxKind kind = OutboxKind::Payment;
  std::string stream;
  std::int64_t sequence = 0;
  OutboxState state = OutboxState::Queued;
  int attempts = 0;
  Timestamp created_at{};
  Timestamp next_attempt_at{};
  std::optional<std::string> last_error_code;
  std::optional<std::string> correlation_id;
  std::string idempotency_key;  // for a payment: the billingPaymentId
  std::optional<int> http_status;
  // Not ACKED, and an unresolved REJECTED item earlier in the same stream holds it: that item.
  std::optional<std::int64_t> held_behind;
  bool resolved = false;  // a REJECTED item a supervisor settled as ADJUSTED (never sent again)
};

struct OutboxStats {
  std::int64_t depth = 0;   // items not ACKED and not resolved (queued, sending, needs attention)
  std::int64_t queued = 0;  // including the held ones
  std::int64_t sending = 0;
  std::int64_t rejected = 0;                  // every REJECTED item, resolved or not
  std::int64_t needs_attention = 0;           // REJECTED and not resolved as ADJUSTED
  std::int64_t resolved = 0;                  // REJECTED and resolved as ADJUSTED
  std::int64_t held = 0;                      // QUEUED behind an item that needs attention
  std::optional<Timestamp> oldest_queued_at;  // created_at of the oldest item not ACKED
};

// What a 409/422 left behind: a code the advisor may see (BILL-DEC-014), never a message body.
struct OutboxRejection {
  std::string error_code;      // e.g. "AMOUNT_EXCEEDS_BALANCE"; sanitized on the way in
  std::string correlation_id;  // echoed by the backend; sanitized on the way in
  int http_status = 0;
};

enum class OutboxListing {
  Pending,  // everything not ACKED (what `queue` shows by default)
  All,
};

// ---------------------------------------------------------------------------------------------
// 4. needs attention
// ---------------------------------------------------------------------------------------------

// The code a row that fails its chain check is REJECTED with.
inline constexpr std::string_view kOutboxTampered = "OUTBOX_TAMPERED";

enum class OutboxResolutionKind {
  Retry,     // "RETRY": send it again (the backend was fixed)
  Adjusted,  // "ADJUSTED": settled by a ledger adjustment (adjustment_id); never sent again
  kCount
};
[[nodiscard]] std::string_view to_string(OutboxResolutionKind kind) noexcept;

struct OutboxResolution {
  OutboxResolutionKind kind = OutboxResolutionKind::Retry;
  std::string resolved_by;  // the supervisor's userId
  Timestamp resolved_at{};
  std::optional<std::string> adjustment_id;  // required for Adjusted: the ledger's adjustment row
};

struct OutboxResolutionRecord {
  std::int64_t id = 0;
  std::int64_t outbox_id = 0;
  OutboxResolution resolution;
};

// One item that needs attention, with what waits behind it in its stream.
struct OutboxAttention {
  OutboxQueueEntry item;  // state REJECTED; last_error_code, http_status, correlation_id
  std::vector<OutboxQueueEntry> held;
  std::vector<OutboxResolutionRecord> resolutions;  // earlier RETRYs that were refused again
};

enum class ResolveOutcome {
  Resolved,
  NotNeedingAttention,  // not REJECTED, or already resolved as ADJUSTED
  NoSuchItem,
};

// ---------------------------------------------------------------------------------------------
// 5. integrity
// ---------------------------------------------------------------------------------------------

struct OutboxVerification {
  std::int64_t rows_checked = 0;
  std::int64_t broken_rows = 0;
  std::optional<std::int64_t> first_broken_id;
  std::string problem;  // of the first broken row: which check failed (never row values)
  [[nodiscard]] bool sound() const noexcept { return broken_rows == 0; }
};

// ---------------------------------------------------------------------------------------------
// 6. Outbox
// ---------------------------------------------------------------------------------------------

class Outbox {
 public:
  // Component "outbox": pass these (with the ledger's) to Database::open.
  [[nodiscard]] static std::span<const Migration> migrations() noexcept;

  explicit Outbox(Database& db) noexcept : db_(&db) {}

  // Adds a message in the caller's transaction (committed or rolled back with the rows it
  // reports); returns its id. The sequence is the next of its stream. A body that is not JSON,
  // an empty stream, path or key: InvalidArgument. A key already queued: Constraint.
  DbResult<std::int64_t> enqueue(Transaction& tx, const OutboxMessage& message);

  // Marks up to `limit` eligible items SENDING (attempts + 1) and returns them, oldest first:
  // QUEUED, next attempt due at `now`, and every earlier item of the stream ACKED. At most one
  // item per stream is returned.
  DbResult<std::vector<OutboxItem>> claim(std::size_t limit, Timestamp now);
  // The same in the caller's transaction (see "Transactions" above): the items are SENDING only
  // once the caller commits; send them after that. A failure leaves none of them claimed.
  DbResult<std::vector<OutboxItem>> claim(Transaction& tx, std::size_t limit, Timestamp now);
  // A set of stream ids, looked up by string_view without a copy.
  struct StreamHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using StreamSet = std::unordered_set<std::string, StreamHash, std::equal_to<>>;
  // The same, skipping the items of `busy_streams`: streams the caller has an item of in flight
  // (claimed, its reply not yet recorded). No item of such a stream is eligible anyway (the one
  // in flight is not ACKED), so this only spares the claim reading their earlier rows; a stream
  // named here that is not in flight only waits. Null: none.
  DbResult<std::vector<OutboxItem>> claim(Transaction& tx, std::size_t limit, Timestamp now,
                                          const StreamSet* busy_streams);

  // SENDING -> ACKED, keeping the backend's response (nullopt: none kept, see reply_is_kept);
  // releases the body. Acking an item already ACKED is a no-op (a late duplicate). Other
  // states: StateConflict. Call it only once the 2xx reply has arrived.
  DbResult<void> mark_acked(std::int64_t id, int http_status,
                            std::optional<std::string_view> response_body, Timestamp now);
  DbResult<void> mark_acked(Transaction& tx, std::int64_t id, int http_status,
                            std::optional<std::string_view> response_body, Timestamp now);
  // SENDING -> REJECTED (needs attention).
  DbResult<void> mark_rejected(std::int64_t id, const OutboxRejection& rejection, Timestamp now);
  DbResult<void> mark_rejected(Transaction& tx, std::int64_t id, const OutboxRejection& rejection,
                               Timestamp now);
  // SENDING -> QUEUED, eligible again at next_attempt_at; error_code says why (sanitized),
  // e.g. "HTTP_503", "TIMEOUT".
  DbResult<void> mark_retry(std::int64_t id, Timestamp next_attempt_at, std::string_view error_code,
                            std::optional<int> http_status);
  DbResult<void> mark_retry(Transaction& tx, std::int64_t id, Timestamp next_attempt_at,
                            std::string_view error_code, std::optional<int> http_status);
  // After a restart: every SENDING item back to QUEUED (due now). Returns how many.
  DbResult<std::int64_t> requeue_sending(Timestamp now);

  // An operator's "retry now": a QUEUED or REJECTED item becomes QUEUED, due `now`. false when
  // the item is ACKED or SENDING (nothing to do) or unknown.
  DbResult<bool> force_retry(std::int64_t id, Timestamp now);
  // The same for every QUEUED or REJECTED item; returns how many.
  DbResult<std::int64_t> force_retry_all(Timestamp now);

  DbResult<std::vector<OutboxQueueEntry>> list(OutboxListing which = OutboxListing::Pending,
                                               std::size_t limit = 1000);
  DbResult<OutboxStats> stats();
  DbResult<std::optional<OutboxItem>> find(std::int64_t id);
  DbResult<std::optional<OutboxItem>> find_by_idempotency_key(std::string_view key);

  // Every item that needs attention (REJECTED, not resolved as ADJUSTED), oldest first, each
  // with the items held behind it and its earlier resolutions.
  DbResult<std::vector<OutboxAttention>> needs_attention(std::size_t limit = 1000);
  // A supervisor's resolution of an item that needs attention (see "Needs attention" above). The
  // caller checks the supervisor's authority; with the Transaction& form the app writes the
  // ledger's adjustment row in the same transaction. A resolution without resolved_by, or an
  // ADJUSTED one without adjustment_id: InvalidArgument.
  DbResult<ResolveOutcome> resolve(std::int64_t id, const OutboxResolution& resolution);
  DbResult<ResolveOutcome> resolve(Transaction& tx, std::int64_t id,
                                   const OutboxResolution& resolution);
  DbResult<std::vector<OutboxResolutionRecord>> resolutions(std::int64_t id);

  // Walks the chain in id order: every row's body against its digest and its link against the
  // previous row's. Reports the first broken row and how many are broken.
  DbResult<OutboxVerification> verify();

 private:
  // InvalidArgument unless tx is an active transaction on this outbox's database.
  [[nodiscard]] DbResult<void> check(Transaction& tx, std::string_view what) const;
  // The SQL functions claim uses (outbox_stream_busy), on this outbox's connection.
  DbResult<void> register_functions();

  Database* db_;
  bool functions_registered_ = false;
};

// What may be stored as an error code: [A-Z0-9_.-]{1,64}; anything else becomes
// "UNRECOGNIZED_ERROR" (a code is shown to advisors; free text could carry personal data).
[[nodiscard]] std::string sanitize_error_code(std::string_view code);

}  // namespace pos::sync
