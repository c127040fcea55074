#include "wal_batch_vfs.hpp"

#include <sqlite3.h>

#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace pos::sync {

namespace {

// A capture's commit is 16-37 frames of 4,120 bytes: the median one write, the biggest two. No
// more: SQLite's unix VFS never writes more than 0x1ffff bytes in one call (it masks the
// length to 17 bits, since SQLite itself never asks for more).
constexpr int kBufferBytes = 124 * 1024;
static_assert(kBufferBytes <= 0x1ffff);

// A WAL file: SQLite's sqlite3_file first (its pMethods are ours), then the buffer's state;
// the base VFS's file follows at kRealOffset.
struct BatchFile {
  sqlite3_file file;
  sqlite3_file* real;
  char* buffer;                // kBufferBytes, made at the first write
  sqlite3_int64 buffer_start;  // the file offset of buffer[0]
  int buffered;                // bytes in the buffer
  bool commit_page_next;       // the last write was a commit frame's header
};
constexpr std::size_t kRealOffset = (sizeof(BatchFile) + 15) / 16 * 16;

BatchFile* batch(sqlite3_file* f) {
  return reinterpret_cast<BatchFile*>(f);
}
const sqlite3_io_methods* real_methods(BatchFile* b) {
  return b->real->pMethods;
}

// Writes the buffer with one call (the base VFS loops on short writes). On an error the
// buffer is dropped: the transaction whose frames they were fails, and SQLite never counts
// frames of a failed commit.
int flush(BatchFile* b) {
  if (b->buffered == 0) return SQLITE_OK;
  const int n = b->buffered;
  b->buffered = 0;
  return real_methods(b)->xWrite(b->real, b->buffer, n, b->buffer_start);
}

int x_close(sqlite3_file* f) {
  auto* b = batch(f);
  const int rc = flush(b);
  const int closed = real_methods(b)->xClose(b->real);
  sqlite3_free(b->buffer);
  b->buffer = nullptr;
  return rc != SQLITE_OK ? rc : closed;
}

int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  auto* b = batch(f);
  if (const int rc = flush(b); rc != SQLITE_OK) return rc;
  return real_methods(b)->xRead(b->real, out, amount, offset);
}

// A frame's header is 24 bytes: its page number, then for the last frame of a commit the
// database's size in pages after it (zero in every other frame), salts and checksums
// (https://www.sqlite.org/fileformat.html#the_write_ahead_log).
bool commit_frame_header(const void* data, int amount) {
  const auto* h = static_cast<const unsigned char*>(data);
  return amount == 24 && (h[4] | h[5] | h[6] | h[7]) != 0;
}

// Buffers the write (`follows`: it starts where the buffer ends), or writes what is buffered
// and then buffers it, or writes it through when it is bigger than the buffer.
int append(BatchFile* b, const void* data, int amount, sqlite3_int64 offset, bool follows) {
  if (follows && b->buffered + amount <= kBufferBytes) {
    std::memcpy(b->buffer + b->buffered, data, static_cast<std::size_t>(amount));
    b->buffered += amount;
    return SQLITE_OK;
  }
  if (const int rc = flush(b); rc != SQLITE_OK) return rc;
  if (amount > kBufferBytes) return real_methods(b)->xWrite(b->real, data, amount, offset);
  if (b->buffer == nullptr) {
    b->buffer = static_cast<char*>(sqlite3_malloc(kBufferBytes));
    if (b->buffer == nullptr) return real_methods(b)->xWrite(b->real, data, amount, offset);
  }
  std::memcpy(b->buffer, data, static_cast<std::size_t>(amount));
  b->buffer_start = offset;
  b->buffered = amount;
  return SQLITE_OK;
}

// The commit frame's page is the last write of a commit: the buffer goes to the file with it,
// before SQLite syncs (or, below synchronous=FULL, makes the commit visible in the -shm
// index), so what other connections can see, and what a crash leaves, is in the file. A commit
// frame's header that does not follow the buffer goes to the file at once: SQLite writes one
// so when it rewrites the checksums of frames it wrote twice in a transaction (each header
// after a read of its frame, no page after the last), and for a commit of one page.
int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  auto* b = batch(f);
  const bool follows = b->buffered > 0 && offset == b->buffer_start + b->buffered;
  const bool commit_header = commit_frame_header(data, amount);
  if (const int rc = append(b, data, amount, offset, follows); rc != SQLITE_OK) {
    b->commit_page_next = false;
    return rc;
  }
  if (b->commit_page_next) {
    b->commit_page_next = commit_header;
    return flush(b);
  }
  if (commit_header) {
    b->commit_page_next = true;
    if (!follows) return flush(b);
  }
  return SQLITE_OK;
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  auto* b = batch(f);
  if (const int rc = flush(b); rc != SQLITE_OK) return rc;
  return real_methods(b)->xTruncate(b->real, size);
}

int x_sync(sqlite3_file* f, int flags) {
  auto* b = batch(f);
  if (const int rc = flush(b); rc != SQLITE_OK) return rc;
  return real_methods(b)->xSync(b->real, flags);
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  auto* b = batch(f);
  if (const int rc = flush(b); rc != SQLITE_OK) return rc;
  return real_methods(b)->xFileSize(b->real, size);
}

