// SyncLease: flock on "<db>.sync-lock" (see sync_lease.hpp for why).
#include <pos/sync/sync_lease.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace pos::sync {

std::filesystem::path SyncLease::lock_file_for(const std::filesystem::path& database) {
  auto p = database;
  p += ".sync-lock";
  return p;
}

DbResult<std::optional<SyncLease>> SyncLease::try_acquire(const std::filesystem::path& lock_file) {
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return DbError{DbErrorCode::CannotOpen, 0,
                   "cannot open the sync lock " + lock_file.string() + ": " + std::strerror(errno)};
  }
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::optional<SyncLease>{};
    return DbError{DbErrorCode::Io, 0,
                   "cannot lock " + lock_file.string() + ": " + std::strerror(err)};
  }
  return std::optional<SyncLease>{SyncLease(fd)};
}

SyncLease::SyncLease(SyncLease&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

SyncLease& SyncLease::operator=(SyncLease&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

SyncLease::~SyncLease() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace pos::sync
