// CLI11 definition of the command-line contract (../shared/contract/cli.md).
#include <pos/app/command_line.hpp>

#include <sstream>

#include <CLI/CLI.hpp>

namespace pos::app {

namespace {

template <class T>
void optionalOption(CLI::App& app, const std::string& name, std::optional<T>& out,
                    const std::string& help) {
  app.add_option_function<T>(
      name, [&out](const T& v) { out = v; }, help);
}

}  // namespace

std::variant<ParsedCommandLine, ParseExit> parseCommandLine(int argc, const char* const* argv) {
  CLI::App app{"pos-terminal: counter checkout and receipt terminal", "pos-terminal"};
  app.require_subcommand(0, 1);
  app.fallthrough();

  ParsedCommandLine out;
  auto& o = out.overrides;
  optionalOption(app, "--config", o.configFile, "TOML configuration file");
  optionalOption(app, "--data-dir", o.dataDir, "database, logs and the virtual printer's spool");
  optionalOption(app, "--backend", o.backend, "billing backend base URL, or none (offline only)");
  optionalOption(app, "--token-file", o.tokenFile, "file holding the terminal's bearer token");
  optionalOption(app, "--terminal-id", o.terminalId, "this terminal's id");
  optionalOption(app, "--printer", o.printerUri,
                 "usb://auto, usb://VID:PID[/SERIAL], tcp://HOST:PORT, file:///DIR");
  optionalOption(app, "--printer-profile", o.printerProfile, "a profile from assets/printers/");
  app.add_flag("--json", out.json, "machine-readable output: one JSON object on stdout");

  DemoCommand demo;
  auto* demoCmd = app.add_subcommand("demo", "seed the demo shop and start the terminal");
  demoCmd->add_flag("--seed-only", demo.seedOnly, "only seed the demo shop");

  auto* pullCmd = app.add_subcommand("pull", "refresh the offline snapshots from the backend");

  CheckoutCommand co;
  auto* coCmd = app.add_subcommand("checkout", "one whole checkout, headless (PINs on stdin)");
  coCmd->add_option("--work-order", co.workOrder, "work order number")->required();
  coCmd->add_option("--operator", co.operatorId, "the advisor's user id")->required();
  auto* poOpt = coCmd->add_option_function<std::string>(
      "--po", [&co](const std::string& v) { co.po = v; }, "PO number to capture");
  auto* ovOpt = coCmd->add_option_function<std::string>(
      "--override", [&co](const std::string& v) { co.overrideReason = v; },
      "override the PO requirement with this reason code");
  poOpt->excludes(ovOpt);
  optionalOption(*coCmd, "--notes", co.notes, "notes for the override reason");
  coCmd->add_option("--approver", co.approvers, "override approver (once, or twice)")
      ->expected(1)
      ->take_all()
      ->needs(ovOpt);
  coCmd->add_option("--tender", co.tender, "CASH, CHECK, CARD_EXTERNAL or ACCOUNT")
      ->required()
      ->check(CLI::IsMember({"CASH", "CHECK", "CARD_EXTERNAL", "ACCOUNT"}));
  coCmd->add_option("--amount", co.amount, "amount in the invoice currency, e.g. 12.50")
      ->required();
  optionalOption(*coCmd, "--tendered", co.tendered, "cash handed over");
  optionalOption(*coCmd, "--check-number", co.checkNumber, "cheque number");
  optionalOption(*coCmd, "--card-brand", co.cardBrand, "card brand (card terminal)");
  optionalOption(*coCmd, "--card-last4", co.cardLast4, "last four digits of the card");
  optionalOption(*coCmd, "--approval-code", co.approvalCode, "card terminal approval code");
  auto* noReceipt = coCmd->add_flag("--no-receipt", co.noReceipt, "no receipt (suppressed)");
  auto* email = coCmd->add_option_function<std::string>(
      "--email", [&co](const std::string& v) { co.email = v; }, "e-mail the receipt");
  noReceipt->excludes(email);
  optionalOption(*coCmd, "--over-limit-approver", co.overLimitApprover,
                 "supervisor approving a payment over the operator's limit");

  SyncCommand sync;
  auto* syncCmd = app.add_subcommand("sync", "push the outbox and pull snapshots");
  syncCmd->add_flag("--until-empty", sync.untilEmpty, "keep trying until nothing is queued");
  syncCmd->add_option("--timeout", sync.timeoutSeconds, "seconds")->check(CLI::Range(0.0, 86400.0));

  QueueCommand queue;
  auto* queueCmd = app.add_subcommand("queue", "the outbox");
  optionalOption(*queueCmd, "--retry", queue.retryId, "force a retry of one item id, or all");

  ReceiptCommand rc;
  auto* receiptCmd = app.add_subcommand("receipt", "a receipt's record, text, print, reprint");
  receiptCmd->require_subcommand(1);
  auto* rShow = receiptCmd->add_subcommand("show", "the receipt's record and text");
  rShow->add_option("id", rc.receiptId, "receipt id")->required();
  auto* rPrint = receiptCmd->add_subcommand("print", "print the receipt");
  rPrint->add_option("id", rc.receiptId, "receipt id")->required();
  auto* rReprint = receiptCmd->add_subcommand("reprint", "reprint as a marked copy");
  rReprint->add_option("id", rc.receiptId, "receipt id")->required();
  rReprint->add_option("--reason", rc.reason, "reprint reason code")->required();
  rReprint->add_option("--operator", rc.operatorId, "the advisor's user id")->required();
  optionalOption(*rReprint, "--approver", rc.approver, "supervisor approving the reprint");
  auto* rRender = receiptCmd->add_subcommand("render", "ESC/POS bytes and preview, no printing");
  rRender->add_option("id", rc.receiptId, "receipt id")->required();
  rRender->add_option("--out", rc.outFile, "FILE.bin")->required();
  optionalOption(*rRender, "--png", rc.pngFile, "FILE.png preview");

  auto* printersCmd = app.add_subcommand("printers", "printers found, with status");
  auto* printTestCmd = app.add_subcommand("print-test", "print a test page");

  ReportCommand report;
  auto* reportCmd = app.add_subcommand("report", "shift report from the ledger");
  reportCmd->require_subcommand(1);
  reportCmd->add_subcommand("x", "shift report, shift stays open");
  auto* zCmd = reportCmd->add_subcommand("z", "shift report, closes the shift");
  zCmd->add_flag("--print", report.print, "print the report");
  optionalOption(*zCmd, "--counted-cash", report.countedCash, "cash counted in the drawer");
  optionalOption(*zCmd, "--operator", report.operatorId, "who closes the shift");
  optionalOption(*zCmd, "--approver", report.approver,
                 "supervisor approving a close over the cash tolerance or with unsynced items");

  ReconcileCommand rec;
  auto* recCmd = app.add_subcommand("reconcile", "compare the ledger with the backend's payments");
  recCmd->add_option("--from", rec.from, "RFC 3339 time")->required();
  recCmd->add_option("--to", rec.to, "RFC 3339 time")->required();

  auto* verifyCmd = app.add_subcommand("verify", "database integrity and the ledger's hash chain");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return ParseExit{ExitCode::Done, app.help()};
  } catch (const CLI::CallForAllHelp&) {
    return ParseExit{ExitCode::Done, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::ParseError& e) {
    std::ostringstream text;
    text << "pos-terminal: " << e.what() << "\nRun with --help for usage.\n";
    return ParseExit{ExitCode::Usage, text.str()};
  }

  if (demoCmd->parsed()) {
    out.command = demo;
  } else if (pullCmd->parsed()) {
    out.command = PullCommand{};
  } else if (coCmd->parsed()) {
    out.command = co;
  } else if (syncCmd->parsed()) {
    out.command = sync;
  } else if (queueCmd->parsed()) {
    out.command = queue;
  } else if (receiptCmd->parsed()) {
    rc.action = rShow->parsed()      ? ReceiptAction::Show
                : rPrint->parsed()   ? ReceiptAction::Print
                : rReprint->parsed() ? ReceiptAction::Reprint
                                     : ReceiptAction::Render;
    out.command = rc;
  } else if (printersCmd->parsed()) {
    out.command = PrintersCommand{};
  } else if (printTestCmd->parsed()) {
    out.command = PrintTestCommand{};
  } else if (reportCmd->parsed()) {
    report.kind = zCmd->parsed() ? ReportKind::Z : ReportKind::X;
    out.command = report;
  } else if (recCmd->parsed()) {
    out.command = rec;
  } else if (verifyCmd->parsed()) {
    out.command = VerifyCommand{};
  } else {
    out.command = UiCommand{};
  }
  return out;
}

}  // namespace pos::app
