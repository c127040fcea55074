// End to end: the counter rules of issues 15 and 17 through the real command line (the counter
// engine underneath), against the demo shop offline and a billing-sim seeded with canonical
// permission strings only (assets/demo/roster.json).
//
// Sections: the drawer · what is typed at the counter · receipts · shift
// and cash · the queue and invoice lookups
#include <httplib.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>

#include "e2e_support.hpp"

namespace pos::e2e {
namespace {

std::int64_t minor(const json& money) {
  return money.at("amountMinor").get<std::int64_t>();
}

RunResult pay(const PosTerminal& term, const std::string& wo, const std::string& amount,
              std::vector<std::string> extra = {}, const std::string& op = "adv-anna",
              const std::string& pin = kAnnaPin) {
  std::vector<std::string> args{"checkout", "--work-order", wo,         "--operator", op,
                                "--tender", "CASH",         "--amount", amount};
  args.insert(args.end(), extra.begin(), extra.end());
  return term.run(args, pins({pin}));
}

// ---------------------------------------------------------------- the drawer

// Issue 15: the drawer opens for every cash sale whatever the receipt choice, and the ledger
// records an opening only when it opened.
TEST_F(OfflineShop, ACashSaleWithNoReceiptOpensTheDrawer) {
  auto first = pay(term, "WO-1001", "50.00", {"--no-receipt"});
  ASSERT_RUN(first, 0);
  EXPECT_EQ(sqlite(term.database(), "SELECT count(*) FROM drawer_opening WHERE reason = 'SALE';"),
            "1\n");
  // The capture's own audit event is kept in its payment row (ledger step 8): the audit trail
  // shows it as its row, with the payment's ids, the operator and the moment of capture.
  const std::string pid = first.json["billingPaymentId"];
  const std::string rid = first.json["receiptId"];
  EXPECT_EQ(sqlite(term.database(),
                   "SELECT count(*) FROM audit_event WHERE kind = 'PAYMENT_CAPTURED';"),
            "0\n");
  EXPECT_EQ(sqlite(term.database(),
                   "SELECT a.actor, a.detail_json, a.at_ms = p.captured_at_ms FROM audit_log AS a"
                   " JOIN payment AS p ON p.chain_seq = a.chain_seq"
                   " WHERE a.kind = 'PAYMENT_CAPTURED';"),
            "adv-anna|{\"billingPaymentId\":\"" + pid + "\",\"receiptId\":\"" + rid + "\"}|1\n");
  term.setPrinter("tcp://127.0.0.1:" + std::to_string(closedPort()));
  auto failed = pay(term, "WO-1001", "10.00", {"--no-receipt"});
  ASSERT_RUN(failed, 0);  // no receipt asked: the payment is done; the drawer did not open
  EXPECT_EQ(sqlite(term.database(), "SELECT count(*) FROM drawer_opening WHERE reason = 'SALE';"),
            "1\n");
  EXPECT_EQ(sqlite(term.database(),
                   "SELECT count(*) FROM audit_event WHERE kind = 'DRAWER_DID_NOT_OPEN';"),
            "1\n");
}

// ---------------------------------------------------------------- what is typed at the counter

TEST_F(OfflineShop, ACardNumberWithDashesIsRefusedEverywhere) {
  auto cheque =
      term.run({"checkout", "--work-order", "WO-1001", "--operator", "adv-anna", "--tender",
                "CHECK", "--check-number", "4111-1111-1111-1111", "--amount", "10.00"},
               pins({kAnnaPin}));
  ASSERT_RUN(cheque, 3);
  EXPECT_EQ(cheque.json["errorCode"], "CARD_NUMBER_REFUSED");
  auto po = term.run({"checkout", "--work-order", "WO-1002", "--operator", "adv-anna", "--po",
                      "4111.1111.1111.1111", "--tender", "CASH", "--amount", "10.00"},
                     pins({kAnnaPin}));
  ASSERT_RUN(po, 3);
  EXPECT_EQ(po.json["errorCode"], "CARD_NUMBER_REFUSED");
  auto q = term.run({"queue"});
  EXPECT_EQ(q.json["depth"], 0) << q.out;
}

TEST_F(OfflineShop, AnEmailAddressIsValidatedAndARefusedOneIsNeverStored) {
  for (const std::string& bad :
       std::vector<std::string>{"not-an-address", "a@b.co\r\nBcc: x@y.z", "a\x1b[2J@b.co",
                                std::string(300, 'a') + "@b.co", "4111111111111111@example.com"}) {
    auto r = pay(term, "WO-1001", "10.00", {"--email", bad});
    ASSERT_RUN(r, 3);
    EXPECT_TRUE(r.json["errorCode"] == "EMAIL_INVALID" ||
                r.json["errorCode"] == "CARD_NUMBER_REFUSED")
        << r.out;
  }
  // Nothing was taken and nothing of the addresses reached the data directory.
  EXPECT_EQ(term.run({"queue"}).json["depth"], 0);
  for (const auto& f : filesUnder(term.dataDir()))
    EXPECT_EQ(readAll(f).find("Bcc:"), std::string::npos) << f;
  ASSERT_RUN(pay(term, "WO-1001", "10.00", {"--email", "jordan.rivera@example.com"}), 0);
}

// Issue 15: a typo in the amount never burns the PO at the backend; issue 17: an override by
// someone without the permission spends no supervisor's elevation.
TEST_F(OnlineShop, NothingLeavesTheTerminalBeforeWhatWasTypedIsChecked) {
  auto typo = term.run({"checkout", "--work-order", "WO-1002", "--operator", "adv-anna", "--po",
                        "AB-123456", "--tender", "CASH", "--amount", "1e3"},
                       pins({kAnnaPin}));
  ASSERT_RUN(typo, 3);
  EXPECT_EQ(backend.acceptedOf("po").size(), 0u);
  auto right = term.run({"checkout", "--work-order", "WO-1002", "--operator", "adv-anna", "--po",
                         "AB-123456", "--tender", "CASH", "--amount", "489.14"},
                        pins({kAnnaPin}));
  ASSERT_RUN(right, 0);
  EXPECT_EQ(right.json["poCompliance"], "COMPLIANT");

  auto carl = term.run(overrideArgs("WO-1004", "cash-carl", "10.00", {"sup-sara"}),
                       pins({kCarlPin, kSaraPin}));
  ASSERT_RUN(carl, 3);
  EXPECT_EQ(carl.json["errorCode"], "PERMISSION_MISSING");
  httplib::Client sim(backend.url());
  auto requests = sim.Get("/_sim/requests?limit=500");
  ASSERT_TRUE(requests);
  EXPECT_EQ(requests->body.find("/billing/auth/elevate"), std::string::npos) << requests->body;
  EXPECT_EQ(backend.acceptedOf("offline-grant").size(), 0u);
}

// ---------------------------------------------------------------- receipts

TEST_F(OfflineShop, TheReceiptBarcodeOpensTheReceipt) {
  auto paid = pay(term, "WO-1001", "101.36");
  ASSERT_RUN(paid, 0);
  auto shown = term.run({"receipt", "show", paid.json["receiptId"]});
  ASSERT_RUN(shown, 0);
  const std::string code = shown.json["compactCode"];
  ASSERT_EQ(code.front(), 'R');
  EXPECT_LE(code.size(), 13u);
  auto scanned = term.run({"receipt", "show", code + "\r\n"});
  ASSERT_RUN(scanned, 0);
  EXPECT_EQ(scanned.json["receiptId"], paid.json["receiptId"]);
  auto unknown = term.run({"receipt", "show", "R000000000001"});
  ASSERT_RUN(unknown, 3);
}

TEST_F(OfflineShop, RenderIntoAMissingFolderNamesThePath) {
  auto paid = pay(term, "WO-1001", "101.36");
  ASSERT_RUN(paid, 0);
  const std::string missing = term.dataDir() + "/no/such/folder/r.bin";
  auto r = term.run({"receipt", "render", paid.json["receiptId"], "--out", missing});
  ASSERT_RUN(r, 6);
  EXPECT_NE(r.out.find("no/such/folder"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(missing));
}

// ---------------------------------------------------------------- shift and cash

TEST_F(OfflineShop, ShiftOpenPaidOutAndANoSaleOpeningAreOnTheReport) {
  ASSERT_RUN(term.run({"shift", "open", "--float", "USD 200.00", "--operator", "adv-anna"},
                      pins({kAnnaPin})),
             0);
  auto twice = term.run({"shift", "open", "--float", "USD 200.00", "--operator", "adv-anna"},
                        pins({kAnnaPin}));
  ASSERT_RUN(twice, 3);
  EXPECT_EQ(twice.json["errorCode"], "SHIFT_ALREADY_OPEN");
  ASSERT_RUN(term.run({"cash", "paid-out", "--amount", "USD 20.00", "--reason", "stamps",
                       "--operator", "adv-anna"},
                      pins({kAnnaPin})),
             0);
  ASSERT_RUN(term.run({"cash", "paid-in", "--amount", "USD 30.00", "--reason", "float top-up",
                       "--operator", "adv-anna"},
                      pins({kAnnaPin})),
             0);
  ASSERT_RUN(
      term.run({"drawer", "open", "--reason", "change for a customer", "--operator", "cash-carl"},
               pins({kCarlPin})),
      0);
  auto noReason =
      term.run({"drawer", "open", "--reason", " ", "--operator", "cash-carl"}, pins({kCarlPin}));
  ASSERT_RUN(noReason, 3);
  EXPECT_EQ(noReason.json["errorCode"], "REASON_REQUIRED");
  ASSERT_RUN(pay(term, "WO-1001", "101.36", {"--tendered", "120.00"}), 0);
  auto x = term.run({"report", "x"});
  ASSERT_RUN(x, 0);
  EXPECT_EQ(x.json["noSaleOpenings"], 1);
  EXPECT_EQ(x.json["openingFloatCounted"], true);
  ASSERT_EQ(x.json["currencies"].size(), 1u);
  const auto& usd = x.json["currencies"][0];
  EXPECT_EQ(minor(usd["openingFloat"]), 20000);
  EXPECT_EQ(minor(usd["paidOut"]), 2000);
  EXPECT_EQ(minor(usd["paidIn"]), 3000);
  EXPECT_EQ(minor(usd["cashExpected"]), 20000 + 3000 - 2000 + 10136);
}

// ---------------------------------------------------------------- the queue and invoices

TEST_F(OfflineShop, RetryingAnItemThatDoesNotExistIsRefused) {
  auto r = term.run({"queue", "--retry", "99999"});
  ASSERT_RUN(r, 3);
  EXPECT_EQ(r.json["errorCode"], "QUEUE_ITEM_NOT_FOUND");
}

TEST_F(OfflineShop, InvoiceShowTellsWhatThisTerminalTookWithoutTakingMoney) {
  ASSERT_RUN(pay(term, "WO-1006", "43.53"), 0);
  auto r = term.run({"invoice", "show", "--work-order", "WO-1006"});
  ASSERT_RUN(r, 0);
  EXPECT_EQ(minor(r.json["balanceDue"]), 54353 - 4353);
  ASSERT_EQ(r.json["takenHere"].size(), 1u);
  EXPECT_EQ(r.json["takenHere"][0]["knownToBackend"], false);
  EXPECT_EQ(term.run({"queue"}).json["depth"].get<int>(), 3);  // nothing new queued by show
}

}  // namespace
}  // namespace pos::e2e

namespace pos::e2e {
namespace {

// Issue 12: a payment the backend refuses never sticks the queue: it needs a supervisor's
// attention (sync exits 7), what waits behind it is held, other checkouts flow, and a
// supervisor settles it with an adjustment (the refund given), never by deleting it.
TEST(NeedsAttention, ARefusedPaymentWaitsForASupervisorAndIsSettledByAnAdjustment) {
  DemoBackend backend;
  PosTerminal first, second;
  for (auto* t : {&first, &second}) {
    t->online(backend);
    ASSERT_RUN(t->run({"pull"}), 0);
    t->offline();
  }
  second.setTerminalId("T-E2E-2");
  // Both counters take WO-1001 in full while the backend cannot be reached.
  for (auto* t : {&first, &second}) {
    ASSERT_RUN(t->run({"checkout", "--work-order", "WO-1001", "--operator", "adv-anna", "--tender",
                       "CASH", "--amount", "101.36"},
                      pins({kAnnaPin})),
               0);
  }
  first.online(backend);
  second.online(backend);
  ASSERT_RUN(first.run({"sync", "--until-empty", "--timeout", "20"}), 0);
  auto stuck = second.run({"sync", "--until-empty", "--timeout", "20"});
  ASSERT_RUN(stuck, 7);
  EXPECT_EQ(stuck.json["drain"], "NEEDS_ATTENTION") << stuck.out;
  ASSERT_EQ(stuck.json["needsAttention"].size(), 1u) << stuck.out;
  const auto item = stuck.json["needsAttention"][0]["id"].get<std::int64_t>();
  EXPECT_FALSE(stuck.json["needsAttention"][0]["held"].empty()) << stuck.out;  // its receipt
  // The advisor cannot settle it alone; a supervisor settles it as refunded.
  auto refused = second.run({"queue", "--resolve", std::to_string(item), "--resolution", "ADJUSTED",
                             "--operator", "adv-anna", "--approver", "adv-anna"},
                            pins({kAnnaPin, kAnnaPin}));
  EXPECT_NE(refused.exitCode, 0) << refused.describe();
  auto settled = second.run({"queue", "--resolve", std::to_string(item), "--resolution", "ADJUSTED",
                             "--operator", "adv-anna", "--approver", "sup-sara"},
                            pins({kAnnaPin, kSaraPin}));
  ASSERT_RUN(settled, 0);
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
  ASSERT_RUN(second.run({"verify"}), 0);
}

}  // namespace
}  // namespace pos::e2e

namespace pos::e2e {
namespace {

// Issue 17: online, a partial charge to account that fits the credit is taken: the terminal
// asks the backend about the amount being charged (`chargeAmount` on evaluate), not the whole
// balance. The account holds 2,400.00 of 2,500.00; the invoice is 562.90.
TEST(AccountCredit, APartialChargeThatFitsIsTakenOnline) {
  DemoBackend backend("e2e-token-7c1d9a0b", {}, [](json& seed) {
    for (auto& rule : seed["rules"])
      if (rule.value("accountId", "") == "ACC-HARBOR-CHARGE")
        rule["accountBalance"] = {{"currency", "USD"}, {"amountMinor", 240000}};
  });
  PosTerminal term;
  term.online(backend);
  ASSERT_RUN(term.run({"pull"}), 0);
  const auto charge = [&](const std::string& amount) {
    return term.run({"checkout", "--work-order", "WO-1012", "--operator", "adv-anna", "--tender",
                     "ACCOUNT", "--amount", amount},
                    pins({kAnnaPin}));
  };
  auto fits = charge("50.00");
  ASSERT_RUN(fits, 0);
  EXPECT_EQ(fits.json["paymentType"], "PARTIAL_PAYMENT");
  auto over = charge("200.00");
  ASSERT_RUN(over, 3);
  EXPECT_EQ(over.json["errorCode"], "CREDIT_LIMIT_EXCEEDED");
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
}

}  // namespace
}  // namespace pos::e2e

namespace pos::e2e {
namespace {

// Issue 12: a terminal that lost its data does not say it is sound, and is not written on: an
// emptied database is found against the anchor at start (captures refused, exit 6) and by
// verify, while reads keep working.
TEST_F(OfflineShop, ADatabaseThatWentBackwardsIsFoundAndNotWrittenOn) {
  ASSERT_RUN(pay(term, "WO-1001", "101.36"), 0);
  ASSERT_RUN(term.run({"verify"}), 0);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    if (std::filesystem::exists(term.database() + suffix, ec))
      std::filesystem::resize_file(term.database() + suffix, 0, ec);
  }
  auto check = term.run({"verify"});
  ASSERT_RUN(check, 6);
  EXPECT_EQ(check.json["sound"], false) << check.out;
  EXPECT_EQ(check.json["anchor"]["finding"], "CHAIN_BEHIND_ANCHOR") << check.out;
  ASSERT_RUN(term.seedDemo(), 0);
  auto refused = pay(term, "WO-1001", "101.36");
  ASSERT_RUN(refused, 6);
  EXPECT_EQ(refused.json["errorCode"], "LEDGER_NOT_SOUND") << refused.out;
  ASSERT_RUN(term.run({"queue"}), 0);
}

}  // namespace
}  // namespace pos::e2e

