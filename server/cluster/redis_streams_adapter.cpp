#include "server/cluster/redis_streams_adapter.hpp"

#include "protocol/cluster/redis_messages.hpp"
#include "protocol/cluster/stream_messages.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

redis_streams_adapter::redis_streams_adapter(server& srv, redis_adapter_options options,
                                             std::vector<std::string> namespaces,
                                             fanout::server_event_sink sink)
    : cluster_adapter_base(srv, std::move(options), std::move(namespaces), std::move(sink),
                           classic_pubsub),
      reader_(
          link_, options_.key, [this](const stream_entry& entry) { on_entry(entry); },
          [this] { subscribe_channels(subscription_kind::subscribe); }) {
  start();
}

redis_streams_adapter::~redis_streams_adapter() {
  link_.stop();
}

std::string redis_streams_adapter::counted_channel(std::string_view nsp) const {
  return wire::broadcast_channel(options_.key, nsp);
}

// ---- what this node publishes ----------------------------------------------------------------

bool redis_streams_adapter::send_message(const wire::cluster_message& message) {
  if (!wire::is_ephemeral(message)) return append_to_stream(message);
  std::string payload = wire::encode_cluster_message_msgpack(message);
  if (payload.empty()) {
    link_.note_malformed("message of this node", "cannot be encoded");
    return false;
  }
  return link_.publish(wire::broadcast_channel(options_.key, message.nsp), payload);
}

void redis_streams_adapter::send_answer(const std::string& requester,
                                        const wire::cluster_message& message) {
  std::string payload = wire::encode_cluster_message_msgpack(message);
  if (!payload.empty())
    link_.publish(wire::room_channel(options_.key, message.nsp, requester), payload);
}

bool redis_streams_adapter::append_to_stream(const wire::cluster_message& message) {
  const std::vector<wire::stream_field> fields = wire::encode_stream_entry(message);
  if (fields.empty()) {
    link_.note_malformed("message of this node", "cannot be encoded");
    return false;
  }
  std::vector<std::string_view> argv = {"XADD", options_.key, "MAXLEN", "~", max_length, "*"};
  for (const auto& field : fields) {
    argv.push_back(field.name);
    argv.push_back(field.value);
  }
  return link_.send(argv, {});
}

// ---- what arrives ------------------------------------------------------------------------

void redis_streams_adapter::on_entry(const stream_entry& entry) {
  std::string error;
  auto message = wire::decode_stream_entry(entry.fields, error);
  if (!message) {
    if (!error.empty()) link_.note_malformed("stream entry", error);
    return;  // else an entry without nsp: the Node adapter skips those too
  }
  receive(*message, false);
}

void redis_streams_adapter::on_message(std::string_view channel, std::string_view payload) {
  bool answers = false;
  const std::string* nsp = channel_namespace(channel, answers);
  if (!nsp) return;
  receive_payload(*nsp, answers, payload);
}

}  // namespace chorus::server::cluster
