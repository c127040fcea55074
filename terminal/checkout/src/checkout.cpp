// The checkout state machine.
//
// Sections: small helpers · start and replay · apply · derived state · operator, invoice and
// approval checks · evaluate · capture_po · override_po · verify_offline_approver and
// verify_offline_pin · take_payment · reprint_receipt · record_delivery
#include <pos/checkout/checkout.hpp>

#include <sodium.h>

#include <algorithm>

#include <pos/checkout/trace_context.hpp>

namespace pos::checkout {

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

std::string_view to_string(PoCompliance compliance) noexcept {
  switch (compliance) {
    case PoCompliance::Compliant:
      return "COMPLIANT";
    case PoCompliance::Overridden:
      return "OVERRIDDEN";
    case PoCompliance::Blocked:
      return "BLOCKED";
  }
  return "BLOCKED";
}

namespace {

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool all_of_chars(std::string_view text, bool (*ok)(char)) {
  return std::all_of(text.begin(), text.end(), ok);
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_reference_char(char c) {
  return is_alnum(c) || c == '-';
}
bool is_brand_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' || c == '-';
}

// a > b within one currency (callers have checked the currencies).
bool greater(Money a, Money b) {
  return a.compare(b) == std::strong_ordering::greater;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Start and replay
// ---------------------------------------------------------------------------------------------

Checkout::Checkout(CheckoutStarted started, Invoice invoice)
    : started_(std::move(started)),
      invoice_(std::move(invoice)),
      balance_due_(invoice_.balance_due) {}

Result<Checkout::Started, Refusal> Checkout::start(const StartCheckout& command,
                                                   CounterContext& context) {
  if (context.roster.find(command.operator_id) == nullptr)
    return fail(refuse(RefusalCode::OperatorUnknown));
  auto invoice = parse_invoice_text(command.invoice_json);
  if (!invoice) return fail(invoice.error());
  CheckoutStarted event{context.ids.next_id<CheckoutId>(),
                        context.ids.next_id<CorrelationId>(),
                        TraceParent::start_trace(context.random).trace_id_hex(),
                        command.operator_id,
                        command.terminal_id,
                        command.invoice_json,
                        context.now};
  Checkout checkout{event, std::move(invoice).value()};
  return Started{std::move(checkout), {CheckoutEvent{std::move(event)}}};
}

Result<Checkout, Refusal> Checkout::replay(std::span<const CheckoutEvent> events) {
  if (events.empty() || !std::holds_alternative<CheckoutStarted>(events.front())) {
    return fail(
        refuse(RefusalCode::EventMalformed, "a checkout's first event must be CheckoutStarted"));
  }
  const auto& started = std::get<CheckoutStarted>(events.front());
  auto invoice = parse_invoice_text(started.invoice_json);
  if (!invoice)
    return fail(Refusal{RefusalCode::EventMalformed, invoice.error().detail,
                        invoice.error().missing_fields});
  Checkout checkout{started, std::move(invoice).value()};
  for (const CheckoutEvent& event : events.subspan(1)) {
    if (std::holds_alternative<CheckoutStarted>(event)) {
      return fail(refuse(RefusalCode::EventMalformed, "a second CheckoutStarted"));
    }
    checkout.apply(event);
  }
  return checkout;
}

// ---------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------

void Checkout::apply(const CheckoutEvent& event) {
  std::visit(
      [this](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, RulesEvaluated>) {
          evaluation_ = e.evaluation;
        } else if constexpr (std::is_same_v<E, PoCaptured>) {
          po_ = e;
        } else if constexpr (std::is_same_v<E, PoOverridden>) {
          override_ = e;
          for (const auto& a : e.approvals) {
            if (a.offline_grant_id) used_grants_.insert(*a.offline_grant_id);
          }
        } else if constexpr (std::is_same_v<E, OfflineGrantIssued>) {
          grants_.push_back(e);
        } else if constexpr (std::is_same_v<E, PaymentCaptured>) {
          payments_.push_back(e);
          balance_due_ = e.balance_after;
          if (e.over_limit_approval && e.over_limit_approval->offline_grant_id) {
            used_grants_.insert(*e.over_limit_approval->offline_grant_id);
          }
        } else if constexpr (std::is_same_v<E, ReceiptIssued>) {
          receipts_.push_back(e);
        } else if constexpr (std::is_same_v<E, ReceiptDeliveryRecorded>) {
          deliveries_.push_back(e);
        } else if constexpr (std::is_same_v<E, ReceiptReprinted>) {
          reprints_.push_back(e);
          for (const auto& a : e.approvals) {
            if (a.offline_grant_id) used_grants_.insert(*a.offline_grant_id);
          }
        }
        // CheckoutStarted, OnlineElevationUsed, PinAttemptFailed, ApproverLockedOut: audit only
        // here (lockouts live in ApproverLockouts, across checkouts).
      },
      event);
}

Decision Checkout::accept(std::vector<CheckoutEvent> events) {
  for (const CheckoutEvent& e : events) apply(e);
  return Decision{std::move(events), std::nullopt};
}

// ---------------------------------------------------------------------------------------------
// Derived state
// ---------------------------------------------------------------------------------------------

PoCompliance Checkout::po_compliance() const noexcept {
  if (override_) return PoCompliance::Overridden;
  if (po_) return PoCompliance::Compliant;
  if (!evaluation_) return PoCompliance::Blocked;  // not known yet: nothing may pass
  if (evaluation_->rules_missing || evaluation_->po_required) return PoCompliance::Blocked;
  return PoCompliance::Compliant;
}

CheckoutStage Checkout::stage() const noexcept {
  if (invoice_.status == InvoiceStatus::Unknown) return CheckoutStage::InvoiceUnknownStatus;
  if (!payments_.empty() && balance_due_.is_zero()) return CheckoutStage::PaidInFull;
  if (!invoice_.takes_payment()) return CheckoutStage::NotPayable;
  if (!evaluation_) return CheckoutStage::AwaitingEvaluation;
  if (po_compliance() == PoCompliance::Blocked) return CheckoutStage::AwaitingPo;
  return CheckoutStage::TakingPayment;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the commands
// ---------------------------------------------------------------------------------------------

std::optional<Refusal> Checkout::check_operator(const UserId& operator_id,
                                                std::optional<Permission> needed,
                                                const Roster& roster) const {
  const Staff* staff = roster.find(operator_id);
  if (staff == nullptr) return refuse(RefusalCode::OperatorUnknown);
  if (needed && !staff->permissions.has(*needed)) {
    return refuse(RefusalCode::PermissionMissing, std::string(to_string(*needed)));
  }
  return std::nullopt;
}

std::optional<Refusal> Checkout::check_invoice_known() const {
  if (invoice_.status == InvoiceStatus::Unknown) {
    return refuse(RefusalCode::InvoiceStatusUnknown, "status \"" + invoice_.status_text + "\"");
  }
  return std::nullopt;
}

std::optional<Refusal> Checkout::check_approvals(std::vector<Approval>& approvals,
                                                 ElevationAction action, const UserId& operator_id,
                                                 std::size_t needed, Timestamp now,
                                                 std::vector<ApprovalRecord>& records,
                                                 std::vector<OnlineElevation*>& online) const {
  if (approvals.empty()) return refuse(RefusalCode::ElevationRequired);
  for (Approval& approval : approvals) {
    if (const auto* grant_id = std::get_if<OfflineGrantId>(&approval)) {
      const auto grant =
          std::find_if(grants_.begin(), grants_.end(),
                       [&](const OfflineGrantIssued& g) { return g.grant_id == *grant_id; });
      if (grant == grants_.end() || grant->action != action || grant->checkout_id != id()) {
        return refuse(RefusalCode::ElevationInvalid);
      }
      if (used_grants_.contains(*grant_id)) return refuse(RefusalCode::ElevationReused);
      records.push_back(ApprovalRecord{grant->approver, ApprovalMethod::Offline, grant->grant_id,
                                       grant->granted_at});
    } else {
      OnlineElevation& elevation =
          std::get<std::reference_wrapper<OnlineElevation>>(approval).get();
      if (elevation.used || elevation.token.empty()) return refuse(RefusalCode::ElevationReused);
      if (elevation.checkout != id() || elevation.action != action)
        return refuse(RefusalCode::ElevationInvalid);
      if (now >= elevation.effective_expiry()) return refuse(RefusalCode::ElevationExpired);
      records.push_back(
          ApprovalRecord{elevation.approver, ApprovalMethod::Online, std::nullopt, now});
      online.push_back(&elevation);
    }
  }
  // An approver is never the operator who asks, and two approvers are two people.
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].approver == operator_id) return refuse(RefusalCode::ApproverNotDistinct);
    for (std::size_t j = 0; j < i; ++j) {
      if (records[i].approver == records[j].approver)
        return refuse(RefusalCode::ApproverNotDistinct);
    }
  }
  // The same online elevation given twice is one approval, not two.
  for (std::size_t i = 0; i < online.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (online[i] == online[j]) return refuse(RefusalCode::ElevationReused);
    }
  }
  if (records.size() < needed) return refuse(RefusalCode::SecondApproverRequired);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// evaluate
