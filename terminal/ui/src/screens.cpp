// Screens (screens.hpp), part 1: choosing the screen, the status bar and banners, Sign in,
// Counter, Invoice, Override and the Supervisor approval overlay. Payment and Done are in
// screens_money.cpp; Sync, Receipts, Shift, Drawer and Printer in screens_back_office.cpp.
//
// Sections: helpers · draw and choose · status bar and banners · Sign in · Counter · Invoice ·
// Override · Supervisor approval
#include "screens.hpp"

#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace pos::ui {

namespace {

// ---------------------------------------------------------------- helpers

constexpr std::array<std::string_view, static_cast<std::size_t>(Screen::kCount)> kScreenNames{
    "Sign in", "Counter",  "Invoice", "Override", "Payment", "Done",
    "Sync",    "Receipts", "Shift",   "Drawer",   "Printer"};
static_assert(kScreenNames.size() == static_cast<std::size_t>(Screen::kCount));

std::string countdown(checkout::Timestamp until, checkout::Timestamp now) {
  auto left = std::chrono::duration_cast<std::chrono::seconds>(until - now).count();
  if (left < 0) left = 0;
  char buf[32];
  if (left >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(left / 3600),
                  static_cast<long long>((left / 60) % 60), static_cast<long long>(left % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(left / 60),
                  static_cast<long long>(left % 60));
  }
  return buf;
}

std::string nameOf(const app::Snapshot& snap, const std::string& userId) {
  for (const auto& s : snap.staff) {
    if (s.id.str() == userId) return s.displayName;
  }
  return userId;
}

bool typedDigitsInto(app::PinEntry& pin, const TypedInput& in) {
  for (char c : in.text) pin.push(c);
  if (in.backspace) pin.pop();
  return in.enter;
}

void keypadIntoPin(app::PinEntry& pin, char key) {
  if (key == '<') {
    pin.pop();
  } else if (key >= '0' && key <= '9') {
    pin.push(key);
  }
}

}  // namespace

std::string_view screenName(Screen screen) noexcept {
  const auto i = static_cast<std::size_t>(screen);
  return i < kScreenNames.size() ? kScreenNames[i] : "?";
}

float Screens::shake(std::uint64_t wrongCount, std::uint64_t& seen, checkout::Timestamp& since,
                     FrameContext& ctx) {
  if (wrongCount != seen) {
    seen = wrongCount;
    since = ctx.now;
  }
  const auto t = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - since).count();
  if (since == checkout::Timestamp{} || t < 0 || t >= 450) return 0.f;
  ctx.redrawAfter(std::chrono::milliseconds(16));
  const float phase = static_cast<float>(t) / 450.f;
  return std::sin(phase * 6.2832f * 4.f) * 18.f * (1.f - phase);
}

void Screens::show(Screen screen) {
  screen_ = screen;
  keyboardOpen_ = false;
  focus_ = screen == Screen::Counter ? Focus::WorkOrder : Focus::None;
}

checkout::Currency Screens::shopCurrency(const app::Snapshot& snap) const {
  if (snap.shift && !snap.shift->openingFloat.empty())
    return snap.shift->openingFloat[0].currency();
  if (snap.report && !snap.report->currencies.empty()) return snap.report->currencies[0].currency;
  if (!snap.recent.empty()) return snap.recent[0].amount.currency();
  if (snap.checkout) return snap.checkout->balanceDue.currency();
  return checkout::Currencies::USD;
}

void Screens::backButton(Kit& kit, FrameContext& ctx, const char* id) {
  (void)ctx;
  if (kit.button(id, "Back", ImVec2(kit.m.mm(30), kit.m.target()))) show(Screen::Counter);
}

// ---------------------------------------------------------------- draw and choose

void Screens::choose(FrameContext& ctx) {
  const auto& snap = ctx.snap;
  if (!snap.user) {
    if (signedIn_) {
      // Signed out (by a tap, or the idle sign-out): nothing of the last user stays.
      signedIn_ = false;
      pin_.clear();
      approvalPin_.clear();
      workOrder_.clear();
      po_.clear();
      notes_.clear();
      email_.clear();
      signInUser_.reset();
    }
    screen_ = Screen::SignIn;
    focus_ = Focus::None;
    return;
  }
  if (!signedIn_ || screen_ == Screen::SignIn) {
    signedIn_ = true;
    pin_.clear();
    show(Screen::Counter);
  }
  const std::uint64_t refusal = snap.refusal ? snap.refusal->serial : 0;
  if (snap.checkout) {
    if (snap.checkout->checkoutId != checkoutId_) {
      checkoutId_ = snap.checkout->checkoutId;
      resetCheckoutEntry(*snap.checkout);
    }
    if (openRequested_ && snap.busy != app::Busy::LoadingInvoice) {
      openRequested_ = false;
      workOrder_.clear();
      show(Screen::Invoice);
    }
  } else {
    if (screen_ == Screen::Invoice || screen_ == Screen::Override || screen_ == Screen::Payment ||
        screen_ == Screen::Done) {
      show(Screen::Counter);
    }
    checkoutId_.clear();
    if (openRequested_ && snap.busy == app::Busy::Idle && refusal != refusalSeen_) {
      openRequested_ = false;  // the work order was refused: the refusal banner says why
    }
  }
  if (paymentPosted_) {
    const std::string receiptNow = snap.receipt ? snap.receipt->receiptId : std::string();
    if (!receiptNow.empty() && receiptNow != receiptBefore_) {
      paymentPosted_ = false;
      email_.clear();
      show(Screen::Done);
    } else if (refusal != refusalBefore_ && snap.busy == app::Busy::Idle) {
      paymentPosted_ = false;  // refused: stay on Payment with the reason shown
    }
  }
  refusalSeen_ = refusal;
}

