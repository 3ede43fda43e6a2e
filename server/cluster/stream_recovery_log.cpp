#include "server/cluster/stream_recovery_log.hpp"

#include "protocol/cluster/stream_messages.hpp"
#include "protocol/cluster/stream_session.hpp"
#include "rooms/broadcast_target.hpp"
#include "server/cluster/redis_adapter_base.hpp"
#include "server/cluster/redis_link.hpp"
#include "server/cluster/stream_reader.hpp"
#include "server/recovery/offset.hpp"
#include "server/socketio/event_job.hpp"

namespace chorus::server::cluster {

namespace wire = protocol::cluster;

stream_recovery_log::stream_recovery_log(redis_link& link, std::string stream,
                                         std::chrono::milliseconds window,
                                         std::chrono::milliseconds timeout)
    : link_(link), stream_(std::move(stream)), window_(window), timeout_(timeout) {}

bool stream_recovery_log::stores(const wire::cluster_message& message) {
  return message.type == wire::cluster_type::broadcast && message.request_id.empty() &&
         !message.opts.is_volatile && !message.packet.has_ack_id;
}

std::shared_ptr<fanout::broadcast_job> stream_recovery_log::stored_job(
    const wire::cluster_message& message, std::string_view id_text, wire::stream_id id) {
  auto job = socketio::make_event_job(message.nsp, std::nullopt, message.packet.attachments,
                                      recovery::with_offset(message.packet.data_json, id_text));
  job->target = target_of(message.opts);
  job->flags.local = true;
  job->stream_offset = id;
  return job;
}

void stream_recovery_log::persist(recovery::saved_session session) {
  asio::post(link_.executor(), [this, session = std::move(session)] {
    const std::string value =
        wire::encode_stream_session({session.sid, session.pid, session.rooms, session.data_json});
    if (value.empty()) return link_.note_malformed("session of this node", "cannot be encoded");
    const std::string key = wire::stream_session_key(session.pid);
    const std::string ttl = std::to_string(window_.count());
    const std::string_view argv[] = {"SET", key, value, "PX", ttl};
    link_.send(argv, {});
  });
}

void stream_recovery_log::take(std::string pid, std::string offset, taken_handler done) {
  asio::co_spawn(link_.executor(), take_session(std::move(pid), std::move(offset), std::move(done)),
                 asio::detached);
}

awaitable<void> stream_recovery_log::take_session(std::string pid, std::string offset,
                                                  taken_handler done) {
  // As the Node adapter: a malformed offset fails before Redis is asked (the session stays).
  if (!wire::parse_stream_id(offset)) co_return done(std::nullopt);
  auto got = link_.command({"GETDEL", wire::stream_session_key(pid)}, timeout_);
  redis_reply value = co_await std::move(got);
  if (value.type != redis_reply::kind::string) co_return done(std::nullopt);
  auto found = link_.command({"XRANGE", stream_, offset, offset}, timeout_);
  redis_reply entry = co_await std::move(found);
  auto entries = xrange_entries(entry);
  if (!entries || entries->empty()) co_return done(std::nullopt);  // trimmed, or never there
  std::string error;
  auto session = wire::decode_stream_session(value.str, error);
  if (!session) {
    link_.note_malformed("session", error);
    co_return done(std::nullopt);
  }
  recovery::saved_session kept;
  kept.pid = std::move(session->pid);
  kept.sid = std::move(session->sid);
  kept.rooms = std::move(session->rooms);
  kept.data_json = std::move(session->data_json);
  done(std::move(kept));
}

void stream_recovery_log::missed_since(std::string offset, std::string nsp,
                                       std::vector<std::string> rooms, missed_handler done) {
  asio::co_spawn(link_.executor(),
                 read_missed(std::move(offset), std::move(nsp), std::move(rooms), std::move(done)),
                 asio::detached);
}

awaitable<void> stream_recovery_log::read_missed(std::string offset, std::string nsp,
                                                 std::vector<std::string> rooms,
                                                 missed_handler done) {
  auto after = wire::parse_stream_id(offset);
  if (!after) co_return done(std::nullopt);
  missed_packets missed;
  for (int read = 0; read < max_reads; ++read) {
    auto asked =
        link_.command({"XRANGE", stream_, wire::format_stream_id(wire::next_stream_id(*after)), "+",
                       "COUNT", std::to_string(read_count)},
                      timeout_);
    redis_reply reply = co_await std::move(asked);
    auto entries = xrange_entries(reply);
    if (!entries) co_return done(std::nullopt);
    for (const auto& entry : *entries) {
      auto id = wire::parse_stream_id(entry.id);
      if (!id) continue;  // Redis writes none other
      *after = *id;
      std::string error;
      auto message = wire::decode_stream_entry(entry.fields, error);
      if (!message || message->nsp != nsp || !stores(*message)) continue;
      if (!rooms::reaches(target_of(message->opts), rooms)) continue;
      missed.push_back(stored_job(*message, entry.id, *id));
    }
    if (entries->size() < static_cast<std::size_t>(read_count)) break;
  }
  done(std::move(missed));
}

}  // namespace chorus::server::cluster
