// Headless screen tests (issue 11, "Proof"): every screen renders with SDL's dummy driver and is
// checked through the UI's own model of what it drew; each PNG is written under the build
// directory (tests/ui/artifacts). Taps are real SDL finger events through the input queue.
//
// Sections: fixture · every screen · sizes, contrast, 1024x768 · glyphs · input handling ·
// screen behaviour
#include <gtest/gtest.h>

#include <imgui.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "ui_harness.hpp"

namespace pos::ui::testing {
namespace {

const std::string kArtifacts = std::string(POS_BINARY_DIR) + "/tests/ui/artifacts";

template <class T>
const T* intentOf(const FrameResult& r) {
  for (const auto& i : r.intents) {
    if (const T* t = std::get_if<T>(&i)) return t;
  }
  return nullptr;
}

// Draws the case: signs in (a first frame), goes to its screen, settles.
FrameResult render(Harness& h, const ScreenCase& c) {
  const auto snap = c.snapshot();
  h.run(snap);
  if (c.screen != Screen::SignIn) h.session().show(c.screen);
  return h.run(snap, 3);
}

// ---------------------------------------------------------------- every screen

TEST(Screens, EveryScreenRendersWithItsLabelsAndWritesItsPng) {
  Harness h;
  const auto preview = writePreviewPng(kArtifacts);
  struct Expect {
    std::string screen;
    std::vector<std::string> labels;
  };
  const std::map<std::string, Expect> expected{
      {"sign-in", {"Sign in", {"Sign in", "Anna Advisor", "Sara Supervisor"}}},
      {"sign-in-no-roster", {"Sign in", {"Sign in"}}},
      {"sign-in-wrong-pin", {"Sign in", {"Carl Cashier"}}},
      {"sign-in-locked", {"Sign in", {"Carl Cashier"}}},
      {"counter",
       {"Counter", {"Open", "Receipts", "Shift", "Drawer", "Sync", "Printer", "Sign out"}}},
      {"counter-offline", {"Counter", {"Open"}}},
      {"invoice", {"Invoice", {"Payment", "Refresh", "Back"}}},
      {"invoice-po", {"Invoice", {"Capture PO", "Override PO"}}},
      {"invoice-unknown-status", {"Invoice", {"Refresh"}}},
      {"override", {"Override", {"Request approval", "Customer will send the PO later"}}},
      {"approval", {"Override", {"Approve", "Cancel", "Sara Supervisor"}}},
      {"payment",
       {"Payment",
        {"Cash", "Cheque", "Card", "Account", "Take payment", "Exact", "Print receipt",
         "E-mail receipt", "No receipt"}}},
      {"payment-no-partial", {"Payment", {"Take payment"}}},
      {"done-failed", {"Done", {"Retry", "E-mail receipt", "New checkout"}}},
      {"done-printed", {"Done", {"New checkout"}}},
      {"sync", {"Sync", {"Retry", "Retry all"}}},
      {"receipts", {"Receipts", {"Search", "Print", "E-mail", "Reprint"}}},
      {"shift",
       {"Shift", {"Open shift", "Paid in", "Paid out", "X report", "Close shift", "No sale"}}},
      {"drawer", {"Drawer", {"Open drawer"}}},
      {"printer", {"Printer", {"Test page", "Refresh"}}},
  };
  for (const auto& c : allScreens(preview)) {
    SCOPED_TRACE(c.name);
    const auto r = render(h, c);
    const auto& e = expected.at(c.name);
    EXPECT_EQ(r.drawn.screen, e.screen);
    for (const auto& label : e.labels) {
      EXPECT_NE(r.drawn.findLabel(label), nullptr) << "no target labelled " << label;
    }
    // The status bar is on every screen.
    EXPECT_NE(r.drawn.find("status.connection"), nullptr);
    EXPECT_NE(r.drawn.find("status.printer"), nullptr);
    EXPECT_TRUE(h.session().savePng(kArtifacts + "/" + c.name + ".png"));
    EXPECT_GT(std::filesystem::file_size(kArtifacts + "/" + c.name + ".png"), 2000u);
  }
}

TEST(Screens, SemanticsOfTheMainStates) {
  Harness h;
  const auto preview = writePreviewPng(kArtifacts);
  auto byName = [&](const std::string& name) {
    for (auto& c : allScreens(preview)) {
      if (c.name == name) return render(h, c);
    }
    throw std::runtime_error(name);
  };
  {
    const auto r = byName("sign-in-wrong-pin");
    // The tries left show for the last user tried once that user is chosen.
    h.tap("signin.user.cash-carl");
    const auto r2 = h.run(signInWrongPin());
    EXPECT_TRUE(r2.drawn.shows("Wrong PIN · 2 tries left"));
    (void)r;
  }
  {
    h.run(signInLockedOut());
    h.tap("signin.user.cash-carl");
    h.run(signInLockedOut());
    h.now = at(10, 50);  // the shake is over
    const auto r = h.run(signInLockedOut());
    EXPECT_TRUE(r.drawn.shows("Locked: try again in 9:59")) << r.drawn.toJson();
    EXPECT_FALSE(r.drawn.find("signin.submit")->enabled);
    EXPECT_EQ(r.redrawIn.value(), std::chrono::seconds(1)) << "the countdown ticks once a second";
  }
  {
    const auto r = byName("counter-offline");
    const auto* banner = r.drawn.find("banner.offline");
    ASSERT_NE(banner, nullptr);
    EXPECT_NE(banner->label.find("Offline since 10:42"), std::string::npos) << banner->label;
    EXPECT_NE(banner->label.find("3 waiting to sync"), std::string::npos);
    EXPECT_NE(banner->label.find("USD 1,500.00"), std::string::npos);
    EXPECT_NE(banner->label.find("payments stop in"), std::string::npos);
    EXPECT_EQ(r.drawn.find("status.connection")->label, "Offline since 10:42");
  }
  {
    const auto r = byName("invoice");
    EXPECT_TRUE(r.drawn.shows("Balance due  USD 101.36"));
    EXPECT_TRUE(r.drawn.shows("Tire rotation"));
    EXPECT_TRUE(r.drawn.find("invoice.pay")->enabled);
    EXPECT_NE(r.drawn.findLabel("Copy WO-1001"), nullptr) << "links show the id with a copy action";
  }
  {
    const auto r = byName("invoice-unknown-status");
    EXPECT_NE(r.drawn.find("invoice.unknown-status"), nullptr);
    EXPECT_TRUE(r.drawn.shows("DISPUTED"));
    EXPECT_FALSE(r.drawn.find("invoice.pay")->enabled) << "every action blocked";
  }
  {
    const auto r = byName("approval");
    EXPECT_EQ(r.drawn.overlay, "Supervisor approval");
    EXPECT_TRUE(r.drawn.shows("Override PO requirement · INV-1005 · reason PO_TO_FOLLOW"));
    EXPECT_EQ(r.drawn.find("approval.count")->label, "approval 1 of 2");
    EXPECT_EQ(r.drawn.find("approval.mode")->label, "Online approval");
    EXPECT_EQ(r.drawn.find("approval.approver.adv-anna"), nullptr) << "never the operator";
    EXPECT_NE(r.drawn.find("approval.approver.sup-sam"), nullptr);
    EXPECT_EQ(r.drawn.find("invoice.capture-po"), nullptr) << "the guarded screen takes no taps";
  }
  {
    const auto r = byName("payment-no-partial");
    EXPECT_TRUE(r.drawn.find("payment.take")->enabled);
    EXPECT_TRUE(r.drawn.shows("Change USD 0.00"));
  }
  {
    const auto r = byName("done-failed");
    EXPECT_TRUE(r.drawn.shows("Printer unavailable. Load paper or select email option."));
    EXPECT_EQ(r.drawn.find("done.outcome")->label, "Paid in full");
  }
  {
    const auto r = byName("done-printed");
    EXPECT_NE(r.drawn.find("receipt.preview"), nullptr) << "the decoder's PNG is shown";
    EXPECT_TRUE(r.drawn.shows("Receipt printed"));
    EXPECT_TRUE(r.drawn.shows("Change USD 18.64"));
  }
  {
    const auto r = byName("receipts");
    EXPECT_NE(r.drawn.find("receipts.copy-mark"), nullptr);
    EXPECT_NE(r.drawn.find("receipts.item.R-T-DEMO-01-20261121T091200Z-0002"), nullptr);
  }
  {
    const auto r = byName("sync");
    EXPECT_TRUE(r.drawn.shows("PAYMENT_AMOUNT_MISMATCH"));
    EXPECT_TRUE(r.drawn.shows("correlation 0193a1b0-6e00-7000-8000-0000000000e9"));
    EXPECT_NE(r.drawn.find("sync.retry.41"), nullptr);
  }
}

// ---------------------------------------------------------------- sizes, contrast, 1024x768

// keypadMm: the smallest keypad key (about 18 mm where they fit; a short screen's give way).
void checkSizes(const DrawnModel& d, double pxPerMm, float width, float height,
                double keypadMm = 14) {
  const auto mm = [&](double v) { return static_cast<float>(v * pxPerMm); };
  std::vector<const DrawnItem*> targets;
  for (const auto& item : d.items) {
    SCOPED_TRACE(d.screen + " " + item.id + " '" + item.label + "'");
    if (item.label.empty() && item.kind == DrawnKind::Text) continue;
    EXPECT_GE(contrastRatio(item.fg, item.bg), 4.5) << std::hex << item.fg << " on " << item.bg;
    if (item.kind == DrawnKind::Text && item.id != "receipt.preview") {
      EXPECT_GE(item.capHeightPx, mm(3.5) - 0.5f) << "body text cap height";
    }
    EXPECT_LE(item.rect.x + item.rect.w, width + 0.5f) << "inside the window";
    EXPECT_LE(item.rect.y + item.rect.h, height + 0.5f) << "inside the window";
    if (item.kind == DrawnKind::Text && !item.clipped) {
      EXPECT_TRUE(item.labelFits) << "the text runs past the edge of its panel or list";
    }
    if (item.kind == DrawnKind::Text || item.clipped) continue;
    EXPECT_TRUE(item.labelFits) << "the label is cut off";
    EXPECT_GE(item.rect.w, mm(10) - 0.5f) << "touch target width";
    EXPECT_GE(item.rect.h, mm(10) - 0.5f) << "touch target height";
    if (item.kind == DrawnKind::Key && item.id.rfind("keypad.", 0) == 0) {
      EXPECT_GE(item.rect.w, mm(keypadMm)) << "keypad keys are about 18 mm";
      EXPECT_LE(item.rect.w, mm(19));
    }
    targets.push_back(&item);
  }
  // A gap of at least 2 mm between any two targets.
  for (std::size_t i = 0; i < targets.size(); ++i) {
    for (std::size_t j = i + 1; j < targets.size(); ++j) {
      const Rect& a = targets[i]->rect;
      const Rect& b = targets[j]->rect;
      const float dx = std::max(b.x - (a.x + a.w), a.x - (b.x + b.w));
      const float dy = std::max(b.y - (a.y + a.h), a.y - (b.y + b.h));
      EXPECT_GE(std::max(dx, dy), mm(2) - 0.5f)
          << d.screen << ": " << targets[i]->id << " and " << targets[j]->id << " are too close";
    }
  }
}

TEST(Screens, EveryTargetIsAtLeast10mmWith2mmGapsAndTextIsLegible) {
  Harness h;
  const auto preview = writePreviewPng(kArtifacts);
  for (const auto& c : allScreens(preview)) {
    SCOPED_TRACE(c.name);
    const auto r = render(h, c);
    checkSizes(r.drawn, 5.03, 1280, 800);
  }
  // The totals: cap height >= 6 mm.
  const auto r = render(h, {"invoice", Screen::Invoice, invoiceConsumer});
  EXPECT_GE(r.drawn.find("invoice.balance")->capHeightPx, 6 * 5.03f - 0.5f);
}

TEST(Screens, TheLayoutWorksAt1024x768) {
  Harness h(1024, 768);
  const auto preview = writePreviewPng(kArtifacts);
  for (const auto& c : allScreens(preview)) {
    SCOPED_TRACE(c.name);
    const auto r = render(h, c);
    checkSizes(r.drawn, 5.03, 1024, 768);
    if (c.name == "payment" || c.name == "sign-in" || c.name == "approval") {
      EXPECT_TRUE(h.session().savePng(kArtifacts + "/1024x768-" + c.name + ".png"));
    }
  }
}

TEST(Screens, TheLayoutWorksAt1280x720) {
  // A 16:9 kiosk panel at the configured density (122 mm tall): the keypads' keys give way,
  // and every label still fits its key or panel (the kiosk showed "Bac"). (Not every screen
  // fits 122 mm yet: see the report; the labels are checked here.)
  Harness h(1280, 720, 5.88);
  const auto preview = writePreviewPng(kArtifacts);
  for (const auto& c : allScreens(preview)) {
    SCOPED_TRACE(c.name);
    const auto r = render(h, c);
    for (const auto& item : r.drawn.items) {
      SCOPED_TRACE(item.id + " '" + item.label + "'");
      if (item.clipped || (item.kind == DrawnKind::Text && item.label.empty())) continue;
      EXPECT_TRUE(item.labelFits) << "cut off";
    }
    if (const auto* back = r.drawn.find("keypad.pin.back")) {
      EXPECT_TRUE(back->label == "Back" || back->label == "\u2190") << back->label;
    }
  }
}

TEST(Screens, TheLayoutWorksAtTheConfiguredDefaultDensity) {
  // [screen] px_per_mm's default: a 10.1" 1280x800 panel is 217 mm wide, 5.88 px/mm.
  Harness h(1280, 800, 5.88);
  const auto preview = writePreviewPng(kArtifacts);
  for (const auto& c : allScreens(preview)) {
    SCOPED_TRACE(c.name);
    const auto r = render(h, c);
    checkSizes(r.drawn, 5.88, 1280, 800);
  }
}

// ---------------------------------------------------------------- glyphs

TEST(Screens, TheFontHasEveryCharacterTheShopUses) {
  Harness h;
  ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  const std::u16string text =
      u"€£¥ Müller & Söhne Großhandelsstraße Zażółć gęślą jaźń Příliš žluťoučký kůň "
      u"Съешь же ещё Ελληνικά — – … · “quoted” ‘single’ •";
  for (char16_t c : text) {
    EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(c)), nullptr)
        << "no glyph for U+" << std::hex << static_cast<int>(c);
  }
  // OversampleH = 1 keeps the atlas small (ui-and-build.md).
  EXPECT_LE(h.session().fontAtlasBytes(), 16u * 1024 * 1024);
}

