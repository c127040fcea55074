#include <pos/app/command_line.hpp>

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pos::app {
namespace {

std::variant<ParsedCommandLine, ParseExit> parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"pos-terminal"};
  argv.insert(argv.end(), args.begin(), args.end());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data());
}

ExitCode exitOf(std::initializer_list<const char*> args) {
  auto r = parse(args);
  if (auto* e = std::get_if<ParseExit>(&r)) return e->code;
  return ExitCode::Done;
}

TEST(CommandLine, NoSubcommandStartsTheUi) {
  auto r = parse({});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  EXPECT_TRUE(std::holds_alternative<UiCommand>(std::get<ParsedCommandLine>(r).command));
}

TEST(CommandLine, GlobalOptionsBeforeTheSubcommand) {
  auto r = parse({"--data-dir", "/tmp/d", "--backend", "none", "--terminal-id", "T-7", "--printer",
                  "file:///tmp/spool", "--printer-profile", "generic-58mm", "--json", "verify"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  const auto& p = std::get<ParsedCommandLine>(r);
  EXPECT_TRUE(p.json);
  EXPECT_EQ(p.overrides.dataDir->string(), "/tmp/d");
  EXPECT_EQ(*p.overrides.backend, "none");
  EXPECT_EQ(*p.overrides.terminalId, "T-7");
  EXPECT_EQ(*p.overrides.printerUri, "file:///tmp/spool");
  EXPECT_EQ(*p.overrides.printerProfile, "generic-58mm");
  EXPECT_TRUE(std::holds_alternative<VerifyCommand>(p.command));
}

TEST(CommandLine, FullCheckoutWithTwoApprovers) {
  auto r = parse({"checkout",   "--work-order", "WO-1005",    "--operator", "adv-anna",
                  "--override", "PO_TO_FOLLOW", "--notes",    "mailing it", "--approver",
                  "sup-sara",   "--approver",   "sup-sam",    "--tender",   "CASH",
                  "--amount",   "652.00",       "--tendered", "700",        "--over-limit-approver",
                  "sup-sara"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r)) << std::get<ParseExit>(r).text;
  const auto& c = std::get<CheckoutCommand>(std::get<ParsedCommandLine>(r).command);
  EXPECT_EQ(c.workOrder, "WO-1005");
  EXPECT_EQ(*c.overrideReason, "PO_TO_FOLLOW");
  EXPECT_EQ(c.approvers, (std::vector<std::string>{"sup-sara", "sup-sam"}));
  EXPECT_EQ(c.amount, "652.00");
  EXPECT_EQ(*c.tendered, "700");
  EXPECT_EQ(*c.overLimitApprover, "sup-sara");
  EXPECT_FALSE(c.po.has_value());
}

TEST(CommandLine, UsageErrorsExitTwo) {
  EXPECT_EQ(exitOf({"--bogus"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"frobnicate"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"checkout", "--work-order", "WO-1"}), ExitCode::Usage);  // missing options
  EXPECT_EQ(exitOf({"checkout", "--work-order", "W", "--operator", "u", "--tender", "GOLD",
                    "--amount", "1"}),
            ExitCode::Usage);
  EXPECT_EQ(exitOf({"checkout", "--work-order", "W", "--operator", "u", "--po", "P1", "--override",
                    "X", "--approver", "s", "--tender", "CASH", "--amount", "1"}),
            ExitCode::Usage);  // --po and --override exclude each other
  EXPECT_EQ(exitOf({"checkout", "--work-order", "W", "--operator", "u", "--approver", "s",
                    "--tender", "CASH", "--amount", "1"}),
            ExitCode::Usage);  // an approver without an override
  EXPECT_EQ(exitOf({"checkout", "--work-order", "W", "--operator", "u", "--tender", "CASH",
                    "--amount", "1", "--no-receipt", "--email", "a@b.c"}),
            ExitCode::Usage);
  EXPECT_EQ(exitOf({"receipt"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"receipt", "reprint", "R1", "--operator", "u"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"report"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"reconcile", "--from", "2026-01-01T00:00:00Z"}), ExitCode::Usage);
}

TEST(CommandLine, HelpIsNotAnError) {
  auto r = parse({"--help"});
  ASSERT_TRUE(std::holds_alternative<ParseExit>(r));
  EXPECT_EQ(std::get<ParseExit>(r).code, ExitCode::Done);
  EXPECT_NE(std::get<ParseExit>(r).text.find("checkout"), std::string::npos);
}

TEST(CommandLine, ReceiptSubcommands) {
  auto r = parse({"receipt", "reprint", "R-1", "--reason", "CUSTOMER_REQUEST", "--operator",
                  "adv-anna", "--approver", "sup-sara"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  auto c = std::get<ReceiptCommand>(std::get<ParsedCommandLine>(r).command);
  EXPECT_EQ(c.action, ReceiptAction::Reprint);
  EXPECT_EQ(c.receiptId, "R-1");
  EXPECT_EQ(*c.approver, "sup-sara");

  r = parse({"receipt", "render", "R-2", "--out", "r.bin", "--png", "r.png"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  c = std::get<ReceiptCommand>(std::get<ParsedCommandLine>(r).command);
  EXPECT_EQ(c.action, ReceiptAction::Render);
  EXPECT_EQ(c.outFile, "r.bin");
  EXPECT_EQ(*c.pngFile, "r.png");
}

TEST(CommandLine, ReportAndSync) {
  auto r = parse({"report", "z", "--print", "--operator", "sup-sara"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  auto rep = std::get<ReportCommand>(std::get<ParsedCommandLine>(r).command);
  EXPECT_EQ(rep.kind, ReportKind::Z);
  EXPECT_TRUE(rep.print);

  r = parse({"sync", "--until-empty", "--timeout", "30"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  auto s = std::get<SyncCommand>(std::get<ParsedCommandLine>(r).command);
  EXPECT_TRUE(s.untilEmpty);
  EXPECT_DOUBLE_EQ(s.timeoutSeconds, 30.0);
}

// ---------------------------------------------------------------- issue 15: usage errors as JSON

TEST(CommandLine, UsageErrorsUnderJsonAreTheContractsErrorObject) {
  for (auto args : std::vector<std::vector<const char*>>{
           {"--json", "frobnicate"},
           {"--json", "--bogus"},
           {"--json", "checkout", "--work-order", "W", "--operator", "u", "--tender", "GOLD",
            "--amount", "1"},
           {"verify", "--json", "--nope"}}) {
    std::vector<const char*> argv{"pos-terminal"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = parseCommandLine(static_cast<int>(argv.size()), argv.data());
    ASSERT_TRUE(std::holds_alternative<ParseExit>(r));
    const auto& e = std::get<ParseExit>(r);
    EXPECT_EQ(e.code, ExitCode::Usage);
    ASSERT_TRUE(e.json.has_value()) << args.back();
    auto j = nlohmann::json::parse(*e.json);
    EXPECT_EQ(j["errorCode"], "USAGE");
    EXPECT_TRUE(j["message"].is_string());
    EXPECT_FALSE(j["message"].get<std::string>().empty());
    EXPECT_TRUE(j["correlationId"].is_null());
    EXPECT_EQ(j.size(), 3u);
    EXPECT_EQ(e.json->find('\n'), std::string::npos);  // one line
  }
  // Without --json: text only; --help stays text even with --json.
  auto plain = parse({"frobnicate"});
  EXPECT_FALSE(std::get<ParseExit>(plain).json.has_value());
  auto help = parse({"--json", "--help"});
  EXPECT_EQ(std::get<ParseExit>(help).code, ExitCode::Done);
  EXPECT_FALSE(std::get<ParseExit>(help).json.has_value());
  // A "--json" after "--" is a value, not the flag.
  EXPECT_FALSE(std::get<ParseExit>(parse({"frobnicate", "--", "--json"})).json.has_value());
}

// ---------------------------------------------------------------- new syntax (issues 10-17)

template <class T>
T commandOf(std::initializer_list<const char*> args) {
  auto r = parse(args);
  EXPECT_TRUE(std::holds_alternative<ParsedCommandLine>(r))
      << (std::holds_alternative<ParseExit>(r) ? std::get<ParseExit>(r).text : "");
  if (!std::holds_alternative<ParsedCommandLine>(r)) return T{};
  const auto& command = std::get<ParsedCommandLine>(r).command;
  EXPECT_TRUE(std::holds_alternative<T>(command));
  return std::holds_alternative<T>(command) ? std::get<T>(command) : T{};
}

TEST(CommandLine, WindowAndFullscreenForTheUi) {
  auto r = parse({});
  EXPECT_EQ(std::get<ParsedCommandLine>(r).window.width, 1280);
  EXPECT_EQ(std::get<ParsedCommandLine>(r).window.height, 800);
  EXPECT_FALSE(std::get<ParsedCommandLine>(r).overrides.fullscreen);
  r = parse({"--fullscreen", "--window", "1024x768"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r)) << std::get<ParseExit>(r).text;
  EXPECT_TRUE(std::get<ParsedCommandLine>(r).overrides.fullscreen);
  EXPECT_EQ(std::get<ParsedCommandLine>(r).window.width, 1024);
  EXPECT_EQ(std::get<ParsedCommandLine>(r).window.height, 768);
  r = parse({"--window", "800x600", "demo"});
  ASSERT_TRUE(std::holds_alternative<ParsedCommandLine>(r));
  EXPECT_EQ(std::get<ParsedCommandLine>(r).window.width, 800);

  for (const char* bad : {"1280", "x800", "1280x", "1280X800", "12x8", "99999x800", "-1x800",
                          "1280x800x2", "1e3x800", ""})
    EXPECT_EQ(exitOf({"--window", bad}), ExitCode::Usage) << bad;
  EXPECT_EQ(exitOf({"--fullscreen", "verify"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"--window", "1280x800", "queue"}), ExitCode::Usage);
}

TEST(CommandLine, ShiftOpen) {
  auto c = commandOf<ShiftOpenCommand>(
      {"shift", "open", "--float", "USD 200.00,EUR 50.00", "--operator", "adv-anna"});
  EXPECT_EQ(c.floats, (std::vector<std::string>{"USD 200.00", "EUR 50.00"}));
  EXPECT_EQ(c.operatorId, "adv-anna");
  c = commandOf<ShiftOpenCommand>(
      {"shift", "open", "--float", "JPY 10000, USD 0", "--operator", "adv-anna"});
  EXPECT_EQ(c.floats, (std::vector<std::string>{"JPY 10000", "USD 0"}));

  EXPECT_EQ(exitOf({"shift"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"shift", "open", "--operator", "u"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"shift", "open", "--float", "USD 1.00"}), ExitCode::Usage);
  for (const char* bad : {"200.00", "USD 200.005", "USD 1,USD 2", "USD 1,", "XYZ 1", "usd 1",
                          "USD -1", "USD 1e3", ""})
    EXPECT_EQ(exitOf({"shift", "open", "--float", bad, "--operator", "u"}), ExitCode::Usage) << bad;
}

TEST(CommandLine, DrawerOpen) {
  auto c = commandOf<DrawerOpenCommand>(
      {"drawer", "open", "--reason", "change for a customer", "--operator", "adv-anna"});
  EXPECT_EQ(c.reason, "change for a customer");
  EXPECT_EQ(c.operatorId, "adv-anna");
  EXPECT_FALSE(c.approver.has_value());
  c = commandOf<DrawerOpenCommand>(
      {"drawer", "open", "--reason", "x", "--operator", "adv-anna", "--approver", "sup-sara"});
  EXPECT_EQ(*c.approver, "sup-sara");
  EXPECT_EQ(exitOf({"drawer", "open", "--operator", "u"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"drawer", "open", "--reason", "x"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"drawer", "open", "--reason", "x", "--operator", "u", "--pin", "1234"}),
            ExitCode::Usage);  // PINs are never options
  EXPECT_EQ(exitOf({"drawer"}), ExitCode::Usage);
}

TEST(CommandLine, CashPaidInAndOut) {
  auto c = commandOf<CashMovementCommand>({"cash", "paid-in", "--amount", "USD 20.00", "--reason",
                                           "float top-up", "--operator", "adv-anna"});
  EXPECT_EQ(c.direction, CashMovementCommand::Direction::PaidIn);
  EXPECT_EQ(c.amount, "USD 20.00");
  EXPECT_EQ(c.reason, "float top-up");
  EXPECT_EQ(c.operatorId, "adv-anna");
  c = commandOf<CashMovementCommand>(
      {"cash", "paid-out", "--amount", "EUR 5", "--reason", "stamps", "--operator", "adv-anna"});
  EXPECT_EQ(c.direction, CashMovementCommand::Direction::PaidOut);
  for (const char* bad : {"20.00", "USD 0", "USD 0.00", "USD 20.001", "USD -1", "USD 20,EUR 1"})
    EXPECT_EQ(exitOf({"cash", "paid-in", "--amount", bad, "--reason", "r", "--operator", "u"}),
              ExitCode::Usage)
        << bad;
  EXPECT_EQ(exitOf({"cash", "paid-in", "--amount", "USD 1", "--operator", "u"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"cash", "refund", "--amount", "USD 1", "--reason", "r", "--operator", "u"}),
            ExitCode::Usage);
  EXPECT_EQ(exitOf({"cash"}), ExitCode::Usage);
}

TEST(CommandLine, ReportZNeedsItsOperator) {
  auto c = commandOf<ReportCommand>({"report", "z", "--counted-cash", "USD 180.00,EUR 50.00",
                                     "--operator", "sup-sara", "--approver", "sup-sam"});
  EXPECT_EQ(c.kind, ReportKind::Z);
  EXPECT_EQ(*c.countedCash, "USD 180.00,EUR 50.00");
  EXPECT_EQ(*c.operatorId, "sup-sara");
  EXPECT_EQ(*c.approver, "sup-sam");
  EXPECT_EQ(exitOf({"report", "z"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"report", "z", "--counted-cash", "USD 1.00"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"report", "z", "--counted-cash", "100.00", "--operator", "u"}),
            ExitCode::Usage);
  EXPECT_EQ(exitOf({"report", "x"}), ExitCode::Done);
}

TEST(CommandLine, InvoiceShow) {
  auto c = commandOf<InvoiceShowCommand>({"invoice", "show", "--work-order", "WO-1001"});
  EXPECT_EQ(c.workOrder, "WO-1001");
  EXPECT_EQ(exitOf({"invoice", "show"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"invoice"}), ExitCode::Usage);
}

TEST(CommandLine, ReceiptEmail) {
  auto c = commandOf<ReceiptCommand>(
      {"receipt", "email", "R-1", "--email", "pat@example.com", "--operator", "adv-anna"});
  EXPECT_EQ(c.action, ReceiptAction::Email);
  EXPECT_EQ(c.receiptId, "R-1");
  EXPECT_EQ(*c.email, "pat@example.com");
  EXPECT_EQ(c.operatorId, "adv-anna");
  EXPECT_EQ(exitOf({"receipt", "email", "R-1", "--operator", "u"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"receipt", "email", "R-1", "--email", "a@b.c"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"receipt", "email", "--email", "a@b.c", "--operator", "u"}), ExitCode::Usage);
  EXPECT_EQ(exitOf({"receipt", "email", "R-1", "--email", "", "--operator", "u"}), ExitCode::Usage);
}

TEST(CommandLine, QueueRetryAndResolve) {
  auto c = commandOf<QueueCommand>({"queue", "--retry", "all"});
  EXPECT_EQ(*c.retryId, "all");
  EXPECT_FALSE(c.resolveId.has_value());
  c = commandOf<QueueCommand>({"queue", "--resolve", "42", "--resolution", "ADJUSTED", "--operator",
                               "adv-anna", "--approver", "sup-sara", "--notes",
                               "refunded at the counter"});
  EXPECT_EQ(*c.resolveId, "42");
  EXPECT_EQ(*c.resolution, "ADJUSTED");
  EXPECT_EQ(*c.operatorId, "adv-anna");
  EXPECT_EQ(*c.approver, "sup-sara");
  EXPECT_EQ(*c.notes, "refunded at the counter");
  c = commandOf<QueueCommand>({"queue"});
  EXPECT_FALSE(c.retryId || c.resolveId || c.resolution || c.operatorId || c.approver || c.notes);

  EXPECT_EQ(exitOf({"queue", "--resolve", "42", "--resolution", "RETRY", "--operator", "u"}),
            ExitCode::Usage);  // no approver
  EXPECT_EQ(exitOf({"queue", "--resolve", "42", "--resolution", "DELETE", "--operator", "u",
                    "--approver", "s"}),
            ExitCode::Usage);
  EXPECT_EQ(exitOf({"queue", "--resolution", "RETRY"}), ExitCode::Usage);  // without --resolve
  EXPECT_EQ(exitOf({"queue", "--retry", "1", "--resolve", "1", "--resolution", "RETRY",
                    "--operator", "u", "--approver", "s"}),
            ExitCode::Usage);
}

TEST(CommandLine, VerifyProgress) {
  EXPECT_FALSE(commandOf<VerifyCommand>({"verify"}).progress);
  EXPECT_TRUE(commandOf<VerifyCommand>({"verify", "--progress"}).progress);
}

TEST(CommandLine, ExitCodesAreTheContractsAndDocumented) {
  EXPECT_EQ(static_cast<int>(ExitCode::NeedsAttention), 7);
  EXPECT_EQ(static_cast<int>(ExitCode::Discrepancies), 8);
  const auto help = std::get<ParseExit>(parse({"--help"})).text;
  for (const char* word :
       {"shift", "drawer", "cash", "invoice", "--fullscreen", "--window", "7 sync", "8 reconcile"})
    EXPECT_NE(help.find(word), std::string::npos) << word;
  const auto cashHelp = std::get<ParseExit>(parse({"cash", "paid-in", "--help"})).text;
  EXPECT_NE(cashHelp.find("--amount"), std::string::npos) << cashHelp;
}

}  // namespace
}  // namespace pos::app
