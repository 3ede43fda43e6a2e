#include "server/recovery/session_store.hpp"

namespace chorus::server::recovery {

void session_store::save(saved_session session, clock::time_point now) {
  expire(now);
  while (sessions_.size() >= max_sessions_ && !by_age_.empty()) drop_oldest();
  std::string pid = session.pid;
  sessions_.insert_or_assign(pid, stored{std::move(session), now});
  by_age_.emplace_back(std::move(pid), now);
}

std::optional<saved_session> session_store::take(const std::string& pid, const std::string& nsp,
                                                 clock::time_point now) {
  expire(now);
  auto it = sessions_.find(pid);
  if (it == sessions_.end() || it->second.session.nsp != nsp) return std::nullopt;
  saved_session session = std::move(it->second.session);
  sessions_.erase(it);
  return session;
}

void session_store::expire(clock::time_point now) {
  while (!by_age_.empty() && now - by_age_.front().second > window_) drop_oldest();
}

void session_store::drop_oldest() {
  auto it = sessions_.find(by_age_.front().first);
  // Only if this entry is the session's latest save (not taken, not saved again since).
  if (it != sessions_.end() && it->second.disconnected_at == by_age_.front().second)
    sessions_.erase(it);
  by_age_.pop_front();
}

}  // namespace chorus::server::recovery
