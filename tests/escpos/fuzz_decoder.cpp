// libFuzzer target: the decoder on arbitrary bytes. The first byte picks a profile (80 mm with
// native QR, or a 58 mm clone with CP1251 at 23) and the drawing mode. Checks that the decoder
// never reads past the input, that anything it stops at is reported, and that the picture has
// the profile's width.
#include <cstdint>
#include <cstdlib>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/profile.hpp>

namespace {

const pos::escpos::ProfileCatalog& profiles() {
  static const pos::escpos::ProfileCatalog catalog = [] {
    const std::string common = R"(
vendor = "fuzz"
dpi = 203
font_b = { width = 9, height = 17, columns = 42 }
qr = "native"
barcode = "native"
raster_band_lines = 64
cutter = "full-and-partial"
cut_feed_lines = 3
drawer_pins = [2, 5]
kanji = "off"
)";
    auto c = pos::escpos::ProfileCatalog::parse(
        {{"wide.toml",
          "id = \"wide\"\nname = \"w\"\ndot_width = 576\nraster_max_width = 576\n"
          "font_a = { width = 12, height = 24, columns = 48 }\n"
          "code_pages = [ { page = \"cp858\", n = 19 }, { page = \"cp866\", n = 17 } ]\n" +
              common},
         {"narrow.toml",
          "id = \"narrow\"\nname = \"n\"\ndot_width = 384\nraster_max_width = 384\n"
          "font_a = { width = 12, height = 24, columns = 32 }\n"
          "code_pages = [ { page = \"cp437\", n = 0 }, { page = \"cp1251\", n = 23 } ]\n" +
              common}});
    if (!c) std::abort();
    return std::move(c).value();
  }();
  return catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& profile = *profiles().find((data[0] & 1) != 0 ? "narrow" : "wide");
  const auto mode =
      (data[0] & 2) != 0 ? pos::escpos::DrawMode::TextOnly : pos::escpos::DrawMode::TextAndPicture;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  const auto d = pos::escpos::decode(bytes, profile, mode);
  if (d.consumed > bytes.size()) std::abort();
  if (d.consumed < bytes.size() && d.unknown.empty()) std::abort();  // stopped without saying why
  for (const auto& u : d.unknown) {
    if (u.offset > bytes.size() || u.reason.empty()) std::abort();
  }
  if (mode == pos::escpos::DrawMode::TextAndPicture && d.picture.height > 0) {
    if (d.picture.width != profile.dot_width ||
        d.picture.pixels.size() != static_cast<std::size_t>(d.picture.width) *
                                       static_cast<std::size_t>(d.picture.height)) {
      std::abort();
    }
  }
  return 0;
}
