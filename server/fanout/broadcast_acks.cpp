#include "server/fanout/broadcast_acks.hpp"

#include <atomic>

namespace chorus::server::fanout {

std::shared_ptr<ack_collector> ack_collector::create(asio::any_io_executor executor,
                                                     std::chrono::milliseconds timeout,
                                                     done_callback done) {
  std::shared_ptr<ack_collector> collector(new ack_collector(std::move(executor), std::move(done)));
  // The timer is only touched on its executor's thread (create may be called from another).
  asio::dispatch(collector->executor_, [collector, timeout] {
    collector->timer_.expires_after(timeout);
    // The wait owns the collector: whoever else holds it (the job, the recipients' pending
    // acks, a cluster adapter waiting for other nodes) may let go first, and `done` must still
    // run at the timeout. finish() cancels the timer, which ends the wait and lets go.
    collector->timer_.async_wait([collector](boost::system::error_code ec) {
      if (ec) return;
      std::lock_guard lock(collector->mutex_);
      collector->finish(false);  // a no-op if it completed meanwhile
    });
  });
  return collector;
}

ack_collector::ack_collector(asio::any_io_executor executor, done_callback done)
    : executor_(executor), timer_(executor), done_(std::move(done)) {}

void ack_collector::expect(std::size_t reporters) {
  std::lock_guard lock(mutex_);
  expected_reports_ += reporters;
}

void ack_collector::seal() {
  std::lock_guard lock(mutex_);
  sealed_ = true;
  check_complete();
}

void ack_collector::delivered(std::size_t clients) {
  std::lock_guard lock(mutex_);
  ++reports_;
  clients_ += clients;
  check_complete();
}

void ack_collector::acked(std::string first_arg_json) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  responses_.push_back(std::move(first_arg_json));
  check_complete();
}

void ack_collector::check_complete() {
  if (sealed_ && reports_ >= expected_reports_ && responses_.size() >= clients_) finish(true);
}

void ack_collector::finish(bool complete) {
  if (finished_) return;
  finished_ = true;
  broadcast_ack_result result{std::move(responses_), complete};
  // The timer is cancelled from here; on the executor, where done_ runs too. The collector
  // stays alive until then (the job and the sockets' pending acks hold it as well).
  asio::post(executor_, [self = shared_from_this(), result = std::move(result)]() mutable {
    self->timer_.cancel();
    self->done_(std::move(result));
  });
}

std::uint64_t next_broadcast_ack_id() {
  // 2^40: a socket would have to emit a thousand billion acked events to reach it; still far
  // below 2^53, where a JavaScript client's Number stops being exact.
  static std::atomic<std::uint64_t> next{std::uint64_t{1} << 40};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace chorus::server::fanout
