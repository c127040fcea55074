#include <pos/app/config.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

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
        BadValue{"terminal = 3\n", "terminal"},
        // issue 15: money the domain refuses is refused here, never "no limit"
        BadValue{"[offline_limits.USD]\nmax_single_payment = \"100.005\"\n",
                 "offline_limits.USD.max_single_payment"},
        BadValue{"[offline_limits.USD]\nmax_unsynced_total = \"99999999999999999999.99\"\n",
                 "offline_limits.USD.max_unsynced_total"},
        BadValue{"[offline_limits.JPY]\nmax_single_payment = \"1500.5\"\n",
                 "offline_limits.JPY.max_single_payment"},
        BadValue{"[offline_limits.USD]\nmax_single_payment = \"-5\"\n",
                 "offline_limits.USD.max_single_payment"},
        BadValue{"[offline_limits.XYZ]\nmax_single_payment = \"1\"\n", "offline_limits.XYZ"},
        BadValue{"[offline_limits.GBP]\nmax_single_payment = \"1.00\"\n",
                 "offline_limits.GBP.max_unsynced_total"},  // a new currency needs both
        // issue 15: unknown or malformed time zones
        BadValue{"[shop]\ntime_zone = \"Mars/Olympus\"\n", "shop.time_zone"},
        BadValue{"[shop]\ntime_zone = \"../../etc/passwd\"\n", "shop.time_zone"},
        BadValue{"[shop]\ntime_zone = \"/etc/localtime\"\n", "shop.time_zone"},
        BadValue{"[shop]\ntime_zone = \"America\"\n", "shop.time_zone"},  // a folder
        BadValue{"[shop]\ntime_zone = \"America/Los Angeles\"\n", "shop.time_zone"},
        BadValue{"[shop]\ntime_zone = \"\"\n", "shop.time_zone"},
        // issue 15: terminal ids
        BadValue{"[terminal]\nid = \"T 01\"\n", "terminal.id"},
        BadValue{"[terminal]\nid = \"T-\u00f6\"\n", "terminal.id"},
        BadValue{"[terminal]\nid = \"-T\"\n", "terminal.id"},
        BadValue{"[terminal]\nid = \"T234567890123456789012345678901234\"\n", "terminal.id"},
        // new keys (issues 10, 11)
        BadValue{"[counter]\nidle_sign_out_seconds = 0\n", "counter.idle_sign_out_seconds"},
        BadValue{"[counter]\npayment_permission = \"billing:payment:capture\"\n",
                 "counter.payment_permission"},
        BadValue{"[counter]\npayment_permission = \"BILLING:RECEIPT:VIEW\"\n",
                 "counter.payment_permission"},
        BadValue{"[counter]\nsign_out = 3\n", "counter.sign_out"},
        BadValue{"[shift]\ncash_tolerance = \"USD 5.00\"\n", "shift.cash_tolerance"},
        BadValue{"[shift]\ncash_tolerance = [\"USD 5.005\"]\n", "shift.cash_tolerance"},
        BadValue{"[shift]\ncash_tolerance = [\"5.00\"]\n", "shift.cash_tolerance"},
        BadValue{"[shift]\ncash_tolerance = [\"USD 5\", \"USD 6\"]\n", "shift.cash_tolerance"},
        BadValue{"[shift]\ncash_tolerance = [5]\n", "shift.cash_tolerance"},
        BadValue{"[shift]\nno_sale_requires_approval = \"yes\"\n",
                 "shift.no_sale_requires_approval"},
        BadValue{"[screen]\npx_per_mm = 0\n", "screen.px_per_mm"},
        BadValue{"[screen]\npx_per_mm = nan\n", "screen.px_per_mm"},
        BadValue{"[screen]\npx_per_mm = \"5\"\n", "screen.px_per_mm"},
        BadValue{"[screen]\nfullscreen = 1\n", "screen.fullscreen"},
        BadValue{"[receipt]\nlogo = 3\n", "receipt.logo"}));