// ---------------------------------------------------------------- input handling

TEST(Input, ATapOnTheSignInKeypadCollectsThePinAsDotsAndSignsIn) {
  Harness h;
  h.run(signedOut());
  h.tap("signin.user.adv-anna");
  h.run(signedOut());
  for (int i = 0; i < 4; ++i) {
    h.tap("keypad.pin.1");
    h.run(signedOut());
  }
  EXPECT_EQ(h.drawn().find("signin.pin")->label, "4 digits");
  for (const auto& item : h.drawn().items) {
    EXPECT_EQ(item.label.find("1111"), std::string::npos) << "never the digits: " << item.id;
  }
  h.tap("signin.submit");
  const auto r = h.run(signedOut());
  const auto* signIn = intentOf<app::intent::SignIn>(r);
  ASSERT_NE(signIn, nullptr);
  EXPECT_EQ(signIn->user.str(), "adv-anna");
  EXPECT_EQ(signIn->pin.reveal(), "1111");
  EXPECT_EQ(h.drawn().find("signin.pin")->label, "0 digits") << "wiped after the intent";
}

TEST(Input, TapsThatArriveInOneBatchAreAllCounted) {
  Harness h;
  h.run(signedOut());
  h.tap("signin.user.cash-carl");
  h.run(signedOut());
  // Six taps in one event batch (a quick finger, a script): each is applied in its own frames.
  for (const char* k : {"keypad.pin.2", "keypad.pin.2", "keypad.pin.2", "keypad.pin.2",
                        "keypad.pin.5", "keypad.pin.back"}) {
    h.tap(k);
  }
  h.run(signedOut());
  EXPECT_EQ(h.drawn().find("signin.pin")->label, "4 digits");
}

