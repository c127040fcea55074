#include <pos/app/printing.hpp>

#include <thread>

#include <pos/drivers/known_printers.hpp>
#include <pos/drivers/printer_uri.hpp>
#include <pos/drivers/virtual_printer.hpp>

namespace pos::app {

namespace {

std::string kindCode(drivers::JobKind k) {
  switch (k) {
    case drivers::JobKind::kReceipt:
      return "RECEIPT";
    case drivers::JobKind::kDrawerPulse:
      return "DRAWER_PULSE";
    case drivers::JobKind::kTestPage:
      return "TEST_PAGE";
    case drivers::JobKind::kReport:
      return "REPORT";
  }
  return "RECEIPT";
}
drivers::JobKind kindFrom(std::string_view s) {
  if (s == "DRAWER_PULSE") return drivers::JobKind::kDrawerPulse;
  if (s == "TEST_PAGE") return drivers::JobKind::kTestPage;
  if (s == "REPORT") return drivers::JobKind::kReport;
  return drivers::JobKind::kReceipt;
}
std::string copyCode(drivers::Copy c) {
  switch (c) {
    case drivers::Copy::kOriginal:
      return "ORIGINAL";
    case drivers::Copy::kReprint:
      return "REPRINT";
    case drivers::Copy::kDuplicate:
      return "DUPLICATE";
  }
  return "ORIGINAL";
}
drivers::Copy copyFrom(std::string_view s) {
  if (s == "REPRINT") return drivers::Copy::kReprint;
  if (s == "DUPLICATE") return drivers::Copy::kDuplicate;
  return drivers::Copy::kOriginal;
}
drivers::JobResult resultFrom(std::string_view s) {
  if (s == "PRINTED") return drivers::JobResult::kPrinted;
  if (s == "POSSIBLY_PRINTED") return drivers::JobResult::kPossiblyPrinted;
  return drivers::JobResult::kFailed;
}
drivers::FailureReason reasonFrom(std::string_view s) {
  for (std::size_t i = 0; i < drivers::kFailureReasonCount; ++i) {
    auto r = static_cast<drivers::FailureReason>(i);
    if (drivers::failure_reason_code(r) == s) return r;
  }
  return drivers::FailureReason::kLinkError;
}

drivers::JournalEntry toEntry(const ledger::PrintJobState& s) {
  drivers::JournalEntry e;
  e.id = drivers::PrintJobId{static_cast<std::uint64_t>(s.job_id)};
  e.record = drivers::PrintJobRecord{kindFrom(s.job.kind),
                                     copyFrom(s.job.copy),
                                     s.job.reference,
                                     s.job.requested_by,
                                     s.job.reason,
                                     s.job.printer,
                                     static_cast<std::size_t>(s.job.byte_count)};
  if (s.outcome) {
    drivers::JobOutcome o;
    o.result = resultFrom(s.outcome->result);
    o.reason = reasonFrom(s.outcome->reason);
    if (s.outcome->bytes_sent) o.bytes_sent = static_cast<std::size_t>(*s.outcome->bytes_sent);
    o.detail = s.outcome->detail;
    e.outcome = o;
  }
  return e;
}

}  // namespace

LedgerPrintJournal::LedgerPrintJournal(sync::Database db, checkout::Clock& clock)
    : db_(std::move(db)), log_(db_), clock_(clock) {}

drivers::JournalWrite LedgerPrintJournal::record(const drivers::PrintJobRecord& job) {
  std::lock_guard lock(mutex_);
  auto id = log_.record(ledger::PrintJobRow{
      kindCode(job.kind), copyCode(job.copy), job.reference, job.requested_by, job.reason,
      job.printer, static_cast<std::int64_t>(job.byte_count), clock_.now()});
  if (!id.ok()) return drivers::JournalWrite{std::nullopt, id.error().message};
  return drivers::JournalWrite{drivers::PrintJobId{static_cast<std::uint64_t>(id.value())}, {}};
}

bool LedgerPrintJournal::mark_outcome(drivers::PrintJobId id, const drivers::JobOutcome& outcome) {
  std::lock_guard lock(mutex_);
  std::optional<std::int64_t> sent;
  if (outcome.bytes_sent) sent = static_cast<std::int64_t>(*outcome.bytes_sent);
  auto r = log_.record_outcome(
      static_cast<std::int64_t>(id.value),
      ledger::PrintJobOutcomeRow{std::string(drivers::job_result_code(outcome.result)),
                                 std::string(drivers::failure_reason_code(outcome.reason)), sent,
                                 outcome.detail, clock_.now()});
  return r.ok();
}

std::vector<drivers::JournalEntry> LedgerPrintJournal::unfinished() const {
  std::lock_guard lock(mutex_);
  std::vector<drivers::JournalEntry> out;
  auto rows = log_.unfinished();
  if (rows.ok())
    for (const auto& r : rows.value()) out.push_back(toEntry(r));
  return out;
}

std::vector<drivers::JournalEntry> LedgerPrintJournal::jobs_for(std::string_view reference) const {
  std::lock_guard lock(mutex_);
  std::vector<drivers::JournalEntry> out;
  auto rows = log_.for_reference(reference);
  if (rows.ok())
    for (const auto& r : rows.value()) out.push_back(toEntry(r));
  return out;
}

std::variant<std::unique_ptr<PrinterService>, StartupError> PrinterService::open(
    Terminal& terminal) {
  std::unique_ptr<PrinterService> s(new PrinterService());
  auto conn = terminal.openConnection();
  if (!conn.ok()) return StartupError{6, "database: " + conn.error().message};
  s->journal_ = std::make_unique<LedgerPrintJournal>(std::move(conn).value(), terminal.clock());
  s->interrupted_ = drivers::recover_interrupted_jobs(*s->journal_);

  std::optional<drivers::PrinterUri> configured;
  const auto& uriText = terminal.config().printer.uri;
  if (!uriText.empty()) {
    auto parsed = drivers::parse_printer_uri(uriText);
    if (!parsed.uri) return StartupError{6, "printer URI \"" + uriText + "\": " + parsed.error};
    configured = parsed.uri;
  }
  auto known = drivers::KnownUsbPrinters::load(
      drivers::default_known_printers_file(terminal.config().assetsDir));
  if (!known.table) return StartupError{6, "known printers: " + known.error};
  s->environment_.known = *known.table;
  s->environment_.default_spool = terminal.paths().spool;
  s->environment_.preview = drivers::escpos_preview(terminal.sharedPrinterProfile());
  // USB only when asked for: a virtual or TCP printer needs no libusb context.
  const bool usb = configured && (std::holds_alternative<drivers::UsbAuto>(*configured) ||
                                  std::holds_alternative<drivers::UsbId>(*configured));
  if (usb) s->environment_.usb = drivers::UsbContext::create().context;
  s->configured_ = configured;
  auto opened = drivers::open_printer(configured, s->environment_);
  if (auto* dir = std::get_if<drivers::SpoolDirectory>(&opened.uri)) {
    s->spool_ = dir->path;
    std::error_code ec;
    std::filesystem::create_directories(*s->spool_, ec);
  }
  if (!opened.note.empty()) terminal.log().warn("printer.fallback", {{"note", opened.note}});
  s->description_ = opened.transport->describe();
  drivers::SpoolerOptions options;
  options.idle_status_poll = std::chrono::seconds(0);  // headless commands are short-lived
  s->spooler_ =
      std::make_unique<drivers::Spooler>(std::move(opened.transport), *s->journal_, options);
  return s;
}

PrinterService::~PrinterService() {
  spooler_.reset();
}

PrintResult PrinterService::print(drivers::PrintJob job) {
  PrintResult result;
  auto submission = spooler_->submit(std::move(job));
  if (!submission.accepted()) {
    result.outcome.result = drivers::JobResult::kFailed;
    result.outcome.reason = drivers::FailureReason::kLinkError;
    result.outcome.detail = submission.detail;
    result.refusedNeedsCopyMark = submission.refusal == drivers::SubmitRefusal::kNeedsCopyMark;
    result.advisorMessage = std::string(drivers::advisor_message(result.outcome));
    return result;
  }
  result.job = submission.id;
  result.outcome = submission.outcome.get();
  result.advisorMessage = std::string(drivers::advisor_message(result.outcome));
  return result;
}

drivers::PrinterSnapshot PrinterService::snapshot() const {
  return spooler_->snapshot();
}

drivers::PrinterSnapshot PrinterService::freshSnapshot(std::chrono::milliseconds limit) {
  const auto before = spooler_->snapshot().checked_at;
  spooler_->refresh_status();
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto snap = spooler_->snapshot();
    if (snap.checked_at != before || std::chrono::steady_clock::now() >= until) return snap;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<drivers::FoundPrinter> PrinterService::discover() {
  if (!environment_.usb) environment_.usb = drivers::UsbContext::create().context;
  return drivers::discover_printers(environment_, configured_);
}
std::string PrinterService::describe() const {
  return description_;
}

}  // namespace pos::app