// ---------------------------------------------------------------------------------------------

Decision Checkout::evaluate(const UserId& operator_id, const BillingRuleEvaluation& evaluation,
                            CounterContext& context) {
  if (auto r = check_operator(operator_id, std::nullopt, context.roster)) return {{}, r};
  if (auto r = check_invoice_known()) return {{}, r};
  return accept({RulesEvaluated{evaluation, context.now}});
}

// ---------------------------------------------------------------------------------------------
// capture_po
// ---------------------------------------------------------------------------------------------

Decision Checkout::capture_po(const CapturePo& command, CounterContext& context) {
  if (auto r = check_operator(command.operator_id, Permission::PoCapture, context.roster))
    return {{}, r};
  if (auto r = check_invoice_known()) return {{}, r};
  if (invoice_.status != InvoiceStatus::Issued) return {{}, refuse(RefusalCode::InvoiceNotPayable)};
  if (!evaluation_) return {{}, refuse(RefusalCode::CheckoutNotEvaluated)};
  if (po_) return {{}, refuse(RefusalCode::PoAlreadyCaptured)};
  if (override_) return {{}, refuse(RefusalCode::PoAlreadySatisfied)};
  if (evaluation_->rules_missing) return {{}, refuse(RefusalCode::BillingRulesMissing)};
  const std::string po = normalize_po(command.po_number);
  const PoFormat format = PoFormat::for_pattern(evaluation_->po_format_regex);
  if (auto checked = format.check(po); !checked) return {{}, checked.error()};
  if (po_clashes(po, evaluation_->po_uniqueness_scope, invoice_.invoice_id,
                 command.known_on_account)) {
    return {{}, refuse(RefusalCode::PoNotUnique)};
  }
  return accept({PoCaptured{po, command.operator_id, context.now}});
}

