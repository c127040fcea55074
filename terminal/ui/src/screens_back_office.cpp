// Screens (screens.hpp), part 3: Sync, Receipts, Shift, Drawer and Printer, and the shared
// floating keyboard.
//
// Sections: floating keyboard · Sync · Receipts · Shift · the float, note by note · Drawer ·
// Printer
#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <map>

#include "denominations.hpp"
#include "screens.hpp"

namespace pos::ui {

namespace {

std::string outcomeWords(const app::ReceiptView& r) {
  switch (r.outcome) {
    case app::ReceiptOutcome::Pending:
      return "pending";
    case app::ReceiptOutcome::Sent:
      return r.channel == "EMAIL" ? "e-mailed" : "printed";
    case app::ReceiptOutcome::Failed:
      return "failed";
    case app::ReceiptOutcome::PossiblyPrinted:
      return "possibly printed";
    case app::ReceiptOutcome::Suppressed:
      return "no receipt";
    case app::ReceiptOutcome::Bounced:
      return "bounced";
    case app::ReceiptOutcome::kCount:
      break;
  }
  return "";
}

void keyInto(std::string& text, char key, std::size_t maxLen) {
  if (key == '<') {
    if (!text.empty()) text.pop_back();
  } else if (key && text.size() < maxLen) {
    if (key == '.' && text.find('.') != std::string::npos) return;
    text += key;
  }
}

}  // namespace

// ---------------------------------------------------------------- floating keyboard

bool Screens::keyboardPanel(Kit& kit, std::string& text, std::size_t maxLen, float width) {
  const float pad = kit.m.mm(3);
  const float h = keyboardHeight(kit) + 2 * pad;
  const ImVec2 pos(0, ImGui::GetIO().DisplaySize.y - h);
  const ImVec2 size(ImGui::GetIO().DisplaySize.x, h);
  // What the keyboard covers cannot be tapped: out of the model.
  std::erase_if(kit.model.items, [&](const DrawnItem& d) {
    return d.kind != DrawnKind::Text && d.rect.y + d.rect.h > pos.y;
  });
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize(size);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, imColour(0xC9D2DD));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(pad, pad));
  ImGui::Begin(
      "##keyboard", nullptr,
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  kit.pushBackground(0xC9D2DD);
  const TypedInput in = keyboard(kit, "keyboard", keys_, std::min(width, size.x - 2 * pad));
  typeInto(text, in, maxLen);
  kit.popBackground();
  ImGui::End();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor();
  return in.enter;
}

// ---------------------------------------------------------------- Sync

void Screens::sync(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  const auto& q = snap.queue;
  kit.text("Sync", FontRole::Title);
  std::map<std::string, int> byState;
  for (const auto& item : q.items) ++byState[item.state];
  std::string states = "Waiting " + std::to_string(q.depth) + " · needs attention " +
                       std::to_string(q.needsAttention);
  for (const auto& [state, n] : byState) states += " · " + state + " " + std::to_string(n);
  if (q.oldestUnsent) states += " · oldest " + ctx.timeText(*q.oldestUnsent, false);
  kit.text(states);
  kit.model.items.back().id = "sync.summary";
  const float bw = kit.m.mm(34);
  const float listW = content_.x;
  const float listH = content_.y - kit.m.mm(32);
  kit.beginList("sync.list", ImVec2(listW, listH));
  const float w = listW - kit.m.mm(6) - bw - kit.m.gap();
  if (!q.attention.empty()) kit.text("Needs attention", FontRole::Title, colour::kErrorText);
  for (const auto& item : q.attention) {
    ImGui::BeginGroup();
    kit.text(item.kind + " · " + item.state + " · " + item.errorCode + " · attempts " +
             std::to_string(item.attempts));
    kit.model.items.back().id = "sync.attention." + std::to_string(item.id);
    kit.textWrapped(
        item.errorText +
            (item.correlationId.empty() ? "" : "  (correlation " + item.correlationId + ")"),
        w, FontRole::Body, colour::kMuted);
    // BILL-DEC-014: the engine fills detail only for billing:posting-error:detail:view.
    if (!item.detail.empty()) kit.textWrapped(item.detail, w, FontRole::Body, colour::kMuted);
    if (item.waitingBehind > 0) {
      kit.text(std::to_string(item.waitingBehind) + " held behind it", FontRole::Body,
               colour::kMuted);
    }
    ImGui::EndGroup();
    ImGui::SameLine(listW - bw - kit.m.mm(4));
    if (kit.button("sync.retry." + std::to_string(item.id), "Retry", ImVec2(bw, kit.m.target()))) {
      ctx.post(app::intent::RetrySync{item.id});
    }
  }
  kit.text("Queue", FontRole::Title);
  if (q.items.empty())
    kit.text("Nothing waiting: everything is synced.", FontRole::Body, colour::kOk);
  for (const auto& item : q.items) {
    kit.text(item.kind + " · " + item.state + " · attempts " + std::to_string(item.attempts) +
             (item.errorCode.empty() ? "" : " · " + item.errorCode));
    kit.model.items.back().id = "sync.item." + std::to_string(item.id);
  }
  kit.endList();
  backButton(kit, ctx, "sync.back");
  ImGui::SameLine();
  if (kit.button("sync.retry-all", "Retry all", ImVec2(kit.m.mm(50), kit.m.target()), Tone::Primary,
                 Enabled::Yes)) {
    ctx.post(app::intent::RetrySync{});
  }
}