int x_lock(sqlite3_file* f, int level) {
  auto* b = batch(f);
  return real_methods(b)->xLock(b->real, level);
}
int x_unlock(sqlite3_file* f, int level) {
  auto* b = batch(f);
  return real_methods(b)->xUnlock(b->real, level);
}
int x_check_reserved_lock(sqlite3_file* f, int* out) {
  auto* b = batch(f);
  return real_methods(b)->xCheckReservedLock(b->real, out);
}

int x_file_control(sqlite3_file* f, int op, void* arg) {
  auto* b = batch(f);
  if (const int rc = flush(b); rc != SQLITE_OK) return rc;
  return real_methods(b)->xFileControl(b->real, op, arg);
}

int x_sector_size(sqlite3_file* f) {
  auto* b = batch(f);
  return real_methods(b)->xSectorSize(b->real);
}
int x_device_characteristics(sqlite3_file* f) {
  auto* b = batch(f);
  return real_methods(b)->xDeviceCharacteristics(b->real);
}

// Version 1: SQLite asks for shared memory and memory maps of the database file only, never
// of its WAL.
const sqlite3_io_methods kBatchMethods = {
    1,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    nullptr,  // xShmMap and the rest: not in version 1
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

sqlite3_vfs* base_of(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

int x_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = base_of(vfs);
  // Not a WAL file: the base VFS's file in the same memory, with its own methods.
  if ((flags & SQLITE_OPEN_WAL) == 0) return base->xOpen(base, name, file, flags, out_flags);
  auto* b = batch(file);
  b->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  b->real->pMethods = nullptr;
  b->buffer = nullptr;
  b->buffer_start = 0;
  b->buffered = 0;
  b->commit_page_next = false;
  const int rc = base->xOpen(base, name, b->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (b->real->pMethods != nullptr) b->real->pMethods->xClose(b->real);
    file->pMethods = nullptr;
    return rc;
  }
  file->pMethods = &kBatchMethods;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return base_of(vfs)->xDelete(base_of(vfs), name, sync_dir);
}
int x_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return base_of(vfs)->xAccess(base_of(vfs), name, flags, out);
}
int x_full_pathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return base_of(vfs)->xFullPathname(base_of(vfs), name, n, out);
}
void* x_dl_open(sqlite3_vfs* vfs, const char* name) {
  return base_of(vfs)->xDlOpen(base_of(vfs), name);
}
void x_dl_error(sqlite3_vfs* vfs, int n, char* out) {
  base_of(vfs)->xDlError(base_of(vfs), n, out);
}
void (*x_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return base_of(vfs)->xDlSym(base_of(vfs), handle, symbol);
}
void x_dl_close(sqlite3_vfs* vfs, void* handle) {
  base_of(vfs)->xDlClose(base_of(vfs), handle);
}
int x_randomness(sqlite3_vfs* vfs, int n, char* out) {
  return base_of(vfs)->xRandomness(base_of(vfs), n, out);
}
int x_sleep(sqlite3_vfs* vfs, int us) {
  return base_of(vfs)->xSleep(base_of(vfs), us);
}
int x_current_time(sqlite3_vfs* vfs, double* out) {
  return base_of(vfs)->xCurrentTime(base_of(vfs), out);
}
int x_get_last_error(sqlite3_vfs* vfs, int n, char* out) {
  return base_of(vfs)->xGetLastError ? base_of(vfs)->xGetLastError(base_of(vfs), n, out) : 0;
}
int x_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return base_of(vfs)->xCurrentTimeInt64(base_of(vfs), out);
}

// One batching VFS per base, made once and never unregistered (SQLite keeps the pointer; map
// nodes do not move).
struct Entry {
  std::string name;
  sqlite3_vfs vfs{};
};
struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry> by_base;
};
Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

std::string wal_batch_vfs(const std::string& base_name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (auto it = r.by_base.find(base_name); it != r.by_base.end()) return it->second.name;
  sqlite3_vfs* base = sqlite3_vfs_find(base_name.empty() ? nullptr : base_name.c_str());
  if (base == nullptr) return {};
  Entry& e = r.by_base[base_name];
  e.name = "pos-wal-batch:" + std::string{base->zName};
  sqlite3_vfs& vfs = e.vfs;
  vfs.iVersion = base->iVersion >= 2 ? 2 : 1;
  vfs.szOsFile = static_cast<int>(kRealOffset) + base->szOsFile;
  vfs.mxPathname = base->mxPathname;
  vfs.zName = e.name.c_str();
  vfs.pAppData = base;
  vfs.xOpen = x_open;
  vfs.xDelete = x_delete;
  vfs.xAccess = x_access;
  vfs.xFullPathname = x_full_pathname;
  vfs.xDlOpen = base->xDlOpen ? x_dl_open : nullptr;
  vfs.xDlError = base->xDlError ? x_dl_error : nullptr;
  vfs.xDlSym = base->xDlSym ? x_dl_sym : nullptr;
  vfs.xDlClose = base->xDlClose ? x_dl_close : nullptr;
  vfs.xRandomness = x_randomness;
  vfs.xSleep = x_sleep;
  vfs.xCurrentTime = x_current_time;
  vfs.xGetLastError = x_get_last_error;
  if (vfs.iVersion >= 2 && base->xCurrentTimeInt64 != nullptr) {
    vfs.xCurrentTimeInt64 = x_current_time_int64;
  }
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
    r.by_base.erase(base_name);
    return {};
  }
  return e.name;
}

}  // namespace pos::sync
