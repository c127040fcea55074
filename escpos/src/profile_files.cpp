// The only file of pos::escpos that reads the file system (see profile_files.hpp).
#include <pos/escpos/profile_files.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

namespace pos::escpos {
namespace {

// (file name, text) of every *.toml in folder, sorted by name so errors are stable; nullopt and
// `why` when the folder or a file cannot be read.
std::optional<std::vector<std::pair<std::string, std::string>>> read_toml_files(
    const std::filesystem::path& folder, std::string& why) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml")
      files.push_back(entry.path());
  }
  if (ec) {
    why = "cannot read folder " + folder.string() + ": " + ec.message();
    return std::nullopt;
  }
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      why = "cannot read " + file.string();
      return std::nullopt;
    }
    out.emplace_back(file.filename().string(), text.str());
  }
  return out;
}

}  // namespace

Expected<ProfileCatalog> load_profile_directory(const std::filesystem::path& folder) {
  std::string why;
  auto files = read_toml_files(folder, why);
  if (!files) return Error{ErrorCode::ProfileSyntax, why};
  std::vector<ProfileSource> sources;
  for (auto& [name, text] : *files) sources.push_back({name, std::move(text)});
  return ProfileCatalog::parse(sources);
}

Expected<TemplateCatalog> load_template_directory(const std::filesystem::path& folder) {
  std::string why;
  auto files = read_toml_files(folder, why);
  if (!files) return Error{ErrorCode::TemplateSyntax, why};
  std::vector<TemplateSource> sources;
  for (auto& [name, text] : *files) sources.push_back({name, std::move(text)});
  return TemplateCatalog::parse(sources);
}

Expected<std::shared_ptr<const MonoImage>> load_receipt_logo(const std::filesystem::path& png,
                                                             const PrinterProfile& profile,
                                                             int max_width_dots) {
  std::ifstream in(png, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Error{ErrorCode::ImageDecode, "cannot read " + png.string()};
  if (bytes.empty()) return Error{ErrorCode::ImageDecode, "cannot read " + png.string()};
  const int width = std::clamp(max_width_dots, 8, profile.raster_max_width);
  auto mono = raster_from_png(bytes, width, Dither::Atkinson);
  if (!mono) return Error{mono.error().code, png.string() + ": " + mono.error().message};
  return std::make_shared<const MonoImage>(std::move(mono).value());
}

}  // namespace pos::escpos
