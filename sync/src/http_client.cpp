// HttpClient on libcurl.
//
// Sections: global init · error body · outcome classification · Impl (options, headers, send)
//
// Outcome classification, in order:
//   1. a libcurl error: TLS refusals and a bad URL are configuration problems (nothing a retry
//      fixes); any other failure, an oversized reply (REPLY_TOO_LARGE) included, is Retryable
//      when the request never left, and Ambiguous for a POST whose request had been sent
//      (libcurl counts the bytes it sent in CURLINFO_REQUEST_SIZE): the backend may have
//      applied it.
//   2. a body nested deeper than kMaxJsonNesting: REPLY_MALFORMED, classed as in 1.
//   3. a status: see OutcomeClass.
#include <pos/sync/http_client.hpp>
#include <pos/sync/integrity.hpp>

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace pos::sync {

SecretToken::~SecretToken() {
  // Best effort: overwrite the token before the memory goes back to the allocator.
  volatile char* p = value_.data();
  for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
}

std::string_view toString(OutcomeClass c) {
  switch (c) {
    case OutcomeClass::Success:
      return "SUCCESS";
    case OutcomeClass::NotModified:
      return "NOT_MODIFIED";
    case OutcomeClass::NotFound:
      return "NOT_FOUND";
    case OutcomeClass::BusinessRefusal:
      return "BUSINESS_REFUSAL";
    case OutcomeClass::ConfigurationProblem:
      return "CONFIGURATION_PROBLEM";
    case OutcomeClass::Retryable:
      return "RETRYABLE";
    case OutcomeClass::Ambiguous:
      return "AMBIGUOUS";
  }
  return "UNKNOWN";
}

std::optional<ApiError> parseApiError(std::string_view body) {
  auto j = parse_outside_json(body);
  if (!j.is_object()) return std::nullopt;
  auto code = j.find("errorCode");
  if (code == j.end() || !code->is_string() || code->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  ApiError e;
  e.errorCode = code->get<std::string>();
  auto str = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) out = it->get<std::string>();
  };
  auto list = [&](const char* key, std::vector<std::string>& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return;
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  };
  str("message", e.message);
  str("reasonCode", e.reasonCode);
  str("correlationId", e.correlationId);
  list("missingFields", e.missingFields);
  list("blockers", e.blockers);
  return e;
}

std::string HttpOutcome::code() const {
  if (error) return error->errorCode;
  if (!transportError.empty()) return transportError;
  return "HTTP_" + std::to_string(status);
}

namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
}

OutcomeClass classifyStatus(long status, const std::optional<ApiError>& error) {
  if (status >= 200 && status < 300) return OutcomeClass::Success;
  if (status == 304) return OutcomeClass::NotModified;
  if (status == 404) return OutcomeClass::NotFound;
  if (status == 409 || status == 422 || status == 423) return OutcomeClass::BusinessRefusal;
  // 401 is "bad terminal token" except on elevation, where it is the wrong-PIN answer.
  if (status == 401 && error && error->errorCode == "ELEVATION_DENIED") {
    return OutcomeClass::BusinessRefusal;
  }
  if (status == 408 || status == 429 || status >= 500) return OutcomeClass::Retryable;
  return OutcomeClass::ConfigurationProblem;
}

struct TransportFailure {
  std::string code;
  bool configuration = false;  // no retry can fix it
};

TransportFailure describe(CURLcode rc, bool tooLarge) {
  switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return {"TLS_VERIFICATION_FAILED", true};
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return {"TLS_PIN_MISMATCH", true};
    case CURLE_SSL_CACERT_BADFILE:
      return {"TLS_CA_FILE_UNREADABLE", true};
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_CIPHER:
      return {"TLS_CONFIGURATION", true};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {"BAD_URL", true};
    // An oversized reply is not the terminal's configuration (nothing a person at the terminal
    // can fix, and not a refusal of its credentials): the link or the backend misbehaves. Like
    // a broken transfer it is Retryable (GET) or Ambiguous (a POST that was sent).
    case CURLE_FILESIZE_EXCEEDED:
      return {std::string{kReplyTooLarge}, false};
    case CURLE_WRITE_ERROR:
      if (tooLarge) return {std::string{kReplyTooLarge}, false};
      return {"WRITE_ERROR", false};
    case CURLE_COULDNT_RESOLVE_HOST:
      return {"DNS_FAILED", false};
    case CURLE_COULDNT_CONNECT:
      return {"CONNECT_FAILED", false};
    case CURLE_OPERATION_TIMEDOUT:
      return {"TIMEOUT", false};
    case CURLE_SSL_CONNECT_ERROR:
      return {"TLS_HANDSHAKE_FAILED", false};
    case CURLE_GOT_NOTHING:
      return {"EMPTY_REPLY", false};
    case CURLE_PARTIAL_FILE:
      return {"PARTIAL_REPLY", false};
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      return {"CONNECTION_RESET", false};
    default:
      return {std::string("TRANSPORT_") + std::to_string(static_cast<int>(rc)), false};
  }
}

std::string trimHeaderValue(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
    v.remove_suffix(1);
  }
  return std::string(v);
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

