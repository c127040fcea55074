// The counter engine's thread and snapshots.
//
// Sections: CounterEngine (the facade) · posting and settling · the worker loop · dispatch ·
// publishing · status (queue, printer, online, allowance) · refusals · small helpers
//
// Threads: callers post intents (a mutex held only to push onto a deque) and read the latest
// snapshot (a mutex held only to copy a shared_ptr): neither ever waits on SQLite, libcurl,
// USB or Argon2id. The worker applies intents one at a time and is the only thread that
// touches the Terminal's connection, the ledger and the checkout state. The replicator and the
// printer's spooler run on their own threads with their own connections.
#include "engine_impl.hpp"

#include <pos/app/contract_mapping.hpp>
#include <pos/checkout/invoice.hpp>

#include "ledger_lookups.hpp"

namespace pos::app {

using nlohmann::json;

// ---------------------------------------------------------------- CounterEngine

CounterEngine::CounterEngine(Terminal& terminal, PrinterService& printer, ReceiptRenderer& renderer,
                             EngineOptions options)
    : impl_(std::make_unique<Impl>(terminal, printer, renderer, options)) {}

CounterEngine::CounterEngine(Terminal& terminal, ReceiptRenderer& renderer, EngineOptions options)
    : impl_(std::make_unique<Impl>(terminal, nullptr, renderer, options)) {}

CounterEngine::~CounterEngine() = default;

void CounterEngine::post(Intent intent) {
  impl_->post(std::move(intent));
}
std::shared_ptr<const Snapshot> CounterEngine::snapshot() const {
  return impl_->latest();
}
void CounterEngine::setWakeup(std::function<void()> wake) {
  impl_->setWakeup(std::move(wake));
}
std::shared_ptr<const Snapshot> CounterEngine::settle(std::chrono::milliseconds timeout) {
  return impl_->settle(timeout);
}
std::string CounterEngine::localTimeText(Timestamp at, bool withDate) const {
  const std::string full = impl_->t.localTimeText(at);  // "2026-11-21 10:15:00 PST"
  if (withDate || full.size() < 16) return full;
  return full.substr(11, 5);  // "10:15"
}

// ---------------------------------------------------------------- posting and settling

CounterEngine::Impl::Impl(Terminal& terminal, PrinterService& printerService,
                          ReceiptRenderer& receiptRenderer, EngineOptions engineOptions)
    : Impl(terminal, &printerService, receiptRenderer, engineOptions) {}

// The terminal as principal reads nothing that needs a person (the roster, the shift's recent
// checkouts, the reason codes, the checkout in flight: `queue` reads that one when asked),
// opens no printer until an intent needs it and starts no replicator (`sync` drains with its
// own): nothing at all is written at start, and the engine runs on a read-only data directory.
CounterEngine::Impl::Impl(Terminal& terminal, PrinterService* printerService,
                          ReceiptRenderer& receiptRenderer, EngineOptions engineOptions)
    : t(terminal),
      printer(terminal, printerService),
      renderer(receiptRenderer),
      options(engineOptions),
      cache(terminal.snapshots()),
      backendUp(terminal.online()) {
  idleSignOut = std::chrono::seconds(t.config().counter.idleSignOutSeconds);
  view.terminalId = t.config().terminalId;
  view.shopName = t.config().shop.name;
  view.timeZone = t.config().shop.timeZone;
  view.connectivity.backendConfigured = t.online();
  view.connectivity.online = backendUp;
  if (!terminalPrincipal()) loadRoster(false);
  refreshShift();
  if (!terminalPrincipal()) {
    refreshRecent();
    refreshReasonCodes();
  }
  refreshStatus();
  if (!terminalPrincipal()) view.recovered = inFlightNotice(t);
  if (!t.ledgerProblem().empty()) view.capturesRefused = t.ledgerProblem();
  publish();
  if (options.backgroundSync && t.online() && !terminalPrincipal()) {
    if (auto conn = t.openConnection(); conn.ok()) {
      sync::ReplicatorConfig rc;
      rc.http = t.httpConfig();
      replicator = std::make_unique<sync::Replicator>(std::move(conn).value(), rc);
      replicator->start();
    }
  }
  worker = std::thread([this] { run(); });
}

CounterEngine::Impl::~Impl() {
  {
    std::lock_guard lock(queueMutex);
    stopping = true;
  }
  queueChanged.notify_all();
  if (worker.joinable()) worker.join();
  if (replicator) replicator->stop();
}

void CounterEngine::Impl::post(Intent intent) {
  {
    std::lock_guard lock(queueMutex);
    queue.push_back(std::move(intent));
    ++posted;
  }
  queueChanged.notify_all();
}

std::shared_ptr<const Snapshot> CounterEngine::Impl::latest() const {
  std::lock_guard lock(snapshotMutex);
  return published;
}

void CounterEngine::Impl::setWakeup(std::function<void()> callback) {
  std::lock_guard lock(wakeMutex);
  wake = std::move(callback);
}

std::shared_ptr<const Snapshot> CounterEngine::Impl::settle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(queueMutex);
  const std::uint64_t target = posted;
  queueChanged.wait_for(lock, timeout, [&] { return applied >= target && !working; });
  lock.unlock();
  return latest();
}

