// The counter engine's service intents (issue 10, "The command line on top"): what a shop's IT
// runs on the box, with the terminal itself as principal (no one signs in). On a data
// directory this process cannot write, the queue, the X report, verify, a receipt's record and
// an invoice are read and nothing is written; the printer is opened only when an intent needs
// it and a test page is the IT tool's; sync, pull and reconcile run on the engine's worker;
// whatever a person does is refused for the terminal, and a staff engine still asks for a
// sign-in.
//
// Sections: helpers (a terminal of this process, a read-only child) · read-only directory ·
// printers · sync, pull and reconcile · staff
#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <pos/app/command_line.hpp>
#include <pos/app/commands.hpp>
#include <pos/sync/reconciliation.hpp>

#include "engine_support.hpp"
#include "read_only_child.hpp"

namespace pos::enginetest {
namespace {

namespace fs = std::filesystem;
namespace in = app::intent;

// ---------------------------------------------------------------- helpers

const app::EngineOptions kTerminal{false, false, app::EngineOptions::Principal::Terminal};

// A Terminal and an engine with the terminal as principal and no printer given.
struct TerminalEngine {
  std::unique_ptr<app::Terminal> terminal;
  std::unique_ptr<app::ReceiptRenderer> renderer;
  std::unique_ptr<app::CounterEngine> engine;
  std::string problem;

  TerminalEngine(const fs::path& data, const fs::path& assets, app::OpenMode mode, TestClock& clock,
                 const std::string& backend = "none", const std::string& tokenFile = "") {
    app::ConfigOverrides o;
    o.dataDir = data;
    o.backend = backend;
    if (!tokenFile.empty()) o.tokenFile = tokenFile;
    o.terminalId = std::string(e2e::kTerminalId);
    auto config = app::loadConfig(o, assets);
    if (auto* e = std::get_if<app::ConfigError>(&config)) {
      problem = "config: " + e->describe();
      return;
    }
    auto opened =
        app::Terminal::open(std::get<app::TerminalConfig>(std::move(config)), mode, &clock);
    if (auto* e = std::get_if<app::StartupError>(&opened)) {
      problem = "open: " + e->message;
      return;
    }
    terminal = std::move(std::get<std::unique_ptr<app::Terminal>>(opened));
    renderer = std::make_unique<app::ReceiptRenderer>(*terminal);
    engine = std::make_unique<app::CounterEngine>(*terminal, *renderer, kTerminal);
  }
  ~TerminalEngine() { engine.reset(); }
  std::shared_ptr<const app::Snapshot> step(app::Intent intent) {
    engine->post(std::move(intent));
    return engine->settle(std::chrono::minutes(2));
  }
};

using pos::testing::inReadOnlyChild;
using pos::testing::readableAssets;

// Every file under `dir` but the event log's, with its bytes.
std::map<std::string, std::string> contentsUnder(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto rel = fs::relative(e.path(), dir).string();
    if (rel.rfind("logs", 0) == 0) continue;  // the Terminal's own log, not the engine's
    if (!e.is_regular_file()) {
      out[rel] = "<dir>";
      continue;
    }
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << f.rdbuf();
    out[rel] = bytes.str();
  }
  return out;
}

// A paid checkout of WO-1001 taken offline: its payment and receipt stay in the queue.
std::string payOffline(EngineShop& shop) {
  auto c = shop.counter(CounterOptions{});
  EXPECT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  EXPECT_TRUE(c->step(in::OpenCheckout{"WO-1001"})->checkout);
  auto s = c->cash("101.36", "120.00");
  EXPECT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_GT(s->queue.depth, 0);
  return s->receipt ? s->receipt->receiptId : std::string();
}

// A print job the terminal stopped in (no outcome): opening a printer on this data directory
// would mark it POSSIBLY_PRINTED, a write the reading intents must not make.
void leaveAnInterruptedPrintJob(const EngineShop& shop) {
  (void)e2e::sqlite(shop.term.database(),
                    "INSERT INTO print_job (kind, copy, reference, requested_by, reason, printer, "
                    "byte_count, recorded_at) VALUES ('REPORT', 'ORIGINAL', 'REPORT-X', "
                    "'terminal', 'REPORT', 'virtual', 10, 0)");
}

// ---------------------------------------------------------------- read-only directory

// A copy of a data directory (and of the assets) that the read-only child can reach.
struct ReadOnlyCopy {
  explicit ReadOnlyCopy(const std::string& from)
      : data(fs::path(tmp.path()) / "data"), assets(prepare(from)) {}
  testing::TempDir tmp;
  fs::path data;
  fs::path assets;

