// The database layer: file mode, pragmas, migrations (forward only, newer refused untouched),
// transactions, cached statements, errors as values, online backup.
#include <pos/sync/db.hpp>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace pos::sync {
namespace {

using pos::test::TempDir;

constexpr Migration kShopV1[] = {
    {"shop", 1, "till", "CREATE TABLE till (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"},
};
constexpr Migration kShopV3[] = {
    {"shop", 1, "till", "CREATE TABLE till (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"},
    {"shop", 2, "till note", "ALTER TABLE till ADD COLUMN note TEXT;"},
    {"shop", 3, "drawer", "CREATE TABLE drawer (id INTEGER PRIMARY KEY);"},
};

Database open_ok(const std::filesystem::path& path, std::span<const Migration> m,
                 Synchronous sync = Synchronous::Full) {
  DatabaseOptions o;
  o.path = path;
  o.synchronous = sync;
  auto db = Database::open(o, m);
  if (!db.ok()) throw std::runtime_error(db.error().message);
  return std::move(db).value();
}

std::int64_t scalar(Database& db, const std::string& sql) {
  std::int64_t v = -1;
  auto r = db.statement(sql).for_each([&](const Statement& row) { v = row.int64(0); });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return v;
}

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777U;
}

TEST(Database, NewFileIsOwnerOnlyWithWalAndDurablePragmas) {
  TempDir dir;
  const auto path = dir / "terminal.db";
  auto db = open_ok(path, kShopV1);
  ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES ('front')").run().ok());
  EXPECT_EQ(mode_of(path), 0600U);
  EXPECT_EQ(mode_of(path.string() + "-wal"), 0600U);
  EXPECT_EQ(mode_of(path.string() + "-shm"), 0600U);
  std::string mode;
  ASSERT_TRUE(db.statement("PRAGMA journal_mode")
                  .for_each([&](const Statement& r) { mode = r.text(0); })
                  .ok());
  EXPECT_EQ(mode, "wal");
  EXPECT_EQ(scalar(db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(db, "PRAGMA busy_timeout"), 5000);
  EXPECT_EQ(scalar(db, "PRAGMA secure_delete"), 1);
}

TEST(Database, ExistingFileWithLooseModeIsTightened) {
  TempDir dir;
  const auto path = dir / "terminal.db";
  { std::ofstream(path).flush(); }
  ::chmod(path.c_str(), 0644);
  auto db = open_ok(path, kShopV1);
  EXPECT_EQ(mode_of(path), 0600U);
}

TEST(Database, MigrationsRunOnceInOrderAndResumeLater) {
  TempDir dir;
  const auto path = dir / "t.db";
  {
    auto db = open_ok(path, kShopV1);
    ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES ('a')").run().ok());
  }
  {
    auto db = open_ok(path, kShopV1);  // again: nothing re-applied, data kept
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM till"), 1);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM schema_migration"), 1);
  }
  auto db = open_ok(path, kShopV3);
  auto v = db.schema_versions();
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v.value().size(), 1U);
  EXPECT_EQ(v.value()[0].component, "shop");
  EXPECT_EQ(v.value()[0].version, 3);
  EXPECT_TRUE(db.statement("UPDATE till SET note = 'x'").run().ok());
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM drawer"), 0);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), Database::kLayoutVersion);
}

TEST(Database, FailedMigrationLeavesTheEarlierVersionWhole) {
  TempDir dir;
  const auto path = dir / "t.db";
  constexpr Migration broken[] = {
      kShopV3[0],
      {"shop", 2, "half", "CREATE TABLE half (x); THIS IS NOT SQL;"},
  };
  DatabaseOptions o;
  o.path = path;
  auto r = Database::open(o, broken);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("migration shop v2"), std::string::npos) << r.error().message;
  auto db = open_ok(path, kShopV1);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'half'"), 0);
  EXPECT_EQ(scalar(db, "SELECT MAX(version) FROM schema_migration"), 1);
}

// A table rebuild (SQLite's 12 steps): a parent table dropped and made again while children
// refer to it. With foreign keys on, the DROP would refuse (or cascade); the runner turns them
// off outside the step's transaction, checks them inside it, and on again after.
constexpr Migration kParentV1[] = {
    {"shop", 1, "tills and sales",
     "CREATE TABLE till (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);"
     "CREATE TABLE sale (id INTEGER PRIMARY KEY, till_id INTEGER NOT NULL REFERENCES till (id));"},
};
constexpr std::string_view kRebuildTill =
    "CREATE TABLE till_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    "INSERT INTO till_new (id, name) SELECT id, name FROM till;"
    "DROP TABLE till;"
    "ALTER TABLE till_new RENAME TO till;";

