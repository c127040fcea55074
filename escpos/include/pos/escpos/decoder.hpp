// The decoder: ESC/POS bytes -> what a printer of that profile would print, as text and as a
// gray picture at the profile's dot width (PNG via encode_png in image.hpp). It understands every
// command the Encoder emits (see encoder.hpp) plus HT/CR and a few harmless ones, and reports
// anything else with its byte offset instead of guessing how long it is: decoding stops there.
// Used by the virtual printer, the UI's receipt preview and the tests.
// Sections: DecodedElement, UnknownCommand, DecodedReceipt, decode().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <pos/escpos/encoder.hpp>
#include <pos/escpos/image.hpp>
#include <pos/escpos/profile.hpp>

namespace pos::escpos {

enum class ElementKind : std::uint8_t { Barcode, Qr, Raster, Cut, DrawerPulse };

// Something printed or done that is not a line of text.
struct DecodedElement {
  ElementKind kind;
  std::size_t offset = 0;  // of the command in the input
  std::string value;       // barcode/QR data; "partial"/"full" for cuts; "pin2"/"pin5"
  int width = 0;           // in dots (raster, QR, barcode)
  int height = 0;
};

struct UnknownCommand {
  std::size_t offset = 0;
  std::vector<std::uint8_t> bytes;  // up to the first 4 bytes from offset, for the report
  std::string reason;               // "unknown command", "truncated GS v 0", ...
};

struct DecodedLine {
  std::string text;  // UTF-8, trailing spaces removed
  // Set when any character of the line has the attribute.
  bool bold = false;
  bool underline = false;
  bool inverse = false;
  bool double_width = false;
  bool double_height = false;
  bool font_b = false;
  Align align = Align::Left;
};

struct DecodedReceipt {
  // Printed text, one '\n'-terminated line per LF (trailing spaces removed). Barcode HRI text
  // and QR contents are not part of it: they are in elements.
  std::string text;
  std::vector<DecodedLine> lines;
  std::vector<DecodedElement> elements;
  std::vector<UnknownCommand> unknown;  // empty for anything our Encoder wrote
  GrayImage picture;                    // profile.dot_width wide; empty with DrawMode::TextOnly
  std::size_t consumed = 0;             // bytes understood before stopping
  // The TrueType file the picture's characters are drawn with (DejaVu Sans Mono from Debian's
  // fonts-dejavu-core, or $POS_PREVIEW_FONT). Empty: no font file was found, and the picture
  // uses the built-in ASCII glyphs with composed accents (other scripts then look like Latin
  // look-alikes or boxes): a preview to be trusted less.
  std::string preview_font;
};

enum class DrawMode : std::uint8_t { TextAndPicture, TextOnly };

DecodedReceipt decode(std::span<const std::uint8_t> bytes, const PrinterProfile& profile,
                      DrawMode mode = DrawMode::TextAndPicture);

}  // namespace pos::escpos
