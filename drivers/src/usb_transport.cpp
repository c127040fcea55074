// USB printers on libusb (see usb_transport.hpp for what is and is not implemented).
//
// Sections: error mapping · the context and its event thread · describing a device ·
// discovery · UsbTransport: open and close · write · read · status.
#include <pos/drivers/usb_transport.hpp>

#include <libusb.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <thread>

#include "status_bytes.hpp"

namespace pos::drivers {
namespace {

// Printer class requests (USB Device Class Definition for Printing Devices 1.1, 4.2).
// bmRequestType 0xA1: device-to-host, class, interface.
constexpr std::uint8_t kClassInterfaceIn = 0xA1;
constexpr std::uint8_t kGetDeviceId = 0;
constexpr std::uint8_t kGetPortStatus = 1;
constexpr unsigned kControlTimeoutMs = 500;

// ---- error mapping ---------------------------------------------------------------------------

// NO_DEVICE, PIPE and IO all end up here on an unplug, depending on the kernel and the moment.
LinkError to_link_error(int rc) {
  switch (rc) {
    case LIBUSB_ERROR_TIMEOUT:
      return LinkError::kTimedOut;
    case LIBUSB_ERROR_NO_DEVICE:
    case LIBUSB_ERROR_PIPE:
    case LIBUSB_ERROR_IO:
      return LinkError::kUnplugged;
    case LIBUSB_ERROR_ACCESS:
      return LinkError::kAccessDenied;
    case LIBUSB_ERROR_BUSY:
      return LinkError::kBusy;
    case LIBUSB_ERROR_NOT_FOUND:
      return LinkError::kNotFound;
    default:
      return LinkError::kIo;
  }
}

std::string usb_error(int rc) {
  return libusb_error_name(rc);
}

unsigned timeout_ms(const Deadline& d) {
  // libusb reads 0 as "wait forever": never pass it.
  const auto ms = d.remaining().count();
  return static_cast<unsigned>(std::clamp<long long>(ms, 1, 3600 * 1000));
}

}  // namespace

// ---- the context and its event thread --------------------------------------------------------

struct UsbContext::Impl {
  libusb_context* ctx = nullptr;
  bool hotplug = false;
  libusb_hotplug_callback_handle hotplug_handle = 0;
  std::atomic<bool> stop{false};
  std::thread events;
  std::mutex mutex;
  std::map<std::uint64_t, HotplugListener> listeners;
  std::uint64_t next_token = 1;

  static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* dev, libusb_hotplug_event event,
                                    void* user) {
    auto* self = static_cast<Impl*>(user);
    libusb_device_descriptor desc{};
    libusb_get_device_descriptor(dev, &desc);
    UsbHotplugEvent e{event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? UsbHotplugEvent::Kind::kArrived
                                                                   : UsbHotplugEvent::Kind::kLeft,
                      desc.idVendor, desc.idProduct, libusb_get_bus_number(dev),
                      libusb_get_device_address(dev)};
    std::vector<HotplugListener> copy;
    {
      std::lock_guard lock(self->mutex);
      for (const auto& [token, l] : self->listeners) copy.push_back(l);
    }
    for (const auto& l : copy) l(e);
    return 0;  // stay registered
  }
};

UsbContext::UsbContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

UsbContext::Create UsbContext::create(HotplugMode mode) {
  auto impl = std::make_unique<Impl>();
  if (const int rc = libusb_init(&impl->ctx); rc != 0) {
    return {nullptr, fmt::format("libusb_init: {}", usb_error(rc))};
  }
  impl->hotplug =
      mode == HotplugMode::kCallbacks && libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
  if (impl->hotplug) {
    const int rc = libusb_hotplug_register_callback(
        impl->ctx,
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                          LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
        static_cast<libusb_hotplug_flag>(0), LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
        LIBUSB_HOTPLUG_MATCH_ANY, &Impl::on_hotplug, impl.get(), &impl->hotplug_handle);
    if (rc != 0) impl->hotplug = false;  // transports fall back to polling
  }
  auto* raw = impl.get();
  raw->events = std::thread([raw] {
    while (!raw->stop.load()) {
      timeval tv{0, 200 * 1000};
      libusb_handle_events_timeout_completed(raw->ctx, &tv, nullptr);
    }
  });
  return {std::shared_ptr<UsbContext>(new UsbContext(std::move(impl))), {}};
}

