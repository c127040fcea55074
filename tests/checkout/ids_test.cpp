// Ids: UUID text, UUIDv7 layout and monotonic order, distinct id types, and the clock's text forms.
#include <pos/checkout/ids.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

namespace pos::checkout {
namespace {

using namespace std::chrono_literals;

// Deterministic bytes, so a failing test can be rerun exactly.
class CountingRandom final : public RandomSource {
 public:
  void fill(std::span<std::byte> out) override {
    for (auto& b : out) b = static_cast<std::byte>(next_++ * 37 + 11);
  }

 private:
  unsigned next_ = 0;
};

Timestamp at(std::int64_t millis) {
  return Timestamp{std::chrono::milliseconds{millis}};
}

TEST(Uuid, ParsesAndFormatsTheCanonicalText) {
  const auto uuid = Uuid::parse("01936F3E-8A7B-7C3D-9E4F-0123456789AB");
  ASSERT_TRUE(uuid.has_value());
  EXPECT_EQ(uuid->to_string(), "01936f3e-8a7b-7c3d-9e4f-0123456789ab");
  EXPECT_EQ(uuid->version(), 7);
  EXPECT_EQ(uuid->unix_millis(), 0x01936f3e8a7b);
  EXPECT_EQ(Uuid::parse("f47ac10b-58cc-4372-a567-0e02b2c3d479")->version(), 4);
}

TEST(Uuid, RefusesMalformedText) {
  for (std::string_view text : {
           "",
           "01936f3e8a7b7c3d9e4f0123456789ab",
           "01936f3e-8a7b-7c3d-9e4f-0123456789a",
           "01936f3e-8a7b-7c3d-9e4f-0123456789abc",
           "01936f3e_8a7b-7c3d-9e4f-0123456789ab",
           "01936f3e-8a7b-7c3d-9e4f-0123456789ag",
           "{01936f3e-8a7b-7c3d-9e4f-0123456789}",
           "00000000-0000-0000-0000-000000000000",
           "ffffffff-ffff-ffff-ffff-ffffffffffff",
           "01936f3e-8a7b-7c3d-1e4f-0123456789ab" /* NCS variant */,
           "01936f3e-8a7b-7c3d-9e4f-0123456789a\xC3",
       }) {
    EXPECT_FALSE(Uuid::parse(text).has_value()) << text;
  }
}

TEST(UuidV7Generator, LaysOutTimestampVersionAndVariant) {
  ManualClock clock{at(0x0193'6f3e'8a7b)};
  CountingRandom random;
  UuidV7Generator ids{clock, random};
  const Uuid id = ids.next();
  EXPECT_EQ(id.version(), 7);
  EXPECT_EQ(id.bytes()[8] & 0xC0, 0x80);
  EXPECT_EQ(id.unix_millis(), 0x0193'6f3e'8a7b);
  EXPECT_EQ(Uuid::parse(id.to_string()), id);
}

TEST(UuidV7Generator, IsStrictlyIncreasingWithinOneMillisecondAndWhenTheClockStepsBack) {
  ManualClock clock{at(1'700'000'000'000)};
  CountingRandom random;
  UuidV7Generator ids{clock, random};
  Uuid previous = ids.next();
  for (int i = 0; i < 10'000; ++i) {
    if (i == 5000) clock.advance(-2s);  // NTP step backwards
    if (i % 1000 == 999) clock.advance(1ms);
    const Uuid id = ids.next();
    ASSERT_LT(previous, id) << i;
    ASSERT_LT(previous.to_string(), id.to_string()) << i;  // text order is time order too
    previous = id;
  }
}

TEST(UuidV7Generator, SodiumIdsAreUniqueAcrossThreads) {
  ManualClock clock{at(1'700'000'000'000)};
  SodiumRandomSource random;
  UuidV7Generator ids{clock, random};
  std::vector<std::vector<Uuid>> made(4);
  std::vector<std::thread> threads;
  for (auto& list : made) {
    threads.emplace_back([&ids, &list] {
      for (int i = 0; i < 2000; ++i) list.push_back(ids.next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<Uuid> all;
  for (const auto& list : made) {
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), 8000u);
}

TEST(Ids, DistinctTypesRoundTripTheirText) {
  ManualClock clock{at(1'700'000'000'000)};
  CountingRandom random;
  UuidV7Generator ids{clock, random};
  const auto checkout = ids.next_id<CheckoutId>();
  const auto parsed = CheckoutId::parse(checkout.to_string());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, checkout);
  EXPECT_FALSE(ReceiptId::parse("RCP-1").has_value());
  static_assert(!std::is_convertible_v<CheckoutId, InvoiceId>);
  static_assert(!std::is_constructible_v<BillingPaymentId, ReceiptId>);
  static_assert(!std::is_convertible_v<Uuid, CheckoutId>);  // explicit only
}

TEST(Names, AcceptPrintableAsciiAndRefuseTheRest) {
  EXPECT_EQ(WorkOrderId::parse("WO-1001")->str(), "WO-1001");
  EXPECT_EQ(UserId::parse("sup.alice")->str(), "sup.alice");
  for (std::string_view bad : {"", "with space", "tab\there", "caf\xC3\xA9"}) {
    EXPECT_FALSE(UserId::parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(UserId::parse(std::string(129, 'a')).has_value());
  static_assert(!std::is_convertible_v<UserId, AccountId>);
}

TEST(Rfc3339, ParsesTheContractsTimesToUtcMilliseconds) {
  const auto t = parse_rfc3339("2026-11-21T10:15:00.123Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_rfc3339(*t), "2026-11-21T10:15:00.123Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-21T10:15:00Z")), "2026-11-21T10:15:00.000Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-21T11:15:00.5+01:00")),
            "2026-11-21T10:15:00.500Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-21T10:15:00.123456789Z")),
            "2026-11-21T10:15:00.123Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2024-02-29T23:59:59-00:30")),
            "2024-03-01T00:29:59.000Z");
  EXPECT_EQ(format_compact_utc(*parse_rfc3339("2026-01-05T14:30:22.999Z")), "20260105T143022Z");
}

TEST(Rfc3339, RefusesMalformedTimes) {
  for (std::string_view text :
       {"", "2026-11-21", "2026-11-21T10:15:00", "2026-11-21 10:15:00Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z",
        "2026-11-21T10:15:60Z", "2026-11-21T10:15:00.Z", "2026-11-21T10:15:00ZZ",
        "2026-11-21T10:15:00+0100", "2026-11-21T10:15:00+01:00x", "2026-11-21T10:15:00.1234567890Z",
        "20261121T101500Z"}) {
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace pos::checkout
