// Reads of the ledger the counter engine needs and the ledger's API does not offer yet: the
// checkout this terminal last started on an invoice (so a walked-away checkout with its PO is
// resumed) and the charges to an account this terminal took and has not synced (they count
// against the account's credit, offline and online).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/sync/db.hpp>

namespace pos::app {

sync::DbResult<std::optional<checkout::CheckoutId>> latestCheckoutOnInvoice(
    sync::Database& db, std::string_view invoiceId);

// ACCOUNT payments on the account's invoices whose payment message the backend has not
// acknowledged yet, in `currency`.
sync::DbResult<checkout::Money> unsyncedAccountCharges(sync::Database& db,
                                                       std::string_view accountId,
                                                       checkout::Currency currency);

// What the backend answered to this receipt's latest delivery it has acknowledged
// (`{"deliveryStatus": "SENT|FAILED|BOUNCED"}`, kept with the acknowledged outbox item): a
// bounced e-mail is shown, never left as PENDING. nullopt: nothing acknowledged yet.
sync::DbResult<std::optional<std::string>> backendDeliveryStatus(sync::Database& db,
                                                                 std::string_view receiptId);

// Receipts whose latest delivery the backend acknowledged as BOUNCED (the customer got
// nothing): they need the advisor's attention (print, or re-send to a right address).
sync::DbResult<std::vector<std::string>> bouncedReceipts(sync::Database& db);

// Receipts whose id starts with `prefix` (a compact receipt code names a receipt by the
// millisecond its UUIDv7 id was made).
sync::DbResult<std::vector<checkout::ReceiptId>> receiptsWithIdPrefix(sync::Database& db,
                                                                      std::string_view prefix);

// The shift's latest payments, newest first, at most `limit`. The ledger's chain_seq is one
// sequence over every table, so the shift's payments come after its shift_open row: the
// payment table is read backwards from its end and stops at the limit (reading all of the
// shift's took 0.4 s with 100,000 of them, at every start and after every payment).
struct LatestPayment {
  std::string checkoutId;
  checkout::Money amount;
  bool paidInFull = true;
  checkout::Timestamp at;
};
sync::DbResult<std::vector<LatestPayment>> latestPaymentsOfShift(sync::Database& db,
                                                                 std::string_view shiftId,
                                                                 int limit);

}  // namespace pos::app
