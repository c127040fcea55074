// The compiled receipt template: the mustache body parsed once into a program of layout
// operations with slots (ReceiptContent fields), so a receipt is filled in, not rendered to
// mustache text and parsed again. The program does exactly what the mustache path does (same
// bytes, same warnings); what it cannot prove equal it does not compile (compile_program gives
// null and the template keeps the mustache path): partials, set-delimiter and unescaped tags,
// dotted names, a section tag sharing its line with anything but spaces, a variable naming a
// list or a flag.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <pos/escpos/receipt.hpp>

#include "layout.hpp"

namespace pos::escpos::detail {

struct LayoutProgram;

// Null when the body uses something the program does not do (see above).
std::shared_ptr<const LayoutProgram> compile_program(std::string_view body);

// Runs the program for `content`. An error (a layout instruction the body produced that this
// library does not know) is reported without the mustache path's line number: the caller asks
// the mustache path for the exact message.
std::optional<std::string> run_program(const LayoutProgram& program, const ReceiptTemplate& tmpl,
                                       const ReceiptContent& content, bool narrow,
                                       layout::LayoutRunner& runner);

}  // namespace pos::escpos::detail
