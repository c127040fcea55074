// Test support: a small shop that makes the records a real checkout would (ids made before the
// transaction, contract-shaped outbox bodies), for the ledger's tests, crash child and bench.
#pragma once

#include <pos/checkout/billing_rules.hpp>
#include <pos/checkout/clock.hpp>
#include <pos/checkout/events.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/ledger/ledger.hpp>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace pos::test {

using checkout::Currencies;
using checkout::Money;
using checkout::Timestamp;
using checkout::UserId;

inline UserId user(std::string_view name) {
  auto u = UserId::parse(name);
  if (!u) throw std::invalid_argument("bad user id");
  return *u;
}

inline const Timestamp kShopStart{std::chrono::milliseconds{1'795'000'000'000}};

class Shop {
 public:
  explicit Shop(sync::Database& db, Timestamp start = kShopStart, std::filesystem::path anchor = {})
      : clock_(start), ids_(clock_, random_), ledger_(db, std::move(anchor)) {}

  ledger::Ledger& ledger() { return ledger_; }
  checkout::ManualClock& clock() { return clock_; }
  Timestamp tick(std::chrono::milliseconds by = std::chrono::milliseconds{1000}) {
    clock_.advance(by);
    return clock_.now();
  }
  template <class IdT>
  IdT id() {
    return ids_.next_id<IdT>();
  }

  ledger::ShiftId open_shift(std::vector<Money> opening_float = {Money{Currencies::USD, 20000}}) {
    const auto shift = id<ledger::ShiftId>();
    auto r =
        ledger_.open_shift({shift, "T-1", user("advisor-1"), tick(), std::move(opening_float)});
    if (!r.ok()) throw std::runtime_error("open_shift: " + r.error().message);
    return shift;
  }

  ledger::CheckoutRecord new_checkout(const ledger::ShiftId& shift,
                                      checkout::Currency currency = Currencies::USD,
                                      std::string_view operator_id = "advisor-1") {
    const auto c = checkout_record(shift, currency, operator_id);
    auto r = ledger_.record_checkout(c);
    if (!r.ok()) throw std::runtime_error("record_checkout: " + r.error().message);
    return c;
  }

  ledger::CheckoutRecord checkout_record(const ledger::ShiftId& shift, checkout::Currency currency,
                                         std::string_view operator_id) {
    return ledger::CheckoutRecord{id<checkout::CheckoutId>(),
                                  shift,
                                  id<checkout::InvoiceId>(),
                                  "INV-" + std::to_string(++invoice_no_),
                                  "WO-" + std::to_string(invoice_no_),
                                  "ACC-1",
                                  currency,
                                  id<checkout::CorrelationId>(),
                                  user(operator_id),
                                  tick()};
  }

  // A checkout started as the application starts one (engine_checkout.cpp): its row with the
  // CheckoutStarted event holding the invoice as received (the demo shop's three lines), then
  // the rules' evaluation with its RulesEvaluated event. new_checkout writes the row alone.
  ledger::CheckoutRecord start_checkout(const ledger::ShiftId& shift,
                                        checkout::Currency currency = Currencies::USD) {
    const auto c = checkout_record(shift, currency, "advisor-1");
    const std::string cur{currency.code()};
    const auto money = [&](std::int64_t minor) {
      return nlohmann::json{{"amountMinor", minor}, {"currency", cur}};
    };
    const auto line = [&](std::string lid, std::string what, std::int64_t minor, bool taxable) {
      return nlohmann::json{{"description", std::move(what)},
                            {"lineId", std::move(lid)},
                            {"lineTotal", money(minor)},
                            {"quantity", "1"},
                            {"taxable", taxable},
                            {"unitPrice", money(minor)}};
    };
    const nlohmann::json invoice{
        {"accountType", "CONSUMER"},
        {"balanceDue", money(10136)},
        {"currency", cur},
        {"customerAccountId", c.account_id},
        {"customerName", "Jordan Rivera"},
        {"discountTotal", money(0)},
        {"feeTotal", money(0)},
        {"grandTotal", money(10136)},
        {"invoiceId", c.invoice_id.to_string()},
        {"invoiceNumber", c.invoice_number},
        {"lines",
         {line("l1", "Oil change, synthetic 5W-30", 6499, true),
          line("l2", "Tire rotation", 2500, true), line("l3", "Shop supplies", 395, false)}},
        {"links",
         {{{"targetDomain", "service"},
           {"targetId", c.work_order_id},
           {"targetType", "WorkOrder"}}}},
        {"payments", nlohmann::json::array()},
        {"status", "ISSUED"},
        {"subtotal", money(9394)},
        {"taxTotal", money(742)},
        {"updatedAt", checkout::format_rfc3339(c.started_at)},
        {"workOrderId", c.work_order_id}};
    const std::vector<checkout::CheckoutEvent> started{checkout::CheckoutStarted{
        c.checkout_id, c.correlation_id, std::string(32, 'a'), c.operator_id,
        *checkout::TerminalId::parse("T-01"), invoice.dump(), c.started_at}};
    auto r = ledger_.record_checkout(c, started);
    if (!r.ok()) throw std::runtime_error("record_checkout: " + r.error().message);
    checkout::BillingRuleEvaluation rules;
    rules.policy_version = "2026.11-1";
    rules.po_required = false;
    rules.po_uniqueness_scope = checkout::PoUniquenessScope::PerOrder;
    rules.override_allowed = true;
    rules.partial_payments_allowed = true;
    rules.evaluated_offline = true;
    rules.offline_elevation_allowed = true;
    const auto now = tick();
    const std::vector<checkout::CheckoutEvent> evaluated{checkout::RulesEvaluated{rules, now}};
    auto e = ledger_.record_evaluation(
        {id<checkout::EventId>(), c.checkout_id, rules.policy_version, ledger::CaptureMode::Offline,
         checkout::to_json(rules).dump(), now},
        evaluated);
    if (!e.ok()) throw std::runtime_error("record_evaluation: " + e.error().message);
    return c;
  }

