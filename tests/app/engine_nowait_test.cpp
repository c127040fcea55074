// No post() and no snapshot() read waits on I/O (issue 10, "Proof"): with the backend stalled
// (billing-sim's latency far above anything the test needs) and the printer stalled (a TCP
// printer that never reads), the worker is blocked in one step; a latch released by the
// wake-up callback (not a timer) tells the test it is, then thousands of posts and reads run
// on the test's thread, and the worker is shown still blocked in the same step afterwards (the
// snapshot's version and busy are unchanged: the worker publishes when that step ends).
#include <fake_tcp_printer.hpp>

#include <latch>

#include "engine_support.hpp"

namespace pos::enginetest {
namespace {

namespace in = app::intent;
using FakePrinter = drivers::testing::FakeTcpPrinter;

constexpr int kPosts = 5000;
constexpr int kReads = 5000;

// Releases a latch the first time a published snapshot shows `busy`.
struct BusyLatch {
  app::CounterEngine& engine;
  app::Busy busy;
  std::latch reached{1};
  std::atomic<bool> done{false};
  BusyLatch(app::CounterEngine& e, app::Busy b) : engine(e), busy(b) {
    engine.setWakeup([this] {
      if (!done.load() && engine.snapshot()->busy == busy && !done.exchange(true))
        reached.count_down();
    });
  }
  ~BusyLatch() { engine.setWakeup({}); }
};

// While the worker is blocked: posts and reads from this thread all return.
void postsAndReadsWhileBlocked(app::CounterEngine& engine, app::Busy busy) {
  const auto blocked = engine.snapshot();
  ASSERT_EQ(blocked->busy, busy);
  int reads = 0;
  for (int k = 0; k < kPosts; ++k) engine.post(in::Activity{});
  for (int k = 0; k < kReads; ++k) {
    const auto s = engine.snapshot();
    ASSERT_TRUE(s);
    reads += s->version == blocked->version;
  }
  // Every read saw the blocked step's snapshot: the worker never got past it meanwhile.
  EXPECT_EQ(reads, kReads);
  const auto after = engine.snapshot();
  EXPECT_EQ(after->version, blocked->version);
  EXPECT_EQ(after->busy, busy);
}

TEST_F(EngineShop, NoPostAndNoReadWaitsWhileTheWorkerIsBlockedOnTheBackendOrThePrinter) {
  auto printer = std::make_unique<FakePrinter>(FakePrinter::Mode::kStallAfter, 0, 1024);
  auto options = online("tcp://127.0.0.1:" + std::to_string(printer->port()));
  options.engine = app::EngineOptions{true, true};  // the replicator and printer watch run too
  auto c = counter(options);
  ASSERT_TRUE(c->signIn("adv-anna", e2e::kAnnaPin)->user);

  // The backend stalled: opening an invoice waits on billing-sim.
  backend.sim().setFaults({{"latencyMs", 600000}});
  {
    BusyLatch latch(c->engine(), app::Busy::LoadingInvoice);
    c->engine().post(in::OpenCheckout{"WO-1001"});
    latch.reached.wait();
    postsAndReadsWhileBlocked(c->engine(), app::Busy::LoadingInvoice);
  }
  backend.sim().kill9();  // the stalled call fails at once: the checkout goes on offline
  auto s = c->engine().settle(std::chrono::minutes(2));
  ASSERT_TRUE(s->checkout) << refusalCode(*s);
  EXPECT_FALSE(s->connectivity.online);

  // The printer stalled: the receipt's print waits on a printer that reads nothing.
  {
    BusyLatch latch(c->engine(), app::Busy::Printing);
    in::TakePayment p;
    p.amount = "101.36";
    c->engine().post(std::move(p));
    latch.reached.wait();
    postsAndReadsWhileBlocked(c->engine(), app::Busy::Printing);
  }
  printer.reset();  // the link drops: the job ends
  s = c->engine().settle(std::chrono::minutes(2));
  ASSERT_TRUE(s->checkout);
  ASSERT_EQ(s->checkout->payments.size(), 1u) << refusalCode(*s);
  ASSERT_TRUE(s->receipt);
  EXPECT_NE(s->receipt->outcome, app::ReceiptOutcome::Sent);
}

}  // namespace
}  // namespace pos::enginetest
