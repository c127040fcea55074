// billing-sim: the billing backend simulator, served over HTTP on 127.0.0.1 (cpp-httplib).
//
// Sections: faults (options and runtime control) · request conversion · the handler (faults
// around the backend) · test control endpoints (/_sim/...) · main (options, signals, listen)
//
// Usage:
//   billing-sim --seed seed.json [--state journal.jsonl] [--port 0] [--threads 32]
//     [--error-rate 500=0.2 --error-rate 503=0.05] [--reset-rate 0.1] [--lost-ack-rate 0.05]
//     [--throttle-rate 0.05 --retry-after 1] [--latency-ms 2 --latency-jitter-ms 10]
//     [--slow-body-ms 200] [--down-for-ms 5000] [--rng-seed 42]
//     [--tls-cert cert.pem --tls-key key.pem] [--exit-with-parent]
// Prints "LISTENING 127.0.0.1:<port>" on stdout once it accepts connections.
//
// Faults apply to /billing/... only, in this order: latency; down period (503); 429 with
// Retry-After; an injected error status (nothing applied); a reset (nothing applied, the reply cut
// mid-body); the request itself; a lost ack (applied, then the reply cut before its body); a slow
// body (the reply trickled out in four parts).
//
// Test controls (no auth; loopback only): GET /_sim/health, GET /_sim/accepted (every committed
// create, payments with their bodies), GET /_sim/requests?limit=N (recent requests' headers,
// Authorization left out), POST /_sim/faults (JSON, same names as the options, replaces all
// faults), POST /_sim/clock {"advanceSeconds": N}, POST /_sim/shutdown.
#include "billing_sim_backend.hpp"

#include <httplib.h>
#include <CLI/CLI.hpp>

#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace {

using nlohmann::json;

struct Faults {
  std::map<int, double> errorRates;
  double resetRate = 0, lostAckRate = 0, throttleRate = 0;
  int retryAfterSeconds = 1;
  int latencyMs = 0, latencyJitterMs = 0, slowBodyMs = 0;
  std::int64_t downUntilMs = 0;  // steady-clock ms
};

