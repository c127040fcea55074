// Terminal::open and what comes before it (issues 15 and 17): nothing is created by parsing or
// loading the configuration; a refused terminal id leaves nothing behind; every folder is
// 0700 and every file 0600 whatever the umask; a read-only data directory is named; the
// process's TZ and spdlog's default logger are not set per Terminal.
//
// Real files in a fresh temporary folder per test; the read-only cases run in a child process
// that drops to the user "nobody" when the tests run as root (root ignores file modes).
#include <pos/app/command_line.hpp>
#include <pos/app/config.hpp>
#include <pos/app/terminal.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "read_only_child.hpp"

namespace pos::app {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pos-open-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

unsigned modeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::size_t entriesIn(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::recursive_directory_iterator(dir)) ++n;
  return n;
}

TerminalConfig configFor(const fs::path& dataDir, const fs::path& assets = POS_ASSETS_DIR) {
  ConfigOverrides o;
  o.dataDir = dataDir;
  o.backend = "none";
  o.configFile = assets / "terminal.example.toml";
  auto cfg = loadConfig(o, assets);
  EXPECT_TRUE(std::holds_alternative<TerminalConfig>(cfg));
  return std::get<TerminalConfig>(std::move(cfg));
}

// Restores the umask and an environment variable when the test ends.
struct Umask {
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
  mode_t old;
};
struct Env {
  Env(const char* n, const std::string& value) : name(n) {
    if (const char* v = std::getenv(n)) old = v;
    ::setenv(n, value.c_str(), 1);
  }
  ~Env() {
    if (old)
      ::setenv(name, old->c_str(), 1);
    else
      ::unsetenv(name);
  }
  const char* name;
  std::optional<std::string> old;
};

// ---------------------------------------------------------------- nothing before a command

TEST(TerminalOpen, ParsingAndLoadingCreateNothing) {
  TempDir home;
  Env h("HOME", home.path().string());
  Env x("XDG_DATA_HOME", (home.path() / "xdg").string());
  ::unsetenv("POS_TERMINAL_CONFIG");
  for (auto args : std::vector<std::vector<const char*>>{
           {"pos-terminal"},
           {"pos-terminal", "--help"},
           {"pos-terminal", "frobnicate"},
           {"pos-terminal", "--json", "checkout", "--bogus"},
           {"pos-terminal", "verify"},
           {"pos-terminal", "--terminal-id", "bad id", "verify"}}) {
    auto parsed = parseCommandLine(static_cast<int>(args.size()), args.data());
    if (auto* p = std::get_if<ParsedCommandLine>(&parsed)) {
      // What main does next, up to Terminal::open.
      (void)loadConfig(p->overrides, POS_ASSETS_DIR);
    }
    EXPECT_EQ(entriesIn(home.path()), 0u) << args.back();
  }
}

TEST(TerminalOpen, ARefusedTerminalIdLeavesNothingBehind) {
  TempDir tmp;
  for (const std::string& id :
       std::vector<std::string>{"T 01", "", std::string(33, 'T'), "T\x1b[2J", "T\xc3\xb6"}) {
    auto cfg = configFor(tmp.path() / "data");
    cfg.terminalId = id;
    auto opened = Terminal::open(cfg);
    ASSERT_TRUE(std::holds_alternative<StartupError>(opened)) << id;
    const auto& e = std::get<StartupError>(opened);
    EXPECT_EQ(e.exitCode, 6);
    EXPECT_NE(e.message.find("terminal id"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find('\x1b'), std::string::npos);
    EXPECT_FALSE(fs::exists(tmp.path() / "data")) << id;
  }
  // The command-line override is refused at load, naming the option.
  ConfigOverrides o;
  o.dataDir = tmp.path() / "data";
  o.terminalId = "T 01";
  auto cfg = loadConfig(o, POS_ASSETS_DIR);
  ASSERT_TRUE(std::holds_alternative<ConfigError>(cfg));
  EXPECT_EQ(std::get<ConfigError>(cfg).key, "--terminal-id");
  EXPECT_FALSE(fs::exists(tmp.path() / "data"));
}

// ---------------------------------------------------------------- file modes

TEST(TerminalOpen, EverythingWrittenIsPrivateWhateverTheUmask) {
  Umask u(022);
  TempDir tmp;
  const auto data = tmp.path() / "data";
  {
    auto opened = Terminal::open(configFor(data));
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(opened))
        << std::get<StartupError>(opened).message;
    std::get<std::unique_ptr<Terminal>>(opened)->log().info("test.event");
  }
  EXPECT_EQ(modeOf(data), 0700u);
  EXPECT_EQ(modeOf(data / "logs"), 0700u);
  EXPECT_EQ(modeOf(data / "logs" / "terminal.log"), 0600u);
  EXPECT_EQ(modeOf(data / "terminal.db"), 0600u);
}

