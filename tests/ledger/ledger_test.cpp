// The ledger against real SQLite files: one-transaction captures, idempotent retries,
// append-only rows, write-once PO, the hash chain, rebuilding a checkout, deliveries, shifts.
#include <pos/ledger/ledger.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "../sync_db/temp_dir.hpp"
#include "shop.hpp"

namespace pos::ledger {
namespace {

using checkout::Currencies;
using test::Shop;
using test::TempDir;
using test::user;

std::int64_t count(sync::Database& db, const std::string& sql) {
  std::int64_t n = -1;
  auto r = db.statement(sql).for_each([&](const sync::Statement& row) { n = row.int64(0); });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return n;
}

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest() : db_(test::open_terminal_db(dir_ / "terminal.db")), shop_(db_) {}
  Ledger& ledger() { return shop_.ledger(); }
  std::int64_t rows(const std::string& table) {
    return count(db_, "SELECT COUNT(*) FROM " + table);
  }
  // A check captured, and its receipt's first print attempt registered (PENDING).
  struct PendingPrint {
    ShiftId shift;
    PaymentCapture cap;
    ReceiptId receipt;
    DeliveryId delivery;
  };
  PendingPrint capture_with_pending_print() {
    const auto shift = shop_.open_shift();
    auto cap = shop_.capture(shop_.new_checkout(shift), Money{Currencies::USD, 100}, Tender::Check);
    EXPECT_TRUE(ledger().record_capture(cap).ok());
    const auto rid = cap.receipt.receipt_id;
    const auto d = shop_.id<DeliveryId>();
    EXPECT_TRUE(
        ledger()
            .record_delivery({d, rid, DeliveryChannel::Print, user("advisor-1"), shop_.tick()}, {})
            .ok());
    return {shift, std::move(cap), rid, d};
  }
  TempDir dir_;
  sync::Database db_;
  Shop shop_;
};

TEST_F(LedgerTest, ACaptureWritesPaymentReceiptAuditDrawerAndMessagesTogether) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  auto cap =
      shop_.capture(co, Money{Currencies::USD, 1250}, Tender::Cash, Money{Currencies::USD, 2000});
  cap.drawer_opening = shop_.drawer_opening_of(cap);  // a caller may record it with the capture
  auto r = ledger().record_capture(cap);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), CaptureOutcome::Recorded);
  EXPECT_EQ(rows("payment"), 1);
  EXPECT_EQ(rows("receipt"), 1);
  EXPECT_EQ(rows("audit_event"), 0);  // its audit event is its payment row's (step 8)
  EXPECT_EQ(rows("audit_log"), 1);
  EXPECT_EQ(rows("drawer_opening"), 1);
  // The capture's events (PaymentCaptured, ReceiptIssued) are its payment row's (step 7).
  EXPECT_EQ(rows("checkout_event"), 0);
  EXPECT_EQ(count(db_, "SELECT first_event_no FROM payment"), 1);
  EXPECT_EQ(count(db_, "SELECT last_event_no FROM payment"), 2);
  EXPECT_EQ(ledger().load_events(co.checkout_id).value(), cap.events);
  EXPECT_EQ(rows("outbox_message"), 2);
  auto msg = ledger().outbox().find_by_idempotency_key(cap.payment.payment_id.to_string());
  ASSERT_TRUE(msg.ok() && msg.value());
  EXPECT_EQ(msg.value()->stream, co.checkout_id.to_string());
  EXPECT_EQ(msg.value()->kind, sync::OutboxKind::Payment);
}

