// DLE EOT (real-time status) requests and replies, reduced to PrinterStatus.
//
// The bytes are read by escpos's status parser (parse_realtime_status); this file only reduces
// its PrinterStatus to what the spooler decides on. Reply bytes all have the fixed pattern
// 0xx1xx10 ((b & 0x93) == 0x12); anything else is not a status byte.
#pragma once

#include <pos/drivers/transport.hpp>

namespace pos::drivers {

// DLE EOT 1, 2, 3, 4 in one write; the printer answers one byte each, in order.
inline constexpr std::size_t kStatusReplyCount = 4;
Bytes status_request();

// replies[i] answers DLE EOT (i + 1). Fewer than four replies give a partial status.
StatusResult interpret_status_replies(ByteView replies);

// USB printer class GET_PORT_STATUS (1284 port status byte): paper empty 0x20, selected 0x10,
// not error 0x08.
PrinterStatus interpret_port_status(std::uint8_t port_status);

}  // namespace pos::drivers