// ---------------------------------------------------------------- Receipts

void Screens::receipts(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  if (entered_ != Screen::Receipts) ctx.post(app::intent::FindReceipts{});
  const float previewW = std::min(kit.m.mm(80), content_.x * 0.36f);
  const float leftW = content_.x - previewW - kit.m.mm(6);
  ImGui::BeginGroup();
  kit.text("Receipts", FontRole::Title);
  const float sw = kit.m.mm(34);
  if (kit.field("receipts.search", "Search", search_, "Invoice or work order",
                ImVec2(leftW - sw - kit.m.gap(), kit.m.mm(13)), focus_ == Focus::Search)) {
    focus_ = Focus::Search;
    keys_.shift = true;
  }
  ImGui::SameLine();
  bool find = kit.button("receipts.find", "Search", ImVec2(sw, kit.m.mm(13)), Tone::Primary);
  const float listH = content_.y - kit.m.mm(62);
  kit.beginList("receipts.list", ImVec2(leftW, listH));
  if (snap.receipts.empty()) kit.text("No receipts found.", FontRole::Body, colour::kMuted);
  for (const auto& r : snap.receipts) {
    const std::string label =
        fitText(kit,
                r.invoiceNumber + "  " + money(r.amount) + "  " + outcomeWords(r) +
                    (r.reprintCount ? "  COPY ×" + std::to_string(r.reprintCount) : "") + "  " +
                    r.receiptReference,
                leftW - kit.m.mm(12));
    const bool sel = snap.receipt && snap.receipt->receiptId == r.receiptId;
    if (kit.tile("receipts.item." + r.receiptReference, label,
                 ImVec2(leftW - kit.m.mm(4), kit.m.target()), sel ? Selected::Yes : Selected::No)) {
      if (auto id = checkout::ReceiptId::parse(r.receiptId))
        ctx.post(app::intent::ShowReceipt{*id});
    }
  }
  kit.endList();
  const app::ReceiptView* r = snap.receipt ? &*snap.receipt : nullptr;
  const ImVec2 b((leftW - 3 * kit.m.gap()) / 4, kit.m.target());
  backButton(kit, ctx, "receipts.back");
  if (r) {
    const auto id = checkout::ReceiptId::parse(r->receiptId);
    const bool neverPrinted = r->outcome == app::ReceiptOutcome::Suppressed ||
                              r->outcome == app::ReceiptOutcome::Failed ||
                              r->outcome == app::ReceiptOutcome::Bounced;
    ImGui::SameLine();
    if (kit.button("receipts.print", "Print", b, Tone::Secondary,
                   neverPrinted && id ? Enabled::Yes : Enabled::No) &&
        id) {
      ctx.post(app::intent::PrintReceipt{*id});
    }
    ImGui::SameLine();
    if (kit.button("receipts.email", "E-mail", b, Tone::Secondary,
                   r->mayDeliver ? Enabled::Yes : Enabled::No)) {
      focus_ = Focus::Email;
      keys_.shift = false;
    }
    ImGui::SameLine();
    const bool canReprint = r->mayReprint && !neverPrinted && id && !reprintReason_.empty();
    if (kit.button("receipts.reprint", "Reprint", b, Tone::Primary,
                   canReprint ? Enabled::Yes : Enabled::No) &&
        id) {
      ctx.post(app::intent::ReprintReceipt{*id, reprintReason_});
    }
    if (r->mayReprint && !neverPrinted) {
      const float tw = (leftW - kit.m.gap()) / 2;
      int i = 0;
      for (const auto& reason : snap.reprintReasons) {
        if (i++ % 2) ImGui::SameLine();
        if (kit.tile(
                "receipts.reason." + reason.code,
                fitText(kit, reason.label.empty() ? reason.code : reason.label, tw - kit.m.mm(4)),
                ImVec2(tw, kit.m.mm(12)),
                reprintReason_ == reason.code ? Selected::Yes : Selected::No)) {
          reprintReason_ = reason.code;
        }
      }
    }
  }
  ImGui::EndGroup();
  ImGui::SameLine(column(leftW + kit.m.mm(6)));
  ImGui::BeginGroup();
  if (r) {
    if (r->reprintCount > 0) {
      kit.text("COPY · reprinted " + std::to_string(r->reprintCount) + "×", FontRole::Title,
               colour::kErrorText);
      kit.model.items.back().id = "receipts.copy-mark";
    }
    receiptPreview(kit, *r, ImVec2(previewW, content_.y - kit.m.mm(12)));
  }
  ImGui::EndGroup();
  TypedInput typed = readTypedInput();
  if (focus_ == Focus::Email && r) {
    typeInto(email_, typed, 254);
    // The address field sits on the keyboard panel's top row.
    if (keyboardPanel(kit, email_, 254, content_.x) || typed.enter) {
      if (email_.find('@') != std::string::npos) {
        ctx.post(app::intent::EmailReceipt{checkout::ReceiptId::parse(r->receiptId), email_});
      }
      email_.clear();
      focus_ = Focus::None;
    }
  } else {
    typeInto(search_, typed, 64);
    if (focus_ == Focus::Search && keyboardPanel(kit, search_, 64, content_.x)) find = true;
    if (typed.enter) find = true;
  }
  if (find) {
    ctx.post(app::intent::FindReceipts{search_});
    focus_ = Focus::None;
  }
}

