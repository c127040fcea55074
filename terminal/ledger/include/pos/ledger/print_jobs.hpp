// The printer spooler's durable job log (component "print_jobs"): a job is written, and
// committed, before its first byte goes to the printer, and its outcome is appended after.
// After a crash, a job with no outcome may or may not have printed: the application reports it
// as POSSIBLY_PRINTED and never prints that original again without a copy mark.
//
// Rows are append-only (triggers refuse UPDATE and DELETE); codes are the drivers' stable
// strings ("RECEIPT", "ORIGINAL", "PRINTED", "PAPER_OUT"), kept as text so that this part does
// not depend on the drivers. Not part of the ledger's hash chain: these are device records; the
// business record of a receipt's delivery is ReceiptDelivery / DeliveryOutcome.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <pos/ledger/ledger.hpp>

namespace pos::ledger {

struct PrintJobRow {
  std::string kind;          // RECEIPT | DRAWER_PULSE | TEST_PAGE | REPORT
  std::string copy;          // ORIGINAL | REPRINT | DUPLICATE
  std::string reference;     // receipt reference, drawer opening id, ...
  std::string requested_by;  // user id
  std::string reason;        // never a secret
  std::string printer;
  std::int64_t byte_count = 0;
  Timestamp recorded_at{};
};

struct PrintJobOutcomeRow {
  std::string result;  // PRINTED | FAILED | POSSIBLY_PRINTED
  std::string reason;  // NONE | PAPER_OUT | ...
  std::optional<std::int64_t> bytes_sent;
  std::string detail;
  Timestamp recorded_at{};
};

struct PrintJobState {
  std::int64_t job_id = 0;
  PrintJobRow job;
  std::optional<PrintJobOutcomeRow> outcome;
};

class PrintJobLog {
 public:
  [[nodiscard]] static std::span<const sync::Migration> migrations() noexcept;

  explicit PrintJobLog(sync::Database& db) noexcept : db_(&db) {}

  LedgerResult<std::int64_t> record(const PrintJobRow& job);
  // One outcome per job (a second is refused: AlreadyRecorded).
  LedgerResult<Done> record_outcome(std::int64_t job_id, const PrintJobOutcomeRow& outcome);
  LedgerResult<std::vector<PrintJobState>> unfinished();
  LedgerResult<std::vector<PrintJobState>> for_reference(std::string_view reference);

 private:
  LedgerResult<std::vector<PrintJobState>> query(std::string_view where, std::string_view arg);
  sync::Database* db_;
};

}  // namespace pos::ledger
