#pragma once

#include <type_traits>

#include "server/asio.hpp"

namespace chorus::server {

namespace detail {
// A coroutine function, not a capturing lambda: a lambda's captures would not outlive it. Callers
// build each awaitable before co_await-ing it: g++ 12 destroys temporaries made inside a co_await
// expression twice (GCC PR 99576).
template <class Target, class Ask>
awaitable<std::invoke_result_t<Ask&, Target&>> ask_one(Target& target, Ask ask) {
  co_return ask(target);
}
}  // namespace detail

// Runs `ask` on each target's own thread in turn (targets: pointers to objects with an
// executor(), a shard or a shard's hub) and hands each answer to `gather` on the caller's.
template <class Targets, class Ask, class Gather>
awaitable<void> ask_each(const Targets& targets, Ask ask, Gather gather) {
  for (auto* target : targets) {
    auto answer =
        asio::co_spawn(target->executor(), detail::ask_one(*target, ask), asio::use_awaitable);
    gather(co_await std::move(answer));
  }
}

}  // namespace chorus::server
