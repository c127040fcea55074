// A receipt's print text kept deflated in its ledger row (zlib's format, RFC 1950): the default
// receipt's 1.1 KB of aligned columns becomes about 0.5 KB, so a receipt row fits a page five
// times rather than twice (issue 14). The chain hashes the stored bytes, so the text is exactly
// what was deflated; inflating checks zlib's own Adler-32 and refuses more than `max_bytes`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pos::ledger {

// Never fails for text under 4 GiB (zlib's deflate with Z_FINISH and a bound-sized output).
// With a `dictionary` (zlib's preset dictionary: an earlier receipt of the same template), the
// text's lines that repeat it cost a few bytes each: the default receipt's 0.5 KB becomes about
// 0.1 KB. The stream then names the dictionary by its Adler-32 (RFC 1950, FDICT).
std::vector<std::byte> deflate_text(std::string_view text, std::string_view dictionary = {});

// nullopt when `data` is not one whole zlib stream, inflates to more than `max_bytes`, or
// needs a dictionary other than `dictionary` (none given, or not the one whose Adler-32 the
// stream names), or was made without one while `dictionary` is given.
std::optional<std::string> inflate_text(std::span<const std::byte> data, std::size_t max_bytes,
                                        std::optional<std::string_view> dictionary = {});

// A dictionary's id as a zlib stream made with it names it: its Adler-32 (RFC 1950, DICTID).
std::uint32_t dictionary_id(std::string_view dictionary);

// The id of the dictionary `data` names in its header; nullopt when it names none or is not the
// start of a zlib stream. Says nothing of the rest of the stream (inflate_text checks that).
std::optional<std::uint32_t> stream_dictionary_id(std::span<const std::byte> data);

}  // namespace pos::ledger
