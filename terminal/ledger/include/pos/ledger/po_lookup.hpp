// What this terminal's ledger knows about an account and an invoice that the backend's (or the
// offline cache's) copy may not show yet: the POs captured on an account, for the offline
// uniqueness check (billing-api.md "Checkout rules and PO": offline, the terminal checks the POs
// it knows; the backend re-checks on sync), and the payments taken on an invoice, so a payment
// not yet synced is never taken twice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/po_format.hpp>
#include <pos/sync/db.hpp>

namespace pos::ledger {

// Every PO captured at this terminal on `accountId` (po_capture joined with checkout), one entry
// per capture. `order_open` is false once the ledger holds a PAID_IN_FULL payment for that
// invoice (the terminal cannot know of a VOID it never saw; the invoice cache adds what it knows).
// Reads only; safe on the ledger's own connection outside a transaction.
[[nodiscard]] sync::DbResult<std::vector<checkout::KnownPo>> pos_known_on_account(
    sync::Database& db, std::string_view accountId);

// One payment this terminal's ledger took on an invoice (contract names for tender and currency).
struct PaymentTakenOnInvoice {
  std::string billing_payment_id;
  std::string currency;
  std::int64_t amount_minor = 0;
  std::string tender;
  checkout::Timestamp captured_at;
};

// Every payment of the ledger on `invoiceId`, in capture order.
[[nodiscard]] sync::DbResult<std::vector<PaymentTakenOnInvoice>> payments_taken_on_invoice(
    sync::Database& db, std::string_view invoiceId);

}  // namespace pos::ledger