// ---------------------------------------------------------------------------------------------
// override_po
// ---------------------------------------------------------------------------------------------

std::optional<Refusal> Checkout::check_override_request(const OverridePo& command,
                                                        const Roster& roster) const {
  if (auto r = check_operator(command.operator_id, Permission::PoOverride, roster)) return r;
  if (auto r = check_invoice_known()) return r;
  if (invoice_.status != InvoiceStatus::Issued) return refuse(RefusalCode::InvoiceNotPayable);
  if (!evaluation_) return refuse(RefusalCode::CheckoutNotEvaluated);
  if (po_compliance() != PoCompliance::Blocked) return refuse(RefusalCode::PoAlreadySatisfied);
  if (!evaluation_->override_allowed) return refuse(RefusalCode::OverrideNotAllowed);

  // BILL-DEC-009: a reason code from the backend's list, notes where the code asks for them.
  const ReasonCode* reason = nullptr;
  if (!command.reason_code.empty() && command.reason_codes != nullptr) {
    reason = command.reason_codes->find(command.reason_code);
    if (reason == nullptr) return refuse(RefusalCode::ReasonCodeUnknown);
  }
  if (evaluation_->override_reason_code_required && command.reason_code.empty()) {
    return refuse(RefusalCode::ReasonCodeRequired);
  }
  if (reason != nullptr && reason->requires_notes && blank(command.notes)) {
    return refuse(RefusalCode::NotesRequired);
  }
  if (looks_like_card_number(command.notes) || looks_like_card_number(command.reason_code)) {
    return refuse(RefusalCode::CardNumberRefused);
  }

  return std::nullopt;
}