// Step 8: a capture's PAYMENT_CAPTURED event that says only what its payment row says is kept in
// that row as its id; audit_log shows it as the row it would have been. Any other audit event of
// a capture is a row of audit_event, as before.
TEST_F(LedgerTest, ACapturesOwnAuditEventIsItsPaymentRowsAndTheAuditLogShowsIt) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  auto log_row = [&](const checkout::EventId& id) {
    std::string out;
    auto r = db_.statement(
                    "SELECT checkout_id, kind, actor, detail_json, at_ms, chain_seq FROM audit_log "
                    "WHERE event_id = ?")
                 .bind(id.to_string())
                 .for_each([&](const sync::Statement& row) {
                   out += row.text(0) + "|" + row.text(1) + "|" + row.text(2) + "|" +
                          row.text(3) + "|" + std::to_string(row.int64(4)) + "|" +
                          std::to_string(row.int64(5)) + "\n";
                 });
    EXPECT_TRUE(r.ok());
    return out;
  };
  auto expected_row = [&](const AuditEvent& a, std::int64_t seq) {
    return a.checkout_id->to_string() + "|" + a.kind + "|" + a.actor + "|" + a.detail_json + "|" +
           std::to_string(a.at.time_since_epoch().count()) + "|" + std::to_string(seq) + "\n";
  };
  auto payment_seq = [&](const PaymentCapture& c) {
    return count(db_, "SELECT chain_seq FROM payment WHERE payment_id = '" +
                          c.payment.payment_id.to_string() + "'");
  };

  auto folded = shop_.capture(co, Money{Currencies::USD, 300}, Tender::Check);
  const auto links_before = rows("ledger_chain");
  ASSERT_TRUE(ledger().record_capture(folded).ok());
  EXPECT_EQ(rows("audit_event"), 0);
  EXPECT_EQ(rows("ledger_chain") - links_before, 2);  // the payment and its receipt
  EXPECT_EQ(log_row(folded.audit.event_id), expected_row(folded.audit, payment_seq(folded)));
  EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM payment WHERE audit_event_id = '" +
                           folded.audit.event_id.to_string() + "'"),
            1);
  // A retry is the same capture: nothing more anywhere.
  EXPECT_EQ(ledger().record_capture(folded).value(), CaptureOutcome::AlreadyRecorded);
  EXPECT_EQ(rows("audit_log"), 1);

  // Events that say something else, or the same by another hand or at another moment, stay rows.
  std::vector<PaymentCapture> kept;
  kept.push_back(shop_.capture(co, Money{Currencies::USD, 301}, Tender::Check));
  kept.back().audit.detail_json = R"({"billingPaymentId":")" +
                                  kept.back().payment.payment_id.to_string() +
                                  R"(","receiptId":")" +
                                  kept.back().receipt.receipt_id.to_string() + R"(","note":"x"})";
  kept.push_back(shop_.capture(co, Money{Currencies::USD, 302}, Tender::Check));
  kept.back().audit.actor = "supervisor-1";
  kept.push_back(shop_.capture(co, Money{Currencies::USD, 303}, Tender::Check));
  kept.back().audit.at += std::chrono::milliseconds{1};
  kept.push_back(shop_.capture(co, Money{Currencies::USD, 304}, Tender::Check));
  kept.back().audit.kind = "PAYMENT_TAKEN";
  kept.push_back(shop_.capture(co, Money{Currencies::USD, 305}, Tender::Check));
  kept.back().audit.detail_json = R"({"receiptId":")" +
                                  kept.back().receipt.receipt_id.to_string() +
                                  R"(","billingPaymentId":")" +
                                  kept.back().payment.payment_id.to_string() + R"("})";
  for (std::size_t i = 0; i < kept.size(); ++i) {
    ASSERT_TRUE(ledger().record_capture(kept[i]).ok()) << i;
    EXPECT_EQ(rows("audit_event"), static_cast<std::int64_t>(i) + 1) << i;
    const auto audit_seq = count(db_, "SELECT chain_seq FROM audit_event WHERE event_id = '" +
                                          kept[i].audit.event_id.to_string() + "'");
    EXPECT_EQ(log_row(kept[i].audit.event_id), expected_row(kept[i].audit, audit_seq)) << i;
    EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM payment WHERE audit_event_id IS NOT NULL"), 1);
  }
  EXPECT_EQ(rows("audit_log"), 1 + static_cast<std::int64_t>(kept.size()));
  auto v = ledger().verify().value();
  EXPECT_TRUE(v.sound());

  // The id is chained with its payment row: changed or removed, verify names that link.
  for (const char* edit : {"UPDATE payment SET audit_event_id = 'forged' WHERE chain_seq = ",
                           "UPDATE payment SET audit_event_id = NULL WHERE chain_seq = "}) {
    TempDir copy;
    ASSERT_TRUE(db_.exec("VACUUM INTO '" + (copy / "t.db").string() + "'").ok());
    sync::Database db2 = test::open_terminal_db(copy / "t.db");
    ASSERT_TRUE(db2.exec("DROP TRIGGER payment_no_update; " + std::string{edit} +
                         std::to_string(payment_seq(folded)))
                    .ok());
    Shop shop2(db2);
    auto broken = shop2.ledger().verify().value();
    ASSERT_TRUE(broken.first_break) << edit;
    EXPECT_EQ(broken.first_break->sequence, payment_seq(folded)) << edit;
    EXPECT_EQ(broken.first_break->table, "payment") << edit;
    EXPECT_EQ(broken.first_break->kind, ChainBreakKind::HashMismatch) << edit;
  }
}

TEST_F(LedgerTest, ARetryWithTheSameIdsNeverMakesASecondPayment) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  auto cap = shop_.capture(co, Money{Currencies::USD, 500}, Tender::Check);
  ASSERT_EQ(ledger().record_capture(cap).value(), CaptureOutcome::Recorded);
  for (int i = 0; i < 3; ++i) {
    auto again = ledger().record_capture(cap);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value(), CaptureOutcome::AlreadyRecorded);
  }
  EXPECT_EQ(rows("payment"), 1);
  EXPECT_EQ(rows("outbox_message"), 2);
  auto changed = cap;
  changed.payment.amount = Money{Currencies::USD, 501};
  auto conflict = ledger().record_capture(changed);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, LedgerErrorCode::IdConflict);
  // A new payment id reusing the receipt id is refused whole.
  auto reused = shop_.capture(co, Money{Currencies::USD, 100}, Tender::Check);
  reused.receipt.receipt_id = cap.receipt.receipt_id;
  reused.payment.receipt_id = cap.receipt.receipt_id;
  reused.messages[1].idempotency_key = cap.receipt.receipt_id.to_string();
  auto dup = ledger().record_capture(reused);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, LedgerErrorCode::IdConflict);
  EXPECT_EQ(rows("payment"), 1);
}

