#pragma once

// A worker's WebSocket connections after the upgrade, read and written outside asio's
// per-socket operations. Why: a fan-out subscriber receives one small message per broadcast,
// and asio's async_read_some first tries a read at once — which, after the previous read emptied
// the socket, fails with EAGAIN — and otherwise waits through its reactor: two system calls and
// an operation's machinery per message, the client's largest cost when it measures a server
// (docs/BENCHMARKS.md, "Latency"). Two ways, both awaited through asio so that timers and the
// polling transport run on the same io_context:
// - io_uring (kernel ≥ 6.1): one multishot receive per socket into a ring of provided buffers;
//   the kernel signals an eventfd and io_uring_enter collects the sockets' new data, 20 receives
//   per call on this kernel — no system call per message;
// - epoll: a level-triggered set of the worker's own, one read per ready socket per batch.
// Writes are direct non-blocking sends; what a full socket does not take waits for room.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>

#include "bench/client/connection.hpp"

namespace chorus::bench {

class transport_host;

class websocket_io {
 public:
  virtual ~websocket_io() = default;
  // Takes `c`'s upgraded socket out of asio and reads it from now on, starting with what the
  // upgrade already read into c->in.
  virtual void adopt(const connection_ptr& c) = 0;
  // Writes c->outbox now, as far as the socket takes it; the rest when it has room.
  virtual void write(const connection_ptr& c) = 0;
  // Closes an adopted connection's socket (its reads and writes end).
  virtual void close(const connection_ptr& c) = 0;
  // "io_uring" or "epoll".
  virtual const char* name() const = 0;
  // Receives that found every buffer in use and were armed again (io_uring only).
  virtual std::uint64_t receives_out_of_buffers() const { return 0; }
};

// io_uring when `prefer_io_uring` and the kernel allows it, with `recv_buffers` provided
// buffers (a power of two); else epoll.
std::unique_ptr<websocket_io> make_websocket_io(boost::asio::io_context& io, transport_host& host,
                                                bool prefer_io_uring, unsigned recv_buffers);

}  // namespace chorus::bench
