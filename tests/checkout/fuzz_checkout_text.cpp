// Fuzz target: text typed at the counter or carried in headers. The first byte picks a currency
// and what the rest means: an amount, a PO (with a pattern before the first newline), a UUID,
// an RFC 3339 time or a traceparent. Nothing may crash; what parses must format back the same.
#include <pos/checkout/clock.hpp>
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>
#include <pos/checkout/po_format.hpp>
#include <pos/checkout/trace_context.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace pos::checkout;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto currencies = Currency::all();
  const Currency currency = currencies[data[0] % currencies.size()];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: {
      const auto amount = parse_amount(text, currency);
      if (amount.ok()) {
        if (amount->is_negative()) std::abort();
        const auto back = parse_amount(format(amount.value(), MoneyFormat::Plain), currency);
        if (!back.ok() || back.value() != amount.value()) std::abort();
        (void)format(amount.value(), MoneyFormat::Screen);
        (void)format(amount.value(), MoneyFormat::Receipt);
      }
      break;
    }
    case 1: {
      const auto newline = text.find('\n');
      const std::optional<std::string> pattern =
          newline == std::string_view::npos ? std::nullopt
                                            : std::optional<std::string>(text.substr(0, newline));
      const std::string_view po =
          newline == std::string_view::npos ? text : text.substr(newline + 1);
      const PoFormat format = PoFormat::for_pattern(pattern);
      const auto checked = format.check(normalize_po(po));
      if (checked.ok() && looks_like_card_number(normalize_po(po))) std::abort();
      break;
    }
    case 2:
      if (auto uuid = Uuid::parse(text); uuid && Uuid::parse(uuid->to_string()) != uuid)
        std::abort();
      break;
    case 3:
      if (auto t = parse_rfc3339(text); t && parse_rfc3339(format_rfc3339(*t)) != t) std::abort();
      break;
    case 4:
      if (auto tp = TraceParent::parse(text); tp && TraceParent::parse(tp->to_string()) != tp)
        std::abort();
      break;
  }
  return 0;
}
