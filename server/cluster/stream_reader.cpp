#include "server/cluster/stream_reader.hpp"

#include "server/cluster/redis_connection.hpp"
#include "server/cluster/redis_link.hpp"

namespace chorus::server::cluster {

namespace {

bool is_string(const redis_reply& reply) {
  return reply.type == redis_reply::kind::string;
}

// [id, [field, value, …]]
std::optional<stream_entry> entry_of(const redis_reply& reply) {
  if (reply.type != redis_reply::kind::array || reply.elements.size() != 2 ||
      !is_string(reply.elements[0]))
    return std::nullopt;
  const redis_reply& values = reply.elements[1];
  stream_entry entry;
  entry.id = reply.elements[0].str;
  if (values.type == redis_reply::kind::nil) return entry;  // an entry deleted since
  if (values.type != redis_reply::kind::array || values.elements.size() % 2 != 0)
    return std::nullopt;
  for (std::size_t i = 0; i < values.elements.size(); i += 2) {
    if (!is_string(values.elements[i]) || !is_string(values.elements[i + 1])) return std::nullopt;
    entry.fields.emplace_back(values.elements[i].str, values.elements[i + 1].str);
  }
  return entry;
}

// The client pauses between attempts while Redis is away, or refuses the read.
constexpr std::chrono::milliseconds retry_pause{100};
constexpr std::chrono::milliseconds refused_pause{1000};
// An XREAD answers within its BLOCK time; past this much more, the connection is stuck.
constexpr std::chrono::milliseconds reply_margin{5000};

}  // namespace

std::optional<std::vector<stream_entry>> xrange_entries(const redis_reply& reply) {
  if (reply.type != redis_reply::kind::array) return std::nullopt;
  std::vector<stream_entry> entries;
  entries.reserve(reply.elements.size());
  for (const redis_reply& element : reply.elements) {
    auto entry = entry_of(element);
    if (!entry) return std::nullopt;
    entries.push_back(std::move(*entry));
  }
  return entries;
}

std::optional<std::vector<stream_entry>> xread_entries(const redis_reply& reply) {
  if (reply.type == redis_reply::kind::nil) return std::vector<stream_entry>{};
  // [[stream, [entry, …]]]
  if (reply.type != redis_reply::kind::array || reply.elements.size() != 1) return std::nullopt;
  const redis_reply& stream = reply.elements[0];
  if (stream.type != redis_reply::kind::array || stream.elements.size() != 2 ||
      !is_string(stream.elements[0]))
    return std::nullopt;
  return xrange_entries(stream.elements[1]);
}

stream_reader::stream_reader(redis_link& link, std::string stream, entry_handler on_entry,
                             std::function<void()> on_ready)
    : link_(link),
      connection_(link.open_reader("redis stream reader")),
      stream_(std::move(stream)),
      on_entry_(std::move(on_entry)),
      on_ready_(std::move(on_ready)) {
  asio::co_spawn(link_.executor(), run(), log_exceptions{"redis stream reader"});
}

awaitable<void> stream_reader::pause(std::chrono::milliseconds how_long) {
  asio::steady_timer timer(link_.executor(), how_long);
  co_await timer.async_wait(use_nothrow_awaitable);
}

// The id of the stream's last entry ("0-0" when it has none); false while Redis cannot say.
awaitable<bool> stream_reader::find_end() {
  auto asked = connection_->command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"}, reply_margin);
  redis_reply reply = co_await std::move(asked);
  if (reply.is_error()) co_return false;
  auto entries = xrange_entries(reply);
  if (!entries) {
    link_.note_malformed("XREVRANGE reply", "not a list of entries");
    co_return false;
  }
  last_id_ = entries->empty() ? "0-0" : entries->front().id;
  co_return true;
}

awaitable<void> stream_reader::run() {
  while (last_id_.empty()) {
    auto found = find_end();
    if (co_await std::move(found)) break;
    co_await pause(retry_pause);
  }
  if (on_ready_) on_ready_();
  const std::string block = std::to_string(block_time.count());
  const std::string count = std::to_string(read_count);
  for (;;) {
    auto asked = connection_->command(
        {"XREAD", "BLOCK", block, "COUNT", count, "STREAMS", stream_, last_id_},
        block_time + reply_margin);
    redis_reply reply = co_await std::move(asked);
    if (reply.is_error()) {
      if (reply.str == "redis: stopped") co_return;
      // Not connected (yet, or again): try again shortly. Refused by Redis (the key holds
      // something else than a stream): logged by the connection, tried again later.
      co_await pause(reply.str.starts_with("redis: ") ? retry_pause : refused_pause);
      continue;
    }
    auto entries = xread_entries(reply);
    if (!entries) {
      link_.note_malformed("XREAD reply", "not a list of entries");
      co_await pause(refused_pause);
      continue;
    }
    for (const stream_entry& entry : *entries) {
      last_id_ = entry.id;
      on_entry_(entry);
    }
  }
}

}  // namespace chorus::server::cluster
