// The UI's kit: theme (sizes in millimetres, colours with checked contrast, fonts), the touch
// widgets that record what they drew (DrawnModel), the keypads and the on-screen keyboard.
// Internal to terminal/ui.
//
// Sections: Theme · Kit (buttons, tiles, fields, text, lists) · Keypad · Keyboard
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pos/app/engine.hpp>
#include <pos/ui/drawn.hpp>

struct SDL_Renderer;

namespace pos::ui {

// ---------------------------------------------------------------------------------------------
// Theme
// ---------------------------------------------------------------------------------------------

// Issue 11's sizes: targets >= 10 mm with >= 2 mm gaps, keypad keys ~18 mm, body text cap
// height >= 3.5 mm, the total >= 6 mm.
struct Metrics {
  float pxPerMm = 5.03f;
  [[nodiscard]] float mm(float millimetres) const { return millimetres * pxPerMm; }
  [[nodiscard]] float target() const { return mm(12.f); }  // a row of buttons
  [[nodiscard]] float gap() const { return mm(2.5f); }
  [[nodiscard]] float key() const { return mm(18.f); }
  [[nodiscard]] float keyGap() const { return mm(2.5f); }
};

// Colours as 0xRRGGBB; every pair a label is drawn on has a contrast of at least 4.5:1
// (tests/ui checks what was drawn).
namespace colour {
inline constexpr std::uint32_t kPage = 0xF3F4F6;
inline constexpr std::uint32_t kPanel = 0xFFFFFF;
inline constexpr std::uint32_t kText = 0x111827;
inline constexpr std::uint32_t kMuted = 0x4B5563;
inline constexpr std::uint32_t kPrimary = 0x0B57A4;
inline constexpr std::uint32_t kOnPrimary = 0xFFFFFF;
inline constexpr std::uint32_t kSecondary = 0xDCE3EC;
inline constexpr std::uint32_t kSelected = 0x0B57A4;
inline constexpr std::uint32_t kDanger = 0xB3261E;
inline constexpr std::uint32_t kOk = 0x166534;
inline constexpr std::uint32_t kWarnBg = 0xFDECC8;
inline constexpr std::uint32_t kWarnText = 0x5C3A00;
inline constexpr std::uint32_t kErrorBg = 0xFBE4E2;
inline constexpr std::uint32_t kErrorText = 0x7F1D1D;
inline constexpr std::uint32_t kBar = 0x1F2937;
inline constexpr std::uint32_t kOnBar = 0xF9FAFB;
inline constexpr std::uint32_t kDisabledBg = 0xE5E7EB;
inline constexpr std::uint32_t kDisabledText = 0x4B5563;
inline constexpr std::uint32_t kFieldBg = 0xFFFFFF;
inline constexpr std::uint32_t kFieldBorder = 0x6B7280;
inline constexpr std::uint32_t kFocus = 0x0B57A4;
}  // namespace colour

[[nodiscard]] ImU32 imColour(std::uint32_t rgb, std::uint8_t alpha = 255);

// An opaque, square-cornered rectangle filled by SDL itself (SDL_RenderFillRect, a row fill)
// instead of by ImGui's triangles, which SDL's software renderer fills texel by texel (about
// 12 ns a pixel: the approval overlay's panel alone cost 8 ms a frame). Drawn in `dl`'s order,
// never clipped. For large panels and bars only; UiSession sets the renderer and clears the
// frame's fills (beginSolidFills) before each frame.
void solidFill(ImDrawList* dl, ImVec2 min, ImVec2 max, std::uint32_t rgb);
void setSolidFillRenderer(SDL_Renderer* renderer);
void beginSolidFills();
[[nodiscard]] std::size_t solidFillsHash();  // this frame's fills (what they look like)
[[nodiscard]] ImVec4 imColour4(std::uint32_t rgb);

enum class FontRole { Body, Title, Large };

struct Fonts {
  ImFont* body = nullptr;   // cap height >= 3.5 mm
  ImFont* title = nullptr;  // headings, keypad keys
  ImFont* large = nullptr;  // totals, change: cap height >= 6 mm
  [[nodiscard]] ImFont* get(FontRole role) const;
};
// DejaVu Sans with Latin-1, Latin Extended-A, Greek, Cyrillic, U+2010-2027, € (and the other
// currency signs): every character the demo shop, its currencies and receipts use.
Fonts loadFonts(ImGuiIO& io, const Metrics& metrics, const char* ttfPath);
[[nodiscard]] float capHeight(const ImFont* font);

// ---------------------------------------------------------------------------------------------
// Kit
// ---------------------------------------------------------------------------------------------

enum class Tone { Primary, Secondary, Danger };
enum class Enabled { Yes, No };
enum class Selected { No, Yes };

// Per frame: the widgets draw with ImGui and record themselves into the model.
class Kit {
 public:
  Kit(const Metrics& metrics, const Fonts& fonts, DrawnModel& model, float tapSlopPx);

