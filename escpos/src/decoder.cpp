// Decoder: ESC/POS bytes -> text, elements and a picture. Characters are drawn from the preview
// font (DejaVu through stb_truetype, preview_font.hpp); without it, or for a character it lacks,
// from the built-in glyphs. Sections: glyphs (stb_easy_font rasterized once), Canvas, Decoder state
// machine (text, styles, GS k, GS ( k, GS v 0, GS V, ESC p), decode().
//
// Understood: LF, CR (ignored), HT, ESC @, ESC t, ESC a, ESC E, ESC -, ESC !, ESC M, ESC d, ESC J,
// ESC 2, ESC 3, ESC p, FS ., GS !, GS B, GS h, GS w, GS H, GS f, GS k m=73, GS ( k (model 2, fn
// 165/167/169/180/181), GS v 0, GS V, GS a, DLE EOT. Anything else stops decoding and is
// reported with its offset: its length is unknown, and guessing would print garbage.
#include <pos/escpos/decoder.hpp>

#include <pos/escpos/encoder.hpp>

#include <qrencode.h>
#include <stb_easy_font.h>
#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "code128.hpp"
#include "preview_font.hpp"
#include "utf8.hpp"

namespace pos::escpos {
namespace {

// ---- glyphs -------------------------------------------------------------------------------------
// stb_easy_font draws ASCII as axis-aligned quads on a unit grid; rasterize each once into a
// kGlyphW x kGlyphH mask and scale it into the printer's character cell.
constexpr int kGlyphW = 6, kGlyphH = 10;
using GlyphMask = std::array<std::uint8_t, kGlyphW * kGlyphH>;

struct GlyphTable {
  std::array<GlyphMask, 128> masks{};
  GlyphTable() {
    struct Vertex {
      float x, y, z;
      unsigned char color[4];
    };
    std::array<Vertex, 4 * 64> buffer{};
    for (int c = 0x21; c < 0x7F; ++c) {
      char text[2] = {static_cast<char>(c), 0};
      const int quads =
          stb_easy_font_print(0, 0, text, nullptr, buffer.data(), static_cast<int>(sizeof(buffer)));
      for (int q = 0; q < quads; ++q) {
        const auto& a = buffer[static_cast<std::size_t>(q * 4)];
        const auto& b = buffer[static_cast<std::size_t>(q * 4 + 2)];
        for (int y = static_cast<int>(a.y); y < static_cast<int>(b.y); ++y) {
          for (int x = static_cast<int>(a.x); x < static_cast<int>(b.x); ++x) {
            if (x >= 0 && x < kGlyphW && y >= 0 && y < kGlyphH) {
              masks[static_cast<std::size_t>(c)][static_cast<std::size_t>(y * kGlyphW + x)] = 1;
            }
          }
        }
      }
    }
  }
};

const GlyphTable& glyphs() {
  static const GlyphTable table;
  return table;
}

// ---- Canvas -------------------------------------------------------------------------------------
class Canvas {
 public:
  explicit Canvas(int width, bool enabled) : width_(width), enabled_(enabled) {}
  int height() const { return height_; }
  // Longer than any receipt (about 7 m of paper at 203 dpi): a bound on the preview's memory.
  static constexpr int kMaxHeight = 60000;
  bool full() const { return height_ >= kMaxHeight; }
  void grow(int h) {
    if (!enabled_ || h <= height_) return;
    h = std::min(h, kMaxHeight);
    height_ = h;
    pixels_.resize(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_), 255);
  }
  void fill(int x, int y, int w, int h, std::uint8_t v) {
    if (!enabled_) return;
    grow(y + h);
    const int x0 = std::max(0, x), x1 = std::min(width_, x + w);
    for (int yy = std::max(0, y); yy < std::min(y + h, height_); ++yy) {
      for (int xx = x0; xx < x1; ++xx) pixels_[static_cast<std::size_t>(yy * width_ + xx)] = v;
    }
  }
  void dot(int x, int y, std::uint8_t v) {
    if (enabled_ && x >= 0 && x < width_ && y >= 0 && y < height_)
      pixels_[static_cast<std::size_t>(y * width_ + x)] = v;
  }
  GrayImage take() {
    GrayImage img;
    if (!enabled_) return img;
    img.width = width_;
    img.height = height_;
    img.pixels = std::move(pixels_);
    return img;
  }
  bool enabled() const { return enabled_; }

