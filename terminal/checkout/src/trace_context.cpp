#include <pos/checkout/trace_context.hpp>

#include <algorithm>

namespace pos::checkout {
namespace {

int lower_hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is invalid in traceparent
}

template <std::size_t N>
bool read_hex(std::string_view text, std::array<std::uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    const int hi = lower_hex(text[2 * i]);
    const int lo = lower_hex(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (auto b : bytes) {
    text.push_back(kHex[b >> 4]);
    text.push_back(kHex[b & 0x0F]);
  }
  return text;
}

template <std::size_t N>
bool all_zero(const std::array<std::uint8_t, N>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

template <std::size_t N>
std::array<std::uint8_t, N> random_nonzero(RandomSource& random) {
  std::array<std::uint8_t, N> bytes{};
  do {
    std::array<std::byte, N> raw{};
    random.fill(raw);
    for (std::size_t i = 0; i < N; ++i) bytes[i] = std::to_integer<std::uint8_t>(raw[i]);
  } while (all_zero(bytes));
  return bytes;
}

}  // namespace

TraceParent TraceParent::start_trace(RandomSource& random) {
  return TraceParent{random_nonzero<16>(random), random_nonzero<8>(random), 0x01};
}

TraceParent TraceParent::next_span(RandomSource& random) const {
  return TraceParent{trace_id_, random_nonzero<8>(random), flags_};
}

std::optional<TraceParent> TraceParent::parse(std::string_view header) {
  if (header.size() < 55) return std::nullopt;
  std::array<std::uint8_t, 1> version{};
  std::array<std::uint8_t, 1> flags{};
  TraceIdBytes trace{};
  SpanIdBytes span{};
  if (!read_hex(header.substr(0, 2), version) || header[2] != '-' ||
      !read_hex(header.substr(3, 32), trace) || header[35] != '-' ||
      !read_hex(header.substr(36, 16), span) || header[52] != '-' ||
      !read_hex(header.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (version[0] == 0xFF) return std::nullopt;
  if (version[0] == 0x00 && header.size() != 55) return std::nullopt;
  if (version[0] != 0x00 && header.size() > 55 && header[55] != '-') return std::nullopt;
  if (all_zero(trace) || all_zero(span)) return std::nullopt;
  return TraceParent{trace, span, flags[0]};
}

std::string TraceParent::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "00-" + hex(trace_id_) + "-" + hex(span_id_) + "-";
  text.push_back(kHex[flags_ >> 4]);
  text.push_back(kHex[flags_ & 0x0F]);
  return text;
}

std::string TraceParent::trace_id_hex() const {
  return hex(trace_id_);
}
std::string TraceParent::span_id_hex() const {
  return hex(span_id_);
}

}  // namespace pos::checkout
