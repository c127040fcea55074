// CODE128 internals (escpos/src/code128.hpp): the pattern table obeys the symbology's rules,
// and the code-set choice is the shortest.
#include <gtest/gtest.h>

#include <set>

#include "code128.hpp"

namespace pos::escpos {
namespace {

TEST(Code128Table, PatternsFollowTheSymbologyRules) {
  std::set<std::string> seen;
  for (int v = 0; v < 107; ++v) {
    const std::string p = code128::kPatterns[v];
    int modules = 0, bars = 0;
    for (std::size_t k = 0; k < p.size(); ++k) {
      const int w = p[k] - '0';
      ASSERT_GE(w, 1);
      ASSERT_LE(w, 4);
      modules += w;
      if (k % 2 == 0) bars += w;
    }
    EXPECT_EQ(modules, v == code128::kStop ? 13 : 11) << v;
    EXPECT_EQ(bars % 2, 0) << "bar modules of a symbol are even, symbol " << v;
    EXPECT_TRUE(seen.insert(p).second) << "duplicate pattern " << p;
  }
}

TEST(Code128Encode, ShortestSymbolSequences) {
  std::vector<int> symbols;
  std::string data;
  ASSERT_TRUE(code128::encode("PJJ123C", symbols, data));
  // Three digits do not pay for two code changes: all in set B.
  EXPECT_EQ(symbols, (std::vector<int>{code128::kStartB, 48, 42, 42, 17, 18, 19, 35}));
  EXPECT_EQ(code128::checksum(symbols),
            (104 + 48 + 42 * 2 + 42 * 3 + 17 * 4 + 18 * 5 + 19 * 6 + 35 * 7) % 103);
  ASSERT_TRUE(code128::encode("00123456", symbols, data));
  EXPECT_EQ(symbols, (std::vector<int>{code128::kStartC, 0, 12, 34, 56}));
  ASSERT_TRUE(code128::encode("X1234567", symbols, data));  // odd digits after a letter
  EXPECT_EQ(symbols.size(), 1U + 1U + 1U + 1U + 3U);        // START B, X, 1, CODE C, 23 45 67
  ASSERT_TRUE(code128::encode("a\tb", symbols, data));      // a control character needs set A
  EXPECT_EQ(symbols.front(), code128::kStartB);
  EXPECT_FALSE(code128::encode(std::string(256, 'A'), symbols, data));
}

TEST(Code128Parse, RoundTripAndRefusals) {
  std::vector<int> symbols, parsed;
  std::string data, text;
  for (const char* value : {"INV-100005", "RCP-INV-12345-20260105T143022Z-001", "a{b", "0", "12",
                            "A\x01"
                            "B"}) {
    ASSERT_TRUE(code128::encode(value, symbols, data)) << value;
    ASSERT_TRUE(code128::parse_escpos(data, parsed, text)) << value;
    EXPECT_EQ(parsed, symbols) << value;
  }
  EXPECT_FALSE(code128::parse_escpos("", parsed, text));
  EXPECT_FALSE(code128::parse_escpos("AB", parsed, text));      // no code set
  EXPECT_FALSE(code128::parse_escpos("{C\x64", parsed, text));  // 100 is not a digit pair
  EXPECT_FALSE(code128::parse_escpos("{B{S", parsed, text));    // shift: never guessed
  EXPECT_FALSE(code128::parse_escpos("{B{B", parsed, text));    // change to the same set
}

}  // namespace
}  // namespace pos::escpos
