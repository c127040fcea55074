// The spooler's worker, the outcome tables, and start-up recovery.
//
// Sections: code and message tables · outcome rules · Spooler · recovery.
#include <pos/drivers/spooler.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>

namespace pos::drivers {

// ---- code and message tables -----------------------------------------------------------------

std::string_view job_result_code(JobResult r) {
  static constexpr std::array<std::string_view, 3> kCodes = {"PRINTED", "FAILED",
                                                             "POSSIBLY_PRINTED"};
  static_assert(static_cast<std::size_t>(JobResult::kPossiblyPrinted) + 1 == kCodes.size());
  return kCodes.at(static_cast<std::size_t>(r));
}

namespace {
struct ReasonRow {
  std::string_view code;
  std::string_view text;
};
// One row per FailureReason, in order.
constexpr std::array<ReasonRow, kFailureReasonCount> kReasons = {{
    {"NONE", ""},
    {"PAPER_OUT", "The printer is out of paper."},
    {"COVER_OPEN", "The printer's cover is open."},
    {"OFFLINE", "The printer is offline."},
    {"PRINTER_ERROR", "The printer reports an error (cutter jam or mechanism)."},
    {"UNPLUGGED", "The printer is unplugged or its connection dropped."},
    {"TIMED_OUT_BEFORE_SENDING", "The printer took no data before the time-out."},
    {"TIMED_OUT_WHILE_SENDING", "The printer stopped taking data part-way through."},
    {"NOT_FOUND", "No printer was found for the configured address."},
    {"ACCESS_DENIED", "No permission to use the printer (install the udev rule)."},
    {"LINK_ERROR", "The printer connection failed."},
    {"INTERRUPTED", "The terminal stopped while this job was being printed."},
    {"SPOOLER_STOPPED", "The terminal stopped before this job was sent."},
}};
static_assert(static_cast<std::size_t>(FailureReason::kSpoolerStopped) + 1 == kFailureReasonCount);

constexpr std::array<std::string_view, 8> kReadinessCodes = {
    "UNKNOWN",    "READY",   "PAPER_NEAR_END", "PAPER_OUT",
    "COVER_OPEN", "OFFLINE", "ERROR",          "UNPLUGGED"};
static_assert(static_cast<std::size_t>(PrinterReadiness::kUnplugged) + 1 == kReadinessCodes.size());
}  // namespace

std::string_view failure_reason_code(FailureReason r) {
  return kReasons.at(static_cast<std::size_t>(r)).code;
}
std::string_view failure_reason_text(FailureReason r) {
  return kReasons.at(static_cast<std::size_t>(r)).text;
}
std::string_view advisor_message(const JobOutcome& outcome) {
  return outcome.result == JobResult::kPrinted ? std::string_view{} : kPrinterUnavailableMessage;
}
std::string_view readiness_code(PrinterReadiness r) {
  return kReadinessCodes.at(static_cast<std::size_t>(r));
}

// ---- outcome rules ---------------------------------------------------------------------------

namespace {

// Why a printer that answered its status cannot print now (kNone when it can).
FailureReason blocking_reason(const PrinterStatus& s) {
  if (s.paper == Paper::kOut) return FailureReason::kPaperOut;
  if (s.cover == Cover::kOpen) return FailureReason::kCoverOpen;
  if (s.error) return FailureReason::kPrinterError;
  if (s.online == Online::kOffline) return FailureReason::kOffline;
  return FailureReason::kNone;
}

// Link errors that mean the printer cannot be reached at all (not "did not answer status").
std::optional<FailureReason> unreachable_reason(LinkError e) {
  switch (e) {
    case LinkError::kUnplugged:
    case LinkError::kClosed:
      return FailureReason::kUnplugged;
    case LinkError::kRefused:
      return FailureReason::kOffline;
    case LinkError::kNotFound:
      return FailureReason::kNotFound;
    case LinkError::kAccessDenied:
      return FailureReason::kAccessDenied;
    case LinkError::kBusy:
      return FailureReason::kLinkError;
    default:
      return std::nullopt;
  }
}

FailureReason write_failure_reason(const WriteResult& w) {
  if (w.error == LinkError::kTimedOut) {
    return w.bytes_sent == 0 ? FailureReason::kTimedOutBeforeSending
                             : FailureReason::kTimedOutWhileSending;
  }
  if (auto r = unreachable_reason(w.error)) return *r;
  return FailureReason::kLinkError;
}

PrinterReadiness readiness_of(const StatusResult& s) {
  if (!s.ok()) {
    return unreachable_reason(s.error) ? PrinterReadiness::kUnplugged : PrinterReadiness::kUnknown;
  }
  switch (blocking_reason(s.status)) {
    case FailureReason::kPaperOut:
      return PrinterReadiness::kPaperOut;
    case FailureReason::kCoverOpen:
      return PrinterReadiness::kCoverOpen;
    case FailureReason::kPrinterError:
      return PrinterReadiness::kError;
    case FailureReason::kOffline:
      return PrinterReadiness::kOffline;
    default:
      break;
  }
  return s.status.paper == Paper::kNearEnd ? PrinterReadiness::kPaperNearEnd
                                           : PrinterReadiness::kReady;
}

std::string job_name(PrintJobId id, const PrintJobRecord& r) {
  return r.reference.empty() ? fmt::format("job-{}", id.value)
                             : fmt::format("job-{}-{}", id.value, r.reference);
}

}  // namespace

// ---- Spooler ---------------------------------------------------------------------------------

Spooler::Spooler(std::unique_ptr<Transport> transport, PrintJournal& journal,
                 SpoolerOptions options)
    : transport_(std::move(transport)), journal_(journal), options_(std::move(options)) {
  snapshot_.printer = options_.printer_name;
  snapshot_.description = transport_->describe();
  transport_->set_change_listener([this] { refresh_status(); });
  worker_ = std::thread([this] { run(); });
}

Spooler::~Spooler() {
  transport_->set_change_listener({});
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
  for (auto& job : queue_) {
    finish(job, {JobResult::kFailed, FailureReason::kSpoolerStopped, 0, "spooler stopped"});
  }
  transport_->close();
}

Submission Spooler::submit(PrintJob job) {
  Submission out;
  if (job.bytes.empty()) {
    out.refusal = SubmitRefusal::kEmpty;
    out.detail = "a print job needs bytes";
    return out;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      out.refusal = SubmitRefusal::kStopped;
      out.detail = "the spooler is stopping";
      return out;
    }
  }
  std::lock_guard submitting(submit_mutex_);
  if (job.kind == JobKind::kReceipt && job.copy == Copy::kOriginal && !job.reference.empty()) {
    // Only a job that certainly did not print leaves the original free to print again.
    for (const auto& prior : journal_.jobs_for(job.reference)) {
      if (prior.record.kind != JobKind::kReceipt) continue;
      if (!prior.outcome || prior.outcome->result != JobResult::kFailed) {
        out.refusal = SubmitRefusal::kNeedsCopyMark;
        out.detail =
            fmt::format("receipt {} may already have printed (job {}): print a marked copy",
                        job.reference, prior.id.value);
        return out;
      }
    }
  }
  PrintJobRecord record{job.kind,
                        job.copy,
                        std::move(job.reference),
                        std::move(job.requested_by),
                        std::move(job.reason),
                        options_.printer_name,
                        job.bytes.size()};
  auto written = journal_.record(record);
  if (!written.id) {
    out.refusal = SubmitRefusal::kNotRecorded;
    out.detail = written.error;
    return out;
  }
  Queued q{*written.id, std::move(record), std::move(job.bytes), {}};
  out.outcome = q.promise.get_future();
  out.id = q.id;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(q));
    snapshot_.queued = queue_.size() + (printing_ ? 1 : 0);
  }
  wake_.notify_one();
  return out;
}

