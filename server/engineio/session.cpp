#include "server/engineio/session.hpp"

#include "protocol/engineio/open_packet.hpp"
#include "protocol/engineio/payload.hpp"
#include "server/engineio/session_registry.hpp"
#include "server/shard.hpp"

namespace chorus::server::engineio {

namespace eio = protocol::engineio;
namespace ws = protocol::websocket;

namespace {

const outbound_packet& ping_packet() {
  static const outbound_packet packet = make_text_packet("2");
  return packet;
}

ws::close_code close_code_for(disconnect_reason reason) {
  switch (reason) {
    case disconnect_reason::server_shutting_down:
      return ws::close_code::going_away;
    case disconnect_reason::parse_error:
    case disconnect_reason::transport_error:
      return ws::close_code::protocol_error;
    case disconnect_reason::write_queue_full:
      return ws::close_code::policy_violation;
    default:
      return ws::close_code::normal;
  }
}

}  // namespace

session::session(shard& home, session_registry& registry, std::string sid, transport_kind transport,
                 std::unique_ptr<session_handler> handler)
    : home_(home),
      registry_(registry),
      sid_(std::move(sid)),
      transport_(transport),
      handler_(std::move(handler)),
      heartbeat_timer_(home.executor()) {
  if (transport == transport_kind::polling) get_wakeup_ = std::make_unique<wakeup>(home.executor());
  count_open(+1);
}

void session::count_open(std::int64_t change) {
  home_.metrics().sessions_open[static_cast<std::size_t>(transport_)].add(change);
}

session::~session() = default;

const server_config& session::config() const {
  return home_.config();
}

std::string session::open_packet() const {
  std::string packet = "0";
  packet += eio::encode_open_json({
      .sid = sid_,
      .upgrade_to_websocket = transport_ == transport_kind::polling,
      .ping_interval_ms = static_cast<std::uint32_t>(config().ping_interval.count()),
      .ping_timeout_ms = static_cast<std::uint32_t>(config().ping_timeout.count()),
      .max_payload = config().max_payload,
  });
  return packet;
}

void session::start() {
  handler_->on_open(*this);
  if (!closed_) wait_ping_interval();
}

void session::wait_ping_interval() {
  heartbeat_timer_.expires_after(config().ping_interval);
  heartbeat_timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
    if (self->closed_) return;
    self->awaiting_pong_ = true;
    self->send(ping_packet());
    self->wait_pong();
  });
}

void session::wait_pong() {
  // From when the ping was due, not when a busy loop got to send it: a late timer must not
  // stretch the grace of a client that is gone (and poll() holds a GET to the same deadline).
  heartbeat_timer_.expires_at(heartbeat_timer_.expiry() + config().ping_timeout);
  // A pong cancels the wait.
  heartbeat_timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
    if (self->closed_) return;
    if (self->awaiting_pong_) return self->close(disconnect_reason::ping_timeout);
    self->wait_ping_interval();
  });
}

bool session::heartbeat_overdue() const {
  // The timer expires when the pong is due, or, between pings, when the next ping is due.
  auto pong_due = heartbeat_timer_.expiry();
  if (!awaiting_pong_) pong_due += config().ping_timeout;
  return !closed_ && std::chrono::steady_clock::now() >= pong_due;
}

void session::send(outbound_packet packet, bool is_volatile) {
  if (closed_ || close_posted_) return;  // an overflowed queue takes nothing more
  if (transport_ == transport_kind::websocket) {
    switch (websocket_->send(std::move(packet), is_volatile)) {
      case send_result::queued:
      case send_result::dropped:
        break;
      case send_result::over_bound:
        home_.metrics().queue_over_bound.add();
        close_later(disconnect_reason::write_queue_full);
        break;
    }
    return;
  }
  std::size_t size = packet->size();
  if (is_volatile && polling_queued_bytes_ + size > config().max_queued_bytes) {
    home_.metrics().volatile_dropped.add();
    return;
  }
  polling_queued_bytes_ += size;
  polling_queue_.push_back(std::move(packet));
  if (polling_queued_bytes_ > config().max_queued_bytes && polling_queue_.size() > 1) {
    home_.metrics().queue_over_bound.add();
    close_later(disconnect_reason::write_queue_full);
    return;
  }
  wake_get();
}

void session::close_later(disconnect_reason reason) {
  if (close_posted_) return;
  close_posted_ = true;
  asio::post(home_.executor(), [self = shared_from_this(), reason] { self->close(reason); });
}