std::size_t Checkout::override_approvers_needed() const noexcept {
  return evaluation_ && evaluation_->override_requires_second_approver ? 2 : 1;
}

Decision Checkout::override_po(OverridePo& command, CounterContext& context) {
  if (auto r = check_override_request(command, context.roster)) return {{}, r};

  // BILL-DEC-010: the evaluation alone says whether a second approver is needed.
  const std::size_t needed = override_approvers_needed();
  std::vector<ApprovalRecord> records;
  std::vector<OnlineElevation*> online;
  if (auto r = check_approvals(command.approvals, ElevationAction::PoOverride, command.operator_id,
                               needed, context.now, records, online)) {
    return {{}, r};
  }
  std::vector<CheckoutEvent> events;
  for (OnlineElevation* e : online) {
    e->used = true;
    events.emplace_back(OnlineElevationUsed{e->approver, e->action, e->expires_at, context.now});
  }
  events.emplace_back(PoOverridden{context.ids.next_id<OverrideId>(), command.reason_code,
                                   command.notes, command.operator_id, std::move(records),
                                   context.now});
  return accept(std::move(events));
}

// ---------------------------------------------------------------------------------------------
// verify_offline_approver and verify_offline_pin
// ---------------------------------------------------------------------------------------------

Decision verify_offline_pin(const OfflinePinCheck& check, const ApproverLockouts& lockouts,
                            CounterContext& context) {
  struct WipeOnExit {
    SecretText& pin;
    ~WipeOnExit() { pin.wipe(); }
  } wipe{check.pin};

  if (!check.offline_elevation_allowed)
    return {{}, refuse(RefusalCode::OfflineElevationNotAllowed)};
  if (!context.roster.fresh_at(context.now)) return {{}, refuse(RefusalCode::RosterStale)};
  if (check.approver == check.operator_id) return {{}, refuse(RefusalCode::ApproverNotDistinct)};
  if (lockouts.locked_out(check.approver, context.now))
    return {{}, refuse(RefusalCode::ApproverLockedOut)};

  const Staff* approver = context.roster.find(check.approver);
  if (approver != nullptr && !approver->permissions.has(Permission::AuthElevate)) {
    return {{}, refuse(RefusalCode::ElevationDenied)};  // not a supervisor; no attempt counted
  }
  if (approver == nullptr || !pin_matches(approver->pin_verifier, check.pin)) {
    std::vector<CheckoutEvent> events{PinAttemptFailed{check.approver, check.action, context.now}};
    if (lockouts.wrong_pins_in_a_row(check.approver) + 1 >= kWrongPinsBeforeLockout) {
      events.emplace_back(
          ApproverLockedOut{check.approver, context.now, context.now + kApproverLockoutDuration});
    }
    return {std::move(events), refuse(RefusalCode::ElevationDenied)};
  }
  return {{OfflineGrantIssued{context.ids.next_id<OfflineGrantId>(), check.approver,
                              check.checkout_id, check.action, check.terminal_id, context.now}},
          std::nullopt};
}

