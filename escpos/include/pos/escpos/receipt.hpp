// The receipt: a generic, already-formatted content model, rendered through a template file
// (assets/templates/*.toml: id, version, mustache body producing a small layout language) into
// ESC/POS bytes for one printer profile. The same template serves 58 mm and 80 mm paper.
// escpos knows nothing of checkouts: the application maps its receipt into ReceiptContent.
// Sections: ReceiptContent, ReceiptTemplate + TemplateCatalog, render_receipt, layout language.
//
// Layout language (what the mustache body must produce, one instruction per line; values from
// ReceiptContent are escaped so they can never form an instruction):
//   plain text                 word-wrapped to the paper width; blank lines are dropped
//   @blank                     an empty line
//   @align left|center|right
//   @style normal | [bold] [underline] [wide] [tall] [inverse] [small]   (small = font B)
//   @rule [c]                  a line of c (default '-') across the paper
//   @columns SPEC...           column layout for @row: <N left, >N right, ^N centred (N
//                              characters), * the flexible column (wraps), - a hidden column
//   @row a | b | c             one row; as many cells as @columns has specs
//   @barcode VALUE             CODE128 (printed as text if it cannot fit the paper)
//   @qr VALUE                  QR code (native or raster, per profile)
//   @logo                      ReceiptContent::logo as a raster image, if there is one
//   @feed N                    ESC d N
//   @cut partial|full
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pos/escpos/encoder.hpp>
#include <pos/escpos/error.hpp>
#include <pos/escpos/profile.hpp>

namespace pos::escpos {

// ---- ReceiptContent ---------------------------------------------------------------------------
// Every field is text already formatted by the application (money with its currency rules,
// local time with zone). Empty strings are left out by the template. Nothing here may hold a
// card number, PIN or e-mail address: cards appear as brand + last 4 + approval code only.
struct ReceiptLineItem {
  std::string quantity;     // "2"
  std::string description;  // "Battery replacement" (wrapped on paper)
  std::string unit_price;   // "49.90"
  std::string amount;       // "99.80"
};

struct ReceiptAmount {
  std::string label;   // "Subtotal", "Tax 8.25%", "Discount"
  std::string amount;  // "183.47"
};

struct ReceiptTender {
  std::string method;  // "CASH", "CARD", "CHEQUE", "ACCOUNT"
  std::string amount;  // "100.00"
  std::string detail;  // cards: "VISA ****4242 auth 123456"; cheque number; account name
};

// Present on reprints only (BILL-DEC-012): the mark and who/when/why.
struct ReceiptCopyMark {
  std::string mark;    // "REPRINT 2" or "DUPLICATE"
  std::string time;    // local time with zone of the reprint
  std::string user;    // who asked for it
  std::string reason;  // reason code
};

enum class PaymentState : std::uint8_t { PaidInFull, PartialPayment };

struct ReceiptContent {
  std::string shop_name;
  std::vector<std::string> shop_lines;  // address lines, phone
  std::string tax_id;
  std::string receipt_reference;  // RCP-INV-12345-20260105T143022Z-001
  std::string invoice_number;
  std::string payment_id;  // billingPaymentId
  std::string terminal_id;
  std::string cashier;
  std::string local_time;  // "2026-01-05 15:30:22 CET"
  std::string currency;    // "EUR"
  std::vector<ReceiptLineItem> lines;
  std::vector<ReceiptAmount> totals;   // subtotal, tax, discounts, in print order
  std::string total;                   // grand total amount
  std::vector<ReceiptTender> tenders;  // in capture order
  std::string cash_tendered;           // empty when no cash was given
  std::string change;
  PaymentState payment_state = PaymentState::PaidInFull;
  std::string remaining_balance;        // shown with PartialPayment
  std::optional<ReceiptCopyMark> copy;  // set on reprints
  // CODE128 value: the compact receipt code (compact_receipt_code below), which fits 58 mm
  // paper as native bars at 2 dots per module; a longer value that does not fit is printed as
  // text with a warning.
  std::string barcode;
  std::string qr;  // optional QR (e.g. a receipt URL); empty = none
  std::vector<std::string> footer;
  // Printed by @logo: a picture prepared once with raster_from_png (image.hpp) at the profile's
  // raster_max_width. Absent or too wide: nothing is printed (a warning says why).
  std::shared_ptr<const MonoImage> logo;
};

// ---- templates --------------------------------------------------------------------------------
namespace detail {
struct CompiledTemplate;  // the parsed mustache body, built once by parse_template
struct LayoutProgram;     // the body compiled into layout operations with slots
}  // namespace detail

struct ReceiptTemplate {
  std::string id;
  int version = 0;
  std::string description;
  int max_lines_narrow = 8;  // item lines shown on paper under 40 columns before summarising
  int max_lines_wide = 20;   // ... on wider paper
  std::string body;          // mustache, producing the layout language above
  // Set by parse_template so rendering does not parse the body again (safe to share between
  // threads: rendering takes its lock). Null: the body is parsed at every render.
  std::shared_ptr<detail::CompiledTemplate> compiled;
  // Set by parse_template: the body as a program of layout operations with slots, so rendering
  // fills a receipt in (no mustache text, no parsing). Null for a body using what the program
  // does not do (partials, set delimiters, unescaped tags, dotted names, a section tag sharing
  // its line): such a template renders through mustache, with the same result.
  std::shared_ptr<const detail::LayoutProgram> program;
};

struct TemplateSource {
  std::string origin;  // file name, for error messages
  std::string text;    // TOML: id, version, description, max_lines_narrow, max_lines_wide, body
};

// Parses one template file; checks the mustache syntax and the layout by rendering sample content.
Expected<ReceiptTemplate> parse_template(const TemplateSource& source);

// Every version of every template: a reprint asks for the version it was first printed with.
class TemplateCatalog {
 public:
  static Expected<TemplateCatalog> parse(const std::vector<TemplateSource>& sources);
  Expected<std::shared_ptr<const ReceiptTemplate>> find(std::string_view id, int version) const;
  // The highest version of `id`, for new receipts.
  Expected<std::shared_ptr<const ReceiptTemplate>> latest(std::string_view id) const;

