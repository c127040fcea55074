// The command-line runners (../shared/contract/cli.md). Sections: output · receipts ·
// sync, pull and queue · shift reports · reconcile · printers · verify · demo · dispatch.
#include <pos/app/commands.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <pos/app/contract_mapping.hpp>
#include <pos/app/engine.hpp>
#include <pos/app/offline_cache.hpp>
#include <pos/app/services.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/drivers/known_printers.hpp>
#include <pos/drivers/test_page.hpp>
#include <pos/drivers/usb_transport.hpp>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/encoder.hpp>
#include <pos/escpos/image.hpp>
#include <pos/ledger/po_lookup.hpp>
#include <pos/sync/reconciliation.hpp>

#include "counter_commands.hpp"
#include "ledger_lookups.hpp"

namespace pos::app {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------- output

int emit(const CommandResult& r, bool asJson, std::ostream& out, std::ostream& err) {
  if (asJson) {
    out << r.json.dump() << '\n';
  } else if (!r.text.empty()) {
    (r.code == ExitCode::Done ? out : err) << r.text << '\n';
  }
  return static_cast<int>(r.code);
}

CommandResult dataProblem(const std::string& message) {
  return refusedResult("DATA_PROBLEM", message, "", ExitCode::ConfigOrData);
}

// ---------------------------------------------------------------- receipts

struct LoadedReceipt {
  ledger::ReceiptRecord record;
  checkout::Checkout checkout;
};

std::variant<LoadedReceipt, CommandResult> loadReceipt(Terminal& t, const std::string& idText) {
  auto id = checkout::ReceiptId::parse(idText);
  // A scanned receipt barcode (the compact code) names the receipt too.
  if (!id) {
    if (auto prefix = receiptIdPrefixFor(idText)) {
      auto found = receiptsWithIdPrefix(t.database(), *prefix);
      if (!found.ok()) return dataProblem(found.error().message);
      if (found.value().size() > 1)
        return refusedResult("RECEIPT_AMBIGUOUS",
                             "that code names " + std::to_string(found.value().size()) +
                                 " receipts: use the receipt id",
                             "");
      if (found.value().size() == 1) id = found.value().front();
    }
  }
  if (!id) return refusedResult("RECEIPT_NOT_FOUND", "not a receipt id: " + idText, "");
  auto found = t.ledger().find_receipt(*id);
  if (!found.ok()) return dataProblem(found.error().message);
  if (!found.value()) return refusedResult("RECEIPT_NOT_FOUND", "no receipt " + idText, "");
  auto events = t.ledger().load_events(found.value()->checkout_id);
  if (!events.ok()) return dataProblem(events.error().message);
  auto co = checkout::Checkout::replay(events.value());
  if (!co.ok()) return refusedResult(co.error(), "");
  return LoadedReceipt{*found.value(), std::move(co).value()};
}

CommandResult receiptShow(Terminal& t, const ReceiptCommand& cmd) {
  auto loaded = loadReceipt(t, cmd.receiptId);
  if (auto* r = std::get_if<CommandResult>(&loaded)) return *r;
  auto& l = std::get<LoadedReceipt>(loaded);
  json deliveries = json::array();
  if (auto d = t.ledger().deliveries_of(l.record.receipt_id); d.ok()) {
    for (const auto& s : d.value())
      deliveries.push_back({{"deliveryId", s.delivery.delivery_id.to_string()},
                            {"channel", std::string(ledger::to_string(s.delivery.channel))},
                            {"status", std::string(ledger::to_string(s.status))},
                            {"reason", s.reason}});
  }
  auto reprints = t.ledger().reprint_count(l.record.receipt_id);
  // What the backend answered to the latest delivery it acknowledged (a bounced e-mail).
  auto backend = backendDeliveryStatus(t.database(), l.record.receipt_id.to_string());
  CommandResult r;
  r.json = {{"receiptId", l.record.receipt_id.to_string()},
            {"receiptReference", l.record.receipt_reference},
            {"billingPaymentId", l.record.payment_id.to_string()},
            {"checkoutId", l.record.checkout_id.to_string()},
            {"invoiceId", l.record.invoice_id.to_string()},
            {"paymentType", std::string(ledger::to_string(l.record.payment_type))},
            {"remainingBalance", checkout::money_to_json(l.record.remaining_balance)},
            {"deliverySuppressed", l.record.delivery == ledger::ReceiptDeliveryChoice::Suppressed},
            {"templateId", l.record.template_id},
            {"templateVersion", l.record.template_version},
            {"createdAt", checkout::format_rfc3339(l.record.created_at)},
            {"reprintCount", reprints.ok() ? reprints.value() : 0},
            {"deliveries", deliveries},
            {"deliveryStatus", backend.ok() && backend.value() ? json(*backend.value())
                               : deliveries.empty()            ? json("PENDING")
                                                               : deliveries.back()["status"]},
            {"compactCode", compactReceiptCode(l.record.receipt_id)},
            {"printText", l.record.print_text}};
  r.text = l.record.print_text;
  return r;
}

CommandResult receiptRender(Terminal& t, ReceiptRenderer& renderer, const ReceiptCommand& cmd) {
  auto loaded = loadReceipt(t, cmd.receiptId);
  if (auto* r = std::get_if<CommandResult>(&loaded)) return *r;
  auto& l = std::get<LoadedReceipt>(loaded);
  auto content = renderer.content(l.checkout, l.record.receipt_id, std::nullopt);
  auto rendered =
      renderer.render(content, std::stoi(l.record.template_version), escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered)) return dataProblem(*err);
  const auto& bytes = std::get<RenderedReceiptText>(rendered).bytes;
  // Every file written is checked: a missing folder names the path (exit 6), never "done".
  if (auto failed = writePrivateFile(cmd.outFile, bytes)) return dataProblem(*failed);
  CommandResult r;
  r.json = {{"receiptId", cmd.receiptId}, {"out", cmd.outFile}, {"bytes", bytes.size()}};
  if (cmd.pngFile) {
    auto decoded = escpos::decode(bytes, t.printerProfile());
    auto png = escpos::encode_png(decoded.picture);
    if (auto failed = writePrivateFile(*cmd.pngFile, png)) return dataProblem(*failed);
    r.json["png"] = *cmd.pngFile;
  }
  r.text = "wrote " + cmd.outFile + (cmd.pngFile ? " and " + *cmd.pngFile : "");
  return r;
}

