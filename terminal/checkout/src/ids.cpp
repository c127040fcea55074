// Uuid text, and the UUIDv7 generator (RFC 9562 5.7 and 6.2 method 1).
#include <pos/checkout/ids.hpp>

#include <algorithm>

namespace pos::checkout {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::uint64_t kCounterBits = 42;
constexpr std::uint64_t kCounterMax = (std::uint64_t{1} << kCounterBits) - 1;

}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) noexcept {
  if (text.size() != 36) return std::nullopt;
  Bytes bytes{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = hex_value(text[i]);
    const int lo = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    if (hi < 0 || lo < 0 || out >= bytes.size()) return std::nullopt;
    bytes[out++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  if (out != bytes.size()) return std::nullopt;
  if ((bytes[8] & 0xC0) != 0x80) return std::nullopt;  // RFC 9562 variant only
  const int version = bytes[6] >> 4;
  if (version < 1 || version > 8) return std::nullopt;  // also refuses nil (0) and max (15)
  return Uuid{bytes};
}

std::string Uuid::to_string() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes_[i] >> 4]);
    text.push_back(kHex[bytes_[i] & 0x0F]);
  }
  return text;
}

std::int64_t Uuid::unix_millis() const noexcept {
  std::int64_t millis = 0;
  for (std::size_t i = 0; i < 6; ++i) millis = (millis << 8) | bytes_[i];
  return millis;
}

Uuid UuidV7Generator::next() {
  std::array<std::byte, 10> random{};
  random_.fill(random);
  const auto random_bits = [&random](std::size_t from, std::size_t count) {
    std::uint64_t v = 0;
    for (std::size_t i = from; i < from + count; ++i)
      v = (v << 8) | std::to_integer<std::uint64_t>(random[i]);
    return v;
  };

  std::lock_guard lock(mutex_);
  const std::int64_t now = std::max<std::int64_t>(clock_.now().time_since_epoch().count(), 0);
  if (now > last_millis_) {
    last_millis_ = now;
    counter_ = random_bits(0, 6) & (kCounterMax >> 1);  // below 2^41: room to count up
  } else if (counter_ < kCounterMax) {
    ++counter_;  // same (or an earlier) millisecond: keep the timestamp, count up
  } else {
    ++last_millis_;  // counter exhausted: borrow the next millisecond (RFC 9562 6.2)
    counter_ = random_bits(0, 6) & (kCounterMax >> 1);
  }

  const auto millis = static_cast<std::uint64_t>(last_millis_) & 0xFFFF'FFFF'FFFFu;
  const std::uint64_t tail = random_bits(6, 4);  // 32 random bits
  Uuid::Bytes b{};
  for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(millis >> (40 - 8 * i));
  // counter: 12 bits in rand_a, then 30 bits after the variant.
  const std::uint64_t counter_high = counter_ >> 30;          // 12 bits
  const std::uint64_t counter_low = counter_ & 0x3FFF'FFFFu;  // 30 bits
  b[6] = static_cast<std::uint8_t>(0x70 | (counter_high >> 8));
  b[7] = static_cast<std::uint8_t>(counter_high & 0xFF);
  b[8] = static_cast<std::uint8_t>(0x80 | (counter_low >> 24));
  b[9] = static_cast<std::uint8_t>((counter_low >> 16) & 0xFF);
  b[10] = static_cast<std::uint8_t>((counter_low >> 8) & 0xFF);
  b[11] = static_cast<std::uint8_t>(counter_low & 0xFF);
  b[12] = static_cast<std::uint8_t>(tail >> 24);
  b[13] = static_cast<std::uint8_t>((tail >> 16) & 0xFF);
  b[14] = static_cast<std::uint8_t>((tail >> 8) & 0xFF);
  b[15] = static_cast<std::uint8_t>(tail & 0xFF);
  return Uuid{b};
}

}  // namespace pos::checkout
