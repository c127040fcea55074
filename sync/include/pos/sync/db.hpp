// The terminal's SQLite database: one file, a small RAII layer over the C API.
//
// Sections:
//   1. DbError, DbResult   expected failures as values (busy, disk full, I/O, newer schema, ...)
//   2. Statement           a prepared statement: bind, run, for_each row, column reads
//   3. Transaction         BEGIN IMMEDIATE ... COMMIT, rolled back when dropped uncommitted
//   4. Migration           forward-only, versioned per component, each in its own transaction
//   5. Database            open (pragmas, 0600, migrations), cached statements, integrity, backup
//
// Durability (why the pragmas are what they are): journal_mode=WAL with synchronous=FULL syncs
// the WAL at every commit, so a commit that returned is on the disk when the power goes; NORMAL
// does not (tests/ledger's power-cut test shows both). foreign_keys=ON, a busy_timeout on every
// connection, secure_delete=ON (removed personal data is zeroed in the page, not just unlinked).
//
// No SQL outside sync/ and terminal/ledger/ (DESIGN.md): other parts call the outbox and the
// ledger, never this layer.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. DbError, DbResult
// ---------------------------------------------------------------------------------------------

enum class DbErrorCode {
  Busy,             // another connection held the lock beyond busy_timeout
  Constraint,       // UNIQUE / CHECK / FOREIGN KEY / an append-only trigger refused the change
  DiskFull,         // SQLITE_FULL: the disk or max_page_count is full; nothing was written
  Io,               // the OS refused a read, write or sync; the transaction did not happen here
  Corrupt,          // the file is damaged
  NotADatabase,     // the file is not SQLite at all
  CannotOpen,       // the file or its directory cannot be opened or created
  ReadOnly,         // the file or the file system is read-only
  NewerSchema,      // written by a newer version of the terminal: refused, left untouched
  StateConflict,    // the row is not in the state the operation needs (an outbox item not SENDING)
  InvalidArgument,  // the caller's data is unusable (a body that is not JSON)
  Other,
  kCount
};
[[nodiscard]] std::string_view to_string(DbErrorCode code) noexcept;

struct DbError {
  DbErrorCode code = DbErrorCode::Other;
  int sqlite_code = 0;  // extended result code when SQLite reported it, else 0
  std::string message;  // for logs and operators: names tables and columns, never row values
};

// A value, or the DbError that prevented it. Asking a failed result for its value throws
// std::logic_error (a programming error).
template <class T>
class [[nodiscard]] DbResult {
 public:
  DbResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}        // NOLINT: implicit
  DbResult(DbError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] T& value() & { return std::get<0>(checked()); }
  [[nodiscard]] const T& value() const& { return std::get<0>(checked()); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(checked())); }
  [[nodiscard]] const DbError& error() const& { return std::get<1>(state_); }
  [[nodiscard]] DbError&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, DbError>& checked() {
    if (!ok()) throw_bad_access();
    return state_;
  }
  const std::variant<T, DbError>& checked() const {
    if (!ok()) throw_bad_access();
    return state_;
  }
  [[noreturn]] static void throw_bad_access();
  std::variant<T, DbError> state_;
};

template <>
class [[nodiscard]] DbResult<void> {
 public:
  DbResult() = default;
  DbResult(DbError error) : error_(std::move(error)) {}  // NOLINT: implicit
  [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const DbError& error() const& { return *error_; }
  [[nodiscard]] DbError&& error() && { return std::move(*error_); }

 private:
  std::optional<DbError> error_;
};

[[noreturn]] void throw_db_result_access();
template <class T>
void DbResult<T>::throw_bad_access() {
  throw_db_result_access();
}

// Clock values as the contract carries them: UTC, milliseconds (== pos::checkout::Timestamp).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// ---------------------------------------------------------------------------------------------
// 2. Statement
// ---------------------------------------------------------------------------------------------

struct Blob {
  std::span<const std::byte> bytes;
};
struct Null {};

// A prepared statement, normally owned by Database's cache (Database::statement). Use:
//   db.statement("INSERT INTO t(a, b) VALUES (?, ?)").bind(a, b).run();
//   db.statement("SELECT a FROM t WHERE b = ?").bind(b).for_each([&](const Statement& row) {...});
// bind() resets the statement first, so a cached statement never leaks an earlier use; run()
// and for_each() reset it at the end (a reset statement holds no read snapshot).
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <class... Args>
  Statement& bind(const Args&... args) {
    reset();
    int index = 0;
    (bind_one(++index, args), ...);
    return *this;
  }

