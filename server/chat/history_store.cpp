#include "server/chat/history_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>

#include "server/chat/sqlite.hpp"

namespace chorus::server::chat {
namespace {

// WAL with synchronous=NORMAL: a commit survives a crash of the process (not necessarily of the
// machine) and does not wait for fsync. EXCLUSIVE locking: ids are handed out in memory, so one
// process owns the file; a second chorus on the same file fails at start-up.
constexpr const char* setup_sql = R"(
  PRAGMA locking_mode = EXCLUSIVE;
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    room TEXT NOT NULL,
    username TEXT NOT NULL,
    message TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    unix_ms INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room, id);
  BEGIN EXCLUSIVE;
  COMMIT;
)";

std::int64_t unix_ms_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Runs a callback from the writer thread; one that throws must not end the writer.
template <class Callback, class... Args>
void run_callback(const Callback& callback, Args&&... args) {
  if (!callback) return;
  try {
    callback(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    spdlog::error("chat history callback threw: {}", e.what());
  }
}

}  // namespace

// The connection and its prepared statements; the schema exists before they are prepared.
struct history_store::sql {
  struct setup {
    explicit setup(sqlite::database& db) {
      sqlite3_busy_timeout(db.handle(), 2000);
      db.exec(setup_sql, {});  // "file is not a database" says enough
    }
  };

  explicit sql(const std::string& path) : db(path), ready(db) {}

