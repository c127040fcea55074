// The billing contract's vocabulary, one definition each, shared by the checkout domain, the
// ledger and sync (../shared/contract/billing-api.md spells every text here).
//
// Sections:
//   1. the tables' machinery   Names<E>, kAll<E>, to_string, parse<E>
//   2. the values              Tender, PaymentType, CaptureMode, DeliveryChannel, DeliveryStatus,
//                              ElevationAction, ReasonCategory, ApprovalMethod
//   3. card details            CardDetails
//
// Each enum has one names table, in the enum's order. A static_assert checks that the table
// covers its enum exactly (one text per value, in order, none twice), and the enums have no
// kCount sentinel so a switch over one stays exhaustive under -Wswitch: adding a value fails to
// compile until every table and switch knows it. parse<E> returns nullopt for a text that is not
// one of the table's (never a default value): what the caller does then is its decision (the
// ledger calls the row corrupt, sync keeps it as an unknown value with its raw text).
//
// These texts are stored: the ledger's hash-chained rows, the checkout's event log and the outbox
// hold them, so a text here is never changed, only added.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pos::vocabulary {

// ---------------------------------------------------------------------------------------------
// 1. the tables' machinery
// ---------------------------------------------------------------------------------------------

// Specialised below for every enum of the vocabulary: `values` lists each value once, in the
// enum's order; `texts` is the contract's spelling of each, at the same index.
template <class E>
struct Names;

template <class E>
concept Named = requires {
  Names<E>::values;
  Names<E>::texts;
};

// Every value of E, in order (to loop over them: reports per tender, names tables in tests).
template <Named E>
inline constexpr auto kAll = Names<E>::values;

template <Named E>
inline constexpr std::size_t kCount = Names<E>::values.size();

// The contract's text of a value. A value outside the enum (a cast from a bad integer) gives
// "UNKNOWN", which no table holds, so it never parses back as a real value.
template <Named E>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept {
  const auto i = static_cast<std::size_t>(value);
  return i < kCount<E> ? Names<E>::texts[i] : std::string_view{"UNKNOWN"};
}

