// Invoice parsing: required fields, types, one currency throughout, and totals that add up.
#include <pos/checkout/invoice.hpp>

#include "json_reader.hpp"

namespace pos::checkout {

using detail::JsonReader;
using nlohmann::json;

std::string_view to_string(InvoiceStatus status) noexcept {
  switch (status) {
    case InvoiceStatus::Draft:
      return "DRAFT";
    case InvoiceStatus::Issued:
      return "ISSUED";
    case InvoiceStatus::Paid:
      return "PAID";
    case InvoiceStatus::Void:
      return "VOID";
    case InvoiceStatus::Unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

Result<Money, std::string> money_from_json(const json& value) {
  if (!value.is_object()) return fail(std::string("a money object"));
  const auto currency_it = value.find("currency");
  const auto amount_it = value.find("amountMinor");
  if (currency_it == value.end() || !currency_it->is_string())
    return fail(std::string("a money object with a currency"));
  const auto currency = Currency::from_code(currency_it->get_ref<const std::string&>());
  if (!currency) return fail(std::string("in a known ISO 4217 currency"));
  if (amount_it == value.end()) return fail(std::string("a money object with amountMinor"));
  if (amount_it->is_number_unsigned()) {
    const auto u = amount_it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX))
      return fail(std::string("within the amount range"));
    return Money{*currency, static_cast<std::int64_t>(u)};
  }
  if (amount_it->is_number_integer()) return Money{*currency, amount_it->get<std::int64_t>()};
  return fail(std::string("a whole number of minor units"));
}

json money_to_json(Money amount) {
  return json{{"currency", std::string(amount.currency().code())},
              {"amountMinor", amount.minor_units()}};
}

namespace {

InvoiceStatus status_from(std::string_view text) {
  if (text == "DRAFT") return InvoiceStatus::Draft;
  if (text == "ISSUED") return InvoiceStatus::Issued;
  if (text == "PAID") return InvoiceStatus::Paid;
  if (text == "VOID") return InvoiceStatus::Void;
  return InvoiceStatus::Unknown;  // never guessed to be a known one (contract: unknown enums)
}

bool is_decimal_text(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty() || text.size() > 32) return false;
  bool point = false;
  bool digit = false;
  for (char c : text) {
    if (c == '.') {
      if (point) return false;
      point = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      return false;
    }
  }
  return digit && text.front() != '.' && text.back() != '.';
}

}  // namespace

