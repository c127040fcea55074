// The spooler against a recording fake transport: every outcome, the copy-mark guard, the
// status snapshot, shutdown, and a crash between recording a job and sending it (a real child
// process killed with SIGKILL, its journal read back from disk).
#include <pos/drivers/spooler.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "recording_transport.hpp"
#include "test_journal.hpp"

namespace pos::drivers {
namespace {

using namespace std::chrono_literals;
using testing::RecordingTransport;
using testing::ScriptedWrite;
using testing::status_error;
using testing::status_with;
using testing::TestJournal;

const Bytes kReceipt = {0x1b, 0x40, 'H', 'i', '\n', 0x1d, 0x56, 0x42, 0x00};
const Bytes kDrawerPulse = {0x1b, 0x70, 0x00, 0x19, 0xfa};

SpoolerOptions quick_options() {
  SpoolerOptions o;
  o.printer_name = "counter";
  o.status_timeout = 50ms;
  o.job_timeout = 500ms;
  o.idle_status_poll = 0ms;  // tests script every status answer
  return o;
}

PrintJob receipt(std::string reference, Copy copy = Copy::kOriginal) {
  return {JobKind::kReceipt, copy, std::move(reference), "advisor-7", "", kReceipt};
}

class SpoolerTest : public ::testing::Test {
 protected:
  std::shared_ptr<RecordingTransport::State> printer =
      std::make_shared<RecordingTransport::State>();
  TestJournal journal;