// ---------------------------------------------------------------- Shift

void Screens::shift(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  const checkout::Currency cur = shopCurrency(snap);
  const float key = std::min(kit.m.key(), (content_.y - kit.m.target() - kit.m.mm(10)) / 4.4f);
  const float padW = keypadWidth(kit, key);
  const float leftW = content_.x - padW - kit.m.mm(6);
  const float gap = kit.m.gap();
  ImGui::BeginGroup();
  kit.text("Shift", FontRole::Title);
  const bool open = snap.shift.has_value();
  if (open) {
    const auto& s = *snap.shift;
    std::string text = "Shift " + s.shiftId + " · opened " + ctx.timeText(s.openedAt, false) +
                       " by " + s.openedBy.str();
    kit.textWrapped(text, leftW, FontRole::Body, colour::kMuted);
    kit.model.items.back().id = "shift.info";
    if (!s.floatCounted)
      kit.text("The float was not counted when this shift opened.", FontRole::Body,
               colour::kWarnText);
  } else {
    kit.text("No shift is open.", FontRole::Body, colour::kMuted);
  }
  const float bw = (leftW - 2 * gap) / 3;
  const ImVec2 b(bw, kit.m.target());
  auto panelButton = [&](const char* id, const char* label, ShiftPanel p, bool enabled) {
    if (kit.tile(id, label, b, shiftPanel_ == p ? Selected::Yes : Selected::No,
                 enabled ? Enabled::Yes : Enabled::No)) {
      shiftPanel_ = p;
      shiftAmount_.clear();
      shiftReason_.clear();
      floatCounts_.clear();
      focus_ = Focus::Amount;
      if (p == ShiftPanel::XReport) ctx.post(app::intent::XReport{false});
      if (p == ShiftPanel::Close) {
        counted_.clear();
        countedCurrency_ = std::string(cur.code());
        ctx.post(app::intent::XReport{false});
      }
    }
  };
  panelButton("shift.open", "Open shift", ShiftPanel::OpenFloat,
              !open || !snap.shift->floatCounted);
  ImGui::SameLine();
  panelButton("shift.paid-in", "Paid in", ShiftPanel::PaidIn, open);
  ImGui::SameLine();
  panelButton("shift.paid-out", "Paid out", ShiftPanel::PaidOut, open);
  panelButton("shift.x", "X report", ShiftPanel::XReport, open);
  ImGui::SameLine();
  panelButton("shift.close", "Close shift", ShiftPanel::Close, open);
  ImGui::SameLine();
  if (kit.button("shift.no-sale", "No sale", b, Tone::Secondary,
                 open ? Enabled::Yes : Enabled::No)) {
    show(Screen::Drawer);
  }

  const ImVec2 field(leftW, kit.m.mm(13));
  const float restH = content_.y - (ImGui::GetCursorPosY() - contentTop_) - kit.m.target() - gap;
  switch (shiftPanel_) {
    case ShiftPanel::None:
      if (snap.report) {
        kit.beginList("shift.report", ImVec2(leftW, restH));
        kit.textWrapped(snap.report->text, leftW - kit.m.mm(4));
        kit.model.items.back().id = snap.report->z ? "shift.z.text" : "shift.x.text";
        kit.endList();
      }
      break;
    case ShiftPanel::OpenFloat:
      if (floatByCount_ && !denominationsOf(cur).empty()) {
        floatByCount(kit, ctx, cur, leftW, restH);
        break;
      }
      [[fallthrough]];
    case ShiftPanel::PaidIn:
    case ShiftPanel::PaidOut: {
      const bool isFloat = shiftPanel_ == ShiftPanel::OpenFloat;
      kit.text(isFloat ? "Counted float (" + std::string(cur.code()) + ")"
                       : "Amount (" + std::string(cur.code()) + ")",
               FontRole::Body, colour::kMuted);
      if (isFloat) floatModeTiles(kit, cur, leftW);
      if (kit.field("shift.amount", "Amount", shiftAmount_, "0", field, focus_ == Focus::Amount))
        focus_ = Focus::Amount;
      if (!isFloat) {
        kit.text("Reason", FontRole::Body, colour::kMuted);
        if (kit.field("shift.reason", "Reason", shiftReason_, "Why the cash moves", field,
                      focus_ == Focus::Reason)) {
          focus_ = Focus::Reason;
          keys_.shift = false;
        }
      }
      const auto parsed = checkout::parse_amount(shiftAmount_, cur);
      const bool ok =
          parsed && (isFloat || (parsed.value().is_positive() && !shiftReason_.empty()));
      if (!parsed && !shiftAmount_.empty()) {
        kit.text(std::string(checkout::amount_refusal_message(parsed.error())), FontRole::Body,
                 colour::kErrorText);
      }
      const char* label = isFloat                             ? "Open shift"
                          : shiftPanel_ == ShiftPanel::PaidIn ? "Record paid in"
                                                              : "Record paid out";
      if (kit.button("shift.submit", label, ImVec2(leftW, kit.m.target()), Tone::Primary,
                     ok ? Enabled::Yes : Enabled::No)) {
        if (isFloat) {
          ctx.post(app::intent::OpenShift{{parsed.value()}});
        } else {
          ctx.post(app::intent::CashMovement{shiftPanel_ == ShiftPanel::PaidIn
                                                 ? app::CashDirection::PaidIn
                                                 : app::CashDirection::PaidOut,
                                             parsed.value(), shiftReason_});
        }
        shiftPanel_ = ShiftPanel::None;
        focus_ = Focus::None;
      }
      break;
    }
    case ShiftPanel::XReport:
      if (kit.button("shift.x.print", "Print X report", ImVec2(leftW, kit.m.target()))) {
        ctx.post(app::intent::XReport{true});
      }
      if (snap.report && !snap.report->z) {
        kit.beginList("shift.report", ImVec2(leftW, restH - kit.m.target() - gap));
        kit.textWrapped(snap.report->text, leftW - kit.m.mm(4));
        kit.model.items.back().id = "shift.x.text";
        kit.endList();
      }
      break;
    case ShiftPanel::Close: {
      // Counted cash per currency: the currencies of the report (never one sum of two).
      std::vector<checkout::Currency> currencies;
      if (snap.report) {
        for (const auto& c : snap.report->currencies) currencies.push_back(c.currency);
      }
      if (currencies.empty()) currencies.push_back(cur);
      std::vector<checkout::Money> counted;
      bool allOk = true;
      for (const auto& c : currencies) {
        const std::string code(c.code());
        std::string expected;
        if (snap.report) {
          for (const auto& rc : snap.report->currencies) {
            if (rc.currency == c) expected = " · expected " + money(rc.cashExpected);
          }
        }
        kit.text("Counted cash " + code + expected, FontRole::Body, colour::kMuted);
        const bool f = focus_ == Focus::Counted && countedCurrency_ == code;
        if (kit.field("shift.counted." + code, "Counted " + code, counted_[code], "0",
                      ImVec2(leftW, kit.m.mm(13)), f)) {
          focus_ = Focus::Counted;
          countedCurrency_ = code;
        }
        const auto parsed = checkout::parse_amount(counted_[code], c);
        if (parsed) {
          counted.push_back(parsed.value());
        } else {
          allOk = false;
        }
      }
      if (kit.button("shift.close.submit", "Close shift and print Z", ImVec2(leftW, kit.m.target()),
                     Tone::Primary, allOk ? Enabled::Yes : Enabled::No)) {
        ctx.post(app::intent::CloseShift{counted, true});
        shiftPanel_ = ShiftPanel::None;
        focus_ = Focus::None;
      }
      break;
    }
  }
  ImGui::EndGroup();
  ImGui::SameLine(column(leftW + kit.m.mm(6)));
  ImGui::BeginGroup();
  const bool numberFocus =
      focus_ == Focus::Amount || focus_ == Focus::Counted || focus_ == Focus::FloatCount;
  // A count of pieces has no point (the key stays blank where it is: nothing moves).
  const char k =
      keypad(kit, "keypad.shift",
             cur.minor_unit_digits() > 0 && focus_ != Focus::FloatCount ? KeypadPoint::Yes
                                                                        : KeypadPoint::No,
             key);
  TypedInput typed = readTypedInput();
  std::string* target = focus_ == Focus::Amount       ? &shiftAmount_
                        : focus_ == Focus::Counted    ? &counted_[countedCurrency_]
                        : focus_ == Focus::FloatCount ? &floatCounts_[floatCountFocus_]
                                                      : nullptr;
  if (target && numberFocus) {
    // A count is whole pieces: no point, at most 5 digits.
    const bool pieces = focus_ == Focus::FloatCount;
    const std::size_t maxLen = pieces ? 5 : 16;
    if (!(pieces && k == '.')) keyInto(*target, k, maxLen);
    for (char c : typed.text) {
      if ((c >= '0' && c <= '9') || (c == '.' && !pieces)) keyInto(*target, c, maxLen);
    }
    if (typed.backspace) keyInto(*target, '<', maxLen);
  }
  backButton(kit, ctx, "shift.back");
  ImGui::EndGroup();
  if (focus_ == Focus::Reason) {
    typeInto(shiftReason_, typed, 120);
    if (keyboardPanel(kit, shiftReason_, 120, content_.x) || typed.enter) focus_ = Focus::Amount;
  }
}

