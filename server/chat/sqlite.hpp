#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace chorus::server::chat::sqlite {

// A failed SQLite call, with the library's message.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One open database connection. Used by one thread at a time.
class database {
 public:
  explicit database(const std::string& path);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  // Runs one or more statements that return no rows of interest; errors name `what`.
  void exec(const char* sql, std::string_view what);
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement, reset after each use so it can be run again.
class statement {
 public:
  statement(database& db, const char* sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // Parameters are numbered from 1. Text is not copied: it must stay alive until the run ends.
  statement& bind(int index, std::int64_t value);
  statement& bind(int index, std::string_view text);
  // true while there is a row; false when done; throws on an error.
  bool step();
  // Columns are numbered from 0, valid until the next step() or reset().
  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  // Ends the current run; bind every parameter again before the next.
  void reset();

 private:
  database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace chorus::server::chat::sqlite
