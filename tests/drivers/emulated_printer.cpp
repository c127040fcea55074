// The umockdev-emulated USB printer (see emulated_printer.hpp).
//
// Sections: descriptors · lifecycle · the printer's behaviour · usbfs ioctls.
//
// The ioctl handler runs on umockdev's own thread: every piece of state is under mutex_.
#include "emulated_printer.hpp"

#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace pos::drivers::testing {

bool in_umockdev_environment() {
  const char* preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "libumockdev-preload") != nullptr;
}

// An URB libusb submitted and has not reaped yet. The resolved copies are written back to the
// caller's memory when a REAPURB completes with them.
struct EmulatedPrinter::Urb {
  UMockdevIoctlData* urb = nullptr;     // struct usbdevfs_urb
  UMockdevIoctlData* buffer = nullptr;  // its data buffer
  ~Urb() {
    if (buffer != nullptr) umockdev_ioctl_data_unref(buffer);
    if (urb != nullptr) umockdev_ioctl_data_unref(urb);
  }
  usbdevfs_urb& u() { return *reinterpret_cast<usbdevfs_urb*>(urb->data); }
  void finish(int status, int actual) {
    u().status = status;
    u().actual_length = actual;
  }
};

// ---- descriptors -----------------------------------------------------------------------------

namespace {

std::string hex(const Bytes& b) {
  std::string s;
  for (auto x : b) s += fmt::format("{:02x}", x);
  return s;
}

Bytes descriptors(const EmulatedPrinterSpec& spec) {
  const std::uint8_t endpoints = spec.has_in_endpoint ? 2 : 1;
  const std::uint16_t total = static_cast<std::uint16_t>(9 + 9 + 7 * endpoints);
  Bytes d = {18,
             1,
             0x00,
             0x02,
             0,
             0,
             0,
             64,
             static_cast<std::uint8_t>(spec.vendor & 0xff),
             static_cast<std::uint8_t>(spec.vendor >> 8),
             static_cast<std::uint8_t>(spec.product & 0xff),
             static_cast<std::uint8_t>(spec.product >> 8),
             0x00,
             0x01,
             1,
             2,
             static_cast<std::uint8_t>(spec.serial.empty() ? 0 : 3),
             1};
  const Bytes config = {9,
                        2,
                        static_cast<std::uint8_t>(total & 0xff),
                        static_cast<std::uint8_t>(total >> 8),
                        1,
                        1,
                        0,
                        0xc0,
                        50};
  // Printer class: subclass 1, protocol 2 (bidirectional) with an IN endpoint, else 1.
  const Bytes iface = {9,         4,
                       0,         0,
                       endpoints, spec.interface_class,
                       1,         static_cast<std::uint8_t>(spec.has_in_endpoint ? 2 : 1),
                       0};
  d.insert(d.end(), config.begin(), config.end());
  d.insert(d.end(), iface.begin(), iface.end());
  const Bytes out = {7, 5, spec.endpoint_out, 2, 64, 0, 0};
  d.insert(d.end(), out.begin(), out.end());
  if (spec.has_in_endpoint) {
    const Bytes in = {7, 5, spec.endpoint_in, 2, 64, 0, 0};
    d.insert(d.end(), in.begin(), in.end());
  }
  return d;
}

Bytes string_descriptor(std::string_view ascii) {
  Bytes d = {static_cast<std::uint8_t>(2 + 2 * ascii.size()), 3};
  for (char c : ascii) {
    d.push_back(static_cast<std::uint8_t>(c));
    d.push_back(0);
  }
  return d;
}

}  // namespace

std::string EmulatedPrinter::record() const {
  const auto dev = fmt::format("{:03d}/001", spec_.bus);
  return fmt::format(
      "P: {}\nN: bus/usb/{}\nE: SUBSYSTEM=usb\nE: DRIVER=usb\nE: BUSNUM={:03d}\nE: DEVNUM=001\n"
      "E: DEVNAME=/dev/bus/usb/{}\nE: DEVTYPE=usb_device\nA: busnum={}\\n\nA: devnum=1\\n\n"
      "A: bConfigurationValue=1\\n\nA: speed=12\\n\nH: descriptors={}\n",
      sysfs_path_.substr(4), dev, spec_.bus, dev, spec_.bus, hex(descriptors(spec_)));
}

