// A hostile HTTP server on 127.0.0.1 for the sync suites: it answers every request with one
// chosen misbehaviour (a captive portal's 200 HTML, 200 null, a 200 body for another payment, a
// 200 kB deeply nested body, a 100 MB body with or without a length) or a fixed reply, and
// records what it was asked (method, path, headers) so the tests can check the headers.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pos::testing {

enum class Hostility {
  CaptivePortal,     // 200 text/html <html>...
  JsonNull,          // 200 null
  OtherPaymentsAck,  // 200 a payment acknowledgement for another billingPaymentId
  DeepNesting,       // 200 200 kB of nested arrays
  HugeWithLength,    // 200 100 MB, Content-Length given
  HugeChunked,       // 200 100 MB, chunked (no length)
  EmptyObject,       // 200 {}
  Fixed,             // 200 fixedBody (application/json)
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& lowerName) const;
};

class HostileServer {
 public:
  explicit HostileServer(Hostility mode, std::string fixedBody = "{}");
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  int port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void setMode(Hostility mode, std::string fixedBody = "{}");
  std::vector<RecordedRequest> requests() const;

  // The bodies, exposed for parsers' tests.
  static std::string deepNesting(std::size_t bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace pos::testing
