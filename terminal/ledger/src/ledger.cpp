// The ledger's writes (one transaction each, chained, with their outbox messages) and reads.
//
// Sections: 1. names  2. the write frame  3. shifts and cash  4. checkout, PO, elevation
//           5. capture  6. receipts afterwards  7. reading back
#include <pos/ledger/ledger.hpp>

#include <pos/checkout/elevation.hpp>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>

#include "ledger_access.hpp"
#include "ledger_rows.hpp"
#include "ledger_tables.hpp"
#include "text_store.hpp"

namespace pos::ledger {

using namespace rows;
using checkout::fail;

// ---------------------------------------------------------------------------------------------
// 1. names
// ---------------------------------------------------------------------------------------------

namespace {
// The vocabulary's tables (checked against their enums there), by the names the reads use.
constexpr const auto& kTenders = vocabulary::Names<Tender>::texts;
constexpr const auto& kPaymentTypes = vocabulary::Names<PaymentType>::texts;
constexpr const auto& kDeliveryStatuses = vocabulary::Names<DeliveryStatus>::texts;
constexpr std::array<std::string_view, 4> kDrawerReasons = {"SALE", "NO_SALE", "PAID_OUT",
                                                            "CASH_COUNT"};
static_assert(kDrawerReasons.size() == static_cast<std::size_t>(DrawerReason::kCount));
constexpr std::array<std::string_view, 11> kErrorNames = {"STORAGE",
                                                          "ID_CONFLICT",
                                                          "ALREADY_RECORDED",
                                                          "SHIFT_NOT_OPEN",
                                                          "SHIFT_ALREADY_OPEN",
                                                          "NOT_FOUND",
                                                          "INCONSISTENT",
                                                          "CURRENCY_MISMATCH",
                                                          "AMOUNT_EXCEEDS_BALANCE",
                                                          "RECEIPT_REFERENCE_TAKEN",
                                                          "LEDGER_NOT_SOUND"};
constexpr std::array<std::string_view, 3> kCaptureStates = {"RECORDED", "NOT_RECORDED", "UNKNOWN"};
static_assert(kErrorNames.size() == static_cast<std::size_t>(LedgerErrorCode::kCount));

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view{"UNKNOWN"};
}
template <class E, std::size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}
template <class E, std::size_t N>
E must_parse(const std::array<std::string_view, N>& names, const std::string& text) {
  auto v = parse_name<E>(names, text);
  if (!v) throw CorruptRow("unknown enum value in the ledger");
  return *v;
}
}  // namespace

std::string_view to_string(DrawerReason r) noexcept {
  return name_of(kDrawerReasons, r);
}
std::optional<DrawerReason> parse_drawer_reason(std::string_view s) noexcept {
  return parse_name<DrawerReason>(kDrawerReasons, s);
}
std::string_view to_string(LedgerErrorCode c) noexcept {
  return name_of(kErrorNames, c);
}
std::string_view to_string(CaptureState c) noexcept {
  return name_of(kCaptureStates, c);
}

// ---------------------------------------------------------------------------------------------
// 2. the write frame
// ---------------------------------------------------------------------------------------------

