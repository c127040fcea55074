// Reconciliation over plain records: each of the six kinds, per-currency totals (never added
// across currencies), the matched percentage, and both output formats.
#include <pos/sync/reconciliation.hpp>

#include <gtest/gtest.h>

#include <set>

namespace pos::sync {
namespace {

LedgerPayment ledger(const std::string& id, const std::string& invoice, const std::string& cur,
                     std::int64_t minor, LedgerPostingState s = LedgerPostingState::Posted) {
  return {id, invoice, {cur, minor}, "CASH", "2026-11-21T10:00:00.000Z", s};
}
ProviderPayment provider(const std::string& id, const std::string& invoice, const std::string& cur,
                         std::int64_t minor, const std::string& at = "2026-11-21T10:00:00.000Z",
                         const std::string& status = "POSTED") {
  ProviderPayment p;
  p.billingPaymentId = id;
  p.invoiceId = invoice;
  p.amount = {cur, minor};
  p.tender.raw = "CASH";
  p.tender.known = true;
  p.status = status;
  p.capturedAt = at;
  return p;
}

TEST(Reconciliation, EveryKindIsFoundAndNothingElse) {
  const std::vector<LedgerPayment> l = {
      ledger("p-match", "i1", "USD", 1000),
      ledger("p-amount", "i2", "USD", 500),
      ledger("p-currency", "i3", "USD", 700),
      ledger("p-status", "i4", "EUR", 300, LedgerPostingState::Refused),
      ledger("p-missing-provider", "i5", "USD", 50, LedgerPostingState::Pending),
      ledger("p-dup-id", "i6", "USD", 10),
  };
  const std::vector<ProviderPayment> p = {
      provider("p-match", "i1", "USD", 1000),
      provider("p-amount", "i2", "USD", 501),
      provider("p-currency", "i3", "EUR", 700),
      provider("p-status", "i4", "EUR", 300),
      provider("p-missing-internal", "i7", "USD", 80),
      provider("p-dup-id", "i6", "USD", 10),
      provider("p-dup-id", "i6", "USD", 10),
      // Same invoice, amount and tender one minute apart: a suspected double charge.
      provider("p-twin-a", "i8", "USD", 99, "2026-11-21T11:00:00.000Z"),
      provider("p-twin-b", "i8", "USD", 99, "2026-11-21T11:01:00.000Z"),
      // ... but not a day apart.
      provider("p-far-a", "i9", "USD", 99, "2026-11-21T11:00:00.000Z"),
      provider("p-far-b", "i9", "USD", 99, "2026-11-22T11:00:00.000Z"),
  };
  const auto r = reconcile(l, p, "2026-11-21T00:00:00Z", "2026-11-23T00:00:00Z");
  std::multiset<std::pair<std::string, std::string>> found;
  for (const auto& d : r.discrepancies)
    found.insert({std::string(toString(d.kind)), d.billingPaymentId});
  const std::multiset<std::pair<std::string, std::string>> expected = {
      {"MissingInternalRecord", "p-missing-internal"},
      {"MissingInternalRecord", "p-twin-a"},
      {"MissingInternalRecord", "p-twin-b"},
      {"MissingInternalRecord", "p-far-a"},
      {"MissingInternalRecord", "p-far-b"},
      {"MissingProviderRecord", "p-missing-provider"},
      {"AmountMismatch", "p-amount"},
      {"CurrencyMismatch", "p-currency"},
      {"StatusMismatch", "p-status"},
      {"DuplicateChargeSuspected", "p-dup-id"},
      {"DuplicateChargeSuspected", "p-twin-b"},
  };
  EXPECT_EQ(found, expected);
  EXPECT_EQ(r.matchedCount, 2);  // p-match and p-dup-id (its ledger row matches the first copy)
  // 11 distinct ids on either side.
  EXPECT_NEAR(r.matchedPercent, 100.0 * 2 / 11, 1e-9);
  ASSERT_EQ(r.totals.size(), 2u);
  EXPECT_EQ(r.totals[0].currency, "EUR");
  EXPECT_EQ(r.totals[0].ledgerMinor, 300);
  EXPECT_EQ(r.totals[0].providerMinor, 1000);
  EXPECT_EQ(r.totals[1].currency, "USD");
  EXPECT_EQ(r.totals[1].ledgerMinor, 1000 + 500 + 700 + 50 + 10);
  EXPECT_EQ(r.totals[1].providerMinor, 1000 + 501 + 80 + 10 + 10 + 99 * 4);
  EXPECT_EQ(r.totals[1].matchedMinor, 1010);
}

TEST(Reconciliation, EmptyPeriodIsFullyMatchedAndOutputsAreStable) {
  const auto r = reconcile({}, {}, "a", "b");
  EXPECT_EQ(r.matchedPercent, 100.0);
  EXPECT_TRUE(r.discrepancies.empty());
  const auto json = nlohmann::json::parse(toJsonText(r));
  EXPECT_EQ(json["matchedPercent"], 100.0);
  EXPECT_TRUE(json["discrepancies"].empty());
  EXPECT_NE(toMarkdown(r).find("None."), std::string::npos);
}

TEST(Reconciliation, OutputsNameEveryDiscrepancy) {
  const std::vector<LedgerPayment> l = {ledger("p1", "i1", "USD", 10)};
  const std::vector<ProviderPayment> p = {provider("p1", "i1", "USD", 11)};
  const auto r = reconcile(l, p, "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z");
  const auto json = nlohmann::json::parse(toJsonText(r));
  ASSERT_EQ(json["discrepancies"].size(), 1u);
  EXPECT_EQ(json["discrepancies"][0]["kind"], "AmountMismatch");
  EXPECT_EQ(json["discrepancies"][0]["ledgerAmount"]["amountMinor"], 10);
  EXPECT_EQ(json["discrepancies"][0]["providerAmount"]["amountMinor"], 11);
  EXPECT_EQ(json["matchedPercent"], 0.0);
  const std::string md = toMarkdown(r);
  EXPECT_NE(md.find("| AmountMismatch | p1 | i1 | 10 USD | 11 USD |"), std::string::npos) << md;
  EXPECT_NE(md.find("| USD | 1 | 10 | 1 | 11 | 0 | 0 |"), std::string::npos) << md;
}

}  // namespace
}  // namespace pos::sync
