#include "storage/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/migrations.h"
#include "test_dir.h"

namespace corvette::storage {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Indexes(Database& db) {
  std::vector<std::string> names;
  Statement s = db.Prepare(
      "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='event' AND sql IS NOT NULL "
      "ORDER BY name");
  while (s.Step())
    names.emplace_back(s.Text(0));
  return names;
}

std::vector<std::string> Columns(Database& db) {
  std::vector<std::string> names;
  Statement s = db.Prepare("SELECT name FROM pragma_table_info('event') ORDER BY cid");
  while (s.Step())
    names.emplace_back(s.Text(0));
  return names;
}

// Frigate 0.8's columns, then corvette's.
const std::vector<std::string> kEventColumns{
    "id",    "label",     "camera",   "start_time",   "end_time",   "top_score", "false_positive",
    "zones", "thumbnail", "has_clip", "has_snapshot", "in_progress"};

const std::vector<std::string> kAllIndexes{
    "event_camera", "event_camera_label_start_time", "event_camera_start_time",
    "event_label",  "event_label_start_time",        "event_start_time"};

// Frigate 0.8's database as peewee_migrate leaves it after migration 001 (and optionally 002).
void CreateFrigate08Database(const std::string& path, bool with_002) {
  Database db = Database::Open(path);
  db.Exec(R"sql(
    CREATE TABLE "migratehistory" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
                                   "migrated_at" DATETIME NOT NULL);
    CREATE TABLE IF NOT EXISTS "event" ("id" VARCHAR(30) NOT NULL PRIMARY KEY,
      "label" VARCHAR(20) NOT NULL, "camera" VARCHAR(20) NOT NULL, "start_time" DATETIME NOT NULL,
      "end_time" DATETIME NOT NULL, "top_score" REAL NOT NULL, "false_positive" INTEGER NOT NULL,
      "zones" JSON NOT NULL, "thumbnail" TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS "event_label" ON "event" ("label");
    CREATE INDEX IF NOT EXISTS "event_camera" ON "event" ("camera");
    INSERT INTO "migratehistory" ("name", "migrated_at") VALUES ('001_create_events_table', '2021-06-14 04:00:00');
    INSERT INTO "event" VALUES ('1623643750.569992-64ji22', 'person', 'front_door', 1623643750.569992,
      1623643757.837382, 0.70703125, 0, '["yard", "porch"]', 'aGVsbG8=');
  )sql");
  if (with_002) {
    db.Exec(R"sql(
      ALTER TABLE "event" ADD COLUMN "has_clip" INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE "event" ADD COLUMN "has_snapshot" INTEGER NOT NULL DEFAULT 1;
      UPDATE "event" SET has_snapshot = 0;
      INSERT INTO "migratehistory" ("name", "migrated_at") VALUES ('002_add_clip_snapshot', '2021-06-14 04:00:00');
    )sql");
  }
}

TEST(DatabaseTest, OpensInWalModeWithSettings) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("a.db"));
  Statement mode = db.Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.Step());
  EXPECT_EQ(mode.Text(0), "wal");
  EXPECT_EQ(db.QueryInt("PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(db.QueryInt("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(db.QueryInt("PRAGMA busy_timeout"), 5000);
}

TEST(DatabaseTest, ErrorsCarrySqlitesMessage) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("a.db"));
  try {
    db.Exec("SELECT * FROM no_such_table");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no such table: no_such_table"));
  }
  EXPECT_THROW(db.Prepare("SELEC 1"), Error);
  EXPECT_THROW(Database::Open(dir.File("missing/dir/a.db")), Error);
  EXPECT_THROW(Database::Open(dir.File("none.db"), OpenOptions{.read_only = true}), Error);
}

TEST(DatabaseTest, StatementsBindAndReadBack) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("a.db"));
  db.Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)");
  Statement insert = db.Prepare("INSERT INTO t VALUES (?, ?, ?, ?)");
  insert.Bind(1, std::int64_t{1} << 40).Bind(2, 1607123955.475377).Bind(3, "héllo").BindNull(4);
  insert.Run();
  Statement& select = db.Cached("SELECT i, d, s, n FROM t");
  ASSERT_TRUE(select.Step());
  EXPECT_EQ(select.Int64(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(select.Double(1), 1607123955.475377);
  EXPECT_EQ(select.Text(2), "héllo");
  EXPECT_TRUE(select.IsNull(3));
  EXPECT_FALSE(select.Step());
  // The cached statement comes back reset.
  Statement& again = db.Cached("SELECT i, d, s, n FROM t");
  EXPECT_EQ(&again, &select);
  EXPECT_TRUE(again.Step());
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("a.db"));
  db.Exec("CREATE TABLE t (i INTEGER)");
  {
    Transaction tx(db);
    db.Exec("INSERT INTO t VALUES (1)");
  }
  EXPECT_EQ(db.QueryInt("SELECT COUNT(*) FROM t"), 0);
  {
    Transaction tx(db);
    db.Exec("INSERT INTO t VALUES (1)");
    tx.Commit();
  }
  EXPECT_EQ(db.QueryInt("SELECT COUNT(*) FROM t"), 1);
}

