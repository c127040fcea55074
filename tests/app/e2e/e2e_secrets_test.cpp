// End to end: secrets never reach the terminal's files or its output. A full flow with known
// PINs, token and e-mail address (online elevation, offline grants, an e-mailed receipt synced
// and acknowledged, a reprint, a Z report), then every file in the data directory (database,
// WAL, logs, spool) and everything printed is searched for them.
#include <gtest/gtest.h>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

// PINs no file holds by chance.
constexpr const char* kAnna = "5820461937";
constexpr const char* kSara = "7391046285";
constexpr const char* kSam = "4602817395";
constexpr const char* kWrong = "8264019375";
constexpr const char* kToken = "tok-9f3c1e77a2b84d50-e2e";
constexpr const char* kEmail = "ines.secret-e2e@example.test";
constexpr const char* kEmail2 = "otto.secret-e2e@example.test";

TEST(Secrets, NoPinTokenOrEmailInTheDataDirectoryOrOutput) {
  DemoBackend backend(kToken, {{"adv-anna", kAnna}, {"sup-sara", kSara}, {"sup-sam", kSam}});
  PosTerminal term;
  term.online(backend);
  std::vector<RunResult> runs;
  auto keep = [&](RunResult r) {
    runs.push_back(r);
    return r;
  };
  ASSERT_RUN(keep(term.run({"pull"})), 0);

  // Online: an override with an elevation (the PIN goes to the backend only), receipt e-mailed.
  auto online = keep(term.run({"checkout", "--work-order", "WO-1002", "--operator", "adv-anna",
                               "--override", "ACCOUNT_MANAGER_APPROVED", "--approver", "sup-sara",
                               "--tender", "CASH", "--amount", "489.14", "--email", kEmail},
                              pins({kAnna, kSara})));
  ASSERT_RUN(online, 0);
  EXPECT_EQ(online.json["receiptDelivery"], "PENDING");
  // A wrong PIN, online and offline: not echoed anywhere.
  auto wrong =
      keep(term.run({"checkout", "--work-order", "WO-1005", "--operator", "adv-anna", "--override",
                     "PO_TO_FOLLOW", "--notes", "n", "--approver", "sup-sara", "--approver",
                     "sup-sam", "--tender", "CASH", "--amount", "652.00"},
                    pins({kAnna, kWrong, kSam})));
  ASSERT_RUN(wrong, 3);

  // Offline: two PIN grants, the receipt e-mailed later.
  term.offline();
  auto offline = keep(
      term.run({"checkout", "--work-order", "WO-1005", "--operator", "adv-anna", "--override",
                "PO_TO_FOLLOW", "--notes", "PO by Friday", "--approver", "sup-sara", "--approver",
                "sup-sam", "--tender", "CASH", "--amount", "652.00", "--email", kEmail2},
               pins({kAnna, kSara, kSam})));
  ASSERT_RUN(offline, 0);
  auto wrongOffline = keep(term.run({"checkout", "--work-order", "WO-1006", "--operator",
                                     "adv-anna", "--tender", "CASH", "--amount", "1.00"},
                                    pins({kWrong})));
  ASSERT_RUN(wrongOffline, 3);
  auto reprint =
      keep(term.run({"receipt", "reprint", offline.json["receiptId"], "--reason",
                     "CUSTOMER_REQUEST", "--operator", "adv-anna", "--approver", "sup-sam"},
                    pins({kAnna, kSam})));
  ASSERT_RUN(reprint, 0);

  // Until the backend has it, the address is kept for that delivery: the search finds it.
  bool keptForDelivery = false;
  for (const auto& f : filesUnder(term.dataDir()))
    keptForDelivery = keptForDelivery || readAll(f).find(kEmail2) != std::string::npos;
  EXPECT_TRUE(keptForDelivery);

  term.online(backend);
  auto synced = keep(term.run({"sync", "--until-empty", "--timeout", "30"}));
  ASSERT_RUN(synced, 0);
  // The two e-mails and the reprint's print.
  EXPECT_EQ(backend.acceptedOf("delivery").size(), 3u) << backend.sim().accepted().dump();
  ASSERT_RUN(keep(term.run({"queue"})), 0);
  ASSERT_RUN(keep(term.run({"receipt", "show", online.json["receiptId"]})), 0);
  ASSERT_RUN(keep(term.run({"report", "z", "--print", "--operator", "sup-sara"}, pins({kSara}))),
             0);
  ASSERT_RUN(keep(term.run({"verify"})), 0);

  const std::vector<std::string> secrets = {kAnna, kSara, kSam, kWrong, kToken, kEmail, kEmail2};
  for (const auto& r : runs) {
    for (const auto& s : secrets) {
      EXPECT_EQ(r.out.find(s), std::string::npos) << s << " on stdout:\n" << r.out;
      EXPECT_EQ(r.err.find(s), std::string::npos) << s << " on stderr:\n" << r.err;
    }
  }
  // The search itself works: what must be in the files is found there.
  const std::string paymentId = online.json["billingPaymentId"];
  bool paymentSeen = false, logSeen = false, spoolSeen = false;
  const auto files = filesUnder(term.dataDir());
  for (const auto& f : files) {
    const std::string bytes = readAll(f);
    paymentSeen = paymentSeen || bytes.find(paymentId) != std::string::npos;
    logSeen = logSeen || f.find("log") != std::string::npos;
    spoolSeen = spoolSeen || f.find("spool") != std::string::npos;
    for (const auto& s : secrets) EXPECT_EQ(bytes.find(s), std::string::npos) << s << " in " << f;
  }
  EXPECT_TRUE(paymentSeen);
  // The event log keeps the ids whole (a UUID's digit groups are not a card number).
  const std::string log = readAll(term.dataDir() + "/logs/terminal.log");
  EXPECT_NE(log.find("\"billingPaymentId\":\"" + paymentId + "\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"invoiceId\":\"" + online.json["invoiceId"].get<std::string>() + "\""),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("[redacted]"), std::string::npos) << log;
  EXPECT_TRUE(logSeen) << "no log file under " << term.dataDir();
  EXPECT_TRUE(spoolSeen) << "no spool file under " << term.dataDir();
}

}  // namespace
}  // namespace pos::e2e
