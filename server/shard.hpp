#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/fanout/shard_hub.hpp"
#include "server/string_hash.hpp"

namespace chorus::server {

class server;
namespace engineio {
class session;
}

// One thread's share of the server: its io_context, the Engine.IO sessions that live here and
// per-thread scratch such as the JSON parser. Nothing here is touched from another thread except
// through post() to the io_context.
class shard {
 public:
  shard(unsigned index, server& owner);

  unsigned index() const { return index_; }
  server& owner() const { return owner_; }
  const server_config& config() const;
  asio::io_context& context() { return context_; }
  asio::any_io_executor executor() { return context_.get_executor(); }

  std::shared_ptr<engineio::session> find_session(std::string_view sid) const;
  void add_session(std::shared_ptr<engineio::session> session);
  void remove_session(std::string_view sid);
  std::size_t session_count() const { return sessions_.size(); }
  // Closes every session (shutdown); runs on this shard's thread.
  void close_all_sessions();

  simdjson::dom::parser& json_parser() { return json_parser_; }
  fanout::shard_hub& hub() { return hub_; }

 private:
  unsigned index_;
  server& owner_;
  asio::io_context context_{1};
  std::unordered_map<std::string, std::shared_ptr<engineio::session>, string_hash, std::equal_to<>>
      sessions_;
  simdjson::dom::parser json_parser_;
  fanout::shard_hub hub_{*this};
};

}  // namespace chorus::server
