// The USB driver against umockdev-emulated printers: the real libusb code path, from
// enumeration to bulk transfers, with no hardware. Runs with LD_PRELOAD=libumockdev-preload.so.0.
#include <pos/drivers/printers.hpp>
#include <pos/drivers/spooler.hpp>
#include <pos/drivers/usb_transport.hpp>

#include <gtest/gtest.h>
#include <umockdev.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "emulated_printer.hpp"
#include "status_bytes.hpp"
#include "test_journal.hpp"

namespace pos::drivers {
namespace {

using namespace std::chrono_literals;
using testing::EmulatedPrinter;
using testing::EmulatedPrinterSpec;
using testing::TestJournal;

Bytes receipt_bytes(std::size_t size) {
  // Every byte value appears, and DLE EOT never does (a printer would answer it in-stream).
  Bytes b = {0x1b, 0x40};
  for (std::size_t i = 0; b.size() < size; ++i) {
    auto x = static_cast<std::uint8_t>((i * 7 + 3) & 0xff);
    if (x == 0x10) x = 0x11;
    b.push_back(x);
  }
  return b;
}

KnownUsbPrinters shipped_table() {
  auto load = KnownUsbPrinters::load(default_known_printers_file(POS_ASSETS_DIR));
  EXPECT_TRUE(load.table) << load.error;
  return load.table.value_or(KnownUsbPrinters{});
}

class UsbPrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::in_umockdev_environment())
        << "run under umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0); ctest does this";
    testbed_ = umockdev_testbed_new();
  }
  void TearDown() override {
    context_.reset();
    printers_.clear();
    if (testbed_ != nullptr) g_object_unref(testbed_);
  }
  EmulatedPrinter& add(EmulatedPrinterSpec spec) {
    printers_.push_back(std::make_unique<EmulatedPrinter>(testbed_, std::move(spec)));
    return *printers_.back();
  }
  std::shared_ptr<UsbContext>& context() {
    if (!context_) {
      auto created = UsbContext::create();
      EXPECT_TRUE(created.context) << created.error;
      context_ = created.context;
    }
    return context_;
  }
  std::unique_ptr<UsbTransport> transport(UsbMatch match = UsbAuto{}, UsbOptions options = {}) {
    return std::make_unique<UsbTransport>(context(), std::move(match), shipped_table(), options);
  }
  // The worker asks the status once when it starts; tests that count bytes wait for that.
  static void wait_first_status(const Spooler& s) {
    const auto until = Clock::now() + 2s;
    while (!s.snapshot().checked_at && Clock::now() < until) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(s.snapshot().checked_at);
  }
  static SpoolerOptions spooler_options() {
    SpoolerOptions o;
    o.status_timeout = 200ms;
    o.job_timeout = 2s;
    o.idle_status_poll = 0ms;
    return o;
  }

  UMockdevTestbed* testbed_ = nullptr;
  std::vector<std::unique_ptr<EmulatedPrinter>> printers_;
  std::shared_ptr<UsbContext> context_;
};