TEST(TerminalOpen, ExistingFilesAndFoldersAreTightened) {
  Umask u(022);
  TempDir tmp;
  const auto data = tmp.path() / "data";
  fs::create_directories(data / "logs");
  fs::permissions(data, fs::perms(0755));
  fs::permissions(data / "logs", fs::perms(0755));
  std::ofstream(data / "logs" / "terminal.log") << "{}\n";
  std::ofstream(data / "terminal.toml") << "";
  fs::permissions(data / "logs" / "terminal.log", fs::perms(0644));
  fs::permissions(data / "terminal.toml", fs::perms(0644));
  std::ofstream(data / "someone-elses.txt") << "x";
  fs::permissions(data / "someone-elses.txt", fs::perms(0644));
  {
    auto opened = Terminal::open(configFor(data));
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(opened))
        << std::get<StartupError>(opened).message;
  }
  EXPECT_EQ(modeOf(data), 0700u);
  EXPECT_EQ(modeOf(data / "logs"), 0700u);
  EXPECT_EQ(modeOf(data / "logs" / "terminal.log"), 0600u);
  EXPECT_EQ(modeOf(data / "terminal.toml"), 0600u);
  EXPECT_EQ(modeOf(data / "someone-elses.txt"), 0644u);  // not the terminal's: left alone
}

TEST(TerminalOpen, WritePrivateFileIsPrivateAndNamesWhatFailed) {
  Umask u(022);
  TempDir tmp;
  const std::vector<std::uint8_t> bytes = {0x1b, 0x40, 'h', 'i'};
  const auto file = tmp.path() / "r.bin";
  std::ofstream(file) << "older";
  fs::permissions(file, fs::perms(0644));
  EXPECT_EQ(writePrivateFile(file, bytes), std::nullopt);
  EXPECT_EQ(modeOf(file), 0600u);
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "\x1b@hi");
  EXPECT_EQ(entriesIn(tmp.path()), 1u);  // no temporary left behind

  auto missing = writePrivateFile(tmp.path() / "no" / "such" / "r.bin", bytes);
  ASSERT_TRUE(missing.has_value());
  EXPECT_NE(missing->find((tmp.path() / "no" / "such").string()), std::string::npos) << *missing;
  EXPECT_FALSE(fs::exists(tmp.path() / "no"));
}

// ---------------------------------------------------------------- read-only data directory

using pos::testing::inReadOnlyChild;
using pos::testing::readableAssets;

TEST(TerminalOpen, AReadOnlyDataDirectoryIsNamed) {
  TempDir tmp;
  const auto data = tmp.path() / "data";
  fs::create_directories(data);
  fs::permissions(tmp.path(), fs::perms(0755));
  const auto assets = readableAssets(tmp.path());
  const int verdict = inReadOnlyChild(data, [&] {
    auto opened = Terminal::open(configFor(data, assets));
    if (!std::holds_alternative<StartupError>(opened)) return 1;
    const auto& e = std::get<StartupError>(opened);
    if (e.exitCode != 6) return 2;
    if (e.message.find(data.string()) == std::string::npos) return 3;
    if (e.message.find("cannot write in the data directory") == std::string::npos) return 4;
    return 0;
  });
  EXPECT_EQ(verdict, 0);
}

