// Printer profiles: the shipped files load, inheritance works, bad files are refused.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::catalog;
using testing::profile;

TEST(PrinterProfiles, ShippedFilesLoadEveryRequiredModel) {
  for (const char* id : {"generic-58mm", "generic-80mm", "epson-tm-t88v", "epson-tm-t88vi",
                         "epson-tm-t20iii", "epson-tm-m30", "star-tsp143-escpos",
                         "citizen-ct-s310ii", "bixolon-srp-350iii", "clone-58mm"}) {
    SCOPED_TRACE(id);
    const PrinterProfile* p = catalog().find(id);
    ASSERT_NE(p, nullptr);
    EXPECT_FALSE(p->name.empty());
    EXPECT_FALSE(p->code_pages.empty());
    ASSERT_NE(p->characters, nullptr);
    EXPECT_LE(p->font_a.columns * p->font_a.width, p->dot_width);
  }
}

TEST(PrinterProfiles, WidthsFromSpecifications) {
  EXPECT_EQ(profile("generic-58mm").dot_width, 384);
  EXPECT_EQ(profile("generic-58mm").font_a.columns, 32);
  EXPECT_EQ(profile("generic-80mm").dot_width, 576);
  EXPECT_EQ(profile("generic-80mm").font_a.columns, 48);
  EXPECT_EQ(profile("epson-tm-t88vi").dot_width, 512);  // inherited from tm-t88v
  EXPECT_EQ(profile("epson-tm-t88vi").font_a.columns, 42);
  EXPECT_EQ(profile("epson-tm-t20iii").font_a.columns, 48);
  EXPECT_EQ(profile("epson-tm-t20iii").font_a.width, 12);  // font table merged key by key
  EXPECT_EQ(profile("clone-58mm").qr, QrSupport::Raster);
  EXPECT_EQ(profile("clone-58mm").kanji, KanjiMode::LeaveOnInit);
  EXPECT_EQ(profile("clone-58mm").cutter, Cutter::None);
}

TEST(PrinterProfiles, CodePageNumbersAreTheMakers) {
  const auto number_of = [](const PrinterProfile& p, CodePage page) -> int {
    for (const auto& slot : p.code_pages) {
      if (slot.page == page) return slot.select_number;
    }
    return -1;
  };
  EXPECT_EQ(number_of(profile("epson-tm-t20iii"), CodePage::Cp1251), 46);
  EXPECT_EQ(number_of(profile("clone-58mm"), CodePage::Cp1251), 23);
  EXPECT_EQ(number_of(profile("generic-80mm"), CodePage::Cp858), 19);
  EXPECT_EQ(number_of(profile("epson-tm-t88v"), CodePage::Cp437), 0);
}

Expected<ProfileCatalog> parse_with(const std::string& extra) {
  const std::string base = R"(id = "base"
name = "Base"
vendor = "x"
dpi = 203
dot_width = 384
font_a = { width = 12, height = 24, columns = 32 }
font_b = { width = 9, height = 17, columns = 42 }
code_pages = [ { page = "cp437", n = 0 } ]
qr = "native"
barcode = "native"
raster_max_width = 384
raster_band_lines = 64
cutter = "partial"
cut_feed_lines = 3
drawer_pins = [2]
kanji = "off"
)";
  return ProfileCatalog::parse(
      {{"base.toml", base}, {"child.toml", "id = \"child\"\ninherits = \"base\"\n" + extra}});
}

TEST(PrinterProfiles, MinimalChildInherits) {
  auto c = parse_with("name = \"Child\"\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->find("child")->name, "Child");
  EXPECT_EQ(c->find("child")->dot_width, 384);
}

TEST(PrinterProfiles, RefusesUnknownKeys) {
  auto top = parse_with("paper_widht = 5\n");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.error().code, ErrorCode::ProfileUnknownKey);
  EXPECT_NE(top.error().message.find("child.toml"), std::string::npos);
  auto font = parse_with("font_a = { colums = 3 }\n");
  ASSERT_FALSE(font.ok());
  EXPECT_EQ(font.error().code, ErrorCode::ProfileUnknownKey);
  auto page = parse_with("code_pages = [ { page = \"cp437\", n = 0, x = 1 } ]\n");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::ProfileUnknownKey);
}

TEST(PrinterProfiles, RefusesBadValues) {
  EXPECT_EQ(parse_with("qr = \"maybe\"\n").error().code, ErrorCode::ProfileBadValue);
  EXPECT_EQ(parse_with("dot_width = \"wide\"\n").error().code, ErrorCode::ProfileBadValue);
  EXPECT_EQ(parse_with("code_pages = [ { page = \"cp999\", n = 0 } ]\n").error().code,
            ErrorCode::ProfileBadValue);
  EXPECT_EQ(parse_with("drawer_pins = [3]\n").error().code, ErrorCode::ProfileBadValue);
  EXPECT_EQ(parse_with("font_a = { columns = 60 }\n").error().code,
            ErrorCode::ProfileBadValue);  // 60*12 > 384
  EXPECT_EQ(parse_with("dot_width = [\n").error().code, ErrorCode::ProfileSyntax);
}

TEST(PrinterProfiles, RefusesBrokenInheritance) {
  EXPECT_EQ(ProfileCatalog::parse({{"a.toml", "id = \"a\"\ninherits = \"nope\"\n"}}).error().code,
            ErrorCode::ProfileUnknownParent);
  EXPECT_EQ(ProfileCatalog::parse({{"a.toml", "id = \"a\"\ninherits = \"b\"\n"},
                                   {"b.toml", "id = \"b\"\ninherits = \"a\"\n"}})
                .error()
                .code,
            ErrorCode::ProfileInheritCycle);
  EXPECT_EQ(ProfileCatalog::parse({{"a.toml", "id = \"a\"\n"}}).error().code,
            ErrorCode::ProfileMissingKey);
  EXPECT_EQ(ProfileCatalog::parse({{"a.toml", "name = \"x\"\n"}}).error().code,
            ErrorCode::ProfileMissingKey);
  auto dup = parse_with("name = \"c\"\n");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(catalog().get("no-such-printer").error().code, ErrorCode::ProfileNotFound);
}

TEST(PrinterProfiles, MissingFolderIsAnError) {
  auto c = load_profile_directory("/nonexistent/printers");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::ProfileSyntax);
}

}  // namespace
}  // namespace pos::escpos
