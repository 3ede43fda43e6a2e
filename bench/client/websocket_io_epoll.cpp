// websocket_io over a level-triggered epoll set of the worker's own (see websocket_io.hpp).
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "bench/client/adopted_sockets.hpp"
#include "bench/client/transport.hpp"

namespace chorus::bench {

namespace {

class epoll_websocket_io final : public adopted_sockets {
 public:
  epoll_websocket_io(boost::asio::io_context& io, transport_host& host)
      : adopted_sockets(io, host), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_fd_ < 0)
      throw std::runtime_error(fmt::format("epoll_create1: {}", std::strerror(errno)));
    watch_ready(epoll_fd_);  // readable when a socket in the set is
  }
  const char* name() const override { return "epoll"; }

 private:
  bool start_reading(const connection_ptr& c) override {
    if (watch(*c, EPOLL_CTL_ADD, EPOLLIN)) return true;
    host_.transport_failed(c, fmt::format("epoll_ctl: {}", std::strerror(errno)));
    return false;
  }
  void stop_reading(const connection& c) override {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  }
  void wait_writable(const connection& c) override { watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT); }
  void writable_again(const connection& c) override { watch(c, EPOLL_CTL_MOD, EPOLLIN); }

  bool watch(const connection& c, int op, std::uint32_t events) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = c.id;
    return ::epoll_ctl(epoll_fd_, op, c.fd, &event) == 0;
  }

  void on_ready() override {
    int ready = ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), 0);
    for (int i = 0; i < ready; ++i) {
      // Looked up, not carried as a pointer: handling one event may close another connection.
      connection_ptr c = find(events_[i].data.u64);
      if (!c) continue;
      if (events_[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read(c);
      if (c->fd >= 0 && (events_[i].events & EPOLLOUT)) flush(c);
    }
  }

  void read(const connection_ptr& c) {
    if (c->in_len == c->in.size()) c->in.resize(c->in.size() * 2);
    // One read per readiness report: the set is level-triggered, so what is left is reported
    // again.
    ssize_t n = ::recv(c->fd, c->in.data() + c->in_len, c->in.size() - c->in_len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) return read_failed(c, n == 0 ? 0 : -errno);
    c->in_len += static_cast<std::size_t>(n);
    received(c);
  }

  int epoll_fd_;  // owned by the base's ready descriptor
  std::array<epoll_event, 512> events_{};
};

}  // namespace

std::unique_ptr<websocket_io> make_epoll_websocket_io(boost::asio::io_context& io,
                                                      transport_host& host) {
  return std::make_unique<epoll_websocket_io>(io, host);
}

}  // namespace chorus::bench
