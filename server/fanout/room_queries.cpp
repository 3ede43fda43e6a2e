#include "server/fanout/room_queries.hpp"

#include "server/fanout/adapter.hpp"
#include "server/server.hpp"

namespace chorus::server::fanout {

// Plain functions, not coroutines: each hands back the adapter's awaitable.

awaitable<std::vector<std::string>> room_members(server& srv, std::string nsp, std::string room) {
  return srv.adapter().room_members(std::move(nsp), std::move(room));
}

awaitable<std::size_t> room_size(server& srv, std::string nsp, std::string room) {
  return srv.adapter().room_size(std::move(nsp), std::move(room));
}

awaitable<std::vector<std::string>> room_names(server& srv, std::string nsp) {
  return srv.adapter().room_names(std::move(nsp));
}

awaitable<void> close_room(server& srv, std::string nsp, std::string room) {
  return srv.adapter().close_room(std::move(nsp), std::move(room));
}

}  // namespace chorus::server::fanout
