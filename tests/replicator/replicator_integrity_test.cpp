// The replicator against hostile servers and an edited outbox (issue #12), the policy for items
// the backend refuses (needs attention, held, resolved), and one replicator at a time (issue #10).
//
// Sections: 1. what acknowledges an item  2. hostile 200s  3. an edited outbox
//           4. needs attention  5. one replicator at a time (in-process, across processes)
#include <pos/sync/integrity.hpp>
#include <pos/sync/replicator.hpp>
#include <pos/sync/sync_lease.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "hostile_server.hpp"
#include "outbox_fixture.hpp"
#include "sim_process.hpp"
#include "sim_seed.hpp"

namespace pos::sync {
namespace {

using nlohmann::json;
using pos::testing::HostileServer;
using pos::testing::Hostility;
using pos::testing::SimOptions;
using pos::testing::SimProcess;
using pos::testing::TempDir;

ReplicatorConfig configFor(const std::string& baseUrl) {
  ReplicatorConfig c;
  c.http.baseUrl = baseUrl;
  c.http.token = SecretToken(pos::testing::kSimToken);
  c.http.terminalId = "T-01";
  c.http.connectTimeout = std::chrono::milliseconds(1000);
  c.http.totalTimeout = std::chrono::milliseconds(5000);
  c.concurrency = 4;
  c.retry = {std::chrono::milliseconds(20), std::chrono::milliseconds(200)};
  c.pull = SnapshotPull::Off;
  c.idlePoll = std::chrono::milliseconds(20);
  return c;
}

PaymentRequest payment(const std::string& id, const std::string& invoice, std::int64_t minor,
                       const std::string& checkout) {
  PaymentRequest p;
  p.billingPaymentId = id;
  p.invoiceId = invoice;
  p.checkoutId = checkout;
  p.terminalId = "T-01";
  p.amount = {"USD", minor};
  p.paymentType = PaymentType::PartialPayment;
  p.capturedAt = "2026-11-21T10:00:00.000Z";
  p.capturedByUserId = "u-adv";
  p.receiptId = "rc-" + id;
  return p;
}

OutboxItem item(OutboxKind kind, const std::string& key, const std::string& path,
                const json& body) {
  OutboxItem i;
  i.kind = kind;
  i.idempotency_key = key;
  i.path = path;
  i.body = body.dump();
  return i;
}

// Enqueues one item of every kind, one stream each (so none waits behind another).
std::vector<std::int64_t> enqueueEveryKind(Database& db) {
  auto tx = db.begin();
  std::vector<std::int64_t> ids;
  auto add = [&](const std::string& stream, OutboxKind kind, const std::string& path,
                 const std::string& key, const json& body) {
    ids.push_back(pos::testing::enqueue(db, tx.value(), stream, kind, path, key, body.dump()));
  };
  add("co-1", OutboxKind::Payment, "/billing/payments", "pay-1",
      toJson(payment("pay-1", "INV-CONS", 100, "co-1")));
  add("co-2", OutboxKind::Receipt, "/billing/receipts", "rc-2", {{"receiptId", "rc-2"}});
  add("co-3", OutboxKind::Po, "/billing/checkout/co-3/po", "po-3",
      {{"poNumber", "AB-123456"}, {"capturedByUserId", "u"}, {"capturedAt", "t"}});
  add("co-4", OutboxKind::PoOverride, "/billing/checkout/co-4/po-override", "ov-4",
      {{"overrideId", "ov-4"}});
  add("co-5", OutboxKind::OfflineGrant, "/billing/auth/offline-grants", "og-5",
      {{"offlineGrantId", "og-5"}});
  add("co-6", OutboxKind::Delivery, "/billing/receipts/rc-6/deliver", "dl-6",
      {{"deliveryId", "dl-6"}, {"channel", "PRINT"}});
  add("co-7", OutboxKind::Reprint, "/billing/receipts/rc-7/reprint", "rp-7",
      {{"reprintId", "rp-7"}});
  EXPECT_TRUE(tx.value().commit().ok());
  return ids;
}

// ---------------------------------------------------------------------------------------------
// 1. what acknowledges an item
// ---------------------------------------------------------------------------------------------

TEST(Acknowledgement, OnlyTheContractsSuccessBodyForTheSameId) {
  const auto pay = item(OutboxKind::Payment, "pay-1", "/billing/payments",
                        toJson(payment("pay-1", "INV-1", 100, "co-1")));
  const json invoice = {{"invoiceId", "INV-1"},
                        {"status", "ISSUED"},
                        {"balanceDue", {{"currency", "USD"}, {"amountMinor", 0}}}};
  EXPECT_TRUE(
      checkAcknowledgement(
          pay,
          json{{"billingPaymentId", "pay-1"}, {"status", "POSTED"}, {"invoice", invoice}}.dump())
          .acknowledged);
  const auto other = checkAcknowledgement(
      pay, json{{"billingPaymentId", "pay-2"}, {"status", "POSTED"}, {"invoice", invoice}}.dump());
  EXPECT_FALSE(other.acknowledged);
  EXPECT_EQ(other.code, "ACK_ID_MISMATCH");
  for (const char* body : {"<html>hi</html>", "null", "{}", "[]", "\"POSTED\"", "",
                           R"({"billingPaymentId":"pay-1"})"}) {
    const auto v = checkAcknowledgement(pay, body);
    EXPECT_FALSE(v.acknowledged) << body;
    EXPECT_EQ(v.code, "ACK_MALFORMED") << body;
  }

  const auto po = item(OutboxKind::Po, "po-1", "/billing/checkout/co-1/po",
                       {{"poNumber", "AB-1"}, {"capturedAt", "t"}});
  EXPECT_TRUE(
      checkAcknowledgement(po, R"({"checkoutId":"co-1","poNumber":"AB-1","capturedAt":"t"})")
          .acknowledged);
  EXPECT_FALSE(
      checkAcknowledgement(po, R"({"checkoutId":"co-9","poNumber":"AB-1","capturedAt":"t"})")
          .acknowledged);
  EXPECT_FALSE(
      checkAcknowledgement(po, R"({"checkoutId":"co-1","poNumber":"XY-9","capturedAt":"t"})")
          .acknowledged);
  EXPECT_FALSE(checkAcknowledgement(po, "{}").acknowledged);

  const auto receipt =
      item(OutboxKind::Receipt, "rc-1", "/billing/receipts", {{"receiptId", "rc-1"}});
  EXPECT_TRUE(checkAcknowledgement(receipt, "{}").acknowledged);  // the contract leaves it open
  EXPECT_TRUE(checkAcknowledgement(receipt, R"({"receiptId":"rc-1"})").acknowledged);
  EXPECT_FALSE(checkAcknowledgement(receipt, R"({"receiptId":"rc-2"})").acknowledged);
  EXPECT_FALSE(checkAcknowledgement(receipt, R"({"receiptId":7})").acknowledged);
  EXPECT_FALSE(checkAcknowledgement(receipt, "null").acknowledged);

  for (auto [kind, field] : {std::pair{OutboxKind::PoOverride, "overrideId"},
                             std::pair{OutboxKind::OfflineGrant, "offlineGrantId"}}) {
    const auto i = item(kind, "x-1", "/p", {{field, "x-1"}});
    EXPECT_TRUE(checkAcknowledgement(i, "{}").acknowledged);
    EXPECT_TRUE(checkAcknowledgement(i, json{{field, "x-1"}}.dump()).acknowledged);
    EXPECT_FALSE(checkAcknowledgement(i, json{{field, "x-2"}}.dump()).acknowledged);
    EXPECT_FALSE(checkAcknowledgement(i, "<html>").acknowledged);
  }

  const auto delivery = item(OutboxKind::Delivery, "dl-1", "/billing/receipts/rc-1/deliver",
                             {{"deliveryId", "dl-1"}});
  EXPECT_TRUE(checkAcknowledgement(delivery, R"({"deliveryStatus":"SENT"})").acknowledged);
  EXPECT_FALSE(checkAcknowledgement(delivery, "{}").acknowledged);
  const auto reprint =
      item(OutboxKind::Reprint, "rp-1", "/billing/receipts/rc-1/reprint", {{"reprintId", "rp-1"}});
  EXPECT_TRUE(checkAcknowledgement(
                  reprint,
                  R"({"reprintNumber":1,"reprintPolicy":{"remainingReprints":1,)"
                  R"("windowEndsAt":"t","requiresReasonCode":false,"requiresElevation":false}})")
                  .acknowledged);
  EXPECT_FALSE(checkAcknowledgement(reprint, "{}").acknowledged);
}

// ---------------------------------------------------------------------------------------------
// 2. hostile 200s: the queue stays, nothing is ACKED
// ---------------------------------------------------------------------------------------------

TEST(HostileBackend, TwoHundredsThatAreNotAcknowledgementsAckNothing) {
  for (auto mode : {Hostility::CaptivePortal, Hostility::JsonNull, Hostility::OtherPaymentsAck,
                    Hostility::DeepNesting}) {
    SCOPED_TRACE(static_cast<int>(mode));
    TempDir dir;
    const auto path = dir.file("terminal.db");
    std::vector<std::int64_t> ids;
    {
      auto db = pos::testing::openDatabase(path);
      ids = enqueueEveryKind(db);
    }
    HostileServer server(mode);
    Replicator rep(pos::testing::openDatabase(path), configFor(server.baseUrl()));
    // Until every kind was tried at least once (bounded; a loaded machine is slow).
    for (int i = 0; i < 50 && server.requests().size() < ids.size(); ++i) {
      EXPECT_FALSE(rep.runUntilEmpty(std::chrono::milliseconds(200)));
    }
    EXPECT_FALSE(rep.status().online);
    EXPECT_GE(server.requests().size(), ids.size());
    auto db = pos::testing::openDatabase(path);
    Outbox outbox(db);
    auto stats = outbox.stats().value();
    EXPECT_EQ(stats.depth, static_cast<std::int64_t>(ids.size()));
    EXPECT_EQ(stats.rejected, 0);  // retryable, not refused by a backend
    for (auto id : ids) {
      auto i = outbox.find(id).value();
      ASSERT_TRUE(i);
      EXPECT_NE(i->state, OutboxState::Acked) << to_string(i->kind);
      EXPECT_GE(i->attempts, 1);
    }
  }
}

TEST(HostileBackend, DrainSaysUnreachableWhenOnlyAPortalAnswers) {
  TempDir dir;
  const auto path = dir.file("terminal.db");
  {
    auto db = pos::testing::openDatabase(path);
    (void)enqueueEveryKind(db);
  }
  HostileServer server(Hostility::CaptivePortal);
  Replicator rep(pos::testing::openDatabase(path), configFor(server.baseUrl()));
  EXPECT_EQ(rep.drain(std::chrono::milliseconds(500)), DrainResult::Unreachable);
  EXPECT_EQ(rep.status().lastError, "ACK_MALFORMED");
}

// ---------------------------------------------------------------------------------------------
// 3. an edited outbox: what is sent is what was enqueued
// ---------------------------------------------------------------------------------------------

TEST(EditedOutbox, ATamperedPaymentIsNeverSent) {
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::contractSeed().dump());
  SimProcess sim(SimOptions{dir.file("seed.json"), dir.file("sim.jsonl"), {}, 0});
  const auto path = dir.file("terminal.db");
  std::int64_t tampered = 0;
  {
    auto db = pos::testing::openDatabase(path);
    auto tx = db.begin();
    tampered =
        pos::testing::enqueue(db, tx.value(), "co-a", OutboxKind::Payment, "/billing/payments",
                              "pay-a", toJson(payment("pay-a", "INV-CONS", 1000, "co-a")).dump());
    (void)pos::testing::enqueue(db, tx.value(), "co-b", OutboxKind::Payment, "/billing/payments",
                                "pay-b", toJson(payment("pay-b", "INV-CONS", 500, "co-b")).dump());
    ASSERT_TRUE(tx.value().commit().ok());
    // Plain SQL, as someone with the file would: 1000 -> 9.
    ASSERT_TRUE(db.exec("UPDATE outbox_body SET body = replace(body, '\"amountMinor\":1000', "
                        "'\"amountMinor\":9') WHERE id = (SELECT id FROM outbox_message"
                        " WHERE idempotency_key = 'pay-a')")
                    .ok());
    ASSERT_EQ(db.changes(), 1);
    Outbox outbox(db);
    auto v = outbox.verify().value();
    EXPECT_FALSE(v.sound());
    EXPECT_EQ(v.first_broken_id, tampered);
  }
  Replicator rep(pos::testing::openDatabase(path), configFor(sim.baseUrl()));
  EXPECT_EQ(rep.drain(std::chrono::seconds(10)), DrainResult::NeedsAttention);
  std::set<std::string> sent;
  for (const auto& a : sim.accepted()) {
    if (a["kind"] == "payment") sent.insert(a["id"].get<std::string>());
  }
  EXPECT_EQ(sent, std::set<std::string>{"pay-b"});  // nothing of pay-a, neither 9 nor 1000
  auto db = pos::testing::openDatabase(path);
  Outbox outbox(db);
  auto a = outbox.find(tampered).value();
  EXPECT_EQ(a->state, OutboxState::Rejected);
  EXPECT_EQ(a->last_error_code, std::string{kOutboxTampered});
  EXPECT_EQ(a->attempts, 0);  // never sent
}

// ---------------------------------------------------------------------------------------------
// 4. needs attention: a refused payment holds its own stream only
// ---------------------------------------------------------------------------------------------

TEST(NeedsAttention, RefusedPaymentHoldsItsStreamOthersFlowAndASupervisorResolves) {
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::contractSeed().dump());
  SimProcess sim(SimOptions{dir.file("seed.json"), dir.file("sim.jsonl"), {}, 0});
  const auto path = dir.file("terminal.db");
  std::int64_t refused = 0, receipt = 0, delivery = 0, other = 0;
  {
    auto db = pos::testing::openDatabase(path);
    auto tx = db.begin();
    refused = pos::testing::enqueue(db, tx.value(), "co-void", OutboxKind::Payment,
                                    "/billing/payments", "pay-void",
                                    toJson(payment("pay-void", "INV-VOID", 100, "co-void")).dump());
    receipt =
        pos::testing::enqueue(db, tx.value(), "co-void", OutboxKind::Receipt, "/billing/receipts",
                              "rc-pay-void", json{{"receiptId", "rc-pay-void"}}.dump());
    delivery = pos::testing::enqueue(db, tx.value(), "co-void", OutboxKind::Delivery,
                                     "/billing/receipts/rc-pay-void/deliver", "dl-void",
                                     json{{"deliveryId", "dl-void"}, {"channel", "PRINT"}}.dump());
    other =
        pos::testing::enqueue(db, tx.value(), "co-ok", OutboxKind::Payment, "/billing/payments",
                              "pay-ok", toJson(payment("pay-ok", "INV-CONS", 100, "co-ok")).dump());
    ASSERT_TRUE(tx.value().commit().ok());
  }
  Replicator rep(pos::testing::openDatabase(path), configFor(sim.baseUrl()));
  // The backend answers: not "unreachable", and not a time-out waiting for the held items.
  EXPECT_EQ(rep.drain(std::chrono::seconds(10)), DrainResult::NeedsAttention);
  EXPECT_TRUE(rep.status().online);

