#include "server/socketio/socket.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <simdjson.h>

#include "protocol/json/escape.hpp"
#include "protocol/json/js_date.hpp"
#include "protocol/socketio/packet.hpp"
#include "server/engineio/handshake_request.hpp"
#include "server/engineio/session.hpp"
#include "server/fanout/adapter.hpp"
#include "server/node_services.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/shard.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/client.hpp"
#include "server/socketio/event_job.hpp"
#include "server/socketio/namespace_handlers.hpp"
#include "server/socketio/socket_observer.hpp"

namespace chorus::server::socketio {

namespace sio = protocol::socketio;

socket::socket(client& owner, const namespace_handlers& handlers, std::string nsp, std::string id,
               std::string pid, std::string auth_json)
    : owner_(owner),
      home_(owner.home()),
      node_(owner.node()),
      handlers_(handlers),
      observer_(owner.app().observer()),
      expose_admin_data_(owner.app().admin_data_exposed()),
      nsp_(std::move(nsp)),
      id_(std::move(id)),
      pid_(std::move(pid)),
      auth_json_(std::move(auth_json)) {
  if (const engineio::session* conn = owner.session()) {
    client_id_ = conn->sid();
    over_websocket_ = conn->transport() == engineio::transport_kind::websocket;
    handshake_ = conn->handshake();
  }
}

socket::~socket() = default;

void socket::send_packet(outbound_message message) {
  if (connected_) owner_.send(std::move(message));
}

void socket::emit(std::string_view event_name, std::string_view args_json,
                  std::vector<std::string> attachments) {
  if (auto* recovery = node_.recovery()) {
    // As socket.io with recovery on: a broadcast to the socket's own room, so it is stored.
    auto job = socketio::make_event_job(nsp_, std::nullopt, attachments, event_name, args_json);
    job->target.rooms.push_back(id_);
    // In the cluster's log, through the stream like any broadcast: every node reads it, this
    // one delivers it.
    if (recovery->cluster()) return node_.adapter().broadcast(std::move(job), &home_.hub());
    if (auto now = recovery->send_direct(*job, home_.hub())) deliver(*now);
    return;
  }
  // With recovery on, the emit above reaches the observer through deliver().
  if (announced_ && connected_) observer_->event_sent(*this, event_name, args_json);
  send_packet(owner_.writer().event(nsp_, event_name, args_json, std::move(attachments), {}));
}

void socket::emit_before_connect(std::string_view event_name, std::string_view args_json) {
  send_packet(owner_.writer().event(nsp_, event_name, args_json, {}, {}));
}

void socket::emit_with_ack(std::string_view event_name, std::string_view args_json,
                           std::chrono::milliseconds timeout, ack_callback callback,
                           std::vector<std::string> attachments) {
  if (!connected_) {
    callback({ack_status::disconnected});
    return;
  }
  if (observer_) observer_->event_sent(*this, event_name, args_json);
  std::uint64_t id = next_ack_id_++;
  expect_ack(id, timeout, std::move(callback));
  send_packet(owner_.writer().event(nsp_, event_name, args_json, std::move(attachments), id));
}

void socket::expect_ack(std::uint64_t id, std::chrono::milliseconds timeout,
                        ack_callback callback) {
  auto timer = std::make_unique<asio::steady_timer>(home_.executor(), timeout);
  timer->async_wait([self = weak_from_this(), id](boost::system::error_code ec) {
    if (ec) return;
    auto alive = self.lock();
    if (!alive) return;
    auto it = alive->pending_acks_.find(id);
    if (it == alive->pending_acks_.end()) return;
    auto pending = std::move(it->second);
    alive->pending_acks_.erase(it);
    pending.callback({ack_status::timeout});
  });
  pending_acks_.emplace(id, pending_ack{std::move(callback), std::move(timer)});
}

void socket::send_ack(std::uint64_t id, std::string_view args_json,
                      std::vector<std::string> attachments) {
  send_packet(owner_.writer().ack(nsp_, id, args_json, std::move(attachments)));
}

void socket::on_ack(std::uint64_t id, std::string_view args_json,
                    std::vector<std::string>& attachments) {
  auto it = pending_acks_.find(id);
  if (it == pending_acks_.end()) return;  // late (timed out) or unknown: nothing waits for it
  auto pending = std::move(it->second);
  pending_acks_.erase(it);
  pending.timer->cancel();
  pending.callback({ack_status::ok, args_json, &attachments});
}

void socket::disconnect(bool close_connection) {
  if (!connected_) return;
  if (close_connection) {
    // Every namespace of the connection leaves as this one does, then the connection closes.
    owner_.disconnect_all();
    return;
  }
  send_packet(owner_.writer().disconnect(nsp_));
  auto self = shared_from_this();
  owner_.remove(*this, disconnect_reason::server_namespace_disconnect);
}

namespace {

void append_string_object(std::string& out,
                          const std::vector<std::pair<std::string, std::string>>& members) {
  out += '{';
  for (const auto& [name, value] : members) {
    if (out.back() != '{') out += ',';
    protocol::json::append_quoted(out, name);
    out += ':';
    protocol::json::append_quoted(out, value);
  }
  out += '}';
}

}  // namespace

std::string socket::handshake_json() const {
  static const engineio::handshake_request none;
  const engineio::handshake_request& request = handshake_ ? *handshake_ : none;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(issued_.time_since_epoch());
  std::string out = R"({"headers":)";
  append_string_object(out, request.headers);
  // time: JavaScript's Date.prototype.toString() is locale-free but long; the ISO form says
  // the same and is what JSON.stringify(new Date()) gives.
  out += R"(,"time":)";
  protocol::json::append_js_date_json(out, static_cast<double>(ms.count()));
  out += R"(,"address":)";
  protocol::json::append_quoted(out, request.address);
  // As socket.io: cross-domain when the browser said where the page came from.
  out += fmt::format(R"(,"xdomain":{},"secure":{},"issued":{},"url":)",
                     request.header("origin") != nullptr, request.secure, ms.count());
  protocol::json::append_quoted(out, request.target);
  out += R"(,"query":)";
  append_string_object(out, request.query());
  out += R"(,"auth":)";
  out += auth_json_;
  out += '}';
  return out;
}

const std::string& socket::address() const {
  static const std::string unknown;
  return handshake_ ? handshake_->address : unknown;
}

std::string socket::data_json() const {
  if (!expose_admin_data_) return data_json_;
  auto open = data_json_.find_first_not_of(" \t\r\n");
  if (open == std::string::npos || data_json_[open] != '{') return data_json_;
  std::string out = R"({"_admin":{"clientId":)";
  // The first 12 characters of the Engine.IO id, as @socket.io/admin-ui's middleware keeps it.
  protocol::json::append_quoted(out, std::string_view(client_id_).substr(0, 12));
  out += R"(,"transport":")";
  out += transport();
  out += R"("})";
  auto first = data_json_.find_first_not_of(" \t\r\n", open + 1);
  if (first != std::string::npos && data_json_[first] != '}') out += ',';
  out.append(data_json_, open + 1);
  return out;
}

