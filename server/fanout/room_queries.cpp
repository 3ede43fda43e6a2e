#include "server/fanout/room_queries.hpp"

#include <algorithm>

#include "server/fanout/ask_every_shard.hpp"
#include "server/server.hpp"

namespace chorus::server::fanout {

awaitable<std::vector<std::string>> room_members(server& srv, std::string nsp, std::string room) {
  std::vector<std::string> ids;
  auto asked = ask_every_shard(
      srv, [nsp, room](shard& s) { return s.hub().member_ids(nsp, room); },
      [&ids](std::vector<std::string> part) {
        ids.insert(ids.end(), std::make_move_iterator(part.begin()),
                   std::make_move_iterator(part.end()));
      });
  co_await std::move(asked);
  co_return ids;
}

awaitable<std::size_t> room_size(server& srv, std::string nsp, std::string room) {
  std::size_t total = 0;
  auto asked = ask_every_shard(
      srv,
      [nsp, room](shard& s) {
        const rooms::room_table* table = s.hub().find_table(nsp);
        return table ? table->size(room) : std::size_t{0};
      },
      [&total](std::size_t part) { total += part; });
  co_await std::move(asked);
  co_return total;
}

awaitable<std::vector<std::string>> room_names(server& srv, std::string nsp) {
  std::vector<std::string> names;
  auto asked = ask_every_shard(
      srv,
      [nsp](shard& s) {
        const rooms::room_table* table = s.hub().find_table(nsp);
        return table ? table->room_names() : std::vector<std::string>{};
      },
      [&names](std::vector<std::string> part) {
        names.insert(names.end(), part.begin(), part.end());
      });
  co_await std::move(asked);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  co_return names;
}

awaitable<void> close_room(server& srv, std::string nsp, std::string room) {
  auto asked = ask_every_shard(
      srv,
      [nsp, room](shard& s) {
        if (s.hub().find_table(nsp)) s.hub().table(nsp).close_room(room);
        return true;
      },
      [](bool) {});
  co_await std::move(asked);
}

}  // namespace chorus::server::fanout
