// The WAL's writes batched (sync/src/wal_batch_vfs.hpp): a commit reaches the file in one
// write; each commit is whole in the files once it returns, whatever PRAGMA synchronous says
// (other connections read it, a crash keeps it); frames that spill and are written again keep
// their order; a failed write fails the commit and loses nothing that was committed.
#include <pos/sync/db.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <string>

#include "../ledger/fault_vfs.hpp"
#include "temp_dir.hpp"

namespace pos::sync {
namespace {

using pos::test::FaultOp;
using pos::test::FaultVfs;
using pos::test::TempDir;

constexpr Migration kBlobs[] = {
    {"batch", 1, "blobs", "CREATE TABLE blob (id INTEGER PRIMARY KEY, b BLOB NOT NULL);"},
};

Database open_db(const std::filesystem::path& path, Synchronous sync, std::string vfs = {}) {
  DatabaseOptions o;
  o.path = path;
  o.synchronous = sync;
  o.vfs = std::move(vfs);
  o.wal_autocheckpoint_pages = 100000;  // the WAL only grows: each commit's frames are new
  auto db = Database::open(o, kBlobs);
  if (!db.ok()) throw std::runtime_error(db.error().message);
  return std::move(db).value();
}

// Rows of `bytes` bytes each, all different (randomblob), inserted in one transaction.
void insert(Database& db, int rows, int bytes) {
  auto tx = db.begin();
  ASSERT_TRUE(tx.ok());
  for (int i = 0; i < rows; ++i) {
    ASSERT_TRUE(db.statement("INSERT INTO blob (b) VALUES (randomblob(?))").bind(bytes).run().ok());
  }
  auto c = tx.value().commit();
  ASSERT_TRUE(c.ok()) << c.error().message;
}

// What a connection of its own (the platform's VFS, no batching) reads of the file.
struct Reader {
  sqlite3* db = nullptr;
  explicit Reader(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~Reader() { sqlite3_close(db); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  std::string one(const char* sql) {
    sqlite3_stmt* st = nullptr;
    std::string out = "(error)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "";
      } else {
        out = std::string("(") + sqlite3_errstr(rc) + ")";
      }
    }
    sqlite3_finalize(st);
    return out;
  }
};

// The frames in the WAL after the last commit (SQLite's WAL hook).
int wal_frames(Database& db) {
  static int frames = 0;
  sqlite3_wal_hook(
      db.handle(),
      [](void*, sqlite3*, const char*, int n) {
        frames = n;
        return SQLITE_OK;
      },
      nullptr);
  return frames;
}

TEST(WalBatch, ACommitReachesTheWalInOneWrite) {
  TempDir dir;
  // The test's fault VFS (passing writes through) counts what reaches the files; without a
  // checkpoint a commit writes to the WAL only.
  auto& counting = FaultVfs::instance();
  counting.reset();
  Database db = open_db(dir / "t.db", Synchronous::Full, FaultVfs::kName);
  (void)wal_frames(db);  // the hook set
  insert(db, 1, 10);     // the WAL exists, its header written
  int frames = wal_frames(db);
  // About 20 pages (a capture's commit): one write. Without batching: two a page.
  auto writes = counting.writes();
  insert(db, 20, 3000);
  const int small_frames = wal_frames(db) - frames;
  EXPECT_GE(small_frames, 20);
  EXPECT_EQ(counting.writes() - writes, 1) << small_frames << " frames";
  frames += small_frames;
  // About 60 pages (247 KB): as few writes as the 124 KB buffer allows.
  writes = counting.writes();
  insert(db, 60, 3000);
  const int big_frames = wal_frames(db) - frames;
  EXPECT_GE(big_frames, 60);
  const int bound = big_frames * (4096 + 24) / (124 * 1024) + 1;
  EXPECT_GE(counting.writes() - writes, 2);
  EXPECT_LE(counting.writes() - writes, bound) << big_frames << " frames";
}

// The database as a crash right now would leave it: its file and its WAL copied as they are
// (no -shm: SQLite rebuilds the index from the WAL, checking every frame's checksum).
std::string after_a_crash(const std::filesystem::path& path, const char* sql) {
  const auto copy = path.parent_path() / "crashed.db";
  std::filesystem::remove(copy.string() + "-shm");
  std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(path.string() + "-wal", copy.string() + "-wal",
                             std::filesystem::copy_options::overwrite_existing);
  Reader reader(copy);
  return reader.one(sql);
}

TEST(WalBatch, EachCommitIsWholeInTheFilesAtAnySynchronous) {
  for (const char* mode : {"FULL", "NORMAL", "OFF"}) {
    SCOPED_TRACE(mode);
    TempDir dir;
    const auto path = dir / "t.db";
    Database db =
        open_db(path, std::string{mode} == "FULL" ? Synchronous::Full : Synchronous::Normal);
    if (std::string{mode} == "OFF") {
      ASSERT_TRUE(db.exec("PRAGMA synchronous=OFF").ok());
    }
    Reader reader(path);
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    const char* kSums = "SELECT COUNT(*) || ' ' || SUM(length(b)) FROM blob";
    for (int commit = 0; commit < 40; ++commit) {
      if (commit % 8 == 7) {
        // A page cache of four pages: the transaction spills frames and writes some of them
        // again, so SQLite rewrites their checksums at the commit.
        ASSERT_TRUE(db.exec("PRAGMA cache_size=4").ok());
        auto tx = db.begin();
        ASSERT_TRUE(tx.ok());
        for (int i = 0; i < 60; ++i) {
          ASSERT_TRUE(db.statement("INSERT INTO blob (b) VALUES (zeroblob(900))").run().ok());
        }
        ASSERT_TRUE(
            db.exec("UPDATE blob SET b = randomblob(900) WHERE id > " + std::to_string(rows)).ok());
        ASSERT_TRUE(tx.value().commit().ok());
        ASSERT_TRUE(db.exec("PRAGMA cache_size=-2000").ok());
        rows += 60;
        bytes += 60 * 900;
      } else {
        const int n = 1 + commit % 7;
        const int size = 500 + 700 * (commit % 5);
        insert(db, n, size);
        rows += n;
        bytes += static_cast<std::int64_t>(n) * size;
      }
      const auto expected = std::to_string(rows) + " " + std::to_string(bytes);
      // No sync at all with OFF: the frames must be in the file before the commit is in -shm,
      // and a crash (not a power cut) must keep the commit, as SQLite alone would.
      EXPECT_EQ(reader.one(kSums), expected) << "after commit " << commit;
      EXPECT_EQ(after_a_crash(path, kSums), expected) << "after commit " << commit;
      if (commit % 10 == 9) {
        EXPECT_EQ(reader.one("PRAGMA quick_check"), "ok");
      }
    }
  }
}

TEST(WalBatch, SpilledFramesWrittenAgainKeepTheirOrder) {
  TempDir dir;
  const auto path = dir / "t.db";
  Database db = open_db(path, Synchronous::Full);
  // A page cache of a few pages: the transaction spills frames to the WAL, reads them back and
  // writes some of them again before it commits.
  ASSERT_TRUE(db.exec("PRAGMA cache_size=4").ok());
  auto tx = db.begin();
  ASSERT_TRUE(tx.ok());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(db.statement("INSERT INTO blob (b) VALUES (zeroblob(900))").run().ok());
  }
  // Every row again, now each of its own length: pages spilled above are written again.
  ASSERT_TRUE(db.exec("UPDATE blob SET b = randomblob(800 + id % 50)").ok());
  ASSERT_TRUE(tx.value().commit().ok());
  Reader reader(path);
  std::int64_t expected = 0;
  for (int id = 1; id <= 300; ++id) expected += 800 + id % 50;
  EXPECT_EQ(reader.one("SELECT COUNT(*) || ' ' || SUM(length(b)) FROM blob"),
            "300 " + std::to_string(expected));
  EXPECT_EQ(reader.one("PRAGMA integrity_check"), "ok");
  auto check = db.integrity_check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check.value(), "ok");
}

TEST(WalBatch, AFailedWriteFailsTheCommitAndLosesNothingCommitted) {
  TempDir dir;
  const auto path = dir / "t.db";
  auto& faults = FaultVfs::instance();
  faults.reset();
  {
    Database db = open_db(path, Synchronous::Full, FaultVfs::kName);
    insert(db, 5, 2000);
    auto tx = db.begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.statement("INSERT INTO blob (b) VALUES (randomblob(5000))").run().ok());
    faults.fail_nth(FaultOp::Write, 1);  // the commit's one write fails
    auto c = tx.value().commit();
    EXPECT_TRUE(faults.injected());
    faults.reset();
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, DbErrorCode::Io) << c.error().message;
  }
  // The row of the failed commit is not there; the five before it are, and the file is whole.
  Reader reader(path);
  EXPECT_EQ(reader.one("SELECT COUNT(*) || ' ' || SUM(length(b)) FROM blob"), "5 10000");
  EXPECT_EQ(reader.one("PRAGMA integrity_check"), "ok");
  Database again = open_db(path, Synchronous::Full);
  insert(again, 1, 100);
  EXPECT_EQ(reader.one("SELECT COUNT(*) FROM blob"), "6");
}

}  // namespace
}  // namespace pos::sync
