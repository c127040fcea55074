#include <pos/app/terminal.hpp>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

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

}  // namespace

std::vector<sync::Migration> Terminal::migrations() {
  std::vector<sync::Migration> all = ledger::Ledger::all_migrations();
  for (const auto& m : sync::SnapshotStore::migrations()) all.push_back(m);
  for (const auto& m : ledger::PrintJobLog::migrations()) all.push_back(m);
  return all;
}

std::variant<std::unique_ptr<Terminal>, StartupError> Terminal::open(TerminalConfig config) {
  std::unique_ptr<Terminal> t(new Terminal());
  t->config_ = std::move(config);
  const auto& cfg = t->config_;

  // Receipts show local time in the shop's zone; the C library's zone is set once, here.
  ::setenv("TZ", cfg.shop.timeZone.c_str(), 1);
  ::tzset();

  t->paths_.data = cfg.dataDir;
  t->paths_.database = cfg.dataDir / "terminal.db";
  t->paths_.logs = cfg.dataDir / "logs";
  t->paths_.spool = cfg.dataDir / "spool";
  std::error_code ec;
  std::filesystem::create_directories(t->paths_.data, ec);
  if (ec) return StartupError{6, "cannot create the data directory " + cfg.dataDir.string()};
  std::filesystem::permissions(t->paths_.data, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);

  t->log_ = std::make_unique<EventLog>(t->paths_.logs, cfg.terminalId, cfg.logLevel);

  auto migrations = Terminal::migrations();
  sync::DatabaseOptions options;
  options.path = t->paths_.database;
  auto db = sync::Database::open(options, migrations);
  if (!db.ok()) {
    const auto& e = db.error();
    t->log_->error("database.open_failed", {{"code", std::string(sync::to_string(e.code))}});
    return StartupError{6, "database " + t->paths_.database.string() + ": " + e.message};
  }
  t->db_ = std::make_unique<sync::Database>(std::move(db).value());
  t->ledger_ = std::make_unique<ledger::Ledger>(*t->db_);
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
