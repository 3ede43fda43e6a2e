// Random operations against a plain map-of-sets model: the swap-with-last bookkeeping in
// room_table must agree with the obvious structure after every step.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rooms/room_table.hpp"

namespace chorus::rooms {
namespace {

struct model {
  std::set<member_id> members;
  std::map<std::string, std::set<member_id>> rooms;  // no empty rooms

  void join(member_id m, const std::string& r) {
    members.insert(m);
    rooms[r].insert(m);
  }
  void leave(member_id m, const std::string& r) {
    auto it = rooms.find(r);
    if (it == rooms.end()) return;
    it->second.erase(m);
    if (it->second.empty()) rooms.erase(it);
  }
  void leave_all(member_id m) {
    for (auto it = rooms.begin(); it != rooms.end();) {
      it->second.erase(m);
      it = it->second.empty() ? rooms.erase(it) : std::next(it);
    }
  }
  void remove(member_id m) {
    leave_all(m);
    members.erase(m);
  }
  std::set<member_id> recipients(const broadcast_target& t) const {
    std::set<member_id> out;
    if (t.rooms.empty()) out = members;
    for (const auto& r : t.rooms)
      if (auto it = rooms.find(r); it != rooms.end())
        out.insert(it->second.begin(), it->second.end());
    for (const auto& r : t.except_rooms)
      if (auto it = rooms.find(r); it != rooms.end())
        for (member_id m : it->second) out.erase(m);
    return out;
  }
};

void expect_same(const room_table& t, const model& m, int members, int room_names) {
  ASSERT_EQ(t.member_count(), m.members.size());
  ASSERT_EQ(t.room_count(), m.rooms.size());
  for (int r = 0; r < room_names; ++r) {
    const std::string name = "r" + std::to_string(r);
    auto it = m.rooms.find(name);
    const std::set<member_id> want = it == m.rooms.end() ? std::set<member_id>{} : it->second;
    auto got = t.members(name);
    ASSERT_EQ(std::set<member_id>(got.begin(), got.end()), want) << name;
    ASSERT_EQ(got.size(), want.size()) << name << ": duplicate member";
  }
  for (int id = 0; id < members; ++id) {
    const auto mid = static_cast<member_id>(id);
    ASSERT_EQ(t.has_member(mid), m.members.count(mid) == 1) << id;
    std::set<std::string> want;
    for (const auto& [name, ids] : m.rooms)
      if (ids.count(mid)) want.insert(name);
    auto got = t.rooms_of(mid);
    ASSERT_EQ(std::set<std::string>(got.begin(), got.end()), want) << id;
    for (int r = 0; r < room_names; ++r) {
      const std::string name = "r" + std::to_string(r);
      ASSERT_EQ(t.contains(mid, name), want.count(name) == 1) << id << " " << name;
    }
  }
}

TEST(room_table_model, random_operations_match_model) {
  constexpr int members = 24;
  constexpr int room_names = 8;
  std::mt19937 rng(20240601);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto room_name = [&] { return "r" + std::to_string(pick(room_names)); };

  room_table t;
  model m;
  for (int step = 0; step < 10000; ++step) {
    const auto id = static_cast<member_id>(pick(members));
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const std::string r = room_name();
        t.join(id, r);
        m.join(id, r);
        break;
      }
      case 4:
      case 5:
      case 6: {
        const std::string r = room_name();
        t.leave(id, r);
        m.leave(id, r);
        break;
      }
      case 7:
        t.leave_all(id);
        m.leave_all(id);
        break;
      case 8: {
        const std::string r = room_name();
        t.close_room(r);
        m.rooms.erase(r);
        break;
      }
      default:
        if (pick(2)) {
          t.remove_member(id);
          m.remove(id);
        } else {
          t.add_member(id);
          m.members.insert(id);
        }
    }
    ASSERT_NO_FATAL_FAILURE(expect_same(t, m, members, room_names)) << "step " << step;

    broadcast_target target;
    for (int n = pick(4); n > 0; --n) target.rooms.push_back(room_name());
    for (int n = pick(3); n > 0; --n) target.except_rooms.push_back(room_name());
    std::multiset<member_id> got;
    t.for_each_recipient(target, [&](member_id r) { got.insert(r); });
    const auto want = m.recipients(target);
    ASSERT_EQ(got, std::multiset<member_id>(want.begin(), want.end())) << "step " << step;
  }
}

}  // namespace
}  // namespace chorus::rooms