void Screens::draw(Kit& kit, FrameContext& ctx) {
  choose(ctx);
  const ImVec2 display = ctx.display;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display);
  // Transparent: the frame is cleared to the page colour already, and the software renderer
  // pays per pixel for every full-screen fill (a third of a frame's time).
  ImGui::PushStyleColor(ImGuiCol_WindowBg, imColour(colour::kPage, 0));
  // No padding: the status bar runs edge to edge; the content sets its own margins.
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::Begin("##root", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollbar);
  ImGui::PopStyleVar();
  statusBar(kit, ctx);
  const float pad = kit.m.mm(3.f);
  ImGui::SetCursorPos(ImVec2(pad, kit.m.mm(13.f) + kit.m.mm(2.f)));
  const float width = display.x - 2 * pad;
  // SameLine offsets inside the content group count from the group's left edge.
  contentLeft_ = 0;
  ImGui::BeginGroup();
  banners(kit, ctx, width);
  ImGui::EndGroup();
  contentTop_ = ImGui::GetCursorPosY();
  content_ = ImVec2(width, display.y - contentTop_ - pad);
  ImGui::SetCursorPos(ImVec2(pad, contentTop_));
  kit.model.screen = std::string(screenName(screen_));
  // The overlay owns the keyboard while it is up; the screen under it gets none.
  overlayInput_ = {};
  if (ctx.snap.approval && ctx.snap.user) {
    overlayInput_ = readTypedInput();
    suppressTypedInput(true);
  }
  ImGui::BeginGroup();
  switch (screen_) {
    case Screen::SignIn:
      signIn(kit, ctx);
      break;
    case Screen::Counter:
      counter(kit, ctx);
      break;
    case Screen::Invoice:
      invoice(kit, ctx);
      break;
    case Screen::Override:
      overrideScreen(kit, ctx);
      break;
    case Screen::Payment:
      payment(kit, ctx);
      break;
    case Screen::Done:
      done(kit, ctx);
      break;
    case Screen::Sync:
      sync(kit, ctx);
      break;
    case Screen::Receipts:
      receipts(kit, ctx);
      break;
    case Screen::Shift:
      shift(kit, ctx);
      break;
    case Screen::Drawer:
      drawer(kit, ctx);
      break;
    case Screen::Printer:
      printer(kit, ctx);
      break;
    case Screen::kCount:
      break;
  }
  ImGui::EndGroup();
  ImGui::End();
  ImGui::PopStyleColor();
  suppressTypedInput(false);
  if (ctx.snap.approval && ctx.snap.user) approvalOverlay(kit, ctx);
  entered_ = screen_;
}

// ---------------------------------------------------------------- status bar and banners

void Screens::statusBar(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  const float h = kit.m.mm(13.f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  solidFill(dl, ImVec2(0, 0), ImVec2(ctx.display.x, h), colour::kBar);
  kit.pushBackground(colour::kBar);
  const float pad = kit.m.mm(3.f);
  const float ty = (h - kit.fonts.body->FontSize) / 2;
  std::vector<std::pair<std::string, std::string>> parts;  // id, text
  parts.emplace_back("status.user", snap.user ? snap.user->displayName : std::string("Signed out"));
  parts.emplace_back("status.shift",
                     snap.shift ? std::string("Shift open") : std::string("No shift"));
  if (!snap.connectivity.backendConfigured) {
    parts.emplace_back("status.connection", "Standalone");
  } else if (snap.connectivity.online) {
    parts.emplace_back("status.connection", "Online");
  } else {
    parts.emplace_back("status.connection",
                       snap.connectivity.offlineSince
                           ? "Offline since " + ctx.timeText(*snap.connectivity.offlineSince, false)
                           : std::string("Offline"));
  }
  parts.emplace_back("status.queue", "Queue " + std::to_string(snap.queue.depth));
  if (snap.queue.needsAttention > 0) {
    parts.emplace_back("status.attention",
                       "Attention " + std::to_string(snap.queue.needsAttention));
  }
  parts.emplace_back("status.printer", snap.printer.ready ? std::string("Printer ready")
                                                          : "Printer: " + snap.printer.readiness);
  float x = pad;
  for (const auto& [id, text] : parts) {
    ImGui::SetCursorPos(ImVec2(x, ty));
    std::uint32_t fg = colour::kOnBar;
    kit.text(text, FontRole::Body, fg);
    kit.model.items.back().id = id;
    x += ImGui::GetItemRectSize().x + kit.m.mm(4.f);
  }
  const std::string clock = ctx.timeText(ctx.now, false);
  const float cw =
      kit.fonts.body->CalcTextSizeA(kit.fonts.body->FontSize, 1e9f, 0, clock.c_str()).x;
  ImGui::SetCursorPos(ImVec2(ctx.display.x - pad - cw, ty));
  kit.text(clock, FontRole::Body, colour::kOnBar);
  kit.model.items.back().id = "status.clock";
  kit.popBackground();
  // The clock changes at the next minute.
  const auto sinceMinute = ctx.now.time_since_epoch() % std::chrono::minutes(1);
  ctx.redrawAfter(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::minutes(1) - sinceMinute) +
      std::chrono::milliseconds(20));
  if (snap.busy != app::Busy::Idle) ctx.redrawAfter(std::chrono::milliseconds(100));
}

