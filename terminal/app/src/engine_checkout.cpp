// The counter engine's checkout, step by step, as an advisor works.
//
// Sections: sign-in and lock-out · opening an invoice (online, else the offline cache; a
// walked-away checkout resumed) · evaluation · PO capture · override request · approvals
// (online elevation, offline PIN check, the shift's own) · payment · receipt delivery ·
// persisting the domain's events · the checkout's view
//
// Offline-first: everything is written to the ledger (and its outbox messages) before anything
// is sent; with a backend, the invoice and the rule evaluation are asked online, elevation is
// online (the token is held in memory only and sent directly, never queued). When the backend
// does not answer, the same checkout goes on from the offline cache within the offline limits.
// Every check that does not need a supervisor runs before a supervisor's PIN is asked for,
// and everything typed at the counter is validated before anything leaves the terminal.
#include <pos/app/contract_mapping.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/drivers/test_page.hpp>
#include <pos/ledger/po_lookup.hpp>

#include <fstream>
#include <sstream>

#include "engine_impl.hpp"
#include "ledger_lookups.hpp"

namespace pos::app {

using nlohmann::json;

namespace {

ledger::DeliveryStatus deliveryStatusOf(const drivers::JobOutcome& o) {
  switch (o.result) {
    case drivers::JobResult::kPrinted:
      return ledger::DeliveryStatus::Sent;
    case drivers::JobResult::kPossiblyPrinted:
      return ledger::DeliveryStatus::PossiblyPrinted;
    case drivers::JobResult::kFailed:
      return ledger::DeliveryStatus::Failed;
  }
  return ledger::DeliveryStatus::Failed;
}

ReceiptOutcome outcomeOf(ledger::DeliveryStatus s) {
  switch (s) {
    case ledger::DeliveryStatus::Pending:
      return ReceiptOutcome::Pending;
    case ledger::DeliveryStatus::Sent:
      return ReceiptOutcome::Sent;
    case ledger::DeliveryStatus::Failed:
      return ReceiptOutcome::Failed;
    case ledger::DeliveryStatus::PossiblyPrinted:
      return ReceiptOutcome::PossiblyPrinted;
    case ledger::DeliveryStatus::Bounced:
      return ReceiptOutcome::Bounced;
  }
  return ReceiptOutcome::Pending;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

std::string money(const Money& m) {
  return checkout::format(m, checkout::MoneyFormat::Screen);
}

}  // namespace

// Approver and operator lock-outs survive restarts (BILL-DEC-010): rebuilt from the ledger's PIN
// attempts and lockouts. A failed read refuses the PIN check (fail closed), never skips it.
std::optional<checkout::ApproverLockouts> lockoutsFromLedger(
    ledger::Ledger& ledger, const std::vector<checkout::UserId>& users, checkout::Timestamp now) {
  checkout::ApproverLockouts lockouts;
  for (const auto& u : users) {
    auto state = ledger.approver_pin_state(u);
    if (!state.ok()) return std::nullopt;
    if (const auto& lock = state.value().latest_lockout)
      lockouts.apply(checkout::ApproverLockedOut{u, lock->locked_at, lock->locked_until});
    for (int i = 0; i < state.value().failures_since_last_success_or_lockout; ++i) {
      lockouts.apply(checkout::PinAttemptFailed{u, checkout::ElevationAction::PoOverride,
                                                state.value().last_failure_at.value_or(now)});
    }
  }
  return lockouts;
}

// ---------------------------------------------------------------- sign-in and lock-out

CounterEngine::Impl::PinCheck CounterEngine::Impl::checkPin(
    const UserId& who, std::string_view purpose, const std::function<bool()>& verifier,
    const std::optional<PinAttemptEvents>* attemptEvents) {
  PinCheck out;
  if (!t.ledgerProblem().empty()) {
    // The ledger failed its start-up check and takes no writes: a person may still sign in to
    // read (reports, the queue) with the lock-out honoured, and nothing is recorded.
    auto locks = lockoutsFromLedger(t.ledger(), {who}, now());
    if (!locks) return out;
    if (locks->locked_out(who, now())) {
      out.result = PinResult::LockedOut;
      out.lockedUntil = locks->locked_until(who);
      return out;
    }
    out.result = verifier() ? PinResult::Right : PinResult::Wrong;
    out.triesLeft = checkout::kWrongPinsBeforeLockout - locks->wrong_pins_in_a_row(who);
    return out;
  }
  auto start = t.ledger().begin_pin_attempt(who, purpose, now());
  if (!start.ok()) return out;  // fail closed: no verifier runs without the count
  if (const auto* locked = std::get_if<ledger::PinLockedOut>(&start.value())) {
    out.result = PinResult::LockedOut;
    out.lockedUntil = locked->until;
    return out;
  }
  const auto ticket = std::get<ledger::PinAttemptTicket>(start.value());
  const bool right = verifier();
  const PinAttemptEvents* events = attemptEvents && *attemptEvents ? &**attemptEvents : nullptr;
  auto finished = t.ledger().finish_pin_attempt(
      ticket, right ? ledger::PinOutcome::Succeeded : ledger::PinOutcome::Failed, now(),
      events ? std::optional(events->checkout) : std::nullopt,
      events ? ledger::Ledger::Events(events->events) : ledger::Ledger::Events{});
  out.result = right ? PinResult::Right : PinResult::Wrong;
  out.triesLeft = right
                      ? checkout::kWrongPinsBeforeLockout
                      : std::max(0, checkout::kWrongPinsBeforeLockout - ticket.failures_before - 1);
  if (finished.ok() && finished.value()) {
    out.lockedUntil = finished.value()->locked_until;
    out.triesLeft = 0;
  }
  return out;
}

void CounterEngine::Impl::signIn(intent::SignIn& i) {
  setBusy(Busy::SigningIn);
  if (!loadRoster(true)) {
    refuse("ROSTER_MALFORMED", "There is no staff list on this terminal yet. Ask IT to sync it.");
    return;
  }
  view.signIn = SignInView{i.user, checkout::kWrongPinsBeforeLockout, std::nullopt,
                           view.signIn.wrongPinCount};
  const auto* staff = roster->find(i.user);
  const auto check = checkPin(i.user, "SIGN_IN", [&] {
    return staff && checkout::pin_matches(staff->pin_verifier, i.pin);
  });
  i.pin.wipe();
  const auto at = now();
  switch (check.result) {
    case PinResult::Right:
      break;
    case PinResult::Unavailable:
      refuse("STORAGE_FAILED", "The terminal could not read the sign-in state; try again.", {},
             RefusalKind::Storage);
      return;
    case PinResult::LockedOut:
      view.signIn.triesLeft = 0;
      view.signIn.lockedUntil = check.lockedUntil;
      refuse("SIGN_IN_LOCKED_OUT", "Too many wrong PINs. Sign-in is locked for a while.");
      return;
    case PinResult::Wrong:
      view.signIn.triesLeft = check.triesLeft;
      view.signIn.lockedUntil = check.lockedUntil;
      ++view.signIn.wrongPinCount;
      refuse("SIGN_IN_DENIED", "The operator or PIN is not right.");
      return;
  }
  user = i.user;
  lastActivity = at;
  SignedIn s;
  s.id = i.user;
  s.displayName = staff->display_name;
  s.permissions = staff->permissions;
  s.paymentLimits = staff->payment_limits;
  if (staff->payment_limit) s.paymentLimits.push_back(*staff->payment_limit);
  s.noPaymentLimit = s.paymentLimits.empty();
  s.since = at;
  s.idleSignOutAt = at + idleSignOut;
  view.user = s;
  view.signIn = SignInView{};
  if (view.recovered) {  // a person has now been told: the notice is kept in the event log
    t.log().warn("checkout.in_flight_at_start",
                 {{"checkoutId", view.recovered->checkoutId},
                  {"billingPaymentId", view.recovered->billingPaymentId}});
    std::error_code ec;
    std::filesystem::remove(t.paths().data / kInFlightFile, ec);
  }
  refreshShift();
  refreshRecent();
  refreshReasonCodes();
  t.log().info("operator.signed_in", {{"userId", i.user.str()}});
}

void CounterEngine::Impl::signOut(std::string_view why) {
  if (user)
    t.log().info("operator.signed_out", {{"userId", user->str()}, {"why", std::string(why)}});
  if (pending) pending.reset();
  open.reset();
  user.reset();
  view.user.reset();
  view.checkout.reset();
  view.approval.reset();
  view.receipt.reset();
  view.report.reset();
  view.receipts.clear();
}

// ---------------------------------------------------------------- opening an invoice

void CounterEngine::Impl::openCheckout(const intent::OpenCheckout& i) {
  const std::string code = trimmed(i.code);
  if (code.empty() || code.size() > 64) {
    refuse("WORK_ORDER_INVALID", "Type or scan a work order number.");
    return;
  }
  // A scanned receipt barcode (or a typed receipt reference) opens that receipt.
  if (code.rfind("RCP-", 0) == 0 || receiptIdPrefixFor(code)) {
    findReceipts(intent::FindReceipts{code});
    return;
  }
  if (open && open->workOrder == code) {
    refreshInvoice();
    return;
  }
  closeCheckout();
  openInvoice(code);
}

void CounterEngine::Impl::refreshInvoice() {
  if (!open) {
    refuse("NO_CHECKOUT", "Open a work order first.");
    return;
  }
  const std::string wo = open->workOrder;
  open.reset();
  view.checkout.reset();
  openInvoice(wo);
}

void CounterEngine::Impl::closeCheckout() {
  open.reset();
  view.checkout.reset();
  view.receipt.reset();
}

std::optional<ledger::ShiftId> CounterEngine::Impl::ensureShift() {
  auto current = t.ledger().current_shift();
  if (!current.ok()) {
    storageFailure(current.error());
    return std::nullopt;
  }
  if (current.value()) return current.value()->shift_id;
  // A payment taken with no shift open opens one without a counted float (its X and Z say so).
  ledger::ShiftOpening opening{
      t.ids().next_id<ledger::ShiftId>(), t.config().terminalId, *user, now(), {}};
  if (auto opened = t.ledger().open_shift(opening); !opened.ok()) {
    // Another process on this data directory opened the shift meanwhile: that one is used.
    if (auto now_open = t.ledger().current_shift(); now_open.ok() && now_open.value()) {
      refreshShift();
      return now_open.value()->shift_id;
    }
    storageFailure(opened.error());
    return std::nullopt;
  }
  refreshShift();
  return opening.shift_id;
}

bool CounterEngine::Impl::openInvoice(const std::string& workOrder) {
  if (!t.ledgerProblem().empty()) {
    refuse("LEDGER_NOT_SOUND", t.ledgerProblem(), {}, RefusalKind::Storage);
    return false;
  }
  setBusy(Busy::LoadingInvoice);
  std::string invoiceJson;
  bool found = false;
  if (backendUp && t.billing()) {
    sync::RequestIdentity id = who();
    auto r = t.billing()->invoiceByWorkOrder(id, workOrder);
    noteOutcome(r.outcome);
    if (r.outcome.ok()) {
      invoiceJson = r.outcome.body;
      auto body = json::parse(invoiceJson, nullptr, false);
      if (!body.is_discarded()) cache.putInvoice(body, now());
      found = true;
    } else if (r.outcome.outcome == sync::OutcomeClass::NotFound) {
      refuse("INVOICE_NOT_FOUND", "No invoice for work order " + workOrder + ".");
      return false;
    } else if (r.outcome.outcome == sync::OutcomeClass::ConfigurationProblem) {
      refuse(r.outcome.code(),
             "The backend refused the terminal's token. Check the token file (" +
                 t.config().backend.tokenFile.string() + ").",
             {}, RefusalKind::Configuration);
      return false;
    }
  }
  if (!found) {
    auto cached = cache.invoiceByWorkOrder(workOrder);
    if (!cached) {
      refuse("INVOICE_NOT_FOUND", "No invoice for work order " + workOrder + " on this terminal.");
      return false;
    }
    invoiceJson = *cached;
  }

  // The invoice's copy does not show the payments this terminal took and has not synced yet:
  // they are added, with the balance lowered, so the same money is never taken twice and each
  // receipt of the invoice gets its own sequence number.
  auto invoice = json::parse(invoiceJson, nullptr, false);
  std::optional<Money> backendBalance;
  std::vector<checkout::BillingPaymentId> backendListed;
  if (!invoice.is_discarded()) {
    cleanOutsideStrings(invoice);  // the receipt reference and the stored text stay clean
    invoiceJson = invoice.dump();
    if (invoice.is_object() && invoice.contains("balanceDue"))
      if (auto b = checkout::money_from_json(invoice["balanceDue"]); b.ok())
        backendBalance = b.value();
    if (invoice.is_object() && invoice.contains("payments") && invoice["payments"].is_array())
      for (const auto& p : invoice["payments"])
        if (p.is_object() && p.contains("billingPaymentId") && p["billingPaymentId"].is_string())
          if (auto id = checkout::BillingPaymentId::parse(p["billingPaymentId"].get<std::string>()))
            backendListed.push_back(*id);
  }
  if (!invoice.is_discarded() && invoice.is_object() && invoice.contains("invoiceId") &&
      invoice["invoiceId"].is_string()) {
    auto taken =
        ledger::payments_taken_on_invoice(t.database(), invoice["invoiceId"].get<std::string>());
    if (!taken.ok()) {
      storageFailure(ledger::LedgerError{ledger::LedgerErrorCode::Storage, taken.error().message,
                                         taken.error()});
      return false;
    }
    json& payments = invoice["payments"];
    json& balance = invoice["balanceDue"];
    const bool balanceUsable = balance.is_object() && balance.contains("amountMinor") &&
                               balance["amountMinor"].is_number_integer() &&
                               balance.contains("currency") && balance["currency"].is_string();
    bool changed = false;
    if (payments.is_array()) {
      for (const auto& p : taken.value()) {
        bool listed = false;
        for (const auto& known : payments)
          listed = listed || (known.is_object() &&
                              known.value("billingPaymentId", "") == p.billing_payment_id);
        if (listed) continue;
        payments.push_back({{"billingPaymentId", p.billing_payment_id},
                            {"amount", {{"currency", p.currency}, {"amountMinor", p.amount_minor}}},
                            {"tender", p.tender},
                            {"capturedAt", checkout::format_rfc3339(p.captured_at)}});
        if (balanceUsable && balance["currency"] == p.currency)
          balance["amountMinor"] = balance["amountMinor"].get<std::int64_t>() - p.amount_minor;
        changed = true;
      }
    }
    if (changed) invoiceJson = invoice.dump();
  }

  auto shift = ensureShift();
  if (!shift) return false;
  auto ctx = context();
  auto started = checkout::Checkout::start(
      checkout::StartCheckout{*user, *checkout::TerminalId::parse(t.config().terminalId),
                              invoiceJson},
      ctx);
  if (!started.ok()) {
    refuse(started.error());
    return false;
  }

  // A checkout walked away from stays what the ledger says: its captured PO (or override) is
  // still there when the same invoice is opened again, as long as nothing was paid since.
  std::optional<checkout::Checkout> resumed;
  if (auto last = latestCheckoutOnInvoice(
          t.database(), started.value().checkout.invoice().invoice_id.to_string());
      last.ok() && last.value()) {
    if (auto events = t.ledger().load_events(*last.value()); events.ok()) {
      if (auto replayed = checkout::Checkout::replay(events.value()); replayed.ok()) {
        auto& r = replayed.value();
        const bool satisfied = r.po().has_value() || r.po_override().has_value();
        if (satisfied && r.balance_due() == started.value().checkout.balance_due() &&
            r.stage() != checkout::CheckoutStage::PaidInFull)
          resumed.emplace(std::move(r));
      }
    }
  }

  if (resumed) {
    open.emplace(Open{std::move(*resumed), workOrder, *shift, {}, {}, {}, {}, {}, {}});
  } else {
    open.emplace(
        Open{std::move(started.value().checkout), workOrder, *shift, {}, {}, {}, {}, {}, {}});
    if (auto r = t.ledger().record_checkout(checkoutRecord(open->co, *shift, *user, now()),
                                            started.value().events);
        !r.ok()) {
      storageFailure(r.error());
      open.reset();
      return false;
    }
  }
  open->backendBalance = backendBalance;
  open->backendListed = backendListed;
  for (const auto& p : open->co.invoice().payments) {
    PaymentView v;
    v.billingPaymentId = p.billing_payment_id.to_string();
    v.amount = p.amount;
    v.tenderText = p.tender;
    v.thisCheckout = false;
    v.capturedAt = p.captured_at;
    open->earlier.push_back(v);
  }
  std::vector<checkout::UserId> everyone;
  for (const auto& staff : roster->staff()) everyone.push_back(staff.user_id);
  if (auto locks = lockoutsFromLedger(t.ledger(), everyone, now())) lockouts = *locks;
  t.log().info("checkout.started", {{"checkoutId", open->co.id().to_string()},
                                    {"invoiceId", open->co.invoice().invoice_id.to_string()},
                                    {"workOrderId", workOrder},
                                    {"resumed", resumed.has_value()},
                                    {"correlationId", correlation()}});
  if (!evaluate()) {
    refreshCheckoutView();
    return false;
  }
  refreshCheckoutView();
  return true;
}

// ---------------------------------------------------------------- evaluation

bool CounterEngine::Impl::evaluate(std::optional<Money> chargeAmount) {
  setBusy(Busy::Evaluating);
  const auto& inv = open->co.invoice();
  auto rules = cache.rules(inv.customer_account_id.str());
  std::optional<checkout::BillingRuleEvaluation> evaluation;
  if (backendUp && t.billing()) {
    sync::EvaluateRequest request{inv.invoice_id.to_string(), inv.customer_account_id.str(),
                                  std::nullopt};
    if (chargeAmount)
      request.chargeAmount = sync::ContractMoney{std::string(chargeAmount->currency().code()),
                                                 chargeAmount->minor_units()};
    auto r = t.billing()->evaluate(who(), open->co.id().to_string(), request);
    noteOutcome(r.outcome);
    if (r.outcome.ok()) {
      auto body = json::parse(r.outcome.body, nullptr, false);
      auto parsed = checkout::parse_rule_evaluation(body.is_discarded() ? json() : body);
      if (!parsed.ok()) {
        refuse(parsed.error());
        return false;
      }
      evaluation = parsed.value();
      // Terminal-side: offline elevation stays as the cached rules say.
      evaluation->offline_elevation_allowed = rules && rules->offline_elevation_allowed;
      // The backend says "no rules" with a BLOCKING message: blocked until an override, never
      // satisfied by just typing some PO (billing-api.md, rules 404).
      for (const auto& m : evaluation->messages)
        if (m.code == "BILLING_RULES_MISSING") evaluation->rules_missing = true;
      // The credit left, for a partial charge: limit - balance (the terminal's own unsynced
      // charges are counted at payment).
      if (!evaluation->credit_available && rules && rules->credit_limit && rules->account_balance &&
          rules->credit_limit->currency() == rules->account_balance->currency()) {
        if (auto left = rules->credit_limit->subtract(*rules->account_balance))
          evaluation->credit_available = *left;
      }
    } else if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal) {
      refuse(r.outcome.code(), "The backend refused the rule evaluation.");
      return false;
    }
  }
  if (!evaluation) evaluation = checkout::evaluate_offline(rules, inv);
  auto ctx = context();
  auto decision = open->co.evaluate(*user, *evaluation, ctx);
  if (!persist(decision.events)) return false;
  if (!decision.accepted()) {
    refuse(*decision.refusal);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- PO capture

void CounterEngine::Impl::capturePo(const intent::CapturePo& i) {
  if (!open) {
    refuse("NO_CHECKOUT", "Open a work order first.");
    return;
  }
  // Write-once: the same PO again (a resumed checkout, a scanner's repeat) is already there; a
  // different one is refused by the domain (PO_ALREADY_CAPTURED).
  if (const auto& captured = open->co.po();
      captured && captured->po_number == checkout::normalize_po(i.poNumber))
    return;
  setBusy(Busy::CapturingPo);
  // The uniqueness scope offline (and before the backend re-checks on sync): the POs this
  // terminal's ledger has captured on the account.
  auto known =
      ledger::pos_known_on_account(t.database(), open->co.invoice().customer_account_id.str());
  if (!known.ok()) {
    storageFailure(ledger::LedgerError{ledger::LedgerErrorCode::Storage, known.error().message,
                                       known.error()});
    return;
  }
  auto ctx = context();
  auto decision =
      open->co.capture_po(checkout::CapturePo{*user, i.poNumber, std::move(known).value()}, ctx);
  if (!decision.accepted()) {
    refuse(*decision.refusal);
    return;
  }
  // Online, the backend checks the PO (its format, and its uniqueness across every terminal of
  // the shop) before any money is taken: a refusal stops here with nothing recorded. The outbox
  // message made afterwards replays the same request (same key, same body). Unreachable: the
  // checkout goes on offline and the backend re-checks on sync.
  if (backendUp && t.billing()) {
    for (const auto& event : decision.events) {
      const auto* po = std::get_if<checkout::PoCaptured>(&event);
      if (!po) continue;
      open->poKey = t.ids().next().to_string();
      const auto message = poMessage(open->co.id(), *po, open->poKey);
      const auto body = json::parse(message.body);
      sync::PoCaptureRequest request{body.at("poNumber").get<std::string>(),
                                     body.at("capturedByUserId").get<std::string>(),
                                     body.at("capturedAt").get<std::string>()};
      auto r = t.billing()->capturePo(who(), open->co.id().to_string(), open->poKey, request);
      noteOutcome(r.outcome);
      if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal) {
        // The domain applied the PO to this checkout already: rebuild it from the ledger.
        if (auto events = t.ledger().load_events(open->co.id()); events.ok()) {
          if (auto replayed = checkout::Checkout::replay(events.value()); replayed.ok())
            open->co = std::move(replayed).value();
        }
        refuse(r.outcome.code(), "The backend refused the PO.");
        refreshCheckoutView();
        return;
      }
    }
  }
  persist(decision.events);
  refreshCheckoutView();
}

// ---------------------------------------------------------------- override request

void CounterEngine::Impl::requestOverride(const intent::RequestOverride& i) {
  if (!open) {
    refuse("NO_CHECKOUT", "Open a work order first.");
    return;
  }
  auto reasons = cache.reasonCodes(ReasonCategory::PoOverride);
  checkout::OverridePo request{
      *user, i.reasonCode, i.notes, {}, reasons.all().empty() ? nullptr : &reasons};
  if (auto refusal = open->co.check_override_request(request, *roster)) {
    refuse(*refusal);
    return;
  }
  beginApproval(checkout::ElevationAction::PoOverride,
                "Override PO requirement · " + open->co.invoice().invoice_number + " · reason " +
                    i.reasonCode,
                std::nullopt, i.reasonCode, static_cast<int>(open->co.override_approvers_needed()),
                ApprovalPurpose{ApprovalPurpose::Override{i.reasonCode, i.notes}});
}

// ---------------------------------------------------------------- approvals

void CounterEngine::Impl::beginApproval(checkout::ElevationAction action, std::string what,
                                        std::optional<Money> amount, std::string reasonCode,
                                        int needed, ApprovalPurpose purpose) {
  Pending p{{}, std::move(purpose), {}, std::nullopt, {}};
  p.shown.action = action;
  p.shown.what = std::move(what);
  p.shown.amount = amount;
  p.shown.reasonCode = std::move(reasonCode);
  p.shown.needed = needed;
  const bool checkoutAction = std::holds_alternative<ApprovalPurpose::Override>(p.purpose.what) ||
                              std::holds_alternative<ApprovalPurpose::OverLimit>(p.purpose.what) ||
                              std::holds_alternative<ApprovalPurpose::Reprint>(p.purpose.what);
  p.shown.online = checkoutAction && backendUp && t.billing() != nullptr;
  std::vector<checkout::UserId> supervisors;
  for (const auto& s : roster->staff())
    if (s.permissions.has(checkout::Permission::AuthElevate) && !(s.user_id == *user))
      supervisors.push_back(s.user_id);
  auto locks = lockoutsFromLedger(t.ledger(), supervisors, now());
  if (locks) lockouts = *locks;
  for (const auto& id : supervisors) {
    const auto* s = roster->find(id);
    ApproverState a;
    a.who = StaffMember{id, s->display_name, true};
    a.triesLeft = std::max(0, checkout::kWrongPinsBeforeLockout - lockouts.wrong_pins_in_a_row(id));
    if (lockouts.locked_out(id, now())) {
      a.triesLeft = 0;
      a.lockedUntil = lockouts.locked_until(id);
    }
    p.shown.eligible.push_back(a);
  }
  pending.emplace(std::move(p));
  view.approval = pending->shown;
}

void CounterEngine::Impl::cancelApproval() {
  pending.reset();
  view.approval.reset();
}

void CounterEngine::Impl::submitApproval(intent::SubmitApproval& i) {
  if (!pending || !user) {
    i.pin.wipe();
    refuse("NO_APPROVAL_PENDING", "There is nothing to approve.");
    return;
  }
  auto& p = *pending;
  // An approver is never the operator who asked, and two approvers are two people: checked
  // before the PIN, so no elevation is spent and no grant issued for an approval that cannot
  // count.
  const bool already = std::any_of(p.shown.approvedBy.begin(), p.shown.approvedBy.end(),
                                   [&](const UserId& u) { return u == i.approver; });
  if (i.approver == *user || already) {
    i.pin.wipe();
    refuse("APPROVER_NOT_DISTINCT", i.approver == *user
                                        ? "An approver cannot be the operator who asks."
                                        : "The two approvers must be two people.");
    return;
  }
  setBusy(Busy::Elevating);
  auto locks = lockoutsFromLedger(t.ledger(), {i.approver}, now());
  if (!locks) {
    i.pin.wipe();
    refuse("STORAGE_FAILED", "The terminal could not read the supervisor's lock-out state.");
    return;
  }
  lockouts = *locks;
  const auto markLockout = [&] {
    for (auto& a : p.shown.eligible) {
      if (!(a.who.id == i.approver)) continue;
      a.triesLeft =
          std::max(0, checkout::kWrongPinsBeforeLockout - lockouts.wrong_pins_in_a_row(i.approver));
      if (lockouts.locked_out(i.approver, now())) {
        a.triesLeft = 0;
        a.lockedUntil = lockouts.locked_until(i.approver);
      }
    }
    view.approval = p.shown;
  };
  if (lockouts.locked_out(i.approver, now())) {
    i.pin.wipe();
    markLockout();
    refuse("APPROVER_LOCKED_OUT", "This supervisor is locked out after too many wrong PINs.");
    return;
  }

  checkout::Checkout* co = nullptr;
  if (std::holds_alternative<ApprovalPurpose::Reprint>(p.purpose.what)) {
    co = p.replayed ? &*p.replayed : nullptr;
  } else if (std::holds_alternative<ApprovalPurpose::Override>(p.purpose.what) ||
             std::holds_alternative<ApprovalPurpose::OverLimit>(p.purpose.what)) {
    co = open ? &open->co : nullptr;
  }

  // Checks that need no PIN first: they never count as a wrong PIN.
  const auto* approverStaff = roster->find(i.approver);
  if (!approverStaff || !approverStaff->permissions.has(checkout::Permission::AuthElevate)) {
    i.pin.wipe();
    refuse("ELEVATION_DENIED", "That person cannot approve.");
    return;
  }
  const bool online = co && p.shown.online && backendUp && t.billing();
  if (co && !online) {
    const auto& evaluation = co->evaluation();
    if (!evaluation || !evaluation->offline_elevation_allowed) {
      i.pin.wipe();
      refuse(checkout::refuse(checkout::RefusalCode::OfflineElevationNotAllowed));
      return;
    }
    if (!roster->fresh_at(now())) {
      i.pin.wipe();
      refuse(checkout::refuse(checkout::RefusalCode::RosterStale));
      return;
    }
  }

  // The PIN itself: counted before it is checked, online or offline (one count, one lock-out).
  std::optional<RefusalView> wrong;
  std::optional<PinAttemptEvents> attemptEvents;
  const auto verifier = [&]() -> bool {
    if (!co) return checkout::pin_matches(approverStaff->pin_verifier, i.pin);
    if (online) {
      // Online: the backend checks the PIN and returns a single-use token held in memory only.
      sync::ElevateRequest request{i.approver.str(), sync::SecretToken(std::string(i.pin.reveal())),
                                   co->id().to_string(), p.shown.action};
      auto r = t.billing()->elevate(who(), request);
      noteOutcome(r.outcome);
      if (r.ok()) {
        auto expires = checkout::parse_rfc3339(r.value->expiresAt);
        checkout::OnlineElevation& e = p.elevations.emplace_back(checkout::OnlineElevation{
            i.approver, co->id(), p.shown.action, expires.value_or(now()), now(),
            checkout::SecretText(r.value->elevationToken.reveal()), false});
        p.approvals.emplace_back(std::ref(e));
        return true;
      }
      if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal) {
        RefusalView v;
        v.code = r.outcome.code();
        v.text = r.outcome.code() == "APPROVER_LOCKED_OUT"
                     ? "This supervisor is locked out after too many wrong PINs."
                     : "The supervisor's approval was refused.";
        wrong = v;
        return false;
      }
      p.shown.online = false;  // unreachable: the same PIN is checked offline, same count
    }
    // Offline: the PIN against the roster's Argon2id verifier, with the domain's grant.
    checkout::VerifyApproverPin verify{*user, i.approver, checkout::SecretText(i.pin.reveal()),
                                       p.shown.action};
    auto ctx = context();
    auto decision = co->verify_offline_approver(verify, lockouts, ctx);
    // The domain's events go to the checkout's log; the attempt rows are the ledger's count.
    // A wrong PIN's events (PinAttemptFailed, ApproverLockedOut) are written by
    // finish_pin_attempt with the attempt's outcome, in its transaction.
    if (!decision.accepted()) {
      for (const auto& e : decision.events) lockouts.apply(e);
      attemptEvents = PinAttemptEvents{co->id(), decision.events};
    } else if (open && co == &open->co) {
      if (!persist(decision.events)) return false;
    } else {
      for (const auto& e : decision.events) {
        lockouts.apply(e);
        if (const auto* g = std::get_if<checkout::OfflineGrantIssued>(&e)) {
          std::vector<sync::OutboxMessage> m{offlineGrantMessage(*g)};
          (void)t.ledger().record_offline_grant(offlineGrantRecord(*g), m, std::span(&e, 1));
        } else {
          (void)t.ledger().append_events(co->id(), std::span(&e, 1));
        }
      }
    }
    if (!decision.accepted()) {
      RefusalView v;
      v.code = std::string(decision.refusal->code_text());
      v.text = std::string(decision.refusal->text());
      wrong = v;
      return false;
    }
    for (const auto& event : decision.events)
      if (const auto* g = std::get_if<checkout::OfflineGrantIssued>(&event))
        p.approvals.emplace_back(g->grant_id);
    return true;
  };
  const auto check =
      checkPin(i.approver, co ? (online ? "APPROVAL_ONLINE" : "APPROVAL_OFFLINE") : "APPROVAL",
               verifier, &attemptEvents);
  i.pin.wipe();
  const auto updateTries = [&] {
    for (auto& a : p.shown.eligible) {
      if (!(a.who.id == i.approver)) continue;
      a.triesLeft = check.triesLeft;
      a.lockedUntil = check.lockedUntil;
    }
    view.approval = p.shown;
  };
  switch (check.result) {
    case PinResult::Right:
      break;
    case PinResult::Unavailable:
      refuse("STORAGE_FAILED", "The terminal could not read the supervisor's lock-out state.", {},
             RefusalKind::Storage);
      return;
    case PinResult::LockedOut:
      updateTries();
      refuse("APPROVER_LOCKED_OUT", "This supervisor is locked out after too many wrong PINs.");
      return;
    case PinResult::Wrong:
      ++p.shown.wrongPinCount;
      updateTries();
      if (wrong) {
        refuse(wrong->code, wrong->text);
      } else {
        refuse("ELEVATION_DENIED", "The supervisor's PIN is not right.");
      }
      return;
  }

