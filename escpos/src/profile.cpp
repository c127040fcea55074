// Printer profile files (TOML) -> PrinterProfile. Sections: schema (allowed keys), parsing one
// file, inheritance, conversion to the typed struct, ProfileCatalog.
#include <pos/escpos/profile.hpp>

#include <toml++/toml.h>
#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace pos::escpos {
namespace {

// ---- schema ---------------------------------------------------------------------------------
constexpr std::array<std::string_view, 17> kTopKeys = {"id",
                                                       "inherits",
                                                       "name",
                                                       "vendor",
                                                       "dpi",
                                                       "dot_width",
                                                       "font_a",
                                                       "font_b",
                                                       "code_pages",
                                                       "qr",
                                                       "barcode",
                                                       "raster_max_width",
                                                       "raster_band_lines",
                                                       "cutter",
                                                       "cut_feed_lines",
                                                       "drawer_pins",
                                                       "kanji"};
constexpr std::array<std::string_view, 3> kFontKeys = {"width", "height", "columns"};
constexpr std::array<std::string_view, 2> kPageKeys = {"page", "n"};

template <std::size_t N>
bool allowed(const std::array<std::string_view, N>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Joins pieces into one message. (GCC 12 at -O3 warns falsely, -Wrestrict, on chains of
// `"literal" + std::string(...)`; appending avoids that.)
std::string concat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (auto p : pieces) out.append(p);
  return out;
}

Error fail(ErrorCode code, const std::string& origin, const std::string& what) {
  return Error{code, origin + ": " + what};
}

std::optional<Error> check_keys(const toml::table& t, const std::string& origin) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (!allowed(kTopKeys, key)) {
      return fail(ErrorCode::ProfileUnknownKey, origin, "unknown key '" + key + "'");
    }
    if (key == "font_a" || key == "font_b") {
      const auto* font = v.as_table();
      if (font == nullptr)
        return fail(ErrorCode::ProfileBadValue, origin, key + " must be a table");
      for (const auto& [fk, fv] : *font) {
        if (!allowed(kFontKeys, fk.str())) {
          return fail(ErrorCode::ProfileUnknownKey, origin,
                      "unknown key '" + key + "." + std::string(fk.str()) + "'");
        }
      }
    }
    if (key == "code_pages") {
      const auto* pages = v.as_array();
      if (pages == nullptr)
        return fail(ErrorCode::ProfileBadValue, origin, "code_pages must be an array");
      for (const auto& entry : *pages) {
        const auto* e = entry.as_table();
        if (e == nullptr) {
          return fail(ErrorCode::ProfileBadValue, origin,
                      "code_pages entries are { page = \"cp437\", n = 0 }");
        }
        for (const auto& [ek, ev] : *e) {
          if (!allowed(kPageKeys, ek.str())) {
            return fail(ErrorCode::ProfileUnknownKey, origin,
                        "unknown key 'code_pages." + std::string(ek.str()) + "'");
          }
        }
      }
    }
  }
  return std::nullopt;
}

// ---- inheritance ------------------------------------------------------------------------------
// Child keys replace the parent's; the font tables merge key by key.
void merge_into(toml::table& base, const toml::table& child) {
  for (const auto& [k, v] : child) {
    if ((k.str() == "font_a" || k.str() == "font_b") && base.contains(k) && base[k].is_table()) {
      auto& dst = *base[k].as_table();
      for (const auto& [fk, fv] : *v.as_table()) dst.insert_or_assign(fk, fv);
    } else {
      base.insert_or_assign(k, v);
    }
  }
}

struct Parsed {
  std::string origin;
  toml::table table;
};

Expected<toml::table> resolve(const std::string& id, const std::map<std::string, Parsed>& files,
                              std::set<std::string>& visiting) {
  const auto& file = files.at(id);
  if (!visiting.insert(id).second) {
    return fail(ErrorCode::ProfileInheritCycle, file.origin,
                "inheritance cycle through '" + id + "'");
  }
  toml::table merged;
  if (auto parent = file.table["inherits"].value<std::string>()) {
    if (files.find(*parent) == files.end()) {
      return fail(ErrorCode::ProfileUnknownParent, file.origin,
                  "inherits unknown profile '" + *parent + "'");
    }
    auto base = resolve(*parent, files, visiting);
    if (!base) return base.error();
    merged = std::move(base).value();
  }
  merge_into(merged, file.table);
  visiting.erase(id);
  return merged;
}