TEST(DatabaseTest, ReadOnlyConnectionRefusesWrites) {
  testing::TestDir dir;
  Database writer = Database::Open(dir.File("a.db"));
  writer.Exec("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (7)");
  Database reader = Database::Open(dir.File("a.db"), OpenOptions{.read_only = true});
  EXPECT_EQ(reader.QueryInt("SELECT i FROM t"), 7);
  EXPECT_THROW(reader.Exec("INSERT INTO t VALUES (8)"), Error);
}

TEST(MigrationsTest, FreshFileGetsFrigatesTableAndTheApiIndexes) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("frigate.db"));
  Migrate(db);
  EXPECT_EQ(SchemaVersion(db), kSchemaVersion);
  EXPECT_EQ(Columns(db), kEventColumns);
  EXPECT_EQ(Indexes(db), kAllIndexes);
  // Running again is a no-op.
  Migrate(db);
  EXPECT_EQ(SchemaVersion(db), kSchemaVersion);
  // Column defaults as Frigate's 002: has_clip/has_snapshot default 1.
  db.Exec(R"(INSERT INTO "event" (id, label, camera, start_time, end_time, top_score,
             false_positive, zones, thumbnail) VALUES ('x', 'person', 'c', 1, 2, 0.5, 0, '[]', ''))");
  EXPECT_EQ(db.QueryInt("SELECT has_clip + has_snapshot FROM event"), 2);
  EXPECT_EQ(db.QueryInt("SELECT in_progress FROM event"), 0);  // a row 0.8 writes is ended
}

TEST(MigrationsTest, AdoptsAFrigate08Database) {
  for (bool with_002 : {true, false}) {
    SCOPED_TRACE(with_002 ? "after 001 and 002" : "after 001 only");
    testing::TestDir dir;
    CreateFrigate08Database(dir.File("frigate.db"), with_002);
    Database db = Database::Open(dir.File("frigate.db"));
    Migrate(db);
    EXPECT_EQ(SchemaVersion(db), kSchemaVersion);
    EXPECT_EQ(Columns(db), kEventColumns);
    EXPECT_EQ(Indexes(db), kAllIndexes);
    EXPECT_TRUE(db.TableExists("migratehistory"));  // Frigate's bookkeeping is kept
    Statement s = db.Prepare("SELECT id, zones, has_clip, has_snapshot FROM event");
    ASSERT_TRUE(s.Step());
    EXPECT_EQ(s.Text(0), "1623643750.569992-64ji22");
    EXPECT_EQ(s.Text(1), R"(["yard", "porch"])");
    EXPECT_EQ(s.Int64(2), 1);
    EXPECT_EQ(s.Int64(3), with_002 ? 0 : 1);
  }
}

TEST(MigrationsTest, RefusesANewerSchema) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("frigate.db"));
  db.Exec("PRAGMA user_version=99");
  try {
    Migrate(db);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 99"));
  }
}

TEST(MigrationsTest, IndexesServeTheApiQueries) {
  testing::TestDir dir;
  Database db = Database::Open(dir.File("frigate.db"));
  Migrate(db);
  auto plan = [&](const std::string& sql) {
    std::string text;
    Statement s = db.Prepare("EXPLAIN QUERY PLAN " + sql);
    while (s.Step())
      text += std::string(s.Text(3)) + "\n";
    return text;
  };
  const std::string newest = plan("SELECT * FROM event ORDER BY start_time DESC LIMIT 100");
  EXPECT_THAT(newest, HasSubstr("event_start_time"));
  EXPECT_THAT(newest, ::testing::Not(HasSubstr("TEMP B-TREE")));
  const std::string by_camera =
      plan("SELECT * FROM event WHERE camera = 'a' ORDER BY start_time DESC LIMIT 100");
  EXPECT_THAT(by_camera, HasSubstr("event_camera_start_time"));
  EXPECT_THAT(by_camera, ::testing::Not(HasSubstr("TEMP B-TREE")));
  const std::string both = plan(
      "SELECT * FROM event WHERE camera = 'a' AND label = 'b' ORDER BY start_time DESC LIMIT 100");
  EXPECT_THAT(both, HasSubstr("event_camera_label_start_time"));
  EXPECT_THAT(both, ::testing::Not(HasSubstr("TEMP B-TREE")));
  const std::string no_thumbnails = plan(
      "SELECT id, label, camera, start_time, end_time, top_score, false_positive, zones, '', "
      "has_clip, has_snapshot, in_progress FROM event ORDER BY start_time DESC LIMIT 100");
  EXPECT_THAT(no_thumbnails, HasSubstr("COVERING INDEX event_start_time"));
  const std::string summary = plan(
      "SELECT camera, label, start_time, zones FROM event WHERE has_clip = 1 ORDER BY camera, "
      "label, start_time");
  EXPECT_THAT(summary, ::testing::Not(HasSubstr("TEMP B-TREE")));
  EXPECT_THAT(summary, HasSubstr("COVERING INDEX event_camera_label_start_time"));
  const std::string by_label =
      plan("SELECT * FROM event WHERE label = 'b' ORDER BY start_time DESC LIMIT 100");
  EXPECT_THAT(by_label, HasSubstr("event_label_start_time"));
}

}  // namespace
}  // namespace corvette::storage