 private:
  int width_;
  int height_ = 0;
  bool enabled_;
  std::vector<std::uint8_t> pixels_;
};

// ---- non-ASCII glyphs --------------------------------------------------------------------------
// The bitmap font has ASCII only; other characters are composed from an ASCII base, a mark and a
// transform (table generated from the Unicode decompositions, tools/gen_glyph_marks.py). What is
// not in the table is drawn as a box: visibly missing, never silently blank.
enum class Mark : std::uint8_t {
  None,
  Acute,
  Grave,
  Circumflex,
  Caron,
  Breve,
  Tilde,
  Macron,
  Dot,
  Diaeresis,
  Ring,
  DoubleAcute,
  Cedilla,
  Ogonek,
  Stroke,
  Slash,
  Euro,
  Bar
};
enum class Transform : std::uint8_t { None, Mirror, Flip, Turn };

struct Composition {
  char32_t code_point;
  char base;
  Mark mark;
  Transform transform;
};

constexpr Composition kCompositions[] = {
#include "glyph_marks.inc"
};

const Composition* composition(char32_t cp) {
  const auto* end = std::end(kCompositions);
  const auto* it =
      std::lower_bound(std::begin(kCompositions), end, cp,
                       [](const Composition& c, char32_t v) { return c.code_point < v; });
  return it != end && it->code_point == cp ? it : nullptr;
}

// A composed glyph on a 6 x 13 grid: rows 0..1 hold marks above capitals, rows 2..11 the ASCII
// glyph's rows 0..9 (caps from row 2, x-height from row 4, descenders to row 10).
constexpr int kComposedRows = 13;
constexpr int kComposedTop = 2;
using ComposedMask = std::array<std::uint8_t, kGlyphW * kComposedRows>;

// Two rows of 4 columns per mark, '#' = ink.
const char* mark_rows(Mark m) {
  switch (m) {
    case Mark::Acute:
      return "..#..#..";
    case Mark::Grave:
      return ".#....#.";
    case Mark::Circumflex:
      return ".##.#..#";
    case Mark::Caron:
      return "#..#.##.";
    case Mark::Breve:
      return "#..#.##.";
    case Mark::Tilde:
      return ".#.##.#.";
    case Mark::Macron:
      return "####....";
    case Mark::Dot:
      return ".#......";
    case Mark::Diaeresis:
      return "#..#....";
    case Mark::Ring:
      return ".##..##.";
    case Mark::DoubleAcute:
      return ".#.#.#.#";
    default:
      return nullptr;
  }
}

bool compose(char32_t cp, ComposedMask& out) {
  out.fill(0);
  auto set = [&out](int x, int row) {
    if (x >= 0 && x < kGlyphW && row >= 0 && row < kComposedRows) {
      out[static_cast<std::size_t>(row * kGlyphW + x)] = 1;
    }
  };
  char base = 0;
  Mark mark = Mark::None;
  Transform transform = Transform::None;
  if (cp > 0x20 && cp < 0x7F) {
    base = static_cast<char>(cp);
  } else if (const Composition* c = composition(cp)) {
    base = c->base;
    mark = c->mark;
    transform = c->transform;
  } else {
    return false;
  }
  const auto& mask = glyphs().masks[static_cast<std::size_t>(static_cast<unsigned char>(base))];
  int max_x = 0;
  for (int gy = 0; gy < kGlyphH; ++gy) {
    for (int gx = 0; gx < kGlyphW; ++gx) {
      if (mask[static_cast<std::size_t>(gy * kGlyphW + gx)] != 0) max_x = std::max(max_x, gx);
    }
  }
  for (int gy = 0; gy < kGlyphH; ++gy) {
    for (int gx = 0; gx < kGlyphW; ++gx) {
      if (mask[static_cast<std::size_t>(gy * kGlyphW + gx)] == 0) continue;
      int x = gx, y = gy;
      if (transform == Transform::Mirror || transform == Transform::Turn) x = max_x - gx;
      if ((transform == Transform::Flip || transform == Transform::Turn) && gy <= 6) y = 6 - gy;
      set(x, y + kComposedTop);
    }
  }
  // Marks above sit on the x-height for lower case, above the capital line otherwise.
  const bool lower = base >= 'a' && base <= 'z' && base != 'b' && base != 'd' && base != 'h' &&
                     base != 'k' && base != 'l' && base != 't';
  const int above = lower ? 1 : 0;  // lower case: a blank row between mark and letter
  if (const char* rows = mark_rows(mark)) {
    for (int k = 0; k < 8; ++k) {
      if (rows[k] == '#') set(k % 4, above + k / 4);
    }
  }
  const int bottom = kComposedTop + 7;  // first row under the baseline
  switch (mark) {
    case Mark::Cedilla:
      set(1, bottom);
      set(0, bottom + 1);
      set(1, bottom + 1);
      break;
    case Mark::Ogonek:
      set(2, bottom);
      set(2, bottom + 1);
      set(3, bottom + 1);
      break;
    case Mark::Stroke:
      for (int x = 0; x < 3; ++x) set(x, kComposedTop + 3);
      break;
    case Mark::Slash:
      for (int k = 0; k < 6; ++k) set(3 - (k * 4) / 6, kComposedTop + 1 + k);
      break;
    case Mark::Euro:
      for (int x = 0; x < 3; ++x) {
        set(x, kComposedTop + 2);
        set(x, kComposedTop + 4);
      }
      break;
    case Mark::Bar:
      for (int x = 1; x <= max_x; ++x) set(x, kComposedTop + (lower ? 4 : 3));
      break;
    default:
      break;
  }
  return true;
}

// ---- Decoder ------------------------------------------------------------------------------------
struct Style {
  bool bold = false, underline = false, inverse = false, dw = false, dh = false;
  Font font = Font::A;
};

struct Glyph {
  char32_t cp;
  Style style;
};

class Decoder {
 public:
  Decoder(std::span<const std::uint8_t> in, const PrinterProfile& profile, DrawMode mode)
      : in_(in), profile_(profile), canvas_(profile.dot_width, mode == DrawMode::TextAndPicture) {}

