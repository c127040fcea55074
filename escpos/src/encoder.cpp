// Encoder: text transcoding, rows and wrapping, CODE128, QR, raster, cut, drawer.
// Sections: helpers, state commands, text, rows, barcode, QR, raster, cut/drawer.
#include <pos/escpos/encoder.hpp>

#include <qrencode.h>
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>

#include "code128.hpp"
#include "utf8.hpp"

namespace pos::escpos {
namespace {

constexpr std::uint8_t ESC = 0x1B, GS = 0x1D, FS = 0x1C, LF = 0x0A;

std::uint8_t clamp_byte(int v) {
  return static_cast<std::uint8_t>(std::clamp(v, 0, 255));
}

// True when the text can be printed as it is: valid UTF-8 without control characters (the
// common case, so row() and paragraph() copy nothing).
std::size_t printable_ascii_end(std::string_view s, std::size_t i);

bool printable_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t run = printable_ascii_end(s, i);
    if (run > i) {
      i = run;
      continue;
    }
    const char32_t cp = utf8::next(s, i);
    if (cp == utf8::kReplacement || utf8::is_control(cp)) return false;
  }
  return true;
}

// Where the run of printable ASCII (0x20..0x7E) that starts at s[i] ends, eight bytes at a time:
// a word has a byte below 0x20 when (x - 0x20..) & ~x & 0x80.. is not zero, and one of 0x7F or
// above when (x + 0x01..) | x has a high bit (exact as a yes/no: a carry only follows a byte that
// is already caught).
std::size_t printable_ascii_end(std::string_view s, std::size_t i) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  while (i + 8 <= s.size()) {
    std::uint64_t x = 0;
    std::memcpy(&x, s.data() + i, sizeof x);
    const std::uint64_t below = (x - kOnes * 0x20) & ~x & kHighs;
    const std::uint64_t above = ((x + kOnes) | x) & kHighs;
    if ((below | above) != 0) break;
    i += 8;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) - 0x20U < 0x5FU) ++i;
  return i;
}

// What a row needs to know of a cell, in one pass: printable as it is (see printable_utf8),
// printable ASCII only (copied to the printer byte for byte), and its width in columns.
struct CellShape {
  bool printable = true;
  bool ascii = true;
  int width = 0;
};

CellShape shape_of(std::string_view s) {
  CellShape shape;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t run = printable_ascii_end(s, i);
    if (run > i) {
      shape.width += static_cast<int>(run - i);
      i = run;
      continue;
    }
    ++shape.width;
    shape.ascii = false;
    const char32_t cp = utf8::next(s, i);
    if (cp == utf8::kReplacement || utf8::is_control(cp)) {
      shape.printable = false;
      return shape;
    }
  }
  return shape;
}

// A piece of text with its width in columns, cut at code point boundaries.
struct Piece {
  std::string_view text;
  int width = 0;
};

// Next line of at most `width` columns from `rest` (already sanitized): breaks after the last
// space that fits, else hard at `width` code points. Leading spaces of the rest are skipped.
Piece take_line(std::string_view& rest, int width) {
  // What fits whole (never more code points than bytes) is the common case: no scan for spaces.
  if (rest.size() <= static_cast<std::size_t>(width)) {
    const Piece whole{rest, display_width(rest)};
    rest = {};
    return whole;
  }
  std::size_t i = 0;
  int cols = 0;
  std::size_t last_space_end = 0;  // byte index just after the last fitting space
  int cols_at_space = 0;
  while (i < rest.size() && cols < width) {
    std::size_t j = i;
    const char32_t cp = utf8::next(rest, j);
    ++cols;
    if (cp == ' ') {
      last_space_end = j;
      cols_at_space = cols;
    }
    i = j;
  }
  Piece piece;
  if (i >= rest.size()) {
    piece = {rest, cols};
    rest = {};
  } else if (rest[i] == ' ') {  // the break falls exactly on a space
    piece = {rest.substr(0, i), cols};
    rest = rest.substr(i);
  } else if (last_space_end > 0) {
    piece = {rest.substr(0, last_space_end - 1), cols_at_space - 1};
    rest = rest.substr(last_space_end);
  } else {
    piece = {rest.substr(0, i), cols};
    rest = rest.substr(i);
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return piece;
}

}  // namespace

