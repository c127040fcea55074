// Raw TCP printing (port 9100, "JetDirect"): ESC/POS bytes on a plain socket, status with
// DLE EOT on the same socket.
//
// What "sent" means here: a byte counts as sent once the printer's TCP stack acknowledged it
// (the socket's unacknowledged queue, SIOCOUTQ, has drained past it), not when the kernel took
// it. A write that times out with nothing acknowledged took nothing (FAILED); one that ends
// with a reset after the kernel took bytes counts those bytes as sent (possibly printed), as the
// acknowledgements may simply not have been seen yet.
//
// Not done: TLS, IPP, name resolution bounded by the deadline (getaddrinfo blocks; use an IP
// address for printers).
#pragma once

#include <pos/drivers/printer_uri.hpp>
#include <pos/drivers/transport.hpp>

namespace pos::drivers {

struct TcpOptions {
  Clock::duration connect_timeout = std::chrono::seconds(3);
};

class TcpTransport final : public Transport {
 public:
  explicit TcpTransport(TcpAddress address, TcpOptions options = {});
  ~TcpTransport() override;

  // Connects first when not connected (and reconnects after the printer closed the socket).
  WriteResult write(ByteView bytes, Deadline deadline) override;
  // Never connects: with no connection there is nothing to read (kTimedOut at once).
  ReadResult read(std::size_t max_bytes, Deadline deadline) override;
  std::string describe() const override;
  void close() override;

 private:
  LinkError connect(Deadline deadline, std::string& detail);
  void drop();

  TcpAddress address_;
  TcpOptions options_;
  int fd_ = -1;
};

}  // namespace pos::drivers