  std::unique_ptr<Spooler> start(SpoolerOptions o = quick_options()) {
    return std::make_unique<Spooler>(std::make_unique<RecordingTransport>(printer), journal,
                                     std::move(o));
  }
  JobOutcome print_one(Spooler& s, PrintJob job) {
    auto sub = s.submit(std::move(job));
    EXPECT_TRUE(sub.accepted()) << sub.detail;
    if (!sub.accepted()) return {};
    EXPECT_EQ(sub.outcome.wait_for(5s), std::future_status::ready);
    return sub.outcome.get();
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(printer->mutex);
    // The worker asks for a status when it starts (to fill the snapshot); ignore that one.
    auto c = printer->calls;
    if (!c.empty() && c.front() == "status" && c.size() > 1 && c[1] == "status") c.erase(c.begin());
    return c;
  }
};

TEST_F(SpoolerTest, ReadyPrinterPrintsTheExactBytesAndRecordsPrinted) {
  auto s = start();
  const auto out = print_one(*s, receipt("RCP-INV-1-20260105T143022Z-001"));
  EXPECT_EQ(out.result, JobResult::kPrinted);
  EXPECT_EQ(out.reason, FailureReason::kNone);
  EXPECT_EQ(out.bytes_sent, kReceipt.size());
  EXPECT_EQ(advisor_message(out), "");
  s.reset();
  ASSERT_EQ(printer->jobs.size(), 1U);
  EXPECT_EQ(printer->jobs[0], kReceipt);
  const auto entries = journal.all();
  ASSERT_EQ(entries.size(), 1U);
  ASSERT_TRUE(entries[0].outcome);
  EXPECT_EQ(entries[0].outcome->result, JobResult::kPrinted);
  EXPECT_EQ(entries[0].record.printer, "counter");
  EXPECT_EQ(entries[0].record.byte_count, kReceipt.size());
}

TEST_F(SpoolerTest, StatusIsAskedBeforeAndAfterTheBytes) {
  auto s = start();
  print_one(*s, receipt("RCP-A"));
  s.reset();
  const auto c = calls();
  ASSERT_GE(c.size(), 4U);
  const auto w = std::find(c.begin(), c.end(), "write");
  ASSERT_NE(w, c.end());
  EXPECT_EQ(*(w - 1), "status");
  EXPECT_TRUE((w + 1)->starts_with("end_job:job-1-RCP-A"));
  EXPECT_EQ(*(w + 2), "status");
}

struct BlockingCase {
  const char* name;
  StatusResult status;
  FailureReason reason;
};

class SpoolerBlockedTest : public SpoolerTest,
                           public ::testing::WithParamInterface<BlockingCase> {};

TEST_P(SpoolerBlockedTest, FailsWithoutSendingAByte) {
  // The worker's first status (at start) and the job's status both see the problem.
  printer->default_status = GetParam().status;
  auto s = start();
  const auto out = print_one(*s, receipt("RCP-B"));
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, GetParam().reason);
  EXPECT_EQ(out.bytes_sent, 0U);
  EXPECT_EQ(advisor_message(out), "Printer unavailable. Load paper or select email option.");
  EXPECT_EQ(s->snapshot().advisor_message,
            "Printer unavailable. Load paper or select email option.");
  s.reset();
  EXPECT_TRUE(printer->printed.empty());
  EXPECT_EQ(std::count(printer->calls.begin(), printer->calls.end(), "write"), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, SpoolerBlockedTest,
    ::testing::Values(
        BlockingCase{"PaperOut", status_with(Paper::kOut), FailureReason::kPaperOut},
        BlockingCase{"CoverOpen", status_with(Paper::kOk, Cover::kOpen), FailureReason::kCoverOpen},
        BlockingCase{"Offline", status_with(Paper::kOk, Cover::kClosed, Online::kOffline),
                     FailureReason::kOffline},
        BlockingCase{"Unplugged", status_error(LinkError::kUnplugged), FailureReason::kUnplugged},
        BlockingCase{"NotFound", status_error(LinkError::kNotFound), FailureReason::kNotFound},
        BlockingCase{"AccessDenied", status_error(LinkError::kAccessDenied),
                     FailureReason::kAccessDenied},
        BlockingCase{"Refused", status_error(LinkError::kRefused), FailureReason::kOffline}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(SpoolerTest, PrinterError) {
  printer->default_status = {
      {Paper::kOk, Cover::kClosed, Online::kOnline, true}, LinkError::kNone, {}};
  auto s = start();
  const auto out = print_one(*s, receipt("RCP-E"));
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kPrinterError);
}

TEST_F(SpoolerTest, NearEndStillPrints) {
  printer->default_status = status_with(Paper::kNearEnd);
  auto s = start();
  EXPECT_EQ(print_one(*s, receipt("RCP-N")).result, JobResult::kPrinted);
  EXPECT_EQ(s->snapshot().readiness, PrinterReadiness::kPaperNearEnd);
  EXPECT_EQ(s->snapshot().advisor_message, "");
}

TEST_F(SpoolerTest, NoByteTakenBeforeTheDeadlineIsTimedOutBeforeSending) {
  printer->default_status = status_error(LinkError::kTimedOut);
  printer->writes.push_back({0, LinkError::kTimedOut});
  auto s = start();
  const auto out = print_one(*s, receipt("RCP-T"));
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kTimedOutBeforeSending);
  EXPECT_EQ(out.bytes_sent, 0U);
}

TEST_F(SpoolerTest, UnpluggedMidJobIsPossiblyPrintedWithTheByteCount) {
  printer->writes.push_back({4, LinkError::kUnplugged});
  auto s = start();
  const auto out = print_one(*s, receipt("RCP-U"));
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kUnplugged);
  EXPECT_EQ(out.bytes_sent, 4U);
  EXPECT_EQ(advisor_message(out), kPrinterUnavailableMessage);
  EXPECT_EQ(s->snapshot().readiness, PrinterReadiness::kUnplugged);
}

TEST_F(SpoolerTest, PrinterThatStopsTakingDataIsPossiblyPrinted) {
  printer->writes.push_back({3, LinkError::kTimedOut});
  auto s = start();
  const auto out = print_one(*s, receipt("RCP-S"));
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kTimedOutWhileSending);
  EXPECT_EQ(out.bytes_sent, 3U);
}

