#include "bench/client/worker.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "bench/client/msgpack_wire.hpp"
#include "bench/client/proc_stat.hpp"
#include "bench/client/scenario.hpp"
#include "bench/client/sio_packet.hpp"
#include "bench/client/transport.hpp"
#include "bench/client/websocket_io.hpp"

namespace chorus::bench {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* stage_name(stage s) {
  switch (s) {
    case stage::tcp_connect:
      return "TCP connect";
    case stage::transport:
      return "WebSocket upgrade or polling handshake";
    case stage::open:
      return "Engine.IO open packet";
    case stage::connect_reply:
      return "Socket.IO CONNECT reply";
    case stage::up:
      return "up";
  }
  return "?";
}

class worker final : public worker_api, public transport_host {
 public:
  worker(const bench_options& o, shared_state& shared, unsigned index, std::vector<int> wake_fds)
      : o_(o),
        shared_(shared),
        ctl_(shared.control()),
        slot_(shared.worker(index)),
        index_(index),
        wake_fds_(std::move(wake_fds)),
        parent_(getppid()) {}

  int run();

  // worker_api
  asio::io_context& io() override { return ioc_; }
  const bench_options& options() const override { return o_; }
  unsigned index() const override { return index_; }
  unsigned workers() const override { return shared_.workers(); }
  shared_state& shared() override { return shared_; }
  worker_slot& slot() override { return slot_; }
  histogram& latency() override { return latency_; }
  const std::vector<int>& wake_fds() const override { return wake_fds_; }
  void count_received(const connection& c) override {
    slot_.received.fetch_add(1, std::memory_order_relaxed);
    add_one(slot_.received_per_server[c.server]);
  }
  connection_ptr make_connection(std::uint64_t id) override {
    auto c = std::make_shared<connection>(ioc_, id, uses_polling(id, o_.polling_share));
    c->server = o_.server_of(id);
    return c;
  }
  void open(const connection_ptr& c) override;
  void launch(std::vector<connection_ptr> list) override { spawn(launch_all(std::move(list))); }
  void up(const connection_ptr& c) override;
  void send(const connection_ptr& c, std::string_view packet) override;
  void close(const connection_ptr& c) override;
  void fail(std::string_view what) override;
  void spawn(awaitable<void> task) override;
  bool stop_sending() const override {
    return stopping_ || ctl_.stop_sending.load(std::memory_order_relaxed);
  }
  void active_done() override { slot_.active_done.store(1, std::memory_order_release); }

  // transport_host
  const server_target& server(const connection& c) const override { return servers_[c.server]; }
  void transport_up(const connection_ptr& c) override { c->at = stage::open; }
  bool on_engine_packet(const connection_ptr& c, std::string_view packet) override;
  bool on_engine_binary(const connection_ptr& c, std::string_view message) override;
  void transport_failed(const connection_ptr& c, std::string what) override {
    if (!c->closing) fail(what);
  }
  ws::masking_key next_mask() override;
  websocket_io& websockets() override { return *websockets_; }

 private:
  awaitable<void> launch_all(std::vector<connection_ptr> list);
  awaitable<void> run_connection(connection_ptr c);
  awaitable<void> supervise();
  bool on_socketio(const connection_ptr& c, std::string_view text);
  bool on_sio_packet(const connection_ptr& c, const sio_packet& p);
  void release_handshake_slot(connection& c);
  void finish();

  const bench_options& o_;
  shared_state& shared_;
  control_block& ctl_;
  worker_slot& slot_;
  unsigned index_;
  std::vector<int> wake_fds_;
  pid_t parent_;

