// The terminal's configuration: a TOML file (tomlplusplus) overridden by command-line options.
//
// Sections: [terminal] (id, data directory, log level), [shop] (the receipt header),
// [backend] (URL, token file, CA file, public-key pin, time-outs), [printer] (URI, profile),
// [offline_limits] (documented defaults in OfflineLimitsConfig), [receipt] (template).
// Unknown keys and bad values are reported with the file, line and key, and the terminal
// refuses to start rather than guess. With no file at all the embedded default applies:
// data in $XDG_DATA_HOME/pos-terminal, the virtual printer, no backend.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pos::app {

enum class LogLevel { Trace, Debug, Info, Warn, Error };

struct ShopDetails {
  std::string name = "Service Counter";
  std::string address;
  std::string phone;
  std::string taxId;
  std::string timeZone = "UTC";  // IANA name, e.g. America/Los_Angeles
  std::string footer = "Thank you for your business.";
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
  std::filesystem::path assetsDir;
  std::optional<std::filesystem::path> sourceFile;  // the TOML file read, if any
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
};

using ConfigResult = std::variant<TerminalConfig, ConfigError>;

// Parses TOML text (`origin` names it in errors). Does not touch the file system.
ConfigResult parseConfig(std::string_view tomlText, const std::string& origin);

// Resolves which file to read (--config, $POS_TERMINAL_CONFIG, /etc/pos-terminal/terminal.toml
// if present, <data dir>/terminal.toml if present, else built-in defaults), reads it, applies the
// overrides and the default data directory ($XDG_DATA_HOME/pos-terminal, else
// ~/.local/share/pos-terminal).
ConfigResult loadConfig(const ConfigOverrides& overrides, const std::filesystem::path& assetsDir);

std::string_view toString(LogLevel level);

}  // namespace pos::app
