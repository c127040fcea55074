// Reading printers: real-time status replies (DLE EOT n, n = 1..4) and Automatic Status Back
// blocks (GS a, 4 bytes) -> a typed PrinterStatus. Every status byte carries a fixed bit pattern
// (DLE EOT: 0xx1xx10; ASB first byte 0xx1xx00, others 0xx0xxxx); a byte without it is an
// error, never read as a status (it is usually stale data or a byte of something else).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <pos/escpos/error.hpp>

namespace pos::escpos {

enum class StatusQuery : std::uint8_t {
  Printer = 1,       // DLE EOT 1: online, drawer
  OfflineCause = 2,  // DLE EOT 2: cover, feed button, paper-end stop, error
  ErrorCause = 3,    // DLE EOT 3: mechanical, autocutter, unrecoverable, auto-recoverable
  PaperSensor = 4,   // DLE EOT 4: paper near end, paper out
};

// The 3 bytes that ask: 0x10 0x04 n.
std::array<std::uint8_t, 3> status_request(StatusQuery query);

// Each fact is empty until a reply that carries it has been read.
struct PrinterStatus {
  std::optional<bool> online;
  std::optional<bool> cover_open;
  std::optional<bool> paper_near_end;
  std::optional<bool> paper_out;
  std::optional<bool> drawer_pin3_high;   // drawer kick connector pin 3 (open/closed by wiring)
  std::optional<bool> feed_button;        // paper being fed by the feed button
  std::optional<bool> stopped_paper_end;  // printing stopped because paper ran out
  std::optional<bool> error;              // any error occurred
  std::optional<bool> mechanical_error;
  std::optional<bool> autocutter_error;
  std::optional<bool> unrecoverable_error;
  std::optional<bool> auto_recoverable_error;
  std::optional<bool> waiting_online_recovery;

  // Can a job be sent now? Only when everything known says yes and online is known.
  bool ready() const;
  // Takes every fact `newer` knows.
  void merge(const PrinterStatus& newer);
  bool operator==(const PrinterStatus&) const = default;
};

// What an operator is told, most severe first: the one condition that explains why a receipt
// cannot print now (or Ready). Unknown: not enough replies read to say.
enum class PrinterCondition : std::uint8_t {
  Ready,
  PaperNearEnd,  // still prints; load paper soon
  CoverOpen,
  PaperOut,
  Offline,
  Error,  // mechanical, autocutter or unrecoverable error
  Unknown,
  Count
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(PrinterCondition::Count)>
    kPrinterConditionMessages = {
        "Printer ready.",
        "Paper is running low.",
        "Printer cover is open. Close it to print.",
        "Printer is out of paper. Load paper to print.",
        "Printer is offline.",
        "Printer error. Check the printer, then retry.",
        "Printer status unknown.",
};
static_assert(kPrinterConditionMessages.size() == static_cast<std::size_t>(PrinterCondition::Count),
              "one message per PrinterCondition");

PrinterCondition condition(const PrinterStatus& status);
constexpr std::string_view condition_message(PrinterCondition c) {
  return kPrinterConditionMessages.at(static_cast<std::size_t>(c));
}

Expected<PrinterStatus> parse_realtime_status(StatusQuery query, std::uint8_t reply);
// n as sent on the wire (1..4); other values are StatusBadQuery.
Expected<PrinterStatus> parse_realtime_status(std::uint8_t n, std::uint8_t reply);
Expected<PrinterStatus> parse_automatic_status(std::span<const std::uint8_t> block);

}  // namespace pos::escpos
