// The layout language of receipt templates (documented in receipt.hpp), split in two steps that
// both paths share: parse_layout_line (one line of layout text -> one LayoutOp) and LayoutRunner
// (LayoutOps -> Encoder calls, with the state a layout carries: the current @columns). The
// mustache path parses every line of every receipt; the compiled path (template_program.hpp)
// parses the fixed lines once and hands the filled-in values straight to the runner.
// Sections: escaping, LayoutOp, parse_layout_line, LayoutRunner, run_layout_text.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pos/escpos/encoder.hpp>
#include <pos/escpos/receipt.hpp>

namespace pos::escpos::layout {

// ---- escaping ---------------------------------------------------------------------------------
// Values from ReceiptContent are percent-encoded ('%', '@', '|', LF, CR) into the layout text so
// they never form an instruction, and decoded again inside a text field.
std::string escape_value(const std::string& value);
void append_escaped(std::string& out, std::string_view value);
std::string unescape(std::string_view text);
// Leading spaces; trailing spaces and CRs (as the interpreter trims a line or a cell).
std::string_view trim(std::string_view s);

// ---- LayoutOp ---------------------------------------------------------------------------------
struct ColumnSpec {
  enum Kind : std::uint8_t { Fixed, Flex, Hidden } kind = Flex;
  int width = 0;
  Align align = Align::Left;
};

struct LayoutOp {
  enum class Kind : std::uint8_t {
    Skip,  // an empty line
    Paragraph,
    Blank,
    Align,
    Style,
    Rule,
    Columns,
    Row,
    Barcode,
    Qr,
    Logo,
    Feed,
    Cut
  };
  Kind kind = Kind::Skip;
  Align align = Align::Left;
  Font font = Font::A;
  Emphasis emphasis = Emphasis::None;
  char fill = '-';
  int feed = 0;
  Cut cut = Cut::Partial;
  std::vector<ColumnSpec> specs;   // Columns
  std::vector<std::string> cells;  // Row: unescaped, trimmed
  std::string text;                // Paragraph, Barcode, Qr: unescaped
};

// ---- parse_layout_line ------------------------------------------------------------------------
// One line of layout text exactly as the template produced it (without its LF). Returns the
// error (without a line number) for an instruction this library does not know.
std::optional<std::string> parse_layout_line(std::string_view raw, LayoutOp& op);

// ---- LayoutRunner -----------------------------------------------------------------------------
class LayoutRunner {
 public:
  static constexpr std::size_t kMaxColumns = 8;

  LayoutRunner(Encoder& enc, RenderedReceipt& out, const MonoImage* logo)
      : enc_(enc), out_(out), logo_(logo) {}

  // Every kind but Row goes here (Row too, with op.cells). Errors without a line number.
  std::optional<std::string> run(const LayoutOp& op);
  std::optional<std::string> row(std::span<const std::string_view> cells);
  void paragraph(std::string_view text) { enc_.paragraph(text); }
  void barcode(std::string_view value);
  void qr(std::string_view value);

 private:
  Encoder& enc_;
  RenderedReceipt& out_;
  const MonoImage* logo_;
  void set_columns(std::span<const ColumnSpec> specs);

  // The current @columns as the encoder's columns (text filled in per row), so a row copies
  // only its cells' text: set once per @columns, not per row.
  std::array<Column, kMaxColumns> columns_{};
  std::array<bool, kMaxColumns> hidden_{};
  std::size_t spec_count_ = 0;
};

// ---- run_layout_text --------------------------------------------------------------------------
// The mustache path's interpreter: every line parsed, then run. Errors name the layout line.
std::optional<Error> run_layout_text(std::string_view text, LayoutRunner& runner);

}  // namespace pos::escpos::layout
