#include "server/chat/sqlite.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace chorus::server::chat::sqlite {
namespace {

// `what` (may be empty) says which call failed; the caller names the file.
[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  std::string_view message = db ? sqlite3_errmsg(db) : "out of memory";
  throw error(what.empty() ? std::string(message) : fmt::format("{}: {}", what, message));
}

}  // namespace

database::database(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw error(message);
  }
}

database::~database() {
  sqlite3_close(db_);
}

void database::exec(const char* sql, std::string_view what) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_, what);
}

statement::statement(database& db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
      SQLITE_OK)
    fail(db.handle(), sql);
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

statement& statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_.handle(), "bind");
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) !=
      SQLITE_OK)
    fail(db_.handle(), "bind");
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = sqlite3_errmsg(db_.handle());
  sqlite3_reset(stmt_);
  throw error(fmt::format("step: {}", message));
}

std::int64_t statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string();
}

void statement::reset() {
  sqlite3_reset(stmt_);
}

}  // namespace chorus::server::chat::sqlite
