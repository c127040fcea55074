// libFuzzer target: DLE EOT replies and Automatic Status Back blocks from arbitrary bytes.
// A reply accepted as status must carry the fixed bit pattern; every refusal names a code.
#include <cstdint>
#include <cstdlib>
#include <pos/escpos/status.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t n = data[0];
  const std::uint8_t reply = data[1];
  const auto r = pos::escpos::parse_realtime_status(n, reply);
  if (r.ok() && ((reply & 0x93) != 0x12 || n < 1 || n > 4)) std::abort();
  if (!r.ok() && r.error().message.empty()) std::abort();
  pos::escpos::PrinterStatus merged;
  if (r.ok()) merged.merge(*r);
  // The rest as ASB blocks: whole input, then 4-byte slices.
  const std::span<const std::uint8_t> rest(data + 2, size - 2);
  const auto whole = pos::escpos::parse_automatic_status(rest);
  if (whole.ok() && rest.size() != 4) std::abort();
  for (std::size_t i = 0; i + 4 <= rest.size(); i += 4) {
    const auto block = pos::escpos::parse_automatic_status(rest.subspan(i, 4));
    if (block.ok()) {
      if ((rest[i] & 0x93) != 0x10) std::abort();
      merged.merge(*block);
    }
  }
  (void)merged.ready();
  return 0;
}
