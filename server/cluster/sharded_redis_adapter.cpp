#include "server/cluster/sharded_redis_adapter.hpp"

#include "protocol/cluster/cluster_messages.hpp"
#include "protocol/cluster/redis_messages.hpp"
#include "server/cluster/node_ids.hpp"
#include "server/cluster/socket_list.hpp"
#include "server/server.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;
namespace type = protocol::cluster::cluster_type;

namespace {
constexpr auto mode = wire::subscription_mode::dynamic;
}  // namespace

sharded_redis_adapter::sharded_redis_adapter(server& srv, redis_adapter_options options,
                                             std::vector<std::string> namespaces,
                                             fanout::server_event_sink sink)
    : redis_adapter_base(srv, std::move(options), std::move(namespaces), std::move(sink),
                         sharded_pubsub, hex_id(), own_operations::applied_at_once) {
  for (const auto& nsp : namespaces_) {
    main_channels_[wire::broadcast_channel(options_.key, nsp)] = nsp;
    answer_channels_[wire::room_channel(options_.key, nsp, uid_)] = nsp;
  }
  for (const auto* channels : {&main_channels_, &answer_channels_})
    for (const auto& [channel, nsp] : *channels)
      link_.subscribe(subscription_kind::ssubscribe, channel);
  for (unsigned i = 0; i < server_.shard_count(); ++i)
    server_.shard_at(i).hub().set_room_listener(this);
  start();
}

sharded_redis_adapter::~sharded_redis_adapter() {
  link_.stop();
  // The shards have stopped (the server stops them before its adapter goes).
  for (unsigned i = 0; i < server_.shard_count(); ++i)
    server_.shard_at(i).hub().set_room_listener(nullptr);
}

std::string sharded_redis_adapter::new_request_id() const {
  return hex_id();
}

std::string sharded_redis_adapter::counted_channel(std::string_view nsp) const {
  return wire::broadcast_channel(options_.key, nsp);
}

// ---- room channels -------------------------------------------------------------------------

void sharded_redis_adapter::room_created(std::string_view nsp, std::string_view room) {
  room_changed(nsp, room, true);
}

void sharded_redis_adapter::room_deleted(std::string_view nsp, std::string_view room) {
  room_changed(nsp, room, false);
}

void sharded_redis_adapter::room_changed(std::string_view nsp, std::string_view room,
                                         bool created) {
  if (!wire::subscribes_room_channel(room, mode)) return;  // each socket's own room, mostly
  asio::post(link_.executor(),
             [this, created, channel = wire::room_channel(options_.key, nsp, room)]() mutable {
               if (created && room_channels_.add(channel))
                 link_.subscribe(subscription_kind::ssubscribe, std::move(channel));
               else if (!created && room_channels_.remove(channel))
                 link_.unsubscribe(subscription_kind::ssubscribe, std::move(channel));
             });
}

// ---- what this node publishes ----------------------------------------------------------------

bool sharded_redis_adapter::publish_message(wire::cluster_message message) {
  message.uid = uid_;
  std::string payload = wire::encode_cluster_message(message);
  if (payload.empty()) {
    link_.note_malformed("message of this node", "cannot be encoded");
    return false;
  }
  return link_.publish(wire::sharded_publish_channel(message, options_.key, mode), payload);
}

void sharded_redis_adapter::publish_answer(const std::string& requester,
                                           wire::cluster_message message) {
  message.uid = uid_;
  std::string payload = wire::encode_cluster_message(message);
  if (!payload.empty())
    link_.publish(wire::room_channel(options_.key, message.nsp, requester), payload);
}

namespace {
wire::cluster_message message_of(int message_type, std::string nsp) {
  wire::cluster_message m;
  m.type = message_type;
  m.nsp = std::move(nsp);
  return m;
}

wire::cluster_message broadcast_message(const fanout::broadcast_job& job) {
  wire::cluster_message m = message_of(type::broadcast, job.nsp);
  m.packet = packet_of(job);
  m.opts = options_of(job.target, job.flags);
  return m;
}
}  // namespace

void sharded_redis_adapter::publish_broadcast(const fanout::broadcast_job& job) {
  publish_message(broadcast_message(job));
}

bool sharded_redis_adapter::publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                                        const std::string& request_id) {
  wire::cluster_message m = broadcast_message(job);
  m.request_id = request_id;
  m.opts.timeout_ms = static_cast<std::uint64_t>(job.ack_timeout.count());
  return publish_message(std::move(m));
}

bool sharded_redis_adapter::publish_fetch(const std::string& nsp, const std::string& request_id,
                                          const rooms::broadcast_target& target) {
  wire::cluster_message m = message_of(type::fetch_sockets, nsp);
  m.opts = options_of(target);
  m.request_id = request_id;
  return publish_message(std::move(m));
}

bool sharded_redis_adapter::publish_server_side_emit(const std::string& nsp,
                                                     const std::string& data_json,
                                                     const std::string& request_id) {
  wire::cluster_message m = message_of(type::server_side_emit, nsp);
  m.data_json = data_json;
  m.request_id = request_id;
  return publish_message(std::move(m));
}

