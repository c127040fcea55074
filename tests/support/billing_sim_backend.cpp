// The simulator's rules, endpoint by endpoint, as ../../shared/contract/billing-api.md states them.
//
// Sections: time and hashing helpers · validation helpers · construction (seed, journal replay) ·
// dispatch (auth, headers, idempotency) · snapshots (GET) · checkout (evaluate, PO, override) ·
// elevation and offline grants · payments · receipts · commit/apply (the journal)
//
// Every committed mutation is one journal line {"kind", "record"}; state after a restart is the
// seed plus the replayed journal. Elevation tokens and PIN failure counts are not journalled (a
// restart forgets them, like a backend whose token cache was flushed).
#include "billing_sim_backend.hpp"

#include <re2/re2.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace pos::sim {

// ---------------------------------------------------------------- time and hashing helpers

std::string formatTime(std::int64_t unixMs) {
  const std::time_t secs = static_cast<std::time_t>(unixMs / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unixMs % 1000));
  return buf;
}

std::optional<std::int64_t> parseTime(const std::string& text) {
  static const RE2 kPattern(R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z)");
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string frac;
  if (!RE2::FullMatch(text, kPattern, &y, &mo, &d, &h, &mi, &s, &frac)) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::int64_t ms = static_cast<std::int64_t>(timegm(&tm)) * 1000;
  if (!frac.empty()) {
    frac.resize(3, '0');
    ms += std::stoi(frac);
  }
  return ms;
}

namespace {

std::string hexOf(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0x0f]);
  }
  return out;
}

std::string hashText(const std::string& text) {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return hexOf(out, sizeof out);
}

std::string base64(const std::vector<unsigned char>& bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::vector<unsigned char> argon2id(const std::string& pin, const std::vector<unsigned char>& salt,
                                    std::uint64_t ops, std::size_t mem) {
  std::vector<unsigned char> out(32);
  if (crypto_pwhash(out.data(), out.size(), pin.data(), pin.size(), salt.data(), ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("crypto_pwhash failed (out of memory?)");
  }
  return out;
}

// ---------------------------------------------------------------- validation helpers

bool isMoney(const json& m) {
  if (!m.is_object()) return false;
  auto c = m.find("currency");
  auto a = m.find("amountMinor");
  if (c == m.end() || !c->is_string() || a == m.end() || !a->is_number_integer()) return false;
  const auto& cur = c->get_ref<const std::string&>();
  return cur.size() == 3 &&
         std::all_of(cur.begin(), cur.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

std::int64_t minor(const json& m) {
  return m.at("amountMinor").get<std::int64_t>();
}

// Collects the names of required fields that are missing or of the wrong type.
struct Required {
  const json& body;
  std::vector<std::string> missing;
  void string(const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      missing.emplace_back(key);
    }
  }
  void optionalString(const char* key) {
    auto it = body.find(key);
    if (it != body.end() && !it->is_null() && !it->is_string()) missing.emplace_back(key);
  }
  void boolean(const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_boolean()) missing.emplace_back(key);
  }
  void money(const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !isMoney(*it)) missing.emplace_back(key);
  }
  void optionalMoney(const char* key) {
    auto it = body.find(key);
    if (it != body.end() && !it->is_null() && !isMoney(*it)) missing.emplace_back(key);
  }
  void array(const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_array()) missing.emplace_back(key);
  }
  void oneOf(const char* key, std::initializer_list<const char*> values) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string()) {
      missing.emplace_back(key);
      return;
    }
    for (const char* v : values) {
      if (*it == v) return;
    }
    missing.emplace_back(key);
  }
  void time(const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string() || !parseTime(it->get<std::string>())) {
      missing.emplace_back(key);
    }
  }
};

// A card number is any run of 13 to 19 digits; a longer run contains one too.
bool containsCardNumber(const json& j) {
  if (j.is_string()) {
    int run = 0;
    for (char c : j.get_ref<const std::string&>()) {
      run = (c >= '0' && c <= '9') ? run + 1 : 0;
      if (run >= 13) return true;
    }
    return false;
  }
  if (j.is_object()) {
    for (const auto& [key, v] : j.items()) {
      // The backend's own opaque tokens are not card data.
      if (key != "elevationToken" && containsCardNumber(v)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (containsCardNumber(v)) return true;
    }
  }
  return false;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

}  // namespace

// ---------------------------------------------------------------- construction

Backend::Backend(const json& seed, std::string journalPath) : journalPath_(std::move(journalPath)) {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  token_ = seed.value("token", std::string("sim-token"));
  const json roster = seed.value("roster", json::object());
  if (roster.contains("pinHashing")) {
    opsLimit_ = roster["pinHashing"].value("opsLimit", std::uint64_t{2});
    memLimit_ = roster["pinHashing"].value("memLimitBytes", std::size_t{8u << 20});
  }
  json staffOut = json::array();
  for (const auto& s : roster.value("staff", json::array())) {
    json out = s;
    out.erase("pin");
    if (!out.contains("paymentLimit")) out["paymentLimit"] = nullptr;
    const std::string userId = s.at("userId").get<std::string>();
    if (s.contains("pin")) {
      // Deterministic salt: the roster (and so its ETag) stays the same across restarts.
      std::vector<unsigned char> salt(crypto_pwhash_SALTBYTES);
      const std::string label = "pos-sim-salt:" + userId;
      crypto_generichash(salt.data(), salt.size(),
                         reinterpret_cast<const unsigned char*>(label.data()), label.size(),
                         nullptr, 0);
      auto hash = argon2id(s.at("pin").get<std::string>(), salt, opsLimit_, memLimit_);
      pinHashes_[userId] = hash;
      out["pinVerifier"] = {{"alg", "argon2id"},
                            {"salt", base64(salt)},
                            {"opsLimit", opsLimit_},
                            {"memLimitBytes", memLimit_},
                            {"hash", base64(hash)}};
    }
    staffOut.push_back(out);
  }
  rosterBody_ = {{"staff", staffOut},
                 {"issuedAt", formatTime(nowMs())},
                 {"maxOfflineAgeSeconds", roster.value("maxOfflineAgeSeconds", 86400)}};
  reasonCodes_ = seed.value("reasonCodes", json::object());
  for (const auto& r : seed.value("rules", json::array())) {
    rules_[r.at("accountId").get<std::string>()] = r;
  }
  for (const auto& inv : seed.value("invoices", json::array())) {
    const std::string id = inv.at("invoiceId").get<std::string>();
    invoices_[id] = inv;
    invoiceOrder_.push_back(id);
  }
  for (const auto& u : seed.value("usedPoNumbers", json::array())) {
    usedPos_[u.at("accountId").get<std::string>()].push_back(
        {u.at("poNumber").get<std::string>(), "", "", u.value("open", false)});
  }
  receiptPolicy_ = seed.value("receiptPolicy", json::object());
  const json lockout = seed.value("lockout", json::object());
  maxFailures_ = lockout.value("maxFailures", 5);
  lockoutSeconds_ = lockout.value("seconds", 300);

  if (!journalPath_.empty()) {
    std::ifstream in(journalPath_);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto entry = json::parse(line, nullptr, false);
      // A line cut by a crash of the simulator is dropped: it was never acknowledged either.
      if (entry.is_discarded() || !entry.contains("kind")) continue;
      apply(entry["kind"].get<std::string>(), entry["record"]);
    }
    journal_ = std::fopen(journalPath_.c_str(), "a");
    if (journal_ == nullptr) throw std::runtime_error("cannot open the journal " + journalPath_);
  }
}