TEST_F(LedgerTest, ARefusedCaptureLeavesNothingBehind) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  auto no_messages = shop_.capture(co, Money{Currencies::USD, 100});
  no_messages.messages.pop_back();
  EXPECT_EQ(ledger().record_capture(no_messages).error().code, LedgerErrorCode::Inconsistent);
  auto other_receipt = shop_.capture(co, Money{Currencies::USD, 100});
  other_receipt.receipt.payment_id = shop_.id<BillingPaymentId>();
  EXPECT_EQ(ledger().record_capture(other_receipt).error().code, LedgerErrorCode::Inconsistent);
  auto euros = shop_.capture(co, Money{Currencies::EUR, 100}, Tender::Check);
  EXPECT_EQ(ledger().record_capture(euros).error().code, LedgerErrorCode::CurrencyMismatch);
  auto unknown = shop_.capture(co, Money{Currencies::USD, 100});
  const auto ghost = shop_.id<CheckoutId>();
  unknown.payment.checkout_id = ghost;
  unknown.receipt.checkout_id = ghost;
  EXPECT_EQ(ledger().record_capture(unknown).error().code, LedgerErrorCode::NotFound);
  auto bad_json = shop_.capture(co, Money{Currencies::USD, 100});
  bad_json.messages[0].body = "{not json";
  EXPECT_FALSE(ledger().record_capture(bad_json).ok());
  EXPECT_EQ(rows("payment"), 0);
  EXPECT_EQ(rows("receipt"), 0);
  EXPECT_EQ(rows("audit_event"), 0);
  EXPECT_EQ(rows("outbox_message"), 0);
  EXPECT_EQ(rows("drawer_opening"), 0);
  EXPECT_EQ(rows("checkout_event"), 0);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(LedgerTest, PaymentAndReceiptRowsAreNeverChangedOnlyAdjusted) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  auto cap = shop_.capture(co, Money{Currencies::USD, 900}, Tender::CardExternal);
  ASSERT_TRUE(ledger().record_capture(cap).ok());
  ASSERT_TRUE(ledger()
                  .record_audit({shop_.id<checkout::EventId>(), co.checkout_id, "SIGNED_IN",
                                 "advisor-1", "{}", shop_.tick()})
                  .ok());
  for (const char* sql : {"UPDATE payment SET amount_minor = 1", "DELETE FROM payment",
                          "UPDATE receipt SET print_text = 'x'", "DELETE FROM receipt",
                          "DELETE FROM ledger_chain", "UPDATE audit_event SET kind = 'x'"}) {
    auto r = db_.statement(sql).run();
    ASSERT_FALSE(r.ok()) << sql;
    EXPECT_EQ(r.error().code, sync::DbErrorCode::Constraint) << sql;
  }
  auto r = db_.statement("UPDATE payment SET amount_minor = 1").run();
  EXPECT_NE(r.error().message.find("record an adjustment"), std::string::npos);
  ASSERT_TRUE(ledger()
                  .record_adjustment({shop_.id<AdjustmentId>(), cap.payment.payment_id,
                                      Money{Currencies::USD, -100}, "KEYED_WRONG",
                                      user("supervisor-1"), shop_.tick()})
                  .ok());
  EXPECT_EQ(count(db_, "SELECT amount_minor FROM payment"), 900);
  auto h = ledger().load_checkout(co.checkout_id);
  ASSERT_TRUE(h.ok() && h.value());
  ASSERT_EQ(h.value()->adjustments.size(), 1U);
  EXPECT_EQ(h.value()->adjustments[0].amount, (Money{Currencies::USD, -100}));
  EXPECT_EQ(ledger()
                .record_adjustment({shop_.id<AdjustmentId>(), cap.payment.payment_id,
                                    Money{Currencies::EUR, 1}, "X", user("s"), shop_.tick()})
                .error()
                .code,
            LedgerErrorCode::CurrencyMismatch);
}

