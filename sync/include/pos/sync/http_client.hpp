// The HTTP client the terminal uses to reach the billing backend (libcurl).
//
// Sections: SecretToken · configuration · request identity (headers) · outcomes · HttpClient
//
// What it guarantees on every request: a connect time-out, a total time-out and a low-speed
// limit (libcurl's defaults never time out); TLS peer and host verification always on (there is
// no option to turn it off); an optional CA file and public-key pin; a response size limit; and
// every header the billing contract names. Bodies, the bearer token, PINs and e-mail addresses are
// never logged: the log line of a request is method, path, status, duration and correlation id.
//
// One HttpClient owns one libcurl easy handle and therefore one connection cache: connections are
// reused (keep-alive) between requests of the same client. It is not thread-safe; give each worker
// thread its own client.
#pragma once

#include <pos/sync/http_trace_context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pos::sync {

// Holds the terminal's bearer token. No stream operator, no formatter: the only way out is
// reveal(), called in one place (the Authorization header).
class SecretToken {
 public:
  SecretToken() = default;
  explicit SecretToken(std::string value) : value_(std::move(value)) {}
  SecretToken(const SecretToken&) = default;
  SecretToken& operator=(const SecretToken&) = default;
  ~SecretToken();
  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

struct HttpClientConfig {
  std::string baseUrl;  // "https://billing.example:8443" (no trailing slash needed)
  SecretToken token;
  std::string terminalId;
  std::string caFile;           // empty: the system's CA store
  std::string pinnedPublicKey;  // empty: no pin; else "sha256//<base64>[;sha256//...]"
  std::chrono::milliseconds connectTimeout{3000};
  std::chrono::milliseconds totalTimeout{15000};
  // Abort when fewer than lowSpeedBytesPerSecond arrive during lowSpeedWindow.
  long lowSpeedBytesPerSecond = 16;
  std::chrono::seconds lowSpeedWindow{10};
  std::size_t maxResponseBytes = 8 * 1024 * 1024;
  std::string userAgent = "pos-terminal/0.1";
};

// Who asks, for which checkout: the identity headers of one request.
struct RequestIdentity {
  std::string operatorId;        // X-Operator-Id, omitted when empty
  std::string correlationId;     // X-Correlation-Id (the checkout's UUIDv7)
  std::optional<TraceId> trace;  // one per checkout; a fresh one per request when absent
};

enum class HttpMethod { Get, Post };

// One request. A POST that creates something carries its idempotency key (the created id).
struct HttpRequest {
  HttpMethod method = HttpMethod::Get;
  std::string path;            // "/billing/payments" with an already-encoded query, if any
  std::string body;            // JSON text for POST
  std::string idempotencyKey;  // required on creating POSTs; empty otherwise
  std::string ifNoneMatch;     // ETag of the cached snapshot, empty for none
  RequestIdentity identity;
};

// A reply larger than HttpClientConfig::maxResponseBytes: not the terminal's configuration and
// not a refusal; Retryable for a GET (the caller goes on offline), Ambiguous for a POST that was
// sent. (Before, it was a ConfigurationProblem named RESPONSE_TOO_LARGE.)
inline constexpr std::string_view kReplyTooLarge = "REPLY_TOO_LARGE";
// A reply whose body nests deeper than kMaxJsonNesting (integrity.hpp): the body is dropped
// before anyone parses it; classed like kReplyTooLarge.
inline constexpr std::string_view kReplyMalformed = "REPLY_MALFORMED";

// How a request ended. The class decides what the caller may do next.
enum class OutcomeClass {
  Success,               // 2xx
  NotModified,           // 304 to If-None-Match: keep the cached snapshot
  NotFound,              // 404 (for rules: unconfigured)
  BusinessRefusal,       // 409, 422, 423, and 401 ELEVATION_DENIED: the answer, do not resend
  ConfigurationProblem,  // 400, 401 (token), 403, other 4xx, TLS refusal, bad URL: stop
  Retryable,             // 408, 429, 5xx, or a transport failure before the body was sent;
                         // for a GET also REPLY_TOO_LARGE and REPLY_MALFORMED (go on offline)
  Ambiguous,             // a transport failure after the body was sent: the backend may have
                         // applied it; resend with the SAME idempotency key
};
std::string_view toString(OutcomeClass c);

// The contract's error body. Unknown fields are ignored; missing ones stay empty.
struct ApiError {
  std::string errorCode;
  std::string message;
  std::string reasonCode;
  std::vector<std::string> missingFields;
  std::vector<std::string> blockers;
  std::string correlationId;
};
// Strict: nullopt unless the text is a JSON object with a string errorCode.
std::optional<ApiError> parseApiError(std::string_view body);

struct HttpOutcome {
  OutcomeClass outcome = OutcomeClass::Retryable;
  long status = 0;   // 0 when no status line arrived
  std::string body;  // the response body (success or error)
  std::string etag;  // ETag header, if any
  std::optional<std::chrono::seconds> retryAfter;
  std::optional<ApiError> error;  // parsed error body for non-2xx, when it parses
  // Stable code for transport-level failures ("TIMEOUT", "CONNECTION_RESET", "CONNECT_FAILED",
  // "TLS_VERIFICATION_FAILED", "TLS_PIN_MISMATCH", "REPLY_TOO_LARGE", "REPLY_MALFORMED", ...);
  // else empty.
  std::string transportError;
  std::string correlationId;  // the X-Correlation-Id this request carried
  std::string spanId;         // the span of this request (for logs and support)
  std::chrono::microseconds elapsed{0};

  bool ok() const { return outcome == OutcomeClass::Success; }
  // The code to show: the error body's code, else the transport code, else "HTTP_<status>".
  std::string code() const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientConfig config);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Never throws for I/O: every failure is an outcome.
  HttpOutcome send(const HttpRequest& request);

  const HttpClientConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pos::sync