  DecodedReceipt run() {
    while (pos_ < in_.size()) {
      if (canvas_.full()) {
        stop(pos_, "preview height limit reached");
        break;
      }
      if (!step()) break;
    }
    if (!line_.empty()) flush_line(false);
    out_.consumed = stopped_ ? out_.unknown.back().offset : in_.size();
    out_.preview_font = preview_font::path();
    out_.picture = canvas_.take();
    return std::move(out_);
  }

 private:
  // ---- input helpers ----
  bool need(std::size_t n) { return pos_ + n <= in_.size(); }
  std::uint8_t at(std::size_t k) const { return in_[pos_ + k]; }
  bool stop(std::size_t offset, std::string reason) {
    UnknownCommand u;
    u.offset = offset;
    for (std::size_t k = offset; k < in_.size() && k < offset + 4; ++k) u.bytes.push_back(in_[k]);
    u.reason = std::move(reason);
    out_.unknown.push_back(std::move(u));
    stopped_ = true;
    return false;
  }
  bool truncated(const char* what) { return stop(pos_, std::string("truncated ") + what); }

  // ---- text layout ----
  FontMetrics metrics(const Style& s) const {
    return s.font == Font::A ? profile_.font_a : profile_.font_b;
  }
  int glyph_width(const Style& s) const { return metrics(s).width * (s.dw ? 2 : 1); }
  int glyph_height(const Style& s) const { return metrics(s).height * (s.dh ? 2 : 1); }

