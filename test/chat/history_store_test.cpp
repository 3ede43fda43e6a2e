// The chat history store: batched writes on its own thread, the per-room cap, loads merged with
// queued writes, the room cap, a full queue, and persistence across a reopen.
#include "server/chat/history_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "server/chat/sqlite.hpp"

namespace chorus::server::chat {
namespace {

using namespace std::chrono_literals;

// Collects callbacks from the writer thread; every wait is bounded.
class collector {
 public:
  history_store::stored_callback stored() {
    return [this](std::int64_t id, bool committed) {
      std::lock_guard lock(mutex_);
      stored_.push_back({id, committed});
      changed_.notify_all();
    };
  }
  history_store::loaded_callback loaded() {
    return [this](std::optional<std::vector<message_ptr>> messages) {
      std::lock_guard lock(mutex_);
      EXPECT_TRUE(messages) << "a load failed";
      loads_.push_back(messages.value_or(std::vector<message_ptr>{}));
      changed_.notify_all();
    };
  }
  // Waits until `count` writes were answered; returns them.
  std::vector<std::pair<std::int64_t, bool>> wait_stored(std::size_t count) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(changed_.wait_for(lock, 10s, [&] { return stored_.size() >= count; }))
        << "got " << stored_.size() << " of " << count;
    return stored_;
  }
  std::vector<std::vector<message_ptr>> wait_loads(std::size_t count) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(changed_.wait_for(lock, 10s, [&] { return loads_.size() >= count; }))
        << "got " << loads_.size() << " of " << count;
    return loads_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::int64_t, bool>> stored_;
  std::vector<std::vector<message_ptr>> loads_;
};

// A database file that is removed (with its WAL) at the end of the test.
class temp_db {
 public:
  temp_db() {
    static int count = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("chorus-history-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count) +
             ".db");
    remove();
  }
  ~temp_db() { remove(); }
  std::string path() const { return path_.string(); }

 private:
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(path_.string() + suffix);
  }
  std::filesystem::path path_;
};

history_options memory(bool start = true) {
  history_options options;
  options.path = ":memory:";
  options.start_writer = start;
  return options;
}

std::vector<std::string> texts(const std::vector<message_ptr>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m->message);
  return out;
}

// A room's history: from memory, or loaded (bounded wait).
std::vector<message_ptr> history_of(history_store& store, std::string_view room) {
  collector got;
  auto found = store.recent(room, got.loaded());
  if (found.status == history_store::lookup::cached) return found.messages;
  EXPECT_EQ(found.status, history_store::lookup::loading);
  auto loads = got.wait_loads(1);
  return loads.empty() ? std::vector<message_ptr>{} : loads.front();
}

TEST(history_store, an_unknown_room_is_loaded_on_the_writer_thread_then_served_from_memory) {
  history_store store(memory());
  collector got;
  auto first = store.recent("room", got.loaded());
  EXPECT_EQ(first.status, history_store::lookup::loading);
  EXPECT_TRUE(got.wait_loads(1).at(0).empty());
  auto second = store.recent("room", got.loaded());
  EXPECT_EQ(second.status, history_store::lookup::cached);
  EXPECT_TRUE(second.messages.empty());
  EXPECT_EQ(store.cached_rooms(), 1u);
}

TEST(history_store, writes_queued_together_are_committed_in_batches) {
  history_options options = memory(false);
  options.max_batch = 100;
  history_store store(options);
  collector got;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 250; ++i) {
    auto id = store.append("", "alice", "m" + std::to_string(i), "12:00:00", got.stored());
    ASSERT_TRUE(id);
    ids.push_back(*id);
  }
  EXPECT_EQ(store.transactions(), 0u);
  store.start();
  auto stored = got.wait_stored(250);
  ASSERT_EQ(stored.size(), 250u);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i].first, ids[i]);
    EXPECT_TRUE(stored[i].second);
    if (i) {
      EXPECT_EQ(ids[i], ids[i - 1] + 1);
    }
  }
  EXPECT_EQ(store.transactions(), 3u);  // 100 + 100 + 50
}

