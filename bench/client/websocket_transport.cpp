#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "bench/client/transport.hpp"
#include "bench/client/websocket_io.hpp"

namespace chorus::bench {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_server_message = 16 * 1024 * 1024;

void send_frame(transport_host& host, const connection_ptr& c, ws::opcode op,
                std::string_view payload);

awaitable<bool> upgrade(transport_host& host, connection_ptr c) {
  const bench_options& o = host.options();
  std::string request = fmt::format(
      "GET {}?EIO=4&transport=websocket HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n",
      o.path, host.server(*c).authority);
  auto writing = asio::async_write(c->socket, asio::buffer(request), use_nothrow);
  auto [wec, written] = co_await std::move(writing);
  if (wec) {
    host.transport_failed(c, fmt::format("upgrade request: {}", wec.message()));
    co_return false;
  }
  for (;;) {
    std::string_view seen(reinterpret_cast<const char*>(c->in.data()), c->in_len);
    std::size_t end = seen.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      if (!seen.starts_with("HTTP/1.1 101")) {
        host.transport_failed(c,
                              fmt::format("upgrade refused: {}", seen.substr(0, seen.find('\r'))));
        co_return false;
      }
      std::size_t rest = c->in_len - (end + 4);
      std::memmove(c->in.data(), c->in.data() + end + 4, rest);
      c->in_len = rest;
      co_return true;
    }
    if (c->in_len == c->in.size()) {
      host.transport_failed(c, "upgrade response too long");
      co_return false;
    }
    auto reading = c->socket.async_read_some(
        asio::buffer(c->in.data() + c->in_len, c->in.size() - c->in_len), use_nothrow);
    auto [ec, n] = co_await std::move(reading);
    if (ec) {
      host.transport_failed(c,
                            ec == asio::error::eof
                                ? std::string("the server closed a connection during the upgrade")
                                : fmt::format("upgrade response: {}", ec.message()));
      co_return false;
    }
    c->in_len += n;
  }
}

bool on_frame(transport_host& host, const connection_ptr& c, ws::opcode op,
              std::string_view payload) {
  switch (op) {
    // frame.fin is not tracked: chorus and Node.js send whole frames.
    case ws::opcode::text:
      return host.on_engine_packet(c, payload);
    case ws::opcode::binary:
      return host.on_engine_binary(c, payload);
    case ws::opcode::continuation:
      host.transport_failed(c, "fragmented server message (unsupported)");
      return false;
    case ws::opcode::ping:
      send_frame(host, c, ws::opcode::pong, payload);
      return true;
    case ws::opcode::pong:
      return true;
    case ws::opcode::close:
      host.transport_failed(c, "the server sent a close frame");
      return false;
  }
  return true;
}

void send_frame(transport_host& host, const connection_ptr& c, ws::opcode op,
                std::string_view payload) {
  // Frames go out only once the upgrade is done and websocket_io owns the socket (it drops
  // them once the connection is closed).
  append_client_frame(c->outbox, op, payload, host.next_mask());
  host.websockets().write(c);
}

}  // namespace

bool consume_server_frames(transport_host& host, const connection_ptr& c) {
  std::size_t offset = 0;
  bool go_on = true;
  while (go_on) {
    auto frame =
        read_server_frame(std::span<const std::uint8_t>(c->in.data() + offset, c->in_len - offset),
                          max_server_message);
    if (frame.state == server_frame::status::incomplete) break;
    if (frame.state == server_frame::status::invalid) {
      host.transport_failed(c, fmt::format("bad frame from the server: {}", frame.error));
      return false;
    }
    go_on = on_frame(host, c, frame.op, frame.payload);
    offset += frame.size;
  }
  if (offset > 0) {
    std::memmove(c->in.data(), c->in.data() + offset, c->in_len - offset);
    c->in_len -= offset;
  }
  return go_on;
}

awaitable<void> run_websocket(transport_host& host, connection_ptr c) {
  auto upgrading = upgrade(host, c);
  if (!co_await std::move(upgrading)) co_return;
  host.transport_up(c);
  host.websockets().adopt(c);
}

void websocket_send(transport_host& host, const connection_ptr& c, std::string_view packet) {
  send_frame(host, c, ws::opcode::text, packet);
}

void websocket_send_binary(transport_host& host, const connection_ptr& c,
                           std::string_view message) {
  send_frame(host, c, ws::opcode::binary, message);
}

}  // namespace chorus::bench