// The read a shop's IT needs on a read-only directory: verify and queue open it ReadOnly.
TEST(TerminalOpen, ReadOnlyModeOnAReadOnlyDirectory) {
  TempDir tmp;
  const auto data = tmp.path() / "data";
  fs::permissions(tmp.path(), fs::perms(0755));
  const auto assets = readableAssets(tmp.path());
  {
    auto opened = Terminal::open(configFor(data, assets));
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(opened));
  }
  const int verdict = inReadOnlyChild(data, [&] {
    auto opened = Terminal::open(configFor(data, assets), OpenMode::ReadOnly);
    if (auto* e = std::get_if<StartupError>(&opened)) {
      std::fprintf(stderr, "read-only open: %s\n", e->message.c_str());
      // Until sync::Database can open read-only (see the cli report), the refusal at least
      // names the database and says why.
      return e->message.find((data / "terminal.db").string()) != std::string::npos &&
                     e->message.find("read-only") != std::string::npos
                 ? 10
                 : 11;
    }
    auto& t = *std::get<std::unique_ptr<Terminal>>(opened);
    auto check = t.database().integrity_check();
    if (!check.ok() || check.value() != "ok") return 12;
    // What `verify` and `queue` do.
    auto v = t.ledger().verify();
    if (!v.ok()) {
      std::fprintf(stderr, "verify: %s\n", v.error().message.c_str());
      return 13;
    }
    if (!v.value().sound()) return 14;
    return t.ledger().outbox().stats().ok() ? 0 : 15;
  });
  EXPECT_EQ(verdict, 0);
}

TEST(TerminalOpen, ReadOnlyModeCreatesNothingAndNamesAMissingDatabase) {
  TempDir tmp;
  const auto data = tmp.path() / "data";
  auto opened = Terminal::open(configFor(data), OpenMode::ReadOnly);
  ASSERT_TRUE(std::holds_alternative<StartupError>(opened));
  EXPECT_NE(std::get<StartupError>(opened).message.find(data.string()), std::string::npos);
  EXPECT_FALSE(fs::exists(data));
  fs::create_directories(data);
  opened = Terminal::open(configFor(data), OpenMode::ReadOnly);
  ASSERT_TRUE(std::holds_alternative<StartupError>(opened));
  EXPECT_NE(std::get<StartupError>(opened).message.find("terminal.db"), std::string::npos);
  EXPECT_EQ(entriesIn(data), 0u);
}

TEST(TerminalOpen, ReadOnlyModeReadsAnExistingDatabase) {
  TempDir tmp;
  const auto data = tmp.path() / "data";
  {
    auto opened = Terminal::open(configFor(data));
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(opened));
  }
  auto opened = Terminal::open(configFor(data), OpenMode::ReadOnly);
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(opened))
      << std::get<StartupError>(opened).message;
  auto& t = *std::get<std::unique_ptr<Terminal>>(opened);
  EXPECT_EQ(t.mode(), OpenMode::ReadOnly);
  auto check = t.database().integrity_check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check.value(), "ok");
}

// ---------------------------------------------------------------- no process-wide state

TEST(TerminalOpen, NeitherTzNorTheDefaultLoggerIsSetPerTerminal) {
  ::unsetenv("TZ");
  TempDir tmp;
  auto cfgA = configFor(tmp.path() / "a");  // America/Los_Angeles
  auto a = Terminal::open(cfgA);
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(a));
  EXPECT_EQ(std::getenv("TZ"), nullptr);
  const auto* defaultAfterFirst = spdlog::default_logger_raw();
  auto b = Terminal::open(configFor(tmp.path() / "b"));
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<Terminal>>(b));
  EXPECT_EQ(spdlog::default_logger_raw(), defaultAfterFirst);
  auto& ta = *std::get<std::unique_ptr<Terminal>>(a);
  // 2026-01-15T18:00:00Z is 10:00 in Los Angeles, with no TZ in the environment.
  const checkout::Timestamp t{std::chrono::milliseconds{1768500000000}};
  EXPECT_EQ(ta.localTimeText(t), "2026-01-15 10:00:00 PST");
}

}  // namespace
}  // namespace pos::app
