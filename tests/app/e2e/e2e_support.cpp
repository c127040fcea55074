#include "e2e_support.hpp"

#include <pos/app/terminal.hpp>
#include <pos/checkout/events.hpp>
#include <pos/ledger/ledger.hpp>

#include <httplib.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace pos::e2e {

namespace {

json readJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return json::parse(in);
}

std::string demoFile(const std::string& name) {
  return std::string(POS_ASSETS_DIR) + "/demo/" + name;
}

const json& demoInvoices() {
  static const json invoices = readJson(demoFile("invoices.json"))["invoices"];
  return invoices;
}

// Runs argv with stdin from `stdinPath` and stdout/stderr into files; returns the exit code.
int spawnAndWait(const std::vector<std::string>& args, const std::string& stdinPath,
                 const std::string& outPath, const std::string& errPath) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdinPath.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot spawn " + args.front());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string randomHex(std::size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(digits[rng() % 16]);
  return s;
}

}  // namespace

// ---------------------------------------------------------------- seed

json demoSimSeed(const std::string& token, const std::map<std::string, std::string>& pinOverrides) {
  const json roster = readJson(demoFile("roster.json"));
  const json reasons = readJson(demoFile("reason-codes.json"));
  const json rules = readJson(demoFile("rules.json"));
  std::map<std::string, std::string> pinOf = {{"adv-anna", kAnnaPin},
                                              {"cash-carl", kCarlPin},
                                              {"sup-sara", kSaraPin},
                                              {"sup-sam", kSamPin}};
  for (const auto& [user, pin] : pinOverrides) pinOf[user] = pin;
  json staff = json::array();
  for (const auto& s : roster["staff"]) {
    json out = s;
    out.erase("pinVerifier");
    out["pin"] = pinOf.at(s["userId"].get<std::string>());
    staff.push_back(out);
  }
  return {{"token", token},
          {"roster",
           {{"maxOfflineAgeSeconds", roster.value("maxOfflineAgeSeconds", 86400)},
            {"pinHashing", {{"opsLimit", 2}, {"memLimitBytes", 8 << 20}}},
            {"staff", staff}}},
          {"reasonCodes",
           {{"PO_OVERRIDE", reasons["PO_OVERRIDE"]["reasonCodes"]},
            {"REPRINT", reasons["REPRINT"]["reasonCodes"]}}},
          {"rules", rules["rules"]},
          {"invoices", demoInvoices()},
          {"usedPoNumbers", json::array()},
          {"receiptPolicy",
           {{"maxReprints", 2},
            {"windowSeconds", 2592000},
            {"requiresReasonCode", true},
            {"requiresElevation", true}}},
          {"lockout", {{"maxFailures", 5}, {"seconds", 300}}}};
}

const json& demoInvoice(const std::string& workOrder) {
  for (const auto& inv : demoInvoices())
    if (inv["workOrderId"] == workOrder) return inv;
  throw std::runtime_error("no demo invoice " + workOrder);
}

DemoBackend::DemoBackend(const std::string& token,
                         const std::map<std::string, std::string>& pinOverrides,
                         const std::function<void(json&)>& editSeed)
    : token_(token) {
  json seed = demoSimSeed(token_, pinOverrides);
  if (editSeed) editSeed(seed);
  testing::writeFile(dir_.file("seed.json"), seed.dump());
  sim_ = std::make_unique<testing::SimProcess>(
      testing::SimOptions{dir_.file("seed.json"), dir_.file("journal.jsonl"), {}, 0});
}

json DemoBackend::acceptedOf(const std::string& kind) const {
  json out = json::array();
  for (const auto& a : sim_->accepted())
    if (a.value("kind", "") == kind) out.push_back(a);
  return out;
}

std::pair<int, json> DemoBackend::post(const std::string& path, const json& body,
                                       const std::string& idempotencyKey) const {
  httplib::Client client("127.0.0.1", sim_->port());
  client.set_read_timeout(30, 0);
  httplib::Headers headers = {{"Authorization", "Bearer " + token_},
                              {"X-Terminal-Id", kTerminalId},
                              {"X-Correlation-Id", newUuid7()},
                              {"traceparent", "00-" + randomHex(32) + "-" + randomHex(16) + "-01"},
                              {"Idempotency-Key", idempotencyKey}};
  auto res = client.Post(path.c_str(), headers, body.dump(), "application/json");
  if (!res) throw std::runtime_error("billing-sim did not answer " + path);
  return {res->status, json::parse(res->body, nullptr, false)};
}

// ---------------------------------------------------------------- the terminal

std::string RunResult::describe() const {
  return "exit " + std::to_string(exitCode) + "\nstdout: " + out + "\nstderr: " + err;
}

