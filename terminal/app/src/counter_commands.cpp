// The command line on the counter engine: each runner posts the intents a person would tap, in
// order, reads PINs from standard input when the engine asks for them, and maps the final
// snapshot to cli.md's exit codes and JSON. No rule lives here; only the mapping.
//
// Sections: mapping snapshots to results · checkout · reprint · reports
#include "counter_commands.hpp"

#include <sstream>

#include <pos/checkout/invoice.hpp>

namespace pos::app {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------- mapping

ExitCode exitFor(const RefusalView& r) {
  switch (r.kind) {
    case RefusalKind::Business:
      return ExitCode::Refused;
    case RefusalKind::Unreachable:
      return ExitCode::Unreachable;
    case RefusalKind::Configuration:
    case RefusalKind::Storage:
      return ExitCode::ConfigOrData;
  }
  return ExitCode::Refused;
}

std::string text(const Money& m) {
  return checkout::format(m, checkout::MoneyFormat::Screen);
}

// Posts one intent and waits until the engine has applied it.
std::shared_ptr<const Snapshot> step(CounterEngine& engine, Intent intent) {
  engine.post(std::move(intent));
  return engine.settle();
}

std::optional<CommandResult> signIn(CounterEngine& engine, const std::string& operatorText,
                                    PinReader& pins) {
  auto op = checkout::UserId::parse(operatorText);
  if (!op) return refusedResult("OPERATOR_UNKNOWN", "the operator id is not valid", "");
  auto pin = pins.next();
  if (!pin)
    return refusedResult("PIN_REQUIRED", "the operator's PIN is expected on standard input", "",
                         ExitCode::Usage);
  auto s = step(engine, intent::SignIn{*op, std::move(*pin)});
  if (s->refusal) return fromRefusal(*s->refusal);
  return std::nullopt;
}

// Answers the pending approval with the named approvers' PINs, in order. `names` is consumed.
std::optional<CommandResult> approve(CounterEngine& engine, std::vector<std::string>& names,
                                     PinReader& pins, std::shared_ptr<const Snapshot>& s) {
  while (s->approval) {
    if (names.empty()) {
      const bool second = !s->approval->approvedBy.empty();
      const auto action = s->approval->action;
      step(engine, intent::CancelApproval{});
      if (action == checkout::ElevationAction::PaymentOverLimit)
        return refusedResult(
            "PAYMENT_OVER_LIMIT",
            std::string(checkout::message(checkout::RefusalCode::PaymentOverLimit)),
            s->checkout ? s->checkout->correlationId : "");
      return refusedResult(second ? "SECOND_APPROVER_REQUIRED" : "ELEVATION_REQUIRED",
                           second ? "a second, different approver is required"
                                  : "a supervisor's approval is required (--approver)",
                           s->checkout ? s->checkout->correlationId : "");
    }
    const std::string name = names.front();
    names.erase(names.begin());
    auto pin = pins.next();
    if (!pin)
      return refusedResult("PIN_REQUIRED",
                           "a PIN for approver " + name + " is expected on standard input",
                           s->checkout ? s->checkout->correlationId : "", ExitCode::Usage);
    auto approver = checkout::UserId::parse(name);
    if (!approver) {
      step(engine, intent::CancelApproval{});
      return refusedResult("ELEVATION_DENIED", "the approver is not known",
                           s->checkout ? s->checkout->correlationId : "");
    }
    s = step(engine, intent::SubmitApproval{*approver, std::move(*pin)});
    if (s->refusal) {
      step(engine, intent::CancelApproval{});
      return fromRefusal(*s->refusal);
    }
  }
  return std::nullopt;
}

// An approver is never the operator who asked, and two approvers are two people: checked on the
// names before any PIN is read or any approval is asked for.
std::optional<CommandResult> approversNotDistinct(const std::string& operatorId,
                                                  const std::vector<std::string>& approvers) {
  for (std::size_t i = 0; i < approvers.size(); ++i) {
    if (approvers[i] == operatorId)
      return refusedResult("APPROVER_NOT_DISTINCT",
                           "an approver cannot be the operator who asks for the approval", "");
    for (std::size_t j = 0; j < i; ++j)
      if (approvers[j] == approvers[i])
        return refusedResult("APPROVER_NOT_DISTINCT", "the two approvers must be two people", "");
  }
  return std::nullopt;
}

json receiptDeliveryJson(ReceiptOutcome o) {
  return std::string(to_string(o));
}

}  // namespace

