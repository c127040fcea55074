// The terminal's configuration: a TOML file (tomlplusplus) overridden by command-line options.
//
// Sections: [terminal] (id, data directory, log level), [shop] (the receipt header, the time
// zone), [backend] (URL, token file, CA file, public-key pin, time-outs), [printer] (URI,
// profile), [offline_limits] (documented defaults in OfflineLimitsConfig), [receipt] (template,
// logo), [counter] (idle sign-out, payment permission), [shift] (cash tolerance, no-sale
// approval), [screen] (density, full screen).
// Unknown keys and bad values are reported with the file, line and key, and the terminal
// refuses to start rather than guess. With no file at all the embedded default applies:
// data in $XDG_DATA_HOME/pos-terminal, the virtual printer, no backend.
//
// Loading a configuration creates nothing: no data directory, no database, no log (issue 17).
// Only Terminal::open writes.
//
// Index of this header: ShopTimeZone (local time without the process's TZ) · the sections'
// structs · TerminalConfig · ConfigError · parse and load · small parsers shared with the
// command line (terminal id, "USD 20.00").
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <pos/checkout/clock.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/payments.hpp>

namespace pos::app {

// ---------------------------------------------------------------- ShopTimeZone
// The shop's IANA time zone, read once from the system's zoneinfo file (TZif, RFC 8536) and
// applied explicitly wherever local time is shown. It replaces setenv("TZ") + localtime_r:
// the environment is process-wide mutable state that other threads read (issue 10), and GCC
// 12's libstdc++ has no std::chrono::locate_zone. Immutable after load: safe to share between
// threads. Times past the file's last transition follow its POSIX TZ footer ("PST8PDT,M3.2.0,
// M11.1.0"); a footer of another form keeps the last transition's offset.
class ShopTimeZone {
 public:
  // "UTC" (and "Etc/UTC") always works, even without a zoneinfo database.
  static ShopTimeZone utc();
  // The error text names the zone and why it is refused (not an IANA name, no such zone, not
  // a TZif file). `ianaName` is checked before any path is built: no "..", no leading '/', only
  // letters, digits and "/_+-".
  static std::variant<ShopTimeZone, std::string> load(
      std::string_view ianaName, const std::filesystem::path& zoneinfoDir = "/usr/share/zoneinfo");

  struct Offset {
    std::int32_t utcOffsetSeconds = 0;  // local = UTC + this
    bool daylightSaving = false;
    std::string abbreviation;  // "PST", "CEST", "+0530"
  };
  Offset offsetAt(checkout::Timestamp t) const;
  // "2026-11-21 10:15:00 PST": the shop's local time with its zone abbreviation, the text the
  // receipts and reports show (same shape as the former localtime_r + strftime "%Z").
  std::string format(checkout::Timestamp t) const;
  const std::string& name() const { return name_; }

  struct Rule;  // the POSIX TZ footer, parsed (config.cpp)

