// From "job submitted" (the moment a committed payment hands its receipt to the spooler) to the
// first receipt byte at the transport, on the virtual printer, a TCP printer on 127.0.0.1 and a
// umockdev-emulated USB printer. Includes the journal record (in memory here: the ledger's
// durable commit is measured by its own benchmark), the hand-over to the printer's worker, and
// the status asked before every job (a DLE EOT round trip on TCP and USB).
//
// Reported per printer kind: p50 and p99 in microseconds (counters), over the iterations run.
#include <pos/drivers/spooler.hpp>
#include <pos/drivers/tcp_transport.hpp>
#include <pos/drivers/usb_transport.hpp>
#include <pos/drivers/virtual_printer.hpp>

#include <benchmark/benchmark.h>
#include <umockdev.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "emulated_printer.hpp"
#include "fake_tcp_printer.hpp"
#include "test_journal.hpp"

namespace pos::drivers {
namespace {

using namespace std::chrono_literals;

// Wraps a transport and notes when the first byte of a job is handed to it.
class FirstByteProbe final : public Transport {
 public:
  FirstByteProbe(std::unique_ptr<Transport> inner, std::atomic<std::int64_t>& first)
      : inner_(std::move(inner)), first_(first) {}
  WriteResult write(ByteView bytes, Deadline d) override {
    // Status requests start with DLE; the receipt starts with ESC @.
    if (!bytes.empty() && bytes[0] == 0x1b && first_.load() == 0)
      first_.store(Clock::now().time_since_epoch().count());
    return inner_->write(bytes, d);
  }
  ReadResult read(std::size_t n, Deadline d) override { return inner_->read(n, d); }
  StatusResult status(Deadline d) override { return inner_->status(d); }
  void end_job(std::string_view name) override { inner_->end_job(name); }
  void set_change_listener(std::function<void()> l) override {
    inner_->set_change_listener(std::move(l));
  }
  std::string describe() const override { return inner_->describe(); }
  void close() override { inner_->close(); }

 private:
  std::unique_ptr<Transport> inner_;
  std::atomic<std::int64_t>& first_;
};

Bytes receipt() {
  Bytes b = {0x1b, 0x40};
  for (int i = 0; i < 1200; ++i)
    b.push_back(static_cast<std::uint8_t>(i % 2 == 0 ? 'A' + i % 26 : '\n'));
  return b;
}

void run(benchmark::State& state, std::unique_ptr<Transport> transport) {
  std::atomic<std::int64_t> first{0};
  testing::TestJournal journal;
  SpoolerOptions o;
  o.idle_status_poll = 0ms;
  Spooler spooler(std::make_unique<FirstByteProbe>(std::move(transport), first), journal, o);
  const auto bytes = receipt();
  std::vector<double> micros;
  for (auto _ : state) {
    first.store(0);
    const auto t0 = Clock::now();
    auto sub = spooler.submit({JobKind::kTestPage, Copy::kOriginal, "", "bench", "", bytes});
    const auto out = sub.outcome.get();
    if (out.result != JobResult::kPrinted || first.load() == 0) {
      state.SkipWithError("job did not print");
      return;
    }
    const auto latency = Clock::duration(first.load()) - t0.time_since_epoch();
    const double us = std::chrono::duration<double, std::micro>(latency).count();
    micros.push_back(us);
    state.SetIterationTime(us / 1e6);
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) {
    return micros[static_cast<std::size_t>(p * static_cast<double>(micros.size() - 1))];
  };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["max_us"] = micros.back();
}

void BM_SubmitToFirstByte_Virtual(benchmark::State& state) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("pos-bench-spool-" + std::to_string(::getpid()));
  run(state, std::make_unique<VirtualPrinter>(dir));
  std::filesystem::remove_all(dir);
}

void BM_SubmitToFirstByte_Tcp(benchmark::State& state) {
  testing::FakeTcpPrinter printer;
  run(state, std::make_unique<TcpTransport>(TcpAddress{"127.0.0.1", printer.port()}));
}

void BM_SubmitToFirstByte_UsbEmulated(benchmark::State& state) {
  UMockdevTestbed* testbed = umockdev_testbed_new();
  {
    testing::EmulatedPrinter printer(testbed, {});
    auto created = UsbContext::create();
    if (!created.context) {
      state.SkipWithError(created.error.c_str());
    } else {
      auto known = KnownUsbPrinters::parse("usb 04b8:0e28 epson-tm-t20iii\n");
      run(state, std::make_unique<UsbTransport>(created.context, UsbAuto{}, *known.table));
    }
  }
  g_object_unref(testbed);
}

BENCHMARK(BM_SubmitToFirstByte_Virtual)
    ->UseManualTime()
    ->Iterations(2000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SubmitToFirstByte_Tcp)
    ->UseManualTime()
    ->Iterations(2000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SubmitToFirstByte_UsbEmulated)
    ->UseManualTime()
    ->Iterations(1000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pos::drivers

// Re-executes under the umockdev preload library (see usb_test.cpp), then runs the benchmarks.
int main(int argc, char** argv) {
  if (!pos::drivers::testing::in_umockdev_environment()) {
    ::setenv("LD_PRELOAD", "libumockdev-preload.so.0", 1);
    ::execv("/proc/self/exe", argv);
    std::perror("re-executing under the umockdev preload library");
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