TEST_F(UsbPrinterTest, EnumerationFindsPrintersByClassVendorTableAndDeviceId) {
  // An office laser printer first on the bus: class 7, but it does not speak ESC/POS.
  add({.vendor = 0x03f0,
       .product = 0x1234,
       .serial = "",
       .device_id = "MFG:HP;MDL:LaserJet;CMD:PJL,PCL;",
       .bus = 1});
  add({.bus = 2});  // TM-T20III, in the table, device id says ESC/POS
  add({.vendor = 0x046d, .product = 0xc31c, .interface_class = 3, .bus = 3});  // a keyboard
  add({.vendor = 0x1234,
       .product = 0x5678,
       .serial = "",
       .device_id = "",
       .interface_class = 0xff,
       .has_in_endpoint = false,
       .endpoint_out = 0x03,
       .bus = 4});  // vendor-class printer
  auto known = KnownUsbPrinters::parse(
      "usb 04b8:0e28 epson-tm-t20iii\nusb 1234:5678 generic-58mm vendor-class\n"
      "model EPSON TM-T20III epson-tm-t20iii\n");
  ASSERT_TRUE(known.table);
  auto found = find_usb_printers(*context(), *known.table);
  ASSERT_EQ(found.size(), 3U);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.bus < b.bus; });
  EXPECT_EQ(found[0].vendor, 0x03f0);
  EXPECT_FALSE(found[0].speaks_escpos());
  EXPECT_EQ(found[0].profile, "");

  const auto& epson = found[1];
  EXPECT_EQ(epson.vendor, 0x04b8);
  EXPECT_EQ(epson.product, 0x0e28);
  EXPECT_EQ(epson.serial, "X3LA012345");
  ASSERT_TRUE(epson.device_id);
  EXPECT_EQ(epson.device_id->model, "TM-T20III");
  EXPECT_TRUE(epson.speaks_escpos());
  EXPECT_EQ(epson.profile, "epson-tm-t20iii");
  EXPECT_EQ(epson.endpoint_out, 0x01);
  EXPECT_EQ(epson.endpoint_in, 0x82);
  EXPECT_EQ(to_string(epson.uri()), "usb://04b8:0e28/X3LA012345");

  const auto& vendor = found[2];
  EXPECT_EQ(vendor.interface_kind, UsbInterfaceKind::kVendorClass);
  EXPECT_EQ(vendor.endpoint_out, 0x03);
  EXPECT_FALSE(vendor.endpoint_in);
  EXPECT_EQ(vendor.profile, "generic-58mm");

  // usb://auto passes over the laser printer (and the keyboard), whatever the bus order.
  for (int i = 0; i < 3; ++i) {
    auto t = std::make_unique<UsbTransport>(context(), UsbAuto{}, *known.table);
    ASSERT_TRUE(t->write(Bytes{0x1b, 0x40}, Deadline::in(1s)).ok());
    ASSERT_TRUE(t->printer());
    EXPECT_NE(t->printer()->vendor, 0x03f0);
  }
  EXPECT_TRUE(printers_[0]->received().empty());
  EXPECT_TRUE(printers_[2]->received().empty());
}

TEST_F(UsbPrinterTest, SerialNumberSelectsOneUnit) {
  add({});
  auto wrong = transport(UsbId{0x04b8, 0x0e28, std::string("OTHER")});
  const auto w = wrong->write(Bytes{0x1b, 0x40}, Deadline::in(1s));
  EXPECT_EQ(w.error, LinkError::kNotFound);
  EXPECT_EQ(w.bytes_sent, 0U);
  auto right = transport(UsbId{0x04b8, 0x0e28, std::string("X3LA012345")});
  EXPECT_TRUE(right->write(Bytes{0x1b, 0x40}, Deadline::in(1s)).ok());
}

TEST_F(UsbPrinterTest, UsblpIsDetachedToClaimAndReattachedOnClose) {
  auto& printer = add({});
  auto t = transport();
  ASSERT_TRUE(t->write(Bytes{0x1b, 0x40}, Deadline::in(1s)).ok());
  EXPECT_EQ(printer.detaches(), 1);
  EXPECT_EQ(printer.claims(), 1);
  EXPECT_FALSE(printer.usblp_bound());
  t->close();
  EXPECT_EQ(printer.reattaches(), 1);
  EXPECT_TRUE(printer.usblp_bound());
}

TEST_F(UsbPrinterTest, ReceiptArrivesByteExact) {
  auto& printer = add({});
  const auto receipt = receipt_bytes(3000);
  auto t = transport();
  const auto w = t->write(receipt, Deadline::in(2s));
  ASSERT_TRUE(w.ok()) << w.detail;
  EXPECT_EQ(w.bytes_sent, receipt.size());
  EXPECT_EQ(printer.received(), receipt);
  EXPECT_EQ(t->describe(), "usb 04b8:0e28 EPSON TM-T20III (SN X3LA012345)");
}

