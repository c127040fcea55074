// CLI11 definition of the command-line contract (../shared/contract/cli.md).
// Sections: helpers (money lists, the window size, usage errors) · the definition · the
// checks CLI11 cannot express · the typed result.
#include <pos/app/command_line.hpp>
#include <pos/vocabulary/vocabulary.hpp>

#include <cstring>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace pos::app {

namespace {

// "USD 200.00,EUR 50.00" -> {"USD 200.00", "EUR 50.00"}, each checked with parseMoneyText and
// at most one per currency; else the message for the usage error.
std::variant<std::vector<std::string>, std::string> moneyList(const std::string& option,
                                                              const std::string& text) {
  std::vector<std::string> items;
  std::vector<std::string> currencies;
  std::size_t from = 0;
  while (true) {
    const auto comma = text.find(',', from);
    std::string item =
        text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    auto money = parseMoneyText(item);
    if (auto* why = std::get_if<std::string>(&money)) return option + ": \"" + item + "\" " + *why;
    const std::string code(std::get<checkout::Money>(money).currency().code());
    for (const auto& c : currencies)
      if (c == code) return option + ": " + code + " is given twice";
    currencies.push_back(code);
    items.push_back(item);
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return items;
}

// "1280x800" -> WindowSize; between 320x240 and 7680x4320.
std::optional<WindowSize> windowSize(const std::string& text) {
  const auto x = text.find('x');
  if (x == std::string::npos || x == 0 || x + 1 >= text.size() || x > 5 || text.size() - x > 6)
    return std::nullopt;
  auto number = [](std::string_view digits) -> std::optional<int> {
    int v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  auto w = number(std::string_view(text).substr(0, x));
  auto h = number(std::string_view(text).substr(x + 1));
  if (!w || !h || *w < 320 || *w > 7680 || *h < 240 || *h > 4320) return std::nullopt;
  return WindowSize{*w, *h};
}

// --json is a global flag; a usage error may come before CLI11 has stored it, so the words
// are looked at directly (up to "--", after which everything is a positional value).
bool wantsJson(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

ParseExit usageError(const std::string& message, bool asJson) {
  ParseExit exit{ExitCode::Usage, "pos-terminal: " + message + "\nRun with --help for usage.\n",
                 std::nullopt};
  if (asJson) {
    exit.json =
        nlohmann::json{{"errorCode", "USAGE"}, {"message", message}, {"correlationId", nullptr}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return exit;
}

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
  app.add_flag("--fullscreen", o.fullscreen,
               "touch UI full screen (a kiosk); only with no subcommand or demo");
  std::optional<std::string> window;
  optionalOption(app, "--window", window,
                 "touch UI window size WxH (default 1280x800); only with no subcommand or demo");
  app.footer(
      "Exit codes: 0 done, 2 usage error, 3 refused by a business rule, 4 payment recorded but "
      "receipt not delivered, 5 backend or device unreachable, 6 configuration or data problem, "
      "7 sync: items need a supervisor's attention, 8 reconcile found discrepancies.\n"
      "PINs are never options: a command that needs them reads them from standard input, one "
      "per line (operator first, then approvers in the order named).");

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
      ->check(CLI::IsMember(
          std::vector<std::string>(vocabulary::Names<vocabulary::Tender>::texts.begin(),
                                   vocabulary::Names<vocabulary::Tender>::texts.end())));
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
  auto* retryOpt = queueCmd->add_option_function<std::string>(
      "--retry", [&queue](const std::string& v) { queue.retryId = v; },
      "force a retry of one item id, or all");
  auto* resolveOpt = queueCmd->add_option_function<std::string>(
      "--resolve", [&queue](const std::string& v) { queue.resolveId = v; },
      "settle an item that needs attention (PINs on stdin: operator, then approver)");
  retryOpt->excludes(resolveOpt);
  queueCmd
      ->add_option_function<std::string>(
          "--resolution", [&queue](const std::string& v) { queue.resolution = v; },
          "RETRY (send it again) or ADJUSTED (settled by an adjustment entry)")
      ->check(CLI::IsMember({"RETRY", "ADJUSTED"}))
      ->needs(resolveOpt);
  queueCmd
      ->add_option_function<std::string>(
          "--operator", [&queue](const std::string& v) { queue.operatorId = v; },
          "who resolves the item")
      ->needs(resolveOpt);
  queueCmd
      ->add_option_function<std::string>(
          "--approver", [&queue](const std::string& v) { queue.approver = v; },
          "the supervisor approving the resolution")
      ->needs(resolveOpt);
  queueCmd
      ->add_option_function<std::string>(
          "--notes", [&queue](const std::string& v) { queue.notes = v; }, "why")
      ->needs(resolveOpt);

  ReceiptCommand rc;
  auto* receiptCmd =
      app.add_subcommand("receipt", "a receipt's record, text, print, reprint, e-mail");
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
  auto* rEmail = receiptCmd->add_subcommand("email", "e-mail the receipt (PIN on stdin)");
  rEmail->add_option("id", rc.receiptId, "receipt id")->required();
  rEmail
      ->add_option_function<std::string>(
          "--email", [&rc](const std::string& v) { rc.email = v; }, "the customer's address")
      ->required();
  rEmail->add_option("--operator", rc.operatorId, "the advisor's user id")->required();

  auto* printersCmd = app.add_subcommand("printers", "printers found, with status");
  auto* printTestCmd = app.add_subcommand("print-test", "print a test page");

  ReportCommand report;
  auto* reportCmd = app.add_subcommand("report", "shift report from the ledger");
  reportCmd->require_subcommand(1);
  reportCmd->add_subcommand("x", "shift report, shift stays open");
  auto* zCmd = reportCmd->add_subcommand(
      "z", "shift report, closes the shift (PINs on stdin: operator, then approver)");
  zCmd->add_flag("--print", report.print, "print the report");
  optionalOption(*zCmd, "--counted-cash", report.countedCash,
                 "cash counted in the drawer, \"USD 180.00[,EUR 50.00]\"");
  zCmd->add_option_function<std::string>(
          "--operator", [&report](const std::string& v) { report.operatorId = v; },
          "the roster member closing the shift")
      ->required();
  optionalOption(*zCmd, "--approver", report.approver,
                 "supervisor approving a cash difference over tolerance or unsynced items");

  ReconcileCommand rec;
  auto* recCmd = app.add_subcommand("reconcile", "compare the ledger with the backend's payments");
  recCmd->add_option("--from", rec.from, "RFC 3339 time")->required();
  recCmd->add_option("--to", rec.to, "RFC 3339 time")->required();

  VerifyCommand verify;
  auto* verifyCmd = app.add_subcommand("verify", "database integrity and the ledger's hash chain");
  verifyCmd->add_flag("--progress", verify.progress, "progress on stderr");

  ShiftOpenCommand shiftOpen;
  std::string floatText;
  auto* shiftCmd = app.add_subcommand("shift", "open a shift with its counted float");
  shiftCmd->require_subcommand(1);
  auto* shiftOpenCmd = shiftCmd->add_subcommand("open", "open a shift (PIN on stdin)");
  shiftOpenCmd
      ->add_option("--float", floatText, "counted opening float, \"USD 200.00[,EUR 50.00]\"")
      ->required();
  shiftOpenCmd->add_option("--operator", shiftOpen.operatorId, "who opens the shift")->required();

  DrawerOpenCommand drawer;
  auto* drawerCmd = app.add_subcommand("drawer", "the cash drawer");
  drawerCmd->require_subcommand(1);
  auto* drawerOpenCmd = drawerCmd->add_subcommand(
      "open", "a no-sale drawer opening (PINs on stdin: operator, approver)");
  drawerOpenCmd->add_option("--reason", drawer.reason, "why the drawer is opened")->required();
  drawerOpenCmd->add_option("--operator", drawer.operatorId, "who opens it")->required();
  optionalOption(*drawerOpenCmd, "--approver", drawer.approver,
                 "supervisor, where the shop requires approval for a no-sale");

  CashMovementCommand cash;
  auto* cashCmd = app.add_subcommand("cash", "cash paid in or out of the drawer");
  cashCmd->require_subcommand(1);
  auto* paidInCmd = cashCmd->add_subcommand("paid-in", "cash put into the drawer (PIN on stdin)");
  auto* paidOutCmd =
      cashCmd->add_subcommand("paid-out", "cash taken out of the drawer (PIN on stdin)");
  for (auto* sub : {paidInCmd, paidOutCmd}) {
    sub->add_option("--amount", cash.amount, "\"USD 20.00\"")->required();
    sub->add_option("--reason", cash.reason, "why")->required();
    sub->add_option("--operator", cash.operatorId, "who")->required();
  }

  InvoiceShowCommand invoiceShow;
  auto* invoiceCmd = app.add_subcommand("invoice", "look an invoice up without taking money");
  invoiceCmd->require_subcommand(1);
  auto* invoiceShowCmd =
      invoiceCmd->add_subcommand("show", "status, balance and what this terminal has taken on it");
  invoiceShowCmd->add_option("--work-order", invoiceShow.workOrder, "work order number")
      ->required();

  const bool asJson = wantsJson(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // CLI11's help() shows the subcommand asked about ("pos-terminal cash paid-in --help").
    return ParseExit{ExitCode::Done, app.help(), std::nullopt};
  } catch (const CLI::CallForAllHelp&) {
    return ParseExit{ExitCode::Done, app.help("", CLI::AppFormatMode::All), std::nullopt};
  } catch (const CLI::ParseError& e) {
    return usageError(e.what(), asJson);
  }

  // ---------------------------------------------------------------- checks CLI11 cannot express
  const bool forTheUi = app.get_subcommands().empty() || demoCmd->parsed();
  if (o.fullscreen && !forTheUi)
    return usageError("--fullscreen is for the touch UI (no subcommand, or demo)", asJson);
  if (window) {
    if (!forTheUi)
      return usageError("--window is for the touch UI (no subcommand, or demo)", asJson);
    auto size = windowSize(*window);
    if (!size)
      return usageError("--window: \"" + *window +
                            "\" must be WIDTHxHEIGHT, from 320x240 to 7680x4320 (e.g. 1280x800)",
                        asJson);
    out.window = *size;
  }
  if (shiftOpenCmd->parsed()) {
    auto floats = moneyList("--float", floatText);
    if (auto* why = std::get_if<std::string>(&floats)) return usageError(*why, asJson);
    shiftOpen.floats = std::get<std::vector<std::string>>(std::move(floats));
  }
  if (paidInCmd->parsed() || paidOutCmd->parsed()) {
    auto amount = parseMoneyText(cash.amount);
    if (auto* why = std::get_if<std::string>(&amount))
      return usageError("--amount: \"" + cash.amount + "\" " + *why, asJson);
    if (!std::get<checkout::Money>(amount).is_positive())
      return usageError("--amount must be more than zero", asJson);
    cash.direction = paidInCmd->parsed() ? CashMovementCommand::Direction::PaidIn
                                         : CashMovementCommand::Direction::PaidOut;
  }
  if (zCmd->parsed() && report.countedCash) {
    auto counted = moneyList("--counted-cash", *report.countedCash);
    if (auto* why = std::get_if<std::string>(&counted)) return usageError(*why, asJson);
  }
  if (queue.resolveId && (!queue.resolution || !queue.operatorId || !queue.approver))
    return usageError("--resolve needs --resolution RETRY|ADJUSTED, --operator and --approver",
                      asJson);
  if (rEmail->parsed() && rc.email && rc.email->empty())
    return usageError("--email: an address is needed", asJson);

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
                : rEmail->parsed()   ? ReceiptAction::Email
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
    out.command = verify;
  } else if (shiftCmd->parsed()) {
    out.command = shiftOpen;
  } else if (drawerCmd->parsed()) {
    out.command = drawer;
  } else if (cashCmd->parsed()) {
    out.command = cash;
  } else if (invoiceCmd->parsed()) {
    out.command = invoiceShow;
  } else {
    out.command = UiCommand{};
  }
  return out;
}

}  // namespace pos::app
