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

// The mark a copy of a receipt carries. The contract allows "a `REPRINT n` / `DUPLICATE` mark"
// (billing-api.md, Receipts) and nothing selects between them: reprintPolicy has no such field
// and no other contract value or DESIGN rule names DUPLICATE. Decided (issue 10): every copy is
// "REPRINT n", n being the reprint's number the backend also counts (reprintNumber), which says
// more than DUPLICATE would. DUPLICATE stays a copy kind the printer journal and escpos know
// (drivers::Copy::kDuplicate) so a future contract field can select it; nothing here invents one.
struct CopyMark {
  std::string mark;  // "REPRINT 2"
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

// The compact code the receipt's barcode carries (escpos::compact_receipt_code): the number is
// the milliseconds since 2020-01-01 at which the receipt's UUIDv7 id was made, so a scan
// resolves back to the receipt by its id's time prefix with no number stored beside it (two
// receipts of one millisecond, possible only across processes, are both offered).
std::string compactReceiptCode(const checkout::ReceiptId& receipt);
// The id prefix ("01a2314c-2d98") a scanned compact code names; nullopt for anything else.
std::optional<std::string> receiptIdPrefixFor(std::string_view scanned);

class ReceiptRenderer {
 public:
  // Loads the shop's logo (`[receipt] logo`) once for the printer's profile.
  explicit ReceiptRenderer(Terminal& terminal);
  // Why the logo could not be used (names the file): the terminal refuses to start (exit 6).
  [[nodiscard]] const std::string& problem() const { return problem_; }

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
  std::shared_ptr<const escpos::MonoImage> logo_;
  std::string problem_;
};

}  // namespace pos::app