TEST_F(UsbPrinterTest, JobLargerThanOneUrbArrivesInOrder) {
  auto& printer = add({});
  const auto job = receipt_bytes(100000);
  UsbOptions o;
  o.chunk_bytes = 64 * 1024;  // libusb splits each chunk into 16 KiB URBs
  auto t = transport(UsbAuto{}, o);
  const auto w = t->write(job, Deadline::in(5s));
  ASSERT_TRUE(w.ok()) << w.detail;
  EXPECT_EQ(w.bytes_sent, job.size());
  EXPECT_EQ(printer.received(), job);
  EXPECT_GE(printer.out_urbs(), 7U);
  EXPECT_EQ(printer.largest_out_urb(), 16U * 1024);
}

TEST_F(UsbPrinterTest, StatusByDleEotOnTheInEndpoint) {
  auto& printer = add({});
  auto t = transport();
  auto s = t->status(Deadline::in(1s));
  ASSERT_TRUE(s.ok()) << s.detail;
  EXPECT_EQ(s.status, (PrinterStatus{Paper::kOk, Cover::kClosed, Online::kOnline, false}));
  printer.set_cover_open(true);
  s = t->status(Deadline::in(1s));
  ASSERT_TRUE(s.ok()) << s.detail;
  EXPECT_EQ(s.status.cover, Cover::kOpen);
  EXPECT_EQ(printer.port_status_requests(), 0);
}

TEST_F(UsbPrinterTest, StaleInputIsEmptiedBeforeAskingOnANewConnection) {
  auto& printer = add({});
  // An ASB block and an old "paper out" answer wait in the printer before we open it.
  printer.queue_input(Bytes{0x18, 0x00, 0x0c, 0x00, 0x72, 0x72});
  auto t = transport();
  const auto s = t->status(Deadline::in(1s));
  ASSERT_TRUE(s.ok()) << s.detail;
  EXPECT_EQ(s.status.paper, Paper::kOk);
  // A block that arrives later is not taken for an answer: the status is refused, not wrong.
  printer.queue_input(Bytes{0x18, 0x00, 0x0c, 0x00});
  EXPECT_EQ(t->status(Deadline::in(1s)).error, LinkError::kBadReply);
  const auto again = t->status(Deadline::in(1s));  // and the next one empties it first
  ASSERT_TRUE(again.ok()) << again.detail;
  EXPECT_EQ(again.status.paper, Paper::kOk);
}

TEST_F(UsbPrinterTest, PaperOutByDleEot4FailsTheJobBeforeAnyByte) {
  auto& printer = add({});
  printer.set_paper_out(true);
  TestJournal journal;
  Spooler spooler(transport(), journal, spooler_options());
  auto sub = spooler.submit(
      {JobKind::kReceipt, Copy::kOriginal, "RCP-USB-1", "advisor", "", receipt_bytes(500)});
  ASSERT_TRUE(sub.accepted());
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kPaperOut);
  EXPECT_EQ(spooler.snapshot().readiness, PrinterReadiness::kPaperOut);
  EXPECT_EQ(spooler.snapshot().advisor_message, kPrinterUnavailableMessage);
  // Only status requests went to the printer, never the receipt.
  const auto got = printer.received();
  const auto request = status_request();
  ASSERT_EQ(got.size() % request.size(), 0U);
  for (std::size_t i = 0; i < got.size(); i += request.size()) {
    EXPECT_TRUE(
        std::equal(request.begin(), request.end(), got.begin() + static_cast<std::ptrdiff_t>(i)));
  }
}

TEST_F(UsbPrinterTest, PrinterThatStopsTakingDataIsPossiblyPrinted) {
  auto& printer = add({});
  const auto request_size = status_request().size();
  UsbOptions o;
  o.chunk_timeout = 150ms;
  TestJournal journal;
  auto options = spooler_options();
  options.job_timeout = 600ms;
  Spooler spooler(transport(UsbAuto{}, o), journal, options);
  wait_first_status(spooler);
  const auto start = printer.received().size();
  printer.stop_taking_after(start + request_size + 2 * 16384);  // the status request and two URBs
  auto sub = spooler.submit(
      {JobKind::kReceipt, Copy::kOriginal, "RCP-USB-2", "advisor", "", receipt_bytes(100000)});
  ASSERT_TRUE(sub.accepted());
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kTimedOutWhileSending);
  EXPECT_EQ(out.bytes_sent, 2U * 16384);
  EXPECT_EQ(printer.received().size(), start + request_size + 2 * 16384);
  // The receipt is refused as an original from now on.
  EXPECT_EQ(
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-USB-2", "advisor", "", Bytes{1}})
          .refusal,
      SubmitRefusal::kNeedsCopyMark);
}

