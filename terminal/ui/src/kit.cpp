// The UI's kit (kit.hpp): theme, fonts, touch widgets that record what they drew, keypads and
// the on-screen keyboard.
//
// Sections: colours and fonts (and the solid fills) · Kit · typed input · Keypad · Keyboard ·
// money text
#include "kit.hpp"

#include <SDL.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>

#include <pos/checkout/money.hpp>

namespace pos::ui {

// ---------------------------------------------------------------- colours and fonts

ImU32 imColour(std::uint32_t rgb, std::uint8_t alpha) {
  return IM_COL32((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, alpha);
}

namespace {
struct SolidFill {
  SDL_Rect rect;
  std::uint32_t rgb;
};
SDL_Renderer* solidRenderer = nullptr;
std::deque<SolidFill> solidFills;  // this frame's (stable addresses for the draw callbacks)

void drawSolidFill(const ImDrawList*, const ImDrawCmd* cmd) {
  const auto* f = static_cast<const SolidFill*>(cmd->UserCallbackData);
  if (!solidRenderer || !f) return;
  SDL_RenderSetClipRect(solidRenderer, nullptr);
  SDL_SetRenderDrawBlendMode(solidRenderer, SDL_BLENDMODE_NONE);
  SDL_SetRenderDrawColor(solidRenderer, (f->rgb >> 16) & 0xFF, (f->rgb >> 8) & 0xFF, f->rgb & 0xFF,
                         0xFF);
  SDL_RenderFillRect(solidRenderer, &f->rect);
}
}  // namespace

void setSolidFillRenderer(SDL_Renderer* renderer) {
  solidRenderer = renderer;
}

void beginSolidFills() {
  solidFills.clear();
}

std::size_t solidFillsHash() {
  std::string bytes;
  for (const auto& f : solidFills) {
    const int v[5] = {f.rect.x, f.rect.y, f.rect.w, f.rect.h, static_cast<int>(f.rgb)};
    bytes.append(reinterpret_cast<const char*>(v), sizeof(v));
  }
  return std::hash<std::string>{}(bytes);
}

void solidFill(ImDrawList* dl, ImVec2 min, ImVec2 max, std::uint32_t rgb) {
  const auto x = static_cast<int>(std::lround(min.x));
  const auto y = static_cast<int>(std::lround(min.y));
  solidFills.push_back(SolidFill{
      {x, y, static_cast<int>(std::lround(max.x)) - x, static_cast<int>(std::lround(max.y)) - y},
      rgb});
  dl->AddCallback(drawSolidFill, &solidFills.back());
}

ImVec4 imColour4(std::uint32_t rgb) {
  return ImVec4(static_cast<float>((rgb >> 16) & 0xFF) / 255.f,
                static_cast<float>((rgb >> 8) & 0xFF) / 255.f,
                static_cast<float>(rgb & 0xFF) / 255.f, 1.f);
}

ImFont* Fonts::get(FontRole role) const {
  switch (role) {
    case FontRole::Title:
      return title;
    case FontRole::Large:
      return large;
    case FontRole::Body:
      break;
  }
  return body;
}

float capHeight(const ImFont* font) {
  if (const ImFontGlyph* g = font ? font->FindGlyphNoFallback('H') : nullptr) return g->Y1 - g->Y0;
  return 0;
}

Fonts loadFonts(ImGuiIO& io, const Metrics& metrics, const char* ttfPath) {
  // Static: ImGui keeps the pointer to the ranges until the atlas is built.
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder builder;
    static const ImWchar kRanges[] = {
        0x0020, 0x00FF,  // Basic Latin + Latin-1 (£ ¥ ü ß)
        0x0100, 0x017F,  // Latin Extended-A (Polish, Czech: ł ż ř č)
        0x0370, 0x03FF,  // Greek
        0x0400, 0x04FF,  // Cyrillic
        0x2010, 0x2027,  // dashes, quotes, bullet, ellipsis (— – … ·)
        0x20A0, 0x20BF,  // currency signs (€ ₹ ₽ ...)
        0x2190, 0x2193,  // arrows
        0,
    };
    builder.AddRanges(kRanges);
    builder.BuildRanges(&ranges);
  }
  ImFontConfig config;
  // One horizontal sample: a third of the atlas (ui-and-build.md: 4 MiB instead of 16).
  config.OversampleH = 1;
  config.OversampleV = 1;
  config.PixelSnapH = true;
  // ImGui sizes a font by ascent - descent (2384 units in DejaVu Sans), and a capital is 1493
  // units: the cap height is 0.626 of the size. 3.6 mm body, 4.5 mm titles, 6.3 mm totals.
  const auto px = [&](float capMm) { return std::ceil(metrics.mm(capMm) / 0.62f); };
  Fonts fonts;
  fonts.body = io.Fonts->AddFontFromFileTTF(ttfPath, px(3.6f), &config, ranges.Data);
  fonts.title = io.Fonts->AddFontFromFileTTF(ttfPath, px(4.5f), &config, ranges.Data);
  fonts.large = io.Fonts->AddFontFromFileTTF(ttfPath, px(6.3f), &config, ranges.Data);
  if (!fonts.body || !fonts.title || !fonts.large) {
    io.Fonts->Clear();
    ImFontConfig fallback;
    fallback.SizePixels = px(3.6f);
    fonts.body = fonts.title = fonts.large = io.Fonts->AddFontDefault(&fallback);
  }
  return fonts;
}

// ---------------------------------------------------------------- Kit

Kit::Kit(const Metrics& metrics, const Fonts& f, DrawnModel& drawn, float tapSlopPx)
    : m(metrics), fonts(f), model(drawn), tapSlopPx_(tapSlopPx) {}

bool Kit::tapCancelled() const {
  return ImGui::GetIO().MouseDragMaxDistanceSqr[0] > tapSlopPx_ * tapSlopPx_;
}

void Kit::record(std::string_view id, std::string_view label, DrawnKind kind, bool enabled,
                 bool selected, std::uint32_t fg, std::uint32_t bg, FontRole font) {
  DrawnItem item;
  item.id = std::string(id);
  item.label = std::string(label);
  item.kind = kind;
  const ImVec2 min = ImGui::GetItemRectMin();
  const ImVec2 max = ImGui::GetItemRectMax();
  item.rect = {min.x, min.y, max.x - min.x, max.y - min.y};
  item.enabled = enabled;
  item.selected = selected;
  const ImRect clip = ImGui::GetCurrentWindow()->ClipRect;
  item.clipped = min.x < clip.Min.x - 0.5f || min.y < clip.Min.y - 0.5f ||
                 max.x > clip.Max.x + 0.5f || max.y > clip.Max.y + 0.5f;
  // Scrolled out of sight inside a list: not drawn, not tappable. Outside a list an invisible
  // item is a layout fault, and stays in the model so the size test sees it off the screen.
  if (item.clipped && !ImGui::IsItemVisible() && listDepth_ > 0) return;
  if (listDepth_ == 0) item.clipped = false;
  // A text must end inside the panel or list it is drawn in (a long line runs past a list's
  // edge and is cut there: wrap it).
  if (kind == DrawnKind::Text) item.labelFits = max.x <= clip.Max.x + 0.5f;
  item.fg = fg;
  item.bg = bg;
  item.capHeightPx = capHeight(fonts.get(font));
  model.items.push_back(std::move(item));
}

bool Kit::button(std::string_view id, std::string_view label, ImVec2 size, Tone tone,
                 Enabled enabled, Selected selected, DrawnKind kind, FontRole font) {
  const bool on = enabled == Enabled::Yes;
  std::uint32_t bg = colour::kSecondary;
  std::uint32_t fg = colour::kText;
  if (!on) {
    bg = colour::kDisabledBg;
    fg = colour::kDisabledText;
  } else if (selected == Selected::Yes || tone == Tone::Primary) {
    bg = colour::kPrimary;
    fg = colour::kOnPrimary;
  } else if (tone == Tone::Danger) {
    bg = colour::kDanger;
    fg = colour::kOnPrimary;
  }
  ImGui::PushID(id.data(), id.data() + id.size());
  ImGui::PushFont(fonts.get(font));
  ImGui::PushStyleColor(ImGuiCol_Button, imColour(bg));
  // No hover colour: a finger has no hover, and a touch leaves none behind after release.
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, imColour(bg));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, imColour(on ? 0x8FA3BA : bg));
  ImGui::PushStyleColor(ImGuiCol_Text, imColour(fg));
  ImGui::PushStyleColor(ImGuiCol_TextDisabled, imColour(fg));
  if (!on) ImGui::BeginDisabled();
  // The label's text; "##" keeps the id ours.
  std::string shown(label);
  shown += "##b";
  bool pressed = ImGui::Button(shown.c_str(), size);
  if (!on) ImGui::EndDisabled();
  ImGui::PopStyleColor(5);
  ImGui::PopFont();
  ImGui::PopID();
  record(id, label, kind, on, selected == Selected::Yes, fg, bg, font);
  if (!model.items.empty() && model.items.back().id == id) {
    ImFont* f = fonts.get(font);
    const float textW =
        f->CalcTextSizeA(f->FontSize, 1e9f, 0.f, label.data(), label.data() + label.size()).x;
    // ImGui starts a label that does not fit at the left padding and clips it at the edge.
    model.items.back().labelFits = textW + ImGui::GetStyle().FramePadding.x <= size.x - 1.f;
  }
  return pressed && on && !tapCancelled();
}

