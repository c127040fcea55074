// The counter engine's service intents: what a shop's IT runs on the box (cli.md's subcommands
// that name no operator), for the terminal as principal (no one signs in) or a signed-in
// person. Each result is a typed Snapshot field; a failure is the refusal (the command line
// maps both to cli.md's exit codes and JSON).
//
// Sections: EnginePrinter · refusals · the queue · verify · pull · sync · reconcile ·
// printers · a receipt's original · the demo shop · the X report · receipts afterwards ·
// invoices
//
// Nothing here writes at start: the reading intents (queue, verify, receipt record, invoice,
// X report) run on a data directory this process cannot write; the printer is opened the first
// time an intent prints or asks it, and sync drains with a replicator of its own for that
// intent only.
#include <map>
#include <set>
#include <sstream>

#include <pos/app/contract_mapping.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/drivers/test_page.hpp>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/encoder.hpp>
#include <pos/escpos/image.hpp>
#include <pos/ledger/po_lookup.hpp>
#include <pos/sync/reconciliation.hpp>

#include "engine_impl.hpp"
#include "ledger_lookups.hpp"

namespace pos::app {

using nlohmann::json;

// ---------------------------------------------------------------- EnginePrinter

std::optional<StartupError> EnginePrinter::ensureOpen() {
  if (given_) return std::nullopt;
  auto opened = PrinterService::open(terminal_);
  if (auto* e = std::get_if<StartupError>(&opened)) return *e;
  owned_ = std::get<std::unique_ptr<PrinterService>>(std::move(opened));
  for (const auto& job : owned_->interruptedAtStart())
    terminal_.log().warn("print.interrupted_job", {{"reference", job.record.reference}});
  given_ = owned_.get();
  return std::nullopt;
}

PrintResult EnginePrinter::print(drivers::PrintJob job) {
  if (auto problem = ensureOpen()) {
    PrintResult r;
    r.outcome.result = drivers::JobResult::kFailed;
    r.outcome.reason = drivers::FailureReason::kLinkError;
    r.outcome.detail = problem->message;
    r.advisorMessage = std::string(drivers::advisor_message(r.outcome));
    return r;
  }
  return given_->print(std::move(job));
}

drivers::PrinterSnapshot EnginePrinter::snapshot() const {
  return given_ ? given_->snapshot() : drivers::PrinterSnapshot{};
}

drivers::PrinterSnapshot EnginePrinter::freshSnapshot(std::chrono::milliseconds limit) {
  if (ensureOpen()) return drivers::PrinterSnapshot{};
  return given_->freshSnapshot(limit);
}

std::vector<drivers::FoundPrinter> EnginePrinter::discover() {
  if (ensureOpen()) return {};
  return given_->discover();
}

std::string EnginePrinter::describe() const {
  return given_ ? given_->describe() : std::string();
}

std::optional<std::filesystem::path> EnginePrinter::spoolDirectory() const {
  return given_ ? given_->spoolDirectory() : std::nullopt;
}

// ---------------------------------------------------------------- refusals

void CounterEngine::Impl::refuseForTerminal() {
  refuse("STAFF_SIGN_IN_REQUIRED",
         "The terminal itself (IT on the box) may only read, sync and test the printer: this "
         "needs a member of staff signed in.");
}

// The words name the file or the read that failed (IT's, on the box): the text, not a detail
// that only a permission shows.
void CounterEngine::Impl::dataProblem(const std::string& message) {
  refuse("DATA_PROBLEM", message, {}, RefusalKind::Storage);
}

// ---------------------------------------------------------------- the queue

void CounterEngine::Impl::listQueue(const intent::ListQueue& i) {
  const auto at = now();
  if (i.retryAll) {
    (void)t.ledger().outbox().force_retry_all(at);
  } else if (i.retryItem) {
    auto retried = t.ledger().outbox().force_retry(*i.retryItem, at);
    if (!retried.ok()) {
      dataProblem(retried.error().message);
      return;
    }
    if (!retried.value()) {
      refuse("QUEUE_ITEM_NOT_FOUND", "no queued or refused item " + std::to_string(*i.retryItem) +
                                         " (see `pos-terminal queue`)");
      return;
    }
  }
  readQueueListing();
}

bool CounterEngine::Impl::readQueueListing() {
  auto list = t.ledger().outbox().list(sync::OutboxListing::Pending);
  auto stats = t.ledger().outbox().stats();
  if (!list.ok() || !stats.ok()) {
    dataProblem("cannot read the outbox");
    return false;
  }
  QueueListingView q;
  for (const auto& e : list.value()) {
    QueueEntryView item;
    item.id = e.id;
    item.kind = std::string(sync::to_string(e.kind));
    item.stream = e.stream;
    item.sequence = e.sequence;
    item.state = std::string(sync::to_string(e.state));
    item.attempts = e.attempts;
    item.nextAttemptAt = e.next_attempt_at;
    item.lastErrorCode = e.last_error_code;
    item.correlationId = e.correlation_id;
    item.idempotencyKey = e.idempotency_key;
    q.items.push_back(std::move(item));
  }
  if (auto needs = t.ledger().outbox().needs_attention(); needs.ok()) {
    for (const auto& a : needs.value()) {
      QueueAttentionView item;
      item.id = a.item.id;
      item.kind = std::string(sync::to_string(a.item.kind));
      item.errorCode = a.item.last_error_code;
      item.correlationId = a.item.correlation_id;
      for (const auto& h : a.held) item.held.push_back(h.id);
      q.needsAttention.push_back(std::move(item));
    }
  }
  // A bounced e-mail needs the advisor too: print the receipt or send it to a right address.
  if (auto b = bouncedReceipts(t.database()); b.ok()) q.bouncedReceipts = std::move(b).value();
  q.depth = stats.value().depth;
  q.oldestQueuedAt = stats.value().oldest_queued_at;
  q.inFlight = inFlightNotice(t);
  view.queueListing = std::move(q);
  return true;
}

// ---------------------------------------------------------------- verify

void CounterEngine::Impl::verify(const intent::Verify& i) {
  setBusy(Busy::Verifying);
  auto v = t.ledger().verify([&](std::int64_t done, std::int64_t total) {
    if (i.progress) i.progress(done, total);
  });
  if (!v.ok()) {
    dataProblem(v.error().message);
    return;
  }
  const auto& res = v.value();
  auto outbox = t.ledger().outbox().verify();
  auto snapshots = t.snapshots().verify();
  VerifyView out;
  out.integrityCheck = res.integrity_check;
  out.linksChecked = res.links_checked;
  out.anchorFinding = std::string(ledger::to_string(res.anchor.finding));
  out.anchorLength = res.anchor.anchor_length;
  out.dbLength = res.anchor.db_length;
  out.anchorSound = res.anchor.sound();
  out.outboxSound = outbox.ok() && outbox.value().sound();
  out.snapshotsSound = snapshots.ok() && snapshots.value().sound();
  if (outbox.ok() && outbox.value().first_broken_id)
    out.outboxFirstBroken = *outbox.value().first_broken_id;
  if (snapshots.ok()) out.brokenSnapshots = snapshots.value().broken_keys;
  if (res.first_break)
    out.firstBreak = VerifyView::Break{res.first_break->sequence, res.first_break->table,
                                       std::string(ledger::to_string(res.first_break->kind))};
  out.sound = res.sound() && out.outboxSound && out.snapshotsSound;
  view.verification = std::move(out);
}

// ---------------------------------------------------------------- pull

void CounterEngine::Impl::pull() {
  if (!t.online()) {
    refuse("BACKEND_NOT_CONFIGURED", "no backend is configured (--backend)", {},
           RefusalKind::Unreachable);
    return;
  }
  setBusy(Busy::Pulling);
  auto* b = t.billing();
  const auto at = now();
  PullView pulled;
  auto fresh = b->roster(who());
  noteOutcome(fresh.outcome);
  if (fresh.outcome.outcome == sync::OutcomeClass::ConfigurationProblem) {
    // The words send IT to the right place: the backend answered and refused this terminal.
    refuse(fresh.outcome.code(),
           "the backend refused the terminal's credentials (" + std::string(fresh.outcome.code()) +
               "): check the token file " + t.config().backend.tokenFile.string(),
           {}, RefusalKind::Configuration);
    return;
  }
  if (fresh.outcome.outcome == sync::OutcomeClass::Retryable ||
      fresh.outcome.outcome == sync::OutcomeClass::Ambiguous) {
    refuse(fresh.outcome.code(), "the backend could not be reached", {}, RefusalKind::Unreachable);
    return;
  }
  if (fresh.outcome.ok()) {
    // A roster that does not parse and validate never replaces the good one (issue 12).
    pulled.rosterAccepted =
        cache.putRoster(json::parse(fresh.outcome.body, nullptr, false), at, fresh.etag);
  }
  for (const auto category : vocabulary::kAll<ReasonCategory>) {
    auto codes = b->reasonCodes(who(), category);
    if (codes.outcome.ok())
      cache.putReasonCodes(category, json::parse(codes.outcome.body, nullptr, false), at,
                           codes.etag);
  }
  std::set<std::string> accounts;
  auto feed = b->invoiceFeed(who(), "1970-01-01T00:00:00.000Z");
  if (feed.outcome.ok() && feed.value) {
    for (const auto& inv : feed.value->value("invoices", json::array())) {
      if (cache.putInvoice(inv, at)) ++pulled.invoices;
      if (inv.contains("customerAccountId") && inv["customerAccountId"].is_string())
        accounts.insert(inv["customerAccountId"].get<std::string>());
    }
  }
  for (const auto& account : accounts) {
    auto r = b->rules(who(), account);
    if (r.outcome.ok()) {
      cache.putRules(account, json::parse(r.outcome.body, nullptr, false), at, r.etag);
      ++pulled.rules;
    } else if (r.outcome.outcome == sync::OutcomeClass::NotFound) {
      cache.putRulesUnconfigured(account, at);
    }
  }
  view.pulled = pulled;
  if (!terminalPrincipal()) {
    loadRoster(false);
    refreshReasonCodes();
  }
}

// ---------------------------------------------------------------- sync

namespace {

SyncEnd syncEnd(sync::DrainResult r) {
  switch (r) {
    case sync::DrainResult::Empty:
      return SyncEnd::Empty;
    case sync::DrainResult::NeedsAttention:
      return SyncEnd::NeedsAttention;
    case sync::DrainResult::Unreachable:
      return SyncEnd::Unreachable;
    case sync::DrainResult::Unfinished:
      return SyncEnd::Unfinished;
    case sync::DrainResult::ConfigurationProblem:
      return SyncEnd::ConfigurationProblem;
    case sync::DrainResult::AnotherProcessSyncing:
      return SyncEnd::AnotherProcessSyncing;
    case sync::DrainResult::StorageProblem:
      return SyncEnd::StorageProblem;
  }
  return SyncEnd::Unfinished;
}

}  // namespace

void CounterEngine::Impl::syncOutbox(const intent::Sync& i) {
  if (!t.online()) {
    refuse("BACKEND_NOT_CONFIGURED", "no backend is configured (--backend)", {},
           RefusalKind::Unreachable);
    return;
  }
  setBusy(Busy::Syncing);
  // A started replicator (the touch UI's) holds the sync lease: it is woken, and the drain
  // below says another replicator is syncing.
  if (replicator) {
    replicator->resume();
    replicator->wake();
  }
  auto conn = t.openConnection();
  if (!conn.ok()) {
    dataProblem(conn.error().message);
    return;
  }
  sync::ReplicatorConfig rc;
  rc.http = t.httpConfig();
  rc.pull = sync::SnapshotPull::Off;
  if (i.untilEmpty) rc.leaseWait = sync::LeaseWait::UntilDeadline;
  SyncView out;
  {
    sync::Replicator drain(std::move(conn).value(), rc);
    const auto drained = drain.drain(i.timeout);
    out.end = syncEnd(drained);
    out.endCode = std::string(sync::toString(drained));
    const auto status = drain.status();
    out.online = status.online;
    out.configurationProblem = status.configurationProblem;
    out.lastError = status.lastError;
    if (status.lastErrorAt || status.lastSuccessAt) backendUp = status.online;
  }
  view.synced = out;
  readQueueListing();
}

// ---------------------------------------------------------------- reconcile

void CounterEngine::Impl::reconcile(const intent::Reconcile& i) {
  if (!t.online()) {
    refuse("BACKEND_NOT_CONFIGURED", "reconcile needs the backend (--backend)", {},
           RefusalKind::Unreachable);
    return;
  }
  setBusy(Busy::Reconciling);
  auto payments = t.ledger().payments_between(i.from, i.to);
  if (!payments.ok()) {
    dataProblem(payments.error().message);
    return;
  }
  std::map<std::string, sync::OutboxState> posting;
  if (auto all = t.ledger().outbox().list(sync::OutboxListing::All, 1'000'000); all.ok()) {
    for (const auto& e : all.value())
      if (e.kind == sync::OutboxKind::Payment) posting[e.idempotency_key] = e.state;
  }
  std::vector<sync::LedgerPayment> ours;
  for (const auto& p : payments.value()) {
    sync::LedgerPayment lp;
    lp.billingPaymentId = p.payment_id.to_string();
    lp.invoiceId = p.invoice_id.to_string();
    lp.amount =
        sync::ContractMoney{std::string(p.amount.currency().code()), p.amount.minor_units()};
    lp.tender = std::string(ledger::to_string(p.tender));
    lp.capturedAt = checkout::format_rfc3339(p.captured_at);
    auto state = posting.find(lp.billingPaymentId);
    lp.posting = state == posting.end() || state->second == sync::OutboxState::Acked
                     ? sync::LedgerPostingState::Posted
                 : state->second == sync::OutboxState::Rejected ? sync::LedgerPostingState::Refused
                                                                : sync::LedgerPostingState::Pending;
    ours.push_back(lp);
  }
  auto theirs =
      t.billing()->payments(who(), t.config().terminalId, checkout::format_rfc3339(i.from),
                            checkout::format_rfc3339(i.to));
  noteOutcome(theirs.outcome);
  if (!theirs.ok()) {
    refuse(theirs.outcome.code(), "the backend's payments could not be read", {},
           RefusalKind::Unreachable);
    return;
  }
  view.reconciliation = std::make_shared<const sync::ReconciliationReport>(
      sync::reconcile(ours, *theirs.value, i.fromText, i.toText));
}

// ---------------------------------------------------------------- printers

// The terminal's listing: the configured printer asked now (at most 2 s), and every printer
// that can be found.
void CounterEngine::Impl::terminalPrinters() {
  setBusy(Busy::Printers);
  if (auto problem = printer.ensureOpen()) {
    refuse("PRINTER_UNAVAILABLE", problem->message, {},
           problem->exitCode == 5 ? RefusalKind::Unreachable : RefusalKind::Configuration);
    return;
  }
  const auto snap = printer.freshSnapshot(std::chrono::seconds(2));
  view.printer.description = printer.describe();
  view.printer.readiness = std::string(drivers::readiness_code(snap.readiness));
  view.printer.message = snap.advisor_message;
  view.printer.ready = snap.readiness == drivers::PrinterReadiness::kReady;
  view.printers.clear();
  for (const auto& p : printer.discover()) {
    const std::string status =
        p.status.ok() ? std::string(p.status.status.can_print() ? "READY" : "NOT_READY")
                      : std::string(drivers::link_error_code(p.status.error));
    PrinterListItem item{drivers::to_string(p.uri), p.description, p.profile, status, p.problem};
    item.speaksEscpos = p.speaks_escpos;
    view.printers.push_back(std::move(item));
  }
}

// The IT tool, ungated (a staff member's test page is a supervisor's: printTestPage).
void CounterEngine::Impl::terminalTestPage() {
  setBusy(Busy::Printing);
  if (auto problem = printer.ensureOpen()) {
    refuse("PRINTER_UNAVAILABLE", problem->message, {},
           problem->exitCode == 5 ? RefusalKind::Unreachable : RefusalKind::Configuration);
    return;
  }
  auto page = drivers::build_test_page(
      t.printerProfile(), drivers::TestPageFacts{printer.describe(), t.config().printer.uri,
                                                 t.config().terminalId, t.localTimeText(now())});
  if (!page.ok()) {
    dataProblem(page.error().message);
    return;
  }
  auto printed = printer.print(drivers::PrintJob{
      drivers::JobKind::kTestPage, drivers::Copy::kOriginal,
      "TEST-" + checkout::format_compact_utc(now()), "terminal", "TEST", std::move(page).value()});
  TestPageView out;
  out.printed = printed.outcome.result == drivers::JobResult::kPrinted;
  out.result = std::string(drivers::job_result_code(printed.outcome.result));
  out.reason = std::string(drivers::failure_reason_code(printed.outcome.reason));
  out.printerMessage = printed.advisorMessage;
  out.printer = printer.describe();
  view.testPage = std::move(out);
}

// ---------------------------------------------------------------- a receipt's original

void CounterEngine::Impl::terminalPrintOriginal(const intent::PrintReceipt& i) {
  setBusy(Busy::Printing);
  if (auto problem = printer.ensureOpen()) {
    refuse("PRINTER_UNAVAILABLE", problem->message, {},
           problem->exitCode == 5 ? RefusalKind::Unreachable : RefusalKind::Configuration);
    return;
  }
  view.receipt.reset();
  deliverByPrint(i.receipt, false);
}

// ---------------------------------------------------------------- the demo shop

void CounterEngine::Impl::seedDemo() {
  view.demoSeeded.reset();
  if (!cache.empty()) {
    view.demoSeeded = false;
    return;
  }
  if (auto error = seedDemoShop(cache, t.config().assetsDir / "demo", now()); !error.empty()) {
    dataProblem(error);
    return;
  }
  view.demoSeeded = true;
}

// ---------------------------------------------------------------- the X report

// The open shift's X (readXReport, as the staff's XReport), printed for the terminal when asked.
void CounterEngine::Impl::terminalXReport(const intent::XReport& i) {
  setBusy(Busy::Shift);
  if (i.print) {
    if (auto problem = printer.ensureOpen()) {
      refuse("PRINTER_UNAVAILABLE", problem->message, {},
             problem->exitCode == 5 ? RefusalKind::Unreachable : RefusalKind::Configuration);
      return;
    }
  }
  auto read = readXReport(t);
  if (const auto* error = std::get_if<ledger::LedgerError>(&read)) {
    dataProblem(error->message);
    return;
  }
  if (std::holds_alternative<NoShiftOpen>(read)) {
    view.report.reset();
    refuse("SHIFT_NOT_OPEN", "no shift is open");
    return;
  }
  view.report = std::get<ReportView>(std::move(read));
  if (!i.print) return;
  escpos::Encoder e(t.printerProfile());
  e.initialize();
  std::istringstream lines(view.report->text);
  for (std::string line; std::getline(lines, line);) e.paragraph(line);
  e.cut(escpos::Cut::Partial);
  auto printed = printer.print(drivers::PrintJob{
      drivers::JobKind::kReport, drivers::Copy::kOriginal, "REPORT-" + view.report->shiftId + "-X",
      "terminal", "REPORT", e.take_bytes()});
  view.report->printed = printed.outcome.result == drivers::JobResult::kPrinted;
}

// ---------------------------------------------------------------- receipts afterwards

std::optional<CounterEngine::Impl::LoadedReceipt> CounterEngine::Impl::loadReceipt(
    const std::string& code) {
  auto id = checkout::ReceiptId::parse(code);
  // A scanned receipt barcode (the compact code) names the receipt too.
  if (!id) {
    if (auto prefix = receiptIdPrefixFor(code)) {
      auto found = receiptsWithIdPrefix(t.database(), *prefix);
      if (!found.ok()) {
        dataProblem(found.error().message);
        return std::nullopt;
      }
      if (found.value().size() > 1) {
        refuse("RECEIPT_AMBIGUOUS", "that code names " + std::to_string(found.value().size()) +
                                        " receipts: use the receipt id");
        return std::nullopt;
      }
      if (found.value().size() == 1) id = found.value().front();
    }
  }
  if (!id) {
    refuse("RECEIPT_NOT_FOUND", "not a receipt id: " + code);
    return std::nullopt;
  }
  auto found = t.ledger().find_receipt(*id);
  if (!found.ok()) {
    dataProblem(found.error().message);
    return std::nullopt;
  }
  if (!found.value()) {
    refuse("RECEIPT_NOT_FOUND", "no receipt " + code);
    return std::nullopt;
  }
  auto events = t.ledger().load_events(found.value()->checkout_id);
  if (!events.ok()) {
    dataProblem(events.error().message);
    return std::nullopt;
  }
  auto co = checkout::Checkout::replay(events.value());
  if (!co.ok()) {
    refuse(co.error());
    return std::nullopt;
  }
  return LoadedReceipt{*found.value(), std::move(co).value()};
}

void CounterEngine::Impl::showReceiptRecord(const intent::ShowReceiptRecord& i) {
  view.receiptRecord.reset();
  auto loaded = loadReceipt(i.code);
  if (!loaded) return;
  const auto& rec = loaded->record;
  ReceiptRecordView out;
  out.receiptId = rec.receipt_id.to_string();
  out.receiptReference = rec.receipt_reference;
  out.billingPaymentId = rec.payment_id.to_string();
  out.checkoutId = rec.checkout_id.to_string();
  out.invoiceId = rec.invoice_id.to_string();
  out.correlationId = loaded->checkout.correlation_id().to_string();
  out.paymentType = rec.payment_type;
  out.remainingBalance = rec.remaining_balance;
  out.deliverySuppressed = rec.delivery == ledger::ReceiptDeliveryChoice::Suppressed;
  out.templateId = rec.template_id;
  out.templateVersion = rec.template_version;
  out.createdAt = rec.created_at;
  if (auto d = t.ledger().deliveries_of(rec.receipt_id); d.ok()) {
    for (const auto& s : d.value())
      out.deliveries.push_back(DeliveryRecordView{
          s.delivery.delivery_id.to_string(), std::string(ledger::to_string(s.delivery.channel)),
          std::string(ledger::to_string(s.status)), s.reason});
  }
  if (auto reprints = t.ledger().reprint_count(rec.receipt_id); reprints.ok())
    out.reprintCount = reprints.value();
  // What the backend answered to the latest delivery it acknowledged (a bounced e-mail).
  auto backend = backendDeliveryStatus(t.database(), rec.receipt_id.to_string());
  out.deliveryStatus = backend.ok() && backend.value() ? *backend.value()
                       : out.deliveries.empty()        ? std::string("PENDING")
                                                       : out.deliveries.back().status;
  out.compactCode = compactReceiptCode(rec.receipt_id);
  out.printText = rec.print_text;
  view.receiptRecord = std::move(out);
}

void CounterEngine::Impl::renderReceipt(const intent::RenderReceipt& i) {
  view.renderedReceipt.reset();
  auto loaded = loadReceipt(i.code);
  if (!loaded) return;
  auto content = renderer.content(loaded->checkout, loaded->record.receipt_id, std::nullopt);
  auto rendered = renderer.render(content, std::stoi(loaded->record.template_version),
                                  escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered)) {
    dataProblem(*err);
    return;
  }
  const auto& bytes = std::get<RenderedReceiptText>(rendered).bytes;
  // Every file written is checked: a missing folder names the path (exit 6), never "done".
  if (auto failed = writePrivateFile(i.out, bytes)) {
    dataProblem(*failed);
    return;
  }
  if (i.png) {
    auto decoded = escpos::decode(bytes, t.printerProfile());
    auto png = escpos::encode_png(decoded.picture);
    if (auto failed = writePrivateFile(*i.png, png)) {
      dataProblem(*failed);
      return;
    }
  }
  view.renderedReceipt = RenderedReceiptView{i.code, i.out, i.png, bytes.size()};
}

