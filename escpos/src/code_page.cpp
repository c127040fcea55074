// Code page tables (generated from the published pages, see tools/gen_codepages.py) and the
// per-profile CharacterMap.
#include <pos/escpos/code_page.hpp>

#include <stdexcept>

namespace pos::escpos {
namespace {

constexpr char16_t kUpperHalf[kCodePageCount][128] = {
#include "code_page_tables.inc"
};

constexpr std::string_view kNames[kCodePageCount] = {
    "cp437", "cp737", "cp850",  "cp852",  "cp857",  "cp858",     "cp860",     "cp863",
    "cp865", "cp866", "cp1250", "cp1251", "cp1252", "iso8859-2", "iso8859-7", "iso8859-15",
};

}  // namespace

std::string_view code_page_name(CodePage page) {
  return kNames[static_cast<std::size_t>(page)];
}

std::optional<CodePage> code_page_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kCodePageCount; ++i) {
    if (kNames[i] == name) return static_cast<CodePage>(i);
  }
  return std::nullopt;
}

char32_t code_page_char(CodePage page, std::uint8_t byte) {
  if (byte < 0x20 || byte == 0x7F) return 0;
  if (byte < 0x80) return byte;
  return kUpperHalf[static_cast<std::size_t>(page)][byte - 0x80];
}

CharacterMap::CharacterMap(const std::vector<CodePageSlot>& slots)
    : slots_(slots), masks_(kLimit, 0) {
  if (slots_.size() > kMaxSlots) throw std::invalid_argument("too many code pages in a profile");
  bytes_.assign(slots_.size() * kLimit, 0);
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    std::uint8_t* table = bytes_.data() + s * kLimit;
    const auto bit = static_cast<std::uint16_t>(1U << s);
    for (char32_t c = 0x20; c < 0x7F; ++c) {
      table[c] = static_cast<std::uint8_t>(c);
      masks_[c] = static_cast<std::uint16_t>(masks_[c] | bit);
    }
    for (unsigned b = 0x80; b < 0x100; ++b) {
      const char32_t c = kUpperHalf[static_cast<std::size_t>(slots_[s].page)][b - 0x80];
      if (c == 0 || c >= kLimit || table[c] != 0) continue;  // first byte wins on duplicates
      table[c] = static_cast<std::uint8_t>(b);
      masks_[c] = static_cast<std::uint16_t>(masks_[c] | bit);
    }
  }
}

std::optional<std::size_t> CharacterMap::slot_for_number(std::uint8_t select_number) const {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].select_number == select_number) return i;
  }
  return std::nullopt;
}

}  // namespace pos::escpos