TEST(Input, TouchMadeMouseEventsAreNotCountedTwice) {
  Harness h;
  h.run(signedOut());
  h.tap("signin.user.adv-anna");
  h.run(signedOut());
  const auto* key = h.drawn().find("keypad.pin.7");
  // A touch screen sends a mouse down/up (which == SDL_TOUCH_MOUSEID) with each finger.
  SDL_Event m{};
  m.type = SDL_MOUSEBUTTONDOWN;
  m.button.which = SDL_TOUCH_MOUSEID;
  m.button.button = SDL_BUTTON_LEFT;
  m.button.x = static_cast<Sint32>(key->rect.cx());
  m.button.y = static_cast<Sint32>(key->rect.cy());
  SDL_PushEvent(&m);
  h.fingerDown(key->rect.cx(), key->rect.cy());
  m.type = SDL_MOUSEBUTTONUP;
  SDL_PushEvent(&m);
  h.fingerUp(key->rect.cx(), key->rect.cy());
  h.run(signedOut());
  EXPECT_EQ(h.drawn().find("signin.pin")->label, "1 digits");
}

TEST(Input, AFingerThatMovesIsADragNotATap) {
  Harness h;
  const auto snap = counterIdle();
  h.run(snap);
  const auto* b = h.drawn().find("counter.sign-out");
  if (!b) b = h.drawn().find("counter.signout");
  ASSERT_NE(b, nullptr);
  h.fingerDown(b->rect.cx(), b->rect.cy());
  h.run(snap);
  h.fingerMove(b->rect.cx() + 40, b->rect.cy());
  h.run(snap);
  h.fingerMove(b->rect.cx(), b->rect.cy());
  h.fingerUp(b->rect.cx(), b->rect.cy());
  const auto r = h.run(snap);
  EXPECT_EQ(intentOf<app::intent::SignOut>(r), nullptr);
  h.tap("counter.signout");
  EXPECT_NE(intentOf<app::intent::SignOut>(h.run(snap)), nullptr) << "a still tap signs out";
}