  void add_char(char32_t cp) {
    const int w = glyph_width(style_);
    if (line_width_ + w > profile_.dot_width) flush_line(false);  // the printer wraps by itself
    line_.push_back({cp, style_});
    line_width_ += w;
  }

  void draw_glyph(const Glyph& g, int x, int top, int line_height) {
    const int cw = glyph_width(g.style), ch = glyph_height(g.style);
    const int y0 = top + line_height - ch;  // characters sit on the line's baseline
    if (g.style.inverse) canvas_.fill(x, y0, cw, ch, 0);
    const std::uint8_t ink = g.style.inverse ? 255 : 0;
    if (g.cp != ' ' && canvas_.enabled() && draw_truetype(g, x, y0, cw, ch, ink)) {
      // drawn from the font
    } else if (g.cp != ' ') {
      // Scale the glyph grid into the cell; the ASCII rows 0..9 take the middle of the cell and
      // marks above capitals use the cell's top margin.
      const int sx = std::max(1, cw / kGlyphW);
      const int sy = std::max(1, ch / (kGlyphH + 1));
      const int ox = x + (cw - kGlyphW * sx) / 2;
      const int oy = y0 + (ch - kGlyphH * sy) / 2 + sy - kComposedTop * sy;
      ComposedMask mask;
      if (compose(g.cp, mask)) {
        const int extra = g.style.bold ? 1 : 0;
        for (int gy = 0; gy < kComposedRows; ++gy) {
          for (int gx = 0; gx < kGlyphW; ++gx) {
            if (mask[static_cast<std::size_t>(gy * kGlyphW + gx)] == 0) continue;
            // Marks above capitals are drawn half height so a gap stays under them.
            const bool cap_mark = gy < kComposedTop && sy > 1;
            const int y = cap_mark ? oy + gy * (sy / 2) : oy + gy * sy;
            canvas_.fill(ox + gx * sx, std::max(y0, y), sx + extra, cap_mark ? sy / 2 : sy, ink);
          }
        }
      } else {
        const int by = oy + kComposedTop * sy;
        canvas_.fill(ox, by, kGlyphW * sx - sx, 1, ink);
        canvas_.fill(ox, by + 7 * sy, kGlyphW * sx - sx, 1, ink);
        canvas_.fill(ox, by, 1, 7 * sy, ink);
        canvas_.fill(ox + kGlyphW * sx - sx - 1, by, 1, 7 * sy, ink);
      }
    }
    if (g.style.underline) canvas_.fill(x, y0 + ch - 2, cw, 2, ink);
  }

  // The real glyph from the preview font, cached per character and cell size for this decode.
  bool draw_truetype(const Glyph& g, int x, int y0, int cw, int ch, std::uint8_t ink) {
    if (!preview_font::available()) return false;
    const std::uint64_t key = (static_cast<std::uint64_t>(g.cp) << 24) |
                              (static_cast<std::uint64_t>(cw & 0xFFF) << 12) |
                              static_cast<std::uint64_t>(ch & 0xFFF);
    auto it = truetype_.find(key);
    if (it == truetype_.end()) {
      std::vector<std::uint8_t> mask;
      if (!preview_font::render(g.cp, cw, ch, mask)) mask.clear();
      it = truetype_.emplace(key, std::move(mask)).first;
    }
    const auto& mask = it->second;
    if (mask.empty()) return false;  // the font has no such glyph: the built-in one or a box
    const int extra = g.style.bold ? 1 : 0;
    for (int yy = 0; yy < ch; ++yy) {
      for (int xx = 0; xx < cw; ++xx) {
        if (mask[static_cast<std::size_t>(yy * cw + xx)] == 0) continue;
        canvas_.fill(x + xx, y0 + yy, 1 + extra, 1, ink);
      }
    }
    return true;
  }

