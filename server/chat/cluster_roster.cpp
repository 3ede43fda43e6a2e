#include "server/chat/cluster_roster.hpp"

#include <algorithm>

namespace chorus::server::chat {

presence::roster merge_roster(std::vector<std::string> names, std::uint64_t version,
                              std::size_t max_listed) {
  // std::string's < is bytewise, as the in-process presence's std::map orders names.
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  presence::roster out;
  out.count = names.size();
  out.version = version;
  if (names.size() > max_listed) names.resize(max_listed);
  out.users = std::move(names);
  return out;
}

std::optional<presence::roster> roster_from_reply(const cluster::redis_reply& reply,
                                                  std::size_t max_listed) {
  using kind = cluster::redis_reply::kind;
  if (reply.type != kind::array || reply.elements.size() != 2) return std::nullopt;
  const auto& version = reply.elements[0];
  const auto& names = reply.elements[1];
  if (version.type != kind::integer || version.integer < 0 || names.type != kind::array)
    return std::nullopt;
  std::vector<std::string> list;
  list.reserve(names.elements.size());
  for (const auto& name : names.elements) {
    if (name.type != kind::string) return std::nullopt;
    list.push_back(name.str);
  }
  return merge_roster(std::move(list), static_cast<std::uint64_t>(version.integer), max_listed);
}

}  // namespace chorus::server::chat