Decision Checkout::verify_offline_approver(VerifyApproverPin& command,
                                           const ApproverLockouts& lockouts,
                                           CounterContext& context) {
  struct WipeOnExit {
    SecretText& pin;
    ~WipeOnExit() { pin.wipe(); }
  } wipe{command.pin};
  if (auto r = check_operator(command.operator_id, std::nullopt, context.roster)) return {{}, r};
  if (auto r = check_invoice_known()) return {{}, r};
  if (!evaluation_) return {{}, refuse(RefusalCode::CheckoutNotEvaluated)};
  Decision decision = verify_offline_pin(
      OfflinePinCheck{command.operator_id, command.approver, command.pin, id(),
                      started_.terminal_id, command.action, evaluation_->offline_elevation_allowed},
      lockouts, context);
  for (const CheckoutEvent& e : decision.events) apply(e);
  return decision;
}

// ---------------------------------------------------------------------------------------------
// take_payment
// ---------------------------------------------------------------------------------------------

namespace {

std::optional<Refusal> check_tender(const TenderEntry& t, Money amount,
                                    const BillingRuleEvaluation& evaluation,
                                    const std::optional<Money>& unsynced_account_charges) {
  // PCI: a card number is never accepted into any field (contract, payments).
  const bool card_number_typed =
      looks_like_card_number(t.check_number) || looks_like_card_number(t.terminal_reference) ||
      (t.card && (looks_like_card_number(t.card->brand) || looks_like_card_number(t.card->last4) ||
                  looks_like_card_number(t.card->approval_code)));
  if (card_number_typed) return refuse(RefusalCode::CardNumberRefused);

  if (t.kind != TenderKind::Cash && t.amount_tendered && *t.amount_tendered != amount) {
    return refuse(RefusalCode::ChangeOnlyForCash);
  }
  if (t.kind != TenderKind::CardExternal && (t.card || !t.terminal_reference.empty())) {
    return refuse(RefusalCode::TenderDetailsInvalid, "card details are only for CARD_EXTERNAL");
  }
  if (t.kind != TenderKind::Check && !t.check_number.empty()) {
    return refuse(RefusalCode::TenderDetailsInvalid, "a cheque number is only for CHECK");
  }
  switch (t.kind) {
    case TenderKind::Cash:
      if (t.amount_tendered) {
        if (t.amount_tendered->currency() != amount.currency())
          return refuse(RefusalCode::CurrencyMismatch);
        if (greater(amount, *t.amount_tendered)) return refuse(RefusalCode::TenderedLessThanAmount);
      }
      break;
    case TenderKind::Check:
      if (t.check_number.empty() || t.check_number.size() > 20 ||
          !all_of_chars(t.check_number, is_reference_char)) {
        return refuse(RefusalCode::TenderDetailsInvalid,
                      "cheque number: 1 to 20 letters, digits or '-'");
      }
      break;
    case TenderKind::CardExternal:
      if (!t.card)
        return refuse(RefusalCode::TenderDetailsInvalid, "card brand, last 4 and approval code");
      if (t.card->brand.empty() || t.card->brand.size() > 20 ||
          !all_of_chars(t.card->brand, is_brand_char)) {
        return refuse(RefusalCode::TenderDetailsInvalid, "card brand: 1 to 20 letters");
      }
      if (t.card->last4.size() != 4 || !all_of_chars(t.card->last4, is_digit)) {
        return refuse(RefusalCode::TenderDetailsInvalid, "last 4: exactly four digits");
      }
      if (t.card->approval_code.empty() || t.card->approval_code.size() > 12 ||
          !all_of_chars(t.card->approval_code, is_alnum)) {
        return refuse(RefusalCode::TenderDetailsInvalid,
                      "approval code: 1 to 12 letters or digits");
      }
      if (t.terminal_reference.size() > 64 ||
          !all_of_chars(t.terminal_reference, is_reference_char)) {
        return refuse(RefusalCode::TenderDetailsInvalid,
                      "card terminal reference: letters, digits or '-'");
      }
      break;
    case TenderKind::Account:
      if (!evaluation.charge_account_eligible) return refuse(RefusalCode::ChargeAccountNotEligible);
      if (evaluation.credit_limit_exceeded) return refuse(RefusalCode::CreditLimitExceeded);
      if (evaluation.credit_available &&
          evaluation.credit_available->currency() == amount.currency()) {
        // Every unsynced charge to the account counts against what is left of the credit.
        Money charged = amount;
        if (unsynced_account_charges && unsynced_account_charges->currency() == amount.currency()) {
          auto sum = amount.add(*unsynced_account_charges);
          if (!sum) return refuse(RefusalCode::CreditLimitExceeded);
          charged = *sum;
        }
        if (greater(charged, *evaluation.credit_available))
          return refuse(RefusalCode::CreditLimitExceeded);
      }
      break;
  }
  return std::nullopt;
}

std::optional<Refusal> check_offline_limits(const TakePayment& c, Timestamp now) {
  if (c.mode != CaptureMode::Offline) return std::nullopt;
  const Currency currency = c.amount.currency();
  if (greater(c.amount, c.limits.single_payment_limit(currency))) {
    return refuse(RefusalCode::OfflineLimitExceeded,
                  "larger than the largest single offline payment");
  }
  const auto total = c.exposure.unsynced_total.total(currency).add(c.amount);
  if (!total || greater(*total, c.limits.unsynced_total_limit(currency))) {
    return refuse(RefusalCode::OfflineLimitExceeded,
                  "unsynced offline payments would exceed their limit");
  }
  if (c.exposure.oldest_unsynced_at &&
      now - *c.exposure.oldest_unsynced_at > c.limits.max_unsynced_age) {
    return refuse(RefusalCode::OfflineLimitExceeded, "an unsynced offline payment is too old");
  }
  return std::nullopt;
}

}  // namespace