CommandResult fromRefusal(const RefusalView& r) {
  std::string message = r.text;
  if (!r.detail.empty()) message += " (" + r.detail + ")";
  return refusedResult(r.code, message, r.correlationId, exitFor(r));
}

// ---------------------------------------------------------------- checkout

CommandResult runCheckout(CounterEngine& engine, const CheckoutCommand& cmd, PinReader& pins) {
  if (auto failed = signIn(engine, cmd.operatorId, pins)) return *failed;
  std::vector<std::string> overrideApprovers = cmd.approvers;
  if (auto r = approversNotDistinct(cmd.operatorId, overrideApprovers)) return *r;
  if (cmd.overLimitApprover) {
    if (auto r = approversNotDistinct(cmd.operatorId, {*cmd.overLimitApprover})) return *r;
  }
  auto s = step(engine, intent::OpenCheckout{cmd.workOrder});
  if (s->refusal) return fromRefusal(*s->refusal);

  // The command line accepts only the vocabulary's texts; a caller that built the command by
  // hand with another gets a usage error, never a default tender.
  const auto tender = vocabulary::parse<checkout::TenderKind>(cmd.tender);
  if (!tender)
    return refusedResult("USAGE", "--tender: CASH, CHECK, CARD_EXTERNAL or ACCOUNT", "",
                         ExitCode::Usage);
  intent::TakePayment pay;
  pay.tender = *tender;
  pay.amount = cmd.amount;
  pay.tendered = cmd.tendered;
  pay.checkNumber = cmd.checkNumber.value_or("");
  if (pay.tender == checkout::TenderKind::CardExternal)
    pay.card = checkout::CardDetails{cmd.cardBrand.value_or(""), cmd.cardLast4.value_or(""),
                                     cmd.approvalCode.value_or("")};
  pay.receipt = cmd.noReceipt ? ReceiptChoice::None
                : cmd.email   ? ReceiptChoice::Email
                              : ReceiptChoice::Print;
  pay.email = cmd.email.value_or("");

  // Everything typed is checked before a PO or an override leaves the terminal.
  if (cmd.po || cmd.overrideReason) {
    intent::TakePayment probe = pay;
    probe.checkOnly = true;
    s = step(engine, std::move(probe));
    if (s->refusal) return fromRefusal(*s->refusal);
  }
  if (cmd.po) {
    s = step(engine, intent::CapturePo{*cmd.po});
    if (s->refusal) return fromRefusal(*s->refusal);
  } else if (cmd.overrideReason) {
    s = step(engine, intent::RequestOverride{*cmd.overrideReason, cmd.notes.value_or("")});
    if (s->refusal) return fromRefusal(*s->refusal);
    if (auto failed = approve(engine, overrideApprovers, pins, s)) return *failed;
    if (s->refusal) return fromRefusal(*s->refusal);
    // PINs of approvers named beyond what the rules need are read (stdin keeps its order) and
    // wiped unused.
    for (std::size_t k = 0; k < overrideApprovers.size(); ++k) (void)pins.next();
  }

  s = step(engine, pay);
  if (s->approval) {
    std::vector<std::string> names;
    if (cmd.overLimitApprover) names.push_back(*cmd.overLimitApprover);
    if (auto failed = approve(engine, names, pins, s)) return *failed;
  }
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->checkout || s->checkout->payments.empty() || !s->receipt)
    return refusedResult("CAPTURE_INCOMPLETE", "the payment was not captured", "",
                         ExitCode::ConfigOrData);
  const auto& co = *s->checkout;
  const auto& payment = co.payments.back();
  const auto& receipt = *s->receipt;
  CommandResult result;
  result.json = {{"checkoutId", co.checkoutId},
                 {"invoiceId", co.invoiceId},
                 {"billingPaymentId", payment.billingPaymentId},
                 {"receiptId", payment.receiptId},
                 {"receiptReference", payment.receiptReference},
                 {"paymentType", std::string(checkout::to_string(payment.paymentType))},
                 {"amount", checkout::money_to_json(payment.amount)},
                 {"remainingBalance", checkout::money_to_json(receipt.remainingBalance)},
                 {"change", checkout::money_to_json(
                                payment.change.value_or(Money::zero(payment.amount.currency())))},
                 {"capturedOffline", payment.capturedOffline},
                 {"poCompliance", co.poCompliance},
                 {"receiptDelivery", receiptDeliveryJson(receipt.outcome)}};
  const bool notDelivered = receipt.outcome == ReceiptOutcome::Failed ||
                            receipt.outcome == ReceiptOutcome::PossiblyPrinted;
  if (notDelivered) result.json["printerMessage"] = receipt.printerMessage;
  result.code = notDelivered ? ExitCode::ReceiptNotDelivered : ExitCode::Done;
  result.text = "paid " + text(payment.amount) + " (" +
                std::string(checkout::to_string(payment.paymentType)) + "), remaining " +
                text(receipt.remainingBalance) + "\nreceipt " + payment.receiptReference + ": " +
                std::string(to_string(receipt.outcome));
  if (notDelivered) result.text += "\n" + receipt.printerMessage;
  return result;
}