namespace {

LedgerError not_sound_error() {
  return error(LedgerErrorCode::LedgerNotSound,
               "this ledger did not verify (see startup_check / verify): nothing is written");
}

// BEGIN IMMEDIATE, start the chain, run body(tx, chain), COMMIT, then move the anchor on. Any
// failure: nothing written. A ledger found unsound is not written on.
template <class T, class F>
LedgerResult<T> in_write(Ledger& self, F&& body) {
  if (LedgerAccess::not_sound(self)) return fail(not_sound_error());
  LedgerAccess::commit_failed(self, false);
  sync::Database& db = LedgerAccess::db(self);
  auto tx = db.begin();
  if (!tx.ok()) return fail(storage(std::move(tx).error()));
  ChainWriter chain(db);
  if (auto s = chain.start(); !s.ok()) return fail(storage(std::move(s).error()));
  const auto before = chain.length();
  LedgerResult<T> r = [&]() -> LedgerResult<T> {
    try {
      return body(tx.value(), chain);
    } catch (const CorruptRow& e) {
      return fail(error(LedgerErrorCode::Inconsistent, e.what()));
    }
  }();
  if (!r.ok()) return r;  // tx dropped: rolled back
  if (auto f = chain.flush(); !f.ok()) return fail(storage(std::move(f).error()));
  if (auto c = tx.value().commit(); !c.ok()) {
    LedgerAccess::commit_failed(self, true);
    return fail(storage(std::move(c).error()));
  }
  LedgerAccess::committed(self, chain, before);
  return r;
}

// A UNIQUE violation means the thing exists already; anything else is storage trouble.
LedgerError write_error(sync::DbError e, std::string_view what) {
  if (e.code == sync::DbErrorCode::Constraint) {
    return error(LedgerErrorCode::AlreadyRecorded, std::string{what} + " refused: " + e.message);
  }
  return storage(std::move(e));
}

LedgerResult<Done> enqueue_all(sync::Outbox& outbox, sync::Transaction& tx,
                               std::span<const sync::OutboxMessage> messages) {
  for (const auto& m : messages) {
    auto r = outbox.enqueue(tx, m);
    if (!r.ok()) return fail(write_error(std::move(r).error(), "outbox message"));
  }
  return Done{};
}

// Appends events after the checkout's last one, as links of the chain.
// One audit_event row (record_audit, and the float's count with the shift's opening).
sync::DbResult<void> insert_audit(ChainWriter& chain, const AuditEvent& a) {
  std::optional<std::string> checkout;
  if (a.checkout_id) checkout = a.checkout_id->to_string();
  return chain.append("audit_event",
                      "INSERT INTO audit_event (chain_seq, event_id, checkout_id, "
                      "kind, actor, detail_json, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      a.event_id.to_string(), checkout, a.kind, a.actor, a.detail_json, ms(a.at));
}

// Whether a capture's audit event says nothing its payment row does not (schema step 8): then
// the row keeps only its id, and audit_log rebuilds the rest as SQLite's json_object writes it,
// which is these very bytes (the keys in this order, no spaces; ids need no escaping). Any
// other event, or one that differs in a byte, is an audit_event row of its own, as before.
bool audit_is_the_payments(const AuditEvent& a, const PaymentRecord& p) {
  if (a.kind != "PAYMENT_CAPTURED" || a.checkout_id != p.checkout_id ||
      a.actor != p.captured_by.str() || ms(a.at) != ms(p.captured_at)) {
    return false;
  }
  const auto detail = nlohmann::json{{"billingPaymentId", p.payment_id.to_string()},
                                     {"receiptId", p.receipt_id.to_string()}}
                          .dump();
  return a.detail_json == detail;
}

// The ledger's stored texts (schema steps 5 and 6, text_store.hpp).
constexpr StoredTextKind kPrintText{
    "receipt",          "print_text",         "print_text_deflated",
    "print_dictionary", "receipt_dictionary", "template_id = ? AND template_version = ?",
    "print text"};
constexpr StoredTextKind kEventJson{"checkout_event",
                                    "event_json",
                                    "event_json_deflated",
                                    "event_dictionary",
                                    "checkout_event_dictionary",
                                    "kind = ?",
                                    "event"};
constexpr StoredTextKind kEvaluationJson{"evaluation",
                                         "evaluation_json",
                                         "evaluation_json_deflated",
                                         "evaluation_dictionary",
                                         "evaluation_dictionary",
                                         "policy_version = ?",
                                         "json"};
// A capture's events, kept in its payment row (step 7). No text column: they are always stored
// deflated (store_text deflates a text alone when it has no dictionary for it).
constexpr StoredTextKind kCaptureEvents{"payment",
                                        "NULL",
                                        "events_json_deflated",
                                        "events_dictionary",
                                        "payment_events_dictionary",
                                        "currency = ?",
                                        "events"};

// The own ids (text_store.hpp) of each kind, as its writer and its reader name them: a
// checkout event's checkout; a capture's payment, receipt, checkout and invoice; a receipt's
// reference and payment. Evaluations have none (their JSON names no id of the row).
std::string capture_events_own(std::string_view payment_id, std::string_view receipt_id,
                               std::string_view checkout_id, std::string_view invoice_id) {
  return own_words({checkout_id, invoice_id, receipt_id, payment_id});
}
std::string print_text_own(std::string_view receipt_reference, std::string_view payment_id) {
  return own_words({payment_id, receipt_reference});
}

// `text` as a new row of `Kind` stores it, against the newest dictionary of its `keys` (the
// values of the kind's key columns, which also name its entry in `dictionaries`) followed by
// the row's `own` ids (text_store.hpp; empty: none). The kind's query is built once (the
// capture runs this for every text).
template <const StoredTextKind& Kind, class... Keys>
sync::DbResult<StoredText> text_to_store(sync::Database& db, Dictionaries& dictionaries,
                                         std::string_view text, std::string_view own,
                                         const Keys&... keys) {
  static const std::string newest = newest_dictionary_sql(Kind);
  std::int64_t seq = 0;
  std::vector<std::byte> stored;
  auto r = db.statement(newest).bind(keys...).for_each([&](const sync::Statement& row) {
    seq = row.int64(0);
    stored = row.blob(1);
  });
  if (!r.ok()) return r.error();
  std::string entry{Kind.table};
  ((entry += '\x1f', entry += keys), ...);
  return store_text(dictionaries[entry], seq, std::move(stored), text, own);
}

// The number the checkout's next event takes: after its last one, whether that is a row of
// checkout_event or the last of a capture's events in its payment row (step 7). Each is one
// probe of a key: a later capture's events are numbered after an earlier one's, so the newest
// payment row holding events has the highest. Writes take turns (BEGIN IMMEDIATE), so no other
// writer takes the number meanwhile.
sync::DbResult<std::int64_t> next_event_no(sync::Database& db, const std::string& checkout) {
  std::int64_t next = 1;
  auto r = db.statement(
                 "SELECT MAX((SELECT COALESCE(MAX(event_no), 0) FROM checkout_event "
                 "WHERE checkout_id = ?1), COALESCE((SELECT last_event_no FROM payment "
                 "WHERE invoice_id = (SELECT invoice_id FROM checkout WHERE checkout_id = ?1) "
                 "AND checkout_id = ?1 AND last_event_no IS NOT NULL "
                 "ORDER BY chain_seq DESC LIMIT 1), 0)) + 1")
               .bind(checkout)
               .for_each([&](const sync::Statement& row) { next = row.int64(0); });
  if (!r.ok()) return r.error();
  return next;
}

// A capture's events as the one text its payment row keeps: their JSON, as an array.
std::string capture_events_text(std::span<const checkout::CheckoutEvent> events) {
  auto all = nlohmann::json::array();
  for (const auto& e : events) all.push_back(checkout::to_json(e));
  return all.dump();
}

sync::DbResult<void> insert_events(sync::Database& db, Dictionaries& dictionaries,
                                   ChainWriter& chain, const CheckoutId& cid,
                                   std::span<const checkout::CheckoutEvent> events) {
  if (events.empty()) return {};
  const auto key = cid.to_string();
  auto first = next_event_no(db, key);
  if (!first.ok()) return std::move(first).error();
  std::int64_t next = first.value();
  for (const auto& e : events) {
    const std::string kind{checkout::event_kind(e)};
    auto text = text_to_store<kEventJson>(db, dictionaries, checkout::to_json(e).dump(),
                                          own_words({key}), kind);
    if (!text.ok()) return std::move(text).error();
    auto w =
        chain.append("checkout_event",
                     "INSERT INTO checkout_event (chain_seq, checkout_id, event_no, kind, "
                     "event_json, event_json_deflated, event_dictionary) "
                     "VALUES (?, ?, ?, ?, '', ?, ?)",
                     key, next++, kind, sync::Blob{text.value().deflated}, text.value().dictionary);
    if (!w.ok()) return w;
  }
  return {};
}

// The checkout whose log a later write's events join: `sql` selects its id by `key` (a
// receipt's, a delivery's). NotFound names `what` when no row holds the key.
LedgerResult<CheckoutId> checkout_holding(sync::Database& db, const char* sql,
                                          const std::string& key, std::string_view what) {
  std::optional<std::string> checkout;
  auto q = db.statement(sql).bind(key).for_each(
      [&](const sync::Statement& row) { checkout = row.text(0); });
  if (!q.ok()) return fail(storage(std::move(q).error()));
  if (!checkout) return fail(error(LedgerErrorCode::NotFound, std::string(what) + " " + key));
  return id<CheckoutId>(*checkout);
}

// The shift exists and has no close row.
LedgerResult<Done> require_open_shift(sync::Database& db, const ShiftId& shift) {
  bool open = false;
  auto r = db.statement(
                 "SELECT 1 FROM shift_open AS s WHERE s.shift_id = ? AND NOT EXISTS "
                 "(SELECT 1 FROM shift_close AS c WHERE c.shift_id = s.shift_id)")
               .bind(shift.to_string())
               .for_each([&](const sync::Statement&) { open = true; });
  if (!r.ok()) return fail(storage(std::move(r).error()));
  if (!open) {
    return fail(
        error(LedgerErrorCode::ShiftNotOpen, "shift " + shift.to_string() + " is not open"));
  }
  return Done{};
}

#define POS_LEDGER_TRY(expr)                                   \
  do {                                                         \
    auto pos_ledger_r = (expr);                                \
    if (!pos_ledger_r.ok()) return fail(pos_ledger_r.error()); \
  } while (false)

#define POS_LEDGER_READ_EARLY(expr)                                                \
  do {                                                                             \
    auto pos_ledger_q = (expr);                                                    \
    if (!pos_ledger_q.ok()) return fail(storage(std::move(pos_ledger_q).error())); \
  } while (false)

#define POS_LEDGER_WRITE(expr, what)                                                         \
  do {                                                                                       \
    auto pos_ledger_w = (expr);                                                              \
    if (!pos_ledger_w.ok()) return fail(write_error(std::move(pos_ledger_w).error(), what)); \
  } while (false)

}  // namespace

// ---------------------------------------------------------------------------------------------
// 3. shifts and cash
// ---------------------------------------------------------------------------------------------

LedgerResult<Done> Ledger::open_shift(const ShiftOpening& o,
                                      const std::optional<AuditEvent>& float_count) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    auto current = current_shift();
    if (!current.ok()) return fail(current.error());
    if (current.value()) {
      return fail(error(LedgerErrorCode::ShiftAlreadyOpen,
                        "shift " + current.value()->shift_id.to_string() + " is still open"));
    }
    POS_LEDGER_WRITE(
        chain.append("shift_open",
                     "INSERT INTO shift_open (chain_seq, shift_id, terminal_id, "
                     "opened_by, opened_at_ms) VALUES (?, ?, ?, ?, ?)",
                     o.shift_id.to_string(), o.terminal_id, o.opened_by.str(), ms(o.opened_at)),
        "shift opening");
    for (const auto& f : o.opening_float) {
      POS_LEDGER_WRITE(chain.append("shift_cash",
                                    "INSERT INTO shift_cash (chain_seq, shift_id, kind, currency, "
                                    "amount_minor) VALUES (?, ?, 'FLOAT', ?, ?)",
                                    o.shift_id.to_string(), f.currency().code(), f.minor_units()),
                       "opening float");
    }
    if (float_count) POS_LEDGER_WRITE(insert_audit(chain, *float_count), "float count");
    return Done{};
  });
}

LedgerResult<std::optional<ShiftOpening>> Ledger::current_shift() {
  std::optional<ShiftOpening> out;
  try {
    auto r =
        db_->statement(
               "SELECT shift_id, terminal_id, opened_by, opened_at_ms FROM shift_open AS s "
               "WHERE NOT EXISTS (SELECT 1 FROM shift_close AS c WHERE c.shift_id = s.shift_id)"
               " ORDER BY chain_seq DESC LIMIT 1")
            .for_each([&](const sync::Statement& row) {
              out = ShiftOpening{id<ShiftId>(row.text(0)),
                                 row.text(1),
                                 id<UserId>(row.text(2)),
                                 at(row.int64(3)),
                                 {}};
            });
    if (!r.ok()) return fail(storage(std::move(r).error()));
    if (out) {
      auto f = db_->statement(
                      "SELECT currency, amount_minor FROM shift_cash WHERE shift_id = ? AND "
                      "kind = 'FLOAT' ORDER BY currency")
                   .bind(out->shift_id.to_string())
                   .for_each([&](const sync::Statement& row) {
                     out->opening_float.push_back(money(row.text(0), row.int64(1)));
                   });
      if (!f.ok()) return fail(storage(std::move(f).error()));
    }
  } catch (const CorruptRow& e) {
    return fail(error(LedgerErrorCode::Inconsistent, e.what()));
  }
  return out;
}

LedgerResult<Done> Ledger::record_paid_out(const CashPaidOut& p) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_TRY(require_open_shift(*db_, p.shift_id));
    POS_LEDGER_WRITE(
        chain.append("cash_paid_out",
                     "INSERT INTO cash_paid_out (chain_seq, paid_out_id, shift_id, currency, "
                     "amount_minor, paid_by, reason, paid_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     p.paid_out_id.to_string(), p.shift_id.to_string(), p.amount.currency().code(),
                     p.amount.minor_units(), p.paid_by.str(), p.reason, ms(p.paid_at)),
        "paid out");
    return Done{};
  });
}

LedgerResult<Done> Ledger::record_paid_in(const CashPaidIn& p) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_TRY(require_open_shift(*db_, p.shift_id));
    POS_LEDGER_WRITE(
        chain.append("cash_paid_in",
                     "INSERT INTO cash_paid_in (chain_seq, paid_in_id, shift_id, currency, "
                     "amount_minor, paid_by, reason, paid_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     p.paid_in_id.to_string(), p.shift_id.to_string(), p.amount.currency().code(),
                     p.amount.minor_units(), p.paid_by.str(), p.reason, ms(p.paid_at)),
        "paid in");
    return Done{};
  });
}