// `receipt print ID`: the original, for a receipt never printed (the spooler refuses a second
// original). Reprints are copies and go through the counter engine (runReprint).
CommandResult receiptPrint(Terminal& t, PrinterService& printer, ReceiptRenderer& renderer,
                           const ReceiptCommand& cmd) {
  auto loaded = loadReceipt(t, cmd.receiptId);
  if (auto* r = std::get_if<CommandResult>(&loaded)) return *r;
  auto& l = std::get<LoadedReceipt>(loaded);
  const auto correlation = l.checkout.correlation_id().to_string();
  std::optional<CopyMark> copy;
  drivers::Copy copyKind = drivers::Copy::kOriginal;
  std::string requestedBy = "-";
  std::optional<checkout::ReceiptReprinted> reprinted;

  auto content = renderer.content(l.checkout, l.record.receipt_id, copy);
  auto rendered =
      renderer.render(content, std::stoi(l.record.template_version), escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered)) return dataProblem(*err);
  auto& receipt = std::get<RenderedReceiptText>(rendered);
  const auto deliveryId = t.ids().next_id<checkout::DeliveryId>();
  auto requester = checkout::UserId::parse(requestedBy == "-" ? "terminal" : requestedBy).value();
  (void)t.ledger().record_delivery(
      ledger::ReceiptDelivery{deliveryId, l.record.receipt_id, ledger::DeliveryChannel::Print,
                              requester, t.clock().now()},
      {});
  auto printed = printer.print(
      drivers::PrintJob{drivers::JobKind::kReceipt, copyKind,
                        l.record.receipt_reference +
                            (reprinted ? "#R" + std::to_string(reprinted->reprint_number) : ""),
                        requestedBy, reprinted ? reprinted->reason_code : "PRINT", receipt.bytes});
  const bool ok = printed.outcome.result == drivers::JobResult::kPrinted;
  const auto status = ok ? ledger::DeliveryStatus::Sent
                         : (printed.outcome.result == drivers::JobResult::kPossiblyPrinted
                                ? ledger::DeliveryStatus::PossiblyPrinted
                                : ledger::DeliveryStatus::Failed);
  std::vector<sync::OutboxMessage> m{deliveryMessage(
      l.checkout.id(), l.record.receipt_id, deliveryId, ledger::DeliveryChannel::Print,
      std::nullopt, ok ? ledger::DeliveryStatus::Sent : ledger::DeliveryStatus::Failed,
      t.clock().now())};
  (void)t.ledger().record_delivery_outcome(
      ledger::DeliveryOutcome{deliveryId, status,
                              std::string(drivers::failure_reason_code(printed.outcome.reason)),
                              t.clock().now()},
      m);
  CommandResult r;
  r.json = {{"receiptId", cmd.receiptId}, {"receiptDelivery", ok ? "SENT" : "FAILED"}};
  if (reprinted) r.json["reprintNumber"] = reprinted->reprint_number;
  if (printed.refusedNeedsCopyMark) {
    return refusedResult("REPRINT_REQUIRED",
                         "this receipt was printed (or may have been) already: use receipt reprint",
                         correlation);
  }
  if (!ok) {
    r.code = ExitCode::ReceiptNotDelivered;
    r.json["printerMessage"] = printed.advisorMessage;
    r.text = printed.advisorMessage;
  } else {
    r.text = reprinted ? "printed REPRINT " + std::to_string(reprinted->reprint_number) : "printed";
  }
  return r;
}

// ---------------------------------------------------------------- sync, pull and queue

json queueJson(Terminal& t, bool& ok) {
  json items = json::array();
  auto list = t.ledger().outbox().list(sync::OutboxListing::Pending);
  auto stats = t.ledger().outbox().stats();
  ok = list.ok() && stats.ok();
  if (!ok) return json::object();
  for (const auto& e : list.value()) {
    items.push_back({{"id", e.id},
                     {"kind", std::string(sync::to_string(e.kind))},
                     {"stream", e.stream},
                     {"sequence", e.sequence},
                     {"state", std::string(sync::to_string(e.state))},
                     {"attempts", e.attempts},
                     {"nextAttemptAt", checkout::format_rfc3339(e.next_attempt_at)},
                     {"lastErrorCode", e.last_error_code ? json(*e.last_error_code) : json()},
                     {"correlationId", e.correlation_id ? json(*e.correlation_id) : json()},
                     {"idempotencyKey", e.idempotency_key}});
  }
  json attention = json::array();
  if (auto needs = t.ledger().outbox().needs_attention(); needs.ok()) {
    for (const auto& a : needs.value()) {
      json held = json::array();
      for (const auto& h : a.held) held.push_back(h.id);
      attention.push_back(
          {{"id", a.item.id},
           {"kind", std::string(sync::to_string(a.item.kind))},
           {"errorCode", a.item.last_error_code ? json(*a.item.last_error_code) : json()},
           {"correlationId", a.item.correlation_id ? json(*a.item.correlation_id) : json()},
           {"held", held}});
    }
  }
  // A bounced e-mail needs the advisor too: print the receipt or send it to a right address.
  json bounced = json::array();
  if (auto b = bouncedReceipts(t.database()); b.ok())
    for (const auto& receiptId : b.value())
      bounced.push_back({{"receiptId", receiptId}, {"deliveryStatus", "BOUNCED"}});
  return {{"items", items},
          {"needsAttention", attention},
          {"bouncedReceipts", bounced},
          {"depth", stats.value().depth},
          {"oldestQueuedAt", stats.value().oldest_queued_at
                                 ? json(checkout::format_rfc3339(*stats.value().oldest_queued_at))
                                 : json()}};
}