Backend::~Backend() {
  if (journal_ != nullptr) std::fclose(journal_);
}

std::int64_t Backend::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         clockOffsetMs_;
}
std::string Backend::nowText() const {
  return formatTime(nowMs());
}

void Backend::advanceClock(std::chrono::seconds by) {
  std::lock_guard lock(mu_);
  clockOffsetMs_ += by.count() * 1000;
}

json Backend::accepted() const {
  std::lock_guard lock(mu_);
  return acceptedLog_;
}

json Backend::recentRequests(std::size_t limit) const {
  std::lock_guard lock(mu_);
  json out = json::array();
  const std::size_t from = requestLog_.size() > limit ? requestLog_.size() - limit : 0;
  for (std::size_t i = from; i < requestLog_.size(); ++i) out.push_back(requestLog_[i]);
  return out;
}

// ---------------------------------------------------------------- dispatch

SimReply Backend::error(const SimRequest& r, int status, const std::string& code,
                        const std::string& message, json extra) const {
  json body = {{"errorCode", code},
               {"message", message},
               {"missingFields", json::array()},
               {"blockers", json::array()}};
  auto corr = r.headers.find("x-correlation-id");
  body["correlationId"] = corr != r.headers.end() ? corr->second : "";
  for (auto& [k, v] : extra.items()) body[k] = v;
  return {status, body.dump(), {}, false};
}

SimReply Backend::withEtag(const SimRequest& r, json body) {
  SimReply reply{200, body.dump(), {}, false};
  // Built by appends: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "\"" + s + "\"".
  std::string etag(1, '"');
  etag += hashText(reply.body);
  etag += '"';
  reply.headers["ETag"] = etag;
  auto inm = r.headers.find("if-none-match");
  if (inm != r.headers.end() && inm->second == etag) {
    reply.status = 304;
    reply.body.clear();
  }
  return reply;
}

SimReply Backend::handle(const SimRequest& r) {
  std::lock_guard lock(mu_);
  json logged = {{"method", r.method}, {"path", r.path}, {"remotePort", r.remotePort}};
  for (const auto& [k, v] : r.headers) {
    if (k == "authorization") continue;  // never kept, even here
    logged["headers"][k] = v;
  }
  if (requestLog_.size() >= 2000)
    requestLog_.erase(requestLog_.begin(), requestLog_.begin() + 1000);
  requestLog_.push_back(logged);
  return dispatch(r);
}

SimReply Backend::dispatch(const SimRequest& r) {
  auto header = [&](const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  };
  if (header("authorization") != "Bearer " + token_) {
    return error(r, 401, "UNAUTHENTICATED", "bad terminal token");
  }
  // The contract's headers are required on every request: a client that forgets one is
  // malformed, and the contract tests rely on this strictness.
  static const RE2 kTraceparent("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  std::vector<std::string> missingHeaders;
  if (header("x-terminal-id").empty()) missingHeaders.emplace_back("X-Terminal-Id");
  if (!RE2::FullMatch(header("traceparent"), kTraceparent)) {
    missingHeaders.emplace_back("traceparent");
  }
  if (r.method == "POST" && header("content-type").rfind("application/json", 0) != 0) {
    missingHeaders.emplace_back("Content-Type");
  }
  const auto parts = splitPath(r.path);
  if (parts.empty() || parts[0] != "billing") return error(r, 404, "NOT_FOUND", "no such path");
  const bool creating = r.method == "POST" &&
                        !(parts.size() == 4 && parts[1] == "checkout" && parts[3] == "evaluate") &&
                        !(parts.size() == 3 && parts[1] == "auth" && parts[2] == "elevate");
  const std::string key = header("idempotency-key");
  if (creating && key.empty()) missingHeaders.emplace_back("Idempotency-Key");
  if (!missingHeaders.empty()) {
    return error(r, 400, "MISSING_HEADERS", "required headers missing or malformed",
                 {{"missingFields", missingHeaders}});
  }

  if (r.method == "GET") {
    if (parts.size() == 3 && parts[1] == "terminal" && parts[2] == "roster") return roster(r);
    if (parts.size() == 3 && parts[1] == "meta" && parts[2] == "reason-codes")
      return reasonCodes(r);
    if (parts.size() == 3 && parts[1] == "rules") return rules(r, parts[2]);
    if (parts.size() == 3 && parts[1] == "terminal" && parts[2] == "invoices")
      return invoiceFeed(r);
    if (parts.size() == 3 && parts[1] == "invoices") {
      auto it = invoices_.find(parts[2]);
      if (it == invoices_.end()) return error(r, 404, "INVOICE_NOT_FOUND", "no such invoice");
      return withEtag(r, it->second);
    }
    if (parts.size() == 4 && parts[1] == "invoices" && parts[2] == "by-workorder") {
      for (const auto& id : invoiceOrder_) {
        if (str(invoices_[id], "workOrderId") == parts[3]) return withEtag(r, invoices_[id]);
      }
      return error(r, 404, "INVOICE_NOT_FOUND", "no invoice for that work order");
    }
    if (parts.size() == 2 && parts[1] == "payments") return paymentsList(r);
    if (parts.size() == 4 && parts[1] == "receipts" && parts[2] == "by-invoice") {
      return receiptsByInvoice(r, parts[3]);
    }
    return error(r, 404, "NOT_FOUND", "no such path");
  }
  if (r.method != "POST") return error(r, 405, "METHOD_NOT_ALLOWED", "GET or POST only");

  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return error(r, 400, "MALFORMED_JSON", "the body is not a JSON object");
  }
  // Idempotency: the key's first (non-5xx, non-400) answer is the answer forever.
  const std::string bodyHash = hashText(body.dump());
  if (creating) {
    auto seen = idem_.find(key);
    if (seen != idem_.end()) {
      if (seen->second.path != r.path || seen->second.bodyHash != bodyHash) {
        return error(r, 422, "IDEMPOTENCY_KEY_REUSED",
                     "this Idempotency-Key was used with a different request");
      }
      return {seen->second.status, seen->second.reply, {}, false};
    }
  }
  if (containsCardNumber(body)) {
    return error(r, 422, "CARD_NUMBER_REFUSED", "a card number is never accepted");
  }

  SimReply reply;
  if (parts.size() == 4 && parts[1] == "checkout" && parts[3] == "evaluate") {
    return evaluate(r, parts[2], body);
  } else if (parts.size() == 4 && parts[1] == "checkout" && parts[3] == "po") {
    reply = capturePo(r, parts[2], body);
  } else if (parts.size() == 4 && parts[1] == "checkout" && parts[3] == "po-override") {
    reply = overridePo(r, parts[2], body);
  } else if (parts.size() == 3 && parts[1] == "auth" && parts[2] == "elevate") {
    return elevate(r, body);
  } else if (parts.size() == 3 && parts[1] == "auth" && parts[2] == "offline-grants") {
    reply = offlineGrant(r, body);
  } else if (parts.size() == 2 && parts[1] == "payments") {
    reply = payment(r, body);
  } else if (parts.size() == 2 && parts[1] == "receipts") {
    reply = createReceipt(r, body);
  } else if (parts.size() == 4 && parts[1] == "receipts" && parts[3] == "deliver") {
    reply = deliver(r, parts[2], body);
  } else if (parts.size() == 4 && parts[1] == "receipts" && parts[3] == "reprint") {
    reply = reprint(r, parts[2], body);
  } else {
    return error(r, 404, "NOT_FOUND", "no such path");
  }
  if (reply.status == 201 || reply.status == 409 || reply.status == 422) {
    commit("idem", {{"key", key},
                    {"path", r.path},
                    {"bodyHash", bodyHash},
                    {"status", reply.status},
                    {"reply", reply.body}});
    reply.committed = true;
  }
  return reply;
}

