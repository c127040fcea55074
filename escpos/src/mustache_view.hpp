// Mustache rendering of a receipt template into the layout language, kept in its own file:
// kainjow's header trips GCC 12's -Wnull-dereference at -O3 (a false positive inside
// std::vector), so only this file is built without that warning (see escpos/CMakeLists.txt).
#pragma once

#include <string>

#include <pos/escpos/receipt.hpp>

namespace pos::escpos {

// The layout text for `content`; values are percent-escaped ('%', '@', '|', CR, LF) so they
// never form instructions. narrow: paper under 40 columns.
Expected<std::string> render_layout(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                    bool narrow);

}  // namespace pos::escpos
