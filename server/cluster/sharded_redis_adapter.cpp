#include "server/cluster/sharded_redis_adapter.hpp"

#include "protocol/cluster/cluster_messages.hpp"
#include "protocol/cluster/redis_messages.hpp"
#include "server/server.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

namespace {
constexpr auto mode = wire::subscription_mode::dynamic;
}  // namespace

sharded_redis_adapter::sharded_redis_adapter(server& srv, redis_adapter_options options,
                                             std::vector<std::string> namespaces,
                                             fanout::server_event_sink sink)
    : cluster_adapter_base(srv, std::move(options), std::move(namespaces), std::move(sink),
                           sharded_pubsub) {
  subscribe_channels(subscription_kind::ssubscribe);
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

bool sharded_redis_adapter::send_message(const wire::cluster_message& message) {
  std::string payload = wire::encode_cluster_message(message);
  if (payload.empty()) {
    link_.note_malformed("message of this node", "cannot be encoded");
    return false;
  }
  return link_.publish(wire::sharded_publish_channel(message, options_.key, mode), payload);
}

void sharded_redis_adapter::send_answer(const std::string& requester,
                                        const wire::cluster_message& message) {
  std::string payload = wire::encode_cluster_message(message);
  if (!payload.empty())
    link_.publish(wire::room_channel(options_.key, message.nsp, requester), payload);
}

// ---- what arrives ------------------------------------------------------------------------

const std::string* sharded_redis_adapter::namespace_of(std::string_view channel,
                                                       bool& answers) const {
  if (const std::string* nsp = channel_namespace(channel, answers)) return nsp;
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
  receive_payload(*nsp, answers, payload);
}

}  // namespace chorus::server::cluster
