// End to end in a real X window (issue 11, "Proof"): the real `pos-terminal demo` on a private
// Xvfb, driven by xdotool's real X input events, each flow asserted on the ledger through the
// command line while the UI runs (`--json queue`, `report x`) and on the virtual printer's spool.
//
// Sections: fixture · cash checkout · PO · override · lock-out · printer failure · backend down ·
// shift close
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.hpp"
#include "xvfb_support.hpp"

namespace pos::ui::e2e {
namespace {

using pos::e2e::DemoBackend;
using pos::e2e::PosTerminal;

// ---------------------------------------------------------------- fixture

struct XvfbE2e : ::testing::Test {
  Xvfb xvfb;
  PosTerminal term;
  pos::testing::TempDir work;
  std::string backendUrl = "none";
  std::string printer;

  std::vector<std::string> globals() const {
    std::vector<std::string> g = {"--data-dir", term.dataDir(),  "--backend",
                                  backendUrl,   "--terminal-id", pos::e2e::kTerminalId};
    if (backendUrl != "none") {
      g.push_back("--token-file");
      g.push_back(term.tokenFile());
    }
    if (!printer.empty()) {
      g.push_back("--printer");
      g.push_back(printer);
    }
    return g;
  }

  std::unique_ptr<UiApp> start() { return std::make_unique<UiApp>(xvfb, globals(), work.path()); }

