// The command line's results and PIN input: the contract's error object, and PINs read from
// standard input one per line, each moved into a SecretText and the line buffer wiped.
#include <pos/app/services.hpp>

namespace pos::app {

using nlohmann::json;

CommandResult refusedResult(std::string_view code, std::string_view message,
                            const std::string& correlationId, ExitCode exit) {
  CommandResult r;
  r.code = exit;
  r.json = {{"errorCode", std::string(code)},
            {"message", std::string(message)},
            {"correlationId", correlationId.empty() ? json(nullptr) : json(correlationId)}};
  r.text = "refused: " + std::string(code) + ": " + std::string(message);
  return r;
}

CommandResult refusedResult(const checkout::Refusal& refusal, const std::string& correlationId) {
  std::string message(refusal.text());
  if (!refusal.detail.empty()) message += " (" + refusal.detail + ")";
  if (!refusal.missing_fields.empty()) {
    message += " missing:";
    for (const auto& f : refusal.missing_fields) message += " " + f;
  }
  return refusedResult(refusal.code_text(), message, correlationId);
}

std::optional<checkout::SecretText> PinReader::next() {
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return checkout::SecretText::take(line);
}

}  // namespace pos::app
