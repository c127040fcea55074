// CODE128: patterns, shortest code-set selection (dynamic programming over the three sets),
// ESC/POS GS k m=73 data in both directions, drawing.
#include "code128.hpp"

#include <array>
#include <limits>

namespace pos::escpos::code128 {

const char* const kPatterns[107] = {
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",  "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122",  "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122",  "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123",  "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331",  "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311",  "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411",  "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412",  "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",  "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211",  "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113",  "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
};

namespace {

enum Set { A = 0, B = 1, C = 2 };

bool in_a(unsigned char c) {
  return c < 96;
}
bool in_b(unsigned char c) {
  return c >= 32 && c < 128;
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

int value_in(Set s, unsigned char c) {
  if (s == A) return c >= 32 ? c - 32 : c + 64;
  return c - 32;
}

}  // namespace

bool encode(std::string_view data, std::vector<int>& symbols, std::string& out) {
  symbols.clear();
  out.clear();
  const std::size_t n = data.size();
  if (n == 0 || n > kMaxData) return false;
  for (char ch : data) {
    if (static_cast<unsigned char>(ch) > 127) return false;
  }
  constexpr int kInf = std::numeric_limits<int>::max() / 4;
  // cost[i][s]: fewest symbols for data[i..] when set s is active. Ties keep the current set.
  std::array<std::array<int, 3>, kMaxData + 1> cost;  // on the stack: no allocation per barcode
  std::array<std::array<int, 3>, kMaxData + 1> next;  // set to be in for the next unit
  cost[n] = {0, 0, 0};
  for (std::size_t k = n; k-- > 0;) {
    const auto c = static_cast<unsigned char>(data[k]);
    std::array<int, 3> stay{kInf, kInf, kInf};
    if (in_a(c)) stay[A] = 1 + cost[k + 1][A];
    if (in_b(c)) stay[B] = 1 + cost[k + 1][B];
    if (k + 1 < n && digit(data[k]) && digit(data[k + 1])) stay[C] = 1 + cost[k + 2][C];
    for (std::size_t s = 0; s < 3; ++s) {
      int best = stay[s];
      std::size_t to = s;
      for (std::size_t t = 0; t < 3; ++t) {
        if (t != s && stay[t] < kInf && 1 + stay[t] < best) {
          best = 1 + stay[t];
          to = t;
        }
      }
      cost[k][s] = best;
      next[k][s] = static_cast<int>(to);
    }
  }
  // Starting set: the cheapest one that encodes the first unit itself (START replaces a change).
  Set set = A;
  {
    int best = kInf;
    for (std::size_t s = 0; s < 3; ++s) {
      const int c = next[0][s] == static_cast<int>(s) ? cost[0][s] : kInf;
      if (c < best || (c == best && s == B)) {
        best = c;
        set = static_cast<Set>(s);
      }
    }
  }
  static constexpr char kSetLetter[3] = {'A', 'B', 'C'};
  symbols.push_back(set == A ? kStartA : set == B ? kStartB : kStartC);
  out += '{';
  out += kSetLetter[static_cast<std::size_t>(set)];
  std::size_t i = 0;
  while (i < n) {
    const auto want = static_cast<Set>(next[i][static_cast<std::size_t>(set)]);
    if (want != set) {
      symbols.push_back(want == A ? kCodeA : want == B ? kCodeB : kCodeC);
      out += '{';
      out += kSetLetter[static_cast<std::size_t>(want)];
      set = want;
    }
    if (set == C) {
      const int v = (data[i] - '0') * 10 + (data[i + 1] - '0');
      symbols.push_back(v);
      out += static_cast<char>(v);
      i += 2;
    } else {
      const auto c = static_cast<unsigned char>(data[i]);
      symbols.push_back(value_in(set, c));
      if (c == '{') out += '{';
      out += static_cast<char>(c);
      ++i;
    }
  }
  return true;
}

bool parse_escpos(std::string_view d, std::vector<int>& symbols, std::string& text) {
  symbols.clear();
  text.clear();
  if (d.size() < 2 || d[0] != '{') return false;
  Set set;
  switch (d[1]) {
    case 'A':
      set = A;
      symbols.push_back(kStartA);
      break;
    case 'B':
      set = B;
      symbols.push_back(kStartB);
      break;
    case 'C':
      set = C;
      symbols.push_back(kStartC);
      break;
    default:
      return false;
  }
  std::size_t i = 2;
  while (i < d.size()) {
    const auto c = static_cast<unsigned char>(d[i]);
    if (c == '{') {
      if (i + 1 >= d.size()) return false;
      const char f = d[i + 1];
      i += 2;
      if (f == 'A' || f == 'B' || f == 'C') {
        const Set to = f == 'A' ? A : f == 'B' ? B : C;
        if (to == set) return false;
        symbols.push_back(to == A ? kCodeA : to == B ? kCodeB : kCodeC);
        set = to;
        continue;
      }
      if (f == '1') {
        symbols.push_back(102);
        continue;
      }  // FNC1
      if (f == '{' && set != C) {
        symbols.push_back(value_in(set, '{'));
        text += '{';
        continue;
      }
      return false;  // {S shift and FNC2..4 are never emitted by us: refuse, do not guess
    }
    if (set == C) {
      if (c > 99) return false;
      symbols.push_back(c);
      text += static_cast<char>('0' + c / 10);
      text += static_cast<char>('0' + c % 10);
    } else {
      if ((set == A && !in_a(c)) || (set == B && !in_b(c))) return false;
      symbols.push_back(value_in(set, c));
      text += (c >= 32 && c < 127) ? static_cast<char>(c) : ' ';
    }
    ++i;
  }
  return symbols.size() > 1;
}

int checksum(const std::vector<int>& symbols) {
  long sum = symbols.empty() ? 0 : symbols[0];
  for (std::size_t i = 1; i < symbols.size(); ++i) sum += static_cast<long>(i) * symbols[i];
  return static_cast<int>(sum % 103);
}

int module_count(const std::vector<int>& symbols) {
  // Every symbol is 11 modules; STOP is 13; plus the check symbol.
  return static_cast<int>(symbols.size() + 1) * 11 + 13;
}

MonoImage draw(const std::vector<int>& symbols, int module, int height) {
  MonoImage img;
  img.width = module_count(symbols) * module;
  img.height = height;
  img.bits.assign(static_cast<std::size_t>(img.bytes_per_row() * height), 0);
  int x = 0;
  auto put = [&](int value) {
    bool bar = true;
    for (const char* p = kPatterns[value]; *p != 0; ++p) {
      const int w = (*p - '0') * module;
      if (bar) {
        for (int dx = 0; dx < w; ++dx) {
          for (int y = 0; y < height; ++y) {
            img.bits[static_cast<std::size_t>(y * img.bytes_per_row() + (x + dx) / 8)] |=
                static_cast<std::uint8_t>(0x80U >> ((x + dx) % 8));
          }
        }
      }
      x += w;
      bar = !bar;
    }
  };
  for (int s : symbols) put(s);
  put(checksum(symbols));
  put(kStop);
  return img;
}

}  // namespace pos::escpos::code128
