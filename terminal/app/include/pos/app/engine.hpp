// The counter engine: one object per terminal process that the touch UI and the command line
// both drive. Intents in, snapshots out (DESIGN.md, "terminal/app"; like Tracy's server/ that
// serves its GUI and its headless capture tool).
//
// Sections: PinEntry · intents · snapshot views · Snapshot · CounterEngine
//
// - A caller posts an Intent; post() returns at once. The engine's worker thread applies the
//   intents in order: every SQLite write, HTTP call, printer job and Argon2id check runs there
//   (or on the replicator's and spooler's own threads), never on the caller's.
// - After each change the engine publishes an immutable, versioned Snapshot, read with one
//   shared-pointer copy (snapshot()), and calls the wake-up callback (the UI turns it into an
//   SDL user event so it redraws only then). A snapshot holds what a person should see, in the
//   shop's words and the domain's types; never a PIN, a token, a card number or an e-mail
//   address.
// - Rules have one path: the command line posts the same intents and maps the final snapshot
//   to cli.md's exit codes and JSON.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <pos/checkout/checkout.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/permissions.hpp>
#include <pos/checkout/secret.hpp>

namespace pos::sync {
struct ReconciliationReport;
}

namespace pos::app {

class Terminal;
class PrinterService;
class ReceiptRenderer;

using checkout::Money;
using checkout::Timestamp;
using checkout::UserId;

// Views are plain values that must be default-constructible; an amount nobody set reads as zero
// (the engine always sets the currency of what it shows).
inline constexpr Money kNoAmount = Money::zero(checkout::Currencies::USD);
// Likewise a user nobody set ("-" is no roster id the terminal accepts at sign-in).
inline UserId noUser() {
  return *UserId::parse("-");
}

// ---------------------------------------------------------------------------------------------
// PinEntry: the digits of a PIN as they are typed on a keypad. A fixed buffer wiped with
// sodium_memzero, never a std::string or an ImGui text buffer; take() moves it into the
// SecretText an intent carries and leaves the entry empty. The screen shows size() dots.
// ---------------------------------------------------------------------------------------------
class PinEntry {
 public:
  static constexpr std::size_t kMaxDigits = 12;
  PinEntry() = default;
  PinEntry(const PinEntry&) = delete;
  PinEntry& operator=(const PinEntry&) = delete;
  ~PinEntry() { clear(); }

  bool push(char digit) noexcept;  // '0'..'9' only; false when full or not a digit
  void pop() noexcept;
  void clear() noexcept;
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] checkout::SecretText take();