// The value the text names exactly (case-sensitive, no trimming), or nullopt.
template <Named E>
[[nodiscard]] constexpr std::optional<E> parse(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kCount<E>; ++i) {
    if (Names<E>::texts[i] == text) return Names<E>::values[i];
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// 2. the values
// ---------------------------------------------------------------------------------------------

// Payment "tender".
enum class Tender { Cash, Check, CardExternal, Account };
template <>
struct Names<Tender> {
  static constexpr std::array values{Tender::Cash, Tender::Check, Tender::CardExternal,
                                     Tender::Account};
  static constexpr std::array<std::string_view, values.size()> texts{"CASH", "CHECK",
                                                                     "CARD_EXTERNAL", "ACCOUNT"};
};

// Payment and receipt "paymentType".
enum class PaymentType { PaidInFull, PartialPayment };
template <>
struct Names<PaymentType> {
  static constexpr std::array values{PaymentType::PaidInFull, PaymentType::PartialPayment};
  static constexpr std::array<std::string_view, values.size()> texts{"PAID_IN_FULL",
                                                                     "PARTIAL_PAYMENT"};
};

// Whether the backend was reachable when the payment was taken or the rules evaluated. The
// contract carries it as a boolean ("capturedOffline"), the ledger as a 0/1 column: there is no
// text, so no names table; these two functions are the one conversion.
enum class CaptureMode { Online, Offline };
[[nodiscard]] constexpr bool captured_offline(CaptureMode mode) noexcept {
  return mode == CaptureMode::Offline;
}
[[nodiscard]] constexpr CaptureMode capture_mode(bool captured_offline) noexcept {
  return captured_offline ? CaptureMode::Offline : CaptureMode::Online;
}

// A receipt delivery's "channel".
enum class DeliveryChannel { Print, Email };
template <>
struct Names<DeliveryChannel> {
  static constexpr std::array values{DeliveryChannel::Print, DeliveryChannel::Email};
  static constexpr std::array<std::string_view, values.size()> texts{"PRINT", "EMAIL"};
};

// A receipt delivery's status. The contract's "deliveryStatus" is PENDING | SENT | FAILED |
// BOUNCED; POSSIBLY_PRINTED is the terminal's own (a print job cut off part-way: it may be on
// paper, so it is never reported as FAILED and printed a second time as an original). It is
// stored in the ledger and shown, but no contract body carries it: contract_text() says FAILED
// (the contract's PRINT outcome is SENT | FAILED), and a backend that answers it is off-contract
// (is_contract_status() is false, so sync keeps it as unknown).
enum class DeliveryStatus { Pending, Sent, Failed, PossiblyPrinted, Bounced };
template <>
struct Names<DeliveryStatus> {
  static constexpr std::array values{DeliveryStatus::Pending, DeliveryStatus::Sent,
                                     DeliveryStatus::Failed, DeliveryStatus::PossiblyPrinted,
                                     DeliveryStatus::Bounced};
  static constexpr std::array<std::string_view, values.size()> texts{"PENDING", "SENT", "FAILED",
                                                                     "POSSIBLY_PRINTED", "BOUNCED"};
};
[[nodiscard]] constexpr bool is_contract_status(DeliveryStatus status) noexcept {
  return status != DeliveryStatus::PossiblyPrinted;
}
[[nodiscard]] constexpr std::string_view contract_text(DeliveryStatus status) noexcept {
  return status == DeliveryStatus::PossiblyPrinted ? to_string(DeliveryStatus::Failed)
                                                   : to_string(status);
}

// What a supervisor's elevation is for (elevate and offline-grant "action").
enum class ElevationAction { PoOverride, ReceiptReprint, PaymentOverLimit };
template <>
struct Names<ElevationAction> {
  static constexpr std::array values{ElevationAction::PoOverride, ElevationAction::ReceiptReprint,
                                     ElevationAction::PaymentOverLimit};
  static constexpr std::array<std::string_view, values.size()> texts{
      "PO_OVERRIDE", "RECEIPT_REPRINT", "PAYMENT_OVER_LIMIT"};
};

// The reason-code list asked for (GET /billing/meta/reason-codes?category=...).
enum class ReasonCategory { PoOverride, Reprint };
template <>
struct Names<ReasonCategory> {
  static constexpr std::array values{ReasonCategory::PoOverride, ReasonCategory::Reprint};
  static constexpr std::array<std::string_view, values.size()> texts{"PO_OVERRIDE", "REPRINT"};
};

// How a supervisor approved: online (an elevation token from POST /billing/auth/elevate) or
// offline (a grant the terminal issued after checking the PIN against the roster's verifier).
// The contract carries no text for it (an Approval body holds either elevationToken or
// offlineGrantId). Two stored places spell it, each kept as it was first written: the checkout
// event log ("ONLINE" | "OFFLINE", the table below) and the ledger's approval rows, which name
// what the approval carried ("ELEVATION_TOKEN" | "OFFLINE_GRANT", ledger_text below).
enum class ApprovalMethod { Online, Offline };
template <>
struct Names<ApprovalMethod> {
  static constexpr std::array values{ApprovalMethod::Online, ApprovalMethod::Offline};
  static constexpr std::array<std::string_view, values.size()> texts{"ONLINE", "OFFLINE"};
};
inline constexpr std::array<std::string_view, 2> kApprovalMethodLedgerTexts{"ELEVATION_TOKEN",
                                                                            "OFFLINE_GRANT"};
[[nodiscard]] constexpr std::string_view ledger_text(ApprovalMethod method) noexcept {
  const auto i = static_cast<std::size_t>(method);
  return i < kApprovalMethodLedgerTexts.size() ? kApprovalMethodLedgerTexts[i]
                                               : std::string_view{"UNKNOWN"};
}
[[nodiscard]] constexpr std::optional<ApprovalMethod> parse_ledger_text(
    std::string_view text) noexcept {
  for (std::size_t i = 0; i < kApprovalMethodLedgerTexts.size(); ++i) {
    if (kApprovalMethodLedgerTexts[i] == text) return Names<ApprovalMethod>::values[i];
  }
  return std::nullopt;
}

// The switches below have no default, so -Wswitch (an error in this project's builds) names any
// enumerator they miss; the static_asserts then check that each table lists exactly those, at
// the same positions. Together: a table covers its enum exactly.
namespace detail {

inline constexpr std::size_t kNotAValue = static_cast<std::size_t>(-1);

constexpr std::size_t position(Tender v) {
  switch (v) {
    case Tender::Cash:
      return 0;
    case Tender::Check:
      return 1;
    case Tender::CardExternal:
      return 2;
    case Tender::Account:
      return 3;
  }
  return kNotAValue;
}
constexpr std::size_t position(PaymentType v) {
  switch (v) {
    case PaymentType::PaidInFull:
      return 0;
    case PaymentType::PartialPayment:
      return 1;
  }
  return kNotAValue;
}
constexpr std::size_t position(DeliveryChannel v) {
  switch (v) {
    case DeliveryChannel::Print:
      return 0;
    case DeliveryChannel::Email:
      return 1;
  }
  return kNotAValue;
}
constexpr std::size_t position(DeliveryStatus v) {
  switch (v) {
    case DeliveryStatus::Pending:
      return 0;
    case DeliveryStatus::Sent:
      return 1;
    case DeliveryStatus::Failed:
      return 2;
    case DeliveryStatus::PossiblyPrinted:
      return 3;
    case DeliveryStatus::Bounced:
      return 4;
  }
  return kNotAValue;
}
constexpr std::size_t position(ElevationAction v) {
  switch (v) {
    case ElevationAction::PoOverride:
      return 0;
    case ElevationAction::ReceiptReprint:
      return 1;
    case ElevationAction::PaymentOverLimit:
      return 2;
  }
  return kNotAValue;
}
constexpr std::size_t position(ReasonCategory v) {
  switch (v) {
    case ReasonCategory::PoOverride:
      return 0;
    case ReasonCategory::Reprint:
      return 1;
  }
  return kNotAValue;
}
constexpr std::size_t position(ApprovalMethod v) {
  switch (v) {
    case ApprovalMethod::Online:
      return 0;
    case ApprovalMethod::Offline:
      return 1;
  }
  return kNotAValue;
}
constexpr std::size_t position(CaptureMode v) {
  switch (v) {
    case CaptureMode::Online:
      return 0;
    case CaptureMode::Offline:
      return 1;
  }
  return kNotAValue;
}

// True when `values` is every enumerator in order (position(values[i]) == i, and the integer
// just past the table is no enumerator: an enumerator added at the end has a case in
// position(), so the table must grow too) and the texts are non-empty and distinct.
template <class E, std::size_t N>
constexpr bool covers_exactly(const std::array<E, N>& values,
                              const std::array<std::string_view, N>& texts) {
  for (std::size_t i = 0; i < N; ++i) {
    if (position(values[i]) != i || static_cast<std::size_t>(values[i]) != i) return false;
    if (texts[i].empty()) return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (texts[j] == texts[i]) return false;
    }
  }
  return position(static_cast<E>(N)) == kNotAValue;
}

}  // namespace detail

