#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/chat/history.hpp"
#include "server/string_hash.hpp"

namespace chorus::server::chat {

struct history_options {
  std::string path = "chorus.db";       // ":memory:": nothing survives a restart
  std::size_t per_room = 50;            // messages kept in memory (and sent on join) per room
  std::size_t max_cached_rooms = 1000;  // least recently used rooms beyond this are dropped
  std::size_t max_queue = 10000;        // writes and loads waiting for the writer thread
  std::size_t max_batch = 256;          // rows per transaction
  bool start_writer = true;             // false: the writer waits for start() (tests)
};

// The chat's history: SQLite written by one writer thread in batched transactions, and the last
// `per_room` messages of recently used rooms in memory, so that shard threads never touch
// SQLite. Thread-safe.
//
// Ids are handed out when a message is accepted (under the same lock as the queue), so the
// memory cache shows a message as soon as it is accepted, in id order, before it is committed.
// A room that is not cached is loaded on the writer thread, after every write queued before the
// request has been committed, and merged with the writes still queued behind it.
class history_store final : public history {
 public:
  // Callbacks run on the writer thread: stored_callback once the message's transaction has
  // ended (committed or not), loaded_callback with a room's history.

  // Opens (creating if needed) the database and loads the most recently used rooms.
  // Throws sqlite::error when the database cannot be used.
  explicit history_store(history_options options);
  // Flushes and joins the writer (close()).
  ~history_store() override;
  history_store(const history_store&) = delete;
  history_store& operator=(const history_store&) = delete;

  // Starts the writer thread (done by the constructor unless options.start_writer is false).
  void start();
  // Stops accepting, commits everything queued, answers every pending callback, joins the
  // writer thread and closes the database. Idempotent.
  void close() override;

  // Accepts a message: returns its id, or nullopt when the queue is full or the store closed
  // (the message is then not stored anywhere and `on_stored` is never called).
  std::optional<std::int64_t> append(std::string_view room, std::string_view username,
                                     std::string_view message, std::string_view timestamp,
                                     stored_callback on_stored = {});

  // A room's history: at once when cached; otherwise `on_loaded` runs later on the writer thread
  // (loading), or never when the queue is full or the store closed (busy).
  recent_result recent(std::string_view room, loaded_callback on_loaded) override;
  bool add(std::string_view room, std::string_view username, std::string_view message,
           std::string_view timestamp, stored_callback on_stored) override {
    return append(room, username, message, timestamp, std::move(on_stored)).has_value();
  }
  // The memory cache shows a message as soon as it is accepted.
  bool shows_accepted() const override { return true; }

  // Transactions committed so far (for tests and metrics).
  std::uint64_t transactions() const { return transactions_.load(std::memory_order_relaxed); }
  // Rows dropped from a :memory: database beyond each room's newest per_room (for tests).
  std::uint64_t pruned() const { return pruned_.load(std::memory_order_relaxed); }
  std::size_t cached_rooms() const;
  const history_options& options() const { return options_; }

 private:
  struct job {
    message_ptr row;         // a write; for a load only row->room is set
    stored_callback stored;  // writes
    loaded_callback loaded;  // loads
    bool is_load = false;
  };
  struct room_cache {
    std::string room;
    std::deque<message_ptr> messages;  // oldest first, at most per_room
  };
  using lru_list = std::list<room_cache>;

  void open_database();
  void preload();
  void run();
  void write_batch(std::vector<job>& batch);
  void prune_rooms(const std::vector<job>& batch);
  void load(job& request);
  std::vector<message_ptr> select_recent(const std::string& room);
  // Under mutex_: the cached room, made most recently used, or nullptr.
  room_cache* touch(std::string_view room);
  // Under mutex_: caches `messages` as the room's history, dropping the least recently used
  // rooms beyond the cap.
  room_cache& install(const std::string& room, std::vector<message_ptr> messages);
  void push_cached(room_cache& cache, message_ptr row);

  history_options options_;
  struct sql;                 // the connection and prepared statements (writer thread only,
  std::unique_ptr<sql> sql_;  // or the constructor before the writer starts)

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  bool accepting_ = true;
  bool stopping_ = false;
  std::int64_t next_id_ = 1;
  lru_list lru_;  // most recently used first
  std::unordered_map<std::string, lru_list::iterator, string_hash, std::equal_to<>> index_;

  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> pruned_{0};
  std::thread writer_;
  std::once_flag closed_;
};

}  // namespace chorus::server::chat
