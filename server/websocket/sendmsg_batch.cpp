#include "server/websocket/sendmsg_batch.hpp"

#include <liburing.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace chorus::server {

namespace {
constexpr int send_flags = MSG_NOSIGNAL | MSG_DONTWAIT;
}

struct sendmsg_batch::ring {
  io_uring uring{};
  ~ring() { io_uring_queue_exit(&uring); }
};

sendmsg_batch::sendmsg_batch(bool use_io_uring) : want_io_uring_(use_io_uring) {
  entries_.reserve(capacity);
  results_.reserve(capacity);
}

sendmsg_batch::~sendmsg_batch() = default;

void sendmsg_batch::add(int fd, const msghdr& message) {
  if (entries_.empty()) results_.clear();
  entries_.push_back({fd, &message});
}

void sendmsg_batch::set_up_ring() {
  ring_tried_ = true;
  if (!want_io_uring_) {
    unavailable_reason_ = "turned off (--io-uring false)";
    return;
  }
  io_uring uring{};
  io_uring_params params{};
  // SUBMIT_ALL: a send that fails does not stop the ones after it. SINGLE_ISSUER and
  // DEFER_TASKRUN: only this shard's thread submits, and the kernel never interrupts it to run
  // completions (every send here completes during its submission anyway).
  params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int error = io_uring_queue_init_params(capacity, &uring, &params);
  if (error == -EINVAL) {  // a kernel before 6.1 knows SUBMIT_ALL (5.18) at most
    params = {};
    params.flags = IORING_SETUP_SUBMIT_ALL;
    error = io_uring_queue_init_params(capacity, &uring, &params);
  }
  if (error < 0) {
    unavailable_reason_ = std::string("io_uring_setup: ") + std::strerror(-error);
    spdlog::warn("writes are made one sendmsg each: {}", unavailable_reason_);
    return;
  }
  ring_ = std::make_unique<ring>();
  ring_->uring = uring;
}

void sendmsg_batch::drop_ring(std::string reason) {
  unavailable_reason_ = std::move(reason);
  spdlog::warn("writes are made one sendmsg each from now on: {}", unavailable_reason_);
  ring_.reset();  // discards any entry the kernel had not taken
}

std::span<const long> sendmsg_batch::run() {
  if (!ring_tried_) set_up_ring();
  // An entry whose completion is lost (the ring failed under it) is a failed send: sending it
  // again could duplicate bytes in the stream.
  results_.assign(entries_.size(), -EIO);
  // A single send is one system call either way, and a plain sendmsg is the cheaper one.
  std::size_t handled = ring_ && entries_.size() > 1 ? send_through_ring() : 0;
  send_one_by_one(handled);
  entries_.clear();
  return results_;
}

std::size_t sendmsg_batch::send_through_ring() {
  io_uring& uring = ring_->uring;
  const auto count = static_cast<unsigned>(entries_.size());
  for (unsigned i = 0; i < count; ++i) {
    io_uring_sqe* sqe = io_uring_get_sqe(&uring);  // never null: count <= capacity, queue empty
    const msghdr& message = *entries_[i].message;
    if (message.msg_iovlen == 1)  // one frame, the usual broadcast case: no header to copy in
      io_uring_prep_send(sqe, entries_[i].fd, message.msg_iov[0].iov_base,
                         message.msg_iov[0].iov_len, send_flags);
    else
      io_uring_prep_sendmsg(sqe, entries_[i].fd, &message, send_flags);
    io_uring_sqe_set_data64(sqe, i);
  }
  // One system call: submit everything and have every completion. MSG_DONTWAIT sends complete
  // during the submission, so the wait never blocks.
  unsigned taken = 0;
  int error = 0;
  while (taken < count) {
    int submitted = io_uring_submit_and_wait(&uring, count - taken);
    if (submitted == -EINTR) continue;
    if (submitted <= 0) {
      // What the kernel did not take must not go out twice: it is dropped with the ring below
      // and sent one by one.
      error = submitted;
      break;
    }
    taken += static_cast<unsigned>(submitted);
  }
  // Collect one completion per taken entry.
  unsigned seen = 0;
  while (seen < taken) {
    io_uring_cqe* cqe = nullptr;
    int waited = io_uring_wait_cqe(&uring, &cqe);
    if (waited == -EINTR) continue;
    if (waited < 0) {
      drop_ring(std::string("io_uring_wait_cqe: ") + std::strerror(-waited));
      return count;  // the rest stay −EIO: whether they went out is unknown
    }
    results_[io_uring_cqe_get_data64(cqe)] = cqe->res;
    io_uring_cqe_seen(&uring, cqe);
    ++seen;
  }
  if (taken < count)
    drop_ring("io_uring_submit took " + std::to_string(taken) + " of " + std::to_string(count) +
              " sends (" + std::strerror(-error) + ")");
  return taken;
}

void sendmsg_batch::send_one_by_one(std::size_t from) {
  for (std::size_t i = from; i < entries_.size(); ++i) {
    ssize_t sent;
    do {
      sent = ::sendmsg(entries_[i].fd, entries_[i].message, send_flags);
    } while (sent < 0 && errno == EINTR);
    results_[i] = sent < 0 ? -errno : sent;
  }
}

}  // namespace chorus::server
