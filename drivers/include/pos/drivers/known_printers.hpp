// The table of USB printers we know by vendor/product id (assets/usb/known-printers.txt), and
// IEEE-1284 device ids as printers report them (USB printer class GET_DEVICE_ID).
//
// Sections: the table · its loader · IEEE-1284 ids.
//
// The table is data so a shop can add a clone without a rebuild; the udev rule in assets/udev
// must list the same ids (a test checks that).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pos::drivers {

// Which interface carries ESC/POS: the standard printer class (7), or a vendor-specific one
// (0xFF) that some models expose in "vendor mode".
enum class UsbInterfaceKind : std::uint8_t { kPrinterClass, kVendorClass };

struct KnownUsbPrinter {
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  std::string profile;  // a printer profile name from assets/printers/
  UsbInterfaceKind interface = UsbInterfaceKind::kPrinterClass;
};

// A model named in GET_DEVICE_ID (MFG and MDL), mapped to a profile: it refines what the
// id table says, and names profiles for printers whose ids are not in the table.
struct KnownPrinterModel {
  std::string manufacturer;  // compared case-insensitively
  std::string model;
  std::string profile;
};

class KnownUsbPrinters {
 public:
  struct Load;
  // Parses the table's text. Each line, after '#' comments are removed, is one of
  //   usb VID:PID PROFILE [printer-class|vendor-class]
  //   model MANUFACTURER MODEL PROFILE
  // with fields separated by spaces or tabs. Anything else is an error naming the line.
  static Load parse(std::string_view text);
  static Load load(const std::filesystem::path& file);

  const KnownUsbPrinter* find(std::uint16_t vendor, std::uint16_t product) const;
  const KnownPrinterModel* find_model(std::string_view manufacturer, std::string_view model) const;
  const std::vector<KnownUsbPrinter>& ids() const { return ids_; }
  const std::vector<KnownPrinterModel>& models() const { return models_; }

 private:
  std::vector<KnownUsbPrinter> ids_;
  std::vector<KnownPrinterModel> models_;
};

struct KnownUsbPrinters::Load {
  std::optional<KnownUsbPrinters> table;
  std::string error;  // "known-printers.txt:12: ..." when table is empty
};

// The default table's location inside an assets directory.
std::filesystem::path default_known_printers_file(const std::filesystem::path& assets_dir);

// An IEEE-1284 device id: "MFG:EPSON;CMD:ESC/POS;MDL:TM-T20III;CLS:PRINTER;".
struct Ieee1284Id {
  std::string manufacturer;  // MFG or MANUFACTURER
  std::string model;         // MDL or MODEL
  std::string command_set;   // CMD or COMMAND SET
  std::string serial;        // SN or SERIALNUMBER (may be empty)
  // True when the command set names ESC/POS (the only language the terminal speaks).
  bool speaks_escpos() const;
};

// The reply of GET_DEVICE_ID: a 2-byte big-endian length that includes itself, then the id.
// Malformed replies (short, a length beyond the data, no MFG/MDL) give nullopt.
std::optional<Ieee1284Id> parse_device_id_reply(const std::uint8_t* data, std::size_t size);
std::optional<Ieee1284Id> parse_ieee1284_id(std::string_view text);

}  // namespace pos::drivers
