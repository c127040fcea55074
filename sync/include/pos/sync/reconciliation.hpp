// Reconciliation: the terminal's ledger payments against the backend's (GET /billing/payments)
// over one period. Reads plain records and reports; it never edits a payment (corrections are
// new adjustment entries, made elsewhere by people).
//
// Kinds (the billing domain's names):
//   MissingInternalRecord    the backend has a payment the ledger does not
//   MissingProviderRecord    the ledger has a payment the backend does not (e.g. still queued)
//   AmountMismatch           same id, same currency, different amount
//   CurrencyMismatch         same id, different currency
//   StatusMismatch           same id, but the states disagree (refused here, posted there; or
//                            the backend reports a status other than POSTED for an acked one)
//   DuplicateChargeSuspected the backend lists the same id twice, or two payments of one invoice
//                            with the same amount and tender within `duplicateWindow`
// Totals are per currency (amounts in different currencies are never added together).
#pragma once

#include <pos/sync/billing_client.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pos::sync {

// How the ledger sees a payment's posting.
enum class LedgerPostingState {
  Posted,   // the outbox item is ACKED
  Pending,  // queued or sending
  Refused,  // REJECTED by a business rule (needs attention)
};

struct LedgerPayment {
  std::string billingPaymentId;
  std::string invoiceId;
  ContractMoney amount;
  std::string tender;      // contract name: CASH, CHECK, CARD_EXTERNAL, ACCOUNT
  std::string capturedAt;  // RFC 3339 UTC
  LedgerPostingState posting = LedgerPostingState::Posted;
};

enum class DiscrepancyKind {
  MissingInternalRecord,
  MissingProviderRecord,
  AmountMismatch,
  CurrencyMismatch,
  StatusMismatch,
  DuplicateChargeSuspected,
  kCount
};
std::string_view toString(DiscrepancyKind kind);

struct Discrepancy {
  DiscrepancyKind kind = DiscrepancyKind::MissingProviderRecord;
  std::string billingPaymentId;
  std::string invoiceId;
  std::optional<ContractMoney> ledgerAmount;
  std::optional<ContractMoney> providerAmount;
  std::string detail;  // plain words, ids only
};

struct CurrencyTotals {
  std::string currency;
  std::int64_t ledgerCount = 0, ledgerMinor = 0;
  std::int64_t providerCount = 0, providerMinor = 0;
  std::int64_t matchedCount = 0, matchedMinor = 0;
};

struct ReconciliationReport {
  std::string from, to;  // the period, as given
  std::int64_t ledgerCount = 0, providerCount = 0, matchedCount = 0;
  // matched / distinct payment ids on either side, in percent; 100 when both sides are empty.
  double matchedPercent = 100.0;
  std::vector<Discrepancy> discrepancies;  // ordered by kind, then payment id
  std::vector<CurrencyTotals> totals;      // ordered by currency
};

struct ReconciliationOptions {
  std::chrono::seconds duplicateWindow{300};
};

ReconciliationReport reconcile(std::span<const LedgerPayment> ledger,
                               std::span<const ProviderPayment> provider, std::string from,
                               std::string to, const ReconciliationOptions& options = {});

std::string toJsonText(const ReconciliationReport& report);  // stable field names, 2-space indent
std::string toMarkdown(const ReconciliationReport& report);

}  // namespace pos::sync
