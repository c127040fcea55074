// Round trip: encode -> decode gives back the text, in several languages, on profiles whose code
// pages and ESC t numbers differ.
#include <gtest/gtest.h>

#include <fstream>

#include <pos/escpos/decoder.hpp>
#include <pos/escpos/encoder.hpp>
#include <pos/escpos/receipt.hpp>

#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::profile;

struct Sample {
  const char* language;
  const char* text;
};

constexpr Sample kSamples[] = {
    {"English", "Thank you for your visit, see you soon!"},
    {"German", "Müller Straße 12, Größe: Übergabe äöü ÄÖÜ ß"},
    {"French", "Crème brûlée à la façon de l'été, garçon, cœur"},
    {"Spanish", "¿Qué tal? ¡Olé! El niño pagó la señal del año"},
    {"Polish", "Zażółć gęślą jaźń, Łódź"},
    {"Czech", "Příliš žluťoučký kůň úpěl ďábelské ódy"},
    {"Russian", "Съешь же ещё этих мягких французских булок"},
    {"Euro", "Total 1.234,50 € (EUR)"},
};

class RoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTrip, EveryLanguageComesBackUnchanged) {
  const PrinterProfile& p = profile(GetParam());
  for (const auto& sample : kSamples) {
    SCOPED_TRACE(sample.language);
    Encoder e(p);
    e.initialize().paragraph(sample.text);  // wrapped at spaces on narrow paper
    EXPECT_EQ(e.replaced_characters(), 0U);
    const auto d = decode(e.bytes(), p, DrawMode::TextOnly);
    EXPECT_TRUE(d.unknown.empty());
    std::string joined;
    for (const auto& line : d.lines) joined += (joined.empty() ? "" : " ") + line.text;
    EXPECT_EQ(joined, sample.text);
    EXPECT_EQ(d.consumed, e.bytes().size());
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, RoundTrip,
                         ::testing::Values("generic-80mm", "generic-58mm", "epson-tm-t88v",
                                           "epson-tm-t20iii", "star-tsp143-escpos",
                                           "citizen-ct-s310ii", "bixolon-srp-350iii", "clone-58mm"),
                         [](const auto& param_info) {
                           std::string name;
                           for (const char* c = param_info.param; *c != 0; ++c) {
                             if (std::isalnum(static_cast<unsigned char>(*c)) != 0) name += *c;
                           }
                           return name;
                         });

// Issue 15: Greek printed as '?' on the default generic-80mm profile (no Greek page). The
// generic profiles now list PC737 (ESC t 14); Epson's own list has it too.
TEST(RoundTripGreek, PrintsOnTheGenericProfilesFromPc737) {
  const std::string greek = "Ελλάδα: Καλημέρα σας, ευχαριστούμε πολύ! ΆΈΉΊΌΎΏ ϊϋ";
  for (const char* id : {"generic-80mm", "generic-58mm", "epson-tm-t88v"}) {
    SCOPED_TRACE(id);
    const PrinterProfile& p = profile(id);
    Encoder e(p);
    e.initialize().line("Ελλάδα");
    EXPECT_EQ(e.replaced_characters(), 0U);
    // ESC t 14 (PC737 on these printers), then the PC737 bytes of the word.
    EXPECT_EQ(std::vector<std::uint8_t>(e.bytes().begin() + 5, e.bytes().end()),
              (std::vector<std::uint8_t>{0x1B, 't', 14, 0x84, 0xA2, 0xA2, 0xE1, 0x9B, 0x98, 0x0A}));
    e.clear();
    e.initialize().paragraph(greek);
    EXPECT_EQ(e.replaced_characters(), 0U);
    const auto d = decode(e.bytes(), p, DrawMode::TextOnly);
    EXPECT_TRUE(d.unknown.empty());
    std::string joined;
    for (const auto& line : d.lines) joined += (joined.empty() ? "" : " ") + line.text;
    EXPECT_EQ(joined, greek);
  }
}

TEST(RoundTripPreview, AllLanguagesOnOnePicture) {
  // Writes languages-80mm.png into the build folder: the decoder's drawing of every sample.
  const PrinterProfile& p = profile("generic-80mm");
  Encoder e(p);
  e.initialize();
  for (const auto& sample : kSamples) {
    e.emphasis(Emphasis::Bold)
        .line(sample.language)
        .emphasis(Emphasis::None)
        .paragraph(sample.text);
  }
  const auto d = decode(e.bytes(), p);
  EXPECT_TRUE(d.unknown.empty());
  EXPECT_EQ(d.picture.width, 576);
  const auto png = encode_png(d.picture);
  std::ofstream(std::string(POS_BINARY_DIR) + "/languages-80mm.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
}

TEST(RoundTripCodePages, TheMakersNumberSelectsThePage) {
  Encoder epson(profile("epson-tm-t20iii"));
  Encoder clone(profile("clone-58mm"));
  epson.initialize().text("ёЁ");
  clone.initialize().text("ёЁ");
  // Both print it from CP866 (n = 17) because CP866 comes before CP1251 in both lists.
  EXPECT_EQ(std::vector<std::uint8_t>(epson.bytes().end() - 5, epson.bytes().end()),
            std::vector<std::uint8_t>(clone.bytes().end() - 5, clone.bytes().end()));
  // A profile listing only CP1251 gets the maker's own number.
  auto only1251 = ProfileCatalog::parse({{"p.toml", R"(id = "p"
name = "p"
vendor = "p"
dpi = 203
dot_width = 384
font_a = { width = 12, height = 24, columns = 32 }
font_b = { width = 9, height = 17, columns = 42 }
code_pages = [ { page = "cp1251", n = 23 } ]
qr = "native"
barcode = "native"
raster_max_width = 384
raster_band_lines = 64
cutter = "partial"
cut_feed_lines = 3
drawer_pins = [2]
kanji = "off"
)"}});
  ASSERT_TRUE(only1251.ok()) << only1251.error().message;
  const PrinterProfile& p = *only1251->find("p");
  Encoder e(p);
  e.initialize().line("Привет, Müller €");
  EXPECT_EQ(std::vector<std::uint8_t>(e.bytes().begin(), e.bytes().begin() + 5),
            (std::vector<std::uint8_t>{0x1B, 0x40, 0x1B, 0x74, 23}));
  EXPECT_EQ(e.replaced_characters(), 1U);  // ü is not in Windows-1251; € is (0x88)
  const auto d = decode(e.bytes(), p, DrawMode::TextOnly);
  EXPECT_EQ(d.text, "Привет, M?ller €\n");
}

TEST(RoundTripReceipt, TemplateTextSurvivesOnBothWidths) {
  auto templates = load_template_directory(std::filesystem::path(POS_ASSETS_DIR) / "templates");
  ASSERT_TRUE(templates.ok()) << templates.error().message;
  const auto tmpl = templates->latest("counter-receipt").value();
  for (const auto& sample : kSamples) {
    for (const char* id : {"generic-58mm", "generic-80mm", "epson-tm-t88v", "clone-58mm"}) {
      SCOPED_TRACE(std::string(sample.language) + " on " + id);
      ReceiptContent c;
      c.shop_name = "Shop";
      c.shop_lines = {sample.text};
      c.receipt_reference = "RCP-INV-7-20260105T143022Z-001";
      c.invoice_number = "INV-7";
      c.currency = "EUR";
      c.lines = {{"1", sample.text, "9.99", "9.99"}};
      c.total = "9.99";
      c.tenders = {{"CASH", "9.99", ""}};
      c.footer = {sample.text};
      auto r = render_receipt(*tmpl, c, profile(id));
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(r->replaced_characters, 0U);
      const auto d = decode(r->bytes, profile(id), DrawMode::TextOnly);
      EXPECT_TRUE(d.unknown.empty());
      // The header and footer lines wrap at spaces only; joined back they are the sample.
      std::string joined;
      for (const auto& line : d.lines) joined += line.text + " ";
      std::string squeezed;
      for (char ch : joined) {
        if (ch == ' ' && !squeezed.empty() && squeezed.back() == ' ') continue;
        squeezed += ch;
      }
      EXPECT_NE(squeezed.find(sample.text), std::string::npos) << d.text;
    }
  }
}

}  // namespace
}  // namespace pos::escpos