TEST_F(LedgerTest, APoIsCapturedOnceEvenWhenSqlIsWrittenAroundTheLedger) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  const PoCaptureRecord po{co.checkout_id, "AB-123456", user("advisor-1"), shop_.tick()};
  const sync::OutboxMessage msg{co.checkout_id.to_string(),
                                sync::OutboxKind::Po,
                                "POST",
                                "/billing/checkout/" + co.checkout_id.to_string() + "/po",
                                "po-" + co.checkout_id.to_string(),
                                R"({"poNumber":"AB-123456"})",
                                po.captured_at};
  ASSERT_TRUE(ledger().record_po_capture(po, {&msg, 1}).ok());
  EXPECT_TRUE(ledger().record_po_capture(po, {&msg, 1}).ok());  // a retry: nothing new
  auto other = po;
  other.po_number = "ZZ-000001";
  auto refused = ledger().record_po_capture(other, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, LedgerErrorCode::AlreadyRecorded);
  auto raw = db_.statement(
                    "INSERT INTO po_capture (chain_seq, checkout_id, po_number, captured_by,"
                    " captured_at_ms) VALUES (9999, ?, 'ZZ', 'x', 0)")
                 .bind(co.checkout_id.to_string())
                 .run();
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.error().message.find("UNIQUE"), std::string::npos);
  EXPECT_EQ(rows("po_capture"), 1);
  EXPECT_EQ(rows("outbox_message"), 1);
}

TEST_F(LedgerTest, AnOverrideKeepsItsDistinctApprovalsAndSurvivesAReopen) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  const auto grant = shop_.id<OfflineGrantId>();
  PoOverrideRecord o{shop_.id<OverrideId>(),
                     co.checkout_id,
                     "CUSTOMER_PO_PENDING",
                     "calls back",
                     user("advisor-1"),
                     shop_.tick(),
                     {{user("sup-1"), ApprovalMethod::Online, std::nullopt, shop_.tick()},
                      {user("sup-2"), ApprovalMethod::Offline, grant, shop_.tick()}}};
  ASSERT_TRUE(
      ledger()
          .record_offline_grant(
              {grant, user("sup-2"), co.checkout_id, "PO_OVERRIDE", "T-1", shop_.tick()}, {})
          .ok());
  ASSERT_TRUE(ledger().record_po_override(o, {}).ok());
  auto twice = o;
  twice.override_id = shop_.id<OverrideId>();
  EXPECT_EQ(ledger().record_po_override(twice, {}).error().code, LedgerErrorCode::AlreadyRecorded);
  const auto co2 = shop_.new_checkout(shift);
  auto same_approver = o;
  same_approver.override_id = shop_.id<OverrideId>();
  same_approver.checkout_id = co2.checkout_id;
  same_approver.approvals[1].approver = user("sup-1");
  EXPECT_EQ(ledger().record_po_override(same_approver, {}).error().code,
            LedgerErrorCode::AlreadyRecorded);
  EXPECT_EQ(rows("po_override"), 1);

  sync::Database reopened = test::open_terminal_db(dir_ / "terminal.db");
  Ledger again(reopened);
  auto h = again.load_checkout(co.checkout_id);
  ASSERT_TRUE(h.ok() && h.value());
  ASSERT_TRUE(h.value()->po_override);
  EXPECT_EQ(h.value()->po_override->reason_code, "CUSTOMER_PO_PENDING");
  ASSERT_EQ(h.value()->po_override->approvals.size(), 2U);
  EXPECT_EQ(h.value()->po_override->approvals[1].offline_grant_id, grant);
  ASSERT_EQ(h.value()->offline_grants.size(), 1U);
  EXPECT_FALSE(again.load_checkout(shop_.id<CheckoutId>()).value().has_value());
}