  // A capture as the application would build it: ids first, then the records and messages.
  ledger::PaymentCapture capture(const ledger::CheckoutRecord& c, Money amount,
                                 ledger::Tender tender = ledger::Tender::Cash,
                                 std::optional<Money> tendered = std::nullopt,
                                 std::string_view who = "advisor-1") {
    const auto now = tick();
    const auto pid = id<checkout::BillingPaymentId>();
    const auto rid = id<checkout::ReceiptId>();
    std::optional<Money> change;
    if (tender == ledger::Tender::Cash) {
      if (!tendered) tendered = amount;
      change = Money{amount.currency(), tendered->minor_units() - amount.minor_units()};
    } else {
      tendered.reset();
    }
    std::optional<ledger::CardDetails> card;
    if (tender == ledger::Tender::CardExternal)
      card = ledger::CardDetails{"VISA", "4242", "A1B2C3"};
    ledger::PaymentRecord p{
        pid,
        c.checkout_id,
        c.invoice_id,
        c.shift_id,
        amount,
        tender,
        tender == ledger::Tender::Check ? std::optional<std::string>{"100234"} : std::nullopt,
        card,
        tendered,
        change,
        ledger::PaymentType::PartialPayment,
        user(who),
        now,
        ledger::CaptureMode::Offline,
        rid};
    ledger::ReceiptRecord r{rid,
                            "RCP-" + c.invoice_number + "-" + checkout::format_compact_utc(now) +
                                "-" + std::to_string(++receipt_seq_),
                            pid,
                            c.checkout_id,
                            c.invoice_id,
                            ledger::PaymentType::PartialPayment,
                            Money{amount.currency(), 1},
                            ledger::ReceiptDeliveryChoice::Deliver,
                            "counter-receipt",
                            "1",
                            "",
                            now};
    r.print_text =
        printed_receipt(r.receipt_reference, c.invoice_number, pid.to_string(), amount, tender);
    ledger::AuditEvent a{
        id<checkout::EventId>(),
        c.checkout_id,
        "PAYMENT_CAPTURED",
        std::string{who},
        nlohmann::json{{"billingPaymentId", pid.to_string()}, {"receiptId", rid.to_string()}}
            .dump(),
        now};
    // The domain's two events of the capture, joined to the checkout's log in its transaction
    // (engine_checkout.cpp builds the capture the same way: about 1 KB of JSON a payment).
    std::vector<checkout::CheckoutEvent> events{
        checkout::PaymentCaptured{
            pid, c.invoice_id, c.checkout_id, *checkout::TerminalId::parse("T-01"), amount,
            checkout::TenderDetails{tender, p.tender_reference, card, tendered, change},
            ledger::PaymentType::PartialPayment, Money{amount.currency(), 1}, user(who),
            ledger::CaptureMode::Offline, rid, std::nullopt, now},
        checkout::ReceiptIssued{rid, r.receipt_reference, pid, c.invoice_id,
                                ledger::PaymentType::PartialPayment, Money{amount.currency(), 1},
                                false, now}};
    const auto money_json = [](Money m) {
      return nlohmann::json{{"currency", std::string{m.currency().code()}},
                            {"amountMinor", m.minor_units()}};
    };
    nlohmann::json pay{{"billingPaymentId", pid.to_string()},
                       {"invoiceId", c.invoice_id.to_string()},
                       {"checkoutId", c.checkout_id.to_string()},
                       {"terminalId", "T-1"},
                       {"amount", money_json(amount)},
                       {"tender", std::string{ledger::to_string(tender)}},
                       {"paymentType", "PARTIAL_PAYMENT"},
                       {"capturedAt", checkout::format_rfc3339(now)},
                       {"capturedByUserId", std::string{who}},
                       {"capturedOffline", true},
                       {"receiptId", rid.to_string()}};
    nlohmann::json rcp{{"receiptId", rid.to_string()},
                       {"receiptReference", r.receipt_reference},
                       {"billingPaymentId", pid.to_string()},
                       {"invoiceId", c.invoice_id.to_string()},
                       {"paymentType", "PARTIAL_PAYMENT"},
                       {"remainingBalance", money_json(Money{amount.currency(), 1})},
                       {"deliverySuppressed", false},
                       {"createdAt", checkout::format_rfc3339(now)},
                       {"templateId", r.template_id},
                       {"templateVersion", r.template_version},
                       {"printText", r.print_text}};
    std::vector<sync::OutboxMessage> messages{
        {c.checkout_id.to_string(), sync::OutboxKind::Payment, "POST", "/billing/payments",
         pid.to_string(), pay.dump(), now},
        {c.checkout_id.to_string(), sync::OutboxKind::Receipt, "POST", "/billing/receipts",
         rid.to_string(), rcp.dump(), now},
    };
    // No drawer opening: the application records a cash sale's only once the printer took the
    // drawer's pulse, as a write of its own after the capture (drawer_opening_of).
    return ledger::PaymentCapture{std::move(p), std::move(r),        std::move(a),
                                  std::nullopt, std::move(messages), std::move(events)};
  }