  sqlite::database db;
  setup ready;
  sqlite::statement begin{db, "BEGIN"};
  sqlite::statement commit{db, "COMMIT"};
  sqlite::statement insert{db,
                           "INSERT INTO messages (id, room, username, message, timestamp, unix_ms)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};
  sqlite::statement recent{db,
                           "SELECT id, username, message, timestamp, unix_ms FROM messages"
                           " WHERE room = ?1 ORDER BY id DESC LIMIT ?2"};
  sqlite::statement last_id{db, "SELECT COALESCE(MAX(id), 0) FROM messages"};
  sqlite::statement recent_rooms{db,
                                 "SELECT room FROM messages GROUP BY room"
                                 " ORDER BY MAX(id) DESC LIMIT ?1"};
  // Every row of room ?1 older than its newest ?2 (none while it has ?2 or fewer).
  sqlite::statement prune{db,
                          "DELETE FROM messages WHERE room = ?1 AND id <= (SELECT id FROM messages"
                          " WHERE room = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)"};
};

history_store::history_store(history_options options) : options_(std::move(options)) {
  options_.per_room = std::max<std::size_t>(options_.per_room, 1);
  options_.max_cached_rooms = std::max<std::size_t>(options_.max_cached_rooms, 1);
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  try {
    open_database();
    preload();
  } catch (const sqlite::error& e) {  // at start-up, in the words of the one who chose the file
    throw sqlite::error(fmt::format("{}: {}", options_.path, e.what()));
  }
  if (options_.start_writer) start();
}

history_store::~history_store() {
  close();
}

void history_store::open_database() {
  sql_ = std::make_unique<sql>(options_.path);
  sql_->last_id.step();
  next_id_ = sql_->last_id.column_int(0) + 1;
  sql_->last_id.reset();
}

// The most recently used rooms, so that joins after a restart are answered from memory.
void history_store::preload() {
  std::vector<std::string> rooms;
  auto& query = sql_->recent_rooms;
  query.bind(1, static_cast<std::int64_t>(options_.max_cached_rooms));
  while (query.step()) rooms.push_back(query.column_text(0));
  query.reset();
  // Least recent first: each install becomes the most recently used.
  for (auto it = rooms.rbegin(); it != rooms.rend(); ++it) {
    auto messages = select_recent(*it);
    std::lock_guard lock(mutex_);
    install(*it, std::move(messages));
  }
}

void history_store::start() {
  std::lock_guard lock(mutex_);
  if (writer_.joinable() || stopping_) return;
  writer_ = std::thread([this] { run(); });
}

void history_store::close() {
  std::call_once(closed_, [this] {
    {
      std::lock_guard lock(mutex_);
      accepting_ = false;
      stopping_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable())
      writer_.join();
    else
      run();  // never started: drain here, so every accepted message is still stored
    sql_.reset();
  });
}

std::optional<std::int64_t> history_store::append(std::string_view room, std::string_view username,
                                                  std::string_view message,
                                                  std::string_view timestamp,
                                                  stored_callback on_stored) {
  auto row = std::make_shared<stored_message>(
      stored_message{0, std::string(room), std::string(username), std::string(message),
                     std::string(timestamp), unix_ms_now()});
  std::unique_lock lock(mutex_);
  if (!accepting_ || queue_.size() >= options_.max_queue) return std::nullopt;
  row->id = next_id_++;
  bool was_empty = queue_.empty();
  queue_.push_back(job{row, std::move(on_stored), {}, false});
  if (room_cache* cache = touch(room)) push_cached(*cache, row);
  lock.unlock();
  // The writer waits only on an empty queue; otherwise it looks again after its batch.
  if (was_empty) wake_.notify_one();
  return row->id;
}

history_store::recent_result history_store::recent(std::string_view room,
                                                   loaded_callback on_loaded) {
  std::unique_lock lock(mutex_);
  if (room_cache* cache = touch(room))
    return {lookup::cached,
            std::vector<message_ptr>(cache->messages.begin(), cache->messages.end())};
  if (!accepting_ || queue_.size() >= options_.max_queue) return {lookup::busy, {}};
  auto request = std::make_shared<stored_message>();
  request->room = std::string(room);
  bool was_empty = queue_.empty();
  queue_.push_back(job{std::move(request), {}, std::move(on_loaded), true});
  lock.unlock();
  if (was_empty) wake_.notify_one();
  return {lookup::loading, {}};
}

std::size_t history_store::cached_rooms() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

void history_store::run() {
  std::vector<job> batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and everything is written
    if (queue_.front().is_load) {
      job request = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      load(request);
      request = {};  // its callback's captures go outside the lock
      lock.lock();
      continue;
    }
    // Consecutive writes up to a batch; a load waits for the writes queued before it.
    while (!queue_.empty() && !queue_.front().is_load && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    write_batch(batch);
    batch.clear();
    lock.lock();
  }
}

void history_store::write_batch(std::vector<job>& batch) {
  bool committed = false;
  try {
    sql_->begin.step();
    sql_->begin.reset();
    auto& insert = sql_->insert;
    for (const job& write : batch) {
      const stored_message& row = *write.row;
      insert.bind(1, row.id)
          .bind(2, row.room)
          .bind(3, row.username)
          .bind(4, row.message)
          .bind(5, row.timestamp)
          .bind(6, row.unix_ms);
      insert.step();
      insert.reset();
    }
    if (options_.path == ":memory:") prune_rooms(batch);
    sql_->commit.step();
    sql_->commit.reset();
    committed = true;
    transactions_.fetch_add(1, std::memory_order_relaxed);
  } catch (const sqlite::error& e) {
    spdlog::error("chat history: {} messages not stored: {}", batch.size(), e.what());
    if (!sqlite3_get_autocommit(sql_->db.handle())) {
      try {
        sql_->db.exec("ROLLBACK", "rollback");
      } catch (const sqlite::error& rollback) {
        spdlog::error("chat history: {}", rollback.what());
      }
    }
    // The cache showed these rows: forget those rooms, so the next join reads what is stored.
    std::lock_guard lock(mutex_);
    for (const job& write : batch) {
      auto it = index_.find(write.row->room);
      if (it == index_.end()) continue;
      lru_.erase(it->second);
      index_.erase(it);
    }
  }
  for (const job& write : batch) run_callback(write.stored, write.row->id, committed);
}

// A :memory: database survives no restart and only a room's newest per_room rows are ever read
// back, so older ones would only grow the process (by every message ever sent): drop them.
void history_store::prune_rooms(const std::vector<job>& batch) {
  std::vector<std::string_view> rooms;
  for (const job& write : batch)
    if (std::find(rooms.begin(), rooms.end(), write.row->room) == rooms.end())
      rooms.push_back(write.row->room);
  auto& prune = sql_->prune;
  for (std::string_view room : rooms) {
    prune.bind(1, room).bind(2, static_cast<std::int64_t>(options_.per_room));
    prune.step();
    prune.reset();
    pruned_.fetch_add(static_cast<std::uint64_t>(sqlite3_changes(sql_->db.handle())),
                      std::memory_order_relaxed);
  }
}

void history_store::load(job& request) {
  const std::string& room = request.row->room;
  std::vector<message_ptr> snapshot;
  bool cached = false;
  {
    std::lock_guard lock(mutex_);
    if (room_cache* cache = touch(room)) {
      cached = true;  // an earlier request loaded it
      snapshot.assign(cache->messages.begin(), cache->messages.end());
    }
  }
  if (!cached) {
    std::vector<message_ptr> stored;
    try {
      stored = select_recent(room);
    } catch (const sqlite::error& e) {
      spdlog::error("chat history: cannot load room: {}", e.what());
      run_callback(request.loaded, std::nullopt);
      return;
    }
    // Writes queued behind this load are newer than anything stored: add them.
    std::lock_guard lock(mutex_);
    for (const job& queued : queue_)
      if (!queued.is_load && queued.row->room == room) stored.push_back(queued.row);
    if (stored.size() > options_.per_room)
      stored.erase(stored.begin(), stored.end() - static_cast<std::ptrdiff_t>(options_.per_room));
    room_cache& cache = install(room, std::move(stored));
    snapshot.assign(cache.messages.begin(), cache.messages.end());
  }
  run_callback(request.loaded, std::move(snapshot));
}

std::vector<message_ptr> history_store::select_recent(const std::string& room) {
  std::vector<message_ptr> rows;
  auto& query = sql_->recent;
  query.bind(1, room).bind(2, static_cast<std::int64_t>(options_.per_room));
  try {
    while (query.step()) {
      rows.push_back(std::make_shared<stored_message>(
          stored_message{query.column_int(0), room, query.column_text(1), query.column_text(2),
                         query.column_text(3), query.column_int(4)}));
    }
  } catch (...) {
    query.reset();
    throw;
  }
  query.reset();
  std::reverse(rows.begin(), rows.end());  // newest first from the index; oldest first here
  return rows;
}

history_store::room_cache* history_store::touch(std::string_view room) {
  auto it = index_.find(room);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &*it->second;
}

history_store::room_cache& history_store::install(const std::string& room,
                                                  std::vector<message_ptr> messages) {
  room_cache* cache = touch(room);
  if (!cache) {
    lru_.push_front(room_cache{room, {}});
    index_.emplace(room, lru_.begin());
    cache = &lru_.front();
    while (lru_.size() > options_.max_cached_rooms) {
      index_.erase(lru_.back().room);
      lru_.pop_back();
    }
  }
  cache->messages.assign(std::make_move_iterator(messages.begin()),
                         std::make_move_iterator(messages.end()));
  return *cache;
}

void history_store::push_cached(room_cache& cache, message_ptr row) {
  cache.messages.push_back(std::move(row));
  if (cache.messages.size() > options_.per_room) cache.messages.pop_front();
}

}  // namespace chorus::server::chat
