// Deadline arithmetic, link error codes, and the default DLE EOT status query that USB (with an
// IN endpoint) and TCP share.
#include <pos/drivers/transport.hpp>

#include <array>

#include "status_bytes.hpp"

namespace pos::drivers {

std::chrono::milliseconds Deadline::remaining() const {
  const auto left = at_ - Clock::now();
  if (left <= Clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

Deadline Deadline::capped(Clock::duration d) const {
  const auto other = Clock::now() + d;
  return Deadline(other < at_ ? other : at_);
}

std::string_view link_error_code(LinkError e) {
  // One row per enumerator, in order; the static_assert keeps the table and the enum together.
  static constexpr std::array<std::string_view, kLinkErrorCount> kCodes = {
      "NONE",    "TIMED_OUT", "UNPLUGGED", "NOT_FOUND", "ACCESS_DENIED", "BUSY",
      "REFUSED", "CLOSED",    "NO_STATUS", "BAD_REPLY", "IO_ERROR"};
  static_assert(static_cast<std::size_t>(LinkError::kIo) + 1 == kLinkErrorCount);
  return kCodes.at(static_cast<std::size_t>(e));
}

void Transport::drain_input(Clock::duration budget) {
  const auto until = Deadline::in(budget);
  // Each read waits as little as the link allows (TCP: not at all; USB: libusb's 1 ms minimum).
  // Stop at the first quiet read: stale input is already waiting or not there at all.
  for (int i = 0; i < 16; ++i) {
    auto r = read(64, Deadline(Clock::now()));
    if (!r.ok() || r.bytes.empty() || until.expired()) break;
  }
}

StatusResult Transport::status(Deadline deadline) {
  if (input_may_be_stale_) drain_input(std::chrono::milliseconds(20));
  input_may_be_stale_ = true;  // until this exchange ends cleanly
  const auto request = status_request();
  auto w = write(request, deadline);
  if (!w.ok()) return {{}, w.error, w.detail};
  Bytes replies;
  while (replies.size() < kStatusReplyCount) {
    auto r = read(kStatusReplyCount - replies.size(), deadline);
    replies.insert(replies.end(), r.bytes.begin(), r.bytes.end());
    if (!r.ok()) {
      if (replies.empty() || r.error != LinkError::kTimedOut) return {{}, r.error, r.detail};
      break;  // a partial answer is still worth reading
    }
  }
  auto result = interpret_status_replies(replies);
  if (result.ok() && replies.size() == kStatusReplyCount) input_may_be_stale_ = false;
  return result;
}

}  // namespace pos::drivers
