// The command-line runners (../shared/contract/cli.md). Sections: output ·
// the service commands (receipts, the original printed too · sync, pull and queue · shift reports ·
// reconcile · printers · verify · invoice show) · demo · dispatch.
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

// ---------------------------------------------------------------- the service commands
//
// Each posts one service intent to the engine (the terminal as principal), waits, and maps the
// snapshot's typed result to cli.md's JSON and exit code. The work is the engine's
// (engine_service.cpp).

// The service intents are bounded by their own time-outs (HTTP, the printer's job, sync's
// --timeout), so the wait is only a backstop.
std::shared_ptr<const Snapshot> serve(CounterEngine& engine, Intent intent) {
  engine.post(std::move(intent));
  return engine.settle(std::chrono::hours(24));
}

json optionalText(const std::optional<std::string>& text) {
  return text ? json(*text) : json();
}

json queueListingJson(const QueueListingView& q) {
  json items = json::array();
  for (const auto& e : q.items)
    items.push_back({{"id", e.id},
                     {"kind", e.kind},
                     {"stream", e.stream},
                     {"sequence", e.sequence},
                     {"state", e.state},
                     {"attempts", e.attempts},
                     {"nextAttemptAt", checkout::format_rfc3339(e.nextAttemptAt)},
                     {"lastErrorCode", optionalText(e.lastErrorCode)},
                     {"correlationId", optionalText(e.correlationId)},
                     {"idempotencyKey", e.idempotencyKey}});
  json attention = json::array();
  for (const auto& a : q.needsAttention)
    attention.push_back({{"id", a.id},
                         {"kind", a.kind},
                         {"errorCode", optionalText(a.errorCode)},
                         {"correlationId", optionalText(a.correlationId)},
                         {"held", a.held}});
  json bounced = json::array();
  for (const auto& receiptId : q.bouncedReceipts)
    bounced.push_back({{"receiptId", receiptId}, {"deliveryStatus", "BOUNCED"}});
  return {{"items", items},
          {"needsAttention", attention},
          {"bouncedReceipts", bounced},
          {"depth", q.depth},
          {"oldestQueuedAt",
           q.oldestQueuedAt ? json(checkout::format_rfc3339(*q.oldestQueuedAt)) : json()}};
}

// ---------------------------------------------------------------- receipts

CommandResult receiptShow(CounterEngine& engine, const ReceiptCommand& cmd) {
  auto s = serve(engine, intent::ShowReceiptRecord{cmd.receiptId});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->receiptRecord) return dataProblem("the receipt could not be read");
  const auto& rec = *s->receiptRecord;
  json deliveries = json::array();
  for (const auto& d : rec.deliveries)
    deliveries.push_back({{"deliveryId", d.deliveryId},
                          {"channel", d.channel},
                          {"status", d.status},
                          {"reason", d.reason}});
  CommandResult r;
  r.json = {{"receiptId", rec.receiptId},
            {"receiptReference", rec.receiptReference},
            {"billingPaymentId", rec.billingPaymentId},
            {"checkoutId", rec.checkoutId},
            {"invoiceId", rec.invoiceId},
            {"paymentType", std::string(checkout::to_string(rec.paymentType))},
            {"remainingBalance", checkout::money_to_json(rec.remainingBalance)},
            {"deliverySuppressed", rec.deliverySuppressed},
            {"templateId", rec.templateId},
            {"templateVersion", rec.templateVersion},
            {"createdAt", checkout::format_rfc3339(rec.createdAt)},
            {"reprintCount", rec.reprintCount},
            {"deliveries", deliveries},
            {"deliveryStatus", rec.deliveryStatus},
            {"compactCode", rec.compactCode},
            {"printText", rec.printText}};
  r.text = rec.printText;
  return r;
}