TEST_F(LedgerTest, TheCheckoutsEventsComeBackInOrderForReplay) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  std::vector<checkout::CheckoutEvent> events{
      checkout::PoCaptured{"AB-1", user("advisor-1"), shop_.tick()},
      checkout::PinAttemptFailed{user("sup-1"), checkout::ElevationAction::PoOverride,
                                 shop_.tick()},
  };
  ASSERT_TRUE(ledger().append_events(co.checkout_id, {&events[0], 1}).ok());
  ASSERT_TRUE(
      ledger()
          .record_pin_attempt({user("sup-1"), co.checkout_id, PinOutcome::Failed, shop_.tick()},
                              {&events[1], 1})
          .ok());
  auto cap = shop_.capture(co, Money{Currencies::USD, 100}, Tender::Check);
  cap.events.push_back(checkout::ApproverLockedOut{user("sup-1"), shop_.tick(), shop_.tick()});
  ASSERT_TRUE(ledger().record_capture(cap).ok());
  // Written with the typed row, in its transaction.
  const checkout::ReceiptReprinted reprinted{
      shop_.id<ReprintId>(), cap.receipt.receipt_id, 1, "COPY", user("advisor-1"), {},
      shop_.tick()};
  const std::vector<checkout::CheckoutEvent> reprint_events{reprinted};
  ASSERT_TRUE(ledger()
                  .record_reprint({reprinted.reprint_id, cap.receipt.receipt_id, shift, 1, "COPY",
                                   user("advisor-1"), std::nullopt, reprinted.at},
                                  {}, reprint_events)
                  .ok());
  // A second capture's events follow the reprint's row: numbered after the checkout's last
  // event, wherever that is kept.
  auto cap2 = shop_.capture(co, Money{Currencies::USD, 200}, Tender::Check);
  ASSERT_TRUE(ledger().record_capture(cap2).ok());
  // A refused write leaves no event behind.
  ASSERT_TRUE(ledger()
                  .record_po_capture({co.checkout_id, "AB-1", user("advisor-1"), shop_.tick()}, {})
                  .ok());
  const std::vector<checkout::CheckoutEvent> second{
      checkout::PoCaptured{"ZZ-9", user("advisor-1"), shop_.tick()}};
  EXPECT_FALSE(
      ledger()
          .record_po_capture({co.checkout_id, "ZZ-9", user("advisor-1"), shop_.tick()}, {}, second)
          .ok());
  EXPECT_FALSE(ledger()
                   .record_offline_grant({shop_.id<OfflineGrantId>(), user("sup-1"), std::nullopt,
                                          "PO_OVERRIDE", "T-1", shop_.tick()},
                                         {}, second)
                   .ok());
  auto back = ledger().load_events(co.checkout_id);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(cap.events.size(), 3U);  // PaymentCaptured, ReceiptIssued, and the one added
  ASSERT_EQ(cap2.events.size(), 2U);
  ASSERT_EQ(back.value().size(), 8U);
  EXPECT_EQ(back.value()[0], events[0]);
  EXPECT_EQ(back.value()[1], events[1]);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(back.value()[2 + i], cap.events[i]);
  EXPECT_EQ(back.value()[5], reprint_events[0]);
  EXPECT_EQ(back.value()[6], cap2.events[0]);
  EXPECT_EQ(back.value()[7], cap2.events[1]);
  // Numbered as one log: 1, 2 and 6 rows of checkout_event, 3-5 and 7-8 in the payment rows.
  EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM checkout_event WHERE event_no IN (1, 2, 6)"), 3);
  EXPECT_EQ(count(db_,
                  "SELECT COUNT(*) FROM payment WHERE (first_event_no, last_event_no) IN "
                  "(VALUES (3, 5), (7, 8))"),
            2);
  EXPECT_TRUE(ledger().load_events(shop_.id<CheckoutId>()).value().empty());
}

TEST_F(LedgerTest, AnAuditRowAndItsDomainEventAreOneWrite) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  const std::vector<checkout::CheckoutEvent> used{checkout::OnlineElevationUsed{
      user("sup-1"), checkout::ElevationAction::PoOverride, shop_.tick(), shop_.tick()}};
  ASSERT_TRUE(ledger()
                  .record_audit({shop_.id<checkout::EventId>(), co.checkout_id,
                                 "ONLINE_ELEVATION_USED", "sup-1", "{}", shop_.tick()},
                                used)
                  .ok());
  auto back = ledger().load_events(co.checkout_id);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back.value().size(), 1U);
  EXPECT_EQ(back.value()[0], used[0]);
  // Events without a checkout to log them in are refused, and nothing is written.
  auto refused = ledger().record_audit({shop_.id<checkout::EventId>(), std::nullopt,
                                        "ONLINE_ELEVATION_USED", "sup-1", "{}", shop_.tick()},
                                       used);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, LedgerErrorCode::Inconsistent);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(LedgerTest, AWrongPinsEventsAreWrittenWithItsAttemptsOutcome) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  const auto sup = user("sup-1");
  auto start = ledger().begin_pin_attempt(sup, "APPROVAL_OFFLINE", shop_.tick());
  ASSERT_TRUE(start.ok()) << start.error().message;
  const auto ticket = std::get<PinAttemptTicket>(start.value());
  const std::vector<checkout::CheckoutEvent> failed{
      checkout::PinAttemptFailed{sup, checkout::ElevationAction::PoOverride, shop_.tick()}};
  // Events without their checkout are refused before anything is written.
  EXPECT_FALSE(
      ledger()
          .finish_pin_attempt(ticket, PinOutcome::Failed, shop_.tick(), std::nullopt, failed)
          .ok());
  ASSERT_TRUE(
      ledger()
          .finish_pin_attempt(ticket, PinOutcome::Failed, shop_.tick(), co.checkout_id, failed)
          .ok());
  auto back = ledger().load_events(co.checkout_id);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back.value().size(), 1U);
  EXPECT_EQ(back.value()[0], failed[0]);
  auto state = ledger().approver_pin_state(sup);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state.value().failures_since_last_success_or_lockout, 1);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(LedgerTest, ApproverPinStateCountsFailuresSinceTheLastSuccessOrLockout) {
  const auto sup = user("sup-1");
  auto fail_once = [&] {
    ASSERT_TRUE(
        ledger().record_pin_attempt({sup, std::nullopt, PinOutcome::Failed, shop_.tick()}).ok());
  };
  fail_once();
  fail_once();
  EXPECT_EQ(ledger().approver_pin_state(sup).value().failures_since_last_success_or_lockout, 2);
  ASSERT_TRUE(
      ledger().record_pin_attempt({sup, std::nullopt, PinOutcome::Succeeded, shop_.tick()}).ok());
  EXPECT_EQ(ledger().approver_pin_state(sup).value().failures_since_last_success_or_lockout, 0);
  for (int i = 0; i < 5; ++i) fail_once();
  const auto locked_at = shop_.tick();
  ASSERT_TRUE(ledger().record_lockout({sup, locked_at, locked_at + std::chrono::minutes(30)}).ok());
  fail_once();
  sync::Database reopened = test::open_terminal_db(dir_ / "terminal.db");  // a restart
  auto s = Ledger(reopened).approver_pin_state(sup);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().failures_since_last_success_or_lockout, 1);
  ASSERT_TRUE(s.value().latest_lockout);
  EXPECT_EQ(s.value().latest_lockout->locked_until, locked_at + std::chrono::minutes(30));
  EXPECT_EQ(
      ledger().approver_pin_state(user("sup-2")).value().failures_since_last_success_or_lockout, 0);
}

