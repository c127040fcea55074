// Shift reports (X, and Z at shift close) and the unsynced payment figures, from the rows.
//
// Every figure is a SQL aggregate over the ledger tables at the time of the report; nothing is
// counted on the side (DESIGN.md: totals are derived from the ledger rows). Sums are int64
// minor units per currency; an overflow is reported, never wrapped.
#include <pos/ledger/ledger.hpp>

#include <algorithm>
#include <map>

#include "ledger_rows.hpp"
#include "ledger_tables.hpp"

namespace pos::ledger {

using namespace rows;
using checkout::fail;

namespace {

// Figures of one currency while they are gathered, in minor units.
struct Figures {
  std::map<Tender, std::pair<std::int64_t, std::int64_t>> tenders;  // count, total
  std::int64_t adjustment_count = 0;
  std::int64_t adjustments = 0;
  std::int64_t opening_float = 0;
  std::int64_t cash_taken = 0;
  std::int64_t change = 0;
  std::int64_t paid_in = 0;
  std::int64_t paid_out = 0;
  std::optional<std::int64_t> counted;
};

struct Overflow {};
std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw Overflow{};
  return r;
}
std::int64_t sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) throw Overflow{};
  return r;
}

#define POS_REPORT_READ(expr)                                                      \
  do {                                                                             \
    auto pos_report_q = (expr);                                                    \
    if (!pos_report_q.ok()) return fail(storage(std::move(pos_report_q).error())); \
  } while (false)

}  // namespace

LedgerResult<UnsyncedPayments> Ledger::unsynced_payments() {
  UnsyncedPayments u;
  std::optional<std::int64_t> oldest;
  try {
    // Driven by the outbox's partial index of items not ACKED, so it stays quick however many
    // payments were synced long ago.
    POS_REPORT_READ(
        db_->statement("SELECT p.currency, COUNT(*), SUM(p.amount_minor), MIN(p.captured_at_ms)"
                       " FROM outbox_message AS m JOIN payment AS p"
                       " ON p.payment_id = m.idempotency_key"
                       " WHERE m.state <> 'ACKED' AND m.kind = 'payment'"
                       " GROUP BY p.currency ORDER BY p.currency")
            .for_each([&](const sync::Statement& row) {
              const auto n = row.int64(1);
              u.count += n;
              u.by_currency.push_back(
                  UnsyncedCurrency{currency(row.text(0)), n, money(row.text(0), row.int64(2))});
              const auto t = row.int64(3);
              if (!oldest || t < *oldest) oldest = t;
            }));
  } catch (const CorruptRow& e) {
    return fail(error(LedgerErrorCode::Inconsistent, e.what()));
  }
  if (oldest) u.oldest_captured_at = at(*oldest);
  return u;
}

LedgerResult<ShiftReport> Ledger::x_report(const ShiftId& shift) {
  // One read transaction: every figure of the report sees the same rows.
  if (auto b = db_->exec("BEGIN"); !b.ok()) return fail(storage(std::move(b).error()));
  auto report = build_report(shift, ReportKind::X);
  (void)db_->exec("COMMIT");
  return report;
}

LedgerResult<ShiftReport> Ledger::close_shift(const ShiftClosing& c) {
  if (not_sound_) {
    return fail(error(LedgerErrorCode::LedgerNotSound, "this ledger did not verify: no Z written"));
  }
  auto tx = db_->begin();
  if (!tx.ok()) return fail(storage(std::move(tx).error()));
  ChainWriter chain(*db_);
  if (auto s = chain.start(); !s.ok()) return fail(storage(std::move(s).error()));
  bool open = false;
  POS_REPORT_READ(
      db_->statement("SELECT 1 FROM shift_open AS s WHERE s.shift_id = ? AND NOT EXISTS "
                     "(SELECT 1 FROM shift_close AS c WHERE c.shift_id = s.shift_id)")
          .bind(c.shift_id.to_string())
          .for_each([&](const sync::Statement&) { open = true; }));
  if (!open) {
    return fail(
        error(LedgerErrorCode::ShiftNotOpen, "shift " + c.shift_id.to_string() + " is not open"));
  }
  POS_REPORT_READ(chain.append("shift_close",
                               "INSERT INTO shift_close (chain_seq, shift_id, closed_by, "
                               "closed_at_ms) VALUES (?, ?, ?, ?)",
                               c.shift_id.to_string(), c.closed_by.str(), ms(c.closed_at)));
  for (const auto& m : c.counted_cash) {
    auto w = chain.append("shift_cash",
                          "INSERT INTO shift_cash (chain_seq, shift_id, kind, currency, "
                          "amount_minor) VALUES (?, ?, 'COUNTED', ?, ?)",
                          c.shift_id.to_string(), m.currency().code(), m.minor_units());
    if (!w.ok()) {
      if (w.error().code == sync::DbErrorCode::Constraint) {
        return fail(error(LedgerErrorCode::Inconsistent, "one count per currency"));
      }
      return fail(storage(std::move(w).error()));
    }
  }
  POS_REPORT_READ(chain.flush());  // the report prints the head: the links must be in the table
  auto report = build_report(c.shift_id, ReportKind::Z);
  if (!report.ok()) return report;
  if (auto done = tx.value().commit(); !done.ok()) return fail(storage(std::move(done).error()));
  // The Z is where the head goes on paper: the anchor is made durable with it.
  if (!anchor_path_.empty()) {
    (void)write_anchor(anchor_path_, AnchorRecord{chain.length(), chain.head()}, true);
  }
  return report;
}