  p.shown.approvedBy.push_back(i.approver);
  for (auto it = p.shown.eligible.begin(); it != p.shown.eligible.end(); ++it) {
    if (it->who.id == i.approver) {
      p.shown.eligible.erase(it);
      break;
    }
  }
  view.approval = p.shown;
  if (static_cast<int>(p.shown.approvedBy.size()) < p.shown.needed) return;

  // Every approver has approved: do what was asked.
  Pending done = std::move(*pending);
  pending.reset();
  view.approval.reset();
  if (open) open->elevations.splice(open->elevations.end(), done.elevations);
  std::visit(
      [&](auto& what) {
        using W = std::decay_t<decltype(what)>;
        if constexpr (std::is_same_v<W, ApprovalPurpose::Override>) {
          finishOverride(std::move(done.approvals), what);
        } else if constexpr (std::is_same_v<W, ApprovalPurpose::OverLimit>) {
          takePayment(what.payment, done.approvals.front());
        } else if constexpr (std::is_same_v<W, ApprovalPurpose::Reprint>) {
          std::list<checkout::OnlineElevation> keep;  // alive while the reprint is recorded
          keep.splice(keep.end(), done.elevations);
          reprint(intent::ReprintReceipt{what.receipt, what.reasonCode}, std::move(done.approvals),
                  std::move(done.replayed));
        } else if constexpr (std::is_same_v<W, ApprovalPurpose::NoSale>) {
          openDrawer(intent::OpenDrawer{what.reason}, done.shown.approvedBy);
        } else if constexpr (std::is_same_v<W, ApprovalPurpose::CloseShift>) {
          closeShift(intent::CloseShift{what.counted, what.print}, done.shown.approvedBy);
        } else if constexpr (std::is_same_v<W, ApprovalPurpose::ResolveQueue>) {
          resolveQueueItem(intent::ResolveQueueItem{what.item, what.resolution, what.notes},
                           done.shown.approvedBy);
        }
      },
      done.purpose.what);
}

void CounterEngine::Impl::finishOverride(std::vector<checkout::Approval> approvals,
                                         const ApprovalPurpose::Override& asked) {
  if (!open) return;
  setBusy(Busy::RecordingOverride);
  auto reasons = cache.reasonCodes(ReasonCategory::PoOverride);
  checkout::OverridePo command{*user, asked.reasonCode, asked.notes, std::move(approvals),
                               reasons.all().empty() ? nullptr : &reasons};
  auto ctx = context();
  auto decision = open->co.override_po(command, ctx);
  if (!decision.accepted()) {
    for (auto& e : open->elevations) e.token.wipe();
    refuse(*decision.refusal);
    return;
  }
  const auto* overridden = findEvent<checkout::PoOverridden>(decision.events);
  if (!overridden) {
    refuse("OVERRIDE_NOT_RECORDED", "The override was not recorded.");
    return;
  }
  bool allOffline = true;
  for (const auto& a : overridden->approvals)
    allOffline = allOffline && a.method == checkout::ApprovalMethod::Offline;
  if (allOffline) {
    persist(decision.events, {poOverrideMessage(open->co.id(), *overridden)});
    refreshCheckoutView();
    return;
  }
  // Online approvals carry single-use tokens: sent now, directly, never stored in the outbox.
  sync::PoOverrideRequest request;
  request.overrideId = overridden->override_id.to_string();
  request.reasonCode = overridden->reason_code;
  request.notes = overridden->notes;
  request.requestedByUserId = overridden->requested_by.str();
  for (const auto& a : overridden->approvals) {
    sync::Approval out;
    out.approverUserId = a.approver.str();
    if (a.method == checkout::ApprovalMethod::Offline && a.offline_grant_id) {
      out.offlineGrantId = a.offline_grant_id->to_string();
      out.grantedAt = checkout::format_rfc3339(a.granted_at);
    } else {
      for (const auto& e : open->elevations)
        if (e.approver == a.approver && !e.token.empty())
          out.elevationToken = sync::SecretToken(std::string(e.token.reveal()));
    }
    request.approvals.push_back(std::move(out));
  }
  auto r = t.billing()->overridePo(who(), open->co.id().to_string(), request);
  for (auto& e : open->elevations) e.token.wipe();
  open->elevations.clear();
  if (!r.outcome.ok()) {
    noteOutcome(r.outcome);
    if (auto events = t.ledger().load_events(open->co.id()); events.ok()) {
      if (auto replayed = checkout::Checkout::replay(events.value()); replayed.ok())
        open->co = std::move(replayed).value();
    }
    if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal)
      refuse(r.outcome.code(), "The backend refused the override.");
    else
      refuse(r.outcome.code(), "The backend could not be reached to record the online override.",
             {}, RefusalKind::Unreachable);
    refreshCheckoutView();
    return;
  }
  persist(decision.events);
  refreshCheckoutView();
}

