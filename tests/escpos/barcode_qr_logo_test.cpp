// Issue 15: the receipt's barcode is a native GS k CODE128 at 2 dots per module carrying the
// compact receipt code (it fits 58 and 80 mm, the decoder shows it), and the template prints the
// receipt's QR code and the shop's logo when they are given.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include <pos/escpos/decoder.hpp>
#include <pos/escpos/receipt.hpp>

#include "code128.hpp"
#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::bytes;
using testing::profile;

std::shared_ptr<const ReceiptTemplate> counter_template() {
  auto catalog = load_template_directory(std::filesystem::path(POS_ASSETS_DIR) / "templates");
  if (!catalog) throw std::runtime_error(catalog.error().message);
  return catalog->latest("counter-receipt").value();
}

ReceiptContent content() {
  ReceiptContent c;
  c.shop_name = "ACME SERVICE";
  c.receipt_reference = "RCP-INV-12345-20260105T143022Z-001";
  c.invoice_number = "INV-12345";
  c.currency = "EUR";
  c.lines = {{"1", "Diagnostic check", "25.00", "25.00"}};
  c.total = "25.00";
  c.tenders = {{"CASH", "25.00", ""}};
  c.footer = {"Thank you"};
  return c;
}

TEST(CompactReceiptCode, DigitsInPairsAtMostThirteenCharacters) {
  EXPECT_EQ(compact_receipt_code(42).value(), "R00000042");
  EXPECT_EQ(compact_receipt_code(0).value(), "R00000000");
  EXPECT_EQ(compact_receipt_code(123456789).value(), "R0123456789");  // even digit count
  EXPECT_EQ(compact_receipt_code(kMaxCompactReceiptNumber).value(), "R999999999999");
  EXPECT_EQ(compact_receipt_code(kMaxCompactReceiptNumber).value().size(),
            kMaxCompactReceiptCodeLength);
  EXPECT_FALSE(compact_receipt_code(kMaxCompactReceiptNumber + 1).ok());
  for (std::uint64_t n : std::initializer_list<std::uint64_t>{0, 7, 42, 99999999, 100000000,
                                                              kMaxCompactReceiptNumber})
    EXPECT_EQ(parse_compact_receipt_code(compact_receipt_code(n).value()), n);
  EXPECT_EQ(parse_compact_receipt_code("r42"), 42U);
  for (const char* bad : {"", "R", "42", "R-1", "R+1", "R 42", "R42\n", "R0000000000000",
                          "RCP-INV-12345-20260105T143022Z-001", "X00000042", "R0x10"}) {
    EXPECT_FALSE(parse_compact_receipt_code(bad)) << bad;
  }
}

TEST(NativeBarcode, CompactCodeIsGsKCode128WithCodeSetCAtTwoDots) {
  Encoder e(profile("generic-80mm"));
  e.initialize();
  ASSERT_TRUE(e.barcode128("R00000042").ok());
  // GS h 60, GS w 2, GS H 2 (HRI below), GS f 0, GS k 73 n: {B 'R' then {C and the digit pairs
  // 00 00 00 42 as single bytes.
  EXPECT_EQ(std::vector<std::uint8_t>(e.bytes().begin() + 5, e.bytes().end()),
            bytes({0x1D, 0x68, 60, 0x1D, 0x77, 2,   0x1D, 0x48, 2, 0x1D, 0x66, 0, 0x1D,
                   0x6B, 73,   9,  '{',  'B',  'R', '{',  'C',  0, 0,    0,    42}));
}

TEST(NativeBarcode, LongestCompactCodeFits58And80MmAtTwoDotsPerModule) {
  std::vector<int> symbols;
  std::string data;
  ASSERT_TRUE(code128::encode("R999999999999", symbols, data));
  const int modules = code128::module_count(symbols);
  EXPECT_EQ(modules, 123);
  for (const char* id : {"generic-58mm", "clone-58mm", "generic-80mm", "epson-tm-t88v"}) {
    SCOPED_TRACE(id);
    const PrinterProfile& p = profile(id);
    EXPECT_LE(modules * 2, p.dot_width);
    Encoder e(p);
    e.initialize();
    ASSERT_TRUE(e.barcode128("R999999999999").ok());
    const auto& b = e.bytes();
    const std::vector<std::uint8_t> w2 = {0x1D, 0x77, 2};
    EXPECT_NE(std::search(b.begin(), b.end(), w2.begin(), w2.end()), b.end());  // GS w 2
  }
}

