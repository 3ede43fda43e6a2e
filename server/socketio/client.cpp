#include "server/socketio/client.hpp"

#include <spdlog/spdlog.h>

#include "protocol/socketio/event_args.hpp"
#include "protocol/socketio/msgpack_decode.hpp"
#include "server/engineio/session.hpp"
#include "server/engineio/sid.hpp"
#include "server/node_services.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/shard.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/namespace_handlers.hpp"
#include "server/socketio/socket.hpp"
#include "server/socketio/socket_observer.hpp"

namespace chorus::server::socketio {

namespace sio = protocol::socketio;

namespace {

sio::limits limits_for(const server_config& config) {
  sio::limits lim;
  lim.max_attachment_bytes = config.max_payload;
  return lim;
}

// Application code must not take the connection down with it: log what it throws.
template <class Call>
void guarded(const char* what, Call&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    spdlog::error("{} handler threw: {}", what, e.what());
  } catch (...) {
    spdlog::error("{} handler threw", what);
  }
}

// The pid and offset a CONNECT's auth carries to come back, when both are strings (as socket.io:
// anything else is a plain connect).
struct recovery_request {
  std::string_view pid, offset;
};
std::optional<recovery_request> recovery_asked(simdjson::dom::element auth) {
  recovery_request asked;
  if (auth["pid"].get_string().get(asked.pid) || auth["offset"].get_string().get(asked.offset))
    return std::nullopt;
  return asked;
}

const std::vector<namespace_handlers::middleware> no_middlewares;

}  // namespace

client::client(const application& app, shard& home, node_services& node)
    : app_(app),
      home_(home),
      node_(node),
      limits_(limits_for(home.config())),
      reassembler_(limits_) {}

client::~client() = default;

void client::on_open(engineio::session& session) {
  session_ = &session;
  weak_session_ = session.weak_from_this();
  // A connection that joins no namespace in time is closed (Socket.IO's connectTimeout).
  connect_timer_ =
      std::make_unique<asio::steady_timer>(home_.executor(), home_.config().connect_timeout);
  connect_timer_->async_wait([this, weak = weak_session_](boost::system::error_code ec) {
    auto alive = weak.lock();
    if (ec || !alive || alive->closed()) return;
    if (sockets_.empty()) alive->close(disconnect_reason::forced_close);
  });
}

void client::on_message(engineio::session&, std::string_view data, bool binary) {
  if (home_.config().parser == packet_parser::msgpack) return on_msgpack(data, binary);
  if (binary)
    on_binary(data);
  else
    on_text(data);
}

void client::on_close(engineio::session&, disconnect_reason reason) {
  connect_timer_.reset();  // destroying a timer cancels its wait
  attachment_timer_.reset();
  auto gone = std::move(sockets_);
  sockets_.clear();
  for (auto& s : gone) guarded("disconnect", [&] { s->on_disconnected(reason); });
}

void client::on_upgraded(engineio::session&) {
  for (auto& s : sockets_) s->on_transport_upgraded();
}

const packet_writer& client::writer() const {
  return packet_writer_for(home_.config().parser);
}

void client::send(outbound_message message) {
  if (!message.packet || !session_ || session_->closed()) return;
  session_->send(std::move(message.packet));
  for (auto& bytes : message.attachments) session_->send(engineio::make_binary_packet(bytes));
}

void client::send_shared(const std::vector<engineio::outbound_packet>& packets, bool is_volatile) {
  if (!session_ || session_->closed()) return;
  // Dropping part of an event with attachments would leave the client waiting for them.
  bool may_drop = is_volatile && packets.size() == 1;
  for (const auto& packet : packets) session_->send(packet, may_drop);
}

void client::close(disconnect_reason reason) {
  if (session_) session_->close(reason);
}

void client::disconnect_all() {
  auto all = sockets_;  // disconnect() edits sockets_
  for (auto& s : all) s->disconnect(false);
  close(disconnect_reason::forced_close);
}

void client::fail(sio::parse_error error) {
  spdlog::debug("closing connection: {}", sio::to_string(error));
  close(disconnect_reason::parse_error);
}

socket* client::find(std::string_view nsp) const {
  for (const auto& s : sockets_)
    if (s->nsp() == nsp) return s.get();
  return nullptr;
}

void client::remove(socket& gone, disconnect_reason reason) {
  for (auto it = sockets_.begin(); it != sockets_.end(); ++it) {
    if (it->get() != &gone) continue;
    auto keep = std::move(*it);
    sockets_.erase(it);
    guarded("disconnect", [&] { keep->on_disconnected(reason); });
    return;
  }
}

