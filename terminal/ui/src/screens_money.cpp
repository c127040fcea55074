// Screens (screens.hpp), part 2: Payment and Done, and the receipt preview image.
//
// Sections: amount checks · Payment · Done · receipt preview
#include <imgui_internal.h>

#include <algorithm>
#include <array>

#include "screens.hpp"

namespace pos::ui {

namespace {

// ---------------------------------------------------------------- amount checks

struct AmountCheck {
  std::optional<checkout::Money> amount;
  std::string problem;  // why Take payment is refused, in the advisor's words
};

AmountCheck checkAmount(const std::string& text, const app::CheckoutView& co) {
  AmountCheck c;
  const auto parsed = checkout::parse_amount(text, co.balanceDue.currency());
  if (!parsed) {
    c.problem = std::string(checkout::amount_refusal_message(parsed.error()));
    return c;
  }
  const checkout::Money m = parsed.value();
  if (!m.is_positive()) {
    c.problem = "Enter an amount above zero.";
    return c;
  }
  const auto order = m.compare(co.balanceDue);
  if (order && *order == std::strong_ordering::greater) {
    c.problem = "More than the balance due (" + money(co.balanceDue) + ").";
    return c;
  }
  if (order && *order == std::strong_ordering::less && !co.partialPaymentsAllowed) {
    c.problem = "This account takes no partial payments: take the balance due (" +
                money(co.balanceDue) + ").";
    return c;
  }
  c.amount = m;
  return c;
}

// Quick cash amounts: the next round notes above the amount.
std::vector<checkout::Money> quickAmounts(checkout::Money amount) {
  std::vector<checkout::Money> out;
  std::int64_t unit = 1;
  for (int i = 0; i < amount.currency().minor_unit_digits(); ++i) unit *= 10;
  for (std::int64_t step : {5, 10, 20, 50, 100}) {
    const std::int64_t s = step * unit;
    const std::int64_t up = (amount.minor_units() + s - 1) / s * s;
    if (up > amount.minor_units() &&
        std::none_of(out.begin(), out.end(),
                     [&](const checkout::Money& m) { return m.minor_units() == up; })) {
      out.emplace_back(amount.currency(), up);
    }
    if (out.size() == 3) break;
  }
  return out;
}

void keyInto(std::string& text, char key, std::size_t maxLen) {
  if (key == '<') {
    if (!text.empty()) text.pop_back();
  } else if (key && text.size() < maxLen) {
    if (key == '.' && text.find('.') != std::string::npos) return;
    text += key;
  }
}

constexpr std::array<const char*, 4> kBrands{"VISA", "MASTERCARD", "AMEX", "DISCOVER"};
constexpr std::array<const char*, 4> kBrandLabels{"Visa", "Mastercard", "Amex", "Discover"};

}  // namespace

// ---------------------------------------------------------------- Payment

void Screens::payment(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  if (!snap.checkout) return;
  const auto& co = *snap.checkout;
  const float gap = kit.m.gap();
  const float key =
      std::min(kit.m.key(), (content_.y - kit.m.target() - kit.m.mm(15) - 3 * gap) / 4.5f);
  const float padW = keypadWidth(kit, key);
  const float leftW = content_.x - padW - kit.m.mm(6);
  const bool decimals = co.balanceDue.currency().minor_unit_digits() > 0;
  using checkout::TenderKind;

  ImGui::BeginGroup();
  // The balance goes beside the title when there is room (1280 px), else below it.
  const std::string title = "Payment · " + co.invoiceNumber;
  const std::string balance = "Balance due " + money(co.balanceDue);
  kit.text(title, FontRole::Title);
  ImFont* tf = kit.fonts.title;
  const float both =
      tf->CalcTextSizeA(tf->FontSize, 1e9f, 0.f, (title + "     " + balance).c_str()).x;
  if (both <= leftW) ImGui::SameLine(0, kit.m.mm(5));
  kit.text(balance, FontRole::Title);
  kit.model.items.back().id = "payment.balance";
  const float tileW = (leftW - 3 * gap) / 4;
  const ImVec2 tile(tileW, kit.m.mm(14));
  struct TenderTile {
    TenderKind kind;
    const char* id;
    const char* label;
    bool enabled;
  };
  const TenderTile tenders[] = {
      {TenderKind::Cash, "payment.tender.cash", "Cash", true},
      {TenderKind::Check, "payment.tender.cheque", "Cheque", true},
      {TenderKind::CardExternal, "payment.tender.card", "Card", true},
      {TenderKind::Account, "payment.tender.account", "Account", co.chargeAccountEligible},
  };
  for (std::size_t i = 0; i < 4; ++i) {
    if (i) ImGui::SameLine();
    const auto& t = tenders[i];
    if (kit.tile(t.id, t.label, tile, tender_ == t.kind ? Selected::Yes : Selected::No,
                 t.enabled ? Enabled::Yes : Enabled::No)) {
      tender_ = t.kind;
      focus_ = Focus::Amount;
    }
  }
  const float fieldW = (leftW - gap) / 2;
  const ImVec2 field(fieldW, kit.m.mm(13));
  ImGui::BeginGroup();
  kit.text("Amount", FontRole::Body, colour::kMuted);
  if (kit.field("payment.amount", "Amount", amount_, "0", field, focus_ == Focus::Amount)) {
    focus_ = Focus::Amount;
  }
  ImGui::EndGroup();
  const AmountCheck check = checkAmount(amount_, co);
  std::string tenderProblem;
  // Cash: Tendered beside the amount (one row: the receipt choice stays on a short screen).
  if (tender_ == TenderKind::Cash) {
    ImGui::SameLine(column(fieldW + gap));
    ImGui::BeginGroup();
    kit.text("Tendered", FontRole::Body, colour::kMuted);
    if (kit.field("payment.tendered", "Tendered", tendered_,
                  check.amount ? plainMoney(*check.amount) : std::string("0"), field,
                  focus_ == Focus::Tendered)) {
      focus_ = Focus::Tendered;
    }
    ImGui::EndGroup();
  }
  if (!check.problem.empty()) {
    kit.textWrapped(check.problem, leftW, FontRole::Body, colour::kErrorText);
    kit.model.items.back().id = "payment.amount.problem";
  }

  std::optional<checkout::Money> tenderedMoney;
  switch (tender_) {
    case TenderKind::Cash: {
      const float qW = (leftW - 3 * gap) / 4;
      if (kit.button("payment.exact", "Exact", ImVec2(qW, kit.m.mm(13)), Tone::Secondary,
                     check.amount ? Enabled::Yes : Enabled::No) &&
          check.amount) {
        tendered_ = plainMoney(*check.amount);
      }
      if (check.amount) {
        int qi = 0;
        for (const auto& q : quickAmounts(*check.amount)) {
          ImGui::SameLine();
          if (kit.button("payment.quick." + std::to_string(qi++), plainMoney(q),
                         ImVec2(qW, kit.m.mm(13)))) {
            tendered_ = plainMoney(q);
          }
        }
      }
      if (check.amount) {
        if (tendered_.empty()) {
          tenderedMoney = check.amount;
        } else if (auto t = checkout::parse_amount(tendered_, check.amount->currency())) {
          tenderedMoney = t.value();
        } else {
          tenderProblem = "Tendered: " + std::string(checkout::amount_refusal_message(t.error()));
        }
        if (tenderedMoney) {
          auto change = tenderedMoney->subtract(*check.amount);
          if (change && change.value().is_negative()) {
            tenderProblem = "Less cash than the amount.";
          } else if (change) {
            kit.text("Change " + money(change.value()), FontRole::Large, colour::kOk);
            kit.model.items.back().id = "payment.change";
          }
        }
      }
      break;
    }
    case TenderKind::Check:
      kit.text("Cheque number", FontRole::Body, colour::kMuted);
      if (kit.field("payment.cheque", "Cheque number", cheque_, "Number on the cheque", field,
                    focus_ == Focus::Cheque)) {
        focus_ = Focus::Cheque;
      }
      if (cheque_.empty()) tenderProblem = "Enter the cheque number.";
      break;
    case TenderKind::CardExternal: {
      kit.text("On the card terminal: take the card there, then enter what it printed.",
               FontRole::Body, colour::kMuted);
      const float bw = (leftW - 3 * gap) / 4;
      for (std::size_t i = 0; i < kBrands.size(); ++i) {
        if (i) ImGui::SameLine();
        if (kit.tile(std::string("payment.brand.") + kBrands[i], kBrandLabels[i],
                     ImVec2(bw, kit.m.mm(12)),
                     cardBrand_ == kBrands[i] ? Selected::Yes : Selected::No)) {
          cardBrand_ = kBrands[i];
        }
      }
      // No card number anywhere: the last four digits only, on a 4-digit keypad.
      if (kit.field("payment.last4", "Last 4", last4_, "Last 4",
                    ImVec2((fieldW - gap) / 2, kit.m.mm(13)), focus_ == Focus::Last4)) {
        focus_ = Focus::Last4;
      }
      ImGui::SameLine();
      if (kit.field("payment.approval-code", "Approval code", approvalCode_, "Approval code",
                    ImVec2(fieldW + (fieldW + gap) / 2, kit.m.mm(13)),
                    focus_ == Focus::ApprovalCode)) {
        focus_ = Focus::ApprovalCode;
        keys_.shift = true;
      }
      if (cardBrand_.empty()) {
        tenderProblem = "Choose the card's brand.";
      } else if (last4_.size() != 4) {
        tenderProblem = "Enter the card's last 4 digits.";
      } else if (approvalCode_.empty()) {
        tenderProblem = "Enter the approval code from the card terminal.";
      }
      break;
    }
    case TenderKind::Account:
      if (co.creditAvailable) {
        kit.text("Credit available " + money(*co.creditAvailable), FontRole::Title);
        kit.model.items.back().id = "payment.credit";
        if (check.amount) {
          const auto order = check.amount->compare(*co.creditAvailable);
          if (order && *order == std::strong_ordering::greater) {
            tenderProblem = "More than the credit available.";
          }
        }
      }
      break;
  }
  if (!tenderProblem.empty()) {
    kit.text(tenderProblem, FontRole::Body, colour::kErrorText);
    kit.model.items.back().id = "payment.tender.problem";
  }

  kit.text("Receipt", FontRole::Body, colour::kMuted);
  const float rW = (leftW - 2 * gap) / 3;
  struct ChoiceTile {
    app::ReceiptChoice choice;
    const char* id;
    const char* label;
  };
  const ChoiceTile choices[] = {
      {app::ReceiptChoice::Print, "payment.receipt.print", "Print receipt"},
      {app::ReceiptChoice::Email, "payment.receipt.email", "E-mail receipt"},
      {app::ReceiptChoice::None, "payment.receipt.none", "No receipt"}};
  for (std::size_t i = 0; i < 3; ++i) {
    if (i) ImGui::SameLine();
    if (kit.tile(choices[i].id, choices[i].label, ImVec2(rW, kit.m.mm(12)),
                 receiptChoice_ == choices[i].choice ? Selected::Yes : Selected::No)) {
      receiptChoice_ = choices[i].choice;
      if (receiptChoice_ == app::ReceiptChoice::Email) {
        focus_ = Focus::Email;
        keys_.shift = false;
      }
    }
  }
  if (receiptChoice_ == app::ReceiptChoice::Email) {
    if (kit.field("payment.email", "E-mail", email_, "customer@example.com",
                  ImVec2(leftW, kit.m.mm(13)), focus_ == Focus::Email)) {
      focus_ = Focus::Email;
      keys_.shift = false;
    }
    if (email_.find('@') == std::string::npos) tenderProblem = "Enter the e-mail address.";
  }
  ImGui::EndGroup();

  // The keypad: fixed keys for whichever number field has focus.
  ImGui::SameLine(column(leftW + kit.m.mm(6)));
  ImGui::BeginGroup();
  const char k =
      keypad(kit, "keypad.amount",
             decimals && (focus_ == Focus::Amount || focus_ == Focus::Tendered) ? KeypadPoint::Yes
                                                                                : KeypadPoint::No,
             key);
  TypedInput typed = readTypedInput();
  const bool textFocus = focus_ == Focus::ApprovalCode || focus_ == Focus::Email;
  auto editNumber = [&](std::string& text, std::size_t maxLen, bool point) {
    std::string in;
    if (k) in += k;
    if (!textFocus) {
      for (char c : typed.text) {
        if ((c >= '0' && c <= '9') || (point && c == '.')) in += c;
      }
      if (typed.backspace) in += '<';
    }
    for (char c : in) {
      if (&text == &amount_ && amountPristine_) {
        // The first key replaces the prefilled balance.
        amountPristine_ = false;
        text.clear();
        if (c == '<') continue;
      }
      keyInto(text, c, maxLen);
    }
  };
  switch (focus_) {
    case Focus::Amount:
      editNumber(amount_, 16, decimals);
      break;
    case Focus::Tendered:
      editNumber(tendered_, 16, decimals);
      break;
    case Focus::Cheque:
      editNumber(cheque_, 12, false);
      break;
    case Focus::Last4:
      editNumber(last4_, 4, false);
      break;
    default:
      break;
  }
  const bool can = check.amount && tenderProblem.empty() && co.mayTakePayment && co.statusKnown &&
                   co.stage == checkout::CheckoutStage::TakingPayment && !paymentPosted_;
  bool take = kit.button("payment.take", "Take payment", ImVec2(padW, kit.m.mm(15)), Tone::Primary,
                         can ? Enabled::Yes : Enabled::No);
  if (kit.button("payment.back", "Back", ImVec2(padW, kit.m.target()))) show(Screen::Invoice);
  if (!textFocus && typed.enter && can) take = true;
  ImGui::EndGroup();

  if (textFocus) {
    std::string& text = focus_ == Focus::Email ? email_ : approvalCode_;
    typeInto(text, typed, focus_ == Focus::Email ? 254 : 16);
    if (keyboardPanel(kit, text, focus_ == Focus::Email ? 254 : 16, content_.x) || typed.enter) {
      focus_ = Focus::Amount;
    }
  }

  if (take && can) {
    app::intent::TakePayment p;
    p.tender = tender_;
    p.amount = plainMoney(*check.amount);
    if (tender_ == TenderKind::Cash && tenderedMoney) p.tendered = plainMoney(*tenderedMoney);
    if (tender_ == TenderKind::Check) p.checkNumber = cheque_;
    if (tender_ == TenderKind::CardExternal)
      p.card = checkout::CardDetails{cardBrand_, last4_, approvalCode_};
    p.receipt = receiptChoice_;
    if (receiptChoice_ == app::ReceiptChoice::Email) p.email = email_;
    receiptBefore_ = snap.receipt ? snap.receipt->receiptId : std::string();
    refusalBefore_ = snap.refusal ? snap.refusal->serial : 0;
    paymentPosted_ = true;
    ctx.post(std::move(p));
  }
}

// ---------------------------------------------------------------- Done

void Screens::done(Kit& kit, FrameContext& ctx) {
  const auto& snap = ctx.snap;
  const float gap = kit.m.gap();
  const float previewW = std::min(kit.m.mm(80), content_.x * 0.38f);
  const float leftW = content_.x - previewW - kit.m.mm(6);
  const app::ReceiptView* r = snap.receipt ? &*snap.receipt : nullptr;
  if (emailOpen_ && r) {
    // The address on the keyboard: the field and its actions above the keyboard panel.
    kit.text("E-mail receipt · " + r->receiptReference, FontRole::Title);
    kit.field("done.email.address", "E-mail", email_, "customer@example.com",
              ImVec2(content_.x, kit.m.mm(13)), true);
    const ImVec2 eb(kit.m.mm(40), kit.m.target());
    if (kit.button("done.email.cancel", "Cancel", eb)) emailOpen_ = false;
    ImGui::SameLine();
    const bool can = email_.find('@') != std::string::npos;
    bool send = kit.button("done.email.send", "Send e-mail", ImVec2(eb.x * 1.5f, eb.y),
                           Tone::Primary, can ? Enabled::Yes : Enabled::No);
    const TypedInput typed = readTypedInput();
    typeInto(email_, typed, 254);
    if (keyboardPanel(kit, email_, 254, content_.x) || typed.enter) send = send || can;
    if (send && can) {
      ctx.post(app::intent::EmailReceipt{checkout::ReceiptId::parse(r->receiptId), email_});
      email_.clear();
      emailOpen_ = false;
    }
    return;
  }
  ImGui::BeginGroup();
  if (r) {
    const bool full = r->paymentType == checkout::PaymentType::PaidInFull;
    kit.text(full ? "Paid in full" : "Partial payment", FontRole::Large, colour::kOk);
    kit.model.items.back().id = "done.outcome";
    kit.text("Paid " + money(r->amount) + " · receipt " + r->receiptReference, FontRole::Body);
    if (!full) {
      kit.text("Remaining balance " + money(r->remainingBalance), FontRole::Title);
      kit.model.items.back().id = "done.remaining";
    }
  }
  if (snap.checkout && !snap.checkout->payments.empty()) {
    const auto& p = snap.checkout->payments.back();
    kit.text(p.tenderText, FontRole::Body, colour::kMuted);
    if (p.change) {
      kit.text("Change " + money(*p.change), FontRole::Large);
      kit.model.items.back().id = "done.change";
    }
    if (p.capturedOffline && snap.connectivity.backendConfigured)
      kit.text("Taken offline: it syncs when the backend is back.", FontRole::Body, colour::kMuted);
  }
  const ImVec2 b((leftW - gap) / 2, kit.m.target());
  if (r) {
    using O = app::ReceiptOutcome;
    switch (r->outcome) {
      case O::Pending:
        kit.text(r->channel == "EMAIL" ? "Sending the e-mail…" : "Printing the receipt…",
                 FontRole::Title);
        ctx.redrawAfter(std::chrono::milliseconds(250));
        break;
      case O::Sent:
        kit.text(r->channel == "EMAIL" ? "Receipt e-mailed" : "Receipt printed", FontRole::Title,
                 colour::kOk);
        break;
      case O::Failed:
        kit.banner("done.failed",
                   r->printerMessage.empty()
                       ? "Printer unavailable. Load paper or select email option."
                       : r->printerMessage,
                   colour::kErrorBg, colour::kErrorText, leftW);
        if (kit.button("done.retry", "Retry", b, Tone::Primary, Enabled::Yes)) {
          ctx.post(app::intent::RetryPrint{checkout::ReceiptId::parse(r->receiptId)});
        }
        ImGui::SameLine();
        if (kit.button("done.email", "E-mail receipt", b)) {
          emailOpen_ = true;
          keys_.shift = false;
        }
        break;
      case O::PossiblyPrinted:
        kit.banner("done.possibly-printed",
                   "The receipt may have printed. Check the printer's output (and the paper) "
                   "before printing again: a second print is marked as a copy.",
                   colour::kWarnBg, colour::kWarnText, leftW);
        if (kit.button("done.email", "E-mail receipt", b)) emailOpen_ = true;
        break;
      case O::Suppressed:
        kit.text("No receipt (it can be printed later)", FontRole::Title);
        if (kit.button("done.print", "Print receipt", b, Tone::Secondary,
                       r->mayDeliver ? Enabled::Yes : Enabled::No)) {
          if (auto id = checkout::ReceiptId::parse(r->receiptId))
            ctx.post(app::intent::PrintReceipt{*id});
        }
        ImGui::SameLine();
        if (kit.button("done.email", "E-mail receipt", b)) emailOpen_ = true;
        break;
      case O::Bounced:
        kit.banner("done.bounced", "The e-mail bounced. Print the receipt instead.",
                   colour::kWarnBg, colour::kWarnText, leftW);
        if (kit.button("done.print", "Print receipt", b)) {
          if (auto id = checkout::ReceiptId::parse(r->receiptId))
            ctx.post(app::intent::PrintReceipt{*id});
        }
        break;
      case O::kCount:
        break;
    }
  }
  const TypedInput typed = readTypedInput();
  // At the bottom, where it stays while the outcome above it changes (a tap never lands on a
  // button that moved under the finger).
  ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), contentTop_ + content_.y - kit.m.mm(14)));
  if (kit.button("done.new", "New checkout", ImVec2(leftW, kit.m.mm(14)), Tone::Primary) ||
      typed.enter) {
    ctx.post(app::intent::CloseCheckout{});
    show(Screen::Counter);
  }
  ImGui::EndGroup();
  ImGui::SameLine(column(leftW + kit.m.mm(6)));
  if (r) receiptPreview(kit, *r, ImVec2(previewW, content_.y));
}

