// HttpClient against billing-sim with faults: every outcome class, the time-outs, the size limit,
// connection reuse, and that secrets never reach the log even at trace level.
#include <pos/sync/billing_client.hpp>
#include <pos/sync/http_client.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fstream>
#include <sstream>

#include "sim_process.hpp"
#include "sim_seed.hpp"

namespace pos::sync {
namespace {

using nlohmann::json;
using pos::testing::SimOptions;
using pos::testing::SimProcess;
using pos::testing::TempDir;

HttpClientConfig config(int port) {
  HttpClientConfig c;
  c.baseUrl = "http://127.0.0.1:" + std::to_string(port);
  c.token = SecretToken(pos::testing::kSimToken);
  c.terminalId = "T-01";
  c.connectTimeout = std::chrono::milliseconds(1000);
  c.totalTimeout = std::chrono::milliseconds(5000);
  return c;
}

std::string paymentBody(const std::string& id, std::int64_t minor = 100) {
  PaymentRequest p;
  p.billingPaymentId = id;
  p.invoiceId = "INV-CONS";
  p.checkoutId = "co-" + id;
  p.terminalId = "T-01";
  p.amount = {"USD", minor};
  p.paymentType = PaymentType::PartialPayment;
  p.capturedAt = "2026-11-21T10:00:00.000Z";
  p.capturedByUserId = "u-adv";
  p.receiptId = "rc-" + id;
  return toJson(p).dump();
}

HttpRequest postPayment(const std::string& id) {
  HttpRequest r;
  r.method = HttpMethod::Post;
  r.path = "/billing/payments";
  r.body = paymentBody(id);
  r.idempotencyKey = id;
  r.identity = {"u-adv", "corr-" + id, TraceId::generate()};
  return r;
}

HttpRequest getRoster() {
  HttpRequest r;
  r.path = "/billing/terminal/roster";
  r.identity.correlationId = "corr-roster";
  return r;
}

class Faulty : public ::testing::Test {
 protected:
  void SetUp() override {
    pos::testing::writeFile(dir_.file("seed.json"), pos::testing::contractSeed().dump());
  }
  SimProcess start(std::vector<std::string> args = {}) {
    return SimProcess(
        SimOptions{dir_.file("seed.json"), dir_.file("state.jsonl"), std::move(args), 0});
  }
  TempDir dir_;
};

TEST_F(Faulty, ConnectionRefusedIsRetryableAndNotAmbiguous) {
  // A port that was free a moment ago and has no listener.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  close(fd);
  HttpClient client(config(port));
  auto o = client.send(postPayment("pay-refused"));
  EXPECT_EQ(o.outcome, OutcomeClass::Retryable);
  EXPECT_EQ(o.transportError, "CONNECT_FAILED");
  EXPECT_EQ(o.status, 0);
}

TEST_F(Faulty, TimeOutAfterTheBodyWasSentIsAmbiguousForPostRetryableForGet) {
  auto sim = start({"--latency-ms", "1500"});
  auto cfg = config(sim.port());
  cfg.totalTimeout = std::chrono::milliseconds(300);
  HttpClient client(cfg);
  auto post = client.send(postPayment("pay-timeout"));
  EXPECT_EQ(post.outcome, OutcomeClass::Ambiguous);
  EXPECT_EQ(post.transportError, "TIMEOUT");
  auto get = client.send(getRoster());
  EXPECT_EQ(get.outcome, OutcomeClass::Retryable);
  EXPECT_EQ(get.transportError, "TIMEOUT");
  // The backend did apply the timed-out POST: resending with the same key is the remedy.
  sim.setFaults(json::object());
  auto again = HttpClient(config(sim.port())).send(postPayment("pay-timeout"));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(sim.accepted().size(), 1u);
}

TEST_F(Faulty, LostAckIsAmbiguousAndTheSameKeyGetsTheFirstAnswer) {
  auto sim = start({"--lost-ack-rate", "1"});
  HttpClient client(config(sim.port()));
  auto lost = client.send(postPayment("pay-lost"));
  EXPECT_EQ(lost.outcome, OutcomeClass::Ambiguous) << lost.code();
  EXPECT_EQ(sim.accepted().size(), 1u);  // committed, reply dropped
  sim.setFaults(json::object());
  auto again = client.send(postPayment("pay-lost"));
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(json::parse(again.body)["billingPaymentId"], "pay-lost");
  EXPECT_EQ(sim.accepted().size(), 1u);  // still one
}

TEST_F(Faulty, ResetMidReplyIsAmbiguousForPostAndNothingIsApplied) {
  auto sim = start({"--reset-rate", "1"});
  HttpClient client(config(sim.port()));
  auto post = client.send(postPayment("pay-reset"));
  EXPECT_EQ(post.outcome, OutcomeClass::Ambiguous);
  auto get = client.send(getRoster());
  EXPECT_EQ(get.outcome, OutcomeClass::Retryable);
  EXPECT_FALSE(get.transportError.empty());
  EXPECT_EQ(sim.accepted().size(), 0u);
}

TEST_F(Faulty, ThrottleCarriesRetryAfterAndServerErrorsAreRetryable) {
  auto sim = start({"--throttle-rate", "1", "--retry-after", "7"});
  HttpClient client(config(sim.port()));
  auto throttled = client.send(getRoster());
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.outcome, OutcomeClass::Retryable);
  ASSERT_TRUE(throttled.retryAfter);
  EXPECT_EQ(throttled.retryAfter->count(), 7);
  sim.setFaults({{"errorRates", {{"503", 1.0}}}});
  auto unavailable = client.send(postPayment("pay-503"));
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.outcome, OutcomeClass::Retryable);
  EXPECT_EQ(unavailable.code(), "INJECTED_503");
  sim.setFaults({{"downForMs", 60000}});
  EXPECT_EQ(client.send(getRoster()).code(), "SERVICE_UNAVAILABLE");
  EXPECT_EQ(sim.accepted().size(), 0u);
}

