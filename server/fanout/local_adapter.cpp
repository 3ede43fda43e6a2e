#include "server/fanout/local_adapter.hpp"

#include <algorithm>

#include "server/ask_each.hpp"
#include "server/fanout/shard_hub.hpp"

namespace chorus::server::fanout {

void local_adapter::broadcast(std::shared_ptr<const broadcast_job> job, shard_hub* origin) {
  deliver(job, origin);
  if (job->acks) job->acks->seal();
}

void local_adapter::deliver(const std::shared_ptr<const broadcast_job>& job, shard_hub* origin) {
  // Numbered by this node's log, unless the cluster's stream numbers them (then they come here
  // numbered, or not to be stored).
  if (numbering_ && numbering_->numbers(*job))
    return numbering_->deliver_numbered(*job, origin, hubs_);
  if (job->acks) job->acks->expect(hubs_.size());  // each shard reports once
  for (shard_hub* target : hubs_) {
    if (target == origin)
      target->deliver(*job);
    else
      target->post(job);
  }
}

awaitable<std::vector<std::string>> local_adapter::room_members(std::string nsp, std::string room) {
  std::vector<std::string> ids;
  auto asked = ask_each(
      hubs_, [nsp, room](shard_hub& hub) { return hub.member_ids(nsp, room); },
      [&ids](std::vector<std::string> part) {
        ids.insert(ids.end(), std::make_move_iterator(part.begin()),
                   std::make_move_iterator(part.end()));
      });
  co_await std::move(asked);
  co_return ids;
}

awaitable<std::size_t> local_adapter::room_size(std::string nsp, std::string room) {
  std::size_t total = 0;
  auto asked = ask_each(
      hubs_,
      [nsp, room](shard_hub& hub) {
        const rooms::room_table* table = hub.find_table(nsp);
        return table ? table->size(room) : std::size_t{0};
      },
      [&total](std::size_t part) { total += part; });
  co_await std::move(asked);
  co_return total;
}

awaitable<std::vector<std::string>> local_adapter::room_names(std::string nsp) {
  std::vector<std::string> names;
  auto asked = ask_each(
      hubs_,
      [nsp](shard_hub& hub) {
        const rooms::room_table* table = hub.find_table(nsp);
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

awaitable<void> local_adapter::close_room(std::string nsp, std::string room) {
  auto asked = ask_each(
      hubs_,
      [nsp, room](shard_hub& hub) {
        if (hub.find_table(nsp)) hub.table(nsp).close_room(room);
        return true;
      },
      [](bool) {});
  co_await std::move(asked);
}

void local_adapter::on_every_hub(std::function<void(shard_hub&)> act) {
  auto shared = std::make_shared<const std::function<void(shard_hub&)>>(std::move(act));
  for (shard_hub* target : hubs_)
    asio::post(target->executor(), [shared, target] { (*shared)(*target); });
}

void local_adapter::sockets_join(std::string nsp, rooms::broadcast_target target,
                                 std::vector<std::string> rooms) {
  on_every_hub([nsp = std::move(nsp), target = std::move(target), rooms = std::move(rooms)](
                   shard_hub& hub) { hub.join_matching(nsp, target, rooms); });
}

void local_adapter::sockets_leave(std::string nsp, rooms::broadcast_target target,
                                  std::vector<std::string> rooms) {
  on_every_hub([nsp = std::move(nsp), target = std::move(target), rooms = std::move(rooms)](
                   shard_hub& hub) { hub.leave_matching(nsp, target, rooms); });
}

void local_adapter::disconnect_sockets(std::string nsp, rooms::broadcast_target target,
                                       bool close_connection) {
  on_every_hub([nsp = std::move(nsp), target = std::move(target), close_connection](
                   shard_hub& hub) { hub.disconnect_matching(nsp, target, close_connection); });
}

awaitable<std::vector<socket_description>> local_adapter::fetch_sockets(
    std::string nsp, rooms::broadcast_target target) {
  std::vector<socket_description> found;
  auto asked = ask_each(
      hubs_, [nsp, target](shard_hub& hub) { return hub.describe_matching(nsp, target); },
      [&found](std::vector<socket_description> part) {
        found.insert(found.end(), std::make_move_iterator(part.begin()),
                     std::make_move_iterator(part.end()));
      });
  co_await std::move(asked);
  co_return found;
}

awaitable<std::size_t> local_adapter::server_count(std::string) {
  co_return 1;
}

awaitable<server_replies> local_adapter::server_side_emit_with_ack(std::string, std::string) {
  co_return server_replies{};  // no other node, so every one of them answered
}

}  // namespace chorus::server::fanout
