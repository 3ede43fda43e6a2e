#pragma once

// Who a broadcast goes to. Socket.IO puts every socket in a room named by its own id, so
// "except these sockets" is except_rooms holding their ids, and "everyone but the sender"
// (include_self=False) is except_rooms {sender id}.

#include <string>
#include <vector>

namespace chorus::rooms {

struct broadcast_target {
  // Members of any of these rooms; empty means every member of the namespace.
  std::vector<std::string> rooms;
  // Members of any of these rooms are skipped, even if also in `rooms`.
  std::vector<std::string> except_rooms;
};

struct broadcast_flags {
  // May be dropped for a recipient whose outbound queue is not empty (socket.volatile).
  bool is_volatile = false;
  // Deliver on this server only, never forwarded to other nodes (socket.local).
  bool local = false;
};

// Whether `target` names a member of exactly `member_rooms` (its own room included): what a room
// table decides for a live member, for one that is gone (connection state recovery's replay).
bool reaches(const broadcast_target& target, const std::vector<std::string>& member_rooms);

}  // namespace chorus::rooms