struct Exchange {
  std::string body;
  std::string etag;
  std::size_t limit = 0;
  bool tooLarge = false;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (ex->body.size() + n > ex->limit) {
    ex->tooLarge = true;
    return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
  }
  ex->body.append(data, n);
  return n;
}

size_t onHeader(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  // A new status line (after a 100 Continue or a retried connection) starts afresh.
  if (startsWithNoCase(line, "HTTP/")) ex->etag.clear();
  if (startsWithNoCase(line, "etag:")) ex->etag = trimHeaderValue(line.substr(5));
  return n;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& h) {
    curl_slist* next = curl_slist_append(list, h.c_str());
    if (next == nullptr) throw std::bad_alloc();
    list = next;
  }
};

}  // namespace

struct HttpClient::Impl {
  HttpClientConfig config;
  CURL* curl = nullptr;

  explicit Impl(HttpClientConfig c) : config(std::move(c)) {
    globalInit();
    curl = curl_easy_init();
    if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
    while (!config.baseUrl.empty() && config.baseUrl.back() == '/') config.baseUrl.pop_back();
  }
  ~Impl() { curl_easy_cleanup(curl); }

  void setCommonOptions(Exchange& ex) {
    // curl_easy_reset keeps the connection cache, so keep-alive survives between requests.
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config.connectTimeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config.totalTimeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, config.lowSpeedBytesPerSecond);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(config.lowSpeedWindow.count()));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(config.maxResponseBytes));
    // Verification is never optional (no option exists to turn it off).
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!config.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config.caFile.c_str());
    if (!config.pinnedPublicKey.empty()) {
      curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, config.pinnedPublicKey.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_USERAGENT, config.userAgent.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  }

  HttpOutcome send(const HttpRequest& req) {
    const auto started = std::chrono::steady_clock::now();
    HttpOutcome out;
    out.spanId = generateSpanId();
    const TraceId trace = req.identity.trace ? *req.identity.trace : TraceId::generate();

    Exchange ex;
    ex.limit = config.maxResponseBytes;
    setCommonOptions(ex);

    const std::string url = config.baseUrl + req.path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());

    HeaderList headers;
    headers.add("Authorization: Bearer " + config.token.reveal());
    headers.add("X-Terminal-Id: " + config.terminalId);
    if (!req.identity.operatorId.empty()) headers.add("X-Operator-Id: " + req.identity.operatorId);
    // Every request of the contract carries one: the caller's (the checkout's), else a fresh one.
    const std::string correlationId =
        req.identity.correlationId.empty() ? generateCorrelationId() : req.identity.correlationId;
    headers.add("X-Correlation-Id: " + correlationId);
    out.correlationId = correlationId;
    headers.add("traceparent: " + formatTraceparent(trace, out.spanId));
    headers.add("Content-Type: application/json");
    headers.add("Accept: application/json");
    // No "Expect: 100-continue" round trip for larger bodies.
    headers.add("Expect:");
    if (!req.idempotencyKey.empty()) headers.add("Idempotency-Key: " + req.idempotencyKey);
    if (!req.ifNoneMatch.empty()) headers.add("If-None-Match: " + req.ifNoneMatch);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);

    if (req.method == HttpMethod::Post) {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }

    const CURLcode rc = curl_easy_perform(curl);
    // The header list and the body outlive the transfer; clear the pointers before they go.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);

    if (rc != CURLE_OK) {
      long requestBytes = 0;
      curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &requestBytes);
      const TransportFailure f = describe(rc, ex.tooLarge);
      out.transportError = f.code;
      if (f.configuration) {
        out.outcome = OutcomeClass::ConfigurationProblem;
      } else if (req.method == HttpMethod::Post && requestBytes > 0) {
        out.outcome = OutcomeClass::Ambiguous;
      } else {
        out.outcome = OutcomeClass::Retryable;
      }
    } else {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
      out.body = std::move(ex.body);
      out.etag = std::move(ex.etag);
      curl_off_t retryAfter = 0;
      if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retryAfter) == CURLE_OK &&
          retryAfter > 0) {
        out.retryAfter = std::chrono::seconds(retryAfter);
      }
      if (!json_nesting_within(out.body, kMaxJsonNesting)) {
        // Nobody downstream may recurse through it (see integrity.hpp): the body is dropped and
        // the reply counts as a broken transfer.
        out.body.clear();
        out.transportError = std::string{kReplyMalformed};
        out.outcome =
            req.method == HttpMethod::Post ? OutcomeClass::Ambiguous : OutcomeClass::Retryable;
      } else {
        if (out.status < 200 || out.status >= 300) out.error = parseApiError(out.body);
        out.outcome = classifyStatus(out.status, out.error);
      }
    }
    out.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    // Ids only: never the body, the token or the query values beyond what the path carries.
    spdlog::debug("billing {} {} -> {} {} in {} us corr={} span={}",
                  req.method == HttpMethod::Post ? "POST" : "GET", req.path, out.status,
                  toString(out.outcome), out.elapsed.count(), req.identity.correlationId,
                  out.spanId);
    return out;
  }
};

HttpClient::HttpClient(HttpClientConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpOutcome HttpClient::send(const HttpRequest& request) {
  return impl_->send(request);
}
const HttpClientConfig& HttpClient::config() const {
  return impl_->config;
}

}  // namespace pos::sync