void client::on_text(std::string_view text) {
  if (reassembler_.active()) return fail(sio::parse_error::unexpected_text);
  sio::header h;
  if (auto error = sio::decode_header(text, h, limits_); error != sio::parse_error::ok)
    return fail(error);
  if (h.attachments > 0) {
    reassembler_.start(std::string(text), h.attachments);
    // Attachments that never arrive must not hold the connection's parser forever.
    attachment_timer_ =
        std::make_unique<asio::steady_timer>(home_.executor(), home_.config().connect_timeout);
    attachment_timer_->async_wait([this, weak = weak_session_](boost::system::error_code ec) {
      auto alive = weak.lock();
      if (ec || !alive || alive->closed()) return;
      if (reassembler_.active()) fail(sio::parse_error::attachments_too_large);
    });
    return;
  }
  std::vector<std::string> no_attachments;
  dispatch(h, no_attachments);
}

void client::on_binary(std::string_view bytes) {
  if (!reassembler_.active()) return fail(sio::parse_error::unexpected_binary);
  if (auto error = reassembler_.add(bytes); error != sio::parse_error::ok) return fail(error);
  if (!reassembler_.complete()) return;
  attachment_timer_.reset();
  std::string text = reassembler_.take_text();
  std::vector<std::string> buffers = reassembler_.take_buffers();
  sio::header h;
  if (auto error = sio::decode_header(text, h, limits_); error != sio::parse_error::ok)
    return fail(error);
  dispatch(h, buffers);
}

void client::on_msgpack(std::string_view bytes, bool binary) {
  // socket.io-msgpack-parser's decoder cannot read a text message (notepack throws).
  if (!binary) return fail(sio::parse_error::invalid_msgpack);
  sio::msgpack_packet packet;
  sio::parsed_payload payload;
  if (auto error = sio::decode_msgpack(bytes, limits_, home_.json_parser(), packet, payload);
      error != sio::parse_error::ok)
    return fail(error);
  route(sio::as_header(packet), payload, packet.attachments);
}

void client::dispatch(const sio::header& h, std::vector<std::string>& attachments) {
  sio::parsed_payload payload;
  if (auto error = sio::parse_payload(home_.json_parser(), h, limits_, payload);
      error != sio::parse_error::ok)
    return fail(error);
  route(h, payload, attachments);
}

void client::route(const sio::header& h, const sio::parsed_payload& payload,
                   std::vector<std::string>& attachments) {
  socket* target = find(h.nsp);
  // As the reference server: CONNECT only for a namespace not joined yet, everything else only
  // for a joined one; any other order closes the connection.
  bool in_order = h.type == sio::packet_type::connect ? target == nullptr : target != nullptr;
  if (!in_order) return close(disconnect_reason::forced_close);
  switch (h.type) {
    case sio::packet_type::connect:
      on_connect(h, payload);
      break;
    case sio::packet_type::disconnect:
      remove(*target, disconnect_reason::client_namespace_disconnect);
      break;
    case sio::packet_type::event:
    case sio::packet_type::binary_event:
      on_event(*target, h, payload, attachments);
      break;
    case sio::packet_type::ack:
    case sio::packet_type::binary_ack:
      target->on_ack(*h.ack_id, sio::array_elements(h.payload), attachments);
      break;
    case sio::packet_type::connect_error:  // only a server sends it
      fail(sio::parse_error::invalid_payload);
      break;
  }
}

void client::on_connect(const sio::header& h, const sio::parsed_payload& payload) {
  const namespace_handlers* handlers = app_.find(h.nsp);
  if (!handlers) return send(writer().connect_error(h.nsp, "Invalid namespace"));
  // A second CONNECT while the first is still being recovered: out of order, as any other.
  if (std::find(recovering_.begin(), recovering_.end(), h.nsp) != recovering_.end())
    return close(disconnect_reason::forced_close);
  std::string auth_json = payload.has_payload ? std::string(h.payload) : std::string("{}");
  simdjson::dom::element auth = payload.root;
  if (!payload.has_payload) auth = home_.json_parser().parse("{}", 2).value_unsafe();
  recovery::state_recovery* recovery = node_.recovery();
  auto asked = recovery ? recovery_asked(auth) : std::nullopt;
  if (asked && recovery->cluster())
    return recover_from_cluster(*handlers, std::string(h.nsp), std::move(auth_json),
                                std::string(asked->pid), std::string(asked->offset));
  std::optional<recovery::state_recovery::restored> restored;
  if (asked)
    restored = recovery->restore(std::string(asked->pid), asked->offset, std::string(h.nsp));
  std::optional<recovery::saved_session> session;
  std::uint64_t through = 0;
  if (restored) {
    session = std::move(restored->session);
    through = restored->through;
  }
  bool waits = awaits_middlewares(*handlers, session.has_value());
  auto joined = admit(*handlers, h.nsp, std::move(auth_json), auth, std::move(session), through);
  if (!joined) return;
  if (waits) {
    // A restored socket joins its rooms only once let through: what is broadcast to them while
    // the middlewares wait does not reach it (the price of not holding deliveries for a socket
    // that may be refused).
    decltype(restored->missed) missed;
    if (restored) missed = std::move(restored->missed);
    return await_middlewares(
        std::move(joined), *handlers,
        [this, handlers, missed = std::move(missed)](std::shared_ptr<socket> joined) {
          join(joined);
          for (const auto& job : missed) send_shared(job->packets, false);
          welcome(*joined, *handlers);
        });
  }
  join(joined);
  // What it missed goes first: the client holds events that come before its CONNECT and hands
  // them over once connected.
  if (restored)
    for (const auto& job : restored->missed) send_shared(job->packets, false);
  welcome(*joined, *handlers);
}

