// The billing backend simulator's state machine: the contract's endpoints over in-memory state,
// persisted as a journal of committed mutations. No HTTP here (billing_sim_main.cpp serves it, with
// the fault injection), so the rules can be read in one place.
//
// Seed file (JSON, all keys optional unless noted):
//   {
//     "token": "terminal bearer token the simulator accepts (default \"sim-token\")",
//     "roster": {"maxOfflineAgeSeconds": 86400,
//                "pinHashing": {"opsLimit": 2, "memLimitBytes": 8388608},
//                "staff": [{"userId", "displayName", "permissions": [..], "pin": "1234",
//                           "paymentLimit": Money|null}]},
//        (the PIN is turned into a real Argon2id13 verifier at start; the salt is derived from
//         the userId so the roster's ETag is stable across restarts)
//     "reasonCodes": {"PO_OVERRIDE": [{"code","label","requiresNotes"}], "REPRINT": [...]},
//     "rules": [BillingRules, ...],             // as the contract's BillingRules
//     "invoices": [Invoice, ...],              // as the contract's Invoice
//     "usedPoNumbers": [{"accountId", "poNumber", "open": bool}],
//     "receiptPolicy": {"maxReprints": 2, "windowSeconds": 2592000,
//                       "requiresReasonCode": true, "requiresElevation": false},
//     "lockout": {"maxFailures": 5, "seconds": 300}
//   }
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pos::sim {

using nlohmann::json;

struct SimRequest {
  std::string method;  // "GET" | "POST"
  std::string path;    // without the query
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int remotePort = 0;  // the client's port: tests check connection reuse with it
};

struct SimReply {
  int status = 200;
  std::string body;  // JSON text (empty for 304)
  std::map<std::string, std::string> headers;
  bool committed = false;  // the request changed state (a lost ack drops only such replies)
};

class Backend {
 public:
  // Throws std::runtime_error on an unreadable seed or journal.
  Backend(const json& seed, std::string journalPath);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  SimReply handle(const SimRequest& request);

  // Test controls (served under /_sim/).
  json accepted() const;  // every committed create, in order
  void advanceClock(std::chrono::seconds by);
  json recentRequests(std::size_t limit) const;  // headers seen, Authorization redacted

 private:
  struct Token {
    std::string approver, checkoutId, action;
    std::int64_t expiresAtMs = 0;
    bool used = false;
  };
  struct Lockout {
    int failures = 0;
    std::int64_t lockedUntilMs = 0;
  };
  struct IdemEntry {
    std::string path, bodyHash;
    int status = 0;
    std::string reply;
  };

  std::int64_t nowMs() const;
  std::string nowText() const;

  SimReply dispatch(const SimRequest& r);
  SimReply withEtag(const SimRequest& r, json body);
  SimReply error(const SimRequest& r, int status, const std::string& code,
                 const std::string& message, json extra = json::object()) const;

  SimReply roster(const SimRequest& r);
  SimReply reasonCodes(const SimRequest& r);
  SimReply rules(const SimRequest& r, const std::string& accountId);
  SimReply invoiceFeed(const SimRequest& r);
  SimReply paymentsList(const SimRequest& r);
  SimReply receiptsByInvoice(const SimRequest& r, const std::string& invoiceId);
  SimReply evaluate(const SimRequest& r, const std::string& checkoutId, const json& body);
  SimReply capturePo(const SimRequest& r, const std::string& checkoutId, const json& body);
  SimReply overridePo(const SimRequest& r, const std::string& checkoutId, const json& body);
  SimReply elevate(const SimRequest& r, const json& body);
  SimReply offlineGrant(const SimRequest& r, const json& body);
  SimReply payment(const SimRequest& r, const json& body);
  SimReply createReceipt(const SimRequest& r, const json& body);
  SimReply deliver(const SimRequest& r, const std::string& receiptId, const json& body);
  SimReply reprint(const SimRequest& r, const std::string& receiptId, const json& body);

  // Validates approvals for (checkout, action); on success marks the tokens used.
  std::optional<SimReply> redeemApprovals(const SimRequest& r, const json& approvals,
                                          const std::string& checkoutId, const std::string& action,
                                          const std::string& requestedBy);
  json reprintPolicy(const json& receipt) const;
  const json* staff(const std::string& userId) const;
  bool hasPermission(const std::string& userId, const std::string& permission) const;

  // Commit = apply + journal. Replay applies without journalling.
  void commit(const std::string& kind, const json& record);
  void apply(const std::string& kind, const json& record);

  mutable std::mutex mu_;
  std::string token_;
  json rosterBody_;
  std::map<std::string, std::vector<unsigned char>> pinHashes_;
  std::uint64_t opsLimit_ = 2;
  std::size_t memLimit_ = 8u << 20;
  json reasonCodes_ = json::object();
  std::map<std::string, json> rules_;
  std::map<std::string, json> invoices_;
  std::vector<std::string> invoiceOrder_;
  struct UsedPo {
    std::string poNumber, checkoutId, invoiceId;
    bool seededOpen = false;
  };
  std::map<std::string, std::vector<UsedPo>> usedPos_;  // by account
  std::map<std::string, json> checkouts_;               // checkoutId -> {invoiceId, accountId}
  std::map<std::string, json> pos_, overrides_, grants_, receipts_;
  std::map<std::string, json> payments_;
  std::vector<std::string> paymentOrder_;
  std::map<std::string, Token> tokens_;
  std::map<std::string, Lockout> lockouts_;
  std::map<std::string, IdemEntry> idem_;
  json receiptPolicy_;
  int maxFailures_ = 5;
  int lockoutSeconds_ = 300;
  json acceptedLog_ = json::array();
  std::vector<json> requestLog_;
  std::int64_t clockOffsetMs_ = 0;
  std::string journalPath_;
  std::FILE* journal_ = nullptr;
};

// RFC 3339 UTC helpers shared with the tests ("2026-11-21T10:15:00.123Z").
std::string formatTime(std::int64_t unixMs);
std::optional<std::int64_t> parseTime(const std::string& text);

}  // namespace pos::sim
