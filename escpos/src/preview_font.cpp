// The preview's TrueType font (see preview_font.hpp).
#include "preview_font.hpp"

#include <stb_truetype.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace pos::escpos::preview_font {
namespace {

struct Font {
  std::string path;
  std::vector<unsigned char> data;
  stbtt_fontinfo info{};
  bool ok = false;
  int ascent = 0, descent = 0, advance = 0;

  Font() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("POS_PREVIEW_FONT"); env != nullptr && *env != '\0')
      candidates.emplace_back(env);
    candidates.emplace_back("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf");
    candidates.emplace_back("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    for (const auto& c : candidates) {
      std::ifstream in(c, std::ios::binary);
      if (!in) continue;
      data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (data.empty() ||
          stbtt_InitFont(&info, data.data(), stbtt_GetFontOffsetForIndex(data.data(), 0)) == 0)
        continue;
      path = c;
      ok = true;
      stbtt_GetFontVMetrics(&info, &ascent, &descent, nullptr);
      int lsb = 0;
      stbtt_GetCodepointHMetrics(&info, 'M', &advance, &lsb);
      break;
    }
  }
};

const Font& font() {
  static const Font f;
  return f;
}

}  // namespace

const std::string& path() {
  return font().path;
}

bool available() {
  return font().ok;
}

bool render(char32_t cp, int w, int h, std::vector<std::uint8_t>& mask) {
  const Font& f = font();
  if (!f.ok || w <= 0 || h <= 0) return false;
  const int glyph = stbtt_FindGlyphIndex(&f.info, static_cast<int>(cp));
  if (glyph == 0) return false;
  // Scale the font's line (ascent to descent) to the cell's height, narrower if a character's
  // advance would not fit the cell's width (a monospaced font keeps one advance).
  const float by_height = static_cast<float>(h) / static_cast<float>(f.ascent - f.descent);
  const float by_width = static_cast<float>(w) / static_cast<float>(std::max(1, f.advance));
  const float scale = std::min(by_height, by_width);
  const int baseline = static_cast<int>(
      static_cast<float>(f.ascent) * scale +
      (static_cast<float>(h) - static_cast<float>(f.ascent - f.descent) * scale) / 2.0F);
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  stbtt_GetGlyphBitmapBox(&f.info, glyph, scale, scale, &x0, &y0, &x1, &y1);
  const int gw = x1 - x0, gh = y1 - y0;
  mask.assign(static_cast<std::size_t>(w * h), 0);
  if (gw <= 0 || gh <= 0) return true;  // a space-like glyph
  std::vector<unsigned char> bitmap(static_cast<std::size_t>(gw * gh));
  stbtt_MakeGlyphBitmap(&f.info, bitmap.data(), gw, gh, gw, scale, scale, glyph);
  int advance = 0, lsb = 0;
  stbtt_GetGlyphHMetrics(&f.info, glyph, &advance, &lsb);
  const int left =
      (w - static_cast<int>(static_cast<float>(advance) * scale)) / 2 + x0;  // centred advance
  for (int y = 0; y < gh; ++y) {
    for (int x = 0; x < gw; ++x) {
      if (bitmap[static_cast<std::size_t>(y * gw + x)] < 128) continue;
      const int cx = left + x, cy = baseline + y0 + y;
      if (cx >= 0 && cx < w && cy >= 0 && cy < h) mask[static_cast<std::size_t>(cy * w + cx)] = 1;
    }
  }
  return true;
}

}  // namespace pos::escpos::preview_font
