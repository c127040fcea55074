// Internal: what the write frames of this part's sources need of a Ledger (a friend of it).
#pragma once

#include <pos/ledger/ledger.hpp>

#include "ledger_tables.hpp"

namespace pos::ledger {

// What the write frame needs of a Ledger (friend): its connection, whether it may write, and
// the anchor to move on after a commit.
struct LedgerAccess {
  static sync::Database& db(Ledger& l) { return *l.db_; }
  static bool not_sound(const Ledger& l) { return l.not_sound_; }
  static void commit_failed(Ledger& l, bool failed) { l.last_commit_failed_ = failed; }
  static void committed(Ledger& l, const ChainWriter& chain, std::int64_t length_before) {
    if (chain.length() > length_before) l.advance_anchor(chain.length(), chain.head());
  }
};

}  // namespace pos::ledger