namespace {
sync::DbResult<void> insert_drawer_opening(ChainWriter& chain, const DrawerOpening& d) {
  std::optional<std::string> payment;
  if (d.payment_id) payment = d.payment_id->to_string();
  return chain.append("drawer_opening",
                      "INSERT INTO drawer_opening (chain_seq, opening_id, shift_id, opened_by, "
                      "reason, payment_id, note, opened_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      d.opening_id.to_string(), d.shift_id.to_string(), d.opened_by.str(),
                      to_string(d.reason), payment, d.note, ms(d.opened_at));
}
}  // namespace

LedgerResult<Done> Ledger::record_drawer_opening(const DrawerOpening& d) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_TRY(require_open_shift(*db_, d.shift_id));
    POS_LEDGER_WRITE(insert_drawer_opening(chain, d), "drawer opening");
    return Done{};
  });
}

// ---------------------------------------------------------------------------------------------
// 4. checkout, PO, elevation
// ---------------------------------------------------------------------------------------------

LedgerResult<Done> Ledger::record_checkout(const CheckoutRecord& c, Events events) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_TRY(require_open_shift(*db_, c.shift_id));
    POS_LEDGER_WRITE(
        chain.append("checkout",
                     "INSERT INTO checkout (chain_seq, checkout_id, shift_id, invoice_id, "
                     "invoice_number, work_order_id, account_id, currency, correlation_id, "
                     "operator_id, started_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     c.checkout_id.to_string(), c.shift_id.to_string(), c.invoice_id.to_string(),
                     c.invoice_number, c.work_order_id, c.account_id, c.currency.code(),
                     c.correlation_id.to_string(), c.operator_id.str(), ms(c.started_at)),
        "checkout");
    POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, c.checkout_id, events),
                     "checkout events");
    return Done{};
  });
}

LedgerResult<Done> Ledger::record_evaluation(const EvaluationRecord& e, Events events) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    auto text =
        text_to_store<kEvaluationJson>(*db_, dictionaries_, e.evaluation_json, "", e.policy_version);
    if (!text.ok()) return fail(write_error(std::move(text).error(), "evaluation"));
    POS_LEDGER_WRITE(
        chain.append("evaluation",
                     "INSERT INTO evaluation (chain_seq, evaluation_id, checkout_id, "
                     "policy_version, evaluated_offline, evaluation_json, "
                     "evaluation_json_deflated, evaluation_dictionary, evaluated_at_ms) "
                     "VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)",
                     e.evaluation_id.to_string(), e.checkout_id.to_string(), e.policy_version,
                     e.mode == CaptureMode::Offline, sync::Blob{text.value().deflated},
                     text.value().dictionary, ms(e.evaluated_at)),
        "evaluation");
    POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, e.checkout_id, events),
                     "checkout events");
    return Done{};
  });
}

LedgerResult<Done> Ledger::record_po_capture(const PoCaptureRecord& p,
                                             std::span<const sync::OutboxMessage> messages,
                                             Events events) {
  return in_write<Done>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<Done> {
        // A retry of the same capture (unknown commit outcome) is a no-op; another PO is refused.
        std::optional<std::string> existing;
        auto r = db_->statement("SELECT po_number FROM po_capture WHERE checkout_id = ?")
                     .bind(p.checkout_id.to_string())
                     .for_each([&](const sync::Statement& row) { existing = row.text(0); });
        if (!r.ok()) return fail(storage(std::move(r).error()));
        if (existing) {
          if (*existing == p.po_number) return Done{};
          return fail(error(LedgerErrorCode::AlreadyRecorded,
                            "checkout " + p.checkout_id.to_string() + " already has its PO"));
        }
        POS_LEDGER_WRITE(chain.append("po_capture",
                                      "INSERT INTO po_capture (chain_seq, checkout_id, po_number, "
                                      "captured_by, captured_at_ms) VALUES (?, ?, ?, ?, ?)",
                                      p.checkout_id.to_string(), p.po_number, p.captured_by.str(),
                                      ms(p.captured_at)),
                         "PO capture");
        POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, p.checkout_id, events),
                         "checkout events");
        return enqueue_all(outbox_, tx, messages);
      });
}

LedgerResult<Done> Ledger::record_po_override(const PoOverrideRecord& o,
                                              std::span<const sync::OutboxMessage> messages,
                                              Events events) {
  return in_write<Done>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<Done> {
        std::optional<std::string> existing;
        auto r = db_->statement("SELECT override_id FROM po_override WHERE checkout_id = ?")
                     .bind(o.checkout_id.to_string())
                     .for_each([&](const sync::Statement& row) { existing = row.text(0); });
        if (!r.ok()) return fail(storage(std::move(r).error()));
        if (existing) {
          if (*existing == o.override_id.to_string()) return Done{};
          return fail(error(LedgerErrorCode::AlreadyRecorded,
                            "checkout " + o.checkout_id.to_string() + " already has an override"));
        }
        POS_LEDGER_WRITE(
            chain.append(
                "po_override",
                "INSERT INTO po_override (chain_seq, override_id, checkout_id, reason_code, "
                "notes, requested_by, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                o.override_id.to_string(), o.checkout_id.to_string(), o.reason_code, o.notes,
                o.requested_by.str(), ms(o.created_at)),
            "PO override");
        for (const auto& a : o.approvals) {
          std::optional<std::string> grant;
          if (a.offline_grant_id) grant = a.offline_grant_id->to_string();
          POS_LEDGER_WRITE(
              chain.append("override_approval",
                           "INSERT INTO override_approval (chain_seq, override_id, approver_id, "
                           "method, offline_grant_id, approved_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                           o.override_id.to_string(), a.approver.str(),
                           std::string(vocabulary::ledger_text(a.method)), grant,
                           ms(a.approved_at)),
              "override approval");
        }
        POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, o.checkout_id, events),
                         "checkout events");
        return enqueue_all(outbox_, tx, messages);
      });
}

LedgerResult<Done> Ledger::record_offline_grant(const OfflineGrantRecord& g,
                                                std::span<const sync::OutboxMessage> messages,
                                                Events events) {
  return in_write<Done>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<Done> {
        std::optional<std::string> checkout;
        if (g.checkout_id) checkout = g.checkout_id->to_string();
        POS_LEDGER_WRITE(
            chain.append(
                "offline_grant",
                "INSERT INTO offline_grant (chain_seq, grant_id, approver_id, checkout_id, "
                "action, terminal_id, granted_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                g.grant_id.to_string(), g.approver.str(), checkout, g.action, g.terminal_id,
                ms(g.granted_at)),
            "offline grant");
        if (!events.empty()) {
          if (!g.checkout_id)
            return fail(error(LedgerErrorCode::Inconsistent, "events need a checkout"));
          POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, *g.checkout_id, events),
                           "checkout events");
        }
        return enqueue_all(outbox_, tx, messages);
      });
}

LedgerResult<Done> Ledger::record_pin_attempt(const PinAttempt& p, Events events) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    std::optional<std::string> checkout;
    if (p.checkout_id) checkout = p.checkout_id->to_string();
    POS_LEDGER_WRITE(
        chain.append("pin_attempt",
                     "INSERT INTO pin_attempt (chain_seq, approver_id, checkout_id, "
                     "outcome, attempted_at_ms) VALUES (?, ?, ?, ?, ?)",
                     p.approver.str(), checkout,
                     p.outcome == PinOutcome::Failed ? "FAILED" : "SUCCEEDED", ms(p.attempted_at)),
        "PIN attempt");
    if (!events.empty()) {
      if (!p.checkout_id)
        return fail(error(LedgerErrorCode::Inconsistent, "events need a checkout"));
      POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, *p.checkout_id, events),
                       "checkout events");
    }
    return Done{};
  });
}

LedgerResult<Done> Ledger::record_lockout(const ApproverLockout& l) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_WRITE(chain.append("approver_lockout",
                                  "INSERT INTO approver_lockout (chain_seq, approver_id, "
                                  "locked_at_ms, locked_until_ms) VALUES (?, ?, ?, ?)",
                                  l.approver.str(), ms(l.locked_at), ms(l.locked_until)),
                     "lockout");
    return Done{};
  });
}

// ---------------------------------------------------------------------------------------------
// 5. capture
// ---------------------------------------------------------------------------------------------