CommandResult queue(Terminal& t, const QueueCommand& cmd) {
  if (cmd.retryId) {
    auto now = t.clock().now();
    if (*cmd.retryId == "all") {
      (void)t.ledger().outbox().force_retry_all(now);
    } else {
      std::int64_t id = 0;
      try {
        id = std::stoll(*cmd.retryId);
      } catch (const std::exception&) {
        return refusedResult("USAGE", "--retry takes an item id or all", "", ExitCode::Usage);
      }
      auto retried = t.ledger().outbox().force_retry(id, now);
      if (!retried.ok()) return dataProblem(retried.error().message);
      if (!retried.value())
        return refusedResult(
            "QUEUE_ITEM_NOT_FOUND",
            "no queued or refused item " + *cmd.retryId + " (see `pos-terminal queue`)", "");
    }
  }
  bool ok = false;
  CommandResult r;
  r.json = queueJson(t, ok);
  if (!ok) return dataProblem("cannot read the outbox");
  if (auto notice = inFlightNotice(t)) {
    r.json["inFlight"] = {{"checkoutId", notice->checkoutId},
                          {"billingPaymentId", notice->billingPaymentId},
                          {"receiptReference", notice->receiptReference},
                          {"text", notice->text}};
  }
  std::ostringstream s;
  if (r.json.contains("inFlight")) s << r.json["inFlight"]["text"].get<std::string>() << "\n";
  for (const auto& b : r.json["bouncedReceipts"])
    s << "BOUNCED e-mail for receipt " << b["receiptId"].get<std::string>()
      << ": print it or send it again (receipt print / receipt email)\n";
  s << "depth " << r.json["depth"].get<std::int64_t>() << "\n";
  for (const auto& i : r.json["items"])
    s << i["id"].get<std::int64_t>() << "  " << i["kind"].get<std::string>() << "  "
      << i["state"].get<std::string>() << "  attempts " << i["attempts"].get<int>() << "  "
      << (i["lastErrorCode"].is_null() ? "" : i["lastErrorCode"].get<std::string>()) << "  "
      << i["idempotencyKey"].get<std::string>() << "\n";
  r.text = s.str();
  return r;
}

sync::RequestIdentity terminalIdentity() {
  return sync::RequestIdentity{};
}

CommandResult pull(Terminal& t) {
  if (!t.online())
    return refusedResult("BACKEND_NOT_CONFIGURED", "no backend is configured (--backend)", "",
                         ExitCode::Unreachable);
  OfflineCache cache(t.snapshots());
  auto* b = t.billing();
  const auto now = t.clock().now();
  json pulled = json::object();
  auto roster = b->roster(terminalIdentity());
  if (roster.outcome.outcome == sync::OutcomeClass::ConfigurationProblem)
    // The words send IT to the right place: the backend answered and refused this terminal.
    return refusedResult(roster.outcome.code(),
                         "the backend refused the terminal's credentials (" +
                             std::string(roster.outcome.code()) + "): check the token file " +
                             t.config().backend.tokenFile.string(),
                         "", ExitCode::ConfigOrData);
  if (roster.outcome.outcome == sync::OutcomeClass::Retryable ||
      roster.outcome.outcome == sync::OutcomeClass::Ambiguous)
    return refusedResult(roster.outcome.code(), "the backend could not be reached", "",
                         ExitCode::Unreachable);
  bool rosterRefused = false;
  if (roster.outcome.ok()) {
    // A roster that does not parse and validate never replaces the good one (issue 12).
    pulled["roster"] =
        cache.putRoster(json::parse(roster.outcome.body, nullptr, false), now, roster.etag);
    rosterRefused = !pulled["roster"].get<bool>();
  }
  for (const auto category : vocabulary::kAll<ReasonCategory>) {
    auto codes = b->reasonCodes(terminalIdentity(), category);
    if (codes.outcome.ok())
      cache.putReasonCodes(category, json::parse(codes.outcome.body, nullptr, false), now,
                           codes.etag);
  }
  std::int64_t invoices = 0;
  std::set<std::string> accounts;
  auto feed = b->invoiceFeed(terminalIdentity(), "1970-01-01T00:00:00.000Z");
  if (feed.outcome.ok() && feed.value) {
    for (const auto& inv : feed.value->value("invoices", json::array())) {
      if (cache.putInvoice(inv, now)) ++invoices;
      if (inv.contains("customerAccountId") && inv["customerAccountId"].is_string())
        accounts.insert(inv["customerAccountId"].get<std::string>());
    }
  }
  std::int64_t rules = 0;
  for (const auto& account : accounts) {
    auto r = b->rules(terminalIdentity(), account);
    if (r.outcome.ok()) {
      cache.putRules(account, json::parse(r.outcome.body, nullptr, false), now, r.etag);
      ++rules;
    } else if (r.outcome.outcome == sync::OutcomeClass::NotFound) {
      cache.putRulesUnconfigured(account, now);
    }
  }
  pulled["invoices"] = invoices;
  pulled["rules"] = rules;
  CommandResult r;
  r.json = pulled;
  r.text = std::string(rosterRefused ? "the backend's roster was malformed and was refused (the "
                                       "previous one is kept); pulled "
                                     : "pulled roster, ") +
           "reason codes, " + std::to_string(invoices) + " invoices, " + std::to_string(rules) +
           " account rules";
  return r;
}

