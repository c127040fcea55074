// libFuzzer target for drivers' parsers of outside data: printer URIs, the known-printers table,
// IEEE-1284 device id replies and DLE EOT replies. The first byte picks the parser.
#include <pos/drivers/known_printers.hpp>
#include <pos/drivers/printer_uri.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "status_bytes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pos::drivers;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      const auto p = parse_printer_uri(text);
      // Whatever parses must print back to something that parses to the same URI.
      if (p.uri && parse_printer_uri(to_string(*p.uri)).uri != p.uri) __builtin_trap();
      break;
    }
    case 1:
      (void)KnownUsbPrinters::parse(text);
      break;
    case 2:
      (void)parse_device_id_reply(data + 1, size - 1);
      break;
    default:
      (void)interpret_status_replies(ByteView(data + 1, size - 1));
      break;
  }
  return 0;
}
