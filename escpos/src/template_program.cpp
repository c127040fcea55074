// The compiled receipt template (see template_program.hpp).
// Sections: names and slots (what mustache data the mustache path builds, as slots), tokens and
// lines, compiling lines to nodes, compile_program, running (filling in), run_program.
//
// Why the program gives the same bytes as mustache + the layout interpreter:
// - Lookups follow mustache's context stack: a list item's fields, then the enclosing ones; a
//   field is "absent" exactly when to_data (mustache_view.cpp) leaves it out (empty top-level
//   text), so sections, inverted sections and variables see the same values.
// - Layout lines: a line without values is parsed once, here, by the same parser. A line with
//   values whose fixed text has no '%' or CR is filled in directly: values are escaped on the
//   mustache path and unescaped by the interpreter, so they arrive unchanged, and a value can
//   never contain '@', '|' or a line break that the interpreter would read; only spaces are
//   trimmed there (an escaped value's CR is not). Anything else (fixed text with '%' or CR, an
//   instruction that is not @row/@barcode/@qr, a line whose first word depends on a value) is
//   built as layout text with escaped values at run time and parsed like the mustache path does.
#include "template_program.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

namespace pos::escpos::detail {
namespace {

// ---- names and slots --------------------------------------------------------------------------
enum class Scope : std::uint8_t { Top, ShopLine, Item, Total, Tender, Footer };

enum class Key : std::uint8_t {
  // top level, text (absent when empty)
  ShopName,
  TaxId,
  ReceiptReference,
  InvoiceNumber,
  PaymentId,
  TerminalId,
  Cashier,
  LocalTime,
  Currency,
  Total,
  CashTendered,
  Change,
  RemainingBalance,
  Barcode,
  Qr,
  CopyMark,  // these four: absent without a copy mark, or when empty
  CopyTime,
  CopyUser,
  CopyReason,
  ItemsHiddenCount,  // always present
  ItemsCount,
  // top level, flags
  Narrow,
  Wide,
  ItemsSummarized,
  HasCash,
  PaidInFull,
  PartialPayment,
  Copy,
  Logo,
  // top level, lists
  ShopLines,
  Items,
  Totals,
  Tenders,
  FooterLines,
  // list items
  Line,  // shop_lines, footer
  Quantity,
  Description,
  UnitPrice,
  ItemAmount,
  Label,
  TotalAmount,
  Method,
  TenderAmount,
  Detail,  // absent when empty
};

enum class Type : std::uint8_t { Text, Flag, List };

struct Name {
  std::string_view name;
  Key key;
  Type type;
  bool always;  // present whatever the content (else present only when non-empty / set)
  Scope items = Scope::Top;  // lists: the scope of their items
};

constexpr Name kTopNames[] = {
    {"shop_name", Key::ShopName, Type::Text, false},
    {"tax_id", Key::TaxId, Type::Text, false},
    {"receipt_reference", Key::ReceiptReference, Type::Text, false},
    {"invoice_number", Key::InvoiceNumber, Type::Text, false},
    {"payment_id", Key::PaymentId, Type::Text, false},
    {"terminal_id", Key::TerminalId, Type::Text, false},
    {"cashier", Key::Cashier, Type::Text, false},
    {"local_time", Key::LocalTime, Type::Text, false},
    {"currency", Key::Currency, Type::Text, false},
    {"total", Key::Total, Type::Text, false},
    {"cash_tendered", Key::CashTendered, Type::Text, false},
    {"change", Key::Change, Type::Text, false},
    {"remaining_balance", Key::RemainingBalance, Type::Text, false},
    {"barcode", Key::Barcode, Type::Text, false},
    {"qr", Key::Qr, Type::Text, false},
    {"copy_mark", Key::CopyMark, Type::Text, false},
    {"copy_time", Key::CopyTime, Type::Text, false},
    {"copy_user", Key::CopyUser, Type::Text, false},
    {"copy_reason", Key::CopyReason, Type::Text, false},
    {"items_hidden_count", Key::ItemsHiddenCount, Type::Text, true},
    {"items_count", Key::ItemsCount, Type::Text, true},
    {"narrow", Key::Narrow, Type::Flag, true},
    {"wide", Key::Wide, Type::Flag, true},
    {"items_summarized", Key::ItemsSummarized, Type::Flag, true},
    {"has_cash", Key::HasCash, Type::Flag, true},
    {"paid_in_full", Key::PaidInFull, Type::Flag, true},
    {"partial_payment", Key::PartialPayment, Type::Flag, true},
    {"copy", Key::Copy, Type::Flag, true},
    {"logo", Key::Logo, Type::Flag, true},
    {"shop_lines", Key::ShopLines, Type::List, true, Scope::ShopLine},
    {"items", Key::Items, Type::List, true, Scope::Item},
    {"totals", Key::Totals, Type::List, true, Scope::Total},
    {"tenders", Key::Tenders, Type::List, true, Scope::Tender},
    {"footer", Key::FooterLines, Type::List, true, Scope::Footer},
};
constexpr Name kLineNames[] = {{"line", Key::Line, Type::Text, true}};
constexpr Name kItemNames[] = {{"quantity", Key::Quantity, Type::Text, true},
                               {"description", Key::Description, Type::Text, true},
                               {"unit_price", Key::UnitPrice, Type::Text, true},
                               {"amount", Key::ItemAmount, Type::Text, true}};
constexpr Name kTotalNames[] = {{"label", Key::Label, Type::Text, true},
                                {"amount", Key::TotalAmount, Type::Text, true}};
constexpr Name kTenderNames[] = {{"method", Key::Method, Type::Text, true},
                                 {"amount", Key::TenderAmount, Type::Text, true},
                                 {"detail", Key::Detail, Type::Text, false}};

std::span<const Name> names_of(Scope s) {
  switch (s) {
    case Scope::Top:
      return kTopNames;
    case Scope::ShopLine:
    case Scope::Footer:
      return kLineNames;
    case Scope::Item:
      return kItemNames;
    case Scope::Total:
      return kTotalNames;
    case Scope::Tender:
      return kTenderNames;
  }
  return {};
}

const Name* find_name(Scope s, std::string_view name) {
  for (const auto& n : names_of(s)) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

constexpr std::size_t kMaxDepth = 8;

struct Candidate {
  std::uint8_t depth = 0;
  const Name* name = nullptr;
};

// A name resolved against the scopes open where it is used: the fields that may answer, the
// innermost first (mustache's context stack). Empty: nothing answers (renders as nothing).
struct Ref {
  std::array<Candidate, kMaxDepth> chain{};
  std::size_t size = 0;
};

}  // namespace

// ---- the program ------------------------------------------------------------------------------
struct Piece {
  std::string text;  // fixed text, when ref < 0
  int ref = -1;      // else a value: index into LayoutProgram::refs
};
using TextExpr = std::vector<Piece>;

struct Node {
  enum class Kind : std::uint8_t { Static, Row, Paragraph, Barcode, Qr, Generic, Section };
  Kind kind = Kind::Static;
  layout::LayoutOp op;               // Static
  std::optional<std::string> error;  // Static: the line is an unknown instruction
  std::vector<TextExpr> cells;       // Row
  TextExpr text;                     // Paragraph, Barcode, Qr, Generic
  int ref = -1;                      // Section
  bool inverted = false;             // Section: {{^name}}
  bool list = false;                 // Section over a list: children run once per item
  Scope items = Scope::Top;          // ... with this scope
  std::vector<Node> children;        // Section
};

struct LayoutProgram {
  std::vector<Node> nodes;
  std::vector<Ref> refs;
};

namespace {

// ---- tokens and lines -------------------------------------------------------------------------
struct Token {
  enum class Kind : std::uint8_t { Text, Var, Open, OpenInverted, Close };
  Kind kind = Kind::Text;
  std::string text;  // Text: no LF inside; tags: the name
};
using Line = std::vector<Token>;

bool plain_name(std::string_view n) {
  if (n.empty()) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string_view trim_tag(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The body as physical lines of tokens; false for what the program does not do.
bool tokenize(std::string_view body, std::vector<Line>& lines) {
  lines.assign(1, {});
  auto add_text = [&lines](std::string_view text) {
    while (!text.empty()) {
      const std::size_t nl = text.find('\n');
      const std::string_view part = text.substr(0, nl);
      if (!part.empty()) lines.back().push_back({Token::Kind::Text, std::string(part)});
      if (nl == std::string_view::npos) break;
      lines.emplace_back();
      text.remove_prefix(nl + 1);
    }
  };
  while (!body.empty()) {
    const std::size_t open = body.find("{{");
    add_text(body.substr(0, open));
    if (open == std::string_view::npos) break;
    body.remove_prefix(open + 2);
    const std::size_t close = body.find("}}");
    if (close == std::string_view::npos) return false;
    std::string_view tag = body.substr(0, close);
    body.remove_prefix(close + 2);
    if (tag.empty()) return false;
    const char sigil = tag.front();
    if (sigil == '!') continue;  // a comment renders as nothing
    Token t;
    if (sigil == '#' || sigil == '^' || sigil == '/') {
      t.kind = sigil == '#'   ? Token::Kind::Open
               : sigil == '^' ? Token::Kind::OpenInverted
                              : Token::Kind::Close;
      tag.remove_prefix(1);
    } else {
      t.kind = Token::Kind::Var;  // '{', '&' (unescaped), '>' (partial), '=' fail plain_name
    }
    tag = trim_tag(tag);
    if (!plain_name(tag)) return false;
    t.text = std::string(tag);
    lines.back().push_back(std::move(t));
  }
  return true;
}

// ---- compiling lines to nodes -----------------------------------------------------------------
class Compiler {
 public:
  explicit Compiler(LayoutProgram& program) : program_(program) { scopes_.push_back(Scope::Top); }

  bool compile(const std::vector<Line>& lines) {
    std::vector<std::vector<Node>*> open{&program_.nodes};
    std::vector<std::string> open_names;
    for (const auto& line : lines) {
      const Token* tag = nullptr;
      std::size_t tags = 0;
      for (const auto& t : line) {
        if (t.kind != Token::Kind::Text && t.kind != Token::Kind::Var) {
          tag = &t;
          ++tags;
        }
      }
      if (tags == 0) {
        if (!content_line(line, *open.back())) return false;
        continue;
      }
      // A section tag alone on its line (spaces around it, a CR at the end): whatever mustache
      // leaves of such a line is blank, and the interpreter drops blank lines.
      if (tags > 1 || !standalone(line)) return false;
      if (tag->kind == Token::Kind::Close) {
        if (open_names.empty() || open_names.back() != tag->text) return false;
        open_names.pop_back();
        open.pop_back();
        if (scope_pushed_.back()) scopes_.pop_back();
        scope_pushed_.pop_back();
        continue;
      }
      Node section;
      section.kind = Node::Kind::Section;
      section.inverted = tag->kind == Token::Kind::OpenInverted;
      Ref ref = resolve(tag->text);
      for (std::size_t k = 0; k < ref.size; ++k) {
        if (ref.chain[k].name->type == Type::List && ref.size != 1) return false;
      }
      const bool list = ref.size == 1 && ref.chain[0].name->type == Type::List;
      section.list = list && !section.inverted;
      section.items = list ? ref.chain[0].name->items : Scope::Top;
      section.ref = add_ref(ref);
      const bool pushes = section.list;  // each item is the innermost context
      const Scope items = section.items;
      open.back()->push_back(std::move(section));
      open.push_back(&open.back()->back().children);
      open_names.push_back(tag->text);
      scope_pushed_.push_back(pushes);
      if (pushes) {
        if (scopes_.size() >= kMaxDepth) return false;
        scopes_.push_back(items);
      }
    }
    return open_names.empty();
  }

 private:
  static bool standalone(const Line& line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto& t = line[i];
      if (t.kind == Token::Kind::Var) return false;
      if (t.kind != Token::Kind::Text) continue;
      for (std::size_t k = 0; k < t.text.size(); ++k) {
        const char c = t.text[k];
        const bool last = i + 1 == line.size() && k + 1 == t.text.size();
        if (c != ' ' && !(c == '\r' && last)) return false;
      }
    }
    return true;
  }

  Ref resolve(const std::string& name) const {
    Ref ref;
    for (std::size_t d = scopes_.size(); d-- > 0;) {
      if (const Name* n = find_name(scopes_[d], name)) {
        ref.chain[ref.size++] = {static_cast<std::uint8_t>(d), n};
        if (n->always) break;  // it always answers: nothing further out is asked
      }
    }
    return ref;
  }

  int add_ref(const Ref& ref) {
    program_.refs.push_back(ref);
    return static_cast<int>(program_.refs.size() - 1);
  }

  // A line of fixed text and values.
  bool content_line(const Line& line, std::vector<Node>& out) {
    TextExpr pieces;
    bool has_value = false;
    bool plain_fixed = true;  // no '%' or CR in the fixed text
    for (const auto& t : line) {
      if (t.kind == Token::Kind::Text) {
        if (t.text.find_first_of("%\r") != std::string::npos) plain_fixed = false;
        if (!pieces.empty() && pieces.back().ref < 0)
          pieces.back().text += t.text;
        else
          pieces.push_back({t.text, -1});
        continue;
      }
      const Ref ref = resolve(t.text);
      for (std::size_t k = 0; k < ref.size; ++k) {
        if (ref.chain[k].name->type != Type::Text) return false;  // a flag or list as text
      }
      has_value = true;
      pieces.push_back({{}, add_ref(ref)});
    }
    Node node;
    if (!has_value) {
      std::string text;
      for (const auto& p : pieces) text += p.text;
      node.kind = Node::Kind::Static;
      node.error = layout::parse_layout_line(text, node.op);
      if (!node.error && node.op.kind == layout::LayoutOp::Kind::Skip) return true;
      out.push_back(std::move(node));
      return true;
    }
    node.text = std::move(pieces);
    node.kind = Node::Kind::Generic;
    if (!plain_fixed) {
      out.push_back(std::move(node));
      return true;
    }
    // The first character that is not a space decides what the line is; a value's first
    // character is never '@' (escaped), so only fixed text can make it an instruction.
    bool value_before = false;
    for (std::size_t i = 0; i < node.text.size(); ++i) {
      const Piece& p = node.text[i];
      if (p.ref >= 0) {
        value_before = true;
        continue;
      }
      const std::size_t first = p.text.find_first_not_of(' ');
      if (first == std::string::npos) continue;
      if (p.text[first] != '@') break;  // a paragraph
      if (value_before) {               // '@' first or not, as the values fall
        out.push_back(std::move(node));
        return true;
      }
      const std::size_t space = p.text.find(' ', first);
      if (space == std::string::npos) {  // "@name{{value}}": leave it to the parser
        out.push_back(std::move(node));
        return true;
      }
      const std::string word = p.text.substr(first + 1, space - first - 1);  // p goes below
      if (word != "row" && word != "barcode" && word != "qr") {
        out.push_back(std::move(node));
        return true;
      }
      TextExpr rest;
      rest.push_back({p.text.substr(space + 1), -1});
      for (std::size_t k = i + 1; k < node.text.size(); ++k) rest.push_back(node.text[k]);
      node.text.clear();
      if (word != "row") {
        node.kind = word == "barcode" ? Node::Kind::Barcode : Node::Kind::Qr;
        node.text = std::move(rest);
        out.push_back(std::move(node));
        return true;
      }
      // Cells end at each '|' of the fixed text (a value never holds one).
      node.kind = Node::Kind::Row;
      node.cells.emplace_back();
      for (auto& piece : rest) {
        if (piece.ref >= 0) {
          node.cells.back().push_back(std::move(piece));
          continue;
        }
        std::string_view fixed = piece.text;
        while (true) {
          const std::size_t bar = fixed.find('|');
          if (!fixed.substr(0, bar).empty())
            node.cells.back().push_back({std::string(fixed.substr(0, bar)), -1});
          if (bar == std::string_view::npos) break;
          node.cells.emplace_back();
          fixed.remove_prefix(bar + 1);
        }
      }
      for (auto& cell : node.cells) trim_fixed_ends(cell);
      out.push_back(std::move(node));
      return true;
    }
    node.kind = Node::Kind::Paragraph;
    out.push_back(std::move(node));
    return true;
  }

  // A cell is trimmed of spaces when it is filled in; the spaces at the ends of its fixed text
  // (those around the '|') are trimmed here, once, so "| {{amount}} |" is the value alone and
  // is filled in without being copied. trim(" " + v + " ") == trim(v) for any v.
  static void trim_fixed_ends(TextExpr& cell) {
    while (!cell.empty() && cell.front().ref < 0) {
      const std::size_t first = cell.front().text.find_first_not_of(' ');
      if (first != std::string::npos) {
        cell.front().text.erase(0, first);
        break;
      }
      cell.erase(cell.begin());
    }
    while (!cell.empty() && cell.back().ref < 0) {
      const std::size_t last = cell.back().text.find_last_not_of(' ');
      if (last != std::string::npos) {
        cell.back().text.erase(last + 1);
        break;
      }
      cell.pop_back();
    }
  }

  LayoutProgram& program_;
  std::vector<Scope> scopes_;
  std::vector<bool> scope_pushed_;
};

// ---- running (filling in) ---------------------------------------------------------------------
struct Frame {
  Scope scope = Scope::Top;
  const void* item = nullptr;
};

struct Value {
  Type type = Type::Text;
  bool present = false;
  bool flag = false;
  std::string_view text;
  std::size_t list_size = 0;
};

// Per-thread scratch for the cells of a row and a line: no allocation per receipt once warm.
struct Scratch {
  std::array<std::string, layout::LayoutRunner::kMaxColumns + 1> cells;
  std::string line;
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

class Filler {
 public:
  Filler(const LayoutProgram& program, const ReceiptTemplate& tmpl, const ReceiptContent& c,
         bool narrow, layout::LayoutRunner& runner)
      : program_(program), c_(c), narrow_(narrow), runner_(runner), scratch_(scratch()) {
    const std::size_t max_lines =
        static_cast<std::size_t>(std::max(1, narrow ? tmpl.max_lines_narrow : tmpl.max_lines_wide));
    summarise_ = c.lines.size() > max_lines;
    shown_ = summarise_ ? max_lines - 1 : c.lines.size();
    hidden_ = number(hidden_buf_, c.lines.size() - shown_);
    count_ = number(count_buf_, c.lines.size());
    frames_[0] = {Scope::Top, &c};
  }

  std::optional<std::string> run(const std::vector<Node>& nodes) {
    for (const auto& node : nodes) {
      if (auto err = run(node)) return err;
    }
    return std::nullopt;
  }

 private:
  static std::string_view number(std::array<char, 24>& buf, std::size_t n) {
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), n);
    return {buf.data(), static_cast<std::size_t>(r.ptr - buf.data())};
  }

  static Value text(std::string_view s, bool always) {
    Value v;
    v.present = always || !s.empty();
    v.text = s;
    return v;
  }
  static Value flag(bool b) {
    Value v;
    v.type = Type::Flag;
    v.present = true;
    v.flag = b;
    return v;
  }
  static Value list(std::size_t n) {
    Value v;
    v.type = Type::List;
    v.present = true;
    v.list_size = n;
    return v;
  }

  Value value(const Candidate& cand) const {
    const Frame& f = frames_[cand.depth];
    switch (cand.name->key) {
      case Key::ShopName:
        return text(c_.shop_name, false);
      case Key::TaxId:
        return text(c_.tax_id, false);
      case Key::ReceiptReference:
        return text(c_.receipt_reference, false);
      case Key::InvoiceNumber:
        return text(c_.invoice_number, false);
      case Key::PaymentId:
        return text(c_.payment_id, false);
      case Key::TerminalId:
        return text(c_.terminal_id, false);
      case Key::Cashier:
        return text(c_.cashier, false);
      case Key::LocalTime:
        return text(c_.local_time, false);
      case Key::Currency:
        return text(c_.currency, false);
      case Key::Total:
        return text(c_.total, false);
      case Key::CashTendered:
        return text(c_.cash_tendered, false);
      case Key::Change:
        return text(c_.change, false);
      case Key::RemainingBalance:
        return text(c_.remaining_balance, false);
      case Key::Barcode:
        return text(c_.barcode, false);
      case Key::Qr:
        return text(c_.qr, false);
      case Key::CopyMark:
        return c_.copy ? text(c_.copy->mark, false) : Value{};
      case Key::CopyTime:
        return c_.copy ? text(c_.copy->time, false) : Value{};
      case Key::CopyUser:
        return c_.copy ? text(c_.copy->user, false) : Value{};
      case Key::CopyReason:
        return c_.copy ? text(c_.copy->reason, false) : Value{};
      case Key::ItemsHiddenCount:
        return text(hidden_, true);
      case Key::ItemsCount:
        return text(count_, true);
      case Key::Narrow:
        return flag(narrow_);
      case Key::Wide:
        return flag(!narrow_);
      case Key::ItemsSummarized:
        return flag(summarise_);
      case Key::HasCash:
        return flag(!c_.cash_tendered.empty());
      case Key::PaidInFull:
        return flag(c_.payment_state == PaymentState::PaidInFull);
      case Key::PartialPayment:
        return flag(c_.payment_state == PaymentState::PartialPayment);
      case Key::Copy:
        return flag(c_.copy.has_value());
      case Key::Logo:
        return flag(c_.logo != nullptr);
      case Key::ShopLines:
        return list(c_.shop_lines.size());
      case Key::Items:
        return list(shown_);
      case Key::Totals:
        return list(c_.totals.size());
      case Key::Tenders:
        return list(c_.tenders.size());
      case Key::FooterLines:
        return list(c_.footer.size());
      case Key::Line:
        return text(*static_cast<const std::string*>(f.item), true);
      case Key::Quantity:
        return text(static_cast<const ReceiptLineItem*>(f.item)->quantity, true);
      case Key::Description:
        return text(static_cast<const ReceiptLineItem*>(f.item)->description, true);
      case Key::UnitPrice:
        return text(static_cast<const ReceiptLineItem*>(f.item)->unit_price, true);
      case Key::ItemAmount:
        return text(static_cast<const ReceiptLineItem*>(f.item)->amount, true);
      case Key::Label:
        return text(static_cast<const ReceiptAmount*>(f.item)->label, true);
      case Key::TotalAmount:
        return text(static_cast<const ReceiptAmount*>(f.item)->amount, true);
      case Key::Method:
        return text(static_cast<const ReceiptTender*>(f.item)->method, true);
      case Key::TenderAmount:
        return text(static_cast<const ReceiptTender*>(f.item)->amount, true);
      case Key::Detail:
        return text(static_cast<const ReceiptTender*>(f.item)->detail, false);
    }
    return {};
  }

  Value lookup(int ref) const {
    const Ref& r = program_.refs[static_cast<std::size_t>(ref)];
    for (std::size_t k = 0; k < r.size; ++k) {
      Value v = value(r.chain[k]);
      if (v.present) return v;
    }
    return {};
  }

  // The text of pieces with the values as they are (see the file comment for why).
  std::string_view fill(const TextExpr& expr, std::string& buf) const {
    if (expr.empty()) return {};
    if (expr.size() == 1)
      return expr[0].ref < 0 ? std::string_view(expr[0].text) : lookup(expr[0].ref).text;
    buf.clear();
    for (const auto& p : expr) {
      if (p.ref < 0)
        buf += p.text;
      else
        buf += lookup(p.ref).text;
    }
    return buf;
  }

  static std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  }