void socket::on_transport_upgraded() {
  over_websocket_ = true;
  if (observer_ && connected_) observer_->transport_upgraded(*this);
}

void socket::announce() {
  if (!observer_) return;
  announced_ = true;
  observer_->connected(*this);
  // Its own room first, then any a recovered session came back with.
  observer_->joined(*this, id_);
  for (const auto& room : rooms())
    if (room != id_) observer_->joined(*this, room);
}

asio::any_io_executor socket::executor() const {
  return home_.executor();
}

void socket::attach_to_hub() {
  member_id_ = home_.hub().add(*this);
  in_hub_ = true;
  for (const auto& room : restored_rooms_) join(room);
  restored_rooms_.clear();
}

void socket::restore(recovery::saved_session session, std::uint64_t through) {
  recovered_ = true;
  replayed_through_ = through;
  restored_rooms_ = std::move(session.rooms);
  data_ = std::move(session.data);
  data_json_ = std::move(session.data_json);
}

std::optional<recovery::saved_session> socket::session_to_keep(disconnect_reason reason) {
  if (!node_.recovery()) return std::nullopt;
  // socket.io's list: the connection was lost or closed by the server, not left on purpose.
  switch (reason) {
    case disconnect_reason::transport_close:
    case disconnect_reason::transport_error:
    case disconnect_reason::ping_timeout:
    case disconnect_reason::forced_close:
    case disconnect_reason::server_shutting_down:
      break;
    default:
      return std::nullopt;
  }
  // data as it was before the disconnect handler, which may clear what it announced.
  return recovery::saved_session{pid_, id_, nsp_, rooms(), data_, data_json_};
}

void socket::join(std::string_view room) {
  if (!in_hub_) return;
  auto& table = home_.hub().table(nsp_);
  // Told of a change only, as socket.io's adapter emits "join-room".
  bool told = announced_ && !table.contains(member_id_, room);
  table.join(member_id_, room);
  if (told) observer_->joined(*this, room);
}

void socket::leave(std::string_view room) {
  if (!in_hub_) return;
  auto& table = home_.hub().table(nsp_);
  bool told = announced_ && table.contains(member_id_, room);
  table.leave(member_id_, room);
  if (told) observer_->left(*this, room);
}

void socket::room_changed(std::string_view room, bool joined) {
  if (!announced_) return;
  if (joined)
    observer_->joined(*this, room);
  else
    observer_->left(*this, room);
}

void socket::leave_all() {
  for (const auto& room : rooms())
    if (room != id_) leave(room);
}

std::vector<std::string> socket::rooms() const {
  if (!in_hub_) return {};
  return home_.hub().table(nsp_).rooms_of(member_id_);
}

broadcast_operator socket::broadcast(bool include_self) const {
  broadcast_operator op(node_, &home_, nsp_);
  if (!include_self) op.except(id_);
  return op;
}