UsbContext::~UsbContext() {
  impl_->stop.store(true);
  if (impl_->hotplug) libusb_hotplug_deregister_callback(impl_->ctx, impl_->hotplug_handle);
  libusb_interrupt_event_handler(impl_->ctx);
  impl_->events.join();
  libusb_exit(impl_->ctx);
}

bool UsbContext::hotplug_supported() const {
  return impl_->hotplug;
}

std::uint64_t UsbContext::subscribe(HotplugListener listener) {
  std::lock_guard lock(impl_->mutex);
  const auto token = impl_->next_token++;
  impl_->listeners.emplace(token, std::move(listener));
  return token;
}

void UsbContext::unsubscribe(std::uint64_t token) {
  std::lock_guard lock(impl_->mutex);
  impl_->listeners.erase(token);
}

// ---- describing a device ---------------------------------------------------------------------

PrinterUri UsbPrinterInfo::uri() const {
  UsbId id{vendor, product, std::nullopt};
  if (!serial.empty()) id.serial = serial;
  return id;
}

std::string UsbPrinterInfo::describe() const {
  auto s = fmt::format("usb {:04x}:{:04x}", vendor, product);
  if (device_id) s += fmt::format(" {} {}", device_id->manufacturer, device_id->model);
  if (!serial.empty()) s += fmt::format(" (SN {})", serial);
  return s;
}

namespace {

// The printer interface of a device from its descriptors alone (no I/O), or nullopt.
std::optional<UsbPrinterInfo> describe_device(libusb_device* dev, const KnownUsbPrinters& known) {
  libusb_device_descriptor desc{};
  if (libusb_get_device_descriptor(dev, &desc) != 0) return std::nullopt;
  const auto* listed = known.find(desc.idVendor, desc.idProduct);
  const bool vendor_class =
      listed != nullptr && listed->interface == UsbInterfaceKind::kVendorClass;
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(dev, &config) != 0 &&
      libusb_get_config_descriptor(dev, 0, &config) != 0) {
    return std::nullopt;
  }
  std::optional<UsbPrinterInfo> best;
  for (int i = 0; i < config->bNumInterfaces; ++i) {
    const auto& iface = config->interface[i];
    for (int a = 0; a < iface.num_altsetting; ++a) {
      const auto& alt = iface.altsetting[a];
      const bool printer = alt.bInterfaceClass == LIBUSB_CLASS_PRINTER;
      if (!printer && !(vendor_class && alt.bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC)) continue;
      UsbPrinterInfo info;
      info.vendor = desc.idVendor;
      info.product = desc.idProduct;
      info.bus = libusb_get_bus_number(dev);
      info.address = libusb_get_device_address(dev);
      info.interface_number = alt.bInterfaceNumber;
      info.alt_setting = alt.bAlternateSetting;
      info.interface_kind =
          printer ? UsbInterfaceKind::kPrinterClass : UsbInterfaceKind::kVendorClass;
      for (int e = 0; e < alt.bNumEndpoints; ++e) {
        const auto& ep = alt.endpoint[e];
        if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
        if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) != 0) {
          if (!info.endpoint_in) {
            info.endpoint_in = ep.bEndpointAddress;
            info.in_max_packet = std::max<std::uint16_t>(ep.wMaxPacketSize, 8);
          }
        } else if (info.endpoint_out == 0) {
          info.endpoint_out = ep.bEndpointAddress;
        }
      }
      if (info.endpoint_out == 0) continue;
      // Prefer the bidirectional alternate setting (protocol 2): it can answer DLE EOT.
      if (!best || (!best->endpoint_in && info.endpoint_in)) best = info;
    }
  }
  libusb_free_config_descriptor(config);
  if (best && listed != nullptr) {
    best->known_id = true;
    best->profile = listed->profile;
  }
  return best;
}

// Asks an open device for its IEEE-1284 id and serial number, and settles the profile.
void query_identity(libusb_device_handle* h, UsbPrinterInfo& info, const KnownUsbPrinters& known) {
  libusb_device_descriptor desc{};
  libusb_get_device_descriptor(libusb_get_device(h), &desc);
  if (desc.iSerialNumber != 0) {
    unsigned char serial[128] = {};
    const int n =
        libusb_get_string_descriptor_ascii(h, desc.iSerialNumber, serial, sizeof serial - 1);
    if (n > 0)
      info.serial.assign(reinterpret_cast<const char*>(serial), static_cast<std::size_t>(n));
  }
  if (info.interface_kind == UsbInterfaceKind::kPrinterClass) {
    std::uint8_t reply[1024] = {};
    const auto index = static_cast<std::uint16_t>((info.interface_number << 8) | info.alt_setting);
    const int n = libusb_control_transfer(h, kClassInterfaceIn, kGetDeviceId, 0, index, reply,
                                          sizeof reply, kControlTimeoutMs);
    if (n > 0) info.device_id = parse_device_id_reply(reply, static_cast<std::size_t>(n));
  }
  if (info.device_id) {
    if (const auto* m = known.find_model(info.device_id->manufacturer, info.device_id->model)) {
      info.profile = m->profile;
    }
  }
  if (info.profile.empty() && info.speaks_escpos()) info.profile = "generic-80mm";
}

}  // namespace

