// Reconciliation (see reconciliation.hpp for the kinds).
//
// Sections: 1. names and time  2. matching  3. output
#include <pos/sync/reconciliation.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

namespace pos::sync {

// ---------------------------------------------------------------------------------------------
// 1. names and time
// ---------------------------------------------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 6> kKindNames = {
    "MissingInternalRecord", "MissingProviderRecord", "AmountMismatch",
    "CurrencyMismatch",      "StatusMismatch",        "DuplicateChargeSuspected"};
static_assert(kKindNames.size() == static_cast<std::size_t>(DiscrepancyKind::kCount));

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when it is not that.
std::optional<std::int64_t> epochSeconds(const std::string& t) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  if (t.size() < 20 ||
      std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) {
    return std::nullopt;
  }
  z = t.back();
  if (z != 'Z') return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string money(const std::optional<ContractMoney>& m) {
  if (!m) return "-";
  return std::to_string(m->amountMinor) + " " + m->currency;
}
}  // namespace

std::string_view toString(DiscrepancyKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : std::string_view("Unknown");
}

// ---------------------------------------------------------------------------------------------
// 2. matching
// ---------------------------------------------------------------------------------------------

ReconciliationReport reconcile(std::span<const LedgerPayment> ledger,
                               std::span<const ProviderPayment> provider, std::string from,
                               std::string to, const ReconciliationOptions& options) {
  ReconciliationReport report;
  report.from = std::move(from);
  report.to = std::move(to);
  report.ledgerCount = static_cast<std::int64_t>(ledger.size());
  report.providerCount = static_cast<std::int64_t>(provider.size());

  std::map<std::string, CurrencyTotals> totals;
  auto totalsFor = [&](const std::string& currency) -> CurrencyTotals& {
    auto& t = totals[currency];
    t.currency = currency;
    return t;
  };

  std::map<std::string, const LedgerPayment*> ledgerById;
  for (const auto& l : ledger) {
    ledgerById.emplace(l.billingPaymentId, &l);
    auto& t = totalsFor(l.amount.currency);
    ++t.ledgerCount;
    t.ledgerMinor += l.amount.amountMinor;
  }
  std::map<std::string, std::vector<const ProviderPayment*>> providerById;
  for (const auto& p : provider) {
    providerById[p.billingPaymentId].push_back(&p);
    auto& t = totalsFor(p.amount.currency);
    ++t.providerCount;
    t.providerMinor += p.amount.amountMinor;
  }

  auto add = [&](DiscrepancyKind kind, const std::string& id, const std::string& invoice,
                 std::optional<ContractMoney> l, std::optional<ContractMoney> p,
                 std::string detail) {
    report.discrepancies.push_back(
        {kind, id, invoice, std::move(l), std::move(p), std::move(detail)});
  };

  // The backend listing one id more than once is a double charge until proven otherwise.
  for (const auto& [id, rows] : providerById) {
    if (rows.size() > 1) {
      add(DiscrepancyKind::DuplicateChargeSuspected, id, rows.front()->invoiceId, std::nullopt,
          rows.front()->amount,
          "the backend lists this payment " + std::to_string(rows.size()) + " times");
    }
  }
  // Two backend payments of one invoice, same amount and tender, close in time.
  std::vector<const ProviderPayment*> sorted;
  for (const auto& p : provider) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::tie(a->invoiceId, a->capturedAt, a->billingPaymentId) <
           std::tie(b->invoiceId, b->capturedAt, b->billingPaymentId);
  });
  std::set<std::string> flaggedPairs;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    for (std::size_t j = i + 1; j < sorted.size() && sorted[j]->invoiceId == sorted[i]->invoiceId;
         ++j) {
      const auto* a = sorted[i];
      const auto* b = sorted[j];
      if (a->billingPaymentId == b->billingPaymentId || !(a->amount == b->amount) ||
          a->tender.raw != b->tender.raw) {
        continue;
      }
      const auto ta = epochSeconds(a->capturedAt);
      const auto tb = epochSeconds(b->capturedAt);
      if (!ta || !tb || std::llabs(*tb - *ta) > options.duplicateWindow.count()) continue;
      if (!flaggedPairs.insert(a->billingPaymentId + "|" + b->billingPaymentId).second) continue;
      add(DiscrepancyKind::DuplicateChargeSuspected, b->billingPaymentId, b->invoiceId,
          std::nullopt, b->amount,
          "same invoice, amount and tender as " + a->billingPaymentId + " within " +
              std::to_string(options.duplicateWindow.count()) + " s");
    }
  }

  std::set<std::string> allIds;
  for (const auto& [id, l] : ledgerById) {
    allIds.insert(id);
    auto it = providerById.find(id);
    if (it == providerById.end()) {
      const char* why = l->posting == LedgerPostingState::Pending   ? "not yet sent (queued)"
                        : l->posting == LedgerPostingState::Refused ? "refused by the backend"
                                                                    : "acknowledged, but absent";
      add(DiscrepancyKind::MissingProviderRecord, id, l->invoiceId, l->amount, std::nullopt, why);
      continue;
    }
    const ProviderPayment& p = *it->second.front();
    bool matched = true;
    if (p.amount.currency != l->amount.currency) {
      add(DiscrepancyKind::CurrencyMismatch, id, l->invoiceId, l->amount, p.amount,
          "ledger " + l->amount.currency + ", backend " + p.amount.currency);
      matched = false;
    } else if (p.amount.amountMinor != l->amount.amountMinor) {
      add(DiscrepancyKind::AmountMismatch, id, l->invoiceId, l->amount, p.amount,
          "ledger " + money(l->amount) + ", backend " + money(p.amount));
      matched = false;
    }
    if (l->posting == LedgerPostingState::Refused || p.status != "POSTED") {
      add(DiscrepancyKind::StatusMismatch, id, l->invoiceId, l->amount, p.amount,
          std::string("ledger ") +
              (l->posting == LedgerPostingState::Refused   ? "REFUSED"
               : l->posting == LedgerPostingState::Pending ? "PENDING"
                                                           : "POSTED") +
              ", backend " + p.status);
      matched = false;
    }
    if (matched) {
      ++report.matchedCount;
      auto& t = totalsFor(l->amount.currency);
      ++t.matchedCount;
      t.matchedMinor += l->amount.amountMinor;
    }
  }
  for (const auto& [id, rows] : providerById) {
    allIds.insert(id);
    if (!ledgerById.count(id)) {
      add(DiscrepancyKind::MissingInternalRecord, id, rows.front()->invoiceId, std::nullopt,
          rows.front()->amount, "the backend has a payment this terminal's ledger does not");
    }
  }
  if (!allIds.empty()) {
    report.matchedPercent =
        100.0 * static_cast<double>(report.matchedCount) / static_cast<double>(allIds.size());
  }
  std::stable_sort(report.discrepancies.begin(), report.discrepancies.end(),
                   [](const Discrepancy& a, const Discrepancy& b) {
                     return std::tie(a.kind, a.billingPaymentId) <
                            std::tie(b.kind, b.billingPaymentId);
                   });
  for (auto& [currency, t] : totals) report.totals.push_back(t);
  return report;
}