// ---- lifecycle -------------------------------------------------------------------------------

EmulatedPrinter::EmulatedPrinter(UMockdevTestbed* testbed, EmulatedPrinterSpec spec)
    : testbed_(testbed),
      handler_(umockdev_ioctl_base_new()),
      spec_(std::move(spec)),
      bound_(spec_.usblp_bound) {
  sysfs_path_ = fmt::format("/sys/devices/usb{}", spec_.bus);
  devnode_ = fmt::format("/dev/bus/usb/{:03d}/001", spec_.bus);
  g_signal_connect(handler_, "handle-ioctl", G_CALLBACK(&EmulatedPrinter::on_ioctl), this);
  // The handler first, so libusb can open the device as soon as it is announced.
  GError* error = nullptr;
  if (!umockdev_testbed_attach_ioctl(testbed_, devnode_.c_str(), handler_, &error)) {
    const std::string what = error != nullptr ? error->message : "attach_ioctl failed";
    g_clear_error(&error);
    throw std::runtime_error(what);
  }
  const auto text = record();
  if (!umockdev_testbed_add_from_string(testbed_, text.c_str(), &error)) {
    const std::string what = error != nullptr ? error->message : "add_from_string failed";
    g_clear_error(&error);
    throw std::runtime_error(what);
  }
}

EmulatedPrinter::~EmulatedPrinter() {
  umockdev_testbed_detach_ioctl(testbed_, devnode_.c_str(), nullptr);
  g_object_unref(handler_);
  std::lock_guard lock(mutex_);
  for (auto* list : {&pending_out_, &pending_in_, &completed_}) {
    for (auto* u : *list) delete u;
    list->clear();
  }
}

// ---- the printer's behaviour -----------------------------------------------------------------

void EmulatedPrinter::set_paper_out(bool out) {
  std::lock_guard lock(mutex_);
  paper_out_ = out;
}

void EmulatedPrinter::set_cover_open(bool open) {
  std::lock_guard lock(mutex_);
  cover_open_ = open;
}

void EmulatedPrinter::stop_taking_after(std::size_t total_bytes) {
  std::lock_guard lock(mutex_);
  take_limit_ = total_bytes;
}

void EmulatedPrinter::take_everything() {
  std::lock_guard lock(mutex_);
  take_limit_ = SIZE_MAX;
  take_pending_in_order();
}

void EmulatedPrinter::queue_input(const Bytes& bytes) {
  std::lock_guard lock(mutex_);
  replies_.insert(replies_.end(), bytes.begin(), bytes.end());
  serve_in();
}

void EmulatedPrinter::unplug() {
  {
    std::lock_guard lock(mutex_);
    gone_ = true;
    // The URBs in flight end as they do when a device disappears.
    for (auto* list : {&pending_out_, &pending_in_}) {
      for (auto* u : *list) {
        u->finish(-ESHUTDOWN, 0);
        completed_.push_back(u);
      }
      list->clear();
    }
  }
  umockdev_testbed_uevent(testbed_, sysfs_path_.c_str(), "remove");
}

void EmulatedPrinter::replug() {
  {
    std::lock_guard lock(mutex_);
    gone_ = false;
    bound_ = spec_.usblp_bound;
    take_limit_ = SIZE_MAX;
  }
  umockdev_testbed_uevent(testbed_, sysfs_path_.c_str(), "add");
}

Bytes EmulatedPrinter::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}
std::size_t EmulatedPrinter::out_urbs() const {
  std::lock_guard lock(mutex_);
  return out_urbs_;
}
std::size_t EmulatedPrinter::largest_out_urb() const {
  std::lock_guard lock(mutex_);
  return largest_out_urb_;
}
int EmulatedPrinter::detaches() const {
  std::lock_guard lock(mutex_);
  return detaches_;
}
int EmulatedPrinter::reattaches() const {
  std::lock_guard lock(mutex_);
  return reattaches_;
}
int EmulatedPrinter::claims() const {
  std::lock_guard lock(mutex_);
  return claims_;
}
int EmulatedPrinter::port_status_requests() const {
  std::lock_guard lock(mutex_);
  return port_status_requests_;
}
bool EmulatedPrinter::usblp_bound() const {
  std::lock_guard lock(mutex_);
  return bound_;
}