// ---------------------------------------------------------------- the worker loop

void CounterEngine::Impl::run() {
  for (;;) {
    std::optional<Intent> next;
    {
      std::unique_lock lock(queueMutex);
      queueChanged.wait_for(lock, std::chrono::seconds(1),
                            [&] { return stopping || !queue.empty(); });
      if (stopping) return;
      if (!queue.empty()) {
        next.emplace(std::move(queue.front()));
        queue.pop_front();
        working = true;
      }
    }
    if (next) {
      try {
        apply(*next);
      } catch (const std::exception&) {
        // Never the exception's text (it could quote data); the event log has the ids.
        t.log().error("engine.intent_failed", {{"correlationId", correlation()}});
        refuse("INTERNAL_ERROR", "Something went wrong. Nothing further was recorded.", {},
               RefusalKind::Storage);
      }
      view.busy = Busy::Idle;
      refreshStatus();
      publish();
      {
        std::lock_guard lock(queueMutex);
        ++applied;
        working = false;
      }
      queueChanged.notify_all();
    } else {
      periodic();
    }
  }
}

// Once a second with nothing to do: idle sign-out, the queue, the printer and the link.
// Publishes only when something a person sees changed.
void CounterEngine::Impl::periodic() {
  bool changed = false;
  if (user && now() - lastActivity >= idleSignOut && !pending) {
    signOut("IDLE");
    changed = true;
  }
  const Snapshot before = view;
  refreshStatus();
  changed = changed || before.queue.depth != view.queue.depth ||
            before.queue.needsAttention != view.queue.needsAttention ||
            before.printer.readiness != view.printer.readiness ||
            before.connectivity.online != view.connectivity.online ||
            before.connectivity.configurationProblem != view.connectivity.configurationProblem;
  if (changed) publish();
}

// ---------------------------------------------------------------- dispatch

// The reading and syncing intents, the same for the terminal as principal and for a signed-in
// person; false for any other intent.
template <class I>
bool CounterEngine::Impl::serviceIntent(I& i) {
  if constexpr (std::is_same_v<I, intent::ListQueue>) {
    listQueue(i);
  } else if constexpr (std::is_same_v<I, intent::Verify>) {
    verify(i);
  } else if constexpr (std::is_same_v<I, intent::Pull>) {
    pull();
  } else if constexpr (std::is_same_v<I, intent::Sync>) {
    syncOutbox(i);
  } else if constexpr (std::is_same_v<I, intent::Reconcile>) {
    reconcile(i);
  } else if constexpr (std::is_same_v<I, intent::ShowReceiptRecord>) {
    showReceiptRecord(i);
  } else if constexpr (std::is_same_v<I, intent::RenderReceipt>) {
    renderReceipt(i);
  } else if constexpr (std::is_same_v<I, intent::ShowInvoice>) {
    showInvoice(i);
  } else {
    (void)i;
    return false;
  }
  return true;
}