// `receipt print ID`: the original, for a receipt never printed, by the terminal itself (the
// spooler refuses a second original: that is REPRINT_REQUIRED). Reprints are copies and a
// person's (runReprint).
CommandResult receiptPrint(CounterEngine& engine, const ReceiptCommand& cmd) {
  auto shown = serve(engine, intent::ShowReceiptRecord{cmd.receiptId});
  if (shown->refusal) return fromRefusal(*shown->refusal);
  if (!shown->receiptRecord) return dataProblem("the receipt could not be read");
  const auto record = *shown->receiptRecord;
  const auto id = checkout::ReceiptId::parse(record.receiptId);
  if (!id) return dataProblem("the receipt's id could not be read");
  auto s = serve(engine, intent::PrintReceipt{*id});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->receipt) return dataProblem("the receipt's delivery could not be read");
  const auto& receipt = *s->receipt;
  if (receipt.failureReason == "ORIGINAL_ALREADY_PRINTED")
    return refusedResult("REPRINT_REQUIRED",
                         "this receipt was printed (or may have been) already: use receipt reprint",
                         record.correlationId);
  CommandResult r;
  r.json = {{"receiptId", cmd.receiptId},
            {"receiptDelivery", std::string(to_string(receipt.outcome))}};
  if (receipt.outcome != ReceiptOutcome::Sent) {
    r.code = ExitCode::ReceiptNotDelivered;
    r.json["printerMessage"] = receipt.printerMessage;
    r.text = receipt.printerMessage;
  } else {
    r.text = "printed";
  }
  return r;
}

CommandResult receiptRender(CounterEngine& engine, const ReceiptCommand& cmd) {
  std::optional<std::filesystem::path> png;
  if (cmd.pngFile) png = *cmd.pngFile;
  auto s = serve(engine, intent::RenderReceipt{cmd.receiptId, cmd.outFile, png});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->renderedReceipt) return dataProblem("the receipt could not be rendered");
  CommandResult r;
  r.json = {
      {"receiptId", cmd.receiptId}, {"out", cmd.outFile}, {"bytes", s->renderedReceipt->bytes}};
  if (cmd.pngFile) r.json["png"] = *cmd.pngFile;
  r.text = "wrote " + cmd.outFile + (cmd.pngFile ? " and " + *cmd.pngFile : "");
  return r;
}

// ---------------------------------------------------------------- sync, pull and queue

CommandResult queue(CounterEngine& engine, const QueueCommand& cmd) {
  intent::ListQueue ask;
  if (cmd.retryId) {
    if (*cmd.retryId == "all") {
      ask.retryAll = true;
    } else {
      try {
        ask.retryItem = std::stoll(*cmd.retryId);
      } catch (const std::exception&) {
        return refusedResult("USAGE", "--retry takes an item id or all", "", ExitCode::Usage);
      }
    }
  }
  auto s = serve(engine, ask);
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->queueListing) return dataProblem("cannot read the outbox");
  CommandResult r;
  r.json = queueListingJson(*s->queueListing);
  if (const auto& notice = s->queueListing->inFlight) {
    r.json["inFlight"] = {{"checkoutId", notice->checkoutId},
                          {"billingPaymentId", notice->billingPaymentId},
                          {"receiptReference", notice->receiptReference},
                          {"text", notice->text}};
  }
  std::ostringstream text;
  if (r.json.contains("inFlight")) text << r.json["inFlight"]["text"].get<std::string>() << "\n";
  for (const auto& b : r.json["bouncedReceipts"])
    text << "BOUNCED e-mail for receipt " << b["receiptId"].get<std::string>()
         << ": print it or send it again (receipt print / receipt email)\n";
  text << "depth " << r.json["depth"].get<std::int64_t>() << "\n";
  for (const auto& i : r.json["items"])
    text << i["id"].get<std::int64_t>() << "  " << i["kind"].get<std::string>() << "  "
         << i["state"].get<std::string>() << "  attempts " << i["attempts"].get<int>() << "  "
         << (i["lastErrorCode"].is_null() ? "" : i["lastErrorCode"].get<std::string>()) << "  "
         << i["idempotencyKey"].get<std::string>() << "\n";
  r.text = text.str();
  return r;
}

CommandResult pull(CounterEngine& engine) {
  auto s = serve(engine, intent::Pull{});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->pulled) return dataProblem("nothing was pulled");
  const auto& p = *s->pulled;
  CommandResult r;
  r.json = json::object();
  if (p.rosterAccepted) r.json["roster"] = *p.rosterAccepted;
  r.json["invoices"] = p.invoices;
  r.json["rules"] = p.rules;
  const bool rosterRefused = p.rosterAccepted && !*p.rosterAccepted;
  r.text = std::string(rosterRefused ? "the backend's roster was malformed and was refused (the "
                                       "previous one is kept); pulled "
                                     : "pulled roster, ") +
           "reason codes, " + std::to_string(p.invoices) + " invoices, " + std::to_string(p.rules) +
           " account rules";
  return r;
}