 private:
  std::array<char, kMaxDigits> digits_{};
  std::size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Intents
// ---------------------------------------------------------------------------------------------

enum class ReceiptChoice { Print, Email, None };
enum class CashDirection { PaidIn, PaidOut };
enum class QueueResolution { Retry, Adjusted };

namespace intent {

struct SignIn {
  UserId user;
  checkout::SecretText pin;
};
struct SignOut {};
// Any touch or key: postpones the idle sign-out (the UI posts it at most once a second).
struct Activity {};

// A work order typed or scanned into the Work order field (a scanned receipt barcode opens that
// receipt on the Receipts screen instead).
struct OpenCheckout {
  std::string code;
};
struct RefreshInvoice {};
// Back to the counter: the checkout stays what the ledger says (a captured PO stays captured,
// payments stay taken) and is shown again when the same invoice is opened.
struct CloseCheckout {};

struct CapturePo {
  std::string poNumber;
};
// Everything that does not need the approvers is checked first (permission, override allowed,
// reason code, notes); only then does the snapshot ask for the supervisors' PINs.
struct RequestOverride {
  std::string reasonCode;
  std::string notes;
};
// The PIN of one supervisor for the pending approval (PendingApproval in the snapshot).
struct SubmitApproval {
  UserId approver;
  checkout::SecretText pin;
};
struct CancelApproval {};

struct TakePayment {
  checkout::TenderKind tender = checkout::TenderKind::Cash;
  std::string amount;                         // as typed, in the invoice currency's precision
  std::optional<std::string> tendered;        // cash handed over (default: the amount)
  std::string checkNumber;                    // CHECK
  std::optional<checkout::CardDetails> card;  // CARD_EXTERNAL: brand, last 4, approval code
  ReceiptChoice receipt = ReceiptChoice::Print;
  std::string email;  // with ReceiptChoice::Email; validated, never logged, never in a snapshot
  // Only check what was typed (amount, tender, limits, credit, receipt choice) and record
  // nothing: the command line asks this before a PO or an override leaves the terminal.
  bool checkOnly = false;
};

// After a capture: the receipt's delivery (the current checkout's last receipt unless named).
struct RetryPrint {
  std::optional<checkout::ReceiptId> receipt;
};
struct EmailReceipt {
  std::optional<checkout::ReceiptId> receipt;
  std::string address;
};
// Prints an original that was never printed (No receipt at capture, or a failed print).
struct PrintReceipt {
  checkout::ReceiptId receipt;
};
// A copy, per the receipt's reprint policy (the backend's, else the last one seen); may need a
// supervisor's approval.
struct ReprintReceipt {
  checkout::ReceiptId receipt;
  std::string reasonCode;
};
// The Receipts screen: this shift's receipts, or a search by invoice number, work order or a
// scanned receipt code. The result is Snapshot::receipts.
struct FindReceipts {
  std::string query;  // empty: this shift's
};
struct ShowReceipt {
  checkout::ReceiptId receipt;
};

// Shift and cash control.
// One line of a float counted by denomination: `count` pieces of `denomination` (a note or a
// coin, e.g. USD 20.00 or EUR 0.50).
struct FloatCount {
  Money denomination = kNoAmount;
  std::int64_t count = 0;
};
struct OpenShift {
  // A constructor (not an aggregate): OpenShift{floats} stays complete without the lines.
  OpenShift(std::vector<Money> opening = {}, std::vector<FloatCount> lines = {})
      : openingFloat(std::move(opening)), counted(std::move(lines)) {}
  std::vector<Money> openingFloat;  // counted, per currency
  // Optional, when the float was counted note by note: the lines of each currency must add up
  // to its openingFloat amount. Recorded with the shift (a FLOAT_COUNTED audit event).
  std::vector<FloatCount> counted;
};
struct CashMovement {
  CashDirection direction = CashDirection::PaidOut;
  Money amount = kNoAmount;
  std::string reason;
};
// A no-sale drawer opening; with `[shift] no_sale_requires_approval` a supervisor approves.
struct OpenDrawer {
  std::string reason;
};
struct XReport {
  bool print = false;
};
// Close (Z) with the counted cash per currency. A difference above the tolerance
// (CASH_DIFFERENCE_OVER_TOLERANCE) or unsynced items (SHIFT_HAS_UNSYNCED_ITEMS) ask for a
// supervisor's approval in the snapshot; the approval is recorded and printed on the Z.
struct CloseShift {
  std::vector<Money> countedCash;
  bool print = true;
};

// Sync and the queue.
struct RetrySync {
  std::optional<std::int64_t> item;  // none: every item
};
struct ResolveQueueItem {
  std::int64_t item = 0;
  QueueResolution resolution = QueueResolution::Retry;
  std::string notes;
};

// Printers (IT). Listing them (status, profile) is for everyone signed in; a test page is a
// supervisor's (billing:auth:elevate: the closed permission list has no IT string).
struct ListPrinters {};
struct PrintTestPage {};

struct DismissRefusal {};

// The service intents: what a shop's IT runs on the box (cli.md's subcommands that name no
// operator). The terminal as principal (EngineOptions::principal) may post only these (and
// ListPrinters, PrintTestPage, XReport above); with staff, a signed-in person may post them too.
// Each result is its own Snapshot field, in the shop's words; a failure is the refusal.
//
// The outbox, every pending item (Snapshot::queueListing); with `retryItem` or `retryAll` the
// item (or every item) is due again first (`queue --retry`).
struct ListQueue {
  std::optional<std::int64_t> retryItem;
  bool retryAll = false;
};
// The database's integrity, the ledger's hash chain, the outbox and the cached snapshots
// (Snapshot::verification). `progress` is called on the engine's thread as links are checked.
struct Verify {
  std::function<void(std::int64_t done, std::int64_t total)> progress;
};
// Refreshes the offline snapshots from the backend: roster, reason codes, invoices, rules.
struct Pull {};
// Pushes the outbox on the engine's worker until it is empty, or what is left cannot be sent,
// or the time-out (Snapshot::synced, and the queue after it in Snapshot::queueListing).
struct Sync {
  bool untilEmpty = false;
  std::chrono::milliseconds timeout{10'000};
};
// The ledger's payments against the backend's for this terminal (Snapshot::reconciliation).
struct Reconcile {
  Timestamp from, to;
  std::string fromText, toText;  // the period as given, as the report names it
};
// A receipt's record by its id or a scanned compact code (Snapshot::receiptRecord).
struct ShowReceiptRecord {
  std::string code;
};
// A receipt's ESC/POS bytes into `out` (and the decoder's PNG into `png`), without printing
// (Snapshot::renderedReceipt).
struct RenderReceipt {
  std::string code;
  std::filesystem::path out;
  std::optional<std::filesystem::path> png;
};
// The invoice of a work order as this terminal knows it and what it took on it
// (Snapshot::invoiceRecord). Takes no money.
struct ShowInvoice {
  std::string workOrder;
};
// `demo`: the demo shop (assets/demo: roster, rules, reason codes, invoices) into an empty
// offline cache, as a pull would bring them (Snapshot::demoSeeded: false when the cache held
// something already, which is kept).
struct SeedDemoShop {};

}  // namespace intent

using Intent = std::variant<
    intent::SignIn, intent::SignOut, intent::Activity, intent::OpenCheckout, intent::RefreshInvoice,
    intent::CloseCheckout, intent::CapturePo, intent::RequestOverride, intent::SubmitApproval,
    intent::CancelApproval, intent::TakePayment, intent::RetryPrint, intent::EmailReceipt,
    intent::PrintReceipt, intent::ReprintReceipt, intent::FindReceipts, intent::ShowReceipt,
    intent::OpenShift, intent::CashMovement, intent::OpenDrawer, intent::XReport,
    intent::CloseShift, intent::RetrySync, intent::ResolveQueueItem, intent::ListPrinters,
    intent::PrintTestPage, intent::DismissRefusal, intent::ListQueue, intent::Verify, intent::Pull,
    intent::Sync, intent::Reconcile, intent::ShowReceiptRecord, intent::RenderReceipt,
    intent::ShowInvoice, intent::SeedDemoShop>;

// ---------------------------------------------------------------------------------------------
// Snapshot views (plain values; the UI draws them, the command line maps them to JSON)
// ---------------------------------------------------------------------------------------------

// What the worker is busy with, for a spinner and its words (busyText()).
enum class Busy {
  Idle,
  SigningIn,
  LoadingInvoice,
  Evaluating,
  CapturingPo,
  Elevating,
  RecordingOverride,
  TakingPayment,
  Printing,
  Emailing,
  Reprinting,
  Shift,
  Syncing,
  Printers,
  Pulling,
  Verifying,
  Reconciling,
  kCount
};
[[nodiscard]] std::string_view busyText(Busy busy) noexcept;  // "Loading the invoice…"

struct StaffMember {
  UserId id = noUser();
  std::string displayName;
  bool mayApprove = false;  // billing:auth:elevate
};

struct SignedIn {
  UserId id = noUser();
  std::string displayName;
  checkout::PermissionSet permissions;
  std::vector<Money> paymentLimits;  // per currency; empty with noPaymentLimit
  bool noPaymentLimit = false;
  Timestamp since;
  Timestamp idleSignOutAt;
};

// The sign-in screen's state for the last user tried.
struct SignInView {
  std::optional<UserId> user;
  int triesLeft = checkout::kWrongPinsBeforeLockout;
  std::optional<Timestamp> lockedUntil;
  std::uint64_t wrongPinCount = 0;  // grows on each wrong PIN: the dots shake when it changes
};

struct ShiftView {
  std::string shiftId;
  Timestamp openedAt;
  UserId openedBy = noUser();
  bool floatCounted = false;  // false for a shift a payment opened without a counted float
  std::vector<Money> openingFloat;
};

struct InvoiceLineView {
  std::string description;
  std::string quantity;  // decimal text as it came
  Money unitPrice = kNoAmount;
  Money lineTotal = kNoAmount;
};

struct LinkView {
  std::string targetDomain, targetType, targetId;  // BILL-DEC-016: shown with a copy action
};

struct EvaluationMessageView {
  std::string code;
  std::string severity;  // INFO | WARNING | BLOCKING | as it came
  std::string text;
};

struct PaymentView {
  std::string billingPaymentId;
  std::string receiptId;
  std::string receiptReference;
  Money amount = kNoAmount;
  checkout::TenderKind tender = checkout::TenderKind::Cash;
  std::string tenderText;  // "CASH", "CHECK 1042", "VISA ****4242 A1B2C3", "ACCOUNT"
  std::optional<Money> change;
  checkout::PaymentType paymentType = checkout::PaymentType::PaidInFull;
  bool capturedOffline = false;
  bool thisCheckout = true;  // false: taken earlier on this invoice (by this terminal or others)
  Timestamp capturedAt;
};

struct CheckoutView {
  std::string checkoutId;
  std::string correlationId;
  checkout::CheckoutStage stage = checkout::CheckoutStage::AwaitingEvaluation;
  // The invoice as it came.
  std::string workOrderId, invoiceId, invoiceNumber, customerName, customerAccountId;
  std::string accountType;  // CONSUMER | COMMERCIAL | as it came
  std::string status;       // as it came; statusKnown false: every action blocked, Refresh offered
  bool statusKnown = true;
  std::vector<InvoiceLineView> lines;
  Money subtotal = kNoAmount, taxTotal = kNoAmount, feeTotal = kNoAmount, discountTotal = kNoAmount,
        grandTotal = kNoAmount;
  Money balanceDue = kNoAmount;  // after every payment this terminal and the backend know of
  std::vector<LinkView> links;
  // The evaluation.
  bool evaluated = false;
  bool evaluatedOffline = false;
  std::vector<EvaluationMessageView> messages;
  std::string poCompliance;  // COMPLIANT | OVERRIDDEN | BLOCKED
  bool poRequired = false;
  std::string poFormatHint;  // words for the field's hint ("two letters, a dash, six digits")
  bool overrideAllowed = false;
  bool overrideNeedsSecondApprover = false;
  bool overrideReasonRequired = false;
  bool partialPaymentsAllowed = true;
  bool chargeAccountEligible = false;
  std::optional<Money> creditAvailable;  // limit - balance - unsynced charges
  // What the signed-in user may do here (the UI hides the rest; the engine refuses it too).
  bool mayCapturePo = false;
  bool mayOverridePo = false;
  bool mayTakePayment = false;
  // The PO, once captured (read-only from then on) or overridden.
  std::optional<std::string> poNumber;
  std::optional<UserId> poCapturedBy;
  std::optional<Timestamp> poCapturedAt;
  std::optional<std::string> overrideReason;
  std::vector<UserId> overrideApprovers;
  std::vector<PaymentView> payments;  // earlier ones on the invoice first, then this checkout's
};

struct ApproverState {
  StaffMember who;
  int triesLeft = checkout::kWrongPinsBeforeLockout;
  std::optional<Timestamp> lockedUntil;
};

// An approval the engine waits for: the overlay on the screen it guards.
struct PendingApproval {
  checkout::ElevationAction action = checkout::ElevationAction::PoOverride;
  std::string what;  // "Override PO requirement · INV-1005 · reason PO_TO_FOLLOW"
  std::optional<Money> amount;
  std::string reasonCode;
  int needed = 1;                       // 1 or 2 approvers
  std::vector<UserId> approvedBy;       // so far ("approval 1 of 2")
  std::vector<ApproverState> eligible;  // never the operator, never an approver again
  bool online = false;                  // elevation by the backend, else offline against the roster
  std::uint64_t wrongPinCount = 0;      // grows on each wrong PIN (the dots shake)
};

// What kind of "no" it is: a business rule (the advisor can act on it), the backend or a
// device not reachable, the terminal's configuration, or its storage.
enum class RefusalKind { Business, Unreachable, Configuration, Storage };

// The last refusal, sanitized (BILL-DEC-014): the detail only with
// billing:posting-error:detail:view.
struct RefusalView {
  RefusalKind kind = RefusalKind::Business;
  std::string code;
  std::string text;
  std::string correlationId;
  std::string detail;
  std::uint64_t serial = 0;  // grows with each refusal
};

// A receipt's delivery as an advisor sees it. POSSIBLY_PRINTED is its own outcome: check the
// printer's output before printing again (a second original is never printed).
enum class ReceiptOutcome { Pending, Sent, Failed, PossiblyPrinted, Suppressed, Bounced, kCount };
[[nodiscard]] std::string_view to_string(ReceiptOutcome outcome) noexcept;  // "SENT", ...

struct ReceiptView {
  std::string receiptId;
  std::string receiptReference;
  std::string invoiceNumber;
  std::string workOrderId;
  checkout::PaymentType paymentType = checkout::PaymentType::PaidInFull;
  Money amount = kNoAmount;
  Money remainingBalance = kNoAmount;
  ReceiptOutcome outcome = ReceiptOutcome::Pending;
  std::string channel;            // PRINT | EMAIL | "" (none yet)
  std::string printerMessage;     // the contract's advisor message when FAILED
  std::string failureReason;      // PAPER_OUT, NOT_FOUND, ...
  std::filesystem::path preview;  // the decoder's PNG of the receipt as printed
  std::string text;               // the receipt's printed text
  int reprintCount = 0;
  Timestamp createdAt;
  bool mayDeliver = false;  // billing:receipt:deliver
  bool mayReprint = false;  // billing:receipt:reprint
};

struct PrinterView {
  std::string description;
  std::string readiness;  // READY | PAPER_OUT | COVER_OPEN | OFFLINE | NOT_FOUND | ...
  std::string message;    // the advisor's words when not ready
  bool ready = false;
  std::string profile;  // the configured profile (assets/printers/)
};

struct ConnectivityView {
  bool backendConfigured = false;
  bool online = false;
  std::optional<Timestamp> offlineSince;
  std::optional<std::string> configurationProblem;
};

struct QueueItemView {
  std::int64_t id = 0;
  std::string kind;   // payment | receipt | po | po-override | offline-grant | delivery | reprint
  std::string state;  // QUEUED | SENDING | ACKED | REJECTED | HELD ...
  int attempts = 0;
  std::string errorCode;  // sanitized
  std::string errorText;
  std::string correlationId;
  std::string idempotencyKey;
  std::string detail;     // only with billing:posting-error:detail:view
  int waitingBehind = 0;  // items of the same stream held behind this one
};

struct QueueView {
  std::int64_t depth = 0;
  std::optional<Timestamp> oldestUnsent;
  std::int64_t needsAttention = 0;
  std::vector<QueueItemView> attention;
  std::vector<QueueItemView> items;  // the first ones of the queue, for the Sync screen
};

// What may still be taken offline (shown on the offline banner).
struct OfflineAllowanceView {
  std::vector<Money> largestSinglePayment;
  std::vector<Money> totalLeft;
  std::optional<Timestamp> paymentsStopAt;  // when the oldest unsynced payment is too old
};

struct TenderTotalView {
  std::string tender;
  std::int64_t count = 0;
  Money total = kNoAmount;
};
struct CurrencyReportView {
  checkout::Currency currency = checkout::Currencies::USD;
  std::int64_t paymentCount = 0;
  Money paymentsTotal = kNoAmount;
  std::vector<TenderTotalView> tenders;
  Money openingFloat = kNoAmount, cashTaken = kNoAmount, changeGiven = kNoAmount,
        paidIn = kNoAmount, paidOut = kNoAmount, cashExpected = kNoAmount;
  std::optional<Money> cashCounted, cashDifference;
};
struct ReportView {
  bool z = false;
  std::string shiftId;
  Timestamp openedAt;
  std::optional<Timestamp> closedAt;
  std::optional<UserId> closedBy;
  bool floatCounted = true;
  std::vector<CurrencyReportView> currencies;
  std::int64_t reprints = 0;
  std::int64_t noSaleOpenings = 0;
  std::int64_t unsyncedPayments = 0;
  std::optional<Timestamp> oldestUnsynced;
  std::vector<Money> unsyncedByCurrency;
  struct ApproverActivity {
    UserId approver = noUser();
    std::int64_t overrides = 0, reprints = 0;
  };
  std::vector<ApproverActivity> approvers;
  std::vector<std::string> approvals;  // "closed with unsynced items, approved by sup-sara"
  std::string chainHead;               // the newest ledger link when the report was made
  std::string text;                    // the printout as text
  std::optional<bool> printed;         // when it was printed for the terminal (report x --print)
};

struct RecentCheckoutView {
  std::string workOrderId, invoiceNumber, customerName;
  Money amount = kNoAmount;
  checkout::PaymentType paymentType = checkout::PaymentType::PaidInFull;
  Timestamp at;
};

struct ReasonCodeView {
  std::string code, label;
  bool requiresNotes = false;
};

// Found at start: the last checkout that was in flight when the terminal stopped, and what
// the ledger recorded of it, so nobody takes the money again.
struct InFlightNotice {
  std::string text;
  std::string checkoutId, invoiceNumber, billingPaymentId, receiptReference;
};

struct PrinterListItem {
  std::string uri, description, profile, status, problem;
  bool speaksEscpos = false;
};

// ---- the service intents' results ----

// One outbox item as IT reads it (cli.md's `queue`).
struct QueueEntryView {
  std::int64_t id = 0;
  std::string kind;  // payment | receipt | po | po-override | offline-grant | delivery | reprint
  std::string stream;
  std::int64_t sequence = 0;
  std::string state;
  int attempts = 0;
  Timestamp nextAttemptAt;
  std::optional<std::string> lastErrorCode;
  std::optional<std::string> correlationId;
  std::string idempotencyKey;  // a payment's billingPaymentId
};
// An item the backend refused, and the items of its stream held behind it.
struct QueueAttentionView {
  std::int64_t id = 0;
  std::string kind;
  std::optional<std::string> errorCode;
  std::optional<std::string> correlationId;
  std::vector<std::int64_t> held;
};
struct QueueListingView {
  std::vector<QueueEntryView> items;  // every pending item
  std::vector<QueueAttentionView> needsAttention;
  std::vector<std::string> bouncedReceipts;  // receipt ids whose e-mail bounced
  std::int64_t depth = 0;
  std::optional<Timestamp> oldestQueuedAt;
  std::optional<InFlightNotice> inFlight;
};

struct VerifyView {
  std::string integrityCheck;  // "ok", or what SQLite's integrity_check found
  std::int64_t linksChecked = 0;
  std::string anchorFinding;  // the ledger's words (SOUND, TRUNCATED, ...)
  std::int64_t anchorLength = 0, dbLength = 0;
  bool anchorSound = true;
  bool outboxSound = true;
  bool snapshotsSound = true;
  std::optional<std::int64_t> outboxFirstBroken;
  std::optional<std::vector<std::string>> brokenSnapshots;  // none when they could not be read
  struct Break {
    std::int64_t sequence = 0;
    std::string table;
    std::string kind;
  };
  std::optional<Break> firstBreak;
  bool sound = false;
};

struct PullView {
  std::optional<bool> rosterAccepted;  // none: the backend sent no roster; false: malformed, kept
  std::int64_t invoices = 0;
  std::int64_t rules = 0;
};

// How a sync ended (the replicator's drain, in IT's words).
enum class SyncEnd {
  Empty,
  NeedsAttention,
  Unreachable,
  Unfinished,
  ConfigurationProblem,
  AnotherProcessSyncing,
  StorageProblem,
  kCount
};

struct SyncView {
  SyncEnd end = SyncEnd::Unfinished;
  std::string endCode;  // the replicator's word for it ("EMPTY", ...: `sync --json`'s "drain")
  bool online = false;
  std::optional<std::string> configurationProblem;
  std::optional<std::string> lastError;
};

struct TestPageView {
  bool printed = false;
  std::string result;  // PRINTED | FAILED | POSSIBLY_PRINTED
  std::string reason;  // the printer's failure reason code
  std::string printerMessage;
  std::string printer;  // which printer
};

struct DeliveryRecordView {
  std::string deliveryId, channel, status, reason;
};
// A receipt's record as the ledger has it (cli.md's `receipt show`).
struct ReceiptRecordView {
  std::string receiptId, receiptReference, billingPaymentId, checkoutId, invoiceId;
  std::string correlationId;  // the checkout's (the X-Correlation-Id its requests carried)
  checkout::PaymentType paymentType = checkout::PaymentType::PaidInFull;
  Money remainingBalance = kNoAmount;
  bool deliverySuppressed = false;
  std::string templateId, templateVersion;
  Timestamp createdAt;
  std::int64_t reprintCount = 0;
  std::vector<DeliveryRecordView> deliveries;
  // The backend's answer to the latest delivery it acknowledged, else the latest delivery's,
  // else PENDING.
  std::string deliveryStatus;
  std::string compactCode;
  std::string printText;
};

struct RenderedReceiptView {
  std::string code;  // as asked
  std::filesystem::path out;
  std::optional<std::filesystem::path> png;
  std::size_t bytes = 0;
};

struct PaymentTakenView {
  std::string billingPaymentId;
  Money amount = kNoAmount;
  std::string tender;
  Timestamp capturedAt;
  bool knownToBackend = false;
};
// An invoice as this terminal knows it (cli.md's `invoice show`).
struct InvoiceRecordView {
  std::string invoiceId, invoiceNumber, workOrderId, customerName, status;
  Money grandTotal = kNoAmount;
  Money balanceDue = kNoAmount;  // after what this terminal took and the backend does not list
  bool fromBackend = false;      // else the offline cache
  std::vector<PaymentTakenView> takenHere;
};

// ---------------------------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------------------------

struct Snapshot {
  std::uint64_t version = 0;
  Timestamp at;
  std::string terminalId;
  std::string shopName;
  std::string timeZone;

