#include "server/cluster/redis_adapter_base.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>

#include "server/cluster/remote_acks.hpp"
#include "server/cluster/socket_list.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/server.hpp"
#include "server/socketio/event_job.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

wire::event_packet packet_of(const fanout::broadcast_job& job) {
  wire::event_packet packet;
  packet.nsp = job.nsp;
  packet.data_json =
      std::string(engineio::message_of(*job.packets.front()).substr(job.data_offset));
  for (std::size_t i = 1; i < job.packets.size(); ++i)
    packet.attachments.emplace_back(job.packets[i]->payload());
  return packet;
}

wire::broadcast_options options_of(const rooms::broadcast_target& target,
                                   const rooms::broadcast_flags& flags) {
  wire::broadcast_options opts;
  opts.rooms = target.rooms;
  opts.except = target.except_rooms;
  opts.is_volatile = flags.is_volatile;
  return opts;
}

rooms::broadcast_target target_of(const wire::broadcast_options& opts) {
  return {opts.rooms, opts.except};
}

redis_adapter_base::redis_adapter_base(server& srv, redis_adapter_options options,
                                       std::vector<std::string> namespaces,
                                       fanout::server_event_sink sink, redis_pubsub_verbs verbs,
                                       std::string uid, own_operations own)
    : link_(options.endpoint, verbs),
      server_(srv),
      options_(std::move(options)),
      namespaces_(std::move(namespaces)),
      sink_(std::move(sink)),
      uid_(std::move(uid)),
      local_(srv.hubs(), srv.recovery()),
      pending_(link_, options_.requests_timeout),
      own_(own) {
  if (!serves("/")) namespaces_.push_back("/");
}

void redis_adapter_base::start() {
  link_.start(
      [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); });
}

bool redis_adapter_base::serves(std::string_view nsp) const {
  return std::find(namespaces_.begin(), namespaces_.end(), nsp) != namespaces_.end();
}

// ---- broadcasts -------------------------------------------------------------------------

void redis_adapter_base::broadcast(std::shared_ptr<const fanout::broadcast_job> job,
                                   fanout::shard_hub* origin) {
  if (job->acks) {
    local_.deliver(job, origin);
    if (job->flags.local)
      job->acks->seal();
    else
      asio::co_spawn(link_.executor(), publish_with_acks(std::move(job)), asio::detached);
    return;
  }
  local_.broadcast(job, origin);
  if (job->flags.local) return;
  asio::post(link_.executor(), [this, job = std::move(job)] { publish_broadcast(*job); });
}

awaitable<void> redis_adapter_base::publish_with_acks(
    std::shared_ptr<const fanout::broadcast_job> job) {
  std::size_t servers = 0;
  try {
    auto counted = count_servers(job->nsp);
    servers = co_await std::move(counted);
  } catch (const cluster_error&) {
    // The other nodes cannot be counted: wait for one report that will not come, so the
    // result says incomplete at the timeout rather than passing for the whole cluster's.
    job->acks->expect(1);
    job->acks->seal();
    co_return;
  }
  if (servers <= 1) {
    job->acks->seal();
    co_return;
  }
  std::string id = new_request_id();
  job->acks->expect(servers - 1);
  ack_broadcasts_[id] = job->acks;
  if (!publish_broadcast_with_acks(*job, id)) job->acks->expect(1);  // incomplete at the timeout
  job->acks->seal();
  asio::steady_timer until(link_.executor(), job->ack_timeout);
  boost::system::error_code ec;
  co_await until.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  ack_broadcasts_.erase(id);
}

void redis_adapter_base::deliver_broadcast(const std::string& nsp, const wire::event_packet& packet,
                                           const wire::broadcast_options& opts) {
  auto job = socketio::make_event_job(nsp, std::nullopt, packet.attachments, packet.data_json);
  job->target = target_of(opts);
  job->flags.is_volatile = opts.is_volatile;
  job->flags.local = true;
  link_.note_received();
  local_.broadcast(std::move(job), nullptr);
}

