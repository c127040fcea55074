// Decoder: every command the encoder emits is understood; anything else is reported with its
// offset and never guessed; the picture has the profile's width.
#include <gtest/gtest.h>

#include <pos/escpos/decoder.hpp>
#include <pos/escpos/encoder.hpp>

#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::bytes;
using testing::profile;

int dark_pixels(const GrayImage& img, int y0, int y1) {
  int n = 0;
  for (int y = std::max(0, y0); y < std::min(img.height, y1); ++y) {
    for (int x = 0; x < img.width; ++x)
      n += img.pixels[static_cast<std::size_t>(y * img.width + x)] < 128 ? 1 : 0;
  }
  return n;
}

TEST(Decoder, TextWithStylesAndCodePages) {
  Encoder e(profile("generic-80mm"));
  e.initialize()
      .align(Align::Center)
      .emphasis(Emphasis::Bold | Emphasis::DoubleHeight)
      .line("Müller Straße");
  e.emphasis(Emphasis::None).align(Align::Left).line("Łódź 5 €").line("Привет");
  const auto d = decode(e.bytes(), profile("generic-80mm"));
  EXPECT_TRUE(d.unknown.empty());
  EXPECT_EQ(d.text, "Müller Straße\nŁódź 5 €\nПривет\n");
  ASSERT_EQ(d.lines.size(), 3U);
  EXPECT_TRUE(d.lines[0].bold);
  EXPECT_TRUE(d.lines[0].double_height);
  EXPECT_FALSE(d.lines[1].bold);
  EXPECT_EQ(d.picture.width, 576);
  EXPECT_EQ(d.picture.height, 48 + 24 + 24);
  EXPECT_GT(dark_pixels(d.picture, 0, 48), 100);
  EXPECT_EQ(d.consumed, e.bytes().size());
}

TEST(Decoder, BarcodeQrRasterCutAndDrawerAreElements) {
  Encoder e(profile("generic-80mm"));
  e.initialize().align(Align::Center);
  ASSERT_TRUE(e.barcode128("INV-100005").ok());
  ASSERT_TRUE(e.qr("https://shop.example/r/INV-100005").ok());
  MonoImage logo;
  logo.width = 16;
  logo.height = 4;
  logo.bits.assign(8, 0xAA);
  ASSERT_TRUE(e.image(logo).ok());
  ASSERT_TRUE(e.drawer_pulse(DrawerPin::Pin2).ok());
  e.cut(Cut::Partial);
  const auto d = decode(e.bytes(), profile("generic-80mm"));
  ASSERT_TRUE(d.unknown.empty()) << d.unknown[0].reason;
  ASSERT_EQ(d.elements.size(), 5U);
  EXPECT_EQ(d.elements[0].kind, ElementKind::Barcode);
  EXPECT_EQ(d.elements[0].value, "INV-100005");
  EXPECT_EQ(d.elements[0].width, (11 * 10 + 13) * 2);  // 9 symbols + check + STOP, module 2
  EXPECT_EQ(d.elements[1].kind, ElementKind::Qr);
  EXPECT_EQ(d.elements[1].value, "https://shop.example/r/INV-100005");
  EXPECT_EQ(d.elements[2].kind, ElementKind::Raster);
  EXPECT_EQ(d.elements[3].kind, ElementKind::DrawerPulse);
  EXPECT_EQ(d.elements[3].value, "pin2");
  EXPECT_EQ(d.elements[4].kind, ElementKind::Cut);
  EXPECT_EQ(d.elements[4].value, "partial");
  EXPECT_EQ(d.text, std::string(4, '\n'));  // HRI is drawn, not text; the cut feeds 4 lines
  EXPECT_GT(d.picture.height, 60 + 100);
}

TEST(Decoder, RasterQrFallbackDecodesAsRaster) {
  Encoder e(profile("clone-58mm"));
  e.initialize();
  ASSERT_TRUE(e.qr("hello").ok());
  const auto d = decode(e.bytes(), profile("clone-58mm"));
  EXPECT_TRUE(d.unknown.empty());
  ASSERT_FALSE(d.elements.empty());
  for (const auto& el : d.elements) EXPECT_EQ(el.kind, ElementKind::Raster);
  EXPECT_EQ(d.picture.width, 384);
}

TEST(Decoder, UnknownCommandIsReportedWithOffsetAndStops) {
  const auto in = bytes({'A', 'B', 0x0A, 0x1B, 0x7A, 1, 'C', 0x0A});  // ESC z is not ours
  const auto d = decode(in, profile("generic-80mm"));
  ASSERT_EQ(d.unknown.size(), 1U);
  EXPECT_EQ(d.unknown[0].offset, 3U);
  EXPECT_EQ(d.unknown[0].bytes, bytes({0x1B, 0x7A, 1, 'C'}));
  EXPECT_EQ(d.text, "AB\n");  // nothing after it is guessed
  EXPECT_EQ(d.consumed, 3U);
}

TEST(Decoder, UnknownControlByteAndTruncatedCommands) {
  EXPECT_EQ(decode(bytes({'x', 0x07}), profile("generic-80mm")).unknown.at(0).offset, 1U);
  const auto t = decode(bytes({0x1D, 0x76, 0x30, 0, 10, 0, 10, 0, 1, 2}), profile("generic-80mm"));
  ASSERT_EQ(t.unknown.size(), 1U);
  EXPECT_EQ(t.unknown[0].offset, 0U);
  EXPECT_NE(t.unknown[0].reason.find("truncated"), std::string::npos);
  EXPECT_FALSE(
      decode(bytes({0x1D, 0x6B, 73, 3, '{', 'X', 'A'}), profile("generic-80mm")).unknown.empty());
  EXPECT_FALSE(decode(bytes({0x1D, 0x6B, 4, 'A', 'B', 0}), profile("generic-80mm"))
                   .unknown.empty());  // not CODE128
  EXPECT_FALSE(decode(bytes({0x1B, 0x74, 99}), profile("generic-80mm"))
                   .unknown.empty());  // page not in profile
  EXPECT_FALSE(
      decode(bytes({0x1D, 0x28, 0x6B, 3, 0, 49, 81, 48}), profile("generic-80mm")).unknown.empty());
}

TEST(Decoder, LongLinesWrapLikeThePrinter) {
  const std::string s(50, 'x');
  std::vector<std::uint8_t> in(s.begin(), s.end());
  in.push_back(0x0A);
  const auto d = decode(in, profile("generic-80mm"));
  EXPECT_EQ(d.text, std::string(48, 'x') + "\n" + "xx\n");
}

TEST(Decoder, TextOnlyModeDrawsNothing) {
  const auto d = decode(bytes({'h', 'i', 0x0A}), profile("generic-58mm"), DrawMode::TextOnly);
  EXPECT_EQ(d.text, "hi\n");
  EXPECT_EQ(d.picture.width, 0);
  EXPECT_TRUE(d.picture.pixels.empty());
}

TEST(Decoder, PreviewEncodesAsPng) {
  Encoder e(profile("generic-58mm"));
  e.initialize().line("PNG");
  const auto d = decode(e.bytes(), profile("generic-58mm"));
  const auto png = encode_png(d.picture);
  ASSERT_GT(png.size(), 8U);
  EXPECT_EQ(png[1], 'P');
  const auto back = decode_png(png);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->width, 384);
  EXPECT_EQ(back->pixels, d.picture.pixels);
}

}  // namespace
}  // namespace pos::escpos