// ---------------------------------------------------------------- payment

void CounterEngine::Impl::takePayment(const intent::TakePayment& i,
                                      std::optional<checkout::Approval> overLimit, int attempt) {
  if (!open) {
    refuse("NO_CHECKOUT", "Open a work order first.");
    return;
  }
  const auto& inv = open->co.invoice();
  // Everything typed at the counter is checked before anything is recorded or sent.
  auto amount = checkout::parse_amount(i.amount, inv.currency);
  if (!amount.ok()) {
    refuse(checkout::to_string(amount.error()), checkout::amount_refusal_message(amount.error()));
    return;
  }
  checkout::TenderEntry tender;
  switch (i.tender) {
    case checkout::TenderKind::Cash: {
      std::optional<Money> tendered;
      if (i.tendered && !i.tendered->empty()) {
        auto parsed = checkout::parse_amount(*i.tendered, inv.currency);
        if (!parsed.ok()) {
          refuse(checkout::to_string(parsed.error()),
                 checkout::amount_refusal_message(parsed.error()));
          return;
        }
        tendered = parsed.value();
      }
      tender = checkout::TenderEntry::cash(tendered);
      break;
    }
    case checkout::TenderKind::Check:
      tender = checkout::TenderEntry::check(i.checkNumber);
      break;
    case checkout::TenderKind::CardExternal:
      tender = checkout::TenderEntry::card_external(i.card.value_or(checkout::CardDetails{}));
      break;
    case checkout::TenderKind::Account:
      tender = checkout::TenderEntry::account();
      break;
  }
  if (i.receipt != ReceiptChoice::None && !userMay(checkout::Permission::ReceiptDeliver)) {
    refuse("PERMISSION_MISSING", "You do not have permission to deliver receipts.",
           "billing:receipt:deliver");
    return;
  }
  if (i.receipt == ReceiptChoice::Email) {
    if (auto bad = checkout::check_email_address(i.email)) {
      refuse(*bad);
      return;
    }
  }
  auto unsynced = t.ledger().unsynced_payments();
  if (!unsynced.ok()) {
    storageFailure(unsynced.error());
    return;
  }
  checkout::OfflineExposure exposure;
  for (const auto& c : unsynced.value().by_currency) (void)exposure.unsynced_total.add(c.total);
  exposure.oldest_unsynced_at = unsynced.value().oldest_captured_at;
  std::optional<Money> accountCharges;
  if (i.tender == checkout::TenderKind::Account && backendUp && t.billing() && !i.checkOnly) {
    // Online, the backend judges the credit for the amount being charged (chargeAmount), not
    // for the whole balance: a partial charge that fits is taken (issue 17).
    if (!evaluate(amount.value())) return;
  }
  if (i.tender == checkout::TenderKind::Account) {
    auto charged =
        unsyncedAccountCharges(t.database(), inv.customer_account_id.str(), inv.currency);
    if (!charged.ok()) {
      storageFailure(ledger::LedgerError{ledger::LedgerErrorCode::Storage, charged.error().message,
                                         charged.error()});
      return;
    }
    accountCharges = charged.value();
  }

  checkout::TakePayment command{
      *user,
      amount.value(),
      tender,
      i.receipt == ReceiptChoice::None    ? checkout::ReceiptDelivery::NoReceipt
      : i.receipt == ReceiptChoice::Email ? checkout::ReceiptDelivery::Email
                                          : checkout::ReceiptDelivery::Print,
      backendUp ? checkout::CaptureMode::Online : checkout::CaptureMode::Offline,
      exposure,
      t.config().offlineLimitsParsed(),
      overLimit,
      checkout::permission_from_string(t.config().counter.paymentPermission),
      accountCharges};
  if (i.checkOnly) {
    if (auto refusal = open->co.check_payment_entry(command, *roster, now())) refuse(*refusal);
    return;
  }
  auto ctx = context();
  auto decision = open->co.take_payment(command, ctx);
  if (!decision.accepted()) {
    if (decision.refusal->code == checkout::RefusalCode::PaymentOverLimit && !overLimit) {
      const auto* staff = signedInStaff();
      const auto limit = staff ? staff->limit_in(inv.currency) : std::nullopt;
      beginApproval(checkout::ElevationAction::PaymentOverLimit,
                    "Payment of " + money(amount.value()) + " over " + user->str() + "'s limit" +
                        (limit && limit->is_positive() ? " of " + money(*limit) : "") + " · " +
                        inv.invoice_number,
                    amount.value(), "", 1, ApprovalPurpose{ApprovalPurpose::OverLimit{i}});
      view.refusal.reset();
      return;
    }
    persist(decision.events);
    refuse(*decision.refusal);
    return;
  }
  if (!t.ledgerProblem().empty()) {
    refuse("LEDGER_NOT_SOUND", t.ledgerProblem(), {}, RefusalKind::Storage);
    return;
  }
  setBusy(Busy::TakingPayment);
  const checkout::PaymentCaptured* payment = nullptr;
  const checkout::ReceiptIssued* receipt = nullptr;
  std::vector<checkout::CheckoutEvent> others;
  for (const auto& e : decision.events) {
    if (const auto* p = std::get_if<checkout::PaymentCaptured>(&e))
      payment = p;
    else if (const auto* r = std::get_if<checkout::ReceiptIssued>(&e))
      receipt = r;
    else
      others.push_back(e);
  }
  if (!payment || !receipt) {
    refuse("CAPTURE_INCOMPLETE", "The payment was not captured.");
    return;
  }
  if (!persist(others)) return;

  auto content = renderer.content(open->co, receipt->receipt_id, std::nullopt);
  auto rendered = renderer.render(content, std::nullopt, escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered)) {
    refuse("RECEIPT_TEMPLATE_FAILED", "The receipt template could not be used.", *err);
    return;
  }
  auto& receiptText = std::get<RenderedReceiptText>(rendered);
  ledger::PaymentCapture capture{
      paymentRecord(*payment, open->shift),
      receiptRecord(*receipt, open->co.id(), receiptText.templateId, receiptText.templateVersion,
                    receiptText.text),
      ledger::AuditEvent{t.ids().next_id<checkout::EventId>(), open->co.id(), "PAYMENT_CAPTURED",
                         user->str(),
                         json{{"billingPaymentId", payment->billing_payment_id.to_string()},
                              {"receiptId", receipt->receipt_id.to_string()}}
                             .dump(),
                         payment->at},
      std::nullopt,  // the drawer's opening is recorded when the drawer really opens
      {paymentMessage(*payment), receiptMessage(*receipt, open->co.id(), receiptText.templateId,
                                                receiptText.templateVersion, receiptText.text)},
      {*payment, *receipt}};
  // The balance is checked again inside the capture's own transaction against every payment
  // this terminal holds on the invoice, whatever waited in between (a supervisor's PIN, another
  // process paying the same invoice): never taken twice (issue 12).
  {
    if (open->backendBalance)
      capture.balance_guard =
          ledger::BalanceGuard{inv.invoice_id, *open->backendBalance, open->backendListed};
  }
  // The checkout in flight, written before the money is recorded and removed once the advisor
  // has been told: a process killed in between leaves it, and the next start says what the
  // ledger holds of it, so nobody takes the money again (issue 12).
  const auto inFlight = t.paths().data / kInFlightFile;
  const std::string inFlightText = json{
      {"checkoutId", open->co.id().to_string()},
      {"invoiceNumber", inv.invoice_number},
      {"workOrderId", open->workOrder},
      {"billingPaymentId", payment->billing_payment_id.to_string()},
      {"receiptId", receipt->receipt_id.to_string()},
      {"amount", checkout::money_to_json(payment->amount)},
      {"at", checkout::format_rfc3339(
                 payment->at)}}.dump();
  (void)writePrivateFile(
      inFlight,
      std::span(reinterpret_cast<const std::uint8_t*>(inFlightText.data()), inFlightText.size()));
  auto captured = t.ledger().record_capture(capture);
  if (!captured.ok()) {
    // After a storage error the outcome is looked up, never guessed: a payment that was
    // committed is reported as taken (with its ids), so nobody takes the money again.
    const auto code = captured.error().code;
    // Another process on this data directory took a payment on the same invoice in the same
    // second: its receipt holds this reference (nothing of ours was written). The invoice is
    // opened again, so its balance and the receipt's sequence count that payment, and the
    // payment is taken again from the top (bounded).
    if (code == ledger::LedgerErrorCode::ReceiptReferenceTaken && attempt < 3) {
      const std::string workOrder = open->workOrder;
      t.log().warn("ledger.receipt_reference_taken", {{"correlationId", correlation()}});
      open.reset();
      if (openInvoice(workOrder)) takePayment(i, overLimit, attempt + 1);
      std::error_code ec;
      std::filesystem::remove(inFlight, ec);
      return;
    }
    if (code == ledger::LedgerErrorCode::AmountExceedsBalance) {
      refuse("AMOUNT_EXCEEDS_BALANCE",
             "This terminal already holds payments on this invoice that leave no room for this "
             "one. Refresh the invoice.");
      std::error_code ec;
      std::filesystem::remove(inFlight, ec);
      const std::string workOrder = open->workOrder;
      open.reset();
      openInvoice(workOrder);
      refuse("AMOUNT_EXCEEDS_BALANCE",
             "This terminal already holds payments on this invoice that leave no room for this "
             "one. The invoice was refreshed.");
      return;
    }
    if (code == ledger::LedgerErrorCode::LedgerNotSound) {
      refuse("LEDGER_NOT_SOUND", "The ledger failed its check; no payment can be recorded.", {},
             RefusalKind::Storage);
      return;
    }
    // After a storage error the outcome is looked up, never guessed.
    const auto state = t.ledger().capture_state(payment->billing_payment_id);
    if (state != ledger::CaptureState::Recorded) {
      const bool unknown = state == ledger::CaptureState::Unknown;
      if (auto events = t.ledger().load_events(open->co.id()); events.ok()) {
        if (auto replayed = checkout::Checkout::replay(events.value()); replayed.ok())
          open->co = std::move(replayed).value();
      }
      t.log().error("ledger.capture_failed",
                    {{"code", std::string(ledger::to_string(captured.error().code))},
                     {"billingPaymentId", payment->billing_payment_id.to_string()},
                     {"recorded", unknown ? "UNKNOWN" : "NO"},
                     {"correlationId", correlation()}});
      refuse(unknown ? "CAPTURE_OUTCOME_UNKNOWN" : "STORAGE_FAILED",
             unknown ? "The terminal cannot tell whether payment " +
                           payment->billing_payment_id.to_string() +
                           " was recorded. Do not take the money again; ask IT to check the queue."
                     : "The terminal could not record this payment; it was NOT taken.",
             captured.error().message, RefusalKind::Storage);
      refreshCheckoutView();
      return;
    }
  }
  t.log().info("payment.captured",
               {{"checkoutId", open->co.id().to_string()},
                {"invoiceId", inv.invoice_id.to_string()},
                {"billingPaymentId", payment->billing_payment_id.to_string()},
                {"receiptId", receipt->receipt_id.to_string()},
                {"capturedOffline", vocabulary::captured_offline(payment->capture_mode)},
                {"correlationId", correlation()}});
  const auto paymentId = payment->billing_payment_id;
  const auto receiptId = receipt->receipt_id;
  const bool cash = payment->tender.kind == checkout::TenderKind::Cash;
  open->lastReceipt = receiptId;
  if (replicator) replicator->wake();

  // The receipt's delivery, recorded before it is attempted.
  if (auto record = t.ledger().find_receipt(receiptId); record.ok() && record.value())
    view.receipt = receiptView(*record.value());
  if (i.receipt == ReceiptChoice::Print) {
    deliverByPrint(receiptId, false);
  } else if (i.receipt == ReceiptChoice::Email) {
    deliverByEmail(receiptId, i.email);
  } else if (view.receipt) {
    view.receipt->outcome = ReceiptOutcome::Suppressed;
  }

  // The cash drawer opens for every cash sale, whatever the receipt choice, as its own job; the
  // ledger records the opening only when the printer took the pulse.
  if (cash) {
    if (auto pulse = drivers::build_drawer_pulse(t.printerProfile()); pulse.ok()) {
      auto pulsed = printer.print(drivers::PrintJob{drivers::JobKind::kDrawerPulse,
                                                    drivers::Copy::kOriginal, paymentId.to_string(),
                                                    user->str(), "SALE", std::move(pulse).value()});
      if (pulsed.outcome.result == drivers::JobResult::kPrinted) {
        (void)t.ledger().record_drawer_opening(
            ledger::DrawerOpening{t.ids().next_id<ledger::DrawerOpeningId>(), open->shift, *user,
                                  ledger::DrawerReason::Sale, paymentId, "", now()});
      } else {
        (void)t.ledger().record_audit(ledger::AuditEvent{
            t.ids().next_id<checkout::EventId>(), open->co.id(), "DRAWER_DID_NOT_OPEN", user->str(),
            json{{"billingPaymentId", paymentId.to_string()},
                 {"reason", std::string(drivers::failure_reason_code(pulsed.outcome.reason))}}
                .dump(),
            now()});
      }
    }
  }
  if (!options.backgroundSync && backendUp && t.online()) {
    // The command line's checkout drains what it queued, as before (bounded).
    setBusy(Busy::Syncing);
    if (auto conn = t.openConnection(); conn.ok()) {
      sync::ReplicatorConfig rc;
      rc.http = t.httpConfig();
      rc.pull = sync::SnapshotPull::Off;
      sync::Replicator drain(std::move(conn).value(), rc);
      drain.runUntilEmpty(std::chrono::seconds(5));
    }
  }
  refreshCheckoutView();
  refreshRecent();
  std::error_code ec;
  std::filesystem::remove(inFlight, ec);
}

