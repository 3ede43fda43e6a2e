#include "server/cluster/redis_streams_adapter.hpp"

#include "protocol/cluster/redis_messages.hpp"
#include "protocol/cluster/stream_messages.hpp"
#include "protocol/cluster/stream_session.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/server.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

redis_streams_adapter::redis_streams_adapter(server& srv, redis_adapter_options options,
                                             std::vector<std::string> namespaces,
                                             fanout::server_event_sink sink)
    : cluster_adapter_base(srv, std::move(options), std::move(namespaces), std::move(sink),
                           classic_pubsub),
      reader_(
          link_, options_.key, [this](const stream_entry& entry) { on_entry(entry); },
          [this] {
            subscribe_channels(subscription_kind::subscribe);
            reading_ = true;
            auto waiting = std::move(before_reading_);
            before_reading_.clear();
            for (auto& job : waiting) append_stored(std::move(job));
          }) {
  if (auto* recovery = srv.recovery()) {
    recovery_log_ = std::make_unique<stream_recovery_log>(
        link_, options_.key, recovery->options().window, options_.requests_timeout);
    recovery->keep_in_cluster(recovery_log_.get());
  }
  start();
}

redis_streams_adapter::~redis_streams_adapter() {
  link_.stop();
  if (recovery_log_) server_.recovery()->keep_in_cluster(nullptr);
}

void redis_streams_adapter::broadcast(std::shared_ptr<const fanout::broadcast_job> job,
                                      fanout::shard_hub* origin) {
  if (!recovery_log_ || job->acks || job->flags.local || !recovery::state_recovery::stores(*job))
    return redis_adapter_base::broadcast(std::move(job), origin);
  asio::post(link_.executor(), [this, job = std::move(job)]() mutable { append_stored(job); });
}

void redis_streams_adapter::append_stored(std::shared_ptr<const fanout::broadcast_job> job) {
  // Added before the reader knows where the stream ends, an entry might never be read back:
  // held (a moment, at start-up) unless Redis is down (then nothing is added or read) or too
  // many wait.
  if (!reading_ && link_.counters().up.load(std::memory_order_relaxed) &&
      before_reading_.size() < max_before_reading)
    return before_reading_.push_back(std::move(job));
  // Not added (or refused): delivered here without an offset. A connection lost after Redis
  // took the entry but before it answered may deliver it twice: once so, once read back.
  auto unstored = [this, job] { local_.broadcast(job, nullptr); };
  bool handed = append_to_stream(stamped_broadcast(*job), [unstored](const redis_reply& reply) {
    if (reply.is_error()) unstored();
  });
  if (!handed) unstored();
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

bool redis_streams_adapter::append_to_stream(
    const wire::cluster_message& message, std::function<void(const redis_reply& reply)> on_reply) {
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
  return link_.send(argv, std::move(on_reply));
}

// ---- what arrives ------------------------------------------------------------------------

void redis_streams_adapter::on_entry(const stream_entry& entry) {
  std::string error;
  auto message = wire::decode_stream_entry(entry.fields, error);
  if (!message) {
    if (!error.empty()) link_.note_malformed("stream entry", error);
    return;  // else an entry without nsp: the Node adapter skips those too
  }
  // A stored broadcast, this node's own included (delivered only now: see the header).
  if (recovery_log_ && stream_recovery_log::stores(*message)) {
    auto id = wire::parse_stream_id(entry.id);
    if (!id || !serves(message->nsp)) return;
    if (message->uid != uid_) link_.note_received();
    local_.broadcast(stream_recovery_log::stored_job(*message, entry.id, *id), nullptr);
    return;
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
