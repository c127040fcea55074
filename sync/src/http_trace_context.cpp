#include <pos/sync/http_trace_context.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>

namespace pos::sync {
namespace {

bool isLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool allZero(std::string_view s) {
  return s.find_first_not_of('0') == std::string_view::npos;
}

template <std::size_t N>
std::string randomHex() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  std::array<unsigned char, N> bytes{};
  do {
    randombytes_buf(bytes.data(), bytes.size());
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(N * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

}  // namespace

TraceId TraceId::generate() {
  return TraceId(randomHex<16>());
}

std::optional<TraceId> TraceId::parse(std::string_view hex) {
  if (hex.size() != 32 || !isLowerHex(hex) || allZero(hex)) return std::nullopt;
  return TraceId(std::string(hex));
}

std::string generateSpanId() {
  return randomHex<8>();
}

std::string formatTraceparent(const TraceId& trace, std::string_view spanId) {
  std::string out = "00-";
  out += trace.hex();
  out += '-';
  out += spanId;
  out += "-01";
  return out;
}

std::optional<Traceparent> parseTraceparent(std::string_view h) {
  // 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters for version 00; nothing may follow.
  if (h.size() != 55 || h.substr(0, 3) != "00-" || h[35] != '-' || h[52] != '-') {
    return std::nullopt;
  }
  Traceparent tp{std::string(h.substr(3, 32)), std::string(h.substr(36, 16)),
                 std::string(h.substr(53, 2))};
  if (!isLowerHex(tp.traceId) || !isLowerHex(tp.spanId) || !isLowerHex(tp.flags)) {
    return std::nullopt;
  }
  if (allZero(tp.traceId) || allZero(tp.spanId)) return std::nullopt;
  return tp;
}

std::string generateCorrelationId() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  std::array<unsigned char, 16> b{};
  randombytes_buf(b.data(), b.size());
  auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  for (int i = 5; i >= 0; --i) {
    b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms & 0xffU);
    ms >>= 8U;
  }
  b[6] = static_cast<unsigned char>(0x70U | (b[6] & 0x0fU));
  b[8] = static_cast<unsigned char>(0x80U | (b[8] & 0x3fU));
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kDigits[b[i] >> 4U]);
    out.push_back(kDigits[b[i] & 0x0fU]);
  }
  return out;
}

bool isUuidV7(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (t[i] == '-')) return false;
    if (!dash && !isLowerHex(t.substr(i, 1))) return false;
  }
  return t[14] == '7' && (t[19] == '8' || t[19] == '9' || t[19] == 'a' || t[19] == 'b');
}

}  // namespace pos::sync
