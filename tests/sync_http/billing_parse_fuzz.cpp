// Fuzz target: every response parser of the billing client over arbitrary bytes. Parsers must
// refuse or accept, never crash, and an accepted document must carry what the contract requires.
#include <pos/sync/billing_client.hpp>
#include <pos/sync/http_client.hpp>
#include <pos/sync/http_trace_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace pos::sync;
  if (auto r = parseRoster(body); r.value) {
    for (const auto& s : r.value->staff) {
      if (s.pinVerifier.opsLimit == 0) std::abort();  // refused by the parser
    }
  }
  (void)parseReasonCodes(body);
  if (auto r = parseBillingRules(body); r.value && !r.error.empty()) std::abort();
  (void)parseEvaluation(body);
  (void)parseElevationGrant(body);
  (void)parsePaymentPosted(body);
  if (auto r = parseProviderPayments(body); r.value) {
    for (const auto& p : r.value.value()) {
      if (p.amount.currency.size() != 3) std::abort();
    }
  }
  (void)parseReceiptRecords(body);
  (void)parseReprintRecorded(body);
  (void)parseDeliveryResult(body);
  if (auto e = parseApiError(body); e && e->errorCode.empty()) std::abort();
  (void)parseTraceparent(body);
  return 0;
}