bool Kit::field(std::string_view id, std::string_view label, const std::string& text,
                std::string_view hint, ImVec2 size, bool focused, Enabled enabled) {
  const bool on = enabled == Enabled::Yes;
  ImGui::PushID(id.data(), id.data() + id.size());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  bool pressed = ImGui::InvisibleButton("##f", size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 end(pos.x + size.x, pos.y + size.y);
  dl->AddRectFilled(pos, end, imColour(on ? colour::kFieldBg : colour::kDisabledBg), 6.f);
  dl->AddRect(pos, end, imColour(focused ? colour::kFocus : colour::kFieldBorder), 6.f, 0,
              focused ? 4.f : 2.f);
  ImFont* font = fonts.body;
  const float pad = m.mm(2.f);
  const float ty = pos.y + (size.y - font->FontSize) / 2;
  std::string shown = text.empty() ? std::string(hint) : text;
  const std::uint32_t fg = text.empty() ? colour::kMuted : colour::kText;
  dl->PushClipRect(pos, end, true);
  dl->AddText(font, font->FontSize, ImVec2(pos.x + pad, ty), imColour(fg), shown.c_str());
  if (focused) {
    // A steady caret (no blink: idle frames stay identical for screenshots and for the CPU).
    const float w =
        text.empty() ? 0.f : font->CalcTextSizeA(font->FontSize, 1e9f, 0.f, text.c_str()).x;
    dl->AddRectFilled(ImVec2(pos.x + pad + w + 2, ty),
                      ImVec2(pos.x + pad + w + 5, ty + font->FontSize), imColour(colour::kText));
  }
  dl->PopClipRect();
  ImGui::PopID();
  record(id, label, DrawnKind::Field, on, focused, fg, on ? colour::kFieldBg : colour::kDisabledBg,
         FontRole::Body);
  if (!model.items.empty() && model.items.back().id == id) model.items.back().value = text;
  return pressed && on && !tapCancelled();
}

void Kit::pinDots(std::string_view id, std::size_t count, float shakePx) {
  const float d = m.mm(4.f);
  const float gap = m.mm(3.f);
  const std::size_t shown = std::max<std::size_t>(count, 4);
  const float width = static_cast<float>(shown) * d + static_cast<float>(shown - 1) * gap;
  ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width + m.mm(4.f), d + m.mm(2.f)));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (std::size_t i = 0; i < shown; ++i) {
    const ImVec2 c(pos.x + shakePx + d / 2 + static_cast<float>(i) * (d + gap), pos.y + d / 2 + 2);
    if (i < count) {
      dl->AddCircleFilled(c, d / 2, imColour(colour::kText));
    } else {
      dl->AddCircle(c, d / 2 - 1, imColour(colour::kFieldBorder), 0, 2.f);
    }
  }
  // The model says how many, never which digits.
  record(id, std::to_string(count) + " digits", DrawnKind::Text, true, false, colour::kText,
         background(), FontRole::Body);
}

