#pragma once

#include "storage/database.h"

namespace corvette::storage {

// Schema versions, kept in PRAGMA user_version:
//   1  Frigate 0.8's `event` table, column for column (and its event_label, event_camera indexes);
//   2  indexes for /api/events and the summary: start_time (covering every column but the
//      thumbnail, so include_thumbnails=0 never reads the large rows), (camera, start_time),
//      (label, start_time), (camera, label, start_time) (covering the summary's columns);
//   3  `in_progress` (0/1, default 0): 1 while the event's object is still tracked; the
//      start_time index covers it too. Frigate 0.8 ignores the extra column.
// A Frigate 0.8 database (user_version 0 with an `event` table, normally with peewee's
// `migratehistory`) is adopted as version 1: has_clip/has_snapshot are added if it stops at
// Frigate's migration 001, and nothing of Frigate's is dropped, so Frigate 0.8 can still read it.
inline constexpr int kSchemaVersion = 4;

// Brings the database to kSchemaVersion, each step in its own transaction. Throws Error, also when
// the file's version is newer than this program knows.
void Migrate(Database& db);

// PRAGMA user_version.
int SchemaVersion(Database& db);

}  // namespace corvette::storage