void Screens::banners(Kit& kit, FrameContext& ctx, float width) {
  const auto& snap = ctx.snap;
  if (snap.connectivity.backendConfigured && !snap.connectivity.online && snap.user) {
    std::string text = "Offline";
    if (snap.connectivity.offlineSince)
      text += " since " + ctx.timeText(*snap.connectivity.offlineSince, false);
    text += " · " + std::to_string(snap.queue.depth) + " waiting to sync";
    if (!snap.allowance.totalLeft.empty()) {
      text += " · still possible offline:";
      for (std::size_t i = 0; i < snap.allowance.totalLeft.size(); ++i) {
        text += (i ? ", " : " ") + money(snap.allowance.totalLeft[i]);
      }
      for (const auto& single : snap.allowance.largestSinglePayment) {
        text += " (up to " + money(single) + " each)";
      }
    }
    if (snap.allowance.paymentsStopAt) {
      text += " · payments stop in " + countdown(*snap.allowance.paymentsStopAt, ctx.now);
      ctx.redrawAfter(std::chrono::seconds(1));
    }
    text += ". Checkouts, cash, cheques and receipts still work.";
    kit.banner("banner.offline", text, colour::kWarnBg, colour::kWarnText, width);
  }
  if (snap.capturesRefused) {
    kit.banner("banner.captures-refused", "Payments are refused: " + *snap.capturesRefused,
               colour::kErrorBg, colour::kErrorText, width);
  }
  if (snap.recovered && screen_ == Screen::Counter) {
    kit.banner("banner.recovered", snap.recovered->text, colour::kWarnBg, colour::kWarnText, width);
  }
  if (snap.busy != app::Busy::Idle && snap.user) {
    static constexpr std::array<std::string_view, 4> kSpin{"·", "··", "···", "····"};
    const auto tick = (ctx.now.time_since_epoch() / std::chrono::milliseconds(250)) % 4;
    kit.text(std::string(app::busyText(snap.busy)) + " " +
                 std::string(kSpin[static_cast<std::size_t>(tick)]),
             FontRole::Body, colour::kMuted);
    kit.model.items.back().id = "busy";
  }
  if (snap.refusal && !snap.approval) {
    const auto& r = *snap.refusal;
    std::string text = r.text + "  (" + r.code;
    if (!r.correlationId.empty()) text += " · " + r.correlationId;
    text += ")";
    if (!r.detail.empty()) text += "\n" + r.detail;
    const float bw = kit.m.mm(30);
    ImGui::BeginGroup();
    kit.banner("banner.refusal", text, colour::kErrorBg, colour::kErrorText,
               width - bw - kit.m.gap());
    ImGui::EndGroup();
    ImGui::SameLine();
    if (kit.button("refusal.dismiss", "Dismiss", ImVec2(bw, kit.m.target()))) {
      ctx.post(app::intent::DismissRefusal{});
    }
  }
}

// ---------------------------------------------------------------- Sign in