  asio::io_context ioc_{1};  // declared before the scenario and connections: destroyed after
  std::unique_ptr<websocket_io> websockets_ =
      make_websocket_io(ioc_, *this, o_.io_uring, o_.recv_buffers);
  std::vector<server_target> servers_;  // by index in --servers
  std::unique_ptr<scenario_logic> scenario_;
  std::string connect_packet_;  // "40" or "40/nsp,"
  // --parser msgpack: what every Socket.IO packet goes through, both ways (null under JSON).
  std::unique_ptr<msgpack_wire> msgpack_ =
      o_.parser == packet_parser::msgpack ? std::make_unique<msgpack_wire>() : nullptr;
  std::string binary_out_;  // a msgpack message being sent
  histogram latency_;
  std::uint32_t mask_state_ = 0x9e3779b9u;
  unsigned handshaking_ = 0;
  std::uint64_t setup_count_ = 0;
  bool started_ = false;
  bool stop_sending_seen_ = false;
  bool stopping_ = false;
  double cpu_start_ = 0;
  int exit_code_ = 0;
};

std::unique_ptr<scenario_logic> make_scenario(worker_api& api) {
  switch (api.options().kind) {
    case scenario::fanout:
      return make_fanout(api);
    case scenario::echo:
      return make_echo(api);
    case scenario::connect:
      return make_connect(api);
    case scenario::idle:
      return make_idle(api);
    case scenario::churn:
      return make_churn(api);
  }
  return nullptr;
}

int worker::run() {
  tcp::resolver resolver(ioc_);
  for (const server_address& s : o_.servers) {
    boost::system::error_code ec;
    auto results = resolver.resolve(s.host, std::to_string(s.port), ec);
    if (ec || results.empty()) {
      fail(fmt::format("cannot resolve {}: {}", s.host, ec.message()));
      return 1;
    }
    servers_.push_back({*results.begin(), s.authority()});
  }
  connect_packet_ = o_.nsp == "/" ? "40" : fmt::format("40{},", o_.nsp);
  scenario_ = make_scenario(*this);
  auto setup = scenario_->lay_out();
  setup_count_ = setup.size();
  spawn(supervise());
  launch(std::move(setup));
  ioc_.run();
  return exit_code_;
}

void worker::spawn(awaitable<void> task) {
  asio::co_spawn(ioc_, std::move(task), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      fail(fmt::format("worker {}: {}", index_, ex.what()));
    }
  });
}

awaitable<void> worker::launch_all(std::vector<connection_ptr> list) {
  asio::steady_timer pause(ioc_);
  for (auto& c : list) {
    while (handshaking_ >= o_.connect_concurrency && !stopping_) {
      pause.expires_after(1ms);
      co_await pause.async_wait(use_nothrow);
    }
    if (stopping_) co_return;
    ++handshaking_;
    c->holds_handshake_slot = true;
    open(c);
  }
}

void worker::open(const connection_ptr& c) {
  c->started_ns = steady_ns();
  c->timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o_.handshake_timeout)));
  c->timer.async_wait([this, c](boost::system::error_code ec) {
    if (ec || c->at == stage::up || c->closing) return;
    fail(fmt::format("no {} within {} s (--handshake-timeout){}", stage_name(c->at),
                     o_.handshake_timeout, c->polling ? " on long-polling" : ""));
    close(c);
  });
  spawn(run_connection(c));
}

awaitable<void> worker::run_connection(connection_ptr c) {
  auto connecting = tcp_connect(*this, *c, c->socket);
  auto ec = co_await std::move(connecting);
  if (c->closing) co_return;
  if (ec) {
    fail(fmt::format("connect to {}: {}", servers_[c->server].authority, ec.message()));
    co_return;
  }
  slot_.connected.fetch_add(1, std::memory_order_relaxed);
  c->at = stage::transport;
  if (c->polling) {
    auto running = run_polling(*this, c);
    co_await std::move(running);
  } else {
    auto running = run_websocket(*this, c);
    co_await std::move(running);
  }
}

void worker::release_handshake_slot(connection& c) {
  if (!c.holds_handshake_slot) return;
  c.holds_handshake_slot = false;
  --handshaking_;
}

void worker::up(const connection_ptr& c) {
  release_handshake_slot(*c);
  if (c->joined) return;
  c->joined = true;
  slot_.joined.fetch_add(1, std::memory_order_relaxed);
}

void worker::send(const connection_ptr& c, std::string_view packet) {
  if (c->closing) return;
  // Under msgpack every Socket.IO packet ("4…") goes as its binary message (WebSocket only:
  // options refuse polling with msgpack); Engine.IO's own packets (pong) stay text.
  if (msgpack_ && packet.starts_with('4')) {
    binary_out_.clear();
    if (!msgpack_->encode(packet, binary_out_)) {
      fail(fmt::format("cannot write as msgpack: {:.80}", packet));
      return;
    }
    websocket_send_binary(*this, c, binary_out_);
    return;
  }
  if (c->polling) {
    polling_send(*this, c, packet);
  } else {
    websocket_send(*this, c, packet);
  }
}

void worker::close(const connection_ptr& c) {
  if (c->closing) return;
  c->closing = true;
  release_handshake_slot(*c);
  c->timer.cancel();
  c->wake.cancel();
  if (c->polling) {
    polling_close(*this, c);
    return;
  }
  if (c->fd >= 0) return websockets_->close(c);
  boost::system::error_code ignored;
  c->socket.close(ignored);
}

