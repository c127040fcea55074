#include <pos/app/receipts.hpp>

#include <cstdio>

#include <ctime>

#include <pos/app/offline_cache.hpp>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/profile_files.hpp>

namespace pos::app {

namespace {
constexpr std::int64_t kCompactCodeEpochMs = 1'577'836'800'000;  // 2020-01-01T00:00:00Z
}  // namespace

std::string compactReceiptCode(const checkout::ReceiptId& receipt) {
  const std::int64_t ms = receipt.uuid().unix_millis() - kCompactCodeEpochMs;
  auto code = escpos::compact_receipt_code(static_cast<std::uint64_t>(ms < 0 ? 0 : ms));
  return code.ok() ? code.value() : std::string();
}

ReceiptRenderer::ReceiptRenderer(Terminal& terminal) : terminal_(terminal) {
  const auto& logo = terminal.config().receipt.logo;
  if (logo.empty()) return;
  auto loaded = escpos::load_receipt_logo(logo, terminal.printerProfile(), 256);
  if (loaded.ok())
    logo_ = loaded.value();
  else
    problem_ = "the receipt logo " + logo.string() + " cannot be used: " + loaded.error().message;
}

std::optional<std::string> receiptIdPrefixFor(std::string_view scanned) {
  while (!scanned.empty() &&
         (scanned.back() == '\r' || scanned.back() == '\n' || scanned.back() == ' '))
    scanned.remove_suffix(1);
  auto number = escpos::parse_compact_receipt_code(scanned);
  if (!number) return std::nullopt;
  const auto ms = static_cast<std::uint64_t>(kCompactCodeEpochMs) + *number;
  char hex[16];
  std::snprintf(hex, sizeof hex, "%012llx",
                static_cast<unsigned long long>(ms & 0xffffffffffffULL));
  return std::string(hex, 8) + "-" + std::string(hex + 8, 4);
}

namespace {

std::string amountText(checkout::Money m) {
  return checkout::format(m, checkout::MoneyFormat::Plain);
}
std::string totalText(checkout::Money m) {
  return checkout::format(m, checkout::MoneyFormat::Receipt);
}

std::string tenderName(checkout::TenderKind k) {
  switch (k) {
    case checkout::TenderKind::Cash:
      return "CASH";
    case checkout::TenderKind::Check:
      return "CHEQUE";
    case checkout::TenderKind::CardExternal:
      return "CARD";
    case checkout::TenderKind::Account:
      return "ACCOUNT";
  }
  return "CASH";
}

}  // namespace

std::string ReceiptRenderer::staffName(const checkout::UserId& user) const {
  OfflineCache cache(terminal_.snapshots());
  auto roster = cache.roster();
  if (roster.ok()) {
    if (const auto* s = roster.value().find(user)) return s->display_name;
  }
  return user.str();
}

escpos::ReceiptContent ReceiptRenderer::content(const checkout::Checkout& co,
                                                const checkout::ReceiptId& receiptId,
                                                const std::optional<CopyMark>& copy) const {
  const auto& cfg = terminal_.config();
  const auto& inv = co.invoice();
  escpos::ReceiptContent c;
  c.logo = logo_;
  c.shop_name = cfg.shop.name;
  if (!cfg.shop.address.empty()) c.shop_lines.push_back(cfg.shop.address);
  if (!cfg.shop.phone.empty()) c.shop_lines.push_back("Tel " + cfg.shop.phone);
  c.tax_id = cfg.shop.taxId;
  c.invoice_number = inv.invoice_number;
  c.terminal_id = co.terminal_id().str();
  c.currency = std::string(inv.currency.code());

  const checkout::ReceiptIssued* receipt = nullptr;
  for (const auto& r : co.receipts())
    if (r.receipt_id == receiptId) receipt = &r;
  const checkout::PaymentCaptured* payment = nullptr;
  for (const auto& p : co.payments())
    if (receipt && p.billing_payment_id == receipt->billing_payment_id) payment = &p;

  for (const auto& line : inv.lines) {
    c.lines.push_back({line.quantity, line.description, amountText(line.unit_price),
                       amountText(line.line_total)});
  }
  c.totals.push_back({"Subtotal", totalText(inv.subtotal)});
  if (!inv.tax_total.is_zero()) c.totals.push_back({"Tax", totalText(inv.tax_total)});
  if (!inv.fee_total.is_zero()) c.totals.push_back({"Fees", totalText(inv.fee_total)});
  if (!inv.discount_total.is_zero())
    c.totals.push_back({"Discount", "-" + totalText(inv.discount_total)});
  c.total = totalText(inv.grand_total);

  // Every tender in capture order: the invoice's earlier payments, then this checkout's, up to
  // and including this receipt's payment.
  for (const auto& earlier : inv.payments) {
    c.tenders.push_back({earlier.tender, totalText(earlier.amount),
                         "paid " + terminal_.localTimeText(earlier.captured_at)});
  }
  for (const auto& p : co.payments()) {
    std::string detail;
    if (p.tender.card)
      detail = p.tender.card->brand + " ****" + p.tender.card->last4 + " auth " +
               p.tender.card->approval_code;
    else if (p.tender.kind == checkout::TenderKind::Check && p.tender.tender_reference)
      detail = "No. " + *p.tender.tender_reference;
    else if (p.tender.kind == checkout::TenderKind::Account)
      detail = inv.customer_name;
    c.tenders.push_back({tenderName(p.tender.kind), totalText(p.amount), detail});
    if (&p == payment) break;
  }
  if (payment) {
    c.payment_id = payment->billing_payment_id.to_string();
    c.cashier = staffName(payment->captured_by);
    c.local_time = terminal_.localTimeText(payment->at);
    if (payment->tender.amount_tendered)
      c.cash_tendered = totalText(*payment->tender.amount_tendered);
    if (payment->tender.change_given) c.change = totalText(*payment->tender.change_given);
  }
  if (receipt) {
    c.receipt_reference = receipt->receipt_reference;
    c.barcode = compactReceiptCode(receipt->receipt_id);
    c.qr = receipt->receipt_reference;  // where the template asks for it: scans to the receipt
    c.payment_state = receipt->payment_type == checkout::PaymentType::PaidInFull
                          ? escpos::PaymentState::PaidInFull
                          : escpos::PaymentState::PartialPayment;
    c.remaining_balance = totalText(receipt->remaining_balance);
  }
  if (copy) {
    c.copy = escpos::ReceiptCopyMark{
        copy->mark, terminal_.localTimeText(copy->at),
        staffName(
            checkout::UserId::parse(copy->user).value_or(checkout::UserId::parse("-").value())),
        copy->reason};
  }
  if (!cfg.shop.footer.empty()) c.footer.push_back(cfg.shop.footer);
  return c;
}

std::variant<RenderedReceiptText, std::string> ReceiptRenderer::render(
    const escpos::ReceiptContent& content, std::optional<int> templateVersion,
    escpos::DrawerKick drawer) const {
  const auto& templates = terminal_.templates();
  const auto& id = terminal_.config().receipt.templateId;
  auto tmpl = templateVersion ? templates.find(id, *templateVersion) : templates.latest(id);
  if (!tmpl.ok()) return tmpl.error().message;
  auto rendered =
      escpos::render_receipt(*tmpl.value(), content, terminal_.printerProfile(), drawer);
  if (!rendered.ok()) return rendered.error().message;
  RenderedReceiptText out;
  out.bytes = std::move(rendered.value().bytes);
  out.text = escpos::decode(out.bytes, terminal_.printerProfile(), escpos::DrawMode::TextOnly).text;
  out.templateId = rendered.value().template_id;
  out.templateVersion = rendered.value().template_version;
  return out;
}

}  // namespace pos::app