PosTerminal::PosTerminal() = default;

void PosTerminal::online(const DemoBackend& b) {
  backend_ = b.url();
  tokenFile_ = aux_.file("token");
  testing::writeFile(tokenFile_, b.token());
  ::chmod(tokenFile_.c_str(), 0600);
}

void PosTerminal::setConfig(const std::string& tomlText) {
  configFile_ = aux_.file("terminal.toml");
  testing::writeFile(configFile_, tomlText);
}

RunResult PosTerminal::run(const std::vector<std::string>& args,
                           const std::string& stdinText) const {
  testing::TempDir io;
  testing::writeFile(io.file("in"), stdinText);
  std::vector<std::string> argv = {POS_TERMINAL_PATH, "--data-dir",    dir_.path(), "--backend",
                                   backend_,          "--terminal-id", terminalId_, "--json"};
  if (!tokenFile_.empty()) {
    argv.push_back("--token-file");
    argv.push_back(tokenFile_);
  }
  if (!printer_.empty()) {
    argv.push_back("--printer");
    argv.push_back(printer_);
  }
  if (!configFile_.empty()) {
    argv.push_back("--config");
    argv.push_back(configFile_);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r;
  r.exitCode = spawnAndWait(argv, io.file("in"), io.file("out"), io.file("err"));
  r.out = readAll(io.file("out"));
  r.err = readAll(io.file("err"));
  r.json = json::parse(r.out, nullptr, false);
  if (r.json.is_discarded()) r.json = nullptr;
  return r;
}

std::string pins(const std::vector<std::string>& list) {
  std::string s;
  for (const auto& p : list) s += p + "\n";
  return s;
}

// ---------------------------------------------------------------- helpers

std::string sqlite(const std::string& database, const std::string& sql) {
  testing::TempDir io;
  testing::writeFile(io.file("in"), "");
  const int rc = spawnAndWait({"/usr/bin/sqlite3", database, sql}, io.file("in"), io.file("out"),
                              io.file("err"));
  if (rc != 0) throw std::runtime_error("sqlite3 failed: " + readAll(io.file("err")));
  return readAll(io.file("out"));
}

std::vector<nlohmann::json> ledgerEvents(const std::string& database, std::string_view kind) {
  sync::DatabaseOptions o;
  o.path = database;
  o.read_only = true;
  const auto migrations = app::Terminal::migrations();
  auto db = sync::Database::open(o, migrations);
  if (!db.ok()) throw std::runtime_error("open " + database + ": " + db.error().message);
  std::vector<std::string> checkouts;
  auto r = db.value()
               .statement("SELECT checkout_id FROM checkout ORDER BY chain_seq")
               .for_each([&](const sync::Statement& row) { checkouts.push_back(row.text(0)); });
  if (!r.ok()) throw std::runtime_error("checkout: " + r.error().message);
  ledger::Ledger ledger(db.value());
  std::vector<nlohmann::json> out;
  for (const auto& id : checkouts) {
    auto events = ledger.load_events(*checkout::CheckoutId::parse(id));
    if (!events.ok()) throw std::runtime_error("load_events: " + events.error().message);
    for (const auto& e : events.value()) {
      if (checkout::event_kind(e) == kind) out.push_back(checkout::to_json(e));
    }
  }
  return out;
}

std::vector<std::string> filesUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().string());
  return out;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int closedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string newUuid7() {
  const auto ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  char head[13];
  std::snprintf(head, sizeof head, "%012llx", static_cast<unsigned long long>(ms));
  const std::string h(head);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-7" + randomHex(3) + "-8" + randomHex(3) + "-" +
         randomHex(12);
}

std::string nowRfc3339() {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

void OnlineShop::SetUp() {
  term.online(backend);
  auto pulled = term.run({"pull"});
  ASSERT_RUN(pulled, 0);
}

void OfflineShop::SetUp() {
  auto seeded = term.seedDemo();
  ASSERT_RUN(seeded, 0);
}

std::vector<std::string> overrideArgs(const std::string& wo, const std::string& op,
                                      const std::string& amount,
                                      const std::vector<std::string>& approvers,
                                      const std::string& reason) {
  std::vector<std::string> a = {"checkout",   "--work-order", wo,        "--operator",  op,
                                "--override", reason,         "--notes", "PO by Friday"};
  for (const auto& ap : approvers) {
    a.push_back("--approver");
    a.push_back(ap);
  }
  for (const auto& s : {"--tender", "CASH", "--amount"}) a.push_back(s);
  a.push_back(amount);
  return a;
}

}  // namespace pos::e2e