PrinterSnapshot Spooler::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void Spooler::refresh_status() {
  {
    std::lock_guard lock(mutex_);
    refresh_ = true;
  }
  wake_.notify_one();
}

void Spooler::update_status(const StatusResult& s) {
  auto description = transport_->describe();  // a USB printer names itself once it is open
  std::lock_guard lock(mutex_);
  snapshot_.description = std::move(description);
  snapshot_.status = s.status;
  snapshot_.link = s.error;
  snapshot_.readiness = readiness_of(s);
  snapshot_.checked_at = Clock::now();
  const bool blocked = snapshot_.readiness != PrinterReadiness::kReady &&
                       snapshot_.readiness != PrinterReadiness::kPaperNearEnd &&
                       snapshot_.readiness != PrinterReadiness::kUnknown;
  snapshot_.advisor_message = blocked ? std::string(kPrinterUnavailableMessage) : std::string();
}

void Spooler::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool poll = options_.idle_status_poll > Clock::duration::zero();
    auto ready = [&] { return stopping_ || !queue_.empty() || refresh_; };
    if (poll) {
      wake_.wait_for(lock, options_.idle_status_poll, ready);
    } else {
      wake_.wait(lock, ready);
    }
    if (stopping_) return;  // queued jobs are failed by the destructor: none was started
    if (queue_.empty()) {
      refresh_ = false;
      lock.unlock();
      update_status(transport_->status(Deadline::in(options_.status_timeout)));
      lock.lock();
      continue;
    }
    Queued job = std::move(queue_.front());
    queue_.pop_front();
    printing_ = true;
    refresh_ = false;  // the job asks the status itself, before and after
    lock.unlock();
    auto outcome = print(job);
    finish(job, std::move(outcome));
    lock.lock();
    printing_ = false;
    snapshot_.queued = queue_.size();
  }
}

