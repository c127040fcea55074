// The TCP transport against a fake printer server on 127.0.0.1 (answers status, stalls, resets
// mid-job, refuses, never accepts), and the virtual printer's spool files.
#include <pos/drivers/printers.hpp>
#include <pos/drivers/spooler.hpp>
#include <pos/drivers/tcp_transport.hpp>
#include <pos/drivers/test_page.hpp>
#include <pos/drivers/virtual_printer.hpp>
#include <pos/escpos/decoder.hpp>
#include <pos/escpos/profile_files.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_tcp_printer.hpp"
#include "status_bytes.hpp"
#include "test_journal.hpp"

namespace pos::drivers {
namespace {

using namespace std::chrono_literals;
using testing::FakeTcpPrinter;
using testing::TestJournal;

Bytes job_of(std::size_t size) {
  Bytes b(size);
  for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>('A' + i % 26);
  return b;
}

TcpAddress local(std::uint16_t port) {
  return {"127.0.0.1", port};
}

SpoolerOptions tcp_options() {
  SpoolerOptions o;
  o.status_timeout = 300ms;
  o.job_timeout = 500ms;
  o.idle_status_poll = 0ms;
  return o;
}

// ---- TCP -------------------------------------------------------------------------------------

TEST(TcpTransport, SendsBytesAndReadsStatusOnTheSameSocket) {
  FakeTcpPrinter printer;
  TcpTransport t(local(printer.port()));
  auto s = t.status(Deadline::in(1s));
  ASSERT_TRUE(s.ok()) << s.detail;
  EXPECT_EQ(s.status, (PrinterStatus{Paper::kOk, Cover::kClosed, Online::kOnline, false}));
  const auto job = job_of(5000);
  const auto w = t.write(job, Deadline::in(1s));
  ASSERT_TRUE(w.ok()) << w.detail;
  EXPECT_EQ(w.bytes_sent, job.size());
  printer.set_paper_out(true);
  s = t.status(Deadline::in(1s));
  ASSERT_TRUE(s.ok()) << s.detail;
  EXPECT_EQ(s.status.paper, Paper::kOut);
  ASSERT_TRUE(printer.wait_received(2 * 12 + job.size(), 1s));
  auto expected = status_request();
  expected.insert(expected.end(), job.begin(), job.end());
  const auto request = status_request();
  expected.insert(expected.end(), request.begin(), request.end());
  EXPECT_EQ(printer.received(), expected);
  EXPECT_EQ(printer.connections(), 1);
  EXPECT_EQ(t.describe(), "tcp 127.0.0.1:" + std::to_string(printer.port()));
}

TEST(TcpTransport, PaperOutFailsTheJobBeforeAnyByte) {
  FakeTcpPrinter printer;
  printer.set_paper_out(true);
  TestJournal journal;
  Spooler spooler(std::make_unique<TcpTransport>(local(printer.port())), journal, tcp_options());
  auto sub =
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-TCP-1", "advisor", "", job_of(100)});
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kPaperOut);
  EXPECT_EQ(advisor_message(out), kPrinterUnavailableMessage);
  for (auto b : printer.received()) EXPECT_NE(b, 'A');  // only status requests went out
}

TEST(TcpTransport, PrinterThatStallsIsPossiblyPrinted) {
  FakeTcpPrinter printer(FakeTcpPrinter::Mode::kStallAfter, 3000, 4096);
  TestJournal journal;
  Spooler spooler(std::make_unique<TcpTransport>(local(printer.port())), journal, tcp_options());
  const auto job = job_of(8 * 1024 * 1024);  // far more than both sockets' buffers
  auto sub = spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-TCP-2", "advisor", "", job});
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kTimedOutWhileSending);
  ASSERT_TRUE(out.bytes_sent);
  EXPECT_GT(*out.bytes_sent, 0U);
  EXPECT_LT(*out.bytes_sent, job.size());
}

TEST(TcpTransport, WriteToAStalledPrinterReportsOnlyAcknowledgedBytes) {
  FakeTcpPrinter printer(FakeTcpPrinter::Mode::kStallAfter, 0, 4096);
  TcpTransport t(local(printer.port()));
  const auto job = job_of(8 * 1024 * 1024);
  const auto w = t.write(job, Deadline::in(300ms));
  EXPECT_EQ(w.error, LinkError::kTimedOut);
  EXPECT_LT(w.bytes_sent, job.size());
  // What the printer's TCP stack acknowledged is at most what fits its receive window.
  EXPECT_LT(w.bytes_sent, 1024U * 1024);
}

