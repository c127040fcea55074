// Parsers of outside data in drivers: printer URIs, the known-printers table, IEEE-1284 device
// ids, DLE EOT and port status bytes. Each with malformed input.
#include <pos/drivers/known_printers.hpp>
#include <pos/drivers/printer_uri.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "status_bytes.hpp"

namespace pos::drivers {
namespace {

// ---- printer URIs ----------------------------------------------------------------------------

TEST(PrinterUri, ParsesEveryForm) {
  EXPECT_EQ(parse_printer_uri("usb://auto").uri, PrinterUri{UsbAuto{}});
  EXPECT_EQ(parse_printer_uri("usb://04b8:0E28").uri,
            PrinterUri(UsbId{0x04b8, 0x0e28, std::nullopt}));
  EXPECT_EQ(parse_printer_uri("usb://04b8:0e28/X3LA012345").uri,
            PrinterUri(UsbId{0x04b8, 0x0e28, std::string("X3LA012345")}));
  EXPECT_EQ(parse_printer_uri("tcp://10.0.0.5:9100").uri, PrinterUri(TcpAddress{"10.0.0.5", 9100}));
  EXPECT_EQ(parse_printer_uri("tcp://printer-1.shop.lan:9100").uri,
            PrinterUri(TcpAddress{"printer-1.shop.lan", 9100}));
  EXPECT_EQ(parse_printer_uri("tcp://[::1]:9100").uri, PrinterUri(TcpAddress{"::1", 9100}));
  EXPECT_EQ(parse_printer_uri("file:///var/spool/pos").uri,
            PrinterUri(SpoolDirectory{"/var/spool/pos"}));
}

TEST(PrinterUri, RoundTripsThroughText) {
  for (const char* text : {"usb://auto", "usb://04b8:0e28", "usb://0416:5011/ABC-1",
                           "tcp://10.1.2.3:9100", "tcp://[fe80::1]:9100", "file:///tmp/spool"}) {
    const auto p = parse_printer_uri(text);
    ASSERT_TRUE(p.uri) << text << ": " << p.error;
    EXPECT_EQ(to_string(*p.uri), text);
  }
}

TEST(PrinterUri, RefusesMalformedInput) {
  const char* bad[] = {"",
                       "usb://",
                       "usb://AUTO",
                       "usb://auto/",
                       "usb://04b8",
                       "usb://04b8:",
                       "usb://4b8:e28",
                       "usb://04b8:0e28x",
                       "usb://04b8:0e2g",
                       "usb://04b8:0e28/",
                       "usb://04b8:0e28/has space",
                       "usb://04b8:0e28/a/b",
                       "usb://+4b8:0e28",
                       "usb:/auto",
                       "USB://auto",
                       "tcp://",
                       "tcp://host",
                       "tcp://host:",
                       "tcp://:9100",
                       "tcp://host:0",
                       "tcp://host:65536",
                       "tcp://host:99999999",
                       "tcp://host:-1",
                       "tcp://host:+80",
                       "tcp://host:91 00",
                       "tcp://ho st:9100",
                       "tcp://host/x:9100",
                       "tcp://user@host:9100",
                       "tcp://[::1]",
                       "tcp://[::1:9100",
                       "tcp://[]:9100",
                       "tcp://[zz::1]:9100",
                       "file://relative/dir",
                       "file://",
                       "file:///tmp/a\nb",
                       "lpt://1",
                       "http://printer:9100",
                       " usb://auto"};
  for (const char* text : bad) {
    const auto p = parse_printer_uri(text);
    EXPECT_FALSE(p.uri) << "accepted: " << text;
    EXPECT_FALSE(p.error.empty()) << text;
  }
  EXPECT_FALSE(parse_printer_uri(std::string(2000, 'a')).uri);
  EXPECT_FALSE(parse_printer_uri(std::string("file:///tmp/a\0b", 15)).uri);
}

// ---- the known-printers table ----------------------------------------------------------------

TEST(KnownPrinters, ParsesIdsAndModels) {
  const auto load = KnownUsbPrinters::parse(
      "# comment\n"
      "usb 04b8:0e28 epson-tm-t20iii   # TM-T20III\n"
      "usb\t0519:0001\tstar-tsp143\tvendor-class\r\n"
      "\n"
      "model EPSON TM-T20III epson-tm-t20iii\n");
  ASSERT_TRUE(load.table) << load.error;
  const auto& t = *load.table;
  ASSERT_NE(t.find(0x04b8, 0x0e28), nullptr);
  EXPECT_EQ(t.find(0x04b8, 0x0e28)->profile, "epson-tm-t20iii");
  EXPECT_EQ(t.find(0x04b8, 0x0e28)->interface, UsbInterfaceKind::kPrinterClass);
  EXPECT_EQ(t.find(0x0519, 0x0001)->interface, UsbInterfaceKind::kVendorClass);
  EXPECT_EQ(t.find(0x0519, 0x0002), nullptr);
  ASSERT_NE(t.find_model("epson", "tm-t20iii"), nullptr);
  EXPECT_EQ(t.find_model("EPSON", "TM-T20III")->profile, "epson-tm-t20iii");
}

TEST(KnownPrinters, RefusesMalformedLinesWithTheirNumber) {
  const char* bad[] = {"usb 04b8:0e28\n",
                       "usb 04b8-0e28 p\n",
                       "usb 04b8:0e2 p\n",
                       "usb 04b8:0e28 Profile\n",
                       "usb 04b8:0e28 p printer\n",
                       "usb 04b8:0e28 p printer-class extra\n",
                       "usb 04b8:0e28 p\nusb 04b8:0e28 q\n",
                       "model EPSON TM-T20III\n",
                       "model EPSON TM-T20III p extra\n",
                       "printer 04b8:0e28 p\n",
                       "usb 04b8:0e28 p\x01\n",
                       "usb 04b8:0e28 p/../x\n"};
  for (const char* text : bad) {
    const auto load = KnownUsbPrinters::parse(text);
    EXPECT_FALSE(load.table) << "accepted: " << text;
    EXPECT_NE(load.error.find("known-printers.txt:"), std::string::npos) << load.error;
  }
  EXPECT_NE(KnownUsbPrinters::parse("\n\nusb x\n").error.find(":3:"), std::string::npos);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(KnownPrinters, TheShippedTableLoadsAndTheUdevRuleCoversEveryId) {
  const auto load = KnownUsbPrinters::load(default_known_printers_file(POS_ASSETS_DIR));
  ASSERT_TRUE(load.table) << load.error;
  EXPECT_GE(load.table->ids().size(), 10U);
  // The field's vendor ids from the printer notes are all there.
  for (auto [vid, pid] : {std::pair{0x04b8, 0x0202},
                          {0x04b8, 0x0e28},
                          {0x0519, 0x0001},
                          {0x0416, 0x5011},
                          {0x0483, 0x5743},
                          {0x6868, 0x0500},
                          {0x1fc9, 0x2016}}) {
    EXPECT_NE(load.table->find(static_cast<std::uint16_t>(vid), static_cast<std::uint16_t>(pid)),
              nullptr)
        << std::hex << vid << ":" << pid;
  }
  // Every profile named exists in escpos's profile folder.
  for (const auto& id : load.table->ids()) {
    EXPECT_TRUE(
        std::filesystem::exists(std::string(POS_ASSETS_DIR) + "/printers/" + id.profile + ".toml"))
        << id.profile;
  }
  for (const auto& m : load.table->models()) {
    EXPECT_TRUE(
        std::filesystem::exists(std::string(POS_ASSETS_DIR) + "/printers/" + m.profile + ".toml"))
        << m.profile;
  }
  const auto rule = read_text(std::string(POS_ASSETS_DIR) + "/udev/60-pos-terminal-printers.rules");
  ASSERT_FALSE(rule.empty());
  for (const auto& id : load.table->ids()) {
    char needle[64];
    std::snprintf(needle, sizeof needle, "ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\"",
                  id.vendor, id.product);
    EXPECT_NE(rule.find(needle), std::string::npos) << "udev rule lacks " << needle;
  }
  EXPECT_NE(rule.find("ID_USB_INTERFACES"), std::string::npos)
      << "class 7 interfaces are not covered";
}

// ---- IEEE-1284 device ids --------------------------------------------------------------------

TEST(DeviceId, ParsesTheUsualKeysAndLongForms) {
  auto id = parse_ieee1284_id("MFG:EPSON;CMD:ESC/POS;MDL:TM-T20III;CLS:PRINTER;DES:TM-T20III;");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->manufacturer, "EPSON");
  EXPECT_EQ(id->model, "TM-T20III");
  EXPECT_TRUE(id->speaks_escpos());
  id = parse_ieee1284_id("MANUFACTURER:Citizen;COMMAND SET:ESCPOS,STAR;MODEL:CT-S310II;SN:12345");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->manufacturer, "Citizen");
  EXPECT_EQ(id->serial, "12345");
  EXPECT_TRUE(id->speaks_escpos());
  id = parse_ieee1284_id("MFG:HP;MDL:LaserJet 1020;CMD:PJL,PCL;");
  ASSERT_TRUE(id);
  EXPECT_FALSE(id->speaks_escpos());
}

TEST(DeviceId, RefusesMalformedIds) {
  EXPECT_FALSE(parse_ieee1284_id(""));
  EXPECT_FALSE(parse_ieee1284_id("MFG:EPSON;"));                    // no model
  EXPECT_FALSE(parse_ieee1284_id("MFG:EPSON;MDL;"));                // key without value
  EXPECT_FALSE(parse_ieee1284_id("MFG:EP\x01SON;MDL:X;"));          // control byte
  EXPECT_FALSE(parse_ieee1284_id(std::string("MFG:E\xff;MDL:X")));  // not ASCII
}

TEST(DeviceId, ChecksTheReplyLength) {
  const std::string id = "MFG:EPSON;MDL:TM-T88V;CMD:ESC/POS;";
  std::vector<std::uint8_t> reply = {0, static_cast<std::uint8_t>(id.size() + 2)};
  reply.insert(reply.end(), id.begin(), id.end());
  ASSERT_TRUE(parse_device_id_reply(reply.data(), reply.size()));
  EXPECT_EQ(parse_device_id_reply(reply.data(), reply.size())->model, "TM-T88V");
  EXPECT_FALSE(parse_device_id_reply(reply.data(), 1));
  EXPECT_FALSE(parse_device_id_reply(nullptr, 0));
  auto swapped = reply;
  std::swap(swapped[0], swapped[1]);  // little-endian length: far beyond the data
  EXPECT_FALSE(parse_device_id_reply(swapped.data(), swapped.size()));
  auto tiny = reply;
  tiny[1] = 1;
  EXPECT_FALSE(parse_device_id_reply(tiny.data(), tiny.size()));
}

// ---- status bytes ----------------------------------------------------------------------------

TEST(StatusBytes, ReadsTheFourDleEotReplies) {
  const Bytes fine = {0x16, 0x12, 0x12, 0x12};
  auto s = interpret_status_replies(fine);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.status, (PrinterStatus{Paper::kOk, Cover::kClosed, Online::kOnline, false}));
  EXPECT_TRUE(s.status.can_print());

