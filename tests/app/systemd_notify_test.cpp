// SystemdNotifier against a real AF_UNIX datagram socket standing in for systemd's notify
// socket: what systemd would receive (text and the kernel-attached sender PID), the watchdog
// arithmetic, and the environment values that must leave it disabled.
#include <pos/app/systemd_notify.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace pos::app {
namespace {

using namespace std::chrono_literals;

struct Datagram {
  std::string text;
  pid_t senderPid = -1;
};

// A bound SOCK_DGRAM socket with SO_PASSCRED, as systemd's notify socket is.
class NotifySocket {
 public:
  // A filesystem socket in a fresh temp directory, or an abstract one ("@...").
  explicit NotifySocket(bool abstract = false) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    int on = 1;
    EXPECT_EQ(::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on), 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t length = 0;
    if (abstract) {
      std::random_device rd;
      name_ = "@pos-notify-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
      std::memcpy(addr.sun_path + 1, name_.data() + 1, name_.size() - 1);
      length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    } else {
      char tmpl[] = "/tmp/pos-notify-XXXXXX";
      const char* dir = ::mkdtemp(tmpl);
      EXPECT_NE(dir, nullptr);
      dir_ = dir ? dir : "";
      name_ = dir_ + "/notify";
      std::memcpy(addr.sun_path, name_.c_str(), name_.size() + 1);
      length = static_cast<socklen_t>(sizeof addr);
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), length), 0)
        << std::strerror(errno);
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& name() const { return name_; }
  void closeNow() {
    ::close(fd_);
    fd_ = -1;
    std::filesystem::remove(name_);
  }

  // The next datagram, or nothing within `wait`.
  std::optional<Datagram> receive(std::chrono::milliseconds wait = 2000ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
    char buffer[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec iov{buffer, sizeof buffer};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &msg, 0);
    if (n < 0) return std::nullopt;
    Datagram d;
    d.text.assign(buffer, static_cast<std::size_t>(n));
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred{};
        std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
        d.senderPid = cred.pid;
      }
    }
    return d;
  }

  bool nothingPending() { return !receive(50ms).has_value(); }

 private:
  int fd_ = -1;
  std::string dir_;
  std::string name_;
};

// Sets an environment variable for one test and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(SystemdNotify, ReadyReachesTheSocketNamedByTheEnvironmentWithOurPid) {
  NotifySocket sock;
  ScopedEnv s("NOTIFY_SOCKET", sock.name().c_str());
  ScopedEnv w("WATCHDOG_USEC", "3000000");
  auto n = SystemdNotifier::fromEnvironment();
  ASSERT_TRUE(n.enabled());
  EXPECT_TRUE(n.watchdogEnabled());
  EXPECT_EQ(n.watchdogTimeout(), 3s);
  EXPECT_EQ(n.watchdogInterval(), 1500ms);

  ASSERT_TRUE(n.ready());
  auto d = sock.receive();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->text, "READY=1");
  EXPECT_EQ(d->senderPid, ::getpid());  // what NotifyAccess= is judged on
}

TEST(SystemdNotify, WatchdogStatusAndStoppingAreTheProtocolsMessages) {
  NotifySocket sock;
  auto n = SystemdNotifier::forSocket(sock.name(), "1000000");
  ASSERT_TRUE(n.watchdog());
  EXPECT_EQ(sock.receive()->text, "WATCHDOG=1");
  ASSERT_TRUE(n.status("offline, 3 queued"));
  EXPECT_EQ(sock.receive()->text, "STATUS=offline, 3 queued");
  ASSERT_TRUE(n.stopping());
  EXPECT_EQ(sock.receive()->text, "STOPPING=1");
}

TEST(SystemdNotify, StatusTextStaysOneLineSoItCannotForgeAnotherKey) {
  NotifySocket sock;
  auto n = SystemdNotifier::forSocket(sock.name());
  ASSERT_TRUE(n.status("printer offline\nREADY=1\r\nMAINPID=1"));
  EXPECT_EQ(sock.receive()->text, "STATUS=printer offline READY=1  MAINPID=1");
}

