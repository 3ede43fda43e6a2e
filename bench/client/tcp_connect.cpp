#include <netinet/in.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench/client/transport.hpp"

namespace chorus::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

asio::awaitable<boost::system::error_code> tcp_connect(transport_host& host, const connection& c,
                                                       tcp::socket& socket) {
  const bench_options& o = host.options();
  const tcp::endpoint& server = host.server(c).endpoint;
  boost::system::error_code ec;
  socket.open(server.protocol(), ec);
  if (!ec && o.source_ips > 1) {
    // Let connect() pick the port for the whole 4-tuple, so each source address has its own
    // ephemeral range.
    int one = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    auto source =
        asio::ip::address_v4(0x7f000001u + static_cast<std::uint32_t>(c.id % o.source_ips));
    socket.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) co_return ec;
  auto connecting = socket.async_connect(server, asio::as_tuple(asio::use_awaitable));
  auto [connect_ec] = co_await std::move(connecting);
  if (!connect_ec) socket.set_option(tcp::no_delay(true), ec);
  co_return connect_ec;
}

}  // namespace chorus::bench
