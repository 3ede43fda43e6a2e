// websocket_io over io_uring: one multishot receive per socket into a ring of provided buffers,
// collected in batches when the ring's eventfd fires (see websocket_io.hpp).
#include <liburing.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench/client/adopted_sockets.hpp"
#include "bench/client/transport.hpp"

namespace chorus::bench {

namespace {

constexpr std::size_t buffer_size = 2048;
constexpr unsigned short buffer_group = 0;
constexpr int max_rounds = 16;
// user_data: a connection id, with this bit for "the socket has room to write".
constexpr std::uint64_t writable_tag = std::uint64_t{1} << 63;

class uring_websocket_io final : public adopted_sockets {
 public:
  // `buffer_count`: the provided buffers, a power of two (the buffer ring's size).
  uring_websocket_io(boost::asio::io_context& io, transport_host& host, unsigned buffer_count)
      : adopted_sockets(io, host), buffer_count_(buffer_count) {}

  ~uring_websocket_io() override {
    if (ring_ready_) io_uring_queue_exit(&ring_);
    std::free(buffer_ring_);
    std::free(buffers_);
  }

  // False (and nothing left open) when the kernel refuses any of it.
  bool set_up() {
    io_uring_params params{};
    // SINGLE_ISSUER + DEFER_TASKRUN: the worker's thread alone uses the ring, and receives run
    // only when it asks for completions — in a batch, never interrupting it.
    // TASKRUN_FLAG: the kernel says in the ring's flags when receives are still deferred.
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
                   IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_CQSIZE;
    params.cq_entries = 16384;
    if (io_uring_queue_init_params(1024, &ring_, &params) < 0) return false;
    ring_ready_ = true;
    int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) return false;
    watch_ready(efd);  // the kernel signals it when receives are waiting
    if (io_uring_register_eventfd(&ring_, efd) < 0) return false;
    void* ring_memory = nullptr;
    if (posix_memalign(&ring_memory, 4096, buffer_count_ * sizeof(io_uring_buf)) != 0) return false;
    buffer_ring_ = static_cast<io_uring_buf_ring*>(ring_memory);
    buffers_ = static_cast<char*>(std::malloc(buffer_count_ * buffer_size));
    if (!buffers_) return false;
    io_uring_buf_ring_init(buffer_ring_);
    io_uring_buf_reg registration{};
    registration.ring_addr = reinterpret_cast<std::uintptr_t>(buffer_ring_);
    registration.ring_entries = buffer_count_;
    registration.bgid = buffer_group;
    if (io_uring_register_buf_ring(&ring_, &registration, 0) < 0) return false;
    for (unsigned id = 0; id < buffer_count_; ++id)
      io_uring_buf_ring_add(buffer_ring_, buffers_ + id * buffer_size, buffer_size, id,
                            io_uring_buf_ring_mask(buffer_count_), static_cast<int>(id));
    io_uring_buf_ring_advance(buffer_ring_, buffer_count_);
    return true;
  }

  const char* name() const override { return "io_uring"; }
  std::uint64_t receives_out_of_buffers() const override { return out_of_buffers_; }

 private:
  bool start_reading(const connection_ptr& c) override {
    arm_receive(*c);
    return true;
  }
  void stop_reading(const connection& c) override {
    // Ends the multishot receive (it completes with 0; the id is gone by then), which holds the
    // socket open in the kernel until it ends.
    ::shutdown(c.fd, SHUT_RDWR);
  }
  void wait_writable(const connection& c) override {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_poll_add(sqe, c.fd, POLLOUT);
    io_uring_sqe_set_data64(sqe, c.id | writable_tag);
    io_uring_submit(&ring_);
  }
  void writable_again(const connection&) override {}  // the poll was one-shot

  io_uring_sqe* next_sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) {  // the submission queue is full: hand it over and take a fresh entry
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }

  void arm_receive(const connection& c) {
    io_uring_sqe* sqe = next_sqe();
    io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = buffer_group;
    io_uring_sqe_set_data64(sqe, c.id);
    io_uring_submit(&ring_);
  }