CommandResult syncNow(CounterEngine& engine, const TerminalConfig& config, const SyncCommand& cmd) {
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(
      (cmd.untilEmpty ? cmd.timeoutSeconds : std::min(cmd.timeoutSeconds, 10.0)) * 1000));
  auto s = serve(engine, intent::Sync{cmd.untilEmpty, timeout});
  if (!s->synced) {
    if (s->refusal) return fromRefusal(*s->refusal);
    return dataProblem("the outbox was not synced");
  }
  const auto& synced = *s->synced;
  CommandResult r;
  r.json = s->queueListing ? queueListingJson(*s->queueListing) : json::object();
  r.json["online"] = synced.online;
  r.json["empty"] = synced.end == SyncEnd::Empty;
  r.json["drain"] = synced.endCode;
  if (synced.configurationProblem) r.json["configurationProblem"] = *synced.configurationProblem;
  if (synced.lastError) r.json["lastError"] = *synced.lastError;
  const auto depth = r.json.value("depth", std::int64_t{0});
  const auto attention = r.json.value("needsAttention", json::array()).size();
  // Say what is left and why, never "empty" while something remains.
  switch (synced.end) {
    case SyncEnd::Empty:
      r.text = "outbox empty";
      break;
    case SyncEnd::NeedsAttention:
      r.code = ExitCode::NeedsAttention;
      r.text = std::to_string(attention) + " item(s) refused by the backend need a supervisor (" +
               std::to_string(depth) + " left in all, the rest held behind them): see " +
               "`pos-terminal queue`, then `queue --resolve`";
      break;
    case SyncEnd::AnotherProcessSyncing:
      r.code = ExitCode::Unreachable;
      r.text =
          "another process is syncing this terminal; " + std::to_string(depth) + " item(s) left";
      break;
    case SyncEnd::ConfigurationProblem:
      r.code = ExitCode::ConfigOrData;
      r.text = "the backend refused this terminal (" + synced.configurationProblem.value_or("?") +
               "): check the token file " + config.backend.tokenFile.string();
      break;
    case SyncEnd::StorageProblem:
      r.code = ExitCode::ConfigOrData;
      r.text = "the terminal's database or its sync lock could not be used";
      break;
    case SyncEnd::Unreachable:
    case SyncEnd::Unfinished:
    case SyncEnd::kCount:
      r.code = ExitCode::Unreachable;
      r.text = std::to_string(depth) + " item(s) still queued: the backend " +
               (synced.end == SyncEnd::Unreachable ? "could not be reached"
                                                   : "did not take them all in time");
      break;
  }
  return r;
}

// ---------------------------------------------------------------- shift reports

// `report x [--print]`: the open shift's figures (read-only without --print: IT may run it
// beside a running terminal). `report z` closes the shift as a person (runCloseShift).
CommandResult reportX(CounterEngine& engine, const ReportCommand& cmd) {
  auto s = serve(engine, intent::XReport{cmd.print});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->report) return dataProblem("the X report could not be read");
  CommandResult r;
  r.json = reportJson(*s->report);
  r.text = s->report->text;
  if (s->report->printed) r.json["printed"] = *s->report->printed;
  return r;
}

// ---------------------------------------------------------------- reconcile

CommandResult reconcile(CounterEngine& engine, const ReconcileCommand& cmd) {
  auto from = checkout::parse_rfc3339(cmd.from);
  auto to = checkout::parse_rfc3339(cmd.to);
  if (!from || !to)
    return refusedResult("USAGE", "--from and --to take RFC 3339 times", "", ExitCode::Usage);
  auto s = serve(engine, intent::Reconcile{*from, *to, cmd.from, cmd.to});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->reconciliation) return dataProblem("the payments were not reconciled");
  const auto& rep = *s->reconciliation;
  CommandResult r;
  r.json = json::parse(sync::toJsonText(rep));
  r.text = sync::toMarkdown(rep);  // a person reads the report as Markdown; --json for tools
  // Discrepancies are a finding, not a failure to run: their own exit code (8), so a script
  // can tell "clean" from "look at this" (issue 15).
  if (!rep.discrepancies.empty()) r.code = ExitCode::Discrepancies;
  return r;
}

// ---------------------------------------------------------------- printers

