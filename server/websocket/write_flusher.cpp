#include "server/websocket/write_flusher.hpp"

#include <algorithm>
#include <utility>

#include "server/websocket/websocket_connection.hpp"

namespace chorus::server {

void write_flusher::schedule(std::shared_ptr<websocket_connection> connection) {
  listed_.push_back(std::move(connection));
  if (pass_posted_) return;
  pass_posted_ = true;
  asio::post(executor_, [this] { flush_all(); });
}

void write_flusher::note_broadcast(std::chrono::steady_clock::time_point issued) {
  if (!pass_posted_) return;
  if (!pending_broadcast_ || issued < *pending_broadcast_) pending_broadcast_ = issued;
}

void write_flusher::flush_all() {
  pass_posted_ = false;
  // A flush may list connections again (a failed write closes a session, which may send):
  // those go to the next pass.
  flushing_.swap(listed_);
  auto broadcast_issued = std::exchange(pending_broadcast_, std::nullopt);
  std::size_t next = 0;
  while (next < flushing_.size()) {
    next = gather_batch(next);
    auto results = batch_.run();
    for (std::size_t i = 0; i < batched_.size(); ++i) {
      if (i + prefetch_distance < batched_.size()) {
        const batched_write& ahead = batched_[i + prefetch_distance];
        ahead.connection->prefetch_for_finish(ahead.first_queued);
      }
      batched_[i].connection->finish_flush(results[i], batched_[i].bytes);
    }
  }
  flushing_.clear();
  if (broadcast_issued)
    broadcast_latency_.observe(std::chrono::steady_clock::now() - *broadcast_issued);
}

std::size_t write_flusher::gather_batch(std::size_t next) {
  batched_.clear();
  std::size_t frames_used = 0;
  for (; next < flushing_.size() && !batch_.full() && frames_used < frames_->size(); ++next) {
    websocket_connection& connection = *flushing_[next];
    if (!connection.begin_flush()) continue;
    std::span<iovec> space(
        frames_->data() + frames_used,
        std::min(websocket_connection::max_frames_per_write, frames_->size() - frames_used));
    std::size_t bytes = 0;
    std::size_t count = connection.gather(space, bytes);
    msghdr& message = (*messages_)[batch_.size()];
    message = {};
    message.msg_iov = space.data();
    message.msg_iovlen = count;
    batch_.add(connection.native_handle(), message);
    batched_.push_back({&connection, bytes, connection.first_queued()});
    frames_used += count;
  }
  return next;
}

}  // namespace chorus::server