  void flush_line(bool) {
    int height = metrics(style_).height;
    for (const auto& g : line_) height = std::max(height, glyph_height(g.style));
    height += line_spacing_extra_;
    const int top = canvas_.height();
    canvas_.grow(top + height);
    int x = 0;
    if (align_ == Align::Center) x = (profile_.dot_width - line_width_) / 2;
    if (align_ == Align::Right) x = profile_.dot_width - line_width_;
    DecodedLine line;
    line.align = align_;
    for (const auto& g : line_) {
      if (canvas_.enabled()) draw_glyph(g, x, top, height - line_spacing_extra_);
      x += glyph_width(g.style);
      utf8::append(line.text, g.cp);
      line.bold = line.bold || g.style.bold;
      line.double_width = line.double_width || g.style.dw;
      line.double_height = line.double_height || g.style.dh;
      line.underline = line.underline || g.style.underline;
      line.inverse = line.inverse || g.style.inverse;
      line.font_b = line.font_b || g.style.font == Font::B;
    }
    while (!line.text.empty() && line.text.back() == ' ') line.text.pop_back();
    out_.text += line.text;
    out_.text += '\n';
    out_.lines.push_back(std::move(line));
    line_.clear();
    line_width_ = 0;
  }

  // Places a picture (1 = black) at the current alignment, below everything printed so far.
  void place(const MonoImage& img) {
    if (!line_.empty()) flush_line(false);
    if (!canvas_.enabled()) return;
    int x = 0;
    if (align_ == Align::Center) x = (profile_.dot_width - img.width) / 2;
    if (align_ == Align::Right) x = profile_.dot_width - img.width;
    x = std::max(0, x);
    const int top = canvas_.height();
    canvas_.grow(top + img.height);
    for (int y = 0; y < img.height; ++y) {
      for (int xx = 0; xx < img.width; ++xx) {
        if (img.black(xx, y)) canvas_.dot(x + xx, top + y, 0);
      }
    }
  }

  void feed_lines(int n) {
    for (int k = 0; k < n; ++k) flush_line(false);
  }

  void reset() {
    style_ = Style{};
    align_ = Align::Left;
    slot_ = 0;
    line_spacing_extra_ = 0;
    barcode_height_ = 162;
    barcode_module_ = 3;
    hri_ = HriPosition::None;
    qr_module_ = 3;
    qr_level_ = QR_ECLEVEL_L;
    qr_data_.clear();
  }

  // ---- commands ----
  bool step() {
    const std::size_t start = pos_;
    const std::uint8_t b = at(0);
    if (b >= 0x20) {
      ++pos_;
      const char32_t cp = b == 0x7F ? 0 : code_page_char(profile_.code_pages[slot_].page, b);
      add_char(cp == 0 ? utf8::kReplacement : cp);
      return true;
    }
    switch (b) {
      case 0x0A:
        ++pos_;
        flush_line(false);
        return true;
      case 0x0D:
        ++pos_;
        return true;  // CR: no auto line feed on receipt printers
      case 0x09: {
        ++pos_;
        const int cell = glyph_width(style_);
        do add_char(' ');
        while ((line_width_ / cell) % 8 != 0 && line_width_ + cell <= profile_.dot_width);
        return true;
      }
      case 0x1B:
        return esc(start);
      case 0x1D:
        return gs(start);
      case 0x1C:
        if (!need(2)) return truncated("FS");
        if (at(1) == '.') {
          pos_ += 2;
          return true;
        }  // leave Kanji mode
        return stop(start, "unknown command");
      case 0x10:
        if (!need(3)) return truncated("DLE");
        if (at(1) == 0x04 && at(2) >= 1 && at(2) <= 4) {
          pos_ += 3;
          return true;
        }  // status request
        return stop(start, "unknown command");
      default:
        return stop(start, "unknown control byte");
    }
  }