CommandResult printers(CounterEngine& engine) {
  auto s = serve(engine, intent::ListPrinters{});
  if (s->refusal) return fromRefusal(*s->refusal);
  const auto& configured = s->printer;
  json found = json::array();
  std::ostringstream text;
  text << "configured: " << configured.description << " (" << configured.profile << ") "
       << configured.readiness << "\n";
  for (const auto& p : s->printers) {
    found.push_back({{"uri", p.uri},
                     {"description", p.description},
                     {"profile", p.profile},
                     {"speaksEscpos", p.speaksEscpos},
                     {"status", p.status},
                     {"problem", p.problem}});
    text << p.uri << "  " << p.description << "  profile " << (p.profile.empty() ? "?" : p.profile)
         << "  " << p.status << "  " << p.problem << "\n";
  }
  CommandResult r;
  r.json = {{"configured",
             {{"description", configured.description},
              {"profile", configured.profile},
              {"readiness", configured.readiness},
              {"message", configured.message}}},
            {"found", found}};
  r.text = text.str();
  return r;
}

CommandResult printTest(CounterEngine& engine) {
  auto s = serve(engine, intent::PrintTestPage{});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->testPage) return dataProblem("no test page was printed");
  const auto& page = *s->testPage;
  CommandResult r;
  r.json = {{"printed", page.printed}, {"result", page.result}, {"reason", page.reason}};
  if (!page.printed) {
    r.code = ExitCode::ReceiptNotDelivered;
    r.json["printerMessage"] = page.printerMessage;
  }
  r.text = page.printed ? "test page printed on " + page.printer : page.printerMessage;
  return r;
}

// ---------------------------------------------------------------- verify

CommandResult verify(CounterEngine& engine, const VerifyCommand& cmd, std::ostream& err) {
  intent::Verify ask;
  // Called on the engine's thread while this one waits in settle(): err has one writer.
  if (cmd.progress)
    ask.progress = [&err, lastTenth = -1](std::int64_t done, std::int64_t total) mutable {
      if (total <= 0) return;
      const int tenth = static_cast<int>(done * 10 / total);
      if (tenth == lastTenth) return;
      lastTenth = tenth;
      err << "verify: " << done << " / " << total << " links\n" << std::flush;
    };
  auto s = serve(engine, std::move(ask));
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->verification) return dataProblem("the ledger was not verified");
  const auto& v = *s->verification;
  CommandResult r;
  r.json = {
      {"integrityCheck", v.integrityCheck},
      {"linksChecked", v.linksChecked},
      {"anchor",
       {{"finding", v.anchorFinding}, {"anchorLength", v.anchorLength}, {"dbLength", v.dbLength}}},
      {"outboxSound", v.outboxSound},
      {"snapshotsSound", v.snapshotsSound},
      {"sound", v.sound}};
  if (v.outboxFirstBroken) r.json["outboxFirstBroken"] = *v.outboxFirstBroken;
  if (v.brokenSnapshots) r.json["brokenSnapshots"] = *v.brokenSnapshots;
  if (v.firstBreak) {
    r.json["firstBreak"] = {{"sequence", v.firstBreak->sequence},
                            {"table", v.firstBreak->table},
                            {"kind", v.firstBreak->kind}};
  }
  r.code = v.sound ? ExitCode::Done : ExitCode::ConfigOrData;
  r.text = v.sound ? "database, ledger chain, outbox and snapshots are sound (" +
                         std::to_string(v.linksChecked) + " links)"
                   : "NOT SOUND: integrity " + v.integrityCheck +
                         (v.firstBreak
                              ? ", first broken link " + std::to_string(v.firstBreak->sequence) +
                                    " in " + v.firstBreak->table
                              : "") +
                         (v.anchorSound
                              ? ""
                              : ", the database does not match its anchor (" + v.anchorFinding +
                                    ": " + std::to_string(v.dbLength) + " links, the anchor says " +
                                    std::to_string(v.anchorLength) + ")") +
                         (v.outboxSound ? "" : ", the outbox was changed or damaged") +
                         (v.snapshotsSound ? "" : ", cached snapshots were changed or damaged");
  return r;
}

// ---------------------------------------------------------------- invoice show

