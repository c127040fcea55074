// The services the command line (and, next, the touch UI) call. Each owns one concern:
//   CheckoutService      one whole checkout (invoice, rules, PO or override, payment, receipt)
//   ReceiptService       a receipt's record and text, render, print, reprint
//   SyncService          pull, sync, the outbox queue
//   ShiftService         X and Z reports, the drawer
//   ReconcileService     the ledger against the backend's payments
//   PrinterQueries       printers found, print-test
// They are built in main() from the Terminal and passed by reference; none is a singleton.
// Every result is a CommandResult: the exit code of the command-line contract, the --json
// object, and the text a person reads.
#pragma once

#include <istream>
#include <list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <pos/app/command_line.hpp>
#include <pos/app/printing.hpp>
#include <pos/app/receipts.hpp>
#include <pos/app/terminal.hpp>
#include <pos/checkout/checkout.hpp>

namespace pos::app {

struct CommandResult {
  ExitCode code = ExitCode::Done;
  nlohmann::json json = nlohmann::json::object();
  std::string text;
};

// A refusal as the contract's error object {"errorCode", "message", "correlationId"}.
CommandResult refusedResult(std::string_view code, std::string_view message,
                            const std::string& correlationId, ExitCode exit = ExitCode::Refused);
CommandResult refusedResult(const checkout::Refusal& refusal, const std::string& correlationId);

// PINs come from standard input, one per line, in the order the command documents. Each line
// is moved into a SecretText and the buffer wiped; a PIN is never an option or variable.
class PinReader {
 public:
  explicit PinReader(std::istream& in) : in_(in) {}
  std::optional<checkout::SecretText> next();

 private:
  std::istream& in_;
};

// Approver lockouts survive restarts (BILL-DEC-010): rebuilt from the ledger's PIN attempts
// and lockouts for the given supervisors, for every command that checks a PIN offline.
checkout::ApproverLockouts lockoutsFromLedger(ledger::Ledger& ledger,
                                              const std::vector<checkout::UserId>& approvers,
                                              checkout::Timestamp now);

class CheckoutService {
 public:
  CheckoutService(Terminal& terminal, PrinterService& printer, ReceiptRenderer& renderer)
      : terminal_(terminal), printer_(printer), renderer_(renderer) {}

  CommandResult run(const CheckoutCommand& command, PinReader& pins);

 private:
  Terminal& terminal_;
  PrinterService& printer_;
  ReceiptRenderer& renderer_;
};

}  // namespace pos::app