TEST_F(UsbPrinterTest, UnplugMidJobThenReplugViaHotplug) {
  auto& printer = add({});
  const auto request_size = status_request().size();
  ASSERT_TRUE(context()->hotplug_supported());
  TestJournal journal;
  Spooler spooler(transport(), journal, spooler_options());
  wait_first_status(spooler);
  const auto start = printer.received().size();
  printer.stop_taking_after(start + request_size +
                            16384);  // holds the second URB, as a busy printer does
  const auto job = receipt_bytes(40000);
  auto sub = spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-USB-3", "advisor", "", job});
  ASSERT_TRUE(sub.accepted());
  ASSERT_TRUE(printer.wait_received(start + request_size + 16384, 2s));
  ASSERT_TRUE(printer.wait_stalled(2s));
  printer.unplug();
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kUnplugged);
  EXPECT_EQ(out.bytes_sent, 16384U);
  // The hot-plug "left" reaches the spooler's snapshot.
  auto until = Clock::now() + 2s;
  while (spooler.snapshot().readiness != PrinterReadiness::kUnplugged && Clock::now() < until) {
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(spooler.snapshot().readiness, PrinterReadiness::kUnplugged);
  // While it is away, a new job fails as unplugged without a byte sent.
  auto away = spooler.submit({JobKind::kDrawerPulse, Copy::kOriginal, "DRAWER-9", "advisor", "SALE",
                              Bytes{0x1b, 0x70, 0x00, 0x19, 0xfa}});
  ASSERT_TRUE(away.accepted());
  const auto away_out = away.outcome.get();
  EXPECT_EQ(away_out.result, JobResult::kFailed);
  EXPECT_EQ(away_out.reason, FailureReason::kUnplugged);

  printer.replug();
  // The arrival makes the spooler ask again: the printer is ready without any job.
  until = Clock::now() + 2s;
  while (spooler.snapshot().readiness != PrinterReadiness::kReady && Clock::now() < until) {
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(spooler.snapshot().readiness, PrinterReadiness::kReady);
  const auto before = printer.received().size();
  auto dup = spooler.submit({JobKind::kReceipt, Copy::kDuplicate, "RCP-USB-3", "advisor", "", job});
  ASSERT_TRUE(dup.accepted());
  const auto again = dup.outcome.get();
  EXPECT_EQ(again.result, JobResult::kPrinted) << again.detail;
  const auto got = printer.received();
  ASSERT_GE(got.size(), before + job.size());
  EXPECT_TRUE(std::search(got.begin() + static_cast<std::ptrdiff_t>(before), got.end(), job.begin(),
                          job.end()) != got.end());
  EXPECT_EQ(printer.detaches(), 2);  // usblp bound again on the replugged device
}

TEST_F(UsbPrinterTest, WithoutHotplugCallbacksPollingFindsThePrinterAgain) {
  auto& printer = add({});
  auto created = UsbContext::create(HotplugMode::kPolling);
  ASSERT_TRUE(created.context) << created.error;
  context_ = created.context;
  EXPECT_FALSE(context_->hotplug_supported());
  TestJournal journal;
  auto options = spooler_options();
  options.idle_status_poll = 10ms;
  Spooler spooler(transport(), journal, options);
  auto wait_for = [&](PrinterReadiness r) {
    const auto until = Clock::now() + 3s;
    while (spooler.snapshot().readiness != r && Clock::now() < until)
      std::this_thread::sleep_for(2ms);
    return spooler.snapshot().readiness == r;
  };
  ASSERT_TRUE(wait_for(PrinterReadiness::kReady));
  printer.unplug();
  EXPECT_TRUE(wait_for(PrinterReadiness::kUnplugged));  // the next poll fails, no callback needed
  printer.replug();
  EXPECT_TRUE(wait_for(PrinterReadiness::kReady));  // and a later poll opens it again
  auto sub = spooler.submit(
      {JobKind::kReceipt, Copy::kOriginal, "RCP-USB-5", "advisor", "", receipt_bytes(300)});
  ASSERT_TRUE(sub.accepted());
  EXPECT_EQ(sub.outcome.get().result, JobResult::kPrinted);
  EXPECT_EQ(printer.detaches(), 2);
}

TEST_F(UsbPrinterTest, PrinterWithoutInEndpointUsesPortStatus) {
  auto& printer = add({.vendor = 0x0416,
                       .product = 0x5011,
                       .serial = "",
                       .device_id = "MFG:POS58;MDL:POS58;CMD:ESC/POS;",
                       .has_in_endpoint = false,
                       .endpoint_out = 0x02});
  printer.set_paper_out(true);
  TestJournal journal;
  Spooler spooler(transport(UsbId{0x0416, 0x5011, std::nullopt}), journal, spooler_options());
  const auto job = receipt_bytes(800);
  auto first =
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-USB-4", "advisor", "", job});
  ASSERT_TRUE(first.accepted());
  const auto out = first.outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kPaperOut);
  EXPECT_TRUE(printer.received().empty());  // no DLE EOT either: there is no IN to answer on
  EXPECT_GE(printer.port_status_requests(), 1);

  printer.set_paper_out(false);
  auto second =
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-USB-4", "advisor", "", job});
  ASSERT_TRUE(second.accepted()) << second.detail;
  EXPECT_EQ(second.outcome.get().result, JobResult::kPrinted);
  EXPECT_EQ(printer.received(), job);
}