  const Metrics& m;
  const Fonts& fonts;
  DrawnModel& model;

  // A touch button: true when released inside it without the finger having moved (a drag
  // over it is a scroll, not a tap).
  bool button(std::string_view id, std::string_view label, ImVec2 size, Tone tone = Tone::Secondary,
              Enabled enabled = Enabled::Yes, Selected selected = Selected::No,
              DrawnKind kind = DrawnKind::Button, FontRole font = FontRole::Body);
  bool tile(std::string_view id, std::string_view label, ImVec2 size, Selected selected,
            Enabled enabled = Enabled::Yes) {
    return button(id, label, size, Tone::Secondary, enabled, selected, DrawnKind::Tile);
  }
  // A text field of the project's own (no ImGui text buffer: the keyboards and the physical
  // keyboard edit `text` through Kit::typeInto): a tap focuses it.
  bool field(std::string_view id, std::string_view label, const std::string& text,
             std::string_view hint, ImVec2 size, bool focused, Enabled enabled = Enabled::Yes);
  // PIN dots (never the digits): `count` filled of `max`, shifted by `shakePx`.
  void pinDots(std::string_view id, std::size_t count, float shakePx);

  void text(std::string_view text, FontRole font = FontRole::Body,
            std::uint32_t fg = colour::kText);
  void textWrapped(std::string_view text, float width, FontRole font = FontRole::Body,
                   std::uint32_t fg = colour::kText);
  // A filled band with text (banners, refusals).
  void banner(std::string_view id, std::string_view text, std::uint32_t bg, std::uint32_t fg,
              float width);

  // The background the next labels sit on (for the contrast record).
  void pushBackground(std::uint32_t bg) { backgrounds_.push_back(bg); }
  void popBackground() { backgrounds_.pop_back(); }
  [[nodiscard]] std::uint32_t background() const { return backgrounds_.back(); }

  // A scrolling list that a finger drags; items inside record whether they are clipped.
  void beginList(std::string_view id, ImVec2 size);
  void endList();

  [[nodiscard]] bool tapCancelled() const;

 private:
  void record(std::string_view id, std::string_view label, DrawnKind kind, bool enabled,
              bool selected, std::uint32_t fg, std::uint32_t bg, FontRole font);
  float tapSlopPx_;
  std::vector<std::uint32_t> backgrounds_{colour::kPage};
  int listDepth_ = 0;
};

// Characters and editing keys typed on the physical keyboard this frame (a scanner too).
struct TypedInput {
  std::string text;  // UTF-8
  bool backspace = false;
  bool enter = false;
  bool escape = false;
};
[[nodiscard]] TypedInput readTypedInput();
// While an overlay owns the keyboard, readTypedInput() returns nothing to the screen under it.
void suppressTypedInput(bool suppressed);

// Applies typed input to a text (at most maxLen bytes).
void typeInto(std::string& text, const TypedInput& in, std::size_t maxLen = 64);

// ---------------------------------------------------------------------------------------------
// Keypad: fixed keys that never move while typing (digits, a point when the currency has
// decimals, Back). Returns the key tapped: '0'..'9', '.', '<' (back), 0 for none.
// ---------------------------------------------------------------------------------------------
enum class KeypadPoint { No, Yes };
char keypad(Kit& kit, std::string_view id, KeypadPoint point, float keySize);
[[nodiscard]] float keypadWidth(const Kit& kit, float keySize);
[[nodiscard]] float keypadHeight(const Kit& kit, float keySize);

// ---------------------------------------------------------------------------------------------
// Keyboard: an on-screen QWERTY for PO numbers, notes, e-mail, work orders. Returns what was
// typed this frame as TypedInput (Done is enter).
// ---------------------------------------------------------------------------------------------
struct KeyboardState {
  bool shift = true;  // capitals (PO numbers are capitals; e-mail starts lower case)
};
TypedInput keyboard(Kit& kit, std::string_view id, KeyboardState& state, float width);
[[nodiscard]] float keyboardHeight(const Kit& kit);

// The text cut with "…" so it fits `width` pixels in the body font (long names on list rows).
[[nodiscard]] std::string fitText(const Kit& kit, const std::string& text, float width);

// Money text for the screen ("USD 1,234.50").
[[nodiscard]] std::string money(const checkout::Money& amount);
[[nodiscard]] std::string plainMoney(const checkout::Money& amount);

}  // namespace pos::ui