namespace {

LedgerResult<Done> check_capture(const PaymentCapture& c) {
  const auto& p = c.payment;
  const auto& r = c.receipt;
  if (!(p.receipt_id == r.receipt_id) || !(r.payment_id == p.payment_id) ||
      !(r.checkout_id == p.checkout_id) || !(r.invoice_id == p.invoice_id)) {
    return fail(error(LedgerErrorCode::Inconsistent, "receipt " + r.receipt_id.to_string() +
                                                         " does not belong to payment " +
                                                         p.payment_id.to_string()));
  }
  const auto cur = p.amount.currency();
  const bool same = r.remaining_balance.currency() == cur &&
                    (!p.amount_tendered || p.amount_tendered->currency() == cur) &&
                    (!p.change_given || p.change_given->currency() == cur);
  if (!same) {
    return fail(error(LedgerErrorCode::CurrencyMismatch,
                      "payment " + p.payment_id.to_string() + " mixes currencies"));
  }
  bool payment_message = false;
  bool receipt_message = false;
  for (const auto& m : c.messages) {
    if (m.kind == sync::OutboxKind::Payment && m.idempotency_key == p.payment_id.to_string())
      payment_message = true;
    if (m.kind == sync::OutboxKind::Receipt && m.idempotency_key == r.receipt_id.to_string())
      receipt_message = true;
  }
  if (!payment_message || !receipt_message) {
    return fail(
        error(LedgerErrorCode::Inconsistent,
              "a capture needs its payment and receipt outbox messages, keyed by their ids"));
  }
  if (c.drawer_opening && !(c.drawer_opening->shift_id == p.shift_id)) {
    return fail(error(LedgerErrorCode::Inconsistent, "drawer opening of another shift"));
  }
  return Done{};
}

// The running count and sums of the payment's (shift, currency, tender) group including it: the
// group's newest row's plus this one (summed from the rows when that row is from before the
// running sums existed). Read in the capture's transaction, so two processes cannot both
// build on the same row.
struct RunningSums {
  std::int64_t count = 0, total = 0, tendered = 0, change = 0;
};
LedgerResult<RunningSums> running_sums(sync::Database& db, const PaymentRecord& p) {
  RunningSums r;
  bool have = false;
  bool old_row = false;
  const auto shift = p.shift_id.to_string();
  const auto cur = std::string{p.amount.currency().code()};
  const auto tender = std::string{to_string(p.tender)};
  auto q = db.statement(
                 "SELECT run_count, run_total_minor, run_tendered_minor, run_change_minor "
                 "FROM payment INDEXED BY payment_by_shift WHERE shift_id = ? AND currency = ? "
                 "AND tender = ? ORDER BY chain_seq DESC LIMIT 1")
               .bind(shift, cur, tender)
               .for_each([&](const sync::Statement& row) {
                 have = true;
                 if (row.is_null(0)) {
                   old_row = true;
                   return;
                 }
                 r = RunningSums{row.int64(0), row.int64(1), row.int64(2), row.int64(3)};
               });
  if (!q.ok()) return fail(storage(std::move(q).error()));
  if (have && old_row) {
    auto s = db.statement(
                   "SELECT COUNT(*), COALESCE(SUM(amount_minor), 0), "
                   "COALESCE(SUM(COALESCE(amount_tendered_minor, amount_minor)), 0), "
                   "COALESCE(SUM(COALESCE(change_given_minor, 0)), 0) FROM payment "
                   "WHERE shift_id = ? AND currency = ? AND tender = ?")
                 .bind(shift, cur, tender)
                 .for_each([&](const sync::Statement& row) {
                   r = RunningSums{row.int64(0), row.int64(1), row.int64(2), row.int64(3)};
                 });
    if (!s.ok()) return fail(storage(std::move(s).error()));
  }
  const auto amount = p.amount.minor_units();
  const auto tendered = p.amount_tendered ? p.amount_tendered->minor_units() : amount;
  const auto change = p.change_given ? p.change_given->minor_units() : 0;
  RunningSums out;
  if (__builtin_add_overflow(r.count, 1, &out.count) ||
      __builtin_add_overflow(r.total, amount, &out.total) ||
      __builtin_add_overflow(r.tendered, tendered, &out.tendered) ||
      __builtin_add_overflow(r.change, change, &out.change)) {
    return fail(error(LedgerErrorCode::Inconsistent, "a shift total would pass int64"));
  }
  return out;
}

// The BalanceGuard, inside the capture's transaction (BEGIN IMMEDIATE: no other process can
// add a payment between this read and the commit).
LedgerResult<Done> check_balance(sync::Database& db, const PaymentRecord& p,
                                 const BalanceGuard& g) {
  if (!(g.invoice_id == p.invoice_id)) {
    return fail(error(LedgerErrorCode::Inconsistent, "balance guard of another invoice"));
  }
  if (g.balance_due.currency() != p.amount.currency()) {
    return fail(error(LedgerErrorCode::CurrencyMismatch, "balance due in another currency"));
  }
  std::vector<std::string> listed;
  listed.reserve(g.backend_listed.size());
  for (const auto& id : g.backend_listed) listed.push_back(id.to_string());
  std::sort(listed.begin(), listed.end());
  std::int64_t unsynced = 0;
  bool overflow = false;
  bool other_currency = false;
  auto q = db.statement(
                 "SELECT payment_id, currency, amount_minor FROM payment "
                 "INDEXED BY payment_by_invoice WHERE invoice_id = ?")
               .bind(p.invoice_id.to_string())
               .for_each([&](const sync::Statement& row) {
                 if (std::binary_search(listed.begin(), listed.end(), row.text(0))) return;
                 if (row.text(1) != p.amount.currency().code()) other_currency = true;
                 if (__builtin_add_overflow(unsynced, row.int64(2), &unsynced)) overflow = true;
               });
  if (!q.ok()) return fail(storage(std::move(q).error()));
  if (other_currency) {
    return fail(error(LedgerErrorCode::CurrencyMismatch,
                      "the invoice has payments in another "
                      "currency"));
  }
  std::int64_t after = 0;
  if (overflow || __builtin_add_overflow(unsynced, p.amount.minor_units(), &after) ||
      after > g.balance_due.minor_units()) {
    return fail(error(LedgerErrorCode::AmountExceedsBalance,
                      "payment " + p.payment_id.to_string() + " exceeds the balance of invoice " +
                          p.invoice_id.to_string() + " after this terminal's " +
                          std::to_string(unsynced) + " minor units not yet listed by the backend"));
  }
  return Done{};
}

}  // namespace

LedgerResult<CaptureOutcome> Ledger::record_capture(const PaymentCapture& c) {
  auto r = capture_once(c);
  if (!r.ok() && r.error().code == LedgerErrorCode::Storage && r.error().cause &&
      last_commit_failed_) {
    const auto code = r.error().cause->code;
    // Busy, a full disk and a failed write of a WAL frame leave no whole commit frame behind
    // (a torn frame fails its checksum and recovery stops there); a failed sync, or anything
    // else on COMMIT, may have left the commit on the disk. (Before COMMIT nothing is
    // written at all: WAL pages go out at commit.)
    const bool write_failed = r.error().cause->sqlite_code == SQLITE_IOERR_WRITE;
    if (code != sync::DbErrorCode::Busy && code != sync::DbErrorCode::DiskFull && !write_failed) {
      ambiguous_captures_.push_back(c.payment.payment_id.to_string());
    }
  }
  return r;
}

CaptureState Ledger::capture_state(const BillingPaymentId& payment) {
  const auto pid = payment.to_string();
  bool found = false;
  auto r = db_->statement("SELECT 1 FROM payment WHERE payment_id = ?")
               .bind(pid)
               .for_each([&](const sync::Statement&) { found = true; });
  if (!r.ok()) return CaptureState::Unknown;
  if (found) return CaptureState::Recorded;
  if (std::find(ambiguous_captures_.begin(), ambiguous_captures_.end(), pid) !=
      ambiguous_captures_.end()) {
    return CaptureState::Unknown;
  }
  return CaptureState::NotRecorded;
}

