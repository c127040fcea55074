// The counter engine's inside, shared by its three source files:
//   engine.cpp           the worker thread, publishing snapshots, status (queue, printer, online)
//   engine_checkout.cpp  sign-in, the checkout step by step, approvals, payment, receipt delivery
//   engine_shift.cpp     shift and cash control, reports, receipts afterwards, sync, printers
//   engine_service.cpp   the service intents (IT on the box: queue, verify, pull, sync,
//                        reconcile, printers, receipt and invoice records) and EnginePrinter
//
// Everything below `worker state` is touched by the worker thread only.
#pragma once

#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include <pos/app/engine.hpp>
#include <pos/app/offline_cache.hpp>
#include <pos/app/printing.hpp>
#include <pos/app/receipts.hpp>
#include <pos/app/terminal.hpp>
#include <pos/checkout/checkout.hpp>
#include <pos/ledger/ledger.hpp>
#include <pos/sync/replicator.hpp>

namespace pos::app {

// What an approval is for, and what to do once every approver has given it.
struct ApprovalPurpose {
  struct Override {
    std::string reasonCode, notes;
  };
  struct OverLimit {
    intent::TakePayment payment;
  };
  struct Reprint {
    checkout::ReceiptId receipt;
    std::string reasonCode;
  };
  struct NoSale {
    std::string reason;
  };
  struct CloseShift {
    std::vector<Money> counted;
    bool print = true;
    std::vector<std::string> why;  // CASH_DIFFERENCE_OVER_TOLERANCE, SHIFT_HAS_UNSYNCED_ITEMS
  };
  struct ResolveQueue {
    std::int64_t item = 0;
    QueueResolution resolution = QueueResolution::Retry;
    std::string notes;
  };
  std::variant<Override, OverLimit, Reprint, NoSale, CloseShift, ResolveQueue> what;
};

// ---- the printer the engine prints through --------------------------------------------------
// The caller's, or (no printer given) opened on the worker the first time an intent prints or
// asks the printer: opening writes the print journal, and the terminal's reading intents run
// on a data directory this process cannot write. Not open: snapshot() is an unchecked printer,
// print() opens it first (and fails with the reason when it cannot be opened).
class EnginePrinter {
 public:
  EnginePrinter(Terminal& terminal, PrinterService* given) : terminal_(terminal), given_(given) {}
  // nullopt when open (now or before); else why it cannot be opened (exit code and words).
  std::optional<StartupError> ensureOpen();
  [[nodiscard]] bool isOpen() const { return given_ != nullptr; }

  PrintResult print(drivers::PrintJob job);
  drivers::PrinterSnapshot snapshot() const;
  drivers::PrinterSnapshot freshSnapshot(std::chrono::milliseconds limit);
  std::vector<drivers::FoundPrinter> discover();
  std::string describe() const;
  std::optional<std::filesystem::path> spoolDirectory() const;

 private:
  Terminal& terminal_;
  PrinterService* given_;
  std::unique_ptr<PrinterService> owned_;
};

struct CounterEngine::Impl {
  Impl(Terminal& terminal, PrinterService& printer, ReceiptRenderer& renderer,
       EngineOptions options);
  // No printer given: opened on first need (see EnginePrinter).
  Impl(Terminal& terminal, PrinterService* printer, ReceiptRenderer& renderer,
       EngineOptions options);
  ~Impl();

  // ---- any thread -----------------------------------------------------------------------
  void post(Intent intent);
  std::shared_ptr<const Snapshot> latest() const;
  void setWakeup(std::function<void()> wake);
  std::shared_ptr<const Snapshot> settle(std::chrono::milliseconds timeout);

  mutable std::mutex queueMutex;
  std::condition_variable queueChanged;
  std::deque<Intent> queue;
  std::uint64_t posted = 0;
  std::uint64_t applied = 0;
  bool working = false;
  bool stopping = false;

  mutable std::mutex snapshotMutex;
  std::shared_ptr<const Snapshot> published;

  std::mutex wakeMutex;
  std::function<void()> wake;

  // ---- worker state ----------------------------------------------------------------------
  void run();
  void apply(Intent& intent);
  void periodic();
  void publish();
  void setBusy(Busy busy);  // publishes, so the screen shows what the worker waits for
  void refreshStatus();     // queue, printer, connectivity, allowance
  void refreshShift();
  void refreshRecent();
  void refreshReasonCodes();

  // Refusals as the advisor sees them (BILL-DEC-014).
  void refuse(std::string_view code, std::string_view text, std::string detail = {},
              RefusalKind kind = RefusalKind::Business);
  void refuse(const checkout::Refusal& refusal);
  void storageFailure(const ledger::LedgerError& error);
  void noteOutcome(const sync::HttpOutcome& outcome);

