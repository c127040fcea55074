// The checkout at the counter: a state machine whose commands return the events they caused, or
// a refusal with a stable reason code.
//
// Sections: CounterContext · Decision · the commands' inputs · Checkout (start, replay,
// commands, what it shows) · verify_offline_pin (shared with reprints outside a checkout)
//
// The path: invoice loaded (start) -> rules evaluated (evaluate) -> PO satisfied (capture_po,
// override_po, or not required) -> one or more payments (take_payment, each with its receipt)
// -> reprints (reprint_receipt). Every command:
//   - checks the operator is on the roster and holds the command's permission (BILL-DEC-008),
//   - refuses everything on an invoice whose status is unknown (INVOICE_STATUS_UNKNOWN),
//   - on success applies its own events to this Checkout and returns them for the ledger to
//     write in one transaction; on refusal changes nothing (but a wrong PIN still returns its
//     PinAttemptFailed / ApproverLockedOut events: they must be written too).
// Nothing here reads a clock, a file or the network: `now`, ids and randomness come in the
// CounterContext, and replay(events) rebuilds the same state after a restart.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <pos/checkout/billing_rules.hpp>
#include <pos/checkout/elevation.hpp>
#include <pos/checkout/events.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/invoice.hpp>
#include <pos/checkout/payments.hpp>
#include <pos/checkout/po_format.hpp>
#include <pos/checkout/receipts.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/roster.hpp>
#include <pos/checkout/secret.hpp>

namespace pos::checkout {

// What every command needs from the terminal around it.
struct CounterContext {
  const Roster& roster;
  Timestamp now;  // the terminal's clock, read once by the caller for this command
  UuidV7Generator& ids;
  RandomSource& random;
};

// The outcome of a command. `events` are to be persisted in order, in one transaction, even
// when `refusal` is set (only failed PIN attempts and lockouts are ever returned with one).
struct [[nodiscard]] Decision {
  std::vector<CheckoutEvent> events;
  std::optional<Refusal> refusal;

  [[nodiscard]] bool accepted() const noexcept { return !refusal.has_value(); }
};

// PO compliance, derived from the events, never stored (contract).
enum class PoCompliance { Compliant, Overridden, Blocked };
[[nodiscard]] std::string_view to_string(PoCompliance compliance) noexcept;  // "COMPLIANT", ...

// Where the checkout stands, for the screen.
enum class CheckoutStage {
  InvoiceUnknownStatus,  // blocked: refresh the invoice
  AwaitingEvaluation,
  AwaitingPo,     // PO required and not yet captured or overridden
  TakingPayment,  // balance due > 0 and the invoice takes payment
  PaidInFull,     // balance due 0 after this checkout's payments
  NotPayable,     // DRAFT, VOID, PAID on arrival
};

// ---------------------------------------------------------------------------------------------
// Command inputs
// ---------------------------------------------------------------------------------------------

struct StartCheckout {
  UserId operator_id;
  TerminalId terminal_id;
  std::string invoice_json;  // the backend's body or the offline cache's copy
};

struct CapturePo {
  UserId operator_id;
  std::string po_number;                  // as typed; surrounding spaces are removed
  std::vector<KnownPo> known_on_account;  // for the uniqueness scope (ledger + invoice cache)
};

struct OverridePo {
  UserId operator_id;
  std::string reason_code;
  std::string notes;
  std::vector<Approval> approvals;
  const ReasonCodes* reason_codes = nullptr;  // category PO_OVERRIDE; null: not checked offline
};

struct VerifyApproverPin {
  UserId operator_id;  // who asks for the approval
  UserId approver;
  SecretText pin;  // wiped before the command returns
  ElevationAction action;
};

struct TakePayment {
  UserId operator_id;
  Money amount;
  TenderEntry tender;
  ReceiptDelivery receipt = ReceiptDelivery::Print;
  CaptureMode mode = CaptureMode::Online;
  OfflineExposure exposure;  // read by the caller from the ledger; used when mode is Offline
  OfflineLimits limits;
  std::optional<Approval> over_limit_approval;  // PAYMENT_OVER_LIMIT elevation
  // The shop's optional stricter rule (configuration, off by default): the operator must also
  // hold this canonical permission. Without it any roster member may take a payment.
  std::optional<Permission> required_permission;
  // ACCOUNT: charges to this account that this terminal took and the backend has not
  // acknowledged yet; they count against the credit available (read by the caller).
  std::optional<Money> unsynced_account_charges;
};

struct ReprintReceipt {
  UserId operator_id;
  ReceiptId receipt_id;
  ReprintPolicy policy;      // as last seen from the backend
  Timestamp policy_seen_at;  // reprints recorded here after this count against it
  std::string reason_code;
  const ReasonCodes* reason_codes = nullptr;  // category REPRINT
  std::vector<Approval> approvals;
};

// One attempt to deliver a receipt (or a reprint of it), with what became of it.
struct RecordDelivery {
  UserId operator_id;
  ReceiptId receipt_id;
  std::optional<ReprintId> reprint_id;
  DeliveryChannel channel;
  DeliveryOutcome outcome;
  std::string failure_reason;  // printer state for FAILED ("PAPER_OUT"); never an address
  // The attempt's id when the terminal registered the attempt before making it (so a crash in
  // the middle of a print leaves the attempt on record); otherwise the checkout makes one.
  std::optional<DeliveryId> delivery_id;
  // The terminal itself delivers the original it issued (a shop's IT printing a receipt that
  // was never printed, on the box, with no one signed in): no staff permission applies, and it
  // is never a reprint. operator_id is then the terminal's own principal.
  bool by_terminal = false;
};

// A receipt's delivery status is the contract's (vocabulary::DeliveryStatus): "No Receipt" is
// not a status but the receipt's deliverySuppressed flag (BILL-DEC-011), see delivery_suppressed.
using vocabulary::DeliveryStatus;

// ---------------------------------------------------------------------------------------------
// Checkout
// ---------------------------------------------------------------------------------------------

class Checkout {
 public:
  struct Started;