  const void* item(Scope scope, std::size_t i) const {
    switch (scope) {
      case Scope::ShopLine:
        return &c_.shop_lines[i];
      case Scope::Item:
        return &c_.lines[i];
      case Scope::Total:
        return &c_.totals[i];
      case Scope::Tender:
        return &c_.tenders[i];
      case Scope::Footer:
        return &c_.footer[i];
      case Scope::Top:
        break;
    }
    return &c_;
  }

  std::optional<std::string> section(const Node& node) {
    const Value v = lookup(node.ref);
    if (node.inverted) {
      const bool empty = !v.present || (v.type == Type::Flag && !v.flag) ||
                         (v.type == Type::List && v.list_size == 0);
      return empty ? run(node.children) : std::nullopt;
    }
    if (!v.present) return std::nullopt;
    if (v.type == Type::Flag) return v.flag ? run(node.children) : std::nullopt;
    if (!node.list) return run(node.children);  // text: shown once, whatever it is
    const std::size_t depth = ++depth_;
    for (std::size_t i = 0; i < v.list_size; ++i) {
      frames_[depth] = {node.items, item(node.items, i)};
      if (auto err = run(node.children)) {
        --depth_;
        return err;
      }
    }
    --depth_;
    return std::nullopt;
  }

  std::optional<std::string> run(const Node& node) {
    Scratch& s = scratch_;
    switch (node.kind) {
      case Node::Kind::Static:
        if (node.error) return node.error;
        return runner_.run(node.op);
      case Node::Kind::Row: {
        const std::size_t n = std::min(node.cells.size(), cells_.size());
        for (std::size_t i = 0; i < n; ++i)
          cells_[i] = trim_spaces(fill(node.cells[i], s.cells[i]));
        return runner_.row(std::span<const std::string_view>(cells_.data(), n));
      }
      case Node::Kind::Paragraph: {
        std::string_view text = fill(node.text, s.line);
        const std::size_t last = text.find_last_not_of(' ');
        if (last == std::string_view::npos) return std::nullopt;  // a blank line is dropped
        runner_.paragraph(text.substr(0, last + 1));
        return std::nullopt;
      }
      case Node::Kind::Barcode:
        runner_.barcode(trim_spaces(fill(node.text, s.line)));
        return std::nullopt;
      case Node::Kind::Qr:
        runner_.qr(trim_spaces(fill(node.text, s.line)));
        return std::nullopt;
      case Node::Kind::Generic: {
        s.line.clear();
        for (const auto& p : node.text) {
          if (p.ref < 0)
            s.line += p.text;
          else
            layout::append_escaped(s.line, lookup(p.ref).text);
        }
        layout::LayoutOp op;
        if (auto err = layout::parse_layout_line(s.line, op)) return err;
        return runner_.run(op);
      }
      case Node::Kind::Section:
        return section(node);
    }
    return std::nullopt;
  }