std::optional<Refusal> Checkout::check_payment_entry(const TakePayment& command,
                                                     const Roster& roster, Timestamp now) const {
  if (auto r = check_operator(command.operator_id, command.required_permission, roster)) return r;
  if (auto r = check_invoice_known()) return r;
  if (!invoice_.takes_payment() || !balance_due_.is_positive())
    return refuse(RefusalCode::InvoiceNotPayable);
  if (!evaluation_) return refuse(RefusalCode::CheckoutNotEvaluated);
  const Money amount = command.amount;
  if (amount.currency() != invoice_.currency) return refuse(RefusalCode::CurrencyMismatch);
  if (!amount.is_positive()) return refuse(RefusalCode::AmountNotPositive);
  if (greater(amount, balance_due_)) return refuse(RefusalCode::AmountExceedsBalance);
  const Money balance_after = balance_due_.subtract(amount).value();  // 0 <= amount <= balance
  if (!balance_after.is_zero() && !evaluation_->partial_payments_allowed) {
    return refuse(RefusalCode::PartialPaymentNotAllowed);
  }
  if (auto r = check_tender(command.tender, amount, *evaluation_, command.unsynced_account_charges))
    return r;
  if (auto r = check_offline_limits(command, now)) return r;
  return std::nullopt;
}