TEST_F(LedgerTest, DeliveriesKeepEveryOutcomeAndReportTheLatest) {
  const auto [shift, cap, rid, d1] = capture_with_pending_print();
  ASSERT_TRUE(
      ledger()
          .record_delivery_outcome({d1, DeliveryStatus::Failed, "PAPER_OUT", shop_.tick()}, {})
          .ok());
  const auto d2 = shop_.id<DeliveryId>();
  ASSERT_TRUE(
      ledger()
          .record_delivery({d2, rid, DeliveryChannel::Print, user("advisor-1"), shop_.tick()}, {})
          .ok());
  ASSERT_TRUE(ledger()
                  .record_delivery_outcome(
                      {d2, DeliveryStatus::PossiblyPrinted, "TIMEOUT", shop_.tick()}, {})
                  .ok());
  auto ds = ledger().deliveries_of(rid);
  ASSERT_TRUE(ds.ok());
  ASSERT_EQ(ds.value().size(), 2U);
  EXPECT_EQ(ds.value()[0].status, DeliveryStatus::Failed);
  EXPECT_EQ(ds.value()[0].reason, "PAPER_OUT");
  EXPECT_EQ(ds.value()[1].status, DeliveryStatus::PossiblyPrinted);
  EXPECT_EQ(rows("delivery_outcome"), 4);  // PENDING + outcome, twice
  ASSERT_TRUE(ledger()
                  .record_reprint({shop_.id<ReprintId>(), rid, shift, 1, "CUSTOMER_COPY",
                                   user("advisor-1"), user("sup-1"), shop_.tick()},
                                  {})
                  .ok());
  auto again = ledger().record_reprint({shop_.id<ReprintId>(), rid, shift, 1, "CUSTOMER_COPY",
                                        user("advisor-1"), std::nullopt, shop_.tick()},
                                       {});
  EXPECT_EQ(again.error().code, LedgerErrorCode::AlreadyRecorded);
  EXPECT_EQ(ledger().reprint_count(rid).value(), 1);
  auto found = ledger().find_receipt(rid);
  ASSERT_TRUE(found.ok() && found.value());
  EXPECT_EQ(found.value()->template_version, "1");
  EXPECT_EQ(found.value()->print_text, cap.receipt.print_text);
}

