// Internal: conversions between records and columns, shared by the ledger's sources.
#pragma once

#include <pos/ledger/ledger.hpp>

#include <stdexcept>
#include <string>

namespace pos::ledger::rows {

inline std::int64_t ms(Timestamp t) {
  return t.time_since_epoch().count();
}
inline Timestamp at(std::int64_t ms) {
  return Timestamp{std::chrono::milliseconds{ms}};
}

// A row this build cannot read back (an id that does not parse, an unknown currency): only
// possible if the file was edited around the ledger. Thrown while reading, caught at the
// Ledger method and returned as Inconsistent.
struct CorruptRow : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class IdT>
IdT id(const std::string& text) {
  auto v = IdT::parse(text);
  if (!v) throw CorruptRow("an id in the ledger does not parse");
  return *v;
}
template <class IdT>
std::optional<IdT> opt_id(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return id<IdT>(*text);
}
inline Currency currency(const std::string& code) {
  auto c = Currency::from_code(code);
  if (!c) throw CorruptRow("unknown currency in the ledger");
  return *c;
}
inline Money money(const std::string& code, std::int64_t minor) {
  return Money{currency(code), minor};
}

inline LedgerError storage(sync::DbError e) {
  std::string m = e.message;
  return LedgerError{LedgerErrorCode::Storage, std::move(m), std::move(e)};
}
inline LedgerError error(LedgerErrorCode code, std::string message) {
  return LedgerError{code, std::move(message), std::nullopt};
}

}  // namespace pos::ledger::rows
