// DLE EOT n and Automatic Status Back parsing, including bytes without the fixed pattern.
#include <gtest/gtest.h>

#include <pos/escpos/status.hpp>

namespace pos::escpos {
namespace {

TEST(PrinterStatusParse, RequestBytes) {
  EXPECT_EQ(status_request(StatusQuery::PaperSensor), (std::array<std::uint8_t, 3>{0x10, 0x04, 4}));
}

TEST(PrinterStatusParse, PrinterStatusOnlineAndDrawer) {
  auto s = parse_realtime_status(StatusQuery::Printer, 0x12);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->online, true);
  EXPECT_EQ(s->drawer_pin3_high, false);
  EXPECT_FALSE(s->cover_open.has_value());  // not carried by DLE EOT 1
  auto off = parse_realtime_status(StatusQuery::Printer, 0x1E);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->online, false);
  EXPECT_EQ(off->drawer_pin3_high, true);
}

TEST(PrinterStatusParse, OfflineCause) {
  auto s = parse_realtime_status(StatusQuery::OfflineCause, 0x12 | 0x04 | 0x20 | 0x40);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->cover_open, true);
  EXPECT_EQ(s->feed_button, false);
  EXPECT_EQ(s->stopped_paper_end, true);
  EXPECT_EQ(s->error, true);
}

TEST(PrinterStatusParse, ErrorCause) {
  auto s = parse_realtime_status(StatusQuery::ErrorCause, 0x12 | 0x08 | 0x40);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->mechanical_error, false);
  EXPECT_EQ(s->autocutter_error, true);
  EXPECT_EQ(s->unrecoverable_error, false);
  EXPECT_EQ(s->auto_recoverable_error, true);
}

TEST(PrinterStatusParse, PaperSensorValuesFromTheNotes) {
  auto fine = parse_realtime_status(StatusQuery::PaperSensor, 0x12);
  auto near = parse_realtime_status(StatusQuery::PaperSensor, 0x1E);
  auto out = parse_realtime_status(StatusQuery::PaperSensor, 0x72);
  ASSERT_TRUE(fine.ok() && near.ok() && out.ok());
  EXPECT_EQ(fine->paper_near_end, false);
  EXPECT_EQ(fine->paper_out, false);
  EXPECT_EQ(near->paper_near_end, true);
  EXPECT_EQ(near->paper_out, false);
  EXPECT_EQ(out->paper_out, true);
}

TEST(PrinterStatusParse, BytesWithoutTheFixedPatternAreErrors) {
  for (int b = 0; b < 256; ++b) {
    const auto byte = static_cast<std::uint8_t>(b);
    const bool pattern = (byte & 0x93) == 0x12;
    for (int n = 1; n <= 4; ++n) {
      const auto r = parse_realtime_status(static_cast<std::uint8_t>(n), byte);
      EXPECT_EQ(r.ok(), pattern) << "byte " << b << " n " << n;
      if (!r.ok()) {
        EXPECT_EQ(r.error().code, ErrorCode::StatusBadPattern);
      }
    }
  }
  EXPECT_EQ(parse_realtime_status(std::uint8_t{0}, 0x12).error().code, ErrorCode::StatusBadQuery);
  EXPECT_EQ(parse_realtime_status(std::uint8_t{5}, 0x12).error().code, ErrorCode::StatusBadQuery);
}

TEST(PrinterStatusParse, AutomaticStatusBack) {
  const std::uint8_t ok_block[4] = {0x10, 0x00, 0x00, 0x00};
  auto s = parse_automatic_status(ok_block);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->online, true);
  EXPECT_EQ(s->cover_open, false);
  EXPECT_EQ(s->paper_out, false);
  EXPECT_TRUE(s->ready());
  const std::uint8_t bad_state[4] = {0x10 | 0x08 | 0x20 | 0x04, 0x08, 0x0F, 0x00};
  auto b = parse_automatic_status(bad_state);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->online, false);
  EXPECT_EQ(b->cover_open, true);
  EXPECT_EQ(b->drawer_pin3_high, true);
  EXPECT_EQ(b->autocutter_error, true);
  EXPECT_EQ(b->error, true);
  EXPECT_EQ(b->paper_near_end, true);
  EXPECT_EQ(b->paper_out, true);
  EXPECT_FALSE(b->ready());
}

TEST(PrinterStatusParse, AutomaticStatusBackMalformed) {
  const std::uint8_t three[3] = {0x10, 0, 0};
  EXPECT_EQ(parse_automatic_status(three).error().code, ErrorCode::StatusBadLength);
  const std::uint8_t first_bad[4] = {0x12, 0, 0, 0};  // a DLE EOT reply is not an ASB header
  EXPECT_EQ(parse_automatic_status(first_bad).error().code, ErrorCode::StatusBadPattern);
  const std::uint8_t later_bad[4] = {0x10, 0, 0x10, 0};
  EXPECT_EQ(parse_automatic_status(later_bad).error().code, ErrorCode::StatusBadPattern);
  const std::uint8_t high_bit[4] = {0x10, 0x80, 0, 0};
  EXPECT_EQ(parse_automatic_status(high_bit).error().code, ErrorCode::StatusBadPattern);
}

TEST(PrinterStatusParse, MergeKeepsWhatEachReplyKnows) {
  PrinterStatus s;
  EXPECT_FALSE(s.ready());  // online unknown: not ready
  s.merge(parse_realtime_status(StatusQuery::Printer, 0x12).value());
  EXPECT_TRUE(s.ready());
  s.merge(parse_realtime_status(StatusQuery::PaperSensor, 0x72).value());
  EXPECT_EQ(s.online, true);
  EXPECT_EQ(s.paper_out, true);
  EXPECT_FALSE(s.ready());
}

TEST(PrinterStatusParse, ConditionForTheOperator) {
  PrinterStatus s;
  EXPECT_EQ(condition(s), PrinterCondition::Unknown);
  s.merge(parse_realtime_status(StatusQuery::Printer, 0x12).value());
  EXPECT_EQ(condition(s), PrinterCondition::Ready);
  s.merge(parse_realtime_status(StatusQuery::PaperSensor, 0x1E).value());
  EXPECT_EQ(condition(s), PrinterCondition::PaperNearEnd);
  EXPECT_TRUE(s.ready());                                                   // near end still prints
  s.merge(parse_realtime_status(StatusQuery::OfflineCause, 0x16).value());  // cover open
  EXPECT_EQ(condition(s), PrinterCondition::CoverOpen);
  s.merge(parse_realtime_status(StatusQuery::PaperSensor, 0x72).value());
  EXPECT_EQ(condition(s), PrinterCondition::PaperOut);  // paper out wins over cover open
  PrinterStatus off;
  off.merge(parse_realtime_status(StatusQuery::Printer, 0x1A).value());
  EXPECT_EQ(condition(off), PrinterCondition::Offline);
  PrinterStatus cutter;
  cutter.merge(parse_realtime_status(StatusQuery::Printer, 0x12).value());
  cutter.merge(parse_realtime_status(StatusQuery::ErrorCause, 0x1A).value());
  EXPECT_EQ(condition(cutter), PrinterCondition::Error);
  for (int c = 0; c < static_cast<int>(PrinterCondition::Count); ++c) {
    EXPECT_FALSE(condition_message(static_cast<PrinterCondition>(c)).empty());
  }
}

}  // namespace
}  // namespace pos::escpos