// What a killed process left in flight, as the next start tells it (the counter's first
// screen and `queue`).
std::optional<InFlightNotice> inFlightNotice(Terminal& t) {
  const auto file = t.paths().data / kInFlightFile;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto j = json::parse(text.str(), nullptr, false);
  if (!j.is_object()) return std::nullopt;
  InFlightNotice n;
  n.checkoutId = j.value("checkoutId", "");
  n.invoiceNumber = j.value("invoiceNumber", "");
  n.billingPaymentId = j.value("billingPaymentId", "");
  const auto receiptId = checkout::ReceiptId::parse(j.value("receiptId", ""));
  std::optional<ledger::ReceiptRecord> recorded;
  if (receiptId) {
    if (auto found = t.ledger().find_receipt(*receiptId); found.ok()) recorded = found.value();
  }
  std::string amount;
  if (auto m = checkout::money_from_json(j.value("amount", json())); m.ok())
    amount = checkout::format(m.value(), checkout::MoneyFormat::Screen);
  if (recorded) {
    n.receiptReference = recorded->receipt_reference;
    n.text = "The terminal stopped during a checkout of " + n.invoiceNumber + ": the payment of " +
             amount + " WAS recorded (receipt " + recorded->receipt_reference +
             "). Do not take it again; reprint the receipt if the customer has none.";
  } else {
    n.text = "The terminal stopped during a checkout of " + n.invoiceNumber + ": the payment of " +
             amount + " was NOT recorded. Check with the customer before taking it.";
  }
  return n;
}