  const LayoutProgram& program_;
  const ReceiptContent& c_;
  bool narrow_;
  layout::LayoutRunner& runner_;
  Scratch& scratch_;  // looked up once per receipt (a thread_local access has a guard)
  // A row's cells, kept here so a row does not zero an array of its own.
  std::array<std::string_view, layout::LayoutRunner::kMaxColumns + 1> cells_{};
  bool summarise_ = false;
  std::size_t shown_ = 0;
  std::array<char, 24> hidden_buf_{}, count_buf_{};
  std::string_view hidden_, count_;
  std::array<Frame, kMaxDepth> frames_{};
  std::size_t depth_ = 0;
};

}  // namespace

std::shared_ptr<const LayoutProgram> compile_program(std::string_view body) {
  std::vector<Line> lines;
  if (!tokenize(body, lines)) return nullptr;
  auto program = std::make_shared<LayoutProgram>();
  Compiler compiler(*program);
  if (!compiler.compile(lines)) return nullptr;
  return program;
}

std::optional<std::string> run_program(const LayoutProgram& program, const ReceiptTemplate& tmpl,
                                       const ReceiptContent& content, bool narrow,
                                       layout::LayoutRunner& runner) {
  Filler filler(program, tmpl, content, narrow, runner);
  return filler.run(program.nodes);
}

}  // namespace pos::escpos::detail