CommandResult syncNow(Terminal& t, const SyncCommand& cmd) {
  if (!t.online())
    return refusedResult("BACKEND_NOT_CONFIGURED", "no backend is configured (--backend)", "",
                         ExitCode::Unreachable);
  auto conn = t.openConnection();
  if (!conn.ok()) return dataProblem(conn.error().message);
  sync::ReplicatorConfig rc;
  rc.http = t.httpConfig();
  rc.pull = sync::SnapshotPull::Off;
  if (cmd.untilEmpty) rc.leaseWait = sync::LeaseWait::UntilDeadline;
  sync::ReplicatorStatus status;
  sync::DrainResult drained = sync::DrainResult::Unfinished;
  {
    sync::Replicator replicator(std::move(conn).value(), rc);
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(
        (cmd.untilEmpty ? cmd.timeoutSeconds : std::min(cmd.timeoutSeconds, 10.0)) * 1000));
    drained = replicator.drain(timeout);
    status = replicator.status();
  }
  const bool empty = drained == sync::DrainResult::Empty;
  bool ok = false;
  CommandResult r;
  r.json = queueJson(t, ok);
  r.json["online"] = status.online;
  r.json["empty"] = empty;
  r.json["drain"] = std::string(sync::toString(drained));
  if (status.configurationProblem) r.json["configurationProblem"] = *status.configurationProblem;
  if (status.lastError) r.json["lastError"] = *status.lastError;
  const auto depth = r.json.value("depth", std::int64_t{0});
  const auto attention = r.json.value("needsAttention", json::array()).size();
  // Say what is left and why, never "empty" while something remains.
  switch (drained) {
    case sync::DrainResult::Empty:
      r.text = "outbox empty";
      break;
    case sync::DrainResult::NeedsAttention:
      r.code = ExitCode::NeedsAttention;
      r.text = std::to_string(attention) + " item(s) refused by the backend need a supervisor (" +
               std::to_string(depth) + " left in all, the rest held behind them): see " +
               "`pos-terminal queue`, then `queue --resolve`";
      break;
    case sync::DrainResult::AnotherProcessSyncing:
      r.code = ExitCode::Unreachable;
      r.text =
          "another process is syncing this terminal; " + std::to_string(depth) + " item(s) left";
      break;
    case sync::DrainResult::ConfigurationProblem:
      r.code = ExitCode::ConfigOrData;
      r.text = "the backend refused this terminal (" + status.configurationProblem.value_or("?") +
               "): check the token file " + t.config().backend.tokenFile.string();
      break;
    case sync::DrainResult::StorageProblem:
      r.code = ExitCode::ConfigOrData;
      r.text = "the terminal's database or its sync lock could not be used";
      break;
    case sync::DrainResult::Unreachable:
    case sync::DrainResult::Unfinished:
      r.code = ExitCode::Unreachable;
      r.text = std::to_string(depth) + " item(s) still queued: the backend " +
               (drained == sync::DrainResult::Unreachable ? "could not be reached"
                                                          : "did not take them all in time");
      break;
  }
  return r;
}

// ---------------------------------------------------------------- shift reports

// `report x`: the open shift's figures, read-only (IT may run it beside a running terminal).
// `report z` closes the shift through the counter engine (runCloseShift).
CommandResult reportXRead(Terminal& t);

CommandResult reportX(Terminal& t, PrinterService& printer, const ReportCommand& cmd) {
  CommandResult r = reportXRead(t);
  if (r.code != ExitCode::Done || !cmd.print) return r;
  escpos::Encoder e(t.printerProfile());
  e.initialize();
  std::istringstream lines(r.text);
  for (std::string line; std::getline(lines, line);) e.paragraph(line);
  e.cut(escpos::Cut::Partial);
  auto printed = printer.print(
      drivers::PrintJob{drivers::JobKind::kReport, drivers::Copy::kOriginal,
                        "REPORT-" + r.json.value("shiftId", std::string()) + "-X",
                        cmd.operatorId.value_or("terminal"), "REPORT", e.take_bytes()});
  r.json["printed"] = printed.outcome.result == drivers::JobResult::kPrinted;
  return r;
}

CommandResult reportXRead(Terminal& t) {
  auto read = readXReport(t);  // the engine's XReport reads the same
  if (const auto* error = std::get_if<ledger::LedgerError>(&read))
    return dataProblem(error->message);
  if (std::holds_alternative<NoShiftOpen>(read))
    return refusedResult("SHIFT_NOT_OPEN", "no shift is open", "");
  const auto& view = std::get<ReportView>(read);
  CommandResult r;
  r.json = reportJson(view);
  r.text = view.text;
  return r;
}

// ---------------------------------------------------------------- reconcile

