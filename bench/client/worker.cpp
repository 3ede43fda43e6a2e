#include "bench/client/worker.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "bench/client/client_frame.hpp"
#include "bench/client/event_template.hpp"
#include "bench/client/proc_stat.hpp"

namespace chorus::bench {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t max_server_message = 16 * 1024 * 1024;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string room_name(unsigned room) {
  return fmt::format("room-{}", room);
}

struct connection {
  connection(asio::io_context& ioc, std::uint64_t id_) : socket(ioc), wake(ioc), id(id_) {}
  tcp::socket socket;
  asio::steady_timer wake;  // a publisher waits here for a free slot in its window
  std::uint64_t id;
  unsigned room = 0;
  int publisher = -1;  // global publisher index, or -1 for a subscriber
  std::string user;
  std::string joined_text;
  bool joined = false;
  bool counted_handshake = false;
  std::vector<std::uint8_t> in = std::vector<std::uint8_t>(16 * 1024);
  std::size_t in_len = 0;
  std::string fragments;  // a fragmented message being assembled
  std::string outbox, writing_buf;
  bool writing = false;
  std::vector<std::uint64_t> expected;  // next sequence per publisher of the room
};

class worker {
 public:
  worker(const fanout_options& o, shared_state& shared, unsigned index, std::vector<int> wake_fds)
      : o_(o),
        shared_(shared),
        ctl_(shared.control()),
        slot_(shared.worker(index)),
        index_(index),
        wake_fds_(std::move(wake_fds)),
        parent_(getppid()) {}

  int run();

 private:
  void lay_out();
  awaitable<void> launch();
  awaitable<void> run_connection(connection* c);
  awaitable<bool> upgrade(connection* c);
  awaitable<void> read_loop(connection* c);
  awaitable<void> writer(connection* c);
  awaitable<void> publish(connection* c);
  awaitable<void> wake_reader();
  awaitable<void> supervise();

  bool on_frame(connection* c, ws::opcode op, std::string_view payload);
  bool on_text(connection* c, std::string_view text);
  bool on_event(connection* c, std::string_view packet);
  bool on_delivery(connection* c, std::string_view packet);
  void send_frame(connection* c, ws::opcode op, std::string_view payload);
  void wake_publisher(unsigned publisher);
  void handshake_done(connection* c);
  void fail(std::string_view what);
  void finish();
  std::uint64_t quota(unsigned publisher) const;

  template <typename Awaitable>
  void spawn(Awaitable a) {
    asio::co_spawn(ioc_, std::move(a), [this](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        fail(fmt::format("worker {}: {}", index_, ex.what()));
      }
    });
  }

  const fanout_options& o_;
  shared_state& shared_;
  control_block& ctl_;
  worker_slot& slot_;
  unsigned index_;
  std::vector<int> wake_fds_;
  pid_t parent_;

  asio::io_context ioc_{1};  // declared before the connections: destroyed after them
  tcp::endpoint server_;
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<connection*> local_publishers_;     // by global publisher index (nullptr: remote)
  std::vector<std::uint32_t> local_subscribers_;  // per room, in this worker
  std::vector<std::uint32_t> workers_in_room_;    // per room: workers with a subscriber in it
  std::vector<std::uint32_t> local_counts_;       // publishers × in_flight
  std::string event_prefix_, status_prefix_;
  histogram latency_;
  std::uint32_t mask_state_ = 0x9e3779b9u;
  unsigned handshaking_ = 0;
  std::uint64_t joined_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  double cpu_start_ = 0;
  int exit_code_ = 0;
};

void worker::lay_out() {
  const unsigned rooms = o_.rooms, subs = o_.subscribers, workers = shared_.workers();
  local_subscribers_.assign(rooms, 0);
  workers_in_room_.assign(rooms, std::min(subs, workers));
  local_publishers_.assign(o_.publishers, nullptr);
  local_counts_.assign(std::size_t{o_.publishers} * o_.in_flight, 0);
  const unsigned publishers_per_room = (o_.publishers + rooms - 1) / rooms;
  for (std::uint64_t id = index_; id < o_.connections(); id += workers) {
    auto c = std::make_unique<connection>(ioc_, id);
    if (id < std::uint64_t{rooms} * subs) {
      c->room = static_cast<unsigned>(id / subs);
      ++local_subscribers_[c->room];
      c->expected.assign(publishers_per_room, 0);
    } else {
      c->publisher = static_cast<int>(id - std::uint64_t{rooms} * subs);
      c->room = static_cast<unsigned>(c->publisher) % rooms;
      local_publishers_[c->publisher] = c.get();
    }
    c->user = fmt::format("u{}", id);
    std::string room = room_name(c->room);
    c->joined_text = expand_template(o_.joined_text, {{"room", room}, {"user", c->user}});
    connections_.push_back(std::move(c));
  }
  event_prefix_ = fmt::format("2[\"{}\"", o_.event);
  status_prefix_ = "2[\"status\"";
}

