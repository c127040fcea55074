// The terminal as one object: built once in main() from the configuration and passed by
// reference to the services (no global singletons). It owns the database connection, the
// ledger, the offline snapshots, the printer catalogue and templates, the backend client when
// there is a backend, the event log, and the clock and id generator the checkout domain needs.
//
// Start-up failures are values with the exit code the command line reports (6 for a
// configuration or data problem, such as a database written by a newer version); each names
// the path and what could not be created, read or written.
//
// Files (issue 15): the data and logs folders are 0700, the database, logs and every other file
// the terminal writes 0600, whatever the umask; existing ones are tightened at each ReadWrite
// open. (The spool folder is the drivers'.) Nothing is created before Terminal::open, and
// nothing at all by a ReadOnly open.
//
// Local time: the shop's zone is config().shop.zone(), applied explicitly (localTimeText);
// the process's TZ is never set.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include <pos/app/config.hpp>
#include <pos/app/journal_log.hpp>
#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/escpos/profile.hpp>
#include <pos/escpos/receipt.hpp>
#include <pos/ledger/ledger.hpp>
#include <pos/sync/billing_client.hpp>
#include <pos/sync/db.hpp>
#include <pos/sync/replicator.hpp>

namespace pos::app {

// The system clock, for the domain (which never reads one itself).
class SystemClock final : public checkout::Clock {
 public:
  checkout::Timestamp now() override;
};

struct TerminalPaths {
  std::filesystem::path data;
  std::filesystem::path database;  // <data>/terminal.db
  std::filesystem::path logs;      // <data>/logs
  std::filesystem::path spool;     // <data>/spool (the virtual printer)
};

struct StartupError {
  int exitCode = 6;
  std::string message;
};

// Writes `bytes` to `file` the way the terminal writes every file of its own: mode 0600 whatever
// the umask, through a temporary file in the same folder that is fsync'ed and renamed into
// place (a reader never sees half a file). nullopt when written; else the message, naming the
// path and what failed ("no folder /x/y", "Permission denied"). For `receipt render --out` and
// `--png` (issue 17: a missing folder must not report success) and any export.
std::optional<std::string> writePrivateFile(const std::filesystem::path& file,
                                            std::span<const std::uint8_t> bytes);

// What a command does with the data directory.
//   ReadWrite: creates the folders and database if missing (0700/0600), migrates, logs.
//   ReadOnly:  for commands that only read (verify, queue without --retry/--resolve, report x,
//              receipt show, invoice show): creates nothing; the data directory and database
//              must exist; logs only into an existing, writable logs folder (else nowhere).
enum class OpenMode { ReadWrite, ReadOnly };

class Terminal {
 public:
  // `clock`: the system clock unless a test hands in its own (it must outlive the Terminal and
  // be safe to read from the engine's and the spooler's threads).
  static std::variant<std::unique_ptr<Terminal>, StartupError> open(
      TerminalConfig config, OpenMode mode = OpenMode::ReadWrite, checkout::Clock* clock = nullptr);
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  const TerminalConfig& config() const { return config_; }
  OpenMode mode() const { return mode_; }
  // The shop's time zone, and "2026-11-21 10:15:00 PST" in it (what receipts, reports and the
  // screen show). Thread-safe: the zone is immutable.
  const ShopTimeZone& timeZone() const { return config_.shop.zone(); }
  std::string localTimeText(checkout::Timestamp t) const { return timeZone().format(t); }
  const TerminalPaths& paths() const { return paths_; }
  EventLog& log() { return *log_; }
  ledger::Ledger& ledger() { return *ledger_; }
  sync::Database& database() { return *db_; }
  sync::SnapshotStore& snapshots() { return *snapshots_; }
  checkout::Clock& clock() { return *clock_; }
  checkout::RandomSource& random() { return random_; }
  checkout::UuidV7Generator& ids() { return *ids_; }
  const escpos::ProfileCatalog& profiles() const { return *profiles_; }
  const escpos::PrinterProfile& printerProfile() const { return *profile_; }
  std::shared_ptr<const escpos::PrinterProfile> sharedPrinterProfile() const { return profile_; }
  const escpos::TemplateCatalog& templates() const { return *templates_; }

  // The backend, when one is configured (and the token file could be read).
  bool online() const { return billing_ != nullptr; }
  sync::BillingClient* billing() { return billing_.get(); }
  const sync::HttpClientConfig& httpConfig() const { return http_; }

  // A second connection to the same file, for the replicator's thread. (ReadOnly: see the
  // report; sync::Database has no read-only open yet, so this opens read-write.)
  sync::DbResult<sync::Database> openConnection() const;
  // Every schema this terminal's database holds (ledger, outbox, snapshots).
  static std::vector<sync::Migration> migrations();

 private:
  Terminal() = default;

  TerminalConfig config_;
  OpenMode mode_ = OpenMode::ReadWrite;
  TerminalPaths paths_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<sync::Database> db_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<sync::SnapshotStore> snapshots_;
  SystemClock systemClock_;
  checkout::Clock* clock_ = &systemClock_;
  checkout::SodiumRandomSource random_;
  std::unique_ptr<checkout::UuidV7Generator> ids_ =
      std::make_unique<checkout::UuidV7Generator>(*clock_, random_);
  std::unique_ptr<escpos::ProfileCatalog> profiles_;
  std::shared_ptr<const escpos::PrinterProfile> profile_;
  std::unique_ptr<escpos::TemplateCatalog> templates_;
  sync::HttpClientConfig http_;
  std::unique_ptr<sync::BillingClient> billing_;
};

}  // namespace pos::app
