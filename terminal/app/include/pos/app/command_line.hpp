// The headless command line (../shared/contract/cli.md): parsing into typed requests.
// Parsing is separate from running so that the contract's names, options and exit codes are
// tested without a database, and so that the UI and the command line share the services.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <pos/app/config.hpp>

namespace pos::app {

// Exit codes of every subcommand (cli.md, "Exit codes").
enum class ExitCode : int {
  Done = 0,
  Usage = 2,                // unknown option, missing argument
  Refused = 3,              // refused by a business rule
  ReceiptNotDelivered = 4,  // payment recorded, receipt could not be delivered (printer)
  Unreachable = 5,          // the backend or a device could not be reached where required
  ConfigOrData = 6,         // unreadable config, database from a newer version, corrupt file
};

struct DemoCommand {
  bool seedOnly = false;
};
struct PullCommand {};
struct CheckoutCommand {
  std::string workOrder;
  std::string operatorId;
  std::optional<std::string> po;
  std::optional<std::string> overrideReason;
  std::optional<std::string> notes;
  std::vector<std::string> approvers;
  std::string tender;  // CASH | CHECK | CARD_EXTERNAL | ACCOUNT
  std::string amount;  // decimal text in the invoice currency's precision
  std::optional<std::string> tendered;
  std::optional<std::string> checkNumber;
  std::optional<std::string> cardBrand;
  std::optional<std::string> cardLast4;
  std::optional<std::string> approvalCode;
  bool noReceipt = false;
  std::optional<std::string> email;
  std::optional<std::string> overLimitApprover;
};
struct SyncCommand {
  bool untilEmpty = false;
  double timeoutSeconds = 60;
};
struct QueueCommand {
  std::optional<std::string> retryId;  // force a retry of one item ("all" for every item)
};
enum class ReceiptAction { Show, Print, Reprint, Render };
struct ReceiptCommand {
  ReceiptAction action = ReceiptAction::Show;
  std::string receiptId;
  std::string reason;
  std::string operatorId;
  std::optional<std::string> approver;
  std::string outFile;
  std::optional<std::string> pngFile;
};
struct PrintersCommand {};
struct PrintTestCommand {};
enum class ReportKind { X, Z };
struct ReportCommand {
  ReportKind kind = ReportKind::X;
  bool print = false;
  std::optional<std::string> countedCash;  // z: the cash counted in the drawer
  std::optional<std::string> operatorId;
  std::optional<std::string> approver;  // z: a supervisor, when the close needs one
};
struct ReconcileCommand {
  std::string from;
  std::string to;
};
struct VerifyCommand {};
struct UiCommand {};  // no subcommand: the touch UI

using Command = std::variant<UiCommand, DemoCommand, PullCommand, CheckoutCommand, SyncCommand,
                             QueueCommand, ReceiptCommand, PrintersCommand, PrintTestCommand,
                             ReportCommand, ReconcileCommand, VerifyCommand>;

struct ParsedCommandLine {
  ConfigOverrides overrides;
  bool json = false;
  Command command;
};

// What parsing produced: a command, or an exit (help printed: Done; a usage error: Usage)
// with the text to print.
struct ParseExit {
  ExitCode code = ExitCode::Usage;
  std::string text;
};

std::variant<ParsedCommandLine, ParseExit> parseCommandLine(int argc, const char* const* argv);

}  // namespace pos::app