  static void keys(UiApp& ui, const std::string& pad, const std::string& digits) {
    for (char c : digits) ui.tap("keypad." + pad + "." + (c == '.' ? "point" : std::string(1, c)));
  }
  static void signIn(UiApp& ui, const std::string& user, const std::string& pin) {
    ui.waitScreen("Sign in");
    ui.tap("signin.user." + user);
    keys(ui, "pin", pin);
    ui.tap("signin.submit");
    ui.waitScreen("Counter");
  }
  static void open(UiApp& ui, const std::string& workOrder) {
    // As a scanner does: the code and Enter into the focused Work order field.
    ui.waitScreen("Counter");
    ui.type(workOrder);
    ui.key("Return");
    ui.waitFor([&](const Drawn& d) { return d.screen == "Invoice" && d.shows(workOrder); },
               "the invoice of " + workOrder);
  }
  static void payCash(UiApp& ui, const std::string& tendered) {
    ui.tap("invoice.pay");
    ui.waitScreen("Payment");
    ui.tap("payment.tendered");
    keys(ui, "amount", tendered);
    ui.tap("payment.take");
    ui.waitFor(
        [](const Drawn& d) { return d.screen == "Done" && !d.shows("Printing the receipt"); },
        "the payment's outcome");
  }
  json cli(const std::vector<std::string>& args) const {
    auto r = term.run(args);
    EXPECT_TRUE(r.json.is_object()) << r.describe();
    return r.json;
  }
  std::vector<std::string> queuedKinds() const {
    std::vector<std::string> kinds;
    const json q = cli({"queue"});
    for (const auto& item : q["items"]) kinds.push_back(item.value("kind", ""));
    if (kinds.empty()) ADD_FAILURE() << "queue: " << q.dump();
    return kinds;
  }
};

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// ---------------------------------------------------------------- cash checkout

TEST_F(XvfbE2e, ACashCheckoutOfWo1001PrintsTheReceiptAtTheVirtualPrinter) {
  auto ui = start();
  signIn(*ui, "adv-anna", pos::e2e::kAnnaPin);
  open(*ui, "WO-1001");
  payCash(*ui, "120");
  const Drawn done = ui->waitShows("Receipt printed");
  EXPECT_TRUE(done.shows("Paid in full"));
  EXPECT_TRUE(done.shows("Change USD 18.64"));
  ASSERT_NE(done.find("receipt.preview"), nullptr) << "the decoder's PNG is shown";
  // The ledger, through the command line, while the UI runs.
  const json x = cli({"report", "x"});
  ASSERT_EQ(x["currencies"].size(), 1u) << x.dump();
  EXPECT_EQ(x["currencies"][0]["paymentCount"], 1);
  EXPECT_EQ(x["currencies"][0]["paymentsTotal"]["amountMinor"], 10136);
  EXPECT_EQ(x["currencies"][0]["changeGiven"]["amountMinor"], 1864);
  EXPECT_TRUE(has(queuedKinds(), "payment"));
  // The receipt's bytes at the virtual printer.
  bool printed = false;
  for (const auto& f : pos::e2e::filesUnder(term.dataDir() + "/spool")) {
    printed = printed || (f.find("RCP-INV-1001") != std::string::npos &&
                          std::filesystem::path(f).extension() == ".bin" &&
                          std::filesystem::file_size(f) > 100);
  }
  EXPECT_TRUE(printed);
  ui->tap("done.new");
  ui->waitScreen("Counter");
}

// ---------------------------------------------------------------- PO

TEST_F(XvfbE2e, APoIsCapturedOnWo1002) {
  auto ui = start();
  signIn(*ui, "adv-anna", pos::e2e::kAnnaPin);
  open(*ui, "WO-1002");
  EXPECT_FALSE(ui->waitScreen("Invoice").find("invoice.pay")->value("enabled", true))
      << "no payment before the PO";
  ui->tap("invoice.po");
  ui->type("AB-123456");
  // The on-screen keyboard covers the lower half; its Done captures the PO typed.
  ui->tap("keyboard.done");
  const Drawn d =
      ui->waitFor([](const Drawn& m) { return m.find("invoice.po.captured"); }, "the captured PO");
  EXPECT_EQ(d.find("invoice.po.captured")->value("label", ""), "PO AB-123456");
  EXPECT_TRUE(d.shows("captured by Anna Advisor"));
  EXPECT_TRUE(has(queuedKinds(), "po"));
  EXPECT_TRUE(ui->waitScreen("Invoice").find("invoice.pay")->value("enabled", false));
}

// ---------------------------------------------------------------- override

TEST_F(XvfbE2e, AnOverrideOnWo1005NeedsTwoDifferentApprovers) {
  auto ui = start();
  signIn(*ui, "adv-anna", pos::e2e::kAnnaPin);
  open(*ui, "WO-1005");
  ui->tap("invoice.override-po");
  ui->waitScreen("Override");
  ui->tap("override.reason.ACCOUNT_MANAGER_APPROVED");
  ui->tap("override.request");
  Drawn d = ui->waitFor([](const Drawn& m) { return m.model.value("overlay", "") != ""; },
                        "the approval overlay");
  EXPECT_EQ(d.find("approval.count")->value("label", ""), "approval 1 of 2");
  EXPECT_EQ(d.find("approval.approver.adv-anna"), nullptr) << "never the operator";
  ui->tap("approval.approver.sup-sara");
  keys(*ui, "approval", pos::e2e::kSaraPin);
  ui->tap("approval.approve");
  d = ui->waitShows("approval 2 of 2");
  EXPECT_EQ(d.find("approval.approver.sup-sara"), nullptr) << "never the first approver again";
  ui->tap("approval.approver.sup-sam");
  keys(*ui, "approval", pos::e2e::kSamPin);
  ui->tap("approval.approve");
  d = ui->waitFor([](const Drawn& m) { return m.find("invoice.po.overridden"); },
                  "the override on the invoice");
  EXPECT_TRUE(d.shows("Sara Supervisor, Sam Supervisor"));
  EXPECT_TRUE(has(queuedKinds(), "po-override"));
}

// ---------------------------------------------------------------- lock-out

TEST_F(XvfbE2e, FiveWrongPinsLockTheUserOut) {
  auto ui = start();
  ui->waitScreen("Sign in");
  ui->tap("signin.user.cash-carl");
  for (int i = 1; i <= 5; ++i) {
    keys(*ui, "pin", "9999");
    ui->tap("signin.submit");
    if (i < 5) {
      const std::string left = std::to_string(5 - i) + (5 - i == 1 ? " try left" : " tries left");
      ui->waitShows("Wrong PIN · " + left);
    }
  }
  const Drawn d = ui->waitShows("Locked: try again in");
  EXPECT_FALSE(d.find("signin.submit")->value("enabled", true));
  // The lock-out is the ledger's: the command line refuses Carl's right PIN too.
  auto r = term.run({"checkout", "--work-order", "WO-1001", "--operator", "cash-carl", "--tender",
                     "CASH", "--amount", "101.36"},
                    pos::e2e::pins({pos::e2e::kCarlPin}));
  EXPECT_EQ(r.exitCode, 3) << r.describe();
  EXPECT_NE(r.out.find("LOCK"), std::string::npos) << r.describe();
}

// ---------------------------------------------------------------- printer failure

TEST_F(XvfbE2e, APrinterFailureThenRetryThenEmail) {
  printer = "tcp://127.0.0.1:" + std::to_string(pos::e2e::closedPort());
  auto ui = start();
  signIn(*ui, "adv-anna", pos::e2e::kAnnaPin);
  open(*ui, "WO-1001");
  payCash(*ui, "120");
  Drawn d = ui->waitFor([](const Drawn& m) { return m.find("done.failed"); }, "the failed print");
  EXPECT_TRUE(d.shows("Printer unavailable. Load paper or select email option."));
  ui->tap("done.retry");
  d = ui->waitFor([](const Drawn& m) { return m.find("done.failed") && m.find("done.retry"); },
                  "the retry's outcome");
  ui->tap("done.email");
  ui->waitFor([](const Drawn& m) { return m.find("done.email.address"); }, "the address field");
  ui->type("jordan@example.com");
  ui->tap("done.email.send");
  d = ui->waitFor(
      [](const Drawn& m) { return m.find("done.new") && !m.find("done.email.address"); },
      "the e-mail sent");
  EXPECT_TRUE(has(queuedKinds(), "delivery")) << "the e-mail delivery is queued";
  const json x = cli({"report", "x"});
  EXPECT_EQ(x["currencies"][0]["paymentCount"], 1) << "one payment, however many prints";
}

// ---------------------------------------------------------------- backend down

TEST_F(XvfbE2e, TheBackendStopsMidShiftThenSyncsWhenBack) {
  DemoBackend backend;
  term.online(backend);
  ASSERT_EQ(term.run({"pull"}).exitCode, 0);
  backendUrl = backend.url();
  auto ui = start();
  signIn(*ui, "adv-anna", pos::e2e::kAnnaPin);
  ui->waitFor(
      [](const Drawn& m) {
        const json* c = m.find("status.connection");
        return c && c->value("label", "") == "Online";
      },
      "Online");
  backend.sim().stop();
  open(*ui, "WO-1001");
  payCash(*ui, "120");
  Drawn d = ui->waitFor([](const Drawn& m) { return m.find("banner.offline"); },
                        "the offline banner", std::chrono::seconds(60));
  EXPECT_NE(d.find("banner.offline")->value("label", "").find("waiting to sync"),
            std::string::npos);
  EXPECT_TRUE(has(queuedKinds(), "payment"));
  backend.sim().start();
  ui->waitFor(
      [](const Drawn& m) {
        const json* q = m.find("status.queue");
        return !m.find("banner.offline") && q && q->value("label", "") == "Queue 0";
      },
      "synced", std::chrono::seconds(90));
  EXPECT_EQ(cli({"queue"})["depth"], 0);
  EXPECT_EQ(backend.acceptedOf("payment").size(), 1u);
}

// ---------------------------------------------------------------- shift close

TEST_F(XvfbE2e, AShiftCloseBlockedByUnsyncedItemsIsApproved) {
  auto ui = start();
  signIn(*ui, "adv-anna", pos::e2e::kAnnaPin);
  open(*ui, "WO-1001");
  payCash(*ui, "120");
  ui->tap("done.new");
  ui->tap("counter.shift");
  ui->waitScreen("Shift");
  ui->tap("shift.close");
  ui->tap("shift.counted.USD");
  keys(*ui, "shift", "101.36");
  ui->tap("shift.close.submit");
  Drawn d = ui->waitFor([](const Drawn& m) { return m.model.value("overlay", "") != ""; },
                        "the supervisor approval for the unsynced items");
  ui->tap("approval.approver.sup-sara");
  keys(*ui, "approval", pos::e2e::kSaraPin);
  ui->tap("approval.approve");
  d = ui->waitFor([](const Drawn& m) { return m.find("shift.z.text"); }, "the Z report");
  EXPECT_TRUE(d.shows("sup-sara") || d.shows("Sara")) << d.model.dump();
}

}  // namespace
}  // namespace pos::ui::e2e