bool EmulatedPrinter::wait_received(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
}

bool EmulatedPrinter::wait_stalled(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return !pending_out_.empty(); });
}

// Completes held-back OUT URBs, oldest first, while the printer takes data (a later URB never
// completes before an earlier one).
void EmulatedPrinter::take_pending_in_order() {
  while (!pending_out_.empty()) {
    auto* u = pending_out_.front();
    const auto len = static_cast<std::size_t>(u->u().buffer_length);
    if (received_.size() + len > take_limit_) break;
    const auto* data = u->buffer != nullptr ? u->buffer->data : nullptr;
    if (data != nullptr) received_.insert(received_.end(), data, data + len);
    ++out_urbs_;
    largest_out_urb_ = std::max(largest_out_urb_, len);
    u->finish(0, static_cast<int>(len));
    completed_.push_back(u);
    pending_out_.pop_front();
  }
  answer_status_requests();
  changed_.notify_all();
}

// DLE EOT n in the received stream queues one status byte (real-time: answered at once).
void EmulatedPrinter::answer_status_requests() {
  while (scanned_ + 3 <= received_.size()) {
    if (received_[scanned_] == 0x10 && received_[scanned_ + 1] == 0x04) {
      const auto n = received_[scanned_ + 2];
      std::uint8_t reply = 0x12;
      switch (n) {
        case 1:
          reply = paper_out_ || cover_open_ ? 0x1e : 0x16;
          break;
        case 2:
          reply =
              static_cast<std::uint8_t>(0x12 | (cover_open_ ? 0x04 : 0) | (paper_out_ ? 0x20 : 0));
          break;
        case 3:
          reply = 0x12;
          break;
        case 4:
          reply = paper_out_ ? 0x72 : 0x12;
          break;
        default:
          break;
      }
      replies_.push_back(reply);
      scanned_ += 3;
    } else {
      ++scanned_;
    }
  }
  serve_in();
}

void EmulatedPrinter::serve_in() {
  while (!replies_.empty() && !pending_in_.empty()) {
    auto* u = pending_in_.front();
    pending_in_.pop_front();
    const auto n =
        std::min<std::size_t>(replies_.size(), static_cast<std::size_t>(u->u().buffer_length));
    std::memcpy(u->buffer->data, replies_.data(), n);
    replies_.erase(replies_.begin(), replies_.begin() + static_cast<std::ptrdiff_t>(n));
    u->finish(0, static_cast<int>(n));
    completed_.push_back(u);
  }
}

// ---- usbfs ioctls ----------------------------------------------------------------------------

int EmulatedPrinter::on_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, void* self) {
  return static_cast<EmulatedPrinter*>(self)->handle(client) ? TRUE : FALSE;
}