void redis_adapter_base::deliver_for_node(const std::string& nsp, const wire::event_packet& packet,
                                          const wire::broadcast_options& opts,
                                          std::function<void(std::size_t)> publish_count,
                                          std::function<void(std::string)> publish_ack) {
  auto acks = remote_acks::create(link_.executor(), server_.shard_count(), std::move(publish_count),
                                  std::move(publish_ack));
  std::uint64_t id = fanout::next_broadcast_ack_id();
  auto job = socketio::make_event_job(nsp, id, packet.attachments, packet.data_json);
  job->target = target_of(opts);
  job->flags.local = true;
  job->acks = acks;
  job->ack_id = id;
  job->ack_timeout =
      opts.timeout_ms ? std::chrono::milliseconds(*opts.timeout_ms) : options_.requests_timeout;
  local_.deliver(job, nullptr);
}

void redis_adapter_base::client_count_arrived(const std::string& request_id,
                                              std::uint64_t clients) {
  auto found = ack_broadcasts_.find(request_id);
  if (found != ack_broadcasts_.end()) found->second->delivered(clients);
}

void redis_adapter_base::ack_arrived(const std::string& request_id, std::string json) {
  auto found = ack_broadcasts_.find(request_id);
  if (found != ack_broadcasts_.end()) found->second->acked(json.empty() ? "null" : std::move(json));
}

// ---- requests from other nodes ------------------------------------------------------------

void redis_adapter_base::hand_server_event(const std::string& nsp, std::string data_json,
                                           std::function<void(std::string)> reply) {
  if (!sink_) return;
  std::function<void(std::string)> on_link;
  if (reply)
    on_link = [executor = link_.executor(), reply = std::move(reply)](std::string json) {
      asio::post(executor, [reply, json = std::move(json)]() mutable { reply(std::move(json)); });
    };
  sink_(nsp, std::move(data_json), std::move(on_link));
}

void redis_adapter_base::answer_fetch(
    std::string nsp, rooms::broadcast_target target,
    std::function<void(std::vector<fanout::socket_description>)> publish_answer) {
  asio::co_spawn(link_.executor(),
                 fetch_and_answer(std::move(nsp), std::move(target), std::move(publish_answer)),
                 asio::detached);
}

awaitable<void> redis_adapter_base::fetch_and_answer(
    std::string nsp, rooms::broadcast_target target,
    std::function<void(std::vector<fanout::socket_description>)> publish_answer) {
  auto asked = local_.fetch_sockets(std::move(nsp), std::move(target));
  std::vector<fanout::socket_description> found = co_await std::move(asked);
  publish_answer(std::move(found));
}

void redis_adapter_base::sockets_arrived(const std::string& request_id,
                                         std::string_view sockets_json) {
  pending_request* pending = pending_.find(request_id);
  if (!pending || pending->kind != answer_kind::sockets) return;  // another node's, or too late
  if (!append_sockets(sockets_json, pending->sockets))
    return link_.note_malformed("fetch response", "sockets is not an array of sockets");
  pending->answered();
}

void redis_adapter_base::reply_arrived(const std::string& request_id, std::string json) {
  pending_request* pending = pending_.find(request_id);
  if (!pending || pending->kind != answer_kind::replies) return;
  pending->replies.push_back(json.empty() ? "null" : std::move(json));  // an ack with no argument
  pending->answered();
}

bool redis_adapter_base::asked_here(const std::string& request_id) const {
  return pending_.contains(request_id) || ack_broadcasts_.contains(request_id);
}

// ---- requests this node asks ---------------------------------------------------------------

awaitable<std::size_t> redis_adapter_base::count_servers(std::string nsp) {
  return link_.count_subscribers(counted_channel(nsp), options_.requests_timeout);
}

awaitable<std::vector<fanout::socket_description>> redis_adapter_base::fetch_on_link(
    std::string nsp, rooms::broadcast_target target) {
  auto counted = count_servers(nsp);
  std::size_t servers = co_await std::move(counted);
  auto local = local_.fetch_sockets(nsp, target);
  std::vector<fanout::socket_description> sockets = co_await std::move(local);
  if (servers > 1) {
    std::string id = new_request_id();
    auto pending = pending_.open(id, answer_kind::sockets, servers - 1);
    auto asked = pending_.wait(id, publish_fetch(nsp, id, target));
    co_await std::move(asked);
    std::move(pending->sockets.begin(), pending->sockets.end(), std::back_inserter(sockets));
  }
  co_return sockets;
}