  bool esc(std::size_t start) {
    if (!need(2)) return truncated("ESC");
    const std::uint8_t c = at(1);
    if (c == '@') {
      pos_ += 2;
      if (!line_.empty()) flush_line(false);
      reset();
      return true;
    }
    if (c == '2') {
      pos_ += 2;
      line_spacing_extra_ = 0;
      return true;
    }
    if (c == 'p') {
      if (!need(5)) return truncated("ESC p");
      const std::uint8_t m = at(2);
      if (m != 0 && m != 1 && m != '0' && m != '1') return stop(start, "ESC p with unknown pin");
      out_.elements.push_back(
          {ElementKind::DrawerPulse, start, (m == 0 || m == '0') ? "pin2" : "pin5", 0, 0});
      pos_ += 5;
      return true;
    }
    if (!need(3)) return truncated("ESC");
    const std::uint8_t n = at(2);
    switch (c) {
      case 't': {
        const auto slot = profile_.characters->slot_for_number(n);
        if (!slot) return stop(start, "ESC t selects a code page this profile does not list");
        slot_ = *slot;
        break;
      }
      case 'a':
        if ((n % 48) > 2) return stop(start, "ESC a with unknown alignment");
        align_ = static_cast<Align>(n % 48);
        break;
      case 'E':
        style_.bold = (n & 1) != 0;
        break;
      case '-':
        style_.underline = (n % 48) != 0;
        break;
      case 'M':
        if ((n % 48) > 1) return stop(start, "ESC M with a font this decoder does not know");
        style_.font = static_cast<Font>(n % 48);
        break;
      case '!':
        style_.font = (n & 0x01) != 0 ? Font::B : Font::A;
        style_.bold = (n & 0x08) != 0;
        style_.dh = (n & 0x10) != 0;
        style_.dw = (n & 0x20) != 0;
        style_.underline = (n & 0x80) != 0;
        break;
      case 'd':
        pos_ += 3;
        feed_lines(n);
        return true;
      case 'J':
        pos_ += 3;
        if (!line_.empty()) flush_line(false);
        canvas_.grow(canvas_.height() + n);
        return true;
      case '3':
        line_spacing_extra_ = std::max(0, n - profile_.font_a.height);
        break;
      default:
        return stop(start, "unknown command");
    }
    pos_ += 3;
    return true;
  }

  bool gs(std::size_t start) {
    if (!need(2)) return truncated("GS");
    const std::uint8_t c = at(1);
    switch (c) {
      case 'k':
        return barcode(start);
      case '(':
        return gs_paren(start);
      case 'v':
        return raster(start);
      case 'V': {
        if (!need(3)) return truncated("GS V");
        const std::uint8_t m = at(2);
        std::size_t len = 3;
        bool full;
        if (m == 0 || m == '0')
          full = true;
        else if (m == 1 || m == '1')
          full = false;
        else if (m == 65 || m == 66) {
          if (!need(4)) return truncated("GS V");
          len = 4;
          full = m == 65;
        } else
          return stop(start, "GS V with unknown mode");
        if (!line_.empty()) flush_line(false);
        out_.elements.push_back({ElementKind::Cut, start, full ? "full" : "partial", 0, 0});
        // A cut is shown as a dashed line across the paper.
        const int y = canvas_.height() + 4;
        canvas_.grow(y + 8);
        for (int x = 0; x < profile_.dot_width; x += 12) canvas_.fill(x, y, 8, full ? 3 : 2, 0);
        pos_ += len;
        return true;
      }
      default:
        break;
    }
    if (!need(3)) return truncated("GS");
    const std::uint8_t n = at(2);
    switch (c) {
      case '!':
        style_.dw = (n & 0x70) != 0;
        style_.dh = (n & 0x07) != 0;
        if ((n & 0x70) > 0x10 || (n & 0x07) > 0x01)
          return stop(start, "GS ! sizes above 2x are not drawn");
        break;
      case 'B':
        style_.inverse = (n & 1) != 0;
        break;
      case 'h':
        barcode_height_ = std::max<int>(1, n);
        break;
      case 'w':
        barcode_module_ = std::clamp<int>(n, 1, 6);
        break;
      case 'H':
        hri_ = static_cast<HriPosition>(n % 48 & 3);
        break;
      case 'f':
        break;  // HRI font: drawn in font B size either way
      case 'a':
        break;  // Automatic Status Back enable: no printed effect
      default:
        return stop(start, "unknown command");
    }
    pos_ += 3;
    return true;
  }