TEST(Config, MalformedLimitNamesFileLineAndKey) {
  auto e =
      expectError("[offline_limits]\n[offline_limits.USD]\nmax_single_payment = \"100.005\"\n");
  EXPECT_EQ(e.line, 3u);
  EXPECT_NE(e.describe().find("t.toml:3: offline_limits.USD.max_single_payment"), std::string::npos)
      << e.describe();
}

TEST(Config, OfflineLimitsAreParsedToMoney) {
  auto r = parseConfig(
      "[offline_limits]\nmax_unsynced_age_seconds = 3600\n"
      "[offline_limits.USD]\nmax_single_payment = \"150.25\"\n"
      "[offline_limits.KWD]\nmax_single_payment = \"10.125\"\n"
      "max_unsynced_total = \"100\"\n",
      "t.toml");
  ASSERT_TRUE(std::holds_alternative<TerminalConfig>(r)) << std::get<ConfigError>(r).describe();
  const auto limits = std::get<TerminalConfig>(r).offlineLimitsParsed();
  EXPECT_EQ(limits.max_unsynced_age, std::chrono::seconds(3600));
  EXPECT_EQ(limits.single_payment_limit(checkout::Currencies::USD),
            checkout::Money(checkout::Currencies::USD, 15025));
  EXPECT_EQ(limits.unsynced_total_limit(checkout::Currencies::USD),
            checkout::Money(checkout::Currencies::USD, 1000000));  // the default kept
  EXPECT_EQ(limits.single_payment_limit(checkout::Currencies::KWD),
            checkout::Money(checkout::Currencies::KWD, 10125));
  EXPECT_EQ(limits.single_payment_limit(checkout::Currencies::JPY),
            checkout::Money(checkout::Currencies::JPY, 300000));
}

TEST(Config, AHandBuiltBadLimitFailsClosed) {
  TerminalConfig c;
  c.offlineLimits.perCurrency = {{"USD", "100.005", "abc"}};
  const auto limits = c.offlineLimitsParsed();
  EXPECT_EQ(limits.single_payment_limit(checkout::Currencies::USD),
            checkout::Money::zero(checkout::Currencies::USD));
  EXPECT_EQ(limits.unsynced_total_limit(checkout::Currencies::USD),
            checkout::Money::zero(checkout::Currencies::USD));
}

TEST(Config, NewKeysAndTheirDefaults) {
  auto d = parseConfig("", "t.toml");
  const auto& def = std::get<TerminalConfig>(d);
  EXPECT_EQ(def.counter.idleSignOutSeconds, 300);
  EXPECT_EQ(def.counter.paymentPermission, "");
  EXPECT_FALSE(def.shift.noSaleRequiresApproval);
  EXPECT_EQ(def.shift.toleranceFor(checkout::Currencies::USD),
            checkout::Money(checkout::Currencies::USD, 500));
  EXPECT_EQ(def.shift.toleranceFor(checkout::Currencies::JPY),
            checkout::Money(checkout::Currencies::JPY, 500));
  EXPECT_FALSE(def.shift.toleranceFor(checkout::Currencies::GBP).has_value());
  EXPECT_NEAR(def.screen.pxPerMm, std::hypot(1280.0, 800.0) / (10.1 * 25.4), 0.01);
  EXPECT_FALSE(def.screen.fullscreen);
  EXPECT_TRUE(def.receipt.logo.empty());

  auto r = parseConfig(
      "[counter]\nidle_sign_out_seconds = 120\npayment_permission = "
      "\"billing:checkout:po:capture\"\n[shift]\ncash_tolerance = [\"GBP 2.50\", \"JPY 300\"]\n"
      "no_sale_requires_approval = true\n[screen]\npx_per_mm = 4\nfullscreen = true\n",
      "t.toml");
  ASSERT_TRUE(std::holds_alternative<TerminalConfig>(r)) << std::get<ConfigError>(r).describe();
  const auto& c = std::get<TerminalConfig>(r);
  EXPECT_EQ(c.counter.idleSignOutSeconds, 120);
  EXPECT_EQ(c.counter.paymentPermission, "billing:checkout:po:capture");
  EXPECT_TRUE(c.shift.noSaleRequiresApproval);
  EXPECT_EQ(c.shift.cashTolerance.size(), 2u);  // the list replaces the defaults
  EXPECT_FALSE(c.shift.toleranceFor(checkout::Currencies::USD).has_value());
  EXPECT_EQ(c.shift.toleranceFor(checkout::Currencies::GBP),
            checkout::Money(checkout::Currencies::GBP, 250));
  EXPECT_DOUBLE_EQ(c.screen.pxPerMm, 4.0);
  EXPECT_TRUE(c.screen.fullscreen);
}

