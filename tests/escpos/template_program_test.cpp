// The compiled template path (template_program.hpp) against the mustache path it replaces: the
// same bytes, warnings and replaced-character counts for the shipped template on every shipped
// profile, over varied receipts (empty fields, long and hostile values, every count of lines),
// and for bodies that use more of mustache than the shipped one does.
#include <gtest/gtest.h>

#include <random>

#include <pos/escpos/decoder.hpp>
#include <pos/escpos/receipt.hpp>

#include "mustache_view.hpp"
#include "test_support.hpp"

namespace pos::escpos {
namespace {

using testing::catalog;
using testing::profile;

std::shared_ptr<const ReceiptTemplate> counter_template() {
  auto templates = load_template_directory(std::filesystem::path(POS_ASSETS_DIR) / "templates");
  if (!templates) throw std::runtime_error(templates.error().message);
  return templates->latest("counter-receipt").value();
}

std::string text_of(const RenderedReceipt& r, const PrinterProfile& p) {
  return decode(r.bytes, p, DrawMode::TextOnly).text;
}

void expect_same(const ReceiptTemplate& tmpl, const ReceiptContent& c, const PrinterProfile& p,
                 DrawerKick drawer = DrawerKick::None) {
  ASSERT_TRUE(tmpl.program) << "the template did not compile";
  const auto compiled = render_receipt(tmpl, c, p, drawer);
  const auto reference = render_receipt_through_mustache(tmpl, c, p, drawer);
  ASSERT_EQ(compiled.ok(), reference.ok());
  if (!reference.ok()) {
    EXPECT_EQ(compiled.error().message, reference.error().message);
    return;
  }
  EXPECT_EQ(compiled->warnings, reference->warnings);
  EXPECT_EQ(compiled->replaced_characters, reference->replaced_characters);
  if (compiled->bytes != reference->bytes) {
    ADD_FAILURE() << "bytes differ on " << p.id << "\n--- compiled:\n"
                  << text_of(*compiled, p) << "\n--- mustache:\n"
                  << text_of(*reference, p);
  }
}

// Outside text that tries to form instructions, break lines, hide escapes, or break the escaping.
const std::vector<std::string> kHostile = {
    "",
    " ",
    "   ",
    "@cut full",
    "x\n@cut full",
    "a | b | c",
    "| |",
    "100%",
    "%41%4",
    "%25",
    "%0A@feed 9",
    "\r",
    "a \r",
    " lead and trail ",
    "tab\there",
    "\x1b@\x1bp\x00\x19\xfa",
    std::string("nul\0byte", 8),
    "\x10\x04\x01 status",
    "\xff\xfe invalid \xc3",
    "Müller & Söhne € Привет Ελλάδα",
    "{{shop_name}}",
    "{{#copy}}x{{/copy}}",
    std::string(300, 'W'),
    "very long description that wraps over several lines of the paper because it is long",
};

ReceiptContent varied(std::mt19937& rng) {
  auto pick = [&rng](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  auto coin = [&rng]() { return std::uniform_int_distribution<int>(0, 1)(rng) == 1; };
  const std::vector<std::string> plain = {"", "ACME", "12.50", "INV-7", "Sam", "EUR", "1"};
  auto any = [&]() { return coin() ? pick(plain) : pick(kHostile); };
  ReceiptContent c;
  c.shop_name = any();
  for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i)
    c.shop_lines.push_back(any());
  c.tax_id = any();
  c.receipt_reference = any();
  c.invoice_number = any();
  c.payment_id = any();
  c.terminal_id = any();
  c.cashier = any();
  c.local_time = any();
  c.currency = any();
  for (int i = std::uniform_int_distribution<int>(0, 30)(rng); i > 0; --i)
    c.lines.push_back({any(), any(), any(), any()});
  for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i)
    c.totals.push_back({any(), any()});
  c.total = any();
  for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i)
    c.tenders.push_back({any(), any(), any()});
  c.cash_tendered = any();
  c.change = any();
  c.payment_state = coin() ? PaymentState::PaidInFull : PaymentState::PartialPayment;
  c.remaining_balance = any();
  if (coin()) c.copy = ReceiptCopyMark{any(), any(), any(), any()};
  c.barcode =
      coin() ? pick({"", "R00000042", "INV-100005", "RCP-INV-12345-20260105T143022Z-001"}) : any();
  c.qr = coin() ? "https://shop.example/r/1" : any();
  for (int i = std::uniform_int_distribution<int>(0, 3)(rng); i > 0; --i) c.footer.push_back(any());
  return c;
}