int worker::run() {
  lay_out();
  asio::ip::tcp::resolver resolver(ioc_);
  boost::system::error_code ec;
  auto results = resolver.resolve(o_.host, std::to_string(o_.port), ec);
  if (ec || results.empty()) {
    fail(fmt::format("cannot resolve {}: {}", o_.host, ec.message()));
    return 1;
  }
  server_ = *results.begin();
  spawn(supervise());
  spawn(wake_reader());
  spawn(launch());
  ioc_.run();
  return exit_code_;
}

awaitable<void> worker::launch() {
  asio::steady_timer pause(ioc_);
  for (auto& c : connections_) {
    while (handshaking_ >= o_.connect_concurrency && !stopping_) {
      pause.expires_after(1ms);
      co_await pause.async_wait(use_nothrow);
    }
    if (stopping_) co_return;
    ++handshaking_;
    c->counted_handshake = true;
    spawn(run_connection(c.get()));
  }
}

awaitable<void> worker::run_connection(connection* c) {
  boost::system::error_code ec;
  c->socket.open(server_.protocol(), ec);
  if (!ec && o_.source_ips > 1) {
    int one = 1;
    ::setsockopt(c->socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    auto source =
        asio::ip::address_v4(0x7f000001u + static_cast<std::uint32_t>(c->id % o_.source_ips));
    c->socket.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) {
    fail(fmt::format("socket: {}", ec.message()));
    co_return;
  }
  auto [connect_ec] = co_await c->socket.async_connect(server_, use_nothrow);
  if (connect_ec) {
    fail(fmt::format("connect to {}:{}: {}", o_.host, o_.port, connect_ec.message()));
    co_return;
  }
  slot_.connected.fetch_add(1, std::memory_order_relaxed);
  c->socket.set_option(tcp::no_delay(true), ec);
  if (!co_await upgrade(c)) co_return;
  co_await read_loop(c);
}

awaitable<bool> worker::upgrade(connection* c) {
  std::string request = fmt::format(
      "GET {}?EIO=4&transport=websocket HTTP/1.1\r\nHost: {}:{}\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n",
      o_.path, o_.host, o_.port);
  auto [wec, written] = co_await asio::async_write(c->socket, asio::buffer(request), use_nothrow);
  if (wec) {
    fail(fmt::format("upgrade request: {}", wec.message()));
    co_return false;
  }
  for (;;) {
    std::string_view seen(reinterpret_cast<const char*>(c->in.data()), c->in_len);
    std::size_t end = seen.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      if (!seen.starts_with("HTTP/1.1 101")) {
        fail(fmt::format("upgrade refused: {}", seen.substr(0, seen.find('\r'))));
        co_return false;
      }
      std::size_t rest = c->in_len - (end + 4);
      std::memmove(c->in.data(), c->in.data() + end + 4, rest);
      c->in_len = rest;
      co_return true;
    }
    if (c->in_len == c->in.size()) {
      fail("upgrade response too long");
      co_return false;
    }
    auto [ec, n] = co_await c->socket.async_read_some(
        asio::buffer(c->in.data() + c->in_len, c->in.size() - c->in_len), use_nothrow);
    if (ec) {
      fail(fmt::format("upgrade response: {}", ec.message()));
      co_return false;
    }
    c->in_len += n;
  }
}

awaitable<void> worker::read_loop(connection* c) {
  for (;;) {
    std::size_t offset = 0;
    for (;;) {
      auto frame = read_server_frame(
          std::span<const std::uint8_t>(c->in.data() + offset, c->in_len - offset),
          max_server_message);
      if (frame.state == server_frame::status::incomplete) break;
      if (frame.state == server_frame::status::invalid) {
        fail(fmt::format("bad frame from the server: {}", frame.error));
        co_return;
      }
      if (!on_frame(c, frame.op, frame.payload)) co_return;
      offset += frame.size;
    }
    if (offset > 0) {
      std::memmove(c->in.data(), c->in.data() + offset, c->in_len - offset);
      c->in_len -= offset;
    }
    if (c->in_len == c->in.size()) c->in.resize(c->in.size() * 2);
    auto [ec, n] = co_await c->socket.async_read_some(
        asio::buffer(c->in.data() + c->in_len, c->in.size() - c->in_len), use_nothrow);
    if (ec) {
      fail(ec == asio::error::eof ? std::string("the server closed a connection")
                                  : fmt::format("read: {}", ec.message()));
      co_return;
    }
    c->in_len += n;
  }
}