TEST(history_store, keeps_the_last_fifty_of_a_room_oldest_first) {
  history_store store(memory());
  EXPECT_TRUE(history_of(store, "busy").empty());
  collector got;
  for (int i = 0; i < 120; ++i)
    ASSERT_TRUE(store.append("busy", "bob", std::to_string(i), "12:00:00", got.stored()));
  ASSERT_TRUE(store.append("other", "bob", "elsewhere", "12:00:00"));
  // from memory at once, before the writes are committed
  auto cached = store.recent("busy", {});
  ASSERT_EQ(cached.status, history_store::lookup::cached);
  ASSERT_EQ(cached.messages.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(cached.messages[i]->message, std::to_string(70 + i));
    EXPECT_EQ(cached.messages[i]->room, "busy");
    EXPECT_EQ(cached.messages[i]->username, "bob");
    EXPECT_EQ(cached.messages[i]->timestamp, "12:00:00");
    if (i) {
      EXPECT_EQ(cached.messages[i]->id, cached.messages[i - 1]->id + 1);
    }
  }
  got.wait_stored(120);
  EXPECT_EQ(texts(history_of(store, "other")), std::vector<std::string>{"elsewhere"});
}

// Soak finding: with --db :memory: the server's RSS grew by every chat message ever sent (about
// 200 bytes each). Only a room's newest per_room rows are read back, so the rest are dropped.
TEST(history_store, a_memory_database_keeps_only_each_rooms_newest_rows) {
  history_options options = memory(false);
  options.per_room = 3;
  options.max_cached_rooms = 1;
  history_store store(options);
  collector got;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(store.append("a", "x", "m" + std::to_string(i), "t", got.stored()));
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(store.append("b", "x", "b" + std::to_string(i), "t", got.stored()));
  store.start();
  ASSERT_EQ(got.wait_stored(12).size(), 12u);
  EXPECT_EQ(store.pruned(), 7u);  // room a's ten beyond three; room b is within its three
  // "b" holds the one cache slot, so "a" is read back from the database: its newest three.
  EXPECT_EQ(texts(history_of(store, "b")), (std::vector<std::string>{"b0", "b1"}));
  EXPECT_EQ(texts(history_of(store, "a")), (std::vector<std::string>{"m7", "m8", "m9"}));
}

TEST(history_store, a_file_database_keeps_every_row) {
  temp_db db;
  {
    history_options options{db.path()};
    options.per_room = 3;
    history_store store(options);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store.append("a", "x", std::to_string(i), "t"));
    store.close();
    EXPECT_EQ(store.pruned(), 0u);
  }
  history_options reopened{db.path()};
  reopened.per_room = 10;
  history_store store(reopened);
  EXPECT_EQ(history_of(store, "a").size(), 10u);
}

TEST(history_store, a_load_includes_writes_queued_before_and_behind_it) {
  temp_db db;
  {
    history_store earlier(history_options{db.path()});
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(earlier.append("a", "x", "old" + std::to_string(i), "t"));
    ASSERT_TRUE(earlier.append("b", "x", "b0", "t"));
  }
  history_options options{db.path()};
  options.max_cached_rooms = 1;  // only "b" (the most recent) is preloaded
  options.start_writer = false;
  history_store store(options);
  EXPECT_EQ(store.cached_rooms(), 1u);
  EXPECT_EQ(store.recent("b", {}).status, history_store::lookup::cached);
  ASSERT_TRUE(store.append("a", "x", "before", "t"));
  collector got;
  EXPECT_EQ(store.recent("a", got.loaded()).status, history_store::lookup::loading);
  ASSERT_TRUE(store.append("a", "x", "behind", "t"));
  store.start();
  auto loads = got.wait_loads(1);
  ASSERT_EQ(loads.size(), 1u);
  std::vector<std::string> expected{"old0", "old1", "old2", "before", "behind"};
  EXPECT_EQ(texts(loads[0]), expected);
  EXPECT_EQ(texts(store.recent("a", {}).messages), expected);
  // the cap of one room: "b" made room for "a"
  EXPECT_EQ(store.cached_rooms(), 1u);
}

