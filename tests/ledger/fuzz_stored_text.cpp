// Fuzz target: the deflated texts the ledger stores (receipts' print text, checkout events' and
// evaluations' JSON; ledger schema steps 5 and 6). A row's bytes may be damaged on the disk, so
// inflating any bytes, with or without a dictionary, must not crash and must stay within its
// bound. The first byte picks a dictionary's length (0: none) taken from the front of the rest;
// the remainder is inflated as a stored stream, and also deflated as a text and read back: with
// its dictionary it comes back whole, without it or with another one it is refused.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "../../terminal/ledger/src/text_deflate.hpp"

using namespace pos::ledger;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t dict_len = std::min<std::size_t>(data[0], size - 1);
  const std::string_view dict(reinterpret_cast<const char*>(data + 1), dict_len);
  const std::string_view rest(reinterpret_cast<const char*>(data + 1 + dict_len),
                              size - 1 - dict_len);
  const auto bytes = std::as_bytes(std::span<const char>(rest.data(), rest.size()));
  constexpr std::size_t kMax = 1 << 16;

  // Whatever the bytes: a text within the bound, or nullopt.
  for (const auto& with : {std::optional<std::string_view>{}, std::optional{dict}}) {
    if (auto text = inflate_text(bytes, kMax, with); text && text->size() > kMax) std::abort();
  }

  // The header's dictionary id of any bytes: read without crashing (none, or some id).
  (void)stream_dictionary_id(bytes);

  // A text deflated comes back whole with the dictionary it was made with, and only with it;
  // its header names that dictionary (text_store.hpp picks a row's dictionary by it).
  const auto stored = deflate_text(rest, dict);
  if (stream_dictionary_id(stored) !=
      (dict.empty() ? std::nullopt : std::optional{dictionary_id(dict)})) {
    std::abort();
  }
  const std::optional<std::string_view> made_with =
      dict.empty() ? std::nullopt : std::optional{dict};
  auto back = inflate_text(stored, rest.size() + 1, made_with);
  if (!back || *back != rest) std::abort();
  if (!dict.empty()) {
    if (inflate_text(stored, rest.size() + 1, std::nullopt)) std::abort();
    const std::string other = std::string{dict} + "x";  // another Adler-32
    if (inflate_text(stored, rest.size() + 1, std::optional<std::string_view>{other})) std::abort();
  } else if (inflate_text(stored, rest.size() + 1, std::optional<std::string_view>{"x"})) {
    std::abort();  // a dictionary given to a stream made without one
  }
  // Cut short by one byte: refused.
  if (!stored.empty() &&
      inflate_text(std::span(stored).first(stored.size() - 1), rest.size() + 1, made_with)) {
    std::abort();
  }
  return 0;
}
