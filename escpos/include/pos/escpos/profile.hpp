// Printer profiles: what one printer model can do, loaded from TOML text (assets/printers/*.toml).
// Each file names its `id` and may `inherit` another; unknown keys are refused so a typo never
// silently falls back to a default. Parsing is pure (text in); profile_files.hpp reads a folder.
// Sections: enums, PrinterProfile, ProfileSource, ProfileCatalog.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pos/escpos/code_page.hpp>
#include <pos/escpos/error.hpp>

namespace pos::escpos {

enum class QrSupport : std::uint8_t { Native, Raster };       // Native: GS ( k; Raster: GS v 0
enum class BarcodeSupport : std::uint8_t { Native, Raster };  // Native: GS k m=73 (CODE128)
enum class Cutter : std::uint8_t { None, PartialOnly, FullAndPartial };
enum class KanjiMode : std::uint8_t { Off, LeaveOnInit };    // LeaveOnInit: send FS . after ESC @
enum class DrawerPin : std::uint8_t { Pin2 = 0, Pin5 = 1 };  // the m of ESC p m t1 t2

struct FontMetrics {
  int width = 12;    // dots per character cell
  int height = 24;   // dots per line
  int columns = 48;  // characters per line at normal width
};

struct PrinterProfile {
  std::string id;      // "generic-80mm", "epson-tm-t20iii", ...
  std::string name;    // human name, "Epson TM-T20III"
  std::string vendor;  // "Epson"
  int dpi = 203;
  int dot_width = 576;  // printable width in dots
  FontMetrics font_a;
  FontMetrics font_b{9, 17, 64};
  std::vector<CodePageSlot> code_pages;  // preference order; the first is selected after ESC @
  QrSupport qr = QrSupport::Native;
  BarcodeSupport barcode = BarcodeSupport::Native;
  int raster_max_width = 576;   // widest GS v 0 image in dots
  int raster_band_lines = 128;  // lines per GS v 0 block, so the receive buffer is not overrun
  Cutter cutter = Cutter::FullAndPartial;
  int cut_feed_lines = 4;              // lines fed before the cut so the last line clears the blade
  std::vector<DrawerPin> drawer_pins;  // empty: no drawer connector
  KanjiMode kanji = KanjiMode::Off;
  // Built once at load: Unicode -> (page, byte). Shared by every encoder for this profile.
  std::shared_ptr<const CharacterMap> characters;
};

// One profile file's text, with a name used only in error messages.
struct ProfileSource {
  std::string origin;  // e.g. "epson-tm-t20iii.toml"
  std::string text;
};

// All loaded profiles, inheritance resolved. Immutable after parse: share it freely.
class ProfileCatalog {
 public:
  // Parses every source, resolves `inherits`, validates and builds each CharacterMap.
  // Any error in any file fails the whole catalog (a half-loaded set of printers is worse).
  static Expected<ProfileCatalog> parse(const std::vector<ProfileSource>& sources);

  // nullptr when absent; see also `get`.
  const PrinterProfile* find(std::string_view id) const;
  Expected<std::shared_ptr<const PrinterProfile>> get(std::string_view id) const;
  std::vector<std::string> ids() const;

 private:
  std::vector<std::shared_ptr<const PrinterProfile>> profiles_;
};

}  // namespace pos::escpos
