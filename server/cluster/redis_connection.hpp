#pragma once

// One TCP connection to Redis, driven from Asio.
//
// Why not hiredis's async context (redisAsyncContext and an event-loop adapter): Debian 12
// ships hiredis 0.14.1, whose async context asserts on sharded pub/sub (SSUBSCRIBE deliveries
// arrive as spontaneous "smessage" replies it does not expect) and has no timer hooks, so no
// connect or reply timeouts. Here Asio owns the socket, the timers and the reconnects, and
// hiredis is only the codec (redis_codec.hpp: its reply reader and command formatter).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/asio.hpp"
#include "server/cluster/redis_codec.hpp"
#include "server/cluster/redis_reply.hpp"
#include "server/cluster/redis_url.hpp"
#include "server/metrics/owned_counter.hpp"
#include "server/wakeup.hpp"

namespace chorus::server::cluster {

enum class subscription_kind { subscribe, psubscribe, ssubscribe };

// Every method, and every callback, runs on the executor given to create() (one thread): the
// connection has no lock. Only up() and stats() may be read from other threads.
//
// A connection is either a command connection (send(), command()) or a subscriber connection
// (subscribe()), never both: in RESP2 a subscribed connection takes no other commands, and its
// replies could not be told apart from message deliveries. The first call decides; mixing them
// afterwards throws std::logic_error (a bug in the caller).
//
// Lifetime: start() keeps the connection alive (its coroutines hold it) until stop(). Callbacks
// can fire up to and during stop(): clear them first if what they capture goes away.
//
// Memory: the output buffer (max_output_bytes, plus one write in flight), the reader's limits,
// one entry per reply still to come.
class redis_connection : public std::enable_shared_from_this<redis_connection> {
 public:
  struct options {
    redis_endpoint endpoint;
    // Resolve, connect, AUTH, SELECT and re-subscribing, together.
    std::chrono::milliseconds connect_timeout{2000};
    // Between attempts: doubles from initial to max; back to initial once up.
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    // Commands not yet written; past it send() refuses (and counts a drop).
    std::size_t max_output_bytes = 64 * 1024 * 1024;
    redis_reader_limits reader_limits;
    std::string name = "redis";  // in log lines
  };

  // Written on the connection's thread, readable anywhere.
  struct counters {
    metrics::owned_counter published;     // send() accepted
    metrics::owned_counter dropped;       // send() refused: down, or the output buffer full
    metrics::owned_counter reply_errors;  // error replies from Redis, to any command
    metrics::owned_counter writes;        // socket writes (each carries every queued command)
  };

  static std::shared_ptr<redis_connection> create(asio::any_io_executor executor, options opts);

  // Connects, AUTHs (user and password, or password alone), SELECTs the db, PINGs, re-sends
  // every remembered subscription and, once Redis has confirmed them, reports up. On any error
  // or EOF: reports down (if it was up), fails every pending command, and tries again with
  // backoff until stop(). Logs once per change of state, not per attempt.
  void start();
  // Closes the link for good. Pending command() calls complete with "redis: stopped"; output not
  // yet written is dropped. on_state(false) is called if it was up.
  void stop();

  // Connected, authenticated, and (for a subscriber) every subscription confirmed.
  bool up() const { return up_.load(std::memory_order_relaxed); }
  const counters& stats() const { return counters_; }
  const options& config() const { return options_; }

  // Called when the link goes up (true) or down (false).
  std::function<void(bool up)> on_state;
  // A delivery to a subscription: message, pmessage (the channel, not the pattern), smessage.
  std::function<void(std::string_view channel, std::string_view payload)> on_message;

  // Fire-and-forget (PUBLISH, SPUBLISH): queued, and every command queued during one turn of
  // the event loop goes out in one socket write. Its reply is read and discarded (an error
  // reply is counted and logged). false when the link is not up or the output buffer is full:
  // the caller counts a drop.
  bool send(std::span<const std::string_view> argv);
  bool send(std::initializer_list<std::string_view> argv) {
    return send(std::span<const std::string_view>(argv.begin(), argv.size()));
  }
  // The same, handing the reply to `on_reply` (XADD's entry id) when it comes, or an error reply
  // as command() gives them when the connection is lost or stopped first. An empty `on_reply`:
  // the reply is discarded, as above.
  bool send(std::span<const std::string_view> argv,
            std::function<void(const redis_reply& reply)> on_reply);

