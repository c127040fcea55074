// Byte-exact tests, one command at a time (as python-escpos does), on the shipped profiles.
#include <gtest/gtest.h>

#include <random>

#include <pos/escpos/encoder.hpp>

#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::bytes;
using testing::profile;

std::vector<std::uint8_t> after_init(const Encoder& e, std::size_t init_len = 5) {
  return {e.bytes().begin() + static_cast<std::ptrdiff_t>(init_len), e.bytes().end()};
}

TEST(Encoder, InitializeSelectsFirstCodePage) {
  Encoder e(profile("generic-80mm"));
  e.initialize();
  EXPECT_EQ(e.bytes(), bytes({0x1B, 0x40, 0x1B, 0x74, 19}));
}

TEST(Encoder, InitializeLeavesKanjiModeOnClones) {
  Encoder e(profile("clone-58mm"));
  e.initialize();
  EXPECT_EQ(e.bytes(), bytes({0x1B, 0x40, 0x1C, 0x2E, 0x1B, 0x74, 19}));
}

TEST(Encoder, Alignment) {
  Encoder e(profile("generic-80mm"));
  e.initialize().align(Align::Center).align(Align::Center).align(Align::Right).align(Align::Left);
  EXPECT_EQ(after_init(e), bytes({0x1B, 0x61, 1, 0x1B, 0x61, 2, 0x1B, 0x61, 0}));
}

TEST(Encoder, EmphasisSendsOnlyChanges) {
  Encoder e(profile("generic-80mm"));
  e.initialize().emphasis(Emphasis::Bold).emphasis(Emphasis::Bold | Emphasis::Underline);
  EXPECT_EQ(after_init(e), bytes({0x1B, 0x45, 1, 0x1B, 0x2D, 1}));
  e.clear();
  e.initialize()
      .emphasis(Emphasis::DoubleWidth | Emphasis::DoubleHeight)
      .emphasis(Emphasis::DoubleHeight);
  EXPECT_EQ(after_init(e), bytes({0x1D, 0x21, 0x11, 0x1D, 0x21, 0x01}));
  e.clear();
  e.initialize().emphasis(Emphasis::Inverse).emphasis(Emphasis::None);
  EXPECT_EQ(after_init(e), bytes({0x1D, 0x42, 1, 0x1D, 0x42, 0}));
}

TEST(Encoder, FontSelection) {
  Encoder e(profile("generic-80mm"));
  e.initialize().font(Font::B);
  EXPECT_EQ(e.line_width(), 64);
  e.font(Font::A);
  EXPECT_EQ(after_init(e), bytes({0x1B, 0x4D, 1, 0x1B, 0x4D, 0}));
  e.emphasis(Emphasis::DoubleWidth);
  EXPECT_EQ(e.line_width(), 24);
}

TEST(Encoder, TextAndLineFeed) {
  Encoder e(profile("generic-80mm"));
  e.initialize().line("Hi!");
  EXPECT_EQ(after_init(e), bytes({'H', 'i', '!', 0x0A}));
}

TEST(Encoder, ControlBytesFromOutsideAreRemoved) {
  Encoder e(profile("generic-80mm"));
  // A customer name carrying DLE EOT, ESC p (drawer kick), a C1 control and a line feed.
  constexpr char kName[] =
      "Ann\x10\x04\x01\x1Bp\x00\x19\xFA"
      "e\xC2\x85\n!";
  e.initialize().text(std::string_view(kName, sizeof(kName) - 1));
  const auto out = after_init(e);
  for (std::uint8_t b : out) {
    EXPECT_GE(b, 0x20) << "control byte reached the printer";
  }
  EXPECT_EQ(out, bytes({'A', 'n', 'n', 'p', '?', 'e', '!'}));
  EXPECT_EQ(e.replaced_characters(), 1U);  // the invalid UTF-8 byte 0xFA
}