JobOutcome Spooler::print(const Queued& job) {
  const auto before = transport_->status(Deadline::in(options_.status_timeout));
  update_status(before);
  if (before.ok()) {
    if (auto why = blocking_reason(before.status); why != FailureReason::kNone) {
      return {JobResult::kFailed, why, 0, "status before sending"};
    }
  } else if (auto why = unreachable_reason(before.error)) {
    return {JobResult::kFailed, *why, 0,
            fmt::format("{}: {}", link_error_code(before.error), before.detail)};
  }
  // A printer that did not answer its status may still print (many clones ignore DLE EOT): send.

  const auto w = transport_->write(job.bytes, Deadline::in(options_.job_timeout));
  if (!w.ok()) {
    const auto detail = fmt::format("{} after {} of {} bytes: {}", link_error_code(w.error),
                                    w.bytes_sent, job.bytes.size(), w.detail);
    const auto result = w.bytes_sent == 0 ? JobResult::kFailed : JobResult::kPossiblyPrinted;
    // Refresh what the UI shows: an unplugged printer must not look ready.
    update_status(StatusResult{{}, w.error, w.detail});
    return {result, write_failure_reason(w), w.bytes_sent, detail};
  }
  transport_->end_job(job_name(job.id, job.record));

  const auto after = transport_->status(Deadline::in(options_.status_timeout));
  update_status(after);
  if (after.ok()) {
    // Paper ran out (or the cover opened) while this job was in the printer: the end of the
    // receipt may be missing.
    if (auto why = blocking_reason(after.status); why != FailureReason::kNone) {
      return {JobResult::kPossiblyPrinted, why, w.bytes_sent, "status after sending"};
    }
  } else if (before.ok()) {
    // It answered before our bytes and not after: it may have stopped (jammed, buffer stuck,
    // unplugged) with the receipt part-way through. A printer that never answers status is
    // judged by its write alone.
    const auto why = after.error == LinkError::kTimedOut
                         ? FailureReason::kTimedOutWhileSending
                         : unreachable_reason(after.error).value_or(FailureReason::kLinkError);
    return {
        JobResult::kPossiblyPrinted, why, w.bytes_sent,
        fmt::format("no status after sending: {} {}", link_error_code(after.error), after.detail)};
  }
  return {JobResult::kPrinted, FailureReason::kNone, w.bytes_sent, {}};
}

void Spooler::finish(Queued& job, JobOutcome outcome) {
  if (!journal_.mark_outcome(job.id, outcome)) {
    spdlog::error(
        "print job {}: outcome {} could not be recorded; it will be reported as interrupted",
        job.id.value, job_result_code(outcome.result));
  }
  if (outcome.result != JobResult::kPrinted) {
    spdlog::warn("print job {} on {}: {} {} ({})", job.id.value, options_.printer_name,
                 job_result_code(outcome.result), failure_reason_code(outcome.reason),
                 outcome.detail);
  }
  {
    std::lock_guard lock(mutex_);
    snapshot_.last_outcome = outcome;
  }
  if (options_.on_outcome) options_.on_outcome(job.id, job.record, outcome);
  job.promise.set_value(std::move(outcome));
}

// ---- recovery --------------------------------------------------------------------------------

std::vector<JournalEntry> recover_interrupted_jobs(PrintJournal& journal) {
  auto jobs = journal.unfinished();
  for (auto& entry : jobs) {
    JobOutcome outcome{JobResult::kPossiblyPrinted, FailureReason::kInterrupted, std::nullopt,
                       "recorded, then the terminal stopped before an outcome"};
    if (!journal.mark_outcome(entry.id, outcome)) {
      spdlog::error("print job {}: interrupted outcome could not be recorded", entry.id.value);
    }
    entry.outcome = std::move(outcome);
  }
  return jobs;
}

}  // namespace pos::drivers