// ---------------------------------------------------------------- receipt delivery

void CounterEngine::Impl::retryPrint(const intent::RetryPrint& i) {
  auto id = i.receipt ? i.receipt : (open ? open->lastReceipt : std::nullopt);
  if (!id) {
    refuse("NO_RECEIPT", "There is no receipt to print.");
    return;
  }
  deliverByPrint(*id, true);
}

void CounterEngine::Impl::emailReceipt(const intent::EmailReceipt& i) {
  auto id = i.receipt ? i.receipt : (open ? open->lastReceipt : std::nullopt);
  if (!id) {
    refuse("NO_RECEIPT", "There is no receipt to e-mail.");
    return;
  }
  deliverByEmail(*id, i.address);
}

void CounterEngine::Impl::printOriginal(const intent::PrintReceipt& i) {
  deliverByPrint(i.receipt, true);
}

void CounterEngine::Impl::deliverByPrint(const checkout::ReceiptId& id, bool retry) {
  const bool byTerminal = options.principal == EngineOptions::Principal::Terminal;
  if (!byTerminal && !userMay(checkout::Permission::ReceiptDeliver)) {
    refuse("PERMISSION_MISSING", "You do not have permission to deliver receipts.",
           "billing:receipt:deliver");
    return;
  }
  auto found = t.ledger().find_receipt(id);
  if (!found.ok() || !found.value()) {
    refuse("RECEIPT_NOT_FOUND", "No such receipt.");
    return;
  }
  const auto record = *found.value();
  auto co = replayCheckout(record.checkout_id);
  if (!co) return;
  setBusy(Busy::Printing);
  auto content = renderer.content(*co, id, std::nullopt);
  auto rendered =
      renderer.render(content, std::stoi(record.template_version), escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered)) {
    refuse("RECEIPT_TEMPLATE_FAILED", "The receipt template could not be used.", *err);
    return;
  }
  auto& text = std::get<RenderedReceiptText>(rendered);
  auto attempt = attemptPrint(
      *co, record, std::nullopt,
      drivers::PrintJob{drivers::JobKind::kReceipt, drivers::Copy::kOriginal,
                        record.receipt_reference, byTerminal ? "-" : user->str(),
                        byTerminal ? "PRINT" : (retry ? "RETRY" : "SALE"), text.bytes});
  if (!attempt) return;
  const auto status = attempt->status;
  const auto& reason = attempt->reason;
  const auto& printed = attempt->printed;
  if (auto again = t.ledger().find_receipt(id); again.ok() && again.value())
    view.receipt = receiptView(*again.value());
  if (view.receipt) {
    view.receipt->outcome = outcomeOf(status);
    view.receipt->channel = "PRINT";
    view.receipt->failureReason = status == ledger::DeliveryStatus::Sent ? "" : reason;
    view.receipt->printerMessage = printed.refusedNeedsCopyMark
                                       ? "This receipt may have printed already. Check the "
                                         "printer's output; use Reprint for a copy."
                                       : printed.advisorMessage;
  }
  if (status != ledger::DeliveryStatus::Sent)
    t.log().warn("receipt.print_failed", {{"receiptId", id.to_string()}, {"reason", reason}});
}

