#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/asio.hpp"
#include "server/cluster/redis_reply.hpp"

namespace chorus::server::cluster {

class redis_link;
class redis_connection;

// One entry of a Redis stream: its id ("<ms>-<seq>") and field-value pairs, in order.
struct stream_entry {
  std::string id;
  std::vector<std::pair<std::string_view, std::string_view>> fields;  // into the reply
};

// The entries of an XREAD reply for one stream (nil: none, the BLOCK timed out) or of an
// XRANGE / XREVRANGE reply, pointing into `reply`. nullopt when the reply has another shape.
std::optional<std::vector<stream_entry>> xread_entries(const redis_reply& reply);
std::optional<std::vector<stream_entry>> xrange_entries(const redis_reply& reply);

// Reads one stream from where it ends, as @socket.io/redis-streams-adapter's startPolling does:
// `XREAD BLOCK 5000 COUNT 100 STREAMS <stream> <last id>` on a connection of its own, again and
// again, each entry handed to `on_entry` in order (link thread). Where it starts: the id of the
// stream's last entry when the connection first comes up (XREVRANGE … COUNT 1; what `$` would
// mean, but fixed, so that an entry added before the first XREAD blocks is still read); then
// `on_ready` is called once. After a lost connection it goes on from the last id it read.
class stream_reader {
 public:
  using entry_handler = std::function<void(const stream_entry& entry)>;

  // Opens its connection on `link` (before link.start()); reads once the link runs.
  stream_reader(redis_link& link, std::string stream, entry_handler on_entry,
                std::function<void()> on_ready);

  static constexpr std::chrono::milliseconds block_time{5000};
  static constexpr int read_count = 100;

 private:
  awaitable<void> run();
  awaitable<bool> find_end();
  awaitable<void> pause(std::chrono::milliseconds how_long);

  redis_link& link_;
  std::shared_ptr<redis_connection> connection_;
  std::string stream_;
  entry_handler on_entry_;
  std::function<void()> on_ready_;
  std::string last_id_;
};

}  // namespace chorus::server::cluster
