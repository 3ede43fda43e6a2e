#include "server/engineio/session_registry.hpp"

#include <vector>

#include "server/engineio/session.hpp"

namespace chorus::server::engineio {

std::shared_ptr<session> session_registry::find(std::string_view sid) const {
  auto it = sessions_.find(sid);
  return it == sessions_.end() ? nullptr : it->second;
}

void session_registry::add(std::shared_ptr<session> opened) {
  std::string sid = opened->sid();
  sessions_.emplace(std::move(sid), std::move(opened));
}

void session_registry::remove(std::string_view sid) {
  auto it = sessions_.find(sid);
  if (it != sessions_.end()) sessions_.erase(it);
}

void session_registry::close_all(disconnect_reason reason) {
  // A copy: each close leaves the registry.
  std::vector<std::shared_ptr<session>> all;
  all.reserve(sessions_.size());
  for (auto& [sid, open] : sessions_) all.push_back(open);
  for (auto& open : all) open->close(reason);
}

}  // namespace chorus::server::engineio
