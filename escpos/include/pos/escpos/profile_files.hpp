// The one piece of pos::escpos that touches the file system, kept apart from the pure parser:
// reads every *.toml in a folder (e.g. assets/printers) and hands the texts to
// ProfileCatalog::parse. Also reads template files for TemplateCatalog.
#pragma once

#include <filesystem>

#include <pos/escpos/error.hpp>
#include <pos/escpos/profile.hpp>
#include <pos/escpos/receipt.hpp>

namespace pos::escpos {

// Fails with ProfileSyntax when the folder cannot be read, else as ProfileCatalog::parse.
Expected<ProfileCatalog> load_profile_directory(const std::filesystem::path& folder);

// Every *.toml in a folder (e.g. assets/templates) as templates; errors as TemplateCatalog::parse,
// TemplateSyntax when the folder cannot be read.
Expected<TemplateCatalog> load_template_directory(const std::filesystem::path& folder);

}  // namespace pos::escpos