namespace pos::e2e {
namespace {

// Issue 17: the touch UI with no display says so (exit 5) and writes nothing: no data
// directory, no database.
TEST(NoDisplay, TheTouchUiWithNoDisplayWritesNothing) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/never-made";
  const std::string cmd = "env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER " +
                          std::string(POS_TERMINAL_PATH) + " --data-dir " + data +
                          " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 5);
  EXPECT_FALSE(std::filesystem::exists(data));
}

}  // namespace
}  // namespace pos::e2e

namespace pos::e2e {
namespace {

// Issue 17: a bounced e-mail is shown (receipt show, and the queue's attention list), never
// left as PENDING, and the advisor can print the receipt instead.
TEST_F(OnlineShop, ABouncedEmailIsShownAndTheReceiptCanBePrinted) {
  auto paid = term.run({"checkout", "--work-order", "WO-1001", "--operator", "adv-anna", "--tender",
                        "CASH", "--amount", "101.36", "--email", "jordan@example.invalid"},
                       pins({kAnnaPin}));
  ASSERT_RUN(paid, 0);
  ASSERT_RUN(term.run({"sync", "--until-empty", "--timeout", "20"}), 0);
  auto shown = term.run({"receipt", "show", paid.json["receiptId"]});
  ASSERT_RUN(shown, 0);
  EXPECT_EQ(shown.json["deliveryStatus"], "BOUNCED") << shown.out;
  auto q = term.run({"queue"});
  ASSERT_RUN(q, 0);
  ASSERT_EQ(q.json["bouncedReceipts"].size(), 1u) << q.out;
  EXPECT_EQ(q.json["bouncedReceipts"][0]["receiptId"], paid.json["receiptId"]);
  auto printed = term.run({"receipt", "print", paid.json["receiptId"]});
  ASSERT_RUN(printed, 0);
}

}  // namespace
}  // namespace pos::e2e
