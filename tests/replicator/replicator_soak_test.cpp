// The fault soak (slow tier): payments captured while the backend is down, then synced against
// billing-sim with 20% 5xx, 10% resets, 5% lost acks and jittered latency while the syncing
// process — `pos-terminal sync --until-empty`, the real command — is killed with SIGKILL again
// and again. Afterwards: the simulator holds exactly the
// queued payments, each applied once with the body it was queued with, and the outbox is empty
// within 60 s of the faults stopping. Then the same with three terminals at once.
//
// Sizes: POS_SOAK_PAYMENTS (default 2000 per terminal), POS_SOAK_KILLS (default 20 per terminal).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "outbox_fixture.hpp"
#include "sim_process.hpp"
#include "sim_seed.hpp"

extern char** environ;

namespace pos::sync {
namespace {

using nlohmann::json;
using pos::testing::SimOptions;
using pos::testing::SimProcess;
using pos::testing::TempDir;

int envInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// One running `pos-terminal sync --until-empty` (the real command) on a terminal's data
// directory, its output to a log file in the test's directory.
class Worker {
 public:
  Worker(const std::string& dataDir, const std::string& url, const std::string& tokenFile,
         const std::string& terminal, int timeout) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dataDir + "/soak-sync.log";
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<std::string> args = {POS_TERMINAL_PATH,
                                     "--data-dir",
                                     dataDir,
                                     "--backend",
                                     url,
                                     "--token-file",
                                     tokenFile,
                                     "--terminal-id",
                                     terminal,
                                     "sync",
                                     "--until-empty",
                                     "--timeout",
                                     std::to_string(timeout)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("spawn pos-terminal sync");
  }
  ~Worker() { kill9(); }
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  // Exit code, or -1 when it did not exit within `limit`.
  int wait(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

void runSoak(int terminals) {
  const int payments = envInt("POS_SOAK_PAYMENTS", 2000);
  const int kills = envInt("POS_SOAK_KILLS", 20);
  const int invoices = 200;
  TempDir dir;
  pos::testing::writeFile(dir.file("seed.json"), pos::testing::soakSeed(invoices).dump());
  // Down from the start: everything below is captured while the backend cannot take it.
  SimProcess sim(SimOptions{dir.file("seed.json"),
                            dir.file("sim.jsonl"),
                            {"--down-for-ms", "3600000", "--threads", "48"},
                            0});
  // The terminal's token file, private to its user as pos-terminal requires.
  const std::string tokenFile = dir.file("token");
  pos::testing::writeFile(tokenFile, std::string(pos::testing::kSimToken) + "\n");
  ::chmod(tokenFile.c_str(), 0600);
  std::vector<std::string> names, dataDirs, dbs;
  std::map<std::string, json> queued;  // idempotency key -> body
  for (std::size_t t = 0; t < static_cast<std::size_t>(terminals); ++t) {
    names.push_back("T-" + std::to_string(t + 1));
    dataDirs.push_back(dir.file("terminal-" + std::to_string(t + 1)));
    ::mkdir(dataDirs.back().c_str(), 0700);
    dbs.push_back(dataDirs.back() + "/terminal.db");  // where pos-terminal keeps it
    auto db = pos::testing::openDatabase(dbs.back());
    pos::testing::enqueuePayments(db, names.back(), payments, invoices);
    // The bodies as queued: an ACKED item keeps only their digest.
    Outbox outbox(db);
    const auto entries = outbox.list(OutboxListing::All, 1000000);
    ASSERT_TRUE(entries.ok());
    for (const auto& e : entries.value()) {
      auto item = outbox.find(e.id).value();
      ASSERT_TRUE(item);
      queued.emplace(item->idempotency_key, json::parse(item->body));
    }
  }
  auto spawn = [&](std::size_t t, int timeout) {
    return std::make_unique<Worker>(dataDirs[t], sim.baseUrl(), tokenFile, names[t], timeout);
  };
  const auto started = std::chrono::steady_clock::now();
  // A first sync attempt against the down backend: nothing may be lost to it.
  {
    std::vector<std::unique_ptr<Worker>> ws;
    for (std::size_t t = 0; t < static_cast<std::size_t>(terminals); ++t) {
      ws.push_back(spawn(t, 120));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(sim.accepted().empty());
  sim.setFaults({{"errorRates", {{"500", 0.10}, {"503", 0.10}}},
                 {"resetRate", 0.10},
                 {"lostAckRate", 0.05},
                 {"latencyMs", 1},
                 {"latencyJitterMs", 8}});
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> life(50, 400);
  for (int k = 0; k < kills; ++k) {
    std::vector<std::unique_ptr<Worker>> ws;
    for (std::size_t t = 0; t < static_cast<std::size_t>(terminals); ++t) {
      ws.push_back(spawn(t, 120));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(life(rng)));
    for (auto& w : ws) w->kill9();  // SIGKILL, mid-request or mid-commit
  }
  const auto faultsStopped = std::chrono::steady_clock::now();
  sim.setFaults(json::object());
  {
    std::vector<std::unique_ptr<Worker>> ws;
    for (std::size_t t = 0; t < static_cast<std::size_t>(terminals); ++t) {
      ws.push_back(spawn(t, 60));
    }
    for (auto& w : ws) EXPECT_EQ(w->wait(std::chrono::seconds(70)), 0);
  }
  const auto drained = std::chrono::steady_clock::now();
  const auto tail = std::chrono::duration_cast<std::chrono::milliseconds>(drained - faultsStopped);
  EXPECT_LT(tail, std::chrono::seconds(60));

  // The backend: exactly the queued payments, each once, each body equal to the one queued.
  std::map<std::string, json> accepted;
  int duplicates = 0;
  for (const auto& a : sim.accepted()) {
    if (a["kind"] != "payment") continue;
    if (!accepted.emplace(a["id"].get<std::string>(), a["body"]).second) ++duplicates;
  }
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(accepted.size(), static_cast<std::size_t>(payments * terminals));
  std::size_t checked = 0;
  for (std::size_t t = 0; t < static_cast<std::size_t>(terminals); ++t) {
    auto db = pos::testing::openDatabase(dbs[t]);
    Outbox outbox(db);
    auto stats = outbox.stats().value();
    EXPECT_EQ(stats.depth, 0) << names[t];
    EXPECT_EQ(stats.rejected, 0) << names[t];
    EXPECT_EQ(db.integrity_check().value(), "ok");
    EXPECT_TRUE(outbox.verify().value().sound()) << names[t];
    const auto entries = outbox.list(OutboxListing::All, 1000000);
    ASSERT_TRUE(entries.ok());
    for (const auto& e : entries.value()) {
      auto item = outbox.find(e.id).value();
      ASSERT_TRUE(item);
      EXPECT_EQ(item->state, OutboxState::Acked);
      EXPECT_EQ(item->body, "") << item->idempotency_key;  // released once acknowledged
      auto it = accepted.find(item->idempotency_key);
      ASSERT_NE(it, accepted.end()) << item->idempotency_key;
      EXPECT_EQ(it->second, queued.at(item->idempotency_key)) << item->idempotency_key;
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<std::size_t>(payments * terminals));
  const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(drained - started);
  std::printf(
      "[soak] terminals=%d payments/terminal=%d kills=%d total=%lld ms tail-after-faults=%lld ms\n",
      terminals, payments, kills, static_cast<long long>(total.count()),
      static_cast<long long>(tail.count()));
}

TEST(ReplicatorSoak, OneTerminalKilledTwentyTimesUnderFaults) {
  runSoak(1);
}
TEST(ReplicatorSoak, ThreeTerminalsAtOnce) {
  runSoak(3);
}

}  // namespace
}  // namespace pos::sync