  s = interpret_status_replies(Bytes{0x16, 0x12, 0x12, 0x1e});
  EXPECT_EQ(s.status.paper, Paper::kNearEnd);
  EXPECT_TRUE(s.status.can_print());

  s = interpret_status_replies(Bytes{0x1e, 0x32, 0x12, 0x72});  // offline, stopped at paper end
  EXPECT_EQ(s.status.paper, Paper::kOut);
  EXPECT_EQ(s.status.online, Online::kOffline);
  EXPECT_FALSE(s.status.can_print());

  s = interpret_status_replies(Bytes{0x1e, 0x16, 0x12, 0x12});  // cover open
  EXPECT_EQ(s.status.cover, Cover::kOpen);

  s = interpret_status_replies(Bytes{0x16, 0x12, 0x1a, 0x12});  // cutter error
  EXPECT_TRUE(s.status.error);

  s = interpret_status_replies(Bytes{0x16, 0x12});  // partial answer
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.status.paper, Paper::kUnknown);
}

TEST(StatusBytes, RefusesBytesWithoutTheFixedPattern) {
  for (int b : {0x00, 0xff, 0x13, 0x92, 0x02, 0x10}) {
    const auto s = interpret_status_replies(Bytes{0x16, static_cast<std::uint8_t>(b)});
    EXPECT_EQ(s.error, LinkError::kBadReply) << b;
  }
}

TEST(StatusBytes, PortStatusPaperEmptyBit) {
  EXPECT_EQ(interpret_port_status(0x18).paper, Paper::kOk);
  EXPECT_TRUE(interpret_port_status(0x18).can_print());
  EXPECT_EQ(interpret_port_status(0x38).paper, Paper::kOut);
  EXPECT_FALSE(interpret_port_status(0x38).can_print());
  EXPECT_EQ(interpret_port_status(0x08).online, Online::kOffline);
}

}  // namespace
}  // namespace pos::drivers
