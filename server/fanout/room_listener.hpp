#pragma once

#include <string_view>

namespace chorus::server::fanout {

// Told when a room appears on a shard (its first member there joins) and when it goes from it,
// each socket's own room included; called on that shard's thread, during the change, so it
// must only take note (a cluster adapter hands it to its link thread, which subscribes to the
// room's channel while some shard has the room).
class room_listener {
 public:
  virtual ~room_listener() = default;
  virtual void room_created(std::string_view nsp, std::string_view room) = 0;
  virtual void room_deleted(std::string_view nsp, std::string_view room) = 0;
};

}  // namespace chorus::server::fanout