// ---------------------------------------------------------------------------------------------
// 3. output
// ---------------------------------------------------------------------------------------------

std::string toJsonText(const ReconciliationReport& r) {
  using nlohmann::json;
  auto moneyJson = [](const std::optional<ContractMoney>& m) {
    return m ? json{{"currency", m->currency}, {"amountMinor", m->amountMinor}} : json(nullptr);
  };
  json out = {{"from", r.from},
              {"to", r.to},
              {"ledgerCount", r.ledgerCount},
              {"providerCount", r.providerCount},
              {"matchedCount", r.matchedCount},
              {"matchedPercent",
               static_cast<double>(static_cast<std::int64_t>(r.matchedPercent * 10 + 0.5)) / 10.0},
              {"discrepancies", json::array()},
              {"totals", json::array()}};
  for (const auto& d : r.discrepancies) {
    out["discrepancies"].push_back({{"kind", toString(d.kind)},
                                    {"billingPaymentId", d.billingPaymentId},
                                    {"invoiceId", d.invoiceId},
                                    {"ledgerAmount", moneyJson(d.ledgerAmount)},
                                    {"providerAmount", moneyJson(d.providerAmount)},
                                    {"detail", d.detail}});
  }
  for (const auto& t : r.totals) {
    out["totals"].push_back(
        {{"currency", t.currency},
         {"ledger", {{"count", t.ledgerCount}, {"amountMinor", t.ledgerMinor}}},
         {"provider", {{"count", t.providerCount}, {"amountMinor", t.providerMinor}}},
         {"matched", {{"count", t.matchedCount}, {"amountMinor", t.matchedMinor}}}});
  }
  return out.dump(2);
}

std::string toMarkdown(const ReconciliationReport& r) {
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f", r.matchedPercent);
  std::string md = "# Reconciliation " + r.from + " – " + r.to + "\n\n";
  md += "Ledger payments: " + std::to_string(r.ledgerCount) +
        ", backend payments: " + std::to_string(r.providerCount) +
        ", matched: " + std::to_string(r.matchedCount) + " (" + percent + " %)\n\n";
  md += "## Totals per currency (minor units)\n\n";
  md +=
      "| currency | ledger count | ledger total | backend count | backend total | matched count | "
      "matched total |\n";
  md += "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& t : r.totals) {
    md += "| " + t.currency + " | " + std::to_string(t.ledgerCount) + " | " +
          std::to_string(t.ledgerMinor) + " | " + std::to_string(t.providerCount) + " | " +
          std::to_string(t.providerMinor) + " | " + std::to_string(t.matchedCount) + " | " +
          std::to_string(t.matchedMinor) + " |\n";
  }
  md += "\n## Discrepancies (" + std::to_string(r.discrepancies.size()) + ")\n\n";
  if (r.discrepancies.empty()) {
    md += "None.\n";
    return md;
  }
  md += "| kind | payment | invoice | ledger | backend | detail |\n";
  md += "| --- | --- | --- | ---: | ---: | --- |\n";
  for (const auto& d : r.discrepancies) {
    md += "| " + std::string(toString(d.kind)) + " | " + d.billingPaymentId + " | " + d.invoiceId +
          " | " + money(d.ledgerAmount) + " | " + money(d.providerAmount) + " | " + d.detail +
          " |\n";
  }
  return md;
}

}  // namespace pos::sync