std::int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class FaultPlan {
 public:
  explicit FaultPlan(std::uint64_t seed) : rng_(seed) {}
  void set(Faults f) {
    std::lock_guard lock(mu_);
    faults_ = std::move(f);
  }
  Faults get() const {
    std::lock_guard lock(mu_);
    return faults_;
  }
  double roll() {
    std::lock_guard lock(mu_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  int jitter(int max) {
    if (max <= 0) return 0;
    std::lock_guard lock(mu_);
    return std::uniform_int_distribution<int>(0, max)(rng_);
  }

 private:
  mutable std::mutex mu_;
  Faults faults_;
  std::mt19937_64 rng_;
};

Faults faultsFromJson(const json& j) {
  Faults f;
  const json rates = j.value("errorRates", json::object());
  for (const auto& [code, rate] : rates.items()) {
    f.errorRates[std::stoi(code)] = rate.get<double>();
  }
  f.resetRate = j.value("resetRate", 0.0);
  f.lostAckRate = j.value("lostAckRate", 0.0);
  f.throttleRate = j.value("throttleRate", 0.0);
  f.retryAfterSeconds = j.value("retryAfterSeconds", 1);
  f.latencyMs = j.value("latencyMs", 0);
  f.latencyJitterMs = j.value("latencyJitterMs", 0);
  f.slowBodyMs = j.value("slowBodyMs", 0);
  const int downForMs = j.value("downForMs", 0);
  f.downUntilMs = downForMs > 0 ? steadyMs() + downForMs : 0;
  return f;
}

pos::sim::SimRequest convert(const httplib::Request& req) {
  pos::sim::SimRequest r;
  r.method = req.method;
  r.path = req.path;
  for (const auto& [k, v] : req.params) r.query.emplace(k, v);
  for (const auto& [k, v] : req.headers) {
    std::string name = k;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = v;
  }
  r.body = req.body;
  r.remotePort = req.remote_port;
  return r;
}

std::string errorBody(const std::string& code, const std::string& message,
                      const httplib::Request& req) {
  return json{{"errorCode", code},
              {"message", message},
              {"missingFields", json::array()},
              {"blockers", json::array()},
              {"correlationId", req.get_header_value("X-Correlation-Id")}}
      .dump();
}

// Sends the headers, then `keep` bytes of the body, then closes the connection (the provider's
// false return makes cpp-httplib drop it): the client sees a reply cut short.
void cutReply(httplib::Response& res, std::string body, std::size_t keep) {
  auto shared = std::make_shared<std::string>(std::move(body));
  res.set_content_provider(shared->size(), "application/json",
                           [shared, keep](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset < keep) sink.write(shared->data() + offset, keep - offset);
                             return false;
                           });
}

void slowReply(httplib::Response& res, std::string body, int totalMs) {
  auto shared = std::make_shared<std::string>(std::move(body));
  const std::size_t part = std::max<std::size_t>(1, (shared->size() + 3) / 4);
  res.set_content_provider(shared->size(), "application/json",
                           [shared, part, totalMs](size_t offset, size_t, httplib::DataSink& sink) {
                             if (offset > 0) {
                               std::this_thread::sleep_for(std::chrono::milliseconds(totalMs / 4));
                             }
                             const std::size_t n = std::min(part, shared->size() - offset);
                             return sink.write(shared->data() + offset, n);
                           });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"billing backend simulator"};
  std::string seedPath, statePath, host = "127.0.0.1", tlsCert, tlsKey;
  int port = 0;
  int threads = 32;
  std::vector<std::string> errorRates;
  json cliFaults = json::object();
  double resetRate = 0, lostAckRate = 0, throttleRate = 0;
  int retryAfter = 1, latencyMs = 0, latencyJitterMs = 0, slowBodyMs = 0, downForMs = 0;
  std::uint64_t rngSeed = std::random_device{}();
  app.add_option("--seed", seedPath, "seed data (JSON)")->required()->check(CLI::ExistingFile);
  app.add_option("--state", statePath, "journal file: state persists across restarts");
  app.add_option("--host", host, "address to listen on");
  app.add_option("--port", port, "port (0: any free port, printed)");
  app.add_option("--threads", threads, "worker threads (one per kept-alive connection)");
  app.add_option("--error-rate", errorRates, "STATUS=RATE, e.g. 500=0.2 (repeatable)");
  app.add_option("--reset-rate", resetRate, "share of requests cut mid-reply, not applied");
  app.add_option("--lost-ack-rate", lostAckRate, "share of applied requests whose reply is cut");
  app.add_option("--throttle-rate", throttleRate, "share of requests answered 429");
  app.add_option("--retry-after", retryAfter, "Retry-After seconds on 429");
  app.add_option("--latency-ms", latencyMs, "added latency");
  app.add_option("--latency-jitter-ms", latencyJitterMs, "uniform extra latency 0..N");
  app.add_option("--slow-body-ms", slowBodyMs, "replies trickle out over N ms");
  app.add_option("--down-for-ms", downForMs, "answer 503 to everything for N ms from start");
  app.add_option("--rng-seed", rngSeed, "fault dice seed");
  app.add_option("--tls-cert", tlsCert, "serve HTTPS with this certificate (PEM)");
  app.add_option("--tls-key", tlsKey, "... and this private key (PEM)");
  bool exitWithParent = false;
  app.add_flag("--exit-with-parent", exitWithParent,
               "stop when the process that started it dies (tests: no orphan survives a crash)");
  CLI11_PARSE(app, argc, argv);
  if (exitWithParent) {
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return 0;  // the parent died before the line above
  }

  for (const auto& e : errorRates) {
    const auto eq = e.find('=');
    if (eq == std::string::npos) {
      std::cerr << "--error-rate wants STATUS=RATE\n";
      return 2;
    }
    cliFaults["errorRates"][e.substr(0, eq)] = std::stod(e.substr(eq + 1));
  }
  cliFaults["resetRate"] = resetRate;
  cliFaults["lostAckRate"] = lostAckRate;
  cliFaults["throttleRate"] = throttleRate;
  cliFaults["retryAfterSeconds"] = retryAfter;
  cliFaults["latencyMs"] = latencyMs;
  cliFaults["latencyJitterMs"] = latencyJitterMs;
  cliFaults["slowBodyMs"] = slowBodyMs;
  cliFaults["downForMs"] = downForMs;

  json seed;
  try {
    std::ifstream in(seedPath);
    seed = json::parse(in);
  } catch (const std::exception& e) {
    std::cerr << "billing-sim: unreadable seed " << seedPath << ": " << e.what() << "\n";
    return 6;
  }
  std::unique_ptr<pos::sim::Backend> backend;
  try {
    backend = std::make_unique<pos::sim::Backend>(seed, statePath);
  } catch (const std::exception& e) {
    std::cerr << "billing-sim: " << e.what() << "\n";
    return 6;
  }
  FaultPlan plan(rngSeed);
  plan.set(faultsFromJson(cliFaults));

  // Signals are taken by a thread of our own (sigwait), which stops the server cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<httplib::Server> server;
  if (!tlsCert.empty()) {
    server = std::make_unique<httplib::SSLServer>(tlsCert.c_str(), tlsKey.c_str());
  } else {
    server = std::make_unique<httplib::Server>();
  }
  if (!server->is_valid()) {
    std::cerr << "billing-sim: server setup failed (TLS files?)\n";
    return 6;
  }
  const auto poolSize = static_cast<size_t>(std::max(2, threads));
  server->new_task_queue = [poolSize] { return new httplib::ThreadPool(poolSize); };
  // TCP_NODELAY (inherited by accepted sockets): cpp-httplib writes the headers and the body
  // separately, and Nagle's algorithm against the client's delayed ACK would add ~40 ms to
  // every reply. SO_REUSEADDR as cpp-httplib's default does, so a restart reuses its port.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  server->set_keep_alive_max_count(100000);
  server->set_keep_alive_timeout(30);
  server->set_payload_max_length(1 << 20);

  auto billing = [&](const httplib::Request& req, httplib::Response& res) {
    const Faults f = plan.get();
    const int delay = f.latencyMs + plan.jitter(f.latencyJitterMs);
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    if (f.downUntilMs > steadyMs()) {
      res.status = 503;
      res.set_content(errorBody("SERVICE_UNAVAILABLE", "backend down (simulated)", req),
                      "application/json");
      return;
    }
    if (f.throttleRate > 0 && plan.roll() < f.throttleRate) {
      res.status = 429;
      res.set_header("Retry-After", std::to_string(f.retryAfterSeconds));
      res.set_content(errorBody("RATE_LIMITED", "slow down", req), "application/json");
      return;
    }
    for (const auto& [status, rate] : f.errorRates) {
      if (rate > 0 && plan.roll() < rate) {
        res.status = status;
        res.set_content(errorBody("INJECTED_" + std::to_string(status), "injected fault", req),
                        "application/json");
        return;
      }
    }
    if (f.resetRate > 0 && plan.roll() < f.resetRate) {
      res.status = 500;
      const std::string body = errorBody("RESET", "connection reset (simulated)", req);
      cutReply(res, body, body.size() / 2);
      return;
    }
    pos::sim::SimReply reply = backend->handle(convert(req));
    res.status = reply.status;
    for (const auto& [k, v] : reply.headers) res.set_header(k, v);
    if (reply.committed && f.lostAckRate > 0 && plan.roll() < f.lostAckRate) {
      cutReply(res, reply.body, 0);
      return;
    }
    if (reply.status == 304 || reply.body.empty()) return;
    if (f.slowBodyMs > 0) {
      slowReply(res, reply.body, f.slowBodyMs);
      return;
    }
    res.set_content(reply.body, "application/json");
  };
  // A bug in the simulator is a 500 with the reason on stderr (never silently a "fault").
  server->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          std::cerr << "billing-sim: " << req.method << " " << req.path << ": " << e.what() << "\n";
        } catch (...) {
          std::cerr << "billing-sim: " << req.method << " " << req.path << ": unknown exception\n";
        }
        res.status = 500;
        res.set_content(errorBody("SIMULATOR_BUG", "see the simulator's stderr", req),
                        "application/json");
      });
  server->Get(R"(/billing/.*)", billing);
  server->Post(R"(/billing/.*)", billing);

  server->Get("/_sim/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"ok":true})", "application/json");
  });
  server->Get("/_sim/accepted", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(json{{"accepted", backend->accepted()}}.dump(), "application/json");
  });
  server->Get("/_sim/requests", [&](const httplib::Request& req, httplib::Response& res) {
    const std::size_t limit =
        req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : std::size_t{100};
    res.set_content(json{{"requests", backend->recentRequests(limit)}}.dump(), "application/json");
  });
  server->Post("/_sim/faults", [&](const httplib::Request& req, httplib::Response& res) {
    auto j = json::parse(req.body, nullptr, false);
    if (!j.is_object()) {
      res.status = 400;
      return;
    }
    plan.set(faultsFromJson(j));
    res.set_content(R"({"ok":true})", "application/json");
  });
  server->Post("/_sim/clock", [&](const httplib::Request& req, httplib::Response& res) {
    auto j = json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("advanceSeconds")) {
      res.status = 400;
      return;
    }
    backend->advanceClock(std::chrono::seconds(j["advanceSeconds"].get<std::int64_t>()));
    res.set_content(R"({"ok":true})", "application/json");
  });
  server->Post("/_sim/shutdown", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"ok":true})", "application/json");
    std::thread([&] { server->stop(); }).detach();
  });

  if (port == 0) {
    port = server->bind_to_any_port(host);
  } else if (!server->bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    std::cerr << "billing-sim: cannot listen on " << host << "\n";
    return 5;
  }
  std::thread signalWaiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server->stop();
  });
  signalWaiter.detach();
  std::cout << "LISTENING " << host << ":" << port << std::endl;
  server->listen_after_bind();
  return 0;
}
