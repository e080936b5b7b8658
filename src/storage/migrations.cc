#include "storage/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace corvette::storage {

namespace {

// Frigate 0.8's migration 001 plus 002's columns, as one table definition.
constexpr const char* kCreateEventTable = R"sql(
CREATE TABLE IF NOT EXISTS "event" (
  "id" VARCHAR(30) NOT NULL PRIMARY KEY,
  "label" VARCHAR(20) NOT NULL,
  "camera" VARCHAR(20) NOT NULL,
  "start_time" DATETIME NOT NULL,
  "end_time" DATETIME NOT NULL,
  "top_score" REAL NOT NULL,
  "false_positive" INTEGER NOT NULL,
  "zones" JSON NOT NULL,
  "thumbnail" TEXT NOT NULL,
  "has_clip" INTEGER DEFAULT 1,
  "has_snapshot" INTEGER DEFAULT 1);
CREATE INDEX IF NOT EXISTS "event_label" ON "event" ("label");
CREATE INDEX IF NOT EXISTS "event_camera" ON "event" ("camera");
)sql";

constexpr const char* kApiIndexes = R"sql(
CREATE INDEX IF NOT EXISTS "event_start_time" ON "event" ("start_time" DESC, "id", "label", "camera",
  "end_time", "top_score", "false_positive", "zones", "has_clip", "has_snapshot");
CREATE INDEX IF NOT EXISTS "event_camera_start_time" ON "event" ("camera", "start_time");
CREATE INDEX IF NOT EXISTS "event_label_start_time" ON "event" ("label", "start_time");
CREATE INDEX IF NOT EXISTS "event_camera_label_start_time" ON "event" ("camera", "label",
  "start_time", "zones", "has_clip", "has_snapshot");
)sql";

void SetVersion(Database& db, int version) {
  db.Exec(fmt::format("PRAGMA user_version={}", version));
}

}  // namespace

int SchemaVersion(Database& db) {
  return static_cast<int>(db.QueryInt("PRAGMA user_version"));
}

void Migrate(Database& db) {
  int version = SchemaVersion(db);
  if (version > kSchemaVersion) {
    throw Error(fmt::format("sqlite: {} has schema version {}, newer than this program's {}",
                            db.path(), version, kSchemaVersion),
                SQLITE_ERROR);
  }
  if (version < 1) {
    Transaction tx(db);
    if (db.TableExists("event")) {
      spdlog::info("storage: adopting the Frigate 0.8 event table of {}", db.path());
      for (const char* column : {"has_clip", "has_snapshot"}) {
        if (!db.ColumnExists("event", column)) {
          db.Exec(fmt::format(R"(ALTER TABLE "event" ADD COLUMN "{}" INTEGER DEFAULT 1)", column));
        }
      }
      db.Exec(R"(CREATE INDEX IF NOT EXISTS "event_label" ON "event" ("label");
                 CREATE INDEX IF NOT EXISTS "event_camera" ON "event" ("camera");)");
    } else {
      db.Exec(kCreateEventTable);
    }
    SetVersion(db, 1);
    tx.Commit();
    version = 1;
  }
  if (version < 2) {
    Transaction tx(db);
    db.Exec(kApiIndexes);
    SetVersion(db, 2);
    tx.Commit();
    version = 2;
  }
  if (version < 3) {
    Transaction tx(db);
    db.Exec(R"sql(
ALTER TABLE "event" ADD COLUMN "in_progress" INTEGER NOT NULL DEFAULT 0;
DROP INDEX IF EXISTS "event_start_time";
CREATE INDEX "event_start_time" ON "event" ("start_time" DESC, "id", "label", "camera",
  "end_time", "top_score", "false_positive", "zones", "has_clip", "has_snapshot", "in_progress");
)sql");
    SetVersion(db, 3);
    tx.Commit();
    version = 3;
  }
  if (version < 4) {
    // corvette's recordings index (storage/recording_index.h): one row per file of the tree.
    Transaction tx(db);
    db.Exec(R"sql(
CREATE TABLE IF NOT EXISTS "recording" (
  "path" TEXT NOT NULL PRIMARY KEY,
  "camera" TEXT NOT NULL,
  "start_time" REAL NOT NULL,
  "end_time" REAL NOT NULL,
  "bytes" INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS "recording_camera_start_time" ON "recording" ("camera", "start_time",
  "end_time", "bytes");
CREATE INDEX IF NOT EXISTS "recording_start_time" ON "recording" ("start_time");
)sql");
    SetVersion(db, 4);
    tx.Commit();
    version = 4;
  }
}

}  // namespace corvette::storage