void session::close(disconnect_reason reason) {
  if (closed_) return;
  auto self = shared_from_this();  // forget() may drop the registry's reference
  closed_ = true;
  count_open(-1);
  home_.metrics().session_closes[metrics::index_of(reason)].add();
  handler_->on_close(*this, reason);
  if (probe_) {
    probe_->close(ws::close_code::going_away, to_string(reason));
    probe_.reset();
  }
  if (transport_ == transport_kind::websocket) {
    websocket_->close(close_code_for(reason), to_string(reason));
    websocket_.reset();
    heartbeat_timer_.cancel();
    forget();
    return;
  }
  // A polling session only hears of a close from the client in its close packet.
  closed_by_client_ = reason == disconnect_reason::transport_close;
  heartbeat_timer_.cancel();
  if (get_pending_) {
    wake_get();  // poll() answers (a noop or the close packet) and forgets the session
    return;
  }
  // The client's own close: a GET it sent before the close may still reach us after it (the
  // two travel on different connections, and on another shard a GET takes a hop more); it gets
  // the noop a held GET would have, not an error. Within one pingTimeout, then the sid is gone.
  if (closed_by_client_) {
    linger_for_next_get(config().ping_timeout);
    return;
  }
  // After an error the session is gone at once (later requests: "Session ID unknown"). A close
  // the server chose waits a little for the client's next GET, which then gets what was queued
  // and the close packet, as the reference server does.
  bool server_initiated = reason == disconnect_reason::forced_close ||
                          reason == disconnect_reason::server_shutting_down;
  if (!server_initiated) {
    forget();
    return;
  }
  linger_for_next_get(config().ping_interval + config().ping_timeout);
}

void session::linger_for_next_get(std::chrono::milliseconds bound) {
  heartbeat_timer_.expires_after(bound);
  heartbeat_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->forget();
  });
}

void session::wake_get() {
  if (get_wakeup_) get_wakeup_->notify();
}

void session::forget() {
  if (forgotten_) return;
  forgotten_ = true;
  registry_.remove(sid_);
}

std::string session::drain_polling_queue() {
  std::string body;
  for (const auto& packet : polling_queue_) {
    std::string_view bytes = packet->payload();
    if (packet->binary()) {
      eio::append_payload_packet(body, {eio::packet_type::message, true, bytes});
    } else {  // text packets carry their type digit already
      auto type = static_cast<eio::packet_type>(bytes.front() - '0');
      eio::append_payload_packet(body, {type, false, bytes.substr(1)});
    }
  }
  polling_queue_.clear();
  polling_queued_bytes_ = 0;
  return body;
}

awaitable<session::poll_result> session::poll() {
  if (transport_ == transport_kind::websocket)
    co_return poll_result{polling_error::transport_mismatch, {}};
  if (get_pending_) {
    close(disconnect_reason::transport_error);
    co_return poll_result{polling_error::concurrent_get, {}};
  }
  // Past the pong deadline, though a busy loop has not run its timers yet: the session is over
  // for this GET as it would be a moment later (the client, too, gives a server up after
  // pingInterval + pingTimeout without a ping).
  if (heartbeat_overdue()) {
    close(disconnect_reason::ping_timeout);
    co_return poll_result{polling_error::unknown_session, {}};
  }
  get_pending_ = true;
  while (polling_queue_.empty() && !closed_ && !answer_get_with_noop_ &&
         transport_ == transport_kind::polling)
    co_await get_wakeup_->wait();
  get_pending_ = false;

  poll_result result;
  std::size_t packets = polling_queue_.size();
  result.body = drain_polling_queue();
  if (closed_by_client_) {
    // The client's own close packet: its GET ends with a noop, as the reference's polling
    // transport answers a held one, and the session is gone.
    if (result.body.empty()) {
      eio::append_payload_packet(result.body, {eio::packet_type::noop, false, ""});
      ++packets;
    }
    forget();
  } else if (closed_) {
    if (result.body.empty()) {
      eio::append_payload_packet(result.body, {eio::packet_type::close, false, ""});
      ++packets;
      forget();
    } else {
      // What was queued before the close goes first, alone, as the reference server does: the
      // client must see e.g. a DISCONNECT before the close. The next GET gets the close.
      linger_for_next_get(config().ping_interval + config().ping_timeout);
    }
  } else if (result.body.empty()) {
    // Released for an upgrade: the client's GET ends with a noop.
    eio::append_payload_packet(result.body, {eio::packet_type::noop, false, ""});
    ++packets;
  }
  home_.metrics().packets_out.add(packets);
  home_.metrics().bytes_out.add(result.body.size());
  co_return result;
}

