#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::server::chat {

// One chat message as stored. The lobby (the main `message` event) is the room "".
struct stored_message {
  std::int64_t id = 0;  // increases with the order messages were accepted (cluster-wide in Redis)
  std::string room;
  std::string username;
  std::string message;
  std::string timestamp;     // as the live event showed it (HH:MM:SS)
  std::int64_t unix_ms = 0;  // when it was accepted
};
using message_ptr = std::shared_ptr<const stored_message>;

// Where the chat keeps its messages: SQLite on one node (history_store), Redis across a cluster
// (redis_history). Called from shard threads, which it never blocks; callbacks run on a thread of
// the store's own, so callers post them back to their shard.
class history {
 public:
  // The message's id once its write has ended; stored false: it is not kept.
  using stored_callback = std::function<void(std::int64_t id, bool stored)>;
  // A room's history, oldest first; nullopt when it could not be read (the client is then told
  // "Server busy" rather than shown an empty room).
  using loaded_callback = std::function<void(std::optional<std::vector<message_ptr>>)>;

  enum class lookup { cached, loading, busy };
  struct recent_result {
    lookup status = lookup::busy;
    std::vector<message_ptr> messages;  // when cached: the room's history, oldest first
  };

  virtual ~history() = default;

  // Accepts a message for storing; false when the store is busy or closed (the message is then
  // not stored and `on_stored` never runs).
  virtual bool add(std::string_view room, std::string_view username, std::string_view message,
                   std::string_view timestamp, stored_callback on_stored) = 0;
  // A room's history: at once when cached; otherwise `on_loaded` runs later (loading), or never
  // (busy).
  virtual recent_result recent(std::string_view room, loaded_callback on_loaded) = 0;
  // true: recent() shows a message from the moment it is accepted, so it may be broadcast before
  // it is stored. false: only once `on_stored` said so (another node reads what is stored).
  virtual bool shows_accepted() const = 0;
  // Stops taking messages and answers what is pending. Idempotent.
  virtual void close() = 0;
};

}  // namespace chorus::server::chat