std::shared_ptr<socket> client::admit(const namespace_handlers& handlers, std::string_view nsp,
                                      std::string auth_json, simdjson::dom::element auth,
                                      std::optional<recovery::saved_session> session,
                                      std::uint64_t through) {
  recovery::state_recovery* recovery = node_.recovery();
  std::string sid = session ? session->sid : engineio::make_random_id(20);
  std::string pid;
  if (recovery) pid = session ? session->pid : engineio::make_random_id(20);
  auto joined = std::make_shared<socket>(*this, handlers, std::string(nsp), std::move(sid),
                                         std::move(pid), std::move(auth_json));
  bool recovered = session.has_value();
  if (recovered) joined->restore(std::move(*session), through);
  // A token revoked or expired since must not come back through a pid: the middlewares run
  // again unless the operator said otherwise (docs/OPERATIONS.md).
  bool skip_middlewares = recovered && recovery->options().skip_middlewares;
  for (const auto& check : skip_middlewares ? no_middlewares : handlers.middlewares()) {
    std::optional<std::string> refusal;
    try {
      refusal = check(*joined, auth);
    } catch (const std::exception& e) {
      refusal = e.what();
    }
    if (refusal) {
      send(writer().connect_error(nsp, *refusal));
      return nullptr;
    }
  }
  return joined;
}

void client::join(const std::shared_ptr<socket>& joined) {
  sockets_.push_back(joined);
  joined->attach_to_hub();
  connect_timer_.reset();
}

bool client::awaits_middlewares(const namespace_handlers& handlers, bool recovered) const {
  if (handlers.async_middlewares().empty()) return false;
  return !(recovered && node_.recovery()->options().skip_middlewares);
}

void client::await_middlewares(std::shared_ptr<socket> joined, const namespace_handlers& handlers,
                               std::function<void(std::shared_ptr<socket>)> admitted) {
  auto keep = weak_session_.lock();
  if (!keep || keep->closed()) return;
  recovering_.push_back(joined->nsp());
  asio::co_spawn(
      home_.executor(),
      run_async_middlewares(std::move(keep), std::move(joined), handlers, std::move(admitted)),
      log_exceptions{"async middlewares"});
}

// The session (and so this client, and what the socket refers to) is kept alive while a
// middleware runs, so that one touching the socket after it resumes touches nothing freed; the
// connection may have closed meanwhile (the client left, the connect timeout fired): then
// nothing more happens.
awaitable<void> client::run_async_middlewares(
    std::shared_ptr<engineio::session> keep, std::shared_ptr<socket> joined,
    const namespace_handlers& handlers, std::function<void(std::shared_ptr<socket>)> admitted) {
  std::optional<std::string> refusal;
  for (const auto& check : handlers.async_middlewares()) {
    try {
      refusal = co_await check(joined, std::string(joined->auth_json()));
    } catch (const std::exception& e) {
      refusal = e.what();
    }
    if (keep->closed()) co_return;
    if (refusal) break;
  }
  std::erase(recovering_, joined->nsp());
  if (refusal) {
    send(writer().connect_error(joined->nsp(), *refusal));
    co_return;
  }
  admitted(std::move(joined));
}

void client::welcome(socket& joined, const namespace_handlers& handlers) {
  send(writer().connect(joined.nsp(), joined.id(), joined.pid()));
  joined.announce();
  if (handlers.connection()) guarded("connection", [&] { handlers.connection()(joined); });
}