  checkout::Timestamp now() { return t.clock().now(); }
  checkout::CounterContext context() {
    return checkout::CounterContext{*roster, now(), t.ids(), t.random()};
  }
  sync::RequestIdentity who() const;
  std::string correlation() const;
  const checkout::Staff* signedInStaff() const;
  bool userMay(checkout::Permission p) const;
  bool requireSignedIn();
  bool loadRoster(bool refreshOnline);

  // One PIN check of a person, serialised and counted in the ledger before the verifier runs
  // (begin_pin_attempt / finish_pin_attempt): parallel checks in other processes count too, and
  // sign-in, online and offline approvals share one count and one lock-out (issue 12).
  enum class PinResult { Right, Wrong, LockedOut, Unavailable };
  struct PinCheck {
    PinResult result = PinResult::Unavailable;
    int triesLeft = 0;
    std::optional<checkout::Timestamp> lockedUntil;
  };
  // A wrong PIN's domain events, for the checkout's log: the verifier fills them and
  // finish_pin_attempt writes them with the attempt's outcome, in one transaction.
  struct PinAttemptEvents {
    checkout::CheckoutId checkout;
    std::vector<checkout::CheckoutEvent> events;
  };
  PinCheck checkPin(const UserId& who, std::string_view purpose,
                    const std::function<bool()>& verifier,
                    const std::optional<PinAttemptEvents>* attemptEvents = nullptr);

  // engine_checkout.cpp
  void signIn(intent::SignIn& i);
  void signOut(std::string_view why);
  void openCheckout(const intent::OpenCheckout& i);
  void refreshInvoice();
  void closeCheckout();
  void capturePo(const intent::CapturePo& i);
  void requestOverride(const intent::RequestOverride& i);
  void submitApproval(intent::SubmitApproval& i);
  void cancelApproval();
  void takePayment(const intent::TakePayment& i, std::optional<checkout::Approval> overLimit,
                   int attempt = 0);
  void retryPrint(const intent::RetryPrint& i);
  void emailReceipt(const intent::EmailReceipt& i);
  void printOriginal(const intent::PrintReceipt& i);
  bool openInvoice(const std::string& workOrder);
  bool evaluate(std::optional<Money> chargeAmount = std::nullopt);
  bool persist(const std::vector<checkout::CheckoutEvent>& events,
               std::vector<sync::OutboxMessage> overrideMessages = {});
  void finishOverride(std::vector<checkout::Approval> approvals,
                      const ApprovalPurpose::Override& asked);
  void beginApproval(checkout::ElevationAction action, std::string what,
                     std::optional<Money> amount, std::string reasonCode, int needed,
                     ApprovalPurpose purpose);
  void refreshCheckoutView();
  void deliverByPrint(const checkout::ReceiptId& receipt, bool retry);
  // One printed delivery attempt of a receipt (an original, or the reprint `reprint` of it),
  // the same way for every caller: the domain is asked first (Checkout::check_delivery: may
  // this person deliver it), the attempt is registered PENDING, printed, and its outcome written
  // with the domain's ReceiptDeliveryRecorded (Checkout::record_delivery, same id) and the
  // contract's delivery message in one transaction. nullopt when it was refused or not
  // recorded (the refusal or storage failure is in the view then).
  struct PrintAttempt {
    ledger::DeliveryStatus status = ledger::DeliveryStatus::Pending;
    std::string reason;  // the printer's, for an outcome other than SENT
    PrintResult printed;
  };
  // The checkout as its event log in the ledger rebuilds it; nullopt after reporting a storage
  // failure or a log this build cannot replay.
  std::optional<checkout::Checkout> replayCheckout(const checkout::CheckoutId& id);
  // Who the ledger names for what the terminal does itself (no one signed in).
  static UserId terminalUser() { return UserId::parse("terminal").value(); }
  // The roster, or none at all for the terminal as principal (it reads no roster).
  const checkout::Roster& rosterOrNone() const;
  std::optional<PrintAttempt> attemptPrint(checkout::Checkout& co,
                                           const ledger::ReceiptRecord& record,
                                           std::optional<checkout::ReprintId> reprint,
                                           drivers::PrintJob job);
  void deliverByEmail(const checkout::ReceiptId& receipt, const std::string& address);
  ReceiptView receiptView(const ledger::ReceiptRecord& record);
  void showReceipt(const checkout::ReceiptId& id);
  std::optional<ledger::ShiftId> ensureShift();

  // engine_shift.cpp
  void openShift(const intent::OpenShift& i);
  void cashMovement(const intent::CashMovement& i);
  void openDrawer(const intent::OpenDrawer& i, const std::vector<UserId>& approvers);
  void xReport(const intent::XReport& i);
  void closeShift(const intent::CloseShift& i, const std::vector<UserId>& approvers);
  void reprint(const intent::ReprintReceipt& i, std::vector<checkout::Approval> approvals,
               std::optional<checkout::Checkout> replayed);
  void findReceipts(const intent::FindReceipts& i);
  void retrySync(const intent::RetrySync& i);
  void resolveQueueItem(const intent::ResolveQueueItem& i, const std::vector<UserId>& approvers);
  void listPrinters();
  void printTestPage();
  void printText(const std::string& text, const std::string& reference);

