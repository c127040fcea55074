#include <pos/ledger/po_lookup.hpp>

namespace pos::ledger {

sync::DbResult<std::vector<checkout::KnownPo>> pos_known_on_account(sync::Database& db,
                                                                    std::string_view accountId) {
  auto& st = db.statement(
      "SELECT p.po_number, c.invoice_id, NOT EXISTS (SELECT 1 FROM payment AS pay "
      "WHERE pay.invoice_id = c.invoice_id AND pay.payment_type = 'PAID_IN_FULL') "
      "FROM po_capture AS p JOIN checkout AS c ON c.checkout_id = p.checkout_id "
      "WHERE c.account_id = ?1 ORDER BY p.chain_seq");
  std::vector<checkout::KnownPo> known;
  auto rows = st.bind(accountId).for_each([&](const sync::Statement& row) {
    // A row whose invoice id does not parse was not written by this ledger: skipped, as it
    // cannot name an invoice to compare with.
    if (auto invoice = checkout::InvoiceId::parse(row.text(1)))
      known.push_back(checkout::KnownPo{row.text(0), *invoice, row.int64(2) != 0});
  });
  if (!rows.ok()) return std::move(rows).error();
  return known;
}

sync::DbResult<std::vector<PaymentTakenOnInvoice>> payments_taken_on_invoice(
    sync::Database& db, std::string_view invoiceId) {
  auto& st = db.statement(
      "SELECT payment_id, currency, amount_minor, tender, captured_at_ms FROM payment "
      "WHERE invoice_id = ?1 ORDER BY chain_seq");
  std::vector<PaymentTakenOnInvoice> taken;
  auto rows = st.bind(invoiceId).for_each([&](const sync::Statement& row) {
    taken.push_back(
        PaymentTakenOnInvoice{row.text(0), row.text(1), row.int64(2), row.text(3),
                              checkout::Timestamp(std::chrono::milliseconds(row.int64(4)))});
  });
  if (!rows.ok()) return std::move(rows).error();
  return taken;
}

}  // namespace pos::ledger