// Recovery through the cluster's log (--redis-mode streams) takes two trips to Redis, each
// answered on the cluster link's thread and brought back here; the connection may have closed
// meanwhile, so each step first checks that it is still open:
//   1. the session, if kept, and whether the offset is still in the stream (log->take);
//   2. once the socket is back in its rooms and holding what reaches it, what it missed
//      (log->missed_since), which the held deliveries are then checked against.
void client::recover_from_cluster(const namespace_handlers& handlers, std::string nsp,
                                  std::string auth_json, std::string pid, std::string offset) {
  recovering_.push_back(nsp);
  recovery::cluster_log& log = *node_.recovery()->cluster();
  log.take(std::move(pid), offset,
           [this, weak = weak_session_, executor = home_.executor(), handlers = &handlers, nsp,
            auth_json, offset](std::optional<recovery::saved_session> session) mutable {
             asio::post(executor, [this, weak, handlers, nsp = std::move(nsp),
                                   auth_json = std::move(auth_json), offset = std::move(offset),
                                   session = std::move(session)]() mutable {
               auto alive = weak.lock();
               if (!alive || alive->closed()) return;
               std::erase(recovering_, nsp);
               resume_recovery(*handlers, nsp, std::move(auth_json), std::move(offset),
                               std::move(session));
             });
           });
}

void client::resume_recovery(const namespace_handlers& handlers, const std::string& nsp,
                             std::string auth_json, std::string offset,
                             std::optional<recovery::saved_session> session) {
  recovery::state_recovery& recovery = *node_.recovery();
  if (!session) recovery.note_failed();
  simdjson::dom::element auth;
  if (home_.json_parser().parse(auth_json).get(auth)) return;  // it parsed before: cannot fail
  bool recovering = session.has_value();
  bool waits = awaits_middlewares(handlers, recovering);
  auto joined = admit(handlers, nsp, std::move(auth_json), auth, std::move(session), 0);
  if (!joined) return;
  if (waits)
    return await_middlewares(std::move(joined), handlers,
                             [this, handlers = &handlers, recovering,
                              offset = std::move(offset)](std::shared_ptr<socket> joined) {
                               continue_recovery(std::move(joined), *handlers, recovering, offset);
                             });
  continue_recovery(std::move(joined), handlers, recovering, offset);
}

void client::continue_recovery(std::shared_ptr<socket> joined, const namespace_handlers& handlers,
                               bool recovering, std::string offset) {
  recovery::state_recovery& recovery = *node_.recovery();
  if (!recovering) {
    join(joined);
    return welcome(*joined, handlers);
  }
  joined->hold_deliveries();
  join(joined);
  recovery.cluster()->missed_since(
      offset, joined->nsp(), joined->rooms(),
      [this, weak = weak_session_, executor = home_.executor(), handlers = &handlers,
       weak_socket = std::weak_ptr<socket>(joined),
       offset](std::optional<recovery::cluster_log::missed_packets> missed) mutable {
        asio::post(executor, [this, weak, handlers, weak_socket, offset = std::move(offset),
                              missed = std::move(missed)] {
          auto alive = weak.lock();
          auto joined = weak_socket.lock();
          if (!alive || alive->closed() || !joined || !joined->connected()) return;
          finish_recovery(*joined, *handlers, offset, missed);
        });
      });
}

void client::finish_recovery(socket& joined, const namespace_handlers& handlers,
                             std::string_view offset,
                             const std::optional<recovery::cluster_log::missed_packets>& missed) {
  recovery::state_recovery& recovery = *node_.recovery();
  if (!missed) {
    // The log could not be read: what was missed is unknown, and a CONNECT now would hide it.
    // The session is kept again as the connection drops, for the client's next try.
    recovery.note_failed();
    return close(disconnect_reason::forced_close);
  }
  recovery.note_recovered();
  auto through =
      protocol::cluster::parse_stream_id(offset).value_or(protocol::cluster::stream_id{});
  for (const auto& job : *missed) {
    send_shared(job->packets, false);
    through = std::max(through, job->stream_offset);
  }
  joined.replayed(through);
  welcome(joined, handlers);
}

void client::on_event(socket& target, const sio::header& h, const sio::parsed_payload& payload,
                      std::vector<std::string>& attachments) {
  metrics::shard_metrics& counters = home_.metrics();
  counters.events_in.add();
  simdjson::dom::array array = payload.root.get_array().value_unsafe();
  std::string_view name = array.at(0).get_string().value_unsafe();
  ack_sender ack = h.ack_id ? ack_sender(target.weak_from_this(), *h.ack_id) : ack_sender();
  std::string_view args_json = sio::args_after_name(h.payload);
  if (auto* observer = app_.observer()) observer->event_received(target, name, args_json);
  event ev(name, array, args_json, attachments, ack);
  const auto* handler = target.handlers().find(name);
  if (!handler) return;
  auto keep = target.shared_from_this();
  auto started = std::chrono::steady_clock::now();
  try {
    (*handler)(target, ev);
  } catch (const std::exception& e) {
    if (target.handlers().error())
      guarded("error", [&] { target.handlers().error()(target, ev, e); });
    else
      spdlog::error("handler for '{}' threw: {}", name, e.what());
  }
  counters.handler_latency.observe(std::chrono::steady_clock::now() - started);
}

}  // namespace chorus::server::socketio
