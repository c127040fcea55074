// End to end: the shift report (report z), reconciliation with every discrepancy kind provoked
// against billing-sim, and verify (sound, then a tampered ledger row detected).
//
// Sections: report z · verify · reconcile (slow)
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

#define ASSERT_RUN(run, code) ASSERT_EQ((run).exitCode, (code)) << (run).describe()

std::int64_t minor(const json& money) {
  return money.at("amountMinor").get<std::int64_t>();
}

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

// ---------------------------------------------------------------- report z

TEST(ReportZ, ClosesTheShiftWithItsFigures) {
  PosTerminal term;
  ASSERT_RUN(term.seedDemo(), 0);
  auto none = term.run({"report", "z"});
  ASSERT_RUN(none, 3);
  EXPECT_EQ(none.json["errorCode"], "SHIFT_NOT_OPEN");

  ASSERT_RUN(pay(term, "WO-1001", "101.36", {"--tendered", "120.00"}), 0);
  auto check = term.run({"checkout", "--work-order", "WO-1006", "--operator", "adv-anna",
                         "--tender", "CHECK", "--check-number", "77", "--amount", "43.53"},
                        pins({kAnnaPin}));
  ASSERT_RUN(check, 0);
  ASSERT_RUN(pay(term, "WO-1007", "171.84"), 0);  // EUR: its own section

  auto x = term.run({"report", "x"});
  ASSERT_RUN(x, 0);
  EXPECT_EQ(x.json["kind"], "X");
  auto z = term.run({"report", "z", "--counted-cash", "USD 100.00", "--operator", "sup-sara"});
  ASSERT_RUN(z, 0);
  EXPECT_EQ(z.json["kind"], "Z");
  EXPECT_FALSE(z.json["closedAt"].is_null());
  EXPECT_EQ(z.json["shiftId"], x.json["shiftId"]);
  ASSERT_EQ(z.json["currencies"].size(), 2u) << z.out;
  json usd, eur;
  for (const auto& c : z.json["currencies"]) (c["currency"] == "USD" ? usd : eur) = c;
  EXPECT_EQ(usd["paymentCount"], 2);
  EXPECT_EQ(minor(usd["paymentsTotal"]), 10136 + 4353);
  EXPECT_EQ(minor(usd["cashTaken"]), 12000);
  EXPECT_EQ(minor(usd["changeGiven"]), 1864);
  EXPECT_EQ(minor(usd["cashExpected"]), 10136);
  EXPECT_EQ(minor(usd["cashCounted"]), 10000);
  EXPECT_EQ(minor(usd["cashDifference"]), -136);
  EXPECT_EQ(eur["paymentCount"], 1);
  EXPECT_EQ(minor(eur["paymentsTotal"]), 17184);
  EXPECT_EQ(z.json["unsynced"]["count"], 3);

  // Closed: a second Z has no shift; the next checkout opens a new one.
  auto again = term.run({"report", "z"});
  ASSERT_RUN(again, 3);
  ASSERT_RUN(pay(term, "WO-1008", "10670"), 0);
  auto x2 = term.run({"report", "x"});
  ASSERT_RUN(x2, 0);
  EXPECT_NE(x2.json["shiftId"], z.json["shiftId"]);
  ASSERT_EQ(x2.json["currencies"].size(), 1u);
  EXPECT_EQ(x2.json["currencies"][0]["currency"], "JPY");
}

// ---------------------------------------------------------------- verify

TEST(Verify, SoundThenATamperedRowIsDetected) {
  PosTerminal term;
  ASSERT_RUN(term.seedDemo(), 0);
  ASSERT_RUN(pay(term, "WO-1001", "101.36"), 0);
  ASSERT_RUN(pay(term, "WO-1006", "10.00"), 0);
  auto sound = term.run({"verify"});
  ASSERT_RUN(sound, 0);
  EXPECT_EQ(sound.json["sound"], true);
  EXPECT_EQ(sound.json["integrityCheck"], "ok");
  EXPECT_GT(sound.json["linksChecked"].get<int>(), 5);

  // Someone with the sqlite3 shell drops the append-only trigger and edits an amount.
  const std::string triggers =
      sqlite(term.database(),
             "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'payment';");
  ASSERT_FALSE(triggers.empty());
  std::string drop;
  for (std::size_t start = 0, end; start < triggers.size(); start = end + 1) {
    end = triggers.find('\n', start);
    if (end == std::string::npos) end = triggers.size();
    if (end > start) drop += "DROP TRIGGER \"" + triggers.substr(start, end - start) + "\";";
  }
  sqlite(term.database(),
         drop + "UPDATE payment SET amount_minor = 999 WHERE amount_minor = 10136;");
  EXPECT_EQ(sqlite(term.database(), "SELECT count(*) FROM payment WHERE amount_minor = 999;"),
            "1\n");

  auto broken = term.run({"verify"});
  ASSERT_RUN(broken, 6);
  EXPECT_EQ(broken.json["sound"], false);
  ASSERT_TRUE(broken.json.contains("firstBreak")) << broken.out;
  EXPECT_EQ(broken.json["firstBreak"]["table"], "payment");
}

TEST(Verify, CorruptDatabaseFileIsADataProblem) {
  PosTerminal term;
  ASSERT_RUN(term.seedDemo(), 0);
  ASSERT_RUN(pay(term, "WO-1001", "101.36"), 0);
  testing::writeFile(term.database(), std::string(8192, 'x'));
  ::unlink((term.database() + "-wal").c_str());
  ::unlink((term.database() + "-shm").c_str());
  auto r = term.run({"verify"});
  EXPECT_EQ(r.exitCode, 6) << r.describe();
}

// ---------------------------------------------------------------- reconcile

json outboxBody(const PosTerminal& term, const std::string& paymentId) {
  return json::parse(
      sqlite(term.database(),
             "SELECT body FROM outbox_message WHERE idempotency_key = '" + paymentId + "';"));
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
  (void)term.run({"sync", "--until-empty", "--timeout", "10"});
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
  ASSERT_RUN(rec, 0);
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