const checkout::Roster& CounterEngine::Impl::rosterOrNone() const {
  static const checkout::Roster kNoStaff{{}, Timestamp{}, std::chrono::seconds{0}};
  return roster ? *roster : kNoStaff;
}

std::optional<checkout::Checkout> CounterEngine::Impl::replayCheckout(
    const checkout::CheckoutId& id) {
  auto events = t.ledger().load_events(id);
  if (!events.ok()) {
    storageFailure(events.error());
    return std::nullopt;
  }
  auto co = checkout::Checkout::replay(events.value());
  if (!co.ok()) {
    refuse(co.error());
    return std::nullopt;
  }
  return std::move(co).value();
}

std::optional<CounterEngine::Impl::PrintAttempt> CounterEngine::Impl::attemptPrint(
    checkout::Checkout& co, const ledger::ReceiptRecord& record,
    std::optional<checkout::ReprintId> reprint, drivers::PrintJob job) {
  // With the terminal as principal (IT's `receipt print` on the box) no one is signed in: the
  // terminal delivers the original it issued, which the domain allows for originals only.
  const bool byTerminal = options.principal == EngineOptions::Principal::Terminal;
  checkout::RecordDelivery delivery{byTerminal ? terminalUser() : *user,
                                    record.receipt_id,
                                    reprint,
                                    ledger::DeliveryChannel::Print,
                                    ledger::DeliveryStatus::Sent,
                                    "",
                                    t.ids().next_id<checkout::DeliveryId>(),
                                    byTerminal};
  if (auto refusal = co.check_delivery(delivery, rosterOrNone())) {
    refuse(*refusal);
    return std::nullopt;
  }
  if (auto r = t.ledger().record_delivery(
          ledger::ReceiptDelivery{*delivery.delivery_id, record.receipt_id,
                                  ledger::DeliveryChannel::Print, delivery.operator_id, now()},
          {});
      !r.ok()) {
    storageFailure(r.error());
    return std::nullopt;
  }
  PrintAttempt a;
  a.printed = printer.print(std::move(job));
  a.status = deliveryStatusOf(a.printed.outcome);
  a.reason = a.status == ledger::DeliveryStatus::Sent
                 ? std::string()
                 : std::string(drivers::failure_reason_code(a.printed.outcome.reason));
  if (a.printed.refusedNeedsCopyMark) {
    // The spooler refused a second original: nothing printed now, but one may have before.
    a.status = ledger::DeliveryStatus::PossiblyPrinted;
    a.reason = "ORIGINAL_ALREADY_PRINTED";
  }
  delivery.outcome = a.status;
  delivery.failure_reason = a.reason;
  checkout::CounterContext ctx{rosterOrNone(), now(), t.ids(), t.random()};
  auto decision = co.record_delivery(delivery, ctx);
  if (!decision.accepted()) {
    // Checked before printing; only a failure reason that looks like a card number gets here.
    refuse(*decision.refusal);
    return std::nullopt;
  }
  std::vector<sync::OutboxMessage> m{
      deliveryMessage(co.id(), record.receipt_id, *delivery.delivery_id,
                      ledger::DeliveryChannel::Print, std::nullopt, a.status, ctx.now)};
  if (auto r = t.ledger().record_delivery_outcome(
          ledger::DeliveryOutcome{*delivery.delivery_id, a.status, a.reason, ctx.now}, m,
          decision.events);
      !r.ok()) {
    storageFailure(r.error());
    return std::nullopt;
  }
  if (replicator) replicator->wake();
  return a;
}

