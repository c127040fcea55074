// The ledger's tables (component "ledger"), append-only triggers and the hash chain table.
//
// Every ledger table has `chain_seq INTEGER PRIMARY KEY`: the row's link in ledger_chain (an
// explicit INTEGER PRIMARY KEY survives VACUUM, a bare rowid may not). Money is a currency code
// and an integer count of minor units; times are Unix milliseconds UTC.
#include <pos/ledger/ledger.hpp>

#include <array>
#include <span>
#include <string>

#include "ledger_tables.hpp"

namespace pos::ledger {

namespace {

constexpr std::string_view kTablesV1 = R"sql(
CREATE TABLE ledger_chain (
  seq        INTEGER PRIMARY KEY,
  table_name TEXT NOT NULL,
  hash       BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

CREATE TABLE shift_open (
  chain_seq INTEGER PRIMARY KEY, shift_id TEXT NOT NULL UNIQUE, terminal_id TEXT NOT NULL,
  opened_by TEXT NOT NULL, opened_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE shift_cash (
  chain_seq INTEGER PRIMARY KEY, shift_id TEXT NOT NULL REFERENCES shift_open (shift_id),
  kind TEXT NOT NULL CHECK (kind IN ('FLOAT', 'COUNTED')),
  currency TEXT NOT NULL CHECK (length(currency) = 3), amount_minor INTEGER NOT NULL,
  UNIQUE (shift_id, kind, currency)
) STRICT;
CREATE TABLE shift_close (
  chain_seq INTEGER PRIMARY KEY, shift_id TEXT NOT NULL UNIQUE REFERENCES shift_open (shift_id),
  closed_by TEXT NOT NULL, closed_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE cash_paid_out (
  chain_seq INTEGER PRIMARY KEY, paid_out_id TEXT NOT NULL UNIQUE,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  paid_by TEXT NOT NULL, reason TEXT NOT NULL, paid_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX cash_paid_out_by_shift ON cash_paid_out (shift_id);
CREATE TABLE drawer_opening (
  chain_seq INTEGER PRIMARY KEY, opening_id TEXT NOT NULL UNIQUE,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id), opened_by TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('SALE', 'NO_SALE', 'PAID_OUT', 'CASH_COUNT')),
  payment_id TEXT, note TEXT NOT NULL, opened_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX drawer_opening_by_shift ON drawer_opening (shift_id, reason);

CREATE TABLE checkout (
  chain_seq INTEGER PRIMARY KEY, checkout_id TEXT NOT NULL UNIQUE,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id), invoice_id TEXT NOT NULL,
  invoice_number TEXT NOT NULL, work_order_id TEXT NOT NULL, account_id TEXT NOT NULL,
  currency TEXT NOT NULL CHECK (length(currency) = 3), correlation_id TEXT NOT NULL,
  operator_id TEXT NOT NULL, started_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX checkout_by_shift ON checkout (shift_id);
CREATE TABLE evaluation (
  chain_seq INTEGER PRIMARY KEY, evaluation_id TEXT NOT NULL UNIQUE,
  checkout_id TEXT NOT NULL REFERENCES checkout (checkout_id), policy_version TEXT NOT NULL,
  evaluated_offline INTEGER NOT NULL CHECK (evaluated_offline IN (0, 1)),
  evaluation_json TEXT NOT NULL, evaluated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX evaluation_by_checkout ON evaluation (checkout_id);
-- Write-once: the UNIQUE on checkout_id refuses a second PO capture whatever the caller does.
CREATE TABLE po_capture (
  chain_seq INTEGER PRIMARY KEY,
  checkout_id TEXT NOT NULL UNIQUE REFERENCES checkout (checkout_id),
  po_number TEXT NOT NULL, captured_by TEXT NOT NULL, captured_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE po_override (
  chain_seq INTEGER PRIMARY KEY, override_id TEXT NOT NULL UNIQUE,
  checkout_id TEXT NOT NULL UNIQUE REFERENCES checkout (checkout_id),
  reason_code TEXT NOT NULL, notes TEXT NOT NULL, requested_by TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE override_approval (
  chain_seq INTEGER PRIMARY KEY,
  override_id TEXT NOT NULL REFERENCES po_override (override_id),
  approver_id TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('ELEVATION_TOKEN', 'OFFLINE_GRANT')),
  offline_grant_id TEXT, approved_at_ms INTEGER NOT NULL,
  UNIQUE (override_id, approver_id)
) STRICT;
CREATE TABLE offline_grant (
  chain_seq INTEGER PRIMARY KEY, grant_id TEXT NOT NULL UNIQUE, approver_id TEXT NOT NULL,
  checkout_id TEXT, action TEXT NOT NULL, terminal_id TEXT NOT NULL,
  granted_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX offline_grant_by_checkout ON offline_grant (checkout_id);
CREATE TABLE pin_attempt (
  chain_seq INTEGER PRIMARY KEY, approver_id TEXT NOT NULL, checkout_id TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('FAILED', 'SUCCEEDED')),
  attempted_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX pin_attempt_by_approver ON pin_attempt (approver_id, chain_seq);
CREATE TABLE approver_lockout (
  chain_seq INTEGER PRIMARY KEY, approver_id TEXT NOT NULL, locked_at_ms INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX approver_lockout_by_approver ON approver_lockout (approver_id, chain_seq);

CREATE TABLE payment (
  chain_seq INTEGER PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE,
  checkout_id TEXT NOT NULL REFERENCES checkout (checkout_id), invoice_id TEXT NOT NULL,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  tender TEXT NOT NULL CHECK (tender IN ('CASH', 'CHECK', 'CARD_EXTERNAL', 'ACCOUNT')),
  tender_reference TEXT, card_brand TEXT,
  card_last4 TEXT CHECK (card_last4 IS NULL OR
                         (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*')),
  card_approval_code TEXT, amount_tendered_minor INTEGER, change_given_minor INTEGER,
  payment_type TEXT NOT NULL CHECK (payment_type IN ('PAID_IN_FULL', 'PARTIAL_PAYMENT')),
  captured_by TEXT NOT NULL, captured_at_ms INTEGER NOT NULL,
  captured_offline INTEGER NOT NULL CHECK (captured_offline IN (0, 1)),
  receipt_id TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX payment_by_shift ON payment (shift_id);
CREATE INDEX payment_by_time ON payment (captured_at_ms);
CREATE INDEX payment_by_checkout ON payment (checkout_id);
CREATE TABLE payment_adjustment (
  chain_seq INTEGER PRIMARY KEY, adjustment_id TEXT NOT NULL UNIQUE,
  payment_id TEXT NOT NULL REFERENCES payment (payment_id),
  currency TEXT NOT NULL CHECK (length(currency) = 3), amount_minor INTEGER NOT NULL,
  reason_code TEXT NOT NULL, made_by TEXT NOT NULL, made_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX payment_adjustment_by_payment ON payment_adjustment (payment_id);
CREATE TABLE receipt (
  chain_seq INTEGER PRIMARY KEY, receipt_id TEXT NOT NULL UNIQUE,
  receipt_reference TEXT NOT NULL UNIQUE,
  payment_id TEXT NOT NULL UNIQUE REFERENCES payment (payment_id),
  checkout_id TEXT NOT NULL REFERENCES checkout (checkout_id), invoice_id TEXT NOT NULL,
  payment_type TEXT NOT NULL CHECK (payment_type IN ('PAID_IN_FULL', 'PARTIAL_PAYMENT')),
  remaining_currency TEXT NOT NULL CHECK (length(remaining_currency) = 3),
  remaining_minor INTEGER NOT NULL,
  delivery_suppressed INTEGER NOT NULL CHECK (delivery_suppressed IN (0, 1)),
  template_id TEXT NOT NULL, template_version TEXT NOT NULL, print_text TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX receipt_by_checkout ON receipt (checkout_id);
CREATE TABLE receipt_delivery (
  chain_seq INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL UNIQUE,
  receipt_id TEXT NOT NULL REFERENCES receipt (receipt_id),
  channel TEXT NOT NULL CHECK (channel IN ('PRINT', 'EMAIL')),
  requested_by TEXT NOT NULL, requested_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX receipt_delivery_by_receipt ON receipt_delivery (receipt_id);
CREATE TABLE delivery_outcome (
  chain_seq INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL REFERENCES receipt_delivery (delivery_id),
  status TEXT NOT NULL
         CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'POSSIBLY_PRINTED', 'BOUNCED')),
  reason TEXT NOT NULL, at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX delivery_outcome_by_delivery ON delivery_outcome (delivery_id, chain_seq);
CREATE TABLE reprint (
  chain_seq INTEGER PRIMARY KEY, reprint_id TEXT NOT NULL UNIQUE,
  receipt_id TEXT NOT NULL REFERENCES receipt (receipt_id),
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id),
  reprint_number INTEGER NOT NULL CHECK (reprint_number > 0), reason_code TEXT NOT NULL,
  requested_by TEXT NOT NULL, approver_id TEXT, reprinted_at_ms INTEGER NOT NULL,
  UNIQUE (receipt_id, reprint_number)
) STRICT;
CREATE INDEX reprint_by_shift ON reprint (shift_id);
CREATE TABLE audit_event (
  chain_seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, checkout_id TEXT,
  kind TEXT NOT NULL, actor TEXT NOT NULL, detail_json TEXT NOT NULL, at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_event_by_checkout ON audit_event (checkout_id);
-- The checkout domain's events as its stable JSON, for Checkout::replay after a restart.
CREATE TABLE checkout_event (
  chain_seq INTEGER PRIMARY KEY, checkout_id TEXT NOT NULL, event_no INTEGER NOT NULL,
  kind TEXT NOT NULL, event_json TEXT NOT NULL, UNIQUE (checkout_id, event_no)
) STRICT;
)sql";

// The triggers that make ledger tables append-only.
std::string append_only_triggers(std::span<const std::string_view> tables) {
  std::string sql;
  auto add = [&](std::string_view table) {
    const std::string t{table};
    const std::string why = t == "payment" || t == "receipt"
                                ? t + " rows are never changed: record an adjustment"
                                : t + " rows are append-only";
    sql += "CREATE TRIGGER " + t + "_no_update BEFORE UPDATE ON " + t +
           " BEGIN SELECT RAISE(ABORT, '" + why + "'); END;\n";
    sql += "CREATE TRIGGER " + t + "_no_delete BEFORE DELETE ON " + t +
           " BEGIN SELECT RAISE(ABORT, '" + why + "'); END;\n";
  };
  for (auto table : tables) add(table);
  return sql;
}

// Version 1's triggers: its own tables (the first of kChainedTables) and the chain itself.
std::string v1_triggers() {
  return append_only_triggers(std::span{kChainedTables}.first<kChainedTablesV1>()) +
         append_only_triggers(std::array<std::string_view, 1>{"ledger_chain"});
}

// Version 2 (issue 14 and 12): only the indexes a query needs, and the per-shift running sums.
// - payment_by_shift becomes (shift_id, currency, tender): the report finds each group's newest
//   row, and a capture its group's previous row, in one index probe.
// - payment_by_invoice replaces payment_by_checkout: the balance guard sums an invoice's
//   payments inside the capture's transaction; load_checkout reads by (invoice, checkout).
// - payment_by_time, receipt_by_checkout and audit_event_by_checkout go: no query needs them
//   (payments_between scans; receipts are found through their payment).
// - drawer_opening_by_shift keeps only what the report lists (not the sales).
// - run_*: the running count and sums of the payment's (shift, currency, tender) including this
//   row, written by the capture in its transaction, chained with the row and checked by verify
//   against the rows. NULL in rows written before version 2 (the report then sums that group).
// - pin_attempt.attempt_id / purpose: a PIN check counted as a failure before the verifier runs
//   (begin_pin_attempt), resolved by a SUCCEEDED row naming the same attempt.
constexpr std::string_view kV2 = R"sql(
DROP INDEX payment_by_shift;
DROP INDEX payment_by_time;
DROP INDEX payment_by_checkout;
DROP INDEX receipt_by_checkout;
DROP INDEX audit_event_by_checkout;
DROP INDEX drawer_opening_by_shift;
ALTER TABLE payment ADD COLUMN run_count INTEGER;
ALTER TABLE payment ADD COLUMN run_total_minor INTEGER;
ALTER TABLE payment ADD COLUMN run_tendered_minor INTEGER;
ALTER TABLE payment ADD COLUMN run_change_minor INTEGER;
CREATE INDEX payment_by_shift ON payment (shift_id, currency, tender);
CREATE INDEX payment_by_invoice ON payment (invoice_id, checkout_id);
CREATE INDEX drawer_opening_by_shift ON drawer_opening (shift_id, reason) WHERE reason <> 'SALE';
ALTER TABLE pin_attempt ADD COLUMN attempt_id TEXT;
ALTER TABLE pin_attempt ADD COLUMN purpose TEXT;
)sql";

// Version 3 (issue 10): cash paid into the drawer, a chained append-only row like paid out.
constexpr std::string_view kTablesV3 = R"sql(
CREATE TABLE cash_paid_in (
  chain_seq INTEGER PRIMARY KEY, paid_in_id TEXT NOT NULL UNIQUE,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  paid_by TEXT NOT NULL, reason TEXT NOT NULL, paid_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX cash_paid_in_by_shift ON cash_paid_in (shift_id);
)sql";

// Version 4 (issue 14): four UNIQUE keys no query reads and no write needs, each a B-tree (a
// WAL page per capture, ~50 bytes per payment):
// - payment.receipt_id: a payment's receipt id is that of the receipt written with it
//   (check_capture), and receipt.receipt_id stays UNIQUE;
// - receipt.payment_id: a receipt is written only with its payment, whose payment_id stays
//   UNIQUE (and a retried capture is AlreadyRecorded before any insert);
// - audit_event.event_id, drawer_opening.opening_id: fresh UUIDv7s made by the caller for each
//   call; nothing looks a row up by them (a capture's own are covered by its payment id).
// A UNIQUE column constraint cannot be dropped: each table is rebuilt (lang_altertable.html
// section 7, foreign keys off around the step), its rows copied with their chain_seq and
// columns in the same order, so every link hashes to the same bytes; then its indexes and
// append-only triggers are made again. One transaction: it needs about the size of these tables
// free on the disk once more (the old pages go to the free list and are reused by later rows),
// and took ~10 s for 100,000 payments on the shared test machine.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE payment_v4 (
  chain_seq INTEGER PRIMARY KEY, payment_id TEXT NOT NULL UNIQUE,
  checkout_id TEXT NOT NULL REFERENCES checkout (checkout_id), invoice_id TEXT NOT NULL,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id),
  currency TEXT NOT NULL CHECK (length(currency) = 3),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  tender TEXT NOT NULL CHECK (tender IN ('CASH', 'CHECK', 'CARD_EXTERNAL', 'ACCOUNT')),
  tender_reference TEXT, card_brand TEXT,
  card_last4 TEXT CHECK (card_last4 IS NULL OR
                         (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*')),
  card_approval_code TEXT, amount_tendered_minor INTEGER, change_given_minor INTEGER,
  payment_type TEXT NOT NULL CHECK (payment_type IN ('PAID_IN_FULL', 'PARTIAL_PAYMENT')),
  captured_by TEXT NOT NULL, captured_at_ms INTEGER NOT NULL,
  captured_offline INTEGER NOT NULL CHECK (captured_offline IN (0, 1)),
  receipt_id TEXT NOT NULL,
  run_count INTEGER, run_total_minor INTEGER, run_tendered_minor INTEGER, run_change_minor INTEGER
) STRICT;
INSERT INTO payment_v4 (chain_seq, payment_id, checkout_id, invoice_id, shift_id, currency,
  amount_minor, tender, tender_reference, card_brand, card_last4, card_approval_code,
  amount_tendered_minor, change_given_minor, payment_type, captured_by, captured_at_ms,
  captured_offline, receipt_id, run_count, run_total_minor, run_tendered_minor, run_change_minor)
SELECT chain_seq, payment_id, checkout_id, invoice_id, shift_id, currency,
  amount_minor, tender, tender_reference, card_brand, card_last4, card_approval_code,
  amount_tendered_minor, change_given_minor, payment_type, captured_by, captured_at_ms,
  captured_offline, receipt_id, run_count, run_total_minor, run_tendered_minor, run_change_minor
FROM payment ORDER BY chain_seq;
DROP TABLE payment;
ALTER TABLE payment_v4 RENAME TO payment;
CREATE INDEX payment_by_shift ON payment (shift_id, currency, tender);
CREATE INDEX payment_by_invoice ON payment (invoice_id, checkout_id);

CREATE TABLE receipt_v4 (
  chain_seq INTEGER PRIMARY KEY, receipt_id TEXT NOT NULL UNIQUE,
  receipt_reference TEXT NOT NULL UNIQUE,
  payment_id TEXT NOT NULL REFERENCES payment (payment_id),
  checkout_id TEXT NOT NULL REFERENCES checkout (checkout_id), invoice_id TEXT NOT NULL,
  payment_type TEXT NOT NULL CHECK (payment_type IN ('PAID_IN_FULL', 'PARTIAL_PAYMENT')),
  remaining_currency TEXT NOT NULL CHECK (length(remaining_currency) = 3),
  remaining_minor INTEGER NOT NULL,
  delivery_suppressed INTEGER NOT NULL CHECK (delivery_suppressed IN (0, 1)),
  template_id TEXT NOT NULL, template_version TEXT NOT NULL, print_text TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
INSERT INTO receipt_v4 (chain_seq, receipt_id, receipt_reference, payment_id, checkout_id,
  invoice_id, payment_type, remaining_currency, remaining_minor, delivery_suppressed,
  template_id, template_version, print_text, created_at_ms)
SELECT chain_seq, receipt_id, receipt_reference, payment_id, checkout_id,
  invoice_id, payment_type, remaining_currency, remaining_minor, delivery_suppressed,
  template_id, template_version, print_text, created_at_ms
FROM receipt ORDER BY chain_seq;
DROP TABLE receipt;
ALTER TABLE receipt_v4 RENAME TO receipt;

CREATE TABLE audit_event_v4 (
  chain_seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, checkout_id TEXT,
  kind TEXT NOT NULL, actor TEXT NOT NULL, detail_json TEXT NOT NULL, at_ms INTEGER NOT NULL
) STRICT;
INSERT INTO audit_event_v4 (chain_seq, event_id, checkout_id, kind, actor, detail_json, at_ms)
SELECT chain_seq, event_id, checkout_id, kind, actor, detail_json, at_ms
FROM audit_event ORDER BY chain_seq;
DROP TABLE audit_event;
ALTER TABLE audit_event_v4 RENAME TO audit_event;

CREATE TABLE drawer_opening_v4 (
  chain_seq INTEGER PRIMARY KEY, opening_id TEXT NOT NULL,
  shift_id TEXT NOT NULL REFERENCES shift_open (shift_id), opened_by TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('SALE', 'NO_SALE', 'PAID_OUT', 'CASH_COUNT')),
  payment_id TEXT, note TEXT NOT NULL, opened_at_ms INTEGER NOT NULL
) STRICT;
INSERT INTO drawer_opening_v4 (chain_seq, opening_id, shift_id, opened_by, reason, payment_id,
  note, opened_at_ms)
SELECT chain_seq, opening_id, shift_id, opened_by, reason, payment_id, note, opened_at_ms
FROM drawer_opening ORDER BY chain_seq;
DROP TABLE drawer_opening;
ALTER TABLE drawer_opening_v4 RENAME TO drawer_opening;
CREATE INDEX drawer_opening_by_shift ON drawer_opening (shift_id, reason) WHERE reason <> 'SALE';
)sql";

// Step 5 (issue 14): a new receipt keeps its print text deflated (text_deflate.hpp) in
// print_text_deflated, print_text empty; the rows before keep theirs as text, NULL here. A
// link hashes the non-NULL columns, so the old links stay valid and a new one covers the bytes
// stored. Exactly one of the two holds the text (a row with both, or with neither, is damage:
// the reader refuses it).
constexpr std::string_view kV5 = R"sql(
ALTER TABLE receipt ADD COLUMN print_text_deflated BLOB;
)sql";

// Step 6 (issue 14): a new receipt's print text, checkout event's JSON and rules evaluation's
// JSON are deflated with zlib's preset dictionary set to an earlier text of their kind: a
// receipt of the same template (the default receipt's 0.5 KB deflated alone becomes about
// 0.1 KB), an event of the same kind (the field names, and for CheckoutStarted the invoice's
// shape: 5 KB becomes about 0.7 KB), an evaluation of the same policy version (0.4 KB becomes
// some tens of bytes). print_dictionary / event_dictionary / evaluation_dictionary: NULL in the
// rows before (text, or for receipts deflated alone); 0: deflated alone, and its kind's
// dictionary (the partial indexes hold only these rows, so an ordinary write touches no page of
// them); N > 0: deflated against the text of the row whose chain_seq is N, one holding 0 there
// (text_store.hpp). Chained with the row; the stream names its dictionary by Adler-32; the rows
// are never changed or deleted.
constexpr std::string_view kV6 = R"sql(
ALTER TABLE receipt ADD COLUMN print_dictionary INTEGER
  CHECK (print_dictionary IS NULL OR
         (print_dictionary >= 0 AND print_text_deflated IS NOT NULL));
CREATE INDEX receipt_dictionary ON receipt (template_id, template_version)
  WHERE print_dictionary = 0;
ALTER TABLE checkout_event ADD COLUMN event_json_deflated BLOB;
ALTER TABLE checkout_event ADD COLUMN event_dictionary INTEGER
  CHECK (event_dictionary IS NULL OR
         (event_dictionary >= 0 AND event_json_deflated IS NOT NULL));
CREATE INDEX checkout_event_dictionary ON checkout_event (kind) WHERE event_dictionary = 0;
ALTER TABLE evaluation ADD COLUMN evaluation_json_deflated BLOB;
ALTER TABLE evaluation ADD COLUMN evaluation_dictionary INTEGER
  CHECK (evaluation_dictionary IS NULL OR
         (evaluation_dictionary >= 0 AND evaluation_json_deflated IS NOT NULL));
CREATE INDEX evaluation_dictionary ON evaluation (policy_version)
  WHERE evaluation_dictionary = 0;
)sql";

// Step 7 (issue 14): the checkout events a capture records are kept in its payment row, not
// as rows of checkout_event. A capture then writes two B-trees fewer (checkout_event and its
// (checkout, event_no) key: 2.5 of its WAL pages) and two links fewer, and the events' ids,
// which the row already holds, are said once. events_json_deflated: the capture's events as one
// JSON array (numbered first_event_no..last_event_no in their checkout's log), always deflated,
// against an earlier capture's events in that currency like the texts of step 6
// (events_dictionary 0: this row is one, found through payment_events_dictionary). NULL in the
// rows before, whose events stay in checkout_event, and in a capture that records none. Chained
// with the row; never changed.
constexpr std::string_view kV7 = R"sql(
ALTER TABLE payment ADD COLUMN first_event_no INTEGER CHECK (first_event_no > 0);
ALTER TABLE payment ADD COLUMN last_event_no INTEGER
  CHECK ((last_event_no IS NULL) = (first_event_no IS NULL) AND last_event_no >= first_event_no);
ALTER TABLE payment ADD COLUMN events_json_deflated BLOB
  CHECK ((events_json_deflated IS NULL) = (first_event_no IS NULL));
ALTER TABLE payment ADD COLUMN events_dictionary INTEGER
  CHECK (events_dictionary IS NULL OR
         (events_dictionary >= 0 AND events_json_deflated IS NOT NULL));
CREATE INDEX payment_events_dictionary ON payment (currency) WHERE events_dictionary = 0;
)sql";

// Step 8 (issue 14): a capture's PAYMENT_CAPTURED audit event, which says only what its payment
// row says (who captured, when, in which checkout, the payment and receipt ids), is kept in that
// row as its event id, not as a row of audit_event. A capture then writes one B-tree fewer (a WAL
// page) and one link fewer, and about 290 bytes less. The view audit_log is the whole audit
// trail, each event as the row it would have been: the rows of audit_event, and one for each
// payment row with an audit_event_id (chain_seq the payment's link, which vouches for it). NULL
// in the rows before, whose events stay in audit_event, and in a capture whose event says
// anything else. Chained with the row; never changed.
constexpr std::string_view kV8 = R"sql(
ALTER TABLE payment ADD COLUMN audit_event_id TEXT
  CHECK (audit_event_id IS NULL OR length(audit_event_id) > 0);
CREATE VIEW audit_log (chain_seq, event_id, checkout_id, kind, actor, detail_json, at_ms) AS
SELECT chain_seq, event_id, checkout_id, kind, actor, detail_json, at_ms FROM audit_event
UNION ALL
SELECT chain_seq, audit_event_id, checkout_id, 'PAYMENT_CAPTURED', captured_by,
       json_object('billingPaymentId', payment_id, 'receiptId', receipt_id), captured_at_ms
FROM payment WHERE audit_event_id IS NOT NULL;
)sql";

// Step 9 (issue 14): no change to the tables. From here on a text deflated against an earlier
// one of its kind may have been made with that text followed by its row's own ids (text_store.hpp:
// a receipt's reference and payment id, a capture's four ids, a checkout event's checkout), so
// the ids its text says again cost a few bytes rather than 20 each. A terminal before this step
// would take such a row for damage; the step's number makes it refuse the file as newer instead.
constexpr std::string_view kV9 = "SELECT 1;";

const std::string& v4_sql() {
  static const std::string sql =
      std::string{kV4} + append_only_triggers(std::array<std::string_view, 4>{
                             "payment", "receipt", "audit_event", "drawer_opening"});
  return sql;
}

const std::string& v1_sql() {
  static const std::string sql = std::string{kTablesV1} + v1_triggers();
  return sql;
}

const std::string& v3_sql() {
  static const std::string sql =
      std::string{kTablesV3} +
      append_only_triggers(std::span{kChainedTables}.subspan<kChainedTablesV1>());
  return sql;
}

}  // namespace

std::span<const sync::Migration> Ledger::migrations() noexcept {
  static const sync::Migration steps[] = {
      {"ledger", 1, "append-only ledger tables, hash chain", v1_sql()},
      {"ledger", 2, "indexes the queries need, per-shift running sums, pending PIN attempts", kV2},
      {"ledger", 3, "cash paid in", v3_sql()},
      {"ledger", 4, "no UNIQUE keys that nothing needs (tables rebuilt, rows and links unchanged)",
       v4_sql(), nullptr, /*foreign_keys_off=*/true},
      {"ledger", 5, "a receipt's print text kept deflated", kV5},
      {"ledger", 6, "texts deflated against an earlier one of their kind", kV6},
      {"ledger", 7, "a capture's checkout events kept in its payment row", kV7},
      {"ledger", 8, "a capture's own audit event kept in its payment row", kV8},
      {"ledger", 9, "texts deflated against an earlier one and their row's own ids", kV9},
  };
  return steps;
}

std::vector<sync::Migration> Ledger::all_migrations() {
  std::vector<sync::Migration> all;
  for (const auto& m : sync::Outbox::migrations()) all.push_back(m);
  for (const auto& m : migrations()) all.push_back(m);
  return all;
}

}  // namespace pos::ledger