  // Loads the invoice (INVOICE_MALFORMED, INVOICE_TOTALS_INCONSISTENT refuse it; an unknown
  // status is accepted so it can be shown, then blocks every command) and makes the checkout's
  // id, correlation id and trace. The operator must be on the roster.
  [[nodiscard]] static Result<Started, Refusal> start(const StartCheckout& command,
                                                      CounterContext& context);

  // Rebuilds a checkout from its stored events (the first must be CheckoutStarted).
  [[nodiscard]] static Result<Checkout, Refusal> replay(std::span<const CheckoutEvent> events);

  // Rules evaluation: online, the backend's answer as is; offline, evaluate_offline() of the
  // cached rules (the same type, evaluated_offline = true). Later evaluations replace earlier.
  Decision evaluate(const UserId& operator_id, const BillingRuleEvaluation& evaluation,
                    CounterContext& context);

  // billing:checkout:po:capture. Write-once (PO_ALREADY_CAPTURED), format (PO_FORMAT_INVALID,
  // PO_PATTERN_UNUSABLE), uniqueness (PO_NOT_UNIQUE), BILLING_RULES_MISSING (override only).
  Decision capture_po(const CapturePo& command, CounterContext& context);

  // billing:checkout:po:override, override allowed, reason code and notes, one approval or two
  // distinct ones as the evaluation says, never the operator.
  Decision override_po(OverridePo& command, CounterContext& context);

  // Every check of override_po that needs no approver (permission, invoice, override allowed,
  // reason code and notes, card numbers). Run before a supervisor's PIN is asked for, sent or
  // verified, so a refused override spends no elevation and leaves no grant (BILL-DEC-010).
  [[nodiscard]] std::optional<Refusal> check_override_request(const OverridePo& command,
                                                              const Roster& roster) const;
  // 1, or 2 when the evaluation says overrideRequiresSecondApprover.
  [[nodiscard]] std::size_t override_approvers_needed() const noexcept;

  // Offline PIN check of a supervisor for an action of this checkout (see elevation.hpp).
  Decision verify_offline_approver(VerifyApproverPin& command, const ApproverLockouts& lockouts,
                                   CounterContext& context);

  // Every check of take_payment on what the advisor typed (operator, invoice, amount, balance,
  // partial payments, tender, credit, offline limits), without the PO and the over-limit
  // approval: run before a PO or an override leaves the terminal, so a typo in the amount never
  // burns a PO at the backend.
  [[nodiscard]] std::optional<Refusal> check_payment_entry(const TakePayment& command,
                                                           const Roster& roster,
                                                           Timestamp now) const;

  // Any roster member (BILL-DEC-008 has no permission for taking a payment), within their
  // payment limit, plus TakePayment::required_permission when the shop configured one. Emits
  // PaymentCaptured and its ReceiptIssued.
  Decision take_payment(TakePayment& command, CounterContext& context);

  // Every check of reprint_receipt that needs no approver (permission, receipt, count, window,
  // reason code), for the same reason as check_override_request.
  [[nodiscard]] std::optional<Refusal> check_reprint_request(const ReprintReceipt& command,
                                                             const Roster& roster,
                                                             Timestamp now) const;

  // billing:receipt:reprint, within the receipt's reprint policy.
  Decision reprint_receipt(ReprintReceipt& command, CounterContext& context);

  // billing:receipt:deliver. Records one delivery attempt of a receipt of this checkout (the
  // printer's or the backend's outcome). Refusals: PERMISSION_MISSING, REPRINT_NOT_ALLOWED for
  // a receipt or reprint that is not this checkout's, EVENT_MALFORMED for an outcome that is no
  // attempt's (PENDING, BOUNCED).
  // Everything record_delivery checks that does not depend on the attempt's outcome, so a
  // caller asks before it prints (the outcome field is not looked at).
  [[nodiscard]] std::optional<Refusal> check_delivery(const RecordDelivery& command,
                                                      const Roster& roster) const;
  Decision record_delivery(const RecordDelivery& command, CounterContext& context);

