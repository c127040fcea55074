// The ledger: append-only tables of what happened at this counter, on sync's database.
//
// Sections:
//   1. LedgerError, LedgerResult
//   2. PaymentCapture          the one-transaction write of a payment, receipt, audit, outbox
//   3. reports                 ShiftReport (X and Z), UnsyncedPayments, ...
//   4. verification            ChainVerification: integrity_check + the hash chain + anchor
//   5. rebuilding              CheckoutHistory, ApproverPinState
//   6. Ledger                  the API
//
// Durability and idempotency (the point of this part):
// - A capture writes the payment, its receipt, its audit event, its drawer opening and its
//   outbox messages in ONE transaction: all or nothing, whatever fails (tests/ledger proves it
//   with SIGKILL, a power-cut VFS and I/O errors on every write and sync).
// - Ids are made by the caller before the transaction. If the outcome of a commit is unknown
//   (an I/O error on COMMIT may still leave the commit on disk), the caller retries with the
//   same ids: a payment id already recorded with the same content returns AlreadyRecorded and
//   writes nothing; with different content it is refused (IdConflict). A second payment is
//   never created.
// - Payment, receipt (and every other ledger) rows are never updated or deleted: triggers refuse
//   it. A correction is a PaymentAdjustment row.
// - Tamper evidence: every row of every ledger table is a link of one SHA-256 chain:
//   hash = SHA-256(previous hash || table || the row's non-NULL columns). verify() names the
//   first broken link. A chain alone cannot show that its newest links were cut off: the
//   anchor file (the chain's length and head, rewritten after each commit, apart from the
//   database) does, at start (startup_check) and in verify; the Z report prints the head on
//   paper too. A ledger found unsound is not written on through that Ledger.
// - Reports come from the rows, never from a counter kept on the side: each payment row carries
//   the running count and sums of its (shift, currency, tender) including itself, written in
//   the capture's transaction from the group's previous row, chained with the row, and checked
//   by verify() against the rows' own sums (TallyMismatch). A report reads one row per group.
// - Two processes on one file: every write is BEGIN IMMEDIATE, so what a capture reads inside
//   its transaction (the invoice's payments for a BalanceGuard, the receipt reference, the
//   running sums, a person's PIN count) cannot change before its commit.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <pos/checkout/events.hpp>
#include <pos/checkout/result.hpp>
#include <pos/ledger/records.hpp>
#include <pos/sync/db.hpp>
#include <pos/sync/outbox.hpp>

