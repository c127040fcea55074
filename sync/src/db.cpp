// The database layer: errors, statements, transactions, open + migrations.
//
// Sections: 1. errors  2. Statement  3. Transaction  4. Database (open, pragmas, migrations)
#include <pos/sync/db.hpp>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "wal_batch_vfs.hpp"

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. errors
// ---------------------------------------------------------------------------------------------

namespace {
constexpr std::string_view kDbErrorNames[] = {
    "BUSY",         "CONSTRAINT",     "DISK_FULL",        "IO_ERROR",
    "CORRUPT",      "NOT_A_DATABASE", "CANNOT_OPEN",      "READ_ONLY",
    "NEWER_SCHEMA", "STATE_CONFLICT", "INVALID_ARGUMENT", "OTHER",
};
static_assert(std::size(kDbErrorNames) == static_cast<std::size_t>(DbErrorCode::kCount),
              "every DbErrorCode needs its name");
}  // namespace

std::string_view to_string(DbErrorCode code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  return i < std::size(kDbErrorNames) ? kDbErrorNames[i] : std::string_view{"OTHER"};
}

void throw_db_result_access() {
  throw std::logic_error("DbResult::value() on a failed result");
}

DbError db_error_from_sqlite(int rc, sqlite3* db, std::string_view context) {
  DbErrorCode code = DbErrorCode::Other;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = DbErrorCode::Busy;
      break;
    case SQLITE_CONSTRAINT:
      code = DbErrorCode::Constraint;
      break;
    case SQLITE_FULL:
      code = DbErrorCode::DiskFull;
      break;
    case SQLITE_IOERR:
      code = DbErrorCode::Io;
      break;
    case SQLITE_CORRUPT:
      code = DbErrorCode::Corrupt;
      break;
    case SQLITE_NOTADB:
      code = DbErrorCode::NotADatabase;
      break;
    case SQLITE_CANTOPEN:
      code = DbErrorCode::CannotOpen;
      break;
    case SQLITE_READONLY:
      code = DbErrorCode::ReadOnly;
      break;
    default:
      break;
  }
  std::string message{context};
  message += ": ";
  // sqlite3_errmsg names tables, columns and our trigger texts; SQLite never puts bound
  // values into it, so no personal data reaches the message.
  message += (db != nullptr && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return DbError{code, rc, std::move(message)};
}

// ---------------------------------------------------------------------------------------------
// 2. Statement
// ---------------------------------------------------------------------------------------------

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK || stmt_ == nullptr) {
    std::string context = "prepare \"";
    context += sql.substr(0, 60);
    context += "\"";
    prepare_error_ = db_error_from_sqlite(rc == SQLITE_OK ? SQLITE_MISUSE : rc, db, context);
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::reset() noexcept {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bind_rc_ = 0;
}

void Statement::note_bind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == 0) bind_rc_ = rc;
}

