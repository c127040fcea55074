// Structured logs: JSON lines (spdlog, rotating files in <data>/logs), one object per event:
// {"ts", "level", "event", "terminalId", ...ids and fields}.
//
// BILL-DEC-015: logs carry ids (invoiceId, workOrderId, billingPaymentId, receiptId, checkoutId,
// correlationId) and never a PIN, token, card number, e-mail or postal address. Callers pass
// only fields; every string value is also passed through scrub() so that a card-number-like
// digit run or an e-mail address that slipped into free text never reaches the file.
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

class EventLog {
 public:
  // Logs to <dir>/terminal.log, rotated at 5 MiB, 5 files kept.
  EventLog(const std::filesystem::path& dir, std::string terminalId, LogLevel level);
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