TEST(SystemdNotify, AnAbstractSocketNameWorks) {
  NotifySocket sock(/*abstract=*/true);
  auto n = SystemdNotifier::forSocket(sock.name());
  ASSERT_TRUE(n.enabled());
  ASSERT_TRUE(n.ready());
  auto d = sock.receive();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->text, "READY=1");
}

TEST(SystemdNotify, WatchdogIfDuePingsAboutFourTimesPerTimeoutWhenCalledEveryFrame) {
  NotifySocket sock;
  auto n = SystemdNotifier::forSocket(sock.name(), "4000000");  // 4 s: ping at least every 2 s
  const auto t0 = SystemdNotifier::Clock::now();
  EXPECT_TRUE(n.watchdogIfDue(t0));  // the first call always pings
  EXPECT_EQ(sock.receive()->text, "WATCHDOG=1");
  int sent = 0;
  // One call per 10 ms frame for 4 s of (given) time.
  for (auto t = t0 + 10ms; t <= t0 + 4s; t += 10ms) sent += n.watchdogIfDue(t) ? 1 : 0;
  EXPECT_EQ(sent, 4);  // at 1 s, 2 s, 3 s, 4 s
  for (int i = 0; i < sent; ++i) EXPECT_EQ(sock.receive()->text, "WATCHDOG=1");
  EXPECT_TRUE(sock.nothingPending());
}

TEST(SystemdNotify, WatchdogIfDueSendsNothingWithoutAWatchdog) {
  NotifySocket sock;
  auto n = SystemdNotifier::forSocket(sock.name());
  EXPECT_FALSE(n.watchdogEnabled());
  EXPECT_EQ(n.watchdogInterval(), 0us);
  EXPECT_FALSE(n.watchdogIfDue());
  EXPECT_TRUE(sock.nothingPending());
}

TEST(SystemdNotify, WithoutNotifySocketEveryCallIsAHarmlessFalse) {
  ScopedEnv s("NOTIFY_SOCKET", nullptr);
  ScopedEnv w("WATCHDOG_USEC", "3000000");
  auto n = SystemdNotifier::fromEnvironment();
  EXPECT_FALSE(n.enabled());
  EXPECT_FALSE(n.ready());
  EXPECT_FALSE(n.watchdog());
  EXPECT_FALSE(n.watchdogIfDue());
  EXPECT_FALSE(n.status("x"));
  EXPECT_FALSE(SystemdNotifier{}.stopping());
}

TEST(SystemdNotify, MalformedSocketNamesLeaveItDisabled) {
  const std::string tooLongPath = "/" + std::string(sizeof(sockaddr_un::sun_path), 'a');
  const std::string tooLongAbstract = "@" + std::string(sizeof(sockaddr_un::sun_path), 'a');
  for (const std::string& name :
       {std::string(), std::string("/"), std::string("@"), std::string("relative/notify"),
        std::string("vsock:2:1234"), tooLongPath, tooLongAbstract}) {
    auto n = SystemdNotifier::forSocket(name, "1000000");
    EXPECT_FALSE(n.enabled()) << name;
    EXPECT_FALSE(n.ready()) << name;
  }
}

TEST(SystemdNotify, MalformedWatchdogUsecMeansNoWatchdog) {
  NotifySocket sock;
  for (const char* usec : {"", "0", "-5", "+5", " 5", "5 ", "5s", "abc", "1e6", "0x10",
                           "99999999999999999999", "9223372036854775808"}) {
    auto n = SystemdNotifier::forSocket(sock.name(), usec);
    EXPECT_TRUE(n.enabled()) << usec;
    EXPECT_FALSE(n.watchdogEnabled()) << usec;
  }
  EXPECT_EQ(SystemdNotifier::forSocket(sock.name(), "9223372036854775807").watchdogTimeout(),
            std::chrono::microseconds(INT64_MAX));
}

TEST(SystemdNotify, ASocketThatIsGoneGivesFalseNotACrash) {
  auto sock = std::make_unique<NotifySocket>();
  auto n = SystemdNotifier::forSocket(sock->name(), "2000000");
  sock->closeNow();
  EXPECT_FALSE(n.ready());
  EXPECT_FALSE(n.watchdog());
  EXPECT_FALSE(n.watchdogIfDue());
}

}  // namespace
}  // namespace pos::app