TEST(Encoder, CodePageSwitchOnlyWhenNeeded) {
  Encoder e(profile("generic-80mm"));  // cp858 first, then cp437, cp852, cp866, ...
  e.initialize().text("ü€ł");
  // ü = 0x81 and € = 0xD5 in CP858; ł needs CP852 (0x88), selected with ESC t 18.
  EXPECT_EQ(after_init(e), bytes({0x81, 0xD5, 0x1B, 0x74, 18, 0x88}));
  e.clear();
  e.initialize().text("łą€");  // stays in CP852 for ą, back to CP858 for €
  EXPECT_EQ(after_init(e), bytes({0x1B, 0x74, 18, 0x88, 0xA5, 0x1B, 0x74, 19, 0xD5}));
}

TEST(Encoder, UnmappableCharactersBecomeQuestionMarksAndAreCounted) {
  Encoder e(profile("generic-80mm"));
  e.initialize().text("a漢b😀");
  EXPECT_EQ(after_init(e), bytes({'a', '?', 'b', '?'}));
  EXPECT_EQ(e.replaced_characters(), 2U);
}

TEST(Encoder, CyrillicUsesTheMakersNumber) {
  Encoder clone(profile("clone-58mm"));
  clone.initialize().text("Ж");
  // CP866 is the first page with Ж on the clone (n = 17): 0x86.
  EXPECT_EQ(after_init(clone, 7), bytes({0x1B, 0x74, 17, 0x86}));
}

TEST(Encoder, RowsPadAndRightAlignAmounts) {
  Encoder e(profile("generic-58mm"));  // 32 columns
  const Column cols[] = {{"Subtotal", 0, Align::Left}, {"12.50", 10, Align::Right}};
  e.initialize().row(cols);
  const std::string expected = std::string("Subtotal") + std::string(32 - 8 - 5, ' ') + "12.50\n";
  EXPECT_EQ(after_init(e), std::vector<std::uint8_t>(expected.begin(), expected.end()));
}

TEST(Encoder, RowsWrapTheFlexibleColumnWithoutSplittingCharacters) {
  Encoder e(profile("generic-58mm"));
  const Column cols[] = {{"2", 3, Align::Right},
                         {"Überprüfung der Bremsanlage vorn", 0, Align::Left},
                         {"149.00", 9, Align::Right}};
  e.initialize().row(cols);
  // 32 = 3 + 1 + 18 + 1 + 9: the description wraps at a space within 18 columns.
  const auto out = after_init(e);
  std::vector<std::uint8_t> expected;
  auto add = [&](std::string_view s) { expected.insert(expected.end(), s.begin(), s.end()); };
  add("  2 ");
  expected.push_back(0x9A);  // Ü in CP858
  add("berpr");
  expected.push_back(0x81);  // ü
  add("fung der    ");
  add("   149.00\n");
  add("    Bremsanlage vorn\n");
  EXPECT_EQ(out, expected);
}

TEST(Encoder, WideAmountIsNeverTruncated) {
  Encoder e(profile("generic-58mm"));
  const Column cols[] = {{"Total", 0, Align::Left}, {"1,234,567.89 EUR", 8, Align::Right}};
  e.initialize().row(cols);
  const auto out = after_init(e);
  const std::string s(out.begin(), out.end());
  EXPECT_EQ(s, "Total" + std::string(32 - 5 - 16, ' ') + "1,234,567.89 EUR\n");
}

TEST(Encoder, ParagraphWrapsLongWords) {
  Encoder e(profile("generic-58mm"));
  e.initialize().paragraph(std::string(40, 'x'));
  const std::string expected = std::string(32, 'x') + "\n" + std::string(8, 'x') + "\n";
  const auto out = after_init(e);
  EXPECT_EQ(std::string(out.begin(), out.end()), expected);
}

TEST(Encoder, RuleAndFeed) {
  Encoder e(profile("generic-58mm"));
  e.initialize().rule('=').feed(3);
  std::vector<std::uint8_t> expected(32, '=');
  expected.push_back(0x0A);
  expected.insert(expected.end(), {0x1B, 0x64, 3});
  EXPECT_EQ(after_init(e), expected);
}

