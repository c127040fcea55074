// Strict parser for printer URIs (see printer_uri.hpp for the grammar).
#include <pos/drivers/printer_uri.hpp>

#include <fmt/format.h>

#include <charconv>

namespace pos::drivers {
namespace {

PrinterUriParse fail(std::string message) {
  return {std::nullopt, std::move(message)};
}

bool is_hex4(std::string_view s) {
  if (s.size() != 4) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

std::uint16_t hex4(std::string_view s) {
  unsigned value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value, 16);
  return static_cast<std::uint16_t>(value);
}

PrinterUriParse parse_usb(std::string_view rest) {
  if (rest == "auto") return {UsbAuto{}, {}};
  const auto slash = rest.find('/');
  const auto ids = rest.substr(0, slash);
  const auto colon = ids.find(':');
  if (colon == std::string_view::npos)
    return fail("usb printer must be usb://auto or usb://VID:PID[/SERIAL]");
  const auto vid = ids.substr(0, colon);
  const auto pid = ids.substr(colon + 1);
  if (!is_hex4(vid) || !is_hex4(pid))
    return fail("usb vendor and product ids must be 4 hex digits each");
  UsbId id{hex4(vid), hex4(pid), std::nullopt};
  if (slash != std::string_view::npos) {
    const auto serial = rest.substr(slash + 1);
    if (serial.empty()) return fail("usb serial after '/' is empty");
    if (serial.size() > 126)
      return fail("usb serial is longer than a USB string descriptor allows");
    for (char c : serial) {
      if (c <= 0x20 || c > 0x7e || c == '/')
        return fail("usb serial has a character that is not printable ASCII");
    }
    id.serial = std::string(serial);
  }
  return {id, {}};
}

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

PrinterUriParse parse_tcp(std::string_view rest) {
  std::string_view host;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return fail("tcp IPv6 host lacks its closing ']'");
    host = rest.substr(1, close - 1);
    if (host.empty()) return fail("tcp host is empty");
    for (char c : host) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
            c == ':' || c == '.'))
        return fail("tcp IPv6 host has a character that is not allowed");
    }
    if (close + 1 >= rest.size() || rest[close + 1] != ':')
      return fail("tcp printer needs a port: tcp://HOST:PORT");
    port_text = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return fail("tcp printer needs a port: tcp://HOST:PORT");
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    if (host.empty()) return fail("tcp host is empty");
    if (host.size() > 253) return fail("tcp host name is too long");
    for (char c : host) {
      if (!valid_host_char(c)) return fail("tcp host has a character that is not allowed");
    }
  }
  if (port_text.empty() || port_text.size() > 5)
    return fail("tcp port must be a number from 1 to 65535");
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return fail("tcp port must be a number from 1 to 65535");
  return {TcpAddress{std::string(host), static_cast<std::uint16_t>(port)}, {}};
}

PrinterUriParse parse_file(std::string_view rest) {
  // file:///DIR: an empty authority, then an absolute path.
  if (rest.empty() || rest.front() != '/')
    return fail("file printer must be file:///ABSOLUTE/DIR (three slashes)");
  if (rest.find('\0') != std::string_view::npos) return fail("file path has a NUL byte");
  for (char c : rest) {
    if (static_cast<unsigned char>(c) < 0x20) return fail("file path has a control character");
  }
  return {SpoolDirectory{std::string(rest)}, {}};
}

}  // namespace

PrinterUriParse parse_printer_uri(std::string_view text) {
  if (text.size() > 1024) return fail("printer URI is too long");
  constexpr std::string_view kUsb = "usb://";
  constexpr std::string_view kTcp = "tcp://";
  constexpr std::string_view kFile = "file://";
  if (text.starts_with(kUsb)) return parse_usb(text.substr(kUsb.size()));
  if (text.starts_with(kTcp)) return parse_tcp(text.substr(kTcp.size()));
  if (text.starts_with(kFile)) return parse_file(text.substr(kFile.size()));
  return fail("printer URI must start with usb://, tcp:// or file://");
}

std::string to_string(const PrinterUri& uri) {
  struct Print {
    std::string operator()(const UsbAuto&) const { return "usb://auto"; }
    std::string operator()(const UsbId& id) const {
      auto s = fmt::format("usb://{:04x}:{:04x}", id.vendor, id.product);
      if (id.serial) s += "/" + *id.serial;
      return s;
    }
    std::string operator()(const TcpAddress& a) const {
      if (a.host.find(':') != std::string::npos)
        return fmt::format("tcp://[{}]:{}", a.host, a.port);
      return fmt::format("tcp://{}:{}", a.host, a.port);
    }
    std::string operator()(const SpoolDirectory& d) const { return "file://" + d.path; }
  };
  return std::visit(Print{}, uri);
}

}  // namespace pos::drivers