TEST(Input, AScannerTypesTheWorkOrderAndEnterIntoTheFocusedField) {
  Harness h;
  const auto snap = counterIdle();
  h.run(snap);
  EXPECT_TRUE(h.drawn().find("counter.workorder")->selected) << "Work order has the focus";
  h.type("WO-1001");
  h.key(SDL_SCANCODE_RETURN);
  const auto r = h.run(snap);
  const auto* open = intentOf<app::intent::OpenCheckout>(r);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->code, "WO-1001");
}

TEST(Input, BackspacesInOneBatchAreEachApplied) {
  Harness h;
  const auto snap = counterIdle();
  h.run(snap);
  h.type("WO-100199");
  h.key(SDL_SCANCODE_BACKSPACE);
  h.key(SDL_SCANCODE_BACKSPACE);
  h.run(snap);
  EXPECT_EQ(h.drawn().find("counter.workorder")->value, "WO-1001");
}

TEST(Input, NoHoverStaysAfterAFingerLifts) {
  Harness h;
  const auto snap = counterIdle();
  h.run(snap);
  h.tap("counter.keyboard");
  h.run(snap);
  EXPECT_FALSE(ImGui::IsAnyItemHovered());
  EXPECT_LT(ImGui::GetIO().MousePos.x, -1e30f);
}

