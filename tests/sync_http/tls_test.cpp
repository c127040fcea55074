// TLS on loopback: a cpp-httplib SSLServer with certificates made at test time by the `openssl`
// command. Verification is always on: a self-signed certificate, a wrong host name and a pin
// mismatch are refused (a configuration problem, not a retry); the right CA and pin succeed.
#include <pos/sync/http_client.hpp>

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "sim_process.hpp"

namespace pos::sync {
namespace {

using pos::testing::TempDir;

std::string run(const std::string& command) {
  const std::string full = command + " 2>/dev/null";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return {};
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (pclose(p) != 0) throw std::runtime_error("command failed: " + command);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A TLS server answering GET /billing/ping on 127.0.0.1, in a thread of this process.
class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key) : server_(cert.c_str(), key.c_str()) {
    if (!server_.is_valid()) throw std::runtime_error("SSLServer: bad certificate or key");
    server_.Get("/billing/ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"ok":true})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // 0.11.4 has no wait_until_ready(): poll is_running().
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TlsServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string d = dir_->path();
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 ";
    run("openssl req -x509 " + ec + "-keyout " + d + "/ca.key -out " + d +
        "/ca.pem -subj '/CN=POS Test CA' -addext 'basicConstraints=critical,CA:TRUE' "
        "-addext 'keyUsage=critical,keyCertSign,cRLSign'");
    // Issued by the test CA for 127.0.0.1 (the good server) and for another name.
    run("openssl req -x509 " + ec + "-keyout " + d + "/good.key -out " + d + "/good.pem -CA " + d +
        "/ca.pem -CAkey " + d +
        "/ca.key -subj '/CN=127.0.0.1' "
        "-addext 'subjectAltName=IP:127.0.0.1,DNS:localhost'");
    run("openssl req -x509 " + ec + "-keyout " + d + "/other.key -out " + d + "/other.pem -CA " +
        d + "/ca.pem -CAkey " + d +
        "/ca.key -subj '/CN=billing.example' "
        "-addext 'subjectAltName=DNS:billing.example'");
    // Self-signed for 127.0.0.1: right name, no trusted issuer.
    run("openssl req -x509 " + ec + "-keyout " + d + "/self.key -out " + d +
        "/self.pem -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1'");
    goodPin_ = "sha256//" + run("openssl pkey -in " + d +
                                "/good.key -pubout -outform der | "
                                "openssl dgst -sha256 -binary | openssl enc -base64 -A");
    otherPin_ = "sha256//" + run("openssl pkey -in " + d +
                                 "/other.key -pubout -outform der | "
                                 "openssl dgst -sha256 -binary | openssl enc -base64 -A");
  }
  static void TearDownTestSuite() { delete dir_; }

  static HttpOutcome ping(int port, const std::string& caFile, const std::string& pin = {}) {
    HttpClientConfig c;
    c.baseUrl = "https://127.0.0.1:" + std::to_string(port);
    c.token = SecretToken("t");
    c.terminalId = "T-01";
    c.caFile = caFile;
    c.pinnedPublicKey = pin;
    c.connectTimeout = std::chrono::milliseconds(2000);
    c.totalTimeout = std::chrono::milliseconds(5000);
    HttpRequest r;
    r.path = "/billing/ping";
    return HttpClient(c).send(r);
  }
  static std::string file(const char* name) { return dir_->file(name); }

  static TempDir* dir_;
  static std::string goodPin_, otherPin_;
};
TempDir* Tls::dir_ = nullptr;
std::string Tls::goodPin_, Tls::otherPin_;

TEST_F(Tls, RightCaAndRightPinAreAccepted) {
  TlsServer server(file("good.pem"), file("good.key"));
  auto withCa = ping(server.port(), file("ca.pem"));
  EXPECT_EQ(withCa.status, 200) << withCa.code();
  auto pinned = ping(server.port(), file("ca.pem"), goodPin_);
  EXPECT_EQ(pinned.status, 200) << pinned.code();
}

TEST_F(Tls, CertificateFromAnUnknownIssuerIsRefused) {
  TlsServer server(file("good.pem"), file("good.key"));
  auto o = ping(server.port(), "");  // the system's CAs do not know the test CA
  EXPECT_EQ(o.outcome, OutcomeClass::ConfigurationProblem);
  EXPECT_EQ(o.transportError, "TLS_VERIFICATION_FAILED");
}

TEST_F(Tls, SelfSignedCertificateIsRefused) {
  TlsServer server(file("self.pem"), file("self.key"));
  auto o = ping(server.port(), file("ca.pem"));
  EXPECT_EQ(o.outcome, OutcomeClass::ConfigurationProblem);
  EXPECT_EQ(o.transportError, "TLS_VERIFICATION_FAILED");
  EXPECT_EQ(o.status, 0);
}

TEST_F(Tls, WrongHostNameIsRefused) {
  TlsServer server(file("other.pem"), file("other.key"));
  auto o = ping(server.port(), file("ca.pem"));
  EXPECT_EQ(o.outcome, OutcomeClass::ConfigurationProblem);
  EXPECT_EQ(o.transportError, "TLS_VERIFICATION_FAILED");
}

TEST_F(Tls, PinMismatchIsRefusedEvenWithATrustedCertificate) {
  TlsServer server(file("good.pem"), file("good.key"));
  auto o = ping(server.port(), file("ca.pem"), otherPin_);
  EXPECT_EQ(o.outcome, OutcomeClass::ConfigurationProblem);
  EXPECT_EQ(o.transportError, "TLS_PIN_MISMATCH");
}

TEST_F(Tls, UnreadableCaFileIsAConfigurationProblem) {
  TlsServer server(file("good.pem"), file("good.key"));
  auto o = ping(server.port(), file("no-such-ca.pem"));
  EXPECT_EQ(o.outcome, OutcomeClass::ConfigurationProblem);
}

}  // namespace
}  // namespace pos::sync
