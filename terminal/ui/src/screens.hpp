// The screens of issue 11 as one small class per frame: it reads the snapshot at the top of the
// frame, draws, and collects the intents tapped; the app applies them after the frame. What is
// local to the UI (which screen, the digits being typed, the field with focus) lives here; what
// the shop knows lives in the engine's snapshot. Buttons are not disabled while the engine is
// busy: intents queue in order, and background work (printer polls, sync) would otherwise
// swallow taps at random moments.
//
// Sections: FrameContext · Screens (state per screen)
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pos/app/engine.hpp>
#include <pos/ui/session.hpp>

#include "kit.hpp"

namespace pos::ui {

struct FrameContext {
  const app::Snapshot& snap;
  checkout::Timestamp now;
  const TimeText& timeText;
  std::vector<app::Intent>& intents;
  std::optional<std::chrono::milliseconds> redrawIn;
  ImVec2 display;

  void post(app::Intent intent) { intents.push_back(std::move(intent)); }
  void redrawAfter(std::chrono::milliseconds after) {
    if (!redrawIn || after < *redrawIn) redrawIn = after;
  }
};

// Which text field the keyboards and the physical keyboard type into.
enum class Focus {
  WorkOrder,
  Po,
  Notes,
  Amount,
  Tendered,
  Cheque,
  Last4,
  ApprovalCode,
  Email,
  Search,
  Reason,
  Counted,
  FloatCount,  // a denomination's count in the float (Screens::floatCountFocus_)
  None
};

// A receipt preview PNG as a texture (the session's cache): null when it cannot be read.
struct PreviewImage {
  ImTextureID texture = nullptr;
  float width = 0, height = 0;
};
using PreviewLoader = std::function<PreviewImage(const std::filesystem::path&)>;

class Screens {
 public:
  void setPreviewLoader(PreviewLoader loader) { previewLoader_ = std::move(loader); }
  void draw(Kit& kit, FrameContext& ctx);
  void show(Screen screen);
  [[nodiscard]] Screen current() const { return screen_; }

 private:
  // Frame parts (screens.cpp).
  void choose(FrameContext& ctx);
  void statusBar(Kit& kit, FrameContext& ctx);
  void banners(Kit& kit, FrameContext& ctx, float width);
  void signIn(Kit& kit, FrameContext& ctx);
  void counter(Kit& kit, FrameContext& ctx);
  void invoice(Kit& kit, FrameContext& ctx);
  void overrideScreen(Kit& kit, FrameContext& ctx);
  void approvalOverlay(Kit& kit, FrameContext& ctx);
  // screens_money.cpp
  void payment(Kit& kit, FrameContext& ctx);
  void done(Kit& kit, FrameContext& ctx);
  // screens_back_office.cpp
  void sync(Kit& kit, FrameContext& ctx);
  void receipts(Kit& kit, FrameContext& ctx);
  void shift(Kit& kit, FrameContext& ctx);
  void floatModeTiles(Kit& kit, checkout::Currency cur, float width);
  void floatByCount(Kit& kit, FrameContext& ctx, checkout::Currency cur, float width, float height);
  void drawer(Kit& kit, FrameContext& ctx);
  void printer(Kit& kit, FrameContext& ctx);
  // Shared pieces.
  void backButton(Kit& kit, FrameContext& ctx, const char* id);
  bool keyboardPanel(Kit& kit, std::string& text, std::size_t maxLen, float width);
  void receiptPreview(Kit& kit, const app::ReceiptView& receipt, ImVec2 size);
  float shake(std::uint64_t wrongCount, std::uint64_t& seen, checkout::Timestamp& since,
              FrameContext& ctx);
  void resetCheckoutEntry(const app::CheckoutView& co);
  [[nodiscard]] checkout::Currency shopCurrency(const app::Snapshot& snap) const;
  // The x (from the root window's left) of a column that starts `offset` right of the content's
  // left edge: columns never follow the width of what the one before them happened to draw.
  [[nodiscard]] float column(float offset) const { return contentLeft_ + offset; }

  PreviewLoader previewLoader_;
  Screen screen_ = Screen::Counter;
  Screen entered_ = Screen::kCount;  // the screen whose on-entry intent was posted
  Focus focus_ = Focus::WorkOrder;
  bool keyboardOpen_ = false;
  KeyboardState keys_;
  ImVec2 content_{0, 0};  // the content area's size this frame
  float contentTop_ = 0;
  float contentLeft_ = 0;
  TypedInput overlayInput_;

  // Sign in
  std::optional<std::string> signInUser_;
  app::PinEntry pin_;
  std::uint64_t signInWrongSeen_ = 0;
  checkout::Timestamp signInShakeSince_{};
  bool signedIn_ = false;

  // Counter
  std::string workOrder_;
  bool openRequested_ = false;
  std::uint64_t refusalSeen_ = 0;

  // Invoice and override
  std::string checkoutId_;
  std::string po_;
  std::string overrideReason_;
  std::string notes_;

  // Approval
  std::optional<std::string> approver_;
  app::PinEntry approvalPin_;
  std::uint64_t approvalWrongSeen_ = 0;
  checkout::Timestamp approvalShakeSince_{};

  // Payment
  checkout::TenderKind tender_ = checkout::TenderKind::Cash;
  std::string amount_;
  bool amountPristine_ = true;
  std::string tendered_;
  std::string cheque_;
  std::string cardBrand_;
  std::string last4_;
  std::string approvalCode_;
  app::ReceiptChoice receiptChoice_ = app::ReceiptChoice::Print;
  std::string email_;
  bool paymentPosted_ = false;
  std::string receiptBefore_;
  std::uint64_t refusalBefore_ = 0;

  // Done
  bool emailOpen_ = false;

  // Receipts
  std::string search_;
  std::string reprintReason_;

  // Shift and drawer
  enum class ShiftPanel { None, OpenFloat, PaidIn, PaidOut, XReport, Close };
  ShiftPanel shiftPanel_ = ShiftPanel::None;
  std::string shiftAmount_;
  std::string shiftReason_;
  std::map<std::string, std::string> counted_;  // currency code -> as typed
  std::string countedCurrency_;
  // The float counted note by note: denomination (minor units) -> pieces as typed.
  bool floatByCount_ = false;
  std::map<std::int64_t, std::string> floatCounts_;
  std::int64_t floatCountFocus_ = 0;
  std::string drawerReason_;
};

}  // namespace pos::ui