void CounterEngine::Impl::apply(Intent& intent) {
  if (!std::holds_alternative<intent::Activity>(intent)) view.refusal.reset();
  lastActivity = now();
  if (user) view.user->idleSignOutAt = lastActivity + idleSignOut;
  std::visit(
      [&](auto& i) {
        using I = std::decay_t<decltype(i)>;
        constexpr bool aPersonActs =
            std::is_same_v<I, intent::SignIn> || std::is_same_v<I, intent::SignOut> ||
            std::is_same_v<I, intent::SubmitApproval> || std::is_same_v<I, intent::CancelApproval>;
        if (aPersonActs && terminalPrincipal()) {
          refuseForTerminal();  // no one signs in or approves through the terminal principal
        } else if constexpr (std::is_same_v<I, intent::SignIn>) {
          signIn(i);
        } else if constexpr (std::is_same_v<I, intent::SignOut>) {
          signOut("REQUESTED");
        } else if constexpr (std::is_same_v<I, intent::Activity>) {
          // lastActivity above
        } else if constexpr (std::is_same_v<I, intent::DismissRefusal>) {
          view.refusal.reset();
        } else if constexpr (std::is_same_v<I, intent::SubmitApproval>) {
          submitApproval(i);
        } else if constexpr (std::is_same_v<I, intent::CancelApproval>) {
          cancelApproval();
        } else if (terminalPrincipal()) {
          // The terminal itself (IT on the box): the service intents only, no one signed in.
          if (serviceIntent(i)) {
            // the reading and syncing ones, as for staff
          } else if constexpr (std::is_same_v<I, intent::ListPrinters>) {
            terminalPrinters();
          } else if constexpr (std::is_same_v<I, intent::PrintTestPage>) {
            terminalTestPage();
          } else if constexpr (std::is_same_v<I, intent::XReport>) {
            terminalXReport(i);
          } else if constexpr (std::is_same_v<I, intent::PrintReceipt>) {
            terminalPrintOriginal(i);
          } else if constexpr (std::is_same_v<I, intent::SeedDemoShop>) {
            seedDemo();
          } else {
            refuseForTerminal();
          }
        } else {
          if (!requireSignedIn()) return;
          if (pending) {
            refuse("APPROVAL_PENDING", "Finish or cancel the supervisor's approval first.");
            return;
          }
          if constexpr (std::is_same_v<I, intent::OpenCheckout>) {
            openCheckout(i);
          } else if constexpr (std::is_same_v<I, intent::RefreshInvoice>) {
            refreshInvoice();
          } else if constexpr (std::is_same_v<I, intent::CloseCheckout>) {
            closeCheckout();
          } else if constexpr (std::is_same_v<I, intent::CapturePo>) {
            capturePo(i);
          } else if constexpr (std::is_same_v<I, intent::RequestOverride>) {
            requestOverride(i);
          } else if constexpr (std::is_same_v<I, intent::TakePayment>) {
            takePayment(i, std::nullopt);
          } else if constexpr (std::is_same_v<I, intent::RetryPrint>) {
            retryPrint(i);
          } else if constexpr (std::is_same_v<I, intent::EmailReceipt>) {
            emailReceipt(i);
          } else if constexpr (std::is_same_v<I, intent::PrintReceipt>) {
            printOriginal(i);
          } else if constexpr (std::is_same_v<I, intent::ReprintReceipt>) {
            reprint(i, {}, std::nullopt);
          } else if constexpr (std::is_same_v<I, intent::FindReceipts>) {
            findReceipts(i);
          } else if constexpr (std::is_same_v<I, intent::ShowReceipt>) {
            showReceipt(i.receipt);
          } else if constexpr (std::is_same_v<I, intent::OpenShift>) {
            openShift(i);
          } else if constexpr (std::is_same_v<I, intent::CashMovement>) {
            cashMovement(i);
          } else if constexpr (std::is_same_v<I, intent::OpenDrawer>) {
            openDrawer(i, {});
          } else if constexpr (std::is_same_v<I, intent::XReport>) {
            xReport(i);
          } else if constexpr (std::is_same_v<I, intent::CloseShift>) {
            closeShift(i, {});
          } else if constexpr (std::is_same_v<I, intent::RetrySync>) {
            retrySync(i);
          } else if constexpr (std::is_same_v<I, intent::ResolveQueueItem>) {
            resolveQueueItem(i, {});
          } else if constexpr (std::is_same_v<I, intent::ListPrinters>) {
            listPrinters();
          } else if constexpr (std::is_same_v<I, intent::PrintTestPage>) {
            printTestPage();
          } else if (!serviceIntent(i)) {
            // SeedDemoShop: the demo shop goes into a data directory before anyone signs in.
            refuse("NOT_FOR_STAFF",
                   "Only the terminal itself seeds the demo shop (pos-terminal demo).");
          }
        }
      },
      intent);
}

