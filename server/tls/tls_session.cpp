#include "server/tls/tls_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <string>
#include <string_view>

#include "server/http/client_stream.hpp"
#include "server/http/drain.hpp"
#include "server/http/http_session.hpp"
#include "server/shard.hpp"

namespace chorus::server::tls {
namespace {

namespace beast = boost::beast;

// A plain-HTTP request on the TLS port: answered in plain HTTP so a person sees why, then
// closed. The rest of the request was read with the handshake's first bytes (or is dropped by
// the close).
awaitable<void> refuse_plain_http(shard& home, beast::tcp_stream& stream) {
  static constexpr std::string_view body = "This port speaks HTTPS (TLS) only.\n";
  static const std::string response = fmt::format(
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      body.size(), body);
  stream.expires_after(home.config().http_timeout);
  auto write = asio::async_write(stream, asio::buffer(response), use_nothrow_awaitable);
  co_await std::move(write);
  co_await http::drain_before_close(stream, std::chrono::seconds(1), 64 * 1024);
}

}  // namespace

awaitable<void> run_tls_session(shard& home, const http::site& site, tcp::socket socket,
                                guard::connection_slot slot,
                                std::shared_ptr<asio::ssl::context> context) {
  auto channel = std::make_unique<tls_channel>(context->native_handle());
  http::client_stream stream(beast::tcp_stream(std::move(socket)), std::move(channel));
  // A silent or trickling client is dropped when the handshake is not done in time.
  stream.expires_after(home.config().http_timeout);
  if (auto ec = co_await stream.handshake()) {
    spdlog::debug("TLS handshake on shard {}: {}", home.index(),
                  stream.tls()->error_text().empty() ? ec.message() : stream.tls()->error_text());
    if (stream.tls()->saw_plain_http()) co_await refuse_plain_http(home, stream.tcp());
    co_return;  // the stream's destructor closes the socket, the slot's gives its place back
  }
  co_await http::run_http_session(home, site, std::move(stream), std::move(slot));
}

}  // namespace chorus::server::tls
