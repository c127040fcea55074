// Printer URIs, as given by `--printer` and the configuration file:
//   usb://auto                 the first ESC/POS printer found on USB
//   usb://VID:PID[/SERIAL]     a given model (4 hex digits each), optionally one unit by serial
//   tcp://HOST:PORT            raw printing (port 9100 on most network printers)
//   file:///DIR                the virtual printer, spooling into DIR (an absolute path)
// Parsing is strict: anything else is an error that names what is wrong, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace pos::drivers {

struct UsbAuto {
  bool operator==(const UsbAuto&) const = default;
};
struct UsbId {
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  std::optional<std::string> serial;  // printable ASCII, no '/'
  bool operator==(const UsbId&) const = default;
};
struct TcpAddress {
  std::string host;  // a host name or an IPv4 address; IPv6 in brackets: tcp://[::1]:9100
  std::uint16_t port = 0;
  bool operator==(const TcpAddress&) const = default;
};
struct SpoolDirectory {
  std::string path;  // absolute
  bool operator==(const SpoolDirectory&) const = default;
};

using PrinterUri = std::variant<UsbAuto, UsbId, TcpAddress, SpoolDirectory>;

struct PrinterUriParse {
  std::optional<PrinterUri> uri;
  std::string error;  // set when uri is empty: what was wrong, quoting no more than the input
};

PrinterUriParse parse_printer_uri(std::string_view text);
std::string to_string(const PrinterUri& uri);

}  // namespace pos::drivers