bool worker::on_frame(connection* c, ws::opcode op, std::string_view payload) {
  switch (op) {
    case ws::opcode::text:
    case ws::opcode::binary:
      return on_text(c, payload);  // frame.fin is not tracked: chorus and Node send whole frames
    case ws::opcode::continuation:
      fail("fragmented server message (unsupported)");
      return false;
    case ws::opcode::ping:
      send_frame(c, ws::opcode::pong, payload);
      return true;
    case ws::opcode::pong:
      return true;
    case ws::opcode::close:
      fail("the server sent a close frame");
      return false;
  }
  return true;
}

bool worker::on_text(connection* c, std::string_view text) {
  if (text.empty()) return true;
  switch (text[0]) {
    case '0':  // Engine.IO open: CONNECT to "/"
      send_frame(c, ws::opcode::text, "40");
      return true;
    case '2':  // ping
      send_frame(c, ws::opcode::text, "3");
      return true;
    case '1':
      fail("the server closed the Engine.IO session");
      return false;
    case '4':
      break;
    default:
      return true;
  }
  std::string_view packet = text.substr(1);
  if (packet.starts_with("2")) return on_event(c, packet);
  if (packet.starts_with("0")) {  // CONNECT accepted: join
    std::string room = room_name(c->room);
    send_frame(c, ws::opcode::text,
               expand_template(o_.join_template, {{"room", room}, {"user", c->user}}));
    if (c->joined_text.empty()) handshake_done(c);
    return true;
  }
  if (packet.starts_with("4")) {
    fail(fmt::format("CONNECT refused: {}", packet.substr(1)));
    return false;
  }
  if (packet.starts_with("1")) {
    fail("the server disconnected the namespace");
    return false;
  }
  return true;
}

bool worker::on_event(connection* c, std::string_view packet) {
  if (packet.starts_with(event_prefix_)) return on_delivery(c, packet);
  if (!c->joined && packet.starts_with(status_prefix_) &&
      packet.find(c->joined_text) != std::string_view::npos) {
    handshake_done(c);
  }
  return true;
}

void worker::handshake_done(connection* c) {
  if (c->joined) return;
  c->joined = true;
  ++joined_;
  slot_.joined.fetch_add(1, std::memory_order_relaxed);
  if (c->counted_handshake) {
    c->counted_handshake = false;
    --handshaking_;
  }
}

// A delivery carries "#<publisher>:<seq>:<send time ns>#" in its payload.
bool worker::on_delivery(connection* c, std::string_view packet) {
  if (c->publisher >= 0) return true;  // publishers are in the room too; they do not count
  std::int64_t received = now_ns();
  std::size_t hash = packet.find('#');
  std::uint64_t publisher = 0, seq = 0;
  std::int64_t sent = 0;
  const char* p = packet.data() + (hash == std::string_view::npos ? packet.size() : hash + 1);
  const char* end = packet.data() + packet.size();
  auto r1 = std::from_chars(p, end, publisher);
  auto r2 = r1.ec == std::errc() && r1.ptr < end && *r1.ptr == ':'
                ? std::from_chars(r1.ptr + 1, end, seq)
                : std::from_chars_result{end, std::errc::invalid_argument};
  auto r3 = r2.ec == std::errc() && r2.ptr < end && *r2.ptr == ':'
                ? std::from_chars(r2.ptr + 1, end, sent)
                : std::from_chars_result{end, std::errc::invalid_argument};
  if (r3.ec != std::errc() || publisher >= o_.publishers || publisher % o_.rooms != c->room) {
    fail(fmt::format("unexpected delivery: {:.80}", packet));
    return false;
  }
  latency_.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, received - sent)));
  slot_.deliveries.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t& next = c->expected[publisher / o_.rooms];
  if (seq >= next) {
    next = seq + 1;
  } else {
    slot_.out_of_order.fetch_add(1, std::memory_order_relaxed);
  }
  std::size_t slot_index = seq % o_.in_flight;
  std::uint32_t& local = local_counts_[publisher * o_.in_flight + slot_index];
  if (++local == local_subscribers_[c->room]) {
    local = 0;
    auto& shared = shared_.window(static_cast<unsigned>(publisher))[slot_index];
    if (shared.fetch_add(1, std::memory_order_acq_rel) + 1 == workers_in_room_[c->room]) {
      wake_publisher(static_cast<unsigned>(publisher));
    }
  }
  return true;
}

