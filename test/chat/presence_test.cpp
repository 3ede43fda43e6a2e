// Chat presence: rooms' distinct sorted usernames, counts, versions, the list cap, online users,
// and concurrent use from several threads (shards).
#include "server/chat/presence.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace chorus::server::chat {
namespace {

using names = std::vector<std::string>;

TEST(presence, lists_distinct_usernames_sorted) {
  presence people;
  EXPECT_EQ(people.enter("r", "carol").users, names{"carol"});
  EXPECT_EQ(people.enter("r", "alice").users, (names{"alice", "carol"}));
  auto twice = people.enter("r", "alice");  // a second socket of alice
  EXPECT_EQ(twice.users, (names{"alice", "carol"}));
  EXPECT_EQ(twice.count, 2u);
  EXPECT_EQ(people.enter("other", "bob").users, names{"bob"});
  EXPECT_EQ(people.users("r").users, (names{"alice", "carol"}));
}

TEST(presence, a_username_stays_while_any_of_its_sockets_is_in_the_room) {
  presence people;
  people.enter("r", "alice");
  people.enter("r", "alice");
  people.enter("r", "bob");
  EXPECT_EQ(people.leave("r", "alice").users, (names{"alice", "bob"}));
  EXPECT_EQ(people.leave("r", "alice").users, names{"bob"});
  EXPECT_EQ(people.leave("r", "bob").users, names{});
  EXPECT_EQ(people.room_count(), 0u);  // empty rooms are forgotten
}

TEST(presence, leaving_under_an_unknown_name_changes_nothing) {
  presence people;
  auto entered = people.enter("r", "alice");
  auto same = people.leave("r", "mallory");
  EXPECT_EQ(same.users, names{"alice"});
  EXPECT_EQ(same.version, entered.version);
  EXPECT_EQ(people.leave("nowhere", "alice").count, 0u);
}

TEST(presence, versions_grow_with_every_change_of_any_room) {
  presence people;
  auto a = people.enter("r1", "a");
  auto b = people.enter("r2", "b");
  auto c = people.leave("r1", "a");
  EXPECT_LT(a.version, b.version);
  EXPECT_LT(b.version, c.version);
  EXPECT_EQ(people.users("r2").version, b.version);
}

TEST(presence, lists_at_most_max_listed_names_but_counts_all) {
  presence people(3);
  for (std::string name : {"e", "d", "c", "b", "a"}) people.enter("big", name);
  auto roster = people.users("big");
  EXPECT_EQ(roster.users, (names{"a", "b", "c"}));
  EXPECT_EQ(roster.count, 5u);
}

TEST(presence, knows_who_is_online_by_socket_count) {
  presence people;
  EXPECT_FALSE(people.online("alice"));
  people.sign_in("alice");
  people.sign_in("alice");
  EXPECT_TRUE(people.online("alice"));
  EXPECT_FALSE(people.online("Alice"));
  people.sign_out("alice");
  EXPECT_TRUE(people.online("alice"));
  people.sign_out("alice");
  EXPECT_FALSE(people.online("alice"));
  people.sign_out("alice");  // one too many: harmless
  EXPECT_FALSE(people.online("alice"));
}

TEST(presence, is_safe_from_several_threads) {
  presence people;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&people, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string room = "room" + std::to_string(i % 7);
        std::string name = "user" + std::to_string(t);
        people.enter(room, name);
        people.sign_in(name);
        people.users(room);
        people.leave(room, name);
        people.sign_out(name);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(people.room_count(), 0u);
  for (int t = 0; t < 4; ++t) EXPECT_FALSE(people.online("user" + std::to_string(t)));
}

}  // namespace
}  // namespace chorus::server::chat