TEST_F(UsbPrinterTest, DiscoveryListsPrintersWithStatusAndProfileAndGivesUsblpBack) {
  auto& printer = add({});
  printer.set_paper_out(true);
  add({.vendor = 0x03f0,
       .product = 0x1234,
       .serial = "",
       .device_id = "MFG:HP;MDL:LaserJet;CMD:PCL;",
       .bus = 2});
  PrinterEnvironment env{context(), shipped_table(), "/tmp/unused", {}, {}, {}};
  auto found = discover_printers(env, std::nullopt, 500ms);
  ASSERT_EQ(found.size(), 2U);
  // "usb 03f0:..." (the laser) sorts before "usb 04b8:..." (the Epson).
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.description > b.description; });
  const auto& epson = found[0];
  EXPECT_EQ(to_string(epson.uri), "usb://04b8:0e28/X3LA012345");
  EXPECT_EQ(epson.profile, "epson-tm-t20iii");
  EXPECT_TRUE(epson.speaks_escpos);
  ASSERT_TRUE(epson.status.ok()) << epson.status.detail;
  EXPECT_EQ(epson.status.status.paper, Paper::kOut);
  EXPECT_TRUE(printer.usblp_bound());  // the kernel driver got the printer back
  EXPECT_FALSE(found[1].speaks_escpos);
  EXPECT_EQ(found[1].status.error, LinkError::kNoStatus);
}

TEST_F(UsbPrinterTest, OpenPrinterAutoWithNoPrinterIsNotFoundNeverTheVirtualPrinter) {
  // Issue 15: usb://auto with nothing plugged in used to spool to the virtual printer and report
  // PRINTED. It is a USB transport that finds no printer: the job FAILED, nothing spooled.
  const auto spool =
      std::filesystem::temp_directory_path() / ("pos-spool-auto-" + std::to_string(::getpid()));
  std::filesystem::remove_all(spool);
  PrinterEnvironment env{context(), shipped_table(), spool, {}, {}, {}};
  auto none = open_printer(PrinterUri{UsbAuto{}}, env);
  EXPECT_TRUE(std::holds_alternative<UsbAuto>(none.uri));
  EXPECT_TRUE(none.note.empty());
  EXPECT_EQ(none.transport->describe(), "usb://auto (not connected)");
  TestJournal journal;
  Spooler spooler(std::move(none.transport), journal, spooler_options());
  auto sub = spooler.submit(
      {JobKind::kReceipt, Copy::kOriginal, "RCP-1", "advisor", "", Bytes{0x1b, 0x40, 'A', '\n'}});
  ASSERT_TRUE(sub.accepted());
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kNotFound);
  EXPECT_EQ(out.bytes_sent.value_or(0), 0U);
  EXPECT_EQ(advisor_message(out), "Printer unavailable. Load paper or select email option.");
  EXPECT_FALSE(std::filesystem::exists(spool));  // nothing went to a virtual printer
}