void CounterEngine::Impl::deliverByEmail(const checkout::ReceiptId& id,
                                         const std::string& address) {
  if (!userMay(checkout::Permission::ReceiptDeliver)) {
    refuse("PERMISSION_MISSING", "You do not have permission to deliver receipts.",
           "billing:receipt:deliver");
    return;
  }
  if (auto bad = checkout::check_email_address(address)) {
    refuse(*bad);
    return;
  }
  auto found = t.ledger().find_receipt(id);
  if (!found.ok() || !found.value()) {
    refuse("RECEIPT_NOT_FOUND", "No such receipt.");
    return;
  }
  // The domain's word on who may deliver which receipt. An e-mail is the backend's to send: its
  // attempt and outcome are the backend's (GET /billing/receipts/{id} says SENT or BOUNCED), so
  // the terminal records the request (PENDING), and no ReceiptDeliveryRecorded of its own.
  auto co = replayCheckout(found.value()->checkout_id);
  if (!co) return;
  const auto deliveryId = t.ids().next_id<checkout::DeliveryId>();
  if (auto refusal = co->check_delivery(
          checkout::RecordDelivery{*user, id, std::nullopt, ledger::DeliveryChannel::Email,
                                   ledger::DeliveryStatus::Pending, "", deliveryId, false},
          *roster)) {
    refuse(*refusal);
    return;
  }
  setBusy(Busy::Emailing);
  // The address goes only into the outbox body (removed once the backend has it).
  std::vector<sync::OutboxMessage> m{deliveryMessage(found.value()->checkout_id, id, deliveryId,
                                                     ledger::DeliveryChannel::Email, address,
                                                     std::nullopt, now())};
  if (auto r = t.ledger().record_delivery(
          ledger::ReceiptDelivery{deliveryId, id, ledger::DeliveryChannel::Email, *user, now()}, m);
      !r.ok()) {
    storageFailure(r.error());
    return;
  }
  if (replicator) replicator->wake();
  view.receipt = receiptView(*found.value());
  view.receipt->outcome = ReceiptOutcome::Pending;
  view.receipt->channel = "EMAIL";
}

