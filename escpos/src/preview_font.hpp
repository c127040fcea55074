// The preview's TrueType font: DejaVu Sans Mono (Debian's fonts-dejavu-core), found at run time
// and drawn with stb_truetype, so the preview shows the real glyph of every character the
// decoder decodes (Cyrillic, Greek, ß, €, ...), not a Latin look-alike. Reading the font file is
// the decoder's one piece of I/O, done once per process; when no font file is found the decoder
// keeps its built-in ASCII glyphs with composed marks and says so in DecodedReceipt.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pos::escpos::preview_font {

// The font file used: $POS_PREVIEW_FONT (a .ttf) when set and readable, else Debian's DejaVu
// Sans Mono, else DejaVu Sans. Empty when none could be read.
const std::string& path();
bool available();

// The glyph of cp scaled into a cell of w x h dots, row by row (1 = ink), the font's line
// filling the cell's height. False when there is no font or the font has no such glyph.
bool render(char32_t cp, int w, int h, std::vector<std::uint8_t>& mask);

}  // namespace pos::escpos::preview_font
