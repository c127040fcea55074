#include "sim_seed.hpp"

namespace pos::testing {

using nlohmann::json;

namespace {
json money(const std::string& currency, std::int64_t minor) {
  return {{"currency", currency}, {"amountMinor", minor}};
}
}  // namespace

json makeInvoice(const std::string& invoiceId, const std::string& workOrderId,
                 const std::string& accountId, const std::string& accountType,
                 const std::string& status, const std::string& currency, std::int64_t amountMinor) {
  const json total = money(currency, amountMinor);
  return {{"invoiceId", invoiceId},
          {"invoiceNumber", "N-" + invoiceId},
          {"workOrderId", workOrderId},
          {"customerAccountId", accountId},
          {"customerName", "Customer " + accountId},
          {"accountType", accountType},
          {"status", status},
          {"currency", currency},
          {"lines",
           {{{"lineId", invoiceId + "-L1"},
             {"description", "Service"},
             {"quantity", "1"},
             {"unitPrice", total},
             {"lineTotal", total},
             {"taxable", false}}}},
          {"subtotal", total},
          {"taxTotal", money(currency, 0)},
          {"feeTotal", money(currency, 0)},
          {"discountTotal", money(currency, 0)},
          {"grandTotal", total},
          {"balanceDue", money(currency, status == "PAID" ? 0 : amountMinor)},
          {"payments", json::array()},
          {"links",
           {{{"targetDomain", "service"}, {"targetType", "WorkOrder"}, {"targetId", workOrderId}}}},
          {"updatedAt", "2026-11-01T08:00:00.000Z"}};
}

json contractSeed() {
  const json advisorPerms = {"billing:checkout:po:capture", "billing:checkout:po:override",
                             "billing:receipt:view", "billing:receipt:deliver",
                             "billing:receipt:reprint"};
  const json supervisorPerms = {"billing:auth:elevate", "billing:checkout:po:override",
                                "billing:receipt:reprint", "billing:posting-error:detail:view"};
  json seed;
  seed["token"] = kSimToken;
  seed["roster"] = {{"maxOfflineAgeSeconds", 86400},
                    {"pinHashing", {{"opsLimit", 1}, {"memLimitBytes", 8192}}},
                    {"staff",
                     {{{"userId", "u-adv"},
                       {"displayName", "Ada Advisor"},
                       {"permissions", advisorPerms},
                       {"pin", "1111"},
                       {"paymentLimit", money("USD", 100000)}},
                      {{"userId", "u-adv2"},
                       {"displayName", "Bob Advisor"},
                       {"permissions", {"billing:checkout:po:capture", "billing:receipt:view"}},
                       {"pin", "2222"}},
                      {{"userId", "u-sup1"},
                       {"displayName", "Sue Supervisor"},
                       {"permissions", supervisorPerms},
                       {"pin", "1234"}},
                      {{"userId", "u-sup2"},
                       {"displayName", "Sam Supervisor"},
                       {"permissions", supervisorPerms},
                       {"pin", "5678"}}}}};
  seed["reasonCodes"] = {
      {"PO_OVERRIDE",
       {{{"code", "CUSTOMER_FORGOT"},
         {"label", "Customer forgot the PO"},
         {"requiresNotes", false}},
        {{"code", "OTHER"}, {"label", "Other"}, {"requiresNotes", true}}}},
      {"REPRINT",
       {{{"code", "CUSTOMER_REQUEST"}, {"label", "Customer request"}, {"requiresNotes", false}}}}};
  seed["rules"] = {{{"accountId", "ACC-COM"},
                    {"isPoRequired", true},
                    {"poFormatRegex", "^[A-Z]{2}-[0-9]{6}$"},
                    {"poUniquenessScope", "PER_ACCOUNT_ALL_TIME"},
                    {"overrideAllowed", true},
                    {"overrideRequiresSecondApprover", true},
                    {"overrideReasonCodeRequired", true},
                    {"partialPaymentsAllowed", true},
                    {"chargeAccountEligible", true},
                    {"creditLimit", money("USD", 100000)},
                    {"accountBalance", money("USD", 95000)},
                    {"offlineElevationAllowed", true},
                    {"policyVersion", "com-v7"}},
                   {{"accountId", "ACC-FLEET"},
                    {"isPoRequired", true},
                    {"poFormatRegex", nullptr},
                    {"poUniquenessScope", "PER_ACCOUNT_OPEN_ORDERS"},
                    {"overrideAllowed", true},
                    {"overrideRequiresSecondApprover", false},
                    {"overrideReasonCodeRequired", true},
                    {"partialPaymentsAllowed", false},
                    {"chargeAccountEligible", false},
                    {"creditLimit", nullptr},
                    {"accountBalance", nullptr},
                    {"offlineElevationAllowed", false},
                    {"policyVersion", "fleet-v2"}}};
  seed["invoices"] = {
      makeInvoice("INV-COM", "WO-COM", "ACC-COM", "COMMERCIAL", "ISSUED", "USD", 12345),
      makeInvoice("INV-COM2", "WO-COM2", "ACC-COM", "COMMERCIAL", "ISSUED", "USD", 5000),
      makeInvoice("INV-FLEET", "WO-FLEET", "ACC-FLEET", "FLEET", "ISSUED", "USD", 8000),
      makeInvoice("INV-CONS", "WO-CONS", "ACC-CONS", "CONSUMER", "ISSUED", "USD", 2500),
      makeInvoice("INV-NORULES", "WO-NORULES", "ACC-NORULES", "COMMERCIAL", "ISSUED", "USD", 7000),
      makeInvoice("INV-VOID", "WO-VOID", "ACC-CONS", "CONSUMER", "VOID", "USD", 1000),
      makeInvoice("INV-PAID", "WO-PAID", "ACC-CONS", "CONSUMER", "PAID", "USD", 1000),
      makeInvoice("INV-EUR", "WO-EUR", "ACC-CONS", "CONSUMER", "ISSUED", "EUR", 4000)};
  seed["usedPoNumbers"] = {
      {{"accountId", "ACC-COM"}, {"poNumber", "AB-000001"}, {"open", false}},
      {{"accountId", "ACC-FLEET"}, {"poNumber", "FLEET-OPEN"}, {"open", true}},
      {{"accountId", "ACC-FLEET"}, {"poNumber", "FLEET-DONE"}, {"open", false}}};
  seed["receiptPolicy"] = {{"maxReprints", 1},
                           {"windowSeconds", 3600},
                           {"requiresReasonCode", true},
                           {"requiresElevation", true}};
  seed["lockout"] = {{"maxFailures", 5}, {"seconds", 300}};
  return seed;
}

json soakSeed(int count) {
  json seed;
  seed["token"] = kSimToken;
  seed["roster"] = {{"staff", json::array()}};
  seed["invoices"] = json::array();
  for (int i = 0; i < count; ++i) {
    const std::string id = "SOAK-" + std::to_string(i);
    seed["invoices"].push_back(
        makeInvoice(id, "WO-" + id, "ACC-SOAK", "CONSUMER", "ISSUED", "USD", 10000));
  }
  return seed;
}

}  // namespace pos::testing
