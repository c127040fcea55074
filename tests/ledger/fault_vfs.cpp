// The power-cut / I/O-error VFS (see fault_vfs.hpp). A shim: every call not named here goes to
// the platform VFS unchanged (locks, shared memory for the WAL index, time, randomness).
#include "fault_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <vector>

namespace pos::test {

namespace {

struct HeldOp {
  bool truncate = false;
  sqlite3_int64 offset = 0;  // write offset, or the truncated size
  std::vector<unsigned char> data;
};

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
  std::vector<HeldOp>* held;  // writes waiting for a sync (PowerCut mode)
  std::uint64_t generation;
};

sqlite3_vfs* g_root = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

FaultVfs& state() {
  return FaultVfs::instance();
}
FaultFile* ff(sqlite3_file* f) {
  return reinterpret_cast<FaultFile*>(f);
}

// A cut drops what every open file was holding.
void drop_if_cut(FaultFile* f) {
  if (f->generation != state().generation_) {
    f->held->clear();
    f->generation = state().generation_;
  }
}

// Counts a write or sync; true when the power goes at this one.
bool count_op_and_maybe_cut() {
  auto& s = state();
  ++s.ops_;
  if (s.cut_at_op_ != 0 && s.ops_ >= s.cut_at_op_) {
    s.cut();
    return true;
  }
  return false;
}

int real_size(FaultFile* f, sqlite3_int64* size) {
  return f->real->pMethods->xFileSize(f->real, size);
}

sqlite3_int64 logical_size(FaultFile* f, sqlite3_int64 real) {
  sqlite3_int64 size = real;
  for (const auto& op : *f->held) {
    if (op.truncate) {
      size = op.offset;
    } else {
      size = std::max<sqlite3_int64>(size, op.offset + static_cast<sqlite3_int64>(op.data.size()));
    }
  }
  return size;
}

int apply_held(FaultFile* f) {
  for (const auto& op : *f->held) {
    const int rc = op.truncate
                       ? f->real->pMethods->xTruncate(f->real, op.offset)
                       : f->real->pMethods->xWrite(f->real, op.data.data(),
                                                   static_cast<int>(op.data.size()), op.offset);
    if (rc != SQLITE_OK) return rc;
  }
  f->held->clear();
  return SQLITE_OK;
}

int x_close(sqlite3_file* file) {
  auto* f = ff(file);
  drop_if_cut(f);
  // Closed without a sync and without a cut: the OS would write it back eventually.
  if (!state().is_cut()) apply_held(f);
  const int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  delete f->held;
  f->held = nullptr;
  return rc;
}

int x_read(sqlite3_file* file, void* buf, int amt, sqlite3_int64 off) {
  auto* f = ff(file);
  drop_if_cut(f);
  if (state().is_cut()) return SQLITE_IOERR_READ;
  int rc = f->real->pMethods->xRead(f->real, buf, amt, off);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  if (f->held->empty()) return rc;
  sqlite3_int64 real = 0;
  if (int s = real_size(f, &real); s != SQLITE_OK) return s;
  auto* out = static_cast<unsigned char*>(buf);
  if (rc == SQLITE_IOERR_SHORT_READ) {  // SQLite zero-fills; keep it explicit
    const sqlite3_int64 have = std::max<sqlite3_int64>(0, std::min<sqlite3_int64>(amt, real - off));
    std::memset(out + have, 0, static_cast<std::size_t>(amt - have));
  }
  sqlite3_int64 size = real;
  for (const auto& op : *f->held) {
    if (op.truncate) {
      size = op.offset;
      if (size < off + amt) {
        const sqlite3_int64 from = std::max<sqlite3_int64>(size, off);
        std::memset(out + (from - off), 0, static_cast<std::size_t>(off + amt - from));
      }
      continue;
    }
    const sqlite3_int64 end = op.offset + static_cast<sqlite3_int64>(op.data.size());
    size = std::max(size, end);
    const sqlite3_int64 lo = std::max(off, op.offset);
    const sqlite3_int64 hi = std::min(off + amt, end);
    if (lo < hi) {
      std::memcpy(out + (lo - off), op.data.data() + (lo - op.offset),
                  static_cast<std::size_t>(hi - lo));
    }
  }
  return off + amt <= size ? SQLITE_OK : SQLITE_IOERR_SHORT_READ;
}

int x_write(sqlite3_file* file, const void* buf, int amt, sqlite3_int64 off) {
  auto* f = ff(file);
  drop_if_cut(f);
  auto& s = state();
  if (s.is_cut()) return SQLITE_IOERR_WRITE;
  ++s.writes_;
  if (s.fail_at_ != 0 && s.fail_op_ == FaultOp::Write && s.writes_ == s.fail_at_) {
    s.injected_ = true;
    return SQLITE_IOERR_WRITE;
  }
  if (count_op_and_maybe_cut()) return SQLITE_IOERR_WRITE;
  if (s.mode_ == FaultMode::PassThrough) return f->real->pMethods->xWrite(f->real, buf, amt, off);
  const auto* p = static_cast<const unsigned char*>(buf);
  f->held->push_back(HeldOp{false, off, std::vector<unsigned char>(p, p + amt)});
  return SQLITE_OK;
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  auto* f = ff(file);
  drop_if_cut(f);
  if (state().is_cut()) return SQLITE_IOERR_TRUNCATE;
  if (state().mode_ == FaultMode::PassThrough) return f->real->pMethods->xTruncate(f->real, size);
  f->held->push_back(HeldOp{true, size, {}});
  return SQLITE_OK;
}

int x_sync(sqlite3_file* file, int flags) {
  auto* f = ff(file);
  drop_if_cut(f);
  auto& s = state();
  if (s.is_cut()) return SQLITE_IOERR_FSYNC;
  ++s.syncs_;
  if (s.fail_at_ != 0 && s.fail_op_ == FaultOp::Sync && s.syncs_ == s.fail_at_) {
    s.injected_ = true;
    return SQLITE_IOERR_FSYNC;
  }
  if (count_op_and_maybe_cut()) return SQLITE_IOERR_FSYNC;
  if (s.mode_ == FaultMode::PassThrough) return f->real->pMethods->xSync(f->real, flags);
  // The held writes become durable; the simulated disk needs no real fsync.
  return apply_held(f);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  auto* f = ff(file);
  drop_if_cut(f);
  if (state().is_cut()) return SQLITE_IOERR_FSTAT;
  sqlite3_int64 real = 0;
  const int rc = real_size(f, &real);
  if (rc != SQLITE_OK) return rc;
  *size = logical_size(f, real);
  return SQLITE_OK;
}

int x_lock(sqlite3_file* f, int l) {
  return ff(f)->real->pMethods->xLock(ff(f)->real, l);
}
int x_unlock(sqlite3_file* f, int l) {
  return ff(f)->real->pMethods->xUnlock(ff(f)->real, l);
}
int x_check_reserved(sqlite3_file* f, int* out) {
  return ff(f)->real->pMethods->xCheckReservedLock(ff(f)->real, out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return ff(f)->real->pMethods->xFileControl(ff(f)->real, op, arg);
}
int x_sector_size(sqlite3_file* f) {
  return ff(f)->real->pMethods->xSectorSize(ff(f)->real);
}
int x_device(sqlite3_file* f) {
  // No atomic-write or safe-append promises: SQLite must not rely on what the shim drops.
  return ff(f)->real->pMethods->xDeviceCharacteristics(ff(f)->real) &
         SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}
int x_shm_map(sqlite3_file* f, int pg, int sz, int extend, void volatile** pp) {
  return ff(f)->real->pMethods->xShmMap(ff(f)->real, pg, sz, extend, pp);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return ff(f)->real->pMethods->xShmLock(ff(f)->real, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
  ff(f)->real->pMethods->xShmBarrier(ff(f)->real);
}
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  // After a cut the shared-memory file stays; the next opener rebuilds it from the WAL.
  return ff(f)->real->pMethods->xShmUnmap(ff(f)->real, state().is_cut() ? 0 : delete_flag);
}
int x_fetch(sqlite3_file*, sqlite3_int64, int, void** pp) {
  *pp = nullptr;  // no memory-mapped reads: they would bypass the held writes
  return SQLITE_OK;
}
int x_unfetch(sqlite3_file*, sqlite3_int64, void*) {
  return SQLITE_OK;
}

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = ff(file);
  f->base.pMethods = nullptr;
  if (state().is_cut()) return SQLITE_CANTOPEN;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  std::memset(f->real, 0, static_cast<std::size_t>(g_root->szOsFile));
  const int rc = g_root->xOpen(g_root, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return rc;
  }
  f->held = new std::vector<HeldOp>();
  f->generation = state().generation_;
  f->base.pMethods = &g_methods;
  return SQLITE_OK;
}

int v_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (state().is_cut()) return SQLITE_IOERR_DELETE;
  return g_root->xDelete(g_root, name, sync_dir);
}

}  // namespace

