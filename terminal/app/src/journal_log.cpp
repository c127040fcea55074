#include <pos/app/journal_log.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <re2/re2.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pos::app {

namespace {

const RE2& cardLikeDigits() {
  // 13..19 digits, optionally grouped by single spaces or dashes (as printed on cards).
  static const RE2 re(R"(\d(?:[ -]?\d){12,18})");
  return re;
}

// A UUID's digit groups ("...-7000-8000-000000001013") look like a dash-grouped card number;
// UUIDs are the ids the log is for, so they are kept whole and the rest is scrubbed.
const RE2& uuidLike() {
  static const RE2 re(
      R"(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))");
  return re;
}

std::string scrubCardLike(std::string text) {
  RE2::GlobalReplace(&text, cardLikeDigits(), "[redacted]");
  return text;
}

const RE2& emailLike() {
  static const RE2 re(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})");
  return re;
}

void scrubJson(nlohmann::json& value) {
  if (value.is_string()) {
    value = scrub(value.get_ref<const std::string&>());
  } else if (value.is_object() || value.is_array()) {
    for (auto& child : value) scrubJson(child);
  }
}

std::string utcNow() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  const std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// Every log file is born 0600 and kept 0600 (an older file, or one the rotation opens): created
// before spdlog's fopen (which would use 0666 minus the umask), then fchmod'ed once open.
spdlog::file_event_handlers privateFiles() {
  spdlog::file_event_handlers handlers;
  handlers.before_open = [](const spdlog::filename_t& name) {
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  };
  handlers.after_open = [](const spdlog::filename_t&, std::FILE* file) {
    if (file) ::fchmod(::fileno(file), 0600);
  };
  return handlers;
}

void makePrivateDir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
}

}  // namespace

bool routePartsLogTo(const std::filesystem::path& logsDir) {
  static std::once_flag once;
  static bool routed = false;
  std::call_once(once, [&] {
    std::shared_ptr<spdlog::logger> parts;
    try {
      // The folder must exist already (Terminal::open makes it 0700); this never creates one,
      // so a read-only run writes nothing.
      if (std::filesystem::is_directory(logsDir)) {
        parts = std::make_shared<spdlog::logger>(
            "pos-parts",
            std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                (logsDir / "parts.log").string(), 5 * 1024 * 1024, 3, false, privateFiles()));
        parts->set_level(spdlog::level::info);
        routed = true;
      }
    } catch (const spdlog::spdlog_ex&) {
      routed = false;
    }
    if (!routed) {
      // Never stdout (--json promises one object there): warnings and errors on stderr.
      parts = std::make_shared<spdlog::logger>("pos-parts",
                                               std::make_shared<spdlog::sinks::stderr_sink_mt>());
      parts->set_level(spdlog::level::warn);
    }
    parts->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(parts));
  });
  return routed;
}

std::string scrub(std::string_view text) {
  std::string out(text);
  std::string kept;
  re2::StringPiece rest(out);
  re2::StringPiece uuid;
  while (true) {
    const char* before = rest.data();
    if (!RE2::FindAndConsume(&rest, uuidLike(), &uuid)) break;
    kept += scrubCardLike(std::string(before, static_cast<std::size_t>(uuid.data() - before)));
    kept.append(uuid.data(), uuid.size());
  }
  kept += scrubCardLike(std::string(rest.data(), rest.size()));
  out = std::move(kept);
  RE2::GlobalReplace(&out, emailLike(), "[redacted]");
  return out;
}

EventLog::EventLog(const std::filesystem::path& dir, std::string terminalId, LogLevel level)
    : terminalId_(std::move(terminalId)), level_(level) {
  makePrivateDir(dir);
  auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
      (dir / "terminal.log").string(), 5 * 1024 * 1024, 5, false, privateFiles());
  logger_ = std::make_shared<spdlog::logger>("pos-terminal", std::move(sink));
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::trace);
  logger_->flush_on(spdlog::level::warn);
}

EventLog::EventLog(std::string terminalId, LogLevel level)
    : terminalId_(std::move(terminalId)), level_(level) {
  logger_ = std::make_shared<spdlog::logger>("pos-terminal",
                                             std::make_shared<spdlog::sinks::null_sink_mt>());
}

EventLog::~EventLog() {
  flush();
}

void EventLog::info(std::string_view event, nlohmann::json fields) {
  write(LogLevel::Info, event, std::move(fields));
}
void EventLog::warn(std::string_view event, nlohmann::json fields) {
  write(LogLevel::Warn, event, std::move(fields));
}
void EventLog::error(std::string_view event, nlohmann::json fields) {
  write(LogLevel::Error, event, std::move(fields));
}
void EventLog::debug(std::string_view event, nlohmann::json fields) {
  write(LogLevel::Debug, event, std::move(fields));
}
void EventLog::flush() {
  if (logger_) logger_->flush();
}

void EventLog::write(LogLevel level, std::string_view event, nlohmann::json fields) {
  if (static_cast<int>(level) < static_cast<int>(level_)) return;
  if (!fields.is_object()) fields = nlohmann::json{{"value", std::move(fields)}};
  scrubJson(fields);
  nlohmann::json line = {{"ts", utcNow()},
                         {"level", std::string(toString(level))},
                         {"event", std::string(event)},
                         {"terminalId", terminalId_}};
  for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  logger_->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace pos::app
