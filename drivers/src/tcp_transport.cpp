// Raw TCP 9100 transport (see tcp_transport.hpp for what counts as sent).
//
// Sections: helpers · connect · write · read.
#include <pos/drivers/tcp_transport.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace pos::drivers {
namespace {

// ---- helpers ---------------------------------------------------------------------------------

int poll_ms(const Deadline& d) {
  const auto ms = d.remaining().count();
  return ms > 1000000 ? 1000000 : static_cast<int>(ms);
}

LinkError errno_to_link(int err) {
  switch (err) {
    case ECONNRESET:
    case EPIPE:
    case ENOTCONN:
    case ESHUTDOWN:
      return LinkError::kUnplugged;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
      return LinkError::kRefused;
    case ETIMEDOUT:
      return LinkError::kTimedOut;
    default:
      return LinkError::kIo;
  }
}

// Bytes handed to the kernel but not yet acknowledged by the peer.
std::size_t unacknowledged(int fd) {
  int outq = 0;
  if (::ioctl(fd, SIOCOUTQ, &outq) != 0 || outq < 0) return 0;
  return static_cast<std::size_t>(outq);
}

int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err;
}

}  // namespace

TcpTransport::TcpTransport(TcpAddress address, TcpOptions options)
    : address_(std::move(address)), options_(options) {}

TcpTransport::~TcpTransport() {
  drop();
}

std::string TcpTransport::describe() const {
  return "tcp " + to_string(PrinterUri{address_}).substr(6);
}

void TcpTransport::close() {
  drop();
}

void TcpTransport::drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// ---- connect ---------------------------------------------------------------------------------

LinkError TcpTransport::connect(Deadline deadline, std::string& detail) {
  const auto until = deadline.capped(options_.connect_timeout);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto port = std::to_string(address_.port);
  if (const int rc = ::getaddrinfo(address_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    detail = fmt::format("cannot resolve {}: {}", address_.host, ::gai_strerror(rc));
    return LinkError::kNotFound;
  }
  LinkError last = LinkError::kRefused;
  for (auto* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    // Receipts are small and latency matters more than packet count.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, poll_ms(until));
      if (rc == 0) {
        ::close(fd);
        last = LinkError::kTimedOut;
        detail = fmt::format("connect to {}:{} timed out", address_.host, address_.port);
        continue;
      }
      const int err = rc < 0 ? errno : socket_error(fd);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      const int err = errno;
      ::close(fd);
      last = errno_to_link(err);
      detail =
          fmt::format("connect to {}:{}: {}", address_.host, address_.port, std::strerror(err));
      continue;
    }
    ::freeaddrinfo(found);
    fd_ = fd;
    return LinkError::kNone;
  }
  ::freeaddrinfo(found);
  return last;
}

// ---- write -----------------------------------------------------------------------------------

WriteResult TcpTransport::write(ByteView bytes, Deadline deadline) {
  WriteResult out;
  if (fd_ < 0) {
    out.error = connect(deadline, out.detail);
    if (!out.ok()) return out;
  }
  std::size_t handed = 0;  // taken by the kernel
  auto fail = [&](int err, std::string_view what) {
    out.error = errno_to_link(err);
    out.detail = fmt::format("{}: {}", what, std::strerror(err));
    // Acknowledgements may not have been seen before the reset: count what the kernel took.
    out.bytes_sent = handed;
    drop();
    return out;
  };
  while (handed < bytes.size()) {
    pollfd p{fd_, POLLOUT, 0};
    const int rc = ::poll(&p, 1, poll_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return fail(errno, "poll");
    if (rc == 0) break;  // deadline
    if ((p.revents & (POLLERR | POLLHUP)) != 0) {
      const int err = socket_error(fd_);
      return fail(err != 0 ? err : EPIPE, "send");
    }
    const auto n =
        ::send(fd_, bytes.data() + handed, bytes.size() - handed, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return fail(errno, "send");
    }
    handed += static_cast<std::size_t>(n);
  }
  // Wait for the printer to acknowledge every byte, so "sent" means it reached the printer.
  // There is no event for "acknowledged": look again after short, growing pauses (the first
  // ones shorter than a LAN round trip, so a small job is not held up by the wait itself).
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    const auto pending = unacknowledged(fd_);
    out.bytes_sent = handed - std::min(pending, handed);
    if (pending == 0 && handed == bytes.size()) return out;
    if (deadline.expired()) break;
    pollfd p{fd_, 0, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP)) != 0) {
      const int err = socket_error(fd_);
      return fail(err != 0 ? err : EPIPE, "connection");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
  out.error = LinkError::kTimedOut;
  out.detail = fmt::format("printer acknowledged {} of {} bytes before the deadline",
                           out.bytes_sent, bytes.size());
  // The socket now holds part of a job; the next job must not follow it on the same stream.
  drop();
  return out;
}

// ---- read ------------------------------------------------------------------------------------

ReadResult TcpTransport::read(std::size_t max_bytes, Deadline deadline) {
  ReadResult out;
  // Replies only come on a connection we opened to send something.
  if (fd_ < 0) return {{}, LinkError::kTimedOut, "not connected"};
  out.bytes.resize(max_bytes);
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, poll_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      out.bytes.clear();
      out.error = LinkError::kTimedOut;
      out.detail = "no reply before the deadline";
      return out;
    }
    const auto n = ::recv(fd_, out.bytes.data(), max_bytes, MSG_DONTWAIT);
    if (n > 0) {
      out.bytes.resize(static_cast<std::size_t>(n));
      return out;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    out.bytes.clear();
    out.error = LinkError::kUnplugged;
    out.detail = n == 0 ? "the printer closed the connection" : std::strerror(errno);
    drop();
    return out;
  }
}

}  // namespace pos::drivers
