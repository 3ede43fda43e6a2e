#include "server/metrics/shard_census.hpp"

#include "server/shard.hpp"

namespace chorus::server::metrics {

shard_census take_census(shard& home) {
  shard_census census;
  const fanout::shard_hub& hub = home.hub();
  hub.for_each_table([&](std::string_view nsp, const rooms::room_table& table) {
    namespace_census& entry = census.namespaces.emplace_back();
    entry.nsp = nsp;
    entry.sockets = table.member_count();
    table.for_each_room([&](std::string_view name, std::span<const rooms::member_id> members) {
      // A socket's own room has it as sole member and its id as name.
      if (members.size() == 1) {
        const fanout::participant* only = hub.member(members.front());
        if (only && only->id() == name) return;
      }
      entry.rooms.emplace_back(name);
    });
  });
  return census;
}

}  // namespace chorus::server::metrics