TEST(TemplateProgram, ShippedTemplateCompiles) {
  EXPECT_TRUE(counter_template()->program);
}

TEST(TemplateProgram, SameBytesAsTheMustachePathOnEveryProfile) {
  const auto tmpl = counter_template();
  std::mt19937 rng(20260105);
  for (int round = 0; round < 60; ++round) {
    const ReceiptContent c = varied(rng);
    for (const auto& id : catalog().ids()) {
      SCOPED_TRACE("round " + std::to_string(round) + " on " + id);
      expect_same(*tmpl, c, profile(id), round % 3 == 0 ? DrawerKick::Pin2 : DrawerKick::None);
    }
  }
}

TEST(TemplateProgram, EveryHostileValueInEveryFieldGivesTheSameBytes) {
  const auto tmpl = counter_template();
  for (const auto& v : kHostile) {
    ReceiptContent c;
    c.shop_name = c.tax_id = c.receipt_reference = c.invoice_number = c.payment_id = v;
    c.terminal_id = c.cashier = c.local_time = c.currency = c.total = v;
    c.cash_tendered = c.change = c.remaining_balance = c.barcode = c.qr = v;
    c.shop_lines = {v, v};
    c.lines = {{v, v, v, v}, {v, "x", v, v}};
    c.totals = {{v, v}};
    c.tenders = {{v, v, v}, {v, v, ""}};
    c.copy = ReceiptCopyMark{v, v, v, v};
    c.footer = {v};
    for (const char* id : {"generic-58mm", "generic-80mm", "clone-58mm"}) {
      SCOPED_TRACE(::testing::PrintToString(v) + " on " + id);
      expect_same(*tmpl, c, profile(id));
      // And the hostile value never became an instruction: one cut, no feed of 9, no ESC p.
      const auto r = render_receipt(*tmpl, c, profile(id));
      ASSERT_TRUE(r.ok());
      const auto d = decode(r->bytes, profile(id), DrawMode::TextOnly);
      EXPECT_TRUE(d.unknown.empty());
      int cuts = 0, pulses = 0;
      for (const auto& e : d.elements) {
        cuts += e.kind == ElementKind::Cut ? 1 : 0;
        pulses += e.kind == ElementKind::DrawerPulse ? 1 : 0;
      }
      EXPECT_EQ(cuts, profile(id).cutter == Cutter::None ? 0 : 1);
      EXPECT_EQ(pulses, 0);
    }
  }
}

ReceiptTemplate body_template(const std::string& body) {
  auto t = parse_template({"t.toml", "id = \"t\"\nversion = 1\nbody = '''\n" + body + "'''\n"});
  if (!t) throw std::runtime_error(t.error().message);
  return std::move(t).value();
}

