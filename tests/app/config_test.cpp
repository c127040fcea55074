#include <pos/app/config.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace pos::app {
namespace {

ConfigError expectError(std::string_view text) {
  auto r = parseConfig(text, "t.toml");
  EXPECT_TRUE(std::holds_alternative<ConfigError>(r)) << text;
  if (auto* e = std::get_if<ConfigError>(&r)) return *e;
  return {};
}

TEST(Config, EmptyTextGivesTheEmbeddedDefault) {
  auto r = parseConfig("", "t.toml");
  ASSERT_TRUE(std::holds_alternative<TerminalConfig>(r));
  const auto& c = std::get<TerminalConfig>(r);
  EXPECT_EQ(c.terminalId, "T-01");
  EXPECT_FALSE(c.backend.online());
  EXPECT_TRUE(c.printer.uri.empty());
  EXPECT_EQ(c.printer.profile, "generic-80mm");
  EXPECT_EQ(c.offlineLimits.maxUnsyncedAgeSeconds, 72 * 3600);
}

TEST(Config, TheShippedExampleParses) {
  std::ifstream in(std::string(POS_ASSETS_DIR) + "/terminal.example.toml");
  std::stringstream text;
  text << in.rdbuf();
  auto r = parseConfig(text.str(), "terminal.example.toml");
  ASSERT_TRUE(std::holds_alternative<TerminalConfig>(r)) << std::get<ConfigError>(r).describe();
  const auto& c = std::get<TerminalConfig>(r);
  EXPECT_EQ(c.shop.name, "Riverside Auto Service");
  EXPECT_EQ(c.shop.timeZone, "America/Los_Angeles");
  EXPECT_EQ(c.offlineLimits.perCurrency.size(), 3u);
}

TEST(Config, UnknownKeyIsNamedWithItsLine) {
  auto e = expectError("[terminal]\nid = \"T-9\"\n\n[printer]\nprofle = \"x\"\n");
  EXPECT_EQ(e.key, "printer.profle");
  EXPECT_EQ(e.line, 5u);
  EXPECT_EQ(e.describe(), "t.toml:5: printer.profle: unknown key");
}

TEST(Config, UnknownSectionIsRefused) {
  EXPECT_EQ(expectError("[printers]\nuri = \"x\"\n").key, "printers");
}

struct BadValue {
  const char* text;
  const char* key;
};

class ConfigBadValue : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigBadValue, IsRefusedWithTheKey) {
  auto e = expectError(GetParam().text);
  EXPECT_EQ(e.key, GetParam().key);
  EXPECT_FALSE(e.message.empty());
  EXPECT_GT(e.line, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigBadValue,
    ::testing::Values(
        BadValue{"[terminal]\nid = 7\n", "terminal.id"},
        BadValue{"[terminal]\nid = \"\"\n", "terminal.id"},
        BadValue{"[terminal]\nlog_level = \"loud\"\n", "terminal.log_level"},
        BadValue{"[backend]\nurl = \"ftp://x\"\n", "backend.url"},
        BadValue{"[backend]\nconnect_timeout_ms = -5\n", "backend.connect_timeout_ms"},
        BadValue{"[backend]\nconnect_timeout_ms = 1.5\n", "backend.connect_timeout_ms"},
        BadValue{"[backend]\npinned_public_key = \"abc\"\n", "backend.pinned_public_key"},
        BadValue{"[offline_limits.USD]\nmax_single_payment = \"12,50\"\n",
                 "offline_limits.USD.max_single_payment"},
        BadValue{"[offline_limits.USD]\nmax_single_payment = \"1e3\"\n",
                 "offline_limits.USD.max_single_payment"},
        BadValue{"[offline_limits.usd]\nmax_single_payment = \"1\"\n", "offline_limits.usd"},
        BadValue{"[offline_limits]\nmax_unsynced_age_seconds = 1\n",
                 "offline_limits.max_unsynced_age_seconds"},
        BadValue{"terminal = 3\n", "terminal"}));

TEST(Config, SyntaxErrorsCarryTheLine) {
  auto e = expectError("[terminal]\nid = \"T-1\"\nthis is not toml\n");
  EXPECT_EQ(e.line, 3u);
  EXPECT_FALSE(e.message.empty());
}

TEST(Config, CommandLineOverridesTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / "pos-config-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "t.toml";
  std::ofstream(file) << "[terminal]\nid = \"T-FILE\"\n[backend]\nurl = \"http://127.0.0.1:1\"\n";
  ConfigOverrides o;
  o.configFile = file;
  o.terminalId = "T-CLI";
  o.backend = "none";
  o.dataDir = dir / "data";
  auto r = loadConfig(o, "/assets");
  ASSERT_TRUE(std::holds_alternative<TerminalConfig>(r));
  const auto& c = std::get<TerminalConfig>(r);
  EXPECT_EQ(c.terminalId, "T-CLI");
  EXPECT_FALSE(c.backend.online());
  EXPECT_EQ(c.dataDir, dir / "data");
  std::filesystem::remove_all(dir);
}

TEST(Config, MissingFileIsAnErrorNotADefault) {
  ConfigOverrides o;
  o.configFile = "/nonexistent/terminal.toml";
  auto r = loadConfig(o, "/assets");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(r));
  EXPECT_EQ(std::get<ConfigError>(r).file, "/nonexistent/terminal.toml");
}

}  // namespace
}  // namespace pos::app