Decision Checkout::take_payment(TakePayment& command, CounterContext& context) {
  if (auto r = check_operator(command.operator_id, command.required_permission, context.roster))
    return {{}, r};
  if (auto r = check_invoice_known()) return {{}, r};
  if (!invoice_.takes_payment() || !balance_due_.is_positive())
    return {{}, refuse(RefusalCode::InvoiceNotPayable)};
  if (!evaluation_) return {{}, refuse(RefusalCode::CheckoutNotEvaluated)};
  if (po_compliance() == PoCompliance::Blocked) {
    return {{},
            refuse(evaluation_->rules_missing ? RefusalCode::BillingRulesMissing
                                              : RefusalCode::PoRequired)};
  }
  if (auto r = check_payment_entry(command, context.roster, context.now)) return {{}, r};
  const Money amount = command.amount;
  const Money balance_after = balance_due_.subtract(amount).value();

  // A payment over the operator's paymentLimit needs a supervisor (PAYMENT_OVER_LIMIT).
  const Staff* operator_staff = context.roster.find(command.operator_id);
  const auto limit = operator_staff->limit_in(amount.currency());
  const bool over_limit = limit && greater(amount, *limit);
  std::vector<ApprovalRecord> records;
  std::vector<OnlineElevation*> online;
  if (over_limit) {
    if (!command.over_limit_approval) return {{}, refuse(RefusalCode::PaymentOverLimit)};
    std::vector<Approval> approvals{*command.over_limit_approval};
    if (auto r = check_approvals(approvals, ElevationAction::PaymentOverLimit, command.operator_id,
                                 1, context.now, records, online)) {
      return {{}, r};
    }
  }

  TenderDetails tender{command.tender.kind, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  switch (command.tender.kind) {
    case TenderKind::Cash: {
      const Money tendered = command.tender.amount_tendered.value_or(amount);
      tender.amount_tendered = tendered;
      tender.change_given = tendered.subtract(amount).value();
      break;
    }
    case TenderKind::Check:
      tender.tender_reference = command.tender.check_number;
      break;
    case TenderKind::CardExternal:
      tender.card = command.tender.card;
      if (!command.tender.terminal_reference.empty())
        tender.tender_reference = command.tender.terminal_reference;
      break;
    case TenderKind::Account:
      break;
  }

  const PaymentType type =
      balance_after.is_zero() ? PaymentType::PaidInFull : PaymentType::PartialPayment;
  const auto payment_id = context.ids.next_id<BillingPaymentId>();
  const auto receipt_id = context.ids.next_id<ReceiptId>();
  const int seq = static_cast<int>(invoice_.payments.size() + receipts_.size()) + 1;

  std::vector<CheckoutEvent> events;
  for (OnlineElevation* e : online) {
    e->used = true;
    events.emplace_back(OnlineElevationUsed{e->approver, e->action, e->expires_at, context.now});
  }
  std::optional<ApprovalRecord> approval;
  if (!records.empty()) approval = records.front();
  events.emplace_back(PaymentCaptured{payment_id, invoice_.invoice_id, id(), started_.terminal_id,
                                      amount, tender, type, balance_after, command.operator_id,
                                      command.mode, receipt_id, approval, context.now});
  events.emplace_back(ReceiptIssued{receipt_id,
                                    receipt_reference(invoice_.invoice_number, context.now, seq),
                                    payment_id, invoice_.invoice_id, type, balance_after,
                                    command.receipt == ReceiptDelivery::NoReceipt, context.now});
  return accept(std::move(events));
}

// ---------------------------------------------------------------------------------------------
// reprint_receipt
// ---------------------------------------------------------------------------------------------

std::optional<Refusal> Checkout::check_reprint_request(const ReprintReceipt& command,
                                                       const Roster& roster, Timestamp now) const {
  if (auto r = check_operator(command.operator_id, Permission::ReceiptReprint, roster)) return r;
  const auto receipt =
      std::find_if(receipts_.begin(), receipts_.end(),
                   [&](const ReceiptIssued& r) { return r.receipt_id == command.receipt_id; });
  if (receipt == receipts_.end())
    return refuse(RefusalCode::ReprintNotAllowed, "no such receipt here");

  // Reprints made here since the policy was seen count against it (offline, BILL-DEC-012).
  const auto since =
      std::count_if(reprints_.begin(), reprints_.end(), [&](const ReceiptReprinted& r) {
        return r.receipt_id == command.receipt_id && r.at >= command.policy_seen_at;
      });
  if (command.policy.remaining_reprints - since <= 0) return refuse(RefusalCode::ReprintNotAllowed);
  if (command.policy.window_ends_at && now > *command.policy.window_ends_at) {
    return refuse(RefusalCode::ReprintWindowClosed);
  }
  if (!command.reason_code.empty() && command.reason_codes != nullptr &&
      command.reason_codes->find(command.reason_code) == nullptr) {
    return refuse(RefusalCode::ReasonCodeUnknown);
  }
  if (command.policy.requires_reason_code && command.reason_code.empty()) {
    return refuse(RefusalCode::ReasonCodeRequired);
  }
  return std::nullopt;
}

Decision Checkout::reprint_receipt(ReprintReceipt& command, CounterContext& context) {
  if (auto r = check_reprint_request(command, context.roster, context.now)) return {{}, r};
  std::vector<ApprovalRecord> records;
  std::vector<OnlineElevation*> online;
  if (command.policy.requires_elevation) {
    if (auto r = check_approvals(command.approvals, ElevationAction::ReceiptReprint,
                                 command.operator_id, 1, context.now, records, online)) {
      return {{}, r};
    }
  }
  const auto all_reprints_of_receipt =
      std::count_if(reprints_.begin(), reprints_.end(),
                    [&](const ReceiptReprinted& r) { return r.receipt_id == command.receipt_id; });
  std::vector<CheckoutEvent> events;
  for (OnlineElevation* e : online) {
    e->used = true;
    events.emplace_back(OnlineElevationUsed{e->approver, e->action, e->expires_at, context.now});
  }
  events.emplace_back(ReceiptReprinted{context.ids.next_id<ReprintId>(), command.receipt_id,
                                       static_cast<int>(all_reprints_of_receipt) + 1,
                                       command.reason_code, command.operator_id, std::move(records),
                                       context.now});
  return accept(std::move(events));
}

}  // namespace pos::checkout