 private:
  fs::path prepare(const std::string& from) {
    fs::copy(from, data, fs::copy_options::recursive);
    fs::permissions(tmp.path(), fs::perms(0755));
    return readableAssets(tmp.path());
  }
};

TEST_F(EngineShop, TheTerminalReadsQueueReportVerifyReceiptAndInvoiceOnAReadOnlyDirectory) {
  const std::string receiptId = payOffline(*this);
  ASSERT_FALSE(receiptId.empty());
  const ReadOnlyCopy copy(term.dataDir());
  const auto& data = copy.data;
  const auto& assets = copy.assets;
  const auto before = contentsUnder(data);

  const int verdict = inReadOnlyChild(data, [&] {
    TerminalEngine te(data, assets, app::OpenMode::ReadOnly, clock);
    if (!te.engine) {
      std::fprintf(stderr, "%s\n", te.problem.c_str());
      return 10;
    }
    // The first snapshot asked no printer and named no one.
    auto s = te.engine->snapshot();
    if (!s || s->user || !s->printer.readiness.empty()) return 11;

    s = te.step(in::ListQueue{});
    if (s->refusal || !s->queueListing) return 20;
    const auto& q = *s->queueListing;
    if (q.depth < 1 || q.items.empty() || !q.oldestQueuedAt) return 21;
    bool payment = false;
    for (const auto& item : q.items) payment = payment || item.kind == "payment";
    if (!payment) return 22;

    s = te.step(in::XReport{});
    if (s->refusal || !s->report || s->report->z) return 30;
    if (s->report->currencies.empty() || s->report->currencies[0].paymentCount != 1) return 31;
    if (s->report->unsyncedPayments != 1) return 32;

    std::int64_t calls = 0, lastDone = -1, lastTotal = -2;
    s = te.step(in::Verify{[&](std::int64_t done, std::int64_t total) {
      ++calls;
      lastDone = done;
      lastTotal = total;
    }});
    if (s->refusal || !s->verification) return 40;
    if (!s->verification->sound || s->verification->integrityCheck != "ok") return 41;
    if (calls < 1 || lastDone != lastTotal || lastDone != s->verification->linksChecked) return 42;

    s = te.step(in::ShowReceiptRecord{receiptId});
    if (s->refusal || !s->receiptRecord) return 50;
    if (s->receiptRecord->receiptId != receiptId || s->receiptRecord->printText.empty()) return 51;
    // Its compact code names it too.
    const auto code = s->receiptRecord->compactCode;
    s = te.step(in::ShowReceiptRecord{code});
    if (s->refusal || !s->receiptRecord || s->receiptRecord->receiptId != receiptId) return 52;
    s = te.step(in::ShowReceiptRecord{"not-a-receipt"});
    if (refusalCode(*s) != "RECEIPT_NOT_FOUND") return 53;

    s = te.step(in::ShowInvoice{"WO-1001"});
    if (s->refusal || !s->invoiceRecord) return 60;
    const auto& inv = *s->invoiceRecord;
    if (inv.fromBackend || inv.takenHere.size() != 1 || inv.takenHere[0].knownToBackend) return 61;
    if (inv.takenHere[0].amount != usd(10136) || inv.balanceDue != usd(0)) return 62;

    // A person's intents are not the terminal's.
    if (refusalCode(*te.step(in::OpenCheckout{"WO-1002"})) != "STAFF_SIGN_IN_REQUIRED") return 70;
    s = te.step(in::SignIn{user("adv-anna"), pin(e2e::kAnnaPin)});
    if (refusalCode(*s) != "STAFF_SIGN_IN_REQUIRED" || s->user) return 71;
    return 0;
  });
  EXPECT_EQ(verdict, 0);
  EXPECT_EQ(contentsUnder(data), before) << "the terminal as principal wrote nothing";
}

// The same through the command line in this process: cli.md's read-only subcommands on the
// engine, with the exit codes and JSON of the contract.
TEST_F(EngineShop, TheReadOnlySubcommandsAnswerOnAReadOnlyDirectory) {
  const std::string receiptId = payOffline(*this);
  ASSERT_FALSE(receiptId.empty());
  const ReadOnlyCopy copy(term.dataDir());
  const auto& data = copy.data;
  const auto& assets = copy.assets;
  const auto before = contentsUnder(data);

  const int verdict = inReadOnlyChild(data, [&]() -> int {
    // Runs `pos-terminal --json ARGS...` and returns its exit code and JSON object.
    const auto run = [&](std::vector<std::string> args, json& out) {
      std::vector<std::string> argv{"pos-terminal", "--data-dir",    data.string(),    "--backend",
                                    "none",         "--terminal-id", e2e::kTerminalId, "--json"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<const char*> c;
      for (const auto& a : argv) c.push_back(a.c_str());
      auto parsed = app::parseCommandLine(static_cast<int>(c.size()), c.data());
      if (!std::holds_alternative<app::ParsedCommandLine>(parsed)) return 90;
      std::istringstream in;
      std::ostringstream o, e;
      const int code =
          app::runCommandLine(std::get<app::ParsedCommandLine>(parsed), in, o, e, assets);
      out = json::parse(o.str(), nullptr, false);
      if (code != 0)
        std::fprintf(stderr, "%s: %s%s\n", args[0].c_str(), o.str().c_str(), e.str().c_str());
      return code;
    };
    json j;
    if (run({"queue"}, j) != 0 || j.value("depth", 0) < 1 || j["items"].empty()) return 20;
    if (run({"report", "x"}, j) != 0 || j.value("kind", "") != "X") return 30;
    if (run({"verify"}, j) != 0 || !j.value("sound", false)) return 40;
    if (run({"receipt", "show", receiptId}, j) != 0 || j.value("receiptId", "") != receiptId ||
        j.value("deliveryStatus", "") == "")
      return 50;
    if (run({"invoice", "show", "--work-order", "WO-1001"}, j) != 0 ||
        j.value("source", "") != "offline-cache" || j["takenHere"].size() != 1)
      return 60;
    // Not the terminal's to do, and not possible here: no silent success.
    if (run({"receipt", "show", "nope"}, j) != 3 || j.value("errorCode", "") != "RECEIPT_NOT_FOUND")
      return 70;
    return 0;
  });
  EXPECT_EQ(verdict, 0);
  EXPECT_EQ(contentsUnder(data), before) << "the read-only subcommands wrote nothing";
}

// ---------------------------------------------------------------- printers

TEST_F(EngineShop, TheTerminalOpensThePrinterOnlyForTheIntentsThatNeedIt) {
  const std::string spool = term.dataDir() + "/spool";
  leaveAnInterruptedPrintJob(*this);
  const auto outcomes = [&] {
    return e2e::sqlite(term.database(), "SELECT count(*) FROM print_job_outcome");
  };
  TerminalEngine te(term.dataDir(), POS_ASSETS_DIR, app::OpenMode::ReadWrite, clock);
  ASSERT_TRUE(te.engine) << te.problem;
  auto s = te.step(in::ListQueue{});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  s = te.step(in::Verify{});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_TRUE(s->printer.readiness.empty()) << "reading the queue opened no printer";
  EXPECT_FALSE(fs::exists(spool)) << "not even the virtual printer's folder";
  EXPECT_EQ(outcomes(), "0\n") << "the interrupted job is left as it was";
  const std::size_t before = 0;

  s = te.step(in::ListPrinters{});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_FALSE(s->printer.description.empty());
  EXPECT_EQ(s->printer.readiness, "READY") << "the virtual printer, asked now";
  EXPECT_FALSE(s->printer.profile.empty());
  EXPECT_EQ(outcomes(), "1\n") << "opening the printer marked the interrupted job";
  EXPECT_EQ(e2e::sqlite(term.database(), "SELECT result FROM print_job_outcome"),
            "POSSIBLY_PRINTED\n");

  // The IT tool: no one signed in, no supervisor.
  s = te.step(in::PrintTestPage{});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->testPage);
  EXPECT_TRUE(s->testPage->printed);
  EXPECT_EQ(s->testPage->result, "PRINTED");
  EXPECT_GT(e2e::filesUnder(spool).size(), before) << "the test page is at the virtual printer";
  EXPECT_EQ(
      e2e::sqlite(term.database(),
                  "SELECT requested_by FROM print_job WHERE reason='TEST' ORDER BY job_id DESC "
                  "LIMIT 1"),
      "terminal\n");

  // The receipt's bytes and preview, without printing.
  const std::string receiptId = payOffline(*this);
  const auto printedBefore = e2e::filesUnder(spool).size();
  testing::TempDir out;
  s = te.step(
      in::RenderReceipt{receiptId, fs::path(out.path()) / "r.bin", fs::path(out.path()) / "r.png"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->renderedReceipt);
  EXPECT_GT(s->renderedReceipt->bytes, 100u);
  EXPECT_EQ(fs::file_size(fs::path(out.path()) / "r.bin"), s->renderedReceipt->bytes);
  EXPECT_GT(fs::file_size(fs::path(out.path()) / "r.png"), 0u);
  EXPECT_EQ(e2e::filesUnder(spool).size(), printedBefore) << "rendering prints nothing";
  s = te.step(in::RenderReceipt{receiptId, fs::path(out.path()) / "no" / "r.bin", std::nullopt});
  EXPECT_EQ(refusalCode(*s), "DATA_PROBLEM") << "a missing folder is named, never done";
  ASSERT_TRUE(s->refusal);
  EXPECT_EQ(s->refusal->kind, app::RefusalKind::Storage);
}

// ---------------------------------------------------------------- sync, pull and reconcile

TEST_F(EngineShop, TheTerminalPullsSyncsAndReconcilesOnItsWorker) {
  const auto start = clock.now();
  payOffline(*this);
  TerminalEngine te(term.dataDir(), POS_ASSETS_DIR, app::OpenMode::ReadWrite, clock, backend.url(),
                    term.tokenFile());
  ASSERT_TRUE(te.engine) << te.problem;

  auto s = te.step(in::Pull{});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->pulled);
  EXPECT_EQ(s->pulled->rosterAccepted, std::optional<bool>(true));
  EXPECT_GT(s->pulled->invoices, 0);

  s = te.step(in::Sync{true, std::chrono::seconds(30)});
  ASSERT_TRUE(s->synced) << refusalCode(*s);
  EXPECT_EQ(s->synced->end, app::SyncEnd::Empty);
  EXPECT_EQ(s->synced->endCode, "EMPTY");
  EXPECT_TRUE(s->synced->online);
  ASSERT_TRUE(s->queueListing);
  EXPECT_EQ(s->queueListing->depth, 0);
  EXPECT_TRUE(s->queueListing->items.empty());

  clock.advance(std::chrono::seconds(1));
  s = te.step(in::Reconcile{start - std::chrono::hours(1), clock.now() + std::chrono::hours(1),
                            "from", "to"});
  ASSERT_FALSE(s->refusal) << refusalCode(*s);
  ASSERT_TRUE(s->reconciliation);
  EXPECT_EQ(s->reconciliation->from, "from") << "the period as given";
  EXPECT_EQ(s->reconciliation->ledgerCount, 1);
  EXPECT_EQ(s->reconciliation->matchedCount, 1);
  EXPECT_TRUE(s->reconciliation->discrepancies.empty());

  // Offline only: the backend is named as the one missing.
  TerminalEngine offline(term.dataDir(), POS_ASSETS_DIR, app::OpenMode::ReadWrite, clock);
  ASSERT_TRUE(offline.engine) << offline.problem;
  s = offline.step(in::Sync{});
  EXPECT_EQ(refusalCode(*s), "BACKEND_NOT_CONFIGURED");
  ASSERT_TRUE(s->refusal);
  EXPECT_EQ(s->refusal->kind, app::RefusalKind::Unreachable);
  EXPECT_EQ(refusalCode(*offline.step(in::Pull{})), "BACKEND_NOT_CONFIGURED");
}

// ---------------------------------------------------------------- staff

TEST_F(EngineShop, AStaffEngineAsksForASignInBeforeTheServiceIntents) {
  auto c = counter(CounterOptions{});
  EXPECT_EQ(refusalCode(*c->step(in::ListQueue{})), "SIGN_IN_REQUIRED");
  EXPECT_EQ(refusalCode(*c->step(in::Verify{})), "SIGN_IN_REQUIRED");
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);
  auto s = c->step(in::ListQueue{});
  EXPECT_FALSE(s->refusal) << refusalCode(*s);
  EXPECT_TRUE(s->queueListing);
  // The test page stays a supervisor's for staff.
  EXPECT_EQ(refusalCode(*c->step(in::PrintTestPage{})), "PERMISSION_MISSING");
  // Seeding the demo shop is the terminal's, before anyone signs in: refused, never ignored.
  s = c->step(in::SeedDemoShop{});
  EXPECT_EQ(refusalCode(*s), "NOT_FOR_STAFF");
  EXPECT_FALSE(s->demoSeeded);
}

}  // namespace
}  // namespace pos::enginetest