  auto db = pos::testing::openDatabase(path);
  Outbox outbox(db);
  EXPECT_EQ(outbox.find(other).value()->state, OutboxState::Acked);
  auto attention = outbox.needs_attention().value();
  ASSERT_EQ(attention.size(), 1u);
  EXPECT_EQ(attention[0].item.id, refused);
  EXPECT_EQ(attention[0].item.last_error_code, "INVOICE_NOT_PAYABLE");
  EXPECT_EQ(attention[0].item.http_status, 409);
  EXPECT_EQ(attention[0].item.correlation_id, "co-void");
  ASSERT_EQ(attention[0].held.size(), 2u);
  EXPECT_EQ(attention[0].held[0].id, receipt);
  EXPECT_EQ(attention[0].held[0].held_behind, refused);
  EXPECT_EQ(attention[0].held[1].id, delivery);
  auto stats = outbox.stats().value();
  EXPECT_EQ(stats.needs_attention, 1);
  EXPECT_EQ(stats.held, 2);

  // A retry once "the backend is fixed" (here it is not): sent once more, refused again.
  const auto t = pos::testing::nowMs();
  EXPECT_EQ(
      outbox.resolve(refused, {OutboxResolutionKind::Retry, "sup-sara", t, std::nullopt}).value(),
      ResolveOutcome::Resolved);
  EXPECT_EQ(rep.drain(std::chrono::seconds(10)), DrainResult::NeedsAttention);
  EXPECT_EQ(outbox.find(refused).value()->attempts, 2);
  EXPECT_EQ(outbox.find(receipt).value()->attempts, 0);  // still held