// ---------------------------------------------------------------- screen behaviour

TEST(Behaviour, PaymentPrefillsTheBalanceAndTakesCashWithChange) {
  Harness h;
  const auto snap = invoiceConsumer();
  h.run(snap);
  h.session().show(Screen::Payment);
  h.run(snap);
  EXPECT_EQ(h.drawn().find("payment.amount")->value, "101.36");
  h.tap("payment.tendered");
  h.run(snap);
  for (const char* k : {"keypad.amount.1", "keypad.amount.2", "keypad.amount.0"}) h.tap(k);
  h.run(snap);
  EXPECT_EQ(h.drawn().find("payment.tendered")->value, "120");
  EXPECT_EQ(h.drawn().find("payment.change")->label, "Change USD 18.64");
  // The keypad's keys did not move while typing.
  h.tap("payment.take");
  const auto r = h.run(snap);
  const auto* take = intentOf<app::intent::TakePayment>(r);
  ASSERT_NE(take, nullptr);
  EXPECT_EQ(take->tender, checkout::TenderKind::Cash);
  EXPECT_EQ(take->amount, "101.36");
  EXPECT_EQ(take->tendered.value_or(""), "120.00");
  EXPECT_EQ(take->receipt, app::ReceiptChoice::Print);
}

TEST(Behaviour, APartialPaymentIsRefusedWithTheReasonWhereTheAccountForbidsIt) {
  Harness h;
  const auto snap = paymentNoPartial();
  h.run(snap);
  h.session().show(Screen::Payment);
  h.run(snap);
  const Rect before = h.drawn().find("keypad.amount.5")->rect;
  h.tap("payment.amount");
  h.run(snap);
  h.tap("keypad.amount.5");
  h.tap("keypad.amount.0");
  h.run(snap);
  EXPECT_EQ(h.drawn().find("payment.amount")->value, "50");
  EXPECT_FALSE(h.drawn().find("payment.take")->enabled);
  EXPECT_TRUE(h.drawn().shows("This account takes no partial payments"));
  const Rect after = h.drawn().find("keypad.amount.5")->rect;
  EXPECT_EQ(before.x, after.x);
  EXPECT_EQ(before.y, after.y) << "keys never move while typing";
}

