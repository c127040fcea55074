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

// The dictionary a row with `own` ids is deflated against, and read with, given its kind's text:
// the text and the ids after it (nearest the row's text, so their copies cost least).
std::string primed(std::string_view dictionary, std::string_view own) {
  std::string out;
  out.reserve(dictionary.size() + own.size());
  out.append(dictionary).append(own);
  return out;
}
}  // namespace

std::string own_words(std::initializer_list<std::string_view> ids) {
  std::string out;
  for (auto id : ids) out.append("\n").append(id);
  return out;
}

StoredText store_text(detail::TextDictionary& cache, std::int64_t newest_seq,
                      std::vector<std::byte> newest_stored, std::string_view text,
                      std::string_view own) {
  if (newest_seq != 0 && (cache.chain_seq != newest_seq || cache.deflated != newest_stored)) {
    cache = detail::TextDictionary{};
    if (auto inflated = inflate_text(newest_stored, kMaxStoredText)) {
      cache = detail::TextDictionary{newest_seq, std::move(newest_stored), std::move(*inflated)};
    }
  }
  if (newest_seq != 0 && cache.chain_seq == newest_seq) {
    std::vector<std::byte> against;
    if (!own.empty()) {
      const std::string with_own = primed(cache.text, own);
      // Made with the text alone when the two ids are one: a reader could not tell them apart.
      if (dictionary_id(with_own) != dictionary_id(cache.text)) {
        against = deflate_text(text, with_own);
      }
    }
    if (against.empty()) against = deflate_text(text, cache.text);
    if (against.size() <= text.size() / kDictionaryGain) {
      return StoredText{std::move(against), newest_seq};
    }
  }
  return StoredText{deflate_text(text), 0};
}

std::string newest_dictionary_sql(const StoredTextKind& k) {
  const auto s = [](std::string_view v) { return std::string{v}; };
  return "SELECT chain_seq, " + s(k.deflated) + " FROM " + s(k.table) + " INDEXED BY " +
         s(k.index) + " WHERE " + s(k.dictionary) + " = 0 AND " + s(k.keys) +
         " ORDER BY chain_seq DESC LIMIT 1";
}

std::string stored_text_sql(const StoredTextKind& k) {
  const auto s = [](std::string_view v) { return std::string{v}; };
  return s(k.text) + ", " + s(k.deflated) + ", " + s(k.dictionary) + ", (SELECT d." +
         s(k.deflated) + " FROM " + s(k.table) + " AS d WHERE d.chain_seq = " + s(k.table) + "." +
         s(k.dictionary) + " AND d." + s(k.dictionary) + " = 0)";
}

std::string stored_text(const sync::Statement& row, int first, const StoredTextKind& k,
                        std::string_view own) {
  const int text_col = first, deflated_col = first + 1, dictionary_col = first + 2,
            dictionary_text_col = first + 3;
  const std::string table{k.table};
  const std::string noun{k.noun};
  if (row.is_null(deflated_col)) return row.text(text_col);
  if (!row.text(text_col).empty()) throw rows::CorruptRow(table + ": " + noun + " stored twice");
  std::optional<std::string> dictionary;
  if (!row.is_null(dictionary_col) && row.int64(dictionary_col) != 0) {
    const auto which = table + ": the dictionary of its " + noun + " (chain seq " +
                       std::to_string(row.int64(dictionary_col)) + ")";
    if (row.is_null(dictionary_text_col)) throw rows::CorruptRow(which + " is missing");
    dictionary = inflate_text(row.blob(dictionary_text_col), kMaxStoredText);
    if (!dictionary) throw rows::CorruptRow(which + " is damaged");
  }
  const auto stored = row.blob(deflated_col);
  if (dictionary && !own.empty()) {
    std::string with_own = primed(*dictionary, own);
    if (stream_dictionary_id(stored) == dictionary_id(with_own)) dictionary = std::move(with_own);
  }
  auto text = inflate_text(stored, kMaxStoredText, dictionary);
  if (!text) throw rows::CorruptRow(table + ": deflated " + noun + " damaged");
  return std::move(*text);
}

}  // namespace pos::ledger