static_assert(detail::covers_exactly(Names<Tender>::values, Names<Tender>::texts));
static_assert(detail::covers_exactly(Names<PaymentType>::values, Names<PaymentType>::texts));
static_assert(detail::covers_exactly(Names<DeliveryChannel>::values,
                                     Names<DeliveryChannel>::texts));
static_assert(detail::covers_exactly(Names<DeliveryStatus>::values, Names<DeliveryStatus>::texts));
static_assert(detail::covers_exactly(Names<ElevationAction>::values,
                                     Names<ElevationAction>::texts));
static_assert(detail::covers_exactly(Names<ReasonCategory>::values, Names<ReasonCategory>::texts));
static_assert(detail::covers_exactly(Names<ApprovalMethod>::values, Names<ApprovalMethod>::texts));
static_assert(detail::covers_exactly(Names<ApprovalMethod>::values, kApprovalMethodLedgerTexts));
static_assert(detail::position(CaptureMode::Offline) == 1 &&
              detail::position(static_cast<CaptureMode>(2)) == detail::kNotAValue);

// ---------------------------------------------------------------------------------------------
// 3. card details
// ---------------------------------------------------------------------------------------------

// All the contract lets the terminal keep of a card paid on the separate card terminal
// (payment "card"): never a card number.
struct CardDetails {
  std::string brand;          // "VISA"
  std::string last4;          // four digits
  std::string approval_code;  // the card terminal's
  friend bool operator==(const CardDetails&, const CardDetails&) = default;
};

}  // namespace pos::vocabulary