void worker::wake_publisher(unsigned publisher) {
  if (connection* local = local_publishers_[publisher]) {
    local->wake.cancel();
    return;
  }
  unsigned owner = static_cast<unsigned>((std::uint64_t{o_.rooms} * o_.subscribers + publisher) %
                                         shared_.workers());
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fds_[owner], &one, sizeof one);
}

awaitable<void> worker::wake_reader() {
  asio::posix::stream_descriptor fd(ioc_, ::dup(wake_fds_[index_]));
  std::uint64_t value = 0;
  for (;;) {
    auto [ec, n] = co_await fd.async_read_some(asio::buffer(&value, sizeof value), use_nothrow);
    if (ec) co_return;
    for (connection* p : local_publishers_) {
      if (p) p->wake.cancel();
    }
  }
}

std::uint64_t worker::quota(unsigned publisher) const {
  if (o_.messages == 0) return ~std::uint64_t{0};
  return o_.messages / o_.publishers + (publisher < o_.messages % o_.publishers ? 1 : 0);
}

awaitable<void> worker::publish(connection* c) {
  const unsigned publisher = static_cast<unsigned>(c->publisher);
  auto* window = shared_.window(publisher);
  const std::uint32_t target = workers_in_room_[c->room];
  const std::uint64_t limit = quota(publisher);
  const std::string room = room_name(c->room);
  std::string payload, packet;
  for (std::uint64_t seq = 0; seq < limit;) {
    if (ctl_.stop_sending.load(std::memory_order_relaxed) || stopping_) break;
    auto& slot = window[seq % o_.in_flight];
    if (seq >= o_.in_flight && slot.load(std::memory_order_acquire) != target) {
      c->wake.expires_after(20ms);
      co_await c->wake.async_wait(use_nothrow);
      continue;
    }
    slot.store(0, std::memory_order_relaxed);
    payload = fmt::format("#{}:{}:{}#", publisher, seq, now_ns());
    if (payload.size() < o_.payload) payload.append(o_.payload - payload.size(), 'x');
    packet.clear();
    append_expanded(packet, o_.send_template,
                    {{"room", room}, {"user", c->user}, {"payload", payload}});
    send_frame(c, ws::opcode::text, packet);
    ++seq;
    slot_.sent.fetch_add(1, std::memory_order_relaxed);
  }
  slot_.publishers_done.fetch_add(1, std::memory_order_release);
}

void worker::send_frame(connection* c, ws::opcode op, std::string_view payload) {
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  ws::masking_key key;
  std::memcpy(key.data(), &mask_state_, key.size());
  append_client_frame(c->outbox, op, payload, key);
  if (!c->writing) {
    c->writing = true;
    spawn(writer(c));
  }
}

awaitable<void> worker::writer(connection* c) {
  while (!c->outbox.empty()) {
    std::swap(c->outbox, c->writing_buf);
    auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(c->writing_buf), use_nothrow);
    c->writing_buf.clear();
    if (ec) {
      c->writing = false;
      fail(fmt::format("write: {}", ec.message()));
      co_return;
    }
  }
  c->writing = false;
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
    if (!slot_.ready.load(std::memory_order_relaxed) && joined_ == connections_.size()) {
      slot_.ready.store(1, std::memory_order_release);
    }
    if (!started_ && ctl_.start.load(std::memory_order_acquire)) {
      started_ = true;
      cpu_start_ = self_cpu_us();
      for (connection* p : local_publishers_) {
        if (p) spawn(publish(p));
      }
    }
    if (ctl_.stop.load(std::memory_order_acquire)) {
      finish();
      co_return;
    }
  }
}

}  // namespace

int run_worker(const fanout_options& options, shared_state& shared, unsigned index,
               const std::vector<int>& wake_fds) {
  worker w(options, shared, index, wake_fds);
  return w.run();
}

}  // namespace chorus::bench
