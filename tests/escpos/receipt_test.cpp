// The receipt template: loads from assets, renders the contract's content on 58 and 80 mm,
// summarises long invoices, marks reprints, and keeps outside text from forming instructions.
// Also writes the preview PNGs and bytes (receipt-58mm.png/.bin, receipt-80mm.png/.bin) into the
// build folder, for looking at and for the decoder fuzz corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/receipt.hpp>

#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::profile;

std::shared_ptr<const ReceiptTemplate> counter_template() {
  auto catalog = load_template_directory(std::filesystem::path(POS_ASSETS_DIR) / "templates");
  if (!catalog) throw std::runtime_error(catalog.error().message);
  return catalog->latest("counter-receipt").value();
}

// A synthetic shop logo: a dark disc with a gray ring on white, as a PNG like a shop would
// supply, prepared once for printing (scaled to 240 dots, Atkinson dithering).
std::shared_ptr<const MonoImage> logo() {
  static const std::shared_ptr<const MonoImage> prepared = [] {
    GrayImage g;
    g.width = 480;
    g.height = 160;
    for (int y = 0; y < g.height; ++y) {
      for (int x = 0; x < g.width; ++x) {
        const int dx = x - 80, dy = y - 80;
        const int r2 = dx * dx + dy * dy;
        std::uint8_t v = 255;
        if (r2 < 50 * 50)
          v = 20;
        else if (r2 < 75 * 75)
          v = 150;
        if (x > 180 && x < 460 && y > 50 && y < 110)
          v = static_cast<std::uint8_t>(40 + (x - 180) * 200 / 280);
        g.pixels.push_back(v);
      }
    }
    auto mono = raster_from_png(encode_png(g), 240, Dither::Atkinson);
    return std::make_shared<const MonoImage>(std::move(mono).value());
  }();
  return prepared;
}

ReceiptContent sample() {
  ReceiptContent c;
  c.logo = logo();
  c.shop_name = "ACME SERVICE";
  c.shop_lines = {"12 Market Street, Springfield", "Tel 555-0100"};
  c.tax_id = "NL123456789B01";
  c.receipt_reference = "RCP-INV-12345-20260105T143022Z-001";
  c.invoice_number = "INV-12345";
  c.payment_id = "PAY-9f2c";
  c.terminal_id = "COUNTER-2";
  c.cashier = "Sam Müller";
  c.local_time = "2026-01-05 15:30 CET";
  c.currency = "EUR";
  c.lines = {{"1", "Diagnostic check", "25.00", "25.00"},
             {"2", "Battery replacement incl. disposal of the old battery", "49.90", "99.80"},
             {"1", "Café crème", "3.20", "3.20"}};
  c.totals = {{"Subtotal", "128.00"}, {"Tax 8.25%", "10.56"}};
  c.total = "138.56";
  c.tenders = {{"CARD", "50.00", "VISA ****4242 auth 123456"}, {"CASH", "40.00", ""}};
  c.cash_tendered = "50.00";
  c.change = "10.00";
  c.payment_state = PaymentState::PartialPayment;
  c.remaining_balance = "48.56";
  c.barcode = "INV-12345";
  c.qr = "https://shop.example/r/RCP-INV-12345-20260105T143022Z-001";
  c.footer = {"Thank you - keep this receipt"};
  return c;
}

