// The roster: who may work this counter, what they may do, and how a supervisor's PIN is
// checked offline (GET /billing/terminal/roster).
//
// Sections: PinVerifier (Argon2id, libsodium) · Staff · Roster · parse_roster
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/permissions.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/result.hpp>
#include <pos/checkout/secret.hpp>

namespace pos::checkout {

// crypto_pwhash (ALG_ARGON2ID13) output of 32 bytes over the PIN's UTF-8 bytes. The roster's
// limits are bounded when parsed (opsLimit 1..16, memLimitBytes 8 KiB..1 GiB) so a bad roster
// cannot make the terminal hash for minutes or exhaust its memory.
struct PinVerifier {
  std::array<std::uint8_t, 16> salt;
  std::uint64_t ops_limit;
  std::size_t mem_limit_bytes;
  std::array<std::uint8_t, 32> hash;
};

// True when the PIN hashes to the verifier's hash (compared in constant time, sodium_memcmp).
// False also when hashing fails (out of memory). The PIN is not wiped here: its owner does.
[[nodiscard]] bool pin_matches(const PinVerifier& verifier, const SecretText& pin);

// A verifier for a PIN: for seeding the demo shop and for tests. ops/mem default to libsodium's
// interactive limits.
[[nodiscard]] PinVerifier make_pin_verifier(const SecretText& pin, RandomSource& random,
                                            std::uint64_t ops_limit = 2,
                                            std::size_t mem_limit_bytes = 64u * 1024u * 1024u);
// The roster JSON of a verifier: {"alg": "argon2id", "salt", "opsLimit", "memLimitBytes", "hash"}.
[[nodiscard]] nlohmann::json to_json(const PinVerifier& verifier);

struct Staff {
  UserId user_id;
  std::string display_name;
  PermissionSet permissions;  // unknown permission strings are ignored, never guessed
  PinVerifier pin_verifier;
  std::optional<Money> payment_limit;  // null: no limit
  // The contract's per-currency `paymentLimits` (a list of Money), as well as the single
  // `paymentLimit`. A currency neither names keeps the cautious rule: a supervisor approves,
  // since amounts in two currencies are never compared.
  std::vector<Money> payment_limits;

  // The limit for a payment in `currency`: nullopt when the operator has no limit at all;
  // a zero amount when they have limits but none in this currency (any amount needs approval).
  [[nodiscard]] std::optional<Money> limit_in(Currency currency) const;
};

class Roster {
 public:
  Roster(std::vector<Staff> staff, Timestamp issued_at, std::chrono::seconds max_offline_age)
      : staff_(std::move(staff)), issued_at_(issued_at), max_offline_age_(max_offline_age) {}

  [[nodiscard]] const Staff* find(const UserId& user) const noexcept;
  [[nodiscard]] const std::vector<Staff>& staff() const noexcept { return staff_; }
  [[nodiscard]] Timestamp issued_at() const noexcept { return issued_at_; }
  [[nodiscard]] std::chrono::seconds max_offline_age() const noexcept { return max_offline_age_; }
  // Young enough for offline PIN checks: now - issuedAt <= maxOfflineAgeSeconds. A roster
  // "from the future" (clock skew) counts as fresh only up to the same margin.
  [[nodiscard]] bool fresh_at(Timestamp now) const noexcept;

 private:
  std::vector<Staff> staff_;
  Timestamp issued_at_;
  std::chrono::seconds max_offline_age_;
};

[[nodiscard]] Result<Roster, Refusal> parse_roster(const nlohmann::json& json);

}  // namespace pos::checkout
