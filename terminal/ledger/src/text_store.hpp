// Internal: texts the ledger keeps deflated against an earlier text of their kind (schema step
// 6): a receipt's print text against an earlier receipt of its template, a checkout event's JSON
// against an earlier event of its kind. Such texts repeat most of their kind's bytes (a shop's
// header and columns; an event's field names and the invoice's lines), so zlib's preset
// dictionary (text_deflate.hpp) makes them a fifth to a tenth of their size.
//
// A row holds its text one of three ways: as text (rows before step 6, and rows before step 5
// for receipts: the dictionary column NULL); deflated on its own (dictionary column 0: the row is
// then its kind's dictionary, found through a partial index that holds only those rows, so an
// ordinary write touches no page of it); or deflated against the text of the row whose
// chain_seq the dictionary column names (one holding 0 there). Rows are never changed or
// deleted, and the column is chained with the row, so a dictionary stays what it was.
//
// Since schema step 9 a row deflated against a dictionary may use, as its dictionary, that text
// followed by the row's own ids (`own`, own_words): a receipt's reference and payment id, a
// capture's payment, receipt, checkout and invoice ids. Its text says them again, and ids are
// what an earlier text cannot repeat (a capture's events: 209 -> 124 bytes). The stream names the
// dictionary it was made with by its Adler-32 (RFC 1950, DICTID), so a reader knows which of the
// two it is; a row whose two would have the same id is made with the text alone. A dictionary row
// (column 0) is deflated alone, as before: other rows read it without its ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <pos/ledger/ledger.hpp>
#include <pos/sync/db.hpp>

namespace pos::ledger {

// Each kind's newest dictionary read, by table and kind (Ledger::dictionaries_).
using Dictionaries = std::map<std::string, detail::TextDictionary>;

struct StoredText {
  std::vector<std::byte> deflated;
  std::int64_t dictionary = 0;  // 0: none (the row becomes its kind's newest dictionary)
};

// `text` as a new row stores it, given its kind's newest dictionary as the database holds it
// now (`newest_seq` 0: there is none). The copy in `cache` is used only when its bytes are those
// stored, so it is only ever what the database holds (never a row this process wrote and a
// rollback took back, nor one another process replaced). When there is none, or `text` repeats
// it poorly (more than a third of its size: the shop's details or the template changed), or the
// dictionary no longer inflates (damage that verify reports), the text is stored on its own and
// becomes the newest dictionary: writing goes on.
StoredText store_text(detail::TextDictionary& cache, std::int64_t newest_seq,
                      std::vector<std::byte> newest_stored, std::string_view text,
                      std::string_view own = {});

// A row's own ids as the end of its dictionary: each after a newline, in the order given. The
// writer and the reader of a kind name the same columns in the same order.
std::string own_words(std::initializer_list<std::string_view> ids);

// Where one kind of stored text lives: its table, its three columns, the partial index of its
// dictionaries and the condition on that index's key (`keys`, with a ? for each key value).
// `noun` names the text in errors ("print text").
struct StoredTextKind {
  std::string_view table, text, deflated, dictionary, index, keys, noun;
};

// The query for the kind's newest dictionary: chain_seq and deflated text, binding the keys.
std::string newest_dictionary_sql(const StoredTextKind& kind);

// The four result columns stored_text reads, for a query on the kind's table (not aliased): the
// text, the deflated text, the dictionary column, and the dictionary's own deflated text (NULL
// when no dictionary row has that seq).
std::string stored_text_sql(const StoredTextKind& kind);

// The row's text from the four columns stored_text_sql selects, starting at `first`; throws
// rows::CorruptRow saying what is wrong (stored twice, damaged, its dictionary missing or
// damaged).
std::string stored_text(const sync::Statement& row, int first, const StoredTextKind& kind,
                        std::string_view own = {});

// A text longer than this is not one this terminal wrote (receipts are 1-2 KB, an invoice's
// CheckoutStarted some KB).
inline constexpr std::size_t kMaxStoredText = 1 << 20;

}  // namespace pos::ledger