// ---- conversion -------------------------------------------------------------------------------
struct Reader {
  const toml::table& t;
  const std::string& origin;
  std::optional<Error> error;

  int integer(std::string_view path, int lo, int hi) {
    const auto node = t.at_path(path);
    if (!node) {
      if (!error)
        error = fail(ErrorCode::ProfileMissingKey, origin, concat({"missing '", path, "'"}));
      return lo;
    }
    const auto v = node.value<std::int64_t>();
    if (!v || *v < lo || *v > hi) {
      if (!error) {
        error = fail(ErrorCode::ProfileBadValue, origin,
                     concat({"'", path, "' must be an integer in ", std::to_string(lo), "..",
                             std::to_string(hi)}));
      }
      return lo;
    }
    return static_cast<int>(*v);
  }
  std::string text(std::string_view path) {
    const auto node = t.at_path(path);
    if (!node) {
      if (!error)
        error = fail(ErrorCode::ProfileMissingKey, origin, concat({"missing '", path, "'"}));
      return {};
    }
    const auto v = node.value<std::string>();
    if (!v) {
      if (!error)
        error = fail(ErrorCode::ProfileBadValue, origin, concat({"'", path, "' must be a string"}));
      return {};
    }
    return *v;
  }
  template <typename E, std::size_t N>
  E choice(std::string_view path, const std::array<std::pair<std::string_view, E>, N>& options) {
    const std::string v = text(path);
    for (const auto& [name, value] : options) {
      if (name == v) return value;
    }
    if (!error) {
      error = fail(ErrorCode::ProfileBadValue, origin,
                   "'" + std::string(path) + "' has unknown value '" + v + "'");
    }
    return options[0].second;
  }
};

Expected<PrinterProfile> convert(const toml::table& t, const std::string& origin) {
  Reader r{t, origin, std::nullopt};
  PrinterProfile p;
  p.id = r.text("id");
  p.name = r.text("name");
  p.vendor = r.text("vendor");
  p.dpi = r.integer("dpi", 100, 600);
  p.dot_width = r.integer("dot_width", 96, 2048);
  p.font_a = {r.integer("font_a.width", 4, 64), r.integer("font_a.height", 4, 128),
              r.integer("font_a.columns", 8, 255)};
  p.font_b = {r.integer("font_b.width", 4, 64), r.integer("font_b.height", 4, 128),
              r.integer("font_b.columns", 8, 255)};
  p.qr = r.choice("qr", std::array{std::pair{std::string_view("native"), QrSupport::Native},
                                   std::pair{std::string_view("raster"), QrSupport::Raster}});
  p.barcode = r.choice("barcode",
                       std::array{std::pair{std::string_view("native"), BarcodeSupport::Native},
                                  std::pair{std::string_view("raster"), BarcodeSupport::Raster}});
  p.raster_max_width = r.integer("raster_max_width", 8, 2048);
  p.raster_band_lines = r.integer("raster_band_lines", 1, 2048);
  p.cutter =
      r.choice("cutter",
               std::array{std::pair{std::string_view("none"), Cutter::None},
                          std::pair{std::string_view("partial"), Cutter::PartialOnly},
                          std::pair{std::string_view("full-and-partial"), Cutter::FullAndPartial}});
  p.cut_feed_lines = r.integer("cut_feed_lines", 0, 255);
  p.kanji = r.choice(
      "kanji", std::array{std::pair{std::string_view("off"), KanjiMode::Off},
                          std::pair{std::string_view("leave-on-init"), KanjiMode::LeaveOnInit}});
  if (r.error) return *r.error;
  if (p.font_a.width * p.font_a.columns > p.dot_width ||
      p.font_b.width * p.font_b.columns > p.dot_width) {
    return fail(ErrorCode::ProfileBadValue, origin,
                "columns times character width exceeds dot_width");
  }
  if (p.raster_max_width > p.dot_width) {
    return fail(ErrorCode::ProfileBadValue, origin, "raster_max_width exceeds dot_width");
  }
  const auto* pins = t["drawer_pins"].as_array();
  if (pins == nullptr) return fail(ErrorCode::ProfileMissingKey, origin, "missing 'drawer_pins'");
  for (const auto& pin : *pins) {
    const auto v = pin.value<std::int64_t>();
    if (v == 2) {
      p.drawer_pins.push_back(DrawerPin::Pin2);
    } else if (v == 5) {
      p.drawer_pins.push_back(DrawerPin::Pin5);
    } else {
      return fail(ErrorCode::ProfileBadValue, origin, "drawer_pins holds 2 and/or 5");
    }
  }
  const auto* pages = t["code_pages"].as_array();
  if (pages == nullptr || pages->empty()) {
    return fail(ErrorCode::ProfileMissingKey, origin, "code_pages must list at least one page");
  }
  if (pages->size() > CharacterMap::kMaxSlots) {
    return fail(ErrorCode::ProfileBadValue, origin, "at most 16 code_pages");
  }
  for (const auto& entry : *pages) {
    const auto& e = *entry.as_table();
    const auto name = e["page"].value<std::string>();
    const auto n = e["n"].value<std::int64_t>();
    const auto page = name ? code_page_from_name(*name) : std::nullopt;
    if (!page) {
      return fail(ErrorCode::ProfileBadValue, origin,
                  "unknown code page '" + name.value_or("") + "'");
    }
    if (!n || *n < 0 || *n > 255) {
      return fail(ErrorCode::ProfileBadValue, origin, "code page " + *name + " needs n = 0..255");
    }
    p.code_pages.push_back({*page, static_cast<std::uint8_t>(*n)});
  }
  p.characters = std::make_shared<const CharacterMap>(p.code_pages);
  return p;
}

}  // namespace