namespace pos::ledger {

// ---------------------------------------------------------------------------------------------
// 1. LedgerError, LedgerResult
// ---------------------------------------------------------------------------------------------

enum class LedgerErrorCode {
  Storage,           // the database failed (busy, disk full, I/O): nothing was written
  IdConflict,        // an id already recorded with different content
  AlreadyRecorded,   // write-once row exists (a second PO capture, a second override)
  ShiftNotOpen,      // no such shift, or it is closed
  ShiftAlreadyOpen,  // a shift is open already (one at a time per terminal)
  NotFound,          // the row referred to does not exist
  Inconsistent,      // the records do not belong together (receipt of another payment,...)
  CurrencyMismatch,  // an amount in another currency than its checkout
  // The capture's BalanceGuard: this terminal's payments on the invoice that the backend does
  // not list yet, plus this amount, exceed the balance due. Nothing was written.
  AmountExceedsBalance,
  // Another receipt already has this receipt_reference (another process numbered it first):
  // nothing was written; rebuild the reference with next_receipt_sequence() and retry.
  ReceiptReferenceTaken,
  // startup_check() or verify() found this ledger unsound (behind its anchor, or a link that
  // does not verify): no new rows are written through this Ledger; reads still work.
  LedgerNotSound,
  kCount
};
[[nodiscard]] std::string_view to_string(LedgerErrorCode code) noexcept;

struct LedgerError {
  LedgerErrorCode code = LedgerErrorCode::Storage;
  std::string message;                 // ids and codes only
  std::optional<sync::DbError> cause;  // for Storage
};

template <class T>
using LedgerResult = checkout::Result<T, LedgerError>;
using checkout::Done;

// ---------------------------------------------------------------------------------------------
// 2. PaymentCapture
// ---------------------------------------------------------------------------------------------

// The invoice's balance, checked inside the capture's own transaction (issue 12: the same
// invoice paid in full twice by two processes). balance_due is what the backend (or its cache)
// says is due *before* this terminal's own unsynced payments; payments the backend already
// lists are named so they are not subtracted twice. The capture is refused
// (AmountExceedsBalance) when the sum of this terminal's payments on the invoice that are not
// in backend_listed, plus this amount, is more than balance_due.
struct BalanceGuard {
  InvoiceId invoice_id;
  Money balance_due = Money::zero(checkout::Currencies::USD);
  std::vector<BillingPaymentId> backend_listed;
};

// Everything one successful capture leaves behind. messages must hold the payment's message
// (kind Payment, idempotency key = payment id) and the receipt's (kind Receipt, key = receipt
// id), and may hold more (a delivery).
struct PaymentCapture {
  PaymentRecord payment;
  ReceiptRecord receipt;
  AuditEvent audit;
  std::optional<DrawerOpening> drawer_opening;  // for cash
  std::vector<sync::OutboxMessage> messages;
  // The domain's events of this capture (PaymentCaptured, ReceiptIssued), appended to the
  // checkout's event log in the same transaction (kept in the payment's row: schema step 7).
  std::vector<checkout::CheckoutEvent> events;
  std::optional<BalanceGuard> balance_guard = std::nullopt;
};

enum class CaptureOutcome {
  Recorded,         // written now
  AlreadyRecorded,  // the same capture was committed before (a retry): nothing written
};

// After a storage error on a capture: was it committed? Read-only (works with the disk full).
enum class CaptureState {
  Recorded,     // the payment row is in the ledger
  NotRecorded,  // it is not
  Unknown,      // the ledger could not be read: say so, with the ids
};
[[nodiscard]] std::string_view to_string(CaptureState state) noexcept;

// ---------------------------------------------------------------------------------------------
// 3. reports
// ---------------------------------------------------------------------------------------------

struct TenderTotal {
  Tender tender = Tender::Cash;
  std::int64_t count = 0;
  Money total = Money::zero(checkout::Currencies::USD);
};

// One currency's part of a shift report; amounts in two currencies are never added.
struct CurrencySection {
  Currency currency = checkout::Currencies::USD;
  std::vector<TenderTotal> tenders;  // in Tender order, only tenders that were used
  std::int64_t payment_count = 0;
  Money payments_total = Money::zero(checkout::Currencies::USD);
  std::int64_t adjustment_count = 0;
  Money adjustments_total = Money::zero(checkout::Currencies::USD);
  // Cash: opening float + cash taken - change given + paid in - paid out = expected.
  Money opening_float = Money::zero(checkout::Currencies::USD);
  Money cash_taken = Money::zero(checkout::Currencies::USD);  // tendered by customers
  Money change_given = Money::zero(checkout::Currencies::USD);
  Money paid_in = Money::zero(checkout::Currencies::USD);
  Money paid_out = Money::zero(checkout::Currencies::USD);
  Money cash_expected = Money::zero(checkout::Currencies::USD);
  std::optional<Money> cash_counted;     // Z only
  std::optional<Money> cash_difference;  // counted - expected
};

struct UnsyncedCurrency {
  Currency currency = checkout::Currencies::USD;
  std::int64_t count = 0;
  Money total = Money::zero(checkout::Currencies::USD);
};

// Payments whose payment message the backend has not acknowledged (QUEUED, SENDING or
// REJECTED): the checkout domain's offline limits are checked against these figures.
struct UnsyncedPayments {
  std::int64_t count = 0;
  std::vector<UnsyncedCurrency> by_currency;  // in currency code order
  std::optional<Timestamp> oldest_captured_at;
};

struct ApproverActivity {
  UserId approver;
  std::int64_t overrides_approved = 0;
  std::int64_t reprints_approved = 0;
};

enum class ReportKind { X, Z };

struct ShiftReport {
  ReportKind kind = ReportKind::X;
  ShiftId shift_id;
  Timestamp opened_at;
  std::optional<Timestamp> closed_at;
  std::vector<CurrencySection> currencies;  // in currency code order
  std::int64_t reprint_count = 0;
  std::vector<ApproverActivity> approvers;  // by approver id
  std::vector<DrawerOpening> no_sale_openings;
  UnsyncedPayments unsynced;  // terminal-wide, not only this shift
  std::string chain_head;     // hex of the newest ledger hash when the report was made
};

// ---------------------------------------------------------------------------------------------
// 4. verification
// ---------------------------------------------------------------------------------------------

enum class ChainBreakKind {
  HashMismatch,   // the row (or an earlier one) was changed
  RowMissing,     // the chain names a row that is gone
  SequenceGap,    // a link of the chain itself is gone
  UnchainedRows,  // rows that are in no link (inserted around the ledger)
  TallyMismatch,  // a payment's running shift sums are not the sums of the rows before it
};
[[nodiscard]] std::string_view to_string(ChainBreakKind kind) noexcept;

struct ChainBreak {
  std::int64_t sequence = 0;  // the first bad link
  std::string table;
  ChainBreakKind kind = ChainBreakKind::HashMismatch;
};

// The anchor (issue 12): a small file apart from the database (e.g. terminal.db.anchor) holding
// the chain's length and head hash, rewritten after each commit that extends the chain. A
// database that went backwards (0 bytes, a deleted -wal, an older copy) is shorter than its
// anchor, or holds another history at the anchored length.
enum class AnchorFinding {
  NotUsed,            // the Ledger was made without an anchor path
  Matches,            // the chain holds the anchored link: length >= anchored, same hash there
  Created,            // no anchor yet (a fresh install, or the first start with anchors): made
  ChainBehindAnchor,  // the database has fewer links than the anchor says it had
  AnchorMismatch,     // the link at the anchored length has another hash: another history
  AnchorUnreadable,   // the anchor file exists but no copy of it is whole
};
[[nodiscard]] std::string_view to_string(AnchorFinding finding) noexcept;

struct AnchorCheck {
  AnchorFinding finding = AnchorFinding::NotUsed;
  std::int64_t anchor_length = 0;  // links the anchor says the chain had
  std::int64_t db_length = 0;      // links the database has
  [[nodiscard]] bool sound() const noexcept {
    return finding == AnchorFinding::NotUsed || finding == AnchorFinding::Matches ||
           finding == AnchorFinding::Created;
  }
};

struct ChainVerification {
  std::string integrity_check;  // "ok" or SQLite's findings
  std::int64_t links_checked = 0;
  std::optional<ChainBreak> first_break;
  AnchorCheck anchor = {};
  // How many stretches the chain was walked in at once (1, or 2 on a long chain read through
  // connections of verify's own); the findings are the same either way.
  int walk_stretches = 1;
  [[nodiscard]] bool sound() const noexcept {
    return integrity_check == "ok" && !first_break.has_value() && anchor.sound();
  }
};

// verify()'s progress: links checked so far of the total (called every few thousand links).
using VerifyProgress = std::function<void(std::int64_t checked, std::int64_t total)>;

// startup_check(): the anchor and the newest links only (cheap enough for every start).
struct StartupCheck {
  AnchorCheck anchor;
  std::int64_t tail_links_checked = 0;
  std::optional<ChainBreak> first_break;  // in the tail
  [[nodiscard]] bool sound() const noexcept { return anchor.sound() && !first_break; }
};

// ---------------------------------------------------------------------------------------------
// 5. rebuilding a checkout after a restart
// ---------------------------------------------------------------------------------------------

struct DeliveryState {
  ReceiptDelivery delivery;
  DeliveryStatus status = DeliveryStatus::Pending;  // latest outcome
  std::string reason;
  std::optional<Timestamp> status_at;
};

struct CheckoutHistory {
  CheckoutRecord checkout;
  std::vector<EvaluationRecord> evaluations;  // oldest first
  std::optional<PoCaptureRecord> po_capture;
  std::optional<PoOverrideRecord> po_override;
  std::vector<OfflineGrantRecord> offline_grants;
  std::vector<PaymentRecord> payments;  // capture order
  std::vector<ReceiptRecord> receipts;  // capture order
  std::vector<PaymentAdjustment> adjustments;
};

// What the domain needs to rebuild an approver's lockout (BILL-DEC-010).
struct ApproverPinState {
  UserId approver;
  int failures_since_last_success_or_lockout = 0;
  std::optional<Timestamp> last_failure_at;
  std::optional<ApproverLockout> latest_lockout;  // active when locked_until > now
};

// A PIN check in progress (begin_pin_attempt): already counted as a failure in the ledger, so
// parallel checks of one person are counted before any verifier runs. Resolve it with
// finish_pin_attempt.
struct PinAttemptTicket {
  UserId user;
  std::string attempt_id;
  int failures_before = 0;  // counted failures before this attempt (this one not included)
};
// The person is locked out: no PIN of theirs is checked until `until`.
struct PinLockedOut {
  UserId user;
  Timestamp until;
};
using PinAttemptStart = std::variant<PinAttemptTicket, PinLockedOut>;

// ---------------------------------------------------------------------------------------------
// 6. Ledger
// ---------------------------------------------------------------------------------------------

// Methods take the connection given at construction; one Ledger per connection (thread).
namespace detail {
// A kind's newest dictionary (text_store.hpp) as read from the database, kept inflated.
struct TextDictionary {
  std::int64_t chain_seq = 0;  // 0: none read
  std::vector<std::byte> deflated;
  std::string text;
};
}  // namespace detail

class Ledger {
 public:
  // Component "ledger". The database must be opened with these and the outbox's migrations
  // (all_migrations() returns both, in order; the application adds its other parts', e.g.
  // sync::SnapshotStore::migrations(), and uses the same list for every connection).
  [[nodiscard]] static std::span<const sync::Migration> migrations() noexcept;
  [[nodiscard]] static std::vector<sync::Migration> all_migrations();

