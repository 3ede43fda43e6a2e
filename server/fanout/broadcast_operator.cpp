#include "server/fanout/broadcast_operator.hpp"

#include "protocol/socketio/encode.hpp"
#include "protocol/socketio/packet.hpp"
#include "server/fanout/adapter.hpp"
#include "server/server.hpp"

namespace chorus::server::fanout {

broadcast_operator::broadcast_operator(server& srv, shard* origin, std::string nsp)
    : server_(srv), origin_(origin), nsp_(std::move(nsp)) {}

broadcast_operator& broadcast_operator::to(std::string room) {
  target_.rooms.push_back(std::move(room));
  return *this;
}

broadcast_operator& broadcast_operator::except(std::string room_or_socket_id) {
  target_.except_rooms.push_back(std::move(room_or_socket_id));
  return *this;
}

broadcast_operator& broadcast_operator::as_volatile() {
  flags_.is_volatile = true;
  return *this;
}

broadcast_operator& broadcast_operator::local() {
  flags_.local = true;
  return *this;
}

namespace {
std::shared_ptr<broadcast_job> make_job(const std::string& nsp,
                                        const rooms::broadcast_target& target,
                                        const rooms::broadcast_flags& flags,
                                        std::string_view event_name, std::string_view args_json,
                                        const std::vector<std::string>& attachments,
                                        std::optional<std::uint64_t> ack_id) {
  auto job = std::make_shared<broadcast_job>();
  job->nsp = nsp;
  job->target = target;
  job->flags = flags;
  std::string text = "4";  // Engine.IO message, then the Socket.IO packet
  protocol::socketio::append_event(text, nsp, event_name, args_json, ack_id, attachments.size());
  std::string header;  // short: its length is where the data array starts
  protocol::socketio::append_header(header,
                                    attachments.empty()
                                        ? protocol::socketio::packet_type::event
                                        : protocol::socketio::packet_type::binary_event,
                                    nsp, ack_id, attachments.size());
  job->data_offset = 1 + header.size();
  job->packets.reserve(1 + attachments.size());
  job->packets.push_back(engineio::make_text_packet(text));
  for (const auto& bytes : attachments) job->packets.push_back(engineio::make_binary_packet(bytes));
  job->issued = std::chrono::steady_clock::now();
  return job;
}
}  // namespace

void broadcast_operator::emit(std::string_view event_name, std::string_view args_json,
                              const std::vector<std::string>& attachments) const {
  server_.adapter().broadcast(
      make_job(nsp_, target_, flags_, event_name, args_json, attachments, std::nullopt), origin_);
}

void broadcast_operator::emit_with_ack(std::string_view event_name, std::string_view args_json,
                                       std::chrono::milliseconds timeout,
                                       ack_collector::done_callback done,
                                       const std::vector<std::string>& attachments) const {
  std::uint64_t id = next_broadcast_ack_id();
  auto job = make_job(nsp_, target_, flags_, event_name, args_json, attachments, id);
  shard& home = origin_ ? *origin_ : server_.shard_at(0);
  job->acks = ack_collector::create(home.executor(), timeout, std::move(done));
  job->ack_id = id;
  job->ack_timeout = timeout;
  server_.adapter().broadcast(std::move(job), origin_);
}

void broadcast_operator::sockets_join(std::vector<std::string> rooms) const {
  server_.adapter().sockets_join(nsp_, target_, std::move(rooms));
}

void broadcast_operator::sockets_leave(std::vector<std::string> rooms) const {
  server_.adapter().sockets_leave(nsp_, target_, std::move(rooms));
}

void broadcast_operator::disconnect_sockets(bool close_connection) const {
  server_.adapter().disconnect_sockets(nsp_, target_, close_connection);
}

awaitable<std::vector<socket_description>> broadcast_operator::fetch_sockets() const {
  return server_.adapter().fetch_sockets(nsp_, target_);
}

}  // namespace chorus::server::fanout
