// The ESC/POS encoder: a stream of receipt elements -> the exact bytes for one printer profile.
// Text is UTF-8 from outside: control characters are removed (a DLE EOT or ESC p hidden in a
// customer name never reaches the printer), each character goes to a code page of the profile
// that has it, switching with ESC t only when needed, and '?' replaces what no page has
// (counted in replaced_characters()).
// Sections: styles and options, Column, Encoder.
//
// Commands emitted: ESC @, FS . (profiles with KanjiMode::LeaveOnInit), ESC t, ESC a, ESC E,
// ESC -, GS !, GS B, ESC M, LF, ESC d, GS h, GS w, GS H, GS f, GS k m=73, GS ( k (QR: 165, 167,
// 169, 180, 181), GS v 0, GS V m=65/66, ESC p.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pos/escpos/image.hpp>
#include <pos/escpos/profile.hpp>

namespace pos::escpos {

enum class Align : std::uint8_t { Left = 0, Center = 1, Right = 2 };
enum class Font : std::uint8_t { A = 0, B = 1 };

// Text attributes as a set of flags: `Emphasis::Bold | Emphasis::DoubleHeight`.
enum class Emphasis : std::uint8_t {
  None = 0,
  Bold = 1,          // ESC E 1
  Underline = 2,     // ESC - 1
  DoubleWidth = 4,   // GS ! 0x10
  DoubleHeight = 8,  // GS ! 0x01
  Inverse = 16,      // GS B 1 (white on black)
};
constexpr Emphasis operator|(Emphasis a, Emphasis b) {
  return static_cast<Emphasis>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr Emphasis operator&(Emphasis a, Emphasis b) {
  return static_cast<Emphasis>(static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b));
}
constexpr bool has(Emphasis set, Emphasis flag) {
  return (set & flag) != Emphasis::None;
}

enum class Cut : std::uint8_t { Partial, Full };
enum class QrErrorCorrection : std::uint8_t { L, M, Q, H };
enum class HriPosition : std::uint8_t { None = 0, Above = 1, Below = 2, Both = 3 };

struct QrOptions {
  int module_size = 5;  // dots per module, 1..16 (GS ( k fn 167)
  QrErrorCorrection correction = QrErrorCorrection::M;
};

// Narrowest bar printed: 2 dots (0.25 mm at 203 dpi); one dot is too thin for counter scanners.
inline constexpr int kMinBarcodeModule = 2;

struct BarcodeOptions {
  int height = 60;       // dots (GS h)
  int module_width = 2;  // dots per narrow bar, 2..6 (GS w); narrower paper never goes below 2
  HriPosition hri = HriPosition::Below;
};

// One cell of a row. width 0 = this column takes what the fixed columns leave (at most one
// such column; it wraps onto further lines without splitting a UTF-8 character).
struct Column {
  std::string_view text;
  int width = 0;
  Align align = Align::Left;
};

class Encoder {
 public:
  explicit Encoder(const PrinterProfile& profile);

  // Drops the bytes and the counters, keeps the buffer's capacity (for encoding many receipts).
  void clear();

  Encoder& initialize();  // ESC @ [FS .] ESC t <first page>; resets the tracked state
  Encoder& align(Align align);
  Encoder& emphasis(Emphasis set);  // sends only the attributes that change
  Encoder& font(Font font);
  Encoder& text(std::string_view utf8);  // no line break, no wrapping
  Encoder& newline();
  Encoder& line(std::string_view utf8) { return text(utf8).newline(); }
  // Word-wraps to the current width (columns of the font divided by the width multiplier).
  Encoder& paragraph(std::string_view utf8);
  Encoder& row(std::span<const Column> columns);
  Encoder& rule(char fill = '-');
  Encoder& feed(int lines);  // ESC d n
  // CODE128 with the shortest code-set sequence (digit pairs in code set C). Native GS k m=73
  // where the profile has it, else bars drawn as an image; BarcodeInvalid when it does not fit
  // the paper at kMinBarcodeModule dots per module (use a compact code: compact_receipt_code).
  Expected<bool> barcode128(std::string_view data, const BarcodeOptions& options = {});
  // Native GS ( k, or a raster image made with libqrencode where the profile has no native QR.
  Expected<bool> qr(std::string_view data, const QrOptions& options = {});
  // GS v 0 in bands of profile.raster_band_lines; images wider than the paper are refused.
  Expected<bool> image(const MonoImage& image);
  Encoder& cut(Cut cut);  // feeds cut_feed_lines then GS V; nothing if no cutter
  Expected<bool> drawer_pulse(DrawerPin pin, int on_ms = 100, int off_ms = 200);  // ESC p

  const std::vector<std::uint8_t>& bytes() const { return out_; }
  std::vector<std::uint8_t> take_bytes();
  // Characters printed as '?' because no page of the profile has them (or invalid UTF-8).
  std::size_t replaced_characters() const { return replaced_; }
  // Characters per line for the current font and width multiplier.
  int line_width() const;
  const PrinterProfile& profile() const { return *profile_; }

 private:
  void put(std::uint8_t b) { out_.push_back(b); }
  void put(std::initializer_list<std::uint8_t> bs) { out_.insert(out_.end(), bs); }
  void put_text(std::string_view utf8, int pad_to_columns);
  void raster(const MonoImage& image);

  const PrinterProfile* profile_;
  const CharacterMap* characters_;
  std::vector<std::uint8_t> out_;
  std::size_t replaced_ = 0;
  std::size_t slot_ = 0;  // code page slot currently selected
  Align align_ = Align::Left;
  Emphasis emphasis_ = Emphasis::None;
  Font font_ = Font::A;
  std::vector<std::string> row_clean_;  // sanitized cells of the current row, when needed
  std::array<std::string_view, 8> row_text_{};
  std::array<int, 8> row_width_{};
  std::array<int, 8> row_cell_width_{};
  std::array<bool, 8> row_ascii_{};
};

// Helpers shared with the decoder and tests.
// Removes C0/C1 controls and DEL, turns invalid UTF-8 into U+FFFD. Tabs become a space.
std::string sanitize_text(std::string_view utf8);
// Text from outside (a backend's invoice number, a customer name, anything typed or received)
// as it may be STORED: C0 controls (tab and line breaks too), DEL and C1 controls are removed,
// valid UTF-8 is kept as it is, and each invalid byte (overlong forms, surrogates, truncated
// sequences, bytes above U+10FFFF) becomes U+FFFD. Call it before storing, so a receipt
// reference can never carry an ESC or NUL to a later printout, log or export.
std::string clean_outside_text(std::string_view text);
// Columns a string occupies: one per code point.
int display_width(std::string_view utf8);

}  // namespace pos::escpos
