// A raw-9100 printer on 127.0.0.1 for TCP transport tests: it records what it receives,
// answers DLE EOT, and can stall (stop reading) or close the connection mid-job with a reset.
#pragma once

#include <pos/drivers/transport.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace pos::drivers::testing {

class FakeTcpPrinter {
 public:
  enum class Mode { kAnswer, kStallAfter, kResetAfter };

  explicit FakeTcpPrinter(Mode mode = Mode::kAnswer, std::size_t after = 0, int receive_buffer = 0)
      : mode_(mode), after_(after) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Set before listen() so accepted sockets inherit it: a small window makes a stall show.
    if (receive_buffer > 0)
      ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 4) != 0) {
      throw std::runtime_error("fake printer: bind/listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeTcpPrinter() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  void set_paper_out(bool out) { paper_out_ = out; }
  Bytes received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int connections() const { return connections_; }
  bool wait_received(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      talk(fd);
      ::close(fd);
      mode_ = Mode::kAnswer;  // a reconnecting client finds a healthy printer
    }
  }

  void talk(int fd) {
    std::size_t scanned = 0;
    while (!stop_) {
      std::size_t want = 4096;
      {
        std::lock_guard lock(mutex_);
        if (mode_ != Mode::kAnswer && received_.size() >= after_) {
          if (mode_ == Mode::kResetAfter) {
            linger l{1, 0};  // close with RST, as a printer that reboots or drops the link
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            return;
          }
          want = 0;  // stalled: read nothing more
        } else if (mode_ != Mode::kAnswer) {
          want = std::min(want, after_ - received_.size());
        }
      }
      if (want == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      std::uint8_t buf[4096];
      const auto n = ::recv(fd, buf, want, 0);
      if (n <= 0) return;
      Bytes replies;
      {
        std::lock_guard lock(mutex_);
        received_.insert(received_.end(), buf, buf + n);
        for (; scanned + 3 <= received_.size(); ++scanned) {
          if (received_[scanned] != 0x10 || received_[scanned + 1] != 0x04) continue;
          const auto q = received_[scanned + 2];
          const bool out = paper_out_;
          replies.push_back(q == 1   ? (out ? 0x1e : 0x16)
                            : q == 2 ? (out ? 0x32 : 0x12)
                            : q == 4 ? (out ? 0x72 : 0x12)
                                     : 0x12);
          scanned += 2;
        }
      }
      changed_.notify_all();
      if (!replies.empty()) (void)!::send(fd, replies.data(), replies.size(), MSG_NOSIGNAL);
    }
  }

  Mode mode_;
  std::size_t after_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> paper_out_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Bytes received_;
  std::thread thread_;
};

}  // namespace pos::drivers::testing
