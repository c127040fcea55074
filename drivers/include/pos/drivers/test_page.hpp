// Ready-made jobs the drivers part owns: the printer test page (`pos-terminal print-test`) and
// the cash drawer pulse, both encoded with escpos for a printer profile.
#pragma once

#include <pos/drivers/transport.hpp>
#include <pos/escpos/error.hpp>
#include <pos/escpos/profile.hpp>

#include <string>

namespace pos::drivers {

struct TestPageFacts {
  std::string printer;      // transport.describe()
  std::string uri;          // as configured
  std::string terminal_id;  // may be empty
  std::string printed_at;   // local time text, supplied by the caller (drivers has no clock zone)
};

// A page that shows the printer works end to end: its identity and profile, the widths of both
// fonts, each style, characters from every code page of the profile (with €), a CODE128 and a
// QR code, then a cut. Every byte comes from escpos's encoder.
escpos::Expected<Bytes> build_test_page(const escpos::PrinterProfile& profile,
                                        const TestPageFacts& facts);

// ESC p on the profile's first drawer pin (DrawerUnavailable when it has none).
escpos::Expected<Bytes> build_drawer_pulse(const escpos::PrinterProfile& profile);

}  // namespace pos::drivers