// ---- discovery -------------------------------------------------------------------------------

std::vector<UsbPrinterInfo> find_usb_printers(UsbContext& context, const KnownUsbPrinters& known) {
  std::vector<UsbPrinterInfo> found;
  libusb_device** list = nullptr;
  const auto n = libusb_get_device_list(context.impl().ctx, &list);
  for (ssize_t i = 0; i < n; ++i) {
    auto info = describe_device(list[i], known);
    if (!info) continue;
    libusb_device_handle* h = nullptr;
    if (const int rc = libusb_open(list[i], &h); rc != 0) {
      info->problem = fmt::format("{}: {}", link_error_code(to_link_error(rc)), usb_error(rc));
    } else {
      query_identity(h, *info, known);
      libusb_close(h);
    }
    found.push_back(std::move(*info));
  }
  if (list != nullptr) libusb_free_device_list(list, 1);
  return found;
}

// ---- UsbTransport: open and close ------------------------------------------------------------

namespace {
// What the hot-plug listener shares with its transport; owned by both so a late callback never
// touches a destroyed transport.
struct HotplugState {
  std::atomic<bool> left{false};
  std::atomic<int> open_bus{-1};
  std::atomic<int> open_address{-1};
  std::mutex mutex;
  std::function<void()> listener;
  // Called under the lock, so that replacing the listener waits for a call in progress.
  void notify() {
    std::lock_guard lock(mutex);
    if (listener) listener();
  }
};
}  // namespace

struct UsbTransport::Impl {
  std::shared_ptr<UsbContext> context;
  UsbMatch match;
  KnownUsbPrinters known;
  UsbOptions options;
  std::shared_ptr<HotplugState> hotplug = std::make_shared<HotplugState>();
  std::uint64_t token = 0;

  libusb_device_handle* handle = nullptr;
  bool detached = false;  // usblp was bound and we took the interface from it
  bool was_open = false;  // opened at least once (absent later = unplugged, not "not found")
  bool opened_anew = false;
  UsbPrinterInfo info;
  Bytes in_leftover;
  mutable std::mutex info_mutex;
  std::optional<UsbPrinterInfo> open_info;  // for printer() and describe() from other threads

  bool matches_ids(std::uint16_t vid, std::uint16_t pid) const {
    if (const auto* id = std::get_if<UsbId>(&match)) return id->vendor == vid && id->product == pid;
    return true;
  }

  LinkError open(std::string& detail) {
    libusb_device** list = nullptr;
    const auto n = libusb_get_device_list(context->impl().ctx, &list);
    LinkError best_error = LinkError::kNotFound;
    detail = "no matching USB printer";
    for (ssize_t i = 0; i < n && handle == nullptr; ++i) {
      auto candidate = describe_device(list[i], known);
      if (!candidate || !matches_ids(candidate->vendor, candidate->product)) continue;
      libusb_device_handle* h = nullptr;
      if (const int rc = libusb_open(list[i], &h); rc != 0) {
        best_error = to_link_error(rc);
        detail = fmt::format("open {:04x}:{:04x}: {}", candidate->vendor, candidate->product,
                             usb_error(rc));
        continue;
      }
      query_identity(h, *candidate, known);
      const auto* id = std::get_if<UsbId>(&match);
      if ((id != nullptr && id->serial && *id->serial != candidate->serial) ||
          (id == nullptr && !candidate->speaks_escpos())) {
        libusb_close(h);
        continue;
      }
      const int ifnum = candidate->interface_number;
      bool took_from_usblp = false;
      if (libusb_kernel_driver_active(h, ifnum) == 1) {
        if (const int rc = libusb_detach_kernel_driver(h, ifnum); rc != 0) {
          best_error = to_link_error(rc);
          detail = fmt::format("detach usblp: {}", usb_error(rc));
          libusb_close(h);
          continue;
        }
        took_from_usblp = true;
      }
      int rc = libusb_claim_interface(h, ifnum);
      if (rc == 0 && candidate->alt_setting != 0)
        rc = libusb_set_interface_alt_setting(h, ifnum, candidate->alt_setting);
      if (rc != 0) {
        best_error = to_link_error(rc);
        detail = fmt::format("claim interface {}: {}", ifnum, usb_error(rc));
        if (took_from_usblp) libusb_attach_kernel_driver(h, ifnum);
        libusb_close(h);
        continue;
      }
      handle = h;
      opened_anew = true;
      detached = took_from_usblp;
      info = *candidate;
      in_leftover.clear();
      hotplug->open_bus.store(info.bus);
      hotplug->open_address.store(info.address);
      hotplug->left.store(false);
      std::lock_guard lock(info_mutex);
      open_info = info;
    }
    if (list != nullptr) libusb_free_device_list(list, 1);
    if (handle == nullptr) return best_error;
    detail.clear();
    spdlog::info("printer {} open (interface {}, out 0x{:02x}, in {})", info.describe(),
                 info.interface_number, info.endpoint_out,
                 info.endpoint_in ? fmt::format("0x{:02x}", *info.endpoint_in) : "none");
    return LinkError::kNone;
  }

