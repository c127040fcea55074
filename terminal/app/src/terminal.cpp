#include <pos/app/terminal.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/common.h>

#include <pos/escpos/profile_files.hpp>
#include <pos/ledger/print_jobs.hpp>

namespace pos::app {

checkout::Timestamp SystemClock::now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

namespace {

// The token file must not be readable by others: a token in a world-readable file is as good
// as published. The token itself is never logged or echoed.
std::variant<std::string, StartupError> readTokenFile(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    return StartupError{6, "cannot read the token file " + file.string()};
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return StartupError{
        6, "the token file " + file.string() + " must be readable by its owner only (chmod 600)"};
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty()) return StartupError{6, "the token file " + file.string() + " is empty"};
  for (char c : token) {
    if (c < 0x21 || c > 0x7e)
      return StartupError{6, "the token file " + file.string() + " holds non-printable bytes"};
  }
  return token;
}

// Outside text shown in a message: control bytes and non-ASCII become '?', at most 40 shown.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 40) out += "...";
  return out;
}

std::string lastError() {
  return std::strerror(errno);
}

// A folder only this user may enter: made 0700 (mkdir then chmod, so the umask cannot widen
// or narrow it), an existing one tightened. `what` names it in the message.
// (An existing folder that is 0700 after mkdir is not chmod'ed again: mkdir(0700) under any
// umask gives at most 0700, and the check below finds a narrower one.)
std::optional<StartupError> ensurePrivateDir(const std::filesystem::path& dir,
                                             const std::string& what) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return StartupError{6, "cannot reach the " + what + " " + dir.string() + ": " + lastError()};
    std::error_code ec;
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return StartupError{6, "cannot create the " + what + " " + dir.string() + ": " + lastError()};
    if (::chmod(dir.c_str(), 0700) != 0 || ::stat(dir.c_str(), &st) != 0)
      return StartupError{6, "cannot create the " + what + " " + dir.string() + ": " + lastError()};
  }
  if (!S_ISDIR(st.st_mode))
    return StartupError{6, "the " + what + " " + dir.string() + " is not a folder"};
  // Tightening takes group and other bits away; it never adds the owner's (a folder an
  // administrator made read-only stays read-only, and is reported below).
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), st.st_mode & 0700) != 0)
    return StartupError{
        6, "cannot make the " + what + " " + dir.string() + " private (chmod 700): " + lastError()};
  // Writable for this process (access() answers for the real user, as the kernel will).
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return StartupError{6, "cannot write in the " + what + " " + dir.string() + ": " + lastError() +
                               " (verify, queue, report x and receipt show can still read it)"};
  return std::nullopt;
}

// Files the terminal wrote before this rule (or that were copied in, such as the demo's
// terminal.toml) lose their group and other bits. Only the terminal's own names, so that a
// --data-dir pointing at a shared folder never touches someone else's files.
void tightenFiles(const std::filesystem::path& dir, bool everyFile) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (!everyFile && name.rfind("terminal.db", 0) != 0 && name != "terminal.toml") continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (st.st_uid != ::geteuid() || (st.st_mode & 077) == 0) continue;
    ::chmod(entry.path().c_str(), st.st_mode & 0700);
  }
}

}  // namespace

std::optional<std::string> writePrivateFile(const std::filesystem::path& file,
                                            std::span<const std::uint8_t> bytes) {
  const auto folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    return "cannot write " + file.string() + ": no folder " + folder.string();
  std::string temp = (folder / ("." + file.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());  // mkstemp creates the file 0600
  if (fd < 0) return "cannot write " + file.string() + ": " + lastError();
  auto failed = [&](const std::string& what) {
    const std::string message = "cannot write " + file.string() + ": " + what;
    ::close(fd);
    ::unlink(temp.c_str());
    return message;
  };
  if (::fchmod(fd, 0600) != 0) return failed(lastError());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed(lastError());
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return failed(lastError());
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    return "cannot write " + file.string() + ": " + lastError();
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const std::string message = "cannot write " + file.string() + ": " + lastError();
    ::unlink(temp.c_str());
    return message;
  }
  return std::nullopt;
}