TEST(TcpTransport, ResetMidJobIsPossiblyPrintedAndTheNextJobReconnects) {
  FakeTcpPrinter printer(FakeTcpPrinter::Mode::kResetAfter, 5000);
  TestJournal journal;
  auto options = tcp_options();
  options.job_timeout = 2s;
  Spooler spooler(std::make_unique<TcpTransport>(local(printer.port())), journal, options);
  auto sub = spooler.submit(
      {JobKind::kReceipt, Copy::kOriginal, "RCP-TCP-3", "advisor", "", job_of(4 * 1024 * 1024)});
  const auto out = sub.outcome.get();
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted) << out.detail;
  EXPECT_EQ(out.reason, FailureReason::kUnplugged);
  ASSERT_TRUE(out.bytes_sent);
  EXPECT_GE(*out.bytes_sent, 5000U - 12);

  auto next = spooler.submit({JobKind::kTestPage, Copy::kOriginal, "", "it", "", job_of(100)});
  const auto again = next.outcome.get();
  EXPECT_EQ(again.result, JobResult::kPrinted) << again.detail;
  EXPECT_EQ(printer.connections(), 2);
}

TEST(TcpTransport, RefusedConnectionIsOffline) {
  std::uint16_t port = 0;
  {
    FakeTcpPrinter gone;  // take a free port, then close it
    port = gone.port();
  }
  TcpTransport t(local(port));
  const auto w = t.write(job_of(10), Deadline::in(1s));
  EXPECT_EQ(w.error, LinkError::kRefused);
  EXPECT_EQ(w.bytes_sent, 0U);
  TestJournal journal;
  Spooler spooler(std::make_unique<TcpTransport>(local(port)), journal, tcp_options());
  const auto out =
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-TCP-4", "a", "", job_of(10)})
          .outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kOffline);
}

TEST(TcpTransport, ConnectTimesOutOnAPrinterThatNeverAccepts) {
  // A listener whose accept queue is full drops new SYNs: connect() hangs until our time-out.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto port = ntohs(addr.sin_port);
  std::vector<std::unique_ptr<TcpTransport>> fillers;
  for (int i = 0; i < 2; ++i) {
    fillers.push_back(std::make_unique<TcpTransport>(local(port), TcpOptions{200ms}));
    fillers.back()->write(job_of(1), Deadline::in(300ms));
  }
  TcpTransport t(local(port), TcpOptions{150ms});
  const auto t0 = Clock::now();
  const auto w = t.write(job_of(10), Deadline::in(5s));
  const auto took = Clock::now() - t0;
  EXPECT_EQ(w.error, LinkError::kTimedOut) << w.detail;
  EXPECT_EQ(w.bytes_sent, 0U);
  EXPECT_LT(took, 2s);  // the connect time-out, not the job's deadline
  ::close(fd);
}

// ---- the virtual printer ---------------------------------------------------------------------

class VirtualPrinterTest : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("pos-virtual-" + std::to_string(::getpid()) + "-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { std::filesystem::remove_all(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  static Bytes read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_F(VirtualPrinterTest, EachJobBecomesABinAndAPreview) {
  int previews = 0;
  auto preview = [&](ByteView bytes) -> std::optional<JobPreview> {
    ++previews;
    return JobPreview{Bytes{0x89, 'P', 'N', 'G'},
                      "text of " + std::to_string(bytes.size()) + " bytes"};
  };
  TestJournal journal;
  SpoolerOptions o;
  o.idle_status_poll = 0ms;
  Spooler spooler(std::make_unique<VirtualPrinter>(dir / "spool", preview), journal, o);
  const auto job = job_of(300);
  const auto out =
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-INV-1-001", "a", "", job})
          .outcome.get();
  EXPECT_EQ(out.result, JobResult::kPrinted);
  EXPECT_EQ(read_file(dir / "spool" / "job-1-RCP-INV-1-001.bin"), job);
  EXPECT_EQ(read_file(dir / "spool" / "job-1-RCP-INV-1-001.png"), (Bytes{0x89, 'P', 'N', 'G'}));
  EXPECT_EQ(read_file(dir / "spool" / "job-1-RCP-INV-1-001.txt").size(),
            std::string("text of 300 bytes").size());
  EXPECT_EQ(previews, 1);
  EXPECT_EQ(spooler.snapshot().readiness, PrinterReadiness::kReady);
  EXPECT_FALSE(std::filesystem::exists(dir / "spool" / ".job-in-progress.bin"));
}