CommandResult reconcile(Terminal& t, const ReconcileCommand& cmd) {
  auto from = checkout::parse_rfc3339(cmd.from);
  auto to = checkout::parse_rfc3339(cmd.to);
  if (!from || !to)
    return refusedResult("USAGE", "--from and --to take RFC 3339 times", "", ExitCode::Usage);
  if (!t.online())
    return refusedResult("BACKEND_NOT_CONFIGURED", "reconcile needs the backend (--backend)", "",
                         ExitCode::Unreachable);
  auto payments = t.ledger().payments_between(*from, *to);
  if (!payments.ok()) return dataProblem(payments.error().message);
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
      t.billing()->payments(sync::RequestIdentity{}, t.config().terminalId,
                            checkout::format_rfc3339(*from), checkout::format_rfc3339(*to));
  if (!theirs.ok())
    return refusedResult(theirs.outcome.code(), "the backend's payments could not be read", "",
                         ExitCode::Unreachable);
  auto rep = sync::reconcile(ours, *theirs.value, cmd.from, cmd.to);
  CommandResult r;
  r.json = json::parse(sync::toJsonText(rep));
  r.text = sync::toMarkdown(rep);  // a person reads the report as Markdown; --json for tools
  // Discrepancies are a finding, not a failure to run: their own exit code (8), so a script
  // can tell "clean" from "look at this" (issue 15).
  if (!rep.discrepancies.empty()) r.code = ExitCode::Discrepancies;
  return r;
}

// ---------------------------------------------------------------- printers

CommandResult printers(Terminal& t, PrinterService& printer) {
  json found = json::array();
  std::ostringstream s;
  auto snap = printer.freshSnapshot(std::chrono::seconds(2));
  s << "configured: " << printer.describe() << " (" << t.config().printer.profile << ") "
    << drivers::readiness_code(snap.readiness) << "\n";
  for (const auto& p : printer.discover()) {
    const std::string status =
        p.status.ok() ? std::string(p.status.status.can_print() ? "READY" : "NOT_READY")
                      : std::string(drivers::link_error_code(p.status.error));
    found.push_back({{"uri", drivers::to_string(p.uri)},
                     {"description", p.description},
                     {"profile", p.profile},
                     {"speaksEscpos", p.speaks_escpos},
                     {"status", status},
                     {"problem", p.problem}});
    s << drivers::to_string(p.uri) << "  " << p.description << "  profile "
      << (p.profile.empty() ? "?" : p.profile) << "  " << status << "  " << p.problem << "\n";
  }
  CommandResult r;
  r.json = {{"configured",
             {{"description", printer.describe()},
              {"profile", t.config().printer.profile},
              {"readiness", std::string(drivers::readiness_code(snap.readiness))},
              {"message", snap.advisor_message}}},
            {"found", found}};
  r.text = s.str();
  return r;
}

CommandResult printTest(Terminal& t, PrinterService& printer) {
  auto page = drivers::build_test_page(
      t.printerProfile(),
      drivers::TestPageFacts{printer.describe(), t.config().printer.uri, t.config().terminalId,
                             t.localTimeText(t.clock().now())});
  if (!page.ok()) return dataProblem(page.error().message);
  auto printed =
      printer.print(drivers::PrintJob{drivers::JobKind::kTestPage, drivers::Copy::kOriginal,
                                      "TEST-" + checkout::format_compact_utc(t.clock().now()),
                                      "terminal", "TEST", std::move(page).value()});
  CommandResult r;
  const bool ok = printed.outcome.result == drivers::JobResult::kPrinted;
  r.json = {{"printed", ok},
            {"result", std::string(drivers::job_result_code(printed.outcome.result))},
            {"reason", std::string(drivers::failure_reason_code(printed.outcome.reason))}};
  if (!ok) {
    r.code = ExitCode::ReceiptNotDelivered;
    r.json["printerMessage"] = printed.advisorMessage;
  }
  r.text = ok ? "test page printed on " + printer.describe() : printed.advisorMessage;
  return r;
}

// ---------------------------------------------------------------- verify

CommandResult verify(Terminal& t, const VerifyCommand& cmd, std::ostream& err) {
  int lastTenth = -1;
  auto v = t.ledger().verify([&](std::int64_t done, std::int64_t total) {
    if (!cmd.progress || total <= 0) return;
    const int tenth = static_cast<int>(done * 10 / total);
    if (tenth == lastTenth) return;
    lastTenth = tenth;
    err << "verify: " << done << " / " << total << " links\n" << std::flush;
  });
  if (!v.ok()) return dataProblem(v.error().message);
  CommandResult r;
  const auto& res = v.value();
  auto outbox = t.ledger().outbox().verify();
  auto snapshots = t.snapshots().verify();
  const bool outboxSound = outbox.ok() && outbox.value().sound();
  const bool snapshotsSound = snapshots.ok() && snapshots.value().sound();
  const bool sound = res.sound() && outboxSound && snapshotsSound;
  r.json = {{"integrityCheck", res.integrity_check},
            {"linksChecked", res.links_checked},
            {"anchor",
             {{"finding", std::string(ledger::to_string(res.anchor.finding))},
              {"anchorLength", res.anchor.anchor_length},
              {"dbLength", res.anchor.db_length}}},
            {"outboxSound", outboxSound},
            {"snapshotsSound", snapshotsSound},
            {"sound", sound}};
  if (outbox.ok() && outbox.value().first_broken_id)
    r.json["outboxFirstBroken"] = *outbox.value().first_broken_id;
  if (snapshots.ok()) r.json["brokenSnapshots"] = snapshots.value().broken_keys;
  if (res.first_break) {
    r.json["firstBreak"] = {{"sequence", res.first_break->sequence},
                            {"table", res.first_break->table},
                            {"kind", std::string(ledger::to_string(res.first_break->kind))}};
  }
  r.code = sound ? ExitCode::Done : ExitCode::ConfigOrData;
  r.text = sound
               ? "database, ledger chain, outbox and snapshots are sound (" +
                     std::to_string(res.links_checked) + " links)"
               : "NOT SOUND: integrity " + res.integrity_check +
                     (res.first_break
                          ? ", first broken link " + std::to_string(res.first_break->sequence) +
                                " in " + res.first_break->table
                          : "") +
                     (res.anchor.sound()
                          ? ""
                          : ", the database does not match its anchor (" +
                                std::string(ledger::to_string(res.anchor.finding)) + ": " +
                                std::to_string(res.anchor.db_length) + " links, the anchor says " +
                                std::to_string(res.anchor.anchor_length) + ")") +
                     (outboxSound ? "" : ", the outbox was changed or damaged") +
                     (snapshotsSound ? "" : ", cached snapshots were changed or damaged");
  return r;
}