 private:
  std::string name_ = "UTC";
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<std::uint8_t> typeIndex_;    // the type in force from transitions_[i]
  std::vector<Offset> types_;              // types_[0]: before the first transition
  std::shared_ptr<const Rule> footer_;     // null: keep the last type
};

enum class LogLevel { Trace, Debug, Info, Warn, Error };

struct ShopDetails {
  std::string name = "Service Counter";
  std::string address;
  std::string phone;
  std::string taxId;
  std::string timeZone = "UTC";  // IANA name, e.g. America/Los_Angeles (checked at load)
  std::string footer = "Thank you for your business.";
  // `timeZone` loaded (never null after parseConfig/loadConfig; null in a hand-built config
  // means UTC). Use zone() rather than the pointer.
  std::shared_ptr<const ShopTimeZone> timeZoneData;
  const ShopTimeZone& zone() const;
};

struct BackendConfig {
  std::string url;  // empty = offline only (`--backend none`)
  std::filesystem::path tokenFile;
  std::filesystem::path caFile;
  std::string pinnedPublicKey;  // curl's "sha256//base64" form; empty = no pinning
  std::int64_t connectTimeoutMs = 3000;
  std::int64_t requestTimeoutMs = 15000;
  bool online() const { return !url.empty(); }
};

struct PrinterConfig {
  std::string uri;  // empty = the virtual printer in <data>/spool
  std::string profile = "generic-80mm";
};

// Offline limits (BILL-DEC offline queue): amounts are decimal text in the currency's
// precision, keyed by ISO 4217 code; the defaults are documented in the example config.
// parseConfig refuses a code that is not an active ISO 4217 currency and an amount that
// checkout::parse_amount refuses (too many decimals, too large): a limit that does not parse
// must never mean "no limit" (issue 15). Use TerminalConfig::offlineLimitsParsed().
struct CurrencyLimit {
  std::string currency;
  std::string maxSinglePayment;
  std::string maxUnsyncedTotal;
};
struct OfflineLimitsConfig {
  std::vector<CurrencyLimit> perCurrency = {
      {"USD", "2000.00", "10000.00"}, {"EUR", "2000.00", "10000.00"}, {"JPY", "300000", "1500000"}};
  std::int64_t maxUnsyncedAgeSeconds = 72 * 3600;
};

struct ReceiptConfig {
  std::string templateId = "counter-receipt";
  // A PNG printed at the top of every receipt; empty = none. Relative paths are relative to
  // the configuration file's folder. loadConfig checks it is a readable PNG file.
  std::filesystem::path logo;
  std::uint32_t logoLine = 0;  // where `logo` was set, for the error message
};

// The canonical permission strings of BILL-DEC-008 a shop may require for taking a payment.
// The list is closed: the domain has no string of its own for a counter payment.
inline constexpr std::string_view kPaymentPermissionChoices[] = {
    "billing:checkout:po:capture",
    "billing:checkout:po:override",
    "billing:auth:elevate",
    "billing:receipt:view",
    "billing:receipt:deliver",
    "billing:receipt:reprint",
    "billing:posting-error:detail:view"};

struct CounterConfig {
  // A signed-in operator is signed out after this long without input (issue 10).
  std::int64_t idleSignOutSeconds = 300;
  // Empty (the default): any signed-in roster member may take a payment within their payment
  // limit. Otherwise one of kPaymentPermissionChoices that the operator must also hold.
  std::string paymentPermission;
};

struct ShiftConfig {
  // Closing a shift with counted cash further than this from the expected cash (per currency)
  // needs a supervisor (CASH_DIFFERENCE_OVER_TOLERANCE). A currency not listed: any
  // difference needs one. Defaults: USD 5.00, EUR 5.00, JPY 500.
  std::vector<checkout::Money> cashTolerance = {checkout::Money(checkout::Currencies::USD, 500),
                                                checkout::Money(checkout::Currencies::EUR, 500),
                                                checkout::Money(checkout::Currencies::JPY, 500)};
  // A no-sale drawer opening needs a supervisor's approval (off by default, issue 10).
  bool noSaleRequiresApproval = false;
  // The tolerance for `currency`, or nullopt when none is configured (then: zero).
  std::optional<checkout::Money> toleranceFor(checkout::Currency currency) const;
};

struct ScreenConfig {
  // Pixels per millimetre of the touch panel; every size on screen is given in mm. The
  // default is a 10.1" 1280x800 panel: sqrt(1280^2 + 800^2) px / (10.1 in * 25.4 mm/in)
  // = 1509.4 px / 256.5 mm = 5.88 px/mm.
  double pxPerMm = 5.88;
  bool fullscreen = false;  // the kiosk; --fullscreen also sets it
};

struct TerminalConfig {
  std::string terminalId = "T-01";
  std::filesystem::path dataDir;
  LogLevel logLevel = LogLevel::Info;
  ShopDetails shop;
  BackendConfig backend;
  PrinterConfig printer;
  OfflineLimitsConfig offlineLimits;
  ReceiptConfig receipt;
  CounterConfig counter;
  ShiftConfig shift;
  ScreenConfig screen;
  std::filesystem::path assetsDir;
  std::optional<std::filesystem::path> sourceFile;  // the TOML file read, if any

  // The offline limits as the checkout domain takes them (use this, not a parse of your own).
  // Every amount was validated by parseConfig; one that still fails (a config built by hand)
  // becomes a zero limit: fail closed, never "no limit".
  checkout::OfflineLimits offlineLimitsParsed() const;
};

// A configuration problem, pointing at the place in the file.
struct ConfigError {
  std::string file;
  std::uint32_t line = 0;  // 0 when not tied to a line
  std::string key;
  std::string message;
  std::string describe() const;
};

// Command-line overrides (empty = not given).
struct ConfigOverrides {
  std::optional<std::filesystem::path> configFile;
  std::optional<std::filesystem::path> dataDir;
  std::optional<std::string> backend;
  std::optional<std::filesystem::path> tokenFile;
  std::optional<std::string> terminalId;
  std::optional<std::string> printerUri;
  std::optional<std::string> printerProfile;
  bool fullscreen = false;  // --fullscreen: sets screen.fullscreen
};

using ConfigResult = std::variant<TerminalConfig, ConfigError>;

// Parses TOML text (`origin` names it in errors). Reads nothing but the system's zoneinfo
// file of [shop] time_zone; writes nothing.
ConfigResult parseConfig(std::string_view tomlText, const std::string& origin);

// Resolves which file to read (--config, $POS_TERMINAL_CONFIG, /etc/pos-terminal/terminal.toml
// if present, <data dir>/terminal.toml if present, else built-in defaults), reads it, applies the
// overrides and the default data directory ($XDG_DATA_HOME/pos-terminal, else
// ~/.local/share/pos-terminal). Checks the overrides as strictly as the file (the terminal id's
// form, key "--terminal-id") and the receipt logo. Creates nothing.
ConfigResult loadConfig(const ConfigOverrides& overrides, const std::filesystem::path& assetsDir);

std::string_view toString(LogLevel level);

// ---------------------------------------------------------------- shared small parsers
// A terminal id: 1 to 32 of [A-Za-z0-9._-], starting with a letter or digit. It goes into
// X-Terminal-Id headers, file names, receipt numbers and logs, so nothing else is allowed.
bool isValidTerminalId(std::string_view id);
inline constexpr std::string_view kTerminalIdRule =
    "must be 1 to 32 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit";

// "USD 20.00" (an ISO 4217 code, one space, an amount in that currency's precision, as
// checkout::parse_amount reads it) -> Money; else a message saying what is wrong. Used for
// [shift] cash_tolerance and the command line's --float, --amount, --counted-cash.
std::variant<checkout::Money, std::string> parseMoneyText(std::string_view text);

}  // namespace pos::app