  void on_ready() override {
    // The kernel runs at most 20 deferred receives per io_uring_enter and keeps the rest for the
    // next one. Asking again at once takes them without a round through the eventfd and epoll
    // (three more system calls per batch: ~5% of the client's CPU in a 1,000-subscriber
    // fan-out). The eventfd is cleared only once nothing is left, and checked once more after:
    // what arrives later signals it anew. Bounded, so that timers (a publisher's next send) are
    // not held up: then the eventfd is signalled to come back after them. (The kernel's own
    // signals, for receives added and completions posted in the last round, normally have it
    // set already; signalling here keeps the loop from depending on that.)
    for (int round = 0; round < max_rounds; ++round) {
      if (take_completions()) continue;
      std::uint64_t signals = 0;
      [[maybe_unused]] auto cleared = ::read(ready_fd(), &signals, sizeof signals);
      if (!take_completions()) return;
    }
    signal_ready();
  }

  // Runs the receives the kernel deferred to now and handles every completion; false when
  // there was nothing to do.
  bool take_completions() {
    io_uring_get_events(&ring_);
    // Copied out first: handling one may submit (re-arm, close) or close another connection.
    completions_.clear();
    unsigned head;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) completions_.push_back(*cqe);
    if (completions_.empty()) return receives_deferred();
    io_uring_cq_advance(&ring_, static_cast<unsigned>(completions_.size()));
    for (const io_uring_cqe& completion : completions_) handle(completion);
    return true;
  }

  // The kernel holds receives to run at the next io_uring_enter (IORING_SETUP_TASKRUN_FLAG).
  bool receives_deferred() const {
    return (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN) != 0;
  }
  void signal_ready() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(ready_fd(), &one, sizeof one);
  }

  void handle(const io_uring_cqe& cqe) {
    if (cqe.user_data & writable_tag) {
      connection_ptr c = find(cqe.user_data & ~writable_tag);
      if (!c || c->fd < 0) return;
      c->waiting_writable = false;  // the one-shot poll is spent: flush waits anew if need be
      flush(c);
      return;
    }
    connection_ptr c = find(cqe.user_data);
    bool open = c && c->fd >= 0;
    if (cqe.flags & IORING_CQE_F_BUFFER) {
      unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
      if (open && cqe.res > 0) append(*c, buffers_ + id * buffer_size, cqe.res);
      recycle(id);
      if (open && cqe.res > 0) {
        received(c);
        open = c->fd >= 0;
      }
    }
    if (!open || (cqe.flags & IORING_CQE_F_MORE)) return;
    // The multishot receive ended: out of buffers (every one was in use when data came; they
    // are back once this batch is handled) or the kernel's choice — receive on; the server
    // closed the socket (0) or an error — the connection ends.
    if (cqe.res == -ENOBUFS) ++out_of_buffers_;
    if (cqe.res > 0 || cqe.res == -ENOBUFS)
      arm_receive(*c);
    else
      read_failed(c, cqe.res);
  }

  static void append(connection& c, const char* data, int n) {
    auto size = static_cast<std::size_t>(n);
    if (c.in.size() - c.in_len < size) c.in.resize(std::max(c.in.size() * 2, c.in_len + size));
    std::memcpy(c.in.data() + c.in_len, data, size);
    c.in_len += size;
  }

  void recycle(unsigned id) {
    io_uring_buf_ring_add(buffer_ring_, buffers_ + id * buffer_size, buffer_size, id,
                          io_uring_buf_ring_mask(buffer_count_), 0);
    io_uring_buf_ring_advance(buffer_ring_, 1);
  }

  const unsigned buffer_count_;
  std::uint64_t out_of_buffers_ = 0;
  io_uring ring_{};
  bool ring_ready_ = false;
  io_uring_buf_ring* buffer_ring_ = nullptr;
  char* buffers_ = nullptr;
  std::vector<io_uring_cqe> completions_;
};

}  // namespace

std::unique_ptr<websocket_io> make_uring_websocket_io(boost::asio::io_context& io,
                                                      transport_host& host, unsigned buffers) {
  auto uring = std::make_unique<uring_websocket_io>(io, host, buffers);
  if (!uring->set_up()) return nullptr;
  return uring;
}

}  // namespace chorus::bench