  void hri_line(const std::string& text) {
    const Style saved = style_;
    const Align saved_align = align_;
    style_ = Style{};
    style_.font = Font::B;
    for (char ch : text) add_char(static_cast<unsigned char>(ch));
    // HRI is part of the picture, not of the text: draw it, then drop it from the text output.
    const std::size_t text_len = out_.text.size();
    const std::size_t lines = out_.lines.size();
    flush_line(false);
    out_.text.resize(text_len);
    out_.lines.resize(lines);
    style_ = saved;
    align_ = saved_align;
  }

  bool barcode(std::size_t start) {
    if (!need(4)) return truncated("GS k");
    if (at(2) != 73) return stop(start, "GS k barcode type other than CODE128 (m=73)");
    const std::size_t n = at(3);
    if (!need(4 + n)) return truncated("GS k");
    const std::string data(reinterpret_cast<const char*>(&in_[pos_ + 4]), n);
    std::vector<int> symbols;
    std::string text;
    if (!code128::parse_escpos(data, symbols, text))
      return stop(start, "GS k CODE128 data malformed");
    if (!line_.empty()) flush_line(false);
    const int width = code128::module_count(symbols) * barcode_module_;
    if (width > profile_.dot_width) return stop(start, "GS k barcode wider than the paper");
    out_.elements.push_back({ElementKind::Barcode, start, text, width, barcode_height_});
    if (hri_ == HriPosition::Above || hri_ == HriPosition::Both) hri_line(text);
    if (canvas_.enabled()) place(code128::draw(symbols, barcode_module_, barcode_height_));
    if (hri_ == HriPosition::Below || hri_ == HriPosition::Both) hri_line(text);
    pos_ += 4 + n;
    return true;
  }

