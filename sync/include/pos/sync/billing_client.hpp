// The billing backend's API at the contract's level: typed requests, strictly parsed responses.
//
// Sections: 1. contract values (Money, enums with Unknown)  2. snapshots  3. checkout rules
//           4. elevation  5. payments  6. receipts  7. request bodies  8. BillingClient
//
// Strict parsing: a response the terminal uses must have every field the contract names, with the
// right JSON type; anything else is a BillingResult with parseError naming the field (never a
// silently defaulted value). Unknown extra fields are ignored. An enum value the terminal does
// not know is kept as Unknown with the raw text (BILL-DEC-001: shown, never taken as a known one).
// Invoices are returned as JSON: terminal/checkout parses and validates them (totals, status).
//
// The mapping from checkout types to these structs is the application's (terminal/app); sync
// knows nothing of checkout.
#pragma once

#include <pos/sync/http_client.hpp>
#include <pos/vocabulary/vocabulary.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. contract values
// ---------------------------------------------------------------------------------------------

struct ContractMoney {
  std::string currency;  // ISO 4217, three upper-case letters
  std::int64_t amountMinor = 0;
  friend bool operator==(const ContractMoney&, const ContractMoney&) = default;
};

// An enum value as received: `value` is meaningful only when known.
template <class E>
struct Received {
  E value{};
  bool known = false;
  std::string raw;
};

enum class InvoiceStatus { Draft, Issued, Paid, Void };
enum class MessageSeverity { Info, Warning, Blocking };
enum class PoUniquenessScope { PerOrder, PerAccountOpenOrders, PerAccountAllTime };
enum class PaymentStatus { Posted };
enum class ReceiptAction { Print, Email, Reprint, RetryDelivery };
// The names the terminal's own records share (pos::vocabulary: one definition, one text table,
// for checkout, ledger and sync). A received deliveryStatus is known only for the contract's
// four (PENDING | SENT | FAILED | BOUNCED): POSSIBLY_PRINTED is the terminal's, never the
// backend's, so a reply carrying it is kept as unknown.
using vocabulary::DeliveryChannel;
using vocabulary::DeliveryStatus;
using vocabulary::ElevationAction;
using vocabulary::PaymentType;
using vocabulary::ReasonCategory;
using vocabulary::Tender;
using vocabulary::to_string;

// ---------------------------------------------------------------------------------------------
// 2. snapshots
// ---------------------------------------------------------------------------------------------

struct PinVerifier {
  std::string alg;  // "argon2id"
  std::string saltBase64;
  std::uint64_t opsLimit = 0;
  std::uint64_t memLimitBytes = 0;
  std::string hashBase64;
};

struct Staff {
  std::string userId;
  std::string displayName;
  std::vector<std::string> permissions;
  PinVerifier pinVerifier;
  std::optional<ContractMoney> paymentLimit;  // null = no limit
};

struct Roster {
  std::vector<Staff> staff;
  std::string issuedAt;
  std::int64_t maxOfflineAgeSeconds = 0;
};

struct ReasonCode {
  std::string code;
  std::string label;
  bool requiresNotes = false;
};

// ---------------------------------------------------------------------------------------------
// 3. checkout rules
// ---------------------------------------------------------------------------------------------

struct BillingRules {
  std::string accountId;
  bool isPoRequired = false;
  std::optional<std::string> poFormatRegex;  // null = the default format
  Received<PoUniquenessScope> poUniquenessScope;
  bool overrideAllowed = false;
  bool overrideRequiresSecondApprover = false;
  bool overrideReasonCodeRequired = false;
  bool partialPaymentsAllowed = false;
  bool chargeAccountEligible = false;
  std::optional<ContractMoney> creditLimit;
  std::optional<ContractMoney> accountBalance;
  bool offlineElevationAllowed = false;
  std::string policyVersion;
};

struct EvaluationMessage {
  std::string code;
  Received<MessageSeverity> severity;
  std::string text;
};

struct BillingRuleEvaluation {
  std::string policyVersion;
  bool poRequired = false;
  std::optional<std::string> poFormatRegex;
  Received<PoUniquenessScope> poUniquenessScope;
  bool overrideAllowed = false;
  bool overrideRequiresSecondApprover = false;
  bool overrideReasonCodeRequired = false;
  bool chargeAccountEligible = false;
  bool creditLimitExceeded = false;
  bool partialPaymentsAllowed = false;
  std::vector<EvaluationMessage> messages;
};

// ---------------------------------------------------------------------------------------------
// 4. elevation
// ---------------------------------------------------------------------------------------------

struct ElevationGrant {
  SecretToken elevationToken;  // single use; never logged
  std::string expiresAt;
  std::string approverUserId;
};

