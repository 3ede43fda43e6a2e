#include "server/websocket/write_flusher.hpp"

#include "server/websocket/websocket_connection.hpp"

namespace chorus::server {

void write_flusher::schedule(std::shared_ptr<websocket_connection> connection) {
  listed_.push_back(std::move(connection));
  if (pass_posted_) return;
  pass_posted_ = true;
  asio::post(executor_, [this] { flush_all(); });
}

void write_flusher::flush_all() {
  pass_posted_ = false;
  // A flush may list connections again (a failed write closes a session, which may send):
  // those go to the next pass.
  flushing_.swap(listed_);
  for (const auto& connection : flushing_) connection->flush();
  flushing_.clear();
}

}  // namespace chorus::server