// ---------------------------------------------------------------- reprint

CommandResult runReprint(CounterEngine& engine, const ReceiptCommand& cmd, PinReader& pins) {
  auto id = checkout::ReceiptId::parse(cmd.receiptId);
  if (!id) return refusedResult("RECEIPT_NOT_FOUND", "not a receipt id: " + cmd.receiptId, "");
  if (auto failed = signIn(engine, cmd.operatorId, pins)) return *failed;
  if (cmd.approver) {
    if (auto r = approversNotDistinct(cmd.operatorId, {*cmd.approver})) return *r;
  }
  auto s = step(engine, intent::ReprintReceipt{*id, cmd.reason});
  if (s->refusal) return fromRefusal(*s->refusal);
  std::vector<std::string> names;
  if (cmd.approver) names.push_back(*cmd.approver);
  if (s->approval) {
    if (auto failed = approve(engine, names, pins, s)) return *failed;
  } else if (!names.empty()) {
    (void)pins.next();  // the policy needs no approver: the PIN is read and wiped unused
  }
  if (s->refusal) return fromRefusal(*s->refusal);
  if (!s->receipt) return refusedResult("REPRINT_NOT_RECORDED", "no reprint", "");
  const auto& r = *s->receipt;
  CommandResult result;
  const bool ok = r.outcome == ReceiptOutcome::Sent;
  result.json = {{"receiptId", cmd.receiptId},
                 {"receiptDelivery", receiptDeliveryJson(r.outcome)},
                 {"reprintNumber", r.reprintCount}};
  if (!ok) {
    result.code = ExitCode::ReceiptNotDelivered;
    result.json["printerMessage"] = r.printerMessage;
    result.text = r.printerMessage;
  } else {
    result.text = "printed REPRINT " + std::to_string(r.reprintCount);
  }
  return result;
}

// ---------------------------------------------------------------- receipt e-mail

CommandResult runReceiptEmail(CounterEngine& engine, const ReceiptCommand& cmd, PinReader& pins) {
  auto id = checkout::ReceiptId::parse(cmd.receiptId);
  if (!id) return refusedResult("RECEIPT_NOT_FOUND", "not a receipt id: " + cmd.receiptId, "");
  if (auto failed = signIn(engine, cmd.operatorId, pins)) return *failed;
  auto s = step(engine, intent::EmailReceipt{*id, cmd.email.value_or("")});
  if (s->refusal) return fromRefusal(*s->refusal);
  CommandResult r;
  r.json = {{"receiptId", cmd.receiptId},
            {"receiptDelivery", s->receipt ? receiptDeliveryJson(s->receipt->outcome) : json()}};
  r.text = "e-mail queued for the backend to send";
  return r;
}

// ---------------------------------------------------------------- the queue

