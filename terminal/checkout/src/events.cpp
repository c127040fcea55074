// Checkout events: names of the vocabulary enums and the stable JSON form.
//
// Sections: enum names · to_json · event_from_json
#include <pos/checkout/events.hpp>

#include "json_reader.hpp"

namespace pos::checkout {

using detail::JsonReader;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Enum names
// ---------------------------------------------------------------------------------------------

// The texts are pos::vocabulary's (to_string, vocabulary::parse); the event log stores them as
// they are, and a text that is not the vocabulary's is EVENT_MALFORMED, never a default.

namespace {

// ---------------------------------------------------------------------------------------------
// to_json
// ---------------------------------------------------------------------------------------------

json time_json(Timestamp t) {
  return format_rfc3339(t);
}

json approval_json(const ApprovalRecord& a) {
  json out{{"approverUserId", a.approver.str()},
           {"method", std::string(vocabulary::to_string(a.method))},
           {"grantedAt", time_json(a.granted_at)}};
  out["offlineGrantId"] =
      a.offline_grant_id ? json(a.offline_grant_id->to_string()) : json(nullptr);
  return out;
}

json approvals_json(const std::vector<ApprovalRecord>& approvals) {
  json out = json::array();
  for (const auto& a : approvals) out.push_back(approval_json(a));
  return out;
}

json optional_money(const std::optional<Money>& m) {
  return m ? money_to_json(*m) : json(nullptr);
}

json tender_json(const TenderDetails& t) {
  json out{{"tender", std::string(to_string(t.kind))}};
  out["tenderReference"] = t.tender_reference ? json(*t.tender_reference) : json(nullptr);
  out["card"] = t.card ? json{{"brand", t.card->brand},
                              {"last4", t.card->last4},
                              {"approvalCode", t.card->approval_code}}
                       : json(nullptr);
  out["amountTendered"] = optional_money(t.amount_tendered);
  out["changeGiven"] = optional_money(t.change_given);
  return out;
}

struct ToJson {
  json operator()(const CheckoutStarted& e) const {
    return {{"checkoutId", e.checkout_id.to_string()},
            {"correlationId", e.correlation_id.to_string()},
            {"traceId", e.trace_id},
            {"operatorId", e.operator_id.str()},
            {"terminalId", e.terminal_id.str()},
            {"invoice", e.invoice_json},
            {"at", time_json(e.at)}};
  }
  json operator()(const RulesEvaluated& e) const {
    return {{"evaluation", to_json(e.evaluation)}, {"at", time_json(e.at)}};
  }
  json operator()(const PoCaptured& e) const {
    return {{"poNumber", e.po_number},
            {"capturedByUserId", e.captured_by.str()},
            {"at", time_json(e.at)}};
  }
  json operator()(const PoOverridden& e) const {
    return {{"overrideId", e.override_id.to_string()},
            {"reasonCode", e.reason_code},
            {"notes", e.notes},
            {"requestedByUserId", e.requested_by.str()},
            {"approvals", approvals_json(e.approvals)},
            {"at", time_json(e.at)}};
  }
  json operator()(const OfflineGrantIssued& e) const {
    return {
        {"offlineGrantId", e.grant_id.to_string()}, {"approverUserId", e.approver.str()},
        {"checkoutId", e.checkout_id.to_string()},  {"action", std::string(to_string(e.action))},
        {"terminalId", e.terminal_id.str()},        {"grantedAt", time_json(e.granted_at)}};
  }
  json operator()(const OnlineElevationUsed& e) const {
    return {{"approverUserId", e.approver.str()},
            {"action", std::string(to_string(e.action))},
            {"expiresAt", time_json(e.expires_at)},
            {"at", time_json(e.at)}};
  }
  json operator()(const PinAttemptFailed& e) const {
    return {{"approverUserId", e.approver.str()},
            {"action", std::string(to_string(e.action))},
            {"at", time_json(e.at)}};
  }
  json operator()(const ApproverLockedOut& e) const {
    return {{"approverUserId", e.approver.str()},
            {"at", time_json(e.at)},
            {"until", time_json(e.until)}};
  }
  json operator()(const PaymentCaptured& e) const {
    json out{{"billingPaymentId", e.billing_payment_id.to_string()},
             {"invoiceId", e.invoice_id.to_string()},
             {"checkoutId", e.checkout_id.to_string()},
             {"terminalId", e.terminal_id.str()},
             {"amount", money_to_json(e.amount)},
             {"paymentType", std::string(to_string(e.payment_type))},
             {"balanceAfter", money_to_json(e.balance_after)},
             {"capturedByUserId", e.captured_by.str()},
             {"capturedOffline", vocabulary::captured_offline(e.capture_mode)},
             {"receiptId", e.receipt_id.to_string()},
             {"capturedAt", time_json(e.at)}};
    out.update(tender_json(e.tender));
    out["overLimitApproval"] =
        e.over_limit_approval ? approval_json(*e.over_limit_approval) : json(nullptr);
    return out;
  }
  json operator()(const ReceiptIssued& e) const {
    return {{"receiptId", e.receipt_id.to_string()},
            {"receiptReference", e.receipt_reference},
            {"billingPaymentId", e.billing_payment_id.to_string()},
            {"invoiceId", e.invoice_id.to_string()},
            {"paymentType", std::string(to_string(e.payment_type))},
            {"remainingBalance", money_to_json(e.remaining_balance)},
            {"deliverySuppressed", e.delivery_suppressed},
            {"createdAt", time_json(e.at)}};
  }
  json operator()(const ReceiptDeliveryRecorded& e) const {
    return {{"deliveryId", e.delivery_id.to_string()},
            {"receiptId", e.receipt_id.to_string()},
            {"reprintId", e.reprint_id ? json(e.reprint_id->to_string()) : json(nullptr)},
            {"channel", std::string(to_string(e.channel))},
            {"outcome", std::string(to_string(e.outcome))},
            {"failureReason", e.failure_reason},
            {"deliveredByUserId", e.delivered_by.str()},
            {"at", time_json(e.at)}};
  }
  json operator()(const ReceiptReprinted& e) const {
    return {{"reprintId", e.reprint_id.to_string()},
            {"receiptId", e.receipt_id.to_string()},
            {"reprintNumber", e.reprint_number},
            {"reasonCode", e.reason_code},
            {"requestedByUserId", e.requested_by.str()},
            {"approvals", approvals_json(e.approvals)},
            {"at", time_json(e.at)}};
  }
};

// ---------------------------------------------------------------------------------------------
// event_from_json
// ---------------------------------------------------------------------------------------------

std::optional<ApprovalRecord> read_approval(JsonReader& r, const json& in,
                                            const std::string& path) {
  auto approver = r.id<UserId>(in, path, "approverUserId");
  auto method = r.string(in, path, "method");
  auto grant = r.id<OfflineGrantId>(in, path, "offlineGrantId", false);
  auto at = r.time(in, path, "grantedAt");
  std::optional<ApprovalMethod> method_value;
  if (method) {
    method_value = vocabulary::parse<ApprovalMethod>(*method);
    if (!method_value) r.note_wrong(path + ".method", "ONLINE or OFFLINE");
  }
  if (!approver || !method_value || !at) return std::nullopt;
  return ApprovalRecord{*approver, *method_value, grant, *at};
}

std::vector<ApprovalRecord> read_approvals(JsonReader& r, const json& in) {
  std::vector<ApprovalRecord> out;
  if (const auto* list = r.array(in, "", "approvals")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (auto a = read_approval(r, (*list)[i], JsonReader::index("", "approvals", i)))
        out.push_back(*a);
    }
  }
  return out;
}

std::optional<ElevationAction> read_action(JsonReader& r, const json& in) {
  auto text = r.string(in, "", "action");
  if (!text) return std::nullopt;
  auto action = vocabulary::parse<ElevationAction>(*text);
  if (!action) r.note_wrong("action", "an elevation action");
  return action;
}

std::optional<PaymentType> read_payment_type(JsonReader& r, const json& in) {
  auto text = r.string(in, "", "paymentType");
  if (!text) return std::nullopt;
  auto type = vocabulary::parse<PaymentType>(*text);
  if (!type) r.note_wrong("paymentType", "PAID_IN_FULL or PARTIAL_PAYMENT");
  return type;
}

std::optional<TenderDetails> read_tender(JsonReader& r, const json& in) {
  auto kind_text = r.string(in, "", "tender");
  std::optional<TenderKind> kind;
  if (kind_text) {
    kind = vocabulary::parse<TenderKind>(*kind_text);
    if (!kind) r.note_wrong("tender", "a tender");
  }
  TenderDetails t{TenderKind::Cash, r.string(in, "", "tenderReference", false), std::nullopt,
                  r.money(in, "", "amountTendered", false), r.money(in, "", "changeGiven", false)};
  if (const auto* card = r.field(in, "", "card", false)) {
    auto brand = r.string(*card, "card", "brand");
    auto last4 = r.string(*card, "card", "last4");
    auto code = r.string(*card, "card", "approvalCode");
    if (brand && last4 && code) t.card = CardDetails{*brand, *last4, *code};
  }
  if (!kind) return std::nullopt;
  t.kind = *kind;
  return t;
}

Result<CheckoutEvent, Refusal> read_event(JsonReader& r, const std::string& kind, const json& in) {
  const auto done = [&r](auto&& event) -> Result<CheckoutEvent, Refusal> {
    if (r.failed()) return fail(r.refusal(RefusalCode::EventMalformed));
    return CheckoutEvent{std::forward<decltype(event)>(event)};
  };
  const auto bad = [&r]() -> Result<CheckoutEvent, Refusal> {
    return fail(r.refusal(RefusalCode::EventMalformed));
  };
  if (kind == "CheckoutStarted") {
    auto checkout = r.id<CheckoutId>(in, "", "checkoutId");
    auto correlation = r.id<CorrelationId>(in, "", "correlationId");
    auto trace = r.string(in, "", "traceId");
    auto op = r.id<UserId>(in, "", "operatorId");
    auto terminal = r.id<TerminalId>(in, "", "terminalId");
    auto invoice = r.string(in, "", "invoice");
    auto at = r.time(in, "", "at");
    if (r.failed()) return bad();
    return done(CheckoutStarted{*checkout, *correlation, *trace, *op, *terminal, *invoice, *at});
  }
  if (kind == "RulesEvaluated") {
    auto at = r.time(in, "", "at");
    const auto* ev = r.field(in, "", "evaluation", true);
    if (r.failed() || ev == nullptr) return bad();
    auto evaluation = parse_rule_evaluation(*ev);
    if (!evaluation)
      return fail(Refusal{RefusalCode::EventMalformed, evaluation.error().detail,
                          evaluation.error().missing_fields});
    return done(RulesEvaluated{evaluation.value(), *at});
  }
  if (kind == "PoCaptured") {
    auto po = r.string(in, "", "poNumber");
    auto by = r.id<UserId>(in, "", "capturedByUserId");
    auto at = r.time(in, "", "at");
    if (r.failed()) return bad();
    return done(PoCaptured{*po, *by, *at});
  }
  if (kind == "PoOverridden") {
    auto id = r.id<OverrideId>(in, "", "overrideId");
    auto reason = r.string(in, "", "reasonCode");
    auto notes = r.string(in, "", "notes");
    auto by = r.id<UserId>(in, "", "requestedByUserId");
    auto approvals = read_approvals(r, in);
    auto at = r.time(in, "", "at");
    if (r.failed()) return bad();
    return done(PoOverridden{*id, *reason, *notes, *by, std::move(approvals), *at});
  }
  if (kind == "OfflineGrantIssued") {
    auto id = r.id<OfflineGrantId>(in, "", "offlineGrantId");
    auto approver = r.id<UserId>(in, "", "approverUserId");
    auto checkout = r.id<CheckoutId>(in, "", "checkoutId");
    auto action = read_action(r, in);
    auto terminal = r.id<TerminalId>(in, "", "terminalId");
    auto at = r.time(in, "", "grantedAt");
    if (r.failed()) return bad();
    return done(OfflineGrantIssued{*id, *approver, *checkout, *action, *terminal, *at});
  }
  if (kind == "OnlineElevationUsed") {
    auto approver = r.id<UserId>(in, "", "approverUserId");
    auto action = read_action(r, in);
    auto expires = r.time(in, "", "expiresAt");
    auto at = r.time(in, "", "at");
    if (r.failed()) return bad();
    return done(OnlineElevationUsed{*approver, *action, *expires, *at});
  }
  if (kind == "PinAttemptFailed") {
    auto approver = r.id<UserId>(in, "", "approverUserId");
    auto action = read_action(r, in);
    auto at = r.time(in, "", "at");
    if (r.failed()) return bad();
    return done(PinAttemptFailed{*approver, *action, *at});
  }
  if (kind == "ApproverLockedOut") {
    auto approver = r.id<UserId>(in, "", "approverUserId");
    auto at = r.time(in, "", "at");
    auto until = r.time(in, "", "until");
    if (r.failed()) return bad();
    return done(ApproverLockedOut{*approver, *at, *until});
  }
  if (kind == "PaymentCaptured") {
    auto id = r.id<BillingPaymentId>(in, "", "billingPaymentId");
    auto invoice = r.id<InvoiceId>(in, "", "invoiceId");
    auto checkout = r.id<CheckoutId>(in, "", "checkoutId");
    auto terminal = r.id<TerminalId>(in, "", "terminalId");
    auto amount = r.money(in, "", "amount");
    auto tender = read_tender(r, in);
    auto type = read_payment_type(r, in);
    auto balance = r.money(in, "", "balanceAfter");
    auto by = r.id<UserId>(in, "", "capturedByUserId");
    auto offline = r.boolean(in, "", "capturedOffline");
    auto receipt = r.id<ReceiptId>(in, "", "receiptId");
    std::optional<ApprovalRecord> over_limit;
    if (const auto* a = r.field(in, "", "overLimitApproval", false))
      over_limit = read_approval(r, *a, "overLimitApproval");
    auto at = r.time(in, "", "capturedAt");
    if (r.failed()) return bad();
    return done(PaymentCaptured{*id, *invoice, *checkout, *terminal, *amount, *tender, *type,
                                *balance, *by, vocabulary::capture_mode(*offline), *receipt,
                                over_limit, *at});
  }
  if (kind == "ReceiptIssued") {
    auto id = r.id<ReceiptId>(in, "", "receiptId");
    auto reference = r.string(in, "", "receiptReference");
    auto payment = r.id<BillingPaymentId>(in, "", "billingPaymentId");
    auto invoice = r.id<InvoiceId>(in, "", "invoiceId");
    auto type = read_payment_type(r, in);
    auto remaining = r.money(in, "", "remainingBalance");
    auto suppressed = r.boolean(in, "", "deliverySuppressed");
    auto at = r.time(in, "", "createdAt");
    if (r.failed()) return bad();
    return done(
        ReceiptIssued{*id, *reference, *payment, *invoice, *type, *remaining, *suppressed, *at});
  }
  if (kind == "ReceiptReprinted") {
    auto id = r.id<ReprintId>(in, "", "reprintId");
    auto receipt = r.id<ReceiptId>(in, "", "receiptId");
    auto number = r.integer(in, "", "reprintNumber");
    auto reason = r.string(in, "", "reasonCode");
    auto by = r.id<UserId>(in, "", "requestedByUserId");
    auto approvals = read_approvals(r, in);
    auto at = r.time(in, "", "at");
    if (number && (*number < 1 || *number > 1'000'000))
      r.note_wrong("reprintNumber", "a positive number");
    if (r.failed()) return bad();
    return done(ReceiptReprinted{*id, *receipt, static_cast<int>(*number), *reason, *by,
                                 std::move(approvals), *at});
  }
  if (kind == "ReceiptDeliveryRecorded") {
    auto id = r.id<DeliveryId>(in, "", "deliveryId");
    auto receipt = r.id<ReceiptId>(in, "", "receiptId");
    auto reprint = r.id<ReprintId>(in, "", "reprintId", false);
    auto channel = r.string(in, "", "channel");
    auto outcome = r.string(in, "", "outcome");
    auto reason = r.string(in, "", "failureReason");
    auto by = r.id<UserId>(in, "", "deliveredByUserId");
    auto at = r.time(in, "", "at");
    std::optional<DeliveryChannel> channel_value;
    std::optional<DeliveryOutcome> outcome_value;
    if (channel) {
      channel_value = vocabulary::parse<DeliveryChannel>(*channel);
      if (!channel_value) r.note_wrong("channel", "PRINT or EMAIL");
    }
    if (outcome) {
      outcome_value = vocabulary::parse<DeliveryOutcome>(*outcome);
      if (!outcome_value || !is_attempt_outcome(*outcome_value))
        r.note_wrong("outcome", "SENT, FAILED or POSSIBLY_PRINTED");
    }
    if (r.failed()) return bad();
    return done(ReceiptDeliveryRecorded{*id, *receipt, reprint, *channel_value, *outcome_value,
                                        *reason, *by, *at});
  }
  return fail(refuse(RefusalCode::EventMalformed, "unknown event kind"));
}

}  // namespace

std::string_view event_kind(const CheckoutEvent& event) noexcept {
  static constexpr std::array<std::string_view, std::variant_size_v<CheckoutEvent>> kNames{
      "CheckoutStarted",    "RulesEvaluated",      "PoCaptured",       "PoOverridden",
      "OfflineGrantIssued", "OnlineElevationUsed", "PinAttemptFailed", "ApproverLockedOut",
      "PaymentCaptured",    "ReceiptIssued",       "ReceiptReprinted", "ReceiptDeliveryRecorded"};
  return kNames[event.index()];
}

json to_json(const CheckoutEvent& event) {
  json out = std::visit(ToJson{}, event);
  out["kind"] = std::string(event_kind(event));
  return out;
}

Result<CheckoutEvent, Refusal> event_from_json(const json& in) {
  JsonReader r;
  auto kind = r.string(in, "", "kind");
  if (!kind) return fail(r.refusal(RefusalCode::EventMalformed));
  return read_event(r, *kind, in);
}

}  // namespace pos::checkout
