// The sd_notify datagram protocol: one AF_UNIX SOCK_DGRAM message of newline-separated
// KEY=VALUE lines to the socket named by $NOTIFY_SOCKET. systemd learns the sender's PID from
// the kernel (SCM_CREDENTIALS), so nothing else needs to be sent.
#include <pos/app/systemd_notify.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace pos::app {

namespace {

// A positive decimal count of microseconds, nothing else (no sign, no spaces, no overflow).
std::chrono::microseconds parseWatchdogUsec(std::string_view text) {
  if (text.empty()) return std::chrono::microseconds{0};
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value == 0) return std::chrono::microseconds{0};
  // std::chrono::microseconds holds int64: a value past that is not a real timeout.
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::chrono::microseconds{0};
  return std::chrono::microseconds{static_cast<std::int64_t>(value)};
}

bool usableSocketName(std::string_view name) {
  // sun_path holds 108 bytes; a path needs its terminating NUL, an abstract name does not.
  if (name.size() < 2) return false;
  if (name.front() == '@') return name.size() <= sizeof(sockaddr_un::sun_path);
  if (name.front() == '/') return name.size() < sizeof(sockaddr_un::sun_path);
  return false;
}

}  // namespace

SystemdNotifier SystemdNotifier::fromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  const char* usec = std::getenv("WATCHDOG_USEC");
  return forSocket(socket ? socket : "", usec ? usec : "");
}

SystemdNotifier SystemdNotifier::forSocket(std::string_view socket, std::string_view watchdogUsec) {
  SystemdNotifier n;
  if (!usableSocketName(socket)) return n;
  n.socket_ = std::string(socket);
  n.watchdogTimeout_ = parseWatchdogUsec(watchdogUsec);
  return n;
}

bool SystemdNotifier::notify(std::string_view message) {
  if (!enabled() || message.empty()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  if (socket_.front() == '@') addr.sun_path[0] = '\0';
  // An abstract name's length is exact (no NUL); a path's includes its NUL.
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size() +
                                             (socket_.front() == '@' ? 0 : 1));

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t sent = -1;
  do {
    sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&addr), length);
  } while (sent < 0 && errno == EINTR);
  ::close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

bool SystemdNotifier::ready() {
  return notify("READY=1");
}

bool SystemdNotifier::watchdog() {
  if (!notify("WATCHDOG=1")) return false;
  lastPing_ = Clock::now();
  return true;
}

bool SystemdNotifier::watchdogIfDue(Clock::time_point now) {
  if (!enabled() || !watchdogEnabled()) return false;
  if (lastPing_ && now - *lastPing_ < watchdogInterval() / 2) return false;
  if (!notify("WATCHDOG=1")) return false;
  lastPing_ = now;
  return true;
}

bool SystemdNotifier::status(std::string_view text) {
  std::string message = "STATUS=";
  message.reserve(message.size() + text.size());
  for (char c : text) message.push_back(c == '\n' || c == '\r' ? ' ' : c);
  return notify(message);
}

bool SystemdNotifier::stopping() {
  return notify("STOPPING=1");
}

}  // namespace pos::app
