// The headless checkout (cli.md "checkout"): one whole checkout, in the order an advisor works.
//
// Sections: results and PINs · CheckoutRun (the steps) · persisting the domain's events ·
// approvals (online elevation, offline PIN check) · the payment and its receipt · run()
//
// Offline-first: everything is written to the ledger (and its outbox messages) before anything
// is sent; with a backend, the invoice and the rule evaluation are asked online, elevation is
// online (the token is held in memory only and sent directly, never queued), and the outbox is
// drained right after the capture. When the backend does not answer, the same checkout goes on
// from the offline cache and the payment is captured offline within the offline limits.
#include <pos/app/services.hpp>

#include <list>

#include <pos/app/contract_mapping.hpp>
#include <pos/app/offline_cache.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/drivers/test_page.hpp>
#include <pos/ledger/po_lookup.hpp>

namespace pos::app {

using nlohmann::json;

// ---------------------------------------------------------------- results and PINs

CommandResult refusedResult(std::string_view code, std::string_view message,
                            const std::string& correlationId, ExitCode exit) {
  CommandResult r;
  r.code = exit;
  r.json = {{"errorCode", std::string(code)},
            {"message", std::string(message)},
            {"correlationId", correlationId.empty() ? json(nullptr) : json(correlationId)}};
  r.text = "refused: " + std::string(code) + ": " + std::string(message);
  return r;
}

CommandResult refusedResult(const checkout::Refusal& refusal, const std::string& correlationId) {
  std::string message(refusal.text());
  if (!refusal.detail.empty()) message += " (" + refusal.detail + ")";
  if (!refusal.missing_fields.empty()) {
    message += " missing:";
    for (const auto& f : refusal.missing_fields) message += " " + f;
  }
  return refusedResult(refusal.code_text(), message, correlationId);
}

checkout::ApproverLockouts lockoutsFromLedger(ledger::Ledger& ledger,
                                              const std::vector<checkout::UserId>& approvers,
                                              checkout::Timestamp now) {
  checkout::ApproverLockouts lockouts;
  for (const auto& approver : approvers) {
    auto state = ledger.approver_pin_state(approver);
    if (!state.ok()) continue;
    if (const auto& lock = state.value().latest_lockout)
      lockouts.apply(checkout::ApproverLockedOut{approver, lock->locked_at, lock->locked_until});
    for (int i = 0; i < state.value().failures_since_last_success_or_lockout; ++i) {
      lockouts.apply(checkout::PinAttemptFailed{approver, checkout::ElevationAction::PoOverride,
                                                state.value().last_failure_at.value_or(now)});
    }
  }
  return lockouts;
}

std::optional<checkout::SecretText> PinReader::next() {
  std::string line;
  if (!std::getline(in_, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return checkout::SecretText::take(line);
}

namespace {

// ---------------------------------------------------------------- CheckoutRun

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

sync::ElevationAction syncAction(checkout::ElevationAction a) {
  switch (a) {
    case checkout::ElevationAction::PoOverride:
      return sync::ElevationAction::PoOverride;
    case checkout::ElevationAction::ReceiptReprint:
      return sync::ElevationAction::ReceiptReprint;
    case checkout::ElevationAction::PaymentOverLimit:
      return sync::ElevationAction::PaymentOverLimit;
  }
  return sync::ElevationAction::PoOverride;
}

checkout::OfflineLimits offlineLimits(const TerminalConfig& cfg) {
  checkout::OfflineLimits limits;
  limits.max_unsynced_age = std::chrono::seconds(cfg.offlineLimits.maxUnsyncedAgeSeconds);
  for (const auto& c : cfg.offlineLimits.perCurrency) {
    auto currency = checkout::Currency::from_code(c.currency);
    if (!currency) continue;
    if (auto m = checkout::parse_amount(c.maxSinglePayment, *currency); m.ok())
      limits.max_single_payment.push_back(m.value());
    if (auto m = checkout::parse_amount(c.maxUnsyncedTotal, *currency); m.ok())
      limits.max_unsynced_total.push_back(m.value());
  }
  return limits;
}

class CheckoutRun {
 public:
  CheckoutRun(Terminal& t, PrinterService& printer, ReceiptRenderer& renderer,
              const CheckoutCommand& cmd, PinReader& pins)
      : t_(t),
        printer_(printer),
        renderer_(renderer),
        cmd_(cmd),
        pins_(pins),
        cache_(t.snapshots()),
        backendUp_(t.online()) {}

  CommandResult run();

 private:
  checkout::Timestamp now() { return t_.clock().now(); }
  checkout::CounterContext context() {
    return checkout::CounterContext{*roster_, now(), t_.ids(), t_.random()};
  }
  sync::RequestIdentity who() const {
    sync::RequestIdentity id;
    id.operatorId = cmd_.operatorId;
    if (co_) {
      id.correlationId = co_->correlation_id().to_string();
      id.trace = sync::TraceId::parse(co_->trace_id());
    }
    return id;
  }
  std::string correlation() const { return co_ ? co_->correlation_id().to_string() : ""; }
  CommandResult refused(const checkout::Refusal& r) { return refusedResult(r, correlation()); }
  CommandResult storageFailure(const ledger::LedgerError& e) {
    t_.log().error("ledger.write_failed", {{"code", std::string(ledger::to_string(e.code))},
                                           {"correlationId", correlation()}});
    return refusedResult("STORAGE_FAILED", "the terminal could not record this: " + e.message,
                         correlation(), ExitCode::ConfigOrData);
  }
  // A transport failure makes the rest of this checkout offline.
  void noteOutcome(const sync::HttpOutcome& o) {
    if (o.outcome == sync::OutcomeClass::Retryable || o.outcome == sync::OutcomeClass::Ambiguous) {
      if (backendUp_)
        t_.log().warn("backend.unreachable",
                      {{"code", o.code()}, {"correlationId", correlation()}});
      backendUp_ = false;
    }
  }

  std::optional<CommandResult> signIn();
  std::optional<CommandResult> loadInvoice(std::string& invoiceJson);
  std::optional<CommandResult> addPaymentsTakenHere(std::string& invoiceJson);
  std::optional<CommandResult> start(const std::string& invoiceJson);
  std::optional<CommandResult> evaluate();
  std::optional<CommandResult> approversNotDistinct(
      const std::vector<std::string>& approvers) const;
  std::optional<CommandResult> checkPoOnline(const std::vector<checkout::CheckoutEvent>& events);
  std::optional<CommandResult> satisfyPo();
  std::optional<CommandResult> persist(const std::vector<checkout::CheckoutEvent>& events,
                                       std::vector<sync::OutboxMessage> overrideMessages = {});
  std::variant<checkout::Approval, CommandResult> approval(const std::string& approver,
                                                           checkout::ElevationAction action);
  std::optional<CommandResult> pay(json& out);

  Terminal& t_;
  PrinterService& printer_;
  ReceiptRenderer& renderer_;
  const CheckoutCommand& cmd_;
  PinReader& pins_;
  OfflineCache cache_;
  bool backendUp_;
  std::optional<checkout::Roster> roster_;
  std::optional<checkout::UserId> operator_;
  std::optional<ledger::ShiftId> shift_;
  std::optional<checkout::Checkout> co_;
  checkout::ApproverLockouts lockouts_;
  std::list<checkout::OnlineElevation> elevations_;  // stable addresses; wiped on destruction
  std::string poKey_;  // the PO capture's idempotency key once it was sent online
};

std::optional<CommandResult> CheckoutRun::signIn() {
  auto op = checkout::UserId::parse(cmd_.operatorId);
  if (!op) return refusedResult("OPERATOR_UNKNOWN", "the operator id is not valid", "");
  operator_ = *op;
  auto pin = pins_.next();
  if (!pin)
    return refusedResult("PIN_REQUIRED", "the operator's PIN is expected on standard input", "",
                         ExitCode::Usage);
  if (backendUp_) {
    auto fresh = t_.billing()->roster(who());
    noteOutcome(fresh.outcome);
    if (fresh.outcome.ok()) {
      auto body = json::parse(fresh.outcome.body, nullptr, false);
      if (!body.is_discarded() && checkout::parse_roster(body).ok())
        cache_.putRoster(body, now(), fresh.etag);
    }
  }
  auto roster = cache_.roster();
  if (!roster.ok()) return refusedResult(roster.error(), "");
  roster_ = std::move(roster).value();
  const auto* staff = roster_->find(*operator_);
  // No hint whether the user or the PIN was wrong.
  if (!staff || !checkout::pin_matches(staff->pin_verifier, *pin))
    return refusedResult("SIGN_IN_DENIED", "the operator or PIN is not right", "");
  pin->wipe();
  return std::nullopt;
}

std::optional<CommandResult> CheckoutRun::loadInvoice(std::string& invoiceJson) {
  if (backendUp_) {
    auto r = t_.billing()->invoiceByWorkOrder(who(), cmd_.workOrder);
    noteOutcome(r.outcome);
    if (r.outcome.ok()) {
      invoiceJson = r.outcome.body;
      auto body = json::parse(invoiceJson, nullptr, false);
      if (!body.is_discarded()) cache_.putInvoice(body, now());
      return std::nullopt;
    }
    if (r.outcome.outcome == sync::OutcomeClass::NotFound)
      return refusedResult("INVOICE_NOT_FOUND", "no invoice for work order " + cmd_.workOrder, "");
    if (r.outcome.outcome == sync::OutcomeClass::ConfigurationProblem)
      return refusedResult(r.outcome.code(), "the backend refused the terminal's credentials", "",
                           ExitCode::ConfigOrData);
  }
  auto cached = cache_.invoiceByWorkOrder(cmd_.workOrder);
  if (!cached)
    return refusedResult("INVOICE_NOT_FOUND",
                         "no invoice for work order " + cmd_.workOrder + " on this terminal", "");
  invoiceJson = *cached;
  return std::nullopt;
}

// The backend's invoice (or the cached one) does not show the payments this terminal took and
// has not synced yet: they are added, with the balance lowered, so the same money is never taken
// twice and each receipt reference of the invoice gets its own sequence number.
std::optional<CommandResult> CheckoutRun::addPaymentsTakenHere(std::string& invoiceJson) {
  auto invoice = json::parse(invoiceJson, nullptr, false);
  if (invoice.is_discarded() || !invoice.is_object() || !invoice.contains("invoiceId") ||
      !invoice["invoiceId"].is_string())
    return std::nullopt;  // Checkout::start refuses it with the parser's reason
  auto taken =
      ledger::payments_taken_on_invoice(t_.database(), invoice["invoiceId"].get<std::string>());
  if (!taken.ok())
    return storageFailure(ledger::LedgerError{ledger::LedgerErrorCode::Storage,
                                              taken.error().message, taken.error()});
  if (taken.value().empty()) return std::nullopt;
  json& payments = invoice["payments"];
  if (!payments.is_array()) return std::nullopt;
  json& balance = invoice["balanceDue"];
  const bool balanceUsable = balance.is_object() && balance.contains("amountMinor") &&
                             balance["amountMinor"].is_number_integer() &&
                             balance.contains("currency") && balance["currency"].is_string();
  bool changed = false;
  for (const auto& p : taken.value()) {
    bool listed = false;
    for (const auto& known : payments)
      listed = listed ||
               (known.is_object() && known.value("billingPaymentId", "") == p.billing_payment_id);
    if (listed) continue;
    payments.push_back({{"billingPaymentId", p.billing_payment_id},
                        {"amount", {{"currency", p.currency}, {"amountMinor", p.amount_minor}}},
                        {"tender", p.tender},
                        {"capturedAt", checkout::format_rfc3339(p.captured_at)}});
    if (balanceUsable && balance["currency"] == p.currency)
      balance["amountMinor"] = balance["amountMinor"].get<std::int64_t>() - p.amount_minor;
    changed = true;
  }
  if (changed) invoiceJson = invoice.dump();
  return std::nullopt;
}

std::optional<CommandResult> CheckoutRun::start(const std::string& invoiceJson) {
  auto current = t_.ledger().current_shift();
  if (!current.ok()) return storageFailure(current.error());
  if (current.value()) {
    shift_ = current.value()->shift_id;
  } else {
    ledger::ShiftOpening opening{
        t_.ids().next_id<ledger::ShiftId>(), t_.config().terminalId, *operator_, now(), {}};
    if (auto opened = t_.ledger().open_shift(opening); !opened.ok())
      return storageFailure(opened.error());
    shift_ = opening.shift_id;
  }
  auto terminalId = checkout::TerminalId::parse(t_.config().terminalId);
  auto ctx = context();
  auto started =
      checkout::Checkout::start(checkout::StartCheckout{*operator_, *terminalId, invoiceJson}, ctx);
  if (!started.ok()) return refused(started.error());
  co_.emplace(std::move(started.value().checkout));
  if (auto r = t_.ledger().record_checkout(checkoutRecord(*co_, *shift_, *operator_, now()));
      !r.ok())
    return storageFailure(r.error());
  if (auto r = t_.ledger().append_events(co_->id(), started.value().events); !r.ok())
    return storageFailure(r.error());
  std::vector<checkout::UserId> everyone;
  for (const auto& staff : roster_->staff()) everyone.push_back(staff.user_id);
  lockouts_ = lockoutsFromLedger(t_.ledger(), everyone, now());
  t_.log().info("checkout.started", {{"checkoutId", co_->id().to_string()},
                                     {"invoiceId", co_->invoice().invoice_id.to_string()},
                                     {"workOrderId", cmd_.workOrder},
                                     {"correlationId", correlation()}});
  return std::nullopt;
}

std::optional<CommandResult> CheckoutRun::evaluate() {
  const auto& inv = co_->invoice();
  auto rules = cache_.rules(inv.customer_account_id.str());
  std::optional<checkout::BillingRuleEvaluation> evaluation;
  if (backendUp_) {
    auto r = t_.billing()->evaluate(
        who(), co_->id().to_string(),
        sync::EvaluateRequest{inv.invoice_id.to_string(), inv.customer_account_id.str()});
    noteOutcome(r.outcome);
    if (r.outcome.ok()) {
      auto body = json::parse(r.outcome.body, nullptr, false);
      auto parsed = checkout::parse_rule_evaluation(body.is_discarded() ? json() : body);
      if (!parsed.ok()) return refused(parsed.error());
      evaluation = parsed.value();
      // Terminal-side: offline elevation stays as the cached rules say.
      evaluation->offline_elevation_allowed = rules && rules->offline_elevation_allowed;
      // The backend says "no rules" with a BLOCKING message: the checkout is then blocked until
      // an override, never satisfied by just typing some PO (billing-api.md, rules 404).
      for (const auto& m : evaluation->messages)
        if (m.code == "BILLING_RULES_MISSING") evaluation->rules_missing = true;
    } else if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal) {
      return refusedResult(r.outcome.code(), "the backend refused the evaluation", correlation());
    }
  }
  if (!evaluation) evaluation = checkout::evaluate_offline(rules, inv);
  auto ctx = context();
  auto decision = co_->evaluate(*operator_, *evaluation, ctx);
  if (auto failed = persist(decision.events)) return failed;
  if (!decision.accepted()) return refused(*decision.refusal);
  return std::nullopt;
}

// Writes what the domain decided. Each kind of event has its ledger row (and outbox message);
// then the events themselves are appended for replay.
std::optional<CommandResult> CheckoutRun::persist(
    const std::vector<checkout::CheckoutEvent>& events,
    std::vector<sync::OutboxMessage> overrideMessages) {
  auto& ledger = t_.ledger();
  const auto coId = co_->id();
  for (const auto& event : events) {
    lockouts_.apply(event);
    std::optional<ledger::LedgerError> error;
    auto keep = [&](auto result) {
      if (!result.ok()) error = result.error();
    };
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, checkout::RulesEvaluated>) {
            keep(ledger.record_evaluation(
                evaluationRecord(coId, e, t_.ids().next_id<checkout::EventId>())));
          } else if constexpr (std::is_same_v<E, checkout::PoCaptured>) {
            std::vector<sync::OutboxMessage> m{
                poMessage(coId, e, poKey_.empty() ? t_.ids().next().to_string() : poKey_)};
            keep(ledger.record_po_capture(poCaptureRecord(coId, e), m));
          } else if constexpr (std::is_same_v<E, checkout::PoOverridden>) {
            keep(ledger.record_po_override(poOverrideRecord(coId, e), overrideMessages));
          } else if constexpr (std::is_same_v<E, checkout::OfflineGrantIssued>) {
            std::vector<sync::OutboxMessage> m{offlineGrantMessage(e)};
            keep(ledger.record_offline_grant(offlineGrantRecord(e), m));
            keep(ledger.record_pin_attempt(
                ledger::PinAttempt{e.approver, coId, ledger::PinOutcome::Succeeded, e.granted_at}));
          } else if constexpr (std::is_same_v<E, checkout::PinAttemptFailed>) {
            keep(ledger.record_pin_attempt(
                ledger::PinAttempt{e.approver, coId, ledger::PinOutcome::Failed, e.at}));
          } else if constexpr (std::is_same_v<E, checkout::ApproverLockedOut>) {
            keep(ledger.record_lockout(ledger::ApproverLockout{e.approver, e.at, e.until}));
          } else if constexpr (std::is_same_v<E, checkout::OnlineElevationUsed>) {
            keep(ledger.record_audit(ledger::AuditEvent{
                t_.ids().next_id<checkout::EventId>(), coId, "ONLINE_ELEVATION_USED",
                e.approver.str(),
                json{{"action", std::string(checkout::to_string(e.action))}}.dump(), e.at}));
          }
        },
        event);
    if (error) return storageFailure(*error);
  }
  if (!events.empty()) {
    if (auto r = ledger.append_events(coId, events); !r.ok()) return storageFailure(r.error());
  }
  return std::nullopt;
}

