#include "server/cluster/redis_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

namespace chorus::server::cluster {

using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t read_chunk = 64 * 1024;

std::string_view subscribe_verb(subscription_kind kind, bool subscribe) {
  switch (kind) {
    case subscription_kind::subscribe:
      return subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE";
    case subscription_kind::psubscribe:
      return subscribe ? "PSUBSCRIBE" : "PUNSUBSCRIBE";
    case subscription_kind::ssubscribe:
      return subscribe ? "SSUBSCRIBE" : "SUNSUBSCRIBE";
  }
  return {};
}

bool is_string(const redis_reply& reply) {
  return reply.type == redis_reply::kind::string;
}

}  // namespace

std::shared_ptr<redis_connection> redis_connection::create(asio::any_io_executor executor,
                                                           options opts) {
  return std::shared_ptr<redis_connection>(
      new redis_connection(std::move(executor), std::move(opts)));
}

redis_connection::redis_connection(asio::any_io_executor executor, options opts)
    : executor_(executor),
      options_(std::move(opts)),
      socket_(executor),
      resolver_(executor),
      watchdog_(executor),
      backoff_(executor),
      writer_wake_(executor) {}

redis_connection::~redis_connection() = default;

void redis_connection::start() {
  if (started_) return;
  started_ = true;
  asio::co_spawn(executor_, run(shared_from_this()), log_exceptions{"redis connection"});
}

void redis_connection::stop() {
  if (stopped_) return;
  stopped_ = true;
  backoff_.cancel();
  end_session("stopped");
  if (started_) spdlog::info("redis {}: stopped", options_.name);
}

// --- the connection's life -----------------------------------------------------------------