std::vector<sync::Migration> Terminal::migrations() {
  std::vector<sync::Migration> all = ledger::Ledger::all_migrations();
  for (const auto& m : sync::SnapshotStore::migrations()) all.push_back(m);
  for (const auto& m : ledger::PrintJobLog::migrations()) all.push_back(m);
#ifdef POS_TEST_EXTRA_MIGRATION
  // The package upgrade test's "next release" (tests/package/upgrade_cycle.sh): one more step
  // of an existing component, so the release before it must refuse the database.
  int next = 1;
  for (const auto& m : all)
    if (m.component == "print_jobs") next = m.version + 1;
  all.push_back({"print_jobs", next, "package upgrade test: one more schema step",
                 "CREATE TABLE package_upgrade_probe (id INTEGER PRIMARY KEY)"});
#endif
  return all;
}

std::variant<std::unique_ptr<Terminal>, StartupError> Terminal::open(TerminalConfig config,
                                                                     OpenMode mode,
                                                                     checkout::Clock* clock) {
  // Everything that can be checked without writing is checked first: a refused terminal id
  // leaves no folder, database or shift row behind (issue 15).
  if (!isValidTerminalId(config.terminalId))
    return StartupError{6, "terminal id \"" + printable(config.terminalId) + "\" " +
                               std::string(kTerminalIdRule) + " (--terminal-id or [terminal] id)"};

  std::unique_ptr<Terminal> t(new Terminal());
  if (clock) {
    t->clock_ = clock;
    t->ids_ = std::make_unique<checkout::UuidV7Generator>(*clock, t->random_);
  }
  t->config_ = std::move(config);
  t->mode_ = mode;
  const auto& cfg = t->config_;

  t->paths_.data = cfg.dataDir;
  t->paths_.database = cfg.dataDir / "terminal.db";
  t->paths_.logs = cfg.dataDir / "logs";
  t->paths_.spool = cfg.dataDir / "spool";

  if (mode == OpenMode::ReadWrite) {
    if (auto e = ensurePrivateDir(t->paths_.data, "data directory")) return *e;
    if (auto e = ensurePrivateDir(t->paths_.logs, "logs folder")) return *e;
    tightenFiles(t->paths_.data, false);
    tightenFiles(t->paths_.logs, true);
    try {
      t->log_ = std::make_unique<EventLog>(t->paths_.logs, cfg.terminalId, cfg.logLevel);
    } catch (const spdlog::spdlog_ex&) {
      return StartupError{6, "cannot write the log " + (t->paths_.logs / "terminal.log").string()};
    }
    routePartsLogTo(t->paths_.logs);
  } else {
    std::error_code ec;
    if (!std::filesystem::is_directory(t->paths_.data, ec))
      return StartupError{
          6, "no data directory " + t->paths_.data.string() + ": nothing recorded here yet"};
    if (!std::filesystem::is_regular_file(t->paths_.database, ec))
      return StartupError{
          6, "no database " + t->paths_.database.string() + ": nothing recorded here yet"};
    if (::access(t->paths_.database.c_str(), R_OK) != 0)
      return StartupError{
          6, "cannot read the database " + t->paths_.database.string() + ": " + lastError()};
    const auto logFile = t->paths_.logs / "terminal.log";
    const bool canLog =
        std::filesystem::is_directory(t->paths_.logs, ec) &&
        ::access(t->paths_.logs.c_str(), W_OK | X_OK) == 0 &&
        (!std::filesystem::exists(logFile, ec) || ::access(logFile.c_str(), W_OK) == 0);
    if (canLog) {
      try {
        t->log_ = std::make_unique<EventLog>(t->paths_.logs, cfg.terminalId, cfg.logLevel);
      } catch (const spdlog::spdlog_ex&) {
        t->log_.reset();
      }
    }
    if (!t->log_) t->log_ = std::make_unique<EventLog>(cfg.terminalId, cfg.logLevel);
    routePartsLogTo(canLog ? t->paths_.logs : std::filesystem::path());
  }

  auto migrations = Terminal::migrations();
  sync::DatabaseOptions options;
  options.path = t->paths_.database;
  options.read_only = mode == OpenMode::ReadOnly;
  auto db = sync::Database::open(options, migrations);
  if (!db.ok()) {
    const auto& e = db.error();
    t->log_->error("database.open_failed", {{"code", std::string(sync::to_string(e.code))}});
    std::string message = "database " + t->paths_.database.string() + ": " + e.message;
    if (mode == OpenMode::ReadOnly &&
        (e.code == sync::DbErrorCode::ReadOnly || e.code == sync::DbErrorCode::CannotOpen))
      message += " (opened for reading only)";
    return StartupError{6, message};
  }
  t->db_ = std::make_unique<sync::Database>(std::move(db).value());
  // The anchor beside the database (the chain's length and head after every commit): a
  // database that went backwards or a tampered tail is found here, at start (issue 12).
  t->ledger_ = std::make_unique<ledger::Ledger>(*t->db_, t->paths_.database.string() + ".anchor");
  if (mode == OpenMode::ReadWrite) {
    auto health = t->ledger_->startup_check();
    if (!health.ok()) {
      t->ledgerProblem_ = "the ledger could not be checked at start: " + health.error().message;
    } else if (!health.value().sound()) {
      const auto& h = health.value();
      if (h.anchor.finding == ledger::AnchorFinding::ChainBehindAnchor)
        t->ledgerProblem_ = "the database holds " + std::to_string(h.anchor.db_length) +
                            " ledger links but this terminal had recorded " +
                            std::to_string(h.anchor.anchor_length) +
                            ": it went backwards (a restored copy, a lost -wal file, an emptied "
                            "file). Do not take payments; call support.";
      else if (h.first_break)
        t->ledgerProblem_ = "the ledger does not verify (link " +
                            std::to_string(h.first_break->sequence) + " in " +
                            h.first_break->table + "). Do not take payments; call support.";
      else
        t->ledgerProblem_ = "the ledger does not match its anchor (" +
                            std::string(ledger::to_string(h.anchor.finding)) +
                            "). Do not take payments; call support.";
      t->log_->error("ledger.not_sound_at_start",
                     {{"finding", std::string(ledger::to_string(h.anchor.finding))}});
    }
  }
  t->snapshots_ = std::make_unique<sync::SnapshotStore>(*t->db_);

  auto profiles = escpos::load_profile_directory(cfg.assetsDir / "printers");
  if (!profiles.ok()) return StartupError{6, "printer profiles: " + profiles.error().message};
  t->profiles_ = std::make_unique<escpos::ProfileCatalog>(std::move(profiles).value());
  auto profile = t->profiles_->get(cfg.printer.profile);
  if (!profile.ok())
    return StartupError{
        6, "printer profile \"" + cfg.printer.profile + "\": " + profile.error().message};
  t->profile_ = profile.value();
  auto templates = escpos::load_template_directory(cfg.assetsDir / "templates");
  if (!templates.ok()) return StartupError{6, "receipt templates: " + templates.error().message};
  t->templates_ = std::make_unique<escpos::TemplateCatalog>(std::move(templates).value());
  if (auto latest = t->templates_->latest(cfg.receipt.templateId); !latest.ok())
    return StartupError{
        6, "receipt template \"" + cfg.receipt.templateId + "\": " + latest.error().message};

  if (cfg.backend.online()) {
    sync::HttpClientConfig http;
    http.baseUrl = cfg.backend.url;
    http.terminalId = cfg.terminalId;
    http.caFile = cfg.backend.caFile.string();
    http.pinnedPublicKey = cfg.backend.pinnedPublicKey;
    http.connectTimeout = std::chrono::milliseconds(cfg.backend.connectTimeoutMs);
    http.totalTimeout = std::chrono::milliseconds(cfg.backend.requestTimeoutMs);
    if (!cfg.backend.tokenFile.empty()) {
      auto token = readTokenFile(cfg.backend.tokenFile);
      if (auto* err = std::get_if<StartupError>(&token)) return *err;
      http.token = sync::SecretToken(std::get<std::string>(std::move(token)));
    } else {
      return StartupError{6,
                          "a backend is configured but no token file (--token-file or "
                          "[backend] token_file)"};
    }
    t->http_ = http;
    t->billing_ = std::make_unique<sync::BillingClient>(std::move(http));
  }
  t->log_->info("terminal.started",
                {{"online", cfg.backend.online()}, {"printerProfile", cfg.printer.profile}});
  return t;
}

Terminal::~Terminal() {
  if (log_) log_->flush();
}

sync::DbResult<sync::Database> Terminal::openConnection() const {
  auto migrations = Terminal::migrations();
  sync::DatabaseOptions options;
  options.path = paths_.database;
  return sync::Database::open(options, migrations);
}

}  // namespace pos::app