// ---------------------------------------------------------------- snapshots

SimReply Backend::roster(const SimRequest& r) {
  return withEtag(r, rosterBody_);
}

SimReply Backend::reasonCodes(const SimRequest& r) {
  auto it = r.query.find("category");
  if (it == r.query.end() || (it->second != "PO_OVERRIDE" && it->second != "REPRINT")) {
    return error(r, 400, "CATEGORY_INVALID", "category must be PO_OVERRIDE or REPRINT");
  }
  return withEtag(r, {{"reasonCodes", reasonCodes_.value(it->second, json::array())}});
}

SimReply Backend::rules(const SimRequest& r, const std::string& accountId) {
  auto it = rules_.find(accountId);
  if (it == rules_.end()) return error(r, 404, "BILLING_RULES_MISSING", "account has no rules");
  return withEtag(r, it->second);
}

SimReply Backend::invoiceFeed(const SimRequest& r) {
  std::int64_t since = 0;
  auto q = r.query.find("updatedSince");
  if (q != r.query.end()) {
    auto t = parseTime(q->second);
    if (!t) return error(r, 400, "UPDATED_SINCE_INVALID", "updatedSince is not RFC 3339 UTC");
    since = *t;
  }
  json list = json::array();
  std::int64_t next = since;
  for (const auto& id : invoiceOrder_) {
    const json& inv = invoices_[id];
    const auto updated = parseTime(str(inv, "updatedAt")).value_or(0);
    if (updated > since || q == r.query.end()) {
      list.push_back(inv);
      next = std::max(next, updated);
    }
  }
  return withEtag(r, {{"invoices", list}, {"next", formatTime(next)}});
}

SimReply Backend::paymentsList(const SimRequest& r) {
  auto get = [&](const char* k) {
    auto it = r.query.find(k);
    return it == r.query.end() ? std::string() : it->second;
  };
  const std::string terminal = get("terminalId");
  std::optional<std::int64_t> from, to;
  if (!get("from").empty() && !(from = parseTime(get("from")))) {
    return error(r, 400, "FROM_INVALID", "from is not RFC 3339 UTC");
  }
  if (!get("to").empty() && !(to = parseTime(get("to")))) {
    return error(r, 400, "TO_INVALID", "to is not RFC 3339 UTC");
  }
  json list = json::array();
  for (const auto& id : paymentOrder_) {
    const json& p = payments_[id];
    if (!terminal.empty() && str(p, "terminalId") != terminal) continue;
    const auto at = parseTime(str(p, "capturedAt")).value_or(0);
    if ((from && at < *from) || (to && at >= *to)) continue;
    list.push_back({{"billingPaymentId", id},
                    {"invoiceId", p["invoiceId"]},
                    {"amount", p["amount"]},
                    {"tender", p["tender"]},
                    {"status", "POSTED"},
                    {"capturedAt", p["capturedAt"]}});
  }
  return withEtag(r, {{"payments", list}});
}

json Backend::reprintPolicy(const json& receipt) const {
  const int maxReprints = receiptPolicy_.value("maxReprints", 2);
  const std::int64_t window = receiptPolicy_.value("windowSeconds", std::int64_t{2592000});
  const auto created = parseTime(str(receipt, "createdAt")).value_or(0);
  return {{"remainingReprints", std::max(0, maxReprints - receipt.value("reprintCount", 0))},
          {"windowEndsAt", formatTime(created + window * 1000)},
          {"requiresReasonCode", receiptPolicy_.value("requiresReasonCode", true)},
          {"requiresElevation", receiptPolicy_.value("requiresElevation", false)}};
}