// ---------------------------------------------------------------- publishing

void CounterEngine::Impl::publish() {
  view.at = now();
  ++view.version;
  auto next = std::make_shared<const Snapshot>(view);
  {
    std::lock_guard lock(snapshotMutex);
    published = std::move(next);
  }
  std::function<void()> callback;
  {
    std::lock_guard lock(wakeMutex);
    callback = wake;
  }
  if (callback) callback();
}

void CounterEngine::Impl::setBusy(Busy busy) {
  view.busy = busy;
  publish();
}

// ---------------------------------------------------------------- status

void CounterEngine::Impl::refreshStatus() {
  // The queue, from the outbox's own counts (cheap: a covering index).
  if (auto stats = t.ledger().outbox().stats(); stats.ok()) {
    view.queue.depth = stats.value().depth;
    view.queue.oldestUnsent = stats.value().oldest_queued_at;
  }
  view.queue.attention.clear();
  view.queue.items.clear();
  if (auto list = t.ledger().outbox().list(sync::OutboxListing::Pending, 50); list.ok()) {
    const bool detail = userMay(checkout::Permission::PostingErrorDetailView);
    sync::PostingErrors errors(t.database());
    for (const auto& e : list.value()) {
      QueueItemView item;
      item.id = e.id;
      item.kind = std::string(sync::to_string(e.kind));
      item.state = std::string(sync::to_string(e.state));
      item.attempts = e.attempts;
      item.errorCode = e.last_error_code.value_or("");
      item.correlationId = e.correlation_id.value_or("");
      item.idempotencyKey = e.idempotency_key;
      if (e.state == sync::OutboxState::Rejected) {
        if (auto found = errors.find(e.id, detail ? sync::PostingErrorAccess::WithDetail
                                                  : sync::PostingErrorAccess::Sanitized);
            found.ok() && found.value()) {
          checkout::RefusalCode known{};
          item.errorText = checkout::refusal_code_from_string(found.value()->errorCode, known)
                               ? std::string(checkout::message(known))
                               : "The backend refused this item.";
          if (found.value()->detail) item.detail = found.value()->detail->message;
        }
        view.queue.attention.push_back(item);
      }
      if (view.queue.items.size() < 20) view.queue.items.push_back(std::move(item));
    }
  }
  // Bounced e-mails need the advisor too (print, or send to a right address). Their query
  // reads every acknowledged outbox item (90 ms with 100,000 payments, and this runs every
  // second): it runs again only when the outbox changed (its newest id or its depth).
  std::int64_t newestItem = 0;
  (void)t.database()
      .statement("SELECT COALESCE(MAX(id), 0) FROM outbox_message")
      .bind()
      .for_each([&](const sync::Statement& row) { newestItem = row.int64(0); });
  const std::pair<std::int64_t, std::int64_t> outboxNow{newestItem, view.queue.depth};
  if (!bouncedSeen || *bouncedSeen != outboxNow) {
    if (auto read = bouncedReceipts(t.database()); read.ok()) {
      bounced = std::move(read).value();
      bouncedSeen = outboxNow;
    }
  }
  for (const auto& receiptId : bounced) {
    QueueItemView item;
    item.kind = "delivery";
    item.state = "BOUNCED";
    item.errorCode = "BOUNCED";
    item.errorText = "The e-mail bounced: print the receipt or send it to a right address.";
    item.idempotencyKey = receiptId;
    view.queue.attention.push_back(std::move(item));
  }
  view.queue.needsAttention = static_cast<std::int64_t>(view.queue.attention.size());

  // The link: the replicator's last exchange, or this engine's own calls.
  if (replicator) {
    const auto status = replicator->status();
    // The replicator's last exchange says whether the link is up, both ways (a failed send
    // after the backend stopped is "offline", not only a failed call of the engine's own).
    if (status.lastErrorAt || status.lastSuccessAt) backendUp = status.online;
    view.connectivity.configurationProblem = status.configurationProblem;
  }
  if (backendUp) {
    view.connectivity.offlineSince.reset();
  } else if (t.online() && !view.connectivity.offlineSince) {
    view.connectivity.offlineSince = now();
  }
  view.connectivity.online = backendUp;

  // The printer's condition (the spooler's snapshot: never a wait on the printer). A printer
  // not opened yet (the terminal as principal) is not asked.
  view.printer.profile = t.config().printer.profile;
  if (printer.isOpen()) {
    const auto ps = printer.snapshot();
    view.printer.description = printer.describe();
    view.printer.readiness = std::string(drivers::readiness_code(ps.readiness));
    view.printer.message = ps.advisor_message;
    view.printer.ready = ps.readiness == drivers::PrinterReadiness::kReady;
  }

  // What may still be taken offline, from the ledger's unsynced payments.
  view.allowance = {};
  if (auto unsynced = t.ledger().unsynced_payments(); unsynced.ok()) {
    const checkout::OfflineLimits limits = t.config().offlineLimitsParsed();
    std::vector<checkout::Currency> currencies;
    for (const auto& l : limits.max_single_payment) currencies.push_back(l.currency());
    for (const auto currency : currencies) {
      view.allowance.largestSinglePayment.push_back(limits.single_payment_limit(currency));
      Money used = Money::zero(currency);
      for (const auto& c : unsynced.value().by_currency)
        if (c.currency == currency) used = c.total;
      auto left = limits.unsynced_total_limit(currency).subtract(used);
      view.allowance.totalLeft.push_back(left && !left->is_negative() ? *left
                                                                      : Money::zero(currency));
    }
    if (unsynced.value().oldest_captured_at)
      view.allowance.paymentsStopAt =
          *unsynced.value().oldest_captured_at + limits.max_unsynced_age;
  }
}

