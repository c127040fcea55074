#include "ledger_lookups.hpp"

#include <nlohmann/json.hpp>

namespace pos::app {

sync::DbResult<std::optional<checkout::CheckoutId>> latestCheckoutOnInvoice(
    sync::Database& db, std::string_view invoiceId) {
  auto& st = db.statement(
      "SELECT checkout_id FROM checkout WHERE invoice_id = ?1 ORDER BY chain_seq DESC LIMIT 1");
  std::optional<checkout::CheckoutId> found;
  auto rows = st.bind(invoiceId).for_each(
      [&](const sync::Statement& row) { found = checkout::CheckoutId::parse(row.text(0)); });
  if (!rows.ok()) return std::move(rows).error();
  return found;
}

sync::DbResult<checkout::Money> unsyncedAccountCharges(sync::Database& db,
                                                       std::string_view accountId,
                                                       checkout::Currency currency) {
  auto& st = db.statement(
      "SELECT COALESCE(SUM(p.amount_minor), 0) FROM payment AS p "
      "JOIN checkout AS c ON c.checkout_id = p.checkout_id "
      "WHERE c.account_id = ?1 AND p.currency = ?2 AND p.tender = 'ACCOUNT' AND NOT EXISTS ("
      "SELECT 1 FROM outbox_message AS o WHERE o.idempotency_key = p.payment_id "
      "AND o.kind = 'payment' AND o.state = 'ACKED')");
  std::int64_t minor = 0;
  auto rows =
      st.bind(accountId, std::string(currency.code())).for_each([&](const sync::Statement& row) {
        minor = row.int64(0);
      });
  if (!rows.ok()) return std::move(rows).error();
  return checkout::Money{currency, minor};
}

sync::DbResult<std::optional<std::string>> backendDeliveryStatus(sync::Database& db,
                                                                 std::string_view receiptId) {
  auto& st = db.statement(
      "SELECT response_body FROM outbox_message WHERE kind = 'delivery' AND path = ?1 "
      "AND state = 'ACKED' ORDER BY id DESC LIMIT 1");
  std::optional<std::string> status;
  auto rows = st.bind("/billing/receipts/" + std::string(receiptId) + "/deliver")
                  .for_each([&](const sync::Statement& row) {
                    auto body = nlohmann::json::parse(row.text(0), nullptr, false);
                    if (body.is_object() && body.contains("deliveryStatus") &&
                        body["deliveryStatus"].is_string())
                      status = body["deliveryStatus"].get<std::string>();
                  });
  if (!rows.ok()) return std::move(rows).error();
  return status;
}

sync::DbResult<std::vector<std::string>> bouncedReceipts(sync::Database& db) {
  auto& st = db.statement(
      "SELECT o.path, o.response_body FROM outbox_message AS o WHERE o.kind = 'delivery' "
      "AND o.state = 'ACKED' AND o.id = (SELECT MAX(p.id) FROM outbox_message AS p "
      "WHERE p.kind = 'delivery' AND p.state = 'ACKED' AND p.path = o.path) ORDER BY o.id");
  std::vector<std::string> bounced;
  auto rows = st.bind().for_each([&](const sync::Statement& row) {
    auto body = nlohmann::json::parse(row.text(1), nullptr, false);
    if (!body.is_object() || body.value("deliveryStatus", "") != "BOUNCED") return;
    // "/billing/receipts/<id>/deliver"
    const std::string path = row.text(0);
    const std::string prefix = "/billing/receipts/";
    const auto end = path.rfind("/deliver");
    if (path.rfind(prefix, 0) == 0 && end != std::string::npos && end > prefix.size())
      bounced.push_back(path.substr(prefix.size(), end - prefix.size()));
  });
  if (!rows.ok()) return std::move(rows).error();
  return bounced;
}

sync::DbResult<std::vector<checkout::ReceiptId>> receiptsWithIdPrefix(sync::Database& db,
                                                                      std::string_view prefix) {
  auto& st = db.statement(
      "SELECT receipt_id FROM receipt WHERE receipt_id >= ?1 AND receipt_id < ?1 || 'g' "
      "ORDER BY chain_seq LIMIT 20");
  std::vector<checkout::ReceiptId> found;
  auto rows = st.bind(prefix).for_each([&](const sync::Statement& row) {
    if (auto id = checkout::ReceiptId::parse(row.text(0))) found.push_back(*id);
  });
  if (!rows.ok()) return std::move(rows).error();
  return found;
}

sync::DbResult<std::vector<LatestPayment>> latestPaymentsOfShift(sync::Database& db,
                                                                 std::string_view shiftId,
                                                                 int limit) {
  std::vector<LatestPayment> out;
  auto read = db.statement(
                    "SELECT checkout_id, currency, amount_minor, payment_type, captured_at_ms"
                    " FROM payment NOT INDEXED WHERE shift_id = ?1"
                    " AND chain_seq > (SELECT chain_seq FROM shift_open WHERE shift_id = ?1)"
                    " ORDER BY chain_seq DESC LIMIT ?2")
                  .bind(std::string(shiftId), static_cast<std::int64_t>(limit))
                  .for_each([&](const sync::Statement& row) {
                    const auto currency = checkout::Currency::from_code(row.text(1));
                    if (!currency) return;
                    out.push_back(LatestPayment{
                        row.text(0), checkout::Money{*currency, row.int64(2)},
                        row.text(3) == "PAID_IN_FULL",
                        checkout::Timestamp{std::chrono::milliseconds{row.int64(4)}}});
                  });
  if (!read.ok()) return std::move(read).error();
  return out;
}

}  // namespace pos::app