// ---- helpers (public) ---------------------------------------------------------------------------
std::string sanitize_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const char32_t cp = utf8::next(in, i);
    if (cp == '\t') {
      out += ' ';
    } else if (!utf8::is_control(cp)) {
      utf8::append(out, cp);
    }
  }
  return out;
}

std::string clean_outside_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b - 0x20U < 0x5FU) {  // printable ASCII, the common case
      out += in[i++];
      continue;
    }
    const char32_t cp = utf8::next(in, i);
    if (!utf8::is_control(cp)) utf8::append(out, cp);
  }
  return out;
}

int display_width(std::string_view s) {
  int n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// ---- state commands -----------------------------------------------------------------------------
Encoder::Encoder(const PrinterProfile& profile)
    : profile_(&profile), characters_(profile.characters.get()) {
  out_.reserve(2048);
}

void Encoder::clear() {
  out_.clear();
  replaced_ = 0;
  slot_ = 0;
  align_ = Align::Left;
  emphasis_ = Emphasis::None;
  font_ = Font::A;
}

std::vector<std::uint8_t> Encoder::take_bytes() {
  std::vector<std::uint8_t> bytes = std::move(out_);
  out_.clear();
  return bytes;
}

Encoder& Encoder::initialize() {
  put({ESC, '@'});
  if (profile_->kanji == KanjiMode::LeaveOnInit) put({FS, '.'});
  // Send ESC t after every ESC @: printers come up in a page chosen by a DIP switch.
  put({ESC, 't', profile_->code_pages.front().select_number});
  slot_ = 0;
  align_ = Align::Left;
  emphasis_ = Emphasis::None;
  font_ = Font::A;
  return *this;
}

Encoder& Encoder::align(Align a) {
  if (a != align_) {
    put({ESC, 'a', static_cast<std::uint8_t>(a)});
    align_ = a;
  }
  return *this;
}

Encoder& Encoder::emphasis(Emphasis e) {
  const Emphasis changed =
      static_cast<Emphasis>(static_cast<std::uint8_t>(e) ^ static_cast<std::uint8_t>(emphasis_));
  if (has(changed, Emphasis::Bold))
    put({ESC, 'E', has(e, Emphasis::Bold) ? std::uint8_t{1} : std::uint8_t{0}});
  if (has(changed, Emphasis::Underline))
    put({ESC, '-', has(e, Emphasis::Underline) ? std::uint8_t{1} : std::uint8_t{0}});
  if (has(changed, Emphasis::DoubleWidth | Emphasis::DoubleHeight)) {
    const std::uint8_t size = static_cast<std::uint8_t>(
        (has(e, Emphasis::DoubleWidth) ? 0x10 : 0) | (has(e, Emphasis::DoubleHeight) ? 0x01 : 0));
    put({GS, '!', size});
  }
  if (has(changed, Emphasis::Inverse))
    put({GS, 'B', has(e, Emphasis::Inverse) ? std::uint8_t{1} : std::uint8_t{0}});
  emphasis_ = e;
  return *this;
}

Encoder& Encoder::font(Font f) {
  if (f != font_) {
    put({ESC, 'M', static_cast<std::uint8_t>(f)});
    font_ = f;
  }
  return *this;
}

int Encoder::line_width() const {
  const int cols = font_ == Font::A ? profile_->font_a.columns : profile_->font_b.columns;
  return has(emphasis_, Emphasis::DoubleWidth) ? cols / 2 : cols;
}

// ---- text ---------------------------------------------------------------------------------------
void Encoder::put_text(std::string_view s, int pad_to) {
  int cols = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    // Runs of printable ASCII (the same in every page) are copied in one go.
    const std::size_t run = printable_ascii_end(s, i);
    if (run > i) {
      out_.insert(out_.end(), s.begin() + static_cast<std::ptrdiff_t>(i),
                  s.begin() + static_cast<std::ptrdiff_t>(run));
      cols += static_cast<int>(run - i);
      i = run;
      continue;
    }
    const char32_t cp = utf8::next(s, i);
    if (cp == '\t') {
      out_.push_back(' ');
      ++cols;
      continue;
    }
    if (utf8::is_control(cp)) continue;  // a hidden DLE EOT / ESC p never reaches the printer
    ++cols;
    const std::uint16_t mask = characters_->slots_with(cp);
    if (mask == 0) {
      out_.push_back('?');
      ++replaced_;
      continue;
    }
    if ((mask & (1U << slot_)) == 0) {
      slot_ = static_cast<std::size_t>(std::countr_zero(mask));
      put({ESC, 't', characters_->slot(slot_).select_number});
    }
    out_.push_back(characters_->byte_in(slot_, cp));
  }
  for (; cols < pad_to; ++cols) out_.push_back(' ');
}

