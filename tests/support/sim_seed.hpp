// Test support: seed data for billing-sim (the format is documented in billing_sim_backend.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace pos::testing {

inline constexpr const char* kSimToken = "test-token-not-secret";

// An invoice whose figures add up: one line of `amountMinor`, no tax, no fees.
nlohmann::json makeInvoice(const std::string& invoiceId, const std::string& workOrderId,
                           const std::string& accountId, const std::string& accountType,
                           const std::string& status, const std::string& currency,
                           std::int64_t amountMinor);

// The shop the contract tests use:
//   staff  u-adv (advisor: capture, override, receipts; PIN 1111), u-adv2 (no override; 2222),
//          u-sup1 (supervisor, elevate; PIN 1234), u-sup2 (supervisor; PIN 5678)
//   rules  ACC-COM  PO required ^[A-Z]{2}-[0-9]{6}$, PER_ACCOUNT_ALL_TIME, override with a
//                   second approver, charge account with limit 100000 and balance 95000
//          ACC-FLEET no PO format (default), PER_ACCOUNT_OPEN_ORDERS, no partial payments,
//                   override with one approver
//          ACC-CONS (CONSUMER) and ACC-NORULES (COMMERCIAL) have no rules (404)
//   invoices INV-COM (ACC-COM, 12345 USD), INV-COM2 (ACC-COM, 5000 USD), INV-FLEET (ACC-FLEET,
//          8000 USD), INV-CONS (ACC-CONS, 2500 USD), INV-NORULES, INV-VOID (VOID), INV-PAID
//          (PAID), INV-EUR (ACC-CONS, 4000 EUR); work orders are "WO-" + the invoice's suffix.
nlohmann::json contractSeed();

// `count` issued CONSUMER invoices "SOAK-<n>" of 10000 minor units (USD) each, partial payments
// allowed: room for any number of small payments per invoice.
nlohmann::json soakSeed(int count);

}  // namespace pos::testing
