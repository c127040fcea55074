// The counter engine's shift and cash control, receipts afterwards, sync and printers.
//
// Sections: shift open, paid in/out, no-sale · X and Z (tolerance and unsynced items need a
// supervisor) · reprints (the backend's policy, else the last seen) · finding receipts ·
// sync and the queue · printers · report views and printing
//
// Approvals outside a checkout (no-sale, closing a shift, resolving a queue item) are a
// supervisor's PIN checked against the roster with the same lock-out, recorded as audit rows
// and printed on the Z; the billing contract's online elevation has no action for them.
#include <sstream>

#include <pos/app/contract_mapping.hpp>
#include <pos/drivers/test_page.hpp>
#include <pos/escpos/encoder.hpp>

#include "engine_impl.hpp"
#include "ledger_lookups.hpp"

namespace pos::app {

using nlohmann::json;

namespace {

std::string money(const Money& m) {
  return checkout::format(m, checkout::MoneyFormat::Screen);
}

// The difference a Z may show without a supervisor (`[shift] cash_tolerance`); a currency the
// configuration does not name has none.
Money cashTolerance(const TerminalConfig& config, checkout::Currency currency) {
  return config.shift.toleranceFor(currency).value_or(Money::zero(currency));
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// A float counted note by note: positive denominations, counts of 0..1,000,000, and per
// currency of the float the lines add up to its amount exactly (no line in another currency).
bool floatCountAddsUp(const intent::OpenShift& i) {
  if (i.counted.empty()) return true;
  for (const auto& c : i.counted)
    if (!c.denomination.is_positive() || c.count < 0 || c.count > 1'000'000) return false;
  for (const auto& c : i.counted) {
    if (std::none_of(i.openingFloat.begin(), i.openingFloat.end(),
                     [&](const Money& m) { return m.currency() == c.denomination.currency(); }))
      return false;
  }
  for (const auto& m : i.openingFloat) {
    Money sum = Money::zero(m.currency());
    for (const auto& c : i.counted) {
      if (c.denomination.currency() != m.currency()) continue;
      std::int64_t lineMinor = 0;
      if (__builtin_mul_overflow(c.denomination.minor_units(), c.count, &lineMinor)) return false;
      auto next = sum.add(Money{m.currency(), lineMinor});
      if (!next) return false;
      sum = next.value();
    }
    if (sum != m) return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- shift and cash

void CounterEngine::Impl::openShift(const intent::OpenShift& i) {
  setBusy(Busy::Shift);
  auto current = t.ledger().current_shift();
  if (!current.ok()) {
    storageFailure(current.error());
    return;
  }
  if (current.value()) {
    refuse("SHIFT_ALREADY_OPEN", "A shift is already open on this terminal.");
    return;
  }
  for (const auto& m : i.openingFloat) {
    if (m.is_negative()) {
      refuse("AMOUNT_NOT_POSITIVE", "The counted float cannot be negative.");
      return;
    }
  }
  if (!floatCountAddsUp(i)) {
    refuse("FLOAT_COUNT_MISMATCH",
           "The notes and coins counted do not add up to the float of each currency.");
    return;
  }
  ledger::ShiftOpening opening{t.ids().next_id<ledger::ShiftId>(), t.config().terminalId, *user,
                               now(), i.openingFloat};
  // The count itself (the shift row holds the amounts only), written with the shift.
  std::optional<ledger::AuditEvent> count;
  if (!i.counted.empty()) {
    json lines = json::array();
    for (const auto& c : i.counted)
      lines.push_back({{"currency", std::string(c.denomination.currency().code())},
                       {"denominationMinor", c.denomination.minor_units()},
                       {"count", c.count}});
    count =
        ledger::AuditEvent{t.ids().next_id<checkout::EventId>(),
                           std::nullopt,
                           "FLOAT_COUNTED",
                           user->str(),
                           json{{"shiftId", opening.shift_id.to_string()}, {"lines", lines}}.dump(),
                           now()};
  }
  if (auto r = t.ledger().open_shift(opening, count); !r.ok()) {
    if (auto now_open = t.ledger().current_shift(); now_open.ok() && now_open.value()) {
      refreshShift();  // another process opened it meanwhile
      refuse("SHIFT_ALREADY_OPEN", "A shift is already open on this terminal.");
      return;
    }
    storageFailure(r.error());
    return;
  }
  refreshShift();
  refreshRecent();
}

void CounterEngine::Impl::cashMovement(const intent::CashMovement& i) {
  if (blank(i.reason) || i.reason.size() > 200 || checkout::looks_like_card_number(i.reason)) {
    refuse("REASON_REQUIRED", "Say why the cash goes in or out (up to 200 characters).");
    return;
  }
  if (!i.amount.is_positive()) {
    refuse("AMOUNT_NOT_POSITIVE", "The amount must be more than zero.");
    return;
  }
  auto shift = ensureShift();
  if (!shift) return;
  setBusy(Busy::Shift);
  if (i.direction == CashDirection::PaidOut) {
    if (auto r = t.ledger().record_paid_out(ledger::CashPaidOut{
            t.ids().next_id<ledger::PaidOutId>(), *shift, i.amount, *user, i.reason, now()});
        !r.ok()) {
      storageFailure(r.error());
      return;
    }
  } else {
    if (auto r = t.ledger().record_paid_in(ledger::CashPaidIn{
            t.ids().next_id<ledger::PaidInId>(), *shift, i.amount, *user, i.reason, now()});
        !r.ok()) {
      storageFailure(r.error());
      return;
    }
  }
  // The drawer opens for the cash; its opening is recorded when it really opens.
  if (auto pulse = drivers::build_drawer_pulse(t.printerProfile()); pulse.ok()) {
    auto pulsed = printer.print(drivers::PrintJob{drivers::JobKind::kDrawerPulse,
                                                  drivers::Copy::kOriginal, "CASH-" + i.reason,
                                                  user->str(), "PAID", std::move(pulse).value()});
    if (pulsed.outcome.result == drivers::JobResult::kPrinted)
      (void)t.ledger().record_drawer_opening(
          ledger::DrawerOpening{t.ids().next_id<ledger::DrawerOpeningId>(), *shift, *user,
                                ledger::DrawerReason::PaidOut, std::nullopt, i.reason, now()});
  }
}

void CounterEngine::Impl::openDrawer(const intent::OpenDrawer& i,
                                     const std::vector<UserId>& approvers) {
  if (blank(i.reason) || i.reason.size() > 200 || checkout::looks_like_card_number(i.reason)) {
    refuse("REASON_REQUIRED", "A no-sale opening needs a reason (up to 200 characters).");
    return;
  }
  const bool needsApproval = t.config().shift.noSaleRequiresApproval;
  if (needsApproval && approvers.empty()) {
    beginApproval(checkout::ElevationAction::PoOverride, "Open the drawer (no sale) · " + i.reason,
                  std::nullopt, "", 1, ApprovalPurpose{ApprovalPurpose::NoSale{i.reason}});
    return;
  }
  auto shift = ensureShift();
  if (!shift) return;
  setBusy(Busy::Shift);
  auto pulse = drivers::build_drawer_pulse(t.printerProfile());
  if (!pulse.ok()) {
    refuse("DRAWER_NOT_SUPPORTED", "This printer profile has no cash drawer.");
    return;
  }
  auto pulsed =
      printer.print(drivers::PrintJob{drivers::JobKind::kDrawerPulse, drivers::Copy::kOriginal,
                                      "NOSALE-" + checkout::format_compact_utc(now()), user->str(),
                                      "NO_SALE", std::move(pulse).value()});
  if (pulsed.outcome.result != drivers::JobResult::kPrinted) {
    refuse("DRAWER_DID_NOT_OPEN",
           pulsed.advisorMessage.empty() ? "The drawer did not open." : pulsed.advisorMessage);
    return;
  }
  std::string note = i.reason;
  if (!approvers.empty()) note += " (approved by " + approvers.front().str() + ")";
  if (auto r = t.ledger().record_drawer_opening(
          ledger::DrawerOpening{t.ids().next_id<ledger::DrawerOpeningId>(), *shift, *user,
                                ledger::DrawerReason::NoSale, std::nullopt, note, now()});
      !r.ok())
    storageFailure(r.error());
}

// ---------------------------------------------------------------- X and Z

std::variant<ReportView, NoShiftOpen, ledger::LedgerError> readXReport(Terminal& t) {
  auto current = t.ledger().current_shift();
  if (!current.ok()) return current.error();
  if (!current.value()) return NoShiftOpen{};
  auto x = t.ledger().x_report(current.value()->shift_id);
  if (!x.ok()) return x.error();
  auto report = makeReportView(x.value(), {}, t.timeZone());
  report.floatCounted = !current.value()->opening_float.empty();
  return report;
}

void CounterEngine::Impl::xReport(const intent::XReport& i) {
  setBusy(Busy::Shift);
  auto read = readXReport(t);
  if (const auto* error = std::get_if<ledger::LedgerError>(&read)) {
    storageFailure(*error);
    return;
  }
  if (std::holds_alternative<NoShiftOpen>(read)) {
    refuse("SHIFT_NOT_OPEN", "No shift is open.");
    return;
  }
  view.report = std::get<ReportView>(std::move(read));
  if (i.print) printText(view.report->text, "REPORT-" + view.report->shiftId + "-X");
}

void CounterEngine::Impl::closeShift(const intent::CloseShift& i,
                                     const std::vector<UserId>& approvers) {
  auto current = t.ledger().current_shift();
  if (!current.ok()) {
    storageFailure(current.error());
    return;
  }
  if (!current.value()) {
    refuse("SHIFT_NOT_OPEN", "No shift is open.");
    return;
  }
  const auto shift = *current.value();
  setBusy(Busy::Shift);
  auto x = t.ledger().x_report(shift.shift_id);
  if (!x.ok()) {
    storageFailure(x.error());
    return;
  }
  // Counted cash: every currency of the shift's cash must be counted, each once.
  for (const auto& c : i.countedCash) {
    if (c.is_negative()) {
      refuse("AMOUNT_NOT_POSITIVE", "Counted cash cannot be negative.");
      return;
    }
  }
  std::vector<std::string> why;
  std::vector<std::string> whyText;
  for (const auto& section : x.value().currencies) {
    const auto counted =
        std::find_if(i.countedCash.begin(), i.countedCash.end(),
                     [&](const Money& m) { return m.currency() == section.currency; });
    // A currency nobody counted shows no difference (the Z says so); a counted one is judged.
    if (counted == i.countedCash.end()) continue;
    auto diff = counted->subtract(section.cash_expected);
    if (!diff) continue;
    auto magnitude = diff->is_negative() ? diff->negated() : diff;
    if (magnitude && magnitude.value().compare(cashTolerance(t.config(), section.currency)) ==
                         std::strong_ordering::greater) {
      if (why.empty() || why.back() != "CASH_DIFFERENCE_OVER_TOLERANCE")
        why.push_back("CASH_DIFFERENCE_OVER_TOLERANCE");
      whyText.push_back(std::string(section.currency.code()) + " difference " + money(*diff));
    }
  }
  const auto depth = view.queue.depth;
  if (depth > 0) {
    why.push_back("SHIFT_HAS_UNSYNCED_ITEMS");
    whyText.push_back(std::to_string(depth) + " item(s) not yet synced");
  }
  if (!why.empty() && approvers.empty()) {
    std::string what = "Close the shift · ";
    for (std::size_t k = 0; k < whyText.size(); ++k) what += (k ? ", " : "") + whyText[k];
    beginApproval(checkout::ElevationAction::PoOverride, what, std::nullopt, why.front(), 1,
                  ApprovalPurpose{ApprovalPurpose::CloseShift{i.countedCash, i.print, why}});
    refuse(why.front(), why.front() == "SHIFT_HAS_UNSYNCED_ITEMS"
                            ? "Items are not yet synced. A supervisor may approve closing anyway."
                            : "The counted cash differs from the expected by more than the "
                              "tolerance. A supervisor must approve.");
    return;
  }
  std::vector<std::string> approvals;
  for (const auto& a : approvers) {
    for (const auto& w : why) {
      approvals.push_back(w == "SHIFT_HAS_UNSYNCED_ITEMS"
                              ? "closed with unsynced items, approved by " + a.str()
                              : "cash difference over tolerance, approved by " + a.str());
      (void)t.ledger().record_audit(ledger::AuditEvent{
          t.ids().next_id<checkout::EventId>(), std::nullopt, "SHIFT_CLOSE_APPROVED", a.str(),
          json{{"shiftId", shift.shift_id.to_string()}, {"why", w}, {"closedBy", user->str()}}
              .dump(),
          now()});
    }
  }
  auto z =
      t.ledger().close_shift(ledger::ShiftClosing{shift.shift_id, *user, now(), i.countedCash});
  if (!z.ok()) {
    storageFailure(z.error());
    return;
  }
  // The Z's text says who closed it, when, and where.
  view.report = makeReportView(z.value(), approvals, t.timeZone());
  view.report->closedBy = *user;
  view.report->floatCounted = !shift.opening_float.empty();
  std::ostringstream tail;
  tail << "closed " << t.localTimeText(z.value().closed_at.value_or(now())) << " by " << user->str()
       << " on terminal " << t.config().terminalId << "\n";
  if (shift.opening_float.empty()) tail << "opening float not counted\n";
  view.report->text += tail.str();
  if (i.print) printText(view.report->text, "REPORT-" + view.report->shiftId + "-Z");
  refreshShift();
  refreshRecent();
}

// ---------------------------------------------------------------- reprints

void CounterEngine::Impl::reprint(const intent::ReprintReceipt& i,
                                  std::vector<checkout::Approval> approvals,
                                  std::optional<checkout::Checkout> replayed) {
  auto found = t.ledger().find_receipt(i.receipt);
  if (!found.ok() || !found.value()) {
    refuse("RECEIPT_NOT_FOUND", "No such receipt.");
    return;
  }
  const auto record = *found.value();
  if (!replayed) {
    replayed = replayCheckout(record.checkout_id);
    if (!replayed) return;
  }
  auto& co = *replayed;
  setBusy(Busy::Reprinting);

  // The receipt's reprintPolicy: the backend's when online (kept for offline), else the last
  // one seen; the built-in one only for a receipt the backend never described.
  std::optional<SeenReprintPolicy> policy;
  if (backendUp && t.billing()) {
    auto r = t.billing()->receiptsByInvoice(who(), record.invoice_id.to_string());
    noteOutcome(r.outcome);
    if (r.ok()) {
      for (const auto& rr : *r.value) {
        if (rr.receiptId != record.receipt_id.to_string()) continue;
        json body{{"remainingReprints", rr.reprintPolicy.remainingReprints},
                  {"requiresReasonCode", rr.reprintPolicy.requiresReasonCode},
                  {"requiresElevation", rr.reprintPolicy.requiresElevation}};
        if (!rr.reprintPolicy.windowEndsAt.empty())
          body["windowEndsAt"] = rr.reprintPolicy.windowEndsAt;
        cache.putReprintPolicy(rr.receiptId, body, now());
      }
    }
  }
  policy = cache.reprintPolicy(record.receipt_id.to_string());
  if (!policy)
    policy = SeenReprintPolicy{
        checkout::ReprintPolicy{2, record.created_at + std::chrono::hours(24 * 30), true, true},
        record.created_at};

  auto reasons = cache.reasonCodes(ReasonCategory::Reprint);
  checkout::ReprintReceipt command{*user,
                                   record.receipt_id,
                                   policy->policy,
                                   policy->seenAt,
                                   i.reasonCode,
                                   reasons.all().empty() ? nullptr : &reasons,
                                   std::move(approvals)};
  // Every check that needs no supervisor first: a refused reprint leaves no grant, no token
  // use and nothing queued. That includes the copy's delivery (may this person print this
  // receipt at all), so a reprint is never recorded that its requester may not then print.
  if (auto refusal = co.check_reprint_request(command, *roster, now())) {
    refuse(*refusal);
    return;
  }
  if (auto refusal = co.check_delivery(
          checkout::RecordDelivery{*user, record.receipt_id, std::nullopt,
                                   ledger::DeliveryChannel::Print, ledger::DeliveryStatus::Sent, "",
                                   std::nullopt, false},
          *roster)) {
    refuse(*refusal);
    return;
  }
  if (policy->policy.requires_elevation && command.approvals.empty()) {
    beginApproval(checkout::ElevationAction::ReceiptReprint,
                  "Reprint " + record.receipt_reference + " · reason " + i.reasonCode, std::nullopt,
                  i.reasonCode, 1,
                  ApprovalPurpose{ApprovalPurpose::Reprint{i.receipt, i.reasonCode}});
    pending->replayed = std::move(co);
    return;
  }
  auto ctx = context();
  auto decision = co.reprint_receipt(command, ctx);
  if (!decision.accepted()) {
    refuse(*decision.refusal);
    return;
  }
  const auto* reprinted = findEvent<checkout::ReceiptReprinted>(decision.events);
  if (!reprinted) {
    refuse("REPRINT_NOT_RECORDED", "The reprint was not recorded.");
    return;
  }
  bool online = false;
  for (const auto& a : reprinted->approvals)
    online = online || a.method == checkout::ApprovalMethod::Online;
  std::vector<sync::OutboxMessage> messages;
  if (online && t.billing()) {
    // The token is single use and never stored: the reprint is posted now, directly.
    sync::ReprintRequest request;
    request.reprintId = reprinted->reprint_id.to_string();
    request.reasonCode = reprinted->reason_code;
    request.requestedByUserId = reprinted->requested_by.str();
    for (const auto& a : command.approvals) {
      sync::Approval out;
      if (const auto* token = std::get_if<std::reference_wrapper<checkout::OnlineElevation>>(&a)) {
        out.approverUserId = token->get().approver.str();
        out.elevationToken = sync::SecretToken(std::string(token->get().token.reveal()));
      } else {
        const auto& grantId = std::get<checkout::OfflineGrantId>(a);
        for (const auto& g : co.offline_grants()) {
          if (g.grant_id != grantId) continue;
          out.approverUserId = g.approver.str();
          out.offlineGrantId = grantId.to_string();
          out.grantedAt = checkout::format_rfc3339(g.granted_at);
        }
      }
      request.approvals.push_back(std::move(out));
    }
    auto r = t.billing()->reprintReceipt(who(), record.receipt_id.to_string(), request);
    for (auto& a : command.approvals)
      if (auto* token = std::get_if<std::reference_wrapper<checkout::OnlineElevation>>(&a))
        token->get().token.wipe();
    noteOutcome(r.outcome);
    if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal) {
      refuse(r.outcome.code(), "The backend refused the reprint.");
      return;
    }
    if (!r.outcome.ok()) messages.push_back(reprintMessage(record.checkout_id, *reprinted));
  } else {
    messages.push_back(reprintMessage(record.checkout_id, *reprinted));
  }
  std::optional<UserId> approver;
  if (!reprinted->approvals.empty()) approver = reprinted->approvals.front().approver;
  auto shift = ensureShift();
  if (!shift) return;
  if (auto r = t.ledger().record_reprint(
          ledger::ReprintRecord{reprinted->reprint_id, reprinted->receipt_id, *shift,
                                reprinted->reprint_number, reprinted->reason_code, *user, approver,
                                reprinted->at},
          messages, decision.events);
      !r.ok()) {
    storageFailure(r.error());
    return;
  }
  // Always "REPRINT n", never DUPLICATE: nothing in the contract selects it (see CopyMark).
  const CopyMark copy{"REPRINT " + std::to_string(reprinted->reprint_number), reprinted->at,
                      user->str(), reprinted->reason_code};
  auto content = renderer.content(co, record.receipt_id, copy);
  auto rendered =
      renderer.render(content, std::stoi(record.template_version), escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered)) {
    refuse("RECEIPT_TEMPLATE_FAILED", "The receipt template could not be used.", *err);
    return;
  }
  auto& text = std::get<RenderedReceiptText>(rendered);
  auto attempt = attemptPrint(
      co, record, reprinted->reprint_id,
      drivers::PrintJob{drivers::JobKind::kReceipt, drivers::Copy::kReprint,
                        record.receipt_reference + "#R" + std::to_string(reprinted->reprint_number),
                        user->str(), reprinted->reason_code, text.bytes});
  if (!attempt) return;
  const auto status = attempt->status;
  const auto& printed = attempt->printed;
  if (auto again = t.ledger().find_receipt(record.receipt_id); again.ok() && again.value()) {
    view.receipt = receiptView(*again.value());
    view.receipt->printerMessage =
        status == ledger::DeliveryStatus::Sent ? "" : printed.advisorMessage;
  }
}

// ---------------------------------------------------------------- finding receipts

void CounterEngine::Impl::findReceipts(const intent::FindReceipts& i) {
  view.receipts.clear();
  std::vector<checkout::ReceiptId> ids;
  auto query = i.query;
  while (!query.empty() && (query.back() == ' ' || query.back() == '\n' || query.back() == '\r'))
    query.pop_back();
  auto& db = t.database();
  const auto collect = [&](const sync::Statement& row) {
    if (auto id = checkout::ReceiptId::parse(row.text(0))) ids.push_back(*id);
  };
  if (auto prefix = receiptIdPrefixFor(query)) {
    if (auto found = receiptsWithIdPrefix(db, *prefix); found.ok()) ids = found.value();
  } else if (query.empty()) {
    if (!view.shift) return;
    auto& st = db.statement(
        "SELECT r.receipt_id FROM receipt AS r JOIN checkout AS c ON c.checkout_id = r.checkout_id "
        "WHERE c.shift_id = ?1 ORDER BY r.chain_seq DESC LIMIT 100");
    (void)st.bind(view.shift->shiftId).for_each(collect);
  } else {
    auto& st = db.statement(
        "SELECT r.receipt_id FROM receipt AS r JOIN checkout AS c ON c.checkout_id = r.checkout_id "
        "WHERE r.receipt_reference = ?1 OR r.receipt_id = ?1 OR c.invoice_number = ?1 "
        "OR c.work_order_id = ?1 OR r.invoice_id = ?1 ORDER BY r.chain_seq DESC LIMIT 100");
    (void)st.bind(query).for_each(collect);
  }
  for (const auto& id : ids) {
    if (auto found = t.ledger().find_receipt(id); found.ok() && found.value())
      view.receipts.push_back(receiptView(*found.value()));
  }
  if (!query.empty() && view.receipts.empty())
    refuse("RECEIPT_NOT_FOUND", "No receipt for " + query + ".");
  if (view.receipts.size() == 1) view.receipt = view.receipts.front();
}

// ---------------------------------------------------------------- sync and the queue

void CounterEngine::Impl::retrySync(const intent::RetrySync& i) {
  setBusy(Busy::Syncing);
  const auto at = now();
  if (i.item) {
    auto r = t.ledger().outbox().force_retry(*i.item, at);
    if (!r.ok() || !r.value()) {
      refuse("QUEUE_ITEM_NOT_FOUND", "No queued or refused item with that number.");
      return;
    }
  } else {
    (void)t.ledger().outbox().force_retry_all(at);
  }
  if (replicator) {
    replicator->resume();
    replicator->wake();
  } else if (t.online()) {
    if (auto conn = t.openConnection(); conn.ok()) {
      sync::ReplicatorConfig rc;
      rc.http = t.httpConfig();
      rc.pull = sync::SnapshotPull::Off;
      sync::Replicator drain(std::move(conn).value(), rc);
      drain.runUntilEmpty(std::chrono::seconds(10));
      backendUp = drain.status().online;
    }
  }
}

void CounterEngine::Impl::resolveQueueItem(const intent::ResolveQueueItem& i,
                                           const std::vector<UserId>& approvers) {
  if (approvers.empty()) {
    beginApproval(checkout::ElevationAction::PoOverride,
                  "Resolve queue item " + std::to_string(i.item) +
                      (i.resolution == QueueResolution::Retry ? " · retry" : " · adjusted"),
                  std::nullopt, "", 1,
                  ApprovalPurpose{ApprovalPurpose::ResolveQueue{i.item, i.resolution, i.notes}});
    return;
  }
  // The billing domain's policy for a payment the backend refuses (409/422): the money was
  // taken at the counter, so it stays in the ledger as taken, needs attention, and a supervisor
  // settles it: RETRY once the backend is fixed, or ADJUSTED with the refund given as a new
  // adjustment row (never an edit of the payment).
  auto item = t.ledger().outbox().find(i.item);
  if (!item.ok() || !item.value()) {
    refuse("QUEUE_ITEM_NOT_FOUND", "No queue item with that number.");
    return;
  }
  sync::OutboxResolution resolution{i.resolution == QueueResolution::Retry
                                        ? sync::OutboxResolutionKind::Retry
                                        : sync::OutboxResolutionKind::Adjusted,
                                    approvers.front().str(), now(), std::nullopt};
  if (i.resolution == QueueResolution::Adjusted) {
    const auto& it = *item.value();
    auto body = json::parse(it.body, nullptr, false);
    auto paymentId = checkout::BillingPaymentId::parse(it.idempotency_key);
    auto amount =
        body.is_object() && body.contains("amount")
            ? checkout::money_from_json(body["amount"])
            : checkout::Result<Money, std::string>(checkout::fail(std::string("no amount")));
    if (it.kind != sync::OutboxKind::Payment || !paymentId || !amount.ok()) {
      refuse("ADJUSTMENT_NOT_POSSIBLE", "Only a refused payment can be settled by an adjustment.");
      return;
    }
    const auto adjustment = t.ids().next_id<ledger::AdjustmentId>();
    auto negated = amount.value().negated();
    if (auto r = t.ledger().record_adjustment(
            ledger::PaymentAdjustment{adjustment, *paymentId, negated ? *negated : amount.value(),
                                      "REFUND_AFTER_REFUSAL", approvers.front(), now()});
        !r.ok()) {
      storageFailure(r.error());
      return;
    }
    resolution.adjustment_id = adjustment.to_string();
  }
  auto resolved = t.ledger().outbox().resolve(i.item, resolution);
  if (!resolved.ok() || resolved.value() != sync::ResolveOutcome::Resolved) {
    refuse("QUEUE_ITEM_NOT_NEEDING_ATTENTION", "That item does not need a supervisor.");
    return;
  }
  (void)t.ledger().record_audit(ledger::AuditEvent{
      t.ids().next_id<checkout::EventId>(), std::nullopt, "QUEUE_ITEM_RESOLVED",
      approvers.front().str(),
      json{{"item", i.item},
           {"resolution", i.resolution == QueueResolution::Retry ? "RETRY" : "ADJUSTED"},
           {"by", user->str()}}
          .dump(),
      now()});
  if (i.resolution == QueueResolution::Retry) retrySync(intent::RetrySync{i.item});
}

// ---------------------------------------------------------------- printers

void CounterEngine::Impl::listPrinters() {
  setBusy(Busy::Printers);
  view.printers.clear();
  for (const auto& p : printer.discover()) {
    const std::string status =
        p.status.ok() ? std::string(p.status.status.can_print() ? "READY" : "NOT_READY")
                      : std::string(drivers::link_error_code(p.status.error));
    view.printers.push_back(
        PrinterListItem{drivers::to_string(p.uri), p.description, p.profile, status, p.problem});
  }
}

void CounterEngine::Impl::printTestPage() {
  // IT's: a supervisor signed in (the screen hides it from everyone else).
  if (!userMay(checkout::Permission::AuthElevate)) {
    refuse("PERMISSION_MISSING", "Only a supervisor may print a test page.");
    return;
  }
  setBusy(Busy::Printing);
  auto page = drivers::build_test_page(
      t.printerProfile(), drivers::TestPageFacts{printer.describe(), t.config().printer.uri,
                                                 t.config().terminalId, t.localTimeText(now())});
  if (!page.ok()) {
    refuse("TEST_PAGE_FAILED", "The test page could not be made.", page.error().message);
    return;
  }
  auto printed = printer.print(drivers::PrintJob{
      drivers::JobKind::kTestPage, drivers::Copy::kOriginal,
      "TEST-" + checkout::format_compact_utc(now()), user->str(), "TEST", std::move(page).value()});
  if (printed.outcome.result != drivers::JobResult::kPrinted)
    refuse("PRINTER_UNAVAILABLE", printed.advisorMessage);
}

// ---------------------------------------------------------------- reports

void CounterEngine::Impl::printText(const std::string& text, const std::string& reference) {
  escpos::Encoder e(t.printerProfile());
  e.initialize();
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) e.paragraph(line);
  e.cut(escpos::Cut::Partial);
  auto printed =
      printer.print(drivers::PrintJob{drivers::JobKind::kReport, drivers::Copy::kOriginal,
                                      reference, user->str(), "REPORT", e.take_bytes()});
  if (printed.outcome.result != drivers::JobResult::kPrinted)
    refuse("PRINTER_UNAVAILABLE", printed.advisorMessage);
}

ReportView makeReportView(const ledger::ShiftReport& rep, std::vector<std::string> approvals,
                          const ShopTimeZone& zone) {
  ReportView v;
  v.z = rep.kind == ledger::ReportKind::Z;
  v.shiftId = rep.shift_id.to_string();
  v.openedAt = rep.opened_at;
  v.closedAt = rep.closed_at;
  v.reprints = rep.reprint_count;
  v.noSaleOpenings = static_cast<std::int64_t>(rep.no_sale_openings.size());
  v.unsyncedPayments = rep.unsynced.count;
  v.oldestUnsynced = rep.unsynced.oldest_captured_at;
  for (const auto& u : rep.unsynced.by_currency) v.unsyncedByCurrency.push_back(u.total);
  for (const auto& a : rep.approvers)
    v.approvers.push_back(
        ReportView::ApproverActivity{a.approver, a.overrides_approved, a.reprints_approved});
  v.chainHead = rep.chain_head;
  v.approvals = std::move(approvals);
  std::ostringstream s;
  s << (v.z ? "Z REPORT (shift closed)" : "X REPORT") << "\n";
  s << "shift " << v.shiftId << " opened " << zone.format(rep.opened_at) << "\n";
  for (const auto& c : rep.currencies) {
    CurrencyReportView cv;
    cv.currency = c.currency;
    cv.paymentCount = c.payment_count;
    cv.paymentsTotal = c.payments_total;
    for (const auto& tt : c.tenders)
      cv.tenders.push_back(
          TenderTotalView{std::string(ledger::to_string(tt.tender)), tt.count, tt.total});
    cv.openingFloat = c.opening_float;
    cv.cashTaken = c.cash_taken;
    cv.changeGiven = c.change_given;
    cv.paidIn = c.paid_in;
    cv.paidOut = c.paid_out;
    cv.cashExpected = c.cash_expected;
    cv.cashCounted = c.cash_counted;
    cv.cashDifference = c.cash_difference;
    s << "\n"
      << c.currency.code() << ": " << c.payment_count << " payments, " << money(c.payments_total)
      << "\n";
    for (const auto& tt : c.tenders)
      s << "  " << ledger::to_string(tt.tender) << ": " << tt.count << " " << money(tt.total)
        << "\n";
    s << "  float " << money(c.opening_float) << ", paid in " << money(c.paid_in) << ", paid out "
      << money(c.paid_out) << "\n";
    s << "  cash expected " << money(c.cash_expected);
    if (c.cash_counted) s << ", counted " << money(*c.cash_counted);
    if (c.cash_difference) s << ", difference " << money(*c.cash_difference);
    s << "\n";
    v.currencies.push_back(std::move(cv));
  }
  s << "\nreprints " << rep.reprint_count << ", no-sale openings " << rep.no_sale_openings.size()
    << ", unsynced payments " << rep.unsynced.count << "\n";
  for (const auto& a : rep.approvers)
    s << "approver " << a.approver.str() << ": overrides " << a.overrides_approved << ", reprints "
      << a.reprints_approved << "\n";
  for (const auto& a : v.approvals) s << a << "\n";
  s << "chain head " << rep.chain_head << "\n";
  v.text = s.str();
  return v;
}

}  // namespace pos::app