TEST_F(UsbPrinterTest, OpenPrinterAutoFindsAPrinterPluggedInLater) {
  ASSERT_TRUE(context()->hotplug_supported());
  PrinterEnvironment env{context(), shipped_table(), "/tmp/unused", {}, {}, {}};
  auto opened = open_printer(PrinterUri{UsbAuto{}}, env);
  ASSERT_TRUE(std::holds_alternative<UsbAuto>(opened.uri));
  EXPECT_EQ(opened.transport->write(Bytes{0x1b, 0x40}, Deadline::in(1s)).error,
            LinkError::kNotFound);
  auto& printer = add({});  // plugged in now: the udev "add" reaches libusb's hot-plug
  const Bytes receipt = {0x1b, 0x40, 'H', 'i', '\n'};
  const auto until = Clock::now() + 3s;
  WriteResult w;
  do {
    w = opened.transport->write(receipt, Deadline::in(1s));
    if (w.ok()) break;
    std::this_thread::sleep_for(10ms);
  } while (Clock::now() < until);
  ASSERT_TRUE(w.ok()) << w.detail;
  EXPECT_EQ(printer.received(), receipt);
}

TEST_F(UsbPrinterTest, OpenPrinterAutoWithoutUsbIsNotFound) {
  PrinterEnvironment env{nullptr, shipped_table(), "/tmp/unused", {}, {}, {}};
  auto opened = open_printer(PrinterUri{UsbAuto{}}, env);
  EXPECT_TRUE(std::holds_alternative<UsbAuto>(opened.uri));
  EXPECT_EQ(opened.transport->write(Bytes{1}, Deadline::in(10ms)).error, LinkError::kNotFound);
}

TEST_F(UsbPrinterTest, OpenPrinterAutoFindsThePrinterAndItsProfile) {
  auto& printer = add({});
  PrinterEnvironment env{context(), shipped_table(), "/tmp/pos-spool-auto", {}, {}, {}};
  auto opened = open_printer(PrinterUri{UsbAuto{}}, env);
  EXPECT_TRUE(std::holds_alternative<UsbAuto>(opened.uri));
  EXPECT_EQ(opened.profile, "epson-tm-t20iii");
  ASSERT_TRUE(opened.transport->write(Bytes{0x1b, 0x40}, Deadline::in(1s)).ok());
  EXPECT_EQ(printer.received(), (Bytes{0x1b, 0x40}));
}

TEST_F(UsbPrinterTest, NoPrinterIsNotFound) {
  auto t = transport();
  EXPECT_EQ(t->write(Bytes{1}, Deadline::in(1s)).error, LinkError::kNotFound);
  EXPECT_EQ(t->status(Deadline::in(1s)).error, LinkError::kNotFound);
  EXPECT_EQ(t->describe(), "usb://auto (not connected)");
}

}  // namespace
}  // namespace pos::drivers

// The umockdev preload library must be loaded from the start. ctest's ENVIRONMENT could set it,
// but the shared test helper passes only the first of several variables (and ASan then stops at
// start-up over the link order), so the program sets both and re-executes itself. This also
// lets a developer run the binary directly, without umockdev-wrapper.
int main(int argc, char** argv) {
  if (!pos::drivers::testing::in_umockdev_environment()) {
    std::string preload = "libumockdev-preload.so.0";
    if (const char* old = std::getenv("LD_PRELOAD"); old != nullptr && *old != '\0')
      preload += std::string(":") + old;
    std::string asan = "verify_asan_link_order=0";
    if (const char* old = std::getenv("ASAN_OPTIONS"); old != nullptr && *old != '\0')
      asan = std::string(old) + ":" + asan;
    ::setenv("LD_PRELOAD", preload.c_str(), 1);
    ::setenv("ASAN_OPTIONS", asan.c_str(), 1);
    ::execv("/proc/self/exe", argv);
    std::perror("re-executing under the umockdev preload library");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
