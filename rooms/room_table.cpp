#include "rooms/room_table.hpp"

#include <algorithm>

namespace chorus::rooms {

void room_table::add_member(member_id member) {
  if (member >= members_.size()) {
    members_.resize(std::size_t{member} + 1);
    seen_.resize(members_.size(), 0);  // 0 is never a live epoch (next_epoch skips it)
  }
  member_state& state = members_[member];
  if (state.present) return;
  state.present = true;
  state.all_index = static_cast<std::uint32_t>(all_.size());
  all_.push_back(member);
}

void room_table::remove_member(member_id member) {
  if (!has_member(member)) return;
  leave_all(member);
  member_state& state = members_[member];
  const member_id moved = all_.back();
  all_[state.all_index] = moved;
  members_[moved].all_index = state.all_index;
  all_.pop_back();
  state.present = false;
  state.rooms = {};  // release: slots are reused, but memory should follow live membership
}

bool room_table::has_member(member_id member) const {
  return member < members_.size() && members_[member].present;
}

void room_table::join(member_id member, std::string_view name) {
  add_member(member);
  auto it = rooms_.find(name);
  if (it == rooms_.end()) {
    it = rooms_.emplace(std::string(name), room{}).first;
    it->second.name = &it->first;
    if (observer_) observer_->room_created(name);
  }
  room& r = it->second;
  if (find_membership(member, &r) != nullptr) return;
  members_[member].rooms.push_back({&r, static_cast<std::uint32_t>(r.members.size())});
  r.members.push_back(member);
}

void room_table::leave(member_id member, std::string_view name) {
  if (!has_member(member)) return;
  const room* r = find_room(name);
  if (r == nullptr) return;
  auto& links = members_[member].rooms;
  for (std::size_t i = 0; i < links.size(); ++i) {
    if (links[i].where == r) {
      detach(member, i);
      return;
    }
  }
}

void room_table::leave_all(member_id member) {
  if (!has_member(member)) return;
  auto& links = members_[member].rooms;
  while (!links.empty()) detach(member, links.size() - 1);
}

void room_table::close_room(std::string_view name) {
  const room* r = find_room(name);
  if (r == nullptr) return;
  for (const member_id m : r->members) {
    auto& links = members_[m].rooms;
    auto link =
        std::find_if(links.begin(), links.end(), [r](const membership& l) { return l.where == r; });
    *link = links.back();
    links.pop_back();
  }
  erase_room(*r);
}

std::size_t room_table::size(std::string_view name) const {
  const room* r = find_room(name);
  return r == nullptr ? 0 : r->members.size();
}

bool room_table::contains(member_id member, std::string_view name) const {
  const room* r = find_room(name);
  if (r == nullptr || !has_member(member)) return false;
  const auto& links = members_[member].rooms;
  return std::any_of(links.begin(), links.end(), [r](const membership& l) { return l.where == r; });
}

std::vector<std::string> room_table::rooms_of(member_id member) const {
  std::vector<std::string> names;
  if (!has_member(member)) return names;
  names.reserve(members_[member].rooms.size());
  for (const membership& l : members_[member].rooms) names.push_back(*l.where->name);
  return names;
}

std::vector<member_id> room_table::members(std::string_view name) const {
  const room* r = find_room(name);
  return r == nullptr ? std::vector<member_id>{} : r->members;
}

std::vector<std::string> room_table::room_names() const {
  std::vector<std::string> names;
  names.reserve(rooms_.size());
  for (const auto& [name, r] : rooms_) names.push_back(name);
  return names;
}

const room_table::room* room_table::find_room(std::string_view name) const {
  const auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : &it->second;
}

room_table::membership* room_table::find_membership(member_id member, const room* where) {
  for (membership& l : members_[member].rooms)
    if (l.where == where) return &l;
  return nullptr;
}

void room_table::detach(member_id member, std::size_t link) {
  auto& links = members_[member].rooms;
  const membership gone = links[link];
  links[link] = links.back();
  links.pop_back();

  room& r = *gone.where;
  const member_id moved = r.members.back();
  r.members[gone.index] = moved;
  r.members.pop_back();
  if (moved != member) find_membership(moved, &r)->index = gone.index;
  if (r.members.empty()) erase_room(r);
}

void room_table::erase_room(const room& r) {
  if (observer_) observer_->room_deleted(*r.name);
  // Find by key before erasing: r.name points into the node being erased.
  rooms_.erase(rooms_.find(std::string_view(*r.name)));
}

void room_table::next_epoch() const {
  if (++epoch_ == 0) {
    // Wrapped after 2^32 calls: old marks could now collide with live epochs, so wipe them.
    std::fill(seen_.begin(), seen_.end(), 0);
    epoch_ = 1;
  }
}

bool room_table::mark_excluded(const std::vector<std::string>& except_rooms) const {
  bool started = false;
  for (const std::string& name : except_rooms) {
    const room* r = find_room(name);
    if (r == nullptr) continue;
    if (!started) {
      next_epoch();
      started = true;
    }
    for (const member_id m : r->members) seen_[m] = epoch_;
  }
  return started;
}

}  // namespace chorus::rooms
