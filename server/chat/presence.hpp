#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/string_hash.hpp"

namespace chorus::server::chat {

// Who is in which chat room, and which usernames are online, over every shard. Not on the
// message path (joins, leaves and disconnects only), so one mutex guards it all.
class presence {
 public:
  // A room's users as sent in `users`.
  struct roster {
    std::vector<std::string> users;  // distinct usernames, sorted, at most max_listed
    std::size_t count = 0;           // distinct usernames in the room (may exceed users.size())
    // Grows with every change of any room: rosters of one room sent from different shards may
    // arrive out of order, and the highest version is the current one.
    std::uint64_t version = 0;
  };

  explicit presence(std::size_t max_listed = 200) : max_listed_(max_listed) {}

  // One socket enters or leaves a room under a username (several sockets may share one);
  // returns the room's roster afterwards. Leaving under a name not in the room changes nothing.
  roster enter(std::string_view room, std::string_view username);
  roster leave(std::string_view room, std::string_view username);
  roster users(std::string_view room) const;

  // One socket signs in or out under a username (the lobby's `join`).
  void sign_in(std::string_view username);
  void sign_out(std::string_view username);
  bool online(std::string_view username) const;

  std::size_t room_count() const;

  // How many sockets are in a room under each username, and signed in under each username.
  using name_counts = std::map<std::string, std::size_t, std::less<>>;
  name_counts room_counts(std::string_view room) const;
  std::size_t signed_in_count(std::string_view username) const;
  std::vector<std::string> room_names() const;
  std::vector<std::string> signed_in_names() const;

 private:
  struct room_state {
    name_counts names;
    std::uint64_t version = 0;
  };

  roster snapshot(const room_state* room) const;
  static void add(name_counts& counts, std::string_view name);
  // true when the name was there
  static bool remove(name_counts& counts, std::string_view name);

  std::size_t max_listed_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, room_state, string_hash, std::equal_to<>> rooms_;
  std::unordered_map<std::string, std::size_t, string_hash, std::equal_to<>> online_;
  std::uint64_t version_ = 0;
};

}  // namespace chorus::server::chat
