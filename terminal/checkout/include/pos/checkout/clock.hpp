// Time and chance as the checkout sees them: handed in, never read from the system.
//
// Sections: Timestamp · Clock (and ManualClock for tests and replay) · RandomSource (and the
// libsodium default) · RFC 3339 text
//
// The domain has no clock access of its own (it must replay the same way tomorrow); the
// application passes a Clock that reads the system time, tests pass a ManualClock.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pos::checkout {

// A UTC instant with millisecond precision: what the contract's RFC 3339 times carry.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual Timestamp now() = 0;
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  [[nodiscard]] Timestamp now() override { return now_; }
  void set(Timestamp t) { now_ = t; }
  void advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  Timestamp now_;
};

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills out with unpredictable bytes. Must not fail (libsodium's randombytes aborts instead).
  virtual void fill(std::span<std::byte> out) = 0;
};

// libsodium's randombytes_buf (getrandom(2) underneath): the default for ids and trace ids.
class SodiumRandomSource final : public RandomSource {
 public:
  SodiumRandomSource();  // calls sodium_init(); aborts if the library cannot start
  void fill(std::span<std::byte> out) override;
};

// RFC 3339 in UTC, as the contract writes times: "2026-11-21T10:15:00.123Z". Parsing accepts
// 0-9 fraction digits (kept to milliseconds, truncated) and "Z" or a numeric offset
// ("+01:00"), which is converted to UTC; anything else is nullopt.
[[nodiscard]] std::optional<Timestamp> parse_rfc3339(std::string_view text);
// Always "YYYY-MM-DDThh:mm:ss.mmmZ".
[[nodiscard]] std::string format_rfc3339(Timestamp t);
// "20260105T143022Z": the compact form in receipt references (seconds, UTC).
[[nodiscard]] std::string format_compact_utc(Timestamp t);

}  // namespace pos::checkout