// `invoice show --work-order WO`: the invoice as this terminal knows it (the backend's copy when
// online, else the offline cache) and what this terminal has taken on it. Takes no money.
CommandResult invoiceShow(CounterEngine& engine, const InvoiceShowCommand& cmd) {
  auto s = serve(engine, intent::ShowInvoice{cmd.workOrder});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->invoiceRecord) return dataProblem("the invoice could not be read");
  const auto& inv = *s->invoiceRecord;
  json here = json::array();
  for (const auto& p : inv.takenHere)
    here.push_back({{"billingPaymentId", p.billingPaymentId},
                    {"amount", checkout::money_to_json(p.amount)},
                    {"tender", p.tender},
                    {"capturedAt", checkout::format_rfc3339(p.capturedAt)},
                    {"knownToBackend", p.knownToBackend}});
  CommandResult r;
  r.json = {{"invoiceId", inv.invoiceId},
            {"invoiceNumber", inv.invoiceNumber},
            {"workOrderId", inv.workOrderId},
            {"customerName", inv.customerName},
            {"status", inv.status},
            {"grandTotal", checkout::money_to_json(inv.grandTotal)},
            {"balanceDue", checkout::money_to_json(inv.balanceDue)},
            {"source", inv.fromBackend ? "backend" : "offline-cache"},
            {"takenHere", here}};
  r.text = inv.invoiceNumber + " " + inv.customerName + " " + inv.status + ", balance " +
           checkout::format(inv.balanceDue, checkout::MoneyFormat::Screen) + " (" +
           std::to_string(here.size()) + " payment(s) taken here)";
  return r;
}

// The subcommands that name no operator: the terminal is the principal (engine.hpp).
bool isServiceCommand(const Command& command) {
  if (const auto* q = std::get_if<QueueCommand>(&command)) return !q->resolveId;
  if (const auto* r = std::get_if<ReceiptCommand>(&command))
    return r->action == ReceiptAction::Show || r->action == ReceiptAction::Render ||
           r->action == ReceiptAction::Print;
  if (const auto* rep = std::get_if<ReportCommand>(&command)) return rep->kind == ReportKind::X;
  return std::holds_alternative<VerifyCommand>(command) ||
         std::holds_alternative<PullCommand>(command) ||
         std::holds_alternative<SyncCommand>(command) ||
         std::holds_alternative<ReconcileCommand>(command) ||
         std::holds_alternative<InvoiceShowCommand>(command) ||
         std::holds_alternative<PrintersCommand>(command) ||
         std::holds_alternative<PrintTestCommand>(command);
}

CommandResult runService(CounterEngine& engine, const Terminal& terminal, const Command& command,
                         std::ostream& err) {
  if (const auto* v = std::get_if<VerifyCommand>(&command)) return verify(engine, *v, err);
  if (const auto* q = std::get_if<QueueCommand>(&command)) return queue(engine, *q);
  if (std::holds_alternative<PullCommand>(command)) return pull(engine);
  if (const auto* s = std::get_if<SyncCommand>(&command))
    return syncNow(engine, terminal.config(), *s);
  if (const auto* rc = std::get_if<ReconcileCommand>(&command)) return reconcile(engine, *rc);
  if (const auto* inv = std::get_if<InvoiceShowCommand>(&command)) return invoiceShow(engine, *inv);
  if (const auto* r = std::get_if<ReceiptCommand>(&command)) {
    if (r->action == ReceiptAction::Print) return receiptPrint(engine, *r);
    return r->action == ReceiptAction::Show ? receiptShow(engine, *r) : receiptRender(engine, *r);
  }
  if (const auto* rep = std::get_if<ReportCommand>(&command)) return reportX(engine, *rep);
  if (std::holds_alternative<PrintersCommand>(command)) return printers(engine);
  return printTest(engine);
}

// ---------------------------------------------------------------- demo

// `demo`: the demo shop seeded by the terminal's engine (SeedDemoShop), before anything else
// runs on the data directory: whether it was seeded now (false: it was there already), or why
// it could not be.
std::variant<bool, CommandResult> seedDemo(Terminal& t, ReceiptRenderer& renderer) {
  CounterEngine engine(t, renderer,
                       EngineOptions{false, false, EngineOptions::Principal::Terminal});
  auto s = serve(engine, intent::SeedDemoShop{});
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->demoSeeded) return dataProblem("the demo shop could not be seeded");
  return *s->demoSeeded;
}

