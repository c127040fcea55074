// The only file of pos::escpos that reads the file system (see profile_files.hpp).
#include <pos/escpos/profile_files.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace pos::escpos {

Expected<ProfileCatalog> load_profile_directory(const std::filesystem::path& folder) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml")
      files.push_back(entry.path());
  }
  if (ec) {
    return Error{ErrorCode::ProfileSyntax,
                 "cannot read profile folder " + folder.string() + ": " + ec.message()};
  }
  std::sort(files.begin(), files.end());  // stable error messages whatever the directory order
  std::vector<ProfileSource> sources;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return Error{ErrorCode::ProfileSyntax, "cannot read " + file.string()};
    sources.push_back({file.filename().string(), text.str()});
  }
  return ProfileCatalog::parse(sources);
}

}  // namespace pos::escpos