  explicit Ledger(sync::Database& db) noexcept : db_(&db), outbox_(db) {}
  // With an anchor file (issue 12; the application passes e.g. "<db path>.anchor"): every
  // commit that extends the chain rewrites it, startup_check() and verify() compare with it.
  Ledger(sync::Database& db, std::filesystem::path anchor_path) noexcept
      : db_(&db), outbox_(db), anchor_path_(std::move(anchor_path)) {}

  // At start: the anchor against the chain, and the newest `tail_links` links' hashes. When it
  // is not sound, every later write through this Ledger is refused (LedgerNotSound) while
  // reads keep working; the application refuses new captures (exit 6) with the finding. A
  // fresh install (no anchor, no links) is sound and its anchor is created.
  LedgerResult<StartupCheck> startup_check(std::int64_t tail_links = 256);

  // Shifts and cash.
  // float_count: how the float was counted (notes and coins), an audit row in the same
  // transaction as the shift it belongs to.
  LedgerResult<Done> open_shift(const ShiftOpening& opening,
                                const std::optional<AuditEvent>& float_count = std::nullopt);
  // Closes the shift and returns its Z report, in one transaction.
  LedgerResult<ShiftReport> close_shift(const ShiftClosing& closing);
  LedgerResult<std::optional<ShiftOpening>> current_shift();
  LedgerResult<Done> record_paid_out(const CashPaidOut& paid_out);
  LedgerResult<Done> record_paid_in(const CashPaidIn& paid_in);
  LedgerResult<Done> record_drawer_opening(const DrawerOpening& opening);

