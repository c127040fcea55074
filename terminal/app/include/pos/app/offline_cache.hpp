// What the terminal keeps of the backend for offline work, read as the checkout domain's types:
// the roster, reason codes, rules per account and invoices (sync's SnapshotStore underneath,
// filled by `pull` and the replicator, or by `demo`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <pos/checkout/billing_rules.hpp>
#include <pos/checkout/receipts.hpp>
#include <pos/checkout/refusal.hpp>
#include <pos/checkout/roster.hpp>
#include <pos/sync/replicator.hpp>
#include <pos/vocabulary/vocabulary.hpp>

namespace pos::app {

using vocabulary::ReasonCategory;  // one definition with sync's reason-code requests

// A receipt's reprintPolicy as the backend last sent it, and when (reprints recorded here
// after that count against it).
struct SeenReprintPolicy {
  checkout::ReprintPolicy policy;
  checkout::Timestamp seenAt;
};

class OfflineCache {
 public:
  explicit OfflineCache(sync::SnapshotStore& store) : store_(store) {}

  // ROSTER_MALFORMED when missing or unreadable (no roster: nobody can work offline).
  checkout::Result<checkout::Roster, checkout::Refusal> roster();
  // Empty when none were pulled.
  checkout::ReasonCodes reasonCodes(ReasonCategory category);
  // nullopt: no rules for the account (the backend said 404, or none were pulled).
  std::optional<checkout::BillingRules> rules(const std::string& accountId);
  // The newest cached invoice for a work order, as JSON text.
  std::optional<std::string> invoiceByWorkOrder(const std::string& workOrderId);
  std::optional<std::string> invoice(const std::string& invoiceId);

  // Writers (pull, demo seeding, and an invoice fetched online for a checkout).
  bool putRoster(const nlohmann::json& roster, checkout::Timestamp at,
                 const std::string& etag = {});
  bool putReasonCodes(ReasonCategory category, const nlohmann::json& body, checkout::Timestamp at,
                      const std::string& etag = {});
  bool putRules(const std::string& accountId, const nlohmann::json& rules, checkout::Timestamp at,
                const std::string& etag = {});
  bool putRulesUnconfigured(const std::string& accountId, checkout::Timestamp at);
  bool putInvoice(const nlohmann::json& invoice, checkout::Timestamp at);
  bool putReprintPolicy(const std::string& receiptId, const nlohmann::json& policy,
                        checkout::Timestamp at);
  std::optional<SeenReprintPolicy> reprintPolicy(const std::string& receiptId);

  bool empty();

 private:
  sync::SnapshotStore& store_;
};

// Outside text is cleaned before it is stored (issue 15): every string in a backend body loses
// its control bytes (ESC, NUL, CR/LF ...) and invalid UTF-8, so a receipt reference or a stored
// receipt text can never carry a printer command.
void cleanOutsideStrings(nlohmann::json& body);

// Seeds the demo shop (assets/demo: roster, reason codes, rules, invoices) into the cache, as
// if pulled from a backend. Returns an error text, or empty on success.
std::string seedDemoShop(OfflineCache& cache, const std::filesystem::path& demoDir,
                         checkout::Timestamp now);

}  // namespace pos::app
