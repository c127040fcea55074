// Pictures: 8-bit gray images (0 black .. 255 white), 1-bit printer images, PNG in and out
// (stb_image / stb_image_write, in memory), scaling and dithering for GS v 0 raster printing.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <pos/escpos/error.hpp>

namespace pos::escpos {

struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // row-major, width*height, 0 = black, 255 = white
};

// What a thermal head prints: 1 = a burnt (black) dot. Row-major, MSB first, each row padded
// to whole bytes, exactly the GS v 0 data layout.
struct MonoImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> bits;
  int bytes_per_row() const { return (width + 7) / 8; }
  bool black(int x, int y) const {
    return (bits[static_cast<std::size_t>(y * bytes_per_row() + x / 8)] >> (7 - x % 8)) & 1;
  }
};

enum class Dither : std::uint8_t { FloydSteinberg, Atkinson, Threshold };

// Any PNG (gray, RGB, with alpha: alpha is composited on white paper).
Expected<GrayImage> decode_png(std::span<const std::uint8_t> png);
// Gray PNG in memory (stb_image_write); used for previews.
std::vector<std::uint8_t> encode_png(const GrayImage& image);

// Scales down (area average) to at most max_width dots keeping the aspect ratio, never up.
GrayImage scale_to_fit(const GrayImage& image, int max_width);
// Gray -> 1-bit with the chosen dithering (Threshold: < 128 is black).
MonoImage to_mono(const GrayImage& image, Dither dither);
// PNG -> what Encoder::image prints: decoded, scaled to at most max_width dots (pass the
// profile's raster_max_width), dithered. Do it once per logo, not per receipt.
Expected<MonoImage> raster_from_png(std::span<const std::uint8_t> png, int max_width,
                                    Dither dither);

}  // namespace pos::escpos