bool sharded_redis_adapter::publish_sockets_operation(const sockets_operation& op) {
  using kind = sockets_operation::kind;
  wire::cluster_message m = message_of(op.what == kind::join    ? type::sockets_join
                                       : op.what == kind::leave ? type::sockets_leave
                                                                : type::disconnect_sockets,
                                       op.nsp);
  m.opts = options_of(op.target);
  m.rooms = op.rooms;
  m.close = op.close;
  return publish_message(std::move(m));
}

awaitable<std::vector<std::string>> sharded_redis_adapter::room_names(std::string nsp) {
  return local_.room_names(std::move(nsp));
}

// ---- what arrives ------------------------------------------------------------------------

const std::string* sharded_redis_adapter::namespace_of(std::string_view channel,
                                                       bool& answers) const {
  answers = false;
  if (auto it = main_channels_.find(channel); it != main_channels_.end()) return &it->second;
  if (auto it = answer_channels_.find(channel); it != answer_channels_.end()) {
    answers = true;
    return &it->second;
  }
  // A room's: "<key>#<nsp>#<room>#", the longest namespace prefix.
  const std::string* found = nullptr;
  std::size_t longest = 0;
  for (const auto& [prefix, nsp] : main_channels_)
    if (channel.starts_with(prefix) && prefix.size() > longest) {
      found = &nsp;
      longest = prefix.size();
    }
  return found;
}

void sharded_redis_adapter::on_message(std::string_view channel, std::string_view payload) {
  bool answers = false;
  const std::string* nsp = namespace_of(channel, answers);
  if (!nsp) return;  // not one of ours (an unsubscribed room's last message)
  std::string error;
  auto message = wire::decode_cluster_message(payload, error);
  if (!message) return link_.note_malformed("message", error);
  // As the Node adapter: never its own, never another namespace's (on this namespace's
  // channels); on its answers channel only answers.
  if (message->uid == uid_ || message->nsp != *nsp) return;
  switch (message->type) {
    case type::fetch_sockets_response:
    case type::server_side_emit_response:
    case type::broadcast_client_count:
    case type::broadcast_ack:
      return on_answer(*message);
    default:
      if (!answers) on_cluster_message(*message);
  }
}

void sharded_redis_adapter::on_cluster_message(wire::cluster_message& m) {
  const std::string requester = m.uid;
  const std::string id = m.request_id;
  const std::string& nsp = m.nsp;
  auto answer = [nsp, id](int answer_type) {
    wire::cluster_message a = message_of(answer_type, nsp);
    a.request_id = id;
    return a;
  };
  switch (m.type) {
    case type::broadcast:
      if (id.empty()) return deliver_broadcast(nsp, m.packet, m.opts);
      return deliver_for_node(
          nsp, m.packet, m.opts,
          [this, requester, answer](std::size_t clients) {
            wire::cluster_message a = answer(type::broadcast_client_count);
            a.client_count = clients;
            publish_answer(requester, std::move(a));
          },
          [this, requester, answer](std::string json) {
            wire::cluster_message a = answer(type::broadcast_ack);
            a.data_json = std::move(json);
            publish_answer(requester, std::move(a));
          });
    case type::sockets_join:
      return apply({sockets_operation::kind::join, nsp, target_of(m.opts), std::move(m.rooms)});
    case type::sockets_leave:
      return apply({sockets_operation::kind::leave, nsp, target_of(m.opts), std::move(m.rooms)});
    case type::disconnect_sockets:
      return apply({sockets_operation::kind::disconnect, nsp, target_of(m.opts), {}, m.close});
    case type::fetch_sockets:
      return answer_fetch(nsp, target_of(m.opts),
                          [this, requester, answer](std::vector<fanout::socket_description> found) {
                            wire::cluster_message a = answer(type::fetch_sockets_response);
                            a.sockets_json = sockets_json(found);
                            publish_answer(requester, std::move(a));
                          });
    case type::server_side_emit: {
      std::function<void(std::string)> reply;
      if (!id.empty())
        reply = [this, requester, answer](std::string json) {
          wire::cluster_message a = answer(type::server_side_emit_response);
          a.data_json = std::move(json);
          publish_answer(requester, std::move(a));
        };
      return hand_server_event(nsp, std::move(m.data_json), std::move(reply));
    }
    default:  // heartbeats and ADAPTER_CLOSE: a plain ClusterAdapter ignores them too
      return;
  }
}

void sharded_redis_adapter::on_answer(wire::cluster_message& m) {
  switch (m.type) {
    case type::fetch_sockets_response:
      return sockets_arrived(m.request_id, m.sockets_json);
    case type::server_side_emit_response:
      return reply_arrived(m.request_id, std::move(m.data_json));
    case type::broadcast_client_count:
      return client_count_arrived(m.request_id, m.client_count);
    default:
      return ack_arrived(m.request_id, std::move(m.data_json));
  }
}

}  // namespace chorus::server::cluster
