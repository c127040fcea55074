// BillingClient: contract bodies out, strictly parsed bodies in.
//
// Sections: 1. enum names  2. the strict reader  3. parsers  4. request bodies  5. endpoints
#include <pos/sync/billing_client.hpp>
#include <pos/sync/integrity.hpp>

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>

namespace pos::sync {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// 1. enum names
// ---------------------------------------------------------------------------------------------

namespace {

template <class E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<InvoiceStatus, 4> kInvoiceStatus{{{InvoiceStatus::Draft, "DRAFT"},
                                                  {InvoiceStatus::Issued, "ISSUED"},
                                                  {InvoiceStatus::Paid, "PAID"},
                                                  {InvoiceStatus::Void, "VOID"}}};
constexpr Names<MessageSeverity, 3> kSeverity{{{MessageSeverity::Info, "INFO"},
                                               {MessageSeverity::Warning, "WARNING"},
                                               {MessageSeverity::Blocking, "BLOCKING"}}};
constexpr Names<PoUniquenessScope, 3> kScope{
    {{PoUniquenessScope::PerOrder, "PER_ORDER"},
     {PoUniquenessScope::PerAccountOpenOrders, "PER_ACCOUNT_OPEN_ORDERS"},
     {PoUniquenessScope::PerAccountAllTime, "PER_ACCOUNT_ALL_TIME"}}};
constexpr Names<PaymentStatus, 1> kPaymentStatus{{{PaymentStatus::Posted, "POSTED"}}};
constexpr Names<ReceiptAction, 4> kActions{{{ReceiptAction::Print, "PRINT"},
                                            {ReceiptAction::Email, "EMAIL"},
                                            {ReceiptAction::Reprint, "REPRINT"},
                                            {ReceiptAction::RetryDelivery, "RETRY_DELIVERY"}}};
template <class E, std::size_t N>
Received<E> receive(const Names<E, N>& names, const std::string& text) {
  Received<E> r;
  r.raw = text;
  for (const auto& [value, name] : names) {
    if (name == text) {
      r.value = value;
      r.known = true;
    }
  }
  return r;
}

// A vocabulary value as received: known only when the text is the vocabulary's and the value is
// one the contract sends (the vocabulary's texts are the contract's, except the terminal's own
// POSSIBLY_PRINTED).
template <vocabulary::Named E>
Received<E> receive(const std::string& text) {
  Received<E> r;
  r.raw = text;
  if (auto v = vocabulary::parse<E>(text)) {
    if constexpr (std::is_same_v<E, DeliveryStatus>) {
      if (!vocabulary::is_contract_status(*v)) return r;
    }
    r.value = *v;
    r.known = true;
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 2. the strict reader: records the first problem with its path; later reads return defaults
// ---------------------------------------------------------------------------------------------

namespace {

class Reader {
 public:
  Reader(const json& j, std::string path, std::string& error)
      : j_(j), path_(std::move(path)), error_(error) {
    if (!j_.is_object()) fail("", "not an object");
  }

  bool ok() const { return error_.empty(); }

  const json* field(const char* key) {
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end()) {
      fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }
  std::string str(const char* key) {
    const json* v = field(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail(key, "not a string");
      return {};
    }
    return v->get<std::string>();
  }
  // string | null (an absent key reads as null)
  std::optional<std::string> optStr(const char* key) {
    if (!j_.is_object() || !j_.contains(key) || j_[key].is_null()) return std::nullopt;
    if (!j_[key].is_string()) {
      fail(key, "not a string");
      return std::nullopt;
    }
    return j_[key].get<std::string>();
  }
  bool boolean(const char* key) {
    const json* v = field(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      fail(key, "not a boolean");
      return false;
    }
    return v->get<bool>();
  }
  std::int64_t integer(const char* key) {
    const json* v = field(key);
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) {
      fail(key, "not an integer");
      return 0;
    }
    return v->get<std::int64_t>();
  }
  ContractMoney money(const char* key) {
    const json* v = field(key);
    if (v == nullptr) return {};
    return moneyOf(*v, key);
  }
  std::optional<ContractMoney> optMoney(const char* key) {
    if (!j_.is_object() || !j_.contains(key) || j_[key].is_null()) return std::nullopt;
    return moneyOf(j_[key], key);
  }
  const json& array(const char* key) {
    static const json kEmpty = json::array();
    const json* v = field(key);
    if (v == nullptr) return kEmpty;
    if (!v->is_array()) {
      fail(key, "not an array");
      return kEmpty;
    }
    return *v;
  }
  std::string pathOf(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  std::string& errorSink() { return error_; }

 private:
  ContractMoney moneyOf(const json& v, const char* key) {
    ContractMoney m;
    if (!v.is_object() || !v.contains("currency") || !v["currency"].is_string() ||
        !v.contains("amountMinor") || !v["amountMinor"].is_number_integer()) {
      fail(key, "not a Money {currency, amountMinor}");
      return m;
    }
    m.currency = v["currency"].get<std::string>();
    m.amountMinor = v["amountMinor"].get<std::int64_t>();
    const bool iso =
        m.currency.size() == 3 && std::all_of(m.currency.begin(), m.currency.end(),
                                              [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!iso) fail(key, "currency is not an ISO 4217 code");
    return m;
  }
  void fail(const std::string& key, const char* what) {
    if (!error_.empty()) return;
    const std::string where = key.empty() ? (path_.empty() ? "body" : path_) : pathOf(key);
    error_ = where + ": " + what;
  }

  const json& j_;
  std::string path_;
  std::string& error_;
};

template <class T, class F>
Parsed<T> parseWith(std::string_view body, F&& read) {
  Parsed<T> out;
  auto j = parse_outside_json(body);
  if (j.is_discarded()) {
    out.error = "body: not JSON";
    return out;
  }
  T value = read(j, out.error);
  if (out.error.empty()) out.value = std::move(value);
  return out;
}

std::string indexed(const std::string& base, std::size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

ReprintPolicy readReprintPolicy(Reader& parent, const char* key) {
  ReprintPolicy p;
  const json* v = parent.field(key);
  if (v == nullptr) return p;
  Reader r(*v, parent.pathOf(key), parent.errorSink());
  p.remainingReprints = static_cast<int>(r.integer("remainingReprints"));
  p.windowEndsAt = r.str("windowEndsAt");
  p.requiresReasonCode = r.boolean("requiresReasonCode");
  p.requiresElevation = r.boolean("requiresElevation");
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 3. parsers
// ---------------------------------------------------------------------------------------------

Parsed<Roster> parseRoster(std::string_view body) {
  return parseWith<Roster>(body, [](const json& j, std::string& err) {
    Roster roster;
    Reader r(j, "", err);
    roster.issuedAt = r.str("issuedAt");
    roster.maxOfflineAgeSeconds = r.integer("maxOfflineAgeSeconds");
    const json& staff = r.array("staff");
    for (std::size_t i = 0; i < staff.size() && err.empty(); ++i) {
      Reader s(staff[i], indexed("staff", i), err);
      Staff st;
      st.userId = s.str("userId");
      st.displayName = s.str("displayName");
      const json& perms = s.array("permissions");
      for (const auto& p : perms) {
        if (!p.is_string()) {
          err = indexed("staff", i) + ".permissions: not strings";
          break;
        }
        st.permissions.push_back(p.get<std::string>());
      }
      st.paymentLimit = s.optMoney("paymentLimit");
      const json* v = s.field("pinVerifier");
      if (v != nullptr) {
        Reader pv(*v, indexed("staff", i) + ".pinVerifier", err);
        st.pinVerifier.alg = pv.str("alg");
        st.pinVerifier.saltBase64 = pv.str("salt");
        const auto ops = pv.integer("opsLimit");
        const auto mem = pv.integer("memLimitBytes");
        st.pinVerifier.hashBase64 = pv.str("hash");
        if (err.empty() && (ops <= 0 || mem <= 0)) {
          err = indexed("staff", i) + ".pinVerifier: limits must be positive";
        }
        st.pinVerifier.opsLimit = static_cast<std::uint64_t>(std::max<std::int64_t>(ops, 0));
        st.pinVerifier.memLimitBytes = static_cast<std::uint64_t>(std::max<std::int64_t>(mem, 0));
      }
      roster.staff.push_back(std::move(st));
    }
    return roster;
  });
}

Parsed<std::vector<ReasonCode>> parseReasonCodes(std::string_view body) {
  return parseWith<std::vector<ReasonCode>>(body, [](const json& j, std::string& err) {
    std::vector<ReasonCode> out;
    Reader r(j, "", err);
    const json& codes = r.array("reasonCodes");
    for (std::size_t i = 0; i < codes.size() && err.empty(); ++i) {
      Reader c(codes[i], indexed("reasonCodes", i), err);
      ReasonCode rc;
      rc.code = c.str("code");
      rc.label = c.str("label");
      rc.requiresNotes = c.boolean("requiresNotes");
      out.push_back(std::move(rc));
    }
    return out;
  });
}

Parsed<BillingRules> parseBillingRules(std::string_view body) {
  return parseWith<BillingRules>(body, [](const json& j, std::string& err) {
    BillingRules b;
    Reader r(j, "", err);
    b.accountId = r.str("accountId");
    b.isPoRequired = r.boolean("isPoRequired");
    b.poFormatRegex = r.optStr("poFormatRegex");
    b.poUniquenessScope = receive(kScope, r.str("poUniquenessScope"));
    b.overrideAllowed = r.boolean("overrideAllowed");
    b.overrideRequiresSecondApprover = r.boolean("overrideRequiresSecondApprover");
    b.overrideReasonCodeRequired = r.boolean("overrideReasonCodeRequired");
    b.partialPaymentsAllowed = r.boolean("partialPaymentsAllowed");
    b.chargeAccountEligible = r.boolean("chargeAccountEligible");
    b.creditLimit = r.optMoney("creditLimit");
    b.accountBalance = r.optMoney("accountBalance");
    b.offlineElevationAllowed = r.boolean("offlineElevationAllowed");
    b.policyVersion = r.str("policyVersion");
    return b;
  });
}

Parsed<BillingRuleEvaluation> parseEvaluation(std::string_view body) {
  return parseWith<BillingRuleEvaluation>(body, [](const json& j, std::string& err) {
    BillingRuleEvaluation e;
    Reader r(j, "", err);
    e.policyVersion = r.str("policyVersion");
    e.poRequired = r.boolean("poRequired");
    e.poFormatRegex = r.optStr("poFormatRegex");
    e.poUniquenessScope = receive(kScope, r.str("poUniquenessScope"));
    e.overrideAllowed = r.boolean("overrideAllowed");
    e.overrideRequiresSecondApprover = r.boolean("overrideRequiresSecondApprover");
    e.overrideReasonCodeRequired = r.boolean("overrideReasonCodeRequired");
    e.chargeAccountEligible = r.boolean("chargeAccountEligible");
    e.creditLimitExceeded = r.boolean("creditLimitExceeded");
    e.partialPaymentsAllowed = r.boolean("partialPaymentsAllowed");
    const json& messages = r.array("messages");
    for (std::size_t i = 0; i < messages.size() && err.empty(); ++i) {
      Reader m(messages[i], indexed("messages", i), err);
      EvaluationMessage msg;
      msg.code = m.str("code");
      msg.severity = receive(kSeverity, m.str("severity"));
      msg.text = m.str("text");
      e.messages.push_back(std::move(msg));
    }
    return e;
  });
}

Parsed<ElevationGrant> parseElevationGrant(std::string_view body) {
  return parseWith<ElevationGrant>(body, [](const json& j, std::string& err) {
    ElevationGrant g;
    Reader r(j, "", err);
    g.elevationToken = SecretToken(r.str("elevationToken"));
    g.expiresAt = r.str("expiresAt");
    g.approverUserId = r.str("approverUserId");
    return g;
  });
}

namespace {
PaymentPosted readPaymentPosted(const json& j, std::string& err) {
  PaymentPosted p;
  Reader r(j, "", err);
  p.billingPaymentId = r.str("billingPaymentId");
  p.status = receive(kPaymentStatus, r.str("status"));
  const json* inv = r.field("invoice");
  if (inv != nullptr) {
    Reader i(*inv, "invoice", err);
    p.invoiceId = i.str("invoiceId");
    p.invoiceStatus = receive(kInvoiceStatus, i.str("status"));
    p.balanceDue = i.money("balanceDue");
  }
  return p;
}
}  // namespace

Parsed<PaymentPosted> parsePaymentPosted(std::string_view body) {
  return parseWith<PaymentPosted>(body, readPaymentPosted);
}

namespace detail {
// The replicator judges every acknowledgement and has the reply parsed already (declared in
// replicator.cpp, its only user): the same reading without parsing the body a second time.
Parsed<PaymentPosted> parsePaymentPostedJson(const json& reply) {
  Parsed<PaymentPosted> out;
  PaymentPosted value = readPaymentPosted(reply, out.error);
  if (out.error.empty()) out.value = std::move(value);
  return out;
}
}  // namespace detail

Parsed<std::vector<ProviderPayment>> parseProviderPayments(std::string_view body) {
  return parseWith<std::vector<ProviderPayment>>(body, [](const json& j, std::string& err) {
    std::vector<ProviderPayment> out;
    Reader r(j, "", err);
    const json& list = r.array("payments");
    for (std::size_t i = 0; i < list.size() && err.empty(); ++i) {
      Reader p(list[i], indexed("payments", i), err);
      ProviderPayment pp;
      pp.billingPaymentId = p.str("billingPaymentId");
      pp.invoiceId = p.str("invoiceId");
      pp.amount = p.money("amount");
      pp.tender = receive<Tender>(p.str("tender"));
      pp.status = p.str("status");
      pp.capturedAt = p.str("capturedAt");
      out.push_back(std::move(pp));
    }
    return out;
  });
}

Parsed<std::vector<ReceiptRecord>> parseReceiptRecords(std::string_view body) {
  return parseWith<std::vector<ReceiptRecord>>(body, [](const json& j, std::string& err) {
    std::vector<ReceiptRecord> out;
    Reader r(j, "", err);
    const json& list = r.array("receipts");
    for (std::size_t i = 0; i < list.size() && err.empty(); ++i) {
      Reader x(list[i], indexed("receipts", i), err);
      ReceiptRecord rec;
      rec.receiptId = x.str("receiptId");
      rec.billingPaymentId = x.str("billingPaymentId");
      rec.deliveryStatus = receive<DeliveryStatus>(x.str("deliveryStatus"));
      rec.deliverySuppressed = x.boolean("deliverySuppressed");
      rec.reprintCount = static_cast<int>(x.integer("reprintCount"));
      rec.reprintPolicy = readReprintPolicy(x, "reprintPolicy");
      for (const auto& a : x.array("allowedActions")) {
        if (!a.is_string()) {
          err = indexed("receipts", i) + ".allowedActions: not strings";
          break;
        }
        rec.allowedActions.push_back(receive(kActions, a.get<std::string>()));
      }
      out.push_back(std::move(rec));
    }
    return out;
  });
}

Parsed<ReprintRecorded> parseReprintRecorded(std::string_view body) {
  return parseWith<ReprintRecorded>(body, [](const json& j, std::string& err) {
    ReprintRecorded rr;
    Reader r(j, "", err);
    rr.reprintNumber = static_cast<int>(r.integer("reprintNumber"));
    rr.reprintPolicy = readReprintPolicy(r, "reprintPolicy");
    return rr;
  });
}

Parsed<Received<DeliveryStatus>> parseDeliveryResult(std::string_view body) {
  return parseWith<Received<DeliveryStatus>>(body, [](const json& j, std::string& err) {
    Reader r(j, "", err);
    return receive<DeliveryStatus>(r.str("deliveryStatus"));
  });
}

// ---------------------------------------------------------------------------------------------
// 4. request bodies
// ---------------------------------------------------------------------------------------------

namespace {
json optional(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}
json optional(const std::optional<ContractMoney>& m) {
  return m ? toJson(*m) : json(nullptr);
}
json approvalsJson(const std::vector<Approval>& approvals) {
  json out = json::array();
  for (const auto& a : approvals) {
    json j = {{"approverUserId", a.approverUserId}};
    if (a.elevationToken) j["elevationToken"] = a.elevationToken->reveal();
    if (a.offlineGrantId) j["offlineGrantId"] = *a.offlineGrantId;
    if (a.grantedAt) j["grantedAt"] = *a.grantedAt;
    out.push_back(std::move(j));
  }
  return out;
}
}  // namespace

json toJson(const ContractMoney& m) {
  return {{"currency", m.currency}, {"amountMinor", m.amountMinor}};
}
json toJson(const EvaluateRequest& r) {
  return {{"invoiceId", r.invoiceId},
          {"accountId", r.accountId},
          {"chargeAmount", r.chargeAmount ? toJson(*r.chargeAmount) : json()}};
}
json toJson(const PoCaptureRequest& r) {
  return {{"poNumber", r.poNumber},
          {"capturedByUserId", r.capturedByUserId},
          {"capturedAt", r.capturedAt}};
}
json toJson(const PoOverrideRequest& r) {
  return {{"overrideId", r.overrideId},
          {"reasonCode", optional(r.reasonCode)},
          {"notes", optional(r.notes)},
          {"requestedByUserId", r.requestedByUserId},
          {"approvals", approvalsJson(r.approvals)}};
}
json toJson(const ElevateRequest& r) {
  return {{"supervisorUserId", r.supervisorUserId},
          {"pin", r.pin.reveal()},
          {"checkoutId", r.checkoutId},
          {"action", to_string(r.action)}};
}
json toJson(const OfflineGrantRequest& r) {
  return {{"offlineGrantId", r.offlineGrantId}, {"approverUserId", r.approverUserId},
          {"checkoutId", r.checkoutId},         {"action", to_string(r.action)},
          {"grantedAt", r.grantedAt},           {"terminalId", r.terminalId}};
}
json toJson(const PaymentRequest& r) {
  json card = nullptr;
  if (r.card) {
    card = {
        {"brand", r.card->brand}, {"last4", r.card->last4}, {"approvalCode", r.card->approvalCode}};
  }
  return {{"billingPaymentId", r.billingPaymentId},
          {"invoiceId", r.invoiceId},
          {"checkoutId", r.checkoutId},
          {"terminalId", r.terminalId},
          {"amount", toJson(r.amount)},
          {"tender", to_string(r.tender)},
          {"tenderReference", optional(r.tenderReference)},
          {"card", card},
          {"amountTendered", optional(r.amountTendered)},
          {"changeGiven", optional(r.changeGiven)},
          {"paymentType", to_string(r.paymentType)},
          {"capturedAt", r.capturedAt},
          {"capturedByUserId", r.capturedByUserId},
          {"capturedOffline", r.capturedOffline},
          {"receiptId", r.receiptId}};
}
json toJson(const ReceiptRequest& r) {
  return {{"receiptId", r.receiptId},
          {"receiptReference", r.receiptReference},
          {"billingPaymentId", r.billingPaymentId},
          {"invoiceId", r.invoiceId},
          {"paymentType", to_string(r.paymentType)},
          {"remainingBalance", toJson(r.remainingBalance)},
          {"deliverySuppressed", r.deliverySuppressed},
          {"createdAt", r.createdAt},
          {"templateId", r.templateId},
          {"templateVersion", r.templateVersion},
          {"printText", r.printText}};
}
json toJson(const DeliveryRequest& r) {
  return {{"deliveryId", r.deliveryId},
          {"channel", to_string(r.channel)},
          {"emailAddress", r.emailAddress ? json(r.emailAddress->reveal()) : json(nullptr)},
          {"outcome", optional(r.outcome)}};
}
json toJson(const ReprintRequest& r) {
  return {{"reprintId", r.reprintId},
          {"reasonCode", optional(r.reasonCode)},
          {"requestedByUserId", r.requestedByUserId},
          {"approvals", approvalsJson(r.approvals)}};
}

// ---------------------------------------------------------------------------------------------
// 5. endpoints
// ---------------------------------------------------------------------------------------------

std::string urlEncodeComponent(std::string_view s) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

namespace {

HttpRequest get(const RequestIdentity& who, std::string path, std::string ifNoneMatch = {}) {
  HttpRequest r;
  r.method = HttpMethod::Get;
  r.path = std::move(path);
  r.ifNoneMatch = std::move(ifNoneMatch);
  r.identity = who;
  return r;
}

HttpRequest post(const RequestIdentity& who, std::string path, const json& body,
                 std::string idempotencyKey = {}) {
  HttpRequest r;
  r.method = HttpMethod::Post;
  r.path = std::move(path);
  r.body = body.dump();
  r.idempotencyKey = std::move(idempotencyKey);
  r.identity = who;
  return r;
}

template <class T, class P>
BillingResult<T> finish(HttpOutcome outcome, P&& parse) {
  BillingResult<T> result;
  if (outcome.ok()) {
    auto parsed = parse(outcome.body);
    result.value = std::move(parsed.value);
    result.parseError = std::move(parsed.error);
  }
  result.outcome = std::move(outcome);
  return result;
}

template <class T, class P>
SnapshotResult<T> finishSnapshot(HttpOutcome outcome, P&& parse) {
  SnapshotResult<T> result;
  if (outcome.ok()) {
    auto parsed = parse(outcome.body);
    result.value = std::move(parsed.value);
    result.parseError = std::move(parsed.error);
    result.etag = outcome.etag;
  }
  result.outcome = std::move(outcome);
  return result;
}

Parsed<json> parseObject(std::string_view body) {
  Parsed<json> out;
  auto j = parse_outside_json(body);
  if (j.is_discarded() || !j.is_object()) {
    out.error = "body: not a JSON object";
  } else {
    out.value = std::move(j);
  }
  return out;
}

}  // namespace

SnapshotResult<Roster> BillingClient::roster(const RequestIdentity& who,
                                             const std::string& ifNoneMatch) {
  return finishSnapshot<Roster>(http_.send(get(who, "/billing/terminal/roster", ifNoneMatch)),
                                parseRoster);
}

SnapshotResult<std::vector<ReasonCode>> BillingClient::reasonCodes(const RequestIdentity& who,
                                                                   ReasonCategory category,
                                                                   const std::string& ifNoneMatch) {
  return finishSnapshot<std::vector<ReasonCode>>(
      http_.send(get(who, "/billing/meta/reason-codes?category=" + std::string(to_string(category)),
                     ifNoneMatch)),
      parseReasonCodes);
}

SnapshotResult<BillingRules> BillingClient::rules(const RequestIdentity& who,
                                                  const std::string& accountId,
                                                  const std::string& ifNoneMatch) {
  return finishSnapshot<BillingRules>(
      http_.send(get(who, "/billing/rules/" + urlEncodeComponent(accountId), ifNoneMatch)),
      parseBillingRules);
}

SnapshotResult<json> BillingClient::invoiceFeed(const RequestIdentity& who,
                                                const std::string& updatedSince) {
  std::string path = "/billing/terminal/invoices";
  if (!updatedSince.empty()) path += "?updatedSince=" + urlEncodeComponent(updatedSince);
  return finishSnapshot<json>(http_.send(get(who, path)), [](std::string_view body) {
    Parsed<json> out = parseObject(body);
    if (out.value && (!out.value->contains("invoices") || !(*out.value)["invoices"].is_array() ||
                      !out.value->contains("next") || !(*out.value)["next"].is_string())) {
      out.value.reset();
      out.error = "body: needs invoices[] and next";
    }
    return out;
  });
}

BillingResult<json> BillingClient::invoice(const RequestIdentity& who,
                                           const std::string& invoiceId) {
  return finish<json>(http_.send(get(who, "/billing/invoices/" + urlEncodeComponent(invoiceId))),
                      parseObject);
}

BillingResult<json> BillingClient::invoiceByWorkOrder(const RequestIdentity& who,
                                                      const std::string& workOrderId) {
  return finish<json>(
      http_.send(get(who, "/billing/invoices/by-workorder/" + urlEncodeComponent(workOrderId))),
      parseObject);
}

BillingResult<BillingRuleEvaluation> BillingClient::evaluate(const RequestIdentity& who,
                                                             const std::string& checkoutId,
                                                             const EvaluateRequest& request) {
  return finish<BillingRuleEvaluation>(
      http_.send(post(who, "/billing/checkout/" + urlEncodeComponent(checkoutId) + "/evaluate",
                      toJson(request))),
      parseEvaluation);
}

BillingResult<json> BillingClient::capturePo(const RequestIdentity& who,
                                             const std::string& checkoutId,
                                             const std::string& idempotencyKey,
                                             const PoCaptureRequest& request) {
  return finish<json>(
      http_.send(post(who, "/billing/checkout/" + urlEncodeComponent(checkoutId) + "/po",
                      toJson(request), idempotencyKey)),
      parseObject);
}

BillingResult<json> BillingClient::overridePo(const RequestIdentity& who,
                                              const std::string& checkoutId,
                                              const PoOverrideRequest& request) {
  return finish<json>(
      http_.send(post(who, "/billing/checkout/" + urlEncodeComponent(checkoutId) + "/po-override",
                      toJson(request), request.overrideId)),
      parseObject);
}

BillingResult<ElevationGrant> BillingClient::elevate(const RequestIdentity& who,
                                                     const ElevateRequest& request) {
  return finish<ElevationGrant>(http_.send(post(who, "/billing/auth/elevate", toJson(request))),
                                parseElevationGrant);
}

BillingResult<json> BillingClient::recordOfflineGrant(const RequestIdentity& who,
                                                      const OfflineGrantRequest& request) {
  return finish<json>(http_.send(post(who, "/billing/auth/offline-grants", toJson(request),
                                      request.offlineGrantId)),
                      parseObject);
}

BillingResult<PaymentPosted> BillingClient::postPayment(const RequestIdentity& who,
                                                        const PaymentRequest& request) {
  auto r = finish<PaymentPosted>(
      http_.send(post(who, "/billing/payments", toJson(request), request.billingPaymentId)),
      parsePaymentPosted);
  // Another payment's body is no acknowledgement of this one (a proxy's cache, a misroute).
  if (r.value && r.value->billingPaymentId != request.billingPaymentId) {
    r.value.reset();
    r.parseError = "billingPaymentId: another payment's";
  }
  return r;
}

BillingResult<std::vector<ProviderPayment>> BillingClient::payments(const RequestIdentity& who,
                                                                    const std::string& terminalId,
                                                                    const std::string& from,
                                                                    const std::string& to) {
  const std::string path = "/billing/payments?terminalId=" + urlEncodeComponent(terminalId) +
                           "&from=" + urlEncodeComponent(from) + "&to=" + urlEncodeComponent(to);
  return finish<std::vector<ProviderPayment>>(http_.send(get(who, path)), parseProviderPayments);
}

BillingResult<json> BillingClient::createReceipt(const RequestIdentity& who,
                                                 const ReceiptRequest& request) {
  return finish<json>(
      http_.send(post(who, "/billing/receipts", toJson(request), request.receiptId)), parseObject);
}

BillingResult<std::vector<ReceiptRecord>> BillingClient::receiptsByInvoice(
    const RequestIdentity& who, const std::string& invoiceId) {
  return finish<std::vector<ReceiptRecord>>(
      http_.send(get(who, "/billing/receipts/by-invoice/" + urlEncodeComponent(invoiceId))),
      parseReceiptRecords);
}

BillingResult<Received<DeliveryStatus>> BillingClient::deliverReceipt(
    const RequestIdentity& who, const std::string& receiptId, const DeliveryRequest& request) {
  return finish<Received<DeliveryStatus>>(
      http_.send(post(who, "/billing/receipts/" + urlEncodeComponent(receiptId) + "/deliver",
                      toJson(request), request.deliveryId)),
      parseDeliveryResult);
}

BillingResult<ReprintRecorded> BillingClient::reprintReceipt(const RequestIdentity& who,
                                                             const std::string& receiptId,
                                                             const ReprintRequest& request) {
  return finish<ReprintRecorded>(
      http_.send(post(who, "/billing/receipts/" + urlEncodeComponent(receiptId) + "/reprint",
                      toJson(request), request.reprintId)),
      parseReprintRecorded);
}

}  // namespace pos::sync
