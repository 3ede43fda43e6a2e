#include "server/cluster/cluster_adapter_base.hpp"

#include "protocol/cluster/cluster_messages.hpp"
#include "protocol/cluster/redis_messages.hpp"
#include "server/cluster/node_ids.hpp"
#include "server/cluster/socket_list.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;
namespace type = protocol::cluster::cluster_type;

cluster_adapter_base::cluster_adapter_base(server& srv, redis_adapter_options options,
                                           std::vector<std::string> namespaces,
                                           fanout::server_event_sink sink, redis_pubsub_verbs verbs)
    : redis_adapter_base(srv, std::move(options), std::move(namespaces), std::move(sink), verbs,
                         hex_id(), own_operations::applied_at_once) {
  for (const auto& nsp : namespaces_) {
    main_channels_[wire::broadcast_channel(options_.key, nsp)] = nsp;
    answer_channels_[wire::room_channel(options_.key, nsp, uid_)] = nsp;
  }
}

void cluster_adapter_base::subscribe_channels(subscription_kind kind) {
  for (const auto* channels : {&main_channels_, &answer_channels_})
    for (const auto& [channel, nsp] : *channels) link_.subscribe(kind, channel);
}

const std::string* cluster_adapter_base::channel_namespace(std::string_view channel,
                                                           bool& answers) const {
  answers = false;
  if (auto it = main_channels_.find(channel); it != main_channels_.end()) return &it->second;
  if (auto it = answer_channels_.find(channel); it != answer_channels_.end()) {
    answers = true;
    return &it->second;
  }
  return nullptr;
}

std::string cluster_adapter_base::new_request_id() const {
  return hex_id();
}

awaitable<std::vector<std::string>> cluster_adapter_base::room_names(std::string nsp) {
  return local_.room_names(std::move(nsp));
}

// ---- what this node publishes ----------------------------------------------------------------

bool cluster_adapter_base::publish_message(wire::cluster_message message) {
  message.uid = uid_;
  return send_message(message);
}

void cluster_adapter_base::publish_answer(const std::string& requester,
                                          wire::cluster_message message) {
  message.uid = uid_;
  send_answer(requester, message);
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

wire::cluster_message cluster_adapter_base::stamped_broadcast(
    const fanout::broadcast_job& job) const {
  wire::cluster_message m = broadcast_message(job);
  m.uid = uid_;
  return m;
}

void cluster_adapter_base::publish_broadcast(const fanout::broadcast_job& job) {
  publish_message(broadcast_message(job));
}

bool cluster_adapter_base::publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                                       const std::string& request_id) {
  wire::cluster_message m = broadcast_message(job);
  m.request_id = request_id;
  m.opts.timeout_ms = static_cast<std::uint64_t>(job.ack_timeout.count());
  return publish_message(std::move(m));
}

bool cluster_adapter_base::publish_fetch(const std::string& nsp, const std::string& request_id,
                                         const rooms::broadcast_target& target) {
  wire::cluster_message m = message_of(type::fetch_sockets, nsp);
  m.opts = options_of(target);
  m.request_id = request_id;
  return publish_message(std::move(m));
}

bool cluster_adapter_base::publish_server_side_emit(const std::string& nsp,
                                                    const std::string& data_json,
                                                    const std::string& request_id) {
  wire::cluster_message m = message_of(type::server_side_emit, nsp);
  m.data_json = data_json;
  m.request_id = request_id;
  return publish_message(std::move(m));
}

bool cluster_adapter_base::publish_sockets_operation(const sockets_operation& op) {
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

// ---- what arrives ------------------------------------------------------------------------

void cluster_adapter_base::receive(wire::cluster_message& message, bool answers_only) {
  // As the Node adapter: never its own, never another namespace's.
  if (message.uid == uid_ || !serves(message.nsp)) return;
  switch (message.type) {
    case type::fetch_sockets_response:
    case type::server_side_emit_response:
    case type::broadcast_client_count:
    case type::broadcast_ack:
      return on_answer(message);
    default:
      if (!answers_only) on_request(message);
  }
}

void cluster_adapter_base::receive_payload(const std::string& nsp, bool answers_only,
                                           std::string_view payload) {
  std::string error;
  auto message = wire::decode_cluster_message(payload, error);
  if (!message) return link_.note_malformed("message", error);
  // On this namespace's channels, only this namespace's messages.
  if (message->nsp != nsp) return;
  receive(*message, answers_only);
}

void cluster_adapter_base::on_request(wire::cluster_message& m) {
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

void cluster_adapter_base::on_answer(wire::cluster_message& m) {
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