void Kit::text(std::string_view s, FontRole font, std::uint32_t fg) {
  ImGui::PushFont(fonts.get(font));
  ImGui::PushStyleColor(ImGuiCol_Text, imColour(fg));
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ImGui::PopStyleColor();
  ImGui::PopFont();
  record("", s, DrawnKind::Text, true, false, fg, background(), font);
}

void Kit::textWrapped(std::string_view s, float width, FontRole font, std::uint32_t fg) {
  ImGui::PushFont(fonts.get(font));
  ImGui::PushStyleColor(ImGuiCol_Text, imColour(fg));
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
  record("", s, DrawnKind::Text, true, false, fg, background(), font);
}

void Kit::banner(std::string_view id, std::string_view s, std::uint32_t bg, std::uint32_t fg,
                 float width) {
  ImFont* font = fonts.body;
  const float pad = m.mm(2.f);
  const ImVec2 size =
      font->CalcTextSizeA(font->FontSize, 1e9f, width - 2 * pad, s.data(), s.data() + s.size());
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float h = size.y + 2 * pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(pos, ImVec2(pos.x + width, pos.y + h), imColour(bg), 6.f);
  dl->AddText(font, font->FontSize, ImVec2(pos.x + pad, pos.y + pad), imColour(fg), s.data(),
              s.data() + s.size(), width - 2 * pad);
  ImGui::Dummy(ImVec2(width, h));
  record(id, s, DrawnKind::Text, true, false, fg, bg, FontRole::Body);
}

