// End to end: the shift report (report z) and verify (sound, then a tampered ledger row
// detected).
//
// Sections: report z · verify
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

std::int64_t minor(const json& money) {
  return money.at("amountMinor").get<std::int64_t>();
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
  // Issue 17: a shift is closed by a roster member who proves it with their PIN.
  auto nobody = term.run({"report", "z"});
  ASSERT_RUN(nobody, 2);
  EXPECT_EQ(nobody.json["errorCode"], "USAGE");
  auto none = term.run({"report", "z", "--operator", "sup-sara"}, pins({kSaraPin}));
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
  // Issue 10: closing with unsynced items needs another supervisor's approval, recorded on the Z.
  auto blocked = term.run({"report", "z", "--counted-cash", "USD 100.00", "--operator", "sup-sara"},
                          pins({kSaraPin}));
  ASSERT_RUN(blocked, 3);
  EXPECT_EQ(blocked.json["errorCode"], "SHIFT_HAS_UNSYNCED_ITEMS");
  auto wrongCloser = term.run({"report", "z", "--operator", "nobody-at-all"}, pins({"0000"}));
  ASSERT_RUN(wrongCloser, 3);
  EXPECT_EQ(wrongCloser.json["errorCode"], "SIGN_IN_DENIED");
  auto z = term.run({"report", "z", "--counted-cash", "USD 100.00", "--operator", "sup-sara",
                     "--approver", "sup-sam"},
                    pins({kSaraPin, kSamPin}));
  ASSERT_RUN(z, 0);
  EXPECT_EQ(z.json["closedBy"], "sup-sara");
  ASSERT_EQ(z.json["approvals"].size(), 1u) << z.out;
  EXPECT_NE(z.out.find("sup-sam"), std::string::npos);
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
  auto again = term.run({"report", "z", "--operator", "sup-sara"}, pins({kSaraPin}));
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

}  // namespace
}  // namespace pos::e2e