Encoder& Encoder::text(std::string_view utf8) {
  put_text(utf8, 0);
  return *this;
}

Encoder& Encoder::newline() {
  put(LF);
  return *this;
}

Encoder& Encoder::paragraph(std::string_view utf8) {
  std::string clean;
  std::string_view rest = utf8;
  if (!printable_utf8(utf8)) {
    clean = sanitize_text(utf8);
    rest = clean;
  }
  const int width = std::max(1, line_width());
  if (rest.empty()) return newline();
  while (!rest.empty()) {
    const Piece p = take_line(rest, width);
    put_text(p.text, 0);
    put(LF);
  }
  return *this;
}

Encoder& Encoder::rule(char fill) {
  const int width = line_width();
  out_.insert(out_.end(), static_cast<std::size_t>(width), static_cast<std::uint8_t>(fill));
  put(LF);
  return *this;
}

Encoder& Encoder::feed(int lines) {
  put({ESC, 'd', clamp_byte(lines)});
  return *this;
}

// ---- rows ---------------------------------------------------------------------------------------
Encoder& Encoder::row(std::span<const Column> columns) {
  constexpr std::size_t kMax = 8;
  const std::size_t n = std::min(columns.size(), kMax);
  if (n == 0) return *this;
  auto& text = row_text_;  // members: no zeroing of scratch arrays per row
  auto& width = row_width_;
  auto& cell_width = row_cell_width_;
  auto& ascii = row_ascii_;
  std::size_t flex = kMax;
  const int total = line_width();
  int fixed = static_cast<int>(n) - 1;  // one space between columns
  for (std::size_t c = 0; c < n; ++c) {
    text[c] = columns[c].text;
    CellShape shape = shape_of(text[c]);
    if (!shape.printable) {
      if (row_clean_.size() < kMax) row_clean_.resize(kMax);  // only for a row that needs it
      row_clean_[c] = sanitize_text(text[c]);
      text[c] = row_clean_[c];
      shape = {true, false, display_width(text[c])};
    }
    cell_width[c] = shape.width;
    ascii[c] = shape.ascii;
    if (columns[c].width == 0 && flex == kMax) {
      flex = c;
      continue;
    }
    // A fixed column never truncates: an amount is shown whole, the flexible column gives way.
    width[c] = std::max(columns[c].width, shape.width);
    fixed += width[c];
  }
  if (flex != kMax) width[flex] = std::max(1, total - fixed);
  std::string_view rest = flex != kMax ? text[flex] : std::string_view{};
  bool first = true;
  while (first || !rest.empty()) {
    Piece flex_piece;
    if (flex != kMax && first && cell_width[flex] <= width[flex]) {
      flex_piece = {rest, cell_width[flex]};  // it fits whole: no scan for a break
      rest = {};
    } else if (flex != kMax) {
      flex_piece = take_line(rest, width[flex]);
    }
    std::size_t last = n - 1;
    if (!first) last = flex;  // continuation lines carry only the wrapped description
    for (std::size_t c = 0; c <= last; ++c) {
      if (c > 0) {
        out_.push_back(' ');
      }
      std::string_view cell;
      int cols = 0;
      if (c == flex) {
        cell = flex_piece.text;
        cols = flex_piece.width;
      } else if (first) {
        cell = text[c];
        cols = cell_width[c];
      }
      const int pad = width[c] - cols;
      const bool trailing = c == last;
      // Printable ASCII is the same byte in every code page: copied as it is.
      auto put_cell = [&] {
        if (ascii[c])
          out_.insert(out_.end(), cell.begin(), cell.end());
        else
          put_text(cell, 0);
      };
      if (columns[c].align == Align::Right) {
        out_.insert(out_.end(), static_cast<std::size_t>(pad), ' ');
        put_cell();
      } else if (columns[c].align == Align::Center) {
        out_.insert(out_.end(), static_cast<std::size_t>(pad / 2), ' ');
        put_cell();
        if (!trailing) out_.insert(out_.end(), static_cast<std::size_t>(pad - pad / 2), ' ');
      } else {
        put_cell();
        if (!trailing) out_.insert(out_.end(), static_cast<std::size_t>(pad), ' ');
      }
    }
    put(LF);
    first = false;
  }
  return *this;
}