void CounterEngine::Impl::refreshShift() {
  auto current = t.ledger().current_shift();
  if (!current.ok() || !current.value()) {
    view.shift.reset();
    return;
  }
  const auto& s = *current.value();
  ShiftView v;
  v.shiftId = s.shift_id.to_string();
  v.openedAt = s.opened_at;
  v.openedBy = s.opened_by;
  v.openingFloat = s.opening_float;
  v.floatCounted = !s.opening_float.empty();
  view.shift = v;
}

void CounterEngine::Impl::refreshRecent() {
  view.recent.clear();
  if (!view.shift) return;
  auto latest = latestPaymentsOfShift(t.database(), view.shift->shiftId, 10);
  if (!latest.ok()) return;  // the list stays empty; the payments themselves are untouched
  for (const auto& p : latest.value()) {
    RecentCheckoutView r;
    r.amount = p.amount;
    r.at = p.at;
    r.paymentType =
        p.paidInFull ? checkout::PaymentType::PaidInFull : checkout::PaymentType::PartialPayment;
    const auto checkoutId = checkout::CheckoutId::parse(p.checkoutId);
    if (!checkoutId) continue;
    if (auto history = t.ledger().load_checkout(*checkoutId); history.ok() && history.value()) {
      r.workOrderId = history.value()->checkout.work_order_id;
      r.invoiceNumber = history.value()->checkout.invoice_number;
    }
    view.recent.push_back(std::move(r));
  }
}

void CounterEngine::Impl::refreshReasonCodes() {
  const auto fill = [&](ReasonCategory category, std::vector<ReasonCodeView>& out) {
    out.clear();
    const auto codes = cache.reasonCodes(category);
    for (const auto& r : codes.all())
      out.push_back(ReasonCodeView{r.code, r.label, r.requires_notes});
  };
  fill(ReasonCategory::PoOverride, view.overrideReasons);
  fill(ReasonCategory::Reprint, view.reprintReasons);
}

// ---------------------------------------------------------------- refusals

void CounterEngine::Impl::refuse(std::string_view code, std::string_view text, std::string detail,
                                 RefusalKind kind) {
  RefusalView r;
  r.kind = kind;
  r.code = std::string(code);
  r.text = std::string(text);
  r.correlationId = correlation();
  if (userMay(checkout::Permission::PostingErrorDetailView)) r.detail = std::move(detail);
  r.serial = ++refusalSerial;
  view.refusal = std::move(r);
}

