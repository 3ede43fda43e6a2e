#include "server/chat/cluster_roster.hpp"

#include <gtest/gtest.h>

namespace chorus::server::chat {
namespace {

using cluster::redis_reply;

redis_reply integer(long long value) {
  redis_reply reply;
  reply.type = redis_reply::kind::integer;
  reply.integer = value;
  return reply;
}

redis_reply string(std::string value) {
  redis_reply reply;
  reply.type = redis_reply::kind::string;
  reply.str = std::move(value);
  return reply;
}

redis_reply array(std::vector<redis_reply> elements) {
  redis_reply reply;
  reply.type = redis_reply::kind::array;
  reply.elements = std::move(elements);
  return reply;
}

TEST(merge_roster, names_from_several_nodes_are_deduplicated_sorted_and_counted) {
  struct row {
    std::vector<std::string> names;
    std::size_t max_listed;
    std::vector<std::string> users;
    std::size_t count;
  };
  const std::vector<row> rows = {
      {{}, 200, {}, 0},
      {{"bob"}, 200, {"bob"}, 1},
      // the same user on two nodes is one user
      {{"zed", "bob", "zed", "amy"}, 200, {"amy", "bob", "zed"}, 3},
      // bytewise, as the in-process presence orders them: upper case before lower case
      {{"b", "B", "a", "\xc3\xa9"}, 200, {"B", "a", "b", "\xc3\xa9"}, 4},
      // listed up to the cap, counted in full
      {{"d", "c", "b", "a", "a"}, 2, {"a", "b"}, 4},
      {{"x"}, 0, {}, 1},
  };
  for (const row& r : rows) {
    presence::roster roster = merge_roster(r.names, 7, r.max_listed);
    EXPECT_EQ(roster.users, r.users);
    EXPECT_EQ(roster.count, r.count);
    EXPECT_EQ(roster.version, 7u);
  }
}

TEST(roster_from_reply, reads_the_scripts_version_and_names) {
  auto roster = roster_from_reply(array({integer(42), array({string("b"), string("a")})}), 200);
  ASSERT_TRUE(roster);
  EXPECT_EQ(roster->version, 42u);
  EXPECT_EQ(roster->users, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(roster->count, 2u);

  auto empty = roster_from_reply(array({integer(3), array({})}), 200);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->count, 0u);
  EXPECT_EQ(empty->version, 3u);
}

TEST(roster_from_reply, refuses_what_is_not_a_roster) {
  const std::vector<redis_reply> bad = {
      redis_reply::error("redis: not connected"),
      redis_reply{},  // nil
      integer(1),
      array({}),
      array({integer(1)}),
      array({string("1"), array({})}),             // version not an integer
      array({integer(-1), array({})}),             // negative version
      array({integer(1), string("a")}),            // names not an array
      array({integer(1), array({integer(5)})}),    // a name not a string
      array({integer(1), array({}), integer(2)}),  // extra element
  };
  for (const auto& reply : bad) EXPECT_FALSE(roster_from_reply(reply, 200));
}

}  // namespace
}  // namespace chorus::server::chat