// ---- barcode ------------------------------------------------------------------------------------
Expected<bool> Encoder::barcode128(std::string_view data, const BarcodeOptions& options) {
  // Scratch kept by the thread: an Encoder lives for one receipt, a thread for many.
  thread_local std::vector<int> symbols;
  thread_local std::string escpos_data;
  if (!code128::encode(data, symbols, escpos_data)) {
    return Error{ErrorCode::BarcodeInvalid, "CODE128 takes 1..255 ASCII characters"};
  }
  if (escpos_data.size() > 255)
    return Error{ErrorCode::BarcodeInvalid, "CODE128 data longer than 255 bytes"};
  const int modules = code128::module_count(symbols);
  // Two dots per module at least (0.25 mm at 203 dpi): thinner bars are too thin for ordinary
  // counter scanners, so a code that does not fit at two dots is refused (the template prints
  // it as text) instead of printed as bars no scanner reads.
  const int fit = profile_->dot_width / modules;
  const int module = std::min(std::clamp(options.module_width, kMinBarcodeModule, 6), fit);
  if (module < kMinBarcodeModule) {
    return Error{ErrorCode::BarcodeInvalid,
                 "CODE128 of " + std::to_string(modules) + " modules does not fit " +
                     std::to_string(profile_->dot_width) + " dots at " +
                     std::to_string(kMinBarcodeModule) + " dots per module"};
  }
  const auto height = clamp_byte(std::max(1, options.height));
  if (profile_->barcode == BarcodeSupport::Native) {
    put({GS, 'h', height, GS, 'w', static_cast<std::uint8_t>(module), GS, 'H',
         static_cast<std::uint8_t>(options.hri), GS, 'f', 0});
    put({GS, 'k', 73, static_cast<std::uint8_t>(escpos_data.size())});
    out_.insert(out_.end(), escpos_data.begin(), escpos_data.end());
    return true;
  }
  const bool above = options.hri == HriPosition::Above || options.hri == HriPosition::Both;
  const bool below = options.hri == HriPosition::Below || options.hri == HriPosition::Both;
  if (above) line(data);
  raster(code128::draw(symbols, module, height));
  if (below) line(data);
  return true;
}

