// Integrity helpers for data from outside and rows at rest.
//
// Sections: 1. JSON nesting bound  2. SHA-256 digests
//
// 1. nlohmann's parser is iterative, but reading a parsed value back (dump(), copies, the strict
// readers, the checkout parsers) recurses once per level: a 200 kB body of nested brackets is a
// stack overflow (SIGSEGV) in whoever touches it. Every JSON body that comes from outside goes
// through json_nesting_within() first; the HTTP client refuses deeper replies before anyone sees
// them (see http_client.hpp, transportError "REPLY_MALFORMED"). The scanner skips strings, so a
// bracket inside a string does not count.
//
// 2. Digests of rows at rest (the outbox chain, the snapshots): SHA-256 (libsodium's
// crypto_hash_sha256) over length-prefixed fields, so ("ab","c") and ("a","bc") differ. An
// unkeyed digest catches corruption and edits made without recomputing it (a flipped byte, an
// amount changed with plain SQL); someone who can recompute SHA-256 over a row can also forge
// it: that needs a key the attacker does not hold, which this terminal does not have yet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. JSON nesting bound
// ---------------------------------------------------------------------------------------------

// Deep enough for every body of the billing contract (the deepest is about 5), far below what
// any recursion on a thread's stack can survive.
inline constexpr int kMaxJsonNesting = 64;

// True when no object/array in `text` is nested deeper than `max_depth` levels (a top-level
// object is depth 1). Does not validate the JSON: it only bounds the depth; brackets inside
// strings (with their escapes) are skipped.
[[nodiscard]] bool json_nesting_within(std::string_view text, int max_depth) noexcept;

// nlohmann::json::parse without exceptions, refusing text nested deeper than `max_depth`:
// a discarded value (is_discarded()) for text that is not JSON or too deep.
[[nodiscard]] nlohmann::json parse_outside_json(std::string_view text,
                                                int max_depth = kMaxJsonNesting);

// ---------------------------------------------------------------------------------------------
// 2. SHA-256 digests
// ---------------------------------------------------------------------------------------------

using Digest = std::array<std::byte, 32>;

// SHA-256 over `parts`, each preceded by its length (8 bytes, big-endian).
[[nodiscard]] Digest digest_of(std::initializer_list<std::string_view> parts);
[[nodiscard]] Digest digest_of(std::span<const std::string_view> parts);

[[nodiscard]] std::string_view as_text(const Digest& d) noexcept;  // the 32 raw bytes
[[nodiscard]] std::string to_hex(std::span<const std::byte> bytes);

}  // namespace pos::sync
