// Clock, RandomSource (libsodium) and RFC 3339 text.
#include <pos/checkout/clock.hpp>

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace pos::checkout {

SodiumRandomSource::SodiumRandomSource() {
  if (sodium_init() < 0) std::abort();  // no safe randomness: nothing below may run
}

void SodiumRandomSource::fill(std::span<std::byte> out) {
  randombytes_buf(out.data(), out.size());
}

namespace {

bool read_number(std::string_view text, std::size_t at, std::size_t width, int& out) {
  if (at + width > text.size()) return false;
  int value = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 20) return std::nullopt;
  if (!read_number(text, 0, 4, y) || text[4] != '-' || !read_number(text, 5, 2, mo) ||
      text[7] != '-' || !read_number(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !read_number(text, 11, 2, h) || text[13] != ':' || !read_number(text, 14, 2, mi) ||
      text[16] != ':' || !read_number(text, 17, 2, s)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;  // leap seconds are not taken
  std::size_t at = 19;
  int millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::size_t digits = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[at] - '0');
      ++digits;
      ++at;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (std::size_t i = digits; i < 3; ++i) millis *= 10;
  }
  if (at >= text.size()) return std::nullopt;
  minutes offset{0};
  if (text[at] == 'Z' || text[at] == 'z') {
    ++at;
  } else if (text[at] == '+' || text[at] == '-') {
    int oh = 0, om = 0;
    if (!read_number(text, at + 1, 2, oh) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !read_number(text, at + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = hours{oh} + minutes{om};
    if (text[at] == '-') offset = -offset;
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  return Timestamp{sys_days{date} + hours{h} + minutes{mi} + seconds{s} + milliseconds{millis} -
                   offset};
}

std::string format_rfc3339(Timestamp t) {
  using namespace std::chrono;
  const auto day_start = floor<days>(t);
  const year_month_day date{day_start};
  const hh_mm_ss<milliseconds> time{t - day_start};
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return out;
}

std::string format_compact_utc(Timestamp t) {
  using namespace std::chrono;
  const auto day_start = floor<days>(t);
  const year_month_day date{day_start};
  const hh_mm_ss<milliseconds> time{t - day_start};
  char out[40];
  std::snprintf(out, sizeof out, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return out;
}

}  // namespace pos::checkout
