// The spooler's durable memory of print jobs, as an interface the application implements on
// the ledger (drivers may not depend on the ledger: drivers -> escpos only).
//
// Sections: ids and kinds · outcomes · the journal interface.
//
// The durability argument: a job is recorded (and committed) before its first byte is sent, and
// its outcome is recorded after. So after a crash every job is either finished, or recorded
// with no outcome; the latter may have printed (the crash may have come after the bytes), so it
// is reported as POSSIBLY_PRINTED and never sent again unless the caller marks a copy.
#pragma once

#include <pos/drivers/transport.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pos::drivers {

// ---- ids and kinds ---------------------------------------------------------------------------

struct PrintJobId {
  std::uint64_t value = 0;
  auto operator<=>(const PrintJobId&) const = default;
};

enum class JobKind : std::uint8_t { kReceipt, kDrawerPulse, kTestPage, kReport };

// Whether a receipt job is the first print or a marked copy. Only kOriginal is guarded against
// a second print; the bytes of a copy must carry the REPRINT n / DUPLICATE mark (escpos).
enum class Copy : std::uint8_t { kOriginal, kReprint, kDuplicate };

struct PrintJobRecord {
  JobKind kind = JobKind::kReceipt;
  Copy copy = Copy::kOriginal;
  std::string reference;     // receipt reference (RCP-...), or a drawer opening's id
  std::string requested_by;  // user id who asked (drawer pulses: who opened the drawer)
  std::string reason;        // why (drawer: SALE / NO_SALE / reason code); never a secret
  std::string printer;       // the spooler's printer name
  std::size_t byte_count = 0;
};

// ---- outcomes --------------------------------------------------------------------------------

enum class JobResult : std::uint8_t {
  kPrinted,          // every byte was accepted and the printer reports nothing wrong
  kFailed,           // no byte was sent: it did not print
  kPossiblyPrinted,  // bytes went out, then the link failed (or we crashed): may have printed
};

enum class FailureReason : std::uint8_t {
  kNone,
  kPaperOut,
  kCoverOpen,
  kOffline,
  kPrinterError,           // DLE EOT reported a cutter or other error
  kUnplugged,              // USB device gone, TCP connection reset or closed
  kTimedOutBeforeSending,  // the printer took no byte before the deadline
  kTimedOutWhileSending,   // it took some, then stopped (possibly printed)
  kNotFound,               // no printer matches the URI
  kAccessDenied,           // no permission on the device (udev rule missing)
  kLinkError,              // any other transport error (detail says which)
  kInterrupted,            // recorded, then the terminal stopped before an outcome
  kSpoolerStopped,         // still queued when the spooler shut down: nothing sent
};
inline constexpr std::size_t kFailureReasonCount = 13;

struct JobOutcome {
  JobResult result = JobResult::kFailed;
  FailureReason reason = FailureReason::kNone;
  std::optional<std::size_t> bytes_sent;  // unknown after a crash
  std::string detail;                     // for logs, e.g. "UNPLUGGED: LIBUSB_ERROR_NO_DEVICE"
  bool operator==(const JobOutcome&) const = default;
};

// Stable codes for the ledger and logs: "PRINTED", "FAILED", "POSSIBLY_PRINTED"; "PAPER_OUT"...
std::string_view job_result_code(JobResult r);
std::string_view failure_reason_code(FailureReason r);
// What an operator or IT reads about a reason ("The printer is out of paper.").
std::string_view failure_reason_text(FailureReason r);
// What the advisor at the counter sees: empty when printed, else the billing contract's message.
std::string_view advisor_message(const JobOutcome& outcome);

// ---- the journal -----------------------------------------------------------------------------

struct JournalEntry {
  PrintJobId id;
  PrintJobRecord record;
  std::optional<JobOutcome> outcome;  // empty: recorded, no outcome yet
};

struct JournalWrite {
  std::optional<PrintJobId> id;  // set when recorded
  std::string error;             // why not (disk full, database locked): the job is not queued
};

// Implementations must be thread-safe: record() runs on the caller's thread, mark_outcome() on
// the printer's worker.
class PrintJournal {
 public:
  virtual ~PrintJournal() = default;
  PrintJournal() = default;
  PrintJournal(const PrintJournal&) = delete;
  PrintJournal& operator=(const PrintJournal&) = delete;

  // Durable when it returns: the job survives a crash or power cut from then on.
  virtual JournalWrite record(const PrintJobRecord& job) = 0;
  // Durable when it returns true. false: the outcome may be lost; recovery will then report the
  // job as interrupted (POSSIBLY_PRINTED), the safe side.
  virtual bool mark_outcome(PrintJobId id, const JobOutcome& outcome) = 0;
  // Jobs recorded without an outcome, oldest first.
  virtual std::vector<JournalEntry> unfinished() const = 0;
  // Every job for one reference, oldest first (used to refuse a second original print).
  virtual std::vector<JournalEntry> jobs_for(std::string_view reference) const = 0;
};

}  // namespace pos::drivers
