// Mustache rendering of a receipt template into the layout language, kept in its own file:
// kainjow's header trips GCC 12's -Wnull-dereference at -O3 (a false positive inside
// std::vector), so only this file is built without that warning (see escpos/CMakeLists.txt).
#pragma once

#include <memory>
#include <string>

#include <pos/escpos/receipt.hpp>

namespace pos::escpos {

// Parses a template body once (mustache syntax errors are TemplateSyntax).
Expected<std::shared_ptr<detail::CompiledTemplate>> compile_template(const std::string& body);

// The layout text for `content`, with tmpl.compiled when set; values are percent-escaped ('%', '@',
// '|', CR, LF) so they never form instructions. narrow: paper under 40 columns.
Expected<std::string> render_layout(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                    bool narrow);

// The receipt through mustache and the layout interpreter, parsing every line: what
// render_receipt does for a template its program does not compile, and the reference the
// compiled path is tested against byte for byte (defined in receipt.cpp).
Expected<RenderedReceipt> render_receipt_through_mustache(const ReceiptTemplate& tmpl,
                                                          const ReceiptContent& content,
                                                          const PrinterProfile& profile,
                                                          DrawerKick drawer = DrawerKick::None);

}  // namespace pos::escpos
