#include "bench/client/websocket_io.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bench/client/adopted_sockets.hpp"
#include "bench/client/transport.hpp"

namespace chorus::bench {

std::unique_ptr<websocket_io> make_epoll_websocket_io(boost::asio::io_context& io,
                                                      transport_host& host);
// Null when the kernel refuses what it needs.
std::unique_ptr<websocket_io> make_uring_websocket_io(boost::asio::io_context& io,
                                                      transport_host& host, unsigned buffers);

std::unique_ptr<websocket_io> make_websocket_io(boost::asio::io_context& io, transport_host& host,
                                                bool prefer_io_uring, unsigned recv_buffers) {
  if (prefer_io_uring) {
    if (auto uring = make_uring_websocket_io(io, host, recv_buffers)) return uring;
  }
  return make_epoll_websocket_io(io, host);
}

adopted_sockets::~adopted_sockets() {
  for (auto& [id, c] : adopted_) {
    ::close(c->fd);
    c->fd = -1;
  }
}

void adopted_sockets::adopt(const connection_ptr& c) {
  boost::system::error_code ec;
  int fd = c->socket.release(ec);
  if (ec) {
    host_.transport_failed(c, fmt::format("release socket: {}", ec.message()));
    return;
  }
  c->fd = fd;
  if (!start_reading(c)) {
    ::close(fd);
    c->fd = -1;
    return;
  }
  adopted_.emplace(c->id, c);
  if (!waiting_) wait_ready();
  // The upgrade's read may have taken frames too (the open packet).
  received(c);
}

void adopted_sockets::wait_ready() {
  waiting_ = true;
  ready_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                    [this](boost::system::error_code ec) {
                      waiting_ = false;
                      if (ec) return;
                      on_ready();
                      if (!adopted_.empty()) wait_ready();
                    });
}

void adopted_sockets::close(const connection_ptr& c) {
  if (c->fd < 0) return;
  stop_reading(*c);
  ::close(c->fd);
  c->fd = -1;
  adopted_.erase(c->id);
}

void adopted_sockets::received(const connection_ptr& c) {
  if (!consume_server_frames(host_, c)) close(c);
}

void adopted_sockets::read_failed(const connection_ptr& c, long n) {
  host_.transport_failed(c, n == 0 ? std::string("the server closed a connection")
                                   : fmt::format("read: {}", std::strerror(static_cast<int>(-n))));
  close(c);
}

void adopted_sockets::write(const connection_ptr& c) {
  if (c->fd < 0 || c->waiting_writable) return;  // flush() sends it once the socket has room
  flush(c);
}

void adopted_sockets::flush(const connection_ptr& c) {
  while (!c->outbox.empty()) {
    ssize_t n = ::send(c->fd, c->outbox.data(), c->outbox.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      host_.transport_failed(c, fmt::format("write: {}", std::strerror(errno)));
      close(c);
      return;
    }
    c->outbox.erase(0, static_cast<std::size_t>(n));
  }
  if (!c->outbox.empty()) {
    if (!c->waiting_writable) {
      c->waiting_writable = true;
      wait_writable(*c);
    }
  } else if (c->waiting_writable) {
    c->waiting_writable = false;
    writable_again(*c);
  }
}

}  // namespace chorus::bench
