// The spooler: one worker thread per printer that sends recorded jobs and reports each one's
// outcome, and a status snapshot the UI may read at any time without waiting on the printer.
//
// Sections: jobs · the status snapshot · Spooler · start-up recovery.
//
// A job's life: submit() records it in the PrintJournal (durable) and queues it; the worker asks
// the printer's status, refuses to send when paper is out, the cover open or the printer
// offline (FAILED, nothing sent), sends the bytes with a deadline, asks the status again, and
// records the outcome. Nothing is ever re-sent by the spooler: a FAILED or POSSIBLY_PRINTED
// receipt is the caller's to retry, and an original receipt that may already have printed is
// refused, so a second print must carry a REPRINT / DUPLICATE mark.
#pragma once

#include <pos/drivers/print_journal.hpp>
#include <pos/drivers/transport.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pos::drivers {

// ---- jobs ------------------------------------------------------------------------------------

struct PrintJob {
  JobKind kind = JobKind::kReceipt;
  Copy copy = Copy::kOriginal;
  std::string reference;
  std::string requested_by;
  std::string reason;
  Bytes bytes;  // ready-made ESC/POS (escpos encodes receipts and the drawer pulse)
};

enum class SubmitRefusal : std::uint8_t {
  kNone,
  kNotRecorded,    // the journal could not record it: nothing will print
  kNeedsCopyMark,  // an original receipt already printed or possibly printed
  kEmpty,          // no bytes
  kStopped,        // the spooler is shutting down
};

struct Submission {
  std::optional<PrintJobId> id;  // set when accepted
  SubmitRefusal refusal = SubmitRefusal::kNone;
  std::string detail;
  std::future<JobOutcome> outcome;  // valid when accepted; ready once the outcome is recorded
  bool accepted() const { return id.has_value(); }
};

// ---- the status snapshot ---------------------------------------------------------------------

enum class PrinterReadiness : std::uint8_t {
  kUnknown,  // not asked yet, or the printer cannot tell
  kReady,
  kPaperNearEnd,
  kPaperOut,
  kCoverOpen,
  kOffline,
  kError,
  kUnplugged,  // link down: unplugged, not found, no permission, refused
};

struct PrinterSnapshot {
  std::string printer;      // the spooler's name for it
  std::string description;  // transport.describe()
  PrinterReadiness readiness = PrinterReadiness::kUnknown;
  PrinterStatus status;
  LinkError link = LinkError::kNone;
  std::optional<Clock::time_point> checked_at;
  std::size_t queued = 0;  // jobs waiting, the one printing included
  std::optional<JobOutcome> last_outcome;
  std::string advisor_message;  // empty when ready; else the contract's message
};

std::string_view readiness_code(PrinterReadiness r);

struct SpoolerOptions {
  std::string printer_name = "receipt";
  Clock::duration status_timeout = std::chrono::milliseconds(800);
  Clock::duration job_timeout = std::chrono::seconds(30);  // a whole job's bytes
  // Status is asked this often while idle so the UI sees paper out before the next receipt;
  // zero turns it off.
  Clock::duration idle_status_poll = std::chrono::seconds(3);
  // Called on the worker after each outcome is recorded (for the app's log and UI refresh).
  std::function<void(PrintJobId, const PrintJobRecord&, const JobOutcome&)> on_outcome;
};

// ---- Spooler ---------------------------------------------------------------------------------

class Spooler {
 public:
  Spooler(std::unique_ptr<Transport> transport, PrintJournal& journal, SpoolerOptions options = {});
  ~Spooler();  // stops the worker; jobs never started are recorded FAILED (kSpoolerStopped)
  Spooler(const Spooler&) = delete;
  Spooler& operator=(const Spooler&) = delete;

  // Records the job durably, then queues it. Returns at once (never waits on the printer).
  Submission submit(PrintJob job);
  // A copy of the latest state, under a short lock; never touches the printer.
  PrinterSnapshot snapshot() const;
  // Asks the worker to refresh the status soon (e.g. after the advisor loaded paper).
  void refresh_status();

 private:
  struct Queued {
    PrintJobId id;
    PrintJobRecord record;
    Bytes bytes;
    std::promise<JobOutcome> promise;
  };
  void run();
  JobOutcome print(const Queued& job);
  void update_status(const StatusResult& s);
  void finish(Queued& job, JobOutcome outcome);

  std::unique_ptr<Transport> transport_;
  PrintJournal& journal_;
  SpoolerOptions options_;
  std::mutex submit_mutex_;  // makes the copy-mark check and the record one step
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  bool printing_ = false;
  bool stopping_ = false;
  bool refresh_ = true;
  PrinterSnapshot snapshot_;
  std::thread worker_;
};

// ---- start-up recovery -----------------------------------------------------------------------

// Run once at start-up, before any spooler: every job recorded without an outcome is marked
// POSSIBLY_PRINTED (kInterrupted, bytes unknown) and returned, so the application can show the
// advisor which receipts to check. None is sent again.
std::vector<JournalEntry> recover_interrupted_jobs(PrintJournal& journal);

}  // namespace pos::drivers
