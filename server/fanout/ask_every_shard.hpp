#pragma once

#include <type_traits>

#include "server/asio.hpp"
#include "server/server.hpp"

namespace chorus::server::fanout {

namespace detail {
// A coroutine function, not a capturing lambda: a lambda's captures would not outlive it. Callers
// build each awaitable before co_await-ing it: g++ 12 destroys temporaries made inside a co_await
// expression twice (GCC PR 99576).
template <class Ask>
awaitable<std::invoke_result_t<Ask&, shard&>> ask_shard(shard& target, Ask ask) {
  co_return ask(target);
}
}  // namespace detail

// Runs `ask` on every shard's thread in turn and hands each answer to `gather` on the caller's.
template <class Ask, class Gather>
awaitable<void> ask_every_shard(server& srv, Ask ask, Gather gather) {
  for (unsigned i = 0; i < srv.shard_count(); ++i) {
    shard& target = srv.shard_at(i);
    auto answer =
        asio::co_spawn(target.executor(), detail::ask_shard(target, ask), asio::use_awaitable);
    gather(co_await std::move(answer));
  }
}

}  // namespace chorus::server::fanout