LedgerResult<int> Ledger::next_receipt_sequence(const InvoiceId& invoice) {
  std::int64_t n = 0;
  POS_LEDGER_READ_EARLY(db_->statement("SELECT COUNT(*) FROM payment WHERE invoice_id = ?")
                            .bind(invoice.to_string())
                            .for_each([&](const sync::Statement& row) { n = row.int64(0); }));
  return static_cast<int>(std::min<std::int64_t>(n + 1, 999'999));
}

LedgerResult<CaptureOutcome> Ledger::capture_once(const PaymentCapture& c) {
  if (auto ok = check_capture(c); !ok.ok()) return fail(ok.error());
  const auto& p = c.payment;
  const auto& rc = c.receipt;
  const auto pid = p.payment_id.to_string();
  return in_write<CaptureOutcome>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<CaptureOutcome> {
        // Idempotent by payment id: the ids were made before the first attempt.
        std::optional<bool> same_as_before;
        auto prior = db_->statement(
                            "SELECT checkout_id, currency, amount_minor, receipt_id, tender "
                            "FROM payment WHERE payment_id = ?")
                         .bind(pid)
                         .for_each([&](const sync::Statement& row) {
                           same_as_before = row.text(0) == p.checkout_id.to_string() &&
                                            row.text(1) == p.amount.currency().code() &&
                                            row.int64(2) == p.amount.minor_units() &&
                                            row.text(3) == p.receipt_id.to_string() &&
                                            row.text(4) == to_string(p.tender);
                         });
        if (!prior.ok()) return fail(storage(std::move(prior).error()));
        if (same_as_before) {
          if (*same_as_before) return CaptureOutcome::AlreadyRecorded;
          return fail(error(LedgerErrorCode::IdConflict,
                            "payment " + pid + " is recorded with other details"));
        }
        std::optional<std::string> checkout_currency;
        auto co =
            db_->statement("SELECT currency FROM checkout WHERE checkout_id = ?")
                .bind(p.checkout_id.to_string())
                .for_each([&](const sync::Statement& row) { checkout_currency = row.text(0); });
        if (!co.ok()) return fail(storage(std::move(co).error()));
        if (!checkout_currency) {
          return fail(error(LedgerErrorCode::NotFound,
                            "checkout " + p.checkout_id.to_string() + " is not in the ledger"));
        }
        if (*checkout_currency != p.amount.currency().code()) {
          return fail(error(LedgerErrorCode::CurrencyMismatch,
                            "payment " + pid + " is not in its checkout's currency"));
        }
        if (auto open = require_open_shift(*db_, p.shift_id); !open.ok()) return fail(open.error());

        // The receipt number is chosen before this transaction: another process may have
        // taken it meanwhile. Said as its own code, so the caller renumbers and retries.
        bool reference_taken = false;
        auto ref = db_->statement("SELECT 1 FROM receipt WHERE receipt_reference = ?")
                       .bind(rc.receipt_reference)
                       .for_each([&](const sync::Statement&) { reference_taken = true; });
        if (!ref.ok()) return fail(storage(std::move(ref).error()));
        if (reference_taken) {
          return fail(error(LedgerErrorCode::ReceiptReferenceTaken,
                            "receipt reference " + rc.receipt_reference + " is taken"));
        }
        if (c.balance_guard) {
          if (auto g = check_balance(*db_, p, *c.balance_guard); !g.ok()) return fail(g.error());
        }
        auto run = running_sums(*db_, p);
        if (!run.ok()) return fail(run.error());
        const auto& sums = run.value();

        auto conflict = [&](sync::DbError e) {
          if (e.code == sync::DbErrorCode::Constraint &&
              e.message.find("receipt_reference") != std::string::npos) {
            return error(LedgerErrorCode::ReceiptReferenceTaken,
                         "receipt reference " + rc.receipt_reference + " is taken");
          }
          if (e.code == sync::DbErrorCode::Constraint) {
            return error(LedgerErrorCode::IdConflict, "capture " + pid + " refused: " + e.message);
          }
          return storage(std::move(e));
        };
        std::optional<std::string> card_brand, card_last4, card_code;
        if (p.card) {
          card_brand = p.card->brand;
          card_last4 = p.card->last4;
          card_code = p.card->approval_code;
        }
        std::optional<std::int64_t> tendered, change;
        if (p.amount_tendered) tendered = p.amount_tendered->minor_units();
        if (p.change_given) change = p.change_given->minor_units();
        // The capture's events go in its payment row (step 7), after the checkout's last one.
        std::optional<std::int64_t> first_event, last_event, events_dictionary;
        std::optional<sync::Blob> events;
        StoredText events_text;
        if (!c.events.empty()) {
          auto next = next_event_no(*db_, p.checkout_id.to_string());
          if (!next.ok()) return fail(storage(std::move(next).error()));
          auto stored = text_to_store<kCaptureEvents>(
              *db_, dictionaries_, capture_events_text(c.events),
              capture_events_own(pid, p.receipt_id.to_string(), p.checkout_id.to_string(),
                                 p.invoice_id.to_string()),
              p.amount.currency().code());
          if (!stored.ok()) return fail(storage(std::move(stored).error()));
          events_text = std::move(stored).value();
          first_event = next.value();
          last_event = next.value() + static_cast<std::int64_t>(c.events.size()) - 1;
          events = sync::Blob{events_text.deflated};
          events_dictionary = events_text.dictionary;
        }
        // The capture's audit event goes in its payment row (step 8) when it says only what the
        // row says; the view audit_log shows it as the row it would have been.
        std::optional<std::string> folded_audit;
        if (audit_is_the_payments(c.audit, p)) folded_audit = c.audit.event_id.to_string();
        auto w = chain.append(
            "payment",
            "INSERT INTO payment (chain_seq, payment_id, checkout_id, invoice_id, shift_id, "
            "currency, amount_minor, tender, tender_reference, card_brand, card_last4, "
            "card_approval_code, amount_tendered_minor, change_given_minor, payment_type, "
            "captured_by, captured_at_ms, captured_offline, receipt_id, run_count, "
            "run_total_minor, run_tendered_minor, run_change_minor, first_event_no, "
            "last_event_no, events_json_deflated, events_dictionary, audit_event_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            pid, p.checkout_id.to_string(), p.invoice_id.to_string(), p.shift_id.to_string(),
            p.amount.currency().code(), p.amount.minor_units(), to_string(p.tender),
            p.tender_reference, card_brand, card_last4, card_code, tendered, change,
            to_string(p.payment_type), p.captured_by.str(), ms(p.captured_at),
            p.mode == CaptureMode::Offline, p.receipt_id.to_string(), sums.count, sums.total,
            sums.tendered, sums.change, first_event, last_event, events, events_dictionary,
            folded_audit);
        if (!w.ok()) return fail(conflict(std::move(w).error()));
        auto text = text_to_store<kPrintText>(*db_, dictionaries_, rc.print_text,
                                              print_text_own(rc.receipt_reference, pid),
                                              rc.template_id, rc.template_version);
        if (!text.ok()) return fail(storage(std::move(text).error()));
        w = chain.append(
            "receipt",
            "INSERT INTO receipt (chain_seq, receipt_id, receipt_reference, payment_id, "
            "checkout_id, invoice_id, payment_type, remaining_currency, remaining_minor, "
            "delivery_suppressed, template_id, template_version, print_text, "
            "print_text_deflated, print_dictionary, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
            rc.receipt_id.to_string(), rc.receipt_reference, pid, rc.checkout_id.to_string(),
            rc.invoice_id.to_string(), to_string(rc.payment_type),
            rc.remaining_balance.currency().code(), rc.remaining_balance.minor_units(),
            rc.delivery == ReceiptDeliveryChoice::Suppressed, rc.template_id, rc.template_version,
            sync::Blob{text.value().deflated}, text.value().dictionary, ms(rc.created_at));
        if (!w.ok()) return fail(conflict(std::move(w).error()));
        if (!folded_audit) {
          w = insert_audit(chain, c.audit);
          if (!w.ok()) return fail(conflict(std::move(w).error()));
        }
        if (c.drawer_opening) {
          w = insert_drawer_opening(chain, *c.drawer_opening);
          if (!w.ok()) return fail(conflict(std::move(w).error()));
        }
        for (const auto& m : c.messages) {
          auto e = outbox_.enqueue(tx, m);
          if (!e.ok()) return fail(conflict(std::move(e).error()));
        }
        return CaptureOutcome::Recorded;
      });
}

LedgerResult<Done> Ledger::append_events(const CheckoutId& cid,
                                         std::span<const checkout::CheckoutEvent> events) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, cid, events), "checkout events");
    return Done{};
  });
}

