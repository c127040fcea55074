// The vocabulary's tables hold the billing contract's spelling (../shared/contract/
// billing-api.md, copied here value by value so a change to a table fails a test), parse is
// strict, and the terminal's own POSSIBLY_PRINTED never reaches a contract body.
#include <pos/vocabulary/vocabulary.hpp>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace pos::vocabulary {
namespace {

template <Named E>
std::vector<std::string> texts_of() {
  std::vector<std::string> out;
  for (const E value : kAll<E>) out.emplace_back(to_string(value));
  return out;
}

using Texts = std::vector<std::string>;

TEST(Vocabulary, TablesSpellTheContractsValuesInTheEnumsOrder) {
  // POST /billing/payments "tender", "paymentType"
  EXPECT_EQ(texts_of<Tender>(), (Texts{"CASH", "CHECK", "CARD_EXTERNAL", "ACCOUNT"}));
  EXPECT_EQ(texts_of<PaymentType>(), (Texts{"PAID_IN_FULL", "PARTIAL_PAYMENT"}));
  // POST /billing/receipts/{id}/deliver "channel"; receipts' "deliveryStatus" + the terminal's
  EXPECT_EQ(texts_of<DeliveryChannel>(), (Texts{"PRINT", "EMAIL"}));
  EXPECT_EQ(texts_of<DeliveryStatus>(),
            (Texts{"PENDING", "SENT", "FAILED", "POSSIBLY_PRINTED", "BOUNCED"}));
  // POST /billing/auth/elevate and offline-grants "action"
  EXPECT_EQ(texts_of<ElevationAction>(),
            (Texts{"PO_OVERRIDE", "RECEIPT_REPRINT", "PAYMENT_OVER_LIMIT"}));
  // GET /billing/meta/reason-codes?category=
  EXPECT_EQ(texts_of<ReasonCategory>(), (Texts{"PO_OVERRIDE", "REPRINT"}));
  EXPECT_EQ(static_cast<int>(Tender::Account), 3);  // the ledger's reports loop by position
}

template <Named E>
void expect_round_trip_and_strictness() {
  for (const E value : kAll<E>) {
    const std::string text(to_string(value));
    EXPECT_EQ(parse<E>(text), value) << text;
    std::string lower = text;
    for (auto& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    EXPECT_FALSE(parse<E>(lower).has_value()) << lower;
    EXPECT_FALSE(parse<E>(" " + text).has_value());
    EXPECT_FALSE(parse<E>(text + " ").has_value());
    EXPECT_FALSE(parse<E>(text.substr(0, text.size() - 1)).has_value());
    EXPECT_FALSE(parse<E>(text + '\0').has_value());
  }
  EXPECT_FALSE(parse<E>("").has_value());
  EXPECT_FALSE(parse<E>("UNKNOWN").has_value());
  // A value outside the enum (a bad integer cast) has no text that parses back.
  const auto outside = static_cast<E>(kCount<E>);
  EXPECT_EQ(to_string(outside), "UNKNOWN");
  EXPECT_FALSE(parse<E>(to_string(outside)).has_value());
}

TEST(Vocabulary, ParseIsExactAndNeverDefaults) {
  expect_round_trip_and_strictness<Tender>();
  expect_round_trip_and_strictness<PaymentType>();
  expect_round_trip_and_strictness<DeliveryChannel>();
  expect_round_trip_and_strictness<DeliveryStatus>();
  expect_round_trip_and_strictness<ElevationAction>();
  expect_round_trip_and_strictness<ReasonCategory>();
  EXPECT_FALSE(parse<Tender>("CHEQUE").has_value());  // the receipt's word, not the contract's
  EXPECT_FALSE(parse<Tender>("CARD").has_value());
}

TEST(Vocabulary, PossiblyPrintedIsTheTerminalsOwnStatus) {
  EXPECT_EQ(parse<DeliveryStatus>("POSSIBLY_PRINTED"), DeliveryStatus::PossiblyPrinted);
  EXPECT_NE(to_string(DeliveryStatus::PossiblyPrinted), to_string(DeliveryStatus::Failed));
  EXPECT_FALSE(is_contract_status(DeliveryStatus::PossiblyPrinted));
  // The contract's PRINT outcome is SENT | FAILED: a possibly printed receipt was not confirmed.
  EXPECT_EQ(contract_text(DeliveryStatus::PossiblyPrinted), "FAILED");
  for (const auto s : {DeliveryStatus::Pending, DeliveryStatus::Sent, DeliveryStatus::Failed,
                       DeliveryStatus::Bounced}) {
    EXPECT_TRUE(is_contract_status(s));
    EXPECT_EQ(contract_text(s), to_string(s));
  }
}

// The coverage check itself, on an enum of the test's own: it refuses a table that misses a
// value, lists them out of order, repeats a text or has an empty one (all at compile time).
namespace probe {
enum class Colour { Red, Green, Blue };
constexpr std::size_t position(Colour c) {
  switch (c) {
    case Colour::Red:
      return 0;
    case Colour::Green:
      return 1;
    case Colour::Blue:
      return 2;
  }
  return detail::kNotAValue;
}
using Three = std::array<std::string_view, 3>;
using Two = std::array<std::string_view, 2>;
constexpr std::array kAllColours{Colour::Red, Colour::Green, Colour::Blue};
static_assert(detail::covers_exactly(kAllColours, Three{"RED", "GREEN", "BLUE"}));
static_assert(!detail::covers_exactly(std::array{Colour::Red, Colour::Green}, Two{"RED", "GREEN"}));
static_assert(!detail::covers_exactly(std::array{Colour::Green, Colour::Red, Colour::Blue},
                                      Three{"GREEN", "RED", "BLUE"}));
static_assert(!detail::covers_exactly(kAllColours, Three{"RED", "RED", "BLUE"}));
static_assert(!detail::covers_exactly(kAllColours, Three{"RED", "", "BLUE"}));
}  // namespace probe

TEST(Vocabulary, TheCoverageCheckRefusesAnIncompleteTable) {
  EXPECT_TRUE(detail::covers_exactly(probe::kAllColours, probe::Three{"RED", "GREEN", "BLUE"}));
  EXPECT_FALSE(detail::covers_exactly(std::array{probe::Colour::Red, probe::Colour::Green},
                                      probe::Two{"RED", "GREEN"}));
}

// One enum, the two spellings it has been stored with (the event log's and the ledger rows'):
// both round-trip, neither parses the other's text, neither defaults.
TEST(Vocabulary, ApprovalMethodHasOneValueSetAndItsTwoStoredSpellings) {
  EXPECT_EQ(texts_of<ApprovalMethod>(), (Texts{"ONLINE", "OFFLINE"}));
  expect_round_trip_and_strictness<ApprovalMethod>();
  EXPECT_EQ(ledger_text(ApprovalMethod::Online), "ELEVATION_TOKEN");
  EXPECT_EQ(ledger_text(ApprovalMethod::Offline), "OFFLINE_GRANT");
  for (const ApprovalMethod m : kAll<ApprovalMethod>) {
    EXPECT_EQ(parse_ledger_text(ledger_text(m)), m);
    EXPECT_FALSE(parse_ledger_text(to_string(m)).has_value());
    EXPECT_FALSE(parse<ApprovalMethod>(ledger_text(m)).has_value());
  }
  EXPECT_FALSE(parse_ledger_text("").has_value());
  EXPECT_FALSE(parse_ledger_text("offline_grant").has_value());
  EXPECT_EQ(ledger_text(static_cast<ApprovalMethod>(2)), "UNKNOWN");
}

TEST(Vocabulary, CaptureModeIsTheContractsBoolean) {
  EXPECT_TRUE(captured_offline(CaptureMode::Offline));
  EXPECT_FALSE(captured_offline(CaptureMode::Online));
  EXPECT_EQ(capture_mode(true), CaptureMode::Offline);
  EXPECT_EQ(capture_mode(false), CaptureMode::Online);
}

TEST(Vocabulary, CardDetailsCompareByEveryField) {
  const CardDetails a{"VISA", "4242", "A1B2C3"};
  EXPECT_EQ(a, (CardDetails{"VISA", "4242", "A1B2C3"}));
  EXPECT_NE(a, (CardDetails{"VISA", "4242", "A1B2C4"}));
  EXPECT_NE(a, (CardDetails{"MC", "4242", "A1B2C3"}));
}

}  // namespace
}  // namespace pos::vocabulary