TEST_F(VirtualPrinterTest, JobNamesCannotEscapeTheSpoolFolder) {
  VirtualPrinter v(dir);
  ASSERT_TRUE(v.write(job_of(3), Deadline::in(1s)).ok());
  v.end_job("../../etc/passwd");
  EXPECT_EQ(v.last_job_file().parent_path(), dir);
  EXPECT_EQ(read_file(v.last_job_file()), job_of(3));
}

TEST_F(VirtualPrinterTest, UnwritableSpoolFolderFailsTheJob) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "not-a-folder") << "x";
  TestJournal journal;
  SpoolerOptions o;
  o.idle_status_poll = 0ms;
  Spooler spooler(std::make_unique<VirtualPrinter>(dir / "not-a-folder"), journal, o);
  const auto out =
      spooler.submit({JobKind::kReceipt, Copy::kOriginal, "RCP-V", "a", "", job_of(10)})
          .outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.bytes_sent, 0U);
}

TEST_F(VirtualPrinterTest, BytesWrittenWithoutEndJobAreKeptOnClose) {
  {
    VirtualPrinter v(dir);
    ASSERT_TRUE(v.write(job_of(7), Deadline::in(1s)).ok());
  }
  EXPECT_EQ(read_file(dir / "unnamed-1.bin"), job_of(7));
}

// Issue 15: the spool holds customer names and card last 4; with umask 022 it was 0755 with
// 0640 files. Every folder made for it is 0700 and every file 0600, also for a file:// folder
// outside the data directory, and an existing folder of ours is closed.
TEST_F(VirtualPrinterTest, SpoolFolderAndFilesArePrivateWhateverTheUmask) {
  const mode_t old_umask = ::umask(022);
  auto preview = [](ByteView) -> std::optional<JobPreview> {
    return JobPreview{Bytes{0x89, 'P', 'N', 'G'}, "text"};
  };
  auto mode_of = [](const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  };
  const auto spool = dir / "outside" / "spool";  // two folders that do not exist yet
  {
    VirtualPrinter v(spool, preview);
    ASSERT_TRUE(v.status(Deadline::in(1s)).ok());
    ASSERT_TRUE(v.write(job_of(5), Deadline::in(1s)).ok());
    EXPECT_EQ(mode_of(spool / ".job-in-progress.bin"), 0600U);
    v.end_job("RCP-1");
  }
  EXPECT_EQ(mode_of(dir), 0700U);
  EXPECT_EQ(mode_of(dir / "outside"), 0700U);
  EXPECT_EQ(mode_of(spool), 0700U);
  for (const char* f : {"RCP-1.bin", "RCP-1.png", "RCP-1.txt"})
    EXPECT_EQ(mode_of(spool / f), 0600U);

  // A folder made by someone else's umask (the app's create_directories) and an old 0644 file.
  const auto old = dir / "old-spool";
  std::filesystem::create_directories(old);
  ::chmod(old.c_str(), 0755);
  std::ofstream(old / "RCP-2.png") << "old";
  ::chmod((old / "RCP-2.png").c_str(), 0644);
  {
    VirtualPrinter v(old, preview);
    ASSERT_TRUE(v.write(job_of(5), Deadline::in(1s)).ok());
    v.end_job("RCP-2");
  }
  EXPECT_EQ(mode_of(old), 0700U);
  EXPECT_EQ(mode_of(old / "RCP-2.png"), 0600U);
  EXPECT_EQ(mode_of(old / "RCP-2.bin"), 0600U);
  ::umask(old_umask);
}

}  // namespace
}  // namespace pos::drivers

// ---- with escpos: previews, the test page, the drawer pulse, choosing a printer --------------

