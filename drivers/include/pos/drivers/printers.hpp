// What the application needs to pick a printer: a transport for a configured URI (the virtual
// printer when none is configured or file:// is), and the printers that can be
// found now with their status and profile (`pos-terminal printers`).
#pragma once

#include <pos/drivers/known_printers.hpp>
#include <pos/drivers/printer_uri.hpp>
#include <pos/drivers/tcp_transport.hpp>
#include <pos/drivers/transport.hpp>
#include <pos/drivers/usb_transport.hpp>
#include <pos/drivers/virtual_printer.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pos::drivers {

struct PrinterEnvironment {
  std::shared_ptr<UsbContext> usb;  // null where USB is unavailable (no usbfs): USB URIs fail
  KnownUsbPrinters known;
  std::filesystem::path default_spool;  // the virtual printer's folder (data dir/spool)
  PreviewRenderer preview;              // for the virtual printer (escpos_preview(profile))
  UsbOptions usb_options;
  TcpOptions tcp_options;
};

struct OpenedPrinter {
  std::unique_ptr<Transport> transport;  // never null
  PrinterUri uri;                        // what is used (the virtual printer's after a fallback)
  std::string profile;                   // the USB printer's own profile when known, else empty
  std::string note;                      // why the virtual printer was chosen, when it was
};

// No URI: the virtual printer in default_spool (note says why); file:///DIR: the virtual printer
// in DIR. A USB URI (usb://auto or usb://VID:PID) always gives a USB transport, also when no
// printer is plugged in (or USB is unavailable): it reports "not found" (the job FAILED, the
// advisor told to load paper or e-mail) until a printer is plugged in, which it then finds by
// hot-plug or by re-opening; a USB receipt is never quietly spooled to the virtual printer.
OpenedPrinter open_printer(const std::optional<PrinterUri>& configured, PrinterEnvironment& env);

struct FoundPrinter {
  PrinterUri uri;
  std::string description;
  std::string profile;  // empty when unknown
  bool speaks_escpos = false;
  StatusResult status;  // asked only for ESC/POS printers that could be opened
  std::string problem;  // e.g. "ACCESS_DENIED: LIBUSB_ERROR_ACCESS" (install the udev rule)
};

// USB printers found now, each asked for its status within status_timeout (this briefly takes
// the interface from usblp and gives it back), plus the configured TCP printer if any.
std::vector<FoundPrinter> discover_printers(
    PrinterEnvironment& env, const std::optional<PrinterUri>& configured,
    Clock::duration status_timeout = std::chrono::seconds(1));

}  // namespace pos::drivers