  // An ADJUSTED resolution needs the adjustment's id and who; then the held items go on.
  EXPECT_FALSE(
      outbox.resolve(refused, {OutboxResolutionKind::Adjusted, "sup-sara", t, std::nullopt}).ok());
  EXPECT_FALSE(outbox.resolve(refused, {OutboxResolutionKind::Adjusted, "", t, "adj-1"}).ok());
  EXPECT_EQ(
      outbox.resolve(refused, {OutboxResolutionKind::Adjusted, "sup-sara", t, "adj-1"}).value(),
      ResolveOutcome::Resolved);
  EXPECT_EQ(
      outbox.resolve(refused, {OutboxResolutionKind::Adjusted, "sup-sara", t, "adj-1"}).value(),
      ResolveOutcome::NotNeedingAttention);
  EXPECT_EQ(
      outbox.resolve(other, {OutboxResolutionKind::Retry, "sup-sara", t, std::nullopt}).value(),
      ResolveOutcome::NotNeedingAttention);
  auto history = outbox.resolutions(refused).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].resolution.kind, OutboxResolutionKind::Retry);
  EXPECT_EQ(history[1].resolution.kind, OutboxResolutionKind::Adjusted);
  EXPECT_EQ(history[1].resolution.adjustment_id, "adj-1");
  EXPECT_EQ(history[1].resolution.resolved_by, "sup-sara");
  // Append-only.
  EXPECT_FALSE(db.exec("DELETE FROM outbox_resolution").ok());
  EXPECT_FALSE(db.exec("UPDATE outbox_resolution SET resolved_by = 'x'").ok());

  (void)rep.drain(std::chrono::seconds(10));
  EXPECT_GE(outbox.find(receipt).value()->attempts, 1);  // released: sent (the backend decides)
  EXPECT_EQ(outbox.find(refused).value()->attempts, 2);  // never sent again
  EXPECT_EQ(outbox.stats().value().held, 0);
}

