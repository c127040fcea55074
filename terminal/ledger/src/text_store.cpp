#include "text_store.hpp"

#include <optional>

#include "ledger_rows.hpp"
#include "text_deflate.hpp"

namespace pos::ledger {

namespace {
// Stored against the dictionary when that makes it at most a third of its text (the default
// receipt: a tenth; a PaymentCaptured event: a quarter, its ids being most of what is left). A
// quarter made payments of another tender than the dictionary's start new dictionaries in turn.
constexpr std::size_t kDictionaryGain = 3;
}  // namespace

StoredText store_text(detail::TextDictionary& cache, std::int64_t newest_seq,
                      std::vector<std::byte> newest_stored, std::string_view text) {
  if (newest_seq != 0 && (cache.chain_seq != newest_seq || cache.deflated != newest_stored)) {
    cache = detail::TextDictionary{};
    if (auto inflated = inflate_text(newest_stored, kMaxStoredText)) {
      cache = detail::TextDictionary{newest_seq, std::move(newest_stored), std::move(*inflated)};
    }
  }
  if (newest_seq != 0 && cache.chain_seq == newest_seq) {
    auto against = deflate_text(text, cache.text);
    if (against.size() <= text.size() / kDictionaryGain) {
      return StoredText{std::move(against), newest_seq};
    }
  }
  return StoredText{deflate_text(text), 0};
}

std::string stored_text(const sync::Statement& row, const StoredTextColumns& c) {
  const std::string table{c.table};
  const std::string noun{c.noun};
  if (row.is_null(c.deflated)) return row.text(c.text);
  if (!row.text(c.text).empty()) throw rows::CorruptRow(table + ": " + noun + " stored twice");
  std::optional<std::string> dictionary;
  if (!row.is_null(c.dictionary) && row.int64(c.dictionary) != 0) {
    const auto which = table + ": the dictionary of its " + noun + " (chain seq " +
                       std::to_string(row.int64(c.dictionary)) + ")";
    if (row.is_null(c.dictionary_text)) throw rows::CorruptRow(which + " is missing");
    dictionary = inflate_text(row.blob(c.dictionary_text), kMaxStoredText);
    if (!dictionary) throw rows::CorruptRow(which + " is damaged");
  }
  auto text = inflate_text(row.blob(c.deflated), kMaxStoredText, dictionary);
  if (!text) throw rows::CorruptRow(table + ": deflated " + noun + " damaged");
  return std::move(*text);
}

}  // namespace pos::ledger
