// HostileServer on cpp-httplib (see hostile_server.hpp).
#include "hostile_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace pos::testing {

std::string RecordedRequest::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? std::string{} : it->second;
}

struct HostileServer::Impl {
  httplib::Server server;
  std::thread thread;
  mutable std::mutex mu;
  Hostility mode;
  std::string fixed;
  std::vector<RecordedRequest> seen;

  void answer(const httplib::Request& req, httplib::Response& res) {
    Hostility m;
    std::string body;
    {
      std::lock_guard lock(mu);
      RecordedRequest r;
      r.method = req.method;
      r.path = req.path;
      for (const auto& [k, v] : req.headers) {
        std::string name = k;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        r.headers.emplace(name, v);
      }
      seen.push_back(std::move(r));
      m = mode;
      body = fixed;
    }
    res.status = 200;
    switch (m) {
      case Hostility::CaptivePortal:
        res.set_content(
            "<html><head><title>Welcome to Guest Wi-Fi</title></head><body>Please sign in"
            "</body></html>",
            "text/html");
        break;
      case Hostility::JsonNull:
        res.set_content("null", "application/json");
        break;
      case Hostility::OtherPaymentsAck:
        res.set_content(
            R"({"billingPaymentId":"someone-elses-payment","status":"POSTED","invoice":)"
            R"({"invoiceId":"INV-X","status":"ISSUED","balanceDue":{"currency":"USD","amountMinor":1}}})",
            "application/json");
        break;
      case Hostility::DeepNesting:
        res.set_content(deepNesting(200 * 1024), "application/json");
        break;
      case Hostility::HugeWithLength:
      case Hostility::HugeChunked: {
        constexpr std::size_t kTotal = 100u * 1024u * 1024u;
        auto chunk = std::make_shared<std::string>(64 * 1024, ' ');
        auto provide = [chunk](std::size_t offset, httplib::DataSink& sink) {
          if (offset >= kTotal) return false;
          const std::size_t n = std::min(chunk->size(), kTotal - offset);
          return sink.write(chunk->data(), n);
        };
        if (m == Hostility::HugeWithLength) {
          res.set_content_provider(kTotal, "application/json",
                                   [provide](std::size_t offset, std::size_t,
                                             httplib::DataSink& s) { return provide(offset, s); });
        } else {
          auto sent = std::make_shared<std::size_t>(0);
          res.set_chunked_content_provider("application/json",
                                           [chunk, sent](std::size_t, httplib::DataSink& s) {
                                             if (*sent >= kTotal) {
                                               s.done();
                                               return true;
                                             }
                                             *sent += chunk->size();
                                             return s.write(chunk->data(), chunk->size());
                                           });
        }
        break;
      }
      case Hostility::EmptyObject:
        res.set_content("{}", "application/json");
        break;
      case Hostility::Fixed:
        res.set_content(body, "application/json");
        break;
    }
  }
};

HostileServer::HostileServer(Hostility mode, std::string fixedBody)
    : impl_(std::make_unique<Impl>()) {
  impl_->mode = mode;
  impl_->fixed = std::move(fixedBody);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->answer(req, res);
  };
  impl_->server.Get(".*", handler);
  impl_->server.Post(".*", handler);
  port_ = impl_->server.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("hostile server: cannot bind 127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HostileServer::~HostileServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void HostileServer::setMode(Hostility mode, std::string fixedBody) {
  std::lock_guard lock(impl_->mu);
  impl_->mode = mode;
  impl_->fixed = std::move(fixedBody);
}

std::vector<RecordedRequest> HostileServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

std::string HostileServer::deepNesting(std::size_t bytes) {
  std::string s;
  s.reserve(bytes);
  const std::size_t half = bytes / 2;
  s.append(half, '[');
  s.append(half, ']');
  return s;
}

}  // namespace pos::testing