// ---------------------------------------------------------------- the float, note by note

void Screens::floatModeTiles(Kit& kit, checkout::Currency cur, float width) {
  if (denominationsOf(cur).empty()) return;  // counted as an amount only
  const ImVec2 b((width - kit.m.gap()) / 2, kit.m.target());
  if (kit.tile("shift.float.by-amount", "Amount", b,
               floatByCount_ ? Selected::No : Selected::Yes)) {
    floatByCount_ = false;
    focus_ = Focus::Amount;
  }
  ImGui::SameLine();
  if (kit.tile("shift.float.by-count", "Notes and coins (" + std::string(cur.code()) + ")", b,
               floatByCount_ ? Selected::Yes : Selected::No)) {
    floatByCount_ = true;
    focus_ = Focus::FloatCount;
    floatCountFocus_ = denominationsOf(cur).front().minor;
  }
}

void Screens::floatByCount(Kit& kit, FrameContext& ctx, checkout::Currency cur, float width,
                           float height) {
  const auto table = denominationsOf(cur);
  floatModeTiles(kit, cur, width);
  // The total as it is typed, and what is posted: one amount per currency, with the lines.
  std::map<std::int64_t, std::int64_t> counts;
  for (const auto& [minor, typed] : floatCounts_) {
    if (!typed.empty()) counts[minor] = std::stoll(typed);  // digits only, at most 5
  }
  const auto total = countedTotal(cur, counts);
  const float gap = kit.m.gap();
  // `height` leaves room for the bottom row (total, Open shift); the tiles take a row here.
  const float listH = std::max(kit.m.mm(24), height - kit.m.target() - 2 * gap);
  // Tight rows (10 mm fields, 2 mm apart, a thin margin): USD's ten fit 1280x800 at 5.88 px/mm.
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(kit.m.mm(2), kit.m.mm(1.5f)));
  kit.beginList("shift.float.counts", ImVec2(width, listH));
  ImGui::PopStyleVar();
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(gap, kit.m.mm(2.2f)));
  const int columns = 4;
  const float colW = (width - kit.m.mm(4) - (columns - 1) * gap) / columns;
  const float labelW = colW * 0.4f;
  const ImVec2 fieldSize(colW - labelW - gap, kit.m.mm(10.f));
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& d = table[i];
    if (i % columns != 0) ImGui::SameLine();
    ImGui::BeginGroup();
    // "100" for a note of whole units, "0.25" for a coin below one.
    std::int64_t unit = 1;
    for (int digit = 0; digit < cur.minor_unit_digits(); ++digit) unit *= 10;
    std::string value = plainMoney(checkout::Money{cur, d.minor});
    if (d.minor % unit == 0 && value.find('.') != std::string::npos)
      value = value.substr(0, value.find('.'));
    const float y = ImGui::GetCursorPosY();
    ImGui::SetCursorPosY(y + (fieldSize.y - kit.fonts.body->FontSize) / 2);
    kit.text(fitText(kit, value, labelW), FontRole::Body, d.note ? colour::kText : colour::kMuted);
    ImGui::SameLine(labelW);
    ImGui::SetCursorPosY(y);
    const std::string id = "shift.count." + std::to_string(d.minor);
    const bool focused = focus_ == Focus::FloatCount && floatCountFocus_ == d.minor;
    if (kit.field(id, value + (d.note ? " notes" : " coins"), floatCounts_[d.minor], "0", fieldSize,
                  focused)) {
      focus_ = Focus::FloatCount;
      floatCountFocus_ = d.minor;
    }
    ImGui::EndGroup();
  }
  ImGui::PopStyleVar();
  kit.endList();
  // The total beside Open shift.
  const float y = ImGui::GetCursorPosY();
  ImGui::SetCursorPosY(y + (kit.m.target() - kit.fonts.title->FontSize) / 2);
  kit.text(total ? "Total " + money(*total) : std::string("The count is too large."),
           FontRole::Title, total ? colour::kText : colour::kErrorText);
  kit.model.items.back().id = "shift.float.total";
  ImGui::SameLine(column(width / 2 + gap / 2));
  ImGui::SetCursorPosY(y);
  if (kit.button("shift.submit", "Open shift", ImVec2(width / 2 - gap / 2, kit.m.target()),
                 Tone::Primary, total ? Enabled::Yes : Enabled::No)) {
    app::intent::OpenShift open({*total});
    for (const auto& [minor, n] : counts) {
      if (n > 0) open.counted.push_back(app::intent::FloatCount{checkout::Money{cur, minor}, n});
    }
    ctx.post(std::move(open));
    shiftPanel_ = ShiftPanel::None;
    focus_ = Focus::None;
    floatCounts_.clear();
  }
}

