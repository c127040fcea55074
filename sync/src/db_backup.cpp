// Online backup: SQLite's backup API copies the live database page by page into a new file.
//
// The copy is written to "<destination>.partial", synced, renamed over the destination and the
// directory synced, so a crash mid-backup never leaves a half file under the real name.
#include <pos/sync/db.hpp>

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace pos::sync {

namespace {

DbError os_error(std::string_view what, const std::filesystem::path& path) {
  return DbError{DbErrorCode::Io, 0,
                 std::string{what} + " " + path.string() + ": " + std::strerror(errno)};
}

DbResult<void> sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return os_error("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return os_error("fsync", path);
  return {};
}

}  // namespace

DbResult<void> Database::backup_to(const std::filesystem::path& destination) {
  std::filesystem::path partial = destination;
  partial += ".partial";
  std::error_code ec;
  std::filesystem::remove(partial, ec);
  const int fd = ::open(partial.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("create", partial);
  ::close(fd);

  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(partial.c_str(), &dest, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    auto e = db_error_from_sqlite(rc, dest, "backup: open " + partial.string());
    sqlite3_close_v2(dest);
    std::filesystem::remove(partial, ec);
    return e;
  }
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", handle(), "main");
  if (backup == nullptr) {
    auto e = db_error_from_sqlite(sqlite3_errcode(dest), dest, "backup: start");
    sqlite3_close_v2(dest);
    std::filesystem::remove(partial, ec);
    return e;
  }
  // All pages in one step: a WAL reader does not block the writer, so the shop carries on.
  // BUSY/LOCKED only when another connection holds an exclusive lock: wait and try again.
  for (int tries = 0;; ++tries) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    break;
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    auto e = db_error_from_sqlite(rc, dest, "backup: copy");
    sqlite3_close_v2(dest);
    std::filesystem::remove(partial, ec);
    return e;
  }
  rc = sqlite3_close_v2(dest);
  if (rc != SQLITE_OK) {
    std::filesystem::remove(partial, ec);
    return db_error_from_sqlite(rc, nullptr, "backup: close");
  }
  if (auto r = sync_path(partial, O_RDONLY); !r.ok()) return r;
  if (::rename(partial.c_str(), destination.c_str()) != 0) return os_error("rename", partial);
  auto dir = destination.parent_path();
  if (dir.empty()) dir = ".";
  return sync_path(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace pos::sync