 private:
  std::vector<std::shared_ptr<const ReceiptTemplate>> templates_;
};

// ---- the compact receipt code ------------------------------------------------------------------
// What the receipt's barcode carries: "R" and the receipt's number in decimal, zero-padded to an
// even count of 8 to 12 digits ("R00000042"), so CODE128 packs the digits in pairs (code set C):
// at most 123 modules, 246 dots at 2 dots per module, which fits 58 mm (384 dots) and 80 mm. The
// terminal gives each receipt its number and resolves a scanned code back to the receipt.
inline constexpr std::uint64_t kMaxCompactReceiptNumber = 999'999'999'999ULL;
inline constexpr std::size_t kMaxCompactReceiptCodeLength = 13;
// BarcodeInvalid above kMaxCompactReceiptNumber.
Expected<std::string> compact_receipt_code(std::uint64_t receipt_number);
// The number in a scanned code: "R" (or "r") and 1 to 12 digits, nothing else (a scanner's
// trailing CR/LF is the caller's to strip). nullopt for anything else, e.g. a receipt reference.
std::optional<std::uint64_t> parse_compact_receipt_code(std::string_view scanned);

// ---- rendering --------------------------------------------------------------------------------
enum class DrawerKick : std::uint8_t { None, Pin2, Pin5 };

struct RenderedReceipt {
  std::vector<std::uint8_t> bytes;
  std::string template_id;
  int template_version = 0;
  std::size_t replaced_characters = 0;  // printed as '?': no code page of the printer has them
  std::vector<std::string> warnings;    // e.g. barcode printed as text because it did not fit
};

// Renders `content` with `tmpl` for `profile`: ESC @, the layout, and a drawer pulse first when
// asked (the drawer opens while the receipt prints). Fails on a layout instruction the template
// produced but this library does not know (TemplateBadDirective, with the line).
Expected<RenderedReceipt> render_receipt(const ReceiptTemplate& tmpl, const ReceiptContent& content,
                                         const PrinterProfile& profile,
                                         DrawerKick drawer = DrawerKick::None);

}  // namespace pos::escpos