TEST(NativeBarcode, ReceiptBarcodeDecodesWithItsPictureAndHri) {
  for (const char* id : {"generic-58mm", "generic-80mm"}) {
    SCOPED_TRACE(id);
    const PrinterProfile& p = profile(id);
    auto c = content();
    c.barcode = compact_receipt_code(4711).value();
    const auto r = render_receipt(*counter_template(), c, p);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->warnings.empty());
    const auto d = decode(r->bytes, p);
    EXPECT_TRUE(d.unknown.empty());
    const DecodedElement* bar = nullptr;
    for (const auto& e : d.elements)
      if (e.kind == ElementKind::Barcode) bar = &e;
    ASSERT_NE(bar, nullptr);
    EXPECT_EQ(bar->value, "R00004711");
    EXPECT_EQ(bar->width, 101 * 2);  // START B, R, CODE C, 4 pairs, check: 8 x 11 + STOP 13
    EXPECT_EQ(bar->height, 60);
    // The bars are in the picture: a row of the preview whose dark runs match the bars' width.
    int best = 0;
    for (int y = 0; y < d.picture.height; ++y) {
      int first = -1, last = -1, dark = 0;
      for (int x = 0; x < d.picture.width; ++x) {
        if (d.picture.pixels[static_cast<std::size_t>(y * d.picture.width + x)] < 128) {
          if (first < 0) first = x;
          last = x;
          ++dark;
        }
      }
      if (first >= 0 && last - first + 1 > best && dark * 3 < (last - first + 1) * 2)
        best = last - first + 1;
    }
    EXPECT_GE(best, 101 * 2 - 13 * 2);  // from the first bar to the last
    // HRI text is drawn, not part of the text output.
    EXPECT_EQ(d.text.find("R00004711"), std::string::npos);
  }
}

TEST(QrAndLogo, TemplatePrintsTheQrPayloadAndTheConfiguredLogo) {
  // A shop's logo as a PNG file, as the terminal's configuration names it.
  GrayImage g;
  g.width = 400;
  g.height = 100;
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x) g.pixels.push_back((x / 20 + y / 20) % 2 == 0 ? 0 : 255);
  const auto png = encode_png(g);
  const auto path =
      std::filesystem::temp_directory_path() / ("pos-logo-" + std::to_string(::getpid()) + ".png");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
  const PrinterProfile& p = profile("generic-58mm");
  auto logo = load_receipt_logo(path, p, 256);
  std::filesystem::remove(path);
  ASSERT_TRUE(logo.ok()) << logo.error().message;
  EXPECT_EQ(logo.value()->width, 256);
  EXPECT_FALSE(load_receipt_logo(path, p).ok());  // gone: a clear error, not an empty logo

  auto c = content();
  c.logo = logo.value();
  c.qr = "https://shop.example/r/R00004711";
  const auto r = render_receipt(*counter_template(), c, p);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
  const auto d = decode(r->bytes, p, DrawMode::TextOnly);
  ASSERT_GE(d.elements.size(), 2U);
  EXPECT_EQ(d.elements.front().kind, ElementKind::Raster);  // the logo, above the shop name
  EXPECT_EQ(d.elements.front().width, 256);
  bool qr = false;
  for (const auto& e : d.elements) qr = qr || (e.kind == ElementKind::Qr && e.value == c.qr);
  EXPECT_TRUE(qr);

  c.logo = nullptr;
  c.qr.clear();
  const auto plain = render_receipt(*counter_template(), c, p);
  ASSERT_TRUE(plain.ok());
  for (const auto& e : decode(plain->bytes, p, DrawMode::TextOnly).elements) {
    EXPECT_NE(e.kind, ElementKind::Raster);
    EXPECT_NE(e.kind, ElementKind::Qr);
  }
}

}  // namespace
}  // namespace pos::escpos