bool EmulatedPrinter::handle(UMockdevIoctlClient* client) {
  const auto request = umockdev_ioctl_client_get_request(client);
  auto* arg = umockdev_ioctl_client_get_arg(client);
  std::lock_guard lock(mutex_);
  auto done = [&](long result, int err) {
    umockdev_ioctl_client_complete(client, result, err);
    return true;
  };
  switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
      // No scatter-gather: libusb splits large transfers into 16 KiB URBs, as on many hosts.
      auto* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(std::uint32_t), nullptr);
      const std::uint32_t caps =
          USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
      std::memcpy(d->data, &caps, sizeof caps);
      done(0, 0);
      umockdev_ioctl_data_unref(d);
      return true;
    }
    case USBDEVFS_GETDRIVER: {
      auto* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_getdriver), nullptr);
      auto* g = reinterpret_cast<usbdevfs_getdriver*>(d->data);
      if (!bound_) {
        done(-1, ENODATA);
      } else {
        std::strcpy(g->driver, "usblp");
        done(0, 0);
      }
      umockdev_ioctl_data_unref(d);
      return true;
    }
    case USBDEVFS_IOCTL: {
      auto* d = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_ioctl), nullptr);
      const auto code =
          static_cast<unsigned long>(reinterpret_cast<usbdevfs_ioctl*>(d->data)->ioctl_code);
      umockdev_ioctl_data_unref(d);
      if (gone_) return done(-1, ENODEV);
      if (code == USBDEVFS_DISCONNECT) {
        if (!bound_) return done(-1, ENODATA);
        bound_ = false;
        ++detaches_;
        return done(0, 0);
      }
      if (code == USBDEVFS_CONNECT) {
        bound_ = true;
        ++reattaches_;
        return done(0, 0);
      }
      return done(-1, ENOTTY);
    }
    case USBDEVFS_CLAIMINTERFACE:
      if (gone_) return done(-1, ENODEV);
      if (bound_) return done(-1, EBUSY);  // usblp holds it
      ++claims_;
      return done(0, 0);
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP:
    case USBDEVFS_SETINTERFACE:
      return gone_ ? done(-1, ENODEV) : done(0, 0);
    case USBDEVFS_SUBMITURB: {
      if (gone_) return done(-1, ENODEV);
      auto* urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(usbdevfs_urb), nullptr);
      auto* raw = reinterpret_cast<usbdevfs_urb*>(urb_data->data);
      auto* u = new Urb;
      u->urb = urb_data;
      if (raw->buffer_length > 0) {
        u->buffer = umockdev_ioctl_data_resolve(urb_data, offsetof(usbdevfs_urb, buffer),
                                                static_cast<gsize>(raw->buffer_length), nullptr);
      }
      done(0, 0);
      if (raw->type == USBDEVFS_URB_TYPE_CONTROL) {
        // 8-byte setup packet, then the data stage.
        const auto* setup = u->buffer->data;
        const std::uint8_t type = setup[0];
        const std::uint8_t req = setup[1];
        const std::uint16_t value = static_cast<std::uint16_t>(setup[2] | (setup[3] << 8));
        const std::uint16_t length = static_cast<std::uint16_t>(setup[6] | (setup[7] << 8));
        Bytes reply;
        if (type == 0xa1 && req == 0) {  // GET_DEVICE_ID
          const auto size = spec_.device_id.size() + 2;
          reply = {static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size & 0xff)};
          reply.insert(reply.end(), spec_.device_id.begin(), spec_.device_id.end());
        } else if (type == 0xa1 && req == 1) {  // GET_PORT_STATUS
          ++port_status_requests_;
          reply = {static_cast<std::uint8_t>(paper_out_ ? 0x38 : 0x18)};
        } else if (type == 0x80 && req == 6 && (value >> 8) == 3) {  // GET_DESCRIPTOR string
          const auto index = value & 0xff;
          if (index == 0) reply = {4, 3, 0x09, 0x04};
          if (index == 1) reply = string_descriptor("EPSON");
          if (index == 2) reply = string_descriptor("Receipt");
          if (index == 3 && !spec_.serial.empty()) reply = string_descriptor(spec_.serial);
        }
        if (reply.empty()) {
          u->finish(-EPIPE, 0);  // a stalled control request, as devices do for unknown ones
        } else {
          const auto n = std::min<std::size_t>(reply.size(), length);
          std::memcpy(u->buffer->data + 8, reply.data(), n);
          u->finish(0, static_cast<int>(n));
        }
        completed_.push_back(u);
      } else if ((raw->endpoint & 0x80) != 0) {
        pending_in_.push_back(u);
        serve_in();
      } else {
        pending_out_.push_back(u);
        take_pending_in_order();
      }
      changed_.notify_all();
      return true;
    }
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
      if (completed_.empty()) return done(-1, gone_ ? ENODEV : EAGAIN);
      auto* u = completed_.front();
      completed_.pop_front();
      auto* out = umockdev_ioctl_data_resolve(arg, 0, sizeof(void*), nullptr);
      umockdev_ioctl_data_set_ptr(out, 0, u->urb);
      done(0, 0);
      umockdev_ioctl_data_unref(out);
      delete u;
      return true;
    }
    case USBDEVFS_DISCARDURB: {
      const auto addr = *reinterpret_cast<gulong*>(arg->data);
      for (auto* list : {&pending_out_, &pending_in_}) {
        for (auto it = list->begin(); it != list->end(); ++it) {
          if ((*it)->urb->client_addr == addr) {
            auto* u = *it;
            list->erase(it);
            u->finish(-ENOENT, 0);
            completed_.push_back(u);
            return done(0, 0);
          }
        }
      }
      return done(-1, EINVAL);
    }
    default:
      return false;
  }
}

}  // namespace pos::drivers::testing
