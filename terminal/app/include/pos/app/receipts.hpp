// Receipts: the checkout's receipt turned into escpos's content model, rendered with the
// configured template (a reprint with the version it was first printed with), its printed text
// read back through the decoder, and printing through the PrinterService.
#pragma once

#include <optional>
#include <string>

#include <pos/app/printing.hpp>
#include <pos/app/terminal.hpp>
#include <pos/checkout/checkout.hpp>
#include <pos/escpos/receipt.hpp>

namespace pos::app {

struct CopyMark {
  std::string mark;  // "REPRINT 2" or "DUPLICATE"
  checkout::Timestamp at;
  std::string user;
  std::string reason;
};

struct RenderedReceiptText {
  std::vector<std::uint8_t> bytes;
  std::string text;  // what the printer prints, as text (the ledger's print_text)
  std::string templateId;
  int templateVersion = 0;
};


class ReceiptRenderer {
 public:
  explicit ReceiptRenderer(Terminal& terminal) : terminal_(terminal) {}

  // The content of the receipt for `receipt` of checkout `co` (its payment, the invoice's
  // earlier payments and this checkout's earlier payments as tenders in capture order).
  escpos::ReceiptContent content(const checkout::Checkout& co, const checkout::ReceiptId& receipt,
                                 const std::optional<CopyMark>& copy) const;

  // New receipts use the latest version of the configured template; a reprint passes the
  // version the receipt was first printed with.
  std::variant<RenderedReceiptText, std::string> render(const escpos::ReceiptContent& content,
                                                        std::optional<int> templateVersion,
                                                        escpos::DrawerKick drawer) const;

 private:
  std::string staffName(const checkout::UserId& user) const;
  Terminal& terminal_;
};

}  // namespace pos::app
