// CODE128 symbology (ISO/IEC 15417) shared by the encoder (shortest code-set choice, raster
// fallback) and the decoder (drawing bars of GS k data).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pos/escpos/image.hpp>

namespace pos::escpos::code128 {

// Symbol values: 0..102 data/functions, 103/104/105 START A/B/C, 106 STOP.
inline constexpr int kStartA = 103, kStartB = 104, kStartC = 105, kStop = 106;
inline constexpr int kCodeA = 101, kCodeB = 100, kCodeC = 99;

// Longest data we encode (GS k m=73 carries at most 255 bytes).
inline constexpr std::size_t kMaxData = 255;

// Bar/space widths of every symbol (bar first), in modules; STOP has 7 elements.
extern const char* const kPatterns[107];

// The shortest symbol sequence (START .. data, without check and STOP) for ASCII 0..127 data,
// and the matching ESC/POS GS k m=73 data ("{A"/"{B"/"{C" set changes, code C as one byte per
// digit pair, '{' as "{{"). Returns false when the data has a byte above 127, is empty or is
// longer than kMaxData.
bool encode(std::string_view data, std::vector<int>& symbols, std::string& escpos_data);

// GS k m=73 data -> symbols and the human-readable text. False when malformed.
bool parse_escpos(std::string_view escpos_data, std::vector<int>& symbols, std::string& text);

int checksum(const std::vector<int>& symbols);
// Total modules of START..data + check + STOP.
int module_count(const std::vector<int>& symbols);
// Draws the bars, `module` dots per module, `height` dots tall, into a 1-bit image.
MonoImage draw(const std::vector<int>& symbols, int module, int height);

}  // namespace pos::escpos::code128