  void drop() {
    if (handle == nullptr) return;
    // On a device that is gone these fail harmlessly; on one still there they give it back.
    libusb_release_interface(handle, info.interface_number);
    if (detached) libusb_attach_kernel_driver(handle, info.interface_number);
    libusb_close(handle);
    handle = nullptr;
    detached = false;
    hotplug->open_bus.store(-1);
    hotplug->open_address.store(-1);
    std::lock_guard lock(info_mutex);
    open_info.reset();
  }

  // Opens when needed; after the hot-plug said our device left, closes the stale handle first.
  // A printer that was open once and cannot be found now is reported as unplugged.
  LinkError ensure_open(std::string& detail) {
    if (handle != nullptr && hotplug->left.load()) drop();
    if (handle != nullptr) return LinkError::kNone;
    auto e = open(detail);
    if (e == LinkError::kNotFound && was_open) {
      e = LinkError::kUnplugged;
      detail = "the printer was unplugged and is not back";
    }
    if (e == LinkError::kNone) was_open = true;
    return e;
  }

  void after_error(LinkError e) {
    if (e == LinkError::kUnplugged) drop();
  }
};

UsbTransport::UsbTransport(std::shared_ptr<UsbContext> context, UsbMatch match,
                           KnownUsbPrinters known, UsbOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->context = std::move(context);
  impl_->match = std::move(match);
  impl_->known = std::move(known);
  impl_->options = options;
  if (impl_->options.chunk_bytes == 0) impl_->options.chunk_bytes = 16 * 1024;
  auto state = impl_->hotplug;
  auto match_copy = impl_->match;
  impl_->token = impl_->context->subscribe([state, match_copy](const UsbHotplugEvent& e) {
    if (e.kind == UsbHotplugEvent::Kind::kLeft) {
      if (e.bus == state->open_bus.load() && e.address == state->open_address.load()) {
        state->left.store(true);
        state->notify();
      }
      return;
    }
    const auto* id = std::get_if<UsbId>(&match_copy);
    if (id == nullptr || (id->vendor == e.vendor && id->product == e.product)) state->notify();
  });
}

UsbTransport::~UsbTransport() {
  impl_->context->unsubscribe(impl_->token);
  impl_->drop();
}

void UsbTransport::close() {
  impl_->drop();
}

void UsbTransport::set_change_listener(std::function<void()> listener) {
  std::lock_guard lock(impl_->hotplug->mutex);
  impl_->hotplug->listener = std::move(listener);
}

std::optional<UsbPrinterInfo> UsbTransport::printer() const {
  std::lock_guard lock(impl_->info_mutex);
  return impl_->open_info;
}

std::string UsbTransport::describe() const {
  std::lock_guard lock(impl_->info_mutex);
  if (impl_->open_info) return impl_->open_info->describe();
  if (const auto* id = std::get_if<UsbId>(&impl_->match))
    return to_string(PrinterUri{*id}) + " (not connected)";
  return "usb://auto (not connected)";
}

// ---- write -----------------------------------------------------------------------------------

