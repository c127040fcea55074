// The application's mapping between the checkout domain and the two things around it:
//   - the billing contract's request bodies, as outbox messages (sync speaks only HTTP + JSON);
//   - the ledger's rows (the ledger does not interpret the domain's state machine).
// One function per message kind or record; every body follows ../shared/contract/billing-api.md
// to the field. No secret ever goes into a message made here: online elevation tokens are sent
// directly by the checkout service and never reach the outbox (which is stored in SQLite).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <pos/checkout/checkout.hpp>
#include <pos/ledger/records.hpp>
#include <pos/sync/outbox.hpp>

namespace pos::app {

// ---- outbox messages (one stream per checkout: the checkout id) ----------------------------

sync::OutboxMessage paymentMessage(const checkout::PaymentCaptured& payment);
sync::OutboxMessage receiptMessage(const checkout::ReceiptIssued& receipt,
                                   const checkout::CheckoutId& checkout,
                                   const std::string& templateId, int templateVersion,
                                   const std::string& printText);
sync::OutboxMessage poMessage(const checkout::CheckoutId& checkout, const checkout::PoCaptured& po,
                              const std::string& idempotencyKey);
// Only for overrides whose approvals are all offline grants (online ones are posted directly).
sync::OutboxMessage poOverrideMessage(const checkout::CheckoutId& checkout,
                                      const checkout::PoOverridden& override_event);
sync::OutboxMessage offlineGrantMessage(const checkout::OfflineGrantIssued& grant);
// A delivery of a receipt; an e-mail address (personal data) goes with the body once acked.
sync::OutboxMessage deliveryMessage(const checkout::CheckoutId& stream,
                                    const checkout::ReceiptId& receipt,
                                    const checkout::DeliveryId& delivery,
                                    ledger::DeliveryChannel channel,
                                    const std::optional<std::string>& email,
                                    std::optional<ledger::DeliveryStatus> outcome,
                                    checkout::Timestamp at);
sync::OutboxMessage reprintMessage(const checkout::CheckoutId& stream,
                                   const checkout::ReceiptReprinted& reprint);

// The approvals of an override or reprint, as the contract's Approval objects; for online
// approvals the caller passes the tokens, in the order of the approvals.
nlohmann::json approvalsJson(const std::vector<checkout::ApprovalRecord>& approvals,
                             const std::vector<std::string>& onlineTokens = {});

// ---- ledger records -------------------------------------------------------------------------

ledger::CheckoutRecord checkoutRecord(const checkout::Checkout& co, const ledger::ShiftId& shift,
                                      const checkout::UserId& operatorId, checkout::Timestamp at);
ledger::EvaluationRecord evaluationRecord(const checkout::CheckoutId& co,
                                          const checkout::RulesEvaluated& event,
                                          const checkout::EventId& id);
ledger::PoCaptureRecord poCaptureRecord(const checkout::CheckoutId& co,
                                        const checkout::PoCaptured& event);
ledger::PoOverrideRecord poOverrideRecord(const checkout::CheckoutId& co,
                                          const checkout::PoOverridden& event);
ledger::OfflineGrantRecord offlineGrantRecord(const checkout::OfflineGrantIssued& event);
ledger::PaymentRecord paymentRecord(const checkout::PaymentCaptured& event,
                                    const ledger::ShiftId& shift);
ledger::ReceiptRecord receiptRecord(const checkout::ReceiptIssued& event,
                                    const checkout::CheckoutId& co, const std::string& templateId,
                                    int templateVersion, const std::string& printText);

}  // namespace pos::app
