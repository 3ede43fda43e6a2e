#pragma once

// What both websocket_io backends share: the adopted connections by id, the wait on the one
// descriptor that says "something is ready" (the epoll set, or the io_uring eventfd), handing
// received bytes to the frame reader, and direct non-blocking writes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "bench/client/websocket_io.hpp"

namespace chorus::bench {

class adopted_sockets : public websocket_io {
 public:
  adopted_sockets(boost::asio::io_context& io, transport_host& host) : host_(host), ready_(io) {}
  ~adopted_sockets() override;

  void adopt(const connection_ptr& c) override;
  void write(const connection_ptr& c) override;
  void close(const connection_ptr& c) override;

 protected:
  // Takes `fd`, readable when the backend has something ready (closed with this object).
  void watch_ready(int fd) { ready_.assign(fd); }
  int ready_fd() { return ready_.native_handle(); }
  // Something is ready: the backend handles it (the wait is renewed afterwards).
  virtual void on_ready() = 0;
  // The backend starts reading `c` (its fd is set); false: it could not.
  virtual bool start_reading(const connection_ptr& c) = 0;
  // The backend stops reading `c` before its fd is closed.
  virtual void stop_reading(const connection& c) = 0;
  // The backend calls flush(c) once the socket has room again.
  virtual void wait_writable(const connection& c) = 0;
  // The socket has room again (after wait_writable) — and no wait is wanted any more if
  // c->outbox is empty after the flush.
  virtual void writable_again(const connection& c) = 0;

  // Bytes read on `c` were appended to c->in: hands complete frames on; closes `c` when it
  // should stop being read.
  void received(const connection_ptr& c);
  // The socket's end (n == 0) or a read error (errno).
  void read_failed(const connection_ptr& c, long n);
  // Sends what c->outbox holds as far as the socket takes it.
  void flush(const connection_ptr& c);
  connection_ptr find(std::uint64_t id) const {
    auto it = adopted_.find(id);
    return it == adopted_.end() ? nullptr : it->second;
  }

  transport_host& host_;

 private:
  // Waits on ready_ while any connection is adopted.
  void wait_ready();

  boost::asio::posix::stream_descriptor ready_;
  bool waiting_ = false;
  std::unordered_map<std::uint64_t, connection_ptr> adopted_;
};

}  // namespace chorus::bench
