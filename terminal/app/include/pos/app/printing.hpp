// Printing for the application: the spooler's durable journal on the ledger's print job log,
// the transport chosen from the printer URI (the virtual printer when none is configured), and
// the PrinterService that the checkout, receipts and shift services print through.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <pos/app/terminal.hpp>
#include <pos/drivers/print_journal.hpp>
#include <pos/drivers/printers.hpp>
#include <pos/drivers/spooler.hpp>
#include <pos/drivers/virtual_printer.hpp>
#include <pos/ledger/print_jobs.hpp>

namespace pos::app {

// drivers::PrintJournal on the ledger's PrintJobLog, with its own database connection (the
// spooler's worker thread calls mark_outcome) guarded by a mutex.
class LedgerPrintJournal final : public drivers::PrintJournal {
 public:
  LedgerPrintJournal(sync::Database db, checkout::Clock& clock);
  drivers::JournalWrite record(const drivers::PrintJobRecord& job) override;
  bool mark_outcome(drivers::PrintJobId id, const drivers::JobOutcome& outcome) override;
  std::vector<drivers::JournalEntry> unfinished() const override;
  std::vector<drivers::JournalEntry> jobs_for(std::string_view reference) const override;

 private:
  mutable std::mutex mutex_;
  mutable sync::Database db_;
  mutable ledger::PrintJobLog log_;
  checkout::Clock& clock_;
};

struct PrintResult {
  drivers::JobOutcome outcome;
  std::string advisorMessage;  // empty when printed; else the contract's message
  std::optional<drivers::PrintJobId> job;
  bool refusedNeedsCopyMark = false;
};

class PrinterService {
 public:
  // Builds the transport for the configured URI; fails with a message (exit code 6) when the
  // URI is malformed.
  static std::variant<std::unique_ptr<PrinterService>, StartupError> open(Terminal& terminal);
  ~PrinterService();

  // Submits a job and waits for its outcome (bounded by the spooler's job time-out).
  PrintResult print(drivers::PrintJob job);
  drivers::PrinterSnapshot snapshot() const;
  // Asks the printer for its status now and waits for the answer, at most `limit`.
  drivers::PrinterSnapshot freshSnapshot(std::chrono::milliseconds limit);
  // Printers that can be found now (USB, and the configured TCP printer), with status.
  std::vector<drivers::FoundPrinter> discover();
  std::string describe() const;
  // Jobs a crash left without an outcome, marked POSSIBLY_PRINTED at start-up.
  const std::vector<drivers::JournalEntry>& interruptedAtStart() const { return interrupted_; }
  // The virtual printer's spool folder, when that is the printer.
  std::optional<std::filesystem::path> spoolDirectory() const { return spool_; }

 private:
  PrinterService() = default;
  drivers::PrinterEnvironment environment_;
  std::optional<drivers::PrinterUri> configured_;
  std::unique_ptr<LedgerPrintJournal> journal_;
  std::unique_ptr<drivers::Spooler> spooler_;
  std::vector<drivers::JournalEntry> interrupted_;
  std::optional<std::filesystem::path> spool_;
  std::string description_;
};

}  // namespace pos::app