// ---------------------------------------------------------------------------------------------
// 5. one replicator at a time
// ---------------------------------------------------------------------------------------------

TEST(OneReplicator, ASecondReplicatorOnTheSameDatabaseReportsAnotherIsSyncing) {
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::soakSeed(10).dump());
  SimProcess sim(SimOptions{dir.file("seed.json"), dir.file("sim.jsonl"), {}, 0});
  const auto path = dir.file("terminal.db");
  {
    auto db = pos::testing::openDatabase(path);
    pos::testing::enqueuePayments(db, "T-L", 30, 10);
  }
  Replicator running(pos::testing::openDatabase(path), configFor(sim.baseUrl()));
  running.start();
  // The running one takes the lease in its loop; wait until it has sent something.
  for (int i = 0; i < 500 && running.status().acked == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(running.status().acked, 0);
  Replicator second(pos::testing::openDatabase(path), configFor(sim.baseUrl()));
  EXPECT_EQ(second.drain(std::chrono::seconds(2)), DrainResult::AnotherProcessSyncing);
  EXPECT_TRUE(second.status().anotherProcessSyncing);
  EXPECT_EQ(second.status().acked, 0);
  running.stop();
  EXPECT_EQ(second.drain(std::chrono::seconds(20)), DrainResult::Empty);
  std::map<std::string, int> seen;
  for (const auto& a : sim.accepted()) ++seen[a["id"].get<std::string>()];
  EXPECT_EQ(seen.size(), 30u);
}

