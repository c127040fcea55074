// The syncing process of the fault soak: opens a terminal's database and runs the replicator
// until the outbox is empty (exit 0) or the time-out (exit 1). The soak kills it with SIGKILL at
// random moments. (The coordinator will switch the soak to `pos-terminal sync --until-empty`.)
//
//   sync-soak-worker DB_PATH BASE_URL TERMINAL_ID [TIMEOUT_SECONDS]
// The bearer token is read from standard input (never the command line).
#include <pos/sync/replicator.hpp>

#include <iostream>
#include <string>

#include "outbox_fixture.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: sync-soak-worker DB_PATH BASE_URL TERMINAL_ID [TIMEOUT_SECONDS]\n";
    return 2;
  }
  std::string token;
  std::getline(std::cin, token);
  pos::sync::ReplicatorConfig config;
  config.http.baseUrl = argv[2];
  config.http.token = pos::sync::SecretToken(token);
  config.http.terminalId = argv[3];
  config.http.connectTimeout = std::chrono::milliseconds(1000);
  config.http.totalTimeout = std::chrono::milliseconds(2000);
  config.concurrency = 8;
  config.retry = {std::chrono::milliseconds(10), std::chrono::milliseconds(300)};
  config.pull = pos::sync::SnapshotPull::Off;
  config.idlePoll = std::chrono::milliseconds(10);
  const int timeout = argc > 4 ? std::stoi(argv[4]) : 120;
  try {
    pos::sync::Replicator replicator(pos::testing::openDatabase(argv[1]), config);
    return replicator.runUntilEmpty(std::chrono::seconds(timeout)) ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sync-soak-worker: " << e.what() << "\n";
    return 3;
  }
}
