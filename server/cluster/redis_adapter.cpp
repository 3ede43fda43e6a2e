#include "server/cluster/redis_adapter.hpp"

#include <algorithm>

#include "protocol/cluster/redis_messages.hpp"
#include "server/cluster/node_ids.hpp"
#include "server/cluster/socket_list.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

redis_adapter::redis_adapter(server& srv, redis_adapter_options options,
                             std::vector<std::string> namespaces, fanout::server_event_sink sink)
    : redis_adapter_base(srv, std::move(options), std::move(namespaces), std::move(sink),
                         classic_pubsub, uid2_id(), own_operations::applied_on_echo) {
  for (const auto& nsp : namespaces_) {
    broadcast_prefixes_.emplace_back(nsp, wire::broadcast_channel(options_.key, nsp));
    channels_[wire::request_channel(options_.key, nsp)] = {channel_kind::request, nsp};
    channels_[wire::response_channel(options_.key, nsp)] = {channel_kind::response, nsp};
    channels_[wire::specific_response_channel(options_.key, nsp, uid_)] = {channel_kind::response,
                                                                           nsp};
  }
  for (const auto& [nsp, prefix] : broadcast_prefixes_)
    link_.subscribe(subscription_kind::psubscribe, prefix + "*");
  for (const auto& [channel, what] : channels_)
    link_.subscribe(subscription_kind::subscribe, channel);
  start();
}

redis_adapter::~redis_adapter() {
  link_.stop();
}

std::string redis_adapter::new_request_id() const {
  return uid2_id();
}

std::string redis_adapter::counted_channel(std::string_view nsp) const {
  return wire::request_channel(options_.key, nsp);
}

// ---- what this node publishes ----------------------------------------------------------------

void redis_adapter::publish_broadcast(const fanout::broadcast_job& job) {
  std::string channel = job.target.rooms.size() == 1
                            ? wire::room_channel(options_.key, job.nsp, job.target.rooms.front())
                            : wire::broadcast_channel(options_.key, job.nsp);
  link_.publish(channel, wire::encode_redis_broadcast(uid_, packet_of(job),
                                                      options_of(job.target, job.flags)));
}

bool redis_adapter::publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                                const std::string& request_id) {
  wire::broadcast_options opts = options_of(job.target, job.flags);
  opts.timeout_ms = static_cast<std::uint64_t>(job.ack_timeout.count());
  return link_.publish(counted_channel(job.nsp), wire::encode_broadcast_with_ack_request(
                                                     uid_, request_id, packet_of(job), opts));
}

bool redis_adapter::publish_fetch(const std::string& nsp, const std::string& request_id,
                                  const rooms::broadcast_target& target) {
  return link_.publish(counted_channel(nsp),
                       wire::encode_fetch_request(uid_, request_id, options_of(target)));
}

bool redis_adapter::publish_server_side_emit(const std::string& nsp, const std::string& data_json,
                                             const std::string& request_id) {
  return link_.publish(counted_channel(nsp),
                       wire::encode_server_side_emit(uid_, data_json, request_id));
}

bool redis_adapter::publish_sockets_operation(const sockets_operation& op) {
  using kind = sockets_operation::kind;
  wire::broadcast_options opts = options_of(op.target);
  std::string payload =
      op.what == kind::disconnect
          ? wire::encode_disconnect_request(uid_, opts, op.close)
          : wire::encode_rooms_request(op.what == kind::join ? wire::request_type::remote_join
                                                             : wire::request_type::remote_leave,
                                       uid_, opts, op.rooms);
  return link_.publish(counted_channel(op.nsp), payload);
}

awaitable<std::vector<std::string>> redis_adapter::all_rooms_on_link(std::string nsp) {
  auto counted = count_servers(nsp);
  std::size_t servers = co_await std::move(counted);
  auto local = local_.room_names(nsp);
  std::vector<std::string> rooms = co_await std::move(local);
  if (servers > 1) {
    std::string id = new_request_id();
    auto pending = pending_.open(id, answer_kind::rooms, servers - 1);
    auto asked = pending_.wait(
        id, link_.publish(counted_channel(nsp), wire::encode_all_rooms_request(uid_, id)));
    co_await std::move(asked);
    rooms.insert(rooms.end(), pending->rooms.begin(), pending->rooms.end());
  }
  std::sort(rooms.begin(), rooms.end());
  rooms.erase(std::unique(rooms.begin(), rooms.end()), rooms.end());
  co_return rooms;
}

awaitable<std::vector<std::string>> redis_adapter::room_names(std::string nsp) {
  return link_.run(all_rooms_on_link(std::move(nsp)));
}

// ---- what arrives ------------------------------------------------------------------------