awaitable<std::vector<fanout::socket_description>> redis_adapter_base::fetch_sockets(
    std::string nsp, rooms::broadcast_target target) {
  return link_.run(fetch_on_link(std::move(nsp), std::move(target)));
}

awaitable<std::vector<std::string>> redis_adapter_base::room_members(std::string nsp,
                                                                     std::string room) {
  auto fetched = fetch_sockets(std::move(nsp), {{std::move(room)}, {}});
  std::vector<fanout::socket_description> sockets = co_await std::move(fetched);
  std::vector<std::string> ids;
  ids.reserve(sockets.size());
  for (auto& s : sockets) ids.push_back(std::move(s.id));
  co_return ids;
}

awaitable<std::size_t> redis_adapter_base::room_size(std::string nsp, std::string room) {
  auto fetched = room_members(std::move(nsp), std::move(room));
  std::vector<std::string> ids = co_await std::move(fetched);
  co_return ids.size();
}

void redis_adapter_base::apply(const sockets_operation& op) {
  using kind = sockets_operation::kind;
  if (op.what == kind::join)
    local_.sockets_join(op.nsp, op.target, op.rooms);
  else if (op.what == kind::leave)
    local_.sockets_leave(op.nsp, op.target, op.rooms);
  else
    local_.disconnect_sockets(op.nsp, op.target, op.close);
}

void redis_adapter_base::run(sockets_operation op) {
  if (own_ == own_operations::applied_at_once) apply(op);
  asio::post(link_.executor(), [this, op = std::move(op)] {
    if (!publish_sockets_operation(op) && own_ == own_operations::applied_on_echo) apply(op);
  });
}

void redis_adapter_base::sockets_join(std::string nsp, rooms::broadcast_target target,
                                      std::vector<std::string> rooms) {
  run({sockets_operation::kind::join, std::move(nsp), std::move(target), std::move(rooms)});
}

void redis_adapter_base::sockets_leave(std::string nsp, rooms::broadcast_target target,
                                       std::vector<std::string> rooms) {
  run({sockets_operation::kind::leave, std::move(nsp), std::move(target), std::move(rooms)});
}

void redis_adapter_base::disconnect_sockets(std::string nsp, rooms::broadcast_target target,
                                            bool close_connection) {
  run({sockets_operation::kind::disconnect,
       std::move(nsp),
       std::move(target),
       {},
       close_connection});
}

awaitable<void> redis_adapter_base::close_room(std::string nsp, std::string room) {
  sockets_leave(std::move(nsp), {{room}, {}}, {room});
  co_return;
}

awaitable<std::size_t> redis_adapter_base::server_count(std::string nsp) {
  return link_.run(count_servers(std::move(nsp)));
}

void redis_adapter_base::server_side_emit(std::string nsp, std::string data_json) {
  asio::post(link_.executor(), [this, nsp = std::move(nsp), data_json = std::move(data_json)] {
    publish_server_side_emit(nsp, data_json, "");
  });
}

awaitable<fanout::server_replies> redis_adapter_base::emit_with_ack_on_link(std::string nsp,
                                                                            std::string data_json) {
  auto counted = count_servers(nsp);
  std::size_t servers = co_await std::move(counted);
  fanout::server_replies result;
  if (servers <= 1) co_return result;
  std::string id = new_request_id();
  auto pending = pending_.open(id, answer_kind::replies, servers - 1);
  try {
    auto asked = pending_.wait(id, publish_server_side_emit(nsp, data_json, id));
    co_await std::move(asked);
  } catch (const cluster_error&) {
    result.complete = false;  // socket.io too hands over the replies that came
  }
  result.replies = std::move(pending->replies);
  co_return result;
}

awaitable<fanout::server_replies> redis_adapter_base::server_side_emit_with_ack(
    std::string nsp, std::string data_json) {
  return link_.run(emit_with_ack_on_link(std::move(nsp), std::move(data_json)));
}

void redis_adapter_base::append_metrics(std::vector<metrics::family>& families) const {
  link_.append_metrics(families);
}

}  // namespace chorus::server::cluster
