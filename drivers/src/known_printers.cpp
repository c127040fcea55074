// Loader for assets/usb/known-printers.txt and the IEEE-1284 device id parser.
#include <pos/drivers/known_printers.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace pos::drivers {
namespace {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint16_t> hex4(std::string_view s) {
  if (s.size() != 4) return std::nullopt;
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + 4, v, 16);
  if (ec != std::errc() || end != s.data() + 4) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

bool valid_profile_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool printable(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
           };
           return lower(x) == lower(y);
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

KnownUsbPrinters::Load KnownUsbPrinters::parse(std::string_view text) {
  KnownUsbPrinters table;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  auto error = [&](std::string_view what) {
    return Load{std::nullopt, fmt::format("known-printers.txt:{}: {}", line_no, what)};
  };
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (char c : line) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return error("control character");
    }
    const auto f = fields(line);
    if (f.empty()) continue;
    if (f[0] == "usb") {
      if (f.size() < 3 || f.size() > 4)
        return error("expected: usb VID:PID PROFILE [printer-class|vendor-class]");
      const auto colon = f[1].find(':');
      const auto vid = colon == std::string_view::npos ? std::nullopt : hex4(f[1].substr(0, colon));
      const auto pid =
          colon == std::string_view::npos ? std::nullopt : hex4(f[1].substr(colon + 1));
      if (!vid || !pid) return error("VID:PID must be two groups of 4 hex digits");
      if (!valid_profile_name(f[2]))
        return error("profile name must be lower-case letters, digits, '-', '_' or '.'");
      KnownUsbPrinter p{*vid, *pid, std::string(f[2]), UsbInterfaceKind::kPrinterClass};
      if (f.size() == 4) {
        if (f[3] == "vendor-class") {
          p.interface = UsbInterfaceKind::kVendorClass;
        } else if (f[3] != "printer-class") {
          return error("interface must be printer-class or vendor-class");
        }
      }
      if (table.find(p.vendor, p.product) != nullptr) return error("this VID:PID is listed twice");
      table.ids_.push_back(std::move(p));
    } else if (f[0] == "model") {
      if (f.size() != 4) return error("expected: model MANUFACTURER MODEL PROFILE");
      if (!printable(f[1]) || !printable(f[2]))
        return error("manufacturer and model must be printable ASCII");
      if (!valid_profile_name(f[3]))
        return error("profile name must be lower-case letters, digits, '-', '_' or '.'");
      if (table.find_model(f[1], f[2]) != nullptr) return error("this model is listed twice");
      table.models_.push_back({std::string(f[1]), std::string(f[2]), std::string(f[3])});
    } else {
      return error("a line must start with 'usb' or 'model'");
    }
  }
  return {std::move(table), {}};
}

KnownUsbPrinters::Load KnownUsbPrinters::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {std::nullopt, fmt::format("cannot read {}", file.string())};
  std::ostringstream text;
  text << in.rdbuf();
  auto out = parse(text.str());
  if (!out.table)
    out.error =
        file.filename().string() + out.error.substr(std::string_view("known-printers.txt").size());
  return out;
}

const KnownUsbPrinter* KnownUsbPrinters::find(std::uint16_t vendor, std::uint16_t product) const {
  for (const auto& p : ids_) {
    if (p.vendor == vendor && p.product == product) return &p;
  }
  return nullptr;
}

const KnownPrinterModel* KnownUsbPrinters::find_model(std::string_view manufacturer,
                                                      std::string_view model) const {
  for (const auto& m : models_) {
    if (iequals(m.manufacturer, manufacturer) && iequals(m.model, model)) return &m;
  }
  return nullptr;
}

std::filesystem::path default_known_printers_file(const std::filesystem::path& assets_dir) {
  return assets_dir / "usb" / "known-printers.txt";
}

bool Ieee1284Id::speaks_escpos() const {
  // CMD lists languages separated by ','; Epson writes "ESC/POS", some clones "ESCPOS".
  std::string upper;
  for (char c : command_set)
    upper.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  return upper.find("ESC/POS") != std::string::npos || upper.find("ESCPOS") != std::string::npos;
}

std::optional<Ieee1284Id> parse_ieee1284_id(std::string_view text) {
  Ieee1284Id id;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto semi = text.find(';', pos);
    const auto item =
        text.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos);
    pos = semi == std::string_view::npos ? text.size() : semi + 1;
    if (trim(item).empty()) continue;
    const auto colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;  // a key without a value
    const auto key = trim(item.substr(0, colon));
    const auto value = trim(item.substr(colon + 1));
    for (char c : value) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
        return std::nullopt;
    }
    if (iequals(key, "MFG") || iequals(key, "MANUFACTURER")) {
      id.manufacturer = value;
    } else if (iequals(key, "MDL") || iequals(key, "MODEL")) {
      id.model = value;
    } else if (iequals(key, "CMD") || iequals(key, "COMMAND SET")) {
      id.command_set = value;
    } else if (iequals(key, "SN") || iequals(key, "SERIALNUMBER") || iequals(key, "SERN")) {
      id.serial = value;
    }
  }
  if (id.manufacturer.empty() || id.model.empty()) return std::nullopt;
  return id;
}

std::optional<Ieee1284Id> parse_device_id_reply(const std::uint8_t* data, std::size_t size) {
  if (data == nullptr || size < 2) return std::nullopt;
  const std::size_t length = (std::size_t{data[0]} << 8) | data[1];
  // The length counts its own two bytes; some printers get the byte order wrong, which makes
  // it far larger than the reply: refuse rather than read past what arrived.
  if (length < 2 || length > size) return std::nullopt;
  return parse_ieee1284_id(std::string_view(reinterpret_cast<const char*>(data + 2), length - 2));
}

}  // namespace pos::drivers