void redis_adapter::on_message(std::string_view channel, std::string_view payload) {
  if (auto it = channels_.find(channel); it != channels_.end()) {
    if (it->second.first == channel_kind::request)
      on_request(it->second.second, payload);
    else
      on_response(payload);
    return;
  }
  // A broadcast: "<key>#<nsp>#" or "<key>#<nsp>#<room>#". The room needs no check of its own:
  // the packet's options name it too.
  for (const auto& [nsp, prefix] : broadcast_prefixes_)
    if (channel.starts_with(prefix)) return on_broadcast(nsp, payload);
}

void redis_adapter::on_broadcast(const std::string& nsp, std::string_view payload) {
  std::string error;
  auto message = wire::decode_redis_broadcast(payload, error);
  if (!message) return link_.note_malformed("broadcast", error);
  if (message->uid == uid_ || message->packet.nsp != nsp) return;
  deliver_broadcast(nsp, message->packet, message->opts);
}

void redis_adapter::on_request(const std::string& nsp, std::string_view payload) {
  std::string error;
  auto request = wire::decode_redis_request(payload, error);
  if (!request) return link_.note_malformed("request", error);
  using type = wire::request_type;
  // Collecting requests echoed back to their asker are skipped by request id.
  const std::string& id = request->request_id;
  auto answer = [this, nsp, id](std::string sockets) {
    link_.publish(wire::response_channel(options_.key, nsp),
                  wire::encode_fetch_response(id, sockets));
  };
  switch (request->type) {
    case type::all_rooms:
      if (!asked_here(id))
        asio::co_spawn(link_.executor(), answer_all_rooms(nsp, id), asio::detached);
      return;
    case type::remote_fetch:
      if (!asked_here(id))
        answer_fetch(nsp, target_of(request->opts),
                     [answer](std::vector<fanout::socket_description> found) {
                       answer(sockets_json(found));
                     });
      return;
    case type::sockets:  // legacy (socket.io < 4): the ids in some rooms
      if (!asked_here(id))
        answer_fetch(nsp, {request->rooms, {}},
                     [answer](std::vector<fanout::socket_description> found) {
                       answer(socket_ids_json(found));
                     });
      return;
    case type::remote_join:
    case type::remote_leave:
    case type::remote_disconnect:
      return on_rooms_request(nsp, *request);
    case type::server_side_emit: {
      if (request->uid == uid_) return;
      std::function<void(std::string)> reply;
      if (!id.empty())
        reply = [this, nsp, id](std::string json) {
          link_.publish(wire::response_channel(options_.key, nsp),
                        wire::encode_server_side_emit_response(id, json));
        };
      return hand_server_event(nsp, std::move(request->data_json), std::move(reply));
    }
    case type::broadcast:  // with acks
      if (asked_here(id)) return;
      deliver_for_node(
          nsp, request->packet, request->opts,
          [this, nsp, id](std::size_t clients) {
            link_.publish(wire::response_channel(options_.key, nsp),
                          wire::encode_client_count_response(id, clients));
          },
          [this, nsp, id](std::string json) {
            link_.publish(wire::response_channel(options_.key, nsp),
                          wire::encode_broadcast_ack_response(id, json, {}));
          });
      return;
    default:
      return;
  }
}

// Applied when they come back, the sender's own included, exactly once (not filtered).
void redis_adapter::on_rooms_request(const std::string& nsp, wire::redis_request& request) {
  using kind = sockets_operation::kind;
  sockets_operation op{request.type == wire::request_type::remote_join    ? kind::join
                       : request.type == wire::request_type::remote_leave ? kind::leave
                                                                          : kind::disconnect,
                       nsp, target_of(request.opts), std::move(request.rooms), request.close};
  if (request.legacy) {  // {requestId, sid, room}: one socket
    op.target = {{request.sid}, {}};
    op.rooms = {request.room};
  }
  apply(op);
}

awaitable<void> redis_adapter::answer_all_rooms(std::string nsp, std::string request_id) {
  auto asked = local_.room_names(nsp);
  std::vector<std::string> rooms = co_await std::move(asked);
  link_.publish(wire::response_channel(options_.key, nsp),
                wire::encode_all_rooms_response(request_id, rooms));
}

void redis_adapter::on_response(std::string_view payload) {
  std::string error;
  auto response = wire::decode_redis_response(payload, error);
  if (!response) return link_.note_malformed("response", error);
  const std::string& id = response->request_id;
  if (response->type == wire::request_type::broadcast_client_count)
    return client_count_arrived(id, response->client_count);
  if (response->type == wire::request_type::broadcast_ack)
    return ack_arrived(id, std::move(response->data_json));
  if (response->type == wire::request_type::server_side_emit)
    return reply_arrived(id, std::move(response->data_json));
  pending_request* pending = pending_.find(id);
  if (!pending) return;  // another node's, or too late
  if (pending->kind == answer_kind::rooms) {
    pending->rooms.insert(pending->rooms.end(), response->rooms.begin(), response->rooms.end());
    pending->answered();
  } else {
    sockets_arrived(id, response->sockets_json);
  }
}

}  // namespace chorus::server::cluster