namespace pos::checkout {

// ---------------------------------------------------------------------------------------------
// record_delivery
// ---------------------------------------------------------------------------------------------

std::optional<Refusal> Checkout::check_delivery(const RecordDelivery& command,
                                                const Roster& roster) const {
  if (command.by_terminal) {
    if (command.reprint_id)
      return refuse(
          RefusalCode::PermissionMissing,
          "a reprint is a person's: " + std::string(to_string(Permission::ReceiptReprint)));
  } else if (auto r = check_operator(command.operator_id, Permission::ReceiptDeliver, roster)) {
    return r;
  }
  const bool known_receipt =
      std::any_of(receipts_.begin(), receipts_.end(),
                  [&](const ReceiptIssued& r) { return r.receipt_id == command.receipt_id; });
  const bool known_reprint =
      !command.reprint_id ||
      std::any_of(reprints_.begin(), reprints_.end(), [&](const ReceiptReprinted& r) {
        return r.reprint_id == *command.reprint_id && r.receipt_id == command.receipt_id;
      });
  if (!known_receipt || !known_reprint)
    return refuse(RefusalCode::ReprintNotAllowed, "no such receipt here");
  if (command.delivery_id &&
      std::any_of(deliveries_.begin(), deliveries_.end(), [&](const ReceiptDeliveryRecorded& d) {
        return d.delivery_id == *command.delivery_id;
      }))
    return refuse(RefusalCode::EventMalformed, "this delivery attempt is recorded already");
  if (looks_like_card_number(command.failure_reason)) return refuse(RefusalCode::CardNumberRefused);
  return std::nullopt;
}

Decision Checkout::record_delivery(const RecordDelivery& command, CounterContext& context) {
  if (auto r = check_delivery(command, context.roster)) return {{}, r};
  if (!is_attempt_outcome(command.outcome))
    return {{},
            refuse(RefusalCode::EventMalformed,
                   "a delivery attempt is SENT, FAILED or POSSIBLY_PRINTED")};
  return accept({ReceiptDeliveryRecorded{
      command.delivery_id ? *command.delivery_id : context.ids.next_id<DeliveryId>(),
      command.receipt_id, command.reprint_id, command.channel, command.outcome,
      command.failure_reason, command.operator_id, context.now}});
}

DeliveryStatus Checkout::delivery_status(const ReceiptId& receipt) const {
  for (auto it = deliveries_.rbegin(); it != deliveries_.rend(); ++it) {
    if (it->receipt_id == receipt) return it->outcome;
  }
  return DeliveryStatus::Pending;
}

bool Checkout::delivery_suppressed(const ReceiptId& receipt) const {
  for (const ReceiptDeliveryRecorded& d : deliveries_) {
    if (d.receipt_id == receipt) return false;
  }
  return std::any_of(receipts_.begin(), receipts_.end(), [&](const ReceiptIssued& r) {
    return r.receipt_id == receipt && r.delivery_suppressed;
  });
}

}  // namespace pos::checkout
