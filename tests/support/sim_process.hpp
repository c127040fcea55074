// Test support: runs billing-sim as a real child process on 127.0.0.1 and talks to its /_sim/
// control endpoints. Used by the sync_http and replicator suites.
#pragma once

#include <nlohmann/json.hpp>

#include <sys/types.h>
#include <string>
#include <vector>

namespace pos::testing {

// A fresh empty directory under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void writeFile(const std::string& path, const std::string& text);

struct SimOptions {
  std::string seedPath;
  std::string statePath;               // empty: no persistence
  std::vector<std::string> extraArgs;  // fault options etc.
  int port = 0;                        // 0: any free port (a restart keeps the first one)
};

class SimProcess {
 public:
  explicit SimProcess(SimOptions options);  // starts it and waits for LISTENING
  ~SimProcess();                            // SIGTERM, then SIGKILL if it lingers
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  int port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void kill9();  // SIGKILL, reaped
  void start();  // (re)start on the same port
  void stop();   // SIGTERM, reaped

  nlohmann::json control(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr) const;
  nlohmann::json accepted() const { return control("GET", "/_sim/accepted")["accepted"]; }
  void setFaults(const nlohmann::json& faults) const { control("POST", "/_sim/faults", faults); }

 private:
  SimOptions options_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace pos::testing