// ---------------------------------------------------------------- Drawer

void Screens::drawer(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  kit.text("Drawer · No sale", FontRole::Title);
  kit.text("Opening the drawer without a sale is recorded with its reason.", FontRole::Body,
           colour::kMuted);
  static constexpr std::array<const char*, 4> kReasons{"Change for a customer", "Cash count",
                                                       "Wrong tender corrected", "Other"};
  const float tw = (content_.x - kit.m.gap()) / 2;
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    if (i % 2) ImGui::SameLine();
    if (kit.tile("drawer.reason." + std::to_string(i), kReasons[i], ImVec2(tw, kit.m.mm(14)),
                 drawerReason_ == kReasons[i] ? Selected::Yes : Selected::No)) {
      drawerReason_ = kReasons[i];
    }
  }
  backButton(kit, ctx, "drawer.back");
  ImGui::SameLine();
  const bool can = !drawerReason_.empty() && snap.shift;
  if (kit.button("drawer.open", "Open drawer", ImVec2(kit.m.mm(50), kit.m.target()), Tone::Primary,
                 can ? Enabled::Yes : Enabled::No)) {
    ctx.post(app::intent::OpenDrawer{drawerReason_});
    drawerReason_.clear();
  }
  if (!snap.shift) kit.text("Open a shift first (Shift).", FontRole::Body, colour::kErrorText);
}