  // A cash sale's drawer opening, as the application records it after the capture.
  ledger::DrawerOpening drawer_opening_of(const ledger::PaymentCapture& cap) {
    return ledger::DrawerOpening{id<ledger::DrawerOpeningId>(), cap.payment.shift_id,
                                 cap.payment.captured_by,       ledger::DrawerReason::Sale,
                                 cap.payment.payment_id,        "",
                                 cap.payment.captured_at};
  }

 private:
  // The receipt's text as the default counter-receipt template lays it out for an 80 mm printer
  // (about 1.1 KB, like the demo shop's): the sizes of the ledger's rows and the outbox's bodies
  // are those of a real terminal.
  static std::string printed_receipt(const std::string& reference,
                                     const std::string& invoice_number,
                                     const std::string& payment_id, Money amount,
                                     ledger::Tender tender) {
    const auto money = [&](std::int64_t minor) {
      const std::string units = std::to_string(minor / 100);
      const std::string cents = std::to_string(100 + minor % 100).substr(1);
      return units + "." + cents + " " + std::string{amount.currency().code()};
    };
    const auto row = [](const std::string& left, const std::string& right) {
      const std::size_t width = 48;
      const std::size_t gap =
          left.size() + right.size() < width ? width - left.size() - right.size() : 1;
      return left + std::string(gap, ' ') + right + "\n";
    };
    const std::string rule(48, '-');
    std::string t =
        "Riverside Auto Service\n1200 Harbor Road, Springfield, OR 97477\n"
        "Tel +1 541 555 0142\nTax ID EIN 93-1234567\n" +
        rule + "\n";
    t += "Receipt   " + reference + "\nInvoice   " + invoice_number + "\nPayment   " + payment_id +
         "\nTerminal  T-1\nCashier   Anna Advisor\nTime      2026-12-01 11:45:55 PST\n" + rule +
         "\n";
    t += "Qty Item                        Price     Amount\n" + rule + "\n";
    t += "  1 Oil change, synthetic       64.99      64.99\n    5W-30\n";
    t += "  1 Tire rotation               25.00      25.00\n";
    t += "  1 Shop supplies                3.95       3.95\n" + rule + "\n";
    t += row("Subtotal", money(9394)) + row("Tax", money(742)) + row("TOTAL", money(10136)) + "\n";
    t += row(std::string{ledger::to_string(tender)}, money(amount.minor_units()));
    t += row("Cash tendered", money(amount.minor_units())) + row("Change", money(0)) + "\n";
    t += "PARTIAL_PAYMENT\n" + row("Remaining balance", money(1)) + "\n";
    t += "Thank you for your business. Keep this receipt\nfor your warranty.\n\n\n\n\n";
    return t;
  }

  checkout::ManualClock clock_;
  checkout::SodiumRandomSource random_;
  checkout::UuidV7Generator ids_;
  ledger::Ledger ledger_;
  int invoice_no_ = 0;
  int receipt_seq_ = 0;
};

// Opens (creating) a terminal database with the outbox and ledger migrations.
inline sync::Database open_terminal_db(const std::filesystem::path& path,
                                       sync::Synchronous sync = sync::Synchronous::Full,
                                       std::string vfs = {}, int autocheckpoint = 1000) {
  sync::DatabaseOptions o;
  o.path = path;
  o.synchronous = sync;
  o.vfs = std::move(vfs);
  o.wal_autocheckpoint_pages = autocheckpoint;
  const auto migrations = ledger::Ledger::all_migrations();
  auto db = sync::Database::open(o, migrations);
  if (!db.ok()) throw std::runtime_error("open: " + db.error().message);
  return std::move(db).value();
}

}  // namespace pos::test
