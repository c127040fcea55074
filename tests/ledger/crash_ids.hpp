// Test support: the ids of capture number n in the crash test, the same in every process, so a
// restarted child can retry an in-flight capture with exactly the ids of the first attempt.
#pragma once

#include <pos/checkout/ids.hpp>

#include <cstdint>

namespace pos::test {

// A valid UUIDv7 layout (version 7, RFC variant) with `kind` and `n` in the random bits.
inline checkout::Uuid crash_uuid(std::uint8_t kind, std::uint64_t n) {
  checkout::Uuid::Bytes b{0x01, 0x93, 0x5a, 0x00, 0x00, 0x00, 0x70, kind, 0x80};
  for (int i = 0; i < 7; ++i)
    b[static_cast<std::size_t>(15 - i)] = static_cast<std::uint8_t>(n >> (8 * i));
  return checkout::Uuid{b};
}

template <class IdT>
IdT crash_id(std::uint8_t kind, std::uint64_t n) {
  return IdT{crash_uuid(kind, n)};
}

enum : std::uint8_t {
  kCrashPayment = 1,
  kCrashReceipt,
  kCrashCheckout,
  kCrashEvent,
  kCrashDrawer,
  kCrashShift,
  kCrashInvoice,
  kCrashCorrelation
};

}  // namespace pos::test
