#include "server/chat/presence.hpp"

#include <algorithm>

namespace chorus::server::chat {

presence::roster presence::enter(std::string_view room, std::string_view username) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) it = rooms_.emplace(std::string(room), room_state{}).first;
  add(it->second.names, username);
  it->second.version = ++version_;
  return snapshot(&it->second);
}

presence::roster presence::leave(std::string_view room, std::string_view username) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {};
  if (!remove(it->second.names, username)) return snapshot(&it->second);
  if (it->second.names.empty()) {
    rooms_.erase(it);  // an empty room costs nothing
    return {{}, 0, ++version_};
  }
  it->second.version = ++version_;
  return snapshot(&it->second);
}

presence::roster presence::users(std::string_view room) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return snapshot(it == rooms_.end() ? nullptr : &it->second);
}

void presence::sign_in(std::string_view username) {
  std::lock_guard lock(mutex_);
  auto it = online_.find(username);
  if (it == online_.end())
    online_.emplace(std::string(username), 1);
  else
    ++it->second;
}

void presence::sign_out(std::string_view username) {
  std::lock_guard lock(mutex_);
  auto it = online_.find(username);
  if (it != online_.end() && --it->second == 0) online_.erase(it);
}

bool presence::online(std::string_view username) const {
  std::lock_guard lock(mutex_);
  return online_.find(username) != online_.end();
}

std::size_t presence::room_count() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

presence::name_counts presence::room_counts(std::string_view room) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  return it == rooms_.end() ? name_counts{} : it->second.names;
}

std::size_t presence::signed_in_count(std::string_view username) const {
  std::lock_guard lock(mutex_);
  auto it = online_.find(username);
  return it == online_.end() ? 0 : it->second;
}

namespace {

template <class Map>
std::vector<std::string> keys_of(const Map& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& entry : map) keys.push_back(entry.first);
  return keys;
}

}  // namespace

std::vector<std::string> presence::room_names() const {
  std::lock_guard lock(mutex_);
  return keys_of(rooms_);
}

std::vector<std::string> presence::signed_in_names() const {
  std::lock_guard lock(mutex_);
  return keys_of(online_);
}

presence::roster presence::snapshot(const room_state* room) const {
  roster out;
  if (!room) return out;
  out.count = room->names.size();
  out.version = room->version;
  out.users.reserve(std::min(out.count, max_listed_));
  for (const auto& [name, sockets] : room->names) {
    if (out.users.size() == max_listed_) break;
    out.users.push_back(name);
  }
  return out;
}

void presence::add(name_counts& counts, std::string_view name) {
  auto it = counts.find(name);
  if (it == counts.end())
    counts.emplace(std::string(name), 1);
  else
    ++it->second;
}

bool presence::remove(name_counts& counts, std::string_view name) {
  auto it = counts.find(name);
  if (it == counts.end()) return false;
  if (--it->second == 0) counts.erase(it);
  return true;
}

}  // namespace chorus::server::chat