void Screens::signIn(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  kit.text("Sign in", FontRole::Title);
  const float colW = content_.x * 0.5f;
  const float tileW = (colW - kit.m.gap()) / 2;
  const float tileH = kit.m.mm(14.f);
  ImGui::BeginGroup();
  kit.text("Choose your name", FontRole::Body, colour::kMuted);
  kit.beginList("signin.staff", ImVec2(colW, content_.y - kit.m.mm(20)));
  if (snap.staff.empty()) {
    // A fresh install has no roster until the backend is reached (or IT runs `pull`).
    const float textW = colW - kit.m.mm(6);
    kit.textWrapped("No staff list on this terminal yet.", textW, FontRole::Body,
                    colour::kErrorText);
    kit.model.items.back().id = "signin.no_roster";
    kit.textWrapped("Connect the backend, or ask IT to run: pos-terminal pull", textW,
                    FontRole::Body, colour::kMuted);
  }
  int i = 0;
  for (const auto& s : snap.staff) {
    if (i++ % 2) ImGui::SameLine();
    const bool sel = signInUser_ && *signInUser_ == s.id.str();
    if (kit.tile("signin.user." + s.id.str(), s.displayName, ImVec2(tileW, tileH),
                 sel ? Selected::Yes : Selected::No)) {
      if (!sel) pin_.clear();
      signInUser_ = s.id.str();
    }
  }
  kit.endList();
  ImGui::EndGroup();
  ImGui::SameLine(column(colW + kit.m.mm(8)));
  ImGui::BeginGroup();
  const bool forLast = signInUser_ && snap.signIn.user && snap.signIn.user->str() == *signInUser_;
  const bool locked = forLast && snap.signIn.lockedUntil && *snap.signIn.lockedUntil > ctx.now;
  kit.text(signInUser_ ? "PIN for " + nameOf(snap, *signInUser_) : std::string("PIN"),
           FontRole::Title);
  const float dx = shake(snap.signIn.wrongPinCount, signInWrongSeen_, signInShakeSince_, ctx);
  kit.pinDots("signin.pin", pin_.size(), dx);
  if (locked) {
    kit.text("Locked: try again in " + countdown(*snap.signIn.lockedUntil, ctx.now), FontRole::Body,
             colour::kErrorText);
    kit.model.items.back().id = "signin.locked";
    ctx.redrawAfter(std::chrono::seconds(1));
  } else if (forLast && snap.signIn.wrongPinCount > 0 &&
             snap.signIn.triesLeft < checkout::kWrongPinsBeforeLockout) {
    kit.text("Wrong PIN · " + std::to_string(snap.signIn.triesLeft) +
                 (snap.signIn.triesLeft == 1 ? " try left" : " tries left"),
             FontRole::Body, colour::kErrorText);
    kit.model.items.back().id = "signin.tries";
  } else {
    kit.text(signInUser_ ? "Enter your PIN" : "Tap your name first", FontRole::Body,
             colour::kMuted);
  }
  // 18 mm keys where they fit; on a short screen the keys give way, never the rest.
  const float reserve = kit.fonts.title->FontSize * 2 + kit.fonts.body->FontSize * 2 +
                        kit.m.target() + 5 * kit.m.gap();
  const float key = std::min(kit.m.key(), (content_.y - reserve - 3 * kit.m.keyGap()) / 4.f);
  const char k = keypad(kit, "keypad.pin", KeypadPoint::No, key);
  keypadIntoPin(pin_, k);
  const TypedInput typed = readTypedInput();
  const bool enter = signInUser_ && typedDigitsInto(pin_, typed);
  const bool can = signInUser_ && !pin_.empty() && !locked;
  const bool tapped =
      kit.button("signin.submit", "Sign in", ImVec2(keypadWidth(kit, key), kit.m.target()),
                 Tone::Primary, can ? Enabled::Yes : Enabled::No);
  if (can && (tapped || enter)) {
    if (auto user = checkout::UserId::parse(*signInUser_)) {
      ctx.post(app::intent::SignIn{*user, pin_.take()});
    }
    pin_.clear();
  }
  ImGui::EndGroup();
}

// ---------------------------------------------------------------- Counter

void Screens::counter(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  const float rightW = kit.m.mm(48);
  const float leftW = content_.x - rightW - kit.m.mm(6);
  ImGui::BeginGroup();
  kit.text("Work order", FontRole::Title);
  const float openW = kit.m.mm(30);
  const bool keyboardToggle = false;
  (void)keyboardToggle;
  if (kit.field("counter.workorder", "Work order", workOrder_, "Scan or type a work order",
                ImVec2(leftW - openW - kit.m.gap(), kit.m.mm(13)), focus_ == Focus::WorkOrder)) {
    focus_ = Focus::WorkOrder;
    keyboardOpen_ = true;
  }
  // The Work order field has the keyboard whenever nothing else needs it (a scanner is a
  // keyboard that types the code and Enter).
  if (focus_ != Focus::WorkOrder) focus_ = Focus::WorkOrder;
  TypedInput typed = readTypedInput();
  ImGui::SameLine();
  const bool can = !workOrder_.empty();
  bool open = kit.button("counter.open", "Open", ImVec2(openW, kit.m.mm(13)), Tone::Primary,
                         can ? Enabled::Yes : Enabled::No);
  if (keyboardOpen_) {
    TypedInput onScreen = keyboard(kit, "keyboard", keys_, leftW);
    typed.text += onScreen.text;
    typed.backspace = typed.backspace || onScreen.backspace;
    typed.enter = typed.enter || onScreen.enter;
  }
  typeInto(workOrder_, typed, 64);
  if ((open || typed.enter) && !workOrder_.empty()) {
    std::string code = workOrder_;
    // Scanners and fingers: no spaces around a work order.
    code.erase(0, code.find_first_not_of(' '));
    code.erase(code.find_last_not_of(' ') + 1);
    ctx.post(app::intent::OpenCheckout{code});
    openRequested_ = true;
    keyboardOpen_ = false;
  }
  if (!keyboardOpen_) {
    kit.text("This shift's checkouts", FontRole::Title);
    const float listH = content_.y - (ImGui::GetCursorPosY() - contentTop_) - kit.m.mm(2);
    kit.beginList("counter.recent", ImVec2(leftW, std::max(listH, kit.m.mm(20))));
    if (snap.recent.empty())
      kit.text("No checkouts yet in this shift.", FontRole::Body, colour::kMuted);
    for (const auto& r : snap.recent) {
      const std::string tail =
          "  " + money(r.amount) +
          (r.paymentType == checkout::PaymentType::PartialPayment ? " partial" : "") + "  " +
          ctx.timeText(r.at, false);
      const float tailW =
          kit.fonts.body->CalcTextSizeA(kit.fonts.body->FontSize, 1e9f, 0.f, tail.c_str()).x;
      const std::string label =
          fitText(kit, r.workOrderId + "  " + r.customerName, leftW - kit.m.mm(12) - tailW) + tail;
      if (kit.button("counter.recent." + r.workOrderId + "." + r.invoiceNumber, label,
                     ImVec2(leftW - kit.m.mm(4), kit.m.target()))) {
        ctx.post(app::intent::OpenCheckout{r.workOrderId});
        openRequested_ = true;
      }
    }
    kit.endList();
  }
  ImGui::EndGroup();
  ImGui::SameLine(column(leftW + kit.m.mm(6)));
  ImGui::BeginGroup();
  const ImVec2 tile(rightW, kit.m.mm(11));
  if (kit.button("counter.receipts", "Receipts", tile)) show(Screen::Receipts);
  if (kit.button("counter.shift", "Shift", tile)) show(Screen::Shift);
  if (kit.button("counter.drawer", "Drawer", tile)) show(Screen::Drawer);
  if (kit.button("counter.sync", "Sync", tile)) show(Screen::Sync);
  if (kit.button("counter.printer", "Printer", tile)) show(Screen::Printer);
  if (kit.button("counter.keyboard", keyboardOpen_ ? "Hide keyboard" : "Keyboard", tile)) {
    keyboardOpen_ = !keyboardOpen_;
  }
  if (kit.button("counter.signout", "Sign out", tile, Tone::Danger)) {
    ctx.post(app::intent::SignOut{});
  }
  ImGui::EndGroup();
}