  bool gs_paren(std::size_t start) {
    if (!need(5)) return truncated("GS (");
    if (at(2) != 'k') return stop(start, "GS ( command other than GS ( k");
    const std::size_t len = at(3) + 256U * at(4);
    if (len < 2 || !need(5 + len)) return truncated("GS ( k");
    const std::uint8_t cn = at(5), fn = at(6);
    if (cn != 49) return stop(start, "GS ( k symbol other than QR (cn=49)");
    const std::uint8_t* p = &in_[pos_ + 7];
    switch (fn) {
      case 65:  // model
        if (len != 4 || p[0] != 50) return stop(start, "QR model other than 2");
        break;
      case 67:
        if (len != 3 || p[0] < 1 || p[0] > 16) return stop(start, "QR module size out of range");
        qr_module_ = p[0];
        break;
      case 69: {
        static constexpr QRecLevel kLevels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q,
                                                QR_ECLEVEL_H};
        if (len != 3 || p[0] < 48 || p[0] > 51)
          return stop(start, "QR error correction out of range");
        qr_level_ = kLevels[p[0] - 48];
        break;
      }
      case 80:
        if (len < 3 || p[0] != 48) return stop(start, "QR store with m other than 48");
        qr_data_.assign(reinterpret_cast<const char*>(p + 1), len - 3);
        break;
      case 81: {
        if (len != 3) return stop(start, "QR print with bad length");
        if (qr_data_.empty()) return stop(start, "QR print with no data stored");
        if (!canvas_.enabled()) {  // text only: the symbol is not needed (libqrencode is slow)
          out_.elements.push_back({ElementKind::Qr, start, qr_data_, 0, 0});
          break;
        }
        std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
            QRcode_encodeData(static_cast<int>(qr_data_.size()),
                              reinterpret_cast<const unsigned char*>(qr_data_.data()), 0,
                              qr_level_),
            &QRcode_free);
        if (!code) return stop(start, "QR data the printer could not encode");
        MonoImage img;
        img.width = img.height = code->width * qr_module_;
        if (img.width > profile_.dot_width) return stop(start, "QR wider than the paper");
        img.bits.assign(static_cast<std::size_t>(img.bytes_per_row() * img.height), 0);
        for (int y = 0; y < img.height; ++y) {
          for (int x = 0; x < img.width; ++x) {
            if ((code->data[(y / qr_module_) * code->width + x / qr_module_] & 1) != 0) {
              img.bits[static_cast<std::size_t>(y * img.bytes_per_row() + x / 8)] |=
                  static_cast<std::uint8_t>(0x80U >> (x % 8));
            }
          }
        }
        out_.elements.push_back({ElementKind::Qr, start, qr_data_, img.width, img.height});
        place(img);
        break;
      }
      default:
        return stop(start, "GS ( k QR function not understood");
    }
    pos_ += 5 + len;
    return true;
  }

  bool raster(std::size_t start) {
    if (!need(8)) return truncated("GS v 0");
    if (at(2) != '0') return stop(start, "GS v other than GS v 0");
    if (at(3) > 3 && (at(3) < 48 || at(3) > 51)) return stop(start, "GS v 0 with unknown mode");
    const int bpr = at(4) + 256 * at(5);
    const int rows = at(6) + 256 * at(7);
    const std::size_t size = static_cast<std::size_t>(bpr) * static_cast<std::size_t>(rows);
    if (!need(8 + size)) return truncated("GS v 0");
    if (bpr * 8 > profile_.dot_width + 7) return stop(start, "GS v 0 image wider than the paper");
    if ((at(3) & 3) != 0) return stop(start, "GS v 0 double-size modes are not drawn");
    if (!canvas_.enabled()) {
      if (!line_.empty()) flush_line(false);
      out_.elements.push_back({ElementKind::Raster, start, {}, bpr * 8, rows});
      pos_ += 8 + size;
      return true;
    }
    MonoImage img;
    img.width = bpr * 8;
    img.height = rows;
    img.bits.assign(in_.begin() + static_cast<std::ptrdiff_t>(pos_ + 8),
                    in_.begin() + static_cast<std::ptrdiff_t>(pos_ + 8 + size));
    out_.elements.push_back({ElementKind::Raster, start, {}, img.width, img.height});
    place(img);
    pos_ += 8 + size;
    return true;
  }

  std::span<const std::uint8_t> in_;
  const PrinterProfile& profile_;
  Canvas canvas_;
  DecodedReceipt out_;
  std::size_t pos_ = 0;
  bool stopped_ = false;
  Style style_;
  Align align_ = Align::Left;
  std::size_t slot_ = 0;
  int line_spacing_extra_ = 0;
  std::vector<Glyph> line_;
  int line_width_ = 0;
  int barcode_height_ = 162;
  int barcode_module_ = 3;
  HriPosition hri_ = HriPosition::None;
  int qr_module_ = 3;
  QRecLevel qr_level_ = QR_ECLEVEL_L;
  std::string qr_data_;
  std::unordered_map<std::uint64_t, std::vector<std::uint8_t>> truetype_;
};

}  // namespace

DecodedReceipt decode(std::span<const std::uint8_t> bytes, const PrinterProfile& profile,
                      DrawMode mode) {
  return Decoder(bytes, profile, mode).run();
}

}  // namespace pos::escpos
