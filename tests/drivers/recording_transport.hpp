// A Transport for spooler tests: plays a scripted printer and records every call.
//
// The script and the record live in a shared State so a test can keep a handle after the
// spooler took ownership of the transport.
#pragma once

#include <pos/drivers/transport.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pos::drivers::testing {

struct ScriptedWrite {
  std::size_t accept = SIZE_MAX;  // bytes taken before `error` (SIZE_MAX: all)
  LinkError error = LinkError::kNone;
};

class RecordingTransport final : public Transport {
 public:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    // Script: consumed front to back; when empty, the defaults answer.
    std::deque<StatusResult> statuses;
    StatusResult default_status{
        {Paper::kOk, Cover::kClosed, Online::kOnline, false}, LinkError::kNone, {}};
    std::deque<ScriptedWrite> writes;
    bool hold_writes = false;  // a write waits until this is false (a slow printer)
    std::function<void(std::string_view call)> hook;  // runs at each call (crash tests)
    // Record.
    std::vector<std::string> calls;  // "status", "write", "end_job:NAME", "close"
    Bytes printed;                   // every byte accepted, in order
    std::vector<Bytes> jobs;         // bytes per end_job()
    Bytes current;
  };

  explicit RecordingTransport(std::shared_ptr<State> state) : s_(std::move(state)) {}

  WriteResult write(ByteView bytes, Deadline) override {
    if (s_->hook) s_->hook("write");
    std::unique_lock lock(s_->mutex);
    s_->calls.emplace_back("write");
    s_->changed.notify_all();
    s_->changed.wait(lock, [&] { return !s_->hold_writes; });
    ScriptedWrite w;
    if (!s_->writes.empty()) {
      w = s_->writes.front();
      s_->writes.pop_front();
    }
    const auto n = std::min(w.accept, bytes.size());
    s_->printed.insert(s_->printed.end(), bytes.begin(),
                       bytes.begin() + static_cast<std::ptrdiff_t>(n));
    s_->current.insert(s_->current.end(), bytes.begin(),
                       bytes.begin() + static_cast<std::ptrdiff_t>(n));
    return {n, w.error, w.error == LinkError::kNone ? "" : "scripted"};
  }
  ReadResult read(std::size_t, Deadline) override { return {{}, LinkError::kTimedOut, "scripted"}; }
  StatusResult status(Deadline) override {
    if (s_->hook) s_->hook("status");
    std::lock_guard lock(s_->mutex);
    s_->calls.emplace_back("status");
    if (s_->statuses.empty()) return s_->default_status;
    auto r = s_->statuses.front();
    s_->statuses.pop_front();
    return r;
  }
  void end_job(std::string_view name) override {
    std::lock_guard lock(s_->mutex);
    s_->calls.push_back("end_job:" + std::string(name));
    s_->jobs.push_back(std::move(s_->current));
    s_->current.clear();
  }
  std::string describe() const override { return "recording fake"; }
  void close() override {
    std::lock_guard lock(s_->mutex);
    s_->calls.emplace_back("close");
  }

 private:
  std::shared_ptr<State> s_;
};

inline StatusResult status_with(Paper p, Cover c = Cover::kClosed, Online o = Online::kOnline) {
  return {{p, c, o, false}, LinkError::kNone, {}};
}
inline StatusResult status_error(LinkError e) {
  return {{}, e, "scripted"};
}

}  // namespace pos::drivers::testing
