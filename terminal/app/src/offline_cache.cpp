#include <pos/app/offline_cache.hpp>

#include <fstream>
#include <sstream>

#include <pos/checkout/invoice.hpp>
#include <pos/escpos/encoder.hpp>

namespace pos::app {

namespace {

// "reason-codes/PO_OVERRIDE", "reason-codes/REPRINT": the replicator's keys for the category.
std::string categoryKey(ReasonCategory c) {
  return "reason-codes/" + std::string(vocabulary::to_string(c));
}

std::optional<nlohmann::json> parseBody(const sync::Snapshot& s) {
  auto j = nlohmann::json::parse(s.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

}  // namespace

void cleanOutsideStrings(nlohmann::json& body) {
  if (body.is_string()) {
    body = escpos::clean_outside_text(body.get_ref<const std::string&>());
  } else if (body.is_array()) {
    for (auto& item : body) cleanOutsideStrings(item);
  } else if (body.is_object()) {
    for (auto& [key, value] : body.items()) cleanOutsideStrings(value);
  }
}

checkout::Result<checkout::Roster, checkout::Refusal> OfflineCache::roster() {
  auto found = store_.find("roster");
  if (!found.ok() || !found.value() || found.value()->presence != sync::SnapshotPresence::Present)
    return checkout::fail(checkout::refuse(checkout::RefusalCode::RosterMalformed,
                                           "no roster on this terminal: run pull or demo"));
  auto body = parseBody(*found.value());
  if (!body)
    return checkout::fail(checkout::refuse(checkout::RefusalCode::RosterMalformed, "not JSON"));
  return checkout::parse_roster(*body);
}

checkout::ReasonCodes OfflineCache::reasonCodes(ReasonCategory category) {
  auto found = store_.find(categoryKey(category));
  if (!found.ok() || !found.value()) return {};
  auto body = parseBody(*found.value());
  if (!body) return {};
  auto parsed = checkout::parse_reason_codes(*body);
  return parsed.ok() ? parsed.value() : checkout::ReasonCodes{};
}

std::optional<checkout::BillingRules> OfflineCache::rules(const std::string& accountId) {
  auto found = store_.find("rules/" + accountId);
  if (!found.ok() || !found.value() || found.value()->presence != sync::SnapshotPresence::Present)
    return std::nullopt;
  auto body = parseBody(*found.value());
  if (!body) return std::nullopt;
  auto parsed = checkout::parse_billing_rules(*body);
  if (!parsed.ok()) return std::nullopt;
  return parsed.value();
}

std::optional<std::string> OfflineCache::invoiceByWorkOrder(const std::string& workOrderId) {
  auto all = store_.list("invoice/");
  if (!all.ok()) return std::nullopt;
  std::optional<std::string> newest;
  std::string newestUpdated;
  for (const auto& s : all.value()) {
    auto body = parseBody(s);
    if (!body || !body->is_object()) continue;
    auto wo = body->find("workOrderId");
    if (wo == body->end() || !wo->is_string() || wo->get<std::string>() != workOrderId) continue;
    std::string updated = body->value("updatedAt", std::string());
    if (!newest || updated > newestUpdated) {
      newest = s.body;
      newestUpdated = updated;
    }
  }
  return newest;
}

std::optional<std::string> OfflineCache::invoice(const std::string& invoiceId) {
  auto found = store_.find("invoice/" + invoiceId);
  if (!found.ok() || !found.value()) return std::nullopt;
  return found.value()->body;
}

// Every writer validates first: a snapshot replaces the cached one only after it parses as
// what it claims to be (an HTML page or an out-of-bounds roster never displaces a good copy).
bool OfflineCache::putRoster(const nlohmann::json& roster, checkout::Timestamp at,
                             const std::string& etag) {
  if (!checkout::parse_roster(roster).ok()) return false;
  nlohmann::json clean = roster;
  cleanOutsideStrings(clean);
  return store_.put({"roster", sync::SnapshotPresence::Present, etag, clean.dump(), at}).ok();
}

bool OfflineCache::putReasonCodes(ReasonCategory category, const nlohmann::json& body,
                                  checkout::Timestamp at, const std::string& etag) {
  if (!checkout::parse_reason_codes(body).ok()) return false;
  nlohmann::json clean = body;
  cleanOutsideStrings(clean);
  return store_
      .put({std::string(categoryKey(category)), sync::SnapshotPresence::Present, etag, clean.dump(),
            at})
      .ok();
}

bool OfflineCache::putRules(const std::string& accountId, const nlohmann::json& rules,
                            checkout::Timestamp at, const std::string& etag) {
  if (!checkout::parse_billing_rules(rules).ok()) return false;
  return store_.put({"rules/" + accountId, sync::SnapshotPresence::Present, etag, rules.dump(), at})
      .ok();
}

bool OfflineCache::putRulesUnconfigured(const std::string& accountId, checkout::Timestamp at) {
  return store_.put({"rules/" + accountId, sync::SnapshotPresence::Unconfigured, "", "", at}).ok();
}

bool OfflineCache::putInvoice(const nlohmann::json& invoice, checkout::Timestamp at) {
  if (!invoice.is_object() || !invoice.contains("invoiceId") || !invoice["invoiceId"].is_string())
    return false;
  nlohmann::json clean = invoice;
  cleanOutsideStrings(clean);
  return store_
      .put({"invoice/" + clean["invoiceId"].get<std::string>(), sync::SnapshotPresence::Present, "",
            clean.dump(), at})
      .ok();
}

bool OfflineCache::putReprintPolicy(const std::string& receiptId, const nlohmann::json& policy,
                                    checkout::Timestamp at) {
  if (!checkout::parse_reprint_policy(policy).ok()) return false;
  return store_
      .put({"reprint-policy/" + receiptId, sync::SnapshotPresence::Present, "", policy.dump(), at})
      .ok();
}

std::optional<SeenReprintPolicy> OfflineCache::reprintPolicy(const std::string& receiptId) {
  auto found = store_.find("reprint-policy/" + receiptId);
  if (!found.ok() || !found.value()) return std::nullopt;
  auto body = parseBody(*found.value());
  if (!body) return std::nullopt;
  auto parsed = checkout::parse_reprint_policy(*body);
  if (!parsed.ok()) return std::nullopt;
  return SeenReprintPolicy{parsed.value(), found.value()->fetchedAt};
}

bool OfflineCache::empty() {
  auto found = store_.find("roster");
  return !found.ok() || !found.value().has_value();
}

std::string seedDemoShop(OfflineCache& cache, const std::filesystem::path& demoDir,
                         checkout::Timestamp now) {
  auto read = [&](const char* name) -> std::optional<nlohmann::json> {
    std::ifstream in(demoDir / name, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    auto j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  };
  auto roster = read("roster.json");
  auto reasons = read("reason-codes.json");
  auto rules = read("rules.json");
  auto invoices = read("invoices.json");
  if (!roster || !reasons || !rules || !invoices)
    return "the demo shop's files in " + demoDir.string() + " are missing or not JSON";
  if (!checkout::parse_roster(*roster).ok()) return "the demo roster does not parse";
  if (!cache.putRoster(*roster, now)) return "cannot store the demo roster";
  if (!cache.putReasonCodes(ReasonCategory::PoOverride,
                            reasons->value("PO_OVERRIDE", nlohmann::json{}), now) ||
      !cache.putReasonCodes(ReasonCategory::Reprint, reasons->value("REPRINT", nlohmann::json{}),
                            now))
    return "cannot store the demo reason codes";
  for (const auto& r : rules->value("rules", nlohmann::json::array())) {
    if (!cache.putRules(r.value("accountId", std::string()), r, now))
      return "cannot store the demo rules";
  }
  for (const auto& inv : invoices->value("invoices", nlohmann::json::array())) {
    if (!cache.putInvoice(inv, now)) return "cannot store a demo invoice";
  }
  return {};
}

}  // namespace pos::app
