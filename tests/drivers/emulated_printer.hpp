// A USB receipt printer emulated with umockdev, for driving the real libusb code path: the
// device appears in an in-process testbed (sysfs + /dev/bus/usb node) and an ioctl handler
// plays the printer behind usbfs: it takes bulk OUT URBs (strictly in order), answers DLE EOT
// on the IN endpoint, answers GET_DEVICE_ID / GET_PORT_STATUS and string descriptors, plays
// usblp being bound, and can stop taking data or vanish mid-job.
//
// Tests using it run with LD_PRELOAD=libumockdev-preload.so.0 (as umockdev-wrapper does).
#pragma once

#include <pos/drivers/transport.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

typedef struct _UMockdevTestbed UMockdevTestbed;
typedef struct _UMockdevIoctlBase UMockdevIoctlBase;
typedef struct _UMockdevIoctlClient UMockdevIoctlClient;

namespace pos::drivers::testing {

// True when the umockdev preload library is loaded (checked through LD_PRELOAD, because
// umockdev_in_mock_environment() caches its first answer).
bool in_umockdev_environment();

struct EmulatedPrinterSpec {
  std::uint16_t vendor = 0x04b8;
  std::uint16_t product = 0x0e28;
  std::string serial = "X3LA012345";
  std::string device_id = "MFG:EPSON;CMD:ESC/POS;MDL:TM-T20III;CLS:PRINTER;DES:TM-T20III;";
  std::uint8_t interface_class = 7;  // 0xFF for a vendor-class printer, 3 for a non-printer
  bool has_in_endpoint = true;
  std::uint8_t endpoint_out = 0x01;
  std::uint8_t endpoint_in = 0x82;
  bool usblp_bound = true;
  int bus = 1;  // each emulated device sits on its own bus, as device 1
};

class EmulatedPrinter {
 public:
  EmulatedPrinter(UMockdevTestbed* testbed, EmulatedPrinterSpec spec);
  ~EmulatedPrinter();
  EmulatedPrinter(const EmulatedPrinter&) = delete;
  EmulatedPrinter& operator=(const EmulatedPrinter&) = delete;

  // Printer state.
  void set_paper_out(bool out);
  void set_cover_open(bool open);
  // Takes OUT URBs until this many bytes were received in total, then takes no more (a printer
  // whose buffer stays full): later URBs stay pending until cancelled.
  void stop_taking_after(std::size_t total_bytes);
  void take_everything();
  // Bytes the printer sends on IN before anyone asks (an Automatic Status Back block, a late
  // answer to an earlier question).
  void queue_input(const Bytes& bytes);
  // Vanishes: pending and later URBs fail as on a real unplug; the testbed sends "remove".
  void unplug();
  // Comes back (usblp bound again, as the kernel would); the testbed sends "add".
  void replug();

  // What the printer saw.
  Bytes received() const;
  std::size_t out_urbs() const;  // bulk OUT URBs completed with data
  std::size_t largest_out_urb() const;
  int detaches() const;    // usblp detached
  int reattaches() const;  // usblp re-attached
  int claims() const;
  int port_status_requests() const;
  bool usblp_bound() const;
  // Waits until at least n bytes arrived (false on time-out).
  bool wait_received(std::size_t n, std::chrono::milliseconds timeout) const;
  // Waits until an OUT URB is held back by stop_taking_after().
  bool wait_stalled(std::chrono::milliseconds timeout) const;

  const std::string& sysfs_path() const { return sysfs_path_; }

 private:
  struct Urb;
  static int on_ioctl(UMockdevIoctlBase* handler, UMockdevIoctlClient* client, void* self);
  bool handle(UMockdevIoctlClient* client);
  void take_pending_in_order();
  void answer_status_requests();
  void serve_in();
  std::string record() const;

  UMockdevTestbed* testbed_;
  UMockdevIoctlBase* handler_;
  EmulatedPrinterSpec spec_;
  std::string sysfs_path_;
  std::string devnode_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<Urb*> pending_out_;
  std::deque<Urb*> pending_in_;
  std::deque<Urb*> completed_;
  Bytes received_;
  std::size_t scanned_ = 0;  // how far received_ was searched for DLE EOT
  Bytes replies_;            // bytes waiting for an IN URB
  std::size_t take_limit_ = SIZE_MAX;
  bool paper_out_ = false;
  bool cover_open_ = false;
  bool gone_ = false;
  bool bound_;
  std::size_t out_urbs_ = 0;
  std::size_t largest_out_urb_ = 0;
  int detaches_ = 0;
  int reattaches_ = 0;
  int claims_ = 0;
  int port_status_requests_ = 0;
};

}  // namespace pos::drivers::testing