// ---------------------------------------------------------------- Invoice

void Screens::resetCheckoutEntry(const app::CheckoutView& co) {
  po_.clear();
  overrideReason_.clear();
  notes_.clear();
  tender_ = checkout::TenderKind::Cash;
  amount_ = plainMoney(co.balanceDue);
  amountPristine_ = true;
  tendered_.clear();
  cheque_.clear();
  cardBrand_.clear();
  last4_.clear();
  approvalCode_.clear();
  receiptChoice_ = app::ReceiptChoice::Print;
  email_.clear();
  emailOpen_ = false;
}

void Screens::invoice(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  if (!snap.checkout) return;
  const auto& co = *snap.checkout;
  const float gap = kit.m.gap();
  const float rightW = content_.x * 0.42f;
  const float leftW = content_.x - rightW - kit.m.mm(5);
  const bool keyboardShown = focus_ == Focus::Po;
  const float barH = kit.m.target();
  const float bodyH = content_.y - barH - gap - (keyboardShown ? keyboardHeight(kit) + gap : 0.f);

  ImGui::BeginGroup();
  kit.text(co.customerName.empty() ? co.invoiceNumber : co.customerName, FontRole::Title);
  kit.textWrapped(co.invoiceNumber + " · " + co.workOrderId + " · " + co.accountType +
                      (co.customerAccountId.empty() ? "" : " · account " + co.customerAccountId),
                  leftW, FontRole::Body, colour::kMuted);
  kit.text("Status " + co.status, FontRole::Body,
           co.statusKnown ? colour::kText : colour::kErrorText);
  kit.model.items.back().id = "invoice.status";
  if (!co.statusKnown) {
    kit.banner("invoice.unknown-status",
               "Unknown invoice status \"" + co.status +
                   "\": every action is blocked. Refresh the invoice or ask the office.",
               colour::kErrorBg, colour::kErrorText, leftW);
  }
  const float totalsH = kit.fonts.body->FontSize + kit.fonts.title->FontSize +
                        kit.fonts.large->FontSize + 4 * kit.m.gap();
  const float linesH =
      std::max(kit.m.mm(12), bodyH - (ImGui::GetCursorPosY() - contentTop_) - totalsH);
  kit.beginList("invoice.lines", ImVec2(leftW, linesH));
  for (std::size_t i = 0; i < co.lines.size(); ++i) {
    const auto& l = co.lines[i];
    const std::string total = money(l.lineTotal);
    const float tw =
        kit.fonts.body->CalcTextSizeA(kit.fonts.body->FontSize, 1e9f, 0, total.c_str()).x;
    kit.text(l.description +
             (l.quantity == "1" ? "" : "  " + l.quantity + " × " + money(l.unitPrice)));
    kit.model.items.back().id = "invoice.line." + std::to_string(i);
    ImGui::SameLine(std::max(leftW - tw - kit.m.mm(3), ImGui::GetCursorPosX()));
    kit.text(total);
  }
  kit.endList();
  auto row = [&](const char* id, const std::string& label, const checkout::Money& m, FontRole f) {
    kit.text(label + "  " + money(m), f);
    kit.model.items.back().id = id;
  };
  row("invoice.subtotal", "Subtotal", co.subtotal, FontRole::Body);
  ImGui::SameLine(0, kit.m.mm(6));
  row("invoice.tax", "Tax", co.taxTotal, FontRole::Body);
  if (!co.feeTotal.is_zero()) {
    ImGui::SameLine(0, kit.m.mm(6));
    row("invoice.fees", "Fees", co.feeTotal, FontRole::Body);
  }
  if (!co.discountTotal.is_zero()) {
    ImGui::SameLine(0, kit.m.mm(6));
    row("invoice.discounts", "Discounts", co.discountTotal, FontRole::Body);
  }
  row("invoice.total", "Total", co.grandTotal, FontRole::Title);
  row("invoice.balance", "Balance due", co.balanceDue, FontRole::Large);
  ImGui::EndGroup();

  ImGui::SameLine(column(leftW + kit.m.mm(5)));
  ImGui::BeginGroup();
  kit.beginList("invoice.side", ImVec2(rightW, bodyH));
  const float w = rightW - kit.m.mm(4);
  for (std::size_t i = 0; i < co.messages.size(); ++i) {
    const auto& msg = co.messages[i];
    std::uint32_t bg = colour::kSecondary, fg = colour::kText;
    if (msg.severity == "BLOCKING") {
      bg = colour::kErrorBg;
      fg = colour::kErrorText;
    } else if (msg.severity == "WARNING") {
      bg = colour::kWarnBg;
      fg = colour::kWarnText;
    }
    kit.banner("invoice.message." + std::to_string(i), msg.severity + ": " + msg.text, bg, fg, w);
  }
  if (co.evaluatedOffline)
    kit.text("Rules checked offline (last rules seen)", FontRole::Body, colour::kMuted);
  // The PO: write-once.
  if (co.poNumber) {
    std::string who = co.poCapturedBy ? nameOf(snap, co.poCapturedBy->str()) : std::string();
    std::string when = co.poCapturedAt ? ctx.timeText(*co.poCapturedAt, false) : std::string();
    kit.text("PO " + *co.poNumber, FontRole::Title);
    kit.model.items.back().id = "invoice.po.captured";
    kit.text("captured by " + who + (when.empty() ? "" : " at " + when), FontRole::Body,
             colour::kMuted);
  } else if (co.poCompliance == "OVERRIDDEN") {
    std::string approvers;
    for (const auto& a : co.overrideApprovers)
      approvers += (approvers.empty() ? "" : ", ") + nameOf(snap, a.str());
    kit.text("PO requirement overridden", FontRole::Title);
    kit.model.items.back().id = "invoice.po.overridden";
    kit.textWrapped("reason " + co.overrideReason.value_or("") + " · approved by " + approvers, w,
                    FontRole::Body, colour::kMuted);
  } else if (co.poRequired || co.mayCapturePo) {
    kit.text(co.poRequired ? "PO number (required)" : "PO number", FontRole::Body);
    const bool can = co.statusKnown && co.mayCapturePo;
    if (kit.field("invoice.po", "PO number", po_,
                  co.poFormatHint.empty() ? "PO number" : co.poFormatHint, ImVec2(w, kit.m.mm(13)),
                  focus_ == Focus::Po, can ? Enabled::Yes : Enabled::No)) {
      focus_ = Focus::Po;
      keys_.shift = true;
    }
    if (!co.poFormatHint.empty())
      kit.textWrapped(co.poFormatHint, w, FontRole::Body, colour::kMuted);
    const bool canCapture = can && !po_.empty();
    if (kit.button("invoice.capture-po", "Capture PO", ImVec2(w, kit.m.target()), Tone::Primary,
                   canCapture ? Enabled::Yes : Enabled::No)) {
      ctx.post(app::intent::CapturePo{po_});
      focus_ = Focus::None;
    }
    if (co.overrideAllowed && co.mayOverridePo && co.poRequired) {
      if (kit.button("invoice.override-po", "Override PO", ImVec2(w, kit.m.target()),
                     Tone::Secondary, co.statusKnown ? Enabled::Yes : Enabled::No)) {
        show(Screen::Override);
      }
    }
  }
  if (co.chargeAccountEligible && co.creditAvailable) {
    kit.text("Credit available " + money(*co.creditAvailable), FontRole::Body);
  }
  for (std::size_t i = 0; i < co.payments.size(); ++i) {
    const auto& p = co.payments[i];
    kit.text((p.thisCheckout ? "Paid " : "Paid earlier ") + money(p.amount) + " · " + p.tenderText,
             FontRole::Body, colour::kMuted);
  }
  for (std::size_t i = 0; i < co.links.size(); ++i) {
    const auto& l = co.links[i];
    // BILL-DEC-016: the id with a copy action, never a route.
    kit.textWrapped(l.targetDomain + " " + l.targetType + " " + l.targetId, w, FontRole::Body,
                    colour::kMuted);
    if (kit.button("invoice.link.copy." + std::to_string(i), "Copy " + l.targetId,
                   ImVec2(w, kit.m.target()))) {
      ImGui::SetClipboardText(l.targetId.c_str());
    }
  }
  kit.endList();
  ImGui::EndGroup();

  if (focus_ == Focus::Po) {
    const TypedInput typed = readTypedInput();
    typeInto(po_, typed, 64);
    if (keyboardPanel(kit, po_, 64, content_.x) || typed.enter) {
      if (!po_.empty() && co.mayCapturePo && co.statusKnown) ctx.post(app::intent::CapturePo{po_});
      focus_ = Focus::None;
    }
  }
  // The action bar.
  const ImVec2 b(kit.m.mm(40), barH);
  if (kit.button("invoice.back", "Back", b)) {
    ctx.post(app::intent::CloseCheckout{});
    show(Screen::Counter);
  }
  ImGui::SameLine();
  if (kit.button("invoice.refresh", "Refresh", b,
                 co.statusKnown ? Tone::Secondary : Tone::Primary)) {
    ctx.post(app::intent::RefreshInvoice{});
  }
  ImGui::SameLine();
  const bool canPay =
      co.statusKnown && co.mayTakePayment && co.stage == checkout::CheckoutStage::TakingPayment;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() +
                       std::max(0.f, content_.x - 3 * b.x - 2 * gap - b.x * 0.5f));
  if (kit.button("invoice.pay", "Payment", ImVec2(b.x * 1.5f, barH), Tone::Primary,
                 canPay ? Enabled::Yes : Enabled::No)) {
    amount_ = plainMoney(co.balanceDue);
    amountPristine_ = true;
    focus_ = Focus::Amount;
    show(Screen::Payment);
    focus_ = Focus::Amount;
  }
}

