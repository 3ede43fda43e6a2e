#include <fmt/format.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "bench/client/http_response.hpp"
#include "bench/client/sio_packet.hpp"
#include "bench/client/transport.hpp"

namespace chorus::bench {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_response = 64 * 1024 * 1024;
// A POST carries whole packets up to this much (the servers' maxPayload is 1 MB by default).
constexpr std::size_t max_post_body = 256 * 1024;

std::string target(const bench_options& o, std::string_view sid) {
  if (sid.empty()) return fmt::format("{}?EIO=4&transport=polling", o.path);
  return fmt::format("{}?EIO=4&transport=polling&sid={}", o.path, sid);
}

struct response {
  std::string error;  // empty when a whole response arrived
  bool io_error = false;
  http_response_head head;
  std::string_view body;  // views the buffer until consume()
};

// Reads one whole response (head and Content-Length body) from `socket` into buf[0, len).
awaitable<response> read_response(tcp::socket& socket, std::vector<std::uint8_t>& buf,
                                  std::size_t& len) {
  response r;
  for (;;) {
    std::string_view seen(reinterpret_cast<const char*>(buf.data()), len);
    r.head = parse_http_response_head(seen);
    if (r.head.state == http_response_head::status::invalid) {
      r.error = r.head.error;
      co_return r;
    }
    std::size_t need = 0;
    if (r.head.state == http_response_head::status::complete) {
      need = r.head.head_size + r.head.content_length;
      if (need > max_response) {
        r.error = "response too large";
        co_return r;
      }
      if (len >= need) {
        r.body = seen.substr(r.head.head_size, r.head.content_length);
        co_return r;
      }
    }
    if (len == buf.size() || need > buf.size()) buf.resize(std::max(buf.size() * 2, need));
    auto reading =
        socket.async_read_some(asio::buffer(buf.data() + len, buf.size() - len), use_nothrow);
    auto [ec, n] = co_await std::move(reading);
    if (ec) {
      r.io_error = true;
      r.error =
          ec == asio::error::eof ? std::string("the server closed the connection") : ec.message();
      co_return r;
    }
    len += n;
  }
}

void consume(const response& r, std::vector<std::uint8_t>& buf, std::size_t& len) {
  std::size_t used = r.head.head_size + r.head.content_length;
  std::memmove(buf.data(), buf.data() + used, len - used);
  len -= used;
}

void close_sockets(connection& c) {
  boost::system::error_code ignored;
  c.socket.close(ignored);
  c.post_socket.close(ignored);
  c.post_connected = false;
}

// One POST of c->writing_buf. A keep-alive connection the server closed while idle (Node.js
// does after 5 s) fails on first use: then one retry on a fresh connection.
awaitable<std::string> post_once(transport_host& host, connection_ptr c) {
  const bench_options& o = host.options();
  for (int attempt = 0;; ++attempt) {
    bool reused = c->post_connected;
    if (!c->post_connected) {
      auto connecting = tcp_connect(host, *c, c->post_socket);
      auto ec = co_await std::move(connecting);
      if (ec) co_return fmt::format("connect: {}", ec.message());
      c->post_connected = true;
      c->post_in_len = 0;
    }
    std::string header = fmt::format(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain;charset=UTF-8\r\n"
        "Content-Length: {}\r\n\r\n",
        target(o, c->sid), host.server(*c).authority, c->writing_buf.size());
    std::array buffers = {asio::buffer(header), asio::buffer(c->writing_buf)};
    auto writing = asio::async_write(c->post_socket, buffers, use_nothrow);
    auto [wec, written] = co_await std::move(writing);
    response r;
    if (wec) {
      r.io_error = true;
      r.error = wec.message();
    } else {
      auto reading = read_response(c->post_socket, c->post_in, c->post_in_len);
      r = co_await std::move(reading);
    }
    if (r.io_error && reused && attempt == 0 && c->post_in_len == 0) {
      boost::system::error_code ignored;
      c->post_socket.close(ignored);
      c->post_connected = false;
      continue;
    }
    if (!r.error.empty()) co_return r.error;
    if (r.head.code != 200) {
      co_return fmt::format("answered {}: {:.100}", r.head.code, r.body);
    }
    consume(r, c->post_in, c->post_in_len);
    if (!r.head.keep_alive) {
      boost::system::error_code ignored;
      c->post_socket.close(ignored);
      c->post_connected = false;
    }
    co_return std::string();
  }
}

awaitable<void> poster(transport_host& host, connection_ptr c) {
  while (!c->outbox.empty()) {
    std::size_t cut = c->outbox.size();
    if (cut > max_post_body) {
      cut = c->outbox.rfind('\x1e', max_post_body);
      if (cut == std::string::npos || cut == 0) cut = c->outbox.find('\x1e');
      if (cut == std::string::npos) cut = c->outbox.size();
    }
    c->writing_buf.assign(c->outbox, 0, cut);
    c->outbox.erase(0, cut < c->outbox.size() ? cut + 1 : cut);
    auto posting = post_once(host, c);
    std::string error = co_await std::move(posting);
    if (!error.empty()) {
      c->writing = false;
      if (c->closing) close_sockets(*c);
      host.transport_failed(c, fmt::format("polling POST: {}", error));
      co_return;
    }
  }
  c->writing = false;
  if (c->closing) close_sockets(*c);  // the close packet is out
}

// The handshake's answer: "0{…sid…}", perhaps with more packets after it.
bool take_open_packet(transport_host& host, const connection_ptr& c, std::string_view body) {
  std::string_view first = body.substr(0, body.find('\x1e'));
  std::string_view sid = first.starts_with('0') ? open_packet_sid(first.substr(1)) : "";
  if (sid.empty()) {
    host.transport_failed(c, fmt::format("polling handshake without a sid: {:.100}", body));
    return false;
  }
  c->sid = std::string(sid);
  host.transport_up(c);
  return true;
}

}  // namespace