FaultVfs& FaultVfs::instance() {
  static FaultVfs* vfs = [] {
    auto* s = new FaultVfs();
    g_root = sqlite3_vfs_find(nullptr);
    if (g_root == nullptr) throw std::runtime_error("no default VFS");
    g_vfs = *g_root;
    g_vfs.zName = kName;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_root->szOsFile;
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.pNext = nullptr;
    g_methods = sqlite3_io_methods{3,           x_close,          x_read,         x_write,
                                   x_truncate,  x_sync,           x_file_size,    x_lock,
                                   x_unlock,    x_check_reserved, x_file_control, x_sector_size,
                                   x_device,    x_shm_map,        x_shm_lock,     x_shm_barrier,
                                   x_shm_unmap, x_fetch,          x_unfetch};
    sqlite3_vfs_register(&g_vfs, 0);
    return s;
  }();
  return *vfs;
}

void FaultVfs::reset() {
  mode_ = FaultMode::PassThrough;
  cut_ = false;
  cut_at_op_ = 0;
  ops_ = 0;
  writes_ = 0;
  syncs_ = 0;
  fail_at_ = 0;
  injected_ = false;
}

void FaultVfs::arm_cut_after(std::int64_t ops) {
  cut_at_op_ = ops_ + ops;
}

void FaultVfs::cut() {
  cut_ = true;
  cut_at_op_ = 0;
  ++generation_;
}

void FaultVfs::fail_nth(FaultOp op, std::int64_t n) {
  fail_op_ = op;
  injected_ = false;
  fail_at_ = (op == FaultOp::Write ? writes_ : syncs_) + n;
}

}  // namespace pos::test