SimReply Backend::receiptsByInvoice(const SimRequest& r, const std::string& invoiceId) {
  if (!invoices_.count(invoiceId)) return error(r, 404, "INVOICE_NOT_FOUND", "no such invoice");
  json list = json::array();
  for (const auto& [id, rc] : receipts_) {
    if (str(rc, "invoiceId") != invoiceId) continue;
    const json policy = reprintPolicy(rc);
    const bool windowOpen =
        parseTime(policy["windowEndsAt"].get<std::string>()).value_or(0) > nowMs();
    json actions = {"PRINT", "EMAIL"};
    if (policy["remainingReprints"].get<int>() > 0 && windowOpen) actions.push_back("REPRINT");
    const std::string status = rc.value("deliveryStatus", "PENDING");
    if (status == "FAILED" || status == "BOUNCED") actions.push_back("RETRY_DELIVERY");
    list.push_back({{"receiptId", id},
                    {"billingPaymentId", rc["billingPaymentId"]},
                    {"deliveryStatus", status},
                    {"deliverySuppressed", rc["deliverySuppressed"]},
                    {"reprintCount", rc.value("reprintCount", 0)},
                    {"reprintPolicy", policy},
                    {"allowedActions", actions}});
  }
  return withEtag(r, {{"receipts", list}});
}

// ---------------------------------------------------------------- checkout

SimReply Backend::evaluate(const SimRequest& r, const std::string& checkoutId, const json& body) {
  Required req{body, {}};
  req.string("invoiceId");
  req.string("accountId");
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  auto inv = invoices_.find(body["invoiceId"].get<std::string>());
  if (inv == invoices_.end()) return error(r, 404, "INVOICE_NOT_FOUND", "no such invoice");
  const std::string accountId = body["accountId"].get<std::string>();
  if (str(inv->second, "customerAccountId") != accountId) {
    return error(r, 422, "ACCOUNT_MISMATCH", "the invoice belongs to another account");
  }
  json eval;
  json messages = json::array();
  auto rule = rules_.find(accountId);
  if (rule != rules_.end()) {
    const json& ru = rule->second;
    bool limitExceeded = false;
    if (ru.contains("creditLimit") && isMoney(ru["creditLimit"])) {
      const std::int64_t balance =
          isMoney(ru.value("accountBalance", json())) ? minor(ru["accountBalance"]) : 0;
      // The contract: creditLimitExceeded judges chargeAmount when given, else the balance due.
      const std::int64_t charged = body.contains("chargeAmount") && isMoney(body["chargeAmount"])
                                       ? minor(body["chargeAmount"])
                                       : minor(inv->second["balanceDue"]);
      limitExceeded = balance + charged > minor(ru["creditLimit"]);
    }
    eval = {{"policyVersion", ru.value("policyVersion", "")},
            {"poRequired", ru.value("isPoRequired", false)},
            {"poFormatRegex", ru.value("poFormatRegex", json())},
            {"poUniquenessScope", ru.value("poUniquenessScope", "PER_ORDER")},
            {"overrideAllowed", ru.value("overrideAllowed", false)},
            {"overrideRequiresSecondApprover", ru.value("overrideRequiresSecondApprover", false)},
            {"overrideReasonCodeRequired", ru.value("overrideReasonCodeRequired", true)},
            {"chargeAccountEligible", ru.value("chargeAccountEligible", false)},
            {"creditLimitExceeded", limitExceeded},
            {"partialPaymentsAllowed", ru.value("partialPaymentsAllowed", true)}};
    if (eval["poRequired"].get<bool>()) {
      messages.push_back({{"code", "PO_REQUIRED"},
                          {"severity", "BLOCKING"},
                          {"text", "This account requires a PO number."}});
    }
    if (limitExceeded) {
      messages.push_back({{"code", "CREDIT_LIMIT_EXCEEDED"},
                          {"severity", "WARNING"},
                          {"text", "Charging this invoice would exceed the credit limit."}});
    }
  } else {
    // 404 rules = unconfigured: consumers need no PO; a business customer is never waved
    // through (BILLING_RULES_MISSING) until an authorised override.
    const bool consumer = str(inv->second, "accountType") == "CONSUMER";
    eval = {{"policyVersion", "unconfigured"},    {"poRequired", !consumer},
            {"poFormatRegex", nullptr},           {"poUniquenessScope", "PER_ORDER"},
            {"overrideAllowed", !consumer},       {"overrideRequiresSecondApprover", false},
            {"overrideReasonCodeRequired", true}, {"chargeAccountEligible", false},
            {"creditLimitExceeded", false},       {"partialPaymentsAllowed", true}};
    if (!consumer) {
      messages.push_back({{"code", "BILLING_RULES_MISSING"},
                          {"severity", "BLOCKING"},
                          {"text", "No billing rules for this account: override required."}});
    }
  }
  eval["messages"] = messages;
  if (!checkouts_.count(checkoutId)) {
    commit(
        "checkout",
        {{"checkoutId", checkoutId}, {"invoiceId", body["invoiceId"]}, {"accountId", accountId}});
  }
  return {200, eval.dump(), {}, false};
}

SimReply Backend::capturePo(const SimRequest& r, const std::string& checkoutId, const json& body) {
  Required req{body, {}};
  req.string("poNumber");
  req.string("capturedByUserId");
  req.time("capturedAt");
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  if (pos_.count(checkoutId)) {
    return error(r, 409, "PO_ALREADY_CAPTURED", "the checkout's PO is write-once",
                 {{"reasonCode", "PO_ALREADY_CAPTURED"}});
  }
  const std::string po = body["poNumber"].get<std::string>();
  std::string accountId;
  std::string invoiceId;
  auto co = checkouts_.find(checkoutId);
  if (co != checkouts_.end()) {
    accountId = co->second["accountId"].get<std::string>();
    invoiceId = co->second["invoiceId"].get<std::string>();
  }
  const json* rule = rules_.count(accountId) ? &rules_[accountId] : nullptr;
  bool formatOk = false;
  if (rule != nullptr && rule->contains("poFormatRegex") && (*rule)["poFormatRegex"].is_string()) {
    RE2 pattern((*rule)["poFormatRegex"].get<std::string>(), RE2::Quiet);
    formatOk = pattern.ok() && RE2::FullMatch(po, pattern);
  } else {
    static const RE2 kDefault("(?i)[A-Z0-9_-]{3,30}");
    formatOk = RE2::FullMatch(po, kDefault);
  }
  if (!formatOk) {
    return error(r, 422, "PO_FORMAT_INVALID", "PO number does not match the account's format");
  }
  const std::string scope =
      rule != nullptr ? rule->value("poUniquenessScope", "PER_ORDER") : "PER_ORDER";
  if (!accountId.empty() && scope != "PER_ORDER") {
    for (const auto& used : usedPos_[accountId]) {
      if (upper(used.poNumber) != upper(po)) continue;
      bool open = used.seededOpen;
      if (!used.invoiceId.empty()) {
        const std::string status = str(invoices_[used.invoiceId], "status");
        open = status != "PAID" && status != "VOID";
      }
      if (scope == "PER_ACCOUNT_ALL_TIME" || open) {
        return error(r, 422, "PO_NOT_UNIQUE", "this PO was already used on the account");
      }
    }
  }
  json record = {{"checkoutId", checkoutId},         {"poNumber", po},
                 {"capturedAt", body["capturedAt"]}, {"capturedByUserId", body["capturedByUserId"]},
                 {"accountId", accountId},           {"invoiceId", invoiceId}};
  commit("po", record);
  return {
      201,
      json{{"checkoutId", checkoutId}, {"poNumber", po}, {"capturedAt", body["capturedAt"]}}.dump(),
      {},
      false};
}