LedgerResult<std::vector<checkout::CheckoutEvent>> Ledger::load_events(const CheckoutId& cid) {
  // The checkout's log: its rows of checkout_event and the events its captures keep in their
  // payment rows (step 7), put in order by their numbers.
  std::vector<std::pair<std::int64_t, checkout::CheckoutEvent>> numbered;
  std::optional<LedgerError> bad;
  const auto key = cid.to_string();
  auto inconsistent = [&](std::string what) {
    if (!bad) bad = error(LedgerErrorCode::Inconsistent, std::move(what));
  };
  auto read = [&](const nlohmann::json& json, std::int64_t number) {
    auto event = checkout::event_from_json(json);
    if (!event.ok()) {
      inconsistent("a stored event of checkout " + key + " is not one this build reads");
      return;
    }
    numbered.emplace_back(number, event.value());
  };
  auto text_of = [&](const sync::Statement& row, int first, const StoredTextKind& kind,
                     const std::string& own) -> std::optional<nlohmann::json> {
    try {
      auto json = nlohmann::json::parse(stored_text(row, first, kind, own), nullptr, false);
      if (!json.is_discarded()) return json;
    } catch (const CorruptRow& e) {
      inconsistent(e.what());
      return std::nullopt;
    }
    inconsistent("a stored event of checkout " + key + " is not one this build reads");
    return std::nullopt;
  };
  static const std::string rows_sql = "SELECT event_no, " + stored_text_sql(kEventJson) +
                                      " FROM checkout_event WHERE checkout_id = ?";
  auto r = db_->statement(rows_sql).bind(key).for_each([&](const sync::Statement& row) {
    if (bad) return;
    if (auto json = text_of(row, 1, kEventJson, own_words({key}))) read(*json, row.int64(0));
  });
  if (!r.ok()) return fail(storage(std::move(r).error()));
  static const std::string captures_sql =
      "SELECT payment_id, first_event_no, last_event_no, " + stored_text_sql(kCaptureEvents) +
      ", receipt_id, checkout_id, invoice_id FROM payment WHERE invoice_id = (SELECT invoice_id FROM checkout WHERE checkout_id = ?1)"
      " AND checkout_id = ?1 AND first_event_no IS NOT NULL";
  r = db_->statement(captures_sql).bind(key).for_each([&](const sync::Statement& row) {
    if (bad) return;
    auto json = text_of(row, 3, kCaptureEvents,
                        capture_events_own(row.text(0), row.text(7), row.text(8), row.text(9)));
    if (!json) return;
    std::int64_t number = row.int64(1);
    const std::int64_t count = row.int64(2) - number + 1;
    if (!json->is_array() || static_cast<std::int64_t>(json->size()) != count) {
      inconsistent("payment " + row.text(0) + ": its events are not the " + std::to_string(count) +
                   " its row numbers");
      return;
    }
    for (const auto& e : *json) read(e, number++);
  });
  if (!r.ok()) return fail(storage(std::move(r).error()));
  if (bad) return fail(*bad);
  std::ranges::stable_sort(numbered, {}, &std::pair<std::int64_t, checkout::CheckoutEvent>::first);
  std::vector<checkout::CheckoutEvent> out;
  out.reserve(numbered.size());
  for (std::size_t i = 0; i < numbered.size(); ++i) {
    if (i > 0 && numbered[i].first == numbered[i - 1].first) {
      return fail(error(
          LedgerErrorCode::Inconsistent,
          "checkout " + key + " has two events numbered " + std::to_string(numbered[i].first)));
    }
    out.push_back(std::move(numbered[i].second));
  }
  return out;
}

LedgerResult<Done> Ledger::record_adjustment(const PaymentAdjustment& a) {
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    std::optional<std::string> currency;
    auto r = db_->statement("SELECT currency FROM payment WHERE payment_id = ?")
                 .bind(a.payment_id.to_string())
                 .for_each([&](const sync::Statement& row) { currency = row.text(0); });
    if (!r.ok()) return fail(storage(std::move(r).error()));
    if (!currency) {
      return fail(error(LedgerErrorCode::NotFound, "payment " + a.payment_id.to_string()));
    }
    if (*currency != a.amount.currency().code()) {
      return fail(error(LedgerErrorCode::CurrencyMismatch, "adjustment in another currency"));
    }
    POS_LEDGER_WRITE(
        chain.append("payment_adjustment",
                     "INSERT INTO payment_adjustment (chain_seq, adjustment_id, payment_id, "
                     "currency, amount_minor, reason_code, made_by, made_at_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     a.adjustment_id.to_string(), a.payment_id.to_string(),
                     a.amount.currency().code(), a.amount.minor_units(), a.reason_code,
                     a.made_by.str(), ms(a.made_at)),
        "adjustment");
    return Done{};
  });
}

// ---------------------------------------------------------------------------------------------
// 6. receipts afterwards
// ---------------------------------------------------------------------------------------------

LedgerResult<Done> Ledger::record_delivery(const ReceiptDelivery& d,
                                           std::span<const sync::OutboxMessage> messages) {
  return in_write<Done>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<Done> {
        POS_LEDGER_WRITE(
            chain.append("receipt_delivery",
                         "INSERT INTO receipt_delivery (chain_seq, delivery_id, receipt_id, "
                         "channel, requested_by, requested_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                         d.delivery_id.to_string(), d.receipt_id.to_string(), to_string(d.channel),
                         d.requested_by.str(), ms(d.requested_at)),
            "receipt delivery");
        POS_LEDGER_WRITE(
            chain.append("delivery_outcome",
                         "INSERT INTO delivery_outcome (chain_seq, delivery_id, status, "
                         "reason, at_ms) VALUES (?, ?, 'PENDING', '', ?)",
                         d.delivery_id.to_string(), ms(d.requested_at)),
            "delivery outcome");
        return enqueue_all(outbox_, tx, messages);
      });
}

LedgerResult<Done> Ledger::record_delivery_outcome(const DeliveryOutcome& o,
                                                   std::span<const sync::OutboxMessage> messages,
                                                   Events events) {
  // The domain's record of the attempt says what the row says, or neither is written.
  for (const auto& e : events) {
    const auto* d = std::get_if<checkout::ReceiptDeliveryRecorded>(&e);
    if (d == nullptr || d->delivery_id != o.delivery_id || d->outcome != o.status)
      return fail(error(LedgerErrorCode::Inconsistent,
                        "a delivery outcome's events are the domain's record of that same "
                        "attempt (" +
                            o.delivery_id.to_string() + ")"));
  }
  return in_write<Done>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<Done> {
        POS_LEDGER_WRITE(
            chain.append("delivery_outcome",
                         "INSERT INTO delivery_outcome (chain_seq, delivery_id, status, "
                         "reason, at_ms) VALUES (?, ?, ?, ?, ?)",
                         o.delivery_id.to_string(), to_string(o.status), o.reason, ms(o.at)),
            "delivery outcome");
        if (!events.empty()) {
          auto checkout = checkout_holding(
              *db_,
              "SELECT r.checkout_id FROM receipt_delivery AS d JOIN receipt AS r ON "
              "r.receipt_id = d.receipt_id WHERE d.delivery_id = ?",
              o.delivery_id.to_string(), "delivery");
          if (!checkout.ok()) return fail(std::move(checkout).error());
          POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, checkout.value(), events),
                           "checkout events");
        }
        return enqueue_all(outbox_, tx, messages);
      });
}

LedgerResult<Done> Ledger::record_reprint(const ReprintRecord& r,
                                          std::span<const sync::OutboxMessage> messages,
                                          Events events) {
  return in_write<Done>(
      *this, [&](sync::Transaction& tx, ChainWriter& chain) -> LedgerResult<Done> {
        POS_LEDGER_TRY(require_open_shift(*db_, r.shift_id));
        std::optional<std::string> approver;
        if (r.approver) approver = r.approver->str();
        POS_LEDGER_WRITE(
            chain.append("reprint",
                         "INSERT INTO reprint (chain_seq, reprint_id, receipt_id, shift_id, "
                         "reprint_number, reason_code, requested_by, approver_id, reprinted_at_ms) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         r.reprint_id.to_string(), r.receipt_id.to_string(), r.shift_id.to_string(),
                         r.reprint_number, r.reason_code, r.requested_by.str(), approver,
                         ms(r.reprinted_at)),
            "reprint");
        if (!events.empty()) {
          auto checkout =
              checkout_holding(*db_, "SELECT checkout_id FROM receipt WHERE receipt_id = ?",
                               r.receipt_id.to_string(), "receipt");
          if (!checkout.ok()) return fail(std::move(checkout).error());
          POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, checkout.value(), events),
                           "checkout events");
        }
        return enqueue_all(outbox_, tx, messages);
      });
}

LedgerResult<Done> Ledger::record_audit(const AuditEvent& a, Events events) {
  if (!events.empty() && !a.checkout_id)
    return fail(error(LedgerErrorCode::Inconsistent, "events need a checkout"));
  return in_write<Done>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<Done> {
    POS_LEDGER_WRITE(insert_audit(chain, a), "audit event");
    if (!events.empty())
      POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, *a.checkout_id, events),
                       "checkout events");
    return Done{};
  });
}

// ---------------------------------------------------------------------------------------------
// 7. reading back
// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kPaymentColumns =
    "payment_id, checkout_id, invoice_id, shift_id, currency, amount_minor, tender, "
    "tender_reference, card_brand, card_last4, card_approval_code, amount_tendered_minor, "
    "change_given_minor, payment_type, captured_by, captured_at_ms, captured_offline, receipt_id";

PaymentRecord read_payment(const sync::Statement& row) {
  const auto code = row.text(4);
  std::optional<CardDetails> card;
  if (!row.is_null(8)) card = CardDetails{row.text(8), row.text(9), row.text(10)};
  std::optional<Money> tendered, change;
  if (auto t = row.opt_int64(11)) tendered = money(code, *t);
  if (auto c = row.opt_int64(12)) change = money(code, *c);
  return PaymentRecord{id<BillingPaymentId>(row.text(0)),
                       id<CheckoutId>(row.text(1)),
                       id<InvoiceId>(row.text(2)),
                       id<ShiftId>(row.text(3)),
                       money(code, row.int64(5)),
                       must_parse<Tender>(kTenders, row.text(6)),
                       row.opt_text(7),
                       card,
                       tendered,
                       change,
                       must_parse<PaymentType>(kPaymentTypes, row.text(13)),
                       id<UserId>(row.text(14)),
                       at(row.int64(15)),
                       row.int64(16) != 0 ? CaptureMode::Offline : CaptureMode::Online,
                       id<ReceiptId>(row.text(17))};
}