// ---------------------------------------------------------------- Override

void Screens::overrideScreen(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  if (!snap.checkout) return;
  const auto& co = *snap.checkout;
  kit.text("Override PO · " + co.invoiceNumber, FontRole::Title);
  kit.text("Reason", FontRole::Body, colour::kMuted);
  const float tileW = (content_.x - kit.m.gap()) / 2;
  bool needsNotes = false;
  int i = 0;
  for (const auto& r : snap.overrideReasons) {
    if (i++ % 2) ImGui::SameLine();
    const bool sel = overrideReason_ == r.code;
    if (sel) needsNotes = r.requiresNotes;
    if (kit.tile("override.reason." + r.code,
                 fitText(kit, r.label.empty() ? r.code : r.label, tileW - kit.m.mm(4)),
                 ImVec2(tileW, kit.m.mm(14)), sel ? Selected::Yes : Selected::No)) {
      overrideReason_ = r.code;
      if (r.requiresNotes) {
        focus_ = Focus::Notes;
        keys_.shift = false;
      }
    }
  }
  if (snap.overrideReasons.empty()) {
    kit.text("No reason codes yet: the backend's list has not been pulled.", FontRole::Body,
             colour::kErrorText);
  }
  if (needsNotes) {
    kit.text("Notes (required for this reason)", FontRole::Body);
    if (kit.field("override.notes", "Notes", notes_, "What was agreed, and with whom",
                  ImVec2(content_.x, kit.m.mm(13)), focus_ == Focus::Notes)) {
      focus_ = Focus::Notes;
    }
  }
  if (co.overrideNeedsSecondApprover) {
    kit.text("Two different supervisors approve this override.", FontRole::Body, colour::kMuted);
  }
  const bool can = !overrideReason_.empty() && (!needsNotes || !notes_.empty()) && !snap.approval;
  const ImVec2 b(kit.m.mm(40), kit.m.target());
  if (kit.button("override.back", "Back", b)) show(Screen::Invoice);
  ImGui::SameLine();
  if (kit.button("override.request", "Request approval", ImVec2(b.x * 1.5f, b.y), Tone::Primary,
                 can ? Enabled::Yes : Enabled::No)) {
    ctx.post(app::intent::RequestOverride{overrideReason_, needsNotes ? notes_ : std::string()});
    focus_ = Focus::None;
  }
  if (focus_ == Focus::Notes && needsNotes) {
    const TypedInput typed = readTypedInput();
    typeInto(notes_, typed, 200);
    if (keyboardPanel(kit, notes_, 200, content_.x) || typed.enter) focus_ = Focus::None;
  }
  // The override went through: back to the invoice, which shows it.
  if (co.poCompliance == "OVERRIDDEN") show(Screen::Invoice);
}