std::variant<checkout::Approval, CommandResult> CheckoutRun::approval(
    const std::string& approverText, checkout::ElevationAction action) {
  auto approver = checkout::UserId::parse(approverText);
  auto pin = pins_.next();
  if (!pin)
    return refusedResult("PIN_REQUIRED",
                         "a PIN for approver " + approverText + " is expected on standard input",
                         correlation(), ExitCode::Usage);
  if (!approver)
    return refusedResult("ELEVATION_DENIED", "the approver is not known", correlation());
  if (backendUp_) {
    sync::ElevateRequest request{approverText, sync::SecretToken(std::string(pin->reveal())),
                                 co_->id().to_string(), syncAction(action)};
    auto r = t_.billing()->elevate(who(), request);
    noteOutcome(r.outcome);
    if (r.ok()) {
      pin->wipe();
      auto expires = checkout::parse_rfc3339(r.value->expiresAt);
      checkout::OnlineElevation& e = elevations_.emplace_back(
          checkout::OnlineElevation{*approver, co_->id(), action, expires.value_or(now()), now(),
                                    checkout::SecretText(r.value->elevationToken.reveal()), false});
      return checkout::Approval{std::ref(e)};
    }
    if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal) {
      pin->wipe();
      return refusedResult(r.outcome.code(),
                           r.outcome.code() == "APPROVER_LOCKED_OUT"
                               ? "this supervisor is locked out after too many wrong PINs"
                               : "the supervisor's elevation was refused",
                           correlation());
    }
  }
  // Offline: the PIN against the roster's Argon2id verifier.
  checkout::VerifyApproverPin verify{*operator_, *approver, std::move(*pin), action};
  auto ctx = context();
  auto decision = co_->verify_offline_approver(verify, lockouts_, ctx);
  if (auto failed = persist(decision.events)) return *failed;
  if (!decision.accepted()) return refused(*decision.refusal);
  for (const auto& event : decision.events) {
    if (const auto* g = std::get_if<checkout::OfflineGrantIssued>(&event))
      return checkout::Approval{g->grant_id};
  }
  return refusedResult("ELEVATION_DENIED", "no grant was issued", correlation());
}

