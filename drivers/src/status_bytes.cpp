#include "status_bytes.hpp"

#include <fmt/format.h>

namespace pos::drivers {

Bytes status_request() {
  return {0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04};
}

StatusResult interpret_status_replies(ByteView replies) {
  StatusResult out;
  for (std::size_t i = 0; i < replies.size() && i < kStatusReplyCount; ++i) {
    const std::uint8_t b = replies[i];
    if ((b & 0x93) != 0x12) {
      out.error = LinkError::kBadReply;
      out.detail = fmt::format("DLE EOT {} answered 0x{:02x}, not a status byte", i + 1, b);
      return out;
    }
    switch (i) {
      case 0:  // printer status: bit 3 offline
        out.status.online = (b & 0x08) != 0 ? Online::kOffline : Online::kOnline;
        break;
      case 1:  // offline cause: bit 2 cover open, bit 5 stopped at paper end, bit 6 error
        out.status.cover = (b & 0x04) != 0 ? Cover::kOpen : Cover::kClosed;
        if ((b & 0x20) != 0) out.status.paper = Paper::kOut;
        if ((b & 0x40) != 0) out.status.error = true;
        break;
      case 2:  // error cause: bit 3 cutter, bit 5 unrecoverable, bit 6 auto-recoverable
        if ((b & 0x68) != 0) out.status.error = true;
        break;
      default:  // paper roll sensor: bits 5-6 paper out, bits 2-3 near end
        if ((b & 0x60) != 0) {
          out.status.paper = Paper::kOut;
        } else if (out.status.paper != Paper::kOut) {
          out.status.paper = (b & 0x0C) != 0 ? Paper::kNearEnd : Paper::kOk;
        }
        break;
    }
  }
  return out;
}

PrinterStatus interpret_port_status(std::uint8_t port_status) {
  PrinterStatus s;
  s.paper = (port_status & 0x20) != 0 ? Paper::kOut : Paper::kOk;
  s.online = (port_status & 0x10) != 0 ? Online::kOnline : Online::kOffline;
  s.error = (port_status & 0x08) == 0;
  return s;
}

}  // namespace pos::drivers
