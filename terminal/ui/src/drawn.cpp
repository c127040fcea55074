// DrawnModel (drawn.hpp): lookups, JSON for the Xvfb tests, and the WCAG contrast ratio.
#include <pos/ui/drawn.hpp>

#include <nlohmann/json.hpp>

#include <cmath>

namespace pos::ui {

std::string_view to_string(DrawnKind kind) noexcept {
  switch (kind) {
    case DrawnKind::Button:
      return "button";
    case DrawnKind::Key:
      return "key";
    case DrawnKind::Tile:
      return "tile";
    case DrawnKind::Field:
      return "field";
    case DrawnKind::Text:
      return "text";
  }
  return "?";
}

const DrawnItem* DrawnModel::find(std::string_view id) const {
  for (const auto& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

const DrawnItem* DrawnModel::findLabel(std::string_view label) const {
  for (const auto& item : items) {
    if (item.kind != DrawnKind::Text && item.label == label) return &item;
  }
  return nullptr;
}

bool DrawnModel::shows(std::string_view text) const {
  for (const auto& item : items) {
    if (item.label.find(text) != std::string::npos) return true;
    if (item.value.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string DrawnModel::toJson() const {
  nlohmann::json j;
  j["screen"] = screen;
  j["overlay"] = overlay;
  auto& list = j["items"] = nlohmann::json::array();
  for (const auto& item : items) {
    list.push_back({{"id", item.id},
                    {"label", item.label},
                    {"kind", to_string(item.kind)},
                    {"x", item.rect.x},
                    {"y", item.rect.y},
                    {"w", item.rect.w},
                    {"h", item.rect.h},
                    {"enabled", item.enabled},
                    {"selected", item.selected}});
  }
  return j.dump();
}

double contrastRatio(std::uint32_t a, std::uint32_t b) {
  auto luminance = [](std::uint32_t rgb) {
    auto channel = [](std::uint32_t v) {
      const double c = static_cast<double>(v) / 255.0;
      return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel((rgb >> 16) & 0xFF) + 0.7152 * channel((rgb >> 8) & 0xFF) +
           0.0722 * channel(rgb & 0xFF);
  };
  const double la = luminance(a), lb = luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace pos::ui