const json* Backend::staff(const std::string& userId) const {
  for (const auto& s : rosterBody_["staff"]) {
    if (s.value("userId", "") == userId) return &s;
  }
  return nullptr;
}

bool Backend::hasPermission(const std::string& userId, const std::string& permission) const {
  const json* s = staff(userId);
  if (s == nullptr) return false;
  for (const auto& p : s->value("permissions", json::array())) {
    if (p == permission) return true;
  }
  return false;
}

std::optional<SimReply> Backend::redeemApprovals(const SimRequest& r, const json& approvals,
                                                 const std::string& checkoutId,
                                                 const std::string& action,
                                                 const std::string& requestedBy) {
  std::set<std::string> approvers;
  std::vector<Token*> toRedeem;
  for (const auto& a : approvals) {
    if (!a.is_object() || !a.contains("approverUserId") || !a["approverUserId"].is_string()) {
      return error(r, 400, "VALIDATION_FAILED", "approval without approverUserId",
                   {{"missingFields", {"approvals.approverUserId"}}});
    }
    const std::string approver = a["approverUserId"].get<std::string>();
    // BILL-DEC-010: never the operator who asked; two approvers are two people.
    if (approver == requestedBy || !approvers.insert(approver).second) {
      return error(r, 422, "APPROVER_NOT_DISTINCT", "approvers must be distinct people");
    }
    if (a.contains("elevationToken")) {
      if (!a["elevationToken"].is_string()) {
        return error(r, 422, "ELEVATION_INVALID", "elevation token invalid");
      }
      auto t = tokens_.find(a["elevationToken"].get<std::string>());
      if (t == tokens_.end()) return error(r, 422, "ELEVATION_INVALID", "elevation token invalid");
      if (t->second.used) return error(r, 422, "ELEVATION_REUSED", "elevation token already used");
      if (t->second.expiresAtMs <= nowMs()) {
        return error(r, 422, "ELEVATION_EXPIRED", "elevation token expired");
      }
      if (t->second.approver != approver || t->second.checkoutId != checkoutId ||
          t->second.action != action) {
        return error(r, 422, "ELEVATION_INVALID", "elevation token not for this approval");
      }
      toRedeem.push_back(&t->second);
    } else if (a.contains("offlineGrantId")) {
      if (!a["offlineGrantId"].is_string() || !a.contains("grantedAt") ||
          !a["grantedAt"].is_string() || !parseTime(a["grantedAt"].get<std::string>())) {
        return error(r, 400, "VALIDATION_FAILED",
                     "offline approval needs offlineGrantId and grantedAt",
                     {{"missingFields", {"approvals.grantedAt"}}});
      }
      if (!hasPermission(approver, "billing:auth:elevate")) {
        return error(r, 422, "ELEVATION_INVALID", "approver may not elevate");
      }
    } else {
      return error(r, 422, "ELEVATION_INVALID", "approval carries no elevation");
    }
  }
  for (Token* t : toRedeem) t->used = true;  // all or nothing, under the state lock
  return std::nullopt;
}

SimReply Backend::overridePo(const SimRequest& r, const std::string& checkoutId, const json& body) {
  Required req{body, {}};
  req.string("overrideId");
  req.string("requestedByUserId");
  req.optionalString("reasonCode");
  req.optionalString("notes");
  req.array("approvals");
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  if (r.headers.at("idempotency-key") != body["overrideId"]) {
    return error(r, 400, "IDEMPOTENCY_KEY_MISMATCH", "Idempotency-Key must be the overrideId");
  }
  const std::string requestedBy = body["requestedByUserId"].get<std::string>();
  if (!hasPermission(requestedBy, "billing:checkout:po:override")) {
    return error(r, 403, "billing:checkout:po:override", "permission missing");
  }
  if (overrides_.count(checkoutId) || pos_.count(checkoutId)) {
    return error(
        r, 409, "PO_ALREADY_RESOLVED", "the checkout already has a PO or an override",
        {{"reasonCode", pos_.count(checkoutId) ? "PO_ALREADY_CAPTURED" : "PO_ALREADY_OVERRIDDEN"}});
  }
  bool requiresSecond = false;
  bool reasonRequired = true;
  auto co = checkouts_.find(checkoutId);
  if (co != checkouts_.end()) {
    auto rule = rules_.find(co->second["accountId"].get<std::string>());
    if (rule != rules_.end()) {
      if (!rule->second.value("overrideAllowed", false)) {
        return error(r, 422, "OVERRIDE_NOT_ALLOWED", "this account's policy allows no override");
      }
      requiresSecond = rule->second.value("overrideRequiresSecondApprover", false);
      reasonRequired = rule->second.value("overrideReasonCodeRequired", true);
    }
  }
  const std::string reason = str(body, "reasonCode");
  if (reasonRequired || !reason.empty()) {
    const json codes = reasonCodes_.value("PO_OVERRIDE", json::array());
    const json* known = nullptr;
    for (const auto& c : codes) {
      if (c.value("code", "") == reason) known = &c;
    }
    if (known == nullptr)
      return error(r, 422, "REASON_CODE_REQUIRED", "a known reason code is required");
    if (known->value("requiresNotes", false) && str(body, "notes").empty()) {
      return error(r, 422, "REASON_CODE_REQUIRED", "this reason code requires notes",
                   {{"missingFields", {"notes"}}});
    }
  }
  const json& approvals = body["approvals"];
  if (approvals.empty()) return error(r, 422, "ELEVATION_INVALID", "an approval is required");
  if (requiresSecond && approvals.size() < 2) {
    return error(r, 422, "SECOND_APPROVER_REQUIRED", "policy requires a second approver");
  }
  if (auto refused = redeemApprovals(r, approvals, checkoutId, "PO_OVERRIDE", requestedBy)) {
    return *refused;
  }
  json record = body;
  record["checkoutId"] = checkoutId;
  for (auto& a : record["approvals"]) a.erase("elevationToken");  // tokens are not kept
  commit("override", record);
  return {
      201, json{{"overrideId", body["overrideId"]}, {"checkoutId", checkoutId}}.dump(), {}, false};
}

