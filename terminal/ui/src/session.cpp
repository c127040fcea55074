// UiSession (session.hpp): the window, the software renderer, the ImGui context with the
// project's input queue and fonts, the screens, and PNG capture.
//
// Sections: Impl · open · frame · capture · previews · accessors
#include <pos/ui/session.hpp>

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>

#include "input.hpp"
#include "kit.hpp"
#include "screens.hpp"

namespace pos::ui {

// ---------------------------------------------------------------- Impl

struct UiSession::Impl {
  SDL_Window* window = nullptr;
  SDL_Renderer* renderer = nullptr;
  ImGuiContext* imgui = nullptr;
  Metrics metrics;
  Fonts fonts;
  InputQueue input;
  Screens screens;
  TimeText timeText;
  std::optional<checkout::Timestamp> lastFrame;
  std::size_t atlasBytes = 0;
  // What the screen shows: the hash of the last presented frame's draw data (0: unknown).
  std::size_t shownHash = 0;
  std::uint64_t previewGeneration = 0;  // grows with each preview texture made
  struct Preview {
    SDL_Texture* texture = nullptr;
    int w = 0, h = 0;
    std::filesystem::file_time_type mtime;
  };
  std::map<std::filesystem::path, Preview> previews;

  ~Impl() {
    for (auto& [path, p] : previews) {
      if (p.texture) SDL_DestroyTexture(p.texture);
    }
    if (imgui) {
      ImGui::SetCurrentContext(imgui);
      ImGui_ImplSDLRenderer_Shutdown();
      ImGui::DestroyContext(imgui);
    }
    if (renderer) SDL_DestroyRenderer(renderer);
    if (window) SDL_DestroyWindow(window);
  }

  PreviewImage preview(const std::filesystem::path& path);
  [[nodiscard]] std::size_t drawHash(const ImDrawData& data) const;
};

// ---------------------------------------------------------------- open

namespace {

const char* clipboardText(void*) {
  static std::string text;
  char* t = SDL_GetClipboardText();
  text = t ? t : "";
  SDL_free(t);
  return text.c_str();
}

void setClipboardText(void*, const char* text) {
  SDL_SetClipboardText(text);
}

std::string utcClock(checkout::Timestamp at, bool withDate) {
  const auto text = checkout::format_rfc3339(at);  // YYYY-MM-DDThh:mm:ss.mmmZ
  return withDate ? text.substr(0, 10) + " " + text.substr(11, 5) : text.substr(11, 5);
}

}  // namespace

UiSession::UiSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UiSession::~UiSession() = default;

std::variant<std::unique_ptr<UiSession>, std::string> UiSession::open(const UiOptions& options) {
  auto impl = std::make_unique<Impl>();
  Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
  int w = options.width, h = options.height;
  if (options.mode == WindowMode::Fullscreen) {
    // At the output's own size (kiosk.md: a smaller window made full screen can stay squeezed).
    SDL_DisplayMode mode;
    if (SDL_GetDesktopDisplayMode(0, &mode) == 0) {
      w = mode.w;
      h = mode.h;
    }
    flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  }
  impl->window = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                  SDL_WINDOWPOS_CENTERED, w, h, flags);
  if (!impl->window) return std::string("no window: ") + SDL_GetError();
  impl->renderer = SDL_CreateRenderer(impl->window, -1, SDL_RENDERER_SOFTWARE);
  if (!impl->renderer) return std::string("no renderer: ") + SDL_GetError();

  IMGUI_CHECKVERSION();
  impl->imgui = ImGui::CreateContext();
  ImGui::SetCurrentContext(impl->imgui);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing written next to the binary
  io.LogFilename = nullptr;
  io.ConfigInputTextCursorBlink = false;
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  io.MouseDragThreshold = static_cast<float>(options.pxPerMm) * 2.f;
  io.BackendPlatformName = "pos_ui_input";
  io.GetClipboardTextFn = clipboardText;
  io.SetClipboardTextFn = setClipboardText;
  InputQueue::mapKeys(io);
  impl->metrics.pxPerMm = static_cast<float>(options.pxPerMm);

