// Why chorus frames WebSocket itself: Beast's websocket::stream writes one message per call
// (a syscall each), while chorus's writer sends every queued, pre-framed packet in one gather
// write. And why that gather write is a direct sendmsg: asio's socket calls pass at most 64
// buffers per system call, sendmsg takes up to IOV_MAX (1024). All write the same 100-byte text
// messages over loopback TCP to a reader thread that drains the bytes; items/s are messages
// written.
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <span>
#include <thread>

#include "rooms/encoded_packet.hpp"

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

// A WebSocket server stream connected to a client whose raw socket is drained by a thread.
struct loopback_pair {
  asio::io_context context;
  websocket::stream<tcp::socket> server{context};
  websocket::stream<tcp::socket> client{context};
  std::thread drain;

  loopback_pair() {
    tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.next_layer().connect(acceptor.local_endpoint());
    acceptor.accept(server.next_layer());
    std::thread handshake([&] { client.handshake("127.0.0.1", "/"); });
    server.accept();
    handshake.join();
    server.text(true);
    drain = std::thread([this] {
      std::array<char, 64 * 1024> sink;
      boost::system::error_code ec;
      while (!ec) client.next_layer().read_some(asio::buffer(sink), ec);
    });
  }
  ~loopback_pair() {
    boost::system::error_code ignored;
    server.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    drain.join();
  }
};

const std::string message =
    "42[\"room_message\",{\"room\":\"r\",\"message\":\"" + std::string(60, 'x') + "\"}]";

void BM_BeastWritePerMessage(benchmark::State& state) {
  loopback_pair pair;
  const auto batch = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    for (std::size_t i = 0; i < batch; ++i) pair.server.write(asio::buffer(message));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

void BM_AsioGatherWrite64(benchmark::State& state) {
  loopback_pair pair;
  const auto batch = static_cast<std::size_t>(state.range(0));
  // Encoded once, as a broadcast is; each recipient queues a reference.
  auto packet = chorus::rooms::encoded_packet::make(message, false);
  std::vector<std::shared_ptr<const chorus::rooms::encoded_packet>> queue(batch, packet);
  std::vector<asio::const_buffer> gather;
  for (auto _ : state) {
    gather.clear();
    for (const auto& p : queue)
      gather.emplace_back(p->websocket_frame().data(), p->websocket_frame().size());
    // write_some takes 64 buffers a call (async_write only 16).
    std::span<asio::const_buffer> rest(gather);
    while (!rest.empty()) {
      std::size_t written =
          pair.server.next_layer().write_some(rest.first(std::min<std::size_t>(64, rest.size())));
      while (written > 0) {
        std::size_t taken = std::min(written, rest.front().size());
        rest.front() += taken;
        written -= taken;
        if (rest.front().size() == 0) rest = rest.subspan(1);
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

// What the server's writer does (server/websocket/websocket_connection.cpp, write_queued): one
// sendmsg with an iovec per queued frame, up to 1024.
void BM_ChorusSendmsgGather(benchmark::State& state) {
  loopback_pair pair;
  const auto batch = static_cast<std::size_t>(state.range(0));
  auto packet = chorus::rooms::encoded_packet::make(message, false);
  std::vector<std::shared_ptr<const chorus::rooms::encoded_packet>> queue(batch, packet);
  std::vector<iovec> gather;
  const int fd = pair.server.next_layer().native_handle();
  for (auto _ : state) {
    gather.clear();
    for (const auto& p : queue)
      gather.push_back(
          {const_cast<char*>(p->websocket_frame().data()), p->websocket_frame().size()});
    std::span<iovec> rest(gather);
    while (!rest.empty()) {
      msghdr header{};
      header.msg_iov = rest.data();
      header.msg_iovlen = std::min<std::size_t>(1024, rest.size());
      ssize_t sent = ::sendmsg(fd, &header, MSG_NOSIGNAL);
      if (sent < 0) {
        state.SkipWithError("sendmsg failed");
        return;
      }
      auto written = static_cast<std::size_t>(sent);
      while (written > 0) {
        std::size_t taken = std::min(written, rest.front().iov_len);
        rest.front().iov_base = static_cast<char*>(rest.front().iov_base) + taken;
        rest.front().iov_len -= taken;
        written -= taken;
        if (rest.front().iov_len == 0) rest = rest.subspan(1);
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

BENCHMARK(BM_BeastWritePerMessage)->Arg(1)->Arg(16)->Arg(64);
BENCHMARK(BM_AsioGatherWrite64)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Arg(1024);
BENCHMARK(BM_ChorusSendmsgGather)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->Arg(1024);

}  // namespace