TEST(Encoder, Code128ChoosesShortestCodeSets) {
  Encoder e(profile("generic-80mm"));
  e.initialize();
  ASSERT_TRUE(e.barcode128("INV-100005").ok());
  // {B "INV-" then {C 10 00 05: 3 symbols instead of 6.
  EXPECT_EQ(after_init(e),
            bytes({0x1D, 0x68, 60,  0x1D, 0x77, 2,   0x1D, 0x48, 2,   0x1D, 0x66, 0, 0x1D, 0x6B,
                   73,   11,   '{', 'B',  'I',  'N', 'V',  '-',  '{', 'C',  10,   0, 5}));
  e.clear();
  e.initialize();
  ASSERT_TRUE(e.barcode128("123456").ok());
  EXPECT_EQ(std::vector<std::uint8_t>(e.bytes().end() - 6, e.bytes().end()),
            bytes({5, '{', 'C', 12, 34, 56}));
  e.clear();
  e.initialize();
  ASSERT_TRUE(e.barcode128("A1").ok());  // too short for C to pay off
  EXPECT_EQ(std::vector<std::uint8_t>(e.bytes().end() - 5, e.bytes().end()),
            bytes({4, '{', 'B', 'A', '1'}));
  e.clear();
  e.initialize();
  ASSERT_TRUE(e.barcode128("a{b").ok());  // '{' is sent as "{{"
  EXPECT_EQ(std::vector<std::uint8_t>(e.bytes().end() - 7, e.bytes().end()),
            bytes({6, '{', 'B', 'a', '{', '{', 'b'}));
}

TEST(Encoder, Code128RefusesWhatItCannotCarry) {
  Encoder e(profile("generic-80mm"));
  EXPECT_EQ(e.barcode128("").error().code, ErrorCode::BarcodeInvalid);
  EXPECT_EQ(e.barcode128("Müller").error().code, ErrorCode::BarcodeInvalid);
  EXPECT_EQ(e.barcode128(std::string(300, 'A')).error().code, ErrorCode::BarcodeInvalid);
}

// Issue 15 (intended change): a code too long for native bars used to go as a raster image at
// one dot per module (0.125 mm, too thin for counter scanners); now it is refused, and the
// template prints it as text.
TEST(Encoder, Code128ThatDoesNotFitAtTwoDotsPerModuleIsRefused) {
  Encoder e(profile("generic-58mm"));
  e.initialize();
  const auto before = e.bytes();
  const auto r = e.barcode128("RCP-INV-12345-20260105T143022Z-001");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::BarcodeInvalid);
  EXPECT_EQ(e.bytes(), before);  // nothing half-printed
}

TEST(Encoder, NativeQr) {
  Encoder e(profile("generic-80mm"));
  e.initialize();
  ASSERT_TRUE(e.qr("https://x.example/r", {5, QrErrorCorrection::M}).ok());
  auto expected = bytes({0x1D, 0x28, 0x6B, 4,  0, 49, 65, 50, 0,  // model 2
                         0x1D, 0x28, 0x6B, 3,  0, 49, 67, 5,      // module 5
                         0x1D, 0x28, 0x6B, 3,  0, 49, 69, 49,     // level M
                         0x1D, 0x28, 0x6B, 22, 0, 49, 80, 48});   // store 19 bytes
  const std::string data = "https://x.example/r";
  expected.insert(expected.end(), data.begin(), data.end());
  expected.insert(expected.end(), {0x1D, 0x28, 0x6B, 3, 0, 49, 81, 48});
  EXPECT_EQ(after_init(e), expected);
}