awaitable<void> redis_connection::run(std::shared_ptr<redis_connection> self) {
  auto backoff = options_.initial_backoff;
  while (!stopped_) {
    co_await session(self);
    reader_.reset();
    if (stopped_) break;
    if (std::exchange(was_up_, false)) backoff = options_.initial_backoff;
    backoff_.expires_after(backoff);
    co_await backoff_.async_wait(use_nothrow_awaitable);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

// One attempt: connect, then read and write until end_session().
awaitable<void> redis_connection::session(std::shared_ptr<redis_connection> self) {
  const auto& endpoint = options_.endpoint;
  session_open_ = true;
  std::uint64_t session = ++session_;
  phase_ = phase::connecting;
  watchdog_.expires_after(options_.connect_timeout);
  watchdog_.async_wait([self, session](boost::system::error_code ec) {
    if (ec || session != self->session_ || self->phase_ == phase::up) return;
    self->end_session(
        fmt::format("timed out after {} ms connecting", self->options_.connect_timeout.count()));
  });

  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) {
    std::tie(ec) = co_await socket_.async_connect(tcp::endpoint(address, endpoint.port),
                                                  use_nothrow_awaitable);
  } else {
    auto [resolve_error, results] = co_await resolver_.async_resolve(
        endpoint.host, std::to_string(endpoint.port), use_nothrow_awaitable);
    ec = resolve_error;
    if (!ec && session_open_) {
      std::tie(ec, std::ignore) =
          co_await asio::async_connect(socket_, results, use_nothrow_awaitable);
    }
  }
  if (!session_open_) co_return;
  if (ec) {
    end_session(fmt::format("connect: {}", ec.message()));
    co_return;
  }
  socket_.set_option(tcp::no_delay(true), ec);

  reader_ = std::make_unique<redis_reader>(options_.reader_limits);
  if (!endpoint.password.empty()) {
    if (endpoint.user.empty()) {
      queue_handshake(std::array<std::string_view, 2>{"AUTH", endpoint.password}, "AUTH");
    } else {
      queue_handshake(std::array<std::string_view, 3>{"AUTH", endpoint.user, endpoint.password},
                      "AUTH");
    }
  }
  std::string db = std::to_string(endpoint.db);
  if (endpoint.db != 0) queue_handshake(std::array<std::string_view, 2>{"SELECT", db}, "SELECT");
  // Last, and always: a server that wants a password refuses it with NOAUTH here, at connect
  // time, rather than on the first PUBLISH.
  queue_handshake(std::array<std::string_view, 1>{"PING"}, "PING");

  co_await (read_loop(self) && write_loop(self));
}

awaitable<void> redis_connection::read_loop(std::shared_ptr<redis_connection> self) {
  std::vector<char> buffer(read_chunk);
  while (session_open_) {
    auto [ec, size] = co_await socket_.async_read_some(asio::buffer(buffer), use_nothrow_awaitable);
    if (!session_open_) break;
    if (ec) {
      end_session(ec == asio::error::eof ? std::string("connection closed by the server")
                                         : fmt::format("read: {}", ec.message()));
      break;
    }
    if (!reader_->feed(buffer.data(), size)) {
      end_session(fmt::format("bad reply: {}", reader_->error()));
      break;
    }
    while (session_open_) {
      auto reply = reader_->next();
      if (!reply) {
        if (!reader_->error().empty()) end_session(fmt::format("bad reply: {}", reader_->error()));
        break;
      }
      dispatch(std::move(*reply));
    }
  }
}

// The only writer. Wakes when commands are queued; the wake-up runs after the handler that
// queued them, so everything queued in one turn of the event loop leaves in one write, and
// whatever is queued while a write is in flight leaves together in the next.
awaitable<void> redis_connection::write_loop(std::shared_ptr<redis_connection> self) {
  std::string writing;
  while (session_open_) {
    if (output_.empty()) {
      co_await writer_wake_.wait();
      continue;
    }
    writing.swap(output_);
    counters_.writes.add();
    auto [ec, size] =
        co_await asio::async_write(socket_, asio::buffer(writing), use_nothrow_awaitable);
    writing.clear();
    if (ec && session_open_) end_session(fmt::format("write: {}", ec.message()));
  }
}

// Ends the current attempt, once, whatever ended it (an error, a timeout, stop()): the link is
// down from here (send() refuses), what waits for a reply fails, what was queued is dropped,
// the socket closes (so the reader and writer finish), and a change of state is logged and
// reported.
void redis_connection::end_session(std::string reason) {
  if (!session_open_) return;
  session_open_ = false;
  bool was_up = phase_ == phase::up;
  was_up_ = was_up;
  phase_ = phase::disconnected;
  up_.store(false, std::memory_order_relaxed);
  watchdog_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  writer_wake_.notify();
  output_.clear();
  confirmations_left_ = 0;
  fail_pending(stopped_ ? std::string("redis: stopped")
                        : fmt::format("redis: connection lost ({})", reason));
  const auto url = to_log_string(options_.endpoint);
  if (stopped_) {
    // stop() logs.
  } else if (was_up) {
    spdlog::warn("redis {}: connection to {} lost ({}); reconnecting", options_.name, url, reason);
    last_failure_ = std::move(reason);
  } else if (reason != last_failure_) {
    spdlog::warn("redis {}: cannot connect to {}: {}; retrying", options_.name, url, reason);
    last_failure_ = std::move(reason);
  } else {
    spdlog::debug("redis {}: still cannot connect to {}: {}", options_.name, url, reason);
  }
  if (was_up && on_state) on_state(false);
}

// --- queueing ------------------------------------------------------------------------------

void redis_connection::queue(std::span<const std::string_view> argv) {
  append_redis_command(output_, argv);
  writer_wake_.notify();
}

void redis_connection::queue_handshake(std::span<const std::string_view> argv, const char* what) {
  queue(argv);
  pending_.push_back({pending_reply::kind::handshake, nullptr, what});
}

void redis_connection::queue_subscription(subscription_kind kind, std::string_view channel,
                                          bool subscribe) {
  queue(std::array<std::string_view, 2>{subscribe_verb(kind, subscribe), channel});
}

// AUTH, SELECT and PING answered: re-subscribe, and be up once Redis has confirmed it all.
void redis_connection::handshake_done() {
  phase_ = phase::subscribing;
  for (const auto& [kind, channel] : subscriptions_) queue_subscription(kind, channel, true);
  confirmations_left_ = subscriptions_.size();
  if (confirmations_left_ == 0) become_up();
}

void redis_connection::confirmed_one() {
  if (phase_ != phase::subscribing || confirmations_left_ == 0) return;
  if (--confirmations_left_ == 0) become_up();
}

void redis_connection::become_up() {
  watchdog_.cancel();
  phase_ = phase::up;
  up_.store(true, std::memory_order_relaxed);
  spdlog::info("redis {}: connected to {}{}", options_.name, to_log_string(options_.endpoint),
               subscriptions_.empty() ? std::string()
                                      : fmt::format(", {} subscriptions", subscriptions_.size()));
  last_failure_.clear();
  last_reply_error_.clear();
  if (on_state) on_state(true);
}

void redis_connection::fail_pending(const std::string& message) {
  // Moved out first: a woken command() runs later, but nothing here may re-enter pending_.
  auto failed = std::move(pending_);
  pending_.clear();
  for (auto& entry : failed) {
    if (entry.type == pending_reply::kind::handed) {
      entry.on_reply(redis_reply::error(message));
      continue;
    }
    if (entry.type != pending_reply::kind::awaited || entry.slot->abandoned) continue;
    entry.slot->reply = redis_reply::error(message);
    entry.slot->timer.cancel();
  }
}

void redis_connection::take_role(role wanted) {
  if (role_ == wanted) return;
  if (role_ != role::undecided) {
    throw std::logic_error(
        "redis_connection: a connection either subscribes or sends commands, not both (RESP2)");
  }
  role_ = wanted;
}

// --- the public operations -----------------------------------------------------------------

bool redis_connection::send(std::span<const std::string_view> argv) {
  take_role(role::commands);
  if (phase_ != phase::up || output_.size() >= options_.max_output_bytes) {
    counters_.dropped.add();
    return false;
  }
  queue(argv);
  pending_.push_back({});
  counters_.published.add();
  return true;
}

bool redis_connection::send(std::span<const std::string_view> argv,
                            std::function<void(const redis_reply&)> on_reply) {
  if (!send(argv)) return false;
  if (!on_reply) return true;
  pending_.back().type = pending_reply::kind::handed;
  pending_.back().on_reply = std::move(on_reply);
  return true;
}

awaitable<redis_reply> redis_connection::command(std::vector<std::string> argv,
                                                 std::chrono::milliseconds timeout) {
  take_role(role::commands);
  if (phase_ != phase::up) co_return redis_reply::error("redis: not connected");
  if (output_.size() >= options_.max_output_bytes) {
    co_return redis_reply::error("redis: output buffer full");
  }
  auto self = shared_from_this();
  std::vector<std::string_view> args(argv.begin(), argv.end());
  queue(args);
  auto slot = std::make_shared<reply_slot>(executor_);
  slot->timer.expires_after(timeout);
  pending_.push_back({pending_reply::kind::awaited, slot});
  co_await slot->timer.async_wait(use_nothrow_awaitable);
  if (slot->reply) co_return std::move(*slot->reply);
  slot->abandoned = true;
  if (asio::steady_timer::clock_type::now() < slot->timer.expiry()) {
    co_return redis_reply::error("redis: cancelled");
  }
  co_return redis_reply::error(fmt::format("redis: timed out after {} ms", timeout.count()));
}

void redis_connection::subscribe(subscription_kind kind, std::string channel) {
  take_role(role::subscriptions);
  auto [it, inserted] = subscriptions_.emplace(kind, std::move(channel));
  if (inserted && (phase_ == phase::subscribing || phase_ == phase::up)) {
    queue_subscription(kind, it->second, true);
  }
}

void redis_connection::unsubscribe(subscription_kind kind, std::string channel) {
  take_role(role::subscriptions);
  if (subscriptions_.erase({kind, channel}) == 0) return;
  if (phase_ == phase::subscribing || phase_ == phase::up) {
    queue_subscription(kind, channel, false);
  }
}

// --- replies -------------------------------------------------------------------------------

void redis_connection::dispatch(redis_reply reply) {
  if (role_ == role::subscriptions && dispatch_pubsub(reply)) return;
  if (pending_.empty()) {
    // A subscriber's refused SUBSCRIBE (no pending entry), or a server gone astray.
    if (reply.is_error()) {
      count_error(reply, "subscription");
      confirmed_one();
    } else {
      spdlog::warn("redis {}: unexpected reply, ignored", options_.name);
    }
    return;
  }
  auto entry = std::move(pending_.front());
  pending_.pop_front();
  switch (entry.type) {
    case pending_reply::kind::discard:
      if (reply.is_error()) count_error(reply, "fire-and-forget command");
      break;
    case pending_reply::kind::handed:
      if (reply.is_error()) count_error(reply, "command");
      entry.on_reply(reply);
      break;
    case pending_reply::kind::awaited:
      if (reply.is_error()) counters_.reply_errors.add();
      if (!entry.slot->abandoned) {
        entry.slot->reply = std::move(reply);
        entry.slot->timer.cancel();
      }
      break;
    case pending_reply::kind::handshake:
      if (reply.is_error()) {
        counters_.reply_errors.add();
        end_session(fmt::format("{} refused: {}", entry.what, reply.str));
      } else if (pending_.empty()) {
        handshake_done();
      }
      break;
  }
}

// Deliveries and subscription confirmations: arrays whose first element names their kind.
bool redis_connection::dispatch_pubsub(redis_reply& reply) {
  if (reply.type != redis_reply::kind::array || reply.elements.empty() ||
      !is_string(reply.elements[0])) {
    return false;
  }
  const auto& kind = reply.elements[0].str;
  const auto& e = reply.elements;
  if ((kind == "message" || kind == "smessage") && e.size() == 3 && is_string(e[1]) &&
      is_string(e[2])) {
    if (on_message) on_message(e[1].str, e[2].str);
    return true;
  }
  if (kind == "pmessage" && e.size() == 4 && is_string(e[2]) && is_string(e[3])) {
    if (on_message) on_message(e[2].str, e[3].str);
    return true;
  }
  if (kind == "subscribe" || kind == "psubscribe" || kind == "ssubscribe" ||
      kind == "unsubscribe" || kind == "punsubscribe" || kind == "sunsubscribe") {
    confirmed_one();
    return true;
  }
  return false;
}

void redis_connection::count_error(const redis_reply& reply, std::string_view context) {
  counters_.reply_errors.add();
  if (reply.str != last_reply_error_) {
    spdlog::warn("redis {}: {} refused: {}", options_.name, context, reply.str);
    last_reply_error_ = reply.str;
  } else {
    spdlog::debug("redis {}: {} refused: {}", options_.name, context, reply.str);
  }
}

}  // namespace chorus::server::cluster
