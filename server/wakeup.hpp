#pragma once

#include <tuple>

#include "server/asio.hpp"

namespace chorus::server {

// A condition variable for one coroutine on one thread: `co_await w.wait()` suspends until
// notify(). A steady_timer that never expires on its own, cancelled to wake the waiter.
// wait() is not a coroutine itself (an idle connection then keeps no frame for it); the waiter
// re-checks its condition after every wake, before it waits again.
class wakeup {
 public:
  explicit wakeup(asio::any_io_executor executor)
      : timer_(std::move(executor), asio::steady_timer::time_point::max()) {}

  auto wait() {
    woken_ = false;
    if (pending_) {
      pending_ = false;
      timer_.expires_at(asio::steady_timer::time_point::min());  // completes at once
    } else {
      waiting_ = true;
      timer_.expires_at(asio::steady_timer::time_point::max());
    }
    return timer_.async_wait(use_nothrow_awaitable);
  }

  // Wakes the waiter, or makes its next wait() return at once. Called for every packet queued
  // to a polling session (once per recipient of a broadcast): only the first call after the
  // waiter suspended touches the timer; later ones, until it runs and re-checks, do nothing.
  void notify() {
    if (waiting_) {
      waiting_ = false;
      woken_ = true;
      timer_.cancel();
    } else if (!woken_) {
      pending_ = true;
    }
  }

 private:
  asio::steady_timer timer_;
  bool waiting_ = false;  // a wait() is suspended on the timer
  bool woken_ = false;    // it was cancelled and has not run yet
  bool pending_ = false;  // notified while nobody waited
};

}  // namespace chorus::server
