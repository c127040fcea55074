// Code pages a printer may offer, as published (IBM/Microsoft/ISO), and the per-profile
// Unicode-to-byte table the encoder uses. Sections: CodePage, CharacterMap.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pos::escpos {

// Bytes 0x20..0x7E are ASCII in every page below; only the upper half differs.
enum class CodePage : std::uint8_t {
  Cp437,       // IBM PC US
  Cp737,       // Greek (DOS)
  Cp850,       // DOS Latin-1
  Cp852,       // DOS Latin-2 (Polish, Czech, ...)
  Cp857,       // DOS Turkish
  Cp858,       // CP850 with the euro sign at 0xD5
  Cp860,       // DOS Portuguese
  Cp863,       // DOS Canadian French
  Cp865,       // DOS Nordic
  Cp866,       // DOS Cyrillic (Russian)
  Cp1250,      // Windows Central European
  Cp1251,      // Windows Cyrillic
  Cp1252,      // Windows Western (euro at 0x80)
  Iso8859_2,   // Latin-2
  Iso8859_7,   // Greek
  Iso8859_15,  // Latin-9 (euro at 0xA4)
  Count
};

inline constexpr std::size_t kCodePageCount = static_cast<std::size_t>(CodePage::Count);

// Lower-case names used in profile files: "cp437", "cp858", "cp1252", "iso8859-15", ...
std::string_view code_page_name(CodePage page);
std::optional<CodePage> code_page_from_name(std::string_view name);

// The character a byte prints in a page: ASCII below 0x80 (0 for controls 0x00..0x1F, 0x7F),
// the published table above; 0 where the page has no character at that byte.
char32_t code_page_char(CodePage page, std::uint8_t byte);

// One printer's pages in its preference order, with the number `ESC t n` selects each by.
struct CodePageSlot {
  CodePage page = CodePage::Cp437;
  std::uint8_t select_number = 0;  // the n of ESC t n on this maker's firmware
};

// Unicode -> (slot, byte) for one profile, built once when the profile is loaded so the
// encoder never searches pages per character (the cost that slows the JavaScript encoders).
class CharacterMap {
 public:
  // Code points at or above this are in none of the supported pages.
  static constexpr char32_t kLimit = 0x2600;
  static constexpr std::uint8_t kMaxSlots = 16;

  explicit CharacterMap(const std::vector<CodePageSlot>& slots);

  // Bit i set: slot i has the character.
  std::uint16_t slots_with(char32_t c) const { return c < kLimit ? masks_[c] : 0; }
  std::uint8_t byte_in(std::size_t slot, char32_t c) const { return bytes_[slot * kLimit + c]; }
  std::size_t slot_count() const { return slots_.size(); }
  const CodePageSlot& slot(std::size_t i) const { return slots_[i]; }
  // Slot selected by ESC t n, if this profile has that n.
  std::optional<std::size_t> slot_for_number(std::uint8_t select_number) const;

 private:
  std::vector<CodePageSlot> slots_;
  std::vector<std::uint16_t> masks_;
  std::vector<std::uint8_t> bytes_;  // slot-major: bytes_[slot * kLimit + code point], 0 = none
};

}  // namespace pos::escpos
