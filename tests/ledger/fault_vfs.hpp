// Test support: a SQLite VFS over the platform's that cuts the power or fails chosen I/O.
//
// Power cut (as SQLite's own crash tests do, test6.c): every write and truncate is held in
// memory until the file is synced; reads see them. cut() (or an armed cut at the N-th write or
// sync) drops everything not yet synced, in every file, and makes all further I/O fail, so
// nothing more reaches the disk; the test then closes the connection and reopens the files with
// the ordinary VFS, which sees exactly what a machine would see after the power came back.
// Not modelled: torn sector writes, and file creation or deletion being lost (SQLite syncs the
// directory for those).
//
// Error injection: fail_nth(Write|Sync, n) makes the n-th write (or sync) from now fail once
// with SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC and leave the file as it was.
//
// One process-wide instance, registered as "pos-fault" (not the default VFS). Not thread-safe:
// the tests use one connection on one thread.
#pragma once

#include <cstdint>

namespace pos::test {

enum class FaultMode {
  PassThrough,  // writes go straight to the file (counting, error injection)
  PowerCut,     // writes wait in memory for a sync
};

enum class FaultOp { Write, Sync };

class FaultVfs {
 public:
  static constexpr const char* kName = "pos-fault";
  // Registers the VFS on first use.
  static FaultVfs& instance();

  // Back to a clean state: pass-through, nothing armed, not cut, counters zero.
  void reset();
  void set_mode(FaultMode mode) { mode_ = mode; }

  void arm_cut_after(std::int64_t ops);  // cut at the ops-th write or sync from now (1 = next)
  void cut();                            // the power goes now
  [[nodiscard]] bool is_cut() const { return cut_; }

  void fail_nth(FaultOp op, std::int64_t n);
  [[nodiscard]] bool injected() const { return injected_; }

  [[nodiscard]] std::int64_t writes() const { return writes_; }
  [[nodiscard]] std::int64_t syncs() const { return syncs_; }

  // Used by the VFS callbacks (fault_vfs.cpp).
  FaultMode mode_ = FaultMode::PassThrough;
  bool cut_ = false;
  std::int64_t cut_at_op_ = 0;  // 0 = not armed; else the op count that cuts
  std::int64_t ops_ = 0;        // writes + syncs so far
  std::int64_t writes_ = 0;
  std::int64_t syncs_ = 0;
  FaultOp fail_op_ = FaultOp::Write;
  std::int64_t fail_at_ = 0;  // 0 = not armed; else the writes_ / syncs_ count that fails
  bool injected_ = false;
  std::uint64_t generation_ = 0;  // bumped by cut(): open files drop their held writes

 private:
  FaultVfs() = default;
};

}  // namespace pos::test