TEST(Database, ATableRebuildRunsWithForeignKeysOffAndChecksThemBeforeItCommits) {
  TempDir dir;
  const auto path = dir / "t.db";
  {
    auto db = open_ok(path, kParentV1);
    ASSERT_TRUE(db.exec("INSERT INTO till (name) VALUES ('front'), ('back');"
                        "INSERT INTO sale (till_id) VALUES (1), (2), (2);")
                    .ok());
  }
  // Without the flag the DROP of a referenced table is refused: the step fails whole.
  {
    const Migration steps[] = {kParentV1[0], {"shop", 2, "rebuild", kRebuildTill}};
    DatabaseOptions o;
    o.path = path;
    auto r = Database::open(o, steps);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, DbErrorCode::Constraint) << r.error().message;
  }
  // A rebuild that loses a referenced row: foreign_key_check finds it, nothing is committed.
  {
    const std::string lossy = std::string{kRebuildTill} + "DELETE FROM till WHERE id = 2;";
    const Migration steps[] = {kParentV1[0], {"shop", 2, "lossy", lossy, nullptr, true}};
    DatabaseOptions o;
    o.path = path;
    auto r = Database::open(o, steps);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, DbErrorCode::Constraint);
    EXPECT_NE(r.error().message.find("2 rows break a foreign key"), std::string::npos)
        << r.error().message;
  }
  {
    auto db = open_ok(path, kParentV1);
    EXPECT_EQ(scalar(db, "SELECT MAX(version) FROM schema_migration"), 1);
    EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM till"), 2);
    EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
  }
  const Migration steps[] = {kParentV1[0], {"shop", 2, "rebuild", kRebuildTill, nullptr, true}};
  auto db = open_ok(path, steps);
  EXPECT_EQ(scalar(db, "SELECT MAX(version) FROM schema_migration"), 2);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM till"), 2);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM sale WHERE till_id = 2"), 2);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM sqlite_schema WHERE sql LIKE '%AUTOINCREMENT%'"), 0);
  // On again, and the children's references now name the rebuilt table.
  EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
  EXPECT_FALSE(db.exec("INSERT INTO sale (till_id) VALUES (99)").ok());
  EXPECT_FALSE(db.exec("DELETE FROM till WHERE id = 1").ok());
}

TEST(Database, NewerDatabaseIsRefusedAndLeftByteForByte) {
  TempDir dir;
  const auto path = dir / "t.db";
  { auto db = open_ok(path, kShopV3); }
  const auto before = file_bytes(path);
  ASSERT_FALSE(before.empty());
  DatabaseOptions o;
  o.path = path;
  auto r = Database::open(o, kShopV1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::NewerSchema);
  EXPECT_NE(r.error().message.find("newer version"), std::string::npos);
  EXPECT_NE(r.error().message.find("shop at version 3"), std::string::npos) << r.error().message;
  EXPECT_EQ(file_bytes(path), before);
}

TEST(Database, OtherPartsComponentsAreLeftAloneButANewerLayoutIsRefused) {
  TempDir dir;
  const auto path = dir / "t.db";
  constexpr Migration other[] = {{"loyalty", 1, "points", "CREATE TABLE points (x);"}};
  {
    std::vector<Migration> both(std::begin(kShopV1), std::end(kShopV1));
    both.push_back(other[0]);
    auto db = open_ok(path, both);
  }
  DatabaseOptions o;
  o.path = path;
  {
    auto r = Database::open(o, kShopV1);  // a connection of the "shop" part only
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(scalar(r.value(), "SELECT COUNT(*) FROM points"), 0);
  }
  constexpr Migration other_v2[] = {other[0], {"loyalty", 2, "more", "CREATE TABLE more (x);"}};
  { auto db = open_ok(path, other_v2); }
  std::vector<Migration> both_v1(std::begin(kShopV1), std::end(kShopV1));
  both_v1.push_back(other[0]);
  auto r = Database::open(o, both_v1);  // knows loyalty, but only up to v1
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::NewerSchema);

  const auto path2 = dir / "u.db";
  {
    auto db = open_ok(path2, kShopV1);
    ASSERT_TRUE(db.exec("PRAGMA user_version = 7").ok());
  }
  o.path = path2;
  auto r2 = Database::open(o, kShopV1);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, DbErrorCode::NewerSchema);
}

TEST(Database, AFileThatIsNotSqliteIsNamedSo) {
  TempDir dir;
  const auto path = dir / "t.db";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'x');
  }
  DatabaseOptions o;
  o.path = path;
  auto r = Database::open(o, kShopV1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::NotADatabase) << r.error().message;
  EXPECT_EQ(file_bytes(path), std::string(4096, 'x'));
}

