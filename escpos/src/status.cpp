// DLE EOT n and Automatic Status Back bit layouts, as published in the ESC/POS command reference.
#include <pos/escpos/status.hpp>

#include <string>

namespace pos::escpos {
namespace {

bool bit(std::uint8_t b, std::uint8_t mask) {
  return (b & mask) != 0;
}

Error bad_pattern(std::string what, std::uint8_t b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex = "0x";
  hex += kHex[b >> 4];
  hex += kHex[b & 0x0F];
  return Error{ErrorCode::StatusBadPattern, what + " byte " + hex + " lacks the fixed status bits"};
}

}  // namespace

std::array<std::uint8_t, 3> status_request(StatusQuery query) {
  return {0x10, 0x04, static_cast<std::uint8_t>(query)};
}

bool PrinterStatus::ready() const {
  auto no = [](const std::optional<bool>& v) { return !v.has_value() || !*v; };
  return online.value_or(false) && no(cover_open) && no(paper_out) && no(error) &&
         no(mechanical_error) && no(autocutter_error) && no(unrecoverable_error) &&
         no(stopped_paper_end);
}

PrinterCondition condition(const PrinterStatus& s) {
  auto yes = [](const std::optional<bool>& v) { return v.value_or(false); };
  if (yes(s.paper_out) || yes(s.stopped_paper_end)) return PrinterCondition::PaperOut;
  if (yes(s.cover_open)) return PrinterCondition::CoverOpen;
  if (yes(s.mechanical_error) || yes(s.autocutter_error) || yes(s.unrecoverable_error) ||
      yes(s.error)) {
    return PrinterCondition::Error;
  }
  if (s.online.has_value() && !*s.online) return PrinterCondition::Offline;
  if (!s.online.has_value()) return PrinterCondition::Unknown;
  if (yes(s.paper_near_end)) return PrinterCondition::PaperNearEnd;
  return PrinterCondition::Ready;
}

void PrinterStatus::merge(const PrinterStatus& newer) {
  auto take = [](std::optional<bool>& mine, const std::optional<bool>& theirs) {
    if (theirs) mine = theirs;
  };
  take(online, newer.online);
  take(cover_open, newer.cover_open);
  take(paper_near_end, newer.paper_near_end);
  take(paper_out, newer.paper_out);
  take(drawer_pin3_high, newer.drawer_pin3_high);
  take(feed_button, newer.feed_button);
  take(stopped_paper_end, newer.stopped_paper_end);
  take(error, newer.error);
  take(mechanical_error, newer.mechanical_error);
  take(autocutter_error, newer.autocutter_error);
  take(unrecoverable_error, newer.unrecoverable_error);
  take(auto_recoverable_error, newer.auto_recoverable_error);
  take(waiting_online_recovery, newer.waiting_online_recovery);
}

Expected<PrinterStatus> parse_realtime_status(StatusQuery query, std::uint8_t b) {
  // Fixed bits of every DLE EOT reply: bit0 = 0, bit1 = 1, bit4 = 1, bit7 = 0.
  if ((b & 0x93) != 0x12) return bad_pattern("DLE EOT", b);
  PrinterStatus s;
  switch (query) {
    case StatusQuery::Printer:
      s.drawer_pin3_high = bit(b, 0x04);
      s.online = !bit(b, 0x08);
      s.waiting_online_recovery = bit(b, 0x20);
      break;
    case StatusQuery::OfflineCause:
      s.cover_open = bit(b, 0x04);
      s.feed_button = bit(b, 0x08);
      s.stopped_paper_end = bit(b, 0x20);
      s.error = bit(b, 0x40);
      break;
    case StatusQuery::ErrorCause:
      s.mechanical_error = bit(b, 0x04);
      s.autocutter_error = bit(b, 0x08);
      s.unrecoverable_error = bit(b, 0x20);
      s.auto_recoverable_error = bit(b, 0x40);
      break;
    case StatusQuery::PaperSensor:
      // Bits 2,3: near end (both set together); bits 5,6: paper out.
      s.paper_near_end = bit(b, 0x0C);
      s.paper_out = bit(b, 0x60);
      break;
    default:
      return Error{ErrorCode::StatusBadQuery, "DLE EOT n must be 1..4"};
  }
  return s;
}

Expected<PrinterStatus> parse_realtime_status(std::uint8_t n, std::uint8_t reply) {
  if (n < 1 || n > 4) return Error{ErrorCode::StatusBadQuery, "DLE EOT n must be 1..4"};
  return parse_realtime_status(static_cast<StatusQuery>(n), reply);
}

Expected<PrinterStatus> parse_automatic_status(std::span<const std::uint8_t> block) {
  if (block.size() != 4) {
    return Error{ErrorCode::StatusBadLength,
                 "an Automatic Status Back block is 4 bytes, got " + std::to_string(block.size())};
  }
  // Byte 1: 0xx1xx00; bytes 2..4: 0xx0xxxx.
  if ((block[0] & 0x93) != 0x10) return bad_pattern("ASB first", block[0]);
  for (std::size_t i = 1; i < 4; ++i) {
    if ((block[i] & 0x90) != 0x00) return bad_pattern("ASB", block[i]);
  }
  PrinterStatus s;
  s.drawer_pin3_high = bit(block[0], 0x04);
  s.online = !bit(block[0], 0x08);
  s.cover_open = bit(block[0], 0x20);
  s.feed_button = bit(block[0], 0x40);
  s.waiting_online_recovery = bit(block[1], 0x01);
  s.mechanical_error = bit(block[1], 0x04);
  s.autocutter_error = bit(block[1], 0x08);
  s.unrecoverable_error = bit(block[1], 0x20);
  s.auto_recoverable_error = bit(block[1], 0x40);
  s.error = *s.mechanical_error || *s.autocutter_error || *s.unrecoverable_error ||
            *s.auto_recoverable_error;
  s.paper_near_end = bit(block[2], 0x03);
  s.paper_out = bit(block[2], 0x0C);
  s.stopped_paper_end = s.paper_out;
  return s;
}

}  // namespace pos::escpos
