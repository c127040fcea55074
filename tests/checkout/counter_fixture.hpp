// A counter for tests: a clock that moves only when told, real libsodium randomness, a roster
// with advisors and supervisors (real Argon2id verifiers at libsodium's minimum cost, so the
// suite stays quick), and invoices built as the backend's JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <pos/checkout/checkout.hpp>

#include <ostream>
#include <string>

namespace pos::checkout {
// gtest prints refusal codes by name.
inline void PrintTo(RefusalCode code, std::ostream* os) {
  *os << to_string(code);
}
}  // namespace pos::checkout

namespace pos::checkout::testing {

using namespace std::chrono_literals;
using nlohmann::json;

inline Timestamp at_millis(std::int64_t millis) {
  return Timestamp{std::chrono::milliseconds{millis}};
}
inline Timestamp t0() {
  return *parse_rfc3339("2026-11-21T10:15:00.000Z");
}

inline UserId user(std::string_view id) {
  return *UserId::parse(id);
}

inline json money_json(std::string_view currency, std::int64_t minor) {
  return json{{"currency", currency}, {"amountMinor", minor}};
}

// An ISSUED commercial invoice in `currency`: subtotal 100.00 + tax 8.00 + fee 2.00 - discount
// 10.00 = 100.00, nothing paid yet (scaled by the currency's minor units via `unit`).
inline json invoice_json(std::string_view currency = "USD", std::int64_t unit = 100) {
  return json{
      {"invoiceId", "01936f3e-8a7b-7c3d-9e4f-0123456789ab"},
      {"invoiceNumber", "INV-12345"},
      {"workOrderId", "WO-1001"},
      {"customerAccountId", "ACCT-77"},
      {"customerName", "Fleet Services Ltd"},
      {"accountType", "COMMERCIAL"},
      {"status", "ISSUED"},
      {"currency", currency},
      {"lines", json::array({json{{"lineId", "L1"},
                                  {"description", "Brake pads"},
                                  {"quantity", "1.5"},
                                  {"unitPrice", money_json(currency, 40 * unit)},
                                  {"lineTotal", money_json(currency, 60 * unit)},
                                  {"taxable", true}},
                             json{{"lineId", "L2"},
                                  {"description", "Labour"},
                                  {"quantity", "1"},
                                  {"unitPrice", money_json(currency, 40 * unit)},
                                  {"lineTotal", money_json(currency, 40 * unit)},
                                  {"taxable", false}}})},
      {"subtotal", money_json(currency, 100 * unit)},
      {"taxTotal", money_json(currency, 8 * unit)},
      {"feeTotal", money_json(currency, 2 * unit)},
      {"discountTotal", money_json(currency, 10 * unit)},
      {"grandTotal", money_json(currency, 100 * unit)},
      {"balanceDue", money_json(currency, 100 * unit)},
      {"payments", json::array()},
      {"links",
       json::array({json{
           {"targetDomain", "workshop"}, {"targetType", "WorkOrder"}, {"targetId", "WO-1001"}}})},
      {"updatedAt", "2026-11-21T10:00:00.000Z"},
  };
}

// Rules that ask for everything: PO required in a format, override with reason code.
inline BillingRuleEvaluation strict_evaluation() {
  BillingRuleEvaluation e;
  e.policy_version = "v7";
  e.po_required = true;
  e.po_format_regex = "^[A-Z]{2}-[0-9]{6}$";
  e.po_uniqueness_scope = PoUniquenessScope::PerAccountOpenOrders;
  e.override_allowed = true;
  e.override_requires_second_approver = false;
  e.override_reason_code_required = true;
  e.charge_account_eligible = true;
  e.credit_limit_exceeded = false;
  e.partial_payments_allowed = true;
  e.offline_elevation_allowed = true;
  return e;
}

inline BillingRuleEvaluation relaxed_evaluation() {
  BillingRuleEvaluation e = strict_evaluation();
  e.po_required = false;
  e.po_format_regex.reset();
  return e;
}

inline constexpr std::string_view kSupervisorPin = "2468";
inline constexpr std::string_view kSecondSupervisorPin = "1357";

// Everyone the tests need, with the permissions their job gives them.
inline std::vector<Staff> make_staff(RandomSource& random) {
  const auto verifier = [&random](std::string_view pin) {
    return make_pin_verifier(SecretText{pin}, random, 1, 8192);
  };
  const PermissionSet advisor{Permission::PoCapture, Permission::PoOverride,
                              Permission::ReceiptView, Permission::ReceiptDeliver,
                              Permission::ReceiptReprint};
  PermissionSet supervisor = advisor;
  supervisor.grant(Permission::AuthElevate);
  return {
      Staff{user("advisor"), "Ada Advisor", advisor, verifier("1111"), std::nullopt, {}},
      Staff{user("cashier"),
            "Cal Cashier",
            PermissionSet{},
            verifier("2222"),
            Money{Currencies::USD, 5000},
            {}},
      Staff{user("viewer"),
            "Vi Viewer",
            PermissionSet{Permission::ReceiptView},
            verifier("3333"),
            std::nullopt,
            {}},
      Staff{user("sup1"), "Sam Supervisor", supervisor, verifier(kSupervisorPin), std::nullopt, {}},
      Staff{user("sup2"),
            "Sue Supervisor",
            supervisor,
            verifier(kSecondSupervisorPin),
            std::nullopt,
            {}},
      // Limits per currency (the contract's paymentLimits): USD 50.00 and EUR 80.00.
      Staff{user("cashier-eu"),
            "Eve Cashier",
            PermissionSet{},
            verifier("4444"),
            std::nullopt,
            {Money{Currencies::USD, 5000}, Money{Currencies::EUR, 8000}}},
  };
}

struct Counter {
  ManualClock clock{t0()};
  SodiumRandomSource random;
  UuidV7Generator ids{clock, random};
  Roster roster{make_staff(random), t0() - 1h, std::chrono::seconds{86400}};

  CounterContext context() { return CounterContext{roster, clock.now(), ids, random}; }

  // Starts a checkout on `invoice` as the advisor and evaluates it.
  Checkout start(const json& invoice = invoice_json(),
                 std::optional<BillingRuleEvaluation> evaluation = strict_evaluation()) {
    auto ctx = context();
    auto started = Checkout::start(
        StartCheckout{user("advisor"), *TerminalId::parse("T-1"), invoice.dump()}, ctx);
    if (!started) throw std::runtime_error(std::string(started.error().code_text()));
    Checkout checkout = std::move(started).value().checkout;
    if (evaluation) {
      auto d = checkout.evaluate(user("advisor"), *evaluation, ctx);
      if (!d.accepted()) throw std::runtime_error("evaluate refused");
    }
    return checkout;
  }

  OnlineElevation elevation(const Checkout& checkout, std::string_view approver,
                            ElevationAction action, std::chrono::milliseconds lifetime = 5min) {
    return OnlineElevation{user(approver), checkout.id(),
                           action,         clock.now() + lifetime,
                           clock.now(),    SecretText{"tok-" + std::string(approver)}};
  }
};

inline TakePayment cash(std::int64_t minor, std::string_view op = "advisor") {
  return TakePayment{user(op),
                     Money{Currencies::USD, minor},
                     TenderEntry::cash(),
                     ReceiptDelivery::Print,
                     CaptureMode::Online,
                     {},
                     {},
                     std::nullopt,
                     std::nullopt,
                     std::nullopt};
}

}  // namespace pos::checkout::testing