void CounterEngine::Impl::refuse(const checkout::Refusal& refusal) {
  std::string detail = refusal.detail;
  for (const auto& f : refusal.missing_fields) detail += (detail.empty() ? "" : " ") + f;
  RefusalView r;
  r.code = std::string(refusal.code_text());
  r.text = std::string(refusal.text());
  // The domain's details are safe to show (the missing permission, the fields, the PO rule).
  r.detail = detail;
  r.correlationId = correlation();
  r.serial = ++refusalSerial;
  view.refusal = std::move(r);
}

void CounterEngine::Impl::storageFailure(const ledger::LedgerError& error) {
  t.log().error("ledger.write_failed", {{"code", std::string(ledger::to_string(error.code))},
                                        {"correlationId", correlation()}});
  refuse("STORAGE_FAILED", "The terminal could not record this.", error.message,
         RefusalKind::Storage);
}

void CounterEngine::Impl::noteOutcome(const sync::HttpOutcome& o) {
  if (o.outcome == sync::OutcomeClass::Retryable || o.outcome == sync::OutcomeClass::Ambiguous) {
    if (backendUp)
      t.log().warn("backend.unreachable", {{"code", o.code()}, {"correlationId", correlation()}});
    backendUp = false;
  } else if (o.outcome != sync::OutcomeClass::ConfigurationProblem) {
    backendUp = true;
  }
}

// ---------------------------------------------------------------- small helpers

sync::RequestIdentity CounterEngine::Impl::who() const {
  sync::RequestIdentity id;
  if (user) id.operatorId = user->str();
  if (open) {
    id.correlationId = open->co.correlation_id().to_string();
    id.trace = sync::TraceId::parse(open->co.trace_id());
  }
  return id;
}

std::string CounterEngine::Impl::correlation() const {
  return open ? open->co.correlation_id().to_string() : "";
}

const checkout::Staff* CounterEngine::Impl::signedInStaff() const {
  if (!user || !roster) return nullptr;
  return roster->find(*user);
}

bool CounterEngine::Impl::userMay(checkout::Permission p) const {
  const auto* staff = signedInStaff();
  return staff && staff->permissions.has(p);
}

bool CounterEngine::Impl::requireSignedIn() {
  if (user && roster) return true;
  refuse("SIGN_IN_REQUIRED", "Sign in first.");
  return false;
}

// The roster: online first when asked (and a bad answer never replaces the good copy), else
// the offline cache.
bool CounterEngine::Impl::loadRoster(bool refreshOnline) {
  if (refreshOnline && backendUp && t.billing()) {
    auto fresh = t.billing()->roster(who());
    noteOutcome(fresh.outcome);
    if (fresh.outcome.ok()) {
      auto body = json::parse(fresh.outcome.body, nullptr, false);
      if (!body.is_discarded() && checkout::parse_roster(body).ok())
        cache.putRoster(body, now(), fresh.etag);
    }
  }
  auto loaded = cache.roster();
  if (!loaded.ok()) {
    roster.reset();
    view.staff.clear();
    return false;
  }
  roster = std::move(loaded).value();
  view.staff.clear();
  for (const auto& s : roster->staff())
    view.staff.push_back(StaffMember{s.user_id, s.display_name,
                                     s.permissions.has(checkout::Permission::AuthElevate)});
  return true;
}

std::string tenderText(const checkout::TenderDetails& tender) {
  std::string out(checkout::to_string(tender.kind));
  if (tender.card)
    out = tender.card->brand + " ****" + tender.card->last4 + " " + tender.card->approval_code;
  else if (tender.tender_reference)
    out += " " + *tender.tender_reference;
  return out;
}

// "USD 200.00,EUR 50.00" -> Money per currency (each item by the configuration's
// parseMoneyText); nullopt when any item is malformed or a currency repeats.
std::optional<std::vector<Money>> parseMoneyList(std::string_view text) {
  std::vector<Money> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto parsed = parseMoneyText(item);
    const auto* money = std::get_if<Money>(&parsed);
    if (!money) return std::nullopt;
    for (const auto& m : out)
      if (m.currency() == money->currency()) return std::nullopt;
    out.push_back(*money);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace pos::app
