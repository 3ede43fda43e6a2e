#include "rooms/broadcast_target.hpp"

#include <algorithm>

namespace chorus::rooms {

bool reaches(const broadcast_target& target, const std::vector<std::string>& member_rooms) {
  auto in_member_rooms = [&](const std::string& room) {
    return std::find(member_rooms.begin(), member_rooms.end(), room) != member_rooms.end();
  };
  if (std::any_of(target.except_rooms.begin(), target.except_rooms.end(), in_member_rooms))
    return false;
  return target.rooms.empty() ||
         std::any_of(target.rooms.begin(), target.rooms.end(), in_member_rooms);
}

}  // namespace chorus::rooms
