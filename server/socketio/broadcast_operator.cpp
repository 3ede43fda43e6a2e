#include "server/socketio/broadcast_operator.hpp"

#include "server/fanout/adapter.hpp"
#include "server/node_services.hpp"
#include "server/shard.hpp"
#include "server/socketio/event_job.hpp"
#include "server/socketio/packet_writer.hpp"

namespace chorus::server::socketio {

broadcast_operator::broadcast_operator(node_services& node, shard* origin, std::string nsp)
    : node_(node), origin_(origin), nsp_(std::move(nsp)) {}

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

const packet_writer& broadcast_operator::writer() const {
  return packet_writer_for((origin_ ? origin_ : &node_.shard_at(0))->config().parser);
}

void broadcast_operator::emit(std::string_view event_name, std::string_view args_json,
                              const std::vector<std::string>& attachments) const {
  auto job = writer().event_job(nsp_, std::nullopt, attachments, event_name, args_json);
  if (!job) return;
  job->target = target_;
  job->flags = flags_;
  node_.adapter().broadcast(std::move(job), origin_ ? &origin_->hub() : nullptr);
}

void broadcast_operator::emit_with_ack(std::string_view event_name, std::string_view args_json,
                                       std::chrono::milliseconds timeout,
                                       fanout::ack_collector::done_callback done,
                                       const std::vector<std::string>& attachments) const {
  std::uint64_t id = fanout::next_broadcast_ack_id();
  auto job = writer().event_job(nsp_, id, attachments, event_name, args_json);
  shard& home = origin_ ? *origin_ : node_.shard_at(0);
  // Not sent (the writer logged why): done at once, with no acks and not complete, as a
  // timeout reports a broadcast whose acks did not all come (a broadcast that reached nobody is
  // complete: nothing was missing).
  if (!job) {
    asio::post(home.executor(), [done = std::move(done)] { done({{}, false}); });
    return;
  }
  job->target = target_;
  job->flags = flags_;
  job->acks = fanout::ack_collector::create(home.executor(), timeout, std::move(done));
  job->ack_id = id;
  job->ack_timeout = timeout;
  node_.adapter().broadcast(std::move(job), origin_ ? &origin_->hub() : nullptr);
}

void broadcast_operator::sockets_join(std::vector<std::string> rooms) const {
  node_.adapter().sockets_join(nsp_, target_, std::move(rooms));
}

void broadcast_operator::sockets_leave(std::vector<std::string> rooms) const {
  node_.adapter().sockets_leave(nsp_, target_, std::move(rooms));
}

void broadcast_operator::disconnect_sockets(bool close_connection) const {
  node_.adapter().disconnect_sockets(nsp_, target_, close_connection);
}

awaitable<std::vector<fanout::socket_description>> broadcast_operator::fetch_sockets() const {
  return node_.adapter().fetch_sockets(nsp_, target_);
}

}  // namespace chorus::server::socketio
