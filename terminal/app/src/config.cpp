// Configuration loading: TOML text -> TerminalConfig, with every unknown key or bad value
// reported by file, line and key. Sections: shared small parsers, time zone (TZif and the
// POSIX TZ footer), helpers, per-section readers, parse, load.
#include <pos/app/config.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
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

// ---------------------------------------------------------------- shared small parsers
bool isValidTerminalId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(id.front())) return false;
  for (char c : id)
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

std::variant<checkout::Money, std::string> parseMoneyText(std::string_view text) {
  const auto space = text.find(' ');
  if (space != 3 || text.size() < 5)
    return std::string("must be a currency code and an amount, such as \"USD 20.00\"");
  const auto currency = checkout::Currency::from_code(text.substr(0, 3));
  if (!currency)
    return "\"" + std::string(text.substr(0, 3)) +
           "\" is not an ISO 4217 currency with minor units";
  const auto amountText = text.substr(4);
  if (amountText.empty() || amountText.front() == ' ' || amountText.back() == ' ')
    return std::string("must be a currency code and an amount, such as \"USD 20.00\"");
  auto amount = checkout::parse_amount(amountText, *currency);
  if (!amount.ok())
    return "\"" + std::string(amountText) + "\" is not an amount in " +
           std::string(currency->code()) + ": " +
           std::string(checkout::amount_refusal_message(amount.error()));
  return amount.value();
}

// ---------------------------------------------------------------- time zone
// TZif (RFC 8536): a v1 block with 32-bit times, then (version 2 and later) a second header and
// a block with 64-bit times, then a footer "\nPOSIX-TZ\n" for times after the last transition.

// One end of daylight saving time in the footer's "Mm.w.d[/time]" form (the only form the
// tz database emits for current zones; the "Jn" and "n" forms keep the last transition).
struct DstBoundary {
  unsigned month = 0;             // 1..12
  unsigned week = 0;              // 1..5 (5 = the last)
  unsigned weekday = 0;           // 0 = Sunday
  std::int64_t atSeconds = 7200;  // local time of day, may be negative or past 24 h (v3)
};

struct ShopTimeZone::Rule {
  ShopTimeZone::Offset standard;
  std::optional<ShopTimeZone::Offset> daylight;
  DstBoundary start;  // into daylight time (given in standard local time)
  DstBoundary end;    // back to standard time (given in daylight local time)
};

namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
std::int64_t be64(const unsigned char* p) {
  return static_cast<std::int64_t>((std::uint64_t{be32(p)} << 32) | std::uint64_t{be32(p + 4)});
}

bool isZoneNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '_' || c == '+' || c == '-';
}

// POSIX TZ parsing (footer only). Returns false on anything it does not understand.
struct PosixTzParser {
  std::string_view s;
  std::size_t i = 0;

  bool abbreviation(std::string& out) {
    if (i < s.size() && s[i] == '<') {
      const auto close = s.find('>', i);
      if (close == std::string_view::npos) return false;
      out = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
      return !out.empty();
    }
    const auto from = i;
    while (i < s.size() && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) ++i;
    out = std::string(s.substr(from, i - from));
    return out.size() >= 3;
  }
  bool number(std::int64_t& out) {
    const auto from = i;
    out = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - from < 4)
      out = out * 10 + (s[i++] - '0');
    return i > from;
  }
  // [+-]hh[:mm[:ss]] -> seconds
  bool time(std::int64_t& out) {
    int sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = (s[i++] == '-') ? -1 : 1;
    std::int64_t h = 0, m = 0, sec = 0;
    if (!number(h) || h > 167) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!number(m) || m > 59) return false;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!number(sec) || sec > 59) return false;
      }
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool boundary(DstBoundary& b) {
    if (i >= s.size() || s[i] != 'M') return false;
    ++i;
    std::int64_t m = 0, w = 0, d = 0;
    if (!number(m) || m < 1 || m > 12 || i >= s.size() || s[i++] != '.') return false;
    if (!number(w) || w < 1 || w > 5 || i >= s.size() || s[i++] != '.') return false;
    if (!number(d) || d > 6) return false;
    b.month = static_cast<unsigned>(m);
    b.week = static_cast<unsigned>(w);
    b.weekday = static_cast<unsigned>(d);
    if (i < s.size() && s[i] == '/') {
      ++i;
      if (!time(b.atSeconds)) return false;
    }
    return true;
  }
  std::optional<ShopTimeZone::Rule> parse() {
    ShopTimeZone::Rule rule;
    std::int64_t west = 0;
    if (!abbreviation(rule.standard.abbreviation) || !time(west)) return std::nullopt;
    rule.standard.utcOffsetSeconds = static_cast<std::int32_t>(-west);
    if (i == s.size()) return rule;  // no daylight saving time
    ShopTimeZone::Offset dst;
    dst.daylightSaving = true;
    if (!abbreviation(dst.abbreviation)) return std::nullopt;
    dst.utcOffsetSeconds = rule.standard.utcOffsetSeconds + 3600;
    if (i < s.size() && s[i] != ',') {
      if (!time(west)) return std::nullopt;
      dst.utcOffsetSeconds = static_cast<std::int32_t>(-west);
    }
    if (i >= s.size() || s[i++] != ',' || !boundary(rule.start)) return std::nullopt;
    if (i >= s.size() || s[i++] != ',' || !boundary(rule.end)) return std::nullopt;
    if (i != s.size()) return std::nullopt;
    rule.daylight = dst;
    return rule;
  }
};