  // The checkout and its PO. Each writes its row(s), the given outbox messages and the given
  // domain events (appended to the checkout's event log) in one transaction, so the typed rows
  // and the log Checkout::replay reads can never disagree after a crash. Events need a
  // checkout: a grant or PIN attempt without one refuses events (Inconsistent).
  using Events = std::span<const checkout::CheckoutEvent>;
  LedgerResult<Done> record_checkout(const CheckoutRecord& checkout, Events events = {});
  LedgerResult<Done> record_evaluation(const EvaluationRecord& evaluation, Events events = {});
  LedgerResult<Done> record_po_capture(const PoCaptureRecord& capture,
                                       std::span<const sync::OutboxMessage> messages,
                                       Events events = {});
  LedgerResult<Done> record_po_override(const PoOverrideRecord& override_record,
                                        std::span<const sync::OutboxMessage> messages,
                                        Events events = {});
  LedgerResult<Done> record_offline_grant(const OfflineGrantRecord& grant,
                                          std::span<const sync::OutboxMessage> messages,
                                          Events events = {});
  LedgerResult<Done> record_pin_attempt(const PinAttempt& attempt, Events events = {});
  LedgerResult<Done> record_lockout(const ApproverLockout& lockout);

  // The checkout domain's events, in order, for Checkout::replay after a restart (stored as
  // the domain's stable JSON). load_events returns them in the order appended.
  LedgerResult<Done> append_events(const CheckoutId& checkout,
                                   std::span<const checkout::CheckoutEvent> events);
  LedgerResult<std::vector<checkout::CheckoutEvent>> load_events(const CheckoutId& checkout);

