// Receipt templates: TOML file -> ReceiptTemplate; ReceiptContent -> mustache data (values
// escaped so they cannot form layout instructions) -> layout language -> Encoder calls.
// Sections: layout interpreter (mustache rendering is in mustache_view.cpp), parse_template,
// TemplateCatalog, render_receipt.
#include <pos/escpos/receipt.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include "mustache_view.hpp"

namespace pos::escpos {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// ---- layout interpreter -----------------------------------------------------------------------
struct ColumnSpec {
  enum Kind : std::uint8_t { Fixed, Flex, Hidden } kind = Flex;
  int width = 0;
  Align align = Align::Left;
};

class Layout {
 public:
  Layout(Encoder& enc, RenderedReceipt& out, const MonoImage* logo)
      : enc_(enc), out_(out), logo_(logo) {}

  std::optional<Error> run(std::string_view text) {
    std::size_t line_no = 0;
    while (!text.empty()) {
      const std::size_t nl = text.find('\n');
      const std::string_view raw = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      ++line_no;
      const std::string_view line = trim(raw);
      if (line.empty()) continue;
      if (line.front() != '@') {
        enc_.paragraph(unescape(raw.substr(0, raw.find_last_not_of(" \r") + 1)));
        continue;
      }
      if (auto err = directive(line.substr(1))) {
        return Error{ErrorCode::TemplateBadDirective,
                     "layout line " + std::to_string(line_no) + ": " + *err};
      }
    }
    return std::nullopt;
  }

 private:
  static std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
    s = trim(s);
    const std::size_t sp = s.find(' ');
    if (sp == std::string_view::npos) return {s, {}};
    return {s.substr(0, sp), trim(s.substr(sp + 1))};
  }

  std::optional<std::string> directive(std::string_view line) {
    const auto [name, args] = split_word(line);
    if (name == "blank") {
      enc_.newline();
    } else if (name == "align") {
      if (args == "left")
        enc_.align(Align::Left);
      else if (args == "center")
        enc_.align(Align::Center);
      else if (args == "right")
        enc_.align(Align::Right);
      else
        return "@align takes left, center or right";
    } else if (name == "style") {
      Emphasis e = Emphasis::None;
      Font font = Font::A;
      std::string_view rest = args;
      while (!rest.empty()) {
        const auto [word, more] = split_word(rest);
        rest = more;
        if (word == "normal") continue;
        if (word == "bold")
          e = e | Emphasis::Bold;
        else if (word == "underline")
          e = e | Emphasis::Underline;
        else if (word == "wide")
          e = e | Emphasis::DoubleWidth;
        else if (word == "tall")
          e = e | Emphasis::DoubleHeight;
        else if (word == "inverse")
          e = e | Emphasis::Inverse;
        else if (word == "small")
          font = Font::B;
        else
          return "unknown style '" + std::string(word) + "'";
      }
      enc_.font(font).emphasis(e);
    } else if (name == "rule") {
      enc_.rule(args.empty() ? '-' : args.front());
    } else if (name == "columns") {
      return columns(args);
    } else if (name == "row") {
      return row(args);
    } else if (name == "barcode") {
      const std::string value = unescape(args);
      if (value.empty()) return std::nullopt;
      if (auto r = enc_.barcode128(value); !r.ok()) {
        out_.warnings.push_back("barcode printed as text: " + r.error().message);
        enc_.paragraph(value);
      }
    } else if (name == "qr") {
      const std::string value = unescape(args);
      if (value.empty()) return std::nullopt;
      if (auto r = enc_.qr(value); !r.ok())
        out_.warnings.push_back("QR left out: " + r.error().message);
    } else if (name == "logo") {
      if (logo_ == nullptr) return std::nullopt;
      if (auto r = enc_.image(*logo_); !r.ok())
        out_.warnings.push_back("logo left out: " + r.error().message);
    } else if (name == "feed") {
      int n = 0;
      const auto res = std::from_chars(args.data(), args.data() + args.size(), n);
      if (res.ec != std::errc{} || n < 0 || n > 255) return "@feed takes 0..255";
      enc_.feed(n);
    } else if (name == "cut") {
      if (args == "partial")
        enc_.cut(Cut::Partial);
      else if (args == "full")
        enc_.cut(Cut::Full);
      else
        return "@cut takes partial or full";
    } else {
      return "unknown instruction '@" + std::string(name) + "'";
    }
    return std::nullopt;
  }

