// Structured logs: JSON lines (spdlog, rotating files in <data>/logs), one object per event:
// {"ts", "level", "event", "terminalId", ...ids and fields}.
//
// BILL-DEC-015: logs carry ids (invoiceId, workOrderId, billingPaymentId, receiptId, checkoutId,
// correlationId) and never a PIN, token, card number, e-mail or postal address. Callers pass
// only fields; every string value is also passed through scrub() so that a card-number-like
// digit run or an e-mail address that slipped into free text never reaches the file.
//
// Files: <dir> is made 0700 and every log file 0600 (also each file the rotation opens, and an
// existing file is tightened), whatever the umask: logs name customers' invoices.
//
// Process-wide state: an EventLog writes through its own spdlog logger (never registered, never
// the default), so two terminals in one process (tests) or threads cannot see each other's
// context. The parts' own messages (drivers, sync call spdlog::info) still go to spdlog's
// default logger; routePartsLogTo() replaces it exactly once per process.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <pos/app/config.hpp>

namespace spdlog {
class logger;
}

namespace pos::app {

// Replaces runs of 13 to 19 digits (spaces or dashes allowed between them) and anything shaped
// like an e-mail address with "[redacted]".
std::string scrub(std::string_view text);

// Sends spdlog's default logger (the parts' messages, which would otherwise go to stdout, where
// --json promises one JSON object) to <logsDir>/parts.log (0600, rotated). Only the first call
// in a process does anything (std::call_once); later calls, with any folder, are no-ops. Why
// that is safe: spdlog::set_default_logger is not safe against a thread logging through the
// default logger at the same moment, so it must happen before any part's thread starts: call it
// at process start (main, after the configuration is loaded and the logs folder exists, before
// the engine starts its threads). Terminal::open (ReadWrite) calls it too, for callers that do
// not; by call_once a second Terminal never swaps the logger under running threads. The
// folder must exist (it is never created here). Returns false when the file could not be
// opened: the parts' warnings and errors then go to stderr, still never stdout.
bool routePartsLogTo(const std::filesystem::path& logsDir);

class EventLog {
 public:
  // Logs to <dir>/terminal.log, rotated at 5 MiB, 5 files kept. Creates <dir> (0700) if
  // missing. Throws spdlog::spdlog_ex when the file cannot be opened (Terminal::open turns that
  // into a StartupError naming the path).
  EventLog(const std::filesystem::path& dir, std::string terminalId, LogLevel level);
  // A log that writes nothing: for a read-only run where the logs folder cannot be written.
  EventLog(std::string terminalId, LogLevel level);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  void info(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void warn(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void error(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void debug(std::string_view event, nlohmann::json fields = nlohmann::json::object());
  void flush();

 private:
  void write(LogLevel level, std::string_view event, nlohmann::json fields);
  std::shared_ptr<spdlog::logger> logger_;
  std::string terminalId_;
  LogLevel level_;
};

}  // namespace pos::app
