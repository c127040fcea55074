#include <pos/ledger/print_jobs.hpp>

#include <array>

namespace pos::ledger {

namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE print_job (
  job_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL CHECK (kind IN ('RECEIPT','DRAWER_PULSE','TEST_PAGE','REPORT')),
  copy         TEXT NOT NULL CHECK (copy IN ('ORIGINAL','REPRINT','DUPLICATE')),
  reference    TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  reason       TEXT NOT NULL,
  printer      TEXT NOT NULL,
  byte_count   INTEGER NOT NULL CHECK (byte_count >= 0),
  recorded_at  INTEGER NOT NULL
);
CREATE INDEX print_job_by_reference ON print_job(reference);
CREATE TABLE print_job_outcome (
  job_id      INTEGER PRIMARY KEY REFERENCES print_job(job_id),
  result      TEXT NOT NULL CHECK (result IN ('PRINTED','FAILED','POSSIBLY_PRINTED')),
  reason      TEXT NOT NULL,
  bytes_sent  INTEGER,
  detail      TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE TRIGGER print_job_no_update BEFORE UPDATE ON print_job
  BEGIN SELECT RAISE(ABORT, 'print_job is append-only'); END;
CREATE TRIGGER print_job_no_delete BEFORE DELETE ON print_job
  BEGIN SELECT RAISE(ABORT, 'print_job is append-only'); END;
CREATE TRIGGER print_job_outcome_no_update BEFORE UPDATE ON print_job_outcome
  BEGIN SELECT RAISE(ABORT, 'print_job_outcome is append-only'); END;
CREATE TRIGGER print_job_outcome_no_delete BEFORE DELETE ON print_job_outcome
  BEGIN SELECT RAISE(ABORT, 'print_job_outcome is append-only'); END;
)sql";

const std::array<sync::Migration, 1> kMigrations = {
    sync::Migration{"print_jobs", 1, "print job log with outcomes", kSchemaV1}};

std::int64_t millis(Timestamp t) {
  return t.time_since_epoch().count();
}
Timestamp fromMillis(std::int64_t ms) {
  return Timestamp{std::chrono::milliseconds{ms}};
}

LedgerError storage(sync::DbError e) {
  return LedgerError{LedgerErrorCode::Storage, e.message, std::move(e)};
}

}  // namespace

std::span<const sync::Migration> PrintJobLog::migrations() noexcept {
  return kMigrations;
}

LedgerResult<std::int64_t> PrintJobLog::record(const PrintJobRow& job) {
  auto tx = db_->begin();
  if (!tx.ok()) return checkout::fail(storage(std::move(tx).error()));
  auto& insert = db_->statement(
      "INSERT INTO print_job(kind, copy, reference, requested_by, reason, printer, byte_count, "
      "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  auto ran = insert
                 .bind(job.kind, job.copy, job.reference, job.requested_by, job.reason, job.printer,
                       job.byte_count, millis(job.recorded_at))
                 .run();
  if (!ran.ok()) return checkout::fail(storage(std::move(ran).error()));
  std::int64_t id = 0;
  auto& last = db_->statement("SELECT last_insert_rowid()");
  auto read = last.bind().for_each([&](const sync::Statement& row) { id = row.int64(0); });
  if (!read.ok()) return checkout::fail(storage(std::move(read).error()));
  auto committed = tx.value().commit();
  if (!committed.ok()) return checkout::fail(storage(std::move(committed).error()));
  return id;
}

LedgerResult<Done> PrintJobLog::record_outcome(std::int64_t job_id,
                                               const PrintJobOutcomeRow& outcome) {
  auto& insert = db_->statement(
      "INSERT INTO print_job_outcome(job_id, result, reason, bytes_sent, detail, recorded_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  auto ran = insert
                 .bind(job_id, outcome.result, outcome.reason, outcome.bytes_sent, outcome.detail,
                       millis(outcome.recorded_at))
                 .run();
  if (!ran.ok()) {
    if (ran.error().code == sync::DbErrorCode::Constraint)
      return checkout::fail(LedgerError{
          LedgerErrorCode::AlreadyRecorded,
          "print job " + std::to_string(job_id) + " already has an outcome (or does not exist)",
          std::nullopt});
    return checkout::fail(storage(std::move(ran).error()));
  }
  return Done{};
}

LedgerResult<std::vector<PrintJobState>> PrintJobLog::query(std::string_view where,
                                                            std::string_view arg) {
  std::string sql =
      "SELECT j.job_id, j.kind, j.copy, j.reference, j.requested_by, j.reason, j.printer, "
      "j.byte_count, j.recorded_at, o.result, o.reason, o.bytes_sent, o.detail, o.recorded_at "
      "FROM print_job j LEFT JOIN print_job_outcome o ON o.job_id = j.job_id WHERE ";
  sql += where;
  sql += " ORDER BY j.job_id";
  std::vector<PrintJobState> out;
  auto& stmt = db_->statement(sql);
  auto collect = [&](const sync::Statement& row) {
    PrintJobState s;
    s.job_id = row.int64(0);
    s.job = PrintJobRow{row.text(1), row.text(2), row.text(3),  row.text(4),
                        row.text(5), row.text(6), row.int64(7), fromMillis(row.int64(8))};
    if (!row.is_null(9)) {
      s.outcome = PrintJobOutcomeRow{row.text(9), row.text(10), row.opt_int64(11), row.text(12),
                                     fromMillis(row.int64(13))};
    }
    out.push_back(std::move(s));
  };
  auto ran = arg.empty() ? stmt.bind().for_each(collect) : stmt.bind(arg).for_each(collect);
  if (!ran.ok()) return checkout::fail(storage(std::move(ran).error()));
  return out;
}

LedgerResult<std::vector<PrintJobState>> PrintJobLog::unfinished() {
  return query("o.job_id IS NULL", {});
}

LedgerResult<std::vector<PrintJobState>> PrintJobLog::for_reference(std::string_view reference) {
  return query("j.reference = ?", reference);
}

}  // namespace pos::ledger