TEST(Encoder, RasterQrWhereTheProfileHasNoNativeQr) {
  Encoder e(profile("clone-58mm"));
  e.initialize();
  ASSERT_TRUE(e.qr("https://x.example/r", {4, QrErrorCorrection::M}).ok());
  const auto out = after_init(e, 7);
  // Version 2 (25 modules) + 8 quiet = 33 modules * 4 dots = 132 dots = 17 bytes per row, in
  // bands of 24 lines (the clone's small buffer).
  ASSERT_GE(out.size(), 8U);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 8),
            bytes({0x1D, 0x76, 0x30, 0, 17, 0, 24, 0}));
  EXPECT_EQ(out.size(), 6U * 8U + 132U * 17U);  // 132 lines = 5 bands of 24 + one of 12
}

TEST(Encoder, RasterImageInBands) {
  Encoder e(profile("generic-80mm"));  // 128 lines per band
  MonoImage img;
  img.width = 10;
  img.height = 130;
  img.bits.assign(2 * 130, 0xFF);
  e.initialize();
  ASSERT_TRUE(e.image(img).ok());
  const auto out = after_init(e);
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 8),
            bytes({0x1D, 0x76, 0x30, 0, 2, 0, 128, 0}));
  const std::size_t second = 8 + 256;
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin() + second, out.begin() + second + 8),
            bytes({0x1D, 0x76, 0x30, 0, 2, 0, 2, 0}));
  EXPECT_EQ(out.size(), second + 8 + 4);
  MonoImage wide;
  wide.width = 600;
  wide.height = 1;
  wide.bits.assign(75, 0);
  EXPECT_EQ(e.image(wide).error().code, ErrorCode::ImageTooLarge);
}

TEST(Encoder, CutFeedsThenCuts) {
  Encoder e(profile("generic-80mm"));
  e.initialize().cut(Cut::Partial).cut(Cut::Full);
  EXPECT_EQ(after_init(e), bytes({0x1B, 0x64, 4, 0x1D, 0x56, 1, 0x1B, 0x64, 4, 0x1D, 0x56, 0}));
  Encoder star(profile("star-tsp143-escpos"));  // partial cutter only
  star.initialize().cut(Cut::Full);
  EXPECT_EQ(after_init(star), bytes({0x1B, 0x64, 3, 0x1D, 0x56, 1}));
  Encoder clone(profile("clone-58mm"));  // no cutter: feed only
  clone.initialize().cut(Cut::Full);
  EXPECT_EQ(after_init(clone, 7), bytes({0x1B, 0x64, 4}));
}

TEST(Encoder, DrawerPulse) {
  Encoder e(profile("generic-80mm"));
  e.initialize();
  ASSERT_TRUE(e.drawer_pulse(DrawerPin::Pin2, 100, 200).ok());
  ASSERT_TRUE(e.drawer_pulse(DrawerPin::Pin5).ok());
  EXPECT_EQ(after_init(e), bytes({0x1B, 0x70, 0, 50, 100, 0x1B, 0x70, 1, 50, 100}));
  Encoder clone(profile("clone-58mm"));  // pin 2 only
  EXPECT_EQ(clone.drawer_pulse(DrawerPin::Pin5).error().code, ErrorCode::DrawerUnavailable);
}

TEST(Encoder, SanitizeAndWidthHelpers) {
  EXPECT_EQ(sanitize_text("a\tb\x1b"
                          "c\xC2\x9F"
                          "d"),
            "a bcd");
  EXPECT_EQ(sanitize_text("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(display_width("Müller Straße"), 13);
}

}  // namespace
}  // namespace pos::escpos

