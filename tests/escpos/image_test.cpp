// PNG in/out, scaling and dithering.
#include <gtest/gtest.h>

#include <pos/escpos/image.hpp>

namespace pos::escpos {
namespace {

GrayImage gradient(int w, int h) {
  GrayImage g;
  g.width = w;
  g.height = h;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) g.pixels.push_back(static_cast<std::uint8_t>(x * 255 / (w - 1)));
  }
  return g;
}

int black_count(const MonoImage& m) {
  int n = 0;
  for (int y = 0; y < m.height; ++y) {
    for (int x = 0; x < m.width; ++x) n += m.black(x, y) ? 1 : 0;
  }
  return n;
}

TEST(Images, PngRoundTrip) {
  const auto g = gradient(37, 5);
  const auto png = encode_png(g);
  auto back = decode_png(png);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->width, 37);
  EXPECT_EQ(back->height, 5);
  EXPECT_EQ(back->pixels, g.pixels);
}

TEST(Images, MalformedPngIsAnError) {
  const std::vector<std::uint8_t> junk = {1, 2, 3};
  EXPECT_EQ(decode_png(junk).error().code, ErrorCode::ImageDecode);
  auto png = encode_png(gradient(8, 8));
  png.resize(png.size() / 2);  // truncated
  EXPECT_FALSE(decode_png(png).ok());
  auto corrupt = encode_png(gradient(8, 8));
  for (std::size_t i = 40; i < corrupt.size(); ++i)
    corrupt[i] = static_cast<std::uint8_t>(corrupt[i] ^ 0x5A);
  EXPECT_FALSE(decode_png(corrupt).ok());
  EXPECT_EQ(encode_png(GrayImage{}).size(), 0U);
}

TEST(Images, ScaleToFitKeepsAspectAndNeverEnlarges) {
  const auto g = gradient(1000, 200);
  const auto s = scale_to_fit(g, 500);
  EXPECT_EQ(s.width, 500);
  EXPECT_EQ(s.height, 100);
  EXPECT_EQ(s.pixels.size(), 500U * 100U);
  EXPECT_LT(s.pixels.front(), 5);
  EXPECT_GT(s.pixels.back(), 250);
  EXPECT_EQ(scale_to_fit(g, 2000).width, 1000);
}

TEST(Images, DitheringKeepsTheGrayLevel) {
  GrayImage mid;
  mid.width = 64;
  mid.height = 64;
  mid.pixels.assign(64 * 64, 128);
  const int total = 64 * 64;
  const int fs = black_count(to_mono(mid, Dither::FloydSteinberg));
  const int at = black_count(to_mono(mid, Dither::Atkinson));
  const int th = black_count(to_mono(mid, Dither::Threshold));
  EXPECT_NEAR(fs, total / 2, total / 10);  // half the dots for 50 % gray
  EXPECT_GT(at, 0);
  EXPECT_LT(at, total);
  EXPECT_EQ(th, 0);  // 128 is not below the threshold
  GrayImage dark = mid;
  dark.pixels.assign(64 * 64, 20);
  EXPECT_EQ(black_count(to_mono(dark, Dither::Threshold)), total);
  const auto m = to_mono(gradient(13, 2), Dither::Threshold);
  EXPECT_EQ(m.bytes_per_row(), 2);
  EXPECT_EQ(m.bits.size(), 4U);
  EXPECT_TRUE(m.black(0, 0));
  EXPECT_FALSE(m.black(12, 1));
}

TEST(Images, RasterFromPngScalesAndDithers) {
  const auto png = encode_png(gradient(1000, 100));
  auto mono = raster_from_png(png, 384, Dither::FloydSteinberg);
  ASSERT_TRUE(mono.ok()) << mono.error().message;
  EXPECT_EQ(mono->width, 384);
  EXPECT_EQ(mono->height, 38);
  EXPECT_TRUE(mono->black(0, 10));     // the dark end stays black
  EXPECT_FALSE(mono->black(383, 10));  // the light end stays white
  const int blacks = black_count(*mono);
  EXPECT_NEAR(blacks, 384 * 38 / 2, 384 * 38 / 10);
  EXPECT_EQ(raster_from_png(std::vector<std::uint8_t>{0x89, 'P', 'N', 'G'}, 384, Dither::Atkinson)
                .error()
                .code,
            ErrorCode::ImageDecode);
}

}  // namespace
}  // namespace pos::escpos