TEST(history_store, drops_the_least_recently_used_room_beyond_the_cap) {
  history_options options = memory();
  options.max_cached_rooms = 2;
  history_store store(options);
  history_of(store, "r1");
  history_of(store, "r2");
  EXPECT_EQ(store.recent("r1", {}).status, history_store::lookup::cached);  // r2 is now older
  history_of(store, "r3");
  EXPECT_EQ(store.cached_rooms(), 2u);
  EXPECT_EQ(store.recent("r1", {}).status, history_store::lookup::cached);
  EXPECT_EQ(store.recent("r3", {}).status, history_store::lookup::cached);
  collector got;
  EXPECT_EQ(store.recent("r2", got.loaded()).status, history_store::lookup::loading);
  got.wait_loads(1);
}

TEST(history_store, refuses_writes_and_loads_when_the_queue_is_full) {
  history_options options = memory(false);
  options.max_queue = 5;
  history_store store(options);
  collector got;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store.append("r", "x", "m", "t", got.stored()));
  EXPECT_FALSE(store.append("r", "x", "refused", "t", got.stored()));
  EXPECT_EQ(store.recent("uncached", got.loaded()).status, history_store::lookup::busy);
  store.start();
  EXPECT_EQ(got.wait_stored(5).size(), 5u);
  // room again once drained
  EXPECT_TRUE(store.append("r", "x", "accepted", "t", got.stored()));
  EXPECT_EQ(got.wait_stored(6).size(), 6u);
}

TEST(history_store, close_commits_everything_queued_and_refuses_later_writes) {
  temp_db db;
  collector got;
  {
    history_options options{db.path()};
    options.start_writer = false;  // close() drains even a writer that never ran
    history_store store(options);
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(store.append("", "x", std::to_string(i), "t", got.stored()));
    store.close();
    EXPECT_EQ(got.wait_stored(10).size(), 10u);
    EXPECT_FALSE(store.append("", "x", "late", "t"));
    EXPECT_EQ(store.recent("never", {}).status, history_store::lookup::busy);
  }
  history_store reopened(history_options{db.path()});
  EXPECT_EQ(history_of(reopened, "").size(), 10u);
}

TEST(history_store, survives_a_reopen_of_the_same_file) {
  temp_db db;
  std::int64_t last_id = 0;
  {
    history_store store(history_options{db.path()});
    ASSERT_TRUE(store.append("", "alice", "lobby \"quoted\" é 😀", "09:15:00"));
    ASSERT_TRUE(store.append("room", "bob", "in the room", "09:15:01"));
    auto id = store.append("room", "bob", "second", "09:15:02");
    ASSERT_TRUE(id);
    last_id = *id;
  }
  history_store store(history_options{db.path()});
  // preloaded: answered from memory at once
  auto lobby = store.recent("", {});
  ASSERT_EQ(lobby.status, history_store::lookup::cached);
  ASSERT_EQ(lobby.messages.size(), 1u);
  EXPECT_EQ(lobby.messages[0]->message, "lobby \"quoted\" é 😀");
  EXPECT_EQ(lobby.messages[0]->username, "alice");
  EXPECT_EQ(lobby.messages[0]->timestamp, "09:15:00");
  EXPECT_GT(lobby.messages[0]->unix_ms, 0);
  auto room = store.recent("room", {});
  ASSERT_EQ(room.status, history_store::lookup::cached);
  EXPECT_EQ(texts(room.messages), (std::vector<std::string>{"in the room", "second"}));
  EXPECT_EQ(room.messages[1]->id, last_id);
  // ids go on from the stored ones
  auto next = store.append("room", "bob", "third", "09:15:03");
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, last_id + 1);
}

TEST(history_store, memory_keeps_nothing_across_a_reopen) {
  {
    history_store store(memory());
    ASSERT_TRUE(store.append("", "alice", "gone", "t"));
  }
  history_store store(memory());
  EXPECT_TRUE(history_of(store, "").empty());
}

TEST(history_store, a_second_store_on_the_same_file_is_refused) {
  temp_db db;
  history_store owner(history_options{db.path()});
  EXPECT_THROW(history_store second(history_options{db.path()}), sqlite::error);
  EXPECT_TRUE(owner.append("", "x", "still works", "t"));
}

TEST(history_store, an_unusable_path_throws_at_start_up) {
  EXPECT_THROW(history_store(history_options{"/nonexistent-dir/chorus.db"}), sqlite::error);
}

}  // namespace
}  // namespace chorus::server::chat
