#include "server/tls/tls_session.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "server/http/drain.hpp"
#include "server/http/http_session.hpp"
#include "server/shard.hpp"

namespace chorus::server::tls {
namespace {

namespace beast = boost::beast;
namespace ssl = asio::ssl;
using namespace asio::experimental::awaitable_operators;
using local_socket = asio::local::stream_protocol::socket;

// Bytes moved per read in each direction: one TLS record's worth, so a burst of frames the
// WebSocket writer sent to the plain side goes out as one SSL_write and one TCP send.
constexpr std::size_t chunk_size = 16 * 1024;
// How long a closed tunnel waits for the client's side of the close before dropping it.
constexpr std::chrono::seconds close_grace{1};

struct tunnel {
  tunnel(asio::io_context& context, tcp::socket socket, std::shared_ptr<ssl::context> tls)
      : tls_context(std::move(tls)),
        outer(beast::tcp_stream(std::move(socket)), *tls_context),
        inner(context),
        close_timer(context) {}

  std::shared_ptr<ssl::context> tls_context;  // outlives the stream that uses it
  ssl::stream<beast::tcp_stream> outer;       // to the client, encrypted
  local_socket inner;                         // to the plain HTTP session
  asio::steady_timer close_timer;

  tcp::socket& tcp_socket() { return beast::get_lowest_layer(outer).socket(); }
  void close_all() {
    boost::system::error_code ignored;
    tcp_socket().close(ignored);
    inner.close(ignored);
  }
};

// Moves bytes from one side to the other until a read or a write fails (end of stream
// included). The caller's tunnel keeps both streams alive.
template <class From, class To>
awaitable<void> copy_until_closed(From& from, To& to) {
  std::array<char, chunk_size> chunk;
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(chunk), use_nothrow_awaitable);
    if (ec) co_return;
    auto write = asio::async_write(to, asio::buffer(chunk.data(), n), use_nothrow_awaitable);
    auto [write_ec, written] = co_await std::move(write);
    if (write_ec) co_return;
  }
}

// Client to server. At its end the plain side reads end of stream and closes in its own time.
awaitable<void> pump_in(std::shared_ptr<tunnel> t) {
  co_await copy_until_closed(t->outer, t->inner);
  boost::system::error_code ignored;
  t->inner.shutdown(local_socket::shutdown_send, ignored);
}

// Server to client. At its end (the plain side closed, or the client is gone) the plain side is
// closed, the client gets a FIN, and after a grace period the TCP connection is closed, which
// also ends pump_in if the client never closes its side.
awaitable<void> pump_out(std::shared_ptr<tunnel> t) {
  co_await copy_until_closed(t->inner, t->outer);
  boost::system::error_code ignored;
  t->inner.close(ignored);
  t->tcp_socket().shutdown(tcp::socket::shutdown_send, ignored);
  t->close_timer.expires_after(close_grace);
  t->close_timer.async_wait([t](boost::system::error_code ec) {
    if (!ec) t->close_all();
  });
}

bool is_plain_http(const boost::system::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

// A plain-HTTP request on the TLS port: answered in plain HTTP so a person sees why, then
// closed. The rest of the request was read with the handshake's first bytes (or is dropped by
// the close).
awaitable<void> refuse_plain_http(std::shared_ptr<tunnel> t) {
  static constexpr std::string_view body = "This port speaks HTTPS (TLS) only.\n";
  static const std::string response = fmt::format(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      body.size(), body);
  auto& stream = beast::get_lowest_layer(t->outer);
  auto write = asio::async_write(stream, asio::buffer(response), use_nothrow_awaitable);
  co_await std::move(write);
  co_await http::drain_before_close(stream, close_grace, 64 * 1024);
  t->close_all();
}

// Connects the plain end of a new socketpair to an HTTP session on this shard.
bool start_plain_side(shard& home, tunnel& t) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    spdlog::warn("TLS tunnel on shard {}: socketpair: {}", home.index(), std::strerror(errno));
    return false;
  }
  boost::system::error_code ec;
  t.inner.assign(asio::local::stream_protocol(), fds[0], ec);
  if (ec) {
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  tcp::socket plain(home.context());
  // The HTTP session and WebSocket code only read, write and sendmsg on it; the protocol
  // value is what migration to another shard passes along with the descriptor.
  plain.assign(tcp::v4(), fds[1], ec);
  if (ec) {
    ::close(fds[1]);
    return false;
  }
  asio::co_spawn(home.executor(), http::run_http_session(home, std::move(plain)),
                 log_exceptions{"http session"});
  return true;
}

}  // namespace

awaitable<void> run_tls_session(shard& home, tcp::socket socket,
                                std::shared_ptr<ssl::context> context) {
  auto t = std::make_shared<tunnel>(home.context(), std::move(socket), std::move(context));
  // A silent or trickling client is dropped when the handshake is not done in time.
  beast::get_lowest_layer(t->outer).expires_after(home.config().http_timeout);
  auto handshake = t->outer.async_handshake(ssl::stream_base::server, use_nothrow_awaitable);
  auto [ec] = co_await std::move(handshake);
  if (ec) {
    spdlog::debug("TLS handshake on shard {}: {}", home.index(), ec.message());
    if (is_plain_http(ec)) co_await refuse_plain_http(t);
    t->close_all();
    co_return;
  }
  beast::get_lowest_layer(t->outer).expires_never();
  if (!start_plain_side(home, *t)) {
    t->close_all();
    co_return;
  }
  auto both_ways = pump_in(t) && pump_out(t);
  co_await std::move(both_ways);
  t->close_timer.cancel();
  t->close_all();
}

}  // namespace chorus::server::tls