// ---------------------------------------------------------------- elevation

SimReply Backend::elevate(const SimRequest& r, const json& body) {
  Required req{body, {}};
  req.string("supervisorUserId");
  req.string("pin");
  req.string("checkoutId");
  req.oneOf("action", {"PO_OVERRIDE", "RECEIPT_REPRINT", "PAYMENT_OVER_LIMIT"});
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  const std::string user = body["supervisorUserId"].get<std::string>();
  Lockout& lock = lockouts_[user];
  const std::int64_t now = nowMs();
  if (lock.lockedUntilMs > now) {
    SimReply reply = error(r, 423, "APPROVER_LOCKED_OUT", "too many wrong PINs; try later");
    reply.headers["Retry-After"] = std::to_string((lock.lockedUntilMs - now + 999) / 1000);
    return reply;
  }
  bool ok = false;
  auto hash = pinHashes_.find(user);
  if (hash != pinHashes_.end() && hasPermission(user, "billing:auth:elevate")) {
    const json* s = staff(user);
    std::vector<unsigned char> salt(crypto_pwhash_SALTBYTES);
    const std::string saltText = (*s)["pinVerifier"]["salt"].get<std::string>();
    size_t saltLen = 0;
    sodium_base642bin(salt.data(), salt.size(), saltText.data(), saltText.size(), nullptr, &saltLen,
                      nullptr, sodium_base64_VARIANT_ORIGINAL);
    const auto computed = argon2id(body["pin"].get<std::string>(), salt, opsLimit_, memLimit_);
    ok = sodium_memcmp(computed.data(), hash->second.data(), computed.size()) == 0;
  }
  if (!ok) {
    // No hint which part was wrong: unknown user, no permission and wrong PIN look alike.
    if (++lock.failures >= maxFailures_) {
      lock.failures = 0;
      lock.lockedUntilMs = now + std::int64_t{lockoutSeconds_} * 1000;
    }
    return error(r, 401, "ELEVATION_DENIED", "elevation denied");
  }
  lock.failures = 0;
  std::vector<unsigned char> raw(24);
  randombytes_buf(raw.data(), raw.size());
  std::string token(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                    '\0');
  sodium_bin2base64(token.data(), token.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token.resize(std::strlen(token.c_str()));
  token = "elv_" + token;
  Token t{user, body["checkoutId"].get<std::string>(), body["action"].get<std::string>(),
          now + 300'000, false};
  tokens_[token] = t;
  return {201,
          json{{"elevationToken", token},
               {"expiresAt", formatTime(t.expiresAtMs)},
               {"approverUserId", user}}
              .dump(),
          {},
          false};
}

SimReply Backend::offlineGrant(const SimRequest& r, const json& body) {
  Required req{body, {}};
  req.string("offlineGrantId");
  req.string("approverUserId");
  req.string("checkoutId");
  req.oneOf("action", {"PO_OVERRIDE", "RECEIPT_REPRINT", "PAYMENT_OVER_LIMIT"});
  req.time("grantedAt");
  req.string("terminalId");
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  if (r.headers.at("idempotency-key") != body["offlineGrantId"]) {
    return error(r, 400, "IDEMPOTENCY_KEY_MISMATCH", "Idempotency-Key must be the offlineGrantId");
  }
  if (!hasPermission(body["approverUserId"].get<std::string>(), "billing:auth:elevate")) {
    return error(r, 422, "ELEVATION_INVALID", "the approver may not elevate");
  }
  commit("grant", body);
  return {201, json{{"offlineGrantId", body["offlineGrantId"]}}.dump(), {}, false};
}

// ---------------------------------------------------------------- payments

SimReply Backend::payment(const SimRequest& r, const json& body) {
  Required req{body, {}};
  req.string("billingPaymentId");
  req.string("invoiceId");
  req.string("checkoutId");
  req.string("terminalId");
  req.money("amount");
  req.oneOf("tender", {"CASH", "CHECK", "CARD_EXTERNAL", "ACCOUNT"});
  req.optionalString("tenderReference");
  req.optionalMoney("amountTendered");
  req.optionalMoney("changeGiven");
  req.oneOf("paymentType", {"PAID_IN_FULL", "PARTIAL_PAYMENT"});
  req.time("capturedAt");
  req.string("capturedByUserId");
  req.boolean("capturedOffline");
  req.string("receiptId");
  if (body.contains("card") && !body["card"].is_null()) {
    const json& card = body["card"];
    if (!card.is_object() || !card.contains("last4") || !card["last4"].is_string() ||
        card["last4"].get<std::string>().size() != 4) {
      req.missing.emplace_back("card");
    }
  }
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing or malformed fields",
                 {{"missingFields", req.missing}});
  }
  const std::string id = body["billingPaymentId"].get<std::string>();
  if (r.headers.at("idempotency-key") != id) {
    return error(r, 400, "IDEMPOTENCY_KEY_MISMATCH",
                 "Idempotency-Key must be the billingPaymentId");
  }
  if (payments_.count(id)) {
    return error(r, 409, "PAYMENT_ALREADY_POSTED", "this payment id was posted with another key",
                 {{"reasonCode", "DUPLICATE"}});
  }
  auto inv = invoices_.find(body["invoiceId"].get<std::string>());
  if (inv == invoices_.end()) return error(r, 422, "INVOICE_NOT_FOUND", "no such invoice");
  json& invoice = inv->second;
  const std::int64_t balance = minor(invoice["balanceDue"]);
  if (str(invoice, "status") != "ISSUED" || balance <= 0) {
    return error(
        r, 409, "INVOICE_NOT_PAYABLE", "the invoice does not take payment",
        {{"reasonCode", str(invoice, "status") == "PAID" ? "ALREADY_PAID" : "NOT_ISSUED"}});
  }
  const json& amount = body["amount"];
  if (amount["currency"] != invoice["balanceDue"]["currency"]) {
    return error(r, 422, "CURRENCY_MISMATCH", "the payment's currency is not the invoice's");
  }
  const std::int64_t value = minor(amount);
  if (value <= 0) return error(r, 422, "AMOUNT_INVALID", "the amount must be positive");
  if (value > balance) return error(r, 422, "AMOUNT_EXCEEDS_BALANCE", "more than the balance due");
  const std::string account = str(invoice, "customerAccountId");
  auto rule = rules_.find(account);
  if (value < balance && rule != rules_.end() &&
      !rule->second.value("partialPaymentsAllowed", true)) {
    return error(r, 422, "PARTIAL_PAYMENT_NOT_ALLOWED", "this account pays invoices in full");
  }
  if (body["tender"] == "ACCOUNT") {
    if (rule == rules_.end() || !rule->second.value("chargeAccountEligible", false)) {
      return error(r, 422, "CHARGE_ACCOUNT_NOT_ELIGIBLE", "this account cannot be charged");
    }
    const json& ru = rule->second;
    if (isMoney(ru.value("creditLimit", json()))) {
      const std::int64_t owed =
          isMoney(ru.value("accountBalance", json())) ? minor(ru["accountBalance"]) : 0;
      if (owed + value > minor(ru["creditLimit"])) {
        return error(r, 422, "CREDIT_LIMIT_EXCEEDED", "this charge exceeds the credit limit");
      }
    }
  }
  json record = {{"body", body}, {"acceptedAt", nowText()}, {"idempotencyKey", id}};
  commit("payment", record);
  const json& after = invoices_[body["invoiceId"].get<std::string>()];
  return {201,
          json{{"billingPaymentId", id},
               {"status", "POSTED"},
               {"invoice",
                {{"invoiceId", after["invoiceId"]},
                 {"status", after["status"]},
                 {"balanceDue", after["balanceDue"]}}}}
              .dump(),
          {},
          false};
}