// Seconds since the epoch of local midnight starting the boundary's day in `year`.
std::int64_t boundaryDay(int year, const DstBoundary& b) {
  using namespace std::chrono;
  const auto ym = std::chrono::year{year} / month{b.month};
  const weekday wd{b.weekday};
  sys_days day = (b.week == 5) ? sys_days(ym / wd[last]) : sys_days(ym / wd[b.week]);
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

int yearOf(std::int64_t seconds) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(sys_seconds{std::chrono::seconds{seconds}});
  return static_cast<int>(year_month_day{days}.year());
}

}  // namespace

ShopTimeZone ShopTimeZone::utc() {
  ShopTimeZone z;
  z.name_ = "UTC";
  z.types_ = {Offset{0, false, "UTC"}};
  return z;
}

std::variant<ShopTimeZone, std::string> ShopTimeZone::load(
    std::string_view ianaName, const std::filesystem::path& zoneinfoDir) {
  const std::string quoted = "\"" + std::string(ianaName) + "\"";
  if (ianaName == "UTC" || ianaName == "Etc/UTC") {
    auto z = utc();
    z.name_ = std::string(ianaName);
    return z;
  }
  bool formOk = !ianaName.empty() && ianaName.size() <= 64 && ianaName.front() != '/' &&
                ianaName.back() != '/' && ianaName.find("..") == std::string_view::npos &&
                ianaName.find("//") == std::string_view::npos && ianaName.front() != '-';
  for (char c : ianaName) formOk = formOk && isZoneNameChar(c);
  if (!formOk) return quoted + " is not an IANA time zone name (such as America/Los_Angeles)";
  const auto file = zoneinfoDir / std::string(ianaName);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    return "no time zone " + quoted + " in " + zoneinfoDir.string() +
           " (an IANA name such as America/Los_Angeles; is tzdata installed?)";
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string notTzif = file.string() + " is not a time zone file";
  if (bytes.size() > 1 << 20) return notTzif;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();

  struct Counts {
    std::uint64_t isut, isstd, leap, time, type, chars;
  };
  auto header = [&](std::size_t at, Counts& c) {
    if (at + 44 > size || bytes.compare(at, 4, "TZif") != 0) return false;
    const unsigned char* p = data + at + 20;
    c = {be32(p), be32(p + 4), be32(p + 8), be32(p + 12), be32(p + 16), be32(p + 20)};
    return c.type >= 1 && c.type <= 256 && c.chars >= 1 && c.time <= 100000 && c.leap <= 10000 &&
           c.chars <= 10000 && (c.isut == 0 || c.isut == c.type) &&
           (c.isstd == 0 || c.isstd == c.type);
  };
  Counts c{};
  if (!header(0, c)) return notTzif;
  const char version = bytes[4];
  std::size_t at = 44;
  std::size_t timeSize = 4;
  if (version >= '2') {
    at += c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
    if (!header(at, c)) return notTzif;
    at += 44;
    timeSize = 8;
  }
  const std::size_t need =
      c.time * (timeSize + 1) + c.type * 6 + c.chars + c.leap * (timeSize + 4) + c.isstd + c.isut;
  if (at + need > size) return notTzif;

  ShopTimeZone z;
  z.name_ = std::string(ianaName);
  const unsigned char* p = data + at;
  for (std::uint64_t k = 0; k < c.time; ++k, p += timeSize) {
    const std::int64_t t =
        timeSize == 8 ? be64(p) : static_cast<std::int64_t>(static_cast<std::int32_t>(be32(p)));
    if (!z.transitions_.empty() && t <= z.transitions_.back()) return notTzif;
    z.transitions_.push_back(t);
  }
  for (std::uint64_t k = 0; k < c.time; ++k, ++p) {
    if (*p >= c.type) return notTzif;
    z.typeIndex_.push_back(*p);
  }
  const unsigned char* chars = p + c.type * 6;
  for (std::uint64_t k = 0; k < c.type; ++k, p += 6) {
    Offset o;
    o.utcOffsetSeconds = static_cast<std::int32_t>(be32(p));
    o.daylightSaving = p[4] != 0;
    const std::uint64_t idx = p[5];
    if (idx >= c.chars) return notTzif;
    const char* abbr = reinterpret_cast<const char*>(chars + idx);
    std::size_t len = 0;
    while (idx + len < c.chars && abbr[len] != '\0') ++len;
    o.abbreviation.assign(abbr, len);
    if (o.utcOffsetSeconds < -26 * 3600 || o.utcOffsetSeconds > 26 * 3600) return notTzif;
    z.types_.push_back(std::move(o));
  }
  at += need;
  if (timeSize == 8 && at < size && bytes[at] == '\n') {
    const auto close = bytes.find('\n', at + 1);
    if (close != std::string::npos && close > at + 1) {
      PosixTzParser parser{std::string_view(bytes).substr(at + 1, close - at - 1)};
      if (auto rule = parser.parse()) z.footer_ = std::make_shared<const Rule>(std::move(*rule));
    }
  }
  return z;
}