// ---------------------------------------------------------------- invoices

void CounterEngine::Impl::showInvoice(const intent::ShowInvoice& i) {
  view.invoiceRecord.reset();
  std::optional<std::string> body;
  bool fromBackend = false;
  if (t.billing()) {
    setBusy(Busy::LoadingInvoice);
    auto r = t.billing()->invoiceByWorkOrder(who(), i.workOrder);
    noteOutcome(r.outcome);
    if (r.outcome.ok()) {
      body = r.outcome.body;
      fromBackend = true;
    } else if (r.outcome.outcome == sync::OutcomeClass::NotFound) {
      refuse("INVOICE_NOT_FOUND", "no invoice for work order " + i.workOrder);
      return;
    }
  }
  if (!body) body = cache.invoiceByWorkOrder(i.workOrder);
  if (!body) {
    refuse("INVOICE_NOT_FOUND", "no invoice for work order " + i.workOrder + " on this terminal");
    return;
  }
  auto invoice = checkout::parse_invoice_text(*body);
  if (!invoice.ok()) {
    refuse(invoice.error());
    return;
  }
  const auto& inv = invoice.value();
  auto taken = ledger::payments_taken_on_invoice(t.database(), inv.invoice_id.to_string());
  if (!taken.ok()) {
    dataProblem(taken.error().message);
    return;
  }
  InvoiceRecordView out;
  out.invoiceId = inv.invoice_id.to_string();
  out.invoiceNumber = inv.invoice_number;
  out.workOrderId = inv.work_order_id.str();
  out.customerName = inv.customer_name;
  out.status = inv.status_text;
  out.grandTotal = inv.grand_total;
  out.fromBackend = fromBackend;
  Money balance = inv.balance_due;
  for (const auto& p : taken.value()) {
    bool listed = false;
    for (const auto& known : inv.payments)
      listed = listed || known.billing_payment_id.to_string() == p.billing_payment_id;
    const auto currency = checkout::Currency::from_code(p.currency);
    if (!currency) {
      dataProblem("a payment on " + inv.invoice_number + " has an unknown currency " + p.currency);
      return;
    }
    out.takenHere.push_back(PaymentTakenView{p.billing_payment_id, Money{*currency, p.amount_minor},
                                             p.tender, p.captured_at, listed});
    if (!listed && p.currency == inv.currency.code()) {
      if (auto less = balance.subtract(Money{inv.currency, p.amount_minor})) balance = *less;
    }
  }
  out.balanceDue = balance;
  view.invoiceRecord = std::move(out);
}

}  // namespace pos::app