// ---------------------------------------------------------------- receipt preview

void Screens::receiptPreview(Kit& kit, const app::ReceiptView& receipt, ImVec2 size) {
  const PreviewImage image =
      previewLoader_ && !receipt.preview.empty() ? previewLoader_(receipt.preview) : PreviewImage{};
  ImGui::BeginGroup();
  kit.text("Receipt preview", FontRole::Body, colour::kMuted);
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float h = size.y - kit.m.mm(8);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + h), imColour(colour::kPanel));
  if (image.texture && image.width > 0) {
    // The decoder's PNG, scaled to the column's width; the top of a long receipt first.
    const float scale = std::min(1.f, size.x / image.width);
    const float shownH = std::min(h, image.height * scale);
    const float v = shownH / (image.height * scale);
    dl->AddImage(image.texture, pos, ImVec2(pos.x + image.width * scale, pos.y + shownH),
                 ImVec2(0, 0), ImVec2(1, v));
    ImGui::Dummy(ImVec2(size.x, h));
    DrawnItem item;
    item.id = "receipt.preview";
    item.label = receipt.receiptReference;
    item.kind = DrawnKind::Text;
    item.rect = {pos.x, pos.y, image.width * scale, shownH};
    item.fg = colour::kText;
    item.bg = colour::kPanel;
    kit.model.items.push_back(std::move(item));
  } else {
    ImGui::Dummy(ImVec2(size.x, kit.m.mm(2)));
    kit.pushBackground(colour::kPanel);
    kit.textWrapped(receipt.text.empty() ? std::string("No preview yet.") : receipt.text,
                    size.x - kit.m.mm(2), FontRole::Body, colour::kText);
    kit.model.items.back().id = "receipt.text";
    kit.popBackground();
  }
  ImGui::EndGroup();
}

}  // namespace pos::ui
