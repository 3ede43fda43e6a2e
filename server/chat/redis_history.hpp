#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/chat/chat_redis_link.hpp"
#include "server/chat/history.hpp"

namespace chorus::server::chat {

struct redis_history_options {
  std::string key = "socket.io";  // the cluster's --redis-key: every key starts with it
  std::size_t per_room = 50;      // messages kept (at least) and sent on join, per room
};

// The chat's history in Redis, the same on every node and across restarts of any node: per room
// a stream capped at about per_room entries (XADD MAXLEN ~), and ids from one counter INCRed in
// the same script as the XADD, so ids grow in the order messages were stored, cluster-wide.
// Nothing is cached: a node cannot know what the others wrote.
class redis_history final : public history {
 public:
  redis_history(chat_redis_link& link, redis_history_options options);

  // Busy (false) while the link is down or too many commands are in flight.
  bool add(std::string_view room, std::string_view username, std::string_view message,
           std::string_view timestamp, stored_callback on_stored) override;
  recent_result recent(std::string_view room, loaded_callback on_loaded) override;
  bool shows_accepted() const override { return false; }
  // The link is closed by its owner.
  void close() override {}

 private:
  chat_redis_link& link_;
  redis_history_options options_;
};

}  // namespace chorus::server::chat