TEST(TemplateProgram, MoreOfMustacheGivesTheSameBytes) {
  // Inverted sections, nested lists reaching outward, a text section, comments, values at the
  // start of a line, '%' in fixed text, other instructions with values, CRLF line ends.
  const auto tmpl = body_template(
      "{{! a comment }}\n"
      "{{^copy}}\n"
      "@style bold\n"
      "ORIGINAL {{shop_name}}\n"
      "{{/copy}}\n"
      "  {{#tax_id}}  \n"
      "{{tax_id}} is the tax id, {{ shop_name }}\n"
      "{{/tax_id}}\r\n"
      "{{cashier}}@blank\n"
      "100% {{currency}}\n"
      "@columns * >8\r\n"
      "{{#tenders}}\n"
      "@row {{method}} of {{items_count}} | {{amount}}\n"
      "{{#detail}}\n"
      "  > {{detail}} / {{currency}}\n"
      "{{/detail}}\n"
      "{{^detail}}\n"
      "  (no detail)\n"
      "{{/detail}}\n"
      "{{#totals}}\n"
      "@row {{label}} {{method}}|{{amount}}\n"
      "{{/totals}}\n"
      "{{/tenders}}\n"
      "{{^tenders}}\n"
      "no tenders\n"
      "{{/tenders}}\n"
      "@rule {{currency}}\n"
      "@feed {{items_hidden_count}}\n"
      "@barcode   {{barcode}}  \n"
      "@qr {{qr}}{{qr}}\n"
      "{{unknown_name}}\n"
      "{{#unknown_name}}\n"
      "never\n"
      "{{/unknown_name}}\n"
      "{{^unknown_name}}\n"
      "always\n"
      "{{/unknown_name}}\n"
      "@cut partial");
  ASSERT_TRUE(tmpl.program);
  std::mt19937 rng(7);
  for (int round = 0; round < 80; ++round) {
    ReceiptContent c = varied(rng);
    for (const char* id : {"generic-58mm", "generic-80mm"}) {
      SCOPED_TRACE("round " + std::to_string(round) + " on " + id);
      expect_same(tmpl, c, profile(id));
    }
  }
}

TEST(TemplateProgram, BadInstructionsFailWithTheMustachePathsMessage) {
  // Loading checks the body with sample content that has a copy mark: these lines are reached
  // only without one.
  const auto tmpl = body_template(
      "@columns * >5\n{{^copy}}\n@row {{total}}\n{{/copy}}\n{{^copy}}\n@bogus "
      "{{total}}\n{{/copy}}\n");
  ReceiptContent c;
  c.total = "1.00";
  const auto compiled = render_receipt(tmpl, c, profile("generic-80mm"));
  const auto reference = render_receipt_through_mustache(tmpl, c, profile("generic-80mm"));
  ASSERT_FALSE(compiled.ok());
  ASSERT_FALSE(reference.ok());
  EXPECT_EQ(compiled.error().message, reference.error().message);
  EXPECT_NE(compiled.error().message.find("fewer cells"), std::string::npos);
  c.total = "1.00 | 2.00";  // escaped: still one cell
  EXPECT_FALSE(render_receipt(tmpl, c, profile("generic-80mm")).ok());
  const auto bogus = body_template("{{^copy}}\n@bogus {{total}}\n{{/copy}}\n");
  const auto b1 = render_receipt(bogus, c, profile("generic-80mm"));
  const auto b2 = render_receipt_through_mustache(bogus, c, profile("generic-80mm"));
  ASSERT_FALSE(b1.ok());
  EXPECT_EQ(b1.error().message, b2.error().message);
  EXPECT_NE(b1.error().message.find("@bogus"), std::string::npos);
  c.copy = ReceiptCopyMark{"REPRINT 1", "", "", ""};
  expect_same(tmpl, c, profile("generic-80mm"));
}

TEST(TemplateProgram, WhatItCannotProveEqualStaysOnTheMustachePath) {
  for (const char* body :
       {"{{> partial}}\n", "{{{shop_name}}}\n", "{{&shop_name}}\n", "{{=<% %>=}}\n", "{{a.b}}\n",
        "x {{#copy}}inline{{/copy}}\n", "{{narrow}}\n", "{{#copy}}{{shop_name}}{{/copy}}\n"}) {
    SCOPED_TRACE(body);
    auto t = parse_template(
        {"t.toml", std::string("id = \"t\"\nversion = 1\nbody = '''\n") + body + "'''\n"});
    if (!t) continue;  // kainjow refuses it as well
    EXPECT_FALSE(t->program);
    ReceiptContent c;
    c.shop_name = "S";
    EXPECT_TRUE(render_receipt(*t, c, profile("generic-80mm")).ok());
  }
}

}  // namespace
}  // namespace pos::escpos