// The print text last: its four columns (text_store.hpp) from 12 on.
const std::string kReceiptColumns =
    "receipt_id, receipt_reference, payment_id, checkout_id, invoice_id, payment_type, "
    "remaining_currency, remaining_minor, delivery_suppressed, template_id, template_version, "
    "created_at_ms, " +
    stored_text_sql(kPrintText);

ReceiptRecord read_receipt(const sync::Statement& row) {
  return ReceiptRecord{
      id<ReceiptId>(row.text(0)),
      row.text(1),
      id<BillingPaymentId>(row.text(2)),
      id<CheckoutId>(row.text(3)),
      id<InvoiceId>(row.text(4)),
      must_parse<PaymentType>(kPaymentTypes, row.text(5)),
      money(row.text(6), row.int64(7)),
      row.int64(8) != 0 ? ReceiptDeliveryChoice::Suppressed : ReceiptDeliveryChoice::Deliver,
      row.text(9),
      row.text(10),
      stored_text(row, 12, kPrintText, print_text_own(row.text(1), row.text(2))),
      at(row.int64(11))};
}

template <class T, class F>
LedgerResult<T> reading(F&& body) {
  try {
    return body();
  } catch (const CorruptRow& e) {
    return fail(error(LedgerErrorCode::Inconsistent, e.what()));
  }
}

#define POS_LEDGER_READ(expr)                                                      \
  do {                                                                             \
    auto pos_ledger_q = (expr);                                                    \
    if (!pos_ledger_q.ok()) return fail(storage(std::move(pos_ledger_q).error())); \
  } while (false)

}  // namespace

LedgerResult<std::optional<CheckoutHistory>> Ledger::load_checkout(const CheckoutId& cid) {
  using R = std::optional<CheckoutHistory>;
  return reading<R>([&]() -> LedgerResult<R> {
    const auto key = cid.to_string();
    std::optional<CheckoutHistory> h;
    POS_LEDGER_READ(
        db_->statement("SELECT checkout_id, shift_id, invoice_id, invoice_number, work_order_id, "
                       "account_id, currency, correlation_id, operator_id, started_at_ms "
                       "FROM checkout WHERE checkout_id = ?")
            .bind(key)
            .for_each([&](const sync::Statement& row) {
              h = CheckoutHistory{
                  CheckoutRecord{id<CheckoutId>(row.text(0)), id<ShiftId>(row.text(1)),
                                 id<InvoiceId>(row.text(2)), row.text(3), row.text(4), row.text(5),
                                 currency(row.text(6)), id<CorrelationId>(row.text(7)),
                                 id<UserId>(row.text(8)), at(row.int64(9))},
                  {},
                  {},
                  {},
                  {},
                  {},
                  {},
                  {}};
            }));
    if (!h) return R{};
    POS_LEDGER_READ(
        db_->statement("SELECT evaluation_id, checkout_id, policy_version, evaluated_offline, "
                       "evaluated_at_ms, " +
                       stored_text_sql(kEvaluationJson) +
                       " FROM evaluation WHERE checkout_id = ? ORDER BY chain_seq")
            .bind(key)
            .for_each([&](const sync::Statement& row) {
              h->evaluations.push_back(EvaluationRecord{
                  id<EventId>(row.text(0)), id<CheckoutId>(row.text(1)), row.text(2),
                  row.int64(3) != 0 ? CaptureMode::Offline : CaptureMode::Online,
                  stored_text(row, 5, kEvaluationJson), at(row.int64(4))});
            }));
    POS_LEDGER_READ(db_->statement("SELECT checkout_id, po_number, captured_by, captured_at_ms "
                                   "FROM po_capture WHERE checkout_id = ?")
                        .bind(key)
                        .for_each([&](const sync::Statement& row) {
                          h->po_capture =
                              PoCaptureRecord{id<CheckoutId>(row.text(0)), row.text(1),
                                              id<UserId>(row.text(2)), at(row.int64(3))};
                        }));
    POS_LEDGER_READ(
        db_->statement("SELECT override_id, checkout_id, reason_code, notes, requested_by, "
                       "created_at_ms FROM po_override WHERE checkout_id = ?")
            .bind(key)
            .for_each([&](const sync::Statement& row) {
              h->po_override = PoOverrideRecord{id<OverrideId>(row.text(0)),
                                                id<CheckoutId>(row.text(1)),
                                                row.text(2),
                                                row.text(3),
                                                id<UserId>(row.text(4)),
                                                at(row.int64(5)),
                                                {}};
            }));
    if (h->po_override) {
      std::optional<std::string> unknown_method;
      POS_LEDGER_READ(
          db_->statement("SELECT approver_id, method, offline_grant_id, approved_at_ms "
                         "FROM override_approval WHERE override_id = ? ORDER BY chain_seq")
              .bind(h->po_override->override_id.to_string())
              .for_each([&](const sync::Statement& row) {
                const auto method = vocabulary::parse_ledger_text(row.text(1));
                if (!method) {
                  unknown_method = row.text(1);
                  return;
                }
                h->po_override->approvals.push_back(
                    OverrideApproval{id<UserId>(row.text(0)), *method,
                                     opt_id<OfflineGrantId>(row.opt_text(2)), at(row.int64(3))});
              }));
      if (unknown_method)
        return fail(error(LedgerErrorCode::Inconsistent,
                          "an approval of override " + h->po_override->override_id.to_string() +
                              " has the method \"" + *unknown_method +
                              "\", which this build does not know"));
    }
    POS_LEDGER_READ(
        db_->statement("SELECT grant_id, approver_id, checkout_id, action, terminal_id, "
                       "granted_at_ms FROM offline_grant WHERE checkout_id = ? ORDER BY chain_seq")
            .bind(key)
            .for_each([&](const sync::Statement& row) {
              h->offline_grants.push_back(OfflineGrantRecord{
                  id<OfflineGrantId>(row.text(0)), id<UserId>(row.text(1)),
                  opt_id<CheckoutId>(row.opt_text(2)), row.text(3), row.text(4), at(row.int64(5))});
            }));
    // Payments are indexed by (invoice, checkout): the balance guard's key, and this one's.
    const auto invoice = h->checkout.invoice_id.to_string();
    POS_LEDGER_READ(db_->statement("SELECT " + std::string{kPaymentColumns} +
                                   " FROM payment WHERE invoice_id = ? AND checkout_id = ?"
                                   " ORDER BY chain_seq")
                        .bind(invoice, key)
                        .for_each([&](const sync::Statement& row) {
                          h->payments.push_back(read_payment(row));
                        }));
    // Through the payments' receipt ids (receipt_id is the receipt's key; payment_id is not
    // indexed since ledger schema 4): a payment's receipt is the one written with it.
    POS_LEDGER_READ(db_->statement("SELECT " + kReceiptColumns +
                                   " FROM receipt WHERE receipt_id IN (SELECT receipt_id FROM"
                                   " payment WHERE invoice_id = ? AND checkout_id = ?)"
                                   " AND checkout_id = ? ORDER BY chain_seq")
                        .bind(invoice, key, key)
                        .for_each([&](const sync::Statement& row) {
                          h->receipts.push_back(read_receipt(row));
                        }));
    POS_LEDGER_READ(
        db_->statement("SELECT a.adjustment_id, a.payment_id, a.currency, a.amount_minor, "
                       "a.reason_code, a.made_by, a.made_at_ms FROM payment_adjustment AS a "
                       "JOIN payment AS p ON p.payment_id = a.payment_id "
                       "WHERE p.invoice_id = ? AND p.checkout_id = ? ORDER BY a.chain_seq")
            .bind(invoice, key)
            .for_each([&](const sync::Statement& row) {
              h->adjustments.push_back(PaymentAdjustment{
                  id<AdjustmentId>(row.text(0)), id<BillingPaymentId>(row.text(1)),
                  money(row.text(2), row.int64(3)), row.text(4), id<UserId>(row.text(5)),
                  at(row.int64(6))});
            }));
    return h;
  });
}

LedgerResult<std::optional<ReceiptRecord>> Ledger::find_receipt(const ReceiptId& rid) {
  using R = std::optional<ReceiptRecord>;
  return reading<R>([&]() -> LedgerResult<R> {
    R out;
    POS_LEDGER_READ(
        db_->statement("SELECT " + kReceiptColumns + " FROM receipt WHERE receipt_id = ?")
            .bind(rid.to_string())
            .for_each([&](const sync::Statement& row) { out = read_receipt(row); }));
    return out;
  });
}

