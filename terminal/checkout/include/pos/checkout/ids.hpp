// Ids: UUIDv7 (RFC 9562) made at the counter, and distinct types so they cannot be swapped.
//
// Sections:
//   Uuid             128 bits; parse/format the 8-4-4-4-12 text; version and variant
//   Id<Tag>          one type per kind of thing (CheckoutId, BillingPaymentId, ReceiptId, ...)
//   Name<Tag>        ids the terminal did not make and that need not be UUIDs (UserId, WorkOrderId)
//   UuidV7Generator  time-ordered ids, strictly increasing even within one millisecond
//
// Why distinct types: `capture(receipt_id, payment_id)` with the arguments swapped must not
// compile (tests/compile_fail shows it). Why UUIDv7: the ids are made before the ledger's
// transaction and double as Idempotency-Keys, so they must be unique without asking anyone,
// and their time order keeps the ledger's indexes append-mostly.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <pos/checkout/clock.hpp>

namespace pos::checkout {

// ---------------------------------------------------------------------------------------------
// Uuid
// ---------------------------------------------------------------------------------------------

class Uuid {
 public:
  using Bytes = std::array<std::uint8_t, 16>;

  constexpr explicit Uuid(const Bytes& bytes) noexcept : bytes_(bytes) {}

  // "01936f3e-8a7b-7c3d-9e4f-0123456789ab" in either case; any RFC 9562 version (the backend may
  // hold older ids), but only the RFC's variant (bits 10xx) and never the nil or max UUID.
  [[nodiscard]] static std::optional<Uuid> parse(std::string_view text) noexcept;

  // Lower-case 8-4-4-4-12.
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] const Bytes& bytes() const noexcept { return bytes_; }
  [[nodiscard]] int version() const noexcept { return bytes_[6] >> 4; }
  // For a version 7 id: the Unix milliseconds in its first 48 bits.
  [[nodiscard]] std::int64_t unix_millis() const noexcept;

  friend constexpr auto operator<=>(const Uuid&, const Uuid&) = default;
  friend constexpr bool operator==(const Uuid&, const Uuid&) = default;

 private:
  Bytes bytes_;
};

// ---------------------------------------------------------------------------------------------
// Id<Tag>
// ---------------------------------------------------------------------------------------------

template <class Tag>
class Id {
 public:
  constexpr explicit Id(Uuid uuid) noexcept : uuid_(uuid) {}

  [[nodiscard]] static std::optional<Id> parse(std::string_view text) noexcept {
    if (auto uuid = Uuid::parse(text)) return Id{*uuid};
    return std::nullopt;
  }
  [[nodiscard]] std::string to_string() const { return uuid_.to_string(); }
  [[nodiscard]] constexpr const Uuid& uuid() const noexcept { return uuid_; }

  friend constexpr auto operator<=>(const Id&, const Id&) = default;
  friend constexpr bool operator==(const Id&, const Id&) = default;

 private:
  Uuid uuid_;
};

// The things the terminal or the backend identify with a UUID (contract: "Ids are UUIDv7").
using CheckoutId = Id<struct CheckoutIdTag>;
using InvoiceId = Id<struct InvoiceIdTag>;
using BillingPaymentId = Id<struct BillingPaymentIdTag>;
using ReceiptId = Id<struct ReceiptIdTag>;
using OverrideId = Id<struct OverrideIdTag>;
using OfflineGrantId = Id<struct OfflineGrantIdTag>;
using DeliveryId = Id<struct DeliveryIdTag>;
using ReprintId = Id<struct ReprintIdTag>;
using CorrelationId = Id<struct CorrelationIdTag>;  // X-Correlation-Id: one per checkout
using EventId = Id<struct EventIdTag>;              // one per checkout event, for the ledger

// ---------------------------------------------------------------------------------------------
// Name<Tag>: ids from other systems
// ---------------------------------------------------------------------------------------------

// An identifier the terminal only passes on: 1 to 128 printable ASCII characters, no spaces
// (work order numbers are typed or scanned; user and account ids come from other domains).
template <class Tag>
class Name {
 public:
  [[nodiscard]] static std::optional<Name> parse(std::string_view text) {
    if (text.empty() || text.size() > 128) return std::nullopt;
    for (char c : text) {
      if (c <= ' ' || c > '~') return std::nullopt;
    }
    return Name{std::string(text)};
  }
  [[nodiscard]] const std::string& str() const noexcept { return text_; }
  [[nodiscard]] std::string to_string() const { return text_; }

  friend auto operator<=>(const Name&, const Name&) = default;
  friend bool operator==(const Name&, const Name&) = default;

 private:
  explicit Name(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

using UserId = Name<struct UserIdTag>;  // roster Staff.userId: advisors and supervisors
using WorkOrderId = Name<struct WorkOrderIdTag>;
using AccountId = Name<struct AccountIdTag>;  // the customer's billing account
using TerminalId = Name<struct TerminalIdTag>;
using InvoiceLineId = Name<struct InvoiceLineIdTag>;

// ---------------------------------------------------------------------------------------------
// UuidV7Generator
// ---------------------------------------------------------------------------------------------

// RFC 9562 section 5.7 with the monotonic counter of section 6.2, method 1: after the 48-bit
// millisecond timestamp, 42 bits (rand_a and the top of rand_b) are a counter that starts at a
// random value below 2^41 each new millisecond and steps by one within it; the last 32 bits are
// random. If the clock steps back, the last timestamp is kept; if the counter runs out, the
// timestamp is advanced by one millisecond. So every id is greater than the one before it.
// Safe to call from several threads.
class UuidV7Generator {
 public:
  UuidV7Generator(Clock& clock, RandomSource& random) : clock_(clock), random_(random) {}

  [[nodiscard]] Uuid next();

  template <class IdType>
  [[nodiscard]] IdType next_id() {
    return IdType{next()};
  }

 private:
  Clock& clock_;
  RandomSource& random_;
  std::mutex mutex_;
  std::int64_t last_millis_ = -1;
  std::uint64_t counter_ = 0;
};

}  // namespace pos::checkout

template <class Tag>
struct std::hash<pos::checkout::Id<Tag>> {
  std::size_t operator()(const pos::checkout::Id<Tag>& id) const noexcept {
    std::size_t h = 0;
    for (auto b : id.uuid().bytes()) h = h * 131 + b;
    return h;
  }
};