  // Steps to the end, ignoring rows.
  DbResult<void> run();
  // Calls on_row(*this) for each row; returns how many rows there were.
  template <class F>
  DbResult<std::size_t> for_each(F&& on_row) {
    std::size_t rows = 0;
    for (;;) {
      auto stepped = step();
      if (!stepped.ok()) return std::move(stepped).error();
      if (!stepped.value()) break;
      ++rows;
      on_row(static_cast<const Statement&>(*this));
    }
    reset();
    return rows;
  }
  // One step: true when a row is available. On an error or the end, the statement is reset.
  DbResult<bool> step();
  void reset() noexcept;

  // Column reads, valid inside for_each or after step() returned true.
  [[nodiscard]] int column_count() const noexcept;
  [[nodiscard]] std::string_view column_name(int col) const noexcept;
  [[nodiscard]] bool is_null(int col) const noexcept;
  [[nodiscard]] std::int64_t int64(int col) const noexcept;
  [[nodiscard]] std::optional<std::int64_t> opt_int64(int col) const noexcept;
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] std::optional<std::string> opt_text(int col) const;
  [[nodiscard]] std::vector<std::byte> blob(int col) const;
  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
  [[nodiscard]] int column_type(int col) const noexcept;

  // Rows changed by the last run() (sqlite3_changes of the connection).
  [[nodiscard]] std::int64_t changes() const noexcept;
  // False when preparing failed; run() and step() then report why.
  [[nodiscard]] bool prepared() const noexcept { return stmt_ != nullptr; }

 private:
  void bind_one(int index, std::int64_t v);
  void bind_one(int index, std::string_view v);
  void bind_one(int index, const std::string& v) { bind_one(index, std::string_view{v}); }
  void bind_one(int index, const char* v) { bind_one(index, std::string_view{v}); }
  void bind_one(int index, Blob v);
  void bind_one(int index, Null);
  void bind_one(int index, std::nullopt_t) { bind_one(index, Null{}); }
  void bind_one(int index, bool v) { bind_one(index, std::int64_t{v ? 1 : 0}); }
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, std::int64_t>) void bind_one(int index, I v) {
    bind_one(index, static_cast<std::int64_t>(v));
  }
  template <class T>
  void bind_one(int index, const std::optional<T>& v) {
    if (v) {
      bind_one(index, *v);
    } else {
      bind_one(index, Null{});
    }
  }
  void note_bind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::optional<DbError> prepare_error_;  // reported by the first run/step: no throw on prepare
  int bind_rc_ = 0;                       // first failed bind, reported by the next step
};

// ---------------------------------------------------------------------------------------------
// 3. Transaction
// ---------------------------------------------------------------------------------------------

class Database;

// A write transaction (BEGIN IMMEDIATE: the write lock is taken up front, so the only place a
// busy database makes it wait is here, within busy_timeout). Dropped without commit(): rolled
// back. A function that writes "within the caller's transaction" takes a Transaction& as proof.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // After an error the transaction is over (rolled back by SQLite or by us). An I/O error on
  // COMMIT is an *unknown outcome*: the commit may still be found on the disk after a restart.
  // That is why callers make their ids before the transaction and write idempotently.
  DbResult<void> commit();
  [[nodiscard]] Database& database() noexcept { return *db_; }
  [[nodiscard]] bool active() const noexcept { return active_; }

 private:
  friend class Database;
  explicit Transaction(Database& db) noexcept : db_(&db), active_(true) {}
  void rollback() noexcept;
  Database* db_;
  bool active_;
};

// ---------------------------------------------------------------------------------------------
// 4. Migration
// ---------------------------------------------------------------------------------------------