// ---------------------------------------------------------------- receipts

SimReply Backend::createReceipt(const SimRequest& r, const json& body) {
  Required req{body, {}};
  req.string("receiptId");
  req.string("receiptReference");
  req.string("billingPaymentId");
  req.string("invoiceId");
  req.oneOf("paymentType", {"PAID_IN_FULL", "PARTIAL_PAYMENT"});
  req.money("remainingBalance");
  req.boolean("deliverySuppressed");
  req.time("createdAt");
  req.string("templateId");
  req.string("printText");
  if (!body.contains("templateVersion") ||
      !(body["templateVersion"].is_string() || body["templateVersion"].is_number_integer())) {
    req.missing.emplace_back("templateVersion");
  }
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  const std::string id = body["receiptId"].get<std::string>();
  if (r.headers.at("idempotency-key") != id) {
    return error(r, 400, "IDEMPOTENCY_KEY_MISMATCH", "Idempotency-Key must be the receiptId");
  }
  static const RE2 kReference(R"(RCP-.+-\d{8}T\d{6}Z-\d{3})");
  const std::string ref = body["receiptReference"].get<std::string>();
  if (!RE2::FullMatch(ref, kReference)) {
    return error(r, 422, "RECEIPT_REFERENCE_INVALID", "receiptReference has the wrong format");
  }
  for (const auto& [other, rc] : receipts_) {
    if (str(rc, "receiptReference") == ref && other != id) {
      return error(r, 409, "RECEIPT_REFERENCE_TAKEN", "receiptReference is already used",
                   {{"reasonCode", "DUPLICATE_REFERENCE"}});
    }
  }
  if (receipts_.count(id)) {
    return error(r, 409, "RECEIPT_ALREADY_EXISTS", "this receipt id exists",
                 {{"reasonCode", "DUPLICATE"}});
  }
  if (!payments_.count(body["billingPaymentId"].get<std::string>())) {
    return error(r, 422, "PAYMENT_NOT_FOUND", "the receipt's payment is unknown");
  }
  json record = body;
  record["deliveryStatus"] = "PENDING";
  record["reprintCount"] = 0;
  commit("receipt", record);
  return {201, json{{"receiptId", id}, {"receiptReference", ref}}.dump(), {}, false};
}

SimReply Backend::deliver(const SimRequest& r, const std::string& receiptId, const json& body) {
  Required req{body, {}};
  req.string("deliveryId");
  req.oneOf("channel", {"PRINT", "EMAIL"});
  req.optionalString("emailAddress");
  req.optionalString("outcome");
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  if (r.headers.at("idempotency-key") != body["deliveryId"]) {
    return error(r, 400, "IDEMPOTENCY_KEY_MISMATCH", "Idempotency-Key must be the deliveryId");
  }
  if (!receipts_.count(receiptId)) return error(r, 404, "RECEIPT_NOT_FOUND", "no such receipt");
  std::string status;
  if (body["channel"] == "EMAIL") {
    const std::string address = str(body, "emailAddress");
    static const RE2 kEmail(R"([^@\s]+@[^@\s]+\.[^@\s]+)");
    if (!RE2::FullMatch(address, kEmail)) {
      return error(r, 422, "EMAIL_ADDRESS_INVALID", "the e-mail address is not valid");
    }
    // Test hook: the reserved .invalid domain "bounces".
    status =
        address.size() > 8 && address.substr(address.size() - 8) == ".invalid" ? "BOUNCED" : "SENT";
  } else {
    const std::string outcome = str(body, "outcome");
    if (outcome != "SENT" && outcome != "FAILED") {
      return error(r, 400, "VALIDATION_FAILED", "a PRINT delivery needs outcome SENT or FAILED",
                   {{"missingFields", {"outcome"}}});
    }
    status = outcome;
  }
  // The address is used for this delivery only: not in the journal, not in memory after this.
  commit("delivery", {{"receiptId", receiptId},
                      {"deliveryId", body["deliveryId"]},
                      {"channel", body["channel"]},
                      {"deliveryStatus", status}});
  return {201, json{{"deliveryStatus", status}}.dump(), {}, false};
}

