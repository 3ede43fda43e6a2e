#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rooms/room_table.hpp"
#include "test/rooms/allocation_counter.hpp"

namespace chorus::rooms {

// Test access to the fan-out epoch, to reach the 2^32 wrap without 2^32 calls.
struct room_table_peer {
  static void set_epoch(const room_table& t, std::uint32_t epoch) { t.epoch_ = epoch; }
};

namespace {

// Recipients with how often each was visited: a duplicate shows up as a count of 2.
std::map<member_id, int> recipients(const room_table& t, const broadcast_target& target) {
  std::map<member_id, int> seen;
  t.for_each_recipient(target, [&](member_id m) { ++seen[m]; });
  return seen;
}

std::map<member_id, int> once(std::initializer_list<member_id> ids) {
  std::map<member_id, int> m;
  for (member_id id : ids) m[id] = 1;
  return m;
}

// Namespace: members 0..6, each in its own id room "#<id>" as Socket.IO does.
//   a = {0,1,2}   b = {2,3}   c = {4}   member 5 and 6 in no named room.
room_table fixture() {
  room_table t;
  for (member_id m = 0; m <= 6; ++m) t.join(m, "#" + std::to_string(m));
  for (member_id m : {0, 1, 2}) t.join(m, "a");
  for (member_id m : {2, 3}) t.join(m, "b");
  t.join(4, "c");
  return t;
}

struct recipient_case {
  const char* name;
  broadcast_target target;
  std::map<member_id, int> expected;
};

const std::vector<recipient_case> recipient_cases = {
    {"whole namespace", {{}, {}}, once({0, 1, 2, 3, 4, 5, 6})},
    {"whole namespace except sender", {{}, {"#2"}}, once({0, 1, 3, 4, 5, 6})},
    {"whole namespace except a room", {{}, {"a"}}, once({3, 4, 5, 6})},
    {"whole namespace except unknown room", {{}, {"nope"}}, once({0, 1, 2, 3, 4, 5, 6})},
    {"one room", {{"a"}, {}}, once({0, 1, 2})},
    {"one room except sender", {{"a"}, {"#0"}}, once({1, 2})},
    {"one room except sender outside it", {{"a"}, {"#5"}}, once({0, 1, 2})},
    {"overlapping rooms each once", {{"a", "b"}, {}}, once({0, 1, 2, 3})},
    {"same room twice", {{"a", "a"}, {}}, once({0, 1, 2})},
    {"overlap except the shared member", {{"a", "b"}, {"#2"}}, once({0, 1, 3})},
    {"overlap except a whole room", {{"a", "b"}, {"b"}}, once({0, 1})},
    {"several except rooms", {{"a", "b", "c"}, {"#0", "#3", "c"}}, once({1, 2})},
    {"unknown target room", {{"nope"}, {}}, {}},
    {"unknown and known rooms", {{"nope", "c"}, {}}, once({4})},
    {"every target excluded", {{"a"}, {"a"}}, {}},
    {"socket id room", {{"#6"}, {}}, once({6})},
};

TEST(for_each_recipient, visits_each_recipient_once) {
  const room_table t = fixture();
  for (const auto& c : recipient_cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(recipients(t, c.target), c.expected);
  }
}

TEST(for_each_recipient, repeated_calls_do_not_leak_marks_between_calls) {
  // Each case runs after all the others have stamped members; every result must be unchanged.
  const room_table t = fixture();
  for (int round = 0; round < 3; ++round) {
    for (const auto& c : recipient_cases) {
      SCOPED_TRACE(c.name);
      EXPECT_EQ(recipients(t, c.target), c.expected);
    }
  }
}

TEST(for_each_recipient, follows_membership_changes) {
  room_table t = fixture();
  t.leave(2, "a");
  t.join(5, "a");
  t.remove_member(0);
  EXPECT_EQ(recipients(t, {{"a", "b"}, {}}), once({1, 2, 3, 5}));
  EXPECT_EQ(recipients(t, {{}, {}}), once({1, 2, 3, 4, 5, 6}));
  t.close_room("b");
  EXPECT_EQ(recipients(t, {{"a", "b"}, {}}), once({1, 5}));
}

TEST(for_each_recipient, members_outside_any_room_get_namespace_broadcasts) {
  room_table t;
  t.add_member(10);
  t.add_member(3);
  EXPECT_EQ(recipients(t, {{}, {}}), once({3, 10}));
  EXPECT_EQ(recipients(t, {{"a"}, {}}), once({}));
}

TEST(for_each_recipient, survives_epoch_wrap_around) {
  room_table t = fixture();
  // Epoch 1 stamps 2, 3, 4: stale marks that would read as "seen" if epoch 1 came back unwiped.
  EXPECT_EQ(recipients(t, {{"b", "c"}, {}}), once({2, 3, 4}));
  room_table_peer::set_epoch(t, std::numeric_limits<std::uint32_t>::max() - 1);
  // The last epoch before the wrap stamps 0, 1, 2, 5.
  EXPECT_EQ(recipients(t, {{"a", "#5"}, {}}), once({0, 1, 2, 5}));
  // Wraps. Members 3 and 4 still hold the old epoch 1 and member 6 holds 0: neither may count.
  EXPECT_EQ(recipients(t, {{"b", "c", "a", "#6"}, {}}), once({0, 1, 2, 3, 4, 6}));
  EXPECT_EQ(recipients(t, {{"a", "b", "c"}, {"#1"}}), once({0, 2, 3, 4}));
}

TEST(for_each_recipient, allocates_nothing_in_steady_state) {
  if (!test::allocation_counting()) GTEST_SKIP() << "operator new is the sanitizer's here";
  room_table t = fixture();
  for (member_id m = 100; m < 1100; ++m) t.join(m, m % 2 ? "a" : "b");
  const std::vector<broadcast_target> targets = {
      {{}, {}}, {{}, {"#2"}}, {{"a"}, {}}, {{"a", "b", "c"}, {"#0", "b"}}};
  std::size_t visits = 0;
  const std::size_t before = test::allocation_count();
  for (int i = 0; i < 100; ++i)
    for (const auto& target : targets) t.for_each_recipient(target, [&](member_id) { ++visits; });
  EXPECT_EQ(test::allocation_count(), before);
  EXPECT_GT(visits, 0u);
}

TEST(for_each_recipient, allocation_counter_sees_allocations) {
  // Guards the test above: a counter stuck at zero would let it pass vacuously.
  if (!test::allocation_counting()) GTEST_SKIP() << "operator new is the sanitizer's here";
  const std::size_t before = test::allocation_count();
  auto p = std::make_unique<int>(1);
  EXPECT_GT(test::allocation_count(), before);
}

}  // namespace
}  // namespace chorus::rooms
