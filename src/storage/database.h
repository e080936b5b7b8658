#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace corvette::storage {

// A failed SQLite call; what() carries the operation and SQLite's own message.
class Error : public std::runtime_error {
 public:
  Error(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  // The SQLite result code (extended), e.g. SQLITE_BUSY.
  int code() const { return code_; }

 private:
  int code_;
};

// A prepared statement. Move-only; belongs to the Database that prepared it and must not outlive
// it. Parameter indexes start at 1, column indexes at 0 (as SQLite).
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value);
  // The text is copied (SQLITE_TRANSIENT).
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNull(int index);

  // Steps once: true when a row is available, false when done. Throws Error on failure.
  bool Step();
  // Runs to completion, ignoring rows.
  void Run();
  // Resets for re-execution and clears the bindings.
  void Reset();

  std::int64_t Int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  // Valid until the next Step/Reset.
  std::string_view Text(int column) const;
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int ColumnCount() const { return sqlite3_column_count(stmt_); }

  sqlite3_stmt* handle() const { return stmt_; }

 private:
  [[noreturn]] void Fail(std::string_view what, int rc) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a (cached) statement when the scope ends, so a reader does not keep its read transaction
// (and the WAL) open after a query, also when the query throws.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& statement) : statement_(statement) {}
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;
  ~ScopedReset() { sqlite3_reset(statement_.handle()); }

 private:
  Statement& statement_;
};

struct OpenOptions {
  bool read_only = false;  // readers: PRAGMA query_only, no WAL switch, never creates the file
  bool create = true;      // create the file if missing
  int busy_timeout_ms = 5000;
  // Memory-map up to this many bytes of the file (PRAGMA mmap_size): reads of large rows (base64
  // thumbnails) then copy from the page cache without a system call per page. 0 = off.
  std::int64_t mmap_bytes = 256 << 20;
  // Page cache per connection, KiB (PRAGMA cache_size=-N).
  int cache_kib = 8192;
};

// One SQLite connection in WAL mode with busy_timeout, synchronous=NORMAL (a committed transaction
// survives a crash of the process; the last ones may be lost on power loss) and foreign keys on.
// Move-only. A connection is used by one thread at a time.
class Database {
 public:
  // Throws Error when the file cannot be opened or configured.
  static Database Open(const std::string& path, const OpenOptions& options = {});

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements; throws Error.
  void Exec(std::string_view sql);
  // A new statement; throws Error with the SQL's error.
  Statement Prepare(std::string_view sql);
  // A statement prepared once per connection and kept; returned reset with no bindings. The
  // reference stays valid while this Database lives; do not use it from two places at once.
  Statement& Cached(const std::string& sql);

  // The first column of the first row as an integer (e.g. a PRAGMA); 0 when there is no row.
  std::int64_t QueryInt(std::string_view sql);
  bool TableExists(std::string_view table);
  bool ColumnExists(std::string_view table, std::string_view column);

  int Changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Close();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without Commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void Commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace corvette::storage
