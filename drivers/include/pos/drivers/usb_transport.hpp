// USB receipt printers on libusb-1.0 (1.0.26: libusb_init).
//
// Sections: the USB context (events, hot-plug) · found printers · UsbTransport.
//
// What it implements: discovery by printer-class (7) interfaces, by vendor-class interfaces
// where the known-printers table says so, and by that table's ids, refined by the IEEE-1284
// GET_DEVICE_ID (model → profile, and a class 7 printer whose CMD is not ESC/POS is not taken
// by usb://auto); opening with the kernel's usblp detached (re-attached on close); endpoints
// from the interface descriptors; chunked bulk writes with a per-chunk time-out inside the
// job's deadline; status by DLE EOT on the IN endpoint, or GET_PORT_STATUS where there is none;
// hot-plug callbacks (libusb's, or polling by re-opening where the platform has none);
// reconnecting after an unplug.
//
// What it does not: isochronous or interrupt endpoints, several printers on one USB interface,
// USB serial adapters (CDC ACM clones show up as /dev/ttyACM*, not here).
//
// Outcomes of a write: all bytes → ok. A time-out or a NO_DEVICE / PIPE / IO error after
// bytes_sent > 0 is a partial write: the receipt may be partly printed (the spooler says
// POSSIBLY_PRINTED). libusb counts the bytes of every URB that completed, and those a
// cancelled URB moved before its cancellation.
#pragma once

#include <pos/drivers/known_printers.hpp>
#include <pos/drivers/printer_uri.hpp>
#include <pos/drivers/transport.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pos::drivers {

// ---- the USB context -------------------------------------------------------------------------

struct UsbHotplugEvent {
  enum class Kind : std::uint8_t { kArrived, kLeft };
  Kind kind = Kind::kArrived;
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
};

// One libusb context with a thread that handles its events (transfers' completions, hot-plug).
// Shared by every USB transport of the process; outlives them (they hold a shared_ptr).
// kCallbacks uses libusb's hot-plug where the platform has it (else falls back to polling);
// kPolling never registers one: transports notice a printer leaving by the next failed call and
// one arriving by re-opening on the next call (the spooler's idle status poll).
enum class HotplugMode : std::uint8_t { kCallbacks, kPolling };

class UsbContext {
 public:
  struct Create;
  static Create create(HotplugMode mode = HotplugMode::kCallbacks);
  ~UsbContext();
  UsbContext(const UsbContext&) = delete;
  UsbContext& operator=(const UsbContext&) = delete;

  // False where libusb has no hot-plug (then transports poll by re-opening).
  bool hotplug_supported() const;
  using HotplugListener = std::function<void(const UsbHotplugEvent&)>;
  // The listener runs on the event thread; it must not do USB I/O. Returns a token.
  std::uint64_t subscribe(HotplugListener listener);
  void unsubscribe(std::uint64_t token);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit UsbContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct UsbContext::Create {
  std::shared_ptr<UsbContext> context;
  std::string error;  // libusb_init failed (no usbfs, e.g. in a container)
};

// ---- found printers --------------------------------------------------------------------------

struct UsbPrinterInfo {
  std::uint16_t vendor = 0;
  std::uint16_t product = 0;
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
  std::string serial;  // empty when the device has none or could not be opened
  std::uint8_t interface_number = 0;
  std::uint8_t alt_setting = 0;
  UsbInterfaceKind interface_kind = UsbInterfaceKind::kPrinterClass;
  std::uint8_t endpoint_out = 0;
  std::optional<std::uint8_t> endpoint_in;  // many clones have none
  std::uint16_t in_max_packet = 64;
  std::optional<Ieee1284Id> device_id;  // from GET_DEVICE_ID, when it answered
  std::string profile;                  // from a model line, else the id table; empty: unknown
  bool known_id = false;                // listed in the known-printers table
  std::string problem;                  // e.g. "ACCESS_DENIED: install the udev rule"
  // usb://auto takes a printer that is in the table or says CMD:ESC/POS.
  bool speaks_escpos() const { return known_id || (device_id && device_id->speaks_escpos()); }
  PrinterUri uri() const;  // usb://VID:PID[/SERIAL]
  std::string describe() const;
};

// Enumerates USB printers now. Opens each briefly for GET_DEVICE_ID and its serial number
// (GET_DEVICE_ID is allowed while usblp is bound); a device that cannot be opened is listed
// with `problem` set.
std::vector<UsbPrinterInfo> find_usb_printers(UsbContext& context, const KnownUsbPrinters& known);

// ---- UsbTransport ----------------------------------------------------------------------------

struct UsbOptions {
  // Bytes per libusb bulk transfer. libusb splits a transfer into URBs (16 KiB each without
  // scatter-gather); each chunk gets its own time-out.
  std::size_t chunk_bytes = 16 * 1024;
  // A chunk that makes no progress for this long ends the write (the printer stopped taking).
  Clock::duration chunk_timeout = std::chrono::seconds(5);
};

using UsbMatch = std::variant<UsbAuto, UsbId>;

class UsbTransport final : public Transport {
 public:
  UsbTransport(std::shared_ptr<UsbContext> context, UsbMatch match, KnownUsbPrinters known,
               UsbOptions options = {});
  ~UsbTransport() override;

  WriteResult write(ByteView bytes, Deadline deadline) override;
  ReadResult read(std::size_t max_bytes, Deadline deadline) override;
  // DLE EOT on the IN endpoint, else GET_PORT_STATUS (paper empty bit), else kNoStatus.
  StatusResult status(Deadline deadline) override;
  std::string describe() const override;
  // Releases the interface and re-attaches usblp if it was detached.
  void close() override;

  // The listener runs on the USB event thread when a matching printer arrives or the open one
  // leaves.
  void set_change_listener(std::function<void()> listener) override;
  // The printer currently open, if any.
  std::optional<UsbPrinterInfo> printer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pos::drivers