TEST_F(Faulty, ResponseSizeLimitAndLowSpeedLimit) {
  auto sim = start();
  auto small = config(sim.port());
  small.maxResponseBytes = 100;
  auto big = HttpClient(small).send(getRoster());
  // Oversized: not the terminal's configuration; a GET goes on offline (issue #12).
  EXPECT_EQ(big.outcome, OutcomeClass::Retryable);
  EXPECT_EQ(big.transportError, "REPLY_TOO_LARGE");

  sim.setFaults({{"slowBodyMs", 8000}});
  auto slow = config(sim.port());
  slow.lowSpeedBytesPerSecond = 100000;
  slow.lowSpeedWindow = std::chrono::seconds(1);
  auto cut = HttpClient(slow).send(getRoster());
  EXPECT_EQ(cut.outcome, OutcomeClass::Retryable);
  EXPECT_EQ(cut.transportError, "TIMEOUT");
  EXPECT_LT(cut.elapsed, std::chrono::seconds(6));
}

TEST_F(Faulty, ConnectionsAreReusedAcrossRequests) {
  auto sim = start();
  HttpClient client(config(sim.port()));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client.send(getRoster()).status, 200);
  auto seen = sim.control("GET", "/_sim/requests?limit=5")["requests"];
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& r : seen) EXPECT_EQ(r["remotePort"], seen[0]["remotePort"]);
}

TEST_F(Faulty, TokensPinsAndEmailAddressesNeverReachTheLog) {
  auto sim = start();
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);

  BillingClient c(config(sim.port()));
  RequestIdentity id{"u-adv", "corr-secrets", TraceId::generate()};
  auto grant =
      c.elevate(id, {"u-sup1", SecretToken("1234"), "co-secrets", ElevationAction::PoOverride});
  ASSERT_TRUE(grant.ok());
  ASSERT_TRUE(c.postPayment(id, PaymentRequest{"pay-s",
                                               "INV-CONS",
                                               "co-secrets",
                                               "T-01",
                                               {"USD", 10},
                                               Tender::Cash,
                                               std::nullopt,
                                               std::nullopt,
                                               std::nullopt,
                                               std::nullopt,
                                               PaymentType::PartialPayment,
                                               "2026-11-21T10:00:00.000Z",
                                               "u-adv",
                                               false,
                                               "rc-s"})
                  .ok());
  ASSERT_TRUE(c.createReceipt(id, {"rc-s",
                                   "RCP-N-INV-CONS-20261121T100000Z-001",
                                   "pay-s",
                                   "INV-CONS",
                                   PaymentType::PartialPayment,
                                   {"USD", 0},
                                   false,
                                   "2026-11-21T10:00:00.000Z",
                                   "t",
                                   "1",
                                   "text"})
                  .ok());
  auto sent = c.deliverReceipt(
      id, "rc-s",
      {"dl-s", DeliveryChannel::Email, SecretToken("secret.person@example.com"), std::nullopt});
  ASSERT_TRUE(sent.ok());
  BillingClient wrong([&] {
    auto cfg = config(sim.port());
    cfg.token = SecretToken("a-wrong-token-value");
    return cfg;
  }());
  EXPECT_EQ(wrong.roster(id).outcome.status, 401);
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_NE(log.find("/billing/auth/elevate"), std::string::npos);  // the log does see requests
  EXPECT_NE(log.find("corr-secrets"), std::string::npos);
  for (const std::string& secret :
       {std::string(pos::testing::kSimToken), std::string("a-wrong-token-value"),
        std::string("\"1234\""), std::string("secret.person"),
        grant.value->elevationToken.reveal()}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  // The simulator's journal keeps no e-mail address either.
  std::ifstream journal(dir_.file("state.jsonl"));
  std::string all((std::istreambuf_iterator<char>(journal)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.find("secret.person"), std::string::npos);
  EXPECT_EQ(all.find("1234\""), std::string::npos);
}

}  // namespace
}  // namespace pos::sync
