// The layout language: escaping, one line -> LayoutOp, LayoutOps -> Encoder calls.
// Sections: escaping, parse_layout_line, LayoutRunner, run_layout_text.
#include "layout.hpp"

#include <charconv>

namespace pos::escpos::layout {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
  s = trim(s);
  const std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return {s, {}};
  return {s.substr(0, sp), trim(s.substr(sp + 1))};
}

std::optional<std::string> parse_columns(std::string_view args, std::vector<ColumnSpec>& specs) {
  specs.clear();
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
    specs.push_back(spec);
  }
  if (specs.empty() || specs.size() > LayoutRunner::kMaxColumns || flex > 1)
    return "@columns takes 1..8 columns, at most one '*'";
  return std::nullopt;
}

std::optional<std::string> parse_directive(std::string_view line, LayoutOp& op) {
  const auto [name, args] = split_word(line);
  using K = LayoutOp::Kind;
  if (name == "blank") {
    op.kind = K::Blank;
  } else if (name == "align") {
    op.kind = K::Align;
    if (args == "left")
      op.align = Align::Left;
    else if (args == "center")
      op.align = Align::Center;
    else if (args == "right")
      op.align = Align::Right;
    else
      return "@align takes left, center or right";
  } else if (name == "style") {
    op.kind = K::Style;
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
    op.font = font;
    op.emphasis = e;
  } else if (name == "rule") {
    op.kind = K::Rule;
    op.fill = args.empty() ? '-' : args.front();
  } else if (name == "columns") {
    op.kind = K::Columns;
    return parse_columns(args, op.specs);
  } else if (name == "row") {
    op.kind = K::Row;
    op.cells.clear();
    std::string_view rest = args;
    while (true) {
      const std::size_t bar = rest.find('|');
      op.cells.push_back(unescape(trim(rest.substr(0, bar))));
      if (bar == std::string_view::npos) break;
      rest = rest.substr(bar + 1);
    }
  } else if (name == "barcode") {
    op.kind = K::Barcode;
    op.text = unescape(args);
  } else if (name == "qr") {
    op.kind = K::Qr;
    op.text = unescape(args);
  } else if (name == "logo") {
    op.kind = K::Logo;
  } else if (name == "feed") {
    op.kind = K::Feed;
    int n = 0;
    const auto res = std::from_chars(args.data(), args.data() + args.size(), n);
    if (res.ec != std::errc{} || n < 0 || n > 255) return "@feed takes 0..255";
    op.feed = n;
  } else if (name == "cut") {
    op.kind = K::Cut;
    if (args == "partial")
      op.cut = Cut::Partial;
    else if (args == "full")
      op.cut = Cut::Full;
    else
      return "@cut takes partial or full";
  } else {
    return "unknown instruction '@" + std::string(name) + "'";
  }
  return std::nullopt;
}

}  // namespace

// ---- escaping ---------------------------------------------------------------------------------
void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '@':
        out += "%40";
        break;
      case '|':
        out += "%7C";
        break;
      case '\n':
        out += "%0A";
        break;
      case '\r':
        out += "%0D";
        break;
      default:
        out += c;
    }
  }
}

std::string escape_value(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  append_escaped(out, s);
  return out;
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

// ---- parse_layout_line ------------------------------------------------------------------------
std::optional<std::string> parse_layout_line(std::string_view raw, LayoutOp& op) {
  const std::string_view line = trim(raw);
  if (line.empty()) {
    op.kind = LayoutOp::Kind::Skip;
    return std::nullopt;
  }
  if (line.front() != '@') {
    op.kind = LayoutOp::Kind::Paragraph;
    op.text = unescape(raw.substr(0, raw.find_last_not_of(" \r") + 1));
    return std::nullopt;
  }
  return parse_directive(line.substr(1), op);
}

// ---- LayoutRunner -----------------------------------------------------------------------------
std::optional<std::string> LayoutRunner::run(const LayoutOp& op) {
  using K = LayoutOp::Kind;
  switch (op.kind) {
    case K::Skip:
      break;
    case K::Paragraph:
      enc_.paragraph(op.text);
      break;
    case K::Blank:
      enc_.newline();
      break;
    case K::Align:
      enc_.align(op.align);
      break;
    case K::Style:
      enc_.font(op.font).emphasis(op.emphasis);
      break;
    case K::Rule:
      enc_.rule(op.fill);
      break;
    case K::Columns:
      set_columns(op.specs);
      break;
    case K::Row: {
      std::array<std::string_view, kMaxColumns + 1> cells{};
      const std::size_t n = std::min(op.cells.size(), cells.size());
      for (std::size_t i = 0; i < n; ++i) cells[i] = op.cells[i];
      // More cells than the array holds is "more cells than @columns" either way.
      return row(std::span<const std::string_view>(cells.data(), n));
    }
    case K::Barcode:
      barcode(op.text);
      break;
    case K::Qr:
      qr(op.text);
      break;
    case K::Logo:
      if (logo_ == nullptr) break;
      if (auto r = enc_.image(*logo_); !r.ok())
        out_.warnings.push_back("logo left out: " + r.error().message);
      break;
    case K::Feed:
      enc_.feed(op.feed);
      break;
    case K::Cut:
      enc_.cut(op.cut);
      break;
  }
  return std::nullopt;
}

void LayoutRunner::set_columns(std::span<const ColumnSpec> specs) {
  spec_count_ = std::min(specs.size(), kMaxColumns);
  std::size_t k = 0;
  for (std::size_t i = 0; i < spec_count_; ++i) {
    hidden_[i] = specs[i].kind == ColumnSpec::Hidden;
    if (hidden_[i]) continue;
    columns_[k].width = specs[i].kind == ColumnSpec::Flex ? 0 : specs[i].width;
    columns_[k].align = specs[i].align;
    ++k;
  }
}

std::optional<std::string> LayoutRunner::row(std::span<const std::string_view> cells) {
  if (spec_count_ == 0) return "@row before @columns";
  if (cells.size() > spec_count_) return "@row has more cells than @columns";
  if (cells.size() < spec_count_) return "@row has fewer cells than @columns";
  std::size_t k = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (!hidden_[i]) columns_[k++].text = cells[i];
  }
  enc_.row(std::span<const Column>(columns_.data(), k));
  return std::nullopt;
}

void LayoutRunner::barcode(std::string_view value) {
  if (value.empty()) return;
  if (auto r = enc_.barcode128(value); !r.ok()) {
    out_.warnings.push_back("barcode printed as text: " + r.error().message);
    enc_.paragraph(value);
  }
}

void LayoutRunner::qr(std::string_view value) {
  if (value.empty()) return;
  if (auto r = enc_.qr(value); !r.ok())
    out_.warnings.push_back("QR left out: " + r.error().message);
}

// ---- run_layout_text --------------------------------------------------------------------------
std::optional<Error> run_layout_text(std::string_view text, LayoutRunner& runner) {
  std::size_t line_no = 0;
  LayoutOp op;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    auto err = parse_layout_line(raw, op);
    if (!err) err = runner.run(op);
    if (err) {
      return Error{ErrorCode::TemplateBadDirective,
                   "layout line " + std::to_string(line_no) + ": " + *err};
    }
  }
  return std::nullopt;
}

}  // namespace pos::escpos::layout