broadcast_operator socket::to(std::string room) const {
  broadcast_operator op = broadcast(false);
  op.to(std::move(room));
  return op;
}

void socket::deliver(const fanout::broadcast_job& job) {
  // A recovered socket was sent the stored packets up to replayed_through_ already.
  if (job.log_seq != 0 && job.log_seq <= replayed_through_) return;
  if (job.stream_offset != protocol::cluster::stream_id{} &&
      job.stream_offset <= replayed_stream_through_)
    return;
  if (held_) return held_->push_back(std::make_shared<fanout::broadcast_job>(job));
  if (!connected_) return;
  if (announced_) observe_sent(job);
  owner_.send_shared(job.packets, job.flags.is_volatile);
}

// socket.io's adapter tells each recipient's outgoing listeners of a broadcast (what
// @socket.io/admin-ui reports as event_sent): the event and its arguments, read back from the
// JSON packet the job carries. Only with an observer; a msgpack job is not read back.
void socket::observe_sent(const fanout::broadcast_job& job) {
  if (job.packets.empty() || home_.config().parser != packet_parser::json) return;
  std::string_view message = engineio::message_of(*job.packets.front());
  if (job.data_offset >= message.size()) return;
  // Read once per broadcast on this shard, not once per recipient: a shard delivers one job to
  // all its recipients in a row. Not the shard's parser: a handler broadcasting from this shard
  // still reads its event from that one while the broadcast is delivered.
  // Keyed by the packet it holds on to, so that no later packet can take its address.
  struct read_back {
    rooms::shared_packet packet;
    bool is_event = false;
    std::string name, args;
  };
  thread_local simdjson::dom::parser parser;
  thread_local read_back last;
  if (last.packet != job.packets.front()) {
    last = read_back{job.packets.front()};
    simdjson::dom::array data;
    if (parser.parse(message.substr(job.data_offset)).get_array().get(data)) return;
    bool first = true;
    for (auto element : data) {
      std::string_view name;
      if (first) {
        first = false;
        if (element.get_string().get(name)) return;
        last.name = name;
        continue;
      }
      if (!last.args.empty()) last.args += ',';
      last.args += simdjson::minify(element);
    }
    last.is_event = true;
  }
  if (last.is_event) observer_->event_sent(*this, last.name, last.args);
}

void socket::replayed(protocol::cluster::stream_id through) {
  replayed_stream_through_ = through;
  auto held = std::move(held_);
  held_.reset();
  if (held)
    for (const auto& job : *held) deliver(*job);
}

namespace {
// socket.io hands a broadcast's ack callback the client's first ack argument only.
std::string first_argument(std::string_view args_json) {
  if (args_json.empty()) return "null";  // undefined, which JSON writes as null in an array
  thread_local simdjson::dom::parser parser;
  simdjson::dom::array args;
  if (parser.parse("[" + std::string(args_json) + "]").get_array().get(args) || args.size() == 0)
    return "null";
  return simdjson::minify(args.at(0).value_unsafe());
}
}  // namespace

bool socket::deliver_expecting_ack(const std::vector<engineio::outbound_packet>& packets,
                                   std::uint64_t ack_id,
                                   const std::shared_ptr<fanout::ack_gatherer>& acks,
                                   std::chrono::milliseconds timeout) {
  if (!connected_) return false;
  expect_ack(ack_id, timeout, [acks](const ack_response& response) {
    if (response.status == ack_status::ok) acks->acked(first_argument(response.args_json));
  });
  owner_.send_shared(packets, false);
  return true;
}

void socket::on_disconnected(disconnect_reason reason) {
  if (!connected_) return;
  connected_ = false;
  home_.metrics().socket_disconnects[metrics::index_of(reason)].add();
  auto kept = session_to_keep(reason);
  std::vector<std::string> left_rooms;
  if (observer_ && announced_ && in_hub_) left_rooms = rooms();
  if (in_hub_) {
    home_.hub().remove(*this, member_id_);
    in_hub_ = false;
  }
  auto acks = std::move(pending_acks_);
  pending_acks_.clear();
  for (auto& [id, pending] : acks) {
    pending.timer->cancel();
    pending.callback({ack_status::disconnected});
  }
  // Then each room it was in, its own included, as socket.io's adapter tells "leave-room"
  // after "disconnect".
  if (observer_ && announced_) {
    observer_->disconnected(*this, reason);
    for (const auto& room : left_rooms) observer_->left(*this, room);
  }
  if (handlers_.disconnect()) handlers_.disconnect()(*this, reason);
  // Kept once the disconnect handler has run, so that a client coming back at once on another
  // shard finds the application done with the socket that left.
  if (kept) node_.recovery()->save(std::move(*kept));
}

void ack_sender::operator()(std::string_view args_json,
                            std::vector<std::string> attachments) const {
  if (!pending_ || !*pending_) return;
  *pending_ = false;
  if (auto target = target_.lock()) target->send_ack(id_, args_json, std::move(attachments));
}

}  // namespace chorus::server::socketio