  // ---- engine_service.cpp (the service intents) ------------------------------------------
  [[nodiscard]] bool terminalPrincipal() const {
    return options.principal == EngineOptions::Principal::Terminal;
  }
  // Refuses what the terminal as principal may not do (everything a person does).
  void refuseForTerminal();
  void dataProblem(const std::string& message);  // DATA_PROBLEM, exit 6
  void listQueue(const intent::ListQueue& i);
  bool readQueueListing();  // fills view.queueListing; false (and refused) when unreadable
  void verify(const intent::Verify& i);
  void pull();
  void syncOutbox(const intent::Sync& i);
  void reconcile(const intent::Reconcile& i);
  void terminalPrinters();
  void terminalTestPage();
  void terminalXReport(const intent::XReport& i);
  // `receipt print`: the original of a receipt never printed, by the terminal itself (the
  // domain allows it for originals only; the spooler refuses a second original).
  void terminalPrintOriginal(const intent::PrintReceipt& i);
  void seedDemo();  // the terminal's: `demo` before the counter's engine starts
  // Applies a reading or syncing intent (queue, verify, pull, sync, reconcile, receipt record
  // and rendering, invoice); false for any other (engine.cpp).
  template <class I>
  bool serviceIntent(I& i);
  // A receipt by id or compact code, with its checkout replayed from the ledger; refused (and
  // nullopt) when it cannot be found.
  struct LoadedReceipt {
    ledger::ReceiptRecord record;
    checkout::Checkout checkout;
  };
  std::optional<LoadedReceipt> loadReceipt(const std::string& code);
  void showReceiptRecord(const intent::ShowReceiptRecord& i);
  void renderReceipt(const intent::RenderReceipt& i);
  void showInvoice(const intent::ShowInvoice& i);

  Terminal& t;
  EnginePrinter printer;  // the caller's PrinterService, or one opened on first need
  ReceiptRenderer& renderer;
  EngineOptions options;
  OfflineCache cache;
  std::thread worker;

  Snapshot view;
  bool backendUp = false;
  std::optional<checkout::Roster> roster;
  std::optional<UserId> user;
  checkout::Timestamp lastActivity{};
  std::chrono::seconds idleSignOut{300};

  // The open checkout.
  struct Open {
    checkout::Checkout co;
    std::string workOrder;
    ledger::ShiftId shift;
    std::list<checkout::OnlineElevation> elevations;  // stable addresses; wiped when dropped
    std::string poKey;  // the PO capture's idempotency key once it was sent online
    std::vector<PaymentView> earlier;
    std::optional<checkout::ReceiptId> lastReceipt;
    // The invoice as the backend (or its cache) has it, before this terminal's own unsynced
    // payments: what the capture's balance guard checks against.
    std::optional<Money> backendBalance;
    std::vector<checkout::BillingPaymentId> backendListed;
  };
  std::optional<Open> open;
  checkout::ApproverLockouts lockouts;

  // The approval the engine waits for (PendingApproval in the snapshot).
  struct Pending {
    PendingApproval shown;
    ApprovalPurpose purpose;
    std::vector<checkout::Approval> approvals;
    std::optional<checkout::Checkout> replayed;  // a reprint's checkout, rebuilt from the ledger
    std::list<checkout::OnlineElevation> elevations;
  };
  std::optional<Pending> pending;

  // Receipts whose e-mail bounced, and the outbox (newest id, depth) they were read at.
  std::vector<std::string> bounced;
  std::optional<std::pair<std::int64_t, std::int64_t>> bouncedSeen;

  std::unique_ptr<sync::Replicator> replicator;
  std::uint64_t refusalSerial = 0;
  std::chrono::steady_clock::time_point lastStatus{};
};

// The file naming the checkout in flight (the data directory), and what it means at start.
inline constexpr const char* kInFlightFile = "in-flight.json";
std::optional<InFlightNotice> inFlightNotice(Terminal& t);

// Shared helpers.
// The (last) event of type E the domain decided, or null.
template <class E>
const E* findEvent(const std::vector<checkout::CheckoutEvent>& events) {
  const E* found = nullptr;
  for (const auto& e : events)
    if (const auto* x = std::get_if<E>(&e)) found = x;
  return found;
}

std::string tenderText(const checkout::TenderDetails& tender);
std::optional<std::vector<Money>> parseMoneyList(std::string_view text);
// A shift report as shown and printed (the command line's `report x` reads it too).
ReportView makeReportView(const ledger::ShiftReport& report, std::vector<std::string> approvals,
                          const ShopTimeZone& zone);
// The open shift's X report: the one read behind the engine's XReport intent and the read-only
// `report x` (which runs where no engine can start: see commands.cpp), so both show the same.
struct NoShiftOpen {};
std::variant<ReportView, NoShiftOpen, ledger::LedgerError> readXReport(Terminal& t);

}  // namespace pos::app
