// W3C Trace Context for backend requests (BILL-DEC-015): one trace per checkout, a new span per
// request. Kept in sync/ so the HTTP layer does not depend on pos::checkout; the application may
// hand in a trace id it made itself (any valid 32-hex id is accepted).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pos::sync {

class TraceId {
 public:
  // A fresh random trace id (16 random bytes, never all zero).
  static TraceId generate();
  // Accepts exactly 32 lower-case hex digits, not all zero.
  static std::optional<TraceId> parse(std::string_view hex);

  const std::string& hex() const { return hex_; }
  friend bool operator==(const TraceId&, const TraceId&) = default;

 private:
  explicit TraceId(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

// A fresh random span id: 16 lower-case hex digits, never all zero.
std::string generateSpanId();

// A fresh correlation id shaped as a UUIDv7 (RFC 9562: 48-bit Unix milliseconds, version 7,
// variant 10, random bits), for a request whose caller gave none (X-Correlation-Id is on every
// request of the contract).
std::string generateCorrelationId();
// True for 8-4-4-4-12 lower-case hex with version 7 and variant 10.
bool isUuidV7(std::string_view text);

// "00-<trace>-<span>-01" (sampled).
std::string formatTraceparent(const TraceId& trace, std::string_view spanId);

struct Traceparent {
  std::string traceId;
  std::string spanId;
  std::string flags;
};
// Strict parse of a version-00 traceparent header; nullopt when malformed.
std::optional<Traceparent> parseTraceparent(std::string_view header);

}  // namespace pos::sync
