#include "status_bytes.hpp"

#include <fmt/format.h>
#include <pos/escpos/status.hpp>

namespace pos::drivers {

Bytes status_request() {
  Bytes out;
  for (auto q : {escpos::StatusQuery::Printer, escpos::StatusQuery::OfflineCause,
                 escpos::StatusQuery::ErrorCause, escpos::StatusQuery::PaperSensor}) {
    const auto r = escpos::status_request(q);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

namespace {

// escpos's full status -> the spooler's three questions (paper, cover, online) and "error".
PrinterStatus reduce(const escpos::PrinterStatus& s) {
  PrinterStatus out;
  if (s.paper_out.value_or(false) || s.stopped_paper_end.value_or(false)) {
    out.paper = Paper::kOut;
  } else if (s.paper_near_end) {
    out.paper = *s.paper_near_end ? Paper::kNearEnd : Paper::kOk;
  }
  if (s.cover_open) out.cover = *s.cover_open ? Cover::kOpen : Cover::kClosed;
  if (s.online) out.online = *s.online ? Online::kOnline : Online::kOffline;
  out.error = s.error.value_or(false) || s.mechanical_error.value_or(false) ||
              s.autocutter_error.value_or(false) || s.unrecoverable_error.value_or(false) ||
              s.auto_recoverable_error.value_or(false);
  return out;
}

}  // namespace

StatusResult interpret_status_replies(ByteView replies) {
  escpos::PrinterStatus merged;
  for (std::size_t i = 0; i < replies.size() && i < kStatusReplyCount; ++i) {
    const auto parsed = escpos::parse_realtime_status(static_cast<std::uint8_t>(i + 1), replies[i]);
    if (!parsed) {
      return {{},
              LinkError::kBadReply,
              fmt::format("DLE EOT {} answered 0x{:02x}: {}", i + 1, replies[i],
                          parsed.error().message)};
    }
    merged.merge(*parsed);
  }
  return {reduce(merged), LinkError::kNone, {}};
}

PrinterStatus interpret_port_status(std::uint8_t port_status) {
  PrinterStatus s;
  s.paper = (port_status & 0x20) != 0 ? Paper::kOut : Paper::kOk;
  s.online = (port_status & 0x10) != 0 ? Online::kOnline : Online::kOffline;
  s.error = (port_status & 0x08) == 0;
  return s;
}

}  // namespace pos::drivers