LedgerResult<std::vector<DeliveryState>> Ledger::deliveries_of(const ReceiptId& rid) {
  using R = std::vector<DeliveryState>;
  return reading<R>([&]() -> LedgerResult<R> {
    R out;
    POS_LEDGER_READ(
        db_->statement(
               "SELECT d.delivery_id, d.receipt_id, d.channel, d.requested_by, d.requested_at_ms,"
               " o.status, o.reason, o.at_ms FROM receipt_delivery AS d"
               " LEFT JOIN delivery_outcome AS o ON o.chain_seq = (SELECT MAX(chain_seq) FROM"
               " delivery_outcome WHERE delivery_id = d.delivery_id)"
               " WHERE d.receipt_id = ? ORDER BY d.chain_seq")
            .bind(rid.to_string())
            .for_each([&](const sync::Statement& row) {
              DeliveryState s{
                  ReceiptDelivery{
                      id<DeliveryId>(row.text(0)), id<ReceiptId>(row.text(1)),
                      row.text(2) == "EMAIL" ? DeliveryChannel::Email : DeliveryChannel::Print,
                      id<UserId>(row.text(3)), at(row.int64(4))},
                  DeliveryStatus::Pending, "", std::nullopt};
              if (!row.is_null(5)) {
                s.status = must_parse<DeliveryStatus>(kDeliveryStatuses, row.text(5));
                s.reason = row.text(6);
                s.status_at = at(row.int64(7));
              }
              out.push_back(std::move(s));
            }));
    return out;
  });
}

LedgerResult<std::int64_t> Ledger::reprint_count(const ReceiptId& rid) {
  std::int64_t n = 0;
  POS_LEDGER_READ(db_->statement("SELECT COUNT(*) FROM reprint WHERE receipt_id = ?")
                      .bind(rid.to_string())
                      .for_each([&](const sync::Statement& row) { n = row.int64(0); }));
  return n;
}

LedgerResult<ApproverPinState> Ledger::approver_pin_state(const UserId& approver) {
  return reading<ApproverPinState>([&]() -> LedgerResult<ApproverPinState> {
    ApproverPinState s{approver, 0, std::nullopt, std::nullopt};
    std::int64_t since = 0;
    POS_LEDGER_READ(
        db_->statement("SELECT chain_seq, locked_at_ms, locked_until_ms FROM approver_lockout "
                       "WHERE approver_id = ? ORDER BY chain_seq DESC LIMIT 1")
            .bind(approver.str())
            .for_each([&](const sync::Statement& row) {
              since = row.int64(0);
              s.latest_lockout = ApproverLockout{approver, at(row.int64(1)), at(row.int64(2))};
            }));
    POS_LEDGER_READ(db_->statement("SELECT MAX(chain_seq) FROM pin_attempt WHERE approver_id = ? "
                                   "AND outcome = 'SUCCEEDED'")
                        .bind(approver.str())
                        .for_each([&](const sync::Statement& row) {
                          if (!row.is_null(0)) since = std::max(since, row.int64(0));
                        }));
    POS_LEDGER_READ(db_->statement("SELECT COUNT(*), MAX(attempted_at_ms) FROM pin_attempt "
                                   "WHERE approver_id = ? AND outcome = 'FAILED' AND chain_seq > ?")
                        .bind(approver.str(), since)
                        .for_each([&](const sync::Statement& row) {
                          s.failures_since_last_success_or_lockout = static_cast<int>(row.int64(0));
                          if (!row.is_null(1)) s.last_failure_at = at(row.int64(1));
                        }));
    return s;
  });
}

LedgerResult<std::vector<PaymentRecord>> Ledger::payments_between(Timestamp from, Timestamp to) {
  using R = std::vector<PaymentRecord>;
  return reading<R>([&]() -> LedgerResult<R> {
    R out;
    POS_LEDGER_READ(
        db_->statement("SELECT " + std::string{kPaymentColumns} +
                       " FROM payment WHERE captured_at_ms >= ? AND captured_at_ms < ?"
                       " ORDER BY chain_seq")
            .bind(ms(from), ms(to))
            .for_each([&](const sync::Statement& row) { out.push_back(read_payment(row)); }));
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// 8. PIN attempts, one count per person
// ---------------------------------------------------------------------------------------------

namespace {

// Failures since the person's last success or lock-out, and the latest lock-out.
struct PinCount {
  int failures = 0;
  std::optional<ApproverLockout> lockout;
};
LedgerResult<PinCount> count_pins(sync::Database& db, const UserId& user) {
  PinCount c;
  std::int64_t since = 0;
  POS_LEDGER_READ_EARLY(
      db.statement("SELECT chain_seq, locked_at_ms, locked_until_ms FROM approver_lockout "
                   "WHERE approver_id = ? ORDER BY chain_seq DESC LIMIT 1")
          .bind(user.str())
          .for_each([&](const sync::Statement& row) {
            since = row.int64(0);
            c.lockout = ApproverLockout{user, at(row.int64(1)), at(row.int64(2))};
          }));
  POS_LEDGER_READ_EARLY(db.statement("SELECT MAX(chain_seq) FROM pin_attempt WHERE approver_id = ? "
                                     "AND outcome = 'SUCCEEDED'")
                            .bind(user.str())
                            .for_each([&](const sync::Statement& row) {
                              if (!row.is_null(0)) since = std::max(since, row.int64(0));
                            }));
  POS_LEDGER_READ_EARLY(db.statement("SELECT COUNT(*) FROM pin_attempt WHERE approver_id = ? "
                                     "AND outcome = 'FAILED' AND chain_seq > ?")
                            .bind(user.str(), since)
                            .for_each([&](const sync::Statement& row) {
                              c.failures = static_cast<int>(row.int64(0));
                            }));
  return c;
}

sync::DbResult<void> insert_lockout(ChainWriter& chain, const ApproverLockout& l) {
  return chain.append("approver_lockout",
                      "INSERT INTO approver_lockout (chain_seq, approver_id, locked_at_ms, "
                      "locked_until_ms) VALUES (?, ?, ?, ?)",
                      l.approver.str(), ms(l.locked_at), ms(l.locked_until));
}

}  // namespace

LedgerResult<PinAttemptStart> Ledger::begin_pin_attempt(const UserId& user,
                                                        std::string_view purpose, Timestamp now) {
  return in_write<PinAttemptStart>(
      *this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<PinAttemptStart> {
        auto count = count_pins(*db_, user);
        if (!count.ok()) return fail(count.error());
        const auto& c = count.value();
        if (c.lockout && c.lockout->locked_until > now) {
          return PinAttemptStart{PinLockedOut{user, c.lockout->locked_until}};
        }
        if (c.failures >= checkout::kWrongPinsBeforeLockout) {
          // The count reached the limit without its lock-out (a finish that never came).
          const ApproverLockout l{user, now, now + checkout::kApproverLockoutDuration};
          POS_LEDGER_WRITE(insert_lockout(chain, l), "lockout");
          return PinAttemptStart{PinLockedOut{user, l.locked_until}};
        }
        const auto attempt_id = "PIN-" + std::to_string(chain.length() + 1);
        POS_LEDGER_WRITE(chain.append("pin_attempt",
                                      "INSERT INTO pin_attempt (chain_seq, approver_id, "
                                      "checkout_id, outcome, attempted_at_ms, attempt_id, purpose)"
                                      " VALUES (?, ?, NULL, 'FAILED', ?, ?, ?)",
                                      user.str(), ms(now), attempt_id, purpose),
                         "PIN attempt");
        return PinAttemptStart{PinAttemptTicket{user, attempt_id, c.failures}};
      });
}

LedgerResult<std::optional<ApproverLockout>> Ledger::finish_pin_attempt(
    const PinAttemptTicket& ticket, PinOutcome outcome, Timestamp now,
    const std::optional<CheckoutId>& checkout, Events events) {
  using R = std::optional<ApproverLockout>;
  if (!events.empty() && !checkout)
    return fail(error(LedgerErrorCode::Inconsistent, "events need a checkout"));
  return in_write<R>(*this, [&](sync::Transaction&, ChainWriter& chain) -> LedgerResult<R> {
    if (!events.empty())
      POS_LEDGER_WRITE(insert_events(*db_, dictionaries_, chain, *checkout, events),
                       "checkout events");
    if (outcome == PinOutcome::Succeeded) {
      POS_LEDGER_WRITE(chain.append("pin_attempt",
                                    "INSERT INTO pin_attempt (chain_seq, approver_id, "
                                    "checkout_id, outcome, attempted_at_ms, attempt_id) "
                                    "VALUES (?, ?, NULL, 'SUCCEEDED', ?, ?)",
                                    ticket.user.str(), ms(now), ticket.attempt_id),
                       "PIN attempt");
      return R{};
    }
    auto count = count_pins(*db_, ticket.user);
    if (!count.ok()) return fail(count.error());
    const auto& c = count.value();
    if (c.failures < checkout::kWrongPinsBeforeLockout) return R{};
    if (c.lockout && c.lockout->locked_until > now) return R{};
    const ApproverLockout l{ticket.user, now, now + checkout::kApproverLockoutDuration};
    POS_LEDGER_WRITE(insert_lockout(chain, l), "lockout");
    return R{l};
  });
}

}  // namespace pos::ledger