  std::optional<std::string> columns(std::string_view args) {
    specs_.clear();
    int flex = 0;
    std::string_view rest = args;
    while (!rest.empty()) {
      const auto [word, more] = split_word(rest);
      rest = more;
      ColumnSpec spec;
      if (word == "*") {
        spec.kind = ColumnSpec::Flex;
        ++flex;
      } else if (word == "-") {
        spec.kind = ColumnSpec::Hidden;
      } else {
        spec.kind = ColumnSpec::Fixed;
        spec.align = word.front() == '>'   ? Align::Right
                     : word.front() == '^' ? Align::Center
                                           : Align::Left;
        if (word.front() != '<' && word.front() != '>' && word.front() != '^')
          return "column '" + std::string(word) + "'";
        const auto res = std::from_chars(word.data() + 1, word.data() + word.size(), spec.width);
        if (res.ec != std::errc{} || res.ptr != word.data() + word.size() || spec.width < 1 ||
            spec.width > 255) {
          return "column width in '" + std::string(word) + "'";
        }
      }
      specs_.push_back(spec);
    }
    if (specs_.empty() || specs_.size() > 8 || flex > 1)
      return "@columns takes 1..8 columns, at most one '*'";
    return std::nullopt;
  }

  std::optional<std::string> row(std::string_view args) {
    if (specs_.empty()) return "@row before @columns";
    std::array<std::string, 8> cells;
    std::size_t n = 0;
    std::string_view rest = args;
    while (true) {
      const std::size_t bar = rest.find('|');
      if (n >= specs_.size()) return "@row has more cells than @columns";
      cells[n++] = unescape(trim(rest.substr(0, bar)));
      if (bar == std::string_view::npos) break;
      rest = rest.substr(bar + 1);
    }
    if (n != specs_.size()) return "@row has fewer cells than @columns";
    std::array<Column, 8> cols{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (specs_[i].kind == ColumnSpec::Hidden) continue;
      cols[k++] = Column{cells[i], specs_[i].kind == ColumnSpec::Flex ? 0 : specs_[i].width,
                         specs_[i].align};
    }
    enc_.row(std::span<const Column>(cols.data(), k));
    return std::nullopt;
  }

  Encoder& enc_;
  RenderedReceipt& out_;
  const MonoImage* logo_;
  std::vector<ColumnSpec> specs_;
};

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

// ---- render_receipt ---------------------------------------------------------------------------
Expected<RenderedReceipt> render_receipt(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                         const PrinterProfile& profile, DrawerKick drawer) {
  auto layout = render_layout(tmpl, content, profile.font_a.columns < 40);
  if (!layout) return layout.error();
  RenderedReceipt out;
  out.template_id = tmpl.id;
  out.template_version = tmpl.version;
  Encoder enc(profile);
  enc.initialize();
  if (drawer != DrawerKick::None) {
    auto r = enc.drawer_pulse(drawer == DrawerKick::Pin2 ? DrawerPin::Pin2 : DrawerPin::Pin5);
    if (!r) out.warnings.push_back("drawer not opened: " + r.error().message);
  }
  Layout run(enc, out, content.logo.get());
  if (auto err = run.run(layout.value())) return *err;
  out.replaced_characters = enc.replaced_characters();
  out.bytes = enc.take_bytes();
  return out;
}

}  // namespace pos::escpos
