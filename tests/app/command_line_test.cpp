#include <pos/app/command_line.hpp>

#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

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
  auto r = parse({"report", "z", "--print"});
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

}  // namespace
}  // namespace pos::app