CommandResult runResolve(CounterEngine& engine, const QueueCommand& cmd, PinReader& pins) {
  std::int64_t item = 0;
  try {
    item = std::stoll(cmd.resolveId.value_or(""));
  } catch (const std::exception&) {
    return refusedResult("USAGE", "--resolve takes an item id", "", ExitCode::Usage);
  }
  if (auto failed = signIn(engine, cmd.operatorId.value_or(""), pins)) return *failed;
  if (auto r = approversNotDistinct(cmd.operatorId.value_or(""), {cmd.approver.value_or("")}))
    return *r;
  const auto resolution =
      cmd.resolution == "ADJUSTED" ? QueueResolution::Adjusted : QueueResolution::Retry;
  auto s = step(engine, intent::ResolveQueueItem{item, resolution, cmd.notes.value_or("")});
  if (s->refusal) return fromRefusal(*s->refusal);
  std::vector<std::string> names{cmd.approver.value_or("")};
  if (auto failed = approve(engine, names, pins, s)) return *failed;
  if (s->refusal) return fromRefusal(*s->refusal);
  CommandResult r;
  r.json = {{"item", item}, {"resolution", cmd.resolution.value_or("RETRY")}};
  r.text = "queue item " + std::to_string(item) + " resolved";
  return r;
}

// ---------------------------------------------------------------- shift and cash

CommandResult runShiftOpen(CounterEngine& engine, const ShiftOpenCommand& cmd, PinReader& pins) {
  std::vector<Money> floats;
  for (const auto& f : cmd.floats) {
    auto parsed = parseMoneyText(f);
    if (auto* err = std::get_if<std::string>(&parsed))
      return refusedResult("AMOUNT_INVALID", "--float: " + *err, "", ExitCode::Usage);
    floats.push_back(std::get<Money>(parsed));
  }
  if (auto failed = signIn(engine, cmd.operatorId, pins)) return *failed;
  auto s = step(engine, intent::OpenShift{floats});
  if (s->refusal) return fromRefusal(*s->refusal);
  CommandResult r;
  json f = json::array();
  for (const auto& m : floats) f.push_back(checkout::money_to_json(m));
  r.json = {{"shiftId", s->shift ? json(s->shift->shiftId) : json()}, {"openingFloat", f}};
  r.text = "shift " + (s->shift ? s->shift->shiftId : std::string("?")) + " opened";
  return r;
}

CommandResult runDrawerOpen(CounterEngine& engine, const DrawerOpenCommand& cmd, PinReader& pins) {
  if (auto failed = signIn(engine, cmd.operatorId, pins)) return *failed;
  if (cmd.approver) {
    if (auto r = approversNotDistinct(cmd.operatorId, {*cmd.approver})) return *r;
  }
  auto s = step(engine, intent::OpenDrawer{cmd.reason});
  if (s->approval) {
    std::vector<std::string> names;
    if (cmd.approver) names.push_back(*cmd.approver);
    if (auto failed = approve(engine, names, pins, s)) return *failed;
  } else if (cmd.approver) {
    (void)pins.next();  // no approval needed: the PIN is read and wiped unused
  }
  if (s->refusal) return fromRefusal(*s->refusal);
  CommandResult r;
  r.json = {{"drawerOpened", true}, {"reason", cmd.reason}};
  r.text = "drawer opened (no sale)";
  return r;
}

CommandResult runCashMovement(CounterEngine& engine, const CashMovementCommand& cmd,
                              PinReader& pins) {
  auto parsed = parseMoneyText(cmd.amount);
  if (auto* err = std::get_if<std::string>(&parsed))
    return refusedResult("AMOUNT_INVALID", "--amount: " + *err, "", ExitCode::Usage);
  if (auto failed = signIn(engine, cmd.operatorId, pins)) return *failed;
  const bool in = cmd.direction == CashMovementCommand::Direction::PaidIn;
  auto s = step(engine, intent::CashMovement{in ? CashDirection::PaidIn : CashDirection::PaidOut,
                                             std::get<Money>(parsed), cmd.reason});
  if (s->refusal) return fromRefusal(*s->refusal);
  CommandResult r;
  r.json = {{"direction", in ? "PAID_IN" : "PAID_OUT"},
            {"amount", checkout::money_to_json(std::get<Money>(parsed))},
            {"reason", cmd.reason}};
  r.text = std::string(in ? "paid in " : "paid out ") + text(std::get<Money>(parsed));
  return r;
}

// ---------------------------------------------------------------- reports