ShopTimeZone::Offset ShopTimeZone::offsetAt(checkout::Timestamp t) const {
  const std::int64_t secs = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  if (types_.empty()) return Offset{0, false, "UTC"};
  if (!transitions_.empty() && secs < transitions_.front()) return types_[0];
  if (!transitions_.empty() && (secs < transitions_.back() || !footer_)) {
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), secs);
    return types_[typeIndex_[static_cast<std::size_t>(it - transitions_.begin()) - 1]];
  }
  if (!footer_) return types_[0];
  const Rule& rule = *footer_;
  if (!rule.daylight) return rule.standard;
  const int year = yearOf(secs + rule.standard.utcOffsetSeconds);
  const std::int64_t start =
      boundaryDay(year, rule.start) + rule.start.atSeconds - rule.standard.utcOffsetSeconds;
  const std::int64_t end =
      boundaryDay(year, rule.end) + rule.end.atSeconds - rule.daylight->utcOffsetSeconds;
  const bool inDst = start < end ? (secs >= start && secs < end) : !(secs >= end && secs < start);
  return inDst ? *rule.daylight : rule.standard;
}

std::string ShopTimeZone::format(checkout::Timestamp t) const {
  using namespace std::chrono;
  const Offset o = offsetAt(t);
  const auto local = floor<seconds>(t) + seconds{o.utcOffsetSeconds};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d %s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), o.abbreviation.c_str());
  return buf;
}

const ShopTimeZone& ShopDetails::zone() const {
  static const ShopTimeZone kUtc = ShopTimeZone::utc();
  return timeZoneData ? *timeZoneData : kUtc;
}

std::optional<checkout::Money> ShiftConfig::toleranceFor(checkout::Currency currency) const {
  for (const auto& m : cashTolerance)
    if (m.currency() == currency) return m;
  return std::nullopt;
}

