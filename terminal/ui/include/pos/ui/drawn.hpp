// What a frame drew, in the UI's own words: every touch target and text with its id, label,
// rectangle, colours and whether it was enabled. Tests check screens through it (semantics,
// sizes, contrast), and the Xvfb tests find the buttons to click through its JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pos::ui {

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  [[nodiscard]] float cx() const { return x + w / 2; }
  [[nodiscard]] float cy() const { return y + h / 2; }
};

enum class DrawnKind { Button, Key, Tile, Field, Text };
[[nodiscard]] std::string_view to_string(DrawnKind kind) noexcept;

struct DrawnItem {
  std::string id;  // stable: "signin.user.adv-anna", "keypad.pin.5", "payment.take"
  std::string label;
  std::string value;  // a field's text as drawn
  DrawnKind kind = DrawnKind::Text;
  Rect rect;
  bool enabled = true;
  bool selected = false;
  bool clipped = false;   // partly outside its scroll area (not checked for size)
  bool labelFits = true;  // the label's text fits inside the target
  std::uint32_t fg = 0;   // 0xRRGGBB of the label
  std::uint32_t bg = 0;   // 0xRRGGBB behind the label
  float capHeightPx = 0;  // of the label's font
};

struct DrawnModel {
  std::string screen;   // "Sign in", "Counter", "Invoice", ...
  std::string overlay;  // "Supervisor approval" or ""
  std::vector<DrawnItem> items;

  [[nodiscard]] const DrawnItem* find(std::string_view id) const;
  [[nodiscard]] const DrawnItem* findLabel(std::string_view label) const;
  // Every text drawn, for "does the screen say X".
  [[nodiscard]] bool shows(std::string_view text) const;
  [[nodiscard]] std::string toJson() const;
};

// WCAG 2 contrast ratio of two sRGB colours 0xRRGGBB (1..21).
[[nodiscard]] double contrastRatio(std::uint32_t a, std::uint32_t b);

}  // namespace pos::ui
