// PNG in/out through Debian's compiled stb (libstb), area-average scaling, and dithering.
// Sections: decode_png, encode_png, scale_to_fit, to_mono.
#include <pos/escpos/image.hpp>

#include <stb_image.h>
#include <stb_image_write.h>
#include <algorithm>
#include <cstring>

namespace pos::escpos {
namespace {
constexpr int kMaxSide = 8192;  // a receipt logo is a few hundred dots; refuse decompression bombs
constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
}  // namespace

// ---- decode_png ---------------------------------------------------------------------------------
Expected<GrayImage> decode_png(std::span<const std::uint8_t> png) {
  if (png.size() < 8 || std::memcmp(png.data(), kPngSignature, 8) != 0) {
    return Error{ErrorCode::ImageDecode, "not a PNG file"};
  }
  if (png.size() > static_cast<std::size_t>(1) << 30)
    return Error{ErrorCode::ImageTooLarge, "PNG larger than 1 GiB"};
  const int len = static_cast<int>(png.size());
  int w = 0, h = 0, channels = 0;
  if (stbi_info_from_memory(png.data(), len, &w, &h, &channels) == 0) {
    return Error{ErrorCode::ImageDecode, std::string("unreadable PNG: ") + stbi_failure_reason()};
  }
  if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide) {
    return Error{ErrorCode::ImageTooLarge, "PNG sides must be 1.." + std::to_string(kMaxSide)};
  }
  // Two channels: gray + alpha, so transparent pixels become paper white.
  stbi_uc* data = stbi_load_from_memory(png.data(), len, &w, &h, &channels, 2);
  if (data == nullptr)
    return Error{ErrorCode::ImageDecode, std::string("unreadable PNG: ") + stbi_failure_reason()};
  GrayImage out;
  out.width = w;
  out.height = h;
  const auto count = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  out.pixels.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned gray = data[2 * i];
    const unsigned alpha = data[2 * i + 1];
    out.pixels[i] = static_cast<std::uint8_t>((gray * alpha + 255U * (255U - alpha)) / 255U);
  }
  stbi_image_free(data);
  return out;
}

// ---- encode_png ---------------------------------------------------------------------------------
std::vector<std::uint8_t> encode_png(const GrayImage& image) {
  std::vector<std::uint8_t> out;
  if (image.width <= 0 || image.height <= 0) return out;
  auto sink = [](void* context, void* data, int size) {
    auto* v = static_cast<std::vector<std::uint8_t>*>(context);
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    v->insert(v->end(), bytes, bytes + size);
  };
  stbi_write_png_to_func(sink, &out, image.width, image.height, 1, image.pixels.data(),
                         image.width);
  return out;
}

// ---- scale_to_fit -------------------------------------------------------------------------------
GrayImage scale_to_fit(const GrayImage& image, int max_width) {
  if (image.width <= max_width || max_width <= 0) return image;
  GrayImage out;
  out.width = max_width;
  out.height =
      std::max(1, static_cast<int>(static_cast<long long>(image.height) * max_width / image.width));
  out.pixels.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height));
  // Area average: each output pixel is the mean of the source pixels it covers.
  for (int y = 0; y < out.height; ++y) {
    const int y0 = y * image.height / out.height;
    const int y1 = std::max(y0 + 1, (y + 1) * image.height / out.height);
    for (int x = 0; x < out.width; ++x) {
      const int x0 = x * image.width / out.width;
      const int x1 = std::max(x0 + 1, (x + 1) * image.width / out.width);
      unsigned sum = 0, n = 0;
      for (int sy = y0; sy < y1; ++sy) {
        for (int sx = x0; sx < x1; ++sx) {
          sum += image.pixels[static_cast<std::size_t>(sy * image.width + sx)];
          ++n;
        }
      }
      out.pixels[static_cast<std::size_t>(y * out.width + x)] = static_cast<std::uint8_t>(sum / n);
    }
  }
  return out;
}

// ---- to_mono ------------------------------------------------------------------------------------
MonoImage to_mono(const GrayImage& image, Dither dither) {
  MonoImage out;
  out.width = image.width;
  out.height = image.height;
  out.bits.assign(static_cast<std::size_t>(out.bytes_per_row() * out.height), 0);
  const int w = image.width;
  // Error diffusion works on a signed copy; two extra rows/columns avoid edge checks.
  const int stride = w + 4;
  std::vector<int> level(static_cast<std::size_t>(stride * (image.height + 2)), 0);
  auto at = [&](int x, int y) -> int& {
    return level[static_cast<std::size_t>((y * stride) + x + 2)];
  };
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < w; ++x) at(x, y) = image.pixels[static_cast<std::size_t>(y * w + x)];
  }
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < w; ++x) {
      const int old = at(x, y);
      const bool is_black = old < 128;
      if (is_black) {
        out.bits[static_cast<std::size_t>(y * out.bytes_per_row() + x / 8)] |=
            static_cast<std::uint8_t>(0x80U >> (x % 8));
      }
      const int err = old - (is_black ? 0 : 255);
      switch (dither) {
        case Dither::FloydSteinberg:
          at(x + 1, y) += err * 7 / 16;
          at(x - 1, y + 1) += err * 3 / 16;
          at(x, y + 1) += err * 5 / 16;
          at(x + 1, y + 1) += err / 16;
          break;
        case Dither::Atkinson:  // spreads 6/8 of the error: crisper on thermal paper
          at(x + 1, y) += err / 8;
          at(x + 2, y) += err / 8;
          at(x - 1, y + 1) += err / 8;
          at(x, y + 1) += err / 8;
          at(x + 1, y + 1) += err / 8;
          at(x, y + 2) += err / 8;
          break;
        case Dither::Threshold:
          break;
      }
    }
  }
  return out;
}

Expected<MonoImage> raster_from_png(std::span<const std::uint8_t> png, int max_width,
                                    Dither dither) {
  auto gray = decode_png(png);
  if (!gray) return gray.error();
  return to_mono(scale_to_fit(gray.value(), max_width), dither);
}

}  // namespace pos::escpos