// An approver is never the operator who asked, and two approvers are two people. Checked before
// any PIN: no online elevation is spent and no offline grant is issued (and synced as an audit
// record) for an approval that cannot count.
std::optional<CommandResult> CheckoutRun::approversNotDistinct(
    const std::vector<std::string>& approvers) const {
  for (std::size_t i = 0; i < approvers.size(); ++i) {
    if (approvers[i] == cmd_.operatorId)
      return refusedResult("APPROVER_NOT_DISTINCT",
                           "an approver cannot be the operator who asks for the approval",
                           correlation());
    for (std::size_t j = 0; j < i; ++j) {
      if (approvers[j] == approvers[i])
        return refusedResult("APPROVER_NOT_DISTINCT", "the two approvers must be two people",
                             correlation());
    }
  }
  return std::nullopt;
}

// Online, the backend checks the PO (its format, and its uniqueness across every terminal of the
// shop) before any money is taken: a refusal stops the checkout with nothing recorded. The
// outbox message made afterwards replays the same request (same key, same body), which the
// backend answers with its first response. Unreachable: the checkout goes on offline and the
// backend re-checks on sync.
std::optional<CommandResult> CheckoutRun::checkPoOnline(
    const std::vector<checkout::CheckoutEvent>& events) {
  if (!backendUp_) return std::nullopt;
  for (const auto& event : events) {
    const auto* po = std::get_if<checkout::PoCaptured>(&event);
    if (!po) continue;
    poKey_ = t_.ids().next().to_string();
    const auto message = poMessage(co_->id(), *po, poKey_);
    const auto body = json::parse(message.body);
    sync::PoCaptureRequest request{body.at("poNumber").get<std::string>(),
                                   body.at("capturedByUserId").get<std::string>(),
                                   body.at("capturedAt").get<std::string>()};
    auto r = t_.billing()->capturePo(who(), co_->id().to_string(), poKey_, request);
    noteOutcome(r.outcome);
    if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal)
      return refusedResult(r.outcome.code(), "the backend refused the PO", correlation());
  }
  return std::nullopt;
}

