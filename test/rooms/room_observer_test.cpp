// A room table tells its observer of every room created and deleted, whatever deletes it, and
// room_refcount turns several tables' (shards') notes into one first-created / last-deleted.
#include "rooms/room_observer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rooms/room_refcount.hpp"
#include "rooms/room_table.hpp"

namespace chorus::rooms {
namespace {

struct recorder final : room_observer {
  std::vector<std::string> events;
  void room_created(std::string_view room) override { events.push_back("+" + std::string(room)); }
  void room_deleted(std::string_view room) override { events.push_back("-" + std::string(room)); }
};

using events = std::vector<std::string>;

TEST(room_observer, told_once_when_a_room_is_created_and_when_it_goes) {
  recorder seen;
  room_table t;
  t.set_observer(&seen);
  t.join(1, "a");
  t.join(2, "a");  // exists: no note
  t.join(1, "a");  // already in: no note
  EXPECT_EQ(seen.events, (events{"+a"}));
  t.leave(1, "a");
  EXPECT_EQ(seen.events, (events{"+a"}));
  t.leave(2, "a");
  EXPECT_EQ(seen.events, (events{"+a", "-a"}));
  t.leave(2, "a");  // gone: no note
  EXPECT_EQ(seen.events, (events{"+a", "-a"}));
}

TEST(room_observer, every_way_a_room_goes_is_told) {
  recorder seen;
  room_table t;
  t.set_observer(&seen);
  t.join(1, "a");
  t.join(1, "b");
  t.join(2, "c");
  t.join(3, "d");
  t.join(4, "d");
  seen.events.clear();
  t.leave_all(1);
  EXPECT_EQ(t.room_count(), 2u);
  std::sort(seen.events.begin(), seen.events.end());
  EXPECT_EQ(seen.events, (events{"-a", "-b"}));
  seen.events.clear();
  t.remove_member(2);
  EXPECT_EQ(seen.events, (events{"-c"}));
  seen.events.clear();
  t.close_room("d");
  EXPECT_EQ(seen.events, (events{"-d"}));
  EXPECT_EQ(t.room_count(), 0u);
}

TEST(room_observer, none_set_or_cleared_is_never_called) {
  recorder seen;
  room_table t;
  t.join(1, "before");
  t.set_observer(&seen);
  t.join(1, "during");
  t.set_observer(nullptr);
  t.join(1, "after");
  t.leave_all(1);
  EXPECT_EQ(seen.events, (events{"+during"}));
}

TEST(room_refcount, first_add_and_last_remove_are_told) {
  room_refcount count;
  EXPECT_TRUE(count.add("r"));   // shard 0 creates r: subscribe
  EXPECT_FALSE(count.add("r"));  // shard 1 too: already subscribed
  EXPECT_FALSE(count.add("r"));
  EXPECT_EQ(count.holders("r"), 3u);
  EXPECT_FALSE(count.remove("r"));
  EXPECT_FALSE(count.remove("r"));
  EXPECT_TRUE(count.remove("r"));  // the last shard lets go: unsubscribe
  EXPECT_EQ(count.holders("r"), 0u);
  EXPECT_EQ(count.size(), 0u);
  EXPECT_TRUE(count.add("r"));  // and again from the start
}

TEST(room_refcount, rooms_are_counted_apart_and_unknown_removes_do_nothing) {
  room_refcount count;
  EXPECT_FALSE(count.remove("never"));
  EXPECT_TRUE(count.add("a"));
  EXPECT_TRUE(count.add("b"));
  EXPECT_EQ(count.size(), 2u);
  EXPECT_TRUE(count.remove("a"));
  EXPECT_EQ(count.holders("b"), 1u);
  EXPECT_FALSE(count.remove("a"));
  EXPECT_EQ(count.size(), 1u);
}

// Two tables (shards) feeding one refcount, as the sharded adapter's link thread does.
TEST(room_refcount, over_two_tables) {
  struct feeder final : room_observer {
    room_refcount& count;
    events& told;
    explicit feeder(room_refcount& c, events& t) : count(c), told(t) {}
    void room_created(std::string_view room) override {
      if (count.add(room)) told.push_back("subscribe " + std::string(room));
    }
    void room_deleted(std::string_view room) override {
      if (count.remove(room)) told.push_back("unsubscribe " + std::string(room));
    }
  };
  room_refcount count;
  events told;
  feeder f0(count, told), f1(count, told);
  room_table shard0, shard1;
  shard0.set_observer(&f0);
  shard1.set_observer(&f1);
  shard0.join(1, "lobby");
  shard1.join(1, "lobby");
  shard0.leave(1, "lobby");
  EXPECT_EQ(told, (events{"subscribe lobby"}));
  shard1.remove_member(1);
  EXPECT_EQ(told, (events{"subscribe lobby", "unsubscribe lobby"}));
}

}  // namespace
}  // namespace chorus::rooms
