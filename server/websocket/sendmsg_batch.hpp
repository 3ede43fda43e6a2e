#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace chorus::server {

// Non-blocking sendmsg calls on many sockets, made with one system call (io_uring) instead of
// one each. A broadcast is one send per recipient, and on the VMs chorus is measured on a null
// system call alone costs about 1 µs, as much as the TCP work of a small send; submitting the
// shard's whole flush pass at once leaves one system call per pass (bench/io/sendmsg_batch_bench
// measures both ways). Each send is MSG_DONTWAIT: it completes during the submission, with the
// bytes taken or -EAGAIN, never later. Without io_uring (turned off, or refused by the kernel or
// a seccomp filter) the same sends are made one by one, with the same results.
class sendmsg_batch {
 public:
  static constexpr std::size_t capacity = 1024;

  // `use_io_uring` false: one sendmsg per entry. The ring itself is set up on the first run(),
  // on the thread that will use it (io_uring's single-issuer mode).
  explicit sendmsg_batch(bool use_io_uring);
  ~sendmsg_batch();
  sendmsg_batch(const sendmsg_batch&) = delete;
  sendmsg_batch& operator=(const sendmsg_batch&) = delete;

  std::size_t size() const { return entries_.size(); }
  bool full() const { return entries_.size() == capacity; }
  // Adds a send of `message` on `fd`; the caller keeps `message` and what it points to until
  // run() returns.
  void add(int fd, const msghdr& message);
  // Makes every added send. Returns, per entry in the order added, the bytes sent or −errno
  // (−EAGAIN: the socket's send buffer is full). The batch is then empty; the span is valid
  // until the next add().
  std::span<const long> run();

  // Whether batches of two or more go through io_uring (the ring is set up by the first run());
  // why not, if they do not.
  bool using_io_uring() const { return ring_ != nullptr; }
  const std::string& io_uring_unavailable_reason() const { return unavailable_reason_; }

 private:
  struct ring;
  struct entry {
    int fd;
    const msghdr* message;
  };

  void set_up_ring();
  // Gives up the ring (a setup or submission error): later sends are made one by one.
  void drop_ring(std::string reason);
  // Sends entries_[from..] one sendmsg each.
  void send_one_by_one(std::size_t from);
  // Sends what it can through the ring; returns how many entries (a prefix) it handled.
  std::size_t send_through_ring();

  bool want_io_uring_;
  bool ring_tried_ = false;
  std::unique_ptr<ring> ring_;
  std::string unavailable_reason_;
  std::vector<entry> entries_;
  std::vector<long> results_;
};

}  // namespace chorus::server