// ---------------------------------------------------------------- demo

CommandResult demo(Terminal& t, PrinterService& printer, ReceiptRenderer& renderer,
                   const DemoCommand& cmd) {
  OfflineCache cache(t.snapshots());
  bool seeded = false;
  if (cache.empty()) {
    auto error = seedDemoShop(cache, t.config().assetsDir / "demo", t.clock().now());
    if (!error.empty()) return dataProblem(error);
    seeded = true;
  }
  CommandResult r;
  r.json = {{"seeded", seeded}, {"dataDir", t.paths().data.string()}};
  r.text = std::string(seeded ? "seeded the demo shop into " : "the demo shop is already in ") +
           t.paths().data.string();
  if (cmd.seedOnly) return r;

  // Until the touch UI lands: one scripted cash checkout of the demo consumer invoice, as the
  // advisor Anna (her demo PIN is in the README), with the receipt on the virtual printer.
  CheckoutCommand co;
  co.workOrder = "WO-1001";
  co.operatorId = "adv-anna";
  co.tender = "CASH";
  co.amount = "101.36";
  co.tendered = "120.00";
  std::istringstream demoPins("1111\n");
  PinReader pins(demoPins);
  CounterEngine engine(t, printer, renderer, EngineOptions{false, false});
  auto result = runCheckout(engine, co, pins);
  if (result.code != ExitCode::Done &&
      result.json.value("errorCode", "") == "INVOICE_NOT_PAYABLE") {
    r.text += "\nWO-1001 is already paid on this terminal; try: pos-terminal checkout --help";
    return r;
  }
  r.json["checkout"] = result.json;
  r.text += "\n" + result.text;
  const auto reference = result.json.value("receiptReference", std::string());
  if (auto spool = printer.spoolDirectory(); spool && !reference.empty()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(*spool, ec)) {
      const auto name = entry.path().filename().string();
      if (entry.path().extension() == ".png" && name.find(reference) != std::string::npos) {
        r.json["receiptPreview"] = entry.path().string();
        r.text += "\nreceipt preview: " + entry.path().string();
      }
    }
  }
  r.code = result.code;
  return r;
}

}  // namespace

// ---------------------------------------------------------------- invoice show

// `invoice show --work-order WO`: the invoice as this terminal knows it (the backend's copy when
// online, else the offline cache) and what this terminal has taken on it. Takes no money.
CommandResult invoiceShow(Terminal& t, const InvoiceShowCommand& cmd) {
  OfflineCache cache(t.snapshots());
  std::optional<std::string> body;
  bool fromBackend = false;
  if (t.billing()) {
    auto r = t.billing()->invoiceByWorkOrder(sync::RequestIdentity{}, cmd.workOrder);
    if (r.outcome.ok()) {
      body = r.outcome.body;
      fromBackend = true;
    } else if (r.outcome.outcome == sync::OutcomeClass::NotFound) {
      return refusedResult("INVOICE_NOT_FOUND", "no invoice for work order " + cmd.workOrder, "");
    }
  }
  if (!body) body = cache.invoiceByWorkOrder(cmd.workOrder);
  if (!body)
    return refusedResult("INVOICE_NOT_FOUND",
                         "no invoice for work order " + cmd.workOrder + " on this terminal", "");
  auto invoice = checkout::parse_invoice_text(*body);
  if (!invoice.ok()) return refusedResult(invoice.error(), "");
  const auto& inv = invoice.value();
  auto taken = ledger::payments_taken_on_invoice(t.database(), inv.invoice_id.to_string());
  if (!taken.ok()) return dataProblem(taken.error().message);
  json here = json::array();
  Money balance = inv.balance_due;
  for (const auto& p : taken.value()) {
    bool listed = false;
    for (const auto& known : inv.payments)
      listed = listed || known.billing_payment_id.to_string() == p.billing_payment_id;
    here.push_back({{"billingPaymentId", p.billing_payment_id},
                    {"amount", {{"currency", p.currency}, {"amountMinor", p.amount_minor}}},
                    {"tender", p.tender},
                    {"capturedAt", checkout::format_rfc3339(p.captured_at)},
                    {"knownToBackend", listed}});
    if (!listed && p.currency == inv.currency.code()) {
      if (auto less = balance.subtract(Money{inv.currency, p.amount_minor})) balance = *less;
    }
  }
  CommandResult r;
  r.json = {{"invoiceId", inv.invoice_id.to_string()},
            {"invoiceNumber", inv.invoice_number},
            {"workOrderId", inv.work_order_id.str()},
            {"customerName", inv.customer_name},
            {"status", inv.status_text},
            {"grandTotal", checkout::money_to_json(inv.grand_total)},
            {"balanceDue", checkout::money_to_json(balance)},
            {"source", fromBackend ? "backend" : "offline-cache"},
            {"takenHere", here}};
  r.text = inv.invoice_number + " " + inv.customer_name + " " + inv.status_text + ", balance " +
           checkout::format(balance, checkout::MoneyFormat::Screen) + " (" +
           std::to_string(here.size()) + " payment(s) taken here)";
  return r;
}