  ImGuiStyle& style = ImGui::GetStyle();
  const Metrics& m = impl->metrics;
  style.WindowPadding = ImVec2(m.mm(3), m.mm(3));
  style.ItemSpacing = ImVec2(m.gap(), m.gap());
  style.FramePadding = ImVec2(m.mm(2), m.mm(2));
  style.FrameRounding = 6.f;
  style.WindowRounding = 8.f;
  style.ChildRounding = 6.f;
  style.WindowBorderSize = 0.f;
  style.ChildBorderSize = 0.f;
  style.ScrollbarSize = m.mm(3);
  style.Colors[ImGuiCol_Text] = imColour4(colour::kText);
  style.Colors[ImGuiCol_WindowBg] = imColour4(colour::kPage);
  style.Colors[ImGuiCol_ChildBg] = imColour4(colour::kPanel);
  // No modal fade: the first settled frame is the final picture (ui-and-build.md).
  style.Colors[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0);
  style.Colors[ImGuiCol_NavHighlight] = ImVec4(0, 0, 0, 0);

  impl->fonts = loadFonts(io, impl->metrics, POS_UI_FONT);
  ImGui_ImplSDLRenderer_Init(impl->renderer);
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  {
    unsigned char* pixels = nullptr;
    int aw = 0, ah = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &aw, &ah);
    impl->atlasBytes = static_cast<std::size_t>(aw) * static_cast<std::size_t>(ah) * 4;
    // The CPU copies are not needed once the texture is uploaded.
    io.Fonts->ClearTexData();
  }
  impl->timeText = utcClock;
  Impl* raw = impl.get();
  impl->screens.setPreviewLoader([raw](const std::filesystem::path& p) { return raw->preview(p); });
  SDL_StartTextInput();
  return std::unique_ptr<UiSession>(new UiSession(std::move(impl)));
}

// ---------------------------------------------------------------- frame

void UiSession::feed(const SDL_Event& event) {
  if (event.type == SDL_WINDOWEVENT) return;
  int w = 0, h = 0;
  SDL_GetWindowSize(impl_->window, &w, &h);
  impl_->input.setWindowSize(w, h);
  impl_->input.push(event);
}

bool UiSession::inputPending() const {
  return impl_->input.pending();
}

FrameResult UiSession::frame(const app::Snapshot& snapshot, checkout::Timestamp now,
                             Present present) {
  ImGui::SetCurrentContext(impl_->imgui);
  ImGuiIO& io = ImGui::GetIO();
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(impl_->renderer, &w, &h);
  io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  float dt = 1.f / 60.f;
  if (impl_->lastFrame) {
    dt = std::chrono::duration<float>(now - *impl_->lastFrame).count();
  }
  io.DeltaTime = std::clamp(dt, 0.001f, 1.f);
  impl_->lastFrame = now;
  FrameResult result;
  result.activity = impl_->input.apply(io);

  ImGui_ImplSDLRenderer_NewFrame();
  beginSolidFills();
  setSolidFillRenderer(impl_->renderer);
  ImGui::NewFrame();
  Kit kit(impl_->metrics, impl_->fonts, result.drawn, impl_->metrics.mm(3.f));
  FrameContext ctx{snapshot, now, impl_->timeText, result.intents, std::nullopt, io.DisplaySize};
  impl_->screens.draw(kit, ctx);
  ImGui::Render();
  result.redrawIn = ctx.redrawIn;
  if (present != Present::No) this->present(present);
  return result;
}