  // PENDING until a delivery is recorded; then the last attempt's outcome (SENT, FAILED,
  // POSSIBLY_PRINTED).
  [[nodiscard]] DeliveryStatus delivery_status(const ReceiptId& receipt) const;
  // "No Receipt" was chosen and nothing has been delivered since (a reprint may still be).
  [[nodiscard]] bool delivery_suppressed(const ReceiptId& receipt) const;

  // Applies one event (replay and the commands' own events use this).
  void apply(const CheckoutEvent& event);

  // What the checkout shows.
  [[nodiscard]] const CheckoutId& id() const noexcept { return started_.checkout_id; }
  [[nodiscard]] const CorrelationId& correlation_id() const noexcept {
    return started_.correlation_id;
  }
  [[nodiscard]] const std::string& trace_id() const noexcept { return started_.trace_id; }
  [[nodiscard]] const TerminalId& terminal_id() const noexcept { return started_.terminal_id; }
  [[nodiscard]] const Invoice& invoice() const noexcept { return invoice_; }
  [[nodiscard]] const std::optional<BillingRuleEvaluation>& evaluation() const noexcept {
    return evaluation_;
  }
  [[nodiscard]] PoCompliance po_compliance() const noexcept;
  [[nodiscard]] CheckoutStage stage() const noexcept;
  [[nodiscard]] const std::optional<PoCaptured>& po() const noexcept { return po_; }
  [[nodiscard]] const std::optional<PoOverridden>& po_override() const noexcept {
    return override_;
  }
  // The invoice's balance due less this checkout's payments; never negative.
  [[nodiscard]] Money balance_due() const noexcept { return balance_due_; }
  [[nodiscard]] const std::vector<PaymentCaptured>& payments() const noexcept { return payments_; }
  [[nodiscard]] const std::vector<ReceiptIssued>& receipts() const noexcept { return receipts_; }
  [[nodiscard]] const std::vector<ReceiptReprinted>& reprints() const noexcept { return reprints_; }
  [[nodiscard]] const std::vector<OfflineGrantIssued>& offline_grants() const noexcept {
    return grants_;
  }
  [[nodiscard]] const std::vector<ReceiptDeliveryRecorded>& deliveries() const noexcept {
    return deliveries_;
  }

 private:
  Checkout(CheckoutStarted started, Invoice invoice);

  [[nodiscard]] std::optional<Refusal> check_operator(const UserId& operator_id,
                                                      std::optional<Permission> needed,
                                                      const Roster& roster) const;
  [[nodiscard]] std::optional<Refusal> check_invoice_known() const;
  // Validates approvals for `action`; on success fills records and the online elevations to
  // mark used once the whole command succeeds.
  [[nodiscard]] std::optional<Refusal> check_approvals(std::vector<Approval>& approvals,
                                                       ElevationAction action,
                                                       const UserId& operator_id,
                                                       std::size_t needed, Timestamp now,
                                                       std::vector<ApprovalRecord>& records,
                                                       std::vector<OnlineElevation*>& online) const;
  Decision accept(std::vector<CheckoutEvent> events);

  CheckoutStarted started_;
  Invoice invoice_;
  std::optional<BillingRuleEvaluation> evaluation_;
  std::optional<PoCaptured> po_;
  std::optional<PoOverridden> override_;
  Money balance_due_;
  std::vector<PaymentCaptured> payments_;
  std::vector<ReceiptIssued> receipts_;
  std::vector<ReceiptReprinted> reprints_;
  std::vector<OfflineGrantIssued> grants_;
  std::vector<ReceiptDeliveryRecorded> deliveries_;
  std::set<OfflineGrantId> used_grants_;
};

struct Checkout::Started {
  Checkout checkout;
  std::vector<CheckoutEvent> events;  // [CheckoutStarted]
};

// ---------------------------------------------------------------------------------------------
// Offline PIN check (used by Checkout::verify_offline_approver)
// ---------------------------------------------------------------------------------------------

struct OfflinePinCheck {
  const UserId& operator_id;
  const UserId& approver;
  SecretText& pin;  // wiped before returning, whatever the outcome
  const CheckoutId& checkout_id;
  const TerminalId& terminal_id;
  ElevationAction action;
  bool offline_elevation_allowed;  // from the rules' evaluation
};

// Refusals, in this order: OFFLINE_ELEVATION_NOT_ALLOWED, ROSTER_STALE, APPROVER_NOT_DISTINCT,
// APPROVER_LOCKED_OUT (no PIN is checked while locked), ELEVATION_DENIED (unknown approver,
// no billing:auth:elevate, or a wrong PIN: the advisor is not told which). A wrong PIN returns a
// PinAttemptFailed event, and the fifth in a row also ApproverLockedOut. Success returns
// OfflineGrantIssued.
[[nodiscard]] Decision verify_offline_pin(const OfflinePinCheck& check,
                                          const ApproverLockouts& lockouts,
                                          CounterContext& context);

}  // namespace pos::checkout
