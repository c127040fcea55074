#include "text_deflate.hpp"

#define ZLIB_CONST
#include <zlib.h>

#include <stdexcept>

namespace pos::ledger {

namespace {
// Level 6 with a small hash table. The default receipt alone: 9 us at level 1, 526 bytes (level
// 6 with zlib's default memory: 54 us, 477 bytes, nearly all of it clearing the 128 KB of hash
// tables each reset). With the small table, level 6 costs no CPU the capture bench can see
// (record_capture without sync, p50 198-204 us vs 199-200 at level 1, 2026-12-03) and stores a
// text against its dictionary in a quarter less: a capture's events 169 -> 124 bytes, its receipt
// 75 -> 71 (the lazy matching finds the row's ids, text_store.hpp, which level 1's misses).
constexpr int kLevel = 6;
constexpr int kMemLevel = 2;
constexpr int kWindowBits = 15;  // zlib format, the whole window: any inflater reads it
}  // namespace

namespace {
// One deflate state per thread, reset for each text rather than made and freed: making one
// allocates and clears its window and tables, which cost more than deflating a receipt.
struct Deflater {
  z_stream z{};
  Deflater() {
    if (deflateInit2(&z, kLevel, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw std::bad_alloc();
    }
  }
  ~Deflater() { deflateEnd(&z); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
};
}  // namespace

std::vector<std::byte> deflate_text(std::string_view text, std::string_view dictionary) {
  thread_local Deflater d;
  z_stream& z = d.z;
  if (deflateReset(&z) != Z_OK) throw std::logic_error("deflateReset");
  if (!dictionary.empty() &&
      deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dictionary.data()),
                           static_cast<uInt>(dictionary.size())) != Z_OK) {
    throw std::logic_error("deflateSetDictionary");
  }
  std::vector<std::byte> out(deflateBound(&z, static_cast<uLong>(text.size())));
  z.next_in = reinterpret_cast<const Bytef*>(text.data());
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  if (rc != Z_STREAM_END) throw std::logic_error("deflate: output bound too small");
  return out;
}

std::optional<std::string> inflate_text(std::span<const std::byte> data, std::size_t max_bytes,
                                        std::optional<std::string_view> dictionary) {
  z_stream z{};
  if (inflateInit2(&z, kWindowBits) != Z_OK) throw std::bad_alloc();
  std::string out;
  z.next_in = reinterpret_cast<const Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  bool dictionary_used = false;
  char chunk[4096];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_NEED_DICT && dictionary && !dictionary_used) {
      // Z_DATA_ERROR when this is not the dictionary the stream was made with (its Adler-32).
      rc = inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dictionary->data()),
                                static_cast<uInt>(dictionary->size()));
      dictionary_used = true;
      continue;
    }
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > max_bytes) rc = Z_DATA_ERROR;
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_BUF_ERROR;  // cut short
  }
  // Whole means: the stream ended (its Adler-32 checked), nothing follows it, and it was made
  // with the dictionary given (or without one, when none is).
  const bool whole =
      rc == Z_STREAM_END && z.avail_in == 0 && dictionary_used == dictionary.has_value();
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

std::uint32_t dictionary_id(std::string_view dictionary) {
  return static_cast<std::uint32_t>(adler32_z(adler32_z(0, nullptr, 0),
                                              reinterpret_cast<const Bytef*>(dictionary.data()),
                                              dictionary.size()));
}

std::optional<std::uint32_t> stream_dictionary_id(std::span<const std::byte> data) {
  if (data.size() < 6) return std::nullopt;
  const auto at = [&](std::size_t i) { return static_cast<std::uint32_t>(data[i]); };
  const std::uint32_t cmf = at(0), flg = at(1);
  // RFC 1950: CM 8 (deflate), CMF*256 + FLG a multiple of 31, FDICT (bit 5 of FLG) set.
  if ((cmf & 0x0f) != 8 || (cmf * 256 + flg) % 31 != 0 || (flg & 0x20) == 0) return std::nullopt;
  return at(2) << 24 | at(3) << 16 | at(4) << 8 | at(5);
}

}  // namespace pos::ledger
