#include <pos/app/contract_mapping.hpp>

#include <pos/checkout/invoice.hpp>

namespace pos::app {

using nlohmann::json;

namespace {

std::string rfc3339(checkout::Timestamp t) {
  return checkout::format_rfc3339(t);
}

json moneyOrNull(const std::optional<checkout::Money>& m) {
  return m ? checkout::money_to_json(*m) : json(nullptr);
}

sync::OutboxMessage message(const std::string& stream, sync::OutboxKind kind, std::string path,
                            std::string key, const json& body, checkout::Timestamp at) {
  sync::OutboxMessage m;
  m.stream = stream;
  m.kind = kind;
  m.method = "POST";
  m.path = std::move(path);
  m.idempotency_key = std::move(key);
  m.body = body.dump();
  m.created_at = at;
  return m;
}

ledger::OverrideApproval ledgerApproval(const checkout::ApprovalRecord& a) {
  return ledger::OverrideApproval{.approver = a.approver,
                                  .method = a.method,
                                  .offline_grant_id = a.offline_grant_id,
                                  .approved_at = a.granted_at};
}

}  // namespace

json approvalsJson(const std::vector<checkout::ApprovalRecord>& approvals,
                   const std::vector<std::string>& onlineTokens) {
  json out = json::array();
  std::size_t token = 0;
  for (const auto& a : approvals) {
    if (a.method == checkout::ApprovalMethod::Offline && a.offline_grant_id) {
      out.push_back({{"approverUserId", a.approver.str()},
                     {"offlineGrantId", a.offline_grant_id->to_string()},
                     {"grantedAt", rfc3339(a.granted_at)}});
    } else {
      out.push_back({{"approverUserId", a.approver.str()},
                     {"elevationToken", token < onlineTokens.size() ? onlineTokens[token] : ""}});
      ++token;
    }
  }
  return out;
}

sync::OutboxMessage paymentMessage(const checkout::PaymentCaptured& p) {
  json card = nullptr;
  if (p.tender.card) {
    card = {{"brand", p.tender.card->brand},
            {"last4", p.tender.card->last4},
            {"approvalCode", p.tender.card->approval_code}};
  }
  json body = {
      {"billingPaymentId", p.billing_payment_id.to_string()},
      {"invoiceId", p.invoice_id.to_string()},
      {"checkoutId", p.checkout_id.to_string()},
      {"terminalId", p.terminal_id.str()},
      {"amount", checkout::money_to_json(p.amount)},
      {"tender", std::string(checkout::to_string(p.tender.kind))},
      {"tenderReference", p.tender.tender_reference ? json(*p.tender.tender_reference) : json()},
      {"card", card},
      {"amountTendered", moneyOrNull(p.tender.amount_tendered)},
      {"changeGiven", moneyOrNull(p.tender.change_given)},
      {"paymentType", std::string(checkout::to_string(p.payment_type))},
      {"capturedAt", rfc3339(p.at)},
      {"capturedByUserId", p.captured_by.str()},
      {"capturedOffline", vocabulary::captured_offline(p.capture_mode)},
      {"receiptId", p.receipt_id.to_string()},
  };
  return message(p.checkout_id.to_string(), sync::OutboxKind::Payment, "/billing/payments",
                 p.billing_payment_id.to_string(), body, p.at);
}

sync::OutboxMessage receiptMessage(const checkout::ReceiptIssued& r, const checkout::CheckoutId& co,
                                   const std::string& templateId, int templateVersion,
                                   const std::string& printText) {
  json body = {
      {"receiptId", r.receipt_id.to_string()},
      {"receiptReference", r.receipt_reference},
      {"billingPaymentId", r.billing_payment_id.to_string()},
      {"invoiceId", r.invoice_id.to_string()},
      {"paymentType", std::string(checkout::to_string(r.payment_type))},
      {"remainingBalance", checkout::money_to_json(r.remaining_balance)},
      {"deliverySuppressed", r.delivery_suppressed},
      {"createdAt", rfc3339(r.at)},
      {"templateId", templateId},
      {"templateVersion", std::to_string(templateVersion)},
      {"printText", printText},
  };
  return message(co.to_string(), sync::OutboxKind::Receipt, "/billing/receipts",
                 r.receipt_id.to_string(), body, r.at);
}

sync::OutboxMessage poMessage(const checkout::CheckoutId& co, const checkout::PoCaptured& po,
                              const std::string& idempotencyKey) {
  json body = {{"poNumber", po.po_number},
               {"capturedByUserId", po.captured_by.str()},
               {"capturedAt", rfc3339(po.at)}};
  return message(co.to_string(), sync::OutboxKind::Po,
                 "/billing/checkout/" + co.to_string() + "/po", idempotencyKey, body, po.at);
}

sync::OutboxMessage poOverrideMessage(const checkout::CheckoutId& co,
                                      const checkout::PoOverridden& o) {
  json body = {{"overrideId", o.override_id.to_string()},
               {"reasonCode", o.reason_code},
               {"notes", o.notes},
               {"requestedByUserId", o.requested_by.str()},
               {"approvals", approvalsJson(o.approvals)}};
  return message(co.to_string(), sync::OutboxKind::PoOverride,
                 "/billing/checkout/" + co.to_string() + "/po-override", o.override_id.to_string(),
                 body, o.at);
}

sync::OutboxMessage offlineGrantMessage(const checkout::OfflineGrantIssued& g) {
  json body = {{"offlineGrantId", g.grant_id.to_string()},
               {"approverUserId", g.approver.str()},
               {"checkoutId", g.checkout_id.to_string()},
               {"action", std::string(checkout::to_string(g.action))},
               {"grantedAt", rfc3339(g.granted_at)},
               {"terminalId", g.terminal_id.str()}};
  return message(g.checkout_id.to_string(), sync::OutboxKind::OfflineGrant,
                 "/billing/auth/offline-grants", g.grant_id.to_string(), body, g.granted_at);
}

sync::OutboxMessage deliveryMessage(const checkout::CheckoutId& stream,
                                    const checkout::ReceiptId& receipt,
                                    const checkout::DeliveryId& delivery,
                                    ledger::DeliveryChannel channel,
                                    const std::optional<std::string>& email,
                                    std::optional<ledger::DeliveryStatus> outcome,
                                    checkout::Timestamp at) {
  json body = {
      {"deliveryId", delivery.to_string()},
      {"channel", std::string(vocabulary::to_string(channel))},
      {"emailAddress", email ? json(*email) : json()},
      // The contract's PRINT outcomes are SENT and FAILED: a receipt that possibly
      // printed was not confirmed delivered (the ledger keeps POSSIBLY_PRINTED).
      {"outcome", !outcome ? json() : json(std::string(vocabulary::contract_text(*outcome)))}};
  return message(stream.to_string(), sync::OutboxKind::Delivery,
                 "/billing/receipts/" + receipt.to_string() + "/deliver", delivery.to_string(),
                 body, at);
}

sync::OutboxMessage reprintMessage(const checkout::CheckoutId& stream,
                                   const checkout::ReceiptReprinted& r) {
  json body = {{"reprintId", r.reprint_id.to_string()},
               {"reasonCode", r.reason_code},
               {"requestedByUserId", r.requested_by.str()},
               {"approvals", approvalsJson(r.approvals)}};
  return message(stream.to_string(), sync::OutboxKind::Reprint,
                 "/billing/receipts/" + r.receipt_id.to_string() + "/reprint",
                 r.reprint_id.to_string(), body, r.at);
}

ledger::CheckoutRecord checkoutRecord(const checkout::Checkout& co, const ledger::ShiftId& shift,
                                      const checkout::UserId& operatorId, checkout::Timestamp at) {
  const auto& inv = co.invoice();
  return ledger::CheckoutRecord{co.id(),
                                shift,
                                inv.invoice_id,
                                inv.invoice_number,
                                inv.work_order_id.str(),
                                inv.customer_account_id.str(),
                                inv.currency,
                                co.correlation_id(),
                                operatorId,
                                at};
}

ledger::EvaluationRecord evaluationRecord(const checkout::CheckoutId& co,
                                          const checkout::RulesEvaluated& e,
                                          const checkout::EventId& id) {
  return ledger::EvaluationRecord{id,
                                  co,
                                  e.evaluation.policy_version,
                                  vocabulary::capture_mode(e.evaluation.evaluated_offline),
                                  checkout::to_json(e.evaluation).dump(),
                                  e.at};
}

ledger::PoCaptureRecord poCaptureRecord(const checkout::CheckoutId& co,
                                        const checkout::PoCaptured& e) {
  return ledger::PoCaptureRecord{co, e.po_number, e.captured_by, e.at};
}

ledger::PoOverrideRecord poOverrideRecord(const checkout::CheckoutId& co,
                                          const checkout::PoOverridden& e) {
  ledger::PoOverrideRecord r{e.override_id, co, e.reason_code, e.notes, e.requested_by, e.at, {}};
  for (const auto& a : e.approvals) r.approvals.push_back(ledgerApproval(a));
  return r;
}

ledger::OfflineGrantRecord offlineGrantRecord(const checkout::OfflineGrantIssued& e) {
  return ledger::OfflineGrantRecord{e.grant_id,          e.approver,
                                    e.checkout_id,       std::string(checkout::to_string(e.action)),
                                    e.terminal_id.str(), e.granted_at};
}

ledger::PaymentRecord paymentRecord(const checkout::PaymentCaptured& e,
                                    const ledger::ShiftId& shift) {
  return ledger::PaymentRecord{.payment_id = e.billing_payment_id,
                               .checkout_id = e.checkout_id,
                               .invoice_id = e.invoice_id,
                               .shift_id = shift,
                               .amount = e.amount,
                               .tender = e.tender.kind,
                               .tender_reference = e.tender.tender_reference,
                               .card = e.tender.card,
                               .amount_tendered = e.tender.amount_tendered,
                               .change_given = e.tender.change_given,
                               .payment_type = e.payment_type,
                               .captured_by = e.captured_by,
                               .captured_at = e.at,
                               .mode = e.capture_mode,
                               .receipt_id = e.receipt_id};
}

ledger::ReceiptRecord receiptRecord(const checkout::ReceiptIssued& e,
                                    const checkout::CheckoutId& co, const std::string& templateId,
                                    int templateVersion, const std::string& printText) {
  return ledger::ReceiptRecord{.receipt_id = e.receipt_id,
                               .receipt_reference = e.receipt_reference,
                               .payment_id = e.billing_payment_id,
                               .checkout_id = co,
                               .invoice_id = e.invoice_id,
                               .payment_type = e.payment_type,
                               .remaining_balance = e.remaining_balance,
                               .delivery = e.delivery_suppressed
                                               ? ledger::ReceiptDeliveryChoice::Suppressed
                                               : ledger::ReceiptDeliveryChoice::Deliver,
                               .template_id = templateId,
                               .template_version = std::to_string(templateVersion),
                               .print_text = printText,
                               .created_at = e.at};
}

}  // namespace pos::app