// ---- QR -----------------------------------------------------------------------------------------
Expected<bool> Encoder::qr(std::string_view data, const QrOptions& options) {
  if (data.empty() || data.size() > 2000)
    return Error{ErrorCode::QrInvalid, "QR data must be 1..2000 bytes"};
  const int ec = static_cast<int>(options.correction);
  const auto module = static_cast<std::uint8_t>(std::clamp(options.module_size, 1, 16));
  if (profile_->qr == QrSupport::Native) {
    put({GS, '(', 'k', 4, 0, 49, 65, 50, 0});                               // fn 165: model 2
    put({GS, '(', 'k', 3, 0, 49, 67, module});                              // fn 167: module size
    put({GS, '(', 'k', 3, 0, 49, 69, static_cast<std::uint8_t>(48 + ec)});  // fn 169: L/M/Q/H
    const std::size_t len = data.size() + 3;
    put({GS, '(', 'k', static_cast<std::uint8_t>(len & 0xFF), static_cast<std::uint8_t>(len >> 8),
         49, 80, 48});
    out_.insert(out_.end(), data.begin(), data.end());  // fn 180: store
    put({GS, '(', 'k', 3, 0, 49, 81, 48});              // fn 181: print
    return true;
  }
  static constexpr QRecLevel kLevels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H};
  const std::string text(data);  // libqrencode wants a NUL-terminated string
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, kLevels[ec]),
      &QRcode_free);
  if (!code) return Error{ErrorCode::QrInvalid, "QR data does not fit a QR code"};
  const int side = code->width + 8;  // 4-module quiet zone on each side
  const int scale = std::min<int>(module, profile_->raster_max_width / side);
  if (scale < 1) return Error{ErrorCode::QrInvalid, "QR code too wide for this paper"};
  MonoImage img;
  img.width = side * scale;
  img.height = side * scale;
  img.bits.assign(static_cast<std::size_t>(img.bytes_per_row() * img.height), 0);
  for (int my = 0; my < code->width; ++my) {
    for (int mx = 0; mx < code->width; ++mx) {
      if ((code->data[my * code->width + mx] & 1) == 0) continue;
      for (int dy = 0; dy < scale; ++dy) {
        for (int dx = 0; dx < scale; ++dx) {
          const int x = (mx + 4) * scale + dx;
          const int y = (my + 4) * scale + dy;
          img.bits[static_cast<std::size_t>(y * img.bytes_per_row() + x / 8)] |=
              static_cast<std::uint8_t>(0x80U >> (x % 8));
        }
      }
    }
  }
  raster(img);
  return true;
}

// ---- raster -------------------------------------------------------------------------------------
void Encoder::raster(const MonoImage& img) {
  const int bpr = img.bytes_per_row();
  const int band = std::max(1, profile_->raster_band_lines);
  for (int y = 0; y < img.height; y += band) {
    const int lines = std::min(band, img.height - y);
    put({GS, 'v', '0', 0, static_cast<std::uint8_t>(bpr & 0xFF),
         static_cast<std::uint8_t>(bpr >> 8), static_cast<std::uint8_t>(lines & 0xFF),
         static_cast<std::uint8_t>(lines >> 8)});
    const auto begin = img.bits.begin() + static_cast<std::ptrdiff_t>(y * bpr);
    out_.insert(out_.end(), begin, begin + static_cast<std::ptrdiff_t>(lines * bpr));
  }
}

Expected<bool> Encoder::image(const MonoImage& img) {
  if (img.width <= 0 || img.height <= 0 ||
      img.bits.size() != static_cast<std::size_t>(img.bytes_per_row() * img.height)) {
    return Error{ErrorCode::ImageDecode, "empty or inconsistent image"};
  }
  if (img.width > profile_->raster_max_width) {
    return Error{ErrorCode::ImageTooLarge,
                 "image wider than the printer's raster_max_width; scale it first"};
  }
  raster(img);
  return true;
}

// ---- cut / drawer -------------------------------------------------------------------------------
Encoder& Encoder::cut(Cut c) {
  // Feed first so the last printed line clears the blade (the head sits lines above it).
  if (profile_->cut_feed_lines > 0) feed(profile_->cut_feed_lines);
  if (profile_->cutter == Cutter::None) return *this;
  // GS V 0 = full, GS V 1 = partial; a printer with a partial-only cutter gets a partial cut.
  const bool full = c == Cut::Full && profile_->cutter == Cutter::FullAndPartial;
  put({GS, 'V', full ? std::uint8_t{0} : std::uint8_t{1}});
  return *this;
}

Expected<bool> Encoder::drawer_pulse(DrawerPin pin, int on_ms, int off_ms) {
  if (std::find(profile_->drawer_pins.begin(), profile_->drawer_pins.end(), pin) ==
      profile_->drawer_pins.end()) {
    return Error{ErrorCode::DrawerUnavailable, "this printer has no such drawer pin"};
  }
  // ESC p m t1 t2: times in units of 2 ms.
  put({ESC, 'p', static_cast<std::uint8_t>(pin), clamp_byte(on_ms / 2), clamp_byte(off_ms / 2)});
  return true;
}

}  // namespace pos::escpos
