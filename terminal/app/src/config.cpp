// Configuration loading: TOML text -> TerminalConfig, with every unknown key or bad value
// reported by file, line and key. Sections: helpers, per-section readers, parse, load.
#include <pos/app/config.hpp>

#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace pos::app {

std::string ConfigError::describe() const {
  std::ostringstream out;
  out << (file.empty() ? "<config>" : file);
  if (line > 0) out << ':' << line;
  if (!key.empty()) out << ": " << key;
  out << ": " << message;
  return out.str();
}

std::string_view toString(LogLevel level) {
  switch (level) {
    case LogLevel::Trace:
      return "trace";
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}

namespace {

// ---------------------------------------------------------------- helpers
struct Reader {
  const std::string& origin;
  std::optional<ConfigError> error;

  std::uint32_t lineOf(const toml::node& node) const { return node.source().begin.line; }

  void fail(const toml::node* node, std::string key, std::string message) {
    if (error) return;  // the first problem is the one reported
    error = ConfigError{origin, node ? lineOf(*node) : 0, std::move(key), std::move(message)};
  }

  // Refuses keys that are not in `known`: a misspelt key must not be silently ignored.
  void refuseUnknown(const toml::table& table, const std::string& prefix,
                     std::initializer_list<std::string_view> known) {
    for (const auto& [k, v] : table) {
      bool ok = false;
      for (auto name : known) ok = ok || (k.str() == name);
      if (!ok) fail(&v, prefix + std::string(k.str()), "unknown key");
    }
  }

  void readString(const toml::table& table, const std::string& prefix, std::string_view key,
                  std::string& out) {
    const toml::node* node = table.get(key);
    if (!node) return;
    if (auto s = node->value<std::string>()) {
      if (s->find('\0') != std::string::npos) {
        fail(node, prefix + std::string(key), "must not contain NUL");
        return;
      }
      out = *s;
    } else {
      fail(node, prefix + std::string(key), "must be a string");
    }
  }

  void readPath(const toml::table& table, const std::string& prefix, std::string_view key,
                std::filesystem::path& out) {
    std::string text;
    readString(table, prefix, key, text);
    if (!text.empty()) out = text;
  }

  void readInt(const toml::table& table, const std::string& prefix, std::string_view key,
               std::int64_t lo, std::int64_t hi, std::int64_t& out) {
    const toml::node* node = table.get(key);
    if (!node) return;
    auto v = node->value_exact<std::int64_t>();
    if (!v) {
      fail(node, prefix + std::string(key), "must be an integer");
    } else if (*v < lo || *v > hi) {
      fail(node, prefix + std::string(key),
           "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    } else {
      out = *v;
    }
  }

  const toml::table* section(const toml::table& root, std::string_view name) {
    const toml::node* node = root.get(name);
    if (!node) return nullptr;
    if (!node->is_table()) {
      fail(node, std::string(name), "must be a table ([" + std::string(name) + "])");
      return nullptr;
    }
    return node->as_table();
  }
};

bool isDecimalAmount(std::string_view s) {
  // Digits with at most one '.', as an advisor types them; the currency's precision is
  // checked when the limit is turned into Money.
  if (s.empty() || s.size() > 24) return false;
  int dots = 0;
  for (char c : s) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots <= 1 && s.front() != '.' && s.back() != '.';
}

bool isCurrencyCode(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

// ---------------------------------------------------------------- sections
void readTerminal(Reader& r, const toml::table& t, TerminalConfig& cfg) {
  r.refuseUnknown(t, "terminal.", {"id", "data_dir", "log_level"});
  r.readString(t, "terminal.", "id", cfg.terminalId);
  r.readPath(t, "terminal.", "data_dir", cfg.dataDir);
  std::string level;
  r.readString(t, "terminal.", "log_level", level);
  if (!level.empty()) {
    constexpr std::array levels = {LogLevel::Trace, LogLevel::Debug, LogLevel::Info, LogLevel::Warn,
                                   LogLevel::Error};
    bool found = false;
    for (auto l : levels) {
      if (toString(l) == level) {
        cfg.logLevel = l;
        found = true;
      }
    }
    if (!found)
      r.fail(t.get("log_level"), "terminal.log_level",
             "must be one of trace, debug, info, warn, error");
  }
  if (cfg.terminalId.empty() || cfg.terminalId.size() > 64)
    r.fail(t.get("id"), "terminal.id", "must be 1 to 64 characters");
}

void readShop(Reader& r, const toml::table& t, ShopDetails& shop) {
  r.refuseUnknown(t, "shop.", {"name", "address", "phone", "tax_id", "time_zone", "footer"});
  r.readString(t, "shop.", "name", shop.name);
  r.readString(t, "shop.", "address", shop.address);
  r.readString(t, "shop.", "phone", shop.phone);
  r.readString(t, "shop.", "tax_id", shop.taxId);
  r.readString(t, "shop.", "time_zone", shop.timeZone);
  r.readString(t, "shop.", "footer", shop.footer);
}

void readBackend(Reader& r, const toml::table& t, BackendConfig& b) {
  r.refuseUnknown(t, "backend.",
                  {"url", "token_file", "ca_file", "pinned_public_key", "connect_timeout_ms",
                   "request_timeout_ms"});
  r.readString(t, "backend.", "url", b.url);
  if (b.url == "none") b.url.clear();
  if (!b.url.empty() && b.url.rfind("https://", 0) != 0 && b.url.rfind("http://", 0) != 0)
    r.fail(t.get("url"), "backend.url", "must start with https:// or http://, or be \"none\"");
  r.readPath(t, "backend.", "token_file", b.tokenFile);
  r.readPath(t, "backend.", "ca_file", b.caFile);
  r.readString(t, "backend.", "pinned_public_key", b.pinnedPublicKey);
  if (!b.pinnedPublicKey.empty() && b.pinnedPublicKey.rfind("sha256//", 0) != 0)
    r.fail(t.get("pinned_public_key"), "backend.pinned_public_key",
           "must be of the form sha256//<base64>");
  r.readInt(t, "backend.", "connect_timeout_ms", 100, 120000, b.connectTimeoutMs);
  r.readInt(t, "backend.", "request_timeout_ms", 500, 600000, b.requestTimeoutMs);
}

void readPrinter(Reader& r, const toml::table& t, PrinterConfig& p) {
  r.refuseUnknown(t, "printer.", {"uri", "profile"});
  r.readString(t, "printer.", "uri", p.uri);
  r.readString(t, "printer.", "profile", p.profile);
}

void readOfflineLimits(Reader& r, const toml::table& t, OfflineLimitsConfig& o) {
  r.readInt(t, "offline_limits.", "max_unsynced_age_seconds", 60, 30LL * 24 * 3600,
            o.maxUnsyncedAgeSeconds);
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "max_unsynced_age_seconds") continue;
    const std::string where = "offline_limits." + key;
    if (!isCurrencyCode(key) || !v.is_table()) {
      r.fail(&v, where,
             "unknown key (expected max_unsynced_age_seconds or a currency table "
             "such as [offline_limits.USD])");
      continue;
    }
    const toml::table& c = *v.as_table();
    r.refuseUnknown(c, where + ".", {"max_single_payment", "max_unsynced_total"});
    CurrencyLimit limit{key, "", ""};
    for (auto& existing : o.perCurrency)
      if (existing.currency == key) limit = existing;
    r.readString(c, where + ".", "max_single_payment", limit.maxSinglePayment);
    r.readString(c, where + ".", "max_unsynced_total", limit.maxUnsyncedTotal);
    if (!isDecimalAmount(limit.maxSinglePayment))
      r.fail(c.get("max_single_payment") ? c.get("max_single_payment") : &v,
             where + ".max_single_payment", "must be a decimal amount such as \"2000.00\"");
    if (!isDecimalAmount(limit.maxUnsyncedTotal))
      r.fail(c.get("max_unsynced_total") ? c.get("max_unsynced_total") : &v,
             where + ".max_unsynced_total", "must be a decimal amount such as \"10000.00\"");
    bool replaced = false;
    for (auto& existing : o.perCurrency) {
      if (existing.currency == key) {
        existing = limit;
        replaced = true;
      }
    }
    if (!replaced) o.perCurrency.push_back(limit);
  }
}

void readReceipt(Reader& r, const toml::table& t, ReceiptConfig& rc) {
  r.refuseUnknown(t, "receipt.", {"template"});
  r.readString(t, "receipt.", "template", rc.templateId);
}

std::filesystem::path defaultDataDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "pos-terminal";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local/share/pos-terminal";
  return std::filesystem::current_path() / "pos-terminal-data";
}

}  // namespace

