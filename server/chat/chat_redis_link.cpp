#include "server/chat/chat_redis_link.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <mutex>

namespace chorus::server::chat {

chat_redis_link::chat_redis_link(chat_redis_options options)
    : options_(std::move(options)), work_(asio::make_work_guard(context_)) {
  cluster::redis_connection::options link;
  link.endpoint = options_.endpoint;
  link.name = "redis chat";
  connection_ = cluster::redis_connection::create(context_.get_executor(), link);
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
