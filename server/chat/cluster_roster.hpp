#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/chat/presence.hpp"
#include "server/cluster/redis_reply.hpp"

namespace chorus::server::chat {

// A room's roster from the usernames Redis found on live nodes (one per node and socket name,
// in no order): distinct, sorted bytewise, counted, at most `max_listed` listed.
presence::roster merge_roster(std::vector<std::string> names, std::uint64_t version,
                              std::size_t max_listed);

// The presence script's reply, {version, {name, ...}}, as a roster; nullopt when it is not one
// (an error reply: Redis down, timed out).
std::optional<presence::roster> roster_from_reply(const cluster::redis_reply& reply,
                                                  std::size_t max_listed);

}  // namespace chorus::server::chat
