// Shared by the escpos tests: the real profile files from assets/printers, loaded once.
#pragma once

#include <gtest/gtest.h>

#include <pos/escpos/profile.hpp>
#include <pos/escpos/profile_files.hpp>

namespace pos::escpos::testing {

inline const ProfileCatalog& catalog() {
  static const ProfileCatalog loaded = [] {
    auto c = load_profile_directory(std::filesystem::path(POS_ASSETS_DIR) / "printers");
    if (!c) throw std::runtime_error(c.error().message);
    return std::move(c).value();
  }();
  return loaded;
}

inline const PrinterProfile& profile(std::string_view id) {
  const PrinterProfile* p = catalog().find(id);
  if (p == nullptr) throw std::runtime_error("missing profile " + std::string(id));
  return *p;
}

inline std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
  std::vector<std::uint8_t> out;
  for (int v : list) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

}  // namespace pos::escpos::testing
