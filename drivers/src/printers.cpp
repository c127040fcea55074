// Choosing a transport for a printer URI, and discovering printers (see printers.hpp).
#include <pos/drivers/printers.hpp>

#include <fmt/format.h>

namespace pos::drivers {
namespace {

OpenedPrinter virtual_printer(PrinterEnvironment& env, std::string note) {
  OpenedPrinter out{std::make_unique<VirtualPrinter>(env.default_spool, env.preview),
                    SpoolDirectory{env.default_spool.string()},
                    {},
                    std::move(note)};
  return out;
}

}  // namespace

OpenedPrinter open_printer(const std::optional<PrinterUri>& configured, PrinterEnvironment& env) {
  if (!configured) return virtual_printer(env, "no printer configured: using the virtual printer");
  if (const auto* dir = std::get_if<SpoolDirectory>(&*configured)) {
    return {std::make_unique<VirtualPrinter>(dir->path, env.preview), *configured, {}, {}};
  }
  if (const auto* tcp = std::get_if<TcpAddress>(&*configured)) {
    return {std::make_unique<TcpTransport>(*tcp, env.tcp_options), *configured, {}, {}};
  }
  if (!env.usb) {
    // A USB printer (given or usb://auto) without USB here: a transport that always reports the
    // printer absent. Never the virtual printer: that would report PRINTED with nothing printed.
    struct Absent final : Transport {
      WriteResult write(ByteView, Deadline) override {
        return {0, LinkError::kNotFound, "USB is not available"};
      }
      ReadResult read(std::size_t, Deadline) override {
        return {{}, LinkError::kNotFound, "USB is not available"};
      }
      StatusResult status(Deadline) override {
        return {{}, LinkError::kNotFound, "USB is not available"};
      }
      std::string describe() const override { return "usb (not available)"; }
      void close() override {}
    };
    return {std::make_unique<Absent>(), *configured, {}, {}};
  }
  const UsbMatch match = std::holds_alternative<UsbAuto>(*configured)
                             ? UsbMatch{UsbAuto{}}
                             : UsbMatch{std::get<UsbId>(*configured)};
  std::string profile;
  if (std::holds_alternative<UsbAuto>(*configured)) {
    // No ESC/POS printer now: the transport stays usb://auto and reports "not found" until one
    // is plugged in (hot-plug, or re-opening on the next call when polling).
    for (const auto& p : find_usb_printers(*env.usb, env.known)) {
      if (p.speaks_escpos()) {
        profile = p.profile;
        break;
      }
    }
  } else {
    const auto& id = std::get<UsbId>(*configured);
    if (const auto* listed = env.known.find(id.vendor, id.product)) profile = listed->profile;
  }
  return {std::make_unique<UsbTransport>(env.usb, match, env.known, env.usb_options),
          *configured,
          profile,
          {}};
}

std::vector<FoundPrinter> discover_printers(PrinterEnvironment& env,
                                            const std::optional<PrinterUri>& configured,
                                            Clock::duration status_timeout) {
  std::vector<FoundPrinter> out;
  if (env.usb) {
    for (const auto& p : find_usb_printers(*env.usb, env.known)) {
      // Field by field: GCC 12 at -O3 warns (falsely) on this aggregate's braced form.
      FoundPrinter f;
      f.uri = p.uri();
      f.description = p.describe();
      f.profile = p.profile;
      f.speaks_escpos = p.speaks_escpos();
      f.problem = p.problem;
      if (f.problem.empty() && f.speaks_escpos) {
        UsbTransport t(env.usb, std::get<UsbId>(f.uri), env.known, env.usb_options);
        f.status = t.status(Deadline::in(status_timeout));
        t.close();
      } else {
        f.status = {
            {}, LinkError::kNoStatus, f.problem.empty() ? "not an ESC/POS printer" : f.problem};
      }
      out.push_back(std::move(f));
    }
  }
  if (configured && std::holds_alternative<TcpAddress>(*configured)) {
    TcpTransport t(std::get<TcpAddress>(*configured), env.tcp_options);
    FoundPrinter f;
    f.uri = *configured;
    f.description = t.describe();
    f.speaks_escpos = true;
    f.status = t.status(Deadline::in(status_timeout));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace pos::drivers