void Kit::beginList(std::string_view id, ImVec2 size) {
  // On the page colour with a hairline border: a filled panel costs the software renderer
  // several milliseconds a frame (it fills triangles pixel by pixel).
  ImGui::PushStyleColor(ImGuiCol_ChildBg, imColour(colour::kPage, 0));
  ImGui::PushStyleColor(ImGuiCol_Border, imColour(colour::kFieldBorder));
  ImGui::PushStyleVar(ImGuiStyleVar_ChildBorderSize, 1.f);
  std::string name(id);
  ImGui::BeginChild(name.c_str(), size, true, ImGuiWindowFlags_NoScrollWithMouse);
  pushBackground(background());  // transparent: what it sits on shows through
  ++listDepth_;
  // Drag to scroll: the finger moves the list; the tap under it is then cancelled (Kit::button).
  ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem |
                             ImGuiHoveredFlags_ChildWindows) &&
      io.MouseDown[0] && tapCancelled()) {
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
  }
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && io.MouseWheel != 0.f) {
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseWheel * m.mm(10.f));
  }
}

void Kit::endList() {
  --listDepth_;
  popBackground();
  ImGui::EndChild();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(2);
}

// ---------------------------------------------------------------- typed input

namespace {
bool typedSuppressed = false;
}

void suppressTypedInput(bool suppressed) {
  typedSuppressed = suppressed;
}

TypedInput readTypedInput() {
  TypedInput in;
  if (typedSuppressed) return in;
  ImGuiIO& io = ImGui::GetIO();
  for (ImWchar c : io.InputQueueCharacters) {
    if (c < 0x20 || c == 0x7F) continue;
    // UTF-8 of one BMP code point.
    if (c < 0x80) {
      in.text += static_cast<char>(c);
    } else if (c < 0x800) {
      in.text += static_cast<char>(0xC0 | (c >> 6));
      in.text += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      in.text += static_cast<char>(0xE0 | (c >> 12));
      in.text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      in.text += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  io.InputQueueCharacters.resize(0);
  in.backspace = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace), true);
  in.enter = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
             ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);
  in.escape = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false);
  return in;
}

void typeInto(std::string& text, const TypedInput& in, std::size_t maxLen) {
  if (in.backspace && !text.empty()) {
    // Drop one UTF-8 code point.
    std::size_t n = text.size() - 1;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    text.resize(n);
  }
  if (text.size() + in.text.size() <= maxLen) text += in.text;
}

// ---------------------------------------------------------------- Keypad

float keypadWidth(const Kit& kit, float keySize) {
  return 3 * keySize + 2 * kit.m.keyGap();
}
float keypadHeight(const Kit& kit, float keySize) {
  return 4 * keySize + 3 * kit.m.keyGap();
}

