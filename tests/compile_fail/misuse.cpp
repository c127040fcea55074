// Misuse of Money and ids that must not compile (STYLE.md, "Types that make mistakes
// impossible"). CMakeLists.txt compiles this file once per POS_MISUSE value with
// -fsyntax-only and expects the compiler's error for that case; POS_MISUSE=0 is the control
// that must compile, so a broken include path cannot pass for a refusal.
#include <pos/checkout/ids.hpp>
#include <pos/checkout/money.hpp>

using namespace pos::checkout;

int main() {
  const Money price{Currencies::USD, 1250};
  [[maybe_unused]] const InvoiceId invoice =
      *InvoiceId::parse("01936f3e-8a7b-7c3d-9e4f-0123456789ab");
  [[maybe_unused]] const CheckoutId checkout =
      *CheckoutId::parse("01936f3e-8a7b-7c3d-9e4f-0123456789ab");

#if POS_MISUSE == 0
  // Control: the right way to do each of the things below.
  [[maybe_unused]] const auto sum = price.add(Money{Currencies::USD, 1});
  [[maybe_unused]] const Money from_int{Currencies::USD, 125};
  [[maybe_unused]] const bool same = checkout == CheckoutId{invoice.uuid()};
  [[maybe_unused]] const CheckoutId copy = checkout;
#elif POS_MISUSE == 1
  [[maybe_unused]] auto wrong = price + 1.5;  // Money + double
#elif POS_MISUSE == 2
  [[maybe_unused]] auto wrong = price + 1;  // Money + int
#elif POS_MISUSE == 3
  [[maybe_unused]] const Money wrong{Currencies::USD, 12.5};  // Money from a double
#elif POS_MISUSE == 4
  [[maybe_unused]] const CheckoutId wrong = invoice;  // one kind of id for another
#elif POS_MISUSE == 5
  [[maybe_unused]] const bool wrong = checkout == invoice;  // comparing two kinds of id
#elif POS_MISUSE == 6
  [[maybe_unused]] auto wrong = price + price;  // no unchecked sum, even in one currency
#endif
  return 0;
}
