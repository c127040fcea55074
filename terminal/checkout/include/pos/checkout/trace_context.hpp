// W3C Trace Context `traceparent`: one trace per checkout, a new span per backend request
// (BILL-DEC-015). "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pos/checkout/clock.hpp>

namespace pos::checkout {

class TraceParent {
 public:
  using TraceIdBytes = std::array<std::uint8_t, 16>;
  using SpanIdBytes = std::array<std::uint8_t, 8>;

  // A new trace (for a new checkout), sampled (flags 01, as the contract shows).
  [[nodiscard]] static TraceParent start_trace(RandomSource& random);
  // The same trace with a new span: one per request.
  [[nodiscard]] TraceParent next_span(RandomSource& random) const;

  // Per the W3C spec: lower-case hex only; version ff, an all-zero trace id or span id are
  // invalid; version 00 must be exactly 55 characters; a later version may carry more fields
  // after a '-', which are ignored.
  [[nodiscard]] static std::optional<TraceParent> parse(std::string_view header);
  [[nodiscard]] std::string to_string() const;  // always version 00

  [[nodiscard]] std::string trace_id_hex() const;
  [[nodiscard]] std::string span_id_hex() const;
  [[nodiscard]] const TraceIdBytes& trace_id() const noexcept { return trace_id_; }
  [[nodiscard]] const SpanIdBytes& span_id() const noexcept { return span_id_; }
  [[nodiscard]] bool sampled() const noexcept { return (flags_ & 1) != 0; }

  friend bool operator==(const TraceParent&, const TraceParent&) = default;

 private:
  TraceParent(TraceIdBytes trace, SpanIdBytes span, std::uint8_t flags)
      : trace_id_(trace), span_id_(span), flags_(flags) {}
  TraceIdBytes trace_id_;
  SpanIdBytes span_id_;
  std::uint8_t flags_;
};

}  // namespace pos::checkout