char keypad(Kit& kit, std::string_view id, KeypadPoint point, float keySize) {
  static constexpr char kKeys[12] = {'1', '2', '3', '4', '5', '6', '7', '8', '9', '.', '0', '<'};
  char tapped = 0;
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(kit.m.keyGap(), kit.m.keyGap()));
  ImGui::BeginGroup();
  for (int i = 0; i < 12; ++i) {
    const char k = kKeys[i];
    if (i % 3 != 0) ImGui::SameLine();
    std::string keyId = std::string(id) + "." +
                        (k == '<'   ? std::string("back")
                         : k == '.' ? std::string("point")
                                    : std::string(1, k));
    if (k == '.' && point == KeypadPoint::No) {
      // The key stays where it is so nothing moves; it is only blank.
      ImGui::Dummy(ImVec2(keySize, keySize));
      continue;
    }
    // "Back" where it fits; on a short screen's smaller keys, the arrow (never a cut word).
    std::string label = k == '<' ? "Back" : std::string(1, k);
    if (k == '<' && kit.fonts.body->CalcTextSizeA(kit.fonts.body->FontSize, 1e9f, 0.f, "Back").x >
                        keySize - 2 * ImGui::GetStyle().FramePadding.x) {
      label = "\u2190";  // ←
    }
    if (kit.button(keyId, label, ImVec2(keySize, keySize), Tone::Secondary, Enabled::Yes,
                   Selected::No, DrawnKind::Key, k == '<' ? FontRole::Body : FontRole::Title)) {
      tapped = k;
    }
  }
  ImGui::EndGroup();
  ImGui::PopStyleVar();
  return tapped;
}

// ---------------------------------------------------------------- Keyboard

float keyboardHeight(const Kit& kit) {
  return 5 * kit.m.mm(11.f) + 4 * kit.m.gap();
}

TypedInput keyboard(Kit& kit, std::string_view id, KeyboardState& state, float width) {
  static constexpr std::string_view kRows[4] = {"1234567890", "QWERTYUIOP", "ASDFGHJKL-",
                                                "ZXCVBNM.@_"};
  TypedInput out;
  const float gap = kit.m.gap();
  const float keyW = std::floor((width - 9 * gap) / 10);
  const float keyH = kit.m.mm(11.f);
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(gap, gap));
  ImGui::BeginGroup();
  for (const auto& row : kRows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) ImGui::SameLine();
      char c = row[i];
      if (!state.shift && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      const std::string label(1, c);
      if (kit.button(std::string(id) + ".key." + label, label, ImVec2(keyW, keyH), Tone::Secondary,
                     Enabled::Yes, Selected::No, DrawnKind::Key)) {
        out.text += c;
      }
    }
  }
  const float wide = 2 * keyW + gap;
  if (kit.button(std::string(id) + ".shift", state.shift ? "abc" : "ABC", ImVec2(wide, keyH),
                 Tone::Secondary, Enabled::Yes, Selected::No, DrawnKind::Key)) {
    state.shift = !state.shift;
  }
  ImGui::SameLine();
  if (kit.button(std::string(id) + ".space", "Space", ImVec2(4 * keyW + 3 * gap, keyH),
                 Tone::Secondary, Enabled::Yes, Selected::No, DrawnKind::Key)) {
    out.text += ' ';
  }
  ImGui::SameLine();
  if (kit.button(std::string(id) + ".back", "Back", ImVec2(wide, keyH), Tone::Secondary,
                 Enabled::Yes, Selected::No, DrawnKind::Key)) {
    out.backspace = true;
  }
  ImGui::SameLine();
  if (kit.button(std::string(id) + ".done", "Done", ImVec2(wide, keyH), Tone::Primary, Enabled::Yes,
                 Selected::No, DrawnKind::Key)) {
    out.enter = true;
  }
  ImGui::EndGroup();
  ImGui::PopStyleVar();
  return out;
}

std::string fitText(const Kit& kit, const std::string& text, float width) {
  ImFont* f = kit.fonts.body;
  auto w = [&](const std::string& t) {
    return f->CalcTextSizeA(f->FontSize, 1e9f, 0.f, t.c_str()).x;
  };
  if (w(text) <= width) return text;
  std::string cut = text;
  while (!cut.empty() && w(cut + "…") > width) {
    cut.pop_back();
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.pop_back();
    if (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0xC0) cut.pop_back();
  }
  return cut + "…";
}

// ---------------------------------------------------------------- money text

std::string money(const checkout::Money& amount) {
  return checkout::format(amount, checkout::MoneyFormat::Screen);
}
std::string plainMoney(const checkout::Money& amount) {
  return checkout::format(amount, checkout::MoneyFormat::Plain);
}

}  // namespace pos::ui
