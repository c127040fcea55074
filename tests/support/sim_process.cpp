#include "sim_process.hpp"

#include <httplib.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pos::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/pos-sync-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

SimProcess::SimProcess(SimOptions options) : options_(std::move(options)) {
  port_ = options_.port;
  start();
}

SimProcess::~SimProcess() {
  try {
    stop();
  } catch (...) {
  }
}

void SimProcess::start() {
  if (pid_ > 0) throw std::logic_error("billing-sim already running");
  std::vector<std::string> args = {POS_BILLING_SIM_PATH,  "--seed",
                                   options_.seedPath,     "--port",
                                   std::to_string(port_), "--exit-with-parent"};
  if (!options_.statePath.empty()) {
    args.push_back("--state");
    args.push_back(options_.statePath);
  }
  for (const auto& a : options_.extraArgs) args.push_back(a);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    close(fds[0]);
    close(fds[1]);
    throw std::runtime_error("cannot spawn billing-sim");
  }
  close(fds[1]);
  std::string line;
  char c = 0;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  close(fds[0]);
  const auto colon = line.rfind(':');
  if (line.rfind("LISTENING ", 0) != 0 || colon == std::string::npos) {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    throw std::runtime_error("billing-sim did not start: '" + line + "'");
  }
  port_ = std::stoi(line.substr(colon + 1));
}

void SimProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void SimProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill9();
}

nlohmann::json SimProcess::control(const std::string& method, const std::string& path,
                                   const nlohmann::json& body) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(30, 0);
  httplib::Result res =
      method == "GET"
          ? client.Get(path.c_str())
          : client.Post(path.c_str(), body.is_null() ? "{}" : body.dump(), "application/json");
  if (!res || res->status != 200) {
    throw std::runtime_error("billing-sim control " + path + " failed");
  }
  return nlohmann::json::parse(res->body);
}

}  // namespace pos::testing