TEST(OneReplicator, TheLeaseIsHeldAcrossProcessesAndFreedWhenItsHolderIsKilled) {
  TempDir dir;
  const std::string lock = dir.file("terminal.db.sync-lock");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lease = SyncLease::try_acquire(lock);
    const char ok = lease.ok() && lease.value() ? '1' : '0';
    (void)!write(ready[1], &ok, 1);
    pause();  // until SIGKILL
    _exit(0);
  }
  char got = 0;
  ASSERT_EQ(read(ready[0], &got, 1), 1);
  ASSERT_EQ(got, '1');
  auto busy = SyncLease::try_acquire(lock);
  ASSERT_TRUE(busy.ok());
  EXPECT_FALSE(busy.value());  // another process holds it
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  auto free = SyncLease::try_acquire(lock);
  ASSERT_TRUE(free.ok());
  EXPECT_TRUE(free.value());  // the kernel released it with its holder
  close(ready[0]);
  close(ready[1]);
}

// Several processes on one database at once, each enqueuing payments and draining in a loop
// (as a terminal capturing and an IT person's `sync` would): no SQLITE_BUSY reaches a caller,
// every payment reaches the backend exactly once, and a process that finds the lease taken is
// told so as a value.
TEST(OneReplicator, ProcessesEnqueuingAndDrainingAtOnceNeverSeeBusyAndSendEachOnce) {
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::soakSeed(50).dump());
  SimProcess sim(SimOptions{dir.file("seed.json"), dir.file("sim.jsonl"), {"--threads", "16"}, 0});
  const auto path = dir.file("terminal.db");
  { auto db = pos::testing::openDatabase(path); }
  constexpr int kProcesses = 3, kRounds = 8, kPerRound = 5;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        auto db = pos::testing::openDatabase(path);
        Replicator rep(pos::testing::openDatabase(path), configFor(sim.baseUrl()));
        const std::string terminal = "T-P" + std::to_string(p);
        for (int r = 0; r < kRounds; ++r) {
          auto tx = db.begin();
          if (!tx.ok()) {
            code = tx.error().code == DbErrorCode::Busy ? 10 : 11;
            break;
          }
          for (int i = 0; i < kPerRound; ++i) {
            const auto pay = pos::testing::soakPayment(terminal, r * kPerRound + i, 50);
            sync::OutboxMessage m;
            m.stream = pay.checkoutId;
            m.path = "/billing/payments";
            m.idempotency_key = pay.billingPaymentId;
            m.body = toJson(pay).dump();
            m.created_at = pos::testing::nowMs();
            auto id = Outbox(db).enqueue(tx.value(), m);
            if (!id.ok()) code = id.error().code == DbErrorCode::Busy ? 10 : 12;
          }
          if (auto c = tx.value().commit(); !c.ok()) {
            code = c.error().code == DbErrorCode::Busy ? 10 : 13;
          }
          if (code != 0) break;
          const auto d = rep.drain(std::chrono::seconds(5));
          if (d == DrainResult::StorageProblem) code = 14;
          if (rep.status().lastError == "OUTBOX_UNAVAILABLE") code = 15;
          if (code != 0) break;
        }
      } catch (...) {
        code = 16;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (auto pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  Replicator last(pos::testing::openDatabase(path), configFor(sim.baseUrl()));
  EXPECT_EQ(last.drain(std::chrono::seconds(30)), DrainResult::Empty);
  std::map<std::string, int> seen;
  for (const auto& a : sim.accepted()) ++seen[a["id"].get<std::string>()];
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kProcesses * kRounds * kPerRound));
  auto db = pos::testing::openDatabase(path);
  EXPECT_EQ(Outbox(db).stats().value().depth, 0);
  EXPECT_TRUE(Outbox(db).verify().value().sound());
}

}  // namespace
}  // namespace pos::sync