  // Money.
  LedgerResult<CaptureOutcome> record_capture(const PaymentCapture& capture);
  // After any storage error on a capture: is the payment in the ledger? One indexed read, no
  // temporary files; a failed read is Unknown (never a guess).
  CaptureState capture_state(const BillingPaymentId& payment);
  // The receipt number for the invoice's next receipt (its receipts so far + 1). Read outside
  // the capture's transaction, so a capture can still find it taken: ReceiptReferenceTaken,
  // then ask again and retry with the rebuilt reference.
  LedgerResult<int> next_receipt_sequence(const InvoiceId& invoice);
  LedgerResult<Done> record_adjustment(const PaymentAdjustment& adjustment);

  // Receipts after the capture. A delivery is registered (PENDING) before it is attempted, so
  // a crash in the middle of a print leaves the attempt on record; its outcome follows with the
  // domain's ReceiptDeliveryRecorded (Checkout::record_delivery, same delivery id and outcome,
  // else Inconsistent and nothing written), in the log of the receipt's checkout.
  LedgerResult<Done> record_delivery(const ReceiptDelivery& delivery,
                                     std::span<const sync::OutboxMessage> messages);
  LedgerResult<Done> record_delivery_outcome(const DeliveryOutcome& outcome,
                                             std::span<const sync::OutboxMessage> messages,
                                             Events events = {});
  // Events go to the log of the receipt's checkout.
  LedgerResult<Done> record_reprint(const ReprintRecord& reprint,
                                    std::span<const sync::OutboxMessage> messages,
                                    Events events = {});
  // With events: the audit row and the domain's events (to the log of event.checkout_id,
  // which they need) in one transaction.
  LedgerResult<Done> record_audit(const AuditEvent& event, Events events = {});

