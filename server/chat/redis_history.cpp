#include "server/chat/redis_history.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "server/chat/chat_keys.hpp"

namespace chorus::server::chat {
namespace {

using cluster::redis_reply;

// KEYS: the room's stream, the id counter. ARGV: per_room, username, message, timestamp, unix_ms.
// One script, so an id is never taken without its message being stored, nor the other way round.
constexpr const char* append_script = R"(
local id = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
           'id', id, 'u', ARGV[2], 'm', ARGV[3], 't', ARGV[4], 'ms', ARGV[5])
return id
)";

std::int64_t unix_ms_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t to_int(const std::string& text) {
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return 0;
  }
}

// One XREVRANGE entry, [stream id, [field, value, ...]], as a message; nullptr if it is not one.
message_ptr parse_entry(const redis_reply& entry, std::string_view room) {
  using kind = redis_reply::kind;
  if (entry.type != kind::array || entry.elements.size() != 2) return nullptr;
  const redis_reply& fields = entry.elements[1];
  if (fields.type != kind::array) return nullptr;
  auto row = std::make_shared<stored_message>();
  row->room = std::string(room);
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const std::string& name = fields.elements[i].str;
    const std::string& value = fields.elements[i + 1].str;
    if (name == "id")
      row->id = to_int(value);
    else if (name == "u")
      row->username = value;
    else if (name == "m")
      row->message = value;
    else if (name == "t")
      row->timestamp = value;
    else if (name == "ms")
      row->unix_ms = to_int(value);
  }
  return row->id > 0 ? row : nullptr;
}

}  // namespace

redis_history::redis_history(chat_redis_link& link, redis_history_options options)
    : link_(link), options_(std::move(options)) {
  options_.per_room = std::max<std::size_t>(options_.per_room, 1);
}

bool redis_history::add(std::string_view room, std::string_view username, std::string_view message,
                        std::string_view timestamp, stored_callback on_stored) {
  if (!link_.up()) return false;
  std::vector<std::string> argv{"EVAL",
                                append_script,
                                "2",
                                keys::history(options_.key, room),
                                keys::message_id(options_.key),
                                std::to_string(options_.per_room),
                                std::string(username),
                                std::string(message),
                                std::string(timestamp),
                                std::to_string(unix_ms_now())};
  return link_.call(std::move(argv), [on_stored = std::move(on_stored)](redis_reply reply) {
    bool stored = reply.type == redis_reply::kind::integer && reply.integer > 0;
    if (!stored) spdlog::error("chat history: message not stored: {}", reply.str);
    if (on_stored) on_stored(stored ? reply.integer : 0, stored);
  });
}

history::recent_result redis_history::recent(std::string_view room, loaded_callback on_loaded) {
  if (!link_.up()) return {lookup::busy, {}};
  std::vector<std::string> argv{"XREVRANGE", keys::history(options_.key, room), "+", "-",
                                "COUNT",     std::to_string(options_.per_room)};
  bool sent = link_.call(std::move(argv), [room = std::string(room),
                                           on_loaded = std::move(on_loaded)](redis_reply reply) {
    if (reply.type != redis_reply::kind::array) {
      spdlog::error("chat history: cannot load room: {}", reply.str);
      return on_loaded(std::nullopt);
    }
    std::vector<message_ptr> messages;
    for (const redis_reply& entry : reply.elements)
      if (auto row = parse_entry(entry, room)) messages.push_back(std::move(row));
    std::reverse(messages.begin(), messages.end());  // newest first from Redis; oldest first here
    on_loaded(std::move(messages));
  });
  return {sent ? lookup::loading : lookup::busy, {}};
}

}  // namespace chorus::server::chat