TEST(Database, MissingDirectoryCannotOpen) {
  TempDir dir;
  DatabaseOptions o;
  o.path = dir / "no" / "such" / "t.db";
  auto r = Database::open(o, kShopV1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::CannotOpen);
}

TEST(Database, MigrationListsWithGapsAreProgrammingErrors) {
  TempDir dir;
  constexpr Migration gap[] = {kShopV3[0], kShopV3[2]};
  DatabaseOptions o;
  o.path = dir / "t.db";
  EXPECT_THROW((void)Database::open(o, gap), std::logic_error);
}

TEST(Database, TransactionCommitsOrRollsBackWhenDropped) {
  TempDir dir;
  auto db = open_ok(dir / "t.db", kShopV1);
  {
    auto tx = db.begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES (?)").bind("dropped").run().ok());
  }
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM till"), 0);
  {
    auto tx = db.begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES (?)").bind("kept").run().ok());
    ASSERT_TRUE(tx.value().commit().ok());
    EXPECT_FALSE(tx.value().commit().ok());  // over
  }
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM till"), 1);
}

TEST(Database, ConstraintViolationIsAValueNamingTheColumnNotTheValue) {
  TempDir dir;
  auto db = open_ok(dir / "t.db", kShopV1);
  ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES (?)").bind("secret-name").run().ok());
  auto r = db.statement("INSERT INTO till(name) VALUES (?)").bind("secret-name").run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::Constraint);
  EXPECT_NE(r.error().message.find("till.name"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("secret-name"), std::string::npos);
  // The cached statement is reset and usable again.
  EXPECT_TRUE(db.statement("INSERT INTO till(name) VALUES (?)").bind("other").run().ok());
}

TEST(Database, StatementsAreCachedBySqlAndBadSqlFailsWhenRun) {
  TempDir dir;
  auto db = open_ok(dir / "t.db", kShopV1);
  auto& a = db.statement("SELECT COUNT(*) FROM till");
  auto& b = db.statement("SELECT COUNT(*) FROM till");
  EXPECT_EQ(&a, &b);
  auto r = db.statement("SELEKT nothing").run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DbErrorCode::Other);
}

TEST(Database, ASecondWriterWaitsThenGetsBusyAsAValue) {
  TempDir dir;
  const auto path = dir / "t.db";
  auto first = open_ok(path, kShopV1);
  DatabaseOptions o;
  o.path = path;
  o.busy_timeout = std::chrono::milliseconds(50);
  auto second = Database::open(o, kShopV1);
  ASSERT_TRUE(second.ok());
  auto tx = first.begin();
  ASSERT_TRUE(tx.ok());
  auto blocked = second.value().begin();
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, DbErrorCode::Busy);
  ASSERT_TRUE(tx.value().commit().ok());
  EXPECT_TRUE(second.value().begin().ok());
}

TEST(Database, OnlineBackupIsACompleteOwnerOnlyCopy) {
  TempDir dir;
  auto db = open_ok(dir / "t.db", kShopV1);
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES (?)")
                    .bind("till-" + std::to_string(i))
                    .run()
                    .ok());
  }
  auto tx = db.begin();
  ASSERT_TRUE(db.statement("INSERT INTO till(name) VALUES ('last')").run().ok());
  ASSERT_TRUE(tx.value().commit().ok());
  const auto copy = dir / "backup.db";
  auto r = db.backup_to(copy);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(mode_of(copy), 0600U);
  EXPECT_FALSE(std::filesystem::exists(copy.string() + ".partial"));
  auto restored = open_ok(copy, kShopV1);
  EXPECT_EQ(scalar(restored, "SELECT COUNT(*) FROM till"), 501);
  auto ic = restored.integrity_check();
  ASSERT_TRUE(ic.ok());
  EXPECT_EQ(ic.value(), "ok");
  // Into a directory that does not exist: an error value, nothing left behind.
  auto bad = db.backup_to(dir / "missing" / "b.db");
  EXPECT_FALSE(bad.ok());
}

TEST(Database, IntegrityCheckReportsOk) {
  TempDir dir;
  auto db = open_ok(dir / "t.db", kShopV1);
  auto r = db.integrity_check();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "ok");
}

TEST(Database, ErrorCodeNamesAreStable) {
  EXPECT_EQ(to_string(DbErrorCode::DiskFull), "DISK_FULL");
  EXPECT_EQ(to_string(DbErrorCode::NewerSchema), "NEWER_SCHEMA");
  EXPECT_EQ(to_string(DbErrorCode::Io), "IO_ERROR");
}

}  // namespace
}  // namespace pos::sync