  // Reading back.
  LedgerResult<std::optional<CheckoutHistory>> load_checkout(const CheckoutId& id);
  LedgerResult<std::optional<ReceiptRecord>> find_receipt(const ReceiptId& id);
  LedgerResult<std::vector<DeliveryState>> deliveries_of(const ReceiptId& id);
  LedgerResult<std::int64_t> reprint_count(const ReceiptId& id);
  LedgerResult<ApproverPinState> approver_pin_state(const UserId& approver);
  // One count of wrong PINs per person (approver approvals online and offline, and the
  // operator's own sign-in), serialised across processes: in ONE write transaction, reads the
  // person's state and either refuses (an active lock-out, or the count already at the limit,
  // which writes the lock-out) or records this attempt as a failure, before the verifier runs.
  // purpose is recorded with the attempt ("APPROVAL_OFFLINE", "APPROVAL_ONLINE", "SIGN_IN").
  // Any failure to read or write is an error: the caller refuses the check (fail closed).
  LedgerResult<PinAttemptStart> begin_pin_attempt(const UserId& user, std::string_view purpose,
                                                  Timestamp now);
  // Succeeded: a SUCCEEDED row (the count starts again). Failed: the failure is already
  // counted; the lock-out is written when the count reached kWrongPinsBeforeLockout. Returns
  // the lock-out when this failure caused one.
  // With events: the domain's events of this attempt (PinAttemptFailed, ApproverLockedOut) go
  // to the checkout's log in the same transaction.
  LedgerResult<std::optional<ApproverLockout>> finish_pin_attempt(
      const PinAttemptTicket& ticket, PinOutcome outcome, Timestamp now,
      const std::optional<CheckoutId>& checkout = std::nullopt, Events events = {});
  // For reconciliation: payments captured in [from, to), in capture order.
  LedgerResult<std::vector<PaymentRecord>> payments_between(Timestamp from, Timestamp to);

  // Reports, from the rows. x_report: the shift's figures now (kind X); for a closed shift
  // this is its Z report again (kind Z, with the counted cash), e.g. to reprint it.
  LedgerResult<ShiftReport> x_report(const ShiftId& shift);
  LedgerResult<UnsyncedPayments> unsynced_payments();

  // integrity_check, the whole hash chain, the payments' running sums and the anchor. A
  // result that is not sound also makes later writes through this Ledger refused.
  // A chain of at least split_from links is walked as two halves on two threads (the second
  // half builds on the stored hash of the first half's last link); tests pass a small one.
  static constexpr std::int64_t kVerifySplitFrom = 50'000;
  LedgerResult<ChainVerification> verify(const VerifyProgress& progress = {},
                                         std::int64_t split_from = kVerifySplitFrom);

  [[nodiscard]] sync::Database& database() noexcept { return *db_; }
  [[nodiscard]] sync::Outbox& outbox() noexcept { return outbox_; }

 private:
  friend struct LedgerAccess;
  LedgerResult<ShiftReport> build_report(const ShiftId& shift, ReportKind kind);
  LedgerResult<CaptureOutcome> capture_once(const PaymentCapture& capture);
  LedgerResult<AnchorCheck> check_anchor();
  void advance_anchor(std::int64_t length, const std::array<unsigned char, 32>& head) noexcept;
  sync::Database* db_;
  sync::Outbox outbox_;
  std::filesystem::path anchor_path_;  // empty: no anchor
  bool not_sound_ = false;             // set by startup_check / verify: writes are refused
  // Payments whose capture's COMMIT failed with an I/O error: the commit may still be on the
  // disk (a WAL frame past the published end is found again by recovery), so capture_state
  // says Unknown for them rather than NotRecorded. (An error before COMMIT leaves nothing.)
  std::vector<std::string> ambiguous_captures_;
  bool last_commit_failed_ = false;  // the last write's error came from its COMMIT
  // The newest text dictionary of each kind last read from the database (text_store.hpp), by
  // table and kind (a receipt template and version, a checkout event's kind).
  std::map<std::string, detail::TextDictionary> dictionaries_;
};

}  // namespace pos::ledger
