#include "server/chat/chat_redis_link.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>

namespace chorus::server::chat {

chat_redis_link::chat_redis_link(chat_redis_options options)
    : options_(std::move(options)), work_(asio::make_work_guard(context_)) {
  cluster::redis_connection::options link;
  link.endpoint = options_.endpoint;
  link.name = "redis chat";
  connection_ = cluster::redis_connection::create(context_.get_executor(), link);
  connection_->on_state = [this](bool up) { on_link_state(up); };
  connection_->start();
  thread_ = std::thread([this] { context_.run(); });
}

chat_redis_link::~chat_redis_link() {
  close();
}

bool chat_redis_link::wait_up(std::chrono::milliseconds limit) const {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!connection_->up()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool chat_redis_link::call(std::vector<std::string> argv, reply_callback done) {
  if (closed_.load(std::memory_order_acquire)) return false;
  // Counted before posting, so a flood from the shards is refused here, not queued on the link.
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_in_flight) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  // co_spawn starts coroutines in the order they were spawned, and command() queues its command
  // before its first suspension: commands reach Redis in call() order.
  asio::post(context_, [this, argv = std::move(argv), done = std::move(done)]() mutable {
    asio::co_spawn(context_, run_command(this, std::move(argv), std::move(done)),
                   log_exceptions{"chat redis command"});
  });
  return true;
}

void chat_redis_link::repeat(std::vector<std::string> argv, std::chrono::milliseconds period) {
  asio::post(context_, [this, argv = std::move(argv), period]() mutable {
    repeated_ = std::move(argv);
    period_ = period;
    repeat_timer_ = std::make_unique<asio::steady_timer>(context_);
    send_repeated();
  });
}

void chat_redis_link::send_repeated() {
  if (repeated_.empty()) return;
  bool sent = call(repeated_, [this](cluster::redis_reply reply) {
    if (reply.is_error() != repeat_failing_)
      spdlog::warn("redis chat: {} {}", repeated_.empty() ? "" : repeated_[0],
                   reply.is_error() ? "failing: " + reply.str : "works again");
    repeat_failing_ = reply.is_error();
  });
  if (!sent && closed_.load(std::memory_order_acquire)) return;
  repeat_timer_->expires_after(period_);
  repeat_timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) send_repeated();
  });
}

void chat_redis_link::on_reconnected(std::function<void()> reconnected) {
  asio::post(context_, [this, reconnected = std::move(reconnected)]() mutable {
    reconnected_ = std::move(reconnected);
  });
}

void chat_redis_link::on_link_state(bool up) {
  if (up && was_up_ && reconnected_) reconnected_();
  if (up) was_up_ = true;
}

void chat_redis_link::stop_repeating() {
  if (closed_.load(std::memory_order_acquire)) return;
  auto stopped = std::make_shared<std::promise<void>>();
  auto done = stopped->get_future();
  // Handlers run in order on the link thread: a timer that fired before this finds nothing to
  // send, and whatever is called after this returns goes out after the last repeated command.
  asio::post(context_, [this, stopped] {
    repeated_.clear();
    if (repeat_timer_) repeat_timer_->cancel();
    stopped->set_value();
  });
  // Bounded, for a link thread that is stuck; it runs handlers in microseconds otherwise.
  if (done.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
    spdlog::warn("redis chat: the link thread did not stop repeating within 2 s");
}

awaitable<void> chat_redis_link::run_command(chat_redis_link* link, std::vector<std::string> argv,
                                             reply_callback done) {
  cluster::redis_reply reply =
      co_await link->connection_->command(std::move(argv), link->options_.command_timeout);
  link->in_flight_.fetch_sub(1, std::memory_order_relaxed);
  try {
    done(std::move(reply));
  } catch (const std::exception& e) {  // a callback's bug must not end the link thread
    spdlog::error("chat redis callback threw: {}", e.what());
  }
}

void chat_redis_link::close() {
  std::call_once(close_once_, [this] {
    closed_.store(true, std::memory_order_release);
    asio::post(context_, [this] {
      connection_->stop();
      work_.reset();
      // At shutdown the shards no longer run: callbacks still pending are dropped, not run.
      context_.stop();
    });
    thread_.join();
  });
}

}  // namespace chorus::server::chat
