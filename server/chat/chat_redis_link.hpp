#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/asio.hpp"
#include "server/cluster/redis_connection.hpp"
#include "server/cluster/redis_reply.hpp"
#include "server/cluster/redis_url.hpp"

namespace chorus::server::chat {

struct chat_redis_options {
  cluster::redis_endpoint endpoint;
  std::chrono::milliseconds command_timeout{2000};  // per command; its callback then gets an error
  std::size_t max_in_flight = 10000;  // commands sent and not yet answered; past it call() refuses
};

// The chat's own command connection to Redis (not the adapter's), on a thread and io_context of
// its own, so that shard threads never wait for Redis: they hand a command over with call() and
// get the reply on the link thread, which they post back to their shard.
//
// Commands go out in the order call() was made from one thread, on one connection, so Redis
// runs them in that order: a write made before a read is seen by it.
class chat_redis_link {
 public:
  using reply_callback = std::function<void(cluster::redis_reply)>;

  explicit chat_redis_link(chat_redis_options options);
  // close()
  ~chat_redis_link();
  chat_redis_link(const chat_redis_link&) = delete;
  chat_redis_link& operator=(const chat_redis_link&) = delete;

  // Waits (at most `limit`) for the link to be up; false if it is not. For start-up only.
  bool wait_up(std::chrono::milliseconds limit) const;
  bool up() const { return connection_->up(); }

  // Sends a command from any thread; `done` runs once on the link thread with the reply, or an
  // error reply ("redis: not connected", "redis: timed out…"). false, and `done` never runs, when
  // max_in_flight commands are unanswered or the link is closed.
  bool call(std::vector<std::string> argv, reply_callback done);

  // Sends `argv` now and every `period` until stop_repeating() or close() (a key's TTL kept
  // fresh). A failure is logged once until it succeeds again. One repeated command at a time.
  void repeat(std::vector<std::string> argv, std::chrono::milliseconds period);
  // Once this returns, the repeated command is never sent again: a command called after it
  // (e.g. deleting that key) is not undone.
  void stop_repeating();

  // `reconnected` runs on the link thread each time the link is up again after it was lost
  // (Redis restarted, or the network between): what Redis had may be gone, or stale.
  void on_reconnected(std::function<void()> reconnected);

  // Stops the connection (pending commands get "redis: stopped") and joins the thread.
  // Idempotent.
  void close();

 private:
  void send_repeated();         // link thread
  void on_link_state(bool up);  // link thread

  static awaitable<void> run_command(chat_redis_link* link, std::vector<std::string> argv,
                                     reply_callback done);

  chat_redis_options options_;
  asio::io_context context_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::shared_ptr<cluster::redis_connection> connection_;
  // The repeated command (link thread only).
  std::vector<std::string> repeated_;
  std::chrono::milliseconds period_{0};
  std::unique_ptr<asio::steady_timer> repeat_timer_;
  bool repeat_failing_ = false;
  bool was_up_ = false;                // link thread
  std::function<void()> reconnected_;  // link thread
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<bool> closed_{false};
  std::thread thread_;
  std::once_flag close_once_;
};

}  // namespace chorus::server::chat
