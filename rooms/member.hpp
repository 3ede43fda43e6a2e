#pragma once

#include <cstdint>

namespace chorus::rooms {

// A socket as the hub sees it: a shard-local dense slot index. The server allocates slots and
// reuses freed ones, so ids stay small and can index vectors directly. Rooms never see sockets.
using member_id = std::uint32_t;

}  // namespace chorus::rooms