  // A command whose reply is awaited (PING, PUBSUB NUMSUB, XADD…); replies match commands in
  // order. Never throws for Redis trouble: completes with an error reply instead —
  // "redis: not connected", "redis: timed out after 5000 ms", "redis: connection lost (…)",
  // "redis: stopped", "redis: output buffer full", "redis: cancelled" (the awaiting coroutine
  // was), or Redis's own error. A reply that arrives after its timeout is dropped.
  awaitable<redis_reply> command(std::vector<std::string> argv, std::chrono::milliseconds timeout);

  // Remembered (a set; subscribing twice is once) and sent now if connected; re-sent on every
  // reconnect. Deliveries come to on_message.
  void subscribe(subscription_kind kind, std::string channel);
  void unsubscribe(subscription_kind kind, std::string channel);

  ~redis_connection();

 private:
  enum class phase { disconnected, connecting, subscribing, up };
  enum class role { undecided, commands, subscriptions };

  // A reply slot shared with a suspended command(): the reply, or its timer cancelled to wake it.
  struct reply_slot {
    explicit reply_slot(asio::any_io_executor executor) : timer(std::move(executor)) {}
    asio::steady_timer timer;
    std::optional<redis_reply> reply;
    bool abandoned = false;  // timed out or cancelled: the reply, when it comes, is dropped
  };
  // A command written (or queued) whose reply is still to come, in order.
  struct pending_reply {
    enum class kind { discard, awaited, handshake, handed };
    kind type = kind::discard;
    std::shared_ptr<reply_slot> slot;                  // awaited
    const char* what = nullptr;                        // handshake: the command's name, for the log
    std::function<void(const redis_reply&)> on_reply;  // handed
  };

  redis_connection(asio::any_io_executor executor, options opts);

  awaitable<void> run(std::shared_ptr<redis_connection> self);
  awaitable<void> session(std::shared_ptr<redis_connection> self);
  awaitable<void> read_loop(std::shared_ptr<redis_connection> self);
  awaitable<void> write_loop(std::shared_ptr<redis_connection> self);
  void end_session(std::string reason);

  void queue(std::span<const std::string_view> argv);
  void queue_handshake(std::span<const std::string_view> argv, const char* what);
  void queue_subscription(subscription_kind kind, std::string_view channel, bool subscribe);
  void handshake_done();
  void confirmed_one();
  void become_up();
  void fail_pending(const std::string& message);
  void take_role(role wanted);

  void dispatch(redis_reply reply);
  bool dispatch_pubsub(redis_reply& reply);
  void count_error(const redis_reply& reply, std::string_view context);

  asio::any_io_executor executor_;
  options options_;
  tcp::socket socket_;
  tcp::resolver resolver_;
  asio::steady_timer watchdog_;  // bounds a connection attempt
  asio::steady_timer backoff_;
  wakeup writer_wake_;

  std::string output_;  // commands queued, not yet handed to a write
  std::deque<pending_reply> pending_;
  std::unique_ptr<redis_reader> reader_;
  std::set<std::pair<subscription_kind, std::string>> subscriptions_;
  std::size_t confirmations_left_ = 0;  // re-subscriptions Redis has yet to confirm

  phase phase_ = phase::disconnected;
  role role_ = role::undecided;
  bool started_ = false;
  bool stopped_ = false;
  bool session_open_ = false;
  std::uint64_t session_ = 0;
  bool was_up_ = false;           // the attempt that just ended was up: the backoff starts over
  std::string last_failure_;      // logged once until it changes
  std::string last_reply_error_;  // the same for error replies
  std::atomic<bool> up_{false};
  counters counters_;
};

}  // namespace chorus::server::cluster