json reportJson(const ReportView& rep) {
  json currencies = json::array();
  for (const auto& c : rep.currencies) {
    json tenders = json::array();
    for (const auto& tt : c.tenders)
      tenders.push_back({{"tender", tt.tender},
                         {"count", tt.count},
                         {"total", checkout::money_to_json(tt.total)}});
    json section = {{"currency", std::string(c.currency.code())},
                    {"paymentCount", c.paymentCount},
                    {"paymentsTotal", checkout::money_to_json(c.paymentsTotal)},
                    {"tenders", tenders},
                    {"openingFloat", checkout::money_to_json(c.openingFloat)},
                    {"cashTaken", checkout::money_to_json(c.cashTaken)},
                    {"changeGiven", checkout::money_to_json(c.changeGiven)},
                    {"paidIn", checkout::money_to_json(c.paidIn)},
                    {"paidOut", checkout::money_to_json(c.paidOut)},
                    {"cashExpected", checkout::money_to_json(c.cashExpected)}};
    if (c.cashCounted) section["cashCounted"] = checkout::money_to_json(*c.cashCounted);
    if (c.cashDifference) section["cashDifference"] = checkout::money_to_json(*c.cashDifference);
    currencies.push_back(section);
  }
  json approvers = json::array();
  for (const auto& a : rep.approvers)
    approvers.push_back({{"approver", a.approver.str()},
                         {"overridesApproved", a.overrides},
                         {"reprintsApproved", a.reprints}});
  json unsynced = json::array();
  for (const auto& u : rep.unsyncedByCurrency)
    unsynced.push_back(
        {{"currency", std::string(u.currency().code())}, {"total", checkout::money_to_json(u)}});
  return {{"kind", rep.z ? "Z" : "X"},
          {"shiftId", rep.shiftId},
          {"openedAt", checkout::format_rfc3339(rep.openedAt)},
          {"closedAt", rep.closedAt ? json(checkout::format_rfc3339(*rep.closedAt)) : json()},
          {"closedBy", rep.closedBy ? json(rep.closedBy->str()) : json()},
          {"openingFloatCounted", rep.floatCounted},
          {"currencies", currencies},
          {"reprintCount", rep.reprints},
          {"approvers", approvers},
          {"approvals", rep.approvals},
          {"noSaleOpenings", rep.noSaleOpenings},
          {"unsynced",
           {{"count", rep.unsyncedPayments},
            {"byCurrency", unsynced},
            {"oldestCapturedAt",
             rep.oldestUnsynced ? json(checkout::format_rfc3339(*rep.oldestUnsynced)) : json()}}},
          {"chainHead", rep.chainHead}};
}

CommandResult runCloseShift(CounterEngine& engine, const ReportCommand& cmd, PinReader& pins) {
  if (!cmd.operatorId)
    return refusedResult("OPERATOR_REQUIRED",
                         "report z closes the shift: name the roster member who closes it "
                         "(--operator) and give their PIN on standard input",
                         "", ExitCode::Usage);
  std::vector<Money> counted;
  if (cmd.countedCash) {
    auto parsed = parseMoneyList(*cmd.countedCash);  // checked at parse time already
    if (!parsed)
      return refusedResult("AMOUNT_INVALID",
                           "--counted-cash: \"USD 120.00\" or \"USD 120.00,EUR 40.00\"", "",
                           ExitCode::Usage);
    counted = *parsed;
  }
  if (auto failed = signIn(engine, *cmd.operatorId, pins)) return *failed;
  auto s = step(engine, intent::CloseShift{counted, cmd.print});
  if (s->approval) {
    std::vector<std::string> names;
    if (cmd.approver) names.push_back(*cmd.approver);
    const auto refusal = s->refusal;
    if (names.empty()) {
      step(engine, intent::CancelApproval{});
      if (refusal) return fromRefusal(*refusal);
    }
    if (auto failed = approve(engine, names, pins, s)) return *failed;
  }
  if (s->refusal && !s->report) return fromRefusal(*s->refusal);
  if (!s->report || !s->report->z)
    return refusedResult("SHIFT_NOT_CLOSED", "the shift was not closed", "",
                         ExitCode::ConfigOrData);
  CommandResult r;
  r.json = reportJson(*s->report);
  r.text = s->report->text;
  if (cmd.print) r.json["printed"] = !s->refusal.has_value();
  return r;
}

}  // namespace pos::app