TEST(Config, ReceiptLogoMustBeAPngFile) {
  const auto dir = std::filesystem::temp_directory_path() / "pos-config-logo-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "t.toml";
  auto load = [&](const std::string& logo) {
    std::ofstream(file) << "[receipt]\n\nlogo = \"" << logo << "\"\n";
    ConfigOverrides o;
    o.configFile = file;
    o.dataDir = dir / "data";
    return loadConfig(o, "/assets");
  };
  auto missing = load("nope.png");
  ASSERT_TRUE(std::holds_alternative<ConfigError>(missing));
  EXPECT_EQ(std::get<ConfigError>(missing).key, "receipt.logo");
  EXPECT_EQ(std::get<ConfigError>(missing).line, 3u);
  auto folder = load(dir.string());
  ASSERT_TRUE(std::holds_alternative<ConfigError>(folder));
  std::ofstream(dir / "text.png") << "not a png";
  ASSERT_TRUE(std::holds_alternative<ConfigError>(load("text.png")));
  std::ofstream(dir / "logo.png", std::ios::binary)
      << std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  auto good = load("logo.png");  // relative to the configuration file
  ASSERT_TRUE(std::holds_alternative<TerminalConfig>(good))
      << std::get<ConfigError>(good).describe();
  EXPECT_EQ(std::get<TerminalConfig>(good).receipt.logo, dir / "logo.png");
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));  // loading creates nothing
  std::filesystem::remove_all(dir);
}

TEST(Config, TerminalIdForm) {
  for (const char* good : {"T-01", "t", "T.01_a-b", "0123456789abcdefABCDEF0123456789"})
    EXPECT_TRUE(isValidTerminalId(good)) << good;
  for (const std::string& bad :
       std::vector<std::string>{"", " T", "T 1", "T\t", "_T", ".T", "T/1", "T\x1b", "T\xc3\xb6",
                                std::string(33, 'a'), std::string("T\0", 2)})
    EXPECT_FALSE(isValidTerminalId(bad)) << bad;
}

TEST(Config, MoneyText) {
  auto ok = parseMoneyText("USD 20.00");
  ASSERT_TRUE(std::holds_alternative<checkout::Money>(ok));
  EXPECT_EQ(std::get<checkout::Money>(ok), checkout::Money(checkout::Currencies::USD, 2000));
  EXPECT_EQ(std::get<checkout::Money>(parseMoneyText("JPY 500")),
            checkout::Money(checkout::Currencies::JPY, 500));
  for (const char* bad :
       {"", "USD", "USD ", "20.00", "usd 20.00", "XYZ 1", "USD  20", "USD 20 ", "USD 20.001",
        "USD 1e3", "USD -5", "USD 99999999999999999999.99", "USD20.00", "US 20"})
    EXPECT_TRUE(std::holds_alternative<std::string>(parseMoneyText(bad))) << bad;
}

// ---------------------------------------------------------------- time zone

TEST(ShopTimeZone, UtcNeedsNoDatabase) {
  auto z = ShopTimeZone::load("UTC", "/nonexistent");
  ASSERT_TRUE(std::holds_alternative<ShopTimeZone>(z));
  const checkout::Timestamp t{std::chrono::milliseconds{1768500000123}};
  EXPECT_EQ(std::get<ShopTimeZone>(z).format(t), "2026-01-15 18:00:00 UTC");
}

