// The printer test page and the drawer pulse (see test_page.hpp).
#include <pos/drivers/test_page.hpp>

#include <fmt/format.h>
#include <pos/escpos/encoder.hpp>

namespace pos::drivers {

namespace {
constexpr int kLabel = 9;  // "Terminal " ; the value takes the rest and wraps
}  // namespace

escpos::Expected<Bytes> build_test_page(const escpos::PrinterProfile& profile,
                                        const TestPageFacts& facts) {
  using escpos::Align;
  using escpos::Emphasis;
  escpos::Encoder e(profile);
  e.initialize()
      .align(Align::Center)
      .emphasis(Emphasis::Bold | Emphasis::DoubleHeight)
      .line("PRINTER TEST");
  e.emphasis(Emphasis::None).line(profile.name).align(Align::Left).rule();
  const std::string columns_a = std::to_string(profile.font_a.columns);
  const std::string dots = std::to_string(profile.dot_width);
  const escpos::Column printer_row[] = {{"Printer", kLabel}, {facts.printer, 0, Align::Right}};
  const escpos::Column uri_row[] = {{"Address", kLabel}, {facts.uri, 0, Align::Right}};
  const escpos::Column profile_row[] = {{"Profile", kLabel}, {profile.id, 0, Align::Right}};
  // Column holds a string_view: the text must outlive the row.
  const std::string width_text = fmt::format("{} dots, {} columns", dots, columns_a);
  const escpos::Column width_row[] = {{"Width", kLabel}, {width_text, 0, Align::Right}};
  e.row(printer_row).row(uri_row).row(profile_row).row(width_row);
  if (!facts.terminal_id.empty()) {
    const escpos::Column terminal_row[] = {{"Terminal", kLabel},
                                           {facts.terminal_id, 0, Align::Right}};
    e.row(terminal_row);
  }
  if (!facts.printed_at.empty()) {
    const escpos::Column time_row[] = {{"Time", kLabel}, {facts.printed_at, 0, Align::Right}};
    e.row(time_row);
  }
  e.rule();
  // The full width of font A, so a wrong profile shows as a wrapped or short line.
  std::string ruler;
  for (int i = 0; i < profile.font_a.columns; ++i)
    ruler.push_back(static_cast<char>('0' + (i + 1) % 10));
  e.line(ruler);
  e.emphasis(Emphasis::Bold).line("Bold").emphasis(Emphasis::Underline).line("Underline");
  e.emphasis(Emphasis::DoubleWidth)
      .line("Double width")
      .emphasis(Emphasis::Inverse)
      .line(" Inverse ");
  e.emphasis(Emphasis::None)
      .font(escpos::Font::B)
      .line("Font B: the quick brown fox jumps over the lazy dog");
  e.font(escpos::Font::A);
  // Characters from the code pages shops use; a '?' shows the profile lacks that page.
  e.paragraph("Müller Straße · Café · Niño · Łódź")
      .paragraph("Příliš žluťoučký · Привет · 12,50 €");
  e.rule();
  e.align(Align::Center);
  if (auto r = e.barcode128("TEST-0123456789"); !r) return r.error();
  if (auto r = e.qr("POS TEST PAGE " + profile.id); !r) return r.error();
  e.line("End of test page").align(Align::Left).cut(escpos::Cut::Partial);
  return e.take_bytes();
}

escpos::Expected<Bytes> build_drawer_pulse(const escpos::PrinterProfile& profile) {
  if (profile.drawer_pins.empty()) {
    return escpos::Error{escpos::ErrorCode::DrawerUnavailable,
                         "the printer profile has no drawer connector"};
  }
  escpos::Encoder e(profile);
  if (auto r = e.drawer_pulse(profile.drawer_pins.front()); !r) return r.error();
  return e.take_bytes();
}

}  // namespace pos::drivers