// A delivery's outcome is written with the domain's record of the same attempt (issue 10: the
// ledger's rows and the checkout's event log never disagree): the event lands in the log of the
// receipt's checkout; an event of another attempt or outcome writes nothing at all.
TEST_F(LedgerTest, ADeliveryOutcomeCarriesTheDomainsRecordOfThatAttempt) {
  const auto pending = capture_with_pending_print();
  const auto& rid = pending.receipt;
  const auto& d1 = pending.delivery;
  const auto at = shop_.tick();
  const checkout::CheckoutEvent recorded =
      checkout::ReceiptDeliveryRecorded{d1,
                                        rid,
                                        std::nullopt,
                                        DeliveryChannel::Print,
                                        DeliveryStatus::PossiblyPrinted,
                                        "TIMEOUT",
                                        user("advisor-1"),
                                        at};
  const auto before_events = rows("checkout_event");
  const auto before_outcomes = rows("delivery_outcome");

  auto other_outcome = std::get<checkout::ReceiptDeliveryRecorded>(recorded);
  other_outcome.outcome = DeliveryStatus::Sent;
  const checkout::CheckoutEvent wrong_outcome = other_outcome;
  auto other_attempt = std::get<checkout::ReceiptDeliveryRecorded>(recorded);
  other_attempt.delivery_id = shop_.id<DeliveryId>();
  const checkout::CheckoutEvent wrong_attempt = other_attempt;
  for (const auto& bad : {wrong_outcome, wrong_attempt}) {
    auto r = ledger().record_delivery_outcome({d1, DeliveryStatus::PossiblyPrinted, "TIMEOUT", at},
                                              {}, std::span(&bad, 1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, LedgerErrorCode::Inconsistent);
  }
  EXPECT_EQ(rows("checkout_event"), before_events);
  EXPECT_EQ(rows("delivery_outcome"), before_outcomes);

  ASSERT_TRUE(ledger()
                  .record_delivery_outcome({d1, DeliveryStatus::PossiblyPrinted, "TIMEOUT", at}, {},
                                           std::span(&recorded, 1))
                  .ok());
  EXPECT_EQ(rows("delivery_outcome"), before_outcomes + 1);
  auto events = ledger().load_events(pending.cap.payment.checkout_id);
  ASSERT_TRUE(events.ok());
  ASSERT_FALSE(events.value().empty());
  EXPECT_EQ(events.value().back(), recorded);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(LedgerTest, OneShiftAtATimeAndNothingIsTakenAfterTheZ) {
  const auto shift = shop_.open_shift();
  // A refused opening takes its float count with it: one transaction.
  const AuditEvent float_count{
      shop_.id<checkout::EventId>(), std::nullopt, "FLOAT_COUNTED", "a", "{}", shop_.tick()};
  EXPECT_EQ(ledger()
                .open_shift({shop_.id<ShiftId>(), "T-1", user("a"), shop_.tick(), {}}, float_count)
                .error()
                .code,
            LedgerErrorCode::ShiftAlreadyOpen);
  EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM audit_event WHERE kind = 'FLOAT_COUNTED'"), 0);
  const auto co = shop_.new_checkout(shift);
  ASSERT_TRUE(ledger().record_capture(shop_.capture(co, Money{Currencies::USD, 700})).ok());
  auto z =
      ledger().close_shift({shift, user("sup-1"), shop_.tick(), {Money{Currencies::USD, 20700}}});
  ASSERT_TRUE(z.ok()) << z.error().message;
  EXPECT_EQ(z.value().kind, ReportKind::Z);
  ASSERT_EQ(z.value().currencies.size(), 1U);
  EXPECT_EQ(z.value().currencies[0].cash_expected, (Money{Currencies::USD, 20700}));
  EXPECT_EQ(z.value().currencies[0].cash_difference, (Money{Currencies::USD, 0}));
  EXPECT_EQ(ledger().close_shift({shift, user("sup-1"), shop_.tick(), {}}).error().code,
            LedgerErrorCode::ShiftNotOpen);
  auto late = shop_.capture(co, Money{Currencies::USD, 100});
  EXPECT_EQ(ledger().record_capture(late).error().code, LedgerErrorCode::ShiftNotOpen);
  EXPECT_FALSE(ledger().current_shift().value().has_value());
  const auto next = shop_.id<ShiftId>();
  ASSERT_TRUE(ledger().open_shift({next, "T-1", user("a"), shop_.tick(), {}}, float_count).ok());
  EXPECT_EQ(ledger().current_shift().value()->shift_id, next);
  EXPECT_EQ(count(db_, "SELECT COUNT(*) FROM audit_event WHERE kind = 'FLOAT_COUNTED'"), 1);
  EXPECT_TRUE(ledger().verify().value().sound());
}

TEST_F(LedgerTest, UnsyncedPaymentsAreThoseTheBackendHasNotAcked) {
  const auto shift = shop_.open_shift({});
  const auto co = shop_.new_checkout(shift);
  const auto eur = shop_.new_checkout(shift, Currencies::EUR);
  auto a = shop_.capture(co, Money{Currencies::USD, 1000}, Tender::Check);
  auto b = shop_.capture(co, Money{Currencies::USD, 250}, Tender::Check);
  auto c = shop_.capture(eur, Money{Currencies::EUR, 999}, Tender::Account);
  for (auto* cap : {&a, &b, &c}) ASSERT_TRUE(ledger().record_capture(*cap).ok());
  auto u = ledger().unsynced_payments().value();
  EXPECT_EQ(u.count, 3);
  ASSERT_EQ(u.by_currency.size(), 2U);
  EXPECT_EQ(u.by_currency[0].total, (Money{Currencies::EUR, 999}));
  EXPECT_EQ(u.by_currency[1].total, (Money{Currencies::USD, 1250}));
  EXPECT_EQ(u.oldest_captured_at, a.payment.captured_at);
  auto claimed = ledger().outbox().claim(10, shop_.tick());  // a's payment, then eur's
  ASSERT_TRUE(claimed.ok());
  for (const auto& item : claimed.value()) {
    if (item.idempotency_key == a.payment.payment_id.to_string()) {
      ASSERT_TRUE(ledger().outbox().mark_acked(item.id, 201, "{}", shop_.tick()).ok());
    }
  }
  u = ledger().unsynced_payments().value();
  EXPECT_EQ(u.count, 2);
  EXPECT_EQ(u.by_currency[1].total, (Money{Currencies::USD, 250}));
  EXPECT_EQ(u.oldest_captured_at, b.payment.captured_at);
}

TEST_F(LedgerTest, VerifyIsSoundThenNamesTheFirstBrokenLink) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  std::vector<PaymentCapture> caps;
  for (int i = 1; i <= 5; ++i) {
    caps.push_back(shop_.capture(co, Money{Currencies::USD, 100 * i}, Tender::Check));
    ASSERT_TRUE(ledger().record_capture(caps.back()).ok());
  }
  auto v = ledger().verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v.value().sound());
  EXPECT_EQ(v.value().links_checked, rows("ledger_chain"));
  EXPECT_EQ(v.value().integrity_check, "ok");

  // Someone edits the file around the ledger: drops the trigger, changes an amount.
  const auto seq = count(db_, "SELECT chain_seq FROM payment WHERE payment_id = '" +
                                  caps[2].payment.payment_id.to_string() + "'");
  ASSERT_TRUE(db_.exec("DROP TRIGGER payment_no_update; UPDATE payment SET amount_minor = 1 "
                       "WHERE chain_seq = " +
                       std::to_string(seq))
                  .ok());
  v = ledger().verify();
  ASSERT_TRUE(v.value().first_break);
  EXPECT_FALSE(v.value().sound());
  EXPECT_EQ(v.value().first_break->sequence, seq);
  EXPECT_EQ(v.value().first_break->table, "payment");
  EXPECT_EQ(v.value().first_break->kind, ChainBreakKind::HashMismatch);
}