// ---------------------------------------------------------------- Printer

void Screens::printer(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  if (entered_ != Screen::Printer) ctx.post(app::intent::ListPrinters{});
  kit.text("Printer", FontRole::Title);
  const auto& p = snap.printer;
  kit.text(p.description.empty() ? std::string("No printer") : p.description, FontRole::Body);
  kit.text(
      p.ready ? std::string("Ready") : p.readiness + (p.message.empty() ? "" : ": " + p.message),
      FontRole::Body, p.ready ? colour::kOk : colour::kErrorText);
  kit.model.items.back().id = "printer.status";
  // The printers' status is for everyone; a test page (and any printer change) is IT's work,
  // done by a supervisor (billing:auth:elevate: the closed permission list has no IT string).
  // The engine refuses it too.
  const bool supervisor =
      snap.user && snap.user->permissions.has(checkout::Permission::AuthElevate);
  float noteH = 0;
  if (!supervisor) {
    const float y0 = ImGui::GetCursorPosY();
    kit.textWrapped("Test page: a supervisor signs in to print one.", content_.x, FontRole::Body,
                    colour::kMuted);
    kit.model.items.back().id = "printer.test-needs-supervisor";
    noteH = ImGui::GetCursorPosY() - y0;
  }
  kit.text("Printers found", FontRole::Title);
  kit.beginList("printer.list", ImVec2(content_.x, content_.y - kit.m.mm(50) - noteH));
  if (snap.printers.empty()) kit.text("None listed yet.", FontRole::Body, colour::kMuted);
  for (std::size_t i = 0; i < snap.printers.size(); ++i) {
    const auto& item = snap.printers[i];
    kit.text(item.description + " · " + item.uri);
    kit.model.items.back().id = "printer.item." + std::to_string(i);
    kit.text("profile " + item.profile + " · " + item.status +
                 (item.problem.empty() ? "" : " · " + item.problem),
             FontRole::Body, colour::kMuted);
  }
  kit.endList();
  backButton(kit, ctx, "printer.back");
  ImGui::SameLine();
  if (kit.button("printer.refresh", "Refresh", ImVec2(kit.m.mm(40), kit.m.target()))) {
    ctx.post(app::intent::ListPrinters{});
  }
  ImGui::SameLine();
  if (kit.button("printer.test", "Test page", ImVec2(kit.m.mm(40), kit.m.target()), Tone::Primary,
                 supervisor ? Enabled::Yes : Enabled::No) &&
      supervisor) {
    ctx.post(app::intent::PrintTestPage{});
  }
}

}  // namespace pos::ui