CommandResult demo(Terminal& t, PrinterService& printer, ReceiptRenderer& renderer,
                   const DemoCommand& cmd) {
  auto seededOrNot = seedDemo(t, renderer);
  if (auto* failed = std::get_if<CommandResult>(&seededOrNot)) return *failed;
  const bool seeded = std::get<bool>(seededOrNot);
  CommandResult r;
  r.json = {{"seeded", seeded}, {"dataDir", t.paths().data.string()}};
  r.text = std::string(seeded ? "seeded the demo shop into " : "the demo shop is already in ") +
           t.paths().data.string();
  if (cmd.seedOnly) return r;

  // A build without the touch UI: one scripted cash checkout of the demo consumer invoice, as
  // the advisor Anna (her demo PIN is in the README), with the receipt on the virtual printer.
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
  // Every subcommand is on the counter engine (issue 10):
  //   - the ones a person does at the counter (checkout, receipt reprint|email, report z,
  //     shift open, drawer open, cash, queue --resolve) sign the operator in with the PIN on
  //     stdin, on an engine with staff as principal (below);
  //   - the ones that name no operator (verify, queue, pull, sync, reconcile, printers,
  //     print-test, receipt show|render|print, invoice show, report x) post a service intent to an
  //     engine with the terminal itself as principal: no one signs in, nothing is written at
  //     start, no printer is opened until an intent needs it and no background replicator
  //     runs, so verify, queue, invoice show, receipt show and report x work on a data
  //     directory this process cannot write, beside a running terminal;
  //   - demo seeds the shop with the terminal's engine (SeedDemoShop), then opens the touch UI
  //     (or, in a build without one, runs one scripted checkout on the counter's engine).
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
  if (isServiceCommand(parsed.command)) {
    ReceiptRenderer renderer(terminal);  // reads the logo; writes nothing
    // What renders or prints refuses a logo that cannot be used, as every printing command.
    const bool renders = (receiptCmd && (receiptCmd->action == ReceiptAction::Render ||
                                         receiptCmd->action == ReceiptAction::Print)) ||
                         (reportCmd && reportCmd->print) ||
                         std::holds_alternative<PrintersCommand>(parsed.command) ||
                         std::holds_alternative<PrintTestCommand>(parsed.command);
    if (renders && !renderer.problem().empty())
      return emit(refusedResult("CONFIG_INVALID", renderer.problem(), "", ExitCode::ConfigOrData),
                  parsed.json, out, err);
    CommandResult result;
    {
      CounterEngine engine(terminal, renderer,
                           EngineOptions{false, false, EngineOptions::Principal::Terminal});
      result = runService(engine, terminal, parsed.command, err);
    }
    terminal.log().flush();
    return emit(result, parsed.json, out, err);
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
      case ReceiptAction::Render:
      case ReceiptAction::Print:
        break;  // the terminal's (runService above)
      case ReceiptAction::Reprint:
        result = runReprint(*counter(), *r, pins);
        break;
      case ReceiptAction::Email:
        result = runReceiptEmail(*counter(), *r, pins);
        break;
    }
  } else if (const auto* rep = std::get_if<ReportCommand>(&parsed.command)) {
    result = runCloseShift(*counter(), *rep, pins);  // report x is the terminal's
  } else if (queueCmd && queueCmd->resolveId) {
    result = runResolve(*counter(), *queueCmd, pins);
  } else if (const auto* so = std::get_if<ShiftOpenCommand>(&parsed.command)) {
    result = runShiftOpen(*counter(), *so, pins);
  } else if (const auto* drawer = std::get_if<DrawerOpenCommand>(&parsed.command)) {
    result = runDrawerOpen(*counter(), *drawer, pins);
  } else if (const auto* cm = std::get_if<CashMovementCommand>(&parsed.command)) {
    result = runCashMovement(*counter(), *cm, pins);
  } else if (const auto* d = std::get_if<DemoCommand>(&parsed.command);
             d && (d->seedOnly || !touchUi)) {
    result = demo(terminal, printer, renderer, *d);
  } else if (touchUi) {
    // No subcommand, or `demo` (seeded above when the data directory was empty): the touch UI
    // on the engine with background sync and the printer watched.
    if (std::holds_alternative<DemoCommand>(parsed.command)) {
      auto seeded = seedDemo(terminal, renderer);
      if (auto* failed = std::get_if<CommandResult>(&seeded))
        return emit(*failed, parsed.json, out, err);
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
