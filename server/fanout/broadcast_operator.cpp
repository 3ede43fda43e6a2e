#include "server/fanout/broadcast_operator.hpp"

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

void broadcast_operator::emit(std::string_view event_name, std::string_view args_json,
                              const std::vector<std::string>& attachments) const {
  auto job = std::make_shared<broadcast_job>();
  job->nsp = nsp_;
  job->target = target_;
  job->flags = flags_;
  std::string text = "4";  // Engine.IO message, then the Socket.IO packet
  protocol::socketio::append_event(text, nsp_, event_name, args_json, std::nullopt,
                                   attachments.size());
  job->packets.reserve(1 + attachments.size());
  job->packets.push_back(engineio::make_text_packet(text));
  for (const auto& bytes : attachments) job->packets.push_back(engineio::make_binary_packet(bytes));
  job->issued = std::chrono::steady_clock::now();
  server_.adapter().broadcast(std::move(job), origin_);
}

}  // namespace chorus::server::fanout
