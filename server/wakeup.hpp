#pragma once

#include "server/asio.hpp"

namespace chorus::server {

// A condition variable for one coroutine on one thread: wait() suspends until notify().
// A steady_timer that never expires on its own, cancelled to wake the waiter.
class wakeup {
 public:
  explicit wakeup(asio::any_io_executor executor)
      : timer_(std::move(executor), asio::steady_timer::time_point::max()) {}

  awaitable<void> wait() {
    if (pending_) {
      pending_ = false;
      co_return;
    }
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(use_nothrow_awaitable);
    pending_ = false;
  }

  // Wakes the waiter, or makes its next wait() return at once. Called for every packet queued
  // to a connection (once per recipient of a broadcast): only the first call before the waiter
  // runs touches the timer, later ones see the wakeup already pending.
  void notify() {
    if (pending_) return;
    pending_ = true;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  bool pending_ = false;
};

}  // namespace chorus::server