// One forward step of one component's schema ("outbox", "ledger"). Versions of a component
// run 1, 2, 3, ... without gaps; each step runs in its own transaction with the row that
// records it, so a crash leaves a database at a whole version. Never edit a released step:
// add the next one.
//
// A step that rebuilds a table others refer to (SQLite's "make other kinds of table schema
// changes", lang_altertable.html section 7: create the new table, copy, drop the old one,
// rename) sets foreign_keys_off: the runner turns foreign keys off outside the transaction
// (the pragma is a no-op inside one), runs the step, checks PRAGMA foreign_key_check inside
// the same transaction (a violation rolls the step back: an error), commits, and turns them on
// again whatever happened.
struct Migration {
  std::string_view component;
  int version = 0;
  std::string_view description;
  std::string_view sql;  // one or more statements
  // Optional work in C++ after the SQL, in the same transaction (e.g. digests over the rows a
  // step added columns for, which SQL cannot compute). nullptr: none.
  DbResult<void> (*after)(Database& db) = nullptr;
  bool foreign_keys_off = false;  // see above: a table rebuild
};

// The versions found in a database, per component.
struct SchemaVersion {
  std::string component;
  int version = 0;
};

// ---------------------------------------------------------------------------------------------
// 5. Database
// ---------------------------------------------------------------------------------------------

// synchronous=NORMAL exists only as the power-cut test's control: it loses commits.
enum class Synchronous { Full, Normal };

struct DatabaseOptions {
  std::filesystem::path path;
  Synchronous synchronous = Synchronous::Full;
  std::chrono::milliseconds busy_timeout{5000};
  std::string vfs;  // empty: the platform's; tests register fault-injecting ones
  int wal_autocheckpoint_pages = 1000;  // SQLite's default; tests lower it to exercise checkpoints
  // Reads only (`verify`, `queue`, reports beside a running terminal, or a data directory that
  // cannot be written): the file must exist; nothing is created, chmod-ed, switched or
  // migrated. A file whose components are older than this build is refused (ReadOnly: a
  // command that writes upgrades it first). When no -wal file exists and the folder cannot
  // hold one, the file is opened immutable (no locks, no -shm).
  bool read_only = false;
};

// One connection. Use it from one thread at a time; a thread of its own (the replicator)
// opens its own Database on the same file, and WAL lets readers and the writer overlap.
class Database {
 public:
  // The layout version of the database layer itself (PRAGMA user_version); a file with a
  // higher one is from a newer terminal.
  static constexpr int kLayoutVersion = 1;

  // Opens (creating with mode 0600 if missing), checks the schema is not newer than
  // `migrations` know (NewerSchema, with nothing written, when it is: a higher layout version,
  // or a component of `migrations` at a higher version than this build has), then sets the
  // pragmas and applies the missing migrations in order. Migrations of several components may
  // be mixed in one span. Components in the file that `migrations` does not name belong to
  // another part and are left alone, so connections of different parts can share the file.
  // (Rule for releases: a new component that changes what older code may do with existing
  // tables also adds a step to those components, so older builds refuse the file.)
  [[nodiscard]] static DbResult<Database> open(const DatabaseOptions& options,
                                               std::span<const Migration> migrations);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // A prepared statement cached by its SQL text for the life of the connection. A statement
  // that fails to prepare (a bug, or the disk failing) reports it when run; it is prepared
  // again next time.
  Statement& statement(std::string_view sql);
  // Uncached; any number of statements (schema work, pragmas).
  DbResult<void> exec(std::string_view sql);
  DbResult<Transaction> begin();

  // PRAGMA integrity_check: "ok", or SQLite's list of problems.
  DbResult<std::string> integrity_check();
  // Online copy (SQLite's backup API) of the whole database to `destination`, written to a
  // temporary file, synced and renamed into place (mode 0600): readers and writers carry on.
  DbResult<void> backup_to(const std::filesystem::path& destination);

  [[nodiscard]] DbResult<std::vector<SchemaVersion>> schema_versions();
  [[nodiscard]] const std::filesystem::path& path() const noexcept;
  // True unless opened on a test's VFS (DatabaseOptions::vfs): the platform's files, which
  // other connections and threads may open too.
  [[nodiscard]] bool on_platform_vfs() const noexcept;
  [[nodiscard]] sqlite3* handle() noexcept;  // for the tests' fault injection and pragmas
  // Changes made by the last statement on this connection.
  [[nodiscard]] std::int64_t changes() const noexcept;

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Maps a SQLite result code (and the connection's message) to a DbError.
[[nodiscard]] DbError db_error_from_sqlite(int rc, sqlite3* db, std::string_view context);

}  // namespace pos::sync