bool has_line(const DecodedReceipt& d, std::string_view text) {
  for (const auto& l : d.lines) {
    if (l.text.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ReceiptTemplate, RendersTheContractContentOnBothWidths) {
  const auto tmpl = counter_template();
  EXPECT_EQ(tmpl->version, 1);
  for (const char* id : {"generic-58mm", "generic-80mm"}) {
    SCOPED_TRACE(id);
    const auto& p = profile(id);
    auto r = render_receipt(*tmpl, sample(), p);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->template_id, "counter-receipt");
    EXPECT_EQ(r->replaced_characters, 0U);
    EXPECT_TRUE(r->warnings.empty());
    const auto d = decode(r->bytes, p);
    ASSERT_TRUE(d.unknown.empty()) << d.unknown[0].reason;
    for (const char* expected :
         {"ACME SERVICE", "Tax ID NL123456789B01", "INV-12345", "PAY-9f2c", "COUNTER-2",
          "Sam Müller", "2026-01-05 15:30 CET", "Diagnostic check", "Café crème", "Subtotal",
          "138.56", "VISA ****4242 auth 123456", "Cash tendered", "Change", "PARTIAL_PAYMENT",
          "Remaining balance", "48.56", "Thank you"}) {
      EXPECT_TRUE(has_line(d, expected)) << expected << "\n" << d.text;
    }
    EXPECT_FALSE(has_line(d, "PAID_IN_FULL"));
    // Every line fits the paper: the decoder would wrap a longer one onto a second line.
    for (const auto& l : d.lines) EXPECT_LE(display_width(l.text), p.font_a.columns) << l.text;
    // Tenders keep capture order.
    EXPECT_LT(d.text.find("CARD"), d.text.find("CASH"));
    // CODE128 of the value, the QR, one partial cut.
    int barcodes = 0, qrs = 0, cuts = 0;
    for (const auto& el : d.elements) {
      barcodes += el.kind == ElementKind::Barcode && el.value == "INV-12345" ? 1 : 0;
      qrs += el.kind == ElementKind::Qr ? 1 : 0;
      cuts += el.kind == ElementKind::Cut && el.value == "partial" ? 1 : 0;
    }
    EXPECT_EQ(barcodes, 1);
    EXPECT_EQ(qrs, 1);
    EXPECT_EQ(d.elements.front().kind, ElementKind::Raster);  // the logo comes first
    EXPECT_EQ(d.elements.front().width, 240);
    EXPECT_EQ(cuts, 1);
    EXPECT_EQ(d.picture.width, p.dot_width);
    const std::string stem =
        std::string(POS_BINARY_DIR) + "/receipt-" + (p.dot_width == 384 ? "58mm" : "80mm");
    std::ofstream(stem + ".bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(r->bytes.data()),
               static_cast<std::streamsize>(r->bytes.size()));
    const auto png = encode_png(d.picture);
    std::ofstream(stem + ".png", std::ios::binary)
        .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  }
}

TEST(ReceiptTemplate, EveryShippedProfilePrintsItCleanly) {
  const auto tmpl = counter_template();
  for (const auto& id : testing::catalog().ids()) {
    SCOPED_TRACE(id);
    const auto& p = profile(id);
    auto r = render_receipt(*tmpl, sample(), p);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->replaced_characters, 0U);
    const auto d = decode(r->bytes, p);
    EXPECT_TRUE(d.unknown.empty());
    EXPECT_EQ(d.consumed, r->bytes.size());
    for (const auto& l : d.lines) EXPECT_LE(display_width(l.text), p.font_a.columns) << l.text;
    EXPECT_TRUE(has_line(d, "PARTIAL_PAYMENT"));
    const bool native_qr = p.qr == QrSupport::Native;
    const bool has_qr =
        std::any_of(d.elements.begin(), d.elements.end(),
                    [](const DecodedElement& el) { return el.kind == ElementKind::Qr; });
    EXPECT_EQ(has_qr, native_qr);  // raster-QR printers get an image instead
    if (id == "clone-58mm") {
      const auto png = encode_png(d.picture);
      std::ofstream(std::string(POS_BINARY_DIR) + "/receipt-clone-58mm.png", std::ios::binary)
          .write(reinterpret_cast<const char*>(png.data()),
                 static_cast<std::streamsize>(png.size()));
    }
  }
}

// Issue 15 (intended change): a receipt reference as the barcode used to print as 1-dot bars
// on 58 mm; it does not fit at 2 dots per module, so it is printed as text with a warning.
TEST(ReceiptTemplate, BarcodeTooLongForTwoDotsPerModuleIsPrintedAsText) {
  auto c = sample();
  c.logo = nullptr;  // the only picture would be the bars
  for (const char* value :
       {"RCP-INV-12345-20260105T143022Z-001", "RCP-INV-1234567890-20260105T143022Z-001"}) {
    c.barcode = value;
    auto t = render_receipt(*counter_template(), c, profile("generic-58mm"));
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->warnings.size(), 1U);
    EXPECT_NE(t->warnings[0].find("barcode printed as text"), std::string::npos);
    const auto d = decode(t->bytes, profile("generic-58mm"));
    EXPECT_TRUE(d.unknown.empty());
    for (const auto& e : d.elements) EXPECT_NE(e.kind, ElementKind::Raster);  // no thin bars
  }
}

TEST(ReceiptTemplate, PaidInFullAndReprintMark) {
  auto c = sample();
  c.payment_state = PaymentState::PaidInFull;
  c.copy = ReceiptCopyMark{"REPRINT 2", "2026-01-06 09:00 CET", "alex", "CUSTOMER_REQUEST"};
  auto r = render_receipt(*counter_template(), c, profile("generic-80mm"));
  ASSERT_TRUE(r.ok());
  const auto d = decode(r->bytes, profile("generic-80mm"), DrawMode::TextOnly);
  EXPECT_TRUE(has_line(d, "PAID_IN_FULL"));
  EXPECT_FALSE(has_line(d, "PARTIAL_PAYMENT"));
  EXPECT_TRUE(has_line(d, "REPRINT 2"));
  EXPECT_TRUE(has_line(d, "2026-01-06 09:00 CET"));
  EXPECT_TRUE(has_line(d, "By alex, reason CUSTOMER_REQUEST"));
}

