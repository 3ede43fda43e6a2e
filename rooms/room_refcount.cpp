#include "rooms/room_refcount.hpp"

namespace chorus::rooms {

bool room_refcount::add(std::string_view room) {
  auto it = counts_.find(room);
  if (it != counts_.end()) {
    ++it->second;
    return false;
  }
  counts_.emplace(std::string(room), 1);
  return true;
}

bool room_refcount::remove(std::string_view room) {
  auto it = counts_.find(room);
  if (it == counts_.end()) return false;
  if (--it->second > 0) return false;
  counts_.erase(it);
  return true;
}

std::size_t room_refcount::holders(std::string_view room) const {
  auto it = counts_.find(room);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace chorus::rooms
