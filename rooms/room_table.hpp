#pragma once

// Rooms of one namespace on one shard. Single-threaded: the shard that owns the table is the only
// caller, so nothing here locks.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rooms/broadcast_target.hpp"
#include "rooms/member.hpp"
#include "rooms/room_observer.hpp"
#include "rooms/transparent_hash.hpp"

namespace chorus::rooms {

class room_table {
 public:
  room_table() = default;
  // Memberships point into rooms_'s nodes: a copy would point into the original. Moving keeps the
  // nodes, so moves are fine.
  room_table(const room_table&) = delete;
  room_table& operator=(const room_table&) = delete;
  room_table(room_table&&) = default;
  room_table& operator=(room_table&&) = default;

  // Namespace membership: a broadcast with no target rooms reaches every member. add_member is
  // idempotent; remove_member also leaves every room (disconnect).
  void add_member(member_id member);
  void remove_member(member_id member);
  bool has_member(member_id member) const;
  std::size_t member_count() const { return all_.size(); }

  // join adds the member to the namespace if it is not there yet; joining twice is a no-op.
  // Leaving the last member deletes the room, so memory stays bounded by membership.
  void join(member_id member, std::string_view room);
  void leave(member_id member, std::string_view room);
  void leave_all(member_id member);
  void close_room(std::string_view room);

  // Told of every room created and deleted from now on (null: no one). Not owned.
  void set_observer(room_observer* observer) { observer_ = observer; }

  std::size_t size(std::string_view room) const;
  bool contains(member_id member, std::string_view room) const;
  std::vector<std::string> rooms_of(member_id member) const;
  std::vector<member_id> members(std::string_view room) const;
  std::size_t room_count() const { return rooms_.size(); }
  std::vector<std::string> room_names() const;
  // Calls visit(name, members) for every room, without copying names (a metrics census).
  template <class Visit>
  void for_each_room(Visit&& visit) const {
    for (const auto& [name, r] : rooms_)
      visit(std::string_view(name), std::span<const member_id>(r.members));
  }

  // The fan-out hot path: calls visit(member_id) exactly once for every member of any of
  // target.rooms (every namespace member when target.rooms is empty) that is in none of
  // target.except_rooms. Allocates nothing once the table has stopped growing. visit must not
  // modify this table or start another for_each_recipient on it: queue deliveries, act later.
  template <class Visit>
  void for_each_recipient(const broadcast_target& target, Visit&& visit) const;

 private:
  friend struct room_table_peer;  // tests: force the epoch wrap-around

  struct room {
    std::vector<member_id> members;     // dense, unordered: iteration is a linear scan
    const std::string* name = nullptr;  // the map key (node-based map: stable address)
  };
  // A member's link to one room; index is its position in that room's members vector, kept so
  // leaving is a swap-with-last, not a search of the room.
  struct membership {
    room* where;
    std::uint32_t index;
  };
  struct member_state {
    std::vector<membership> rooms;  // few per socket (its own id room + joined ones): scanned
    std::uint32_t all_index = 0;    // position in all_
    bool present = false;
  };
  using room_map = std::unordered_map<std::string, room, transparent_string_hash, std::equal_to<>>;

  const room* find_room(std::string_view name) const;
  membership* find_membership(member_id member, const room* where);
  void detach(member_id member, std::size_t link);  // drop member's link-th room
  void erase_room(const room& r);
  // Starts a fresh epoch: afterwards no member counts as seen.
  void next_epoch() const;
  // Starts a fresh epoch and marks every member of except_rooms as seen; false (and no new epoch)
  // when no except room has members.
  bool mark_excluded(const std::vector<std::string>& except_rooms) const;

  room_map rooms_;
  std::vector<member_state> members_;  // indexed by member_id
  std::vector<member_id> all_;         // every namespace member, dense

  // Dedupe and exclusion for fan-out. seen_[m] == epoch_ means "m already visited or excluded in
  // this call". A call starts by bumping epoch_, which forgets every mark in O(1); a hash set
  // would need clearing (or a fresh allocation) per call and hashes on every probe, while this is
  // one indexed load and store per recipient in a flat array sized by the member slots. mutable:
  // scratch state of a const query, safe because the owning shard is the only caller.
  mutable std::vector<std::uint32_t> seen_;
  mutable std::uint32_t epoch_ = 0;

  room_observer* observer_ = nullptr;
};

template <class Visit>
void room_table::for_each_recipient(const broadcast_target& target, Visit&& visit) const {
  const bool excluding = mark_excluded(target.except_rooms);
  if (target.rooms.empty()) {
    for (const member_id m : all_)
      if (!excluding || seen_[m] != epoch_) visit(m);
    return;
  }
  // One room: its members are distinct, so marks need only be read (for exclusion), never written.
  if (target.rooms.size() == 1) {
    if (const room* r = find_room(target.rooms.front()))
      for (const member_id m : r->members)
        if (!excluding || seen_[m] != epoch_) visit(m);
    return;
  }
  if (!excluding) next_epoch();
  for (const std::string& name : target.rooms) {
    const room* r = find_room(name);
    if (r == nullptr) continue;
    for (const member_id m : r->members) {
      if (seen_[m] == epoch_) continue;
      seen_[m] = epoch_;
      visit(m);
    }
  }
}

}  // namespace chorus::rooms