WriteResult UsbTransport::write(ByteView bytes, Deadline deadline) {
  WriteResult out;
  out.error = impl_->ensure_open(out.detail);
  if (!out.ok()) return out;
  auto* data =
      const_cast<std::uint8_t*>(bytes.data());  // libusb's API is not const; OUT only reads
  while (out.bytes_sent < bytes.size()) {
    if (deadline.expired()) {
      out.error = LinkError::kTimedOut;
      out.detail =
          fmt::format("deadline passed after {} of {} bytes", out.bytes_sent, bytes.size());
      return out;
    }
    const auto chunk = std::min(impl_->options.chunk_bytes, bytes.size() - out.bytes_sent);
    int transferred = 0;
    const int rc = libusb_bulk_transfer(
        impl_->handle, impl_->info.endpoint_out, data + out.bytes_sent, static_cast<int>(chunk),
        &transferred, timeout_ms(deadline.capped(impl_->options.chunk_timeout)));
    out.bytes_sent += static_cast<std::size_t>(std::max(transferred, 0));
    if (rc == 0) continue;
    // A slow printer that took part of the chunk gets the rest of the job's deadline.
    if (rc == LIBUSB_ERROR_TIMEOUT && transferred > 0 && !deadline.expired()) continue;
    out.error = to_link_error(rc);
    out.detail = fmt::format("bulk OUT: {} after {} of {} bytes", usb_error(rc), out.bytes_sent,
                             bytes.size());
    impl_->after_error(out.error);
    return out;
  }
  return out;
}

// ---- read ------------------------------------------------------------------------------------

ReadResult UsbTransport::read(std::size_t max_bytes, Deadline deadline) {
  ReadResult out;
  out.error = impl_->ensure_open(out.detail);
  if (!out.ok()) return out;
  if (!impl_->info.endpoint_in)
    return {{}, LinkError::kNoStatus, "this printer has no IN endpoint"};
  auto& leftover = impl_->in_leftover;
  if (leftover.empty()) {
    // Whole packets only: a buffer shorter than a packet the printer sends overflows.
    const std::size_t packet = impl_->info.in_max_packet;
    Bytes buffer((std::max<std::size_t>(max_bytes, 1) + packet - 1) / packet * packet);
    int got = 0;
    const int rc =
        libusb_bulk_transfer(impl_->handle, *impl_->info.endpoint_in, buffer.data(),
                             static_cast<int>(buffer.size()), &got, timeout_ms(deadline));
    if (got > 0) {
      leftover.assign(buffer.begin(), buffer.begin() + got);
    } else if (rc != 0) {
      out.error = to_link_error(rc);
      out.detail = fmt::format("bulk IN: {}", usb_error(rc));
      impl_->after_error(out.error);
      return out;
    }
  }
  const auto n = std::min(max_bytes, leftover.size());
  out.bytes.assign(leftover.begin(), leftover.begin() + static_cast<std::ptrdiff_t>(n));
  leftover.erase(leftover.begin(), leftover.begin() + static_cast<std::ptrdiff_t>(n));
  return out;
}

// ---- status ----------------------------------------------------------------------------------

StatusResult UsbTransport::status(Deadline deadline) {
  std::string detail;
  if (const auto e = impl_->ensure_open(detail); e != LinkError::kNone) return {{}, e, detail};
  if (impl_->opened_anew) {
    impl_->opened_anew = false;
    mark_input_stale();  // the printer may hold answers to someone else's questions
  }
  if (impl_->info.endpoint_in) {
    auto s = Transport::status(deadline);
    // A printer that ignores DLE EOT may still answer the class request below.
    if (s.error != LinkError::kTimedOut) return s;
  }
  if (impl_->info.interface_kind != UsbInterfaceKind::kPrinterClass) {
    return {{}, LinkError::kNoStatus, "vendor-class interface without an IN endpoint"};
  }
  std::uint8_t port = 0;
  const int rc = libusb_control_transfer(impl_->handle, kClassInterfaceIn, kGetPortStatus, 0,
                                         impl_->info.interface_number, &port, 1,
                                         std::min(timeout_ms(deadline), kControlTimeoutMs));
  if (rc == 1) return {interpret_port_status(port), LinkError::kNone, {}};
  if (rc >= 0) return {{}, LinkError::kBadReply, "GET_PORT_STATUS returned no byte"};
  const auto e = to_link_error(rc);
  impl_->after_error(e);
  return {{},
          e == LinkError::kTimedOut ? LinkError::kTimedOut : e,
          fmt::format("GET_PORT_STATUS: {}", usb_error(rc))};
}

}  // namespace pos::drivers
