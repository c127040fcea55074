// Receipt templates: TOML file -> ReceiptTemplate (the body compiled once into a program of
// layout operations with slots, template_program.hpp); ReceiptContent -> the program filled in ->
// Encoder calls. The mustache path (mustache data with escaped values -> layout text -> parsed
// per line, mustache_view.cpp and layout.hpp) serves what the program does not compile, gives the
// exact error message of a bad layout line, and is the reference the tests compare against.
// Sections: parse_template, TemplateCatalog, render_receipt.
#include <pos/escpos/receipt.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "layout.hpp"
#include "mustache_view.hpp"
#include "template_program.hpp"

namespace pos::escpos {
namespace {

// ---- parse_template ---------------------------------------------------------------------------
constexpr std::array<std::string_view, 6> kTemplateKeys = {
    "id", "version", "description", "max_lines_narrow", "max_lines_wide", "body"};

Error template_error(ErrorCode code, const std::string& origin, const std::string& what) {
  return Error{code, origin + ": " + what};
}

// A printer that has everything, used only to check a template when it is loaded.
const PrinterProfile& check_profile() {
  static const PrinterProfile profile = [] {
    PrinterProfile p;
    p.id = "template-check";
    p.code_pages = {{CodePage::Cp858, 19}};
    p.drawer_pins = {DrawerPin::Pin2, DrawerPin::Pin5};
    p.characters = std::make_shared<const CharacterMap>(p.code_pages);
    return p;
  }();
  return profile;
}

ReceiptContent sample_content(PaymentState state) {
  ReceiptContent c;
  c.shop_name = "Shop";
  c.shop_lines = {"Street 1", "Phone"};
  c.tax_id = "TAX1";
  c.receipt_reference = "RCP-INV-1-20260101T000000Z-001";
  c.invoice_number = "INV-1";
  c.payment_id = "PAY-1";
  c.terminal_id = "T1";
  c.cashier = "Sam";
  c.local_time = "2026-01-01 00:00 CET";
  c.currency = "EUR";
  c.lines.assign(30, {"1", "Item", "1.00", "1.00"});
  c.totals = {{"Subtotal", "1.00"}};
  c.total = "1.00";
  c.tenders = {{"CARD", "1.00", "VISA ****4242 auth 1"}};
  c.cash_tendered = "5.00";
  c.change = "4.00";
  c.payment_state = state;
  c.remaining_balance = "1.00";
  c.copy = ReceiptCopyMark{"REPRINT 1", "2026-01-01 00:01 CET", "sam", "CUSTOMER_REQUEST"};
  c.barcode = "RCP-1";
  c.qr = "https://x";
  c.footer = {"Thanks"};
  return c;
}

}  // namespace

Expected<ReceiptTemplate> parse_template(const TemplateSource& source) {
  toml::table t;
  try {
    t = toml::parse(source.text, source.origin);
  } catch (const toml::parse_error& e) {
    return template_error(ErrorCode::TemplateSyntax, source.origin, std::string(e.description()));
  }
  for (const auto& [k, v] : t) {
    if (std::find(kTemplateKeys.begin(), kTemplateKeys.end(), k.str()) == kTemplateKeys.end()) {
      return template_error(ErrorCode::TemplateUnknownKey, source.origin,
                            "unknown key '" + std::string(k.str()) + "'");
    }
  }
  ReceiptTemplate tmpl;
  const auto id = t["id"].value<std::string>();
  const auto version = t["version"].value<std::int64_t>();
  const auto body = t["body"].value<std::string>();
  if (!id || id->empty() || !version || *version < 1 || *version > 1000000 || !body) {
    return template_error(ErrorCode::TemplateSyntax, source.origin,
                          "needs id (string), version (>= 1) and body (string)");
  }
  tmpl.id = *id;
  tmpl.version = static_cast<int>(*version);
  tmpl.body = *body;
  tmpl.description = t["description"].value_or(std::string{});
  const auto narrow = t["max_lines_narrow"].value_or(std::int64_t{8});
  const auto wide = t["max_lines_wide"].value_or(std::int64_t{20});
  if (narrow < 2 || narrow > 1000 || wide < 2 || wide > 1000) {
    return template_error(ErrorCode::TemplateSyntax, source.origin, "max_lines_* must be 2..1000");
  }
  tmpl.max_lines_narrow = static_cast<int>(narrow);
  tmpl.max_lines_wide = static_cast<int>(wide);
  auto compiled = compile_template(tmpl.body);
  if (!compiled)
    return template_error(compiled.error().code, source.origin, compiled.error().message);
  tmpl.compiled = std::move(compiled).value();
  tmpl.program = detail::compile_program(tmpl.body);
  for (auto state : {PaymentState::PaidInFull, PaymentState::PartialPayment}) {
    auto r = render_receipt(tmpl, sample_content(state), check_profile());
    if (!r) return template_error(r.error().code, source.origin, r.error().message);
  }
  return tmpl;
}

// ---- TemplateCatalog --------------------------------------------------------------------------
Expected<TemplateCatalog> TemplateCatalog::parse(const std::vector<TemplateSource>& sources) {
  TemplateCatalog catalog;
  for (const auto& source : sources) {
    auto t = parse_template(source);
    if (!t) return t.error();
    for (const auto& existing : catalog.templates_) {
      if (existing->id == t->id && existing->version == t->version) {
        return template_error(
            ErrorCode::TemplateSyntax, source.origin,
            "template " + t->id + " version " + std::to_string(t->version) + " defined twice");
      }
    }
    catalog.templates_.push_back(std::make_shared<const ReceiptTemplate>(std::move(t).value()));
  }
  return catalog;
}

Expected<std::shared_ptr<const ReceiptTemplate>> TemplateCatalog::find(std::string_view id,
                                                                       int version) const {
  for (const auto& t : templates_) {
    if (t->id == id && t->version == version) return t;
  }
  return Error{ErrorCode::TemplateNotFound,
               "no receipt template '" + std::string(id) + "' version " + std::to_string(version)};
}

Expected<std::shared_ptr<const ReceiptTemplate>> TemplateCatalog::latest(
    std::string_view id) const {
  std::shared_ptr<const ReceiptTemplate> best;
  for (const auto& t : templates_) {
    if (t->id == id && (!best || t->version > best->version)) best = t;
  }
  if (!best)
    return Error{ErrorCode::TemplateNotFound, "no receipt template '" + std::string(id) + "'"};
  return best;
}

// ---- the compact receipt code ------------------------------------------------------------------
Expected<std::string> compact_receipt_code(std::uint64_t number) {
  if (number > kMaxCompactReceiptNumber)
    return Error{ErrorCode::BarcodeInvalid, "receipt number above 12 digits"};
  std::string digits = std::to_string(number);
  std::size_t width = std::max<std::size_t>(8, digits.size());
  width += width % 2;
  return "R" + std::string(width - digits.size(), '0') + digits;
}

std::optional<std::uint64_t> parse_compact_receipt_code(std::string_view s) {
  if (s.size() < 2 || s.size() > kMaxCompactReceiptCodeLength || (s[0] != 'R' && s[0] != 'r'))
    return std::nullopt;
  std::uint64_t n = 0;
  const auto res = std::from_chars(s.data() + 1, s.data() + s.size(), n);
  if (res.ec != std::errc{} || res.ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

// ---- render_receipt ---------------------------------------------------------------------------
namespace {

// ESC @ and the drawer pulse, then `layout` fills in the receipt.
template <typename Layout>
Expected<RenderedReceipt> render_with(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                      const PrinterProfile& profile, DrawerKick drawer,
                                      Layout&& layout) {
  RenderedReceipt out;
  out.template_id = tmpl.id;
  out.template_version = tmpl.version;
  Encoder enc(profile);
  enc.initialize();
  if (drawer != DrawerKick::None) {
    auto r = enc.drawer_pulse(drawer == DrawerKick::Pin2 ? DrawerPin::Pin2 : DrawerPin::Pin5);
    if (!r) out.warnings.push_back("drawer not opened: " + r.error().message);
  }
  layout::LayoutRunner runner(enc, out, content.logo.get());
  if (std::optional<Error> err = layout(runner)) return *err;
  out.replaced_characters = enc.replaced_characters();
  out.bytes = enc.take_bytes();
  return out;
}

}  // namespace

Expected<RenderedReceipt> render_receipt_through_mustache(const ReceiptTemplate& tmpl,
                                                          const ReceiptContent& content,
                                                          const PrinterProfile& profile,
                                                          DrawerKick drawer) {
  auto text = render_layout(tmpl, content, profile.font_a.columns < 40);
  if (!text) return text.error();
  return render_with(tmpl, content, profile, drawer, [&](layout::LayoutRunner& runner) {
    return layout::run_layout_text(text.value(), runner);
  });
}

Expected<RenderedReceipt> render_receipt(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                         const PrinterProfile& profile, DrawerKick drawer) {
  if (!tmpl.program) return render_receipt_through_mustache(tmpl, content, profile, drawer);
  const bool narrow = profile.font_a.columns < 40;
  bool failed = false;
  auto out = render_with(
      tmpl, content, profile, drawer, [&](layout::LayoutRunner& runner) -> std::optional<Error> {
        failed = detail::run_program(*tmpl.program, tmpl, content, narrow, runner).has_value();
        return failed ? std::optional<Error>(Error{}) : std::nullopt;
      });
  // A bad layout line: the mustache path names it with its line number.
  if (failed) return render_receipt_through_mustache(tmpl, content, profile, drawer);
  return out;
}

}  // namespace pos::escpos
