#include <pos/sync/http_trace_context.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
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

}  // namespace pos::sync