TEST_F(LedgerTest, VerifyFindsDeletedRowsLinksAndRowsOutsideTheChain) {
  const auto shift = shop_.open_shift();
  const auto co = shop_.new_checkout(shift);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(
        ledger().record_capture(shop_.capture(co, Money{Currencies::USD, i}, Tender::Check)).ok());
  }
  const auto receipt_seq = count(db_, "SELECT MIN(chain_seq) FROM receipt");
  ASSERT_TRUE(
      db_.exec("DROP TRIGGER receipt_no_delete; DELETE FROM receipt WHERE chain_seq = " +
               std::to_string(receipt_seq))
          .ok());
  auto v = ledger().verify().value();
  ASSERT_TRUE(v.first_break);
  EXPECT_EQ(v.first_break->kind, ChainBreakKind::RowMissing);
  EXPECT_EQ(v.first_break->sequence, receipt_seq);
  EXPECT_EQ(to_string(v.first_break->kind), "ROW_MISSING");

  TempDir other;
  sync::Database db2 = test::open_terminal_db(other / "t.db");
  Shop shop2(db2);
  const auto s2 = shop2.open_shift();
  const auto c2 = shop2.new_checkout(s2);
  ASSERT_TRUE(shop2.ledger()
                  .record_capture(shop2.capture(c2, Money{Currencies::USD, 5}, Tender::Check))
                  .ok());
  ASSERT_TRUE(db2.exec("INSERT INTO audit_event (chain_seq, event_id, kind, actor, detail_json,"
                       " at_ms) VALUES (100000, 'x', 'FORGED', 'x', '{}', 0)")
                  .ok());
  auto v2 = shop2.ledger().verify().value();
  ASSERT_TRUE(v2.first_break);
  EXPECT_EQ(v2.first_break->kind, ChainBreakKind::UnchainedRows);
  EXPECT_EQ(v2.first_break->table, "audit_event");

  ASSERT_TRUE(db2.exec("DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE "
                       "chain_seq = 100000; DROP TRIGGER "
                       "ledger_chain_no_delete; DELETE FROM ledger_chain WHERE seq = 2")
                  .ok());
  auto v3 = shop2.ledger().verify().value();
  ASSERT_TRUE(v3.first_break);
  EXPECT_EQ(v3.first_break->kind, ChainBreakKind::SequenceGap);
  EXPECT_EQ(v3.first_break->sequence, 2);
}

TEST(LedgerNames, EnumsRoundTripInTheContractsSpelling) {
  for (const Tender t : vocabulary::kAll<Tender>) EXPECT_EQ(parse_tender(to_string(t)), t);
  EXPECT_EQ(to_string(Tender::CardExternal), "CARD_EXTERNAL");
  EXPECT_EQ(to_string(DeliveryStatus::PossiblyPrinted), "POSSIBLY_PRINTED");
  EXPECT_EQ(parse_delivery_status("BOUNCED"), DeliveryStatus::Bounced);
  EXPECT_FALSE(parse_tender("cash").has_value());
  EXPECT_EQ(to_string(DrawerReason::NoSale), "NO_SALE");
  EXPECT_EQ(to_string(LedgerErrorCode::IdConflict), "ID_CONFLICT");
}

}  // namespace
}  // namespace pos::ledger
