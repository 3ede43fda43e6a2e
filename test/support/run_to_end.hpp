#pragma once

#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <utility>

#include "server/asio.hpp"

namespace chorus::test_support {

// Runs `query` to its end on a loop of its own, calling `drain` (which runs the shards' or hubs'
// loops that the query asks) between turns: a whole multi-shard question on one thread.
template <class T, class Drain>
T run_to_end(server::awaitable<T> query, Drain&& drain) {
  server::asio::io_context caller;
  auto result = server::asio::co_spawn(caller, std::move(query), server::asio::use_future);
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    caller.restart();
    caller.poll();
    drain();
  }
  return result.get();
}

}  // namespace chorus::test_support
