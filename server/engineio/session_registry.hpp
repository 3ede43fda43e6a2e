#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/disconnect_reason.hpp"
#include "server/string_hash.hpp"

namespace chorus::server::engineio {

class session;

// One shard's open Engine.IO sessions by sid: where a request naming a sid finds its session.
// Used only on that shard's thread, so it needs no lock.
class session_registry {
 public:
  std::shared_ptr<session> find(std::string_view sid) const;
  void add(std::shared_ptr<session> opened);
  void remove(std::string_view sid);
  std::size_t size() const { return sessions_.size(); }
  // Closes every session (shutdown).
  void close_all(disconnect_reason reason);

 private:
  std::unordered_map<std::string, std::shared_ptr<session>, string_hash, std::equal_to<>> sessions_;
};

}  // namespace chorus::server::engineio