checkout::OfflineLimits TerminalConfig::offlineLimitsParsed() const {
  checkout::OfflineLimits limits;
  limits.max_unsynced_age = std::chrono::seconds(offlineLimits.maxUnsyncedAgeSeconds);
  for (const auto& c : offlineLimits.perCurrency) {
    auto currency = checkout::Currency::from_code(c.currency);
    if (!currency) continue;  // parseConfig refuses these; nothing can be taken in it anyway
    auto single = checkout::parse_amount(c.maxSinglePayment, *currency);
    auto total = checkout::parse_amount(c.maxUnsyncedTotal, *currency);
    limits.max_single_payment.push_back(single.ok() ? single.value()
                                                    : checkout::Money::zero(*currency));
    limits.max_unsynced_total.push_back(total.ok() ? total.value()
                                                   : checkout::Money::zero(*currency));
  }
  return limits;
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

  void readBool(const toml::table& table, const std::string& prefix, std::string_view key,
                bool& out) {
    const toml::node* node = table.get(key);
    if (!node) return;
    if (auto v = node->value_exact<bool>()) {
      out = *v;
    } else {
      fail(node, prefix + std::string(key), "must be true or false");
    }
  }

  void readDouble(const toml::table& table, const std::string& prefix, std::string_view key,
                  double lo, double hi, double& out) {
    const toml::node* node = table.get(key);
    if (!node) return;
    std::optional<double> v;
    if (auto d = node->value_exact<double>()) v = *d;
    if (auto i = node->value_exact<std::int64_t>()) v = static_cast<double>(*i);
    if (!v) {
      fail(node, prefix + std::string(key), "must be a number");
    } else if (!(*v >= lo && *v <= hi)) {  // also refuses nan
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
  if (!isValidTerminalId(cfg.terminalId))
    r.fail(t.get("id"), "terminal.id", std::string(kTerminalIdRule));
}

void readShop(Reader& r, const toml::table& t, ShopDetails& shop) {
  r.refuseUnknown(t, "shop.", {"name", "address", "phone", "tax_id", "time_zone", "footer"});
  r.readString(t, "shop.", "name", shop.name);
  r.readString(t, "shop.", "address", shop.address);
  r.readString(t, "shop.", "phone", shop.phone);
  r.readString(t, "shop.", "tax_id", shop.taxId);
  r.readString(t, "shop.", "time_zone", shop.timeZone);
  r.readString(t, "shop.", "footer", shop.footer);
  if (const toml::node* node = t.get("time_zone"); node && !r.error) {
    auto zone = ShopTimeZone::load(shop.timeZone);
    if (auto* why = std::get_if<std::string>(&zone)) {
      r.fail(node, "shop.time_zone", *why);
    } else {
      shop.timeZoneData =
          std::make_shared<const ShopTimeZone>(std::get<ShopTimeZone>(std::move(zone)));
    }
  }
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
    const auto currency = checkout::Currency::from_code(key);
    if (!currency) {
      r.fail(&v, where, "\"" + key + "\" is not an ISO 4217 currency with minor units");
      continue;
    }
    // The domain's own parser decides: what it refuses here would be refused at the counter,
    // and a limit that is not an amount must never mean "no limit".
    auto checkAmount = [&](std::string_view name, const std::string& text, const char* example) {
      const toml::node* node = c.get(name) ? c.get(name) : &v;
      if (text.empty()) {
        r.fail(node, where + "." + std::string(name),
               std::string("must be given, a decimal amount such as \"") + example + "\"");
        return;
      }
      auto parsed = checkout::parse_amount(text, *currency);
      if (!parsed.ok())
        r.fail(node, where + "." + std::string(name),
               "\"" + text + "\" is not an amount in " + key + ": " +
                   std::string(checkout::amount_refusal_message(parsed.error())));
    };
    checkAmount("max_single_payment", limit.maxSinglePayment,
                currency->minor_unit_digits() == 0 ? "300000" : "2000.00");
    checkAmount("max_unsynced_total", limit.maxUnsyncedTotal,
                currency->minor_unit_digits() == 0 ? "1500000" : "10000.00");
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
  r.refuseUnknown(t, "receipt.", {"template", "logo"});
  r.readString(t, "receipt.", "template", rc.templateId);
  r.readPath(t, "receipt.", "logo", rc.logo);
  if (const toml::node* node = t.get("logo")) rc.logoLine = r.lineOf(*node);
}

void readCounter(Reader& r, const toml::table& t, CounterConfig& c) {
  r.refuseUnknown(t, "counter.", {"idle_sign_out_seconds", "payment_permission"});
  r.readInt(t, "counter.", "idle_sign_out_seconds", 15, 24 * 3600, c.idleSignOutSeconds);
  r.readString(t, "counter.", "payment_permission", c.paymentPermission);
  if (c.paymentPermission.empty()) return;
  for (auto choice : kPaymentPermissionChoices)
    if (choice == c.paymentPermission) return;
  std::string list;
  for (auto choice : kPaymentPermissionChoices)
    list += (list.empty() ? "" : ", ") + std::string(choice);
  r.fail(t.get("payment_permission"), "counter.payment_permission",
         "must be empty (any signed-in roster member) or one of the canonical permissions " + list);
}

void readShift(Reader& r, const toml::table& t, ShiftConfig& s) {
  r.refuseUnknown(t, "shift.", {"cash_tolerance", "no_sale_requires_approval"});
  r.readBool(t, "shift.", "no_sale_requires_approval", s.noSaleRequiresApproval);
  const toml::node* node = t.get("cash_tolerance");
  if (!node) return;
  const toml::array* list = node->as_array();
  if (!list) {
    r.fail(node, "shift.cash_tolerance", "must be a list such as [\"USD 5.00\", \"EUR 5.00\"]");
    return;
  }
  std::vector<checkout::Money> tolerances;  // the list replaces the defaults as a whole
  for (const auto& item : *list) {
    auto text = item.value<std::string>();
    if (!text) {
      r.fail(&item, "shift.cash_tolerance", "every item must be a string such as \"USD 5.00\"");
      return;
    }
    auto money = parseMoneyText(*text);
    if (auto* why = std::get_if<std::string>(&money)) {
      r.fail(&item, "shift.cash_tolerance", "\"" + *text + "\" " + *why);
      return;
    }
    const auto m = std::get<checkout::Money>(money);
    for (const auto& earlier : tolerances) {
      if (earlier.currency() == m.currency()) {
        r.fail(&item, "shift.cash_tolerance",
               std::string(m.currency().code()) + " is listed twice");
        return;
      }
    }
    tolerances.push_back(m);
  }
  s.cashTolerance = std::move(tolerances);
}

void readScreen(Reader& r, const toml::table& t, ScreenConfig& s) {
  r.refuseUnknown(t, "screen.", {"px_per_mm", "fullscreen"});
  r.readDouble(t, "screen.", "px_per_mm", 1.0, 40.0, s.pxPerMm);
  r.readBool(t, "screen.", "fullscreen", s.fullscreen);
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
                  {"terminal", "shop", "backend", "printer", "offline_limits", "receipt", "counter",
                   "shift", "screen"});
  if (auto* t = r.section(root, "terminal")) readTerminal(r, *t, cfg);
  if (auto* t = r.section(root, "shop")) readShop(r, *t, cfg.shop);
  if (auto* t = r.section(root, "backend")) readBackend(r, *t, cfg.backend);
  if (auto* t = r.section(root, "printer")) readPrinter(r, *t, cfg.printer);
  if (auto* t = r.section(root, "offline_limits")) readOfflineLimits(r, *t, cfg.offlineLimits);
  if (auto* t = r.section(root, "receipt")) readReceipt(r, *t, cfg.receipt);
  if (auto* t = r.section(root, "counter")) readCounter(r, *t, cfg.counter);
  if (auto* t = r.section(root, "shift")) readShift(r, *t, cfg.shift);
  if (auto* t = r.section(root, "screen")) readScreen(r, *t, cfg.screen);
  if (r.error) return *r.error;
  if (!cfg.shop.timeZoneData)
    cfg.shop.timeZoneData = std::make_shared<const ShopTimeZone>(ShopTimeZone::utc());
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
  if (overrides.terminalId) {
    if (!isValidTerminalId(*overrides.terminalId))
      return ConfigError{"command line", 0, "--terminal-id", std::string(kTerminalIdRule)};
    cfg.terminalId = *overrides.terminalId;
  }
  if (overrides.fullscreen) cfg.screen.fullscreen = true;
  if (overrides.printerUri) cfg.printer.uri = *overrides.printerUri;
  if (overrides.printerProfile) cfg.printer.profile = *overrides.printerProfile;
  if (cfg.dataDir.empty()) cfg.dataDir = defaultDataDir();
  cfg.assetsDir = assetsDir;
  if (!cfg.backend.url.empty() && cfg.backend.url.rfind("http", 0) != 0)
    return ConfigError{"--backend", 0, "backend", "must be an http(s) URL or \"none\""};
  if (!cfg.shop.timeZoneData)
    cfg.shop.timeZoneData = std::make_shared<const ShopTimeZone>(ShopTimeZone::utc());
  if (!cfg.receipt.logo.empty()) {
    const std::string origin = file ? file->string() : "<config>";
    if (cfg.receipt.logo.is_relative() && file)
      cfg.receipt.logo = file->parent_path() / cfg.receipt.logo;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(cfg.receipt.logo, ec))
      return ConfigError{origin, cfg.receipt.logoLine, "receipt.logo",
                         "no file " + cfg.receipt.logo.string()};
    std::ifstream logo(cfg.receipt.logo, std::ios::binary);
    char signature[8] = {};
    logo.read(signature, sizeof signature);
    if (!logo || std::string_view(signature, 8) != std::string_view("\x89PNG\r\n\x1a\n", 8))
      return ConfigError{origin, cfg.receipt.logoLine, "receipt.logo",
                         cfg.receipt.logo.string() + " is not a readable PNG file"};
  }
  return cfg;
}

}  // namespace pos::app