TEST(Behaviour, TheCardTenderTakesBrandLast4AndApprovalCodeOnly) {
  Harness h;
  const auto snap = invoiceConsumer();
  h.run(snap);
  h.session().show(Screen::Payment);
  h.run(snap);
  h.tap("payment.tender.card");
  h.run(snap);
  h.tap("payment.brand.VISA");
  h.tap("payment.last4");
  h.run(snap);
  for (const char* k : {"keypad.amount.4", "keypad.amount.2", "keypad.amount.4", "keypad.amount.2",
                        "keypad.amount.9"}) {
    h.tap(k);
  }
  h.run(snap);
  EXPECT_EQ(h.drawn().find("payment.last4")->value, "4242") << "four digits at most";
  h.tap("payment.approval-code");
  h.run(snap);
  h.type("A1B2C3");
  h.run(snap);
  h.tap("keyboard.done");
  h.run(snap);
  h.tap("payment.take");
  const auto r = h.run(snap);
  const auto* take = intentOf<app::intent::TakePayment>(r);
  ASSERT_NE(take, nullptr);
  ASSERT_TRUE(take->card);
  EXPECT_EQ(take->card->brand, "VISA");
  EXPECT_EQ(take->card->last4, "4242");
  EXPECT_EQ(take->card->approval_code, "A1B2C3");
}

TEST(Behaviour, ThePoIsTypedOnTheOnScreenKeyboardAndCaptured) {
  Harness h;
  const auto snap = invoicePoRequired();
  h.run(snap);
  h.session().show(Screen::Invoice);
  h.run(snap);
  EXPECT_FALSE(h.drawn().find("invoice.pay")->enabled) << "no payment before the PO";
  h.tap("invoice.po");
  h.run(snap);
  for (const char* k :
       {"keyboard.key.A", "keyboard.key.B", "keyboard.key.-", "keyboard.key.1", "keyboard.key.2",
        "keyboard.key.3", "keyboard.key.4", "keyboard.key.5", "keyboard.key.6"}) {
    h.tap(k);
  }
  h.run(snap);
  h.tap("keyboard.done");
  const auto r = h.run(snap);
  const auto* po = intentOf<app::intent::CapturePo>(r);
  ASSERT_NE(po, nullptr);
  EXPECT_EQ(po->poNumber, "AB-123456");
}

