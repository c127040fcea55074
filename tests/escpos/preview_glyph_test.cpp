// Issue 17: the preview drew Cyrillic as Latin look-alikes ("Привет" read "npubet") and ß as B.
// Every language the profiles claim is printed on generic-80mm, decoded, and each character's
// cell of the PICTURE is compared with the glyph stb_truetype draws for the expected character
// (and, where a look-alike exists, shown to match the expected glyph better than the look-alike).
#include <gtest/gtest.h>

#include <stb_truetype.h>

#include <fstream>
#include <iterator>

#include <pos/escpos/decoder.hpp>
#include <pos/escpos/encoder.hpp>

#include "test_support.hpp"
#include "utf8.hpp"

namespace pos::escpos {
namespace {

using testing::profile;

// A black/white picture, cropped to its ink.
struct Ink {
  int w = 0, h = 0;
  std::vector<std::uint8_t> px;  // 1 = ink
  bool empty() const { return w == 0 || h == 0; }
};

Ink crop(const std::vector<std::uint8_t>& px, int w, int h) {
  int x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (px[static_cast<std::size_t>(y * w + x)] != 0) {
        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
      }
  Ink out;
  if (x1 < 0) return out;
  out.w = x1 - x0 + 1;
  out.h = y1 - y0 + 1;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) out.px.push_back(px[static_cast<std::size_t>(y * w + x)]);
  return out;
}

// Share of pixels that agree once the reference is scaled onto the cell's ink box.
double similarity(const Ink& cell, const Ink& ref) {
  if (cell.empty() || ref.empty()) return 0;
  int same = 0;
  for (int y = 0; y < cell.h; ++y)
    for (int x = 0; x < cell.w; ++x) {
      const int rx = x * ref.w / cell.w, ry = y * ref.h / cell.h;
      same += cell.px[static_cast<std::size_t>(y * cell.w + x)] ==
                      ref.px[static_cast<std::size_t>(ry * ref.w + rx)]
                  ? 1
                  : 0;
    }
  return static_cast<double>(same) / (cell.w * cell.h);
}

// The test's own rendering of a character with stb_truetype, large, cropped to its ink.
class Reference {
 public:
  explicit Reference(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    ok_ = !data_.empty() && stbtt_InitFont(&info_, data_.data(), 0) != 0;
  }
  bool ok() const { return ok_; }
  // Drawn at the size that gives its ink the height of `ink_height` (the cell's), so strokes
  // are as thick as the preview's.
  Ink glyph(char32_t cp, int ink_height) const {
    const Ink big = draw(cp, stbtt_ScaleForPixelHeight(&info_, 96));
    if (big.empty()) return big;
    return draw(cp, stbtt_ScaleForPixelHeight(&info_, 96.0F * static_cast<float>(ink_height) /
                                                          static_cast<float>(big.h)));
  }

 private:
  Ink draw(char32_t cp, float scale) const {
    int w = 0, h = 0;
    unsigned char* bm =
        stbtt_GetCodepointBitmap(&info_, 0, scale, static_cast<int>(cp), &w, &h, nullptr, nullptr);
    std::vector<std::uint8_t> px(static_cast<std::size_t>(w * h));
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = bm[i] >= 128 ? 1 : 0;
    stbtt_FreeBitmap(bm, nullptr);
    return crop(px, w, h);
  }

