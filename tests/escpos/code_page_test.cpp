// Every code page table against glibc's iconv (an independent copy of the published pages), one
// test per table, plus the CharacterMap built from a profile.
#include <gtest/gtest.h>
#include <iconv.h>

#include <cctype>

#include <pos/escpos/code_page.hpp>

#include "test_support.hpp"

namespace pos::escpos {
namespace {

// Decodes one byte with iconv; 0 when iconv says the page has no character there.
char32_t iconv_char(const char* charset, std::uint8_t byte) {
  iconv_t cd = iconv_open("UTF-32LE", charset);
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw std::runtime_error(std::string("iconv lacks ") + charset);
  char in[1] = {static_cast<char>(byte)};
  unsigned char out[8] = {};
  char* ip = in;
  char* op = reinterpret_cast<char*>(out);
  std::size_t il = 1, ol = sizeof(out);
  const std::size_t r = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1) || ol != 4) return 0;
  const char32_t c = static_cast<char32_t>(out[0]) | (static_cast<char32_t>(out[1]) << 8) |
                     (static_cast<char32_t>(out[2]) << 16) | (static_cast<char32_t>(out[3]) << 24);
  return (c >= 0x80 && c <= 0x9F) ? 0 : c;  // C1 controls are not printable characters
}

class CodePageTable : public ::testing::TestWithParam<std::pair<CodePage, const char*>> {};

TEST_P(CodePageTable, UpperHalfMatchesThePublishedPage) {
  const auto [page, charset] = GetParam();
  int defined = 0;
  for (int b = 0x80; b < 0x100; ++b) {
    const auto byte = static_cast<std::uint8_t>(b);
    EXPECT_EQ(static_cast<std::uint32_t>(code_page_char(page, byte)),
              static_cast<std::uint32_t>(iconv_char(charset, byte)))
        << code_page_name(page) << " byte 0x" << std::hex << b;
    defined += code_page_char(page, byte) != 0 ? 1 : 0;
  }
  EXPECT_GT(defined, 90);
  for (int b = 0x20; b < 0x7F; ++b)
    EXPECT_EQ(code_page_char(page, static_cast<std::uint8_t>(b)), static_cast<char32_t>(b));
  EXPECT_EQ(code_page_from_name(code_page_name(page)), page);
}

INSTANTIATE_TEST_SUITE_P(
    AllPages, CodePageTable,
    ::testing::Values(std::pair{CodePage::Cp437, "CP437"}, std::pair{CodePage::Cp737, "CP737"},
                      std::pair{CodePage::Cp850, "CP850"}, std::pair{CodePage::Cp852, "CP852"},
                      std::pair{CodePage::Cp857, "CP857"}, std::pair{CodePage::Cp858, "CP858"},
                      std::pair{CodePage::Cp860, "CP860"}, std::pair{CodePage::Cp863, "CP863"},
                      std::pair{CodePage::Cp865, "CP865"}, std::pair{CodePage::Cp866, "CP866"},
                      std::pair{CodePage::Cp1250, "CP1250"}, std::pair{CodePage::Cp1251, "CP1251"},
                      std::pair{CodePage::Cp1252, "CP1252"},
                      std::pair{CodePage::Iso8859_2, "ISO-8859-2"},
                      std::pair{CodePage::Iso8859_7, "ISO-8859-7"},
                      std::pair{CodePage::Iso8859_15, "ISO-8859-15"}),
    [](const auto& param_info) {
      std::string name;
      for (char c : code_page_name(param_info.param.first)) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0) name += c;
      }
      return name;
    });

TEST(CodePages, WellKnownBytes) {
  EXPECT_EQ(code_page_char(CodePage::Cp858, 0xD5), U'€');
  EXPECT_EQ(code_page_char(CodePage::Cp850, 0xD5), U'ı');  // the byte CP858 gave to the euro
  EXPECT_EQ(code_page_char(CodePage::Cp1252, 0x80), U'€');
  EXPECT_EQ(code_page_char(CodePage::Iso8859_15, 0xA4), U'€');
  EXPECT_EQ(code_page_char(CodePage::Cp437, 0xE1), U'ß');
  EXPECT_EQ(code_page_char(CodePage::Cp852, 0x88), U'ł');
  EXPECT_EQ(code_page_char(CodePage::Cp866, 0x80), U'А');
  EXPECT_EQ(code_page_char(CodePage::Cp1251, 0xC0), U'А');
  EXPECT_EQ(code_page_char(CodePage::Cp437, 0x1B), 0U);  // controls are never characters
  EXPECT_EQ(code_page_from_name("cp999"), std::nullopt);
}

TEST(CharacterMapBuild, OneTablePerProfileInPreferenceOrder) {
  const auto& p = testing::profile("generic-80mm");
  const auto& map = *p.characters;
  ASSERT_EQ(map.slot_count(), p.code_pages.size());
  EXPECT_EQ(map.slots_with('A'), (1U << map.slot_count()) - 1);  // ASCII in every page
  EXPECT_NE(map.slots_with(U'€') & 1U, 0U);                      // CP858 is slot 0
  EXPECT_EQ(map.byte_in(0, U'€'), 0xD5);
  EXPECT_EQ(map.slots_with(U'漢'), 0U);
  EXPECT_EQ(map.slots_with(0x1F600), 0U);
  EXPECT_EQ(map.slot_for_number(18), std::optional<std::size_t>(2));
  EXPECT_EQ(map.slot_for_number(99), std::nullopt);
}

}  // namespace
}  // namespace pos::escpos
