// Internal: a SQLite VFS over another that hands a WAL file's writes to the kernel in one call
// a commit, instead of two pwrites a page (a frame's 24-byte header, then its page).
//
// A capture commits about 19 pages: 38 pwrites, about 40-50 us of system calls on the 2-core
// terminals, against 8-11 us for one pwrite of the same bytes (issue 14). Writes of a WAL file
// that follow each other are kept in a buffer of the file's own and written by one pwrite
// with the page of a commit's last frame (its header says so: the WAL file format), that is
// before SQLite syncs the WAL and before it makes the commit visible to other connections in
// the -shm index. So other connections only ever see frames that are in the file, whatever
// PRAGMA synchronous says. Anything else on the file (a read, a sync, a truncate, its size, a
// file control, the close) and a write that does not follow the buffer (SQLite rewriting a
// frame, the WAL restarting) write the buffer first: the file sees the writes in the order
// they were made. A failed write is reported by the call that wrote the buffer (the commit
// page's write, for a commit), and the transaction fails as it would have.
//
// Files other than WAL files are the base VFS's own (nothing in between).
#pragma once

#include <string>

namespace pos::sync {

// The name of the batching VFS over `base` (a registered VFS's name; empty: the platform's
// default), registered on first use. Empty when `base` is not registered (the caller's open
// then names `base` itself and fails as it would have).
std::string wal_batch_vfs(const std::string& base);

}  // namespace pos::sync
