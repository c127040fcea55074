// End to end, slow: reconciliation with every discrepancy kind provoked against billing-sim.
// The backend is made to hold what the ledger does not (and the other way round) with direct
// calls to its billing API, as another terminal under the same id would.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

std::string rfc3339(std::chrono::system_clock::time_point tp) {
  const auto t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

RunResult pay(const PosTerminal& term, const std::string& wo, const std::string& amount,
              std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"checkout", "--work-order", wo,         "--operator", "adv-anna",
                                   "--tender", "CASH",         "--amount", amount};
  args.insert(args.end(), extra.begin(), extra.end());
  return term.run(args, pins({kAnnaPin}));
}

// ---------------------------------------------------------------- reconcile

json outboxBody(const PosTerminal& term, const std::string& paymentId) {
  return json::parse(
      sqlite(term.database(),
             "SELECT b.body FROM outbox_body AS b JOIN outbox_message AS m ON m.id = b.id"
             " WHERE m.idempotency_key = '" + paymentId + "';"));
}

std::set<std::string> idsOfKind(const json& report, const std::string& kind) {
  std::set<std::string> ids;
  for (const auto& d : report["discrepancies"])
    if (d["kind"] == kind) ids.insert(d["billingPaymentId"].get<std::string>());
  return ids;
}

TEST(Reconcile, EveryDiscrepancyKindIsReported) {
  DemoBackend backend;
  PosTerminal term;
  term.online(backend);
  ASSERT_RUN(term.run({"pull"}), 0);
  const auto from = rfc3339(std::chrono::system_clock::now() - std::chrono::hours(1));
  const auto to = rfc3339(std::chrono::system_clock::now() + std::chrono::hours(1));

  // Nothing yet: all matched.
  auto empty = term.run({"reconcile", "--from", from, "--to", to});
  ASSERT_RUN(empty, 0);
  EXPECT_TRUE(empty.json["discrepancies"].empty()) << empty.out;

  // DuplicateChargeSuspected: two online payments of one invoice, same amount and tender.
  auto dupA = pay(term, "WO-1006", "10.00");
  ASSERT_RUN(dupA, 0);
  auto dupB = pay(term, "WO-1006", "10.00");
  ASSERT_RUN(dupB, 0);

  // StatusMismatch: the backend holds this payment id with another body (another tender), so
  // the terminal's own post is refused (IDEMPOTENCY_KEY_REUSED): refused here, posted there.
  term.offline();
  auto refused = pay(term, "WO-1012", "30.00");
  ASSERT_RUN(refused, 0);
  const std::string refusedId = refused.json["billingPaymentId"];
  json other = outboxBody(term, refusedId);
  other["tender"] = "CHECK";
  other["tenderReference"] = "991";
  other["amountTendered"] = nullptr;
  other["changeGiven"] = nullptr;
  ASSERT_EQ(backend.post("/billing/payments", other, refusedId).first, 201);
  term.online(backend);
  (void)term.run({"sync", "--until-empty", "--timeout", "2"});
  auto q = term.run({"queue"});
  bool rejected = false;
  for (const auto& i : q.json["items"])
    if (i["idempotencyKey"] == refusedId) rejected = i["state"] == "REJECTED";
  auto rejectedRows =
      sqlite(term.database(),
             "SELECT state FROM outbox_message WHERE idempotency_key = '" + refusedId + "';");
  EXPECT_TRUE(rejected || rejectedRows == "REJECTED\n") << q.out << rejectedRows;

  // MissingProviderRecord: taken offline, not synced.
  term.offline();
  auto queued = pay(term, "WO-1001", "10.00");
  ASSERT_RUN(queued, 0);
  // AmountMismatch: the backend got this payment id with another amount.
  auto amount = pay(term, "WO-1008", "1000");
  ASSERT_RUN(amount, 0);
  const std::string amountId = amount.json["billingPaymentId"];
  json bigger = outboxBody(term, amountId);
  bigger["amount"]["amountMinor"] = 2000;
  ASSERT_EQ(backend.post("/billing/payments", bigger, amountId).first, 201);
  // CurrencyMismatch: the same id posted in USD against a USD invoice; the ledger says EUR.
  auto euro = pay(term, "WO-1007", "20.00");
  ASSERT_RUN(euro, 0);
  const std::string euroId = euro.json["billingPaymentId"];
  json dollars = outboxBody(term, euroId);
  dollars["invoiceId"] = demoInvoice("WO-1001")["invoiceId"];
  dollars["amount"] = {{"currency", "USD"}, {"amountMinor", 2000}};
  dollars["amountTendered"] = nullptr;
  dollars["changeGiven"] = nullptr;
  dollars["checkoutId"] = newUuid7();
  ASSERT_EQ(backend.post("/billing/payments", dollars, euroId).first, 201);
  // MissingInternalRecord: a payment under this terminal's id that its ledger never took.
  const std::string strangerId = newUuid7();
  json stranger = dollars;
  stranger["billingPaymentId"] = strangerId;
  stranger["receiptId"] = newUuid7();
  stranger["checkoutId"] = newUuid7();
  stranger["amount"]["amountMinor"] = 500;
  ASSERT_EQ(backend.post("/billing/payments", stranger, strangerId).first, 201);

  term.online(backend);
  auto rec = term.run({"reconcile", "--from", from, "--to", to});
  ASSERT_RUN(rec, 8);  // issue 15: "discrepancies found" has its own exit code
  const json& report = rec.json;
  EXPECT_EQ(idsOfKind(report, "DuplicateChargeSuspected").size(), 1u) << rec.out;
  EXPECT_TRUE(idsOfKind(report, "DuplicateChargeSuspected")
                  .count(std::max(dupA.json["billingPaymentId"].get<std::string>(),
                                  dupB.json["billingPaymentId"].get<std::string>())) ||
              idsOfKind(report, "DuplicateChargeSuspected")
                  .count(std::min(dupA.json["billingPaymentId"].get<std::string>(),
                                  dupB.json["billingPaymentId"].get<std::string>())))
      << rec.out;
  EXPECT_TRUE(idsOfKind(report, "StatusMismatch").count(refusedId)) << rec.out;
  EXPECT_TRUE(idsOfKind(report, "MissingProviderRecord").count(queued.json["billingPaymentId"]))
      << rec.out;
  EXPECT_TRUE(idsOfKind(report, "AmountMismatch").count(amountId)) << rec.out;
  EXPECT_TRUE(idsOfKind(report, "CurrencyMismatch").count(euroId)) << rec.out;
  EXPECT_TRUE(idsOfKind(report, "MissingInternalRecord").count(strangerId)) << rec.out;
  EXPECT_EQ(report["ledgerCount"], 6);
  EXPECT_EQ(report["matchedCount"], 2);  // the two duplicates match one for one

  // Offline the comparison cannot be made.
  term.offline();
  auto noBackend = term.run({"reconcile", "--from", from, "--to", to});
  EXPECT_EQ(noBackend.exitCode, 5) << noBackend.describe();
}

}  // namespace
}  // namespace pos::e2e