SimReply Backend::reprint(const SimRequest& r, const std::string& receiptId, const json& body) {
  Required req{body, {}};
  req.string("reprintId");
  req.optionalString("reasonCode");
  req.string("requestedByUserId");
  req.array("approvals");
  if (!req.missing.empty()) {
    return error(r, 400, "VALIDATION_FAILED", "missing fields", {{"missingFields", req.missing}});
  }
  if (r.headers.at("idempotency-key") != body["reprintId"]) {
    return error(r, 400, "IDEMPOTENCY_KEY_MISMATCH", "Idempotency-Key must be the reprintId");
  }
  auto rc = receipts_.find(receiptId);
  if (rc == receipts_.end()) return error(r, 404, "RECEIPT_NOT_FOUND", "no such receipt");
  const std::string requestedBy = body["requestedByUserId"].get<std::string>();
  if (!hasPermission(requestedBy, "billing:receipt:reprint")) {
    return error(r, 403, "billing:receipt:reprint", "permission missing");
  }
  const json policy = reprintPolicy(rc->second);
  if (policy["remainingReprints"].get<int>() <= 0) {
    return error(r, 422, "REPRINT_NOT_ALLOWED", "no reprints remain for this receipt");
  }
  if (parseTime(policy["windowEndsAt"].get<std::string>()).value_or(0) <= nowMs()) {
    return error(r, 422, "REPRINT_WINDOW_CLOSED", "the reprint window has closed");
  }
  if (policy["requiresReasonCode"].get<bool>()) {
    bool known = false;
    for (const auto& c : reasonCodes_.value("REPRINT", json::array())) {
      known = known || c.value("code", "") == str(body, "reasonCode");
    }
    if (!known) return error(r, 422, "REASON_CODE_REQUIRED", "a known reason code is required");
  }
  if (policy["requiresElevation"].get<bool>()) {
    if (body["approvals"].empty()) {
      return error(r, 422, "ELEVATION_REQUIRED", "this reprint needs a supervisor's elevation");
    }
    std::string checkoutId;
    auto pay = payments_.find(str(rc->second, "billingPaymentId"));
    if (pay != payments_.end()) checkoutId = str(pay->second, "checkoutId");
    if (auto refused =
            redeemApprovals(r, body["approvals"], checkoutId, "RECEIPT_REPRINT", requestedBy)) {
      return *refused;
    }
  }
  json record = {{"receiptId", receiptId},
                 {"reprintId", body["reprintId"]},
                 {"reasonCode", body.value("reasonCode", json())},
                 {"requestedByUserId", requestedBy}};
  commit("reprint", record);
  const json& after = receipts_[receiptId];
  return {201,
          json{{"reprintNumber", after["reprintCount"]}, {"reprintPolicy", reprintPolicy(after)}}
              .dump(),
          {},
          false};
}

// ---------------------------------------------------------------- commit / apply

void Backend::commit(const std::string& kind, const json& record) {
  apply(kind, record);
  if (journal_ != nullptr) {
    // One write per mutation, flushed to the kernel: it survives a SIGKILL of the simulator.
    const std::string line = json{{"kind", kind}, {"record", record}}.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), journal_);
    std::fflush(journal_);
  }
}

void Backend::apply(const std::string& kind, const json& record) {
  if (kind == "idem") {
    idem_[record["key"].get<std::string>()] = {record["path"], record["bodyHash"],
                                               record["status"].get<int>(), record["reply"]};
  } else if (kind == "checkout") {
    checkouts_[record["checkoutId"].get<std::string>()] = record;
  } else if (kind == "po") {
    pos_[record["checkoutId"].get<std::string>()] = record;
    if (!str(record, "accountId").empty()) {
      usedPos_[str(record, "accountId")].push_back(
          {str(record, "poNumber"), str(record, "checkoutId"), str(record, "invoiceId"), false});
    }
    acceptedLog_.push_back({{"kind", kind}, {"id", record["checkoutId"]}});
  } else if (kind == "override") {
    overrides_[record["checkoutId"].get<std::string>()] = record;
    acceptedLog_.push_back({{"kind", kind}, {"id", record["overrideId"]}});
  } else if (kind == "grant") {
    grants_[record["offlineGrantId"].get<std::string>()] = record;
    acceptedLog_.push_back({{"kind", kind}, {"id", record["offlineGrantId"]}});
  } else if (kind == "payment") {
    const json& body = record["body"];
    const std::string id = body["billingPaymentId"].get<std::string>();
    payments_[id] = body;
    paymentOrder_.push_back(id);
    json& invoice = invoices_[body["invoiceId"].get<std::string>()];
    const std::int64_t balance = minor(invoice["balanceDue"]) - minor(body["amount"]);
    invoice["balanceDue"]["amountMinor"] = balance;
    if (balance == 0) invoice["status"] = "PAID";
    invoice["payments"].push_back({{"billingPaymentId", id},
                                   {"amount", body["amount"]},
                                   {"tender", body["tender"]},
                                   {"capturedAt", body["capturedAt"]}});
    invoice["updatedAt"] = record["acceptedAt"];
    if (body["tender"] == "ACCOUNT") {
      auto rule = rules_.find(str(invoice, "customerAccountId"));
      if (rule != rules_.end() && isMoney(rule->second.value("accountBalance", json()))) {
        rule->second["accountBalance"]["amountMinor"] =
            minor(rule->second["accountBalance"]) + minor(body["amount"]);
      }
    }
    acceptedLog_.push_back({{"kind", kind},
                            {"id", id},
                            {"idempotencyKey", record["idempotencyKey"]},
                            {"body", body},
                            {"acceptedAt", record["acceptedAt"]}});
  } else if (kind == "receipt") {
    receipts_[record["receiptId"].get<std::string>()] = record;
    acceptedLog_.push_back({{"kind", kind}, {"id", record["receiptId"]}});
  } else if (kind == "delivery") {
    receipts_[record["receiptId"].get<std::string>()]["deliveryStatus"] = record["deliveryStatus"];
    acceptedLog_.push_back({{"kind", kind}, {"id", record["deliveryId"]}});
  } else if (kind == "reprint") {
    json& rc = receipts_[record["receiptId"].get<std::string>()];
    rc["reprintCount"] = rc.value("reprintCount", 0) + 1;
    acceptedLog_.push_back({{"kind", kind}, {"id", record["reprintId"]}});
  }
}

}  // namespace pos::sim
