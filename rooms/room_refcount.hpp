#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rooms/transparent_hash.hpp"

namespace chorus::rooms {

// How many holders (shards) have each room: the first to add a room and the last to remove it
// are told so, e.g. to subscribe to a room's channel once for a whole process and to
// unsubscribe when no shard has the room any more. Single-threaded.
class room_refcount {
 public:
  // true when no holder had `room` before.
  bool add(std::string_view room);
  // true when this was its last holder; false too for a room no holder has (nothing to undo).
  bool remove(std::string_view room);
  std::size_t holders(std::string_view room) const;
  // Rooms with at least one holder.
  std::size_t size() const { return counts_.size(); }

 private:
  std::unordered_map<std::string, std::size_t, transparent_string_hash, std::equal_to<>> counts_;
};

}  // namespace chorus::rooms