TEST(Behaviour, TheApprovalOverlayCollectsTheSupervisorsPin) {
  Harness h;
  const auto snap = overrideTwoApprovers();
  h.run(snap);
  h.tap("approval.approver.sup-sara");
  h.run(snap);
  for (const char* k :
       {"keypad.approval.4", "keypad.approval.3", "keypad.approval.2", "keypad.approval.1"}) {
    h.tap(k);
  }
  h.run(snap);
  h.tap("approval.approve");
  const auto r = h.run(snap);
  const auto* s = intentOf<app::intent::SubmitApproval>(r);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->approver.str(), "sup-sara");
  EXPECT_EQ(s->pin.reveal(), "4321");
}

TEST(Behaviour, AWrongPinShakesTheDotsThenSettles) {
  Harness h;
  auto snap = signInWrongPin();
  snap.signIn.wrongPinCount = 0;
  h.run(snap);
  snap.signIn.wrongPinCount = 1;
  const auto r = h.run(snap, 0);
  ASSERT_TRUE(r.redrawIn);
  EXPECT_LE(*r.redrawIn, std::chrono::milliseconds(16)) << "animating";
  h.now += std::chrono::seconds(1);
  const auto later = h.run(snap, 0);
  EXPECT_GT(later.redrawIn.value_or(std::chrono::hours(1)), std::chrono::milliseconds(500))
      << "idle again: nothing redraws until the clock's next minute";
}

TEST(Behaviour, TheFailedPrintOffersRetryAndEmail) {
  Harness h;
  const auto snap = doneFailedPrint();
  h.run(snap);
  h.session().show(Screen::Done);
  h.run(snap);
  h.tap("done.retry");
  const auto r = h.run(snap);
  const auto* retry = intentOf<app::intent::RetryPrint>(r);
  ASSERT_NE(retry, nullptr);
  ASSERT_TRUE(retry->receipt);
  h.tap("done.email");
  h.run(snap);
  h.type("jordan@example.com");
  h.run(snap);
  h.tap("done.email.send");
  const auto r2 = h.run(snap);
  const auto* email = intentOf<app::intent::EmailReceipt>(r2);
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->address, "jordan@example.com");
}

TEST(Behaviour, TheFloatIsCountedNoteByNoteWithTheTotalShownLive) {
  Harness h(1280, 800, 5.88);
  auto snap = counterIdle();
  snap.shift.reset();  // no shift yet
  h.run(snap);
  h.session().show(Screen::Shift);
  h.run(snap);
  h.tap("shift.open");
  h.run(snap);
  ASSERT_NE(h.drawn().find("shift.float.by-count"), nullptr) << "USD has notes and coins";
  h.tap("shift.float.by-count");
  h.run(snap);
  // Every USD note and coin has its count field; the total starts at zero.
  for (const char* id : {"shift.count.10000", "shift.count.2000", "shift.count.100",
                         "shift.count.25", "shift.count.1"}) {
    EXPECT_NE(h.drawn().find(id), nullptr) << id;
  }
  EXPECT_EQ(h.drawn().find("shift.float.total")->label, "Total USD 0.00");
  // 2 x 100.00 + 3 x 5.00 + 4 x 0.25: the keypad types whole pieces (no point; typed on the
  // physical keyboard, a point is dropped too).
  auto count = [&](const char* field, std::initializer_list<const char*> keys) {
    h.tap(field);
    h.run(snap);
    for (const char* k : keys) h.tap(k);
    h.run(snap);
  };
  count("shift.count.10000", {"keypad.shift.2"});
  EXPECT_EQ(h.drawn().find("shift.float.total")->label, "Total USD 200.00") << "shown live";
  EXPECT_EQ(h.drawn().find("keypad.shift.point"), nullptr) << "no point key for a count";
  count("shift.count.500", {"keypad.shift.3"});
  count("shift.count.25", {"keypad.shift.4"});
  h.tap("shift.count.500");
  h.run(snap);
  h.type(".");
  h.run(snap);
  EXPECT_EQ(h.drawn().find("shift.count.500")->value, "3") << "no point in a count";
  EXPECT_EQ(h.drawn().find("shift.float.total")->label, "Total USD 216.00");
  checkSizes(h.drawn(), 5.88, 1280, 800);
  h.tap("shift.submit");
  const auto r = h.run(snap);
  const auto* open = intentOf<app::intent::OpenShift>(r);
  ASSERT_NE(open, nullptr);
  ASSERT_EQ(open->openingFloat.size(), 1u);
  EXPECT_EQ(open->openingFloat[0], usd(21600)) << "the same amount as typed by hand";
  ASSERT_EQ(open->counted.size(), 3u);
  std::int64_t sum = 0;
  for (const auto& line : open->counted) sum += line.denomination.minor_units() * line.count;
  EXPECT_EQ(sum, 21600);
}

