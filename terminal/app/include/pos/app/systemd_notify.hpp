// SystemdNotifier: tells systemd (a Type=notify unit with WatchdogSec=) that the counter is up
// and still alive, over the NOTIFY_SOCKET datagram protocol (sd_notify(3)), without libsystemd.
//
// The kiosk unit runs `cage -- pos-terminal --fullscreen`: the app is cage's child, so
// systemd's WATCHDOG_PID names cage, not us, and sd_watchdog_enabled() would say "no" in the
// app. This client reads WATCHDOG_USEC by itself and ignores WATCHDOG_PID on purpose (the unit
// has NotifyAccess=all; cage never pings). Outside systemd (no NOTIFY_SOCKET) every call is a
// cheap no-op that returns false, so the UI calls it unconditionally.
//
// Use from the UI thread:
//   auto notifier = pos::app::SystemdNotifier::fromEnvironment();
//   ... after the first frame is presented:      notifier.ready();
//   ... in the UI loop, every iteration:         notifier.watchdogIfDue();
//   ... (the loop must wake at least every notifier.watchdogInterval(): SDL_WaitEventTimeout)
//   ... optional, shown by `systemctl status`:   notifier.status("offline, 3 queued");
//   ... on a clean shutdown:                     notifier.stopping();
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pos::app {

class SystemdNotifier {
 public:
  using Clock = std::chrono::steady_clock;

  // Disabled: every call returns false.
  SystemdNotifier() = default;

  // From $NOTIFY_SOCKET (an absolute path, or "@name" for an abstract socket; anything else
  // leaves the notifier disabled) and $WATCHDOG_USEC (a positive decimal number of
  // microseconds; anything else means no watchdog).
  [[nodiscard]] static SystemdNotifier fromEnvironment();

  // The same, from given values (tests, or a caller that read the environment itself).
  [[nodiscard]] static SystemdNotifier forSocket(std::string_view socket,
                                                 std::string_view watchdogUsec = {});

  // True when there is a socket to talk to.
  [[nodiscard]] bool enabled() const noexcept { return !socket_.empty(); }
  // True when systemd expects watchdog pings (WATCHDOG_USEC was given).
  [[nodiscard]] bool watchdogEnabled() const noexcept { return watchdogTimeout_.count() > 0; }
  // WATCHDOG_USEC as given (0 when none): a ping later than this gets the unit restarted.
  [[nodiscard]] std::chrono::microseconds watchdogTimeout() const noexcept {
    return watchdogTimeout_;
  }
  // How often to ping at the latest: half the timeout, as sd_watchdog_enabled(3) advises
  // (0 when there is no watchdog). The UI loop must wake at least this often.
  [[nodiscard]] std::chrono::microseconds watchdogInterval() const noexcept {
    return watchdogTimeout_ / 2;
  }

  // "READY=1": the first frame is on the screen. Type=notify units count as started from here.
  bool ready();
  // "WATCHDOG=1", sent now.
  bool watchdog();
  // "WATCHDOG=1" when watchdogInterval()/2 has passed since the last ping sent (so a loop that
  // calls it every frame sends about four pings per timeout, not sixty a second). Returns true
  // when a ping was sent; false when none was due, or none could be sent, or no watchdog.
  bool watchdogIfDue(Clock::time_point now = Clock::now());
  // "STATUS=<text>" (one line: line breaks become spaces), shown by `systemctl status`. Never
  // pass a secret: the text lands in the journal.
  bool status(std::string_view text);
  // "STOPPING=1": a clean shutdown has begun.
  bool stopping();

  // Sends one raw message ("KEY=VALUE\n..."). True when the whole datagram was sent.
  bool notify(std::string_view message);

 private:
  std::string socket_;  // the NOTIFY_SOCKET text ("@..." = abstract)
  std::chrono::microseconds watchdogTimeout_{0};
  std::optional<Clock::time_point> lastPing_;
};

}  // namespace pos::app