std::optional<CommandResult> CheckoutRun::satisfyPo() {
  if (cmd_.po) {
    // The uniqueness scope offline (and before the backend re-checks on sync): the POs this
    // terminal's ledger has captured on the account.
    auto known =
        ledger::pos_known_on_account(t_.database(), co_->invoice().customer_account_id.str());
    if (!known.ok())
      return storageFailure(ledger::LedgerError{ledger::LedgerErrorCode::Storage,
                                                known.error().message, known.error()});
    auto ctx = context();
    auto decision =
        co_->capture_po(checkout::CapturePo{*operator_, *cmd_.po, std::move(known).value()}, ctx);
    if (!decision.accepted()) return refused(*decision.refusal);
    if (auto failed = checkPoOnline(decision.events)) return failed;
    return persist(decision.events);
  }
  if (!cmd_.overrideReason) return std::nullopt;  // the payment says PO_REQUIRED if it is
  if (auto refusal = approversNotDistinct(cmd_.approvers)) return refusal;
  std::vector<checkout::Approval> approvals;
  for (const auto& a : cmd_.approvers) {
    auto got = approval(a, checkout::ElevationAction::PoOverride);
    if (auto* failed = std::get_if<CommandResult>(&got)) return *failed;
    approvals.push_back(std::get<checkout::Approval>(got));
  }
  auto reasons = cache_.reasonCodes(ReasonCategory::PoOverride);
  checkout::OverridePo command{*operator_, *cmd_.overrideReason, cmd_.notes.value_or(""), approvals,
                               reasons.all().empty() ? nullptr : &reasons};
  auto ctx = context();
  auto decision = co_->override_po(command, ctx);
  if (!decision.accepted()) return refused(*decision.refusal);
  const checkout::PoOverridden* overridden = nullptr;
  for (const auto& e : decision.events)
    if (const auto* o = std::get_if<checkout::PoOverridden>(&e)) overridden = o;
  if (!overridden)
    return refusedResult("OVERRIDE_NOT_RECORDED", "no override event", correlation());

  bool allOffline = true;
  for (const auto& a : overridden->approvals)
    allOffline = allOffline && a.method == checkout::ApprovalMethod::Offline;
  if (allOffline) return persist(decision.events, {poOverrideMessage(co_->id(), *overridden)});

  // Online approvals carry single-use tokens: sent now, directly, never stored in the outbox.
  sync::PoOverrideRequest request;
  request.overrideId = overridden->override_id.to_string();
  request.reasonCode = overridden->reason_code;
  request.notes = overridden->notes;
  request.requestedByUserId = overridden->requested_by.str();
  auto elevation = elevations_.begin();
  for (const auto& a : overridden->approvals) {
    sync::Approval out;
    out.approverUserId = a.approver.str();
    if (a.method == checkout::ApprovalMethod::Offline && a.offline_grant_id) {
      out.offlineGrantId = a.offline_grant_id->to_string();
      out.grantedAt = checkout::format_rfc3339(a.granted_at);
    } else {
      while (elevation != elevations_.end() && !(elevation->approver == a.approver)) ++elevation;
      if (elevation != elevations_.end())
        out.elevationToken = sync::SecretToken(std::string(elevation->token.reveal()));
    }
    request.approvals.push_back(std::move(out));
  }
  auto r = t_.billing()->overridePo(who(), co_->id().to_string(), request);
  for (auto& e : elevations_) e.token.wipe();
  if (!r.outcome.ok()) {
    noteOutcome(r.outcome);
    if (r.outcome.outcome == sync::OutcomeClass::BusinessRefusal)
      return refusedResult(r.outcome.code(), "the backend refused the override", correlation());
    return refusedResult(r.outcome.code(),
                         "the backend could not be reached to record the online override",
                         correlation(), ExitCode::Unreachable);
  }
  return persist(decision.events);
}

