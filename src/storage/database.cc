#include "storage/database.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace corvette::storage {

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::Fail(std::string_view what, int rc) const {
  const char* sql = stmt_ ? sqlite3_sql(stmt_) : "";
  throw Error(fmt::format("sqlite: {} failed: {} (SQL: {})", what, sqlite3_errmsg(db_), sql),
              sqlite3_extended_errcode(db_) ? sqlite3_extended_errcode(db_) : rc);
}

Statement& Statement::Bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK)
    Fail("bind", rc);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK)
    Fail("bind", rc);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
      rc != SQLITE_OK) {
    Fail("bind", rc);
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK)
    Fail("bind", rc);
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  Fail("step", rc);
}

void Statement::Run() {
  while (Step()) {
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!text)
    return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

Database Database::Open(const std::string& path, const OpenOptions& options) {
  // Readers open read-write too (a WAL reader may need to create the -shm index) and are made
  // query_only instead.
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only)
    flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    throw Error(fmt::format("sqlite: cannot open {}: {}", path, message), rc);
  }
  sqlite3_extended_result_codes(raw, 1);
  Database db(raw, path);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (!options.read_only) {
    Statement mode = db.Prepare("PRAGMA journal_mode=WAL");
    if (!mode.Step() || mode.Text(0) != "wal") {
      throw Error(fmt::format("sqlite: cannot switch {} to WAL mode", path), SQLITE_ERROR);
    }
  }
  db.Exec(
      fmt::format("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA mmap_size={}; PRAGMA "
                  "cache_size=-{};",
                  options.mmap_bytes, options.cache_kib));
  if (options.read_only)
    db.Exec("PRAGMA query_only=ON;");
  return db;
}

Database::Database(Database&& other) noexcept
    : db_(other.db_), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = other.db_;
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  Close();
}

void Database::Close() {
  cache_.clear();  // statements first
  if (db_) {
    if (sqlite3_close(db_) != SQLITE_OK) {
      spdlog::warn("sqlite: closing {}: {}", path_, sqlite3_errmsg(db_));
      sqlite3_close_v2(db_);
    }
    db_ = nullptr;
  }
}

void Database::Exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(fmt::format("sqlite: {} (SQL: {})", what, sql), sqlite3_extended_errcode(db_));
  }
}

Statement Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    throw Error(fmt::format("sqlite: prepare failed: {} (SQL: {})", sqlite3_errmsg(db_), sql), rc);
  }
  return Statement(db_, stmt);
}

Statement& Database::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(Prepare(sql))).first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

std::int64_t Database::QueryInt(std::string_view sql) {
  Statement s = Prepare(sql);
  return s.Step() ? s.Int64(0) : 0;
}

bool Database::TableExists(std::string_view table) {
  Statement s = Prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  s.Bind(1, table);
  return s.Step();
}

bool Database::ColumnExists(std::string_view table, std::string_view column) {
  Statement s = Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name=?");
  s.Bind(1, table).Bind(2, column);
  return s.Step();
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.Exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.Exec("ROLLBACK");
    } catch (const Error& e) {
      spdlog::warn("{}", e.what());
    }
  }
}

void Transaction::Commit() {
  db_.Exec("COMMIT");
  done_ = true;
}

}  // namespace corvette::storage