// Issue 15: outside text (an invoiceNumber with ESC or NUL) is cleaned before it is stored.
namespace pos::escpos {
namespace {

TEST(CleanOutsideText, RemovesEveryControlByteAndKeepsPrintableText) {
  for (int c = 0; c < 0x20; ++c) {
    SCOPED_TRACE(c);
    const std::string in = std::string("INV-") + static_cast<char>(c) + "42";
    EXPECT_EQ(clean_outside_text(in), "INV-42");
  }
  EXPECT_EQ(clean_outside_text("INV-\x7F"
                               "42"),
            "INV-42");
  for (char32_t c = 0x80; c <= 0x9F; ++c) {  // C1 controls, written as valid UTF-8
    SCOPED_TRACE(static_cast<int>(c));
    std::string in = "A";
    in += static_cast<char>(0xC0 | (c >> 6));
    in += static_cast<char>(0x80 | (c & 0x3F));
    in += "B";
    EXPECT_EQ(clean_outside_text(in), "AB");
  }
  // What an attacker would hide in an invoice number: a drawer kick, a status request, a cut.
  EXPECT_EQ(clean_outside_text(std::string("INV-1\x1Bp\x00\x19\xFA\x10\x04\x01\x1DV\x01", 15)),
            "INV-1p\xEF\xBF\xBDV");
  const std::string kept = "Müller & Söhne — Привет Ελλάδα € 日本 🙂 ~!";
  EXPECT_EQ(clean_outside_text(kept), kept);
  EXPECT_EQ(clean_outside_text(""), "");
}

TEST(CleanOutsideText, InvalidUtf8BecomesReplacementCharacters) {
  const std::string R = "\xEF\xBF\xBD";
  EXPECT_EQ(clean_outside_text("\xFF"), R);
  EXPECT_EQ(clean_outside_text("a\xC3"), "a" + R);                   // truncated
  EXPECT_EQ(clean_outside_text("\xC0\xAF"), R + R);                  // overlong '/'
  EXPECT_EQ(clean_outside_text("\xE0\x80\x80"), R + R + R);          // overlong NUL
  EXPECT_EQ(clean_outside_text("\xC0\x80"), R + R);                  // overlong NUL (Java style)
  EXPECT_EQ(clean_outside_text("\xED\xA0\x80"), R + R + R);          // a UTF-16 surrogate
  EXPECT_EQ(clean_outside_text("\xF4\x90\x80\x80"), R + R + R + R);  // above U+10FFFF
  EXPECT_EQ(clean_outside_text("\x80x"), R + "x");                   // lone continuation byte
  EXPECT_EQ(clean_outside_text("\xE2\x82"), R + R);                  // € cut short
  // The result is always valid UTF-8 without controls: cleaning it again changes nothing.
  for (const char* in : {"\xFF\x1B\xC3", "\xE2\x82\xAC\x00\x9B", "ok"}) {
    const auto once = clean_outside_text(in);
    EXPECT_EQ(clean_outside_text(once), once);
  }
}

// ---- rows against a plain reference layout ----------------------------------------------------
// Encoder::row has fast paths (a cell of printable ASCII is copied as it is, a flexible cell that
// fits is not scanned for a break). The reference below lays a row out the plain way: every cell
// sanitized, every width counted by code point, every line break searched for, every piece
// printed through Encoder::text. Random rows must give the same bytes.
std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;  // sanitized: valid
    char32_t cp = len == 1 ? b : static_cast<char32_t>(b & (0x7FU >> len));
    for (std::size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string utf8_of(const std::vector<char32_t>& cps, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    const char32_t c = cps[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

void reference_row(Encoder& e, const std::vector<Column>& columns) {
  const std::size_t n = std::min<std::size_t>(columns.size(), 8);
  if (n == 0) return;
  std::vector<std::vector<char32_t>> text(n);
  std::vector<int> width(n, 0);
  std::size_t flex = n;
  int fixed = static_cast<int>(n) - 1;
  for (std::size_t c = 0; c < n; ++c) {
    text[c] = code_points(sanitize_text(columns[c].text));
    if (columns[c].width == 0 && flex == n) {
      flex = c;
      continue;
    }
    width[c] = std::max(columns[c].width, static_cast<int>(text[c].size()));
    fixed += width[c];
  }
  if (flex != n) width[flex] = std::max(1, e.line_width() - fixed);
  std::size_t at = 0;  // where the rest of the flexible cell starts
  const std::size_t end = flex != n ? text[flex].size() : 0;
  bool first = true;
  while (first || at < end) {
    std::string piece;
    int piece_width = 0;
    if (flex != n) {
      const auto& t = text[flex];
      const std::size_t w = static_cast<std::size_t>(width[flex]);
      std::size_t cut = std::min(end, at + w), next = cut;
      if (cut < end && t[cut] != ' ') {  // inside a word: break after the last space that fits
        std::size_t space = cut;
        while (space > at && t[space - 1] != ' ') --space;
        if (space > at) cut = space - 1, next = space;
      }
      piece = utf8_of(t, at, cut);
      piece_width = static_cast<int>(cut - at);
      at = next;
      while (at < end && t[at] == ' ') ++at;
    }
    const std::size_t last = first ? n - 1 : flex;
    for (std::size_t c = 0; c <= last; ++c) {
      if (c > 0) e.text(" ");
      std::string cell;
      int cell_width = 0;
      if (c == flex) {
        cell = piece;
        cell_width = piece_width;
      } else if (first) {
        cell = utf8_of(text[c], 0, text[c].size());
        cell_width = static_cast<int>(text[c].size());
      }
      const int pad = width[c] - cell_width;
      const bool trailing = c == last;
      const auto spaces = [&e](int k) { e.text(std::string(static_cast<std::size_t>(k), ' ')); };
      if (columns[c].align == Align::Right) {
        spaces(pad);
        e.text(cell);
      } else if (columns[c].align == Align::Center) {
        spaces(pad / 2);
        e.text(cell);
        if (!trailing) spaces(pad - pad / 2);
      } else {
        e.text(cell);
        if (!trailing) spaces(pad);
      }
    }
    e.newline();
    first = false;
  }
}

TEST(EncoderRows, RandomRowsGiveTheBytesOfThePlainLayout) {
  static constexpr std::string_view kPieces[] = {
      "a",    "Z",        "7",  " ",    " ", "  ", ".",    "-",         "é",    "€",
      "ß",    "Ω",        "λ",  "Ж",    "¥", "\t", "\x01", "\x1b",      "\x7f", "\xc2\x9b",
      "\xff", "\xe2\x82", "漢", "🙂", "|", "%",  "word", "longerword"};
  std::mt19937 rng(14);
  const char* profiles[] = {"generic-80mm", "generic-58mm", "epson-tm-t88v"};
  int rows = 0;
  for (const char* id : profiles) {
    for (int round = 0; round < 400; ++round) {
      const bool ascii_only = round % 3 == 0;  // the fast paths' own case, often
      std::vector<std::string> texts;
      std::vector<Column> columns;
      const std::size_t n = 1 + rng() % 5;
      for (std::size_t c = 0; c < n; ++c) {
        std::string t;
        const std::size_t len = rng() % 14;
        for (std::size_t k = 0; k < len; ++k) {
          const auto piece = kPieces[rng() % std::size(kPieces)];
          if (ascii_only && (static_cast<unsigned char>(piece[0]) >= 0x80 || piece[0] < 0x20 ||
                             piece[0] == 0x7f)) {
            t += 'x';
          } else {
            t += piece;
          }
        }
        texts.push_back(std::move(t));
      }
      for (std::size_t c = 0; c < n; ++c) {
        const int width = rng() % 3 == 0 ? 0 : static_cast<int>(rng() % 12);
        const auto align = static_cast<Align>(rng() % 3);
        columns.push_back({texts[c], width, align});
      }
      const Emphasis emphasis = rng() % 4 == 0 ? Emphasis::DoubleWidth : Emphasis::None;
      const Font font = rng() % 4 == 0 ? Font::B : Font::A;
      Encoder fast(profile(id)), plain(profile(id));
      fast.initialize().font(font).emphasis(emphasis);
      plain.initialize().font(font).emphasis(emphasis);
      fast.row(columns);
      reference_row(plain, columns);
      ASSERT_EQ(fast.bytes(), plain.bytes()) << id << " round " << round;
      ASSERT_EQ(fast.replaced_characters(), plain.replaced_characters());
      ++rows;
    }
  }
  EXPECT_EQ(rows, 1200);
}

}  // namespace
}  // namespace pos::escpos