TEST_F(SpoolerTest, PaperRunningOutDuringTheJobIsPossiblyPrinted) {
  auto s = start();
  // Let the start-up status go by, then script: fine before, paper out after.
  while (s->snapshot().checked_at == std::nullopt) std::this_thread::sleep_for(1ms);
  {
    std::lock_guard lock(printer->mutex);
    printer->statuses = {status_with(Paper::kOk), status_with(Paper::kOut)};
  }
  const auto out = print_one(*s, receipt("RCP-P"));
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kPaperOut);
  EXPECT_EQ(out.bytes_sent, kReceipt.size());
}

TEST_F(SpoolerTest, PrinterThatStopsAnsweringAfterTheJobIsPossiblyPrinted) {
  auto s = start();
  while (s->snapshot().checked_at == std::nullopt) std::this_thread::sleep_for(1ms);
  {
    std::lock_guard lock(printer->mutex);
    printer->statuses = {status_with(Paper::kOk), status_error(LinkError::kTimedOut)};
  }
  const auto out = print_one(*s, receipt("RCP-Q"));
  EXPECT_EQ(out.result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(out.reason, FailureReason::kTimedOutWhileSending);
}

TEST_F(SpoolerTest, PrinterWithoutStatusIsJudgedByItsWrite) {
  printer->default_status = status_error(LinkError::kNoStatus);
  auto s = start();
  EXPECT_EQ(print_one(*s, receipt("RCP-W")).result, JobResult::kPrinted);
  EXPECT_EQ(s->snapshot().readiness, PrinterReadiness::kUnknown);
}

TEST_F(SpoolerTest, AnOriginalThatMayHavePrintedNeedsACopyMark) {
  printer->writes.push_back({2, LinkError::kUnplugged});
  auto s = start();
  EXPECT_EQ(print_one(*s, receipt("RCP-D")).result, JobResult::kPossiblyPrinted);
  auto again = s->submit(receipt("RCP-D"));
  EXPECT_FALSE(again.accepted());
  EXPECT_EQ(again.refusal, SubmitRefusal::kNeedsCopyMark);
  EXPECT_EQ(print_one(*s, receipt("RCP-D", Copy::kDuplicate)).result, JobResult::kPrinted);
  // Printed originals are guarded too.
  EXPECT_EQ(print_one(*s, receipt("RCP-E2")).result, JobResult::kPrinted);
  EXPECT_EQ(s->submit(receipt("RCP-E2")).refusal, SubmitRefusal::kNeedsCopyMark);
  EXPECT_EQ(print_one(*s, receipt("RCP-E2", Copy::kReprint)).result, JobResult::kPrinted);
}

TEST_F(SpoolerTest, AFailedOriginalMayBeRetriedAsOriginal) {
  auto s = start();
  while (s->snapshot().checked_at == std::nullopt) std::this_thread::sleep_for(1ms);
  {
    std::lock_guard lock(printer->mutex);
    printer->statuses = {status_with(Paper::kOut)};
  }
  EXPECT_EQ(print_one(*s, receipt("RCP-R")).result, JobResult::kFailed);
  EXPECT_EQ(print_one(*s, receipt("RCP-R")).result, JobResult::kPrinted);
}

TEST_F(SpoolerTest, JobNotRecordedIsNotSent) {
  journal.fail_next_records(1);
  auto s = start();
  auto sub = s->submit(receipt("RCP-J"));
  EXPECT_FALSE(sub.accepted());
  EXPECT_EQ(sub.refusal, SubmitRefusal::kNotRecorded);
  EXPECT_EQ(s->submit(PrintJob{JobKind::kReceipt, Copy::kOriginal, "RCP-X", "a", "", {}}).refusal,
            SubmitRefusal::kEmpty);
  s.reset();
  EXPECT_TRUE(printer->printed.empty());
}

TEST_F(SpoolerTest, LostOutcomeIsReportedAsInterruptedAtNextStart) {
  journal.fail_next_marks(1);
  auto s = start();
  EXPECT_EQ(print_one(*s, receipt("RCP-L")).result, JobResult::kPrinted);
  s.reset();
  const auto recovered = recover_interrupted_jobs(journal);
  ASSERT_EQ(recovered.size(), 1U);
  EXPECT_EQ(recovered[0].outcome->result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(recovered[0].outcome->reason, FailureReason::kInterrupted);
}

TEST_F(SpoolerTest, DrawerPulseIsItsOwnJobWithWhoAndWhy) {
  auto s = start();
  print_one(*s, receipt("RCP-K"));
  const auto out = print_one(*s, PrintJob{JobKind::kDrawerPulse, Copy::kOriginal, "DRAWER-1",
                                          "cashier-2", "NO_SALE", kDrawerPulse});
  EXPECT_EQ(out.result, JobResult::kPrinted);
  s.reset();
  ASSERT_EQ(printer->jobs.size(), 2U);
  EXPECT_EQ(printer->jobs[1], kDrawerPulse);
  const auto entries = journal.all();
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[1].record.kind, JobKind::kDrawerPulse);
  EXPECT_EQ(entries[1].record.requested_by, "cashier-2");
  EXPECT_EQ(entries[1].record.reason, "NO_SALE");
}

TEST_F(SpoolerTest, JobsPrintInSubmissionOrder) {
  auto s = start();
  std::vector<std::future<JobOutcome>> outcomes;
  for (int i = 0; i < 20; ++i) {
    auto sub = s->submit(PrintJob{JobKind::kTestPage, Copy::kOriginal, "", "it", "",
                                  Bytes{static_cast<std::uint8_t>(i)}});
    outcomes.push_back(std::move(sub.outcome));
  }
  for (auto& f : outcomes) EXPECT_EQ(f.get().result, JobResult::kPrinted);
  s.reset();
  ASSERT_EQ(printer->printed.size(), 20U);
  for (std::size_t i = 0; i < 20; ++i) EXPECT_EQ(printer->printed[i], i);
}

TEST_F(SpoolerTest, SnapshotDoesNotWaitForAPrintingJob) {
  printer->hold_writes = true;
  auto s = start();
  auto sub = s->submit(receipt("RCP-H"));
  {
    std::unique_lock lock(printer->mutex);
    printer->changed.wait(lock, [&] {
      return std::count(printer->calls.begin(), printer->calls.end(), "write") == 1;
    });
  }
  const auto t0 = Clock::now();
  const auto snap = s->snapshot();  // the worker is inside write()
  EXPECT_LT(Clock::now() - t0, 100ms);
  EXPECT_EQ(snap.queued, 1U);
  EXPECT_EQ(snap.readiness, PrinterReadiness::kReady);
  {
    std::lock_guard lock(printer->mutex);
    printer->hold_writes = false;
  }
  printer->changed.notify_all();
  EXPECT_EQ(sub.outcome.get().result, JobResult::kPrinted);
}

TEST_F(SpoolerTest, StoppingFailsJobsThatNeverStarted) {
  printer->hold_writes = true;
  auto s = start();
  auto first = s->submit(receipt("RCP-1"));
  auto second = s->submit(receipt("RCP-2"));
  {
    std::unique_lock lock(printer->mutex);
    printer->changed.wait(lock, [&] {
      return std::count(printer->calls.begin(), printer->calls.end(), "write") == 1;
    });
  }
  std::thread release([&] {
    std::this_thread::sleep_for(20ms);
    {
      std::lock_guard lock(printer->mutex);
      printer->hold_writes = false;
    }
    printer->changed.notify_all();
  });
  s.reset();
  release.join();
  EXPECT_EQ(first.outcome.get().result, JobResult::kPrinted);
  const auto out = second.outcome.get();
  EXPECT_EQ(out.result, JobResult::kFailed);
  EXPECT_EQ(out.reason, FailureReason::kSpoolerStopped);
  EXPECT_TRUE(journal.unfinished().empty());
}

TEST_F(SpoolerTest, IdlePollingShowsPaperOutBeforeAnyJob) {
  printer->default_status = status_with(Paper::kOut);
  auto o = quick_options();
  o.idle_status_poll = 5ms;
  auto s = start(o);
  const auto until = Clock::now() + 2s;
  while (s->snapshot().readiness != PrinterReadiness::kPaperOut && Clock::now() < until)
    std::this_thread::sleep_for(1ms);
  const auto snap = s->snapshot();
  EXPECT_EQ(snap.readiness, PrinterReadiness::kPaperOut);
  EXPECT_EQ(snap.advisor_message, kPrinterUnavailableMessage);
  EXPECT_EQ(snap.description, "recording fake");
}

TEST(SpoolerTables, EveryReasonHasACodeAndText) {
  for (std::size_t i = 1; i < kFailureReasonCount; ++i) {
    const auto r = static_cast<FailureReason>(i);
    EXPECT_FALSE(failure_reason_code(r).empty());
    EXPECT_FALSE(failure_reason_text(r).empty());
  }
  EXPECT_EQ(job_result_code(JobResult::kPossiblyPrinted), "POSSIBLY_PRINTED");
  EXPECT_EQ(failure_reason_code(FailureReason::kTimedOutBeforeSending), "TIMED_OUT_BEFORE_SENDING");
}

// ---- crash between recording and sending ----------------------------------------------------

// Runs a spooler in a child process whose printer kills the process at `crash_at` ("status":
// after the job is recorded, before any byte; "write": as the bytes go out). Returns the
// journal file.
std::filesystem::path crash_child(const std::string& crash_at) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pos-spool-crash-" + std::to_string(::getpid()) + "-" + crash_at);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto log = dir / "journal.log";
  const pid_t pid = ::fork();
  if (pid == 0) {
    TestJournal journal(log);
    auto state = std::make_shared<RecordingTransport::State>();
    bool armed = false;
    state->hook = [&](std::string_view call) {
      if (armed && call == crash_at) ::kill(::getpid(), SIGKILL);
    };
    auto o = quick_options();
    o.idle_status_poll = 0ms;
    Spooler s(std::make_unique<RecordingTransport>(state), journal, o);
    std::this_thread::sleep_for(20ms);  // the start-up status goes by unarmed
    armed = true;
    auto sub = s.submit(receipt("RCP-CRASH"));
    sub.outcome.wait_for(5s);
    ::_exit(3);  // not reached when the crash fires
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << "child did not crash";
  return log;
}

class SpoolerCrashTest : public SpoolerTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(SpoolerCrashTest, CrashAfterRecordingIsReportedAndNeverPrintedAgainSilently) {
  const auto log = crash_child(GetParam());
  TestJournal after_restart(log);
  ASSERT_EQ(after_restart.unfinished().size(), 1U);
  const auto recovered = recover_interrupted_jobs(after_restart);
  ASSERT_EQ(recovered.size(), 1U);
  EXPECT_EQ(recovered[0].record.reference, "RCP-CRASH");
  EXPECT_EQ(recovered[0].outcome->result, JobResult::kPossiblyPrinted);
  EXPECT_EQ(recovered[0].outcome->reason, FailureReason::kInterrupted);
  EXPECT_FALSE(recovered[0].outcome->bytes_sent.has_value());
  EXPECT_TRUE(after_restart.unfinished().empty());
  // Recovery is recorded: a second restart reports nothing new.
  TestJournal second_restart(log);
  EXPECT_TRUE(recover_interrupted_jobs(second_restart).empty());

  // The restarted terminal refuses the same original, prints a marked duplicate.
  Spooler s(std::make_unique<RecordingTransport>(printer), second_restart, quick_options());
  auto again = s.submit(receipt("RCP-CRASH"));
  EXPECT_EQ(again.refusal, SubmitRefusal::kNeedsCopyMark);
  auto dup = s.submit(receipt("RCP-CRASH", Copy::kDuplicate));
  ASSERT_TRUE(dup.accepted());
  EXPECT_EQ(dup.outcome.get().result, JobResult::kPrinted);
  std::filesystem::remove_all(log.parent_path());
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, SpoolerCrashTest, ::testing::Values("status", "write"));

}  // namespace
}  // namespace pos::drivers
