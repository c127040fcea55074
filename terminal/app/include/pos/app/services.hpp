// What the command line's runners share: every result is a CommandResult (the exit code of
// the command-line contract, the --json object, and the text a person reads), and PINs come
// from standard input. The rules themselves live in the counter engine (engine.hpp), which the
// command line and the touch UI both drive.
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

// The services on the counter engine (engine.hpp) that the command line runs: each posts
// intents and maps the final snapshot to cli.md's exit codes and JSON (commands.cpp).

}  // namespace pos::app