std::optional<CommandResult> CheckoutRun::pay(json& out) {
  const auto& inv = co_->invoice();
  auto amount = checkout::parse_amount(cmd_.amount, inv.currency);
  if (!amount.ok())
    return refusedResult(checkout::to_string(amount.error()),
                         checkout::amount_refusal_message(amount.error()), correlation());
  checkout::TenderEntry tender;
  if (cmd_.tender == "CASH") {
    std::optional<checkout::Money> tendered;
    if (cmd_.tendered) {
      auto t = checkout::parse_amount(*cmd_.tendered, inv.currency);
      if (!t.ok())
        return refusedResult(checkout::to_string(t.error()),
                             checkout::amount_refusal_message(t.error()), correlation());
      tendered = t.value();
    }
    tender = checkout::TenderEntry::cash(tendered);
  } else if (cmd_.tender == "CHECK") {
    tender = checkout::TenderEntry::check(cmd_.checkNumber.value_or(""));
  } else if (cmd_.tender == "CARD_EXTERNAL") {
    tender = checkout::TenderEntry::card_external(checkout::CardDetails{
        cmd_.cardBrand.value_or(""), cmd_.cardLast4.value_or(""), cmd_.approvalCode.value_or("")});
  } else {
    tender = checkout::TenderEntry::account();
  }
  std::optional<checkout::Approval> overLimit;
  if (cmd_.overLimitApprover) {
    if (auto refusal = approversNotDistinct({*cmd_.overLimitApprover})) return refusal;
    auto got = approval(*cmd_.overLimitApprover, checkout::ElevationAction::PaymentOverLimit);
    if (auto* failed = std::get_if<CommandResult>(&got)) return *failed;
    overLimit = std::get<checkout::Approval>(got);
  }
  auto unsynced = t_.ledger().unsynced_payments();
  if (!unsynced.ok()) return storageFailure(unsynced.error());
  checkout::OfflineExposure exposure;
  for (const auto& c : unsynced.value().by_currency) (void)exposure.unsynced_total.add(c.total);
  exposure.oldest_unsynced_at = unsynced.value().oldest_captured_at;

  checkout::TakePayment command{
      *operator_,
      amount.value(),
      tender,
      cmd_.noReceipt ? checkout::ReceiptDelivery::NoReceipt
      : cmd_.email   ? checkout::ReceiptDelivery::Email
                     : checkout::ReceiptDelivery::Print,
      backendUp_ ? checkout::CaptureMode::Online : checkout::CaptureMode::Offline,
      exposure,
      offlineLimits(t_.config()),
      overLimit,
      std::nullopt};
  auto ctx = context();
  auto decision = co_->take_payment(command, ctx);
  if (!decision.accepted()) {
    if (auto failed = persist(decision.events)) return failed;
    return refused(*decision.refusal);
  }
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
  if (!payment || !receipt)
    return refusedResult("CAPTURE_INCOMPLETE", "the payment was not captured", correlation());
  if (auto failed = persist(others)) return failed;

  auto content = renderer_.content(*co_, receipt->receipt_id, std::nullopt);
  auto rendered = renderer_.render(content, std::nullopt, escpos::DrawerKick::None);
  if (auto* err = std::get_if<std::string>(&rendered))
    return refusedResult("RECEIPT_TEMPLATE_FAILED", *err, correlation(), ExitCode::ConfigOrData);
  auto& receiptText = std::get<RenderedReceiptText>(rendered);

  std::optional<ledger::DrawerOpening> drawer;
  if (payment->tender.kind == checkout::TenderKind::Cash)
    drawer = ledger::DrawerOpening{t_.ids().next_id<ledger::DrawerOpeningId>(),
                                   *shift_,
                                   *operator_,
                                   ledger::DrawerReason::Sale,
                                   payment->billing_payment_id,
                                   "",
                                   payment->at};
  ledger::PaymentCapture capture{
      paymentRecord(*payment, *shift_),
      receiptRecord(*receipt, co_->id(), receiptText.templateId, receiptText.templateVersion,
                    receiptText.text),
      ledger::AuditEvent{t_.ids().next_id<checkout::EventId>(), co_->id(), "PAYMENT_CAPTURED",
                         operator_->str(),
                         json{{"billingPaymentId", payment->billing_payment_id.to_string()},
                              {"receiptId", receipt->receipt_id.to_string()}}
                             .dump(),
                         payment->at},
      drawer,
      {paymentMessage(*payment), receiptMessage(*receipt, co_->id(), receiptText.templateId,
                                                receiptText.templateVersion, receiptText.text)},
      {*payment, *receipt}};
  auto captured = t_.ledger().record_capture(capture);
  if (!captured.ok()) return storageFailure(captured.error());
  t_.log().info("payment.captured",
                {{"checkoutId", co_->id().to_string()},
                 {"invoiceId", inv.invoice_id.to_string()},
                 {"billingPaymentId", payment->billing_payment_id.to_string()},
                 {"receiptId", receipt->receipt_id.to_string()},
                 {"capturedOffline", payment->capture_mode == checkout::CaptureMode::Offline},
                 {"correlationId", correlation()}});

  out = {{"checkoutId", co_->id().to_string()},
         {"invoiceId", inv.invoice_id.to_string()},
         {"billingPaymentId", payment->billing_payment_id.to_string()},
         {"receiptId", receipt->receipt_id.to_string()},
         {"receiptReference", receipt->receipt_reference},
         {"paymentType", std::string(checkout::to_string(payment->payment_type))},
         {"amount", checkout::money_to_json(payment->amount)},
         {"remainingBalance", checkout::money_to_json(receipt->remaining_balance)},
         {"change", checkout::money_to_json(payment->tender.change_given.value_or(
                        checkout::Money::zero(inv.currency)))},
         {"capturedOffline", payment->capture_mode == checkout::CaptureMode::Offline},
         {"poCompliance", std::string(checkout::to_string(co_->po_compliance()))}};

  // The receipt's delivery, recorded before it is attempted.
  const auto deliveryId = t_.ids().next_id<checkout::DeliveryId>();
  if (cmd_.noReceipt) {
    out["receiptDelivery"] = "SUPPRESSED";
    return std::nullopt;
  }
  if (cmd_.email) {
    std::vector<sync::OutboxMessage> m{deliveryMessage(co_->id(), receipt->receipt_id, deliveryId,
                                                       ledger::DeliveryChannel::Email, cmd_.email,
                                                       std::nullopt, now())};
    if (auto r = t_.ledger().record_delivery(
            ledger::ReceiptDelivery{deliveryId, receipt->receipt_id, ledger::DeliveryChannel::Email,
                                    *operator_, now()},
            m);
        !r.ok())
      return storageFailure(r.error());
    out["receiptDelivery"] = "PENDING";
    return std::nullopt;
  }
  if (auto r = t_.ledger().record_delivery(
          ledger::ReceiptDelivery{deliveryId, receipt->receipt_id, ledger::DeliveryChannel::Print,
                                  *operator_, now()},
          {});
      !r.ok())
    return storageFailure(r.error());
  auto printed = printer_.print(
      drivers::PrintJob{drivers::JobKind::kReceipt, drivers::Copy::kOriginal,
                        receipt->receipt_reference, operator_->str(), "SALE", receiptText.bytes});
  const auto status = deliveryStatusOf(printed.outcome);
  std::vector<sync::OutboxMessage> m{deliveryMessage(
      co_->id(), receipt->receipt_id, deliveryId, ledger::DeliveryChannel::Print, std::nullopt,
      status == ledger::DeliveryStatus::Sent ? ledger::DeliveryStatus::Sent
                                             : ledger::DeliveryStatus::Failed,
      now())};
  if (auto r = t_.ledger().record_delivery_outcome(
          ledger::DeliveryOutcome{deliveryId, status,
                                  std::string(drivers::failure_reason_code(printed.outcome.reason)),
                                  now()},
          m);
      !r.ok())
    return storageFailure(r.error());
  if (status == ledger::DeliveryStatus::Sent) {
    out["receiptDelivery"] = "SENT";
  } else {
    out["receiptDelivery"] = "FAILED";
    out["printerMessage"] = printed.advisorMessage;
    t_.log().warn("receipt.print_failed",
                  {{"receiptId", receipt->receipt_id.to_string()},
                   {"reason", std::string(drivers::failure_reason_code(printed.outcome.reason))}});
  }
  // The cash drawer opens as its own job; the opening itself is in the capture's ledger rows.
  if (cmd_.tender == "CASH") {
    if (auto pulse = drivers::build_drawer_pulse(t_.printerProfile()); pulse.ok()) {
      (void)printer_.print(drivers::PrintJob{drivers::JobKind::kDrawerPulse,
                                             drivers::Copy::kOriginal,
                                             payment->billing_payment_id.to_string(),
                                             operator_->str(), "SALE", std::move(pulse).value()});
    }
  }
  return std::nullopt;
}