// ---------------------------------------------------------------- parse
ConfigResult parseConfig(std::string_view tomlText, const std::string& origin) {
  TerminalConfig cfg;
  toml::table root;
  try {
    root = toml::parse(tomlText, origin);
  } catch (const toml::parse_error& e) {
    return ConfigError{origin, e.source().begin.line, "", std::string(e.description())};
  }
  Reader r{origin, std::nullopt};
  r.refuseUnknown(root, "",
                  {"terminal", "shop", "backend", "printer", "offline_limits", "receipt"});
  if (auto* t = r.section(root, "terminal")) readTerminal(r, *t, cfg);
  if (auto* t = r.section(root, "shop")) readShop(r, *t, cfg.shop);
  if (auto* t = r.section(root, "backend")) readBackend(r, *t, cfg.backend);
  if (auto* t = r.section(root, "printer")) readPrinter(r, *t, cfg.printer);
  if (auto* t = r.section(root, "offline_limits")) readOfflineLimits(r, *t, cfg.offlineLimits);
  if (auto* t = r.section(root, "receipt")) readReceipt(r, *t, cfg.receipt);
  if (r.error) return *r.error;
  return cfg;
}

// ---------------------------------------------------------------- load
ConfigResult loadConfig(const ConfigOverrides& overrides, const std::filesystem::path& assetsDir) {
  std::optional<std::filesystem::path> file = overrides.configFile;
  if (!file) {
    if (const char* env = std::getenv("POS_TERMINAL_CONFIG"); env && *env) {
      file = env;
    } else if (std::filesystem::exists("/etc/pos-terminal/terminal.toml")) {
      file = "/etc/pos-terminal/terminal.toml";
    } else {
      // A configuration kept with the data (the demo shop writes one there).
      const auto dataDir = overrides.dataDir.value_or(defaultDataDir());
      if (std::filesystem::exists(dataDir / "terminal.toml")) file = dataDir / "terminal.toml";
    }
  }
  TerminalConfig cfg;
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) return ConfigError{file->string(), 0, "", "cannot read the configuration file"};
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parseConfig(text.str(), file->string());
    if (auto* err = std::get_if<ConfigError>(&parsed)) return *err;
    cfg = std::get<TerminalConfig>(std::move(parsed));
    cfg.sourceFile = *file;
  }
  if (overrides.dataDir) cfg.dataDir = *overrides.dataDir;
  if (overrides.backend) cfg.backend.url = (*overrides.backend == "none") ? "" : *overrides.backend;
  if (overrides.tokenFile) cfg.backend.tokenFile = *overrides.tokenFile;
  if (overrides.terminalId) cfg.terminalId = *overrides.terminalId;
  if (overrides.printerUri) cfg.printer.uri = *overrides.printerUri;
  if (overrides.printerProfile) cfg.printer.profile = *overrides.printerProfile;
  if (cfg.dataDir.empty()) cfg.dataDir = defaultDataDir();
  cfg.assetsDir = assetsDir;
  if (!cfg.backend.url.empty() && cfg.backend.url.rfind("http", 0) != 0)
    return ConfigError{"--backend", 0, "backend", "must be an http(s) URL or \"none\""};
  return cfg;
}

}  // namespace pos::app