// ---------------------------------------------------------------- dispatch

int runCommandLine(const ParsedCommandLine& parsed, std::istream& in, std::ostream& out,
                   std::ostream& err, const std::filesystem::path& assetsDir,
                   const TouchUi& touchUi) {
  // The touch UI with no display to open: say so before anything is written (issue 17: no
  // data directory or database for a command that cannot run).
  const auto* demoCmd = std::get_if<DemoCommand>(&parsed.command);
  const bool wantsUi = touchUi && (std::holds_alternative<UiCommand>(parsed.command) ||
                                   (demoCmd && !demoCmd->seedOnly));
  const auto envSet = [](const char* name) {
    const char* v = std::getenv(name);
    return v && *v;
  };
  if (wantsUi && !envSet("SDL_VIDEODRIVER") && !envSet("DISPLAY") && !envSet("WAYLAND_DISPLAY")) {
    err << "pos-terminal: no display to open the touch UI (neither DISPLAY nor WAYLAND_DISPLAY "
           "is set).\n  On a kiosk it runs under a compositor (cage); on a desktop set DISPLAY.\n"
           "  Without a screen, run it under Xvfb:\n"
           "    xvfb-run -s '-screen 0 1280x800x24' pos-terminal demo\n"
           "  The headless commands need no display: pos-terminal --help\n";
    return static_cast<int>(ExitCode::Unreachable);
  }
  if (std::holds_alternative<DemoCommand>(parsed.command)) {
    // The demo shop's header goes with its data: written once into the data directory, where
    // every later command on that directory reads it (unless a configuration file is given).
    auto probe = loadConfig(parsed.overrides, assetsDir);
    if (auto* cfg = std::get_if<TerminalConfig>(&probe); cfg && !cfg->sourceFile) {
      std::error_code ec;
      std::filesystem::create_directories(cfg->dataDir, ec);
      std::filesystem::copy_file(assetsDir / "demo" / "shop.toml", cfg->dataDir / "terminal.toml",
                                 std::filesystem::copy_options::skip_existing, ec);
    }
  }
  auto config = loadConfig(parsed.overrides, assetsDir);
  if (auto* e = std::get_if<ConfigError>(&config)) {
    return emit(refusedResult("CONFIG_INVALID", e->describe(), "", ExitCode::ConfigOrData),
                parsed.json, out, err);
  }
  // Commands that only read open the data directory read-only (IT may run them beside a
  // running terminal, or on a directory that cannot be written).
  //
  // Which subcommands are not on the counter engine, and why (issue 10, decided):
  //   - All of them: the engine acts only for a signed-in person (every intent but sign-in and
  //     the approver's PIN passes requireSignedIn), and cli.md gives verify, queue (no
  //     --resolve), pull, sync, reconcile, printers, print-test, receipt show|print|render,
  //     invoice show and report x no operator and no PIN. Putting them on the engine would
  //     mean a PIN on standard input the contract does not have, or an engine that acts for
  //     nobody; neither is done.
  //   - verify, queue, invoice show, receipt show, report x (no --print) also run on a data
  //     directory this process cannot write, beside a running terminal. No engine can start
  //     there: it owns a PrinterService (opening it writes the print journal), starts a
  //     replicator (takes the sync lease) and records sign-ins.
  //   - They take no decision a person makes. report x reads through readXReport, the same
  //     function as the XReport intent; receipt show and queue build cli.md's JSON from the
  //     same ledger and outbox reads the engine's views use (a receipt's shown delivery status
  //     is still derived twice, here and in the engine's receiptView: they differ only when
  //     the backend's answer and a later local attempt disagree). pull, sync and reconcile
  //     run the backend client / replicator once and report what happened (cli.md's `sync`
  //     exit 7 with what is left and why).
  // Every command a person does at the counter (checkout, reprint, e-mail, report z, shift,
  // drawer, cash, queue --resolve) is on the engine below, signed in with the PIN on stdin.
  const auto* queueCmd = std::get_if<QueueCommand>(&parsed.command);
  const auto* reportCmd = std::get_if<ReportCommand>(&parsed.command);
  const auto* receiptCmd = std::get_if<ReceiptCommand>(&parsed.command);
  // They open it read-only where they must (a directory they cannot write); elsewhere the
  // start-up check and the migrations run as for every command.
  const bool dataWritable = [&] {
    const auto* cfg = std::get_if<TerminalConfig>(&config);
    return !cfg || !std::filesystem::exists(cfg->dataDir) ||
           ::access(cfg->dataDir.c_str(), W_OK) == 0;
  }();
  const bool readOnly =
      !dataWritable && (std::holds_alternative<VerifyCommand>(parsed.command) ||
                        std::holds_alternative<InvoiceShowCommand>(parsed.command) ||
                        (queueCmd && !queueCmd->retryId && !queueCmd->resolveId) ||
                        (reportCmd && reportCmd->kind == ReportKind::X && !reportCmd->print) ||
                        (receiptCmd && receiptCmd->action == ReceiptAction::Show));
  auto opened = Terminal::open(std::get<TerminalConfig>(std::move(config)),
                               readOnly ? OpenMode::ReadOnly : OpenMode::ReadWrite);
  if (auto* e = std::get_if<StartupError>(&opened)) {
    return emit(refusedResult("STARTUP_FAILED", e->message, "", static_cast<ExitCode>(e->exitCode)),
                parsed.json, out, err);
  }
  auto& terminal = *std::get<std::unique_ptr<Terminal>>(opened);
  if (const auto* v = std::get_if<VerifyCommand>(&parsed.command))
    return emit(verify(terminal, *v, err), parsed.json, out, err);
  if (queueCmd && !queueCmd->resolveId)
    return emit(queue(terminal, *queueCmd), parsed.json, out, err);
  if (std::holds_alternative<PullCommand>(parsed.command))
    return emit(pull(terminal), parsed.json, out, err);
  if (const auto* s = std::get_if<SyncCommand>(&parsed.command))
    return emit(syncNow(terminal, *s), parsed.json, out, err);
  if (const auto* rc = std::get_if<ReconcileCommand>(&parsed.command))
    return emit(reconcile(terminal, *rc), parsed.json, out, err);
  if (const auto* inv = std::get_if<InvoiceShowCommand>(&parsed.command))
    return emit(invoiceShow(terminal, *inv), parsed.json, out, err);
  if (receiptCmd && receiptCmd->action == ReceiptAction::Show)
    return emit(receiptShow(terminal, *receiptCmd), parsed.json, out, err);
  if (reportCmd && reportCmd->kind == ReportKind::X && !reportCmd->print) {
    // Read-only: no printer is opened (its journal would be written).
    auto x = reportXRead(terminal);
    return emit(x, parsed.json, out, err);
  }

  auto printerOpened = PrinterService::open(terminal);
  if (auto* e = std::get_if<StartupError>(&printerOpened)) {
    return emit(
        refusedResult("PRINTER_UNAVAILABLE", e->message, "", static_cast<ExitCode>(e->exitCode)),
        parsed.json, out, err);
  }
  auto& printer = *std::get<std::unique_ptr<PrinterService>>(printerOpened);
  for (const auto& job : printer.interruptedAtStart()) {
    terminal.log().warn("print.interrupted_job", {{"reference", job.record.reference}});
  }
  ReceiptRenderer renderer(terminal);
  if (!renderer.problem().empty())
    return emit(refusedResult("CONFIG_INVALID", renderer.problem(), "", ExitCode::ConfigOrData),
                parsed.json, out, err);
  PinReader pins(in);

  CommandResult result;
  // The commands a person does at the counter run on the counter engine (background sync off:
  // a checkout drains what it queued, as cli.md's `checkout` always did).
  const auto counter = [&] {
    return std::make_unique<CounterEngine>(terminal, printer, renderer,
                                           EngineOptions{false, false});
  };
  if (const auto* c = std::get_if<CheckoutCommand>(&parsed.command)) {
    result = runCheckout(*counter(), *c, pins);
  } else if (const auto* r = std::get_if<ReceiptCommand>(&parsed.command)) {
    switch (r->action) {
      case ReceiptAction::Show:
        result = receiptShow(terminal, *r);
        break;
      case ReceiptAction::Render:
        result = receiptRender(terminal, renderer, *r);
        break;
      case ReceiptAction::Print:
        result = receiptPrint(terminal, printer, renderer, *r);
        break;
      case ReceiptAction::Reprint:
        result = runReprint(*counter(), *r, pins);
        break;
      case ReceiptAction::Email:
        result = runReceiptEmail(*counter(), *r, pins);
        break;
    }
  } else if (const auto* rep = std::get_if<ReportCommand>(&parsed.command)) {
    result = rep->kind == ReportKind::X ? reportX(terminal, printer, *rep)
                                        : runCloseShift(*counter(), *rep, pins);
  } else if (queueCmd && queueCmd->resolveId) {
    result = runResolve(*counter(), *queueCmd, pins);
  } else if (const auto* so = std::get_if<ShiftOpenCommand>(&parsed.command)) {
    result = runShiftOpen(*counter(), *so, pins);
  } else if (const auto* drawer = std::get_if<DrawerOpenCommand>(&parsed.command)) {
    result = runDrawerOpen(*counter(), *drawer, pins);
  } else if (const auto* cm = std::get_if<CashMovementCommand>(&parsed.command)) {
    result = runCashMovement(*counter(), *cm, pins);
  } else if (std::holds_alternative<PrintersCommand>(parsed.command)) {
    result = printers(terminal, printer);
  } else if (std::holds_alternative<PrintTestCommand>(parsed.command)) {
    result = printTest(terminal, printer);
  } else if (const auto* d = std::get_if<DemoCommand>(&parsed.command);
             d && (d->seedOnly || !touchUi)) {
    result = demo(terminal, printer, renderer, *d);
  } else if (touchUi) {
    // No subcommand, or `demo` (seeded above when the data directory was empty): the touch UI
    // on the engine with background sync and the printer watched.
    if (std::holds_alternative<DemoCommand>(parsed.command)) {
      OfflineCache cache(terminal.snapshots());
      if (cache.empty()) {
        auto error =
            seedDemoShop(cache, terminal.config().assetsDir / "demo", terminal.clock().now());
        if (!error.empty()) return emit(dataProblem(error), parsed.json, out, err);
      }
    }
    int code = 0;
    {
      CounterEngine engine(terminal, printer, renderer, EngineOptions{});
      const auto& screen = terminal.config().screen;
      code = touchUi(engine, TouchUiSettings{parsed.window.width, parsed.window.height,
                                             screen.fullscreen, screen.pxPerMm});
    }
    terminal.log().flush();
    return code;
  } else {
    result.code = ExitCode::Usage;
    result.text = "this build has no touch UI; see `pos-terminal --help` for the headless commands";
  }
  terminal.log().flush();
  return emit(result, parsed.json, out, err);
}

}  // namespace pos::app
