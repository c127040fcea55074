// The one piece of pos::escpos that touches the file system, kept apart from the pure parser:
// reads every *.toml in a folder (e.g. assets/printers) and hands the texts to
// ProfileCatalog::parse. Also reads template files for TemplateCatalog.
#pragma once

#include <filesystem>
#include <memory>

#include <pos/escpos/error.hpp>
#include <pos/escpos/image.hpp>
#include <pos/escpos/profile.hpp>
#include <pos/escpos/receipt.hpp>

namespace pos::escpos {

// Fails with ProfileSyntax when the folder cannot be read, else as ProfileCatalog::parse.
Expected<ProfileCatalog> load_profile_directory(const std::filesystem::path& folder);

// Every *.toml in a folder (e.g. assets/templates) as templates; errors as TemplateCatalog::parse,
// TemplateSyntax when the folder cannot be read.
Expected<TemplateCatalog> load_template_directory(const std::filesystem::path& folder);

// The shop's logo for ReceiptContent::logo: a PNG file read and prepared once for `profile`
// (scaled down to at most max_width_dots, never wider than the printer's raster_max_width,
// Atkinson dithering). ImageDecode when the file cannot be read or is not a PNG.
Expected<std::shared_ptr<const MonoImage>> load_receipt_logo(const std::filesystem::path& png,
                                                             const PrinterProfile& profile,
                                                             int max_width_dots = 256);

}  // namespace pos::escpos