void Statement::bind_one(int index, std::int64_t v) {
  if (stmt_ != nullptr) note_bind(sqlite3_bind_int64(stmt_, index, v));
}
void Statement::bind_one(int index, std::string_view v) {
  if (stmt_ != nullptr)
    note_bind(sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}
void Statement::bind_one(int index, Blob v) {
  if (stmt_ != nullptr)
    note_bind(sqlite3_bind_blob64(stmt_, index, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT));
}
void Statement::bind_one(int index, Null) {
  if (stmt_ != nullptr) note_bind(sqlite3_bind_null(stmt_, index));
}

DbResult<bool> Statement::step() {
  if (prepare_error_) return *prepare_error_;
  if (bind_rc_ != 0) {
    DbError e = db_error_from_sqlite(bind_rc_, db_, "bind");
    reset();
    return e;
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  DbError e = db_error_from_sqlite(sqlite3_extended_errcode(db_), db_, "step");
  if ((e.sqlite_code & 0xff) != (rc & 0xff)) e = db_error_from_sqlite(rc, db_, "step");
  reset();
  return e;
}

DbResult<void> Statement::run() {
  for (;;) {
    auto s = step();
    if (!s.ok()) return std::move(s).error();
    if (!s.value()) break;
  }
  reset();
  return {};
}

int Statement::column_count() const noexcept {
  return stmt_ ? sqlite3_column_count(stmt_) : 0;
}
std::string_view Statement::column_name(int col) const noexcept {
  const char* n = sqlite3_column_name(stmt_, col);
  return n ? std::string_view{n} : std::string_view{};
}
int Statement::column_type(int col) const noexcept {
  return sqlite3_column_type(stmt_, col);
}
bool Statement::is_null(int col) const noexcept {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::int64_t Statement::int64(int col) const noexcept {
  return sqlite3_column_int64(stmt_, col);
}
std::optional<std::int64_t> Statement::opt_int64(int col) const noexcept {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}
std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}
std::vector<std::byte> Statement::blob(int col) const {
  const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return std::vector<std::byte>(p, p + n);
}
std::int64_t Statement::changes() const noexcept {
  return sqlite3_changes64(db_);
}

// ---------------------------------------------------------------------------------------------
// 3. Transaction
// ---------------------------------------------------------------------------------------------

Transaction::Transaction(Transaction&& other) noexcept : db_(other.db_), active_(other.active_) {
  other.active_ = false;
}

Transaction::~Transaction() {
  if (active_) rollback();
}

void Transaction::rollback() noexcept {
  active_ = false;
  // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR, ...): then the
  // connection is back in autocommit and there is nothing left to undo.
  if (sqlite3_get_autocommit(db_->handle()) == 0) {
    auto r = db_->statement("ROLLBACK").run();
    (void)r;  // a failed ROLLBACK leaves the connection to be rolled back on its next use
  }
}

DbResult<void> Transaction::commit() {
  if (!active_) {
    return DbError{DbErrorCode::StateConflict, 0, "commit: the transaction is no longer active"};
  }
  auto r = db_->statement("COMMIT").run();
  if (!r.ok()) {
    rollback();
    return r;
  }
  active_ = false;
  return {};
}

// ---------------------------------------------------------------------------------------------
// 4. Database
// ---------------------------------------------------------------------------------------------

namespace {
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
}  // namespace

struct Database::Impl {
  sqlite3* db = nullptr;
  std::filesystem::path path;
  bool platform_vfs = true;
  std::unordered_map<std::string, std::unique_ptr<Statement>, StringHash, std::equal_to<>> cache;

  ~Impl() {
    cache.clear();  // statements are finalized before the connection closes
    if (db != nullptr) sqlite3_close_v2(db);
  }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

const std::filesystem::path& Database::path() const noexcept {
  return impl_->path;
}
bool Database::on_platform_vfs() const noexcept {
  return impl_->platform_vfs;
}
sqlite3* Database::handle() noexcept {
  return impl_->db;
}
std::int64_t Database::changes() const noexcept {
  return sqlite3_changes64(impl_->db);
}

Statement& Database::statement(std::string_view sql) {
  auto it = impl_->cache.find(sql);
  if (it != impl_->cache.end() && it->second->prepared()) {
    return *it->second;
  }
  auto fresh = std::make_unique<Statement>(impl_->db, sql);
  Statement& ref = *fresh;
  if (it != impl_->cache.end()) {
    it->second = std::move(fresh);
  } else {
    impl_->cache.emplace(std::string{sql}, std::move(fresh));
  }
  return ref;
}

DbResult<void> Database::exec(std::string_view sql) {
  std::string text{sql};
  char* message = nullptr;
  const int rc = sqlite3_exec(impl_->db, text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK)
    return db_error_from_sqlite(sqlite3_extended_errcode(impl_->db), impl_->db, "exec");
  return {};
}

DbResult<Transaction> Database::begin() {
  auto r = statement("BEGIN IMMEDIATE").run();
  if (!r.ok()) return std::move(r).error();
  return Transaction(*this);
}

DbResult<std::string> Database::integrity_check() {
  std::string report;
  auto r = statement("PRAGMA integrity_check").for_each([&](const Statement& row) {
    if (!report.empty()) report += '\n';
    report += row.text(0);
  });
  if (!r.ok()) return std::move(r).error();
  return report;
}

DbResult<std::vector<SchemaVersion>> Database::schema_versions() {
  std::vector<SchemaVersion> out;
  auto r = statement(
               "SELECT component, MAX(version) FROM schema_migration GROUP BY component "
               "ORDER BY component")
               .for_each([&](const Statement& row) {
                 out.push_back({row.text(0), static_cast<int>(row.int64(1))});
               });
  if (!r.ok()) return std::move(r).error();
  return out;
}

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The registered steps must be usable: per component 1, 2, 3... in order. A bad list is a
// programming error, found by the first test that opens a database.
std::map<std::string, int, std::less<>> check_migration_list(std::span<const Migration> steps) {
  std::map<std::string, int, std::less<>> highest;
  for (const auto& m : steps) {
    if (m.component.empty()) throw std::logic_error("migration without a component");
    auto [it, inserted] = highest.try_emplace(std::string{m.component}, 0);
    if (m.version != it->second + 1) {
      throw std::logic_error("migrations of " + std::string{m.component} +
                             " must be numbered 1, 2, 3... in order");
    }
    it->second = m.version;
  }
  return highest;
}

DbError newer_schema(const std::filesystem::path& path, std::string_view what) {
  return DbError{DbErrorCode::NewerSchema, 0,
                 "the database " + path.string() +
                     " was written by a newer version of the terminal (" + std::string{what} +
                     "); it was left untouched. Use the newer version, or restore a backup."};
}

DbResult<void> ensure_file_0600(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return DbError{DbErrorCode::CannotOpen, 0,
                   "cannot open or create " + path.string() + ": " + std::strerror(errno)};
  }
  ::close(fd);
  return {};
}

}  // namespace

DbResult<Database> Database::open(const DatabaseOptions& options,
                                  std::span<const Migration> migrations) {
  const auto known = check_migration_list(migrations);

  // Create a missing file ourselves so that it is born 0600 (SQLite would use 0644 minus the
  // umask); SQLite gives the -wal and -shm files the mode of the database file.
  std::error_code ec;
  const bool existed = std::filesystem::exists(options.path, ec);
  if (!existed) {
    if (options.read_only)
      return DbError{DbErrorCode::CannotOpen, 0, "no database " + options.path.string()};
    auto created = ensure_file_0600(options.path);
    if (!created.ok()) return std::move(created).error();
  }

  auto impl = std::make_unique<Impl>();
  impl->path = options.path;
  int open_rc = SQLITE_OK;
  if (options.read_only) {
    // A read-only open still needs the -shm beside a WAL file; a folder that cannot hold one
    // and a file with no -wal left is read as immutable (nothing else can be writing it then
    // either: the folder is not writable).
    const auto folder = options.path.parent_path().empty() ? std::filesystem::path(".")
                                                           : options.path.parent_path();
    const bool walExists = std::filesystem::exists(options.path.string() + "-wal", ec);
    const bool folderWritable = ::access(folder.c_str(), W_OK) == 0;
    std::string uri = "file:" + options.path.string() + "?mode=ro";
    if (!walExists && !folderWritable) uri += "&immutable=1";
    open_rc = sqlite3_open_v2(uri.c_str(), &impl->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
                              options.vfs.empty() ? nullptr : options.vfs.c_str());
  } else {
    // A commit's WAL frames go to the kernel in one write (wal_batch_vfs.hpp).
    const std::string batching = wal_batch_vfs(options.vfs);
    const std::string& vfs = batching.empty() ? options.vfs : batching;
    open_rc = sqlite3_open_v2(options.path.c_str(), &impl->db, SQLITE_OPEN_READWRITE,
                              vfs.empty() ? nullptr : vfs.c_str());
  }
  impl->platform_vfs = options.vfs.empty();
  if (open_rc != SQLITE_OK) {
    return db_error_from_sqlite(open_rc, impl->db, "open " + options.path.string());
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, static_cast<int>(options.busy_timeout.count()));
  Database db(std::move(impl));

  // 1. Is it ours, and not newer? Only reads until this is settled.
  std::int64_t layout = 0;
  auto uv = db.statement("PRAGMA user_version").for_each([&](const Statement& row) {
    layout = row.int64(0);
  });
  if (!uv.ok()) return std::move(uv).error();
  if (layout > kLayoutVersion) {
    return newer_schema(options.path, "layout " + std::to_string(layout));
  }
  bool has_versions = false;
  auto tables = db.statement(
                      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
                      "name = 'schema_migration'")
                    .for_each([&](const Statement&) { has_versions = true; });
  if (!tables.ok()) return std::move(tables).error();
  if (has_versions) {
    auto found = db.schema_versions();
    if (!found.ok()) return std::move(found).error();
    for (const auto& v : found.value()) {
      // A component this connection was not given belongs to another part of the terminal
      // (the replicator's snapshots on the ledger's file): left alone, not refused.
      auto it = known.find(v.component);
      if (it == known.end()) continue;
      if (v.version > it->second) {
        return newer_schema(options.path, v.component + " at version " + std::to_string(v.version) +
                                              ", this build knows " + std::to_string(it->second));
      }
    }
  }

  if (options.read_only) {
    // Nothing is written: a file that still needs a migration step is refused, not migrated.
    if (!has_versions)
      return DbError{DbErrorCode::ReadOnly, 0,
                     options.path.string() +
                         " has no terminal schema yet: run a command that "
                         "writes first"};
    auto found = db.schema_versions();
    if (!found.ok()) return std::move(found).error();
    for (const auto& [component, version] : known) {
      std::int64_t have = 0;
      for (const auto& v : found.value())
        if (v.component == component) have = std::max<std::int64_t>(have, v.version);
      if (have < version)
        return DbError{DbErrorCode::ReadOnly, 0,
                       options.path.string() + " needs an upgrade (" + std::string(component) +
                           " " + std::to_string(have) + " < " + std::to_string(version) +
                           "): run a command that writes first"};
    }
    if (auto r = db.exec("PRAGMA foreign_keys=ON;"); !r.ok()) return std::move(r).error();
    return db;
  }

  // 2. Ours: tighten the mode of a file that was created by someone else.
  std::filesystem::permissions(
      options.path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, ec);

  // 3. Connection pragmas.
  std::string mode;
  auto jm = db.statement("PRAGMA journal_mode=WAL").for_each([&](const Statement& row) {
    mode = row.text(0);
  });
  if (!jm.ok()) return std::move(jm).error();
  if (mode != "wal") {
    return DbError{DbErrorCode::Other, 0, "cannot switch " + options.path.string() + " to WAL"};
  }
  std::string pragmas = options.synchronous == Synchronous::Full ? "PRAGMA synchronous=FULL;"
                                                                 : "PRAGMA synchronous=NORMAL;";
  pragmas += "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=" +
             std::to_string(options.wal_autocheckpoint_pages) + ";";
  if (auto r = db.exec(pragmas); !r.ok()) return std::move(r).error();

  // 4. Migrations, each in its own transaction; the version is read again under the write
  // lock, so two processes opening a new file at once do not both apply a step.
  {
    auto tx = db.begin();
    if (!tx.ok()) return std::move(tx).error();
    auto r = db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,"
        " applied_at_ms INTEGER NOT NULL, PRIMARY KEY (component, version)) STRICT;"
        "PRAGMA user_version=" +
        std::to_string(kLayoutVersion) + ";");
    if (!r.ok()) return std::move(r).error();
    if (auto c = tx.value().commit(); !c.ok()) return std::move(c).error();
  }
  for (const auto& m : migrations) {
    // A table rebuild: foreign keys off outside the transaction, on again however it ends.
    struct ForeignKeysOff {
      Database* db = nullptr;
      ~ForeignKeysOff() {
        if (db != nullptr) (void)db->exec("PRAGMA foreign_keys=ON;");
      }
    } fk_guard;
    if (m.foreign_keys_off) {
      if (auto r = db.exec("PRAGMA foreign_keys=OFF;"); !r.ok()) return std::move(r).error();
      fk_guard.db = &db;
    }
    auto tx = db.begin();
    if (!tx.ok()) return std::move(tx).error();
    std::int64_t current = 0;
    auto cur = db.statement(
                     "SELECT COALESCE(MAX(version), 0) FROM schema_migration "
                     "WHERE component = ?")
                   .bind(m.component)
                   .for_each([&](const Statement& row) { current = row.int64(0); });
    if (!cur.ok()) return std::move(cur).error();
    if (current >= m.version) continue;  // tx rolls back: nothing was written
    const std::string context = "migration " + std::string{m.component} + " v" +
                                std::to_string(m.version) + " (" + std::string{m.description} + ")";
    if (auto r = db.exec(m.sql); !r.ok()) {
      auto e = std::move(r).error();
      e.message = context + " failed: " + e.message;
      return e;
    }
    if (m.after != nullptr) {
      if (auto r = m.after(db); !r.ok()) {
        auto e = std::move(r).error();
        e.message = context + " failed: " + e.message;
        return e;
      }
    }
    if (m.foreign_keys_off) {
      // The rebuilt tables must still satisfy every reference (nothing was checked meanwhile).
      std::int64_t violations = 0;
      auto fk = db.statement("PRAGMA foreign_key_check").for_each([&](const Statement&) {
        ++violations;
      });
      if (!fk.ok()) {
        auto e = std::move(fk).error();
        e.message = context + " failed: " + e.message;
        return e;
      }
      if (violations > 0) {
        return DbError{DbErrorCode::Constraint, 0,
                       context + " failed: " + std::to_string(violations) +
                           " rows break a foreign key after the rebuild"};
      }
    }
    auto ins = db.statement(
                     "INSERT INTO schema_migration(component, version, description, "
                     "applied_at_ms) VALUES (?, ?, ?, ?)")
                   .bind(m.component, m.version, m.description, now_ms())
                   .run();
    if (!ins.ok()) return std::move(ins).error();
    if (auto c = tx.value().commit(); !c.ok()) return std::move(c).error();
  }
  return db;
}

}  // namespace pos::sync
