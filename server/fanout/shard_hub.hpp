#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rooms/member.hpp"
#include "rooms/mpsc_queue.hpp"
#include "rooms/room_table.hpp"
#include "server/asio.hpp"
#include "server/fanout/broadcast_job.hpp"
#include "server/fanout/participant.hpp"
#include "server/fanout/room_listener.hpp"
#include "server/fanout/socket_description.hpp"
#include "server/metrics/shard_metrics.hpp"
#include "server/string_hash.hpp"
#include "server/websocket/write_flusher.hpp"

namespace chorus::server::fanout {

// A shard's part of the fan-out hub: the room tables of the participants (sockets) that live on
// this shard (one per namespace) and the inbox through which other shards hand it broadcasts —
// one entry per broadcast per shard, not per recipient. Everything but post() runs on the
// shard's thread.
class shard_hub {
 public:
  // context: the shard's loop, where everything but post() runs; metrics and flusher: the
  // shard's counters and the write pass that a delivery wakes.
  shard_hub(asio::io_context& context, metrics::shard_metrics& metrics, write_flusher& flusher);
  ~shard_hub();

  asio::any_io_executor executor() { return context_.get_executor(); }

  // A participant joins its namespace's table, and its own room (named by its id).
  rooms::member_id add(participant& p);
  // It leaves every room and the table; a broadcast still in the inbox no longer reaches it.
  void remove(participant& p, rooms::member_id id);
  rooms::room_table& table(std::string_view nsp);
  const rooms::room_table* find_table(std::string_view nsp) const;
  // The ids of this shard's sockets in a room.
  std::vector<std::string> member_ids(std::string_view nsp, std::string_view room) const;

  // Calls visit(nsp, table) for every namespace with sockets on this shard (a metrics census).
  template <class Visit>
  void for_each_table(Visit&& visit) const {
    for (const auto& [nsp, t] : tables_) visit(std::string_view(nsp), t);
  }
  const participant* member(rooms::member_id id) const {
    return id < members_.size() ? members_[id] : nullptr;
  }

  // The adapter operations on this shard's sockets that `target` names (socketsJoin,
  // socketsLeave, disconnectSockets, fetchSockets).
  void join_matching(std::string_view nsp, const rooms::broadcast_target& target,
                     const std::vector<std::string>& rooms);
  void leave_matching(std::string_view nsp, const rooms::broadcast_target& target,
                      const std::vector<std::string>& rooms);
  void disconnect_matching(std::string_view nsp, const rooms::broadcast_target& target,
                           bool close_connection);
  std::vector<socket_description> describe_matching(std::string_view nsp,
                                                    const rooms::broadcast_target& target) const;

  // Told of every room created or deleted on this shard from now on (null: no one). Before the
  // shard runs, or on its thread. Not owned.
  void set_room_listener(room_listener* listener);

  // Delivers to the members on this shard.
  void deliver(const broadcast_job& job);
  // From any thread: queue a broadcast for this shard.
  void post(std::shared_ptr<const broadcast_job> job);
  // On the shard's thread: whether nothing posted waits to be delivered (a push still under way
  // may count as either).
  bool inbox_empty() const { return inbox_.empty(); }

 private:
  void drain();
  void deliver_expecting_acks(const broadcast_job& job, const rooms::room_table* t);
  // The members `target` names, collected first: acting on them may change the table, which a
  // walk must not see.
  std::vector<rooms::member_id> matching(const rooms::room_table& t,
                                         const rooms::broadcast_target& target) const;

  // A table's rooms, told to the listener with the table's namespace.
  class table_observer final : public rooms::room_observer {
   public:
    table_observer(shard_hub& hub, std::string nsp) : hub_(hub), nsp_(std::move(nsp)) {}
    void room_created(std::string_view room) override;
    void room_deleted(std::string_view room) override;

   private:
    shard_hub& hub_;
    std::string nsp_;
  };

  asio::io_context& context_;
  metrics::shard_metrics& metrics_;
  write_flusher& flusher_;
  std::vector<participant*> members_;  // by member_id; null for a free slot
  std::vector<rooms::member_id> free_slots_;
  std::unordered_map<std::string, rooms::room_table, string_hash, std::equal_to<>> tables_;
  rooms::mpsc_inbox<std::shared_ptr<const broadcast_job>> inbox_;
  std::atomic<bool> drain_scheduled_{false};
  room_listener* room_listener_ = nullptr;
  // One per table, by namespace, while the listener is set.
  std::unordered_map<std::string, std::unique_ptr<table_observer>, string_hash, std::equal_to<>>
      observers_;
};

}  // namespace chorus::server::fanout