LedgerResult<ShiftReport> Ledger::build_report(const ShiftId& shift, ReportKind kind) {
  const auto sid = shift.to_string();
  std::optional<Timestamp> opened_at;
  std::optional<Timestamp> closed_at;
  POS_REPORT_READ(db_->statement("SELECT opened_at_ms FROM shift_open WHERE shift_id = ?")
                      .bind(sid)
                      .for_each([&](const sync::Statement& r) { opened_at = at(r.int64(0)); }));
  if (!opened_at) return fail(error(LedgerErrorCode::ShiftNotOpen, "no shift " + sid));
  POS_REPORT_READ(db_->statement("SELECT closed_at_ms FROM shift_close WHERE shift_id = ?")
                      .bind(sid)
                      .for_each([&](const sync::Statement& r) { closed_at = at(r.int64(0)); }));

  // A closed shift's figures are its Z report, however they are asked for.
  if (closed_at) kind = ReportKind::Z;
  ShiftReport rep{kind, shift, *opened_at, closed_at, {}, 0, {}, {}, {}, {}};
  std::map<std::string, Figures> by_currency;
  try {
    // Payments: each (currency, tender) group's newest row holds the group's running count
    // and sums (written by the capture, checked by verify against the rows), so the report
    // reads one row per group instead of every payment of the shift. A group whose newest row
    // is from before the running sums (ledger schema 1) is summed from its rows.
    std::vector<std::string> shift_currencies;
    for (;;) {
      std::optional<std::string> next;
      POS_REPORT_READ(
          db_->statement("SELECT currency FROM payment INDEXED BY payment_by_shift"
                         " WHERE shift_id = ? AND currency > ?"
                         " ORDER BY currency LIMIT 1")
              .bind(sid, shift_currencies.empty() ? std::string{} : shift_currencies.back())
              .for_each([&](const sync::Statement& r) { next = r.text(0); }));
      if (!next) break;
      shift_currencies.push_back(*next);
    }
    for (const auto& code : shift_currencies) {
      for (std::size_t t = 0; t < vocabulary::kCount<Tender>; ++t) {
        const auto tender = static_cast<Tender>(t);
        const auto tender_name = std::string{to_string(tender)};
        bool have = false;
        bool summed = false;
        std::int64_t count = 0, total = 0, tendered = 0, change = 0;
        POS_REPORT_READ(db_->statement("SELECT run_count, run_total_minor, run_tendered_minor,"
                                       " run_change_minor FROM payment INDEXED BY payment_by_shift"
                                       " WHERE shift_id = ? AND currency = ? AND tender = ?"
                                       " ORDER BY chain_seq DESC LIMIT 1")
                            .bind(sid, code, tender_name)
                            .for_each([&](const sync::Statement& r) {
                              have = true;
                              if (r.is_null(0)) return;
                              summed = true;
                              count = r.int64(0);
                              total = r.int64(1);
                              tendered = r.int64(2);
                              change = r.int64(3);
                            }));
        if (!have) continue;
        if (!summed) {
          POS_REPORT_READ(db_->statement("SELECT COUNT(*), SUM(amount_minor),"
                                         " SUM(COALESCE(amount_tendered_minor, amount_minor)),"
                                         " SUM(COALESCE(change_given_minor, 0)) FROM payment"
                                         " WHERE shift_id = ? AND currency = ? AND tender = ?")
                              .bind(sid, code, tender_name)
                              .for_each([&](const sync::Statement& r) {
                                count = r.int64(0);
                                total = r.int64(1);
                                tendered = r.int64(2);
                                change = r.int64(3);
                              }));
        }
        auto& f = by_currency[code];
        f.tenders[tender] = {count, total};
        if (tender == Tender::Cash) {
          f.cash_taken = tendered;
          f.change = change;
        }
      }
    }
    // Adjustments count in the shift of the payment they correct. Driven by the adjustments
    // (few), never by the shift's payments (CROSS JOIN keeps SQLite's loop in that order).
    POS_REPORT_READ(db_->statement("SELECT a.currency, COUNT(*), SUM(a.amount_minor)"
                                   " FROM payment_adjustment AS a CROSS JOIN payment AS p"
                                   " ON p.payment_id = a.payment_id WHERE p.shift_id = ?"
                                   " GROUP BY a.currency")
                        .bind(sid)
                        .for_each([&](const sync::Statement& r) {
                          auto& f = by_currency[r.text(0)];
                          f.adjustment_count = r.int64(1);
                          f.adjustments = r.int64(2);
                        }));
    POS_REPORT_READ(db_->statement("SELECT currency, SUM(amount_minor) FROM cash_paid_in"
                                   " WHERE shift_id = ? GROUP BY currency")
                        .bind(sid)
                        .for_each([&](const sync::Statement& r) {
                          by_currency[r.text(0)].paid_in = r.int64(1);
                        }));
    POS_REPORT_READ(db_->statement("SELECT currency, SUM(amount_minor) FROM cash_paid_out"
                                   " WHERE shift_id = ? GROUP BY currency")
                        .bind(sid)
                        .for_each([&](const sync::Statement& r) {
                          by_currency[r.text(0)].paid_out = r.int64(1);
                        }));
    POS_REPORT_READ(db_->statement("SELECT currency, kind, amount_minor FROM shift_cash"
                                   " WHERE shift_id = ?")
                        .bind(sid)
                        .for_each([&](const sync::Statement& r) {
                          auto& f = by_currency[r.text(0)];
                          if (r.text(1) == "FLOAT") {
                            f.opening_float = r.int64(2);
                          } else {
                            f.counted = r.int64(2);
                          }
                        }));
    for (const auto& [code, f] : by_currency) {
      const auto cur = currency(code);
      CurrencySection s;
      s.currency = cur;
      std::int64_t total = 0;
      for (const auto& [tender, ct] : f.tenders) {
        s.tenders.push_back(TenderTotal{tender, ct.first, Money{cur, ct.second}});
        s.payment_count += ct.first;
        total = add(total, ct.second);
      }
      s.payments_total = Money{cur, total};
      s.adjustment_count = f.adjustment_count;
      s.adjustments_total = Money{cur, f.adjustments};
      s.opening_float = Money{cur, f.opening_float};
      s.cash_taken = Money{cur, f.cash_taken};
      s.change_given = Money{cur, f.change};
      s.paid_in = Money{cur, f.paid_in};
      s.paid_out = Money{cur, f.paid_out};
      const auto expected =
          sub(add(sub(add(f.opening_float, f.cash_taken), f.change), f.paid_in), f.paid_out);
      s.cash_expected = Money{cur, expected};
      if (f.counted) {
        s.cash_counted = Money{cur, *f.counted};
        s.cash_difference = Money{cur, sub(*f.counted, expected)};
      }
      rep.currencies.push_back(std::move(s));
    }

    POS_REPORT_READ(
        db_->statement("SELECT COUNT(*) FROM reprint WHERE shift_id = ?")
            .bind(sid)
            .for_each([&](const sync::Statement& r) { rep.reprint_count = r.int64(0); }));
    std::map<std::string, ApproverActivity> approvers;
    auto activity = [&](const std::string& who) -> ApproverActivity& {
      auto it = approvers.find(who);
      if (it == approvers.end()) {
        it = approvers.emplace(who, ApproverActivity{id<UserId>(who), 0, 0}).first;
      }
      return it->second;
    };
    // Driven by the approvals (few), not by the shift's checkouts.
    POS_REPORT_READ(db_->statement("SELECT a.approver_id, COUNT(*) FROM override_approval AS a"
                                   " CROSS JOIN po_override AS o ON o.override_id = a.override_id"
                                   " CROSS JOIN checkout AS c ON c.checkout_id = o.checkout_id"
                                   " WHERE c.shift_id = ? GROUP BY a.approver_id")
                        .bind(sid)
                        .for_each([&](const sync::Statement& r) {
                          activity(r.text(0)).overrides_approved = r.int64(1);
                        }));
    POS_REPORT_READ(db_->statement("SELECT approver_id, COUNT(*) FROM reprint WHERE shift_id = ?"
                                   " AND approver_id IS NOT NULL GROUP BY approver_id")
                        .bind(sid)
                        .for_each([&](const sync::Statement& r) {
                          activity(r.text(0)).reprints_approved = r.int64(1);
                        }));
    for (auto& [who, a] : approvers) rep.approvers.push_back(std::move(a));

    POS_REPORT_READ(
        db_->statement("SELECT opening_id, shift_id, opened_by, payment_id, note, opened_at_ms"
                       " FROM drawer_opening WHERE shift_id = ? AND reason = 'NO_SALE'"
                       " ORDER BY chain_seq")
            .bind(sid)
            .for_each([&](const sync::Statement& r) {
              rep.no_sale_openings.push_back(DrawerOpening{
                  id<DrawerOpeningId>(r.text(0)), id<ShiftId>(r.text(1)), id<UserId>(r.text(2)),
                  DrawerReason::NoSale, opt_id<BillingPaymentId>(r.opt_text(3)), r.text(4),
                  at(r.int64(5))});
            }));
  } catch (const CorruptRow& e) {
    return fail(error(LedgerErrorCode::Inconsistent, e.what()));
  } catch (const Overflow&) {
    return fail(error(LedgerErrorCode::Inconsistent, "a shift total is beyond int64"));
  }

  auto unsynced = unsynced_payments();
  if (!unsynced.ok()) return fail(unsynced.error());
  rep.unsynced = unsynced.value();

  ChainWriter head(*db_);
  POS_REPORT_READ(head.start());
  rep.chain_head = to_hex(head.head());
  return rep;
}

}  // namespace pos::ledger
