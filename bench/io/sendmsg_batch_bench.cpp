// Why the shard's flush pass goes through io_uring (server/websocket/sendmsg_batch.hpp): a
// broadcast is one small send to each of many sockets. Both benchmarks make the same sends — one
// 100-byte frame to each of N loopback TCP connections per iteration — with one sendmsg system
// call each, or with the batch's single io_uring submission. Items/s are sends; the receivers
// are drained outside the timed part. The difference is the per-system-call cost, which on the
// VMs chorus is measured on is about 1 µs.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "server/websocket/sendmsg_batch.hpp"

namespace {

using chorus::server::sendmsg_batch;

// N connected loopback TCP pairs: the server ends send, the client ends are drained.
struct connections {
  std::vector<int> senders, receivers;
  explicit connections(std::size_t n) {
    int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener, 1024) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("listen");
    for (std::size_t i = 0; i < n; ++i) {
      int client = ::socket(AF_INET, SOCK_STREAM, 0);
      if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error("connect");
      int server = ::accept(listener, nullptr, nullptr);
      int one = 1;
      ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      senders.push_back(server);
      receivers.push_back(client);
    }
    ::close(listener);
  }
  ~connections() {
    for (int fd : senders) ::close(fd);
    for (int fd : receivers) ::close(fd);
  }
  void drain() const {
    char sink[4096];
    for (int fd : receivers)
      while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
      }
  }
};

void run_sends(benchmark::State& state, bool use_io_uring) {
  const auto n = static_cast<std::size_t>(state.range(0));
  connections pairs(n);
  std::string frame(100, 'x');
  iovec one{frame.data(), frame.size()};
  msghdr message{};
  message.msg_iov = &one;
  message.msg_iovlen = 1;
  sendmsg_batch batch(use_io_uring);
  for (auto _ : state) {
    for (int fd : pairs.senders) batch.add(fd, message);
    auto results = batch.run();
    for (long sent : results)
      if (sent != static_cast<long>(frame.size())) state.SkipWithError("a send fell short");
    state.PauseTiming();
    pairs.drain();
    state.ResumeTiming();
  }
  if (use_io_uring && !batch.using_io_uring())
    state.SkipWithError(batch.io_uring_unavailable_reason().c_str());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_SendmsgOneByOne(benchmark::State& state) {
  run_sends(state, false);
}
void BM_SendmsgBatchIoUring(benchmark::State& state) {
  run_sends(state, true);
}

BENCHMARK(BM_SendmsgOneByOne)->Arg(100)->Arg(500)->Arg(1000)->MeasureProcessCPUTime();
BENCHMARK(BM_SendmsgBatchIoUring)->Arg(100)->Arg(500)->Arg(1000)->MeasureProcessCPUTime();

}  // namespace