TEST(ReceiptTemplate, LongInvoicesAreSummarised) {
  auto c = sample();
  c.lines.assign(30, {"1", "Labour (per 15 min)", "15.00", "15.00"});
  auto narrow = render_receipt(*counter_template(), c, profile("generic-58mm"));
  auto wide = render_receipt(*counter_template(), c, profile("generic-80mm"));
  ASSERT_TRUE(narrow.ok() && wide.ok());
  const auto dn = decode(narrow->bytes, profile("generic-58mm"), DrawMode::TextOnly);
  const auto dw = decode(wide->bytes, profile("generic-80mm"), DrawMode::TextOnly);
  std::string narrow_text = dn.text;  // the sentence wraps on 32 columns
  std::replace(narrow_text.begin(), narrow_text.end(), '\n', ' ');
  EXPECT_NE(narrow_text.find("+ 23 more lines: see invoice for details"),
            std::string::npos);                                           // 7 of 30 shown
  EXPECT_TRUE(has_line(dw, "+ 11 more lines: see invoice for details"));  // 19 shown
}

TEST(ReceiptTemplate, OutsideTextCannotFormInstructionsOrControlBytes) {
  auto c = sample();
  c.cashier = "@cut full";
  c.lines = {{"1", "Pipe | split @row x | y", "1.00", "1.00"}};
  c.shop_name = "Evil\x1Bp\x00\x19\x10\x04";
  c.footer = {"%40cut full", "100% done"};
  auto r = render_receipt(*counter_template(), c, profile("generic-80mm"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto d = decode(r->bytes, profile("generic-80mm"), DrawMode::TextOnly);
  EXPECT_TRUE(d.unknown.empty());
  int cuts = 0, drawers = 0;
  for (const auto& el : d.elements) {
    cuts += el.kind == ElementKind::Cut ? 1 : 0;
    drawers += el.kind == ElementKind::DrawerPulse ? 1 : 0;
  }
  EXPECT_EQ(cuts, 1);  // only the template's own
  EXPECT_EQ(drawers, 0);
  EXPECT_TRUE(has_line(d, "@cut full"));
  EXPECT_TRUE(has_line(d, "Pipe | split @row x | y"));
  EXPECT_TRUE(has_line(d, "%40cut full"));
  EXPECT_TRUE(has_line(d, "100% done"));
  EXPECT_TRUE(has_line(d, "Evilp"));
}

TEST(ReceiptTemplate, DrawerKickGoesFirst) {
  auto r = render_receipt(*counter_template(), sample(), profile("generic-80mm"), DrawerKick::Pin2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::vector<std::uint8_t>(r->bytes.begin() + 5, r->bytes.begin() + 10),
            (std::vector<std::uint8_t>{0x1B, 0x70, 0, 50, 100}));
  auto clone =
      render_receipt(*counter_template(), sample(), profile("clone-58mm"), DrawerKick::Pin5);
  ASSERT_TRUE(clone.ok());
  EXPECT_EQ(clone->warnings.size(), 1U);
}

TemplateSource with_body(const std::string& body, const std::string& extra = "") {
  return {"t.toml", "id = \"t\"\nversion = 3\n" + extra + "body = '''\n" + body + "\n'''\n"};
}

TEST(ReceiptTemplateFile, RefusesBadFiles) {
  EXPECT_EQ(parse_template(with_body("@bogus")).error().code, ErrorCode::TemplateBadDirective);
  EXPECT_EQ(parse_template(with_body("@columns * *")).error().code,
            ErrorCode::TemplateBadDirective);
  EXPECT_EQ(parse_template(with_body("@row a | b")).error().code, ErrorCode::TemplateBadDirective);
  EXPECT_EQ(parse_template(with_body("@columns * >5\n@row a | b | c")).error().code,
            ErrorCode::TemplateBadDirective);
  EXPECT_EQ(parse_template(with_body("@align middle")).error().code,
            ErrorCode::TemplateBadDirective);
  EXPECT_EQ(parse_template(with_body("@style blink")).error().code,
            ErrorCode::TemplateBadDirective);
  EXPECT_EQ(parse_template(with_body("{{#open}}")).error().code, ErrorCode::TemplateSyntax);
  EXPECT_EQ(parse_template(with_body("x", "colour = 1\n")).error().code,
            ErrorCode::TemplateUnknownKey);
  EXPECT_EQ(parse_template({"t.toml", "id = \"t\"\nbody = 'x'\n"}).error().code,
            ErrorCode::TemplateSyntax);
  EXPECT_EQ(parse_template({"t.toml", "id = [\n"}).error().code, ErrorCode::TemplateSyntax);
  EXPECT_TRUE(parse_template(with_body("@columns <3 * >4\n@row a | b | c\nhello")).ok());
}

TEST(ReceiptTemplateFile, CatalogKeepsEveryVersionForReprints) {
  auto catalog = TemplateCatalog::parse(
      {with_body("v3 text"), {"t5.toml", "id = \"t\"\nversion = 5\nbody = 'v5'\n"}});
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  EXPECT_EQ(catalog->latest("t").value()->version, 5);
  EXPECT_EQ(catalog->find("t", 3).value()->body, "v3 text\n");
  EXPECT_EQ(catalog->find("t", 4).error().code, ErrorCode::TemplateNotFound);
  EXPECT_EQ(catalog->latest("nope").error().code, ErrorCode::TemplateNotFound);
  EXPECT_FALSE(
      TemplateCatalog::parse({with_body("a"), with_body("b")}).ok());  // same id+version twice
}

}  // namespace
}  // namespace pos::escpos