polling_error session::post(std::string_view body) {
  // Closed by the server and waiting for the GET that takes the close packet: a POST that was
  // already on its way is taken and dropped, so the client hears the close, not an error.
  if (closed_) return forgotten_ ? polling_error::unknown_session : polling_error::none;
  if (transport_ == transport_kind::websocket) return polling_error::transport_mismatch;
  home_.metrics().bytes_in.add(body.size());
  std::string scratch;
  auto error = eio::decode_payload(
      body,
      [this](const eio::packet_view& packet) {
        home_.metrics().packets_in.add();
        if (!closed_) on_packet(packet);
      },
      scratch);
  if (error != eio::payload_error::ok) {
    close(disconnect_reason::parse_error);
    return polling_error::bad_payload;
  }
  return polling_error::none;
}

void session::on_packet(const eio::packet_view& packet) {
  switch (packet.type) {
    case eio::packet_type::message:
      handler_->on_message(*this, packet.data, packet.binary);
      break;
    case eio::packet_type::pong:
      if (awaiting_pong_) {
        awaiting_pong_ = false;
        heartbeat_timer_.cancel();
      }
      break;
    case eio::packet_type::ping: {
      std::string pong = "3";
      pong += packet.data;
      send(make_text_packet(std::move(pong)));
      break;
    }
    case eio::packet_type::close:
      close(disconnect_reason::transport_close);
      break;
    case eio::packet_type::noop:
      break;
    case eio::packet_type::open:
    case eio::packet_type::upgrade:
      close(disconnect_reason::parse_error);
      break;
  }
}

void session::attach_websocket(std::shared_ptr<packet_transport> ws) {
  transport_ = transport_kind::websocket;
  websocket_ = std::move(ws);
}

bool session::attach_probe(std::shared_ptr<packet_transport> ws) {
  if (closed_ || transport_ != transport_kind::polling || probe_) return false;
  probe_ = ws;
  asio::co_spawn(home_.executor(), expire_probe(shared_from_this(), std::move(ws)),
                 log_exceptions{"upgrade timeout"});
  return true;
}

awaitable<void> session::expire_probe(std::shared_ptr<session> self,
                                      std::shared_ptr<packet_transport> ws) {
  asio::steady_timer timer(home_.executor(), config().upgrade_timeout);
  std::weak_ptr<packet_transport> watched = ws;
  ws.reset();
  co_await timer.async_wait(use_nothrow_awaitable);
  auto probe = watched.lock();
  if (probe && probe == probe_) {
    probe_.reset();
    answer_get_with_noop_ = false;
    probe->close(ws::close_code::policy_violation, "upgrade timeout");
  }
}

void session::on_transport_text(packet_transport& ws, std::string_view text) {
  home_.metrics().packets_in.add();
  auto packet = eio::decode_text_packet(text);
  if (&ws == probe_.get()) {
    if (packet)
      on_probe_packet(ws, *packet);
    else
      ws.close(ws::close_code::protocol_error, "parse error");
    return;
  }
  if (&ws != websocket_.get()) return;  // a connection this session no longer uses
  if (!packet) {
    close(disconnect_reason::parse_error);
    return;
  }
  on_packet(*packet);
}

void session::on_transport_binary(packet_transport& ws, std::string_view bytes) {
  home_.metrics().packets_in.add();
  if (&ws == websocket_.get()) handler_->on_message(*this, bytes, true);
}

void session::on_probe_packet(packet_transport& ws, const eio::packet_view& packet) {
  if (packet.type == eio::packet_type::ping && packet.data == "probe") {
    ws.send(make_text_packet("3probe"), false);
    answer_get_with_noop_ = true;
    wake_get();
    return;
  }
  if (packet.type == eio::packet_type::upgrade && answer_get_with_noop_) {
    complete_upgrade();
    return;
  }
  // Anything else means the probe failed; the polling transport carries on.
  auto probe = std::move(probe_);
  answer_get_with_noop_ = false;
  probe->close(ws::close_code::protocol_error, "bad upgrade");
}

void session::complete_upgrade() {
  count_open(-1);
  transport_ = transport_kind::websocket;
  count_open(+1);
  websocket_ = std::move(probe_);
  answer_get_with_noop_ = false;
  for (auto& packet : polling_queue_) websocket_->send(std::move(packet), false);
  polling_queue_ = {};  // its capacity too: the session polls no more
  polling_queued_bytes_ = 0;
  wake_get();  // a GET still waiting ends with a noop
  handler_->on_upgraded(*this);
}

void session::on_transport_closed(packet_transport& ws, disconnect_reason reason) {
  if (&ws == probe_.get()) {
    probe_.reset();
    answer_get_with_noop_ = false;
    return;
  }
  if (&ws == websocket_.get()) {
    close(reason);
  }
}

}  // namespace chorus::server::engineio
