// The one interface every printer link implements (USB, TCP 9100, the virtual printer, the
// tests' recording fake), and the small value types its calls return.
//
// Sections: deadlines · link errors · results · Transport · the advisor-facing message.
//
// Every call takes a deadline and returns; none blocks past it. Expected failures (unplugged,
// timed out, refused) are values; a transport never throws for them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pos::drivers {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// ---- deadlines -------------------------------------------------------------------------------

// A point in time after which a call gives up. Passed down instead of durations so that a job's
// total budget is shared by its chunks.
class Deadline {
 public:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  static Deadline in(Clock::duration d) { return Deadline(Clock::now() + d); }
  Clock::time_point at() const { return at_; }
  bool expired() const { return Clock::now() >= at_; }
  // Whole milliseconds left, at least 0; rounded up so a 0.5 ms budget still gets one try.
  std::chrono::milliseconds remaining() const;
  // The earlier of this deadline and now + d (a per-chunk time-out inside a job's deadline).
  Deadline capped(Clock::duration d) const;

 private:
  Clock::time_point at_;
};

// ---- link errors -----------------------------------------------------------------------------

enum class LinkError : std::uint8_t {
  kNone,
  kTimedOut,      // the deadline passed (the device stopped taking data, or never answered)
  kUnplugged,     // USB NO_DEVICE / PIPE / IO, TCP reset or closed by the printer
  kNotFound,      // no printer matches the URI
  kAccessDenied,  // USB: no permission on the device node (install the udev rule)
  kBusy,          // USB: another process holds the interface
  kRefused,       // TCP: connection refused / host unreachable
  kClosed,        // the transport was closed by us
  kNoStatus,      // the printer cannot report status (no IN endpoint and no port status)
  kBadReply,      // a reply that is not what the protocol allows
  kIo,            // anything else from the OS or libusb; detail says what
};
inline constexpr std::size_t kLinkErrorCount = 11;

// A stable code for logs and the ledger, e.g. "TIMED_OUT".
std::string_view link_error_code(LinkError e);

// ---- results ---------------------------------------------------------------------------------

struct WriteResult {
  // Bytes the other side acknowledged. For USB these are whole URBs that completed; a write
  // that ends with an error after bytes_sent > 0 may have printed part of a receipt.
  std::size_t bytes_sent = 0;
  LinkError error = LinkError::kNone;
  std::string detail;  // for logs; never holds receipt content
  bool ok() const { return error == LinkError::kNone; }
};

struct ReadResult {
  Bytes bytes;  // what arrived before the deadline (may be fewer than asked)
  LinkError error = LinkError::kNone;
  std::string detail;
  bool ok() const { return error == LinkError::kNone; }
};

// What a printer said about itself, reduced to what the spooler and the UI need. Derived from
// DLE EOT replies, USB GET_PORT_STATUS, or known by construction (virtual printer).
enum class Paper : std::uint8_t { kUnknown, kOk, kNearEnd, kOut };
enum class Cover : std::uint8_t { kUnknown, kClosed, kOpen };
enum class Online : std::uint8_t { kUnknown, kOnline, kOffline };

struct PrinterStatus {
  Paper paper = Paper::kUnknown;
  Cover cover = Cover::kUnknown;
  Online online = Online::kUnknown;
  bool error = false;  // a recoverable or unrecoverable error reported by DLE EOT 3
  bool operator==(const PrinterStatus&) const = default;
  // True when nothing known stops a receipt from printing.
  bool can_print() const {
    return paper != Paper::kOut && cover != Cover::kOpen && online != Online::kOffline && !error;
  }
};

struct StatusResult {
  PrinterStatus status;
  LinkError error = LinkError::kNone;
  std::string detail;
  bool ok() const { return error == LinkError::kNone; }
};

// ---- the interface ---------------------------------------------------------------------------

// One printer link. Not thread-safe: a spooler's worker is its only caller (describe() may be
// called from anywhere).
class Transport {
 public:
  virtual ~Transport() = default;
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends bytes in order until all are sent, an error, or the deadline. Opens (or re-opens
  // after an unplug) the link first when needed.
  virtual WriteResult write(ByteView bytes, Deadline deadline) = 0;
  // Returns what the printer sent, up to max_bytes, waiting at most until the deadline; an
  // empty result with kTimedOut when nothing came.
  virtual ReadResult read(std::size_t max_bytes, Deadline deadline) = 0;
  // Asks the printer for its state. The default sends DLE EOT 1..4 and reads each reply on
  // this link after emptying stale input (Automatic Status Back blocks, old answers).
  virtual StatusResult status(Deadline deadline);
  // Marks the end of one job; the virtual printer turns the job's bytes into files here.
  virtual void end_job(std::string_view job_name) { (void)job_name; }
  // Sets the function to call, from any thread, when the printer arrived or left (USB
  // hot-plug), so its owner can ask the status again at once. Replacing it (or clearing it with
  // {}) waits for a call in progress to return.
  virtual void set_change_listener(std::function<void()> listener) { (void)listener; }
  // Human-readable, stable: "usb 04b8:0e28 TM-T20III (SN X)", "tcp 10.0.0.5:9100".
  virtual std::string describe() const = 0;
  virtual void close() = 0;

 protected:
  // Reads and drops whatever input is already waiting (a quiet link costs one short read), for
  // at most `budget` when more keeps coming.
  void drain_input(Clock::duration budget);
  // Input may hold stale bytes (a new link, or a status answer that came late or incomplete):
  // the next status() empties it first. Cleared by a status exchange that ended cleanly, so a
  // healthy printer is not made to wait for an empty read before every job.
  void mark_input_stale() { input_may_be_stale_ = true; }

 private:
  bool input_may_be_stale_ = true;
};

// ---- the advisor-facing message --------------------------------------------------------------

// The billing contract's words for any receipt that could not be printed.
inline constexpr std::string_view kPrinterUnavailableMessage =
    "Printer unavailable. Load paper or select email option.";

}  // namespace pos::drivers
