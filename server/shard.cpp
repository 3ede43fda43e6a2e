#include "server/shard.hpp"

#include "server/engineio/session.hpp"

namespace chorus::server {

shard::shard(unsigned index, const server_config& config)
    : index_(index),
      config_(config),
      flusher_(context_.get_executor(), config.io_uring, metrics_.fanout_write_latency) {}

std::shared_ptr<engineio::session> shard::find_session(std::string_view sid) const {
  auto it = sessions_.find(sid);
  return it == sessions_.end() ? nullptr : it->second;
}

void shard::add_session(std::shared_ptr<engineio::session> session) {
  std::string sid = session->sid();
  sessions_.emplace(std::move(sid), std::move(session));
}

void shard::remove_session(std::string_view sid) {
  auto it = sessions_.find(sid);
  if (it != sessions_.end()) sessions_.erase(it);
}

void shard::close_all_sessions() {
  std::vector<std::shared_ptr<engineio::session>> all;
  all.reserve(sessions_.size());
  for (auto& [sid, session] : sessions_) all.push_back(session);
  for (auto& session : all) session->close(disconnect_reason::server_shutting_down);
}

}  // namespace chorus::server
