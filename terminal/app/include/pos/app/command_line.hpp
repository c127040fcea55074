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
  NeedsAttention = 7,       // sync: items need a supervisor's attention; the backend answers
  Discrepancies = 8,        // reconcile found discrepancies
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
  // `queue --resolve ID --resolution RETRY|ADJUSTED --operator U --approver U [--notes TEXT]`:
  // a supervisor settles an item that needs attention (PINs on stdin: operator, approver).
  std::optional<std::string> resolveId;
  std::optional<std::string> resolution;  // "RETRY" | "ADJUSTED" (set with resolveId)
  std::optional<std::string> operatorId;  // set with resolveId
  std::optional<std::string> approver;    // set with resolveId
  std::optional<std::string> notes;
};
// `receipt email ID --email ADDRESS --operator U`: Email sets `email` and `operatorId`.
enum class ReceiptAction { Show, Print, Reprint, Render, Email };
struct ReceiptCommand {
  ReceiptAction action = ReceiptAction::Show;
  std::string receiptId;
  std::string reason;
  std::string operatorId;
  std::optional<std::string> approver;
  std::string outFile;
  std::optional<std::string> pngFile;
  std::optional<std::string> email;  // Email: the address (validated by the service, not here)
};
struct PrintersCommand {};
struct PrintTestCommand {};
enum class ReportKind { X, Z };
struct ReportCommand {
  ReportKind kind = ReportKind::X;
  bool print = false;
  // z: the cash counted in the drawer, "USD 180.00[,EUR 50.00]" (checked with parseMoneyText)
  std::optional<std::string> countedCash;
  std::optional<std::string> operatorId;  // required for z (who closes the shift, PIN on stdin)
  std::optional<std::string> approver;    // z: a supervisor (difference over tolerance, unsynced)
};
struct ReconcileCommand {
  std::string from;
  std::string to;
};
struct VerifyCommand {
  bool progress = false;  // --progress: progress lines on stderr
};
struct UiCommand {};  // no subcommand: the touch UI

// `shift open --float "USD 200.00[,EUR 50.00]" --operator U` (PIN on stdin). Each item of
// `floats` is one "CODE AMOUNT" text, already checked with parseMoneyText, one per currency.
struct ShiftOpenCommand {
  std::vector<std::string> floats;
  std::string operatorId;
};
// `drawer open --reason TEXT --operator U [--approver U]`: a no-sale drawer opening.
struct DrawerOpenCommand {
  std::string reason;
  std::string operatorId;
  std::optional<std::string> approver;
};
// `cash paid-in|paid-out --amount "USD 20.00" --reason TEXT --operator U`.
struct CashMovementCommand {
  enum class Direction { PaidIn, PaidOut };
  Direction direction = Direction::PaidIn;
  std::string amount;  // "USD 20.00", checked with parseMoneyText
  std::string reason;
  std::string operatorId;
};
// `invoice show --work-order WO`: status, balance and what this terminal took; no money moves.
struct InvoiceShowCommand {
  std::string workOrder;
};

using Command = std::variant<UiCommand, DemoCommand, PullCommand, CheckoutCommand, SyncCommand,
                             QueueCommand, ReceiptCommand, PrintersCommand, PrintTestCommand,
                             ReportCommand, ReconcileCommand, VerifyCommand, ShiftOpenCommand,
                             DrawerOpenCommand, CashMovementCommand, InvoiceShowCommand>;

// The touch UI's window (meaningful with no subcommand or `demo`).
struct WindowSize {
  int width = 1280;
  int height = 800;
};

struct ParsedCommandLine {
  ConfigOverrides overrides;  // overrides.fullscreen: --fullscreen
  bool json = false;
  WindowSize window;  // --window WxH
  Command command;
};

// What parsing produced: a command, or an exit (help printed: Done; a usage error: Usage)
// with the text to print. `json` is set for a usage error under --json: main prints it on
// stdout (the contract's error object {"errorCode": "USAGE", "message", "correlationId":
// null}, one line) instead of `text` on stderr. Help stays text on stdout.
struct ParseExit {
  ExitCode code = ExitCode::Usage;
  std::string text;
  std::optional<std::string> json;
};

std::variant<ParsedCommandLine, ParseExit> parseCommandLine(int argc, const char* const* argv);

}  // namespace pos::app