namespace pos::drivers {
namespace {

std::shared_ptr<const escpos::PrinterProfile> profile(std::string_view id) {
  static const auto catalog =
      escpos::load_profile_directory(std::string(POS_ASSETS_DIR) + "/printers");
  EXPECT_TRUE(catalog) << catalog.error().message;
  auto p = catalog.value().get(id);
  EXPECT_TRUE(p) << id;
  return p.value();
}

TEST_F(VirtualPrinterTest, TestPageDecodesAndPreviewsOnEveryWidth) {
  for (const char* id : {"generic-80mm", "clone-58mm", "epson-tm-t20iii"}) {
    const auto p = profile(id);
    const auto page =
        build_test_page(*p, {"virtual printer", "file:///tmp/x", "T-1", "2026-01-05 14:30 CET"});
    ASSERT_TRUE(page) << page.error().message;
    const auto decoded = escpos::decode(page.value(), *p);
    EXPECT_TRUE(decoded.unknown.empty()) << id;
    EXPECT_NE(decoded.text.find("PRINTER TEST"), std::string::npos) << id;
    EXPECT_NE(decoded.text.find(p->id), std::string::npos) << id;
    EXPECT_NE(decoded.text.find("Müller Straße"), std::string::npos) << id;
    EXPECT_NE(decoded.text.find(std::to_string(p->dot_width) + " dots, " +
                                std::to_string(p->font_a.columns) + " columns"),
              std::string::npos)
        << decoded.text;
    EXPECT_EQ(decoded.picture.width, p->dot_width);

    TestJournal journal;
    SpoolerOptions o;
    o.idle_status_poll = 0ms;
    Spooler spooler(std::make_unique<VirtualPrinter>(dir / id, escpos_preview(p)), journal, o);
    const auto out =
        spooler.submit({JobKind::kTestPage, Copy::kOriginal, "", "it", "", page.value()})
            .outcome.get();
    EXPECT_EQ(out.result, JobResult::kPrinted);
    const auto png = read_file(dir / id / "job-1.png");
    ASSERT_GE(png.size(), 8U) << id;
    EXPECT_EQ(Bytes(png.begin(), png.begin() + 4), (Bytes{0x89, 'P', 'N', 'G'}));
    const auto text = read_file(dir / id / "job-1.txt");
    EXPECT_NE(std::string(text.begin(), text.end()).find("PRINTER TEST"), std::string::npos);
  }
}

TEST(DrawerPulse, IsEscPOnTheProfilesPin) {
  const auto p = profile("generic-80mm");
  const auto pulse = build_drawer_pulse(*p);
  ASSERT_TRUE(pulse) << pulse.error().message;
  ASSERT_EQ(pulse.value().size(), 5U);
  EXPECT_EQ(pulse.value()[0], 0x1b);
  EXPECT_EQ(pulse.value()[1], 'p');
  auto no_drawer = *p;
  no_drawer.drawer_pins.clear();
  EXPECT_FALSE(build_drawer_pulse(no_drawer));
}

TEST(OpenPrinter, VirtualOnlyWhenNothingOrAFolderIsConfigured) {
  PrinterEnvironment env;
  env.default_spool = "/tmp/pos-spool-default";
  auto opened = open_printer(std::nullopt, env);
  EXPECT_EQ(opened.transport->describe(), "virtual printer in /tmp/pos-spool-default");
  EXPECT_FALSE(opened.note.empty());
  opened = open_printer(PrinterUri{UsbAuto{}}, env);  // no USB context here: not found
  EXPECT_TRUE(std::holds_alternative<UsbAuto>(opened.uri));
  EXPECT_EQ(opened.transport->status(Deadline::in(10ms)).error, LinkError::kNotFound);
  opened = open_printer(PrinterUri{SpoolDirectory{"/tmp/other"}}, env);
  EXPECT_EQ(opened.transport->describe(), "virtual printer in /tmp/other");
  EXPECT_TRUE(opened.note.empty());
  opened = open_printer(PrinterUri{TcpAddress{"10.0.0.5", 9100}}, env);
  EXPECT_EQ(opened.transport->describe(), "tcp 10.0.0.5:9100");
  opened = open_printer(PrinterUri{UsbId{0x04b8, 0x0e28, std::nullopt}}, env);
  EXPECT_EQ(opened.transport->status(Deadline::in(10ms)).error, LinkError::kNotFound);
}

}  // namespace
}  // namespace pos::drivers
