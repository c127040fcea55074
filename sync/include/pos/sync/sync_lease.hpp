// One replicator at a time on one database, across processes (a running terminal and an IT
// person's `pos-terminal sync`) and within one process.
//
// How: an exclusive flock(2) on a lock file next to the database ("<db>.sync-lock", mode 0600),
// held for as long as a replicator sends. Why a lock file rather than a lease row in the
// database: the kernel drops the lock the moment its holder dies (SIGKILL, power cut), so there
// is no expiry to choose, no stale lease to take over and no clock to trust; and holding it costs
// nothing, where renewing a row is a write transaction (an fsync under synchronous=FULL) that
// competes with the counter's captures for the write lock. flock locks belong to an open file
// description, so two replicators in one process exclude each other too. (flock is not reliable
// on NFS; the data directory is local by design.)
#pragma once

#include <pos/sync/db.hpp>

#include <filesystem>
#include <optional>

namespace pos::sync {

class SyncLease {
 public:
  // "<database>.sync-lock".
  [[nodiscard]] static std::filesystem::path lock_file_for(const std::filesystem::path& database);
  // The lease, or nullopt when another replicator holds it. A lock file that cannot be opened or
  // created: CannotOpen.
  [[nodiscard]] static DbResult<std::optional<SyncLease>> try_acquire(
      const std::filesystem::path& lock_file);

  SyncLease(SyncLease&& other) noexcept;
  SyncLease& operator=(SyncLease&& other) noexcept;
  SyncLease(const SyncLease&) = delete;
  SyncLease& operator=(const SyncLease&) = delete;
  ~SyncLease();  // releases it

 private:
  explicit SyncLease(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace pos::sync
