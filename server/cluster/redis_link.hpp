#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/asio.hpp"
#include "server/cluster/redis_connection.hpp"
#include "server/cluster/redis_url.hpp"
#include "server/metrics/exposition.hpp"

namespace chorus::server::cluster {

// A cluster question that got no full answer: Redis is down, or a node did not answer in time.
struct cluster_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What /metrics shows of the cluster link. Written on the link thread, read by scrapes.
struct cluster_counters {
  std::atomic<bool> up{false};
  std::atomic<std::uint64_t> published{0};         // broadcasts and requests handed to Redis
  std::atomic<std::uint64_t> received{0};          // broadcasts from other nodes delivered here
  std::atomic<std::uint64_t> dropped{0};           // not published: the link was down or backed up
  std::atomic<std::uint64_t> malformed{0};         // channel messages that could not be decoded
  std::atomic<std::uint64_t> requests{0};          // cluster requests this node asked
  std::atomic<std::uint64_t> request_failures{0};  // of which timed out or found Redis down
  std::atomic<std::uint64_t> request_micros{0};    // their total latency
};

// Which Redis Pub/Sub a cluster adapter speaks: classic (PUBLISH, PUBSUB NUMSUB) or sharded
// (SPUBLISH, PUBSUB SHARDNUMSUB; Redis >= 7).
struct redis_pubsub_verbs {
  std::string_view publish;
  std::string_view numsub;
};
inline constexpr redis_pubsub_verbs classic_pubsub{"PUBLISH", "NUMSUB"};
inline constexpr redis_pubsub_verbs sharded_pubsub{"SPUBLISH", "SHARDNUMSUB"};

// The link of a node to the cluster: one thread of its own running two Redis connections
// (publish/commands and subscriptions; a stream reader too for --redis-mode streams), so no
// shard ever waits on Redis. Everything but the
// constructor, the destructor, counters() and append_metrics() runs on that thread
// (executor()).
class redis_link {
 public:
  redis_link(redis_endpoint endpoint, redis_pubsub_verbs verbs);
  ~redis_link() { stop(); }

  // Stops both connections and joins the thread (idempotent). An adapter calls it first thing
  // in its destructor: nothing of it runs on the link thread afterwards.
  void stop();

  // Subscribe before start(); `on_message` gets every delivery. Starts the thread.
  void start(std::function<void(std::string_view channel, std::string_view payload)> on_message);

  asio::any_io_executor executor() { return context_.get_executor(); }
  void subscribe(subscription_kind kind, std::string channel);
  void unsubscribe(subscription_kind kind, std::string channel);

  // Fire-and-forget; false (and counted as dropped) when the link is down or backed up.
  bool publish(std::string_view channel, std::string_view payload);
  // Another command on the publishing connection (XADD), queued and counted as publish(); its
  // reply (or the error that replaces it) goes to `on_reply`, if any, on the link thread.
  bool send(std::span<const std::string_view> argv,
            std::function<void(const redis_reply& reply)> on_reply);
  // A connection of its own for commands that block (XREAD BLOCK), which would hold up every
  // publish queued behind them: opened before start(), then started, stopped and counted in
  // chorus_cluster_redis_up with the other two.
  std::shared_ptr<redis_connection> open_reader(std::string name);
  // A command on the publishing connection whose reply is awaited (GETDEL, XRANGE): as
  // redis_connection::command, an error reply for any trouble, never an exception.
  awaitable<redis_reply> command(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
    return publisher_->command(std::move(argv), timeout);
  }
  // How many subscribers `channel` has (PUBSUB NUMSUB / SHARDNUMSUB); throws cluster_error.
  awaitable<std::size_t> count_subscribers(std::string channel, std::chrono::milliseconds timeout);

  // Counts a message that could not be decoded; logs at most one line a second.
  void note_malformed(std::string_view what, std::string_view error);
  // A request this node asked, its latency, and whether it got every answer.
  void note_request(std::chrono::steady_clock::duration took, bool failed);
  void note_received() { counters_.received.fetch_add(1, std::memory_order_relaxed); }

  const cluster_counters& counters() const { return counters_; }
  void append_metrics(std::vector<metrics::family>& families) const;

  // Runs a link-thread coroutine from any executor and hands back its result there.
  template <class T>
  awaitable<T> run(awaitable<T> work) {
    auto running = asio::co_spawn(executor(), std::move(work), asio::use_awaitable);
    co_return co_await std::move(running);
  }

 private:
  redis_pubsub_verbs verbs_;
  cluster_counters counters_;
  asio::io_context context_{1};
  void note_state();

  redis_endpoint endpoint_;
  std::shared_ptr<redis_connection> publisher_;
  std::shared_ptr<redis_connection> subscriber_;
  std::vector<std::shared_ptr<redis_connection>> readers_;
  std::chrono::steady_clock::time_point last_malformed_log_{};
  std::thread thread_;
};

}  // namespace chorus::server::cluster