TEST(ShopTimeZone, KnownZonesInWinterSummerAndPastTheLastTransition) {
  auto z = ShopTimeZone::load("America/Los_Angeles");
  ASSERT_TRUE(std::holds_alternative<ShopTimeZone>(z)) << std::get<std::string>(z);
  const auto& la = std::get<ShopTimeZone>(z);
  using std::chrono::milliseconds;
  EXPECT_EQ(la.format(checkout::Timestamp{milliseconds{1768500000000}}), "2026-01-15 10:00:00 PST");
  EXPECT_EQ(la.format(checkout::Timestamp{milliseconds{1784138400000}}),  // 2026-07-15T18:00Z
            "2026-07-15 11:00:00 PDT");
  EXPECT_EQ(la.format(checkout::Timestamp{milliseconds{4118126400000}}),  // 2100-07-01T12:00Z
            "2100-07-01 05:00:00 PDT");
  EXPECT_EQ(la.format(checkout::Timestamp{milliseconds{4102488000000}}),  // 2100-01-01T12:00Z
            "2100-01-01 04:00:00 PST");
}

// The reference: glibc's own reading of the same files, for many instants in several zones
// (north and south, half hours, no DST), before and after the files' last transitions.
TEST(ShopTimeZone, AgreesWithTheCLibrary) {
  const char* old = std::getenv("TZ");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  for (const char* name : {"America/Los_Angeles", "Europe/Berlin", "Australia/Sydney",
                           "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "Asia/Tokyo",
                           "Europe/Dublin", "America/St_Johns"}) {
    auto loaded = ShopTimeZone::load(name);
    ASSERT_TRUE(std::holds_alternative<ShopTimeZone>(loaded)) << name;
    const auto& zone = std::get<ShopTimeZone>(loaded);
    ::setenv("TZ", name, 1);  // test only: the reference implementation needs it
    ::tzset();
    for (std::int64_t secs = 946684800; secs < 4102444800; secs += 86400 * 7 + 3613) {
      const std::time_t t = static_cast<std::time_t>(secs);
      std::tm tm{};
      localtime_r(&t, &tm);
      char buf[64];
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
      ASSERT_EQ(zone.format(checkout::Timestamp{std::chrono::seconds{secs}}), buf)
          << name << " at " << secs;
    }
  }
  if (saved)
    ::setenv("TZ", saved->c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
}

TEST(ShopTimeZone, RefusesNamesThatAreNotZones) {
  for (const char* bad : {"Mars/Olympus", "../zoneinfo/UTC", "/UTC", "America/", "America//LA",
                          "America", "Europe/Berlin\n", "zone.tab", "-x"}) {
    auto z = ShopTimeZone::load(bad);
    EXPECT_TRUE(std::holds_alternative<std::string>(z)) << bad;
  }
}

TEST(ShopTimeZone, RefusesFilesThatAreNotTzif) {
  const auto dir = std::filesystem::temp_directory_path() / "pos-tz-test";
  std::filesystem::create_directories(dir / "Bad");
  std::ofstream(dir / "Bad" / "Empty");
  std::ofstream(dir / "Bad" / "Text") << "TZif2 but not really";
  std::ifstream real("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(real)), std::istreambuf_iterator<char>());
  for (std::size_t cut : {std::size_t{10}, std::size_t{44}, std::size_t{60}, bytes.size() / 2}) {
    std::ofstream(dir / "Bad" / ("Cut" + std::to_string(cut)), std::ios::binary)
        << bytes.substr(0, cut);
    EXPECT_TRUE(std::holds_alternative<std::string>(
        ShopTimeZone::load("Bad/Cut" + std::to_string(cut), dir)))
        << cut;
  }
  EXPECT_TRUE(std::holds_alternative<std::string>(ShopTimeZone::load("Bad/Empty", dir)));
  EXPECT_TRUE(std::holds_alternative<std::string>(ShopTimeZone::load("Bad/Text", dir)));
  std::filesystem::remove_all(dir);
}

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