  std::vector<StaffMember> staff;  // the roster, for the sign-in tiles
  SignInView signIn;
  std::optional<SignedIn> user;
  std::optional<ShiftView> shift;

  Busy busy = Busy::Idle;
  std::optional<CheckoutView> checkout;
  std::optional<PendingApproval> approval;
  std::optional<RefusalView> refusal;
  std::optional<ReceiptView> receipt;  // the open checkout's last receipt, or the one shown

  PrinterView printer;  // readiness empty while no printer is open (the terminal's, until needed)
  ConnectivityView connectivity;
  QueueView queue;
  OfflineAllowanceView allowance;

  std::vector<RecentCheckoutView> recent;  // this shift's checkouts, newest first
  std::vector<ReceiptView> receipts;       // the Receipts screen's list
  std::optional<ReportView> report;        // the last X or Z asked for
  std::vector<PrinterListItem> printers;   // after ListPrinters
  std::vector<ReasonCodeView> overrideReasons;
  std::vector<ReasonCodeView> reprintReasons;
  std::optional<InFlightNotice> recovered;
  std::optional<std::string> capturesRefused;  // the ledger failed its start-up check

  // The service intents' results (each kept until the same intent runs again).
  std::optional<QueueListingView> queueListing;  // after ListQueue or Sync
  std::optional<VerifyView> verification;
  std::optional<PullView> pulled;
  std::optional<SyncView> synced;
  std::shared_ptr<const sync::ReconciliationReport> reconciliation;
  std::optional<TestPageView> testPage;  // the terminal's PrintTestPage
  std::optional<ReceiptRecordView> receiptRecord;
  std::optional<RenderedReceiptView> renderedReceipt;
  std::optional<InvoiceRecordView> invoiceRecord;
  std::optional<bool> demoSeeded;  // after SeedDemoShop
};

// ---------------------------------------------------------------------------------------------
// CounterEngine
// ---------------------------------------------------------------------------------------------

struct EngineOptions {
  // Runs the replicator (sync) in the background; the command line turns it off and drains
  // explicitly where cli.md says so.
  bool backgroundSync = true;
  // Refreshes the printer's condition in the background.
  bool watchPrinter = true;
  // Who acts through this engine: a signed-in member of staff (the counter and the staff
  // subcommands), or the terminal itself, for a shop's IT on the box (the subcommands of cli.md
  // that name no operator: queue, verify, sync, pull, reconcile, printers, print-test, receipt
  // show|render|print, invoice show, report x). With the terminal as principal no one signs in:
  // only the service intents are accepted (anything a person does is refused with
  // STAFF_SIGN_IN_REQUIRED), a test page is the IT tool's (ungated), and nothing is written at
  // start (no roster or sign-in state is read, no replicator runs, the printer is opened only
  // when an intent needs it), so the reading intents run on a read-only data directory.
  enum class Principal { Staff, Terminal };
  Principal principal = Principal::Staff;
};

class CounterEngine {
 public:
  CounterEngine(Terminal& terminal, PrinterService& printer, ReceiptRenderer& renderer,
                EngineOptions options = {});
  // With no printer given, the engine opens one on its worker the first time an intent needs
  // it (printers, a test page, a report printed): opening it writes the print journal, and the
  // terminal's reading intents run on a data directory this process cannot write.
  CounterEngine(Terminal& terminal, ReceiptRenderer& renderer, EngineOptions options);
  ~CounterEngine();  // finishes the intent being applied, then stops the worker
  CounterEngine(const CounterEngine&) = delete;
  CounterEngine& operator=(const CounterEngine&) = delete;

  // Queues an intent and returns at once.
  void post(Intent intent);
  // The latest snapshot: one shared-pointer copy, never a wait on I/O.
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const;
  // Called on the engine's thread after each published snapshot (keep it short: the UI pushes
  // an SDL user event). Replaces the previous callback.
  void setWakeup(std::function<void()> wake);
  // Waits until every intent posted so far has been applied and the worker is idle, then
  // returns the snapshot (the command line; never called from a UI frame).
  std::shared_ptr<const Snapshot> settle(
      std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // The shop's local time as the receipts print it ("2026-11-21 10:42 PST"); thread-safe.
  [[nodiscard]] std::string localTimeText(Timestamp at, bool withDate = false) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pos::app