ws::masking_key worker::next_mask() {
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  ws::masking_key key;
  std::memcpy(key.data(), &mask_state_, key.size());
  return key;
}

bool worker::on_engine_packet(const connection_ptr& c, std::string_view packet) {
  if (packet.empty()) return true;
  switch (packet[0]) {
    case '0':  // open: CONNECT to the namespace
      if (c->at == stage::open) {
        c->at = stage::connect_reply;
        send(c, connect_packet_);
      }
      return true;
    case '2':  // ping
      send(c, "3");
      return true;
    case '1':
      if (!c->closing) fail("the server closed the Engine.IO session");
      return false;
    case '4':
      return on_socketio(c, packet.substr(1));
    default:  // pong, noop, binary
      return true;
  }
}

bool worker::on_engine_binary(const connection_ptr& c, std::string_view message) {
  if (!msgpack_) return true;  // JSON: an attachment, which no scenario reads
  auto error = protocol::socketio::parse_error::ok;
  auto p = msgpack_->decode(message, error);
  if (!p) {
    fail(fmt::format("bad msgpack message from the server: {}",
                     protocol::socketio::to_string(error)));
    return false;
  }
  return on_sio_packet(c, *p);
}

bool worker::on_socketio(const connection_ptr& c, std::string_view text) {
  auto p = parse_sio_packet(text);
  if (!p) {
    fail(fmt::format("bad Socket.IO packet: {:.80}", text));
    return false;
  }
  return on_sio_packet(c, *p);
}

bool worker::on_sio_packet(const connection_ptr& c, const sio_packet& p) {
  if (p.nsp != o_.nsp) return true;
  switch (p.type) {
    case 0:  // CONNECT accepted
      if (c->at == stage::connect_reply) {
        c->at = stage::up;
        c->timer.cancel();
        add_one(slot_.connections_per_server[c->server]);
        scenario_->on_connected(c);
      }
      break;
    case 2:
      scenario_->on_event(c, p.data);
      break;
    case 3:
      if (!p.id) {
        fail(fmt::format("ack without an id: {:.80}", p.data));
        return false;
      }
      scenario_->on_ack(c, *p.id, p.data);
      break;
    case 4:
      fail(fmt::format("CONNECT to {} refused: {:.120}", o_.nsp, p.data));
      return false;
    case 1:
      if (!c->closing) fail(fmt::format("the server disconnected namespace {}", o_.nsp));
      return false;
    default:
      break;
  }
  return !c->closing;
}

void worker::fail(std::string_view what) {
  if (stopping_) return;
  slot_.failures.fetch_add(1, std::memory_order_relaxed);
  if (slot_.error_claimed.exchange(1) == 0) {
    std::size_t n = std::min(what.size(), sizeof slot_.error - 1);
    std::memcpy(slot_.error, what.data(), n);
    slot_.error[n] = '\0';
  }
  exit_code_ = 1;
}

void worker::finish() {
  stopping_ = true;
  slot_.cpu_us = started_ ? self_cpu_us() - cpu_start_ : 0;
  std::strncpy(slot_.client_io, websockets_->name(), sizeof slot_.client_io - 1);
  slot_.receives_out_of_buffers = websockets_->receives_out_of_buffers();
  slot_.latency_ns = latency_;
  slot_.finished.store(1, std::memory_order_release);
  ioc_.stop();
}

awaitable<void> worker::supervise() {
  asio::steady_timer tick(ioc_);
  for (;;) {
    tick.expires_after(2ms);
    co_await tick.async_wait(use_nothrow);
    if (ctl_.abort.load(std::memory_order_acquire) || getppid() != parent_) {
      stopping_ = true;
      ioc_.stop();
      co_return;
    }
    if (!slot_.ready.load(std::memory_order_relaxed) &&
        slot_.joined.load(std::memory_order_relaxed) >= setup_count_) {
      slot_.ready.store(1, std::memory_order_release);
    }
    if (!started_ && ctl_.start.load(std::memory_order_acquire)) {
      started_ = true;
      cpu_start_ = self_cpu_us();
      scenario_->start();
    }
    if (started_ && !stop_sending_seen_ && ctl_.stop_sending.load(std::memory_order_acquire)) {
      stop_sending_seen_ = true;
      scenario_->on_stop_sending();
    }
    if (ctl_.stop.load(std::memory_order_acquire)) {
      finish();
      co_return;
    }
  }
}

}  // namespace

int run_worker(const bench_options& options, shared_state& shared, unsigned index,
               const std::vector<int>& wake_fds) {
  worker w(options, shared, index, wake_fds);
  return w.run();
}

}  // namespace chorus::bench