// ---------------------------------------------------------------------------------------------
// 5. payments
// ---------------------------------------------------------------------------------------------

struct PaymentPosted {
  std::string billingPaymentId;
  Received<PaymentStatus> status;
  std::string invoiceId;
  Received<InvoiceStatus> invoiceStatus;
  ContractMoney balanceDue;
};

// One row of GET /billing/payments (the provider side of reconciliation).
struct ProviderPayment {
  std::string billingPaymentId;
  std::string invoiceId;
  ContractMoney amount;
  Received<Tender> tender;
  std::string status;  // kept as text: reconciliation compares it
  std::string capturedAt;
};

// ---------------------------------------------------------------------------------------------
// 6. receipts
// ---------------------------------------------------------------------------------------------

struct ReprintPolicy {
  int remainingReprints = 0;
  std::string windowEndsAt;
  bool requiresReasonCode = false;
  bool requiresElevation = false;
};

struct ReceiptRecord {
  std::string receiptId;
  std::string billingPaymentId;
  Received<DeliveryStatus> deliveryStatus;
  bool deliverySuppressed = false;
  int reprintCount = 0;
  ReprintPolicy reprintPolicy;
  std::vector<Received<ReceiptAction>> allowedActions;
};

struct ReprintRecorded {
  int reprintNumber = 0;
  ReprintPolicy reprintPolicy;
};

// ---------------------------------------------------------------------------------------------
// 7. request bodies (toJson gives the exact contract body, e.g. for the outbox)
// ---------------------------------------------------------------------------------------------

struct EvaluateRequest {
  std::string invoiceId, accountId;
  // What the counter is about to charge to the account: the backend judges
  // creditLimitExceeded for it (else for the balance due). null when nothing is charged yet.
  std::optional<ContractMoney> chargeAmount;
};
struct PoCaptureRequest {
  std::string poNumber, capturedByUserId, capturedAt;
};
struct Approval {
  std::string approverUserId;
  std::optional<SecretToken> elevationToken;  // online
  std::optional<std::string> offlineGrantId;  // offline, with grantedAt
  std::optional<std::string> grantedAt;
};
struct PoOverrideRequest {
  std::string overrideId;
  std::optional<std::string> reasonCode;
  std::optional<std::string> notes;
  std::string requestedByUserId;
  std::vector<Approval> approvals;
};
struct ElevateRequest {
  std::string supervisorUserId;
  SecretToken pin;  // in this body only; never logged, stored or echoed
  std::string checkoutId;
  ElevationAction action = ElevationAction::PoOverride;
};
struct OfflineGrantRequest {
  std::string offlineGrantId, approverUserId, checkoutId;
  ElevationAction action = ElevationAction::PoOverride;
  std::string grantedAt, terminalId;
};
struct CardSummary {
  std::string brand, last4, approvalCode;  // never a card number
};
struct PaymentRequest {
  std::string billingPaymentId, invoiceId, checkoutId, terminalId;
  ContractMoney amount;
  Tender tender = Tender::Cash;
  std::optional<std::string> tenderReference;
  std::optional<CardSummary> card;
  std::optional<ContractMoney> amountTendered, changeGiven;
  PaymentType paymentType = PaymentType::PaidInFull;
  std::string capturedAt, capturedByUserId;
  bool capturedOffline = false;
  std::string receiptId;
};
struct ReceiptRequest {
  std::string receiptId, receiptReference, billingPaymentId, invoiceId;
  PaymentType paymentType = PaymentType::PaidInFull;
  ContractMoney remainingBalance;
  bool deliverySuppressed = false;
  std::string createdAt, templateId, templateVersion, printText;
};
struct DeliveryRequest {
  std::string deliveryId;
  DeliveryChannel channel = DeliveryChannel::Print;
  std::optional<SecretToken> emailAddress;  // personal data: never logged
  std::optional<std::string> outcome;       // "SENT" | "FAILED" for PRINT
};
struct ReprintRequest {
  std::string reprintId;
  std::optional<std::string> reasonCode;
  std::string requestedByUserId;
  std::vector<Approval> approvals;
};

nlohmann::json toJson(const ContractMoney& m);
nlohmann::json toJson(const EvaluateRequest& r);
nlohmann::json toJson(const PoCaptureRequest& r);
nlohmann::json toJson(const PoOverrideRequest& r);
nlohmann::json toJson(const ElevateRequest& r);
nlohmann::json toJson(const OfflineGrantRequest& r);
nlohmann::json toJson(const PaymentRequest& r);
nlohmann::json toJson(const ReceiptRequest& r);
nlohmann::json toJson(const DeliveryRequest& r);
nlohmann::json toJson(const ReprintRequest& r);

