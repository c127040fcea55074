// An in-memory PrintJournal for tests, optionally backed by an append-only log file (synced on
// every call) so a crash test can kill a process and read the journal back. The application's
// real journal lives on the ledger.
#pragma once

#include <pos/drivers/print_journal.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace pos::drivers::testing {

class TestJournal final : public PrintJournal {
 public:
  TestJournal() = default;
  explicit TestJournal(std::filesystem::path log) : log_(std::move(log)) { replay(); }

  JournalWrite record(const PrintJobRecord& job) override {
    std::lock_guard lock(mutex_);
    if (fail_records_ > 0) {
      --fail_records_;
      return {std::nullopt, "disk full (scripted)"};
    }
    const PrintJobId id{next_++};
    entries_[id] = {id, job, std::nullopt};
    append(
        fmt("R", id.value, static_cast<int>(job.kind), static_cast<int>(job.copy), job.byte_count) +
        "\t" + job.printer + "\t" + job.reference + "\t" + job.requested_by + "\t" + job.reason);
    return {id, {}};
  }
  bool mark_outcome(PrintJobId id, const JobOutcome& outcome) override {
    std::lock_guard lock(mutex_);
    if (fail_marks_ > 0) {
      --fail_marks_;
      return false;
    }
    auto it = entries_.find(id);
    if (it == entries_.end()) return false;
    it->second.outcome = outcome;
    append(fmt("O", id.value, static_cast<int>(outcome.result), static_cast<int>(outcome.reason),
               outcome.bytes_sent ? static_cast<long long>(*outcome.bytes_sent) : -1LL));
    return true;
  }
  std::vector<JournalEntry> unfinished() const override {
    std::lock_guard lock(mutex_);
    std::vector<JournalEntry> out;
    for (const auto& [id, e] : entries_) {
      if (!e.outcome) out.push_back(e);
    }
    return out;
  }
  std::vector<JournalEntry> jobs_for(std::string_view reference) const override {
    std::lock_guard lock(mutex_);
    std::vector<JournalEntry> out;
    for (const auto& [id, e] : entries_) {
      if (e.record.reference == reference) out.push_back(e);
    }
    return out;
  }
  std::vector<JournalEntry> all() const {
    std::lock_guard lock(mutex_);
    std::vector<JournalEntry> out;
    for (const auto& [id, e] : entries_) out.push_back(e);
    return out;
  }
  void fail_next_records(int n) {
    std::lock_guard lock(mutex_);
    fail_records_ = n;
  }
  void fail_next_marks(int n) {
    std::lock_guard lock(mutex_);
    fail_marks_ = n;
  }

 private:
  template <class... A>
  static std::string fmt(const char* tag, A... fields) {
    std::ostringstream s;
    s << tag;
    ((s << '\t' << fields), ...);
    return s.str();
  }
  void append(const std::string& line) {
    if (log_.empty()) return;
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;
    const auto text = line + "\n";
    (void)!::write(fd, text.data(), text.size());
    ::fdatasync(fd);
    ::close(fd);
  }
  void replay() {
    std::ifstream in(log_);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream s(line);
      std::string tag;
      std::getline(s, tag, '\t');
      std::vector<std::string> f;
      for (std::string x; std::getline(s, x, '\t');) f.push_back(x);
      if (tag == "R" && f.size() >= 4) {
        PrintJobRecord r;
        r.kind = static_cast<JobKind>(std::stoi(f[1]));
        r.copy = static_cast<Copy>(std::stoi(f[2]));
        r.byte_count = std::stoul(f[3]);
        if (f.size() > 4) r.printer = f[4];
        if (f.size() > 5) r.reference = f[5];
        if (f.size() > 6) r.requested_by = f[6];
        if (f.size() > 7) r.reason = f[7];
        const PrintJobId id{std::stoull(f[0])};
        entries_[id] = {id, r, std::nullopt};
        next_ = std::max(next_, id.value + 1);
      } else if (tag == "O" && f.size() == 4) {
        const PrintJobId id{std::stoull(f[0])};
        const long long bytes = std::stoll(f[3]);
        entries_[id].outcome = JobOutcome{
            static_cast<JobResult>(std::stoi(f[1])),
            static_cast<FailureReason>(std::stoi(f[2])),
            bytes < 0 ? std::nullopt : std::optional<std::size_t>(static_cast<std::size_t>(bytes)),
            {}};
      }
    }
  }

  std::filesystem::path log_;
  mutable std::mutex mutex_;
  std::map<PrintJobId, JournalEntry> entries_;
  std::uint64_t next_ = 1;
  int fail_records_ = 0;
  int fail_marks_ = 0;
};

}  // namespace pos::drivers::testing