ReceiptView CounterEngine::Impl::receiptView(const ledger::ReceiptRecord& record) {
  ReceiptView v;
  v.receiptId = record.receipt_id.to_string();
  v.receiptReference = record.receipt_reference;
  v.paymentType = record.payment_type;
  v.remainingBalance = record.remaining_balance;
  v.text = record.print_text;
  v.createdAt = record.created_at;
  v.outcome = record.delivery == ledger::ReceiptDeliveryChoice::Suppressed
                  ? ReceiptOutcome::Suppressed
                  : ReceiptOutcome::Pending;
  if (auto deliveries = t.ledger().deliveries_of(record.receipt_id);
      deliveries.ok() && !deliveries.value().empty()) {
    const auto& last = deliveries.value().back();
    v.outcome = outcomeOf(last.status);
    v.channel = std::string(ledger::to_string(last.delivery.channel));
    v.failureReason = last.reason;
  }
  // The backend's word on the latest delivery it acknowledged wins: a bounced e-mail shows as
  // BOUNCED (print or re-send), never as PENDING.
  if (auto backend = backendDeliveryStatus(t.database(), record.receipt_id.to_string());
      backend.ok() && backend.value()) {
    const auto said = vocabulary::parse<ledger::DeliveryStatus>(*backend.value());
    if (said == ledger::DeliveryStatus::Bounced)
      v.outcome = ReceiptOutcome::Bounced;
    else if (said == ledger::DeliveryStatus::Sent && v.outcome == ReceiptOutcome::Pending)
      v.outcome = ReceiptOutcome::Sent;
  }
  if (auto n = t.ledger().reprint_count(record.receipt_id); n.ok())
    v.reprintCount = static_cast<int>(n.value());
  if (auto history = t.ledger().load_checkout(record.checkout_id);
      history.ok() && history.value()) {
    v.invoiceNumber = history.value()->checkout.invoice_number;
    v.workOrderId = history.value()->checkout.work_order_id;
    for (const auto& p : history.value()->payments)
      if (p.payment_id == record.payment_id) v.amount = p.amount;
  }
  if (auto spool = printer.spoolDirectory()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(*spool, ec)) {
      const auto name = entry.path().filename().string();
      if (entry.path().extension() == ".png" &&
          name.find(record.receipt_reference) != std::string::npos)
        v.preview = entry.path();
    }
  }
  v.mayDeliver = userMay(checkout::Permission::ReceiptDeliver);
  v.mayReprint = userMay(checkout::Permission::ReceiptReprint);
  return v;
}

void CounterEngine::Impl::showReceipt(const checkout::ReceiptId& id) {
  auto found = t.ledger().find_receipt(id);
  if (!found.ok() || !found.value()) {
    refuse("RECEIPT_NOT_FOUND", "No such receipt.");
    return;
  }
  view.receipt = receiptView(*found.value());
}

// ---------------------------------------------------------------- persisting events

// Writes what the domain decided: each kind of event with its ledger row (and outbox message),
// the events themselves in the same transaction, so replay never disagrees with the rows.
bool CounterEngine::Impl::persist(const std::vector<checkout::CheckoutEvent>& events,
                                  std::vector<sync::OutboxMessage> overrideMessages) {
  if (events.empty()) return true;
  auto& ledger = t.ledger();
  const auto coId = open->co.id();
  for (const auto& event : events) {
    lockouts.apply(event);
    std::optional<ledger::LedgerError> error;
    const auto keep = [&](auto result) {
      if (!result.ok()) error = result.error();
    };
    const ledger::Ledger::Events one(&event, 1);
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, checkout::RulesEvaluated>) {
            keep(ledger.record_evaluation(
                evaluationRecord(coId, e, t.ids().next_id<checkout::EventId>()), one));
          } else if constexpr (std::is_same_v<E, checkout::PoCaptured>) {
            std::vector<sync::OutboxMessage> m{
                poMessage(coId, e, open->poKey.empty() ? t.ids().next().to_string() : open->poKey)};
            keep(ledger.record_po_capture(poCaptureRecord(coId, e), m, one));
          } else if constexpr (std::is_same_v<E, checkout::PoOverridden>) {
            keep(ledger.record_po_override(poOverrideRecord(coId, e), overrideMessages, one));
          } else if constexpr (std::is_same_v<E, checkout::OfflineGrantIssued>) {
            // The attempt itself is the ledger's count (begin/finish_pin_attempt).
            std::vector<sync::OutboxMessage> m{offlineGrantMessage(e)};
            keep(ledger.record_offline_grant(offlineGrantRecord(e), m, one));
          } else if constexpr (std::is_same_v<E, checkout::OnlineElevationUsed>) {
            // The audit row and the domain's event in one transaction: a crash between two
            // writes would leave an elevation audited that the checkout's log does not know.
            keep(ledger.record_audit(
                ledger::AuditEvent{
                    t.ids().next_id<checkout::EventId>(), coId, "ONLINE_ELEVATION_USED",
                    e.approver.str(),
                    json{{"action", std::string(checkout::to_string(e.action))}}.dump(), e.at},
                one));
          } else {
            keep(ledger.append_events(coId, std::span(&event, 1)));
          }
        },
        event);
    if (error) {
      storageFailure(*error);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- the checkout's view

void CounterEngine::Impl::refreshCheckoutView() {
  if (!open) {
    view.checkout.reset();
    return;
  }
  const auto& co = open->co;
  const auto& inv = co.invoice();
  CheckoutView v;
  v.checkoutId = co.id().to_string();
  v.correlationId = co.correlation_id().to_string();
  v.stage = co.stage();
  v.workOrderId = inv.work_order_id.str();
  v.invoiceId = inv.invoice_id.to_string();
  v.invoiceNumber = inv.invoice_number;
  v.customerName = inv.customer_name;
  v.customerAccountId = inv.customer_account_id.str();
  v.accountType = inv.account_type_text;
  v.status = inv.status_text;
  v.statusKnown = inv.status != checkout::InvoiceStatus::Unknown;
  for (const auto& l : inv.lines)
    v.lines.push_back(InvoiceLineView{l.description, l.quantity, l.unit_price, l.line_total});
  v.subtotal = inv.subtotal;
  v.taxTotal = inv.tax_total;
  v.feeTotal = inv.fee_total;
  v.discountTotal = inv.discount_total;
  v.grandTotal = inv.grand_total;
  v.balanceDue = co.balance_due();
  for (const auto& l : inv.links)
    v.links.push_back(LinkView{l.target_domain, l.target_type, l.target_id});
  if (const auto& e = co.evaluation()) {
    v.evaluated = true;
    v.evaluatedOffline = e->evaluated_offline;
    for (const auto& m : e->messages) {
      std::string severity = m.severity == checkout::MessageSeverity::Info       ? "INFO"
                             : m.severity == checkout::MessageSeverity::Warning  ? "WARNING"
                             : m.severity == checkout::MessageSeverity::Blocking ? "BLOCKING"
                                                                                 : "UNKNOWN";
      v.messages.push_back(EvaluationMessageView{m.code, severity, m.text});
    }
    v.poRequired = e->po_required;
    v.poFormatHint =
        e->po_format_regex ? "Format " + *e->po_format_regex : "3 to 30 letters, digits, - or _";
    v.overrideAllowed = e->override_allowed;
    v.overrideNeedsSecondApprover = e->override_requires_second_approver;
    v.overrideReasonRequired = e->override_reason_code_required;
    v.partialPaymentsAllowed = e->partial_payments_allowed;
    v.chargeAccountEligible = e->charge_account_eligible;
    v.creditAvailable = e->credit_available;
  }
  v.poCompliance = std::string(checkout::to_string(co.po_compliance()));
  v.mayCapturePo = userMay(checkout::Permission::PoCapture);
  v.mayOverridePo = userMay(checkout::Permission::PoOverride);
  v.mayTakePayment = signedInStaff() != nullptr;
  if (const auto& po = co.po()) {
    v.poNumber = po->po_number;
    v.poCapturedBy = po->captured_by;
    v.poCapturedAt = po->at;
  }
  if (const auto& o = co.po_override()) {
    v.overrideReason = o->reason_code;
    for (const auto& a : o->approvals) v.overrideApprovers.push_back(a.approver);
  }
  v.payments = open->earlier;
  // Earlier payments listed on the invoice include this checkout's once they are on it; keep
  // this checkout's own from its events.
  std::erase_if(v.payments, [&](const PaymentView& p) {
    return std::any_of(co.payments().begin(), co.payments().end(), [&](const auto& mine) {
      return mine.billing_payment_id.to_string() == p.billingPaymentId;
    });
  });
  for (const auto& p : co.payments()) {
    PaymentView pv;
    pv.billingPaymentId = p.billing_payment_id.to_string();
    pv.receiptId = p.receipt_id.to_string();
    for (const auto& r : co.receipts())
      if (r.receipt_id == p.receipt_id) pv.receiptReference = r.receipt_reference;
    pv.amount = p.amount;
    pv.tender = p.tender.kind;
    pv.tenderText = tenderText(p.tender);
    pv.change = p.tender.change_given;
    pv.paymentType = p.payment_type;
    pv.capturedOffline = vocabulary::captured_offline(p.capture_mode);
    pv.thisCheckout = true;
    pv.capturedAt = p.at;
    v.payments.push_back(pv);
  }
  view.checkout = std::move(v);
}

}  // namespace pos::app