Result<Invoice, Refusal> parse_invoice(const json& in) {
  JsonReader r;
  const std::string top;
  auto invoice_id = r.id<InvoiceId>(in, top, "invoiceId");
  auto invoice_number = r.string(in, top, "invoiceNumber");
  auto work_order_id = r.id<WorkOrderId>(in, top, "workOrderId");
  auto account_id = r.id<AccountId>(in, top, "customerAccountId");
  auto customer_name = r.string(in, top, "customerName");
  auto account_type = r.string(in, top, "accountType");
  auto status = r.string(in, top, "status");
  auto currency_code = r.string(in, top, "currency");
  auto subtotal = r.money(in, top, "subtotal");
  auto tax_total = r.money(in, top, "taxTotal");
  auto fee_total = r.money(in, top, "feeTotal");
  auto discount_total = r.money(in, top, "discountTotal");
  auto grand_total = r.money(in, top, "grandTotal");
  auto balance_due = r.money(in, top, "balanceDue");
  auto updated_at = r.time(in, top, "updatedAt");
  std::optional<Currency> currency;
  if (currency_code) {
    currency = Currency::from_code(*currency_code);
    if (!currency) r.note_wrong("currency", "a known ISO 4217 code");
  }
  if (invoice_number && invoice_number->empty()) r.note_wrong("invoiceNumber", "not empty");

  std::vector<InvoiceLine> lines;
  if (const auto* list = r.array(in, top, "lines")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& line = (*list)[i];
      const std::string path = JsonReader::index(top, "lines", i);
      auto line_id = r.id<InvoiceLineId>(line, path, "lineId");
      auto description = r.string(line, path, "description");
      auto quantity = r.string(line, path, "quantity");
      auto unit_price = r.money(line, path, "unitPrice");
      auto line_total = r.money(line, path, "lineTotal");
      auto taxable = r.boolean(line, path, "taxable");
      if (quantity && !is_decimal_text(*quantity))
        r.note_wrong(path + ".quantity", "a decimal string");
      if (line_id && description && quantity && unit_price && line_total && taxable) {
        lines.push_back(
            InvoiceLine{*line_id, *description, *quantity, *unit_price, *line_total, *taxable});
      }
    }
  }
  std::vector<InvoicePayment> payments;
  if (const auto* list = r.array(in, top, "payments")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& payment = (*list)[i];
      const std::string path = JsonReader::index(top, "payments", i);
      auto id = r.id<BillingPaymentId>(payment, path, "billingPaymentId");
      auto amount = r.money(payment, path, "amount");
      auto tender = r.string(payment, path, "tender");
      auto captured_at = r.time(payment, path, "capturedAt");
      if (id && amount && tender && captured_at)
        payments.push_back(InvoicePayment{*id, *amount, *tender, *captured_at});
    }
  }
  std::vector<DomainLink> links;
  if (const auto* list = r.array(in, top, "links", false)) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = JsonReader::index(top, "links", i);
      auto domain = r.string((*list)[i], path, "targetDomain");
      auto type = r.string((*list)[i], path, "targetType");
      auto target = r.string((*list)[i], path, "targetId");
      if (domain && type && target) links.push_back(DomainLink{*domain, *type, *target});
    }
  }
  if (r.failed() || !currency) return fail(r.refusal(RefusalCode::InvoiceMalformed));

  // One currency throughout: amounts in two currencies are never added (DESIGN.md).
  const auto check_currency = [&](const Money& m, const std::string& where) {
    if (m.currency() != *currency) r.note_wrong(where, "in the invoice's currency");
  };
  check_currency(*subtotal, "subtotal");
  check_currency(*tax_total, "taxTotal");
  check_currency(*fee_total, "feeTotal");
  check_currency(*discount_total, "discountTotal");
  check_currency(*grand_total, "grandTotal");
  check_currency(*balance_due, "balanceDue");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    check_currency(lines[i].unit_price, JsonReader::index(top, "lines", i) + ".unitPrice");
    check_currency(lines[i].line_total, JsonReader::index(top, "lines", i) + ".lineTotal");
  }
  for (std::size_t i = 0; i < payments.size(); ++i) {
    check_currency(payments[i].amount, JsonReader::index(top, "payments", i) + ".amount");
  }
  if (r.failed()) return fail(r.refusal(RefusalCode::InvoiceMalformed));

  // grandTotal = subtotal + taxTotal + feeTotal - discountTotal; balanceDue = grandTotal -
  // payments.
  auto expected_grand = subtotal->add(*tax_total);
  if (expected_grand) expected_grand = expected_grand->add(*fee_total);
  if (expected_grand) expected_grand = expected_grand->subtract(*discount_total);
  if (!expected_grand || expected_grand.value() != *grand_total) {
    return fail(refuse(RefusalCode::InvoiceTotalsInconsistent,
                       "grandTotal is not subtotal + taxTotal + feeTotal - discountTotal"));
  }
  Result<Money, MoneyError> expected_balance = *grand_total;
  for (const InvoicePayment& p : payments) {
    if (expected_balance) expected_balance = expected_balance->subtract(p.amount);
  }
  if (!expected_balance || expected_balance.value() != *balance_due) {
    return fail(
        refuse(RefusalCode::InvoiceTotalsInconsistent, "balanceDue is not grandTotal - payments"));
  }

  const AccountType type = *account_type == "CONSUMER"     ? AccountType::Consumer
                           : *account_type == "COMMERCIAL" ? AccountType::Commercial
                                                           : AccountType::Other;
  return Invoice{
      .invoice_id = *invoice_id,
      .invoice_number = *invoice_number,
      .work_order_id = *work_order_id,
      .customer_account_id = *account_id,
      .customer_name = *customer_name,
      .account_type = type,
      .account_type_text = *account_type,
      .status = status_from(*status),
      .status_text = *status,
      .currency = *currency,
      .lines = std::move(lines),
      .subtotal = *subtotal,
      .tax_total = *tax_total,
      .fee_total = *fee_total,
      .discount_total = *discount_total,
      .grand_total = *grand_total,
      .balance_due = *balance_due,
      .payments = std::move(payments),
      .links = std::move(links),
      .updated_at = *updated_at,
  };
}

Result<Invoice, Refusal> parse_invoice_text(std::string_view text) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail(refuse(RefusalCode::InvoiceMalformed, "not valid JSON"));
  return parse_invoice(parsed);
}

}  // namespace pos::checkout