CommandResult CheckoutRun::run() {
  if (auto failed = signIn()) return *failed;
  std::string invoiceJson;
  if (auto failed = loadInvoice(invoiceJson)) return *failed;
  if (auto failed = addPaymentsTakenHere(invoiceJson)) return *failed;
  if (auto failed = start(invoiceJson)) return *failed;
  if (auto failed = evaluate()) return *failed;
  if (auto failed = satisfyPo()) return *failed;
  json out;
  if (auto failed = pay(out)) return *failed;

  if (backendUp_) {
    auto conn = t_.openConnection();
    if (conn.ok()) {
      sync::ReplicatorConfig rc;
      rc.http = t_.httpConfig();
      rc.pull = sync::SnapshotPull::Off;
      sync::Replicator replicator(std::move(conn).value(), rc);
      replicator.runUntilEmpty(std::chrono::seconds(5));
    }
  }
  CommandResult result;
  result.json = out;
  result.code =
      out.value("receiptDelivery", "") == "FAILED" ? ExitCode::ReceiptNotDelivered : ExitCode::Done;
  result.text =
      "paid " +
      format(checkout::money_from_json(out["amount"]).value(), checkout::MoneyFormat::Screen) +
      " (" + out["paymentType"].get<std::string>() + "), remaining " +
      format(checkout::money_from_json(out["remainingBalance"]).value(),
             checkout::MoneyFormat::Screen) +
      "\nreceipt " + out["receiptReference"].get<std::string>() + ": " +
      out["receiptDelivery"].get<std::string>();
  if (out.contains("printerMessage"))
    result.text += "\n" + out["printerMessage"].get<std::string>();
  return result;
}

}  // namespace

CommandResult CheckoutService::run(const CheckoutCommand& command, PinReader& pins) {
  CheckoutRun run(terminal_, printer_, renderer_, command, pins);
  return run.run();
}

}  // namespace pos::app