  std::vector<unsigned char> data_;
  stbtt_fontinfo info_{};
  bool ok_ = false;
};

struct Sample {
  const char* language;
  const char* text;
};
constexpr Sample kLanguages[] = {
    {"English", "Thank you, see you soon!"},
    {"German", "Müller Straße Größe ÄÖÜ äöü ß"},
    {"French", "Crème brûlée, garçon, cœur"},
    {"Spanish", "¿Qué tal? ¡Olé! niño señal"},
    {"Polish", "Zażółć gęślą jaźń, Łódź"},
    {"Czech", "Příliš žluťoučký kůň úpěl"},
    {"Russian", "Привет! Съешь же ещё этих булок"},
    {"Greek", "Καλημέρα σας, ευχαριστούμε ΩΨΛ"},
    {"Euro", "Total 1.234,50 €"},
};

TEST(PreviewGlyphs, EveryLanguageIsDrawnWithItsRealGlyphs) {
  const PrinterProfile& p = profile("generic-80mm");
  Encoder e(p);
  e.initialize();
  for (const auto& s : kLanguages) e.line(s.text);
  ASSERT_EQ(e.replaced_characters(), 0U);
  const auto d = decode(e.bytes(), p);
  ASSERT_FALSE(d.preview_font.empty()) << "fonts-dejavu-core is not installed";
  const Reference ref(d.preview_font);
  ASSERT_TRUE(ref.ok());
  const int cw = p.font_a.width, ch = p.font_a.height;
  ASSERT_EQ(d.picture.height, ch * static_cast<int>(std::size(kLanguages)));
  for (std::size_t line = 0; line < std::size(kLanguages); ++line) {
    const std::string_view text = kLanguages[line].text;
    std::size_t i = 0;
    for (int col = 0; i < text.size(); ++col) {
      const char32_t cp = utf8::next(text, i);
      if (cp == ' ') continue;
      std::vector<std::uint8_t> cell(static_cast<std::size_t>(cw * ch));
      for (int y = 0; y < ch; ++y)
        for (int x = 0; x < cw; ++x) {
          const auto v = d.picture.pixels[static_cast<std::size_t>(
              (static_cast<int>(line) * ch + y) * d.picture.width + col * cw + x)];
          cell[static_cast<std::size_t>(y * cw + x)] = v < 128 ? 1 : 0;
        }
      SCOPED_TRACE(std::string(kLanguages[line].language) + " column " + std::to_string(col));
      const Ink ink = crop(cell, cw, ch);
      ASSERT_FALSE(ink.empty());
      EXPECT_GE(similarity(ink, ref.glyph(cp, ink.h)), 0.7) << static_cast<std::uint32_t>(cp);
    }
  }
}

TEST(PreviewGlyphs, NoLatinLookAlikes) {
  // The characters the old preview drew as Latin letters, each with its look-alike.
  const std::pair<const char*, char32_t> kPairs[] = {
      {"П", U'n'}, {"и", U'u'}, {"в", U'b'}, {"ж", U'x'}, {"ш", U'w'}, {"ß", U'B'}, {"л", U'n'},
      {"я", U'R'}, {"€", U'E'}, {"Ω", U'O'}, {"λ", U'A'}, {"ł", U'l'}, {"ē", U'e'}, {"Ψ", U'Y'}};
  const PrinterProfile& p = profile("epson-tm-t88v");  // has CP737 and CP866, ISO 8859-2
  const int cw = p.font_a.width, ch = p.font_a.height;
  for (const auto& [text, lookalike] : kPairs) {
    SCOPED_TRACE(text);
    Encoder e(p);
    e.initialize().line(text);
    if (e.replaced_characters() != 0) continue;  // no page of this printer has it (ē)
    const auto d = decode(e.bytes(), p);
    ASSERT_FALSE(d.preview_font.empty());
    const Reference ref(d.preview_font);
    std::vector<std::uint8_t> cell(static_cast<std::size_t>(cw * ch));
    for (int y = 0; y < ch; ++y)
      for (int x = 0; x < cw; ++x)
        cell[static_cast<std::size_t>(y * cw + x)] =
            d.picture.pixels[static_cast<std::size_t>(y * d.picture.width + x)] < 128 ? 1 : 0;
    const Ink ink = crop(cell, cw, ch);
    std::size_t i = 0;
    const char32_t cp = utf8::next(text, i);
    const double right = similarity(ink, ref.glyph(cp, ink.h));
    const double wrong = similarity(ink, ref.glyph(lookalike, ink.h));
    EXPECT_GE(right, 0.7);
    EXPECT_GT(right, wrong + 0.05) << "drawn like '" << static_cast<char>(lookalike) << "'";
  }
}

}  // namespace
}  // namespace pos::escpos
