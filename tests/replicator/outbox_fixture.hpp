// Test support for the replicator suites: a database with the outbox and the replicator's tables,
// and payments enqueued the way the ledger will enqueue them (one stream per checkout).
#pragma once

#include <pos/sync/billing_client.hpp>
#include <pos/sync/db.hpp>
#include <pos/sync/outbox.hpp>
#include <pos/sync/replicator.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace pos::testing {

inline std::vector<sync::Migration> replicatorMigrations() {
  std::vector<sync::Migration> all;
  for (const auto& m : sync::Outbox::migrations()) all.push_back(m);
  for (const auto& m : sync::SnapshotStore::migrations()) all.push_back(m);
  return all;
}

inline sync::Database openDatabase(const std::string& path) {
  sync::DatabaseOptions options;
  options.path = path;
  auto db = sync::Database::open(options, replicatorMigrations());
  if (!db.ok()) throw std::runtime_error("open " + path + ": " + db.error().message);
  return std::move(db).value();
}

inline sync::Timestamp nowMs() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

inline sync::PaymentRequest soakPayment(const std::string& terminal, int i, int invoices) {
  sync::PaymentRequest p;
  p.billingPaymentId = terminal + "-pay-" + std::to_string(i);
  p.invoiceId = "SOAK-" + std::to_string(i % invoices);
  p.checkoutId = terminal + "-co-" + std::to_string(i / 3);  // streams of three payments
  p.terminalId = terminal;
  p.amount = {"USD", 1 + i % 9};
  p.tender = sync::Tender::Cash;
  p.paymentType = sync::PaymentType::PartialPayment;
  p.capturedAt = "2026-11-21T10:00:00.000Z";
  p.capturedByUserId = "u-adv";
  p.capturedOffline = true;
  p.receiptId = terminal + "-rc-" + std::to_string(i);
  return p;
}

inline std::int64_t enqueue(sync::Database& db, sync::Transaction& tx, const std::string& stream,
                            sync::OutboxKind kind, const std::string& path, const std::string& key,
                            const std::string& body) {
  sync::Outbox outbox(db);
  sync::OutboxMessage m;
  m.stream = stream;
  m.kind = kind;
  m.path = path;
  m.idempotency_key = key;
  m.body = body;
  m.created_at = nowMs();
  auto id = outbox.enqueue(tx, m);
  if (!id.ok()) throw std::runtime_error("enqueue: " + id.error().message);
  return id.value();
}

// Enqueues `count` payments of `terminal` in one transaction (as a backlog captured offline).
inline void enqueuePayments(sync::Database& db, const std::string& terminal, int count,
                            int invoices) {
  auto tx = db.begin();
  if (!tx.ok()) throw std::runtime_error("begin: " + tx.error().message);
  for (int i = 0; i < count; ++i) {
    const auto p = soakPayment(terminal, i, invoices);
    enqueue(db, tx.value(), p.checkoutId, sync::OutboxKind::Payment, "/billing/payments",
            p.billingPaymentId, sync::toJson(p).dump());
  }
  if (auto c = tx.value().commit(); !c.ok())
    throw std::runtime_error("commit: " + c.error().message);
}

}  // namespace pos::testing
