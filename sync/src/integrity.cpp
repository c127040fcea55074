// Integrity helpers (see integrity.hpp).
#include <pos/sync/integrity.hpp>

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace pos::sync {

bool json_nesting_within(std::string_view text, int max_depth) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > max_depth) return false;
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return true;
}

nlohmann::json parse_outside_json(std::string_view text, int max_depth) {
  if (!json_nesting_within(text, max_depth))
    return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

namespace {
void init_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("sodium_init failed");
}
}  // namespace

Digest digest_of(std::span<const std::string_view> parts) {
  init_sodium();
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (auto p : parts) {
    unsigned char len[8];
    auto n = static_cast<std::uint64_t>(p.size());
    for (int i = 7; i >= 0; --i) {
      len[i] = static_cast<unsigned char>(n & 0xffU);
      n >>= 8U;
    }
    crypto_hash_sha256_update(&st, len, sizeof len);
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(p.data()), p.size());
  }
  Digest d{};
  crypto_hash_sha256_final(&st, reinterpret_cast<unsigned char*>(d.data()));
  return d;
}

Digest digest_of(std::initializer_list<std::string_view> parts) {
  return digest_of(std::span<const std::string_view>(parts.begin(), parts.size()));
}

std::string_view as_text(const Digest& d) noexcept {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string to_hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    const auto v = static_cast<unsigned>(b);
    out.push_back(kDigits[v >> 4U]);
    out.push_back(kDigits[v & 0x0fU]);
  }
  return out;
}

}  // namespace pos::sync