// The draw data as bytes hashed: vertices, indices, commands (clip, texture, ranges), the
// solid fills and which preview texture is loaded. Equal hashes: the same picture.
std::size_t UiSession::Impl::drawHash(const ImDrawData& data) const {
  std::size_t h = std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(&data.DisplaySize), sizeof(data.DisplaySize)));
  auto mix = [&h](const void* bytes, std::size_t n) {
    const std::size_t x =
        std::hash<std::string_view>{}(std::string_view(static_cast<const char*>(bytes), n));
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  };
  for (int n = 0; n < data.CmdListsCount; ++n) {
    const ImDrawList* list = data.CmdLists[n];
    mix(list->VtxBuffer.Data, static_cast<std::size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert));
    mix(list->IdxBuffer.Data, static_cast<std::size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      mix(&cmd.ClipRect, sizeof(cmd.ClipRect));
      mix(&cmd.TextureId, sizeof(cmd.TextureId));
      const std::uint64_t ranges[3] = {cmd.VtxOffset, cmd.IdxOffset, cmd.ElemCount};
      mix(ranges, sizeof(ranges));
      const auto callback = reinterpret_cast<std::uintptr_t>(cmd.UserCallback);
      mix(&callback, sizeof(callback));
    }
  }
  const std::size_t fills = solidFillsHash();
  mix(&fills, sizeof(fills));
  mix(&previewGeneration, sizeof(previewGeneration));
  return h == 0 ? 1 : h;
}

bool UiSession::present(Present present) {
  if (present == Present::No) return false;
  ImGui::SetCurrentContext(impl_->imgui);
  ImDrawData* data = ImGui::GetDrawData();
  if (!data || !data->Valid) return false;
  const std::size_t hash = impl_->drawHash(*data);
  if (present == Present::Yes && hash == impl_->shownHash) return false;
  SDL_SetRenderDrawColor(impl_->renderer, 0xF3, 0xF4, 0xF6, 0xFF);
  SDL_RenderClear(impl_->renderer);
  ImGui_ImplSDLRenderer_RenderDrawData(data);
  SDL_RenderPresent(impl_->renderer);
  impl_->shownHash = hash;
  return true;
}

void UiSession::invalidate() {
  impl_->shownHash = 0;
}

// ---------------------------------------------------------------- capture

bool UiSession::savePng(const std::filesystem::path& path) {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(impl_->renderer, &w, &h);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
  if (SDL_RenderReadPixels(impl_->renderer, nullptr, SDL_PIXELFORMAT_RGB24, pixels.data(), w * 3) !=
      0)
    return false;
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  return stbi_write_png(path.c_str(), w, h, 3, pixels.data(), w * 3) != 0;
}

// ---------------------------------------------------------------- previews

PreviewImage UiSession::Impl::preview(const std::filesystem::path& path) {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return {};
  auto it = previews.find(path);
  if (it != previews.end() && it->second.mtime == mtime) {
    return {it->second.texture, static_cast<float>(it->second.w), static_cast<float>(it->second.h)};
  }
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &n, 4);
  if (!data) return {};
  SDL_Texture* tex =
      SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC, w, h);
  if (tex) SDL_UpdateTexture(tex, nullptr, data, w * 4);
  stbi_image_free(data);
  if (!tex) return {};
  ++previewGeneration;
  // One receipt is shown at a time: keep only this one (a long receipt's texture is a few MB).
  for (auto& [p, old] : previews) {
    if (old.texture) SDL_DestroyTexture(old.texture);
  }
  previews.clear();
  previews[path] = Preview{tex, w, h, mtime};
  return {tex, static_cast<float>(w), static_cast<float>(h)};
}

// ---------------------------------------------------------------- accessors

void UiSession::setTimeText(TimeText timeText) {
  impl_->timeText = std::move(timeText);
}
void UiSession::show(Screen screen) {
  impl_->screens.show(screen);
}
Screen UiSession::current() const {
  return impl_->screens.current();
}
SDL_Window* UiSession::window() const {
  return impl_->window;
}
SDL_Renderer* UiSession::renderer() const {
  return impl_->renderer;
}
std::size_t UiSession::fontAtlasBytes() const {
  return impl_->atlasBytes;
}

}  // namespace pos::ui