// ---------------------------------------------------------------- Supervisor approval

void Screens::approvalOverlay(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  const auto& a = *snap.approval;
  kit.model.overlay = "Supervisor approval";
  // The screen it guards stays visible around the overlay.
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ctx.display);
  // The dim window only takes the taps meant for the screen under the overlay: a translucent
  // full-screen fill costs the software renderer ~20 ms a frame.
  ImGui::PushStyleColor(ImGuiCol_WindowBg, imColour(0x000000, 0));
  ImGui::Begin("##dim", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::End();
  ImGui::PopStyleColor();

  const float w = std::min(ctx.display.x - kit.m.mm(8), kit.m.mm(200));
  const float h = std::min(ctx.display.y - kit.m.mm(16), kit.m.mm(145));
  ImGui::SetNextWindowPos(ImVec2((ctx.display.x - w) / 2, kit.m.mm(14)));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::SetNextWindowFocus();
  // The panel is filled by SDL (solidFill): ImGui's own window background is triangles, which
  // the software renderer filled pixel by pixel (8 of the overlay's 14 ms a frame).
  ImGui::PushStyleColor(ImGuiCol_WindowBg, imColour(colour::kPanel, 0));
  ImGui::Begin(
      "##approval", nullptr,
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  {
    const ImVec2 p = ImGui::GetWindowPos();
    solidFill(ImGui::GetWindowDrawList(), p, ImVec2(p.x + w, p.y + h), colour::kPanel);
  }
  kit.pushBackground(colour::kPanel);
  // The items drawn under the overlay cannot be tapped now: drop them from the model.
  std::erase_if(kit.model.items, [](const DrawnItem& d) {
    return d.kind != DrawnKind::Text && d.id.rfind("status.", 0) != 0;
  });
  kit.text("Supervisor approval", FontRole::Title);
  const float innerW = w - 2 * ImGui::GetStyle().WindowPadding.x;
  kit.textWrapped(a.what, innerW * 0.55f);
  kit.model.items.back().id = "approval.what";
  if (a.amount) kit.text("Amount " + money(*a.amount));
  kit.text(
      "approval " + std::to_string(a.approvedBy.size() + 1) + " of " + std::to_string(a.needed),
      FontRole::Body);
  kit.model.items.back().id = "approval.count";
  kit.text(a.online ? "Online approval" : "Offline approval (checked against the roster)",
           FontRole::Body, colour::kMuted);
  kit.model.items.back().id = "approval.mode";
  if (!a.approvedBy.empty()) {
    std::string names;
    for (const auto& u : a.approvedBy) names += (names.empty() ? "" : ", ") + nameOf(snap, u.str());
    kit.text("Approved by " + names, FontRole::Body, colour::kOk);
  }
  // The approver chosen must still be eligible (never the operator, never the first again).
  if (approver_ && std::none_of(a.eligible.begin(), a.eligible.end(),
                                [&](const auto& e) { return e.who.id.str() == *approver_; })) {
    approver_.reset();
    approvalPin_.clear();
  }
  const float colW = innerW * 0.48f;
  ImGui::BeginGroup();
  kit.text("Supervisor", FontRole::Body, colour::kMuted);
  const float listH = h - (ImGui::GetCursorPosY()) - kit.m.mm(4);
  kit.beginList("approval.approvers", ImVec2(colW, std::max(listH, kit.m.mm(20))));
  for (const auto& e : a.eligible) {
    const bool locked = e.lockedUntil && *e.lockedUntil > ctx.now;
    std::string label = e.who.displayName;
    if (locked) {
      label += " · locked " + countdown(*e.lockedUntil, ctx.now);
      ctx.redrawAfter(std::chrono::seconds(1));
    } else if (e.triesLeft < checkout::kWrongPinsBeforeLockout) {
      label += " · " + std::to_string(e.triesLeft) + " tries left";
    }
    const bool sel = approver_ && *approver_ == e.who.id.str();
    if (kit.tile("approval.approver." + e.who.id.str(), label,
                 ImVec2(colW - kit.m.mm(4), kit.m.mm(14)), sel ? Selected::Yes : Selected::No,
                 locked ? Enabled::No : Enabled::Yes)) {
      if (!sel) approvalPin_.clear();
      approver_ = e.who.id.str();
    }
  }
  if (a.eligible.empty()) {
    kit.textWrapped("No other supervisor can approve this here.", colW - kit.m.mm(4),
                    FontRole::Body, colour::kErrorText);
  }
  kit.endList();
  ImGui::EndGroup();
  ImGui::SameLine(colW + kit.m.mm(6) + ImGui::GetStyle().WindowPadding.x);
  // The right column starts at the overlay's top so the keypad fits at 1024x768.
  ImGui::SetCursorPosY(ImGui::GetStyle().WindowPadding.y);
  ImGui::BeginGroup();
  kit.text(approver_ ? "PIN for " + nameOf(snap, *approver_) : std::string("Choose a supervisor"),
           FontRole::Body);
  const float dx = shake(a.wrongPinCount, approvalWrongSeen_, approvalShakeSince_, ctx);
  kit.pinDots("approval.pin", approvalPin_.size(), dx);
  const float key = std::min(kit.m.key(), (h - kit.m.mm(48)) / 4.6f);
  const char k = keypad(kit, "keypad.approval", KeypadPoint::No, key);
  keypadIntoPin(approvalPin_, k);
  const TypedInput& typed = overlayInput_;
  const bool enter = approver_ && typedDigitsInto(approvalPin_, typed);
  const bool can = approver_ && !approvalPin_.empty();
  // Cancel and Approve share the right column's width (the keypad's is too narrow for
  // "Approve" once the keys give way on a short screen).
  const float rightW = std::max(keypadWidth(kit, key), innerW - colW - kit.m.mm(6));
  const float bw = (rightW - kit.m.gap()) / 2;
  if (kit.button("approval.cancel", "Cancel", ImVec2(bw, kit.m.target())) || typed.escape) {
    approvalPin_.clear();
    approver_.reset();
    ctx.post(app::intent::CancelApproval{});
  }
  ImGui::SameLine();
  const bool tapped = kit.button("approval.approve", "Approve", ImVec2(bw, kit.m.target()),
                                 Tone::Primary, can ? Enabled::Yes : Enabled::No);
  if (can && (tapped || enter)) {
    if (auto user = checkout::UserId::parse(*approver_)) {
      ctx.post(app::intent::SubmitApproval{*user, approvalPin_.take()});
    }
    approvalPin_.clear();
  }
  ImGui::EndGroup();
  kit.popBackground();
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace pos::ui
