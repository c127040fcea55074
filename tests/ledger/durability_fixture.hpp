// Test support for the durability proofs: what must hold after any crash, power cut or I/O
// error, checked on a freshly opened connection.
#pragma once

#include <pos/ledger/ledger.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>

namespace pos::test {

inline std::int64_t env_count(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoll(v, nullptr, 10);
}

inline std::int64_t scalar(sync::Database& db, const std::string& sql) {
  std::int64_t n = -1;
  auto r = db.statement(sql).for_each([&](const sync::Statement& row) { n = row.int64(0); });
  if (!r.ok()) ADD_FAILURE() << sql << ": " << r.error().message;
  return n;
}

// integrity_check is "ok"; no payment lacks its receipt, audit event or outbox messages; no
// outbox payment message lacks its payment. Returns every payment id present.
inline std::set<std::string> check_whole(sync::Database& db) {
  auto ic = db.integrity_check();
  EXPECT_TRUE(ic.ok());
  if (ic.ok()) {
    EXPECT_EQ(ic.value(), "ok");
  }
  EXPECT_EQ(scalar(db,
                   "SELECT COUNT(*) FROM payment p WHERE NOT EXISTS (SELECT 1 FROM receipt r "
                   "WHERE r.payment_id = p.payment_id AND r.receipt_id = p.receipt_id)"),
            0);
  EXPECT_EQ(scalar(db,
                   "SELECT COUNT(*) FROM payment p WHERE NOT EXISTS (SELECT 1 FROM "
                   "outbox_message m WHERE m.idempotency_key = p.payment_id AND m.kind = "
                   "'payment')"),
            0);
  EXPECT_EQ(scalar(db,
                   "SELECT COUNT(*) FROM payment p WHERE NOT EXISTS (SELECT 1 FROM "
                   "outbox_message m WHERE m.idempotency_key = p.receipt_id AND m.kind = "
                   "'receipt')"),
            0);
  EXPECT_EQ(scalar(db,
                   "SELECT COUNT(*) FROM outbox_message m WHERE m.kind = 'payment' AND NOT "
                   "EXISTS (SELECT 1 FROM payment p WHERE p.payment_id = m.idempotency_key)"),
            0);
  EXPECT_EQ(scalar(db,
                   "SELECT COUNT(*) FROM receipt r WHERE NOT EXISTS (SELECT 1 FROM payment p "
                   "WHERE p.payment_id = r.payment_id)"),
            0);
  std::set<std::string> ids;
  auto r = db.statement("SELECT payment_id FROM payment").for_each([&](const sync::Statement& row) {
    ids.insert(row.text(0));
  });
  EXPECT_TRUE(r.ok());
  return ids;
}

// How many rows of each kind one capture left: all or nothing.
inline std::int64_t capture_rows(sync::Database& db, const ledger::PaymentCapture& c) {
  const auto pid = c.payment.payment_id.to_string();
  const auto p = scalar(db, "SELECT COUNT(*) FROM payment WHERE payment_id = '" + pid + "'");
  const auto r = scalar(db, "SELECT COUNT(*) FROM receipt WHERE payment_id = '" + pid + "'");
  const auto a = scalar(db, "SELECT COUNT(*) FROM audit_log WHERE event_id = '" +
                                c.audit.event_id.to_string() + "'");
  const auto m = scalar(db, "SELECT COUNT(*) FROM outbox_message WHERE idempotency_key IN ('" +
                                pid + "', '" + c.receipt.receipt_id.to_string() + "')");
  EXPECT_TRUE((p == 0 && r == 0 && a == 0 && m == 0) || (p == 1 && r == 1 && a == 1 && m == 2))
      << "partial capture: payment " << p << " receipt " << r << " audit " << a << " messages "
      << m;
  return p;
}

}  // namespace pos::test
