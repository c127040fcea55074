// The invoice as the billing backend sends it, read strictly (BILL-DEC-001).
//
// Sections: InvoiceStatus and AccountType · Invoice and its parts · parse_invoice · money JSON
//
// What "strictly" means here: a missing or ill-typed required field refuses the whole invoice
// with INVOICE_MALFORMED and the field named (e.g. "lines[2].lineTotal"); figures that do not
// add up (grandTotal = subtotal + taxTotal + feeTotal - discountTotal, balanceDue = grandTotal -
// sum(payments)) refuse it with INVOICE_TOTALS_INCONSISTENT, so an Invoice value always adds up.
// Unknown extra fields are ignored. An unknown `status` is *not* a parse error: the invoice is
// shown with status Unknown, and every checkout command refuses INVOICE_STATUS_UNKNOWN.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/result.hpp>

namespace pos::checkout {

enum class InvoiceStatus { Draft, Issued, Paid, Void, Unknown };
[[nodiscard]] std::string_view to_string(InvoiceStatus status) noexcept;

// Only CONSUMER changes a rule (no rules = no PO needed); every other type, known or not, is a
// business account.
enum class AccountType { Consumer, Commercial, Other };

struct InvoiceLine {
  InvoiceLineId line_id;
  std::string description;
  std::string quantity;  // decimal text as sent ("1.5"); shown, never computed with
  Money unit_price;
  Money line_total;
  bool taxable;
};

// A payment the backend already knows about (earlier partial payments).
struct InvoicePayment {
  BillingPaymentId billing_payment_id;
  Money amount;
  std::string tender;  // as sent; may be a tender this terminal does not take
  Timestamp captured_at;
};

// A link to another domain (BILL-DEC-016): shown with a copy action, never turned into a route.
struct DomainLink {
  std::string target_domain;
  std::string target_type;
  std::string target_id;
};

struct Invoice {
  InvoiceId invoice_id;
  std::string invoice_number;
  WorkOrderId work_order_id;
  AccountId customer_account_id;
  std::string customer_name;
  AccountType account_type;
  std::string account_type_text;  // as sent
  InvoiceStatus status;
  std::string status_text;  // as sent, so an unknown status can be shown
  Currency currency;
  std::vector<InvoiceLine> lines;
  Money subtotal;
  Money tax_total;
  Money fee_total;
  Money discount_total;
  Money grand_total;
  Money balance_due;
  std::vector<InvoicePayment> payments;
  std::vector<DomainLink> links;
  Timestamp updated_at;

  // ISSUED with something still due: the only invoices that take payment.
  [[nodiscard]] bool takes_payment() const noexcept {
    return status == InvoiceStatus::Issued && balance_due.is_positive();
  }
};

// Reads the contract's Invoice object. Never throws on bad input.
[[nodiscard]] Result<Invoice, Refusal> parse_invoice(const nlohmann::json& json);
// The same from text (a backend body, the offline cache, a ledger row, a fuzzer's bytes).
[[nodiscard]] Result<Invoice, Refusal> parse_invoice_text(std::string_view text);

// The contract's Money object: {"currency": "USD", "amountMinor": 12345}. amountMinor must be a
// JSON integer (not 12.0, not "12345"); the currency an active ISO 4217 code.
[[nodiscard]] Result<Money, std::string> money_from_json(const nlohmann::json& json);
[[nodiscard]] nlohmann::json money_to_json(Money amount);

}  // namespace pos::checkout