awaitable<void> run_polling(transport_host& host, connection_ptr c) {
  const bench_options& o = host.options();
  std::string request;
  for (;;) {
    request = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\n\r\n", target(o, c->sid),
                          host.server(*c).authority);
    auto writing = asio::async_write(c->socket, asio::buffer(request), use_nothrow);
    auto [wec, written] = co_await std::move(writing);
    if (wec) {
      host.transport_failed(c, fmt::format("polling GET: {}", wec.message()));
      co_return;
    }
    auto reading = read_response(c->socket, c->in, c->in_len);
    response r = co_await std::move(reading);
    if (!r.error.empty()) {
      host.transport_failed(c, fmt::format("polling GET: {}", r.error));
      co_return;
    }
    if (r.head.code != 200) {
      host.transport_failed(c,
                            fmt::format("polling GET answered {}: {:.100}", r.head.code, r.body));
      co_return;
    }
    if (c->sid.empty() && !take_open_packet(host, c, r.body)) co_return;
    bool go_on = true;
    for_each_polling_packet(r.body, [&](std::string_view packet) {
      if (go_on) go_on = host.on_engine_packet(c, packet);
    });
    consume(r, c->in, c->in_len);
    if (!go_on || c->closing) co_return;
    if (!r.head.keep_alive) {
      boost::system::error_code ignored;
      c->socket.close(ignored);
      c->in_len = 0;
      auto connecting = tcp_connect(host, *c, c->socket);
      auto ec = co_await std::move(connecting);
      if (ec) {
        host.transport_failed(c, fmt::format("polling GET reconnect: {}", ec.message()));
        co_return;
      }
    }
  }
}

void polling_send(transport_host& host, const connection_ptr& c, std::string_view packet) {
  if (!c->outbox.empty()) c->outbox += '\x1e';
  c->outbox.append(packet);
  if (!c->writing) {
    c->writing = true;
    host.spawn(poster(host, c));
  }
}

void polling_close(transport_host& host, const connection_ptr& c) {
  if (c->sid.empty()) {
    close_sockets(*c);
    return;
  }
  polling_send(host, c, "1");
}

}  // namespace chorus::bench