TEST(Behaviour, OnlyASupervisorCanTapTestPageWhileEveryoneSeesThePrinters) {
  Harness h;
  auto snap = printersListed();  // Anna: an advisor
  h.run(snap);
  h.session().show(Screen::Printer);
  h.run(snap);
  EXPECT_NE(h.drawn().find("printer.item.1"), nullptr) << "the printers' status is listed";
  ASSERT_NE(h.drawn().find("printer.test"), nullptr);
  EXPECT_FALSE(h.drawn().find("printer.test")->enabled);
  EXPECT_NE(h.drawn().find("printer.test-needs-supervisor"), nullptr);
  h.tap("printer.test");
  EXPECT_EQ(intentOf<app::intent::PrintTestPage>(h.run(snap)), nullptr);

  snap.user->permissions.grant(checkout::Permission::AuthElevate);  // a supervisor
  h.run(snap);
  EXPECT_TRUE(h.drawn().find("printer.test")->enabled);
  EXPECT_EQ(h.drawn().find("printer.test-needs-supervisor"), nullptr);
  h.tap("printer.test");
  EXPECT_NE(intentOf<app::intent::PrintTestPage>(h.run(snap)), nullptr);
}

TEST(Behaviour, SignedOutScreensForgetWhatWasTyped) {
  Harness h;
  auto snap = counterIdle();
  h.run(snap);
  h.type("WO-10");
  h.run(snap);
  h.run(signedOut());
  EXPECT_EQ(h.drawn().screen, "Sign in");
  h.run(snap);
  EXPECT_EQ(h.drawn().find("counter.workorder")->value, "");
}

}  // namespace
}  // namespace pos::ui::testing

namespace pos::ui::testing {
namespace {
TEST(Input, MouseClicksWorkLikeTaps) {
  Harness h;
  const auto snap = doneFailedPrint();
  h.run(snap);
  h.session().show(Screen::Done);
  h.run(snap);
  auto click = [&](const std::string& id) {
    const auto* item = h.drawn().find(id);
    ASSERT_NE(item, nullptr) << id;
    SDL_Event e{};
    e.type = SDL_MOUSEMOTION;
    e.motion.x = static_cast<Sint32>(item->rect.cx());
    e.motion.y = static_cast<Sint32>(item->rect.cy());
    SDL_PushEvent(&e);
    SDL_Event b{};
    b.type = SDL_MOUSEBUTTONDOWN;
    b.button.button = SDL_BUTTON_LEFT;
    b.button.x = e.motion.x;
    b.button.y = e.motion.y;
    SDL_PushEvent(&b);
    b.type = SDL_MOUSEBUTTONUP;
    SDL_PushEvent(&b);
  };
  click("done.email");
  h.run(snap);
  h.type("jordan@example.com");
  h.run(snap);
  click("done.email.send");
  const auto r = h.run(snap);
  EXPECT_NE(intentOf<app::intent::EmailReceipt>(r), nullptr);
  EXPECT_EQ(h.drawn().find("done.email.address"), nullptr);
}
}  // namespace
}  // namespace pos::ui::testing

namespace pos::ui::testing {
namespace {

// A fresh install has no roster yet: the sign-in screen says so and what to do, instead of an
// empty list of names.
TEST(Screens, SignInWithNoRosterSaysWhatToDo) {
  Harness h;
  auto snap = signedOut();
  snap.staff.clear();
  const auto r = h.run(snap);
  EXPECT_TRUE(r.drawn.shows("No staff list on this terminal yet."));
  EXPECT_TRUE(r.drawn.shows("Connect the backend, or ask IT to run: pos-terminal pull"));
}

}  // namespace
}  // namespace pos::ui::testing
