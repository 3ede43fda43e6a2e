#include "server/chat/redis_presence.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <future>
#include <random>
#include <vector>

#include "server/chat/chat_keys.hpp"
#include "server/chat/cluster_roster.hpp"

namespace chorus::server::chat {
namespace {

using cluster::redis_reply;

// KEYS: the room's hash, the version counter. ARGV: op (enter, leave, users), node id, username,
// node key prefix, node TTL (ms). Returns {version, {username, ...}} of live nodes' fields.
constexpr const char* room_script_text = R"(
local room, vkey = KEYS[1], KEYS[2]
local op, node, user, nodes, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
redis.call('SET', nodes .. node, '1', 'PX', ttl)
local changed = false
if op ~= 'users' then
  local field = node .. ':' .. user
  if op == 'enter' then
    redis.call('HINCRBY', room, field, 1)
    changed = true
  else
    local n = tonumber(redis.call('HGET', room, field) or '0')
    if n > 1 then
      redis.call('HINCRBY', room, field, -1)
      changed = true
    elseif n == 1 then
      redis.call('HDEL', room, field)
      changed = true
    end
  end
end
local alive, seen, names = {}, {}, {}
local all = redis.call('HGETALL', room)
for i = 1, #all, 2 do
  local f = all[i]
  local sep = string.find(f, ':', 1, true)
  if sep then
    local owner = string.sub(f, 1, sep - 1)
    if alive[owner] == nil then alive[owner] = redis.call('EXISTS', nodes .. owner) == 1 end
    if alive[owner] then
      local name = string.sub(f, sep + 1)
      if not seen[name] then
        seen[name] = true
        names[#names + 1] = name
      end
    else
      redis.call('HDEL', room, f)
      changed = true
    end
  end
end
local version
if changed then
  version = redis.call('INCR', vkey)
  if #names == 0 then redis.call('DEL', room) else redis.call('HSET', room, 'v', version) end
else
  version = tonumber(redis.call('HGET', room, 'v') or '0')
end
return {version, names}
)";

// KEYS: the user's hash. ARGV: op (in, out, check), node id, node key prefix, node TTL (ms).
// check: 1 when a live node has a socket signed in under the name.
constexpr const char* user_script_text = R"(
local key = KEYS[1]
local op, node, nodes, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if op == 'in' then
  redis.call('SET', nodes .. node, '1', 'PX', ttl)
  redis.call('HINCRBY', key, node, 1)
  return 1
end
if op == 'out' then
  local n = tonumber(redis.call('HGET', key, node) or '0')
  if n > 1 then redis.call('HINCRBY', key, node, -1) elseif n == 1 then redis.call('HDEL', key, node) end
  return 1
end
local online = 0
for _, owner in ipairs(redis.call('HKEYS', key)) do
  if redis.call('EXISTS', nodes .. owner) == 1 then online = 1 else redis.call('HDEL', key, owner) end
end
return online
)";

// KEYS: the room's hash, the version counter. ARGV: node id, then username, count pairs: this
// node's fields of the room become exactly these (none: the node has left the room).
constexpr const char* resync_room_script_text = R"(
local room, vkey = KEYS[1], KEYS[2]
local mine = ARGV[1] .. ':'
for _, f in ipairs(redis.call('HKEYS', room)) do
  if string.sub(f, 1, #mine) == mine then redis.call('HDEL', room, f) end
end
for i = 2, #ARGV - 1, 2 do redis.call('HSET', room, mine .. ARGV[i], ARGV[i + 1]) end
local version = redis.call('INCR', vkey)
redis.call('HDEL', room, 'v')
if redis.call('HLEN', room) == 0 then redis.call('DEL', room) else redis.call('HSET', room, 'v', version) end
return version
)";

// 16 hex digits: no ':' in it, which separates the node from the username in a room's fields.
std::string random_node_id() {
  std::mt19937_64 generator{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t bits = generator();
  for (char& c : id) {
    c = digits[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

template <class Callback, class Value>
void post_result(const asio::any_io_executor& where, Callback done, Value value) {
  asio::post(where, [done = std::move(done), value = std::move(value)]() mutable {
    done(std::move(value));
  });
}

}  // namespace

redis_presence::redis_presence(chat_redis_link& link, redis_presence_options options)
    : link_(link),
      options_(std::move(options)),
      node_id_(random_node_id()),
      node_key_(keys::node_prefix(options_.key) + node_id_),
      local_(options_.max_listed) {}

void redis_presence::start() {
  link_.on_reconnected([this] { resync(); });
  // Refreshed every third of its TTL: two refreshes may fail before the node counts as dead.
  link_.repeat({"SET", node_key_, "1", "PX", std::to_string(options_.node_ttl.count())},
               options_.node_ttl / 3);
}

void redis_presence::close(std::chrono::milliseconds limit) {
  if (closed_.exchange(true)) return;
  link_.stop_repeating();
  auto deleted = std::make_shared<std::promise<void>>();
  auto done = deleted->get_future();
  if (!link_.call({"DEL", node_key_}, [deleted](redis_reply) { deleted->set_value(); })) return;
  done.wait_for(limit);
}

void redis_presence::room_script(asio::any_io_executor where, const char* op,
                                 const std::string& room, const std::string& username,
                                 roster_callback done) {
  std::vector<std::string> argv{"EVAL",
                                room_script_text,
                                "2",
                                keys::room_presence(options_.key, room),
                                keys::presence_version(options_.key),
                                op,
                                node_id_,
                                username,
                                keys::node_prefix(options_.key),
                                std::to_string(options_.node_ttl.count())};
  // Failures are logged at debug level only: the connection logs Redis going away once, and
  // every join and leave failing meanwhile would flood the log.
  auto shared_done = std::make_shared<roster_callback>(std::move(done));
  bool changes = std::string_view(op) != "users";
  bool sent = link_.call(std::move(argv), [this, where, shared_done, changes, room,
                                           max = options_.max_listed](redis_reply reply) {
    auto roster = roster_from_reply(reply, max);
    if (!roster) {
      spdlog::debug("chat presence: no roster: {}", reply.str);
      if (changes) mark_dirty_room(room);
    }
    post_result(where, std::move(*shared_done), std::move(roster));
  });
  if (!sent) {
    if (changes) mark_dirty_room(room);
    post_result(where, std::move(*shared_done), std::optional<presence::roster>());
  }
}

void redis_presence::user_script(const char* op, const std::string& username,
                                 chat_redis_link::reply_callback done) {
  std::vector<std::string> argv{"EVAL",
                                user_script_text,
                                "1",
                                keys::user_presence(options_.key, username),
                                op,
                                node_id_,
                                keys::node_prefix(options_.key),
                                std::to_string(options_.node_ttl.count())};
  if (!link_.call(std::move(argv), done)) done(redis_reply::error("redis: too many commands"));
}

void redis_presence::enter(asio::any_io_executor where, std::string room, std::string username,
                           roster_callback done) {
  std::lock_guard order(order_mutex_);
  local_.enter(room, username);
  room_script(std::move(where), "enter", room, username, std::move(done));
}

void redis_presence::leave(asio::any_io_executor where, std::string room, std::string username,
                           roster_callback done) {
  std::lock_guard order(order_mutex_);
  local_.leave(room, username);
  room_script(std::move(where), "leave", room, username, std::move(done));
}

void redis_presence::users(asio::any_io_executor where, std::string room, roster_callback done) {
  room_script(std::move(where), "users", room, {}, std::move(done));
}

void redis_presence::sign_in(asio::any_io_executor where, std::string username,
                             done_callback done) {
  std::lock_guard order(order_mutex_);
  local_.sign_in(username);
  share("in", std::move(where), username, std::move(done));
}

void redis_presence::sign_out(asio::any_io_executor where, std::string username,
                              done_callback done) {
  std::lock_guard order(order_mutex_);
  local_.sign_out(username);
  share("out", std::move(where), username, std::move(done));
}

void redis_presence::share(const char* op, asio::any_io_executor where, const std::string& username,
                           done_callback done) {
  user_script(op, username,
              [this, op, where, username, done = std::move(done)](redis_reply reply) mutable {
                if (reply.is_error()) {
                  spdlog::debug("chat presence: sign-{} not shared: {}", op, reply.str);
                  mark_dirty_user(username);
                }
                post_result(where, std::move(done), !reply.is_error());
              });
}

void redis_presence::mark_dirty_room(const std::string& room) {
  std::lock_guard lock(dirty_mutex_);
  dirty_rooms_.insert(room);
}

void redis_presence::mark_dirty_user(const std::string& username) {
  std::lock_guard lock(dirty_mutex_);
  dirty_users_.insert(username);
}

void redis_presence::resync() {
  if (closed_.load()) return;
  std::set<std::string, std::less<>> rooms, users;
  {
    std::lock_guard lock(dirty_mutex_);
    rooms.swap(dirty_rooms_);
    users.swap(dirty_users_);
  }
  std::lock_guard order(order_mutex_);
  for (auto& room : local_.room_names()) rooms.insert(std::move(room));
  for (auto& user : local_.signed_in_names()) users.insert(std::move(user));
  auto ignore = [](redis_reply) {};
  link_.call({"SET", node_key_, "1", "PX", std::to_string(options_.node_ttl.count())}, ignore);
  std::size_t refused = 0;
  for (const auto& room : rooms) {
    std::vector<std::string> argv{"EVAL",
                                  resync_room_script_text,
                                  "2",
                                  keys::room_presence(options_.key, room),
                                  keys::presence_version(options_.key),
                                  node_id_};
    for (const auto& [name, count] : local_.room_counts(room)) {
      argv.push_back(name);
      argv.push_back(std::to_string(count));
    }
    auto again = [this, room](redis_reply reply) {
      if (reply.is_error()) mark_dirty_room(room);
    };
    if (!link_.call(std::move(argv), again)) {
      mark_dirty_room(room);
      ++refused;
    }
  }
  for (const auto& user : users) {
    std::size_t count = local_.signed_in_count(user);
    std::vector<std::string> argv =
        count == 0
            ? std::vector<std::string>{"HDEL", keys::user_presence(options_.key, user), node_id_}
            : std::vector<std::string>{"HSET", keys::user_presence(options_.key, user), node_id_,
                                       std::to_string(count)};
    auto again = [this, user](redis_reply reply) {
      if (reply.is_error()) mark_dirty_user(user);
    };
    if (!link_.call(std::move(argv), again)) {
      mark_dirty_user(user);
      ++refused;
    }
  }
  spdlog::info("chat presence: Redis is back: re-sent this node's {} rooms and {} users{}",
               rooms.size(), users.size(),
               refused ? fmt::format(" ({} refused: too many commands waiting)", refused) : "");
}

void redis_presence::online(asio::any_io_executor where, std::string username,
                            online_callback done) {
  // Signed in here: no need to ask.
  if (local_.online(username)) return done(true);
  user_script("check", username, [where, done = std::move(done)](redis_reply reply) mutable {
    std::optional<bool> online;
    if (reply.type == redis_reply::kind::integer) online = reply.integer == 1;
    post_result(where, std::move(done), online);
  });
}

}  // namespace chorus::server::chat
