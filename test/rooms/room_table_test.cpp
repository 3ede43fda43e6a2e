#include "rooms/room_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace chorus::rooms {
namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}
std::vector<member_id> sorted(std::vector<member_id> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(room_table, starts_empty) {
  const room_table t;
  EXPECT_EQ(t.room_count(), 0u);
  EXPECT_EQ(t.member_count(), 0u);
  EXPECT_EQ(t.size("a"), 0u);
  EXPECT_FALSE(t.contains(0, "a"));
  EXPECT_TRUE(t.rooms_of(0).empty());
  EXPECT_TRUE(t.members("a").empty());
  EXPECT_TRUE(t.room_names().empty());
}

TEST(room_table, join_creates_room_and_adds_member_to_namespace) {
  room_table t;
  t.join(7, "lobby");
  EXPECT_TRUE(t.has_member(7));
  EXPECT_EQ(t.member_count(), 1u);
  EXPECT_EQ(t.room_count(), 1u);
  EXPECT_EQ(t.size("lobby"), 1u);
  EXPECT_TRUE(t.contains(7, "lobby"));
  EXPECT_FALSE(t.contains(6, "lobby"));
  EXPECT_FALSE(t.contains(7, "other"));
  EXPECT_EQ(t.members("lobby"), std::vector<member_id>{7});
  EXPECT_EQ(t.rooms_of(7), std::vector<std::string>{"lobby"});
}

TEST(room_table, joining_twice_is_a_no_op) {
  room_table t;
  t.join(1, "a");
  t.join(1, "a");
  EXPECT_EQ(t.size("a"), 1u);
  EXPECT_EQ(t.rooms_of(1).size(), 1u);
}

TEST(room_table, leaving_last_member_deletes_room) {
  room_table t;
  t.join(1, "a");
  t.join(2, "a");
  t.leave(1, "a");
  EXPECT_EQ(t.room_count(), 1u);
  EXPECT_EQ(t.members("a"), std::vector<member_id>{2});
  t.leave(2, "a");
  EXPECT_EQ(t.room_count(), 0u);
  EXPECT_TRUE(t.room_names().empty());
  EXPECT_TRUE(t.has_member(2)) << "leaving rooms keeps namespace membership";
}

TEST(room_table, leave_of_unknown_member_or_room_changes_nothing) {
  room_table t;
  t.join(1, "a");
  t.leave(2, "a");
  t.leave(1, "b");
  t.leave(99, "zz");
  t.leave_all(42);
  t.close_room("b");
  t.remove_member(42);
  EXPECT_EQ(t.members("a"), std::vector<member_id>{1});
  EXPECT_EQ(t.room_count(), 1u);
  EXPECT_EQ(t.member_count(), 1u);
}

TEST(room_table, leave_keeps_other_members_findable_after_swap) {
  // Removing from the middle moves the last member into the hole; its bookkeeping must follow.
  room_table t;
  for (member_id m = 0; m < 5; ++m) t.join(m, "a");
  t.leave(1, "a");
  EXPECT_EQ(sorted(t.members("a")), (std::vector<member_id>{0, 2, 3, 4}));
  t.leave(4, "a");  // the member that was moved
  t.leave(0, "a");
  EXPECT_EQ(sorted(t.members("a")), (std::vector<member_id>{2, 3}));
  EXPECT_FALSE(t.contains(4, "a"));
  EXPECT_TRUE(t.contains(3, "a"));
}

TEST(room_table, leave_all_leaves_every_room_and_deletes_emptied_ones) {
  room_table t;
  t.join(1, "a");
  t.join(1, "b");
  t.join(1, "c");
  t.join(2, "b");
  t.leave_all(1);
  EXPECT_TRUE(t.rooms_of(1).empty());
  EXPECT_EQ(t.room_names(), std::vector<std::string>{"b"});
  EXPECT_EQ(t.members("b"), std::vector<member_id>{2});
  EXPECT_TRUE(t.has_member(1));
}

TEST(room_table, close_room_removes_every_member_from_it_only) {
  room_table t;
  t.join(1, "a");
  t.join(2, "a");
  t.join(2, "b");
  t.close_room("a");
  EXPECT_EQ(t.size("a"), 0u);
  EXPECT_EQ(t.room_names(), std::vector<std::string>{"b"});
  EXPECT_TRUE(t.rooms_of(1).empty());
  EXPECT_EQ(t.rooms_of(2), std::vector<std::string>{"b"});
  t.join(1, "a");  // the name can be reused
  EXPECT_EQ(t.members("a"), std::vector<member_id>{1});
}

TEST(room_table, remove_member_leaves_rooms_and_namespace) {
  room_table t;
  t.add_member(3);
  t.join(1, "a");
  t.join(2, "a");
  t.join(1, "b");
  t.remove_member(1);
  EXPECT_FALSE(t.has_member(1));
  EXPECT_EQ(t.member_count(), 2u);
  EXPECT_EQ(t.members("a"), std::vector<member_id>{2});
  EXPECT_EQ(t.size("b"), 0u);
  EXPECT_EQ(t.room_count(), 1u);
  t.remove_member(3);
  EXPECT_EQ(t.member_count(), 1u);
  EXPECT_TRUE(t.has_member(2));
}

TEST(room_table, a_reused_slot_starts_with_no_rooms) {
  room_table t;
  t.join(5, "a");
  t.join(5, "b");
  t.remove_member(5);
  t.add_member(5);
  EXPECT_TRUE(t.rooms_of(5).empty());
  EXPECT_FALSE(t.contains(5, "a"));
  EXPECT_EQ(t.room_count(), 0u);
}

TEST(room_table, lookups_take_views_of_names_that_are_not_strings) {
  room_table t;
  const char buffer[] = "room-with-a-long-name-that-defeats-sso-xxxxxxxxxxxxxx";
  t.join(1, std::string_view(buffer, 10));
  EXPECT_TRUE(t.contains(1, "room-with-"));
  EXPECT_EQ(t.size(std::string_view(buffer, 10)), 1u);
  EXPECT_EQ(t.size(std::string_view(buffer, 11)), 0u);
}

TEST(room_table, names_are_byte_strings) {
  room_table t;
  const std::string nul_name("a\0b", 3);
  t.join(1, nul_name);
  t.join(2, "a");
  EXPECT_EQ(t.size(nul_name), 1u);
  EXPECT_EQ(t.size("a"), 1u);
  EXPECT_EQ(sorted(t.room_names()), (std::vector<std::string>{"a", nul_name}));
}

static_assert(!std::is_copy_constructible_v<room_table>, "memberships point into the table");

TEST(room_table, a_moved_table_keeps_working) {
  room_table source;
  source.join(1, "a");
  source.join(2, "a");
  source.join(2, "b");
  room_table t = std::move(source);
  t.leave(1, "a");  // swaps member 2 within "a": its link must point into t's room
  t.join(3, "b");
  EXPECT_EQ(t.members("a"), std::vector<member_id>{2});
  EXPECT_EQ(sorted(t.members("b")), (std::vector<member_id>{2, 3}));
  EXPECT_EQ(sorted(t.rooms_of(2)), (std::vector<std::string>{"a", "b"}));
  t.remove_member(2);
  EXPECT_EQ(t.room_names(), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace chorus::rooms