// ---- ProfileCatalog -----------------------------------------------------------------------------
Expected<ProfileCatalog> ProfileCatalog::parse(const std::vector<ProfileSource>& sources) {
  std::map<std::string, Parsed> files;
  for (const auto& source : sources) {
    toml::table table;
    try {
      table = toml::parse(source.text, source.origin);
    } catch (const toml::parse_error& e) {
      return fail(ErrorCode::ProfileSyntax, source.origin, std::string(e.description()));
    }
    if (auto err = check_keys(table, source.origin)) return *err;
    const auto id = table["id"].value<std::string>();
    if (!id || id->empty())
      return fail(ErrorCode::ProfileMissingKey, source.origin, "missing 'id'");
    if (files.count(*id) != 0) {
      return fail(ErrorCode::ProfileDuplicate, source.origin,
                  "profile id '" + *id + "' defined twice");
    }
    files.emplace(*id, Parsed{source.origin, std::move(table)});
  }
  ProfileCatalog catalog;
  for (const auto& [id, file] : files) {
    std::set<std::string> visiting;
    auto merged = resolve(id, files, visiting);
    if (!merged) return merged.error();
    auto profile = convert(merged.value(), file.origin);
    if (!profile) return profile.error();
    catalog.profiles_.push_back(std::make_shared<const PrinterProfile>(std::move(profile).value()));
  }
  return catalog;
}

const PrinterProfile* ProfileCatalog::find(std::string_view id) const {
  for (const auto& p : profiles_) {
    if (p->id == id) return p.get();
  }
  return nullptr;
}

Expected<std::shared_ptr<const PrinterProfile>> ProfileCatalog::get(std::string_view id) const {
  for (const auto& p : profiles_) {
    if (p->id == id) return p;
  }
  return Error{ErrorCode::ProfileNotFound, "no printer profile '" + std::string(id) + "'"};
}

std::vector<std::string> ProfileCatalog::ids() const {
  std::vector<std::string> out;
  for (const auto& p : profiles_) out.push_back(p->id);
  return out;
}

}  // namespace pos::escpos