// Strict parsers (also used on cached snapshots). nullopt + `error` naming the field.
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;  // "staff[2].pinVerifier.hash: missing" etc.
};
Parsed<Roster> parseRoster(std::string_view body);
Parsed<std::vector<ReasonCode>> parseReasonCodes(std::string_view body);
Parsed<BillingRules> parseBillingRules(std::string_view body);
Parsed<BillingRuleEvaluation> parseEvaluation(std::string_view body);
Parsed<ElevationGrant> parseElevationGrant(std::string_view body);
Parsed<PaymentPosted> parsePaymentPosted(std::string_view body);
Parsed<std::vector<ProviderPayment>> parseProviderPayments(std::string_view body);
Parsed<std::vector<ReceiptRecord>> parseReceiptRecords(std::string_view body);
Parsed<ReprintRecorded> parseReprintRecorded(std::string_view body);
Parsed<Received<DeliveryStatus>> parseDeliveryResult(std::string_view body);

// ---------------------------------------------------------------------------------------------
// 8. BillingClient
// ---------------------------------------------------------------------------------------------

// The HTTP outcome and, for a 2xx, the parsed value. A 2xx whose body does not parse is
// outcome Success with value empty and parseError set: the caller treats it as an error
// ("BACKEND_RESPONSE_MALFORMED"), never as a default.
template <class T>
struct BillingResult {
  HttpOutcome outcome;
  std::optional<T> value;
  std::string parseError;
  bool ok() const { return outcome.ok() && value.has_value(); }
};

// A GET of a snapshot: NotModified keeps the caller's cached copy.
template <class T>
struct SnapshotResult {
  HttpOutcome outcome;
  std::optional<T> value;
  std::string etag;
  std::string parseError;
};

class BillingClient {
 public:
  explicit BillingClient(HttpClientConfig config) : http_(std::move(config)) {}

  SnapshotResult<Roster> roster(const RequestIdentity& who, const std::string& ifNoneMatch = {});
  SnapshotResult<std::vector<ReasonCode>> reasonCodes(const RequestIdentity& who,
                                                      ReasonCategory category,
                                                      const std::string& ifNoneMatch = {});
  // NotFound = unconfigured (see the contract).
  SnapshotResult<BillingRules> rules(const RequestIdentity& who, const std::string& accountId,
                                     const std::string& ifNoneMatch = {});
  // The offline feed: value = {"invoices": [...], "next": time} as received.
  SnapshotResult<nlohmann::json> invoiceFeed(const RequestIdentity& who,
                                             const std::string& updatedSince);
  BillingResult<nlohmann::json> invoice(const RequestIdentity& who, const std::string& invoiceId);
  BillingResult<nlohmann::json> invoiceByWorkOrder(const RequestIdentity& who,
                                                   const std::string& workOrderId);

  BillingResult<BillingRuleEvaluation> evaluate(const RequestIdentity& who,
                                                const std::string& checkoutId,
                                                const EvaluateRequest& request);
  // idempotencyKey: the id the terminal made for this capture.
  BillingResult<nlohmann::json> capturePo(const RequestIdentity& who, const std::string& checkoutId,
                                          const std::string& idempotencyKey,
                                          const PoCaptureRequest& request);
  BillingResult<nlohmann::json> overridePo(const RequestIdentity& who,
                                           const std::string& checkoutId,
                                           const PoOverrideRequest& request);
  BillingResult<ElevationGrant> elevate(const RequestIdentity& who, const ElevateRequest& request);
  BillingResult<nlohmann::json> recordOfflineGrant(const RequestIdentity& who,
                                                   const OfflineGrantRequest& request);
  BillingResult<PaymentPosted> postPayment(const RequestIdentity& who,
                                           const PaymentRequest& request);
  BillingResult<std::vector<ProviderPayment>> payments(const RequestIdentity& who,
                                                       const std::string& terminalId,
                                                       const std::string& from,
                                                       const std::string& to);
  BillingResult<nlohmann::json> createReceipt(const RequestIdentity& who,
                                              const ReceiptRequest& request);
  BillingResult<std::vector<ReceiptRecord>> receiptsByInvoice(const RequestIdentity& who,
                                                              const std::string& invoiceId);
  BillingResult<Received<DeliveryStatus>> deliverReceipt(const RequestIdentity& who,
                                                         const std::string& receiptId,
                                                         const DeliveryRequest& request);
  BillingResult<ReprintRecorded> reprintReceipt(const RequestIdentity& who,
                                                const std::string& receiptId,
                                                const ReprintRequest& request);

  HttpClient& http() { return http_; }

 private:
  HttpClient http_;
};

std::string urlEncodeComponent(std::string_view text);

}  // namespace pos::sync
